"""The corridor assignment problem: engine links for the usable edges of the routing graph, with their
capacities and delay functions, and the zones' demand matrix.

* **Cost unit: hours-equivalent per container.** Each edge costs its time in hours plus its money
  and CO2 cost divided by the cargo class's value of time (US$ per FEU-hour, ``cargo.csv``): the
  routing's generalized cost divided by the value of time. Congestion adds hours only: the money part
  is a fixed toll of the engine, so a jammed link costs more time, never more tariff.
* **Capacities, TEU per year and per direction.** A link's ``capacity_teu_per_year`` (``links.csv``)
  applies where its freight queues: at its border crossing if it has one, else at the wait for a
  sailing (ferries), else on the run. ``capacities.csv`` adds terminals (port handling, gauge change)
  and crossings. Every other element is uncapacitated.
* **Delay functions.** Runs: BPR, ``t = t0 (1 + 0.15 (v/c)^4)`` (Bureau of Public Roads, 1964).
  Terminals, borders and ferry waits: the engine's conical function (Spiess 1990) with
  ``α = QUEUE_ALPHA``: near the free-flow dwell below capacity, twice the dwell at capacity, then a
  linear rise — a queue, not a wall.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from ..assignment import VDF, LinkNetwork
from ..errors import DataError, NoRouteError
from ..graph import KINDS, RoutingGraph
from ..network.capacities import read_capacities
from ..network.schema import LAYERS
from .inputs import FreightInputs

#: conical α of queues (terminals, borders, ferry waits)
QUEUE_ALPHA = 10.0
BPR_B, BPR_POWER = 0.15, 4.0
#: the demand's base year: links open in it are used unless another year is asked for
BASE_YEAR = 2024

_K = {k: i for i, k in enumerate(KINDS)}


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

    def engine_network(self) -> LinkNetwork:
        """The engine's :class:`~corridor.assignment.LinkNetwork` of this problem."""
        capped = np.isfinite(self.capacity) & (self.free_h > 0)
        vdf = np.where(capped & self.queue, VDF.CONICAL, VDF.BPR).astype(np.int8)
        b = np.where(capped & ~self.queue, BPR_B, 0.0)
        power = np.where(capped & self.queue, QUEUE_ALPHA, np.where(capped, BPR_POWER, 0.0))
        return LinkNetwork(
            num_nodes=self.num_nodes, num_zones=self.num_zones, from_node=self.from_node, to_node=self.to_node,
            capacity=np.where(capped, self.capacity, 1.0), free_flow_time=self.free_h, b=b, power=power,
            toll=self.toll_h, toll_factor=1.0, first_thru_node=self.num_zones, vdf=vdf)


def _element_ids(g: RoutingGraph) -> np.ndarray:
    """A readable id per edge of ``g``: the link or crossing id, ``wait:LINK``, ``connector:LINK``,
    ``PLACE:layer:layer`` for a transfer, ``load:PLACE:layer`` / ``unload:PLACE:layer``."""
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
    avoid_countries, avoid_modes : iterables of str
        Edges in these countries or of these modes are left out (as in routing).

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
    if capacities is None:
        capacities, problems = read_capacities(inputs.data, crossings=net.crossings["id"], terminals=net.terminals,
                                                sources=net.sources["id"])
        if problems:
            raise DataError([str(p) for p in problems])
    zones, place_of, matrix = _zone_matrix(inputs.demand.od)
    unknown = sorted({p for p in place_of.values() if p not in g.place_index})
    if unknown:
        raise DataError(f"zones.csv: zone place(s) {', '.join(unknown)} not in places.csv")
    origin = np.array([g.origin_node[g.place_index[place_of[z]]] for z in zones])
    dest = np.array([g.destination_node[g.place_index[place_of[z]]] for z in zones])
    if (origin < 0).any():
        bad = [zones[i] for i in np.flatnonzero(origin < 0)]
        raise DataError(f"zones.csv: the place of zone(s) {', '.join(bad)} is served by no link")

    ok = router.usable(year=year, avoid_countries=avoid_countries, avoid_modes=avoid_modes)
    vot = router.value_of_time
    toll_h = (router.weights("generalized", year) - vot * g.hours) / vot   # money and CO2 in the year, in hours
    cap, queue = edge_capacities(g, capacities)
    element = _element_ids(g)
    keep = np.flatnonzero(ok)
    Z = len(zones)
    zn = np.arange(Z)
    # engine nodes: zones first (0..Z-1, no through traffic), then the graph's nodes shifted by Z;
    # each zone reaches its place's origin node and is reached from its destination node
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


def _zone_matrix(od: pd.DataFrame) -> tuple[tuple[str, ...], dict[str, str], np.ndarray]:
    """The zones with demand (in order of appearance), each zone's place, and the zones × zones matrix."""
    od = od[od["teu_per_year"] > 0]
    zones = tuple(pd.unique(pd.concat([od["origin"], od["destination"]], ignore_index=True)))
    place_of: dict[str, str] = {}
    for z, p in list(zip(od["origin"], od["origin_place"])) + list(zip(od["destination"], od["destination_place"])):
        place_of[z] = p
    zi = {z: i for i, z in enumerate(zones)}
    matrix = np.zeros((len(zones), len(zones)))
    np.add.at(matrix, (od["origin"].map(zi).to_numpy(), od["destination"].map(zi).to_numpy()),
              od["teu_per_year"].to_numpy(dtype=float))
    np.fill_diagonal(matrix, 0.0)
    return zones, place_of, matrix


def _check_reachable(p: CorridorProblem) -> None:
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
