"""Freight demand: zones and TEU per year between them (``zones.csv``, ``demand.csv``), and the cargo
class that prices its route choice.

The rows are read and checked by :mod:`corridor.network.demand_table` (as ``corridor data check``
does); see ``corridor/data/README.md`` for the columns.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import DataError
from ..network import Network, default_data_dir
from ..network.demand_table import DEMAND_FILE, ZONES_FILE, read_demand
from ..settings import Settings

#: the cargo class whose value of time prices the demand's route choice: the containers that went by
#: land in 2024 are the high-value ones (with the general class's value of time every China–Europe
#: box would take the sea)
CARGO_CLASS = "high_value"



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
    return (folder / ZONES_FILE).is_file() and (folder / DEMAND_FILE).is_file()


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
    places = network.places["id"] if network is not None else None
    sources = network.sources["id"] if network is not None else None
    zones, od, problems = read_demand(folder, places=places, sources=sources)
    if problems:
        raise DataError([str(p) for p in problems])
    digest = hashlib.sha256((folder / ZONES_FILE).read_bytes() + (folder / DEMAND_FILE).read_bytes()).hexdigest()[:12]
    return Demand(zones, od, digest)
