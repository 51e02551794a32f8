"""Compile a :class:`~corridor.network.Network` into a virtual multimodal graph in CSR arrays.

Each place gets one node per layer it is served on (``rail1520``, ``rail1435``, ``road``, ``ferry``,
``sea``…), plus an origin node and a destination node. Everything freight does is an edge of its
own, as in NODUS: loading at the origin, unloading at the destination, transfers between layers
(port handling, gauge change), the border crossing and the wait for a sailing before a link, and the
run along the link. Algorithms then see one plain directed graph with per-edge attributes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix

from .network import Network
from .network.costs import link_tariffs
from .network.schema import LAYERS, MODES, split_list

#: edge kinds; ``connector`` joins a link's departure node to its run and carries nothing
KINDS = ("run", "load", "unload", "transfer", "border", "wait", "connector")
NEVER = np.inf


def layer_of(mode: str, gauge_mm: float | None) -> str:
    """The layer a link runs on: ``rail`` + gauge for rail, else the mode."""
    return f"rail{int(gauge_mm)}" if mode == "rail" else mode


def mode_of_layer(layer: str) -> str:
    return "rail" if layer.startswith("rail") else layer


@dataclass(frozen=True)
class RoutingGraph:
    """A network compiled for routing: node and edge arrays plus a fixed CSR layout.

    Edge attributes are arrays aligned on the edge index; ``csr_order`` maps CSR positions to edges,
    so a weight vector ``w`` becomes a CSR matrix with ``w[csr_order]`` and no re-sorting.
    """

    network: Network
    place_ids: np.ndarray          # place index → id
    place_country: np.ndarray      # place index → ISO code
    origin_node: np.ndarray        # place index → origin node (-1 if the place is not served)
    destination_node: np.ndarray   # place index → destination node
    node_place: np.ndarray         # node → place index
    node_layer: np.ndarray         # node → layer code (-1 for origin/destination/virtual nodes)
    src: np.ndarray
    dst: np.ndarray
    kind: np.ndarray               # code into KINDS
    mode: np.ndarray               # code into MODES (-1 for none)
    link: np.ndarray               # index into network.links (-1 for none)
    from_place: np.ndarray
    to_place: np.ndarray
    hours: np.ndarray
    cost_usd: np.ndarray
    co2_kg_per_t: np.ndarray       # kg CO2e per tonne of cargo carried
    distance_km: np.ndarray
    open_year: np.ndarray          # usable from this year (inf: closed)
    passages: tuple[frozenset[str], ...]   # per edge (sea runs only)
    passage_edges: dict[str, np.ndarray]   # passage → boolean mask of the edges through it
    indptr: np.ndarray
    indices: np.ndarray
    csr_order: np.ndarray
    place_index: dict[str, int]

    @property
    def n_nodes(self) -> int:
        return len(self.node_place)

    @property
    def n_edges(self) -> int:
        return len(self.src)

    def matrix(self, weights: np.ndarray, *, transpose: bool = False) -> csr_matrix:
        """The CSR matrix of the graph with ``weights`` (inf = no edge)."""
        if transpose:
            return csr_matrix((weights, (self.dst, self.src)), shape=(self.n_nodes, self.n_nodes))
        return csr_matrix((weights[self.csr_order], self.indices, self.indptr), shape=(self.n_nodes, self.n_nodes))

    def through(self, passages: set[str] | frozenset[str]) -> np.ndarray:
        """Boolean mask of the sea edges that use any of ``passages``."""
        mask = np.zeros(self.n_edges, dtype=bool)
        for name in passages:
            mask |= self.passage_edges.get(name, False)
        return mask

    def edge_between(self, u: int, v: int) -> int:
        """The edge from node ``u`` to node ``v`` (the graph has no parallel edges)."""
        lo, hi = self.indptr[u], self.indptr[u + 1]
        hit = np.nonzero(self.indices[lo:hi] == v)[0]
        return int(self.csr_order[lo + hit[0]])


def _passage_masks(passages: list[frozenset[str]]) -> dict[str, np.ndarray]:
    masks: dict[str, np.ndarray] = {}
    for e, names in enumerate(passages):
        for name in names:
            masks.setdefault(name, np.zeros(len(passages), dtype=bool))[e] = True
    return masks


class _Builder:
    """Collects nodes and edges while a network is compiled."""

    def __init__(self) -> None:
        self.layer_node: dict[tuple[int, str], int] = {}
        self.node_place: list[int] = []
        self.node_layer: list[int] = []
        self.cols: dict[str, list] = {k: [] for k in _COLUMNS}
        self.passages: list[frozenset[str]] = []

    def node(self, place: int, layer: str | None) -> int:
        """The node of ``place`` on ``layer`` (made once), or a new virtual node when ``layer`` is None."""
        key = (place, layer or "")
        if layer is not None and key in self.layer_node:
            return self.layer_node[key]
        self.node_place.append(place)
        self.node_layer.append(LAYERS.index(layer) if layer else -1)
        if layer is not None:
            self.layer_node[key] = len(self.node_place) - 1
        return len(self.node_place) - 1

    def edge(self, u: int, v: int, kind: str, mode: str | None, link: int, a: int, b: int, hours: float,
             cost: float, co2: float = 0.0, distance: float = 0.0, opens: float = -np.inf,
             passes: frozenset[str] = frozenset()) -> None:
        for key, value in zip(_COLUMNS, (u, v, KINDS.index(kind), MODES.index(mode) if mode else -1, link, a, b,
                                         hours, cost, co2, distance, opens)):
            self.cols[key].append(value)
        self.passages.append(passes)


_COLUMNS = ("src", "dst", "kind", "mode", "link", "from_place", "to_place", "hours", "cost_usd", "co2", "distance",
            "open_year")


def _add_links(b: _Builder, network: Network, place_index: dict[str, int], country: np.ndarray) -> None:
    """Two directed runs per link, each after its border crossing and wait for a sailing (or a connector)."""
    links = network.links
    price = link_tariffs(network.tariffs, links["mode"].to_numpy(), country[links["from"].map(place_index).to_numpy()],
                         country[links["to"].map(place_index).to_numpy()])
    modes = network.modes.set_index("mode")
    crossing = network.crossings.set_index("link")
    frequency = network.services.groupby("link")["frequency_per_week"].max()
    for i, row in enumerate(links.itertuples(index=False)):
        a, z = place_index[row[1]], place_index[row[2]]  # from, to
        layer = layer_of(row.mode, row.gauge_mm)
        na, nz = b.node(a, layer), b.node(z, layer)
        factor = modes.at[row.mode, "co2_kg_per_tkm"]
        electric = modes.at[row.mode, "co2_kg_per_tkm_electric"]
        if row.mode == "rail" and row.electrified and pd.notna(electric):
            factor = electric
        if row.status == "closed":
            opens = NEVER
        else:
            opens = float(row.open_year) if row.open_year is not None and pd.notna(row.open_year) else -np.inf
        passes = frozenset(split_list(row.passages)) - {"none"}
        wait = [("wait", 84.0 / float(frequency[row.id]), 0.0)] if row.id in frequency.index else []
        border = _border(crossing.loc[row.id]) if row.id in crossing.index else None
        for (u, v, pu, pv), side in zip(((na, nz, a, z), (nz, na, z, a)), border or (None, None)):
            last = u
            pre = ([("border", *side)] if side else []) + wait
            for kind, hours, cost in pre or [("connector", 0.0, 0.0)]:
                virtual = b.node(pu, None)
                b.edge(last, virtual, kind, row.mode, i, pu, pu if kind != "border" else pv, hours, cost, opens=opens)
                last = virtual
            b.edge(last, v, "run", row.mode, i, pu, pv, row.length_km / row.speed_kmh, row.length_km * price[i],
                   row.length_km * factor, row.length_km, opens, passes)


def _border(c: pd.Series) -> tuple[tuple[float, float], tuple[float, float]]:
    """A crossing's (hours, US$) from the link's ``from`` end and from its ``to`` end: the ``_reverse``
    columns, where given, are the second direction's (``crossings.csv``)."""
    hours, cost = float(c["dwell_h"]), float(c["cost_usd_per_feu"])
    back_h, back_c = c.get("dwell_h_reverse"), c.get("cost_usd_per_feu_reverse")
    return (hours, cost), (hours if back_h is None or pd.isna(back_h) else float(back_h),
                           cost if back_c is None or pd.isna(back_c) else float(back_c))


def _add_terminals(b: _Builder, network: Network, place_index: dict[str, int]) -> None:
    """Transfers between two layers at a place, both ways."""
    for row in network.terminals.itertuples(index=False):
        p = place_index[row.place]
        if (p, row.from_layer) not in b.layer_node or (p, row.to_layer) not in b.layer_node:
            continue  # a terminal for a layer no link serves here: harmless, flagged by the data check
        u, v = b.layer_node[(p, row.from_layer)], b.layer_node[(p, row.to_layer)]
        for x, y in ((u, v), (v, u)):
            b.edge(x, y, "transfer", None, -1, p, p, float(row.dwell_h), float(row.cost_usd_per_feu))


def _add_access(b: _Builder, network: Network, n_places: int) -> tuple[np.ndarray, np.ndarray]:
    """An origin and a destination node per served place, loading onto and unloading from each layer."""
    modes = network.modes.set_index("mode")
    origin = np.full(n_places, -1)
    destination = np.full(n_places, -1)
    for (p, layer), n in sorted(b.layer_node.items()):
        mode = mode_of_layer(layer)
        if origin[p] < 0:
            origin[p], destination[p] = b.node(p, None), b.node(p, None)
        h, c = float(modes.at[mode, "handling_h"]), float(modes.at[mode, "handling_cost_usd_per_feu"])
        b.edge(origin[p], n, "load", mode, -1, p, p, h, c)
        b.edge(n, destination[p], "unload", mode, -1, p, p, h, c)
    return origin, destination


def compile_graph(network: Network) -> RoutingGraph:
    """Compile the network into a :class:`RoutingGraph`.

    Every link gives two directed runs. Before each run come its virtual edges: the border crossing
    (``crossings.csv``) and the expected wait for a sailing, half the headway (``services.csv``);
    a run with neither gets a zero ``connector`` so that no two edges join the same pair of nodes.

    Complexity: O(places + links), all in a few vectorised passes; about 10 ms for the bundled data.
    """
    place_ids = network.places["id"].to_numpy(dtype=object)
    place_index = {pid: i for i, pid in enumerate(place_ids)}
    country = network.places["country"].to_numpy(dtype=object)
    b = _Builder()
    _add_links(b, network, place_index, country)
    _add_terminals(b, network, place_index)
    origin, destination = _add_access(b, network, len(place_ids))
    cols = b.cols
    src = np.asarray(cols["src"], dtype=np.int32)
    dst = np.asarray(cols["dst"], dtype=np.int32)
    n_nodes = len(b.node_place)
    order = np.lexsort((dst, src)).astype(np.int64)
    indptr = np.zeros(n_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(src, minlength=n_nodes), out=indptr[1:])
    return RoutingGraph(
        network=network, place_ids=place_ids, place_country=country, origin_node=origin,
        destination_node=destination, node_place=np.asarray(b.node_place), node_layer=np.asarray(b.node_layer),
        src=src, dst=dst, kind=np.asarray(cols["kind"], dtype=np.int8), mode=np.asarray(cols["mode"], dtype=np.int8),
        link=np.asarray(cols["link"], dtype=np.int32), from_place=np.asarray(cols["from_place"], dtype=np.int32),
        to_place=np.asarray(cols["to_place"], dtype=np.int32), hours=np.asarray(cols["hours"], float),
        cost_usd=np.asarray(cols["cost_usd"], float), co2_kg_per_t=np.asarray(cols["co2"], float),
        distance_km=np.asarray(cols["distance"], float), open_year=np.asarray(cols["open_year"], float),
        passages=tuple(b.passages), passage_edges=_passage_masks(b.passages), indptr=indptr,
        indices=dst[order].astype(np.int32), csr_order=order, place_index=place_index,
    )
