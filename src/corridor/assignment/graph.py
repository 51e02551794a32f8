"""The assignment graph: link arrays, validation, and the compiled shortest-path structure.

Nodes are 0-based. Zones are nodes ``0 .. num_zones - 1``; zones with index below ``first_thru_node``
may start and end trips but not carry through traffic. That rule is built into the shortest-path
graph by giving every such zone a separate *sink copy*: links into the zone end at the copy, which has
no outgoing links, so no path can pass through it. Parallel links (same tail and head) get a dummy
node so that a (predecessor, node) pair names exactly one link.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from corridor.errors import NetworkError
from corridor.assignment.vdf import VDF, LinkPerformance

__all__ = ["LinkNetwork", "SPGraph"]

_DENSE_TABLE_MAX = 1 << 23

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def _f(a: object, n: int, name: str, default: float | None = None) -> FloatArray:
    if a is None:
        if default is None:
            raise NetworkError(f"{name} is required")
        return np.full(n, default, dtype=np.float64)
    arr = np.asarray(a, dtype=np.float64).reshape(-1)
    if arr.size != n:
        raise NetworkError(f"{name} has {arr.size} values for {n} links")
    if not np.isfinite(arr).all():
        raise NetworkError(f"{name} has non-finite values (first at link {int(np.flatnonzero(~np.isfinite(arr))[0])})")
    return arr.copy()


@dataclass
class LinkNetwork:
    """Directed links with volume-delay parameters and generalised-cost extras.

    Generalised cost of a link = ``t(x) + toll_factor · toll + distance_factor · length``, where ``t`` is
    the link's volume-delay function (:mod:`corridor.assignment.vdf`).

    Parameters
    ----------
    num_nodes, num_zones
        Node count; zones are nodes ``0 .. num_zones - 1``.
    from_node, to_node
        0-based tail and head of each link.
    capacity, free_flow_time, b, power
        Volume-delay parameters (for conical links ``power`` is α).
    toll, length, toll_factor, distance_factor
        Fixed generalised-cost parts.
    first_thru_node
        Zones with index ``< first_thru_node`` cannot be passed through (TNTP ``<FIRST THRU NODE>`` − 1).
    vdf
        Per-link :class:`~corridor.assignment.vdf.VDF` codes, or ``None`` for BPR everywhere.
    """

    num_nodes: int
    num_zones: int
    from_node: IntArray
    to_node: IntArray
    capacity: FloatArray
    free_flow_time: FloatArray
    b: FloatArray | None = None
    power: FloatArray | None = None
    toll: FloatArray | None = None
    length: FloatArray | None = None
    toll_factor: float = 0.0
    distance_factor: float = 0.0
    first_thru_node: int = 0
    vdf: NDArray[np.int8] | None = None
    _sp: SPGraph | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        fn = np.asarray(self.from_node).reshape(-1)
        tn = np.asarray(self.to_node).reshape(-1)
        n = fn.size
        if tn.size != n:
            raise NetworkError(f"from_node has {n} values but to_node has {tn.size}")
        for name, arr in (("from_node", fn), ("to_node", tn)):
            if n and (not np.all(np.equal(np.mod(arr, 1), 0)) or arr.min() < 0 or arr.max() >= self.num_nodes):
                bad = int(np.flatnonzero((arr < 0) | (arr >= self.num_nodes) | (np.mod(arr, 1) != 0))[0])
                raise NetworkError(f"{name}[{bad}] = {arr[bad]} is not a node in 0..{self.num_nodes - 1}")
        if not 0 <= self.num_zones <= self.num_nodes:
            raise NetworkError(f"num_zones {self.num_zones} must be in 0..num_nodes ({self.num_nodes})")
        self.from_node = fn.astype(np.int64)
        self.to_node = tn.astype(np.int64)
        self.capacity = _f(self.capacity, n, "capacity")
        self.free_flow_time = _f(self.free_flow_time, n, "free_flow_time")
        self.b = _f(self.b, n, "b", 0.15)
        self.power = _f(self.power, n, "power", 4.0)
        self.toll = _f(self.toll, n, "toll", 0.0)
        self.length = _f(self.length, n, "length", 0.0)
        for name in ("capacity", "free_flow_time", "b", "power", "length"):
            arr = getattr(self, name)
            if (arr < 0).any():
                k = int(np.flatnonzero(arr < 0)[0])
                raise NetworkError(f"{name}[{k}] = {arr[k]} is negative")
        self.vdf = None if self.vdf is None else np.asarray(self.vdf, dtype=np.int8).reshape(-1)
        if self.vdf is not None and self.vdf.size != n:
            raise NetworkError(f"vdf has {self.vdf.size} codes for {n} links")
        congestible = (self.b > 0) & (self.power > 0) & (self.free_flow_time > 0)
        if self.vdf is not None:
            congestible |= self.vdf == VDF.CONICAL
        if (congestible & (self.capacity <= 0)).any():
            k = int(np.flatnonzero(congestible & (self.capacity <= 0))[0])
            raise NetworkError(f"link {k} has capacity {self.capacity[k]} but a flow-dependent time")
        self.fixed_cost = self.toll_factor * self.toll + self.distance_factor * self.length
        if (self.fixed_cost < 0).any():
            raise NetworkError("negative generalised-cost extras (toll_factor * toll + distance_factor * length)")
        try:
            self.performance = LinkPerformance(self.free_flow_time, self.capacity, self.b, self.power, self.vdf)
        except ValueError as exc:
            raise NetworkError(str(exc)) from None

    @property
    def num_links(self) -> int:
        """Number of directed links."""
        return int(self.from_node.size)

    def cost(self, flow: FloatArray) -> FloatArray:
        """Generalised link cost at ``flow``."""
        return self.performance.time(flow) + self.fixed_cost

    @property
    def sp(self) -> SPGraph:
        """The (cached) shortest-path structure."""
        if self._sp is None:
            self._sp = SPGraph(self)
        return self._sp


class SPGraph:
    """CSR graph for :mod:`scipy.sparse.csgraph` with zone sink copies and parallel-link dummies.

    Attributes
    ----------
    n
        Nodes in the shortest-path graph (real nodes, sink copies, dummies).
    edge_link
        For each CSR entry, the link it carries, or ``-1`` for a zero-cost dummy hop.
    dest_node
        For each zone, the node where trips to it end (its sink copy when it blocks through traffic).
    """

    def __init__(self, net: LinkNetwork) -> None:
        self._net = net
        self._fstar: tuple[NDArray[np.int32], ...] | None = None
        n0 = net.num_nodes
        blocked = np.arange(min(max(net.first_thru_node, 0), net.num_zones))
        sink = np.full(n0, -1, dtype=np.int64)
        sink[blocked] = n0 + np.arange(blocked.size)
        n = n0 + blocked.size
        tail = net.from_node.copy()
        head = np.where(sink[net.to_node] >= 0, sink[net.to_node], net.to_node)
        link = np.arange(net.num_links, dtype=np.int64)
        # parallel links: keep the first of each (tail, head), route the others through a dummy node
        key = tail * n + head
        order = np.argsort(key, kind="stable")
        dup = np.zeros(key.size, dtype=bool)
        dup[order[1:]] = key[order[1:]] == key[order[:-1]]
        d = np.flatnonzero(dup)
        dummy = n + np.arange(d.size)
        n += d.size
        e_tail = np.concatenate([np.where(dup, -1, tail), tail[d], dummy])
        e_head = np.concatenate([np.where(dup, -1, head), dummy, head[d]])
        e_link = np.concatenate([link, link[d], np.full(d.size, -1)])
        keep = e_tail >= 0
        e_tail, e_head, e_link = e_tail[keep], e_head[keep], e_link[keep]
        o = np.lexsort((e_head, e_tail))
        self.n = int(n)
        self.tail = e_tail[o]
        self.head = e_head[o]
        self.edge_link = e_link[o]
        self.indptr = np.searchsorted(self.tail, np.arange(n + 1)).astype(np.int32)
        self.indices = self.head.astype(np.int32)
        # cost of CSR entry = ext_cost[gather], with ext_cost = append(link_cost, 0)
        self.gather = np.where(self.edge_link >= 0, self.edge_link, net.num_links)
        self.key = self.tail * n + self.head  # sorted: lexsort by (tail, head)
        zones = np.arange(net.num_zones)
        self.dest_node = np.where(sink[zones] >= 0, sink[zones], zones) if net.num_zones else zones
        self.num_links = net.num_links
        self._data = np.empty(self.gather.size)
        self._matrix = sp.csr_matrix((self._data, self.indices, self.indptr), shape=(n, n))
        # dense (pred, node) -> edge table when small enough (a gather beats a binary search)
        self._table: NDArray[np.int32] | None = None
        if n * n <= _DENSE_TABLE_MAX:
            self._table = np.full(n * n, -1, dtype=np.int32)
            self._table[self.key] = np.arange(self.key.size, dtype=np.int32)

    @property
    def fstar(self) -> tuple[NDArray[np.int32], ...]:
        """Forward star of the real nodes for the compiled kernels: ``ptr, head, link, tail, blocked``.

        Every link is its own entry (parallel links need no dummies); ``blocked[v]`` marks zones that
        may not carry through traffic (the kernels do not expand them unless they are the origin).
        """
        if self._fstar is None:
            net = self._net
            order = np.argsort(net.from_node, kind="stable")
            ptr = np.searchsorted(net.from_node[order], np.arange(net.num_nodes + 1)).astype(np.int32)
            blocked = np.zeros(net.num_nodes, dtype=np.bool_)
            blocked[: min(max(net.first_thru_node, 0), net.num_zones)] = True
            self._fstar = (ptr, net.to_node[order].astype(np.int32), order.astype(np.int32),
                           net.from_node.astype(np.int32), blocked)
        return self._fstar

    def matrix(self, link_cost: FloatArray) -> sp.csr_matrix:
        """The CSR matrix with ``link_cost`` as weights (the same object, data refreshed in place)."""
        ext = np.append(link_cost, 0.0)
        np.take(ext, self.gather, out=self._matrix.data)
        return self._matrix

    def edge_of(self, pred: NDArray[np.integer], node: NDArray[np.integer]) -> IntArray:
        """CSR entry index of the edge ``pred -> node`` (pairs must exist)."""
        if self._table is not None:
            return self._table[pred.astype(np.int64) * self.n + node]
        return np.searchsorted(self.key, pred.astype(np.int64) * self.n + node)
