"""What moving a box costs: the one place tariffs are read (``tariffs.csv``).

A tariff is US$ per FEU-km for a mode in a country, with a ``*`` row per mode for countries that have
none of their own. A link charges the mean of its two ends' tariffs; routing (:mod:`corridor.graph`),
scenarios (``set``/``scale`` ``tariff_usd_per_feu_km``) and concession economics all read them here.
:class:`CostBreakdown` names the parts of the generalized cost a route is priced by (docs/costs.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter

import numpy as np
import pandas as pd

from ..errors import DataError
from .load import Network
from .schema import split_list

#: a 40-ft box (FEU) holds two 20-ft equivalents (TEU)
TEU_PER_FEU = 2.0
ANY_COUNTRY = "*"


def tariff_row(tariffs: pd.DataFrame, mode: str, country: str) -> pd.Series:
    """The ``tariffs.csv`` row that prices ``mode`` in ``country``: the country's own, else the ``*`` row.

    Raises
    ------
    DataError
        When neither exists (the data check requires a ``*`` row per mode in use).
    """
    for c in (country, ANY_COUNTRY):
        rows = tariffs[(tariffs["mode"] == mode) & (tariffs["country"] == c)]
        if len(rows):
            return rows.iloc[0]
    raise DataError(f"tariffs.csv: no tariff for mode {mode!r} in {country} and no default ('*') row")


def tariff_usd_per_feu_km(tariffs: pd.DataFrame, mode: str, country: str) -> float:
    """US$ per FEU-km for ``mode`` in ``country`` (see :func:`tariff_row`)."""
    return float(tariff_row(tariffs, mode, country)["cost_usd_per_feu_km"])


def link_tariffs(tariffs: pd.DataFrame, modes: np.ndarray, from_country: np.ndarray,
                 to_country: np.ndarray) -> np.ndarray:
    """US$ per FEU-km of each link: the mean of the tariffs at its two ends.

    Examples
    --------
    >>> t = pd.DataFrame({"mode": ["rail", "rail"], "country": ["*", "KZ"], "cost_usd_per_feu_km": [1.0, 0.5]})
    >>> link_tariffs(t, np.array(["rail"]), np.array(["KZ"]), np.array(["CN"])).tolist()
    [0.75]
    """
    lookup = {(r.mode, r.country): float(r.cost_usd_per_feu_km) for r in tariffs.itertuples()}

    def at(mode: str, country: str) -> float:
        return lookup.get((mode, country), lookup.get((mode, ANY_COUNTRY), 0.0))

    return np.array([(at(m, a) + at(m, b)) / 2 for m, a, b in zip(modes, from_country, to_country)], dtype=float)


def links_tariff(network: Network, link_ids: list[str]) -> tuple[float, list[str]]:
    """Length-weighted US$ per FEU-km over ``link_ids`` (what routing charges on them) and the
    ``sources.csv`` ids of the tariffs behind it."""
    links = network.links.loc[link_ids]
    country = network.places["country"]
    ends = [(m, country[a], country[b]) for m, a, b in zip(links["mode"], links["from"], links["to"])]
    modes, a, b = (np.array(x, dtype=object) for x in zip(*ends))
    per_link = link_tariffs(network.tariffs, modes, a, b)
    length = links["length_km"].to_numpy(dtype=float)
    sources = {s for m, x, y in ends for c in (x, y) for s in split_list(tariff_row(network.tariffs, m, c)["source"])}
    return float((per_link * length).sum() / length.sum()), sorted(sources)


# -- the generalized cost, itemised ------------------------------------------------------------
#: the named parts of the generalized cost of moving one FEU, in the order they are summed and printed
COST_COMPONENTS = ("freight_usd", "handling_usd", "border_usd", "ets_usd", "insurance_usd", "carbon_usd",
                   "time_value_usd")
#: the parts that are money paid today (what ``cost_usd_per_feu`` counts)
MONEY_COMPONENTS = ("freight_usd", "handling_usd", "border_usd")
_components = attrgetter(*COST_COMPONENTS)


@dataclass(frozen=True)
class CostBreakdown:
    """The generalized cost of moving one FEU, US$, by component; ``total_usd`` is their sum.

    Attributes
    ----------
    freight_usd : float
        Runs along links: tariff (``tariffs.csv``) × km.
    handling_usd : float
        Loading at the origin, unloading at the destination, transfers between layers (``modes.csv``,
        ``terminals.csv``).
    border_usd : float
        Border crossings (``crossings.csv``).
    ets_usd : float
        EU ETS allowances for the share of emissions the ETS covers. 0 until that data exist.
    insurance_usd : float
        War-risk and other insurance premia by passage or area. 0 until that data exist.
    carbon_usd : float
        Shadow price of CO2e (``Settings.co2_price_usd_per_t``) on all of the emissions.
    time_value_usd : float
        Value of time of the cargo class (``cargo.csv``) × hours.
    """

    freight_usd: float = 0.0
    handling_usd: float = 0.0
    border_usd: float = 0.0
    ets_usd: float = 0.0
    insurance_usd: float = 0.0
    carbon_usd: float = 0.0
    time_value_usd: float = 0.0

    @property
    def money_usd(self) -> float:
        """Money paid today: freight + handling + border (a route's ``cost_usd_per_feu``)."""
        return sum(getattr(self, name) for name in MONEY_COMPONENTS)

    @property
    def total_usd(self) -> float:
        """The generalized cost: the sum of every component."""
        return sum(getattr(self, name) for name in COST_COMPONENTS)

    def __add__(self, other: CostBreakdown) -> CostBreakdown:
        return CostBreakdown(*(getattr(self, n) + getattr(other, n) for n in COST_COMPONENTS))

    @classmethod
    def summed(cls, parts: Iterable[CostBreakdown]) -> CostBreakdown:
        """The sum of many breakdowns (zero for none), component by component in order."""
        return cls(*map(sum, zip(*map(_components, parts))))

    def to_dict(self) -> dict[str, float]:
        """The components and ``total_usd`` in US$, to the cent, rounded so that the printed components
        add up to the printed total (the largest rounding remainders take the odd cents)."""
        exact = _components(self)
        cents = [round(v * 100) for v in exact]
        total = round(sum(exact) * 100)
        short = total - sum(cents)
        if short:
            # the components whose rounding moved them furthest the other way take the odd cents
            order = sorted(range(len(exact)), key=lambda i: (cents[i] - 100 * exact[i]) * (1 if short > 0 else -1))
            for i in order[:abs(short)]:
                cents[i] += 1 if short > 0 else -1
        return {**dict(zip(COST_COMPONENTS, [c / 100 for c in cents])), "total_usd": total / 100}
