"""What moving a box costs: the one place tariffs are read (``tariffs.csv``).

A tariff is US$ per FEU-km for a mode in a country, with a ``*`` row per mode for countries that have
none of their own, and the year it is priced in (a row without a year holds in every year; a dated row from
its year until the next: :func:`tariffs_in`). A link charges the mean of its two ends' tariffs; routing
(:mod:`corridor.graph` at the latest year's rates, :class:`corridor.routing_costs.EdgeCosts` at the year
asked for), scenarios (``set``/``scale`` ``tariff_usd_per_feu_km``) and concession economics all read them here.
:class:`CostBreakdown` names the parts of the generalized cost a route is priced by (docs/costs.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from operator import attrgetter

import numpy as np
import pandas as pd

from ..errors import DataError, InvalidOptionError
from .load import Network
from .schema import split_list

#: a 40-ft box (FEU) holds two 20-ft equivalents (TEU)
TEU_PER_FEU = 2.0
ANY_COUNTRY = "*"


def tariff_years(tariffs: pd.DataFrame) -> list[int]:
    """The years ``tariffs.csv`` has dated rates for, in order (empty when no row has a year)."""
    if "year" not in tariffs.columns:
        return []
    return sorted({int(y) for y in pd.to_numeric(tariffs["year"], errors="coerce").dropna()})


def tariffs_in(tariffs: pd.DataFrame, year: int | None = None) -> pd.DataFrame:
    """The rows of ``tariffs.csv`` in force in ``year``, one per mode and country.

    A dated row holds from its year until the next row of its mode and country; a row without a year holds
    in every year (the dated rows, where in force, override it). ``year`` None: the latest year with a
    dated rate, the rates a compiled graph charges (docs/costs.md).

    Raises
    ------
    InvalidOptionError
        When a mode and country have rates only after ``year``: which years exist.

    Examples
    --------
    >>> t = pd.DataFrame({"mode": ["sea", "sea"], "country": ["*", "*"], "year": [2023, 2024],
    ...                   "cost_usd_per_feu_km": [0.07, 0.27]})
    >>> tariffs_in(t, 2030)["cost_usd_per_feu_km"].tolist()
    [0.27]
    """
    years = tariff_years(tariffs)
    if not years:
        return tariffs
    chosen = years[-1] if year is None else int(year)
    dated = pd.to_numeric(tariffs["year"], errors="coerce").fillna(-np.inf)
    in_force = tariffs[dated <= chosen].assign(_from=dated[dated <= chosen]).sort_values("_from", kind="stable")
    rows = in_force.groupby(["mode", "country"], sort=False).tail(1).drop(columns="_from")
    missing = tariffs[["mode", "country"]].drop_duplicates().merge(rows[["mode", "country"]], how="left",
                                                                  indicator=True).query("_merge == 'left_only'")
    if len(missing):
        what = ", ".join(f"{m} ({c})" for m, c in zip(missing["mode"], missing["country"]))
        raise InvalidOptionError(f"tariffs.csv has no rate for {what} in {chosen}; rates exist for "
                                 f"{', '.join(map(str, years))} (a later year keeps the last year's rate)")
    return rows.sort_index()


def tariff_row(tariffs: pd.DataFrame, mode: str, country: str, year: int | None = None) -> pd.Series:
    """The ``tariffs.csv`` row that prices ``mode`` in ``country`` in ``year`` (:func:`tariffs_in`): the
    country's own, else the ``*`` row.

    Raises
    ------
    DataError
        When neither exists (the data check requires a ``*`` row per mode in use).
    """
    tariffs = tariffs_in(tariffs, year)
    for c in (country, ANY_COUNTRY):
        rows = tariffs[(tariffs["mode"] == mode) & (tariffs["country"] == c)]
        if len(rows):
            return rows.iloc[0]
    raise DataError(f"tariffs.csv: no tariff for mode {mode!r} in {country} and no default ('*') row")


def tariff_usd_per_feu_km(tariffs: pd.DataFrame, mode: str, country: str, year: int | None = None) -> float:
    """US$ per FEU-km for ``mode`` in ``country`` in ``year`` (see :func:`tariff_row`)."""
    return float(tariff_row(tariffs, mode, country, year)["cost_usd_per_feu_km"])


def link_tariffs(tariffs: pd.DataFrame, modes: np.ndarray, from_country: np.ndarray,
                 to_country: np.ndarray, year: int | None = None) -> np.ndarray:
    """US$ per FEU-km of each link in ``year`` (:func:`tariffs_in`): the mean of the tariffs at its two ends.

    Examples
    --------
    >>> t = pd.DataFrame({"mode": ["rail", "rail"], "country": ["*", "KZ"], "cost_usd_per_feu_km": [1.0, 0.5]})
    >>> link_tariffs(t, np.array(["rail"]), np.array(["KZ"]), np.array(["CN"])).tolist()
    [0.75]
    """
    lookup = {(r.mode, r.country): float(r.cost_usd_per_feu_km) for r in tariffs_in(tariffs, year).itertuples()}

    def at(mode: str, country: str) -> float:
        return lookup.get((mode, country), lookup.get((mode, ANY_COUNTRY), 0.0))

    return np.array([(at(m, a) + at(m, b)) / 2 for m, a, b in zip(modes, from_country, to_country)], dtype=float)


def network_link_tariffs(network: Network, year: int | None = None) -> np.ndarray:
    """US$ per FEU-km of every link of ``network.links`` (in its order) in ``year`` (:func:`link_tariffs`)."""
    links, country = network.links, network.places["country"]
    return link_tariffs(network.tariffs, links["mode"].to_numpy(dtype=object),
                        country.loc[links["from"]].to_numpy(dtype=object),
                        country.loc[links["to"]].to_numpy(dtype=object), year)


def links_tariff(network: Network, link_ids: list[str], year: int | None = None) -> tuple[float, list[str]]:
    """Length-weighted US$ per FEU-km over ``link_ids`` in ``year`` (what routing charges on them; None:
    the latest year's rates) and the ``sources.csv`` ids of the tariffs behind it."""
    links = network.links.loc[link_ids]
    country = network.places["country"]
    ends = [(m, country[a], country[b]) for m, a, b in zip(links["mode"], links["from"], links["to"])]
    modes, a, b = (np.array(x, dtype=object) for x in zip(*ends))
    per_link = link_tariffs(network.tariffs, modes, a, b, year)
    length = links["length_km"].to_numpy(dtype=float)
    rows = tariffs_in(network.tariffs, year)
    sources = {s for m, x, y in ends for c in (x, y) for s in split_list(tariff_row(rows, m, c)["source"])}
    return float((per_link * length).sum() / length.sum()), sorted(sources)


# -- the generalized cost, itemised ------------------------------------------------------------
#: the named parts of the generalized cost of moving one FEU, in the order they are summed and printed
COST_COMPONENTS = ("freight_usd", "handling_usd", "border_usd", "ets_usd", "insurance_usd", "sanctions_usd",
                   "carbon_usd", "time_value_usd")
#: each component's name in tables, legends and the web map's cards (docs/costs.md)
COST_LABELS = {"freight_usd": "Freight", "handling_usd": "Handling", "border_usd": "Border", "ets_usd": "EU ETS",
               "insurance_usd": "Insurance", "sanctions_usd": "Sanctions policy", "carbon_usd": "Carbon (shadow price)",
               "time_value_usd": "Value of time"}
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
    sanctions_usd : float
        Premia of sanctions and exposure policies per transit of a country or group (insurance, financing,
        delay priced at the value of time; the ``policy`` scenario operation). 0 without a policy.
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
    sanctions_usd: float = 0.0
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
