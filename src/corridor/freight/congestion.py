"""Capacity-aware corridor assignment: equilibrium flows of the demand matrix, bottlenecks and
corridor volumes set beside the published ones.

The demand (``zones.csv``/``demand.csv``, TEU per year) is assigned on the compiled virtual graph
(:class:`~corridor.graph.RoutingGraph`) by the assignment engine (:mod:`corridor.assignment`):

* **Cost unit: hours-equivalent per container.** Each edge costs its time in hours plus its money
  and CO2 cost divided by the cargo class's value of time (US$ per FEU-hour, ``cargo.csv``): the
  routing's generalized cost divided by the value of time. The class is ``high_value`` by default
  (:data:`corridor.demand.CARGO_CLASS`): the matrix holds the boxes that went by land in 2024, and with the general
  class's value of time every China–Europe box would take the (cheaper, slower) sea. Congestion adds hours only: the money part
  is a fixed toll of the engine, so a jammed link costs more time, never more tariff.
* **Capacities, TEU per year and per direction.** A link's ``capacity_teu_per_year`` (``links.csv``)
  applies where its freight queues: at its border crossing if it has one, else at the wait for a
  sailing (ferries), else on the run. ``capacities.csv`` adds terminals (port handling, gauge change)
  and crossings. Every other element is uncapacitated.
* **Delay functions.** Runs: BPR, ``t = t0 (1 + 0.15 (v/c)^4)`` (Bureau of Public Roads, 1964).
  Terminals, borders and ferry waits: the engine's conical function (Spiess 1990) with
  ``α = QUEUE_ALPHA``: near the free-flow dwell below capacity, twice the dwell at capacity, then a
  linear rise — a queue, not a wall.
* **Route choice.** Deterministic user equilibrium (Wardrop) by bi-conjugate Frank–Wolfe (``bfw``,
  default) or another engine algorithm; or logit stochastic user equilibrium (``sue``): shippers
  differ, so each route gets a share ∝ exp(−θ · cost), θ per hour-equivalent (default
  :data:`DEFAULT_THETA` = 0.02: routes 50 h-equivalent apart — about two days, or US$714 per FEU
  at the high-value class's US$14.27 per FEU-hour — differ in odds by a factor e).

Results are a table per directed edge (volume, capacity, v/c, delay), the bottlenecks, and corridor
volumes (Caspian crossings, Russia/Belarus exits to the EU, into Iran, deep sea from China) beside
the published 2024 volumes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra

from ..errors import DataError, InvalidOptionError, NoRouteError
from ..graph import KINDS, RoutingGraph
from ..network.schema import LAYERS, MODES
from ..network import Network
from ..network.capacities import read_capacities
from ..network.geo import EU27, NORTHERN
from .inputs import FreightInputs, freight_inputs

#: logit dispersion per hour-equivalent (see the module docstring)
DEFAULT_THETA = 0.02
#: conical α of queues (terminals, borders, ferry waits)
QUEUE_ALPHA = 10.0
BPR_B, BPR_POWER = 0.15, 4.0
BASE_YEAR = 2024
SUE_SEED_ROUNDS = 6
DETERMINISTIC = ("bfw", "cfw", "fw", "gp")
ALGORITHMS = (*DETERMINISTIC, "sue")

_K = {k: i for i, k in enumerate(KINDS)}
_FERRY, _SEA = MODES.index("ferry"), MODES.index("sea")
#: published 2024 corridor volumes the model is set beside (TEU per year, both directions)
PUBLISHED = {
    "caspian": (56_500, "KZMT-2026", ("TITR containers via Kazakh and Azerbaijani seaports, 2024 "
                                      "(4.484 Mt all cargo, mostly bulk and oil)")),
    "northern": (412_000, "UTLC-2024", "UTLC ERA China–Europe–China transit via KZ/RU/BY, 2024"),
}


# -- the problem ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class CorridorProblem:
    """The assignment problem: engine links for the usable edges of a graph, zones and demand.

    ``edge`` maps each engine link to its graph edge (``-1`` for a zone connector).
    """

    graph: RoutingGraph
    year: int
    zones: tuple[str, ...]
    zone_place: tuple[str, ...]
    matrix: np.ndarray              # zones × zones, TEU per year
    edge: np.ndarray
    from_node: np.ndarray
    to_node: np.ndarray
    free_h: np.ndarray
    toll_h: np.ndarray
    capacity: np.ndarray            # TEU per year; nan = uncapacitated
    queue: np.ndarray               # True: conical (terminal, border, ferry wait); False: BPR
    element: np.ndarray             # readable id per engine link
    value_of_time: float

    @property
    def num_zones(self) -> int:
        return len(self.zones)

    @property
    def num_nodes(self) -> int:
        return self.graph.n_nodes + self.num_zones

    def engine_network(self) -> Any:
        """The :class:`corridor.assignment.graph.Network` of this problem."""
        from ..assignment.graph import Network as EngineNetwork
        from ..assignment.vdf import VDF

        capped = np.isfinite(self.capacity) & (self.free_h > 0)
        vdf = np.where(capped & self.queue, VDF.CONICAL, VDF.BPR).astype(np.int8)
        b = np.where(capped & ~self.queue, BPR_B, 0.0)
        power = np.where(capped & self.queue, QUEUE_ALPHA, np.where(capped, BPR_POWER, 0.0))
        return EngineNetwork(
            num_nodes=self.num_nodes, num_zones=self.num_zones, from_node=self.from_node, to_node=self.to_node,
            capacity=np.where(capped, self.capacity, 1.0), free_flow_time=self.free_h, b=b, power=power,
            toll=self.toll_h, toll_factor=1.0, first_thru_node=self.num_zones, vdf=vdf)


def _element_ids(g: RoutingGraph) -> np.ndarray:
    net = g.network
    link_id = net.links["id"].to_numpy(dtype=object)
    crossing_of = dict(zip(net.crossings["link"], net.crossings["id"]))
    out = np.empty(g.n_edges, dtype=object)
    pid = g.place_ids
    for e in range(g.n_edges):
        k, a = KINDS[g.kind[e]], pid[g.from_place[e]]
        lid = link_id[g.link[e]] if g.link[e] >= 0 else ""
        if k == "run":
            out[e] = lid
        elif k == "border":
            out[e] = crossing_of.get(lid, f"border:{lid}")
        elif k == "wait":
            out[e] = f"wait:{lid}"
        elif k == "connector":
            out[e] = f"connector:{lid}"
        elif k == "transfer":
            out[e] = f"{a}:{LAYERS[g.node_layer[g.src[e]]]}:{LAYERS[g.node_layer[g.dst[e]]]}"
        else:  # load, unload
            layer = g.node_layer[g.dst[e]] if k == "load" else g.node_layer[g.src[e]]
            out[e] = f"{k}:{a}:{LAYERS[layer]}"
    return out


def edge_capacities(g: RoutingGraph, capacities: pd.DataFrame | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Capacity (TEU per year per direction, nan = none) and queue flag of every edge of ``g``.

    A link's capacity goes to its border edge if it has one, else to its wait edge, else to its run;
    ``capacities`` (``capacities.csv``) adds crossings (the smaller capacity wins) and terminals.
    """
    net = g.network
    cap = np.full(g.n_edges, np.nan)
    queue = np.isin(g.kind, [_K["border"], _K["wait"], _K["transfer"]])
    link_cap = net.links["capacity_teu_per_year"].to_numpy(dtype=float)
    link_from = np.array([g.place_index[p] for p in net.links["from"]])
    rank = {_K["border"]: 0, _K["wait"]: 1, _K["run"]: 2}
    best: dict[tuple[int, bool], tuple[int, int]] = {}   # (link, forward) -> (rank, edge)
    for e in np.flatnonzero((g.link >= 0) & np.isin(g.kind, list(rank))):
        k = int(g.link[e])
        if not np.isfinite(link_cap[k]):
            continue
        key = (k, bool(g.from_place[e] == link_from[k]))
        r = rank[int(g.kind[e])]
        if key not in best or r < best[key][0]:
            best[key] = (r, int(e))
    for (k, _), (_, e) in best.items():
        cap[e] = link_cap[k]
    if capacities is not None and len(capacities):
        element = _element_ids(g)
        by_element = dict(zip(capacities["element"], capacities["capacity_teu_per_year"].astype(float)))
        for e in range(g.n_edges):
            k = KINDS[g.kind[e]]
            if k == "border" and element[e] in by_element:
                cap[e] = np.nanmin([cap[e], by_element[element[e]]])
            elif k == "transfer":
                a, f, t = str(element[e]).split(":")
                c = by_element.get(f"{a}:{f}:{t}", by_element.get(f"{a}:{t}:{f}"))
                if c is not None:
                    cap[e] = c
    return cap, queue


def build_problem(inputs: FreightInputs, *, year: int = BASE_YEAR, capacities: pd.DataFrame | None = None,
                  avoid_countries: Iterable[str] = (), avoid_modes: Iterable[str] = ()) -> CorridorProblem:
    """Build the assignment problem for ``year``.

    Parameters
    ----------
    inputs : FreightInputs
        The scenario's network, its demand (zones and TEU per year) and settings (the cargo class's
        value of time converts US$ to hours) from :func:`~corridor.freight.inputs.freight_inputs`.
    year : int
        Links open in this year are used; the demand is the base-year (2024) matrix as given.
    capacities : DataFrame, optional
        ``capacities.csv`` rows; read from the dataset folder otherwise (absent file: none).

    Raises
    ------
    DataError
        Unknown place of a zone; a bad demand or capacities file (file, line, field).
    NoRouteError
        A zone pair with demand and no usable route in ``year``.
    """
    net, router = inputs.network, inputs.router
    g = router.graph
    if inputs.demand is None:
        raise DataError("the assignment needs demand: zones.csv and demand.csv are not in the dataset folder")
    od = inputs.demand.od
    if capacities is None:
        capacities, problems = read_capacities(inputs.data, crossings=net.crossings["id"], terminals=net.terminals,
                                                sources=net.sources["id"])
        if problems:
            raise DataError([str(p) for p in problems])
    od = od[od["teu_per_year"] > 0]
    zones = tuple(pd.unique(pd.concat([od["origin"], od["destination"]], ignore_index=True)))
    place_of: dict[str, str] = {}
    for z, p in list(zip(od["origin"], od["origin_place"])) + list(zip(od["destination"], od["destination_place"])):
        place_of[z] = p
    unknown = sorted({p for p in place_of.values() if p not in g.place_index})
    if unknown:
        raise DataError(f"zones.csv: zone place(s) {', '.join(unknown)} not in places.csv")
    zi = {z: i for i, z in enumerate(zones)}
    Z = len(zones)
    matrix = np.zeros((Z, Z))
    np.add.at(matrix, (od["origin"].map(zi).to_numpy(), od["destination"].map(zi).to_numpy()),
              od["teu_per_year"].to_numpy(dtype=float))
    np.fill_diagonal(matrix, 0.0)

    ok = router.usable(year=year, avoid_countries=avoid_countries, avoid_modes=avoid_modes)
    vot = router.value_of_time
    generalized = router.weights("generalized")
    toll_h = (generalized - vot * g.hours) / vot   # money and CO2, in hours-equivalent
    cap, queue = edge_capacities(g, capacities)
    element = _element_ids(g)
    keep = np.flatnonzero(ok)
    origin = np.array([g.origin_node[g.place_index[place_of[z]]] for z in zones])
    dest = np.array([g.destination_node[g.place_index[place_of[z]]] for z in zones])
    if (origin < 0).any():
        bad = [zones[i] for i in np.flatnonzero(origin < 0)]
        raise DataError(f"zones.csv: the place of zone(s) {', '.join(bad)} is served by no link")
    zn = np.arange(Z)
    from_node = np.concatenate([g.src[keep] + Z, zn, dest + Z])
    to_node = np.concatenate([g.dst[keep] + Z, origin + Z, zn])
    nz = np.zeros(2 * Z)
    problem = CorridorProblem(
        graph=g, year=int(year), zones=zones, zone_place=tuple(place_of[z] for z in zones), matrix=matrix,
        edge=np.concatenate([keep, np.full(2 * Z, -1)]), from_node=from_node.astype(np.int64),
        to_node=to_node.astype(np.int64), free_h=np.concatenate([g.hours[keep], nz]),
        toll_h=np.concatenate([np.maximum(toll_h[keep], 0.0), nz]),
        capacity=np.concatenate([cap[keep], np.full(2 * Z, np.nan)]),
        queue=np.concatenate([queue[keep], np.zeros(2 * Z, dtype=bool)]),
        element=np.concatenate([element[keep], [f"zone:{z}" for z in zones], [f"zone:{z}" for z in zones]]),
        value_of_time=vot)
    _check_reachable(problem)
    return problem


def _check_reachable(p: CorridorProblem) -> None:
    from scipy.sparse import csr_matrix

    w = p.free_h + p.toll_h + 1e-9
    # zone nodes may not be passed through: route into a zone's copy instead
    to = np.where(p.to_node < p.num_zones, p.to_node + p.num_nodes, p.to_node)
    m = csr_matrix((w, (p.from_node, to)), shape=(p.num_nodes + p.num_zones,) * 2)
    rows = np.flatnonzero(p.matrix.sum(axis=1) > 0)
    dist = dijkstra(m, indices=rows)
    for r, o in enumerate(rows):
        for d in np.flatnonzero(p.matrix[o] > 0):
            if not np.isfinite(dist[r, p.num_nodes + d]):
                raise NoRouteError(f"no usable route in {p.year} from zone {p.zones[o]} ({p.zone_place[o]}) to "
                                   f"zone {p.zones[d]} ({p.zone_place[d]}) for {p.matrix[o, d]:,.0f} TEU per year: "
                                   "check the zones' places and the links open in that year")


# -- solving -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Solution:
    flow: np.ndarray
    iterations: int
    gap: float
    converged: bool
    algorithm: str
    engine: str


Progress = Callable[[int, float], None]


def solve(problem: CorridorProblem, *, algorithm: str = "bfw", gap: float = 1e-4, max_iter: int = 500,
          theta: float = DEFAULT_THETA, progress: Progress | None = None,
          show_progress: bool | None = False) -> Solution:
    """Equilibrium link flows of ``problem`` (TEU per year per engine link).

    ``algorithm`` is a user-equilibrium algorithm of :func:`corridor.assignment.assign` (``bfw``
    default, ``cfw``, ``fw``, ``gp``) or ``sue`` for the logit stochastic user equilibrium with
    dispersion ``theta`` (per hour-equivalent) over a seeded path set (:func:`_logit_msa`). ``gap`` is the relative gap for user equilibrium and
    the relative change of flows between iterations for SUE. ``show_progress`` draws the engine's rich
    progress bar (``None``: only on a terminal); ``progress(iteration, gap)`` is called each iteration.
    """
    algorithm = algorithm.lower()
    if algorithm not in ALGORITHMS:
        raise InvalidOptionError(f"unknown algorithm {algorithm!r}; choose one of {', '.join(ALGORITHMS)}")
    if not gap > 0:
        raise InvalidOptionError(f"gap must be > 0, not {gap}")
    if algorithm == "sue" and not theta > 0:
        raise InvalidOptionError(f"theta must be > 0 (per hour-equivalent), not {theta}")
    if max_iter < 1:
        raise InvalidOptionError(f"max_iter must be ≥ 1, not {max_iter}")
    from ..assignment.paths import Demand as EngineDemand

    net = problem.engine_network()
    dem = EngineDemand.from_matrix(problem.matrix, problem.num_zones)
    if algorithm == "sue":
        return _logit_msa(net, dem, gap=gap, max_iter=max_iter, theta=theta, progress=progress)
    from ..assignment import assign

    callback = (lambda k, g, _x: progress(k, g)) if progress else None
    res = assign(net, dem, algorithm=algorithm, gap=gap, max_iter=max_iter, progress=show_progress,
                 callback=callback, theta=theta)
    return Solution(np.asarray(res.flows, dtype=float), int(res.iterations), float(res.gap), bool(res.converged),
                    algorithm, f"corridor.assignment ({res.algorithm})")


def _logit_msa(net: Any, dem: Any, *, gap: float, max_iter: int, theta: float,
               progress: Progress | None) -> Solution:
    """Logit SUE by the method of successive averages over a path set grown by column generation.

    It runs on the engine's primitives (shortest paths, path extraction, link costs) but not on
    :func:`corridor.assignment.sue.logit_sue`, whose choice set holds only the paths that are shortest
    at some iteration: for corridor choice that leaves out every corridor that is never the cheapest
    (the sea for most pairs), so the "SUE" barely differs from the deterministic equilibrium. Here the
    path set of each pair starts with :data:`SUE_SEED_ROUNDS` routes found by penalising the links
    already used (so that every corridor a shipper might take has a share); then each iteration adds every OD pair's shortest path at current costs to its path set, splits the
    pair's demand over its paths by logit (∝ exp(−θ · cost)), and averages the link flows with step
    1/k (Sheffi 1985, ch. 12). The path-set logit carries its known limit: overlapping paths are
    treated as independent (IIA).
    """
    from ..assignment.paths import extract_paths, shortest_paths

    spg = net.sp
    n_od = dem.od_flow.size
    paths: list[list[np.ndarray]] = [[] for _ in range(n_od)]
    seen: list[set[bytes]] = [set() for _ in range(n_od)]
    x = np.zeros(net.num_links)
    change, k = math.inf, 0
    dest = spg.dest_node[dem.od_zone]

    def add_shortest(c: np.ndarray) -> np.ndarray:
        _, pred = shortest_paths(spg, c, dem.origins)
        p_idx, p_link = extract_paths(spg, pred, dem.od_row, dest)
        order = np.argsort(p_idx, kind="stable")
        bounds = np.searchsorted(p_idx[order], np.arange(n_od + 1))
        for i in range(n_od):
            links = np.sort(p_link[order[bounds[i]:bounds[i + 1]]])
            key = links.tobytes()
            if key not in seen[i]:
                seen[i].add(key)
                paths[i].append(links)
        return p_link

    # seed every pair with materially different routes: penalise the links used so far and re-solve
    base = net.cost(x)
    used = np.zeros(net.num_links)
    for _ in range(SUE_SEED_ROUNDS):
        used[np.unique(add_shortest(base * (1.0 + used)))] += 1.0
    for k in range(1, max_iter + 1):
        c = net.cost(x)
        add_shortest(c)
        y = np.zeros(net.num_links)
        for i in range(n_od):
            cost = np.array([c[p].sum() for p in paths[i]])
            share = np.exp(-theta * (cost - cost.min()))
            share /= share.sum()
            for p, s in zip(paths[i], share):
                y[p] += s * dem.od_flow[i]
        if k == 1:
            x = y
            change = math.inf
        else:
            change = float(np.abs(y - x).sum() / max(np.abs(x).sum(), 1e-12))
            x = x + (y - x) / k
        if progress:
            progress(k, change)
        if change < gap:
            break
    return Solution(x, k, change, change < gap, "sue", "corridor.equilibrium (logit MSA)")


# -- results -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CorridorFlows:
    """Equilibrium flows of the corridor demand.

    ``edges`` has one row per directed edge of the graph that carries freight or has a capacity:
    ``element`` (link, crossing, ``PLACE:layer:layer`` terminal, ``wait:LINK``…), ``kind``, ``from``,
    ``to`` (place ids), ``from_country``, ``to_country``, ``mode``, ``link``, ``volume_teu``
    (TEU per year), ``capacity_teu`` (nan: uncapacitated), ``vc``, ``free_h``, ``delay_h`` (extra
    hours per container at this volume), ``teu_delay_h`` (volume × delay).
    """

    edges: pd.DataFrame
    year: int
    algorithm: str
    theta: float | None
    gap: float
    iterations: int
    converged: bool
    engine: str
    demand_teu: float
    zones: tuple[str, ...]
    value_of_time: float
    meta: dict[str, Any] = field(default_factory=dict)

    def bottlenecks(self, n: int = 10, *, by: str = "vc") -> pd.DataFrame:
        """The ``n`` capacitated edges with the highest v/c (``by="vc"``) or the most delay
        (``by="delay"``, TEU-hours per year)."""
        if by not in ("vc", "delay"):
            raise InvalidOptionError(f"bottlenecks by 'vc' or 'delay', not {by!r}")
        e = self.edges[self.edges["capacity_teu"].notna() & (self.edges["volume_teu"] > 0)]
        key = "vc" if by == "vc" else "teu_delay_h"
        return e.sort_values(key, ascending=False).head(n).reset_index(drop=True)

    def corridors(self) -> pd.DataFrame:
        """Corridor-level volumes (TEU per year, both directions) beside the published 2024 ones."""
        e = self.edges
        cross = e["from_country"] != e["to_country"]
        ferry = (e["kind"] == "run") & (e["mode"] == "ferry") & cross
        caspian = ferry & (e["from_country"].isin(["KZ", "AZ"]) | e["to_country"].isin(["KZ", "AZ"]))
        border_or_run = e["kind"].isin(["border", "run"]) & cross
        north = border_or_run & (
            (e["from_country"].isin(NORTHERN) & e["to_country"].isin(EU27))
            | (e["to_country"].isin(NORTHERN) & e["from_country"].isin(EU27)))
        north &= (e["kind"] == "border") | ~e["link"].isin(e.loc[e["kind"] == "border", "link"])
        into_iran = cross & (e["to_country"] == "IR") & (
            (e["kind"] == "border") | ((e["kind"] == "run") & (e["mode"].isin(["ferry", "sea"]))))
        sea_cn = (e["kind"] == "run") & (e["mode"] == "sea") & ((e["from_country"] == "CN") | (e["to_country"] == "CN"))
        cn_kz = (e["kind"] == "border") & e["from_country"].isin(["CN", "KZ"]) & e["to_country"].isin(["CN", "KZ"]) & cross
        rows = [
            ("Middle Corridor: Caspian crossings via KZ/AZ ports", e.loc[caspian, "volume_teu"].sum(), "caspian"),
            ("Northern: Russia/Belarus ↔ EU border", e.loc[north, "volume_teu"].sum(), "northern"),
            ("Into Iran (land borders and Caspian)", e.loc[into_iran, "volume_teu"].sum(), None),
            ("Deep sea to/from Chinese ports", e.loc[sea_cn, "volume_teu"].sum(), None),
            ("China–Kazakhstan border (Alashankou, Khorgos)", e.loc[cn_kz, "volume_teu"].sum(), None),
        ]
        out = []
        for name, model, key in rows:
            pub, src, what = PUBLISHED.get(key, (None, "", "")) if key else (None, "", "")
            diff = model - pub if pub else None
            out.append({"corridor": name, "model_teu": float(model), "published_teu": pub,
                        "difference_teu": diff, "difference_pct": (100 * diff / pub) if pub else None,
                        "source": src, "published_as": what})
        return pd.DataFrame(out)

    def to_dict(self, top: int = 10) -> dict[str, Any]:
        """JSON-ready summary: settings, convergence, corridors, bottlenecks, loaded edges."""
        loaded = self.edges[self.edges["volume_teu"] > 0.5]
        return {
            "year": self.year, "algorithm": self.algorithm, "theta_per_hour_equivalent": self.theta,
            "relative_gap": self.gap, "iterations": self.iterations, "converged": self.converged,
            "engine": self.engine, "demand_teu_per_year": self.demand_teu, "zones": list(self.zones),
            "cost_unit": f"hours-equivalent per container (US$ / {self.value_of_time:g} US$ per FEU-hour)",
            "corridors": json_records(self.corridors()),
            "bottlenecks_by_vc": json_records(self.bottlenecks(top, by="vc")),
            "bottlenecks_by_delay": json_records(self.bottlenecks(top, by="delay")),
            "edges": json_records(loaded),
        }


def json_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts with NaN as None and numbers rounded for reading."""
    out = []
    for rec in frame.to_dict("records"):
        clean = {}
        for k, v in rec.items():
            if isinstance(v, (float, np.floating)):
                v = None if not math.isfinite(float(v)) else round(float(v), 4 if k in ("vc", "difference_pct") else 2)
            elif isinstance(v, np.integer):
                v = int(v)
            clean[k] = v
        out.append(clean)
    return out


def _names(g: RoutingGraph, frame: pd.DataFrame) -> list[str]:
    """A readable name per row: ``Khorgos (CN) → Altynkol (border)``, ``Aktau: rail1520 → ferry``…"""
    name = g.network.places["name"].to_dict()
    out = []
    for r in frame[["kind", "from", "to", "element", "mode"]].itertuples(index=False):
        a, b = name.get(r[1], r[1]), name.get(r[2], r[2])
        if r.kind == "transfer":
            _, f, t = str(r.element).split(":")
            out.append(f"{a}: {f} → {t}")
        elif r.kind == "wait":
            link = g.network.links.loc[str(r.element)[5:]]
            far = link["to"] if link["from"] == r[1] else link["from"]
            out.append(f"{a}: wait for the {r.mode} to {name.get(far, far)}")
        elif r.kind in ("load", "unload"):
            out.append(f"{a}: {r.kind} ({r.mode})")
        else:
            out.append(f"{a} → {b}" + (" (border)" if r.kind == "border" else f" ({r.mode})"))
    return out


def results(problem: CorridorProblem, solution: Solution, *, theta: float | None = None) -> CorridorFlows:
    """The per-edge table and summary of a solved problem."""
    net = problem.engine_network()
    flow = solution.flow
    t = net.performance.time(flow)
    g = problem.graph
    real = problem.edge >= 0
    e = problem.edge[real]
    keep = (g.kind[e] != _K["connector"])
    idx = np.flatnonzero(real)[keep]
    e = problem.edge[idx]
    volume = flow[idx]
    capacity = problem.capacity[idx]
    frame = pd.DataFrame({
        "element": problem.element[idx],
        "kind": [KINDS[k] for k in g.kind[e]],
        "from": g.place_ids[g.from_place[e]],
        "to": g.place_ids[g.to_place[e]],
        "from_country": g.place_country[g.from_place[e]],
        "to_country": g.place_country[g.to_place[e]],
        "mode": [MODES[m] if m >= 0 else "transfer" for m in g.mode[e]],
        "link": [g.network.links["id"].iat[k] if k >= 0 else "" for k in g.link[e]],
        "volume_teu": volume,
        "capacity_teu": capacity,
        "vc": volume / capacity,
        "free_h": problem.free_h[idx],
        "delay_h": np.maximum(t[idx] - problem.free_h[idx], 0.0),
        "edge": e,
    })
    frame["teu_delay_h"] = frame["volume_teu"] * frame["delay_h"]
    frame.insert(1, "name", _names(g, frame))
    frame = frame[(frame["volume_teu"] > 1e-6) | frame["capacity_teu"].notna()].reset_index(drop=True)
    return CorridorFlows(frame, problem.year, solution.algorithm, theta if solution.algorithm == "sue" else None,
                         solution.gap, solution.iterations, solution.converged, solution.engine,
                         float(problem.matrix.sum()), problem.zones, problem.value_of_time)


def assign_corridors(inputs: FreightInputs | None = None, *, year: int | None = None, algorithm: str = "bfw",
                     gap: float | None = None, max_iter: int | None = None, theta: float = DEFAULT_THETA,
                     progress: Progress | None = None, show_progress: bool | None = False) -> CorridorFlows:
    """Assign the corridor demand with capacities and report flows, bottlenecks and corridor volumes.

    Parameters
    ----------
    inputs : FreightInputs, optional
        Network, scenario, demand and settings (:func:`~corridor.freight.inputs.freight_inputs`); the
        bundled dataset as it is by default.
    year : int, optional
        Links open in this year are used (default: the scenario's year, else 2024, the demand's base year).
    algorithm : {"bfw", "cfw", "fw", "gp", "sue"}
        Deterministic user equilibrium by an engine algorithm, or logit stochastic user equilibrium.
    gap : float, optional
        Convergence: relative gap (UE, default 1e-4) or relative flow change (SUE, default 1e-3).
    max_iter : int, optional
        Iteration limit (default 500 for UE, 300 for SUE).
    theta : float
        Logit dispersion per hour-equivalent (SUE only), default :data:`DEFAULT_THETA`.
    progress : callable, optional
        Called as ``progress(iteration, gap)``.
    show_progress : bool or None
        Draw the engine's rich progress bar (``None``: only on a terminal).

    Returns
    -------
    CorridorFlows

    Examples
    --------
    >>> flows = assign_corridors(freight_inputs("tripp"), year=2028)  # doctest: +SKIP
    >>> flows.corridors()[["corridor", "model_teu", "published_teu"]]  # doctest: +SKIP
    """
    sue = algorithm.lower() == "sue"
    gap = gap if gap is not None else (1e-3 if sue else 1e-4)
    max_iter = max_iter if max_iter is not None else (300 if sue else 500)
    inputs = inputs if inputs is not None else freight_inputs()
    problem = build_problem(inputs, year=inputs.year(year) or BASE_YEAR)
    solution = solve(problem, algorithm=algorithm, gap=gap, max_iter=max_iter, theta=theta, progress=progress,
                     show_progress=show_progress)
    return results(problem, solution, theta=theta)


# -- map -----------------------------------------------------------------------------------------
VC_BINS = (0.0, 0.5, 0.8, 1.0, 1.2, math.inf)
VC_COLOURS = ("#1a9850", "#a6d96a", "#fee08b", "#f46d43", "#a50026")


def plot_vc_map(flows: CorridorFlows, network: Network, path: str | Path, *, title: str = "") -> Path:
    """Write a PNG map: land and ferry links coloured by v/c (worst direction and element), width by
    volume; uncapacitated links grey; capacitated terminals as dots. Deep-sea legs are not drawn."""
    from matplotlib.lines import Line2D

    from ..maps import draw_countries, plt

    path = Path(path)
    places = network.places.set_index("id")
    e = flows.edges
    per_link = e[e["link"] != ""].groupby("link").agg(
        volume=("volume_teu", lambda s: float(s[e.loc[s.index, "kind"] == "run"].sum())),
        vc=("vc", "max"))
    links = network.links.set_index("id")
    drawn = per_link.join(links[["from", "to", "mode"]], how="inner")
    drawn = drawn[(drawn["mode"] != "sea") & ((drawn["volume"] > 0) | drawn["vc"].notna())]
    lon = places["lon"]
    lat = places["lat"]
    used = pd.concat([drawn["from"], drawn["to"]]).unique()
    if len(used):
        x0, x1 = lon[used].min() - 3, lon[used].max() + 3
        y0, y1 = lat[used].min() - 3, lat[used].max() + 3
    else:
        x0, y0, x1, y1 = 0.0, 25.0, 125.0, 60.0
    fig, ax = plt.subplots(figsize=(13, 6.5), dpi=110)
    draw_countries(ax, (x0, y0, x1, y1))
    vmax = max(float(drawn["volume"].max()) if len(drawn) else 1.0, 1.0)

    def colour(vc: float) -> str:
        if not np.isfinite(vc):
            return "#7f7f7f"
        return VC_COLOURS[int(np.searchsorted(VC_BINS, vc, side="right")) - 1]

    for _, r in drawn.sort_values("vc", na_position="first").iterrows():
        width = 0.6 + 5.5 * math.sqrt(r["volume"] / vmax)
        ax.plot([lon[r["from"]], lon[r["to"]]], [lat[r["from"]], lat[r["to"]]],
                ":" if r["mode"] == "ferry" else "-", color=colour(r["vc"]), linewidth=width,
                solid_capstyle="round", zorder=2 if np.isfinite(r["vc"]) else 1)
    term = e[(e["kind"] == "transfer") & e["capacity_teu"].notna()].groupby("from")["vc"].max()
    for pid, vc in term.items():
        ax.plot(lon[pid], lat[pid], "o", markersize=8, color=colour(vc), markeredgecolor="black", zorder=3)
    border = e[(e["kind"] == "border") & e["capacity_teu"].notna()].groupby("element").agg(
        a=("from", "first"), b=("to", "first"), vc=("vc", "max"))
    for r in border.itertuples():
        ax.plot((lon[r.a] + lon[r.b]) / 2, (lat[r.a] + lat[r.b]) / 2, "D", markersize=8, color=colour(r.vc),
                markeredgecolor="black", zorder=3)
    top = flows.bottlenecks(6)
    labelled: list[tuple[float, float]] = []
    for r in top.drop_duplicates("element").to_dict("records"):
        x, y = lon[r["from"]], lat[r["from"]]
        dy = 14 * sum(1 for (u, v) in labelled if abs(u - x) < 8 and abs(v - y) < 3)
        labelled.append((x, y))
        text = r["name"].split(" (")[0] if r["kind"] == "border" else r["name"]
        ax.annotate(f"{text}  v/c {r['vc']:.2f}", (x, y), xytext=(6, 4 - dy),
                    textcoords="offset points", fontsize=8, zorder=4,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})
    labels = ["v/c < 0.5", "0.5–0.8", "0.8–1.0", "1.0–1.2", "> 1.2"]
    handles = [Line2D([], [], color=c, linewidth=4, label=lab) for c, lab in zip(VC_COLOURS, labels)]
    handles.append(Line2D([], [], color="#7f7f7f", linewidth=2, label="no capacity data"))
    handles.append(Line2D([], [], color="#444444", linestyle=":", linewidth=2, label="ferry"))
    handles.append(Line2D([], [], marker="o", color="white", markeredgecolor="black", markersize=8,
                          label="terminal with capacity"))
    handles.append(Line2D([], [], marker="D", color="white", markeredgecolor="black", markersize=7,
                          label="border crossing with capacity"))
    ax.legend(handles=handles, loc="lower left", fontsize=8, framealpha=0.9,
              title=f"width ∝ √volume (max {vmax:,.0f} TEU/yr)", title_fontsize=8)
    what = "logit SUE" if flows.algorithm == "sue" else f"user equilibrium ({flows.algorithm})"
    ax.set_title(title or f"Corridor flows {flows.year}: volume/capacity, {what}", fontsize=11)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.text(0.99, 0.01, "Country outlines: Natural Earth · deep-sea legs not drawn", transform=ax.transAxes,
            ha="right", fontsize=7, color="#555555")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


__all__ = [
    "ALGORITHMS",
    "DEFAULT_THETA",
    "PUBLISHED",
    "QUEUE_ALPHA",
    "CorridorFlows",
    "CorridorProblem",
    "assign_corridors",
    "build_problem",
    "edge_capacities",
    "plot_vc_map",
    "results",
    "solve",
]
