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

**Seeded path sets** (``seed_rounds > 0``). A path set of shortest paths leaves out every route that is
never the cheapest, so where the alternatives are few and far apart in cost (corridor choice: the sea
is never the cheapest for most pairs) the "SUE" barely differs from the deterministic equilibrium.
Seeding first gives each pair up to ``seed_rounds`` materially different routes: shortest paths at
free-flow costs, each round with every link used in an earlier round made dearer by a factor
``1 + (rounds it was used in)``. The path-set logit carries its known limit: overlapping paths are
treated as independent (IIA).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from corridor.assignment.gradient_projection import PathSet
from corridor.assignment.graph import LinkNetwork
from corridor.assignment.paths import ODMatrix, check_reachable, extract_paths, shortest_paths
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


def _seed_paths(net: LinkNetwork, demand: ODMatrix, ps: PathSet, rounds: int) -> None:
    """Add up to ``rounds`` distinct penalised shortest paths per OD pair to ``ps`` (see the module docstring)."""
    spg = net.sp
    dest = spg.dest_node[demand.od_zone]
    n_od = demand.od_flow.size
    base = net.cost(np.zeros(net.num_links))
    used = np.zeros(net.num_links)
    seen: list[set[bytes]] = [set() for _ in range(n_od)]
    for _ in range(rounds):
        _, pred = shortest_paths(spg, base * (1.0 + used), demand.origins)
        path, link = extract_paths(spg, pred, demand.od_row, dest)
        used[np.unique(link)] += 1.0
        order = np.lexsort((link, path))  # by OD pair, links sorted within: one byte key per route
        path, link = path[order], link[order]
        bounds = np.searchsorted(path, np.arange(n_od + 1))
        new = []
        for i in range(n_od):
            key = link[bounds[i]:bounds[i + 1]].tobytes()
            if key not in seen[i]:
                seen[i].add(key)
                new.append(i)
        od = np.array(new, dtype=np.int64)
        if od.size:
            keep = np.isin(path, od)
            ps.add(od, np.zeros(od.size), np.searchsorted(od, path[keep]), link[keep])


def logit_sue(
    net: LinkNetwork,
    demand: ODMatrix,
    theta: float = 1.0,
    gap: float = 1e-4,
    max_iter: int = 500,
    progress: bool | None = None,
    callback: Callable[[int, float, FloatArray], None] | None = None,
    *,
    seed_rounds: int = 0,
) -> AssignmentResult:
    """Logit SUE with dispersion ``theta`` by MSA on path flows.

    ``theta`` is the logit dispersion (1 / cost unit, > 0; large values approach deterministic user
    equilibrium), ``gap`` the target for the relative flow change ``Σ|y − x| / Σ x`` and ``max_iter`` the
    maximum number of iterations (one shortest-path sweep each); ``progress`` and ``callback`` are as for
    :func:`corridor.assignment.assign`, which checks the options. ``seed_rounds`` rounds of penalised
    shortest paths seed the path sets before the first iteration (module docstring; 0: none).
    """
    log = IterationLog("Logit SUE (MSA)", gap, max_iter, progress, callback)
    spg = net.sp
    dest = spg.dest_node[demand.od_zone]
    ps = PathSet(net.num_links, demand.od_flow.size)
    if seed_rounds > 0:
        _seed_paths(net, demand, ps, seed_rounds)
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
