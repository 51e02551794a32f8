"""Bush-based user equilibrium: Algorithm B in compiled code, with warm starts.

Dial, R.B. (2006), "A path-based user-equilibrium traffic assignment algorithm that obviates path
storage and enumeration", *Transportation Research Part B* 40(10), 917–936.

Every origin keeps a *bush*, an acyclic subnetwork spanning the nodes it reaches, with its own link
flows. An iteration updates each bush (drops unused links, adds the links that shorten both its
shortest and its longest used paths, Nie 2010) and shifts flow, node by node in descending
topological order, from the longest used to the shortest bush path by a Newton step, costs updated
at once; further passes go to the origins still far from equilibrium. The gap is then measured with
one label-correcting sweep started from the bushes' shortest-path labels. The kernels are in :mod:`corridor.assignment._kernels_bush`.

Warm start: :class:`BushState` (kept in :attr:`AssignmentResult.state`) holds the bushes and their
flows; a later run on the same graph (link times, capacities or demand changed) loads its demand onto
the old bushes in the old proportions and iterates from there. A bush whose reloaded flows cost far
more than its origin's shortest paths (:data:`STALE_EXCESS`: a link it uses was closed) could keep
its flow stuck: the way around may run against the bush's own links, which an acyclic bush cannot
take in (the flow on them is what would have to move first). Such a bush is re-laid on the shortest
paths (:func:`_relay`): their tree joins it, its links that run against their order leave it, and its
demand is loaded again; the flow then moves off the closed link at the first pass.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from corridor.assignment.graph import LinkNetwork
from corridor.assignment.paths import ODMatrix, check_reachable
from corridor.assignment.result import AssignmentResult, IterationLog, relative_gap
from corridor.errors import AssignmentError

__all__ = ["BushState", "algorithm_b"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

#: a warm bush whose flows cost more than (1 + this) × its origin's shortest paths is re-laid on them
STALE_EXCESS = 1.0


@dataclass
class BushState:
    """The bushes of a solved assignment: one row per origin zone (``origins``).

    Links are in the solver's order, sorted by head node (see :func:`_layout`): column ``k`` is the
    network's link ``link_order[k]``. ``inb[r, k]`` marks it in origin ``r``'s bush, ``bflow[r, k]`` is
    that origin's flow on it,
    ``topo[r, :ntopo[r]]`` a topological order of the bush; ``num_nodes``/``num_links`` name the graph.
    """

    origins: IntArray
    inb: NDArray[np.uint8]
    bflow: FloatArray
    topo: NDArray[np.int32]
    ntopo: IntArray
    num_nodes: int
    num_links: int
    link_order: IntArray | None = None

    @property
    def nbytes(self) -> int:
        """Memory held by the bushes."""
        return int(self.inb.nbytes + self.bflow.nbytes + self.topo.nbytes + self.ntopo.nbytes)


def _empty(origins: IntArray, num_nodes: int, num_links: int) -> BushState:
    r = origins.size
    return BushState(origins.copy(), np.zeros((r, num_links), dtype=np.uint8), np.zeros((r, num_links)),
                     np.zeros((r, num_nodes), dtype=np.int32), np.zeros(r, dtype=np.int64), num_nodes, num_links)


@dataclass
class _Layout:
    """The graph with links renumbered by head node, so that a bush scan (a node's incoming links, in
    topological order) reads link data contiguously: new link ``k`` is the network's ``perm[k]``."""

    perm: IntArray
    inv: IntArray
    ptr: NDArray[np.int32]
    head: NDArray[np.int32]
    link: NDArray[np.int32]
    tail: NDArray[np.int32]
    lhead: NDArray[np.int32]
    rptr: NDArray[np.int32]
    rlink: NDArray[np.int32]
    blocked: NDArray[np.bool_]
    params: tuple[NDArray[np.generic], ...]
    fixed: FloatArray


def _layout(net: LinkNetwork) -> _Layout:
    """The solver's renumbering of ``net`` (forward star unchanged, its link ids mapped)."""
    ptr, head, link, _, blocked = net.sp.fstar
    perm = np.argsort(net.to_node, kind="stable")
    inv = np.empty_like(perm)
    inv[perm] = np.arange(perm.size)
    lhead = net.to_node[perm].astype(np.int32)
    rptr = np.searchsorted(lhead, np.arange(net.num_nodes + 1)).astype(np.int32)
    params = tuple(np.ascontiguousarray(p[perm]) for p in net.performance.kernel_params())
    return _Layout(perm, inv, ptr, head, inv[link].astype(np.int32), net.from_node[perm].astype(np.int32), lhead,
                   rptr, np.arange(perm.size, dtype=np.int32), blocked, params,
                   np.ascontiguousarray(net.fixed_cost[perm], dtype=np.float64))


def _start(net: LinkNetwork, lay: _Layout, demand: ODMatrix, cost: FloatArray, warm: BushState | None) -> BushState:
    """Bushes for ``demand``: the previous ones where ``warm`` has the origin (demand reloaded in the old
    proportions), shortest-path trees at ``cost`` for the others (their OD pairs must be reachable)."""
    from corridor.assignment import _kernels_bush as KB

    _, row_ptr, dest, flow = demand.layout()
    state = _empty(demand.origins, net.num_nodes, net.num_links)
    state.link_order = lay.perm
    fresh = np.ones(demand.origins.size, dtype=bool)
    if warm is not None:
        if (warm.num_nodes, warm.num_links) != (net.num_nodes, net.num_links):
            raise AssignmentError(
                f"warm start from a graph with {warm.num_nodes} nodes and {warm.num_links} links, "
                f"not {net.num_nodes} and {net.num_links}"
            )
        if warm.link_order is not None and not np.array_equal(warm.link_order, lay.perm):
            raise AssignmentError("warm start from a graph whose links join other nodes")
        pos = np.searchsorted(warm.origins, demand.origins)
        pos = np.minimum(pos, warm.origins.size - 1)
        hit = warm.origins[pos] == demand.origins
        for name in ("inb", "bflow", "topo", "ntopo"):
            getattr(state, name)[hit] = getattr(warm, name)[pos[hit]]
        fresh = ~hit
    if fresh.any():
        _plant(lay, demand, cost, state, np.flatnonzero(fresh))
    if warm is not None:
        KB.bush_rectify(lay.rptr, lay.rlink, lay.tail, state.origins, row_ptr, dest, flow, state.inb, state.bflow,
                        state.topo, state.ntopo)
    return state


def _plant(lay: _Layout, demand: ODMatrix, cost: FloatArray, state: BushState, rows: IntArray,
           into: BushState | None = None) -> None:
    """Replace the bushes of origin ``rows`` by their shortest-path trees at ``cost``, carrying their
    demand (whose OD pairs must be reachable); or write those trees to ``into``, a row for each of ``rows``."""
    from corridor.assignment import _kernels_bush as KB

    order, row_ptr, dest, flow = demand.layout()
    whole = into is None and rows.size == state.origins.size  # then ``state`` is still empty (cold start)
    sub = into if into is not None else state if whole else _empty(state.origins[rows], state.num_nodes,
                                                                    state.num_links)
    sub_ptr, idx = _rows_of(row_ptr, rows)
    oc = np.empty(idx.size)
    KB.bush_init(lay.ptr, lay.head, lay.link, lay.tail, lay.blocked, cost, sub.origins, sub_ptr, dest[idx],
                 flow[idx], sub.inb, sub.bflow, sub.topo, sub.ntopo, oc)
    if not np.isfinite(oc).all():
        od_cost = np.zeros(demand.od_flow.size)
        od_cost[order[idx]] = oc
        check_reachable(demand, od_cost)
    if sub is not state and into is None:
        for name in ("inb", "bflow", "topo", "ntopo"):
            getattr(state, name)[rows] = getattr(sub, name)


def _relay(lay: _Layout, demand: ODMatrix, cost: FloatArray, state: BushState, rows: IntArray) -> None:
    """Re-lay the bushes of origin ``rows`` on their shortest paths at ``cost``: the shortest-path tree's
    links join, the links that go against its order (Dijkstra's, which becomes the bush's topological
    order) leave, and the demand is reloaded in the old proportions where the old links stay."""
    from corridor.assignment import _kernels_bush as KB

    _, row_ptr, dest, flow = demand.layout()
    tree = _empty(state.origins[rows], state.num_nodes, state.num_links)
    _plant(lay, demand, cost, state, rows, into=tree)
    pos = np.empty(state.num_nodes, dtype=np.int64)
    for i, r in enumerate(rows):
        n = int(tree.ntopo[i])
        pos[:] = state.num_nodes
        pos[tree.topo[i, :n]] = np.arange(n)
        keep = (state.inb[r] != 0) & (pos[lay.tail] < pos[lay.lhead])
        state.bflow[r] = np.where(keep, state.bflow[r], 0.0)
        state.inb[r] = keep | (tree.inb[i] != 0)
        state.topo[r], state.ntopo[r] = tree.topo[i], n
    sub_ptr, idx = _rows_of(row_ptr, rows)
    inb, bflow = state.inb[rows], state.bflow[rows]
    KB.bush_rectify(lay.rptr, lay.rlink, lay.tail, state.origins[rows], sub_ptr, dest[idx], flow[idx], inb, bflow,
                    state.topo[rows], state.ntopo[rows])
    state.bflow[rows] = bflow


def _rows_of(row_ptr: IntArray, rows: IntArray) -> tuple[IntArray, IntArray]:
    """The demand layout's row pointers and entries of origin ``rows`` only."""
    sub_ptr = np.concatenate([[0], np.cumsum(row_ptr[rows + 1] - row_ptr[rows])])
    return sub_ptr, np.concatenate([np.arange(row_ptr[r], row_ptr[r + 1]) for r in rows])


def _stale(state: BushState, demand: ODMatrix, cost: FloatArray, od_cost: FloatArray) -> IntArray:
    """The origins whose bush flows cost more than (1 + :data:`STALE_EXCESS`) × their shortest paths
    (``od_cost``, in the demand's layout) at ``cost``."""
    _, row_ptr, _, flow = demand.layout()
    spent = state.bflow @ cost
    rows = np.repeat(np.arange(row_ptr.size - 1), np.diff(row_ptr))
    best = np.bincount(rows, weights=flow * od_cost, minlength=row_ptr.size - 1)
    return np.flatnonzero(spent > (1.0 + STALE_EXCESS) * best)


def _gap(lay: _Layout, state: BushState, lists: tuple[NDArray[np.int32], IntArray], demand: ODMatrix, x: FloatArray,
         cost: FloatArray, od_cost: FloatArray) -> float:
    """Relative gap at ``x`` (shortest paths by label correcting from the bushes' labels into ``od_cost``);
    ``lists``: the bushes' link lists (:func:`corridor.assignment._kernels_bush.bush_lists`)."""
    from corridor.assignment import _kernels_bush as KB

    _, row_ptr, dest, flow = demand.layout()
    spc = KB.sptt_bush(lay.ptr, lay.head, cost[lay.link], lay.tail, lay.lhead, lay.blocked, cost, state.origins,
                       row_ptr, dest, flow, *lists, state.topo, state.ntopo, od_cost)
    return relative_gap(x, cost, float(spc))


def algorithm_b(
    net: LinkNetwork,
    demand: ODMatrix,
    gap: float = 1e-6,
    max_iter: int = 1000,
    progress: bool | None = None,
    callback: Callable[[int, float, FloatArray], None] | None = None,
    warm: BushState | None = None,
    inner: int = 20,
) -> AssignmentResult:
    """Solve user equilibrium with Algorithm B (Dial 2006), bushes and flow shifts in compiled code.

    ``max_iter`` caps the iterations (one bush update per origin and one Dijkstra sweep each);
    ``inner`` caps the extra flow passes per iteration. ``warm`` restarts from earlier bushes
    (:attr:`AssignmentResult.state` of a run on the same graph). The result's ``state`` holds the bushes.
    """
    from corridor.assignment import _kernels as K
    from corridor.assignment import _kernels_bush as KB

    log = IterationLog("Algorithm B", gap, max_iter, progress, callback)
    lay = _layout(net)
    order, row_ptr, dest, flow = demand.layout()
    cost = net.cost(np.zeros(net.num_links))[lay.perm]
    der = np.zeros(net.num_links)
    oc = np.empty(flow.size)
    od_sp = np.empty_like(oc)
    state = _start(net, lay, demand, cost, warm)
    x = KB.bush_link_flows(state.bflow)
    K.update_links(x, *lay.params, lay.fixed, cost, der)
    it, g = 0, np.inf
    lists = KB.bush_lists(lay.rptr, state.inb, state.topo, state.ntopo)
    if warm is not None:  # the gap of the reloaded bushes: origins already near equilibrium are skipped
        g = _gap(lay, state, lists, demand, x, cost, oc)
        od_sp[order] = oc
        check_reachable(demand, od_sp)
        stale = _stale(state, demand, cost, oc)
        if stale.size:
            _relay(lay, demand, cost, state, stale)
            lists = KB.bush_lists(lay.rptr, state.inb, state.topo, state.ntopo)
            x = KB.bush_link_flows(state.bflow)
            K.update_links(x, *lay.params, lay.fixed, cost, der)
            g = _gap(lay, state, lists, demand, x, cost, oc)
    with log:
        while True:
            first = it == 0 and warm is None
            lists = KB.bush_iteration(
                1 if first else inner, 0.0 if first else 0.25 * min(g, 1e300), lay.ptr, lay.head, lay.link, lay.rptr,
                lay.tail, lay.lhead, lay.blocked, state.origins, row_ptr, dest, flow, state.inb, state.bflow,
                state.topo, state.ntopo, *lists, x, *lay.params, lay.fixed, cost, der)[1:]
            it += 1
            x = KB.bush_link_flows(state.bflow)
            K.update_links(x, *lay.params, lay.fixed, cost, der)
            g = _gap(lay, state, lists, demand, x, cost, oc)
            if log.record(it, g, x[lay.inv]):
                break
    x = x[lay.inv]
    od_sp[order] = oc
    res = log.result(net, demand, x, it, "bush", od_sp)
    res.state = state
    return res
