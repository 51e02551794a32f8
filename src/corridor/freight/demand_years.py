"""The demand of another year: the base-year matrix grown (or shrunk back) block by block.

Every cell of ``demand.csv`` belongs to a block, the method row it cites first (``DEM-CN-EU-DIR``,
``DEM-AZ-NAKH`` …); ``growth.csv`` gives each block's annual rate by period, each rate sourced
(:mod:`corridor.network.growth_table`). The demand of year Y is the base-year cell times the product of
``1 + rate`` over the years from the base year to Y (divided by it for an earlier year: the back-cast).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError, InvalidOptionError
from ..network import Network, default_data_dir
from ..network.growth_table import read_growth
from .demand import Demand


@dataclass(frozen=True)
class Growth:
    """Annual growth rates by block and period (columns ``block``, ``from_year``, ``to_year``, ``rate``,
    ``source``): the rate applies to each year Y with ``from_year < Y ≤ to_year``."""

    table: pd.DataFrame

    def years(self, blocks: list[str] | None = None) -> tuple[int, int]:
        """The first and last year every one of ``blocks`` (default all) has rates for."""
        t = self.table if blocks is None else self.table[self.table["block"].isin(blocks)]
        spans = t.groupby("block").agg(lo=("from_year", "min"), hi=("to_year", "max"))
        return int(spans["lo"].max()), int(spans["hi"].min())

    def annual(self, block: str) -> dict[int, float]:
        """The rate of ``block`` for each year it covers (the year a step of growth ends in)."""
        rows = self.table[self.table["block"] == block]
        return {y: float(r) for f, t, r in zip(rows["from_year"], rows["to_year"], rows["rate"])
                for y in range(int(f) + 1, int(t) + 1)}

    def factor(self, block: str, base_year: int, year: int) -> float:
        """Demand of ``year`` over demand of ``base_year`` for ``block``."""
        rate = self.annual(block)
        steps = range(min(base_year, year) + 1, max(base_year, year) + 1)
        grown = float(np.prod([1.0 + rate[y] for y in steps]))
        return grown if year >= base_year else 1.0 / grown


def block_of(od: pd.DataFrame) -> pd.Series:
    """The block of each demand row: the first source id it cites (its method row)."""
    return od["source"].astype(str).str.split("|").str[0].str.strip()


def block_totals(demand: Demand) -> pd.Series:
    """TEU per year by block, largest first."""
    return demand.od.groupby(block_of(demand.od))["teu_per_year"].sum().sort_values(ascending=False)


def pairs_teu_by_year(demand: Demand, growth: Growth, pairs: pd.DataFrame, years: np.ndarray) -> np.ndarray:
    """TEU per year of the place pairs in ``pairs`` (``origin_place``, ``destination_place``) in each of
    ``years``, each block grown at its own rates; NaN for a year the growth table does not cover for
    all their blocks."""
    keys = set(zip(pairs["origin_place"], pairs["destination_place"]))
    od = demand.od
    chosen = od[[k in keys for k in zip(od["origin_place"], od["destination_place"])]]
    teu = chosen.groupby(block_of(chosen))["teu_per_year"].sum()
    out = np.full(len(years), np.nan)
    if teu.empty or not set(teu.index) <= set(growth.table["block"]):
        return out
    lo, hi = growth.years(list(teu.index))
    for i, year in enumerate(years):
        if lo <= year <= hi and lo <= demand.base_year <= hi:
            out[i] = sum(v * growth.factor(b, demand.base_year, int(year)) for b, v in teu.items())
    return out


def load_growth(data_dir: Path | str | None = None, network: Network | None = None) -> Growth | None:
    """Read and validate ``growth.csv`` of ``data_dir`` (the bundled folder by default); None without one.

    Raises
    ------
    DataError
        Every problem, each naming file, line and field: a bad rate or year, a period that overlaps or
        leaves a gap, a source not in ``sources.csv`` (when ``network`` is given).
    """
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    if not (folder / "growth.csv").is_file():
        return None
    sources = network.sources["id"] if network is not None else None
    table, problems = read_growth(folder, sources=sources)
    if problems:
        raise DataError([str(p) for p in problems])
    return Growth(table)


def demand_for_year(demand: Demand, year: int, growth: Growth) -> Demand:
    """The demand of ``year``: each cell of the base-year matrix times its block's growth factor.

    Parameters
    ----------
    demand : Demand
        The base-year demand (its ``year`` column gives the base year).
    year : int
        The year wanted; earlier than the base year gives the back-cast.
    growth : Growth
        Rates by block and period (:func:`load_growth`).

    Raises
    ------
    InvalidOptionError
        ``year`` outside the years the growth table covers for every block of the demand (the
        message names the range).
    DataError
        A block of the demand has no rows in the growth table.

    Examples
    --------
    >>> d2030 = demand_for_year(load_demand(), 2030, load_growth())   # doctest: +SKIP
    """
    base = demand.base_year
    blocks = block_of(demand.od)
    missing = sorted(set(blocks) - set(growth.table["block"]))
    if missing:
        raise DataError([f"growth.csv: no growth rows for demand block {b!r} (demand.csv); add its rates by period"
                         for b in missing])
    lo, hi = growth.years(sorted(set(blocks)))
    if not lo <= year <= hi or not lo <= base <= hi:
        raise InvalidOptionError(f"the demand can be given for the years {lo} to {hi} (growth.csv covers every "
                                 f"block for them), not {year}")
    if year == base:
        return demand
    factors = {b: growth.factor(b, base, year) for b in set(blocks)}
    od = demand.od.copy()
    od["teu_per_year"] = od["teu_per_year"].astype(float) * blocks.map(factors).to_numpy()
    od["year"] = year
    return Demand(demand.zones, od, f"{demand.version}@{year}")
