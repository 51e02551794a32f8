"""What each edge of a compiled graph costs one FEU, component by component, in a given year.

:class:`EdgeCosts` turns a :class:`~corridor.graph.RoutingGraph` and :class:`~corridor.settings.Settings`
into the arrays of docs/costs.md (``freight_usd`` … ``time_value_usd``), once per year asked for, so that a
route query only adds them up. The parts that change with the year: freight at the year's tariffs
(``tariffs.csv``, :func:`corridor.network.costs.tariffs_in`), and the EU ETS and war-risk premia, ``ets.csv``
and ``premia.csv`` (:mod:`corridor.network.levies`) priced on the ships' edges.
"""

from __future__ import annotations

import datetime as _dt
from functools import cached_property

import numpy as np

from . import validate
from .errors import InvalidOptionError
from .graph import KINDS, RoutingGraph
from .network.costs import COST_COMPONENTS, MONEY_COMPONENTS, network_link_tariffs
from .network.geo import EU27
from .network.levies import SHARE_INTO_OR_OUT_OF_EU, SHARE_WITHIN_EU, allowance_cost, premia_in_force
from .network.policies import forbidden_countries, premia_of
from .network.schema import MODES
from .settings import OBJECTIVES, Settings

_RUN, _BORDER = KINDS.index("run"), KINDS.index("border")
_HANDLING = [KINDS.index(k) for k in ("load", "unload", "transfer")]
_SHIPS = [MODES.index(m) for m in ("sea", "ferry")]
#: the yearly carrying cost behind ``cargo.csv``'s value of time (``EST-CARGO-VALUE``): cargo value =
#: value of time × 8760 h / this rate
CARRYING_COST_PER_YEAR = 0.25


def ets_shares(graph: RoutingGraph) -> np.ndarray:
    """Per edge, the share of its emissions the EU ETS covers: a ship's run between two EU ports 1, into or
    out of one 0.5, else 0 (Directive (EU) 2023/959, before the year's phase-in)."""
    g = graph
    ship = (g.kind == _RUN) & np.isin(g.mode, _SHIPS)
    eu = np.isin(g.place_country, list(EU27))
    a, b = eu[g.from_place], eu[g.to_place]
    return np.where(ship & a & b, SHARE_WITHIN_EU, np.where(ship & (a | b), SHARE_INTO_OR_OUT_OF_EU, 0.0))


class EdgeCosts:
    """The generalized cost of every edge by component, per year (computed once a year, then reused).

    Parameters
    ----------
    graph : RoutingGraph
        The compiled network; its ``network`` carries ``ets`` and ``premia``.
    settings : Settings
        Cargo class (already resolved), CO2 shadow price and the default year of prices.
    value_of_time, tonnes_per_feu : float
        Of the cargo class (``cargo.csv``).
    """

    def __init__(self, graph: RoutingGraph, settings: Settings, value_of_time: float, tonnes_per_feu: float) -> None:
        self.graph, self.settings = graph, settings
        self.value_of_time, self.tonnes_per_feu = value_of_time, tonnes_per_feu
        self.co2_kg = graph.co2_kg_per_t * tonnes_per_feu
        self.cargo_value_usd = value_of_time * 8760 / CARRYING_COST_PER_YEAR
        self._shares = ets_shares(graph)
        self._parts: dict[int, dict[str, np.ndarray]] = {}
        self._generalized: dict[int, np.ndarray] = {}
        self._money: dict[int, np.ndarray] = {}

    def year(self, year: int | None = None) -> int:
        """The year prices are taken in: ``year``, else the settings', else this calendar year."""
        chosen = year if year is not None else self.settings.year
        return _dt.date.today().year if chosen is None else int(validate.year(chosen))  # type: ignore[arg-type]

    def parts(self, year: int | None = None) -> dict[str, np.ndarray]:
        """Per edge, each component of :data:`~corridor.network.costs.COST_COMPONENTS`, US$ per FEU."""
        y = self.year(year)
        if y not in self._parts:
            g = self.graph
            parts = {name: np.zeros(g.n_edges) for name in COST_COMPONENTS}
            parts["handling_usd"] = np.where(np.isin(g.kind, _HANDLING), g.cost_usd, 0.0)
            parts["border_usd"] = np.where(g.kind == _BORDER, g.cost_usd, 0.0)
            parts["freight_usd"] = self.freight(y)
            surrendered, usd_per_t = allowance_cost(g.network.ets, y)
            parts["ets_usd"] = self._shares * surrendered * usd_per_t * self.co2_kg / 1000
            parts["insurance_usd"] = self.insurance(y)
            parts["sanctions_usd"] = self.sanctions()
            parts["carbon_usd"] = self.settings.co2_price_usd_per_t * self.co2_kg / 1000
            parts["time_value_usd"] = self.value_of_time * g.hours
            self._parts[y] = parts
        return self._parts[y]

    def freight(self, year: int) -> np.ndarray:
        """Per edge, a run's length × its link's tariff in ``year``, US$ per FEU (other edges 0). At the
        latest year of ``tariffs.csv`` (and every later one) it is the compiled graph's ``cost_usd`` of the runs.

        Raises
        ------
        InvalidOptionError
            For a year before the tariffs' first: which years exist.
        """
        g = self.graph
        rate = network_link_tariffs(g.network, year)
        return np.where(g.kind == _RUN, g.distance_km * rate[np.maximum(g.link, 0)], 0.0)

    def money(self, year: int | None = None) -> np.ndarray:
        """Per edge, the money paid in ``year``: freight + handling + border, US$ per FEU (``cost_usd_per_feu``)."""
        y = self.year(year)
        if y not in self._money:
            self._money[y] = np.sum([self.parts(y)[name] for name in MONEY_COMPONENTS], axis=0)
        return self._money[y]

    def insurance(self, year: int) -> np.ndarray:
        """Per edge, the war-risk premia of the passages a ship's run goes through, US$ per FEU per transit:
        percent of hull value × hull value per FEU + percent of cargo value × cargo value per FEU."""
        out = np.zeros(self.graph.n_edges)
        for passage, (hull_pct, cargo_pct, hull_usd) in premia_in_force(self.graph.network.premia, year).items():
            per_feu = hull_pct / 100 * hull_usd + cargo_pct / 100 * self.cargo_value_usd
            out += np.where(self.graph.through({passage}), per_feu, 0.0)
        return out

    def sanctions(self) -> np.ndarray:
        """Per edge, the premia of the policies (``Network.policies``) for the cargo class, US$ per FEU: each
        rule's US$ + percent of cargo value + hours × value of time per transit of its countries, half on
        the way in and half on the way out (a route that starts or ends inside pays half)."""
        g = self.graph
        out = np.zeros(g.n_edges)
        country = g.place_country
        crossing = (g.kind == _BORDER) | ((g.kind == _RUN) & np.isin(g.mode, _SHIPS))
        for inside, usd, cargo_pct, hours in premia_of(g.network.policies, self.settings.cargo_class):
            per_feu = usd + cargo_pct / 100 * self.cargo_value_usd + hours * self.value_of_time
            member = np.isin(country, list(inside))
            out += np.where(crossing & (member[g.from_place] != member[g.to_place]), per_feu / 2, 0.0)
        return out

    @cached_property
    def forbidden(self) -> frozenset[str]:
        """The countries the policies forbid to the cargo class (routes avoid them)."""
        return frozenset(forbidden_countries(self.graph.network.policies, self.settings.cargo_class))

    def generalized(self, year: int | None = None) -> np.ndarray:
        """The sum of :meth:`parts`: the generalized cost of each edge (what routes are chosen by)."""
        y = self.year(year)
        if y not in self._generalized:
            self._generalized[y] = np.sum([self.parts(y)[name] for name in COST_COMPONENTS], axis=0)
        return self._generalized[y]

    def weights(self, optimize: str, year: int | None = None) -> np.ndarray:
        """Edge weights for an objective: hours, US$ paid (freight, handling, border), kg CO2e or generalized
        US$ (the cached array: do not write to it).

        Raises
        ------
        InvalidOptionError
            For an unknown objective.
        """
        generalized = self.generalized(year)
        if optimize == "generalized":
            return generalized
        if optimize == "cost":
            return self.money(year) + 1e-7 * generalized
        primary = {"time": self.graph.hours, "co2": self.co2_kg}.get(optimize)
        if primary is None:
            raise InvalidOptionError(f"unknown objective {optimize!r}; choose one of {', '.join(OBJECTIVES)}")
        # a whisper of generalized cost breaks ties between equal-time or zero-CO2 alternatives
        return primary + 1e-7 * generalized

__all__ = ["CARRYING_COST_PER_YEAR", "EdgeCosts", "ets_shares"]
