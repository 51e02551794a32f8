"""What each edge of a compiled graph costs one FEU, component by component, in a given year.

:class:`EdgeCosts` turns a :class:`~corridor.graph.RoutingGraph` and :class:`~corridor.settings.Settings`
into the arrays of docs/costs.md (``freight_usd`` … ``time_value_usd``), once per year asked for, so that a
route query only adds them up. The EU ETS and war-risk premia are the parts that change with the year:
``ets.csv`` and ``premia.csv`` (:mod:`corridor.network.levies`) priced on the ships' edges.
"""

from __future__ import annotations

import datetime as _dt

import numpy as np

from . import validate
from .errors import InvalidOptionError
from .graph import KINDS, RoutingGraph
from .network.costs import COST_COMPONENTS
from .network.geo import EU27
from .network.levies import SHARE_INTO_OR_OUT_OF_EU, SHARE_WITHIN_EU, allowance_cost, premia_in_force
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
            parts["freight_usd"] = g.cost_usd - parts["handling_usd"] - parts["border_usd"]  # runs; waits cost 0
            surrendered, usd_per_t = allowance_cost(g.network.ets, y)
            parts["ets_usd"] = self._shares * surrendered * usd_per_t * self.co2_kg / 1000
            parts["insurance_usd"] = self.insurance(y)
            parts["carbon_usd"] = self.settings.co2_price_usd_per_t * self.co2_kg / 1000
            parts["time_value_usd"] = self.value_of_time * g.hours
            self._parts[y] = parts
        return self._parts[y]

    def insurance(self, year: int) -> np.ndarray:
        """Per edge, the war-risk premia of the passages a ship's run goes through, US$ per FEU per transit:
        percent of hull value × hull value per FEU + percent of cargo value × cargo value per FEU."""
        out = np.zeros(self.graph.n_edges)
        for passage, (hull_pct, cargo_pct, hull_usd) in premia_in_force(self.graph.network.premia, year).items():
            per_feu = hull_pct / 100 * hull_usd + cargo_pct / 100 * self.cargo_value_usd
            out += np.where(self.graph.through({passage}), per_feu, 0.0)
        return out

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
        primary = {"time": self.graph.hours, "cost": self.graph.cost_usd, "co2": self.co2_kg}.get(optimize)
        if primary is None:
            raise InvalidOptionError(f"unknown objective {optimize!r}; choose one of {', '.join(OBJECTIVES)}")
        # a whisper of generalized cost breaks ties between equal-time or zero-CO2 alternatives
        return primary + 1e-7 * generalized

__all__ = ["CARRYING_COST_PER_YEAR", "EdgeCosts", "ets_shares"]
