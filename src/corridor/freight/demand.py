"""Freight demand: ``zones.csv`` and ``demand.csv`` of a dataset folder, read and validated.

See ``corridor/data/README.md`` for the columns. Every function that needs demand reads it here.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import DataError
from ..network import Network, default_data_dir
from ..settings import Settings

#: the cargo class whose value of time prices the demand's route choice: the containers that went by
#: land in 2024 are the high-value ones (with the general class's value of time every China–Europe
#: box would take the sea)
CARGO_CLASS = "high_value"

ZONE_COLUMNS = ("zone", "name", "place", "note")
DEMAND_COLUMNS = ("origin", "destination", "teu_per_year", "year", "source", "note")


@dataclass(frozen=True)
class Demand:
    """Zones, and TEU per year between them.

    ``od`` has columns ``origin``, ``destination`` (zones), ``origin_place``, ``destination_place``,
    ``teu_per_year``, ``year``, ``source``.
    """

    zones: pd.DataFrame
    od: pd.DataFrame
    version: str = ""

    def by_place(self) -> pd.DataFrame:
        """TEU per year between places (zones that share a place are added; intra-place flows dropped)."""
        od = self.od[self.od["origin_place"] != self.od["destination_place"]]
        out = od.groupby(["origin_place", "destination_place"], as_index=False)["teu_per_year"].sum()
        return out[out["teu_per_year"] > 0].reset_index(drop=True)

    @property
    def base_year(self) -> int:
        years = self.od["year"].dropna()
        return int(years.mode().iloc[0]) if len(years) else 2024

    def scaled(self, od: pd.DataFrame) -> Demand:
        """The same zones with another matrix (e.g. grown by a scenario)."""
        return Demand(self.zones, od, self.version)


def demand_settings(network: Network, cargo_class: str | None = None) -> Settings:
    """Settings for analyses of the demand: :data:`CARGO_CLASS` unless another class is asked for
    (or the dataset lacks it)."""
    if cargo_class is None:
        cargo_class = CARGO_CLASS if CARGO_CLASS in set(network.cargo["class"]) else "general"
    return Settings(cargo_class=cargo_class)


def has_demand(data_dir: Path | str | None = None) -> bool:
    """Whether the folder holds both ``zones.csv`` and ``demand.csv``."""
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    return (folder / "zones.csv").is_file() and (folder / "demand.csv").is_file()


def _read(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    if not path.is_file():
        raise DataError(f"{path.name}: file is missing from {path.parent} (demand needs zones.csv and demand.csv)")
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            if [c for c in columns if c not in header] or [c for c in header if c not in columns]:
                raise DataError(f"{path.name} line 1: header must be {','.join(columns)}, not {','.join(header)}")
            rows = []
            for row in reader:
                if None in row or any(v is None for v in row.values()):
                    raise DataError(f"{path.name} line {reader.line_num}: wrong number of columns "
                                    f"(expected {len(columns)})")
                rows.append((reader.line_num, {k: (v or "").strip() for k, v in row.items()}))
            return rows
    except (UnicodeDecodeError, csv.Error) as exc:
        raise DataError(f"{path.name}: cannot be read as UTF-8 CSV: {exc}") from None


def load_demand(data_dir: Path | str | None = None, network: Network | None = None) -> Demand:
    """Read and validate ``zones.csv`` and ``demand.csv`` from ``data_dir`` (the bundled folder by default).

    Parameters
    ----------
    data_dir : path, optional
        The dataset folder.
    network : Network, optional
        When given, each zone's place and each row's source are checked against it.

    Raises
    ------
    DataError
        Every problem, each naming file and line: a missing file, a bad header, an unknown zone or
        place, a negative or non-numeric volume, a duplicate row.
    """
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    problems: list[str] = []
    zones_rows = _read(folder / "zones.csv", ZONE_COLUMNS)
    demand_rows = _read(folder / "demand.csv", DEMAND_COLUMNS)
    places = set(network.places["id"]) if network is not None else None
    sources = set(network.sources["id"]) if network is not None else None
    zone_place: dict[str, str] = {}
    for line, row in zones_rows:
        z = row["zone"]
        if not z:
            problems.append(f"zones.csv line {line}: zone is empty")
        elif z in zone_place:
            problems.append(f"zones.csv line {line}: duplicate zone {z!r}")
        if not row["place"]:
            problems.append(f"zones.csv line {line}: zone {z!r} names no place")
        elif places is not None and row["place"] not in places:
            problems.append(f"zones.csv line {line}, field 'place': unknown place {row['place']!r}")
        zone_place[z] = row["place"]
    records, seen = [], set()
    for line, row in demand_rows:
        for end in ("origin", "destination"):
            if row[end] not in zone_place:
                problems.append(f"demand.csv line {line}, field {end!r}: unknown zone {row[end]!r} (not in zones.csv)")
        try:
            teu = float(row["teu_per_year"])
            if not teu >= 0:
                raise ValueError
        except ValueError:
            problems.append(f"demand.csv line {line}, field 'teu_per_year': must be a number ≥ 0, not {row['teu_per_year']!r}")
            continue
        year = None
        if row["year"]:
            try:
                year = int(row["year"])
            except ValueError:
                problems.append(f"demand.csv line {line}, field 'year': not a year: {row['year']!r}")
        if not row["source"]:
            problems.append(f"demand.csv line {line}, field 'source': a volume must cite a source")
        elif sources is not None:
            for sid in row["source"].split("|"):
                if sid.strip() not in sources:
                    problems.append(f"demand.csv line {line}, field 'source': cites {sid.strip()!r}, "
                                    "which is not in sources.csv")
        key = (row["origin"], row["destination"], year)
        if key in seen:
            problems.append(f"demand.csv line {line}: duplicate row for {row['origin']} → {row['destination']}")
        seen.add(key)
        records.append({"origin": row["origin"], "destination": row["destination"],
                        "origin_place": zone_place.get(row["origin"]), "destination_place": zone_place.get(row["destination"]),
                        "teu_per_year": teu, "year": year, "source": row["source"]})
    if problems:
        raise DataError(problems)
    digest = hashlib.sha256((folder / "zones.csv").read_bytes() + (folder / "demand.csv").read_bytes()).hexdigest()[:12]
    zones = pd.DataFrame([r for _, r in zones_rows], columns=list(ZONE_COLUMNS))
    od = pd.DataFrame(records, columns=["origin", "destination", "origin_place", "destination_place",
                                        "teu_per_year", "year", "source"])
    return Demand(zones, od, digest)
