"""Path-based equilibrium by gradient projection, origin by origin in compiled code.

Jayakrishnan, R., Tsai, W.K., Prashker, J.N., Rajadhyaksha, S. (1994), "A faster path-based algorithm
for traffic assignment", *Transportation Research Record* 1443, 75–83.

Each outer iteration runs one compiled all-origins shortest-path sweep at the current flows (which also
measures the relative gap, AequilibraE's definition). Then, origin by origin (Gauss–Seidel), every OD
pair gets its shortest path if that path is cheaper at the current costs than each path it has, and
its flow moves from each dearer used path ``p`` to its cheapest path ``s`` by the projected Newton step
``min(f_p, (c_p − c_s) / h_p)`` with ``h_p = Σ_{a ∈ p △ s} t'_a`` (links on exactly one of the two
paths); link flows, costs and derivatives are updated immediately, so the next OD pair sees them.
``inner`` further sweeps equilibrate the fixed path sets, and the link flows are then re-summed from
the path flows. Unused paths other than an OD's cheapest are dropped. The kernels are in
:mod:`corridor.assignment._kernels`; :class:`PathSet` (sparse path–link incidence) serves the SUE.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from corridor.assignment.graph import LinkNetwork
from corridor.assignment.paths import ODMatrix, check_reachable
from corridor.assignment.result import AssignmentResult, IterationLog, relative_gap

__all__ = ["PathSet", "gradient_projection"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


class PathSet:
    """Paths of all OD pairs: owner OD, flow, and the sparse path–link incidence (rows = paths)."""

    def __init__(self, num_links: int, num_od: int) -> None:
        self.num_links = num_links
        self.num_od = num_od
        self.od = np.empty(0, dtype=np.int64)
        self.flow = np.empty(0)
        self.A = sp.csr_matrix((0, num_links))
        self.AT = sp.csr_matrix((num_links, 0))

    @property
    def size(self) -> int:
        return int(self.od.size)

    def add(self, od: IntArray, flow: FloatArray, path: IntArray, link: IntArray) -> None:
        """Append paths (``path``/``link`` pairs index the new paths from 0)."""
        k = od.size
        rows = sp.csr_matrix((np.ones(path.size), (path, link)), shape=(k, self.num_links))
        rows.sum_duplicates()
        self.A = sp.vstack([self.A, rows], format="csr") if self.size else rows
        self.od = np.concatenate([self.od, od])
        self.flow = np.concatenate([self.flow, flow])
        self._refresh()

    def keep(self, mask: NDArray[np.bool_]) -> None:
        """Drop the paths where ``mask`` is False (their flow must be zero)."""
        self.A = self.A[np.flatnonzero(mask)]
        self.od = self.od[mask]
        self.flow = self.flow[mask]
        self._refresh()

    def _refresh(self) -> None:
        self.AT = self.A.T.tocsr()

    def link_flows(self) -> FloatArray:
        return self.AT @ self.flow

    def cheapest(self, path_cost: FloatArray) -> tuple[FloatArray, IntArray]:
        """Per OD: the cheapest path's cost and index."""
        best = np.full(self.num_od, np.inf)
        np.minimum.at(best, self.od, path_cost)
        cand = np.flatnonzero(path_cost <= best[self.od])
        # first candidate per OD
        o = self.od[cand]
        first = np.ones(cand.size, dtype=bool)
        order = np.argsort(o, kind="stable")
        first[order[1:]] = o[order[1:]] != o[order[:-1]]
        idx = np.empty(self.num_od, dtype=np.int64)
        idx[o[first]] = cand[first]
        return best, idx


def gradient_projection(
    net: LinkNetwork,
    demand: ODMatrix,
    gap: float = 1e-6,
    max_iter: int = 2000,
    progress: bool | None = None,
    callback: Callable[[int, float, FloatArray], None] | None = None,
    inner: int = 4,
) -> AssignmentResult:
    """Solve user equilibrium to a tight relative gap with path-based gradient projection.

    ``max_iter`` caps the shortest-path sweeps (outer iterations); ``inner`` is the number of extra
    Gauss–Seidel sweeps on the fixed path sets per outer iteration (after the one that adds the new
    shortest paths). ``gap``, ``progress`` and ``callback`` are as for :func:`corridor.assignment.assign`.
    """
    from corridor.assignment import _kernels as K

    log = IterationLog("GP assignment", gap, max_iter, progress, callback)
    ptr, head, link, tail, blocked = net.sp.fstar
    order, row_ptr, dest, flow = demand.layout()
    params = net.performance.kernel_params()
    fixed = np.ascontiguousarray(net.fixed_cost, dtype=np.float64)
    nl = net.num_links
    cost = net.cost(np.zeros(nl))
    der = np.zeros(nl)
    trees = np.full((demand.origins.size, net.num_nodes), -1, dtype=np.int32)
    oc = np.empty(flow.size)
    od_sp = np.empty_like(oc)
    mark = np.zeros(nl, dtype=np.int64)
    it = 0
    with log:
        while True:
            sp_cost = K.sp_trees(ptr, head, link, blocked, cost, demand.origins, row_ptr, dest, flow, trees, oc)
            it += 1
            if it == 1:
                od_sp[order] = oc
                check_reachable(demand, od_sp)
                *state, x = K.gp_init(trees, tail, demand.origins, row_ptr, dest, flow, nl)
                K.update_links(x, *params, fixed, cost, der)
                colgen = False
            else:
                if log.record(it, relative_gap(x, cost, float(sp_cost)), x):
                    break
                colgen = True
            for sweep in range(inner + 1):
                state = K.gp_pass(
                    colgen and sweep == 0, trees, tail, demand.origins, row_ptr, dest, *state,
                    x, *params, fixed, cost, der, mark,
                )
            odp, odn, pool, _, pstart, plen, pflow, _ = state
            x = K.path_link_flows(odp, odn, pool, pstart, plen, pflow, nl)
            K.update_links(x, *params, fixed, cost, der)
    od_sp[order] = oc
    return log.result(net, demand, x, it, "gp", od_sp)
