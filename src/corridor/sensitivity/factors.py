"""The estimates as factors: each ``estimate`` source of ``sources.csv``, its range (``uncertainty.csv``)
and every figure that cites it, in the tables the headline answers read; and a set of factor values
applied to those tables, as a pure function (the inputs passed in are never changed).

A figure that cites two estimates takes both (factors multiply, shifts add); a figure is found by the
source columns the dataset declares (``FIGURE_SOURCES``, the energy layer's ``NODE_FIGURES`` and
``ASSET_FIGURES``, as ``corridor data quality`` counts them).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError
from ..freight.demand import Demand, load_demand
from ..network import Network, load_network
from ..network.capacities import read_capacities
from ..network.energy_table import ASSET_FIGURES, NODE_FIGURES, EnergyNetwork, read_energy
from ..network.schema import FIGURE_SOURCES, split_list
from ..network.uncertainty import read_uncertainty

#: the tables the headline answers read (name → figure column → its source column)
FIGURES: dict[str, dict[str, str]] = {
    **{name.removesuffix(".csv"): figures for name, figures in FIGURE_SOURCES.items()},
    "capacities": {"capacity_teu_per_year": "source"},
    "demand": {"teu_per_year": "source"},
    "energy_nodes": NODE_FIGURES,
    "energy_assets": ASSET_FIGURES,
}

#: figures that are years: an estimate moves them only by a shift (in years), never by a factor
YEARS = ("open_year",)


@dataclass(frozen=True)
class Inputs:
    """Everything the headline answers read: the network, the demand, the capacities and the energy layer."""

    network: Network
    demand: Demand
    capacities: pd.DataFrame
    energy: EnergyNetwork

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables of :data:`FIGURES`, by name."""
        out = {name: getattr(self.network, name) for name in FIGURES if hasattr(self.network, name)}
        return {**out, "capacities": self.capacities, "demand": self.demand.od, "energy_nodes": self.energy.nodes,
                "energy_assets": self.energy.assets}

    def with_tables(self, tables: dict[str, pd.DataFrame]) -> Inputs:
        """A copy with some tables of :meth:`tables` replaced."""
        net = {k: v for k, v in tables.items() if hasattr(self.network, k) and k in FIGURES}
        energy = {k.removeprefix("energy_"): v for k, v in tables.items() if k.startswith("energy_")}
        return replace(self, network=self.network.replace(**net) if net else self.network,
                       demand=self.demand.scaled(tables["demand"]) if "demand" in tables else self.demand,
                       capacities=tables.get("capacities", self.capacities),
                       energy=self.energy.replace(**energy) if energy else self.energy)


def load_inputs(data: Path | str | None = None) -> Inputs:
    """Read the dataset folder (the bundled one by default) into :class:`Inputs`.

    Raises
    ------
    DataError
        Any problem of the tables read (file, line, field).
    """
    network = load_network(data)
    capacities, problems = read_capacities(data, crossings=network.crossings["id"], terminals=network.terminals,
                                           sources=network.sources["id"])
    energy, energy_problems = read_energy(data)
    if problems or energy_problems:
        raise DataError([str(p) for p in problems + energy_problems])
    return Inputs(network, load_demand(data, network), capacities, energy)


@dataclass(frozen=True)
class Target:
    """The cells of one figure column that cite an estimate: ``rows`` are positions in ``table``."""

    table: str
    column: str
    rows: tuple[int, ...]


@dataclass(frozen=True)
class Factor:
    """An estimate source, its range and the figures that cite it."""

    source: str
    title: str
    scale: str          # "factor" (× value) or "shift" (+ value, in the figure's unit)
    low: float
    high: float
    targets: tuple[Target, ...]

    @property
    def figures(self) -> int:
        """How many figures cite this estimate."""
        return sum(len(t.rows) for t in self.targets)

    @property
    def base(self) -> float:
        """The value that leaves the figures as given (1 for a factor, 0 for a shift)."""
        return 1.0 if self.scale == "factor" else 0.0


def estimate_factors(inputs: Inputs, data: Path | str | None = None) -> tuple[list[Factor], list[str]]:
    """The estimates cited by a figure the answers read, as factors; and the estimates no such figure cites.

    Raises
    ------
    DataError
        ``uncertainty.csv`` is missing or has a problem, or an estimate has no range.
    """
    sources = inputs.network.sources
    ranges, problems = read_uncertainty(data, sources=sources, required=True)
    if problems:
        raise DataError([str(p) for p in problems])
    estimates = [sid for sid, kind in zip(sources["id"], sources["kind"]) if kind == "estimate"]
    cells: dict[str, list[Target]] = {sid: [] for sid in estimates}
    scale = dict(zip(ranges["source"], ranges["scale"]))
    for name, table in inputs.tables().items():
        for figure, column in FIGURES[name].items():
            if figure not in table or column not in table:
                continue
            given = table[figure].notna().to_numpy()
            cited: dict[str, list[int]] = {}
            for i, cell in enumerate(table[column].to_numpy()):
                for sid in split_list(cell):
                    # a year moves only by a shift in years, never by a factor
                    if sid in cells and given[i] and (figure not in YEARS or scale.get(sid) == "shift"):
                        cited.setdefault(sid, []).append(i)
            for sid, rows in cited.items():
                cells[sid].append(Target(name, figure, tuple(rows)))
    title = dict(zip(sources["id"], sources["title"]))
    factors = [Factor(sid, str(title[sid]), str(ranges.at[sid, "scale"]), float(ranges.at[sid, "low"]),
                      float(ranges.at[sid, "high"]), tuple(cells[sid])) for sid in estimates if cells[sid]]
    return factors, [sid for sid in estimates if not cells[sid]]


def perturb(inputs: Inputs, factors: list[Factor], values: np.ndarray | list[float]) -> Inputs:
    """The inputs with each factor's figures moved to ``values`` (one per factor; 1 or 0 leaves them).

    Years (:data:`YEARS`) are rounded to whole years after a shift.
    """
    tables = inputs.tables()
    edited: dict[str, pd.DataFrame] = {}
    for factor, value in zip(factors, values):
        if value == factor.base:
            continue
        for t in factor.targets:
            frame = edited.setdefault(t.table, tables[t.table].copy())
            column = frame[t.column].to_numpy(dtype=float, copy=True)
            rows = list(t.rows)
            column[rows] = column[rows] * value if factor.scale == "factor" else column[rows] + value
            if t.column in YEARS:
                column[rows] = np.round(column[rows])
            frame[t.column] = column
    return inputs.with_tables(edited) if edited else inputs
