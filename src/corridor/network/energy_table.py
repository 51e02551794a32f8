"""The energy layer's tables: ``energy_nodes.csv`` and ``energy_assets.csv``, read, validated and converted.

Every figure is stored in the unit its source gives (``unit`` column) and converted here into one unit
per commodity: gas in bcm a year, oil in million tonnes a year (see :data:`UNITS`). Problems are
reported like the rest of the dataset: file, line and field.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import Field

from ..errors import DataError
from .energy_routes import ROUTES_FILE, empty_routes, read_routes, route_lengths
from .load import default_data_dir
from .rows import Problem, columns_of, parse_rows, read_rows
from .schema import Row, split_list

NODES_FILE = "energy_nodes.csv"
ASSETS_FILE = "energy_assets.csv"
COMMODITIES = ("gas", "oil")
ASSET_KINDS = ("pipeline", "tanker", "terminal", "rail")
STATUSES = ("operational", "under_construction", "expansion", "planned", "closed")

#: barrels of crude oil in one tonne: the Energy Institute's approximate conversion factor (source O-EI-CONV)
BARRELS_PER_TONNE = 7.33
#: the unit every flow is computed in, per commodity
BASE_UNIT = {"gas": "bcm_per_year", "oil": "mt_per_year"}
#: unit → (commodity, factor into the commodity's base unit)
UNITS: dict[str, tuple[str, float]] = {
    "bcm_per_year": ("gas", 1.0),
    "mcm_per_day": ("gas", 365 / 1000),
    "mt_per_year": ("oil", 1.0),
    "kb_per_day": ("oil", 1000 * 365 / BARRELS_PER_TONNE / 1e6),
}
#: how the base units read in tables
UNIT_LABEL = {"bcm_per_year": "bcm/yr", "mt_per_year": "Mt/yr", "mcm_per_day": "mcm/d", "kb_per_day": "kb/d"}


def convert(value: float, unit: str, to: str) -> float:
    """Convert ``value`` from ``unit`` into ``to`` (both of one commodity).

    >>> round(convert(1200, "kb_per_day", "mt_per_year"), 1)
    59.8
    """
    (c1, f1), (c2, f2) = UNITS[unit], UNITS[to]
    if c1 != c2:
        raise ValueError(f"cannot convert {unit} ({c1}) into {to} ({c2})")
    return value * f1 / f2


class NodeRow(Row):
    id: str = Field(pattern=r"^(gas|oil):[A-Z]{2}-[A-Z0-9-]+$")
    name: str
    commodity: Literal["gas", "oil"]
    kind: Literal["field", "terminal", "compressor", "landfall", "hub", "border", "port", "market"]
    country: str = Field(pattern=r"^[A-Z]{2}$")
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    supply: float | None = Field(default=None, ge=0)
    demand: float | None = Field(default=None, ge=0)
    committed: float | None = Field(default=None, ge=0)
    unit: Literal["bcm_per_year", "mcm_per_day", "mt_per_year", "kb_per_day"]
    supply_source: str | None = None
    demand_source: str | None = None
    committed_source: str | None = None
    source: str | None = None
    note: str | None = None


class AssetRow(Row):
    id: str = Field(pattern=r"^[A-Z0-9][A-Z0-9-]*$")
    name: str
    commodity: Literal["gas", "oil"]
    kind: Literal["pipeline", "tanker", "terminal", "rail"]
    from_: str = Field(alias="from")
    to: str
    capacity: float = Field(ge=0)
    throughput: float | None = Field(default=None, ge=0)
    throughput_year: int | None = Field(default=None, ge=1900, le=2100)
    unit: Literal["bcm_per_year", "mcm_per_day", "mt_per_year", "kb_per_day"]
    length_km: float | None = Field(default=None, gt=0, le=10000)
    status: Literal["operational", "under_construction", "expansion", "planned", "closed"]
    open_year: int | None = Field(default=None, ge=1850, le=2100)
    group: str | None = None
    expands: str | None = None
    capacity_source: str | None = None
    throughput_source: str | None = None
    length_source: str | None = None
    status_source: str | None = None
    note: str | None = None


#: figure column → the column that cites it
NODE_FIGURES = {"supply": "supply_source", "demand": "demand_source", "committed": "committed_source",
                "lon": "source", "lat": "source"}
ASSET_FIGURES = {"capacity": "capacity_source", "throughput": "throughput_source", "length_km": "length_source",
                 "open_year": "status_source"}
NODE_COLUMNS = [f.alias or k for k, f in NodeRow.model_fields.items()]
ASSET_COLUMNS = [f.alias or k for k, f in AssetRow.model_fields.items()]


@dataclass(frozen=True)
class EnergyNetwork:
    """The energy layer: ``nodes`` (fields, terminals, borders, markets) and ``assets`` (pipelines,
    tanker routes, terminals), both indexed by id, every figure in its commodity's base unit
    (:data:`BASE_UNIT`); ``unit_given`` keeps the unit of the source. ``routes`` holds the waypoints
    of each pipeline's alignment (``energy_routes.csv``) and ``assets["route_km"]`` the length along it.
    """

    nodes: pd.DataFrame
    assets: pd.DataFrame
    version: str = ""
    sources: frozenset[str] = frozenset()
    routes: pd.DataFrame = field(default_factory=empty_routes)

    def replace(self, **tables: object) -> EnergyNetwork:
        """Return a copy with some tables replaced."""
        return replace(self, **tables)

    def in_service(self, year: int | None = None) -> pd.Series:
        """Which assets carry oil or gas in ``year`` (default: this year): not closed, open by then, and,
        for an expansion, the asset it expands in service too."""
        year = _dt.date.today().year if year is None else int(year)
        a = self.assets
        opened = a["open_year"].isna() | (a["open_year"].astype(float) <= year)
        later = a["status"].isin(("under_construction", "expansion", "planned")) & a["open_year"].isna()
        ok = (a["status"] != "closed") & opened & ~later
        expands = a["expands"].dropna()
        for _ in range(3):  # an expansion of an expansion
            ok.loc[expands.index] &= ok.reindex(expands.to_numpy()).fillna(False).to_numpy(bool)
        return ok


def _read(path: Path, model: type[Row], problems: list[Problem]) -> list[tuple[int, dict]]:
    records, lines = parse_rows(path.name, read_rows(path, columns_of(model), problems), model, problems)
    return list(zip(lines, records))


def _cite(file: str, line: int, row: dict, figures: dict[str, str], sources: set[str] | None,
          problems: list[Problem]) -> None:
    for figure, column in figures.items():
        if row.get(figure) is not None and not split_list(row.get(column)):
            problems.append(Problem(file, line, column, f"{figure} = {row[figure]} cites no source"))
    if sources is None:
        return
    for column in set(figures.values()):
        for sid in split_list(row.get(column)):
            if sid not in sources:
                problems.append(Problem(file, line, column, f"cites source {sid!r}, which is not in sources.csv"))


def _unit(file: str, line: int, row: dict, problems: list[Problem]) -> bool:
    commodity = UNITS[row["unit"]][0]
    if commodity != row["commodity"]:
        allowed = " or ".join(u for u, (c, _) in UNITS.items() if c == row["commodity"])
        problems.append(Problem(file, line, "unit", f"{row['unit']} is a unit of {commodity}, not of "
                                f"{row['commodity']}: use {allowed}"))
        return False
    return True


def read_energy(data_dir: Path | str | None = None, *, sources: set[str] | None = None,
                required: bool = False) -> tuple[EnergyNetwork, list[Problem]]:
    """Read and validate the energy tables; return the layer (figures in base units) and every problem.

    Parameters
    ----------
    data_dir : path, optional
        The dataset folder (the bundled one by default).
    sources : set of str, optional
        Known source ids; a citation of another is a problem.
    required : bool
        Whether missing files are a problem; else they mean "no energy layer".
    """
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    problems: list[Problem] = []
    paths = [folder / NODES_FILE, folder / ASSETS_FILE]
    present = [p.is_file() for p in paths]
    if not all(present):
        if required or any(present):
            for p, ok in zip(paths, present):
                if not ok:
                    problems.append(Problem(p.name, None, None, f"file is missing from {folder}"))
        return _frames([], [], ""), problems

    node_rows, commodity_of = _nodes(_read(paths[0], NodeRow, problems), sources, problems)
    asset_rows = _assets(_read(paths[1], AssetRow, problems), commodity_of, sources, problems)
    routes, route_problems = read_routes(folder, {r["id"]: r for r in asset_rows}, {r["id"]: r for r in node_rows},
                                         sources, {r["id"]: r["line"] for r in asset_rows})
    problems.extend(route_problems)
    present_files = [*paths, folder / ROUTES_FILE]
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in present_files if p.is_file())).hexdigest()[:12]
    energy = _frames(node_rows, asset_rows, digest)
    energy.assets["route_km"] = route_lengths(routes, energy.assets, energy.nodes)
    return energy.replace(routes=routes), problems


def _nodes(nodes: list[tuple[int, dict]], sources: set[str] | None,
           problems: list[Problem]) -> tuple[list[dict], dict[str, str]]:
    """The good node rows, and each node's commodity; problems of every row added to ``problems``."""
    node_rows: list[dict] = []
    commodity_of: dict[str, str] = {}
    for line, row in nodes:
        ok = _unit(NODES_FILE, line, row, problems)
        _cite(NODES_FILE, line, row, NODE_FIGURES, sources, problems)
        if row["id"] in commodity_of:
            problems.append(Problem(NODES_FILE, line, "id", f"duplicate id {row['id']!r}"))
            continue
        if not row["id"].startswith(row["commodity"] + ":"):
            problems.append(Problem(NODES_FILE, line, "id", f"a {row['commodity']} node's id starts with "
                                    f"'{row['commodity']}:', not {row['id']!r}"))
        if row["id"].split(":", 1)[1][:2] != row["country"]:
            problems.append(Problem(NODES_FILE, line, "id", f"{row['id']!r} does not start with its country {row['country']}"))
        if row["supply"] is not None and row["kind"] != "field":
            problems.append(Problem(NODES_FILE, line, "supply", f"only a field supplies; this node is a {row['kind']}"))
        if row["demand"] is not None and row["kind"] != "market":
            problems.append(Problem(NODES_FILE, line, "demand", f"only a market has a demand; this node is a {row['kind']}"))
        if row["committed"] is not None and row["kind"] != "market":
            problems.append(Problem(NODES_FILE, line, "committed", f"only a market is committed to; this node is a {row['kind']}"))
        if row["committed"] is not None and row["demand"] is not None and row["committed"] > row["demand"]:
            problems.append(Problem(NODES_FILE, line, "committed", f"{row['committed']} is more than the market takes "
                                    f"(demand {row['demand']})"))
        if row["kind"] == "field" and row["supply"] is None:
            problems.append(Problem(NODES_FILE, line, "supply", "a field needs its supply (production a year)"))
        commodity_of[row["id"]] = row["commodity"]
        if ok:
            node_rows.append({**row, "line": line})

    return node_rows, commodity_of


def _assets(assets: list[tuple[int, dict]], commodity_of: dict[str, str], sources: set[str] | None,
            problems: list[Problem]) -> list[dict]:
    """The good asset rows; problems of every row added to ``problems``."""
    asset_rows: list[dict] = []
    seen: set[str] = set()
    by_id = {row["id"]: row for _, row in assets}
    for line, row in assets:
        ok = _unit(ASSETS_FILE, line, row, problems)
        _cite(ASSETS_FILE, line, row, ASSET_FIGURES, sources, problems)
        if not split_list(row["capacity_source"]):
            ok = False
        if row["id"] in seen:
            problems.append(Problem(ASSETS_FILE, line, "id", f"duplicate id {row['id']!r}"))
            ok = False
        seen.add(row["id"])
        for end in ("from", "to"):
            node = row[end]
            if node not in commodity_of:
                problems.append(Problem(ASSETS_FILE, line, end, f"unknown node {node!r} (not an id of {NODES_FILE})"))
                ok = False
            elif commodity_of[node] != row["commodity"]:
                problems.append(Problem(ASSETS_FILE, line, end, f"{node} is a {commodity_of[node]} node; this asset "
                                        f"carries {row['commodity']}"))
                ok = False
        if row["from"] == row["to"]:
            problems.append(Problem(ASSETS_FILE, line, "to", "an asset joins two different nodes"))
            ok = False
        if row["expands"] is not None:
            base = by_id.get(row["expands"])
            if base is None:
                problems.append(Problem(ASSETS_FILE, line, "expands", f"unknown asset {row['expands']!r}"))
            elif (base["from"], base["to"], base["commodity"]) != (row["from"], row["to"], row["commodity"]):
                problems.append(Problem(ASSETS_FILE, line, "expands", f"an expansion joins the same nodes as "
                                        f"{row['expands']} ({base['from']} → {base['to']})"))
        if row["status"] in ("under_construction", "expansion", "planned") and row["open_year"] is None:
            problems.append(Problem(ASSETS_FILE, line, "open_year", f"a {row['status']} asset needs the year it opens"))
        if row["throughput"] is not None and row["throughput_year"] is None:
            problems.append(Problem(ASSETS_FILE, line, "throughput_year", "say which year the throughput is of"))
        if ok:
            asset_rows.append({**row, "line": line})
    return asset_rows


def _to_base(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    out = frame.copy()
    factor = out["unit"].map(lambda u: UNITS[u][1]).astype(float)
    for c in columns:
        out[c] = out[c].astype(float) * factor
    out["unit_given"] = out["unit"]
    out["unit"] = out["commodity"].map(BASE_UNIT)
    return out


def _frames(nodes: list[dict], assets: list[dict], version: str) -> EnergyNetwork:
    n = pd.DataFrame.from_records(nodes, columns=[*NODE_COLUMNS, "line"])
    a = pd.DataFrame.from_records(assets, columns=[*ASSET_COLUMNS, "line"])
    n = _to_base(n, ("supply", "demand", "committed")).set_index("id", drop=False)
    a = _to_base(a, ("capacity", "throughput")).set_index("id", drop=False)
    a["open_year"] = a["open_year"].astype("Int64")
    a["route_km"] = float("nan")
    n.index.name = a.index.name = None
    return EnergyNetwork(nodes=n, assets=a, version=version)


def load_energy(data_dir: Path | str | None = None) -> EnergyNetwork:
    """Load the energy layer of a dataset folder (the bundled one by default).

    Raises
    ------
    DataError
        Every problem found, each naming its file, line and field.

    Examples
    --------
    >>> energy = load_energy()
    >>> energy.assets.loc["BTC", "unit"]
    'mt_per_year'
    """
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    sources = folder / "sources.csv"
    known = set(pd.read_csv(sources, usecols=["id"], dtype=str)["id"]) if sources.is_file() else None
    energy, problems = read_energy(folder, sources=known, required=True)
    if problems:
        raise DataError([str(p) for p in problems])
    return energy.replace(sources=frozenset(known or ()))


__all__ = [
    "ASSETS_FILE",
    "BARRELS_PER_TONNE",
    "BASE_UNIT",
    "NODES_FILE",
    "UNITS",
    "UNIT_LABEL",
    "EnergyNetwork",
    "convert",
    "load_energy",
    "read_energy",
]
