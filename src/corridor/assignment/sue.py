"""Logit stochastic user equilibrium by the method of successive averages over a generated path set.

Sheffi, Y. (1985), *Urban Transportation Networks*, Prentice-Hall, ch. 12 (MSA for SUE); logit route
choice as in Dial, R.B. (1971), "A probabilistic multipath traffic assignment model which obviates path
enumeration", *Transportation Research* 5(2), 83–111.

Route choice is multinomial logit over each OD pair's path set, ``P_k = exp(−θ c_k) / Σ_j exp(−θ c_j)``
with dispersion ``theta`` in 1 / (generalised cost unit). The path set is generated as the assignment
runs: every iteration adds each OD pair's shortest path at current costs (column generation), so it
holds the routes a deterministic equilibrium would use plus those that were shortest on the way. (Dial's
STOCH restricts choice to "efficient" links instead; the path set here makes the choice set explicit
and is vectorised the same way as :mod:`corridor.assignment.gradient_projection`.) Path flows are
averaged with step ``1 / k``. The convergence measure is the relative flow change
``Σ_a |y_a − x_a| / Σ_a x_a`` between the logit loading ``y`` at current costs and the current flows
``x``; it is reported as ``gap`` so the API has the same shape as the deterministic assignment.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from corridor.assignment.errors import AssignmentError
from corridor.assignment.gradient_projection import PathSet
from corridor.assignment.graph import Network
from corridor.assignment.paths import Demand, check_reachable, extract_paths, shortest_paths
from corridor.assignment.result import AssignmentResult, IterationLog

__all__ = ["logit_sue"]

FloatArray = NDArray[np.float64]


def _logit_flows(ps: PathSet, path_cost: FloatArray, demand: FloatArray, theta: float) -> tuple[FloatArray, FloatArray]:
    """Logit path flows and each OD's expected (log-sum) cost."""
    best = np.full(demand.size, np.inf)
    np.minimum.at(best, ps.od, path_cost)
    w = np.exp(-theta * (path_cost - best[ps.od]))
    tot = np.bincount(ps.od, weights=w, minlength=demand.size)
    flows = demand[ps.od] * w / tot[ps.od]
    return flows, best - np.log(tot) / theta


def logit_sue(
    net: Network,
    demand: Demand,
    theta: float = 1.0,
    gap: float = 1e-4,
    max_iter: int = 500,
    progress: bool | None = None,
    callback: Callable[[int, float, FloatArray], None] | None = None,
) -> AssignmentResult:
    """Logit SUE with dispersion ``theta`` by MSA on path flows.

    ``theta`` is the logit dispersion (1 / cost unit; large values approach deterministic user
    equilibrium), ``gap`` the target for the relative flow change ``Σ|y − x| / Σ x`` and ``max_iter`` the
    maximum number of iterations (one shortest-path sweep each); ``progress`` and ``callback`` are as for
    :func:`corridor.assignment.assign`.
    """
    if not theta > 0:
        raise AssignmentError(f"theta must be > 0, got {theta}")
    log = IterationLog("Logit SUE (MSA)", gap, max_iter, progress, callback)
    spg = net.sp
    dest = spg.dest_node[demand.od_zone]
    ps = PathSet(net.num_links, demand.od_flow.size)
    cost = net.cost(np.zeros(net.num_links))
    it = 0
    with log:
        while True:
            dist, pred = shortest_paths(spg, cost, demand.origins)
            od_sp = dist[demand.od_row, dest]
            it += 1
            if it == 1:
                check_reachable(demand, od_sp)
            if ps.size:
                pc = ps.A @ cost
                best, _ = ps.cheapest(pc)
                new = np.flatnonzero(od_sp < best * (1.0 - 1e-12) - 1e-300)
            else:
                new = np.arange(demand.od_flow.size)
            if new.size:
                path, link = extract_paths(spg, pred, demand.od_row[new], dest[new])
                ps.add(new, np.zeros(new.size), path, link)
            y_paths, expected = _logit_flows(ps, ps.A @ cost, demand.od_flow, theta)
            if it == 1:
                ps.flow = y_paths
                x = ps.link_flows()
            else:
                y = ps.AT @ y_paths
                if log.record(it, float(np.abs(y - x).sum() / max(x.sum(), 1e-300)), x):
                    break
                step = 1.0 / it
                ps.flow = ps.flow + step * (y_paths - ps.flow)
                x = x + step * (y - x)
            cost = net.cost(x)
    return log.result(net, demand, x, it, "sue", expected)
