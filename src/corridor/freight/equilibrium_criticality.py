"""Equilibrium criticality: remove each link, place, border crossing or country in turn and re-solve
the capacity-aware equilibrium of the corridor demand (:mod:`corridor.freight.congestion`).

Where :mod:`corridor.freight.criticality` re-routes the demand all-or-nothing, here every removal is a
new user equilibrium: traffic pushed off the element queues at the next bottleneck, and that pushes
other traffic away in turn. Each re-solve is Algorithm B (``bush``) warm-started from the base
equilibrium's bushes, so it only moves the flow the removal displaces.

* **Removal.** The element's engine links get a prohibitive toll (:data:`CLOSED_H` hours-equivalent
  per container), which the warm start accepts (same graph, other tolls) and which empties them at
  equilibrium. Zone pairs that lose every route are found first (a reachability sweep without the
  element), reported as unserved and taken out of the matrix, so the problem stays feasible.
* **Idle elements.** An element without flow in the base equilibrium is on no used route: the base
  solution stays an equilibrium without it, so it is not re-solved (harm 0).
* **Harm.** The change in the total generalized cost of the demand still served (its equilibrium
  cost per container after the removal minus before, × TEU / 2 × the value of time: US$ per year, as
  the all-or-nothing criticality) and the TEU per year left without a route. Changes smaller than
  the solve's resolution (``gap`` × the base total) are reported as 0.

Complexity: one warm re-solve per element (a few iterations of Algorithm B); elements run in
parallel on :func:`corridor.parallel.run_tasks` (processes, or Ray).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from ..assignment import AssignmentResult, LinkNetwork, assign
from ..errors import InvalidOptionError
from ..parallel import run_tasks
from .choice import with_constants
from .corridor_problem import BASE_YEAR, CorridorProblem, build_problem
from .criticality import RANKS, SCOPES, CriticalityResult, element_positions, rank_frame, scope_elements
from .inputs import FreightInputs
from .warm_solves import WARM_MAX_ITER, solve_from  # noqa: F401 (WARM_MAX_ITER: kept importable from here)

#: toll (hours-equivalent per container) on the engine links of a removed element
CLOSED_H = 1e6
#: a zone pair counts as affected when its equilibrium cost changes by more than this share
AFFECTED_SHARE = 1e-3
#: an element whose base flow is at most this share of the demand is idle: removing it changes nothing
IDLE_SHARE = 1e-12
_Row = tuple[float, float, float, int, int, float, bool, float]


@dataclass(frozen=True)
class _Shared:
    """What every worker needs: the engine network, the demand, the base solution, the elements."""

    network: LinkNetwork
    matrix: np.ndarray
    base: AssignmentResult
    base_od: np.ndarray            # zones × zones equilibrium cost, hours-equivalent per container
    element_links: list[np.ndarray]
    gap: float
    max_iter: int
    warm: bool
    resolution_h: float            # |Δ| below this (TEU × hours) is solver noise


def _od_cost(result: AssignmentResult, zones: int) -> np.ndarray:
    """The result's shortest-path cost per zone pair as a zones × zones array (nan: no demand)."""
    out = np.full((zones, zones), np.nan)
    out[result.od_pairs[:, 0], result.od_pairs[:, 1]] = result.od_cost
    return out


def _reachable(net: LinkNetwork, closed: np.ndarray) -> np.ndarray:
    """zones × zones: True where a route avoids the ``closed`` links (zones are not passed through)."""
    z, n = net.num_zones, net.num_nodes
    keep = np.ones(net.num_links, dtype=bool)
    keep[closed] = False
    to = np.where(net.to_node < z, net.to_node + n, net.to_node)[keep]
    m = csr_matrix((np.ones(int(keep.sum())), (net.from_node[keep], to)), shape=(n + z, n + z))
    dist = dijkstra(m, indices=np.arange(z), unweighted=True)
    return np.isfinite(np.atleast_2d(dist)[:, n:n + z])


def _resolve(s: _Shared, net: LinkNetwork, served: np.ndarray) -> tuple[AssignmentResult, bool]:
    """The equilibrium of ``served`` on ``net``, warm from the base bushes, and whether it was restarted
    from scratch because the warm solve stalled (more than :data:`WARM_MAX_ITER` iterations)."""
    return solve_from(net, served, s.base if s.warm else None, gap=s.gap, max_iter=s.max_iter)


def _remove(s: _Shared, k: int) -> _Row:
    """(Δ TEU·hours, TEU/yr unserved, TEU/yr affected, pairs affected, iterations, gap, restarted cold,
    seconds) of element k."""
    start = time.perf_counter()
    closed = s.element_links[k]
    if not len(closed) or s.base.flows[closed].max() <= IDLE_SHARE * s.matrix.sum():
        return 0.0, 0.0, 0.0, 0, 0, 0.0, False, 0.0
    lost = (s.matrix > 0) & ~_reachable(s.network, closed)
    served = np.where(lost, 0.0, s.matrix)
    unserved = float(s.matrix[lost].sum())
    if not served.any():
        return 0.0, unserved, unserved, int(lost.sum()), 0, 0.0, False, time.perf_counter() - start
    toll = s.network.toll.copy()
    toll[closed] += CLOSED_H
    net = dataclasses.replace(s.network, toll=toll)
    res, restarted = _resolve(s, net, served)
    new = _od_cost(res, s.network.num_zones)
    on = served > 0
    delta = float((served[on] * (new[on] - s.base_od[on])).sum())
    delta = 0.0 if abs(delta) < s.resolution_h else delta
    hit = on & (np.abs(new - s.base_od) > AFFECTED_SHARE * s.base_od)
    return (delta, unserved, unserved + float(served[hit].sum()), int(lost.sum() + hit.sum()), res.iterations,
            float(res.gap), restarted, time.perf_counter() - start)


def _solve(s: _Shared, chunk: list[int]) -> list[tuple[int, _Row]]:
    return [(k, _remove(s, k)) for k in chunk]


def _engine_elements(problem: CorridorProblem, inputs: FreightInputs,
                     scope: str) -> tuple[list[str], list[str], list[np.ndarray]]:
    """Element ids, labels and each element's engine links (only edges in the problem count)."""
    g = problem.graph
    real = np.flatnonzero(problem.edge >= 0)
    usable = np.zeros(g.n_edges, dtype=bool)
    usable[problem.edge[real]] = True
    ids, labels, a, b = scope_elements(inputs.router, scope, usable)
    a_link = np.full(len(problem.edge), -1, dtype=np.int64)
    b_link = np.full(len(problem.edge), -1, dtype=np.int64)
    a_link[real], b_link[real] = a[problem.edge[real]], b[problem.edge[real]]
    return ids, labels, element_positions(a_link, b_link, len(ids))


def equilibrium_criticality(inputs: FreightInputs, *, scope: str = "links", year: int | None = None,
                            rank_by: str = "unrouted", gap: float = 1e-6, max_iter: int = 1000,
                            warm: bool = True, workers: int = 1, ray_address: str | None = None,
                            progress: Any = None, chunks_per_worker: int = 4) -> CriticalityResult:
    """Remove each element of ``scope`` in turn, re-solve the corridor equilibrium and rank the elements.

    Parameters
    ----------
    inputs : FreightInputs
        Network, scenario, demand and settings (:func:`~corridor.freight.inputs.freight_inputs`).
    scope : {"links", "places", "crossings", "countries"}
        What to remove (as :func:`~corridor.freight.criticality.criticality`).
    year : int, optional
        Links open in this year are used (default: the scenario's year, else 2024, the demand's).
    rank_by : {"unrouted", "cost"}
        TEU left without a route first, or the increase in generalized cost only.
    gap : float
        Relative gap of the base solve and of every re-solve.
    max_iter : int
        Iteration cap of each solve.
    warm : bool
        Start each re-solve from the base equilibrium's bushes (False: from scratch; same answer).
    workers, ray_address
        Local processes, or a Ray cluster (``host:port`` or ``local``).

    Returns
    -------
    CriticalityResult
        The all-or-nothing result's columns (``affected_*``: zone pairs whose cost changes by more
        than :data:`AFFECTED_SHARE`, or that lose every route) plus ``iterations``, ``gap`` and
        ``seconds`` of each re-solve.
    """
    if scope not in SCOPES:
        raise InvalidOptionError(f"unknown scope {scope!r}; choose one of {', '.join(SCOPES)}")
    if rank_by not in RANKS:
        raise InvalidOptionError(f"unknown ranking {rank_by!r}; choose one of {', '.join(RANKS)}")
    start = time.perf_counter()
    problem = build_problem(inputs, year=inputs.year(year) or BASE_YEAR)
    problem = with_constants(problem, inputs.data, inputs.settings.cargo_class)   # constants.csv (choice.py)
    network = problem.engine_network()
    base = assign(network, problem.matrix, "bush", gap=gap, max_iter=max_iter, progress=False)
    base_od = _od_cost(base, problem.num_zones)
    base_h = float(np.nansum(problem.matrix * base_od))
    ids, labels, links = _engine_elements(problem, inputs, scope)
    shared = _Shared(network, problem.matrix, base, base_od, links, gap, max_iter, warm, gap * base_h)
    parallel = ray_address is not None or workers > 1
    n_chunks = max(1, min(len(ids), workers * chunks_per_worker)) if parallel else 1
    chunks = [c for c in (list(range(i, len(ids), n_chunks)) for i in range(n_chunks)) if c]
    results = run_tasks(_solve, shared, chunks, workers=workers, ray_address=ray_address,
                        description=f"equilibrium criticality of {len(ids)} {scope}", progress=progress,
                        weights=[len(c) for c in chunks])
    rows = dict(pair for chunk in results for pair in chunk)
    cols = ["delta_h", "unrouted_teu_per_year", "affected_teu_per_year", "affected_pairs", "iterations", "gap",
            "restarted", "seconds"]
    frame = pd.DataFrame([rows[k] for k in range(len(ids))], columns=cols)
    usd = problem.value_of_time / 2   # US$ per TEU-hour-equivalent (a container is an FEU)
    frame.insert(0, "delta_generalized_usd_per_year", frame.pop("delta_h") * usd)
    frame.insert(0, "label", labels)
    frame.insert(0, "id", ids)
    frame = rank_frame(frame, base_h * usd, rank_by)
    backend = f"ray:{ray_address}" if ray_address else ("process-pool" if workers > 1 else "serial")
    meta = {"year": problem.year, "rank_by": rank_by, "pairs": int((problem.matrix > 0).sum()),
            "method": "equilibrium", "algorithm": "bush", "gap": gap, "warm_start": warm,
            "base_iterations": base.iterations, "base_seconds": round(base.wall_time, 3),
            "resolve_seconds": round(float(frame["seconds"].sum()), 3),
            "restarted_cold": sorted(frame.loc[frame["restarted"], "id"])}
    return CriticalityResult(frame, scope, base_h * usd, 0.0, float(problem.matrix.sum()),
                             time.perf_counter() - start, workers, backend, meta)
