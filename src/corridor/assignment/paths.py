"""Shortest paths and all-or-nothing loading.

:func:`all_or_nothing` runs the compiled per-origin Dijkstra fused with the tree loading
(:mod:`corridor.assignment._kernels`). :func:`all_or_nothing_scipy` is the library route it is
benchmarked against: :func:`scipy.sparse.csgraph.dijkstra` for all origins, then the trees loaded for
all origins at once (tree depths by pointer doubling, one ``np.add.at`` per depth level, a
``bincount``). :func:`shortest_paths` and :func:`extract_paths` (scipy) serve the logit SUE.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray
from scipy.sparse.csgraph import dijkstra

from corridor.errors import DemandError
from corridor.assignment.graph import SPGraph

__all__ = ["ODMatrix", "all_or_nothing", "all_or_nothing_scipy", "check_reachable", "extract_paths", "shortest_paths"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class ODMatrix:
    """A zones × zones origin–destination matrix in the form the loaders use.

    Attributes
    ----------
    origins
        Zones with outgoing demand (rows of the shortest-path arrays).
    od_row, od_zone, od_flow
        One entry per OD pair with positive demand: row in ``origins``, destination zone, trips.
    total
        Total trips.
    """

    num_zones: int
    origins: IntArray
    od_row: IntArray
    od_zone: IntArray
    od_flow: FloatArray
    _layout: tuple[IntArray, ...] | None = field(default=None, init=False, repr=False, compare=False)

    def layout(self) -> tuple[IntArray, ...]:
        """``(order, row_ptr, dest, flow)``: OD entries grouped by origin row for the kernels.

        ``order`` maps the grouped position to the entry of ``od_flow``; entries of row ``r`` are
        ``row_ptr[r]:row_ptr[r + 1]``; ``dest`` (zone node) and ``flow`` are in grouped order.
        """
        if self._layout is None:
            order = np.argsort(self.od_row, kind="stable")
            row_ptr = np.searchsorted(self.od_row[order], np.arange(self.origins.size + 1)).astype(np.int64)
            lay = (order, row_ptr, self.od_zone[order].astype(np.int64), self.od_flow[order].copy())
            object.__setattr__(self, "_layout", lay)
            return lay
        return self._layout

    @property
    def total(self) -> float:
        return float(self.od_flow.sum())

    @classmethod
    def from_matrix(cls, matrix: NDArray[np.float64] | sp.spmatrix | sp.sparray, num_zones: int) -> ODMatrix:
        """Build from a dense array or a scipy sparse matrix (intra-zonal trips are ignored)."""
        if sp.issparse(matrix):
            coo = sp.coo_matrix(matrix)
            shape = coo.shape
            o, d, v = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data.astype(np.float64)
        else:
            m = np.asarray(matrix, dtype=np.float64)
            if m.ndim != 2:
                raise DemandError(f"demand must be a zones × zones matrix, got shape {m.shape}")
            shape = m.shape
            o, d = np.nonzero(m)
            v = m[o, d]
        if shape != (num_zones, num_zones):
            raise DemandError(f"demand has shape {shape} but the network has {num_zones} zones")
        if not np.isfinite(v).all() or (v < 0).any():
            raise DemandError("demand has negative or non-finite entries")
        keep = (v > 0) & (o != d)
        o, d, v = o[keep], d[keep], v[keep]
        if sp.issparse(matrix) and o.size:  # sum duplicates
            key = o * num_zones + d
            uk, inv = np.unique(key, return_inverse=True)
            v = np.bincount(inv, weights=v)
            o, d = uk // num_zones, uk % num_zones
        origins, row = np.unique(o, return_inverse=True)
        return cls(num_zones, origins.astype(np.int64), row.astype(np.int64), d.astype(np.int64), v)


def shortest_paths(spg: SPGraph, link_cost: FloatArray, origins: IntArray) -> tuple[FloatArray, NDArray[np.int32]]:
    """Distances and predecessors from each origin to every node of ``spg`` (compiled Dijkstra)."""
    return dijkstra(spg.matrix(link_cost), directed=True, indices=origins, return_predecessors=True)


def _tree_loads(spg: SPGraph, pred: NDArray[np.int32], node_demand: FloatArray) -> FloatArray:
    """Link flows of loading ``node_demand`` (rows × nodes, flattened) onto the trees ``pred``."""
    rows, n = pred.shape
    pflat = pred.reshape(-1)
    child = np.flatnonzero(pflat >= 0)
    parent = (child // n) * n + pflat[child]
    # depth of each child by pointer doubling over the compacted tree edges; slot ``m`` is a sentinel
    # root (depth 0, its own ancestor), so every round is two gathers and an add, with no masks.
    m = child.size
    pos = np.full(rows * n, m, dtype=np.int64)
    pos[child] = np.arange(m)
    anc = np.append(pos[parent], m)
    depth = np.ones(m + 1, dtype=np.int32)
    depth[m] = 0
    while (anc[:m] < m).any():
        depth += depth[anc]
        anc = anc[anc]
    depth = depth[:m]
    order = np.argsort(depth.astype(np.int16 if depth.max() < 32000 else np.int64), kind="stable")
    bounds = np.searchsorted(depth[order], np.arange(1, depth.max() + 2))
    flow = node_demand.copy()
    for lev in range(int(depth.max()), 1, -1):
        idx = order[bounds[lev - 1]:bounds[lev]]
        if idx.size:
            np.add.at(flow, parent[idx], flow[child[idx]])
    f = flow[child]
    carry = f > 0
    edge = spg.edge_of(pflat[child[carry]], child[carry] % n)
    link = spg.edge_link[edge]
    ok = link >= 0
    return np.bincount(link[ok], weights=f[carry][ok], minlength=spg.num_links)


def check_reachable(demand: ODMatrix, od_cost: FloatArray) -> None:
    """Raise :class:`DemandError` naming the first OD pair whose ``od_cost`` is not finite."""
    if not np.isfinite(od_cost).all():
        k = int(np.flatnonzero(~np.isfinite(od_cost))[0])
        raise DemandError(
            f"no path from zone {int(demand.origins[demand.od_row[k]])} to zone {int(demand.od_zone[k])} "
            f"(0-based) for {demand.od_flow[k]:g} trips"
        )


def all_or_nothing(
    spg: SPGraph, demand: ODMatrix, link_cost: FloatArray
) -> tuple[FloatArray, float, FloatArray]:
    """All-or-nothing loading at ``link_cost`` (compiled Dijkstra + loading, one origin at a time).

    Returns
    -------
    flows
        Link flows.
    sp_cost
        ``Σ_od demand · shortest-path cost`` (the second term of the relative gap).
    od_cost
        Shortest-path cost of each OD pair (aligned with ``demand.od_flow``).
    """
    from corridor.assignment import _kernels as K

    ptr, head, link, tail, blocked = spg.fstar
    order, row_ptr, dest, flow = demand.layout()
    x = np.zeros(spg.num_links)
    oc = np.empty(flow.size)
    total = K.aon(ptr, head, link, tail, blocked, np.ascontiguousarray(link_cost, dtype=np.float64),
                  demand.origins, row_ptr, dest, flow, x, oc)
    od_cost = np.empty_like(oc)
    od_cost[order] = oc
    check_reachable(demand, od_cost)
    return x, float(total), od_cost


def all_or_nothing_scipy(
    spg: SPGraph, demand: ODMatrix, link_cost: FloatArray
) -> tuple[FloatArray, float, FloatArray]:
    """:func:`all_or_nothing` with scipy's Dijkstra and vectorised numpy tree loading (same results)."""
    dist, pred = shortest_paths(spg, link_cost, demand.origins)
    n = spg.n
    dest = spg.dest_node[demand.od_zone]
    od_cost = dist[demand.od_row, dest]
    check_reachable(demand, od_cost)
    node_demand = np.zeros(pred.shape[0] * n)
    np.add.at(node_demand, demand.od_row * n + dest, demand.od_flow)
    flows = _tree_loads(spg, pred, node_demand)
    return flows, float(od_cost @ demand.od_flow), od_cost


def extract_paths(
    spg: SPGraph, pred: NDArray[np.int32], rows: IntArray, dest_nodes: IntArray
) -> tuple[IntArray, IntArray]:
    """Links of the tree paths ``origin(rows[i]) -> dest_nodes[i]``, all at once.

    Returns ``(path, link)`` pairs: path ``i`` uses link ``link[j]`` wherever ``path[j] == i``
    (order along the path is not kept).
    """
    n = spg.n
    pflat = pred.reshape(-1)
    cur = rows.astype(np.int64) * n + dest_nodes
    ids = np.arange(rows.size)
    out_p: list[IntArray] = []
    out_l: list[IntArray] = []
    while ids.size:
        p = pflat[cur].astype(np.int64)
        live = p >= 0
        ids, cur, p = ids[live], cur[live], p[live]
        if not ids.size:
            break
        node = cur % n
        edge = spg.edge_of(p, node)
        out_p.append(ids)
        out_l.append(spg.edge_link[edge])
        cur = cur - node + p
    if not out_p:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    path = np.concatenate(out_p)
    link = np.concatenate(out_l)
    ok = link >= 0
    return path[ok], link[ok]
