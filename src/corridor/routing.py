"""Best routes and materially different alternatives on a compiled :class:`RoutingGraph`."""

from __future__ import annotations

import datetime as _dt
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra

from . import validate
from .errors import InvalidOptionError, NoRouteError
from .graph import KINDS, RoutingGraph, compile_graph
from .names import PlaceIndex
from .network import Network, load_network
from .network.costs import COST_COMPONENTS, CostBreakdown
from .network.geo import NORTHERN
from .network.geo import countries as _countries
from .network.levies import AREA_ALIASES
from .network.schema import MODES
from .routing_costs import EdgeCosts
from .search import path_edges
from .settings import Settings

_RUN, _BORDER, _CONNECTOR = KINDS.index("run"), KINDS.index("border"), KINDS.index("connector")
_SEA, _FERRY = MODES.index("sea"), MODES.index("ferry")
#: everyday names of the sea passages the sea lanes (searoute) name otherwise
PASSAGE_ALIASES = AREA_ALIASES
#: most materially different corridors one query may ask for (the CLI and the REST API share it)
MAX_ALTERNATIVES = 20


@dataclass(frozen=True)
class Leg:
    """One step of a route: a run along a link, or a stop (load, transfer, border, wait, unload)."""

    from_id: str
    to_id: str
    from_name: str
    to_name: str
    mode: str
    kind: str
    distance_km: float
    hours: float
    cost_usd_per_feu: float
    co2_kg_per_feu: float
    link_id: str | None = None
    cost_breakdown: CostBreakdown = field(default_factory=CostBreakdown)

    def to_dict(self) -> dict[str, Any]:
        return {**self._dict, "cost_breakdown": dict(self._dict["cost_breakdown"])}

    @cached_property
    def _dict(self) -> dict[str, Any]:  # worked out once, as a router's routes share their legs
        return {"from": self.from_id, "to": self.to_id, "from_name": self.from_name, "to_name": self.to_name,
                "mode": self.mode, "kind": self.kind, "link": self.link_id,
                "distance_km": round(self.distance_km, 1), "hours": round(self.hours, 2),
                "cost_usd_per_feu": round(self.cost_usd_per_feu, 2), "co2_kg_per_feu": round(self.co2_kg_per_feu, 1),
                "cost_breakdown": self.cost_breakdown.to_dict()}


@dataclass(frozen=True)
class Route:
    """A door-to-door route for one FEU, with its legs and totals."""

    origin: str
    destination: str
    corridor: str
    legs: tuple[Leg, ...]
    countries: tuple[str, ...]
    edges: np.ndarray = field(repr=False, compare=False)

    @property
    def total_hours(self) -> float:
        return float(sum(leg.hours for leg in self.legs))

    @property
    def total_days(self) -> float:
        return self.total_hours / 24

    @property
    def distance_km(self) -> float:
        return float(sum(leg.distance_km for leg in self.legs))

    @property
    def cost_usd_per_feu(self) -> float:
        """Money paid: freight + handling + border (no value of time, CO2 price, ETS or insurance)."""
        return float(sum(leg.cost_usd_per_feu for leg in self.legs))

    @property
    def cost_breakdown(self) -> CostBreakdown:
        """The generalized cost by component; its ``total_usd`` is what the route's edge weights sum to."""
        return CostBreakdown.summed(leg.cost_breakdown for leg in self.legs)

    @property
    def co2_kg_per_feu(self) -> float:
        return float(sum(leg.co2_kg_per_feu for leg in self.legs))

    def to_dict(self) -> dict[str, Any]:
        """The route as plain JSON-ready data (the CLI's ``--json`` and the REST API)."""
        return {"corridor": self.corridor, "total_hours": round(self.total_hours, 1),
                "total_days": round(self.total_days, 2), "distance_km": round(self.distance_km, 1),
                "cost_usd_per_feu": round(self.cost_usd_per_feu, 2), "co2_kg_per_feu": round(self.co2_kg_per_feu, 1),
                "cost_breakdown": self.cost_breakdown.to_dict(), "countries": list(self.countries),
                "legs": [leg.to_dict() for leg in self.legs]}

    def to_frame(self) -> pd.DataFrame:
        """The legs as a DataFrame, a column per cost component (``freight_usd`` … ``total_usd``)."""
        rows = [leg.to_dict() for leg in self.legs]
        return pd.DataFrame([{k: v for k, v in row.items() if k != "cost_breakdown"} | row["cost_breakdown"]
                             for row in rows])

    def to_geodataframe(self, router: Router) -> pd.DataFrame:
        """The legs as a GeoDataFrame (:func:`corridor.formats.geo.legs_gdf`; needs ``corridor[geo]``)."""
        from .formats.geo import legs_gdf

        return legs_gdf(router, self)

    def _repr_html_(self) -> str:
        from .formats.html import html_card

        legs = self.to_frame()[["kind", "mode", "from_name", "to_name", "distance_km", "hours", "cost_usd_per_feu"]]
        return html_card(f"{self.corridor}: {self.legs[0].from_name} → {self.legs[-1].to_name}",
                         {"days": self.total_days, "km": self.distance_km, "US$/FEU": self.cost_usd_per_feu,
                          "kg CO2e/FEU": self.co2_kg_per_feu, "countries": " → ".join(self.countries)},
                         {"legs": legs}, rows=40)


class Router:
    """Routes on one network: compiles it once, then answers queries in milliseconds.

    Parameters
    ----------
    network : Network, optional
        The network to route on; the bundled dataset by default.
    settings : Settings, optional
        How routes are valued (cargo class, CO2 price).

    Examples
    --------
    >>> router = Router()
    >>> best = router.route("Xi'an", "Duisburg", optimize="time")[0]
    >>> best.corridor.startswith(("Northern", "Middle", "Sea"))
    True
    """

    def __init__(self, network: Network | None = None, settings: Settings | None = None) -> None:
        self.network = network if network is not None else load_network()
        self.settings = settings or Settings()
        self.graph: RoutingGraph = compile_graph(self.network)
        self.names = PlaceIndex(self.network.places)
        cargo = self.network.cargo.set_index("class")
        self.settings = self.settings.replace(
            cargo_class=validate.choice(self.settings.cargo_class, cargo.index, "cargo class"))
        self.value_of_time = float(cargo.at[self.settings.cargo_class, "value_usd_per_feu_hour"])
        self.tonnes_per_feu = float(cargo.at[self.settings.cargo_class, "tonnes_per_feu"])
        self.costs = EdgeCosts(self.graph, self.settings, self.value_of_time, self.tonnes_per_feu)
        self._place_name = self.network.places["name"].to_numpy(dtype=object)
        self._link_id = self.network.links["id"].to_numpy(dtype=object)
        self._link_group = self.network.links["group"].fillna("").to_numpy(dtype=object)
        self._legs: dict[tuple[int, int], Leg] = {}  # by year of prices and edge, built at first use: routes share legs

    @property
    def passages(self) -> list[str]:
        """The sea passages the network's sea links use (``suez``, ``babalmandab``, ``cape``…)."""
        return sorted(self.graph.passage_edges)

    def country_codes(self, names: Iterable[str]) -> list[str]:
        """ISO codes of countries given by code or name, in any case (an unknown one is refused)."""
        return validate.choices(names, self.country_names, "country code", upper=True, aliases=self.country_aliases,
                                allowed="use the ISO 3166-1 alpha-2 code or the name of a country of the network "
                                        "such as RU, IR")

    @cached_property
    def country_names(self) -> dict[str, str]:
        """ISO code → name of every country the network has a place in (Türkiye by its own name)."""
        named = dict(zip(*_countries()[:2])) | {"TR": "Türkiye"}
        return {c: named.get(c, c) for c in sorted(set(self.graph.place_country))}

    @cached_property
    def country_aliases(self) -> dict[str, str]:
        """Name → ISO code of the network's countries (Natural Earth's names and the labels': Turkey, Türkiye)."""
        isos, names, _ = _countries()
        return ({name: iso for iso, name in zip(isos, names) if iso in self.country_names}
                | {name: code for code, name in self.country_names.items()})

    # -- weights and masks -------------------------------------------------------------------
    def co2_kg(self) -> np.ndarray:
        """CO2e per FEU of every edge, kg."""
        return self.costs.co2_kg

    def weights(self, optimize: str = "generalized", year: int | None = None) -> np.ndarray:
        """Edge weights for an objective: hours, US$, kg CO2e, or generalized US$ with the prices of ``year``
        (default: the settings' year, else this year; see :class:`~corridor.routing_costs.EdgeCosts`)."""
        return self.costs.weights(optimize, year).copy()

    @property
    def edge_costs(self) -> dict[str, np.ndarray]:
        """Per edge, each component of the generalized cost (``COST_COMPONENTS``), US$ per FEU, in the
        settings' year (else this year): they add up to ``weights("generalized")``; any other year:
        ``costs.parts(year)``."""
        return self.costs.parts()

    def usable(self, *, year: int | None = None, avoid_countries: Iterable[str] = (),
               avoid_modes: Iterable[str] = (), avoid_passages: Iterable[str] = ()) -> np.ndarray:
        """Boolean mask of the edges usable under these constraints."""
        g = self.graph
        year = _dt.date.today().year if year is None else validate.year(year)
        ok = g.open_year <= year
        avoid = set(self.country_codes(avoid_countries)) | self.costs.forbidden
        if avoid:
            bad = np.isin(g.place_country, list(avoid))
            ok &= ~bad[g.from_place] & ~bad[g.to_place]
        modes = set(validate.choices(avoid_modes, MODES, "mode"))
        if modes:
            ok &= ~np.isin(g.mode, [MODES.index(m) for m in modes])
        passages = set(validate.choices([*avoid_passages, *self.settings.avoid_passages], self.passages, "sea passage",
                                        aliases=PASSAGE_ALIASES))
        if passages:
            ok &= ~g.through(passages)
        return ok

    # -- queries -----------------------------------------------------------------------------
    def resolve(self, name: str) -> str:
        """The place id a name, id or alias stands for (see :class:`~corridor.names.PlaceIndex`)."""
        return self.names.resolve(name)

    def route(self, origin: str, destination: str, *, optimize: str = "generalized", alternatives: int = 1,
              avoid_countries: Iterable[str] = (), avoid_modes: Iterable[str] = (),
              avoid_passages: Iterable[str] = (), via: str | None = None, year: int | None = None) -> list[Route]:
        """The best route from ``origin`` to ``destination`` and up to ``alternatives - 1`` others.

        Alternatives differ by corridor, not by a detour: after each route is found, the edges that
        define its corridor (its sea passage, its exit from Russia, its Caspian gateway…) are closed
        and the search runs again; a route whose label repeats one already found is skipped.

        Parameters
        ----------
        origin, destination : str
            Place ids, names or aliases.
        optimize : {"time", "cost", "co2", "generalized"}
            What "best" means; generalized = US$ + value of time × hours (+ CO2 price).
        alternatives : int
            How many routes to return at most (≥ 1).
        avoid_countries, avoid_modes, avoid_passages : iterable of str
            ISO codes, modes (rail, road, ferry, sea) and sea passages (suez, babalmandab…) to avoid.
        via : str, optional
            A place the route must pass through.
        year : int, optional
            Links open in this year are used (default: this year), priced with its ETS allowances and
            war-risk premia (default: the settings' year, else this year).

        Raises
        ------
        UnknownPlaceError, NoRouteError, InvalidOptionError
        """
        if not 1 <= alternatives <= MAX_ALTERNATIVES:
            raise InvalidOptionError(f"alternatives must be between 1 and {MAX_ALTERNATIVES}, not {alternatives}")
        o, d = self.resolve(origin), self.resolve(destination)
        v = self.resolve(via) if via else None
        if o == d:
            raise InvalidOptionError(f"origin and destination are the same place ({o})")
        g = self.graph
        weights = self.costs.weights(optimize, year)
        ok = self.usable(year=year, avoid_countries=avoid_countries, avoid_modes=avoid_modes,
                         avoid_passages=avoid_passages)
        avoided = set(self.country_codes(avoid_countries)) | self.costs.forbidden
        for pid in filter(None, (o, d, v)):
            if g.place_country[g.place_index[pid]] in avoided:
                raise NoRouteError(f"{pid} lies in {g.place_country[g.place_index[pid]]}, which is to be avoided")
        routes: list[Route] = []
        labels: set[str] = set()
        closed = np.zeros(g.n_edges, dtype=bool)
        for _ in range(3 * alternatives + 2):
            edges = self._solve(np.where(ok & ~closed, weights, np.inf), o, d, v)
            if edges is None:
                break
            label, gateway = self.corridor_of(edges)
            closed[gateway] = True
            if label not in labels:
                labels.add(label)
                routes.append(self._route(o, d, label, edges, year))
                if len(routes) == alternatives:
                    break
        if not routes:
            what = [f"year {year}" if year else None, f"avoiding {', '.join(sorted(avoided))}" if avoided else None,
                    f"without {', '.join(avoid_modes)}" if avoid_modes else None, f"via {v}" if v else None]
            detail = "; ".join(filter(None, what))
            raise NoRouteError(f"no route from {o} to {d}" + (f" ({detail})" if detail else "")
                               + ": relax a constraint (a later --year opens planned links)")
        return routes

    def _solve(self, w: np.ndarray, o: str, d: str, via: str | None) -> np.ndarray | None:
        g = self.graph
        start = g.origin_node[g.place_index[o]]
        end = g.destination_node[g.place_index[d]]
        if start < 0 or end < 0:
            return None
        if via is None:
            edges = path_edges(g.indptr, g.indices, g.csr_order, g.src, w, int(start), int(end))
            return edges if len(edges) else None
        dist, pred = dijkstra(g.matrix(w), indices=start, return_predecessors=True)
        back, succ = dijkstra(g.matrix(w, transpose=True), indices=end, return_predecessors=True)
        candidates = np.nonzero((g.node_place == g.place_index[via]) & (g.node_layer >= 0))[0]
        total = dist[candidates] + back[candidates]
        if not len(candidates) or not np.isfinite(total.min()):
            return None
        mid = int(candidates[np.argmin(total)])
        first = self._edges(pred, start, mid)
        nodes = [mid]
        while nodes[-1] != end:
            nodes.append(int(succ[nodes[-1]]))
        second = [g.edge_between(u, v) for u, v in itertools.pairwise(nodes)]
        return np.concatenate([first, np.asarray(second, dtype=np.int64)])

    def _edges(self, pred: np.ndarray, start: int, end: int) -> np.ndarray:
        nodes = [end]
        while nodes[-1] != start:
            nodes.append(int(pred[nodes[-1]]))
        nodes.reverse()
        return np.asarray([self.graph.edge_between(u, v) for u, v in itertools.pairwise(nodes)], dtype=np.int64)

    def _leg(self, e: int, year: int) -> Leg:
        g, leg = self.graph, self._legs.get((year, e))
        if leg is None:
            a, b, mode, kind, link = g.from_place[e], g.to_place[e], g.mode[e], g.kind[e], g.link[e]
            leg = self._legs[year, e] = Leg(
                g.place_ids[a], g.place_ids[b], self._place_name[a], self._place_name[b],
                MODES[mode] if mode >= 0 else "transfer", KINDS[kind], float(g.distance_km[e]), float(g.hours[e]),
                float(self.costs.money(year)[e]), float(g.co2_kg_per_t[e] * self.tonnes_per_feu),
                self._link_id[link] if link >= 0 else None,
                CostBreakdown(*(float(self.costs.parts(year)[name][e]) for name in COST_COMPONENTS)))
        return leg

    def _route(self, o: str, d: str, label: str, edges: np.ndarray, year: int | None = None) -> Route:
        g, y = self.graph, self.costs.year(year)
        legs = tuple(self._leg(e, y) for e in edges[g.kind[edges] != _CONNECTOR].tolist())
        seq = [g.place_country[g.from_place[edges[0]]], *g.place_country[g.to_place[edges]]]
        countries = tuple(c for i, c in enumerate(seq) if i == 0 or c != seq[i - 1])
        return Route(o, d, label, legs, countries, edges)

    # -- corridor labels ---------------------------------------------------------------------
    def _passage_edges(self, passage: str) -> np.ndarray:
        """Every sea edge through a passage: closing them all closes that corridor."""
        return np.nonzero(self.graph.through({passage}))[0]

    def _sea_from(self, place: int) -> np.ndarray:
        """Every sea run leaving a port."""
        g = self.graph
        return np.nonzero((g.kind == _RUN) & (g.mode == _SEA) & (g.from_place == place))[0]

    def corridor_of(self, edges: np.ndarray) -> tuple[str, np.ndarray]:
        """A readable corridor label for a route and the edges that define that corridor.

        Sea via Suez / Cape (or via the port where it lands) when sea carries most of the distance;
        Northern via the place where the route leaves Russia or Belarus; Middle Corridor via its
        Black Sea port, its entry into Türkiye or the TRIPP link when it crosses the Caspian; Iran via
        its entry into Iran; else the countries passed.
        """
        g = self.graph
        runs = edges[g.kind[edges] == _RUN]
        km = g.distance_km[runs]
        sea = runs[g.mode[runs] == _SEA]
        ctry_from, ctry_to = g.place_country[g.from_place[edges]], g.place_country[g.to_place[edges]]
        visited = set(ctry_from) | set(ctry_to)
        name = self._place_name

        if len(sea) and g.distance_km[sea].sum() > 0.5 * km.sum():
            for passage, text in (("south_africa", "Cape"), ("suez", "Suez"), ("panama", "Panama")):
                if any(passage in g.passages[e] for e in sea):
                    return f"Sea via {text}", self._passage_edges(passage)
            main = sea[np.argmax(g.distance_km[sea])]
            if g.to_place[main] != g.to_place[edges[-1]]:  # named for where it lands, unless that is the end
                landing = g.to_place[main]
                return f"Sea via {name[landing]}", np.nonzero((g.to_place == landing) & (g.mode == _SEA))[0]
            return f"Sea via {name[g.from_place[main]]}", self._sea_from(g.from_place[main])
        groups = {self._link_group[g.link[e]] for e in runs} - {""}
        caspian = [e for e in runs if g.mode[e] == _FERRY and
                   g.place_country[g.from_place[e]] != g.place_country[g.to_place[e]]]
        if visited & NORTHERN:
            exits = [e for e, a, b in zip(edges, ctry_from, ctry_to)
                     if g.kind[e] == _BORDER and a in NORTHERN and b not in NORTHERN]
            if exits:
                return f"Northern via {name[g.from_place[exits[-1]]]}", np.asarray(exits)
            inside = [e for e, a in zip(edges, ctry_from) if a in NORTHERN]
            return "Northern via Russia", np.asarray(inside)
        family = "Middle Corridor" if caspian else None
        if "TRIPP" in groups:
            tripp = [e for e in runs if self._link_group[g.link[e]] == "TRIPP"]
            return ("Middle Corridor via TRIPP (Syunik)" if family else "TRIPP via Syunik"), np.asarray(tripp)
        if "IR" in visited:
            entry = [e for e, a, b in zip(edges, ctry_from, ctry_to)
                     if a != "IR" and b == "IR" and (g.kind[e] == _BORDER or g.mode[e] == _FERRY)]
            gateway = entry or [e for e, a in zip(edges, ctry_from) if a == "IR"]
            via = name[g.to_place[entry[0]]] if entry else "Iran"
            return f"{'Trans-Caspian–Iran' if family else 'Iran'} via {via}", np.asarray(gateway)
        if family:
            ge_sea = [e for e in sea if g.place_country[g.from_place[e]] == "GE"]
            if ge_sea:
                port = g.from_place[ge_sea[0]]
                return f"{family} via {name[port]}", self._sea_from(port)
            into_tr = [e for e, b in zip(edges, ctry_to) if g.kind[e] == _BORDER and b == "TR"]
            if into_tr:
                return f"{family} via {name[g.to_place[into_tr[0]]]}", np.asarray(into_tr)
            if len(sea):
                return f"{family} via {name[g.from_place[sea[0]]]}", self._sea_from(g.from_place[sea[0]])
            return f"{family} via {name[g.to_place[caspian[-1]]]}", np.asarray(caspian)
        order = [c for i, c in enumerate(ctry_to) if c not in ctry_to[:i]]
        middle = [c for c in order if c not in (ctry_from[0], ctry_to[-1])]
        if middle:
            return "Via " + " and ".join(self.country_names.get(c, c) for c in middle), runs
        main = MODES[int(np.bincount(g.mode[runs], weights=km).argmax())] if len(runs) else "rail"
        return f"Direct {main}", runs


_DEFAULT: Router | None = None


def default_router() -> Router:
    """A Router on the bundled network, built once per process."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Router()
    return _DEFAULT


def route(origin: str, destination: str, **options: Any) -> list[Route]:
    """Routes on the bundled network: a shortcut for ``default_router().route(...)``."""
    return default_router().route(origin, destination, **options)
