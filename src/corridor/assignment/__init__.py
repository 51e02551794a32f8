"""Static traffic assignment: user equilibrium (FW, CFW, BFW, gradient projection) and logit SUE; matrix estimation from counts.

>>> from corridor.assignment import LinkNetwork, assign
>>> result = assign(network, demand, algorithm="bfw", gap=1e-4)   # doctest: +SKIP

The engine depends on nothing else of corridor but :mod:`corridor.errors`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from corridor.assignment.frank_wolfe import frank_wolfe
from corridor.assignment.graph import LinkNetwork
from corridor.assignment.odme import ODME_ALGORITHMS, CrossValidation, ODMEResult, estimate_matrix, leave_one_out
from corridor.assignment.paths import ODMatrix
from corridor.assignment.result import AssignmentResult, relative_gap
from corridor.assignment.vdf import VDF, LinkPerformance
from corridor.errors import AssignmentError, CountError, DemandError, NetworkError

__all__ = [
    "ALGORITHMS",
    "VDF",
    "AssignmentError",
    "AssignmentResult",
    "CountError",
    "CrossValidation",
    "DemandError",
    "LinkNetwork",
    "LinkPerformance",
    "NetworkError",
    "ODMEResult",
    "ODME_ALGORITHMS",
    "ODMatrix",
    "assign",
    "check_options",
    "estimate_matrix",
    "leave_one_out",
    "relative_gap",
]

ALGORITHMS = ("fw", "cfw", "bfw", "gp", "bush", "sue")
_DEFAULT_MAX_ITER = {"fw": 10_000, "cfw": 10_000, "bfw": 10_000, "gp": 2_000, "bush": 1_000, "sue": 500}


def check_options(algorithm: str, *, gap: float, max_iter: int | None = None, theta: float = 1.0) -> str:
    """The algorithm's name in :data:`ALGORITHMS` (``'frank-wolfe'`` is ``'fw'``, ``'b'`` is ``'bush'``), once the options are valid.

    Raises
    ------
    AssignmentError
        An unknown algorithm, ``gap < 0``, ``max_iter < 1``, or ``theta ≤ 0`` for ``'sue'``.
    """
    algo = {"frank-wolfe": "fw", "b": "bush", "algorithm-b": "bush"}.get(algorithm.lower(), algorithm.lower())
    if algo not in ALGORITHMS:
        raise AssignmentError(f"unknown algorithm {algorithm!r}; choose one of {', '.join(ALGORITHMS)}")
    if not gap >= 0:
        raise AssignmentError(f"gap must be >= 0, got {gap}")
    if max_iter is not None and max_iter < 1:
        raise AssignmentError(f"max_iter must be >= 1, got {max_iter}")
    if algo == "sue" and not theta > 0:
        raise AssignmentError(f"theta must be > 0, got {theta}")
    return algo


def assign(
    network: LinkNetwork,
    demand: NDArray[np.float64] | sp.spmatrix | sp.sparray | ODMatrix,
    algorithm: str = "bfw",
    gap: float = 1e-4,
    max_iter: int | None = None,
    progress: bool | None = None,
    callback: Callable[[int, float, NDArray[np.float64]], None] | None = None,
    theta: float = 1.0,
    seed_rounds: int = 0,
    warm_start: AssignmentResult | None = None,
) -> AssignmentResult:
    """Assign ``demand`` to ``network``.

    Parameters
    ----------
    network
        The graph (:class:`LinkNetwork`).
    demand
        ``zones × zones`` trips (dense numpy, scipy sparse, or a prepared :class:`ODMatrix`).
    algorithm
        ``'fw'`` (LeBlanc 1975), ``'cfw'``, ``'bfw'`` (Mitradjieva & Lindberg 2013), ``'gp'`` (path-based
        gradient projection, Jayakrishnan et al. 1994, origin by origin in compiled code), ``'bush'``
        (Algorithm B, Dial 2006, bush-based in compiled code: the recommended algorithm, fastest at tight
        gaps and the one that warm-starts), or ``'sue'`` (logit stochastic user
        equilibrium by the method of successive averages, dispersion ``theta``).
    gap
        Target relative gap (AequilibraE's definition, :func:`relative_gap`); for ``'sue'`` the target
        of its flow-change measure.
    max_iter
        Iteration cap (shortest-path sweeps).
    progress
        Rich progress bar with gap and iteration; ``None`` shows it only on a terminal.
    callback
        ``callback(iteration, gap, flows)`` after every iteration.
    theta
        Logit dispersion parameter (per unit of generalised cost) for ``'sue'``.
    seed_rounds
        ``'sue'`` only: seed each OD pair's path set with this many rounds of penalised shortest paths
        before the iterations (:func:`corridor.assignment.sue.logit_sue`); 0, the default, seeds none.
    warm_start
        ``'bush'`` only: a result of an earlier ``'bush'`` run on the same graph (link parameters, tolls
        or demand may differ); the solve starts from its bushes, its demand split kept
        (:func:`corridor.assignment.bush.algorithm_b`).
    """
    algo = check_options(algorithm, gap=gap, max_iter=max_iter, theta=theta)
    if warm_start is not None and not (algo == "bush" and warm_start.algorithm == "bush" and warm_start.state is not None):
        raise AssignmentError("warm_start needs algorithm 'bush' and the result of an earlier 'bush' run")
    cap = _DEFAULT_MAX_ITER[algo] if max_iter is None else int(max_iter)
    t0 = time.perf_counter()
    dem = demand if isinstance(demand, ODMatrix) else ODMatrix.from_matrix(demand, network.num_zones)
    if algo in ("fw", "cfw", "bfw"):
        res = frank_wolfe(network, dem, algo, gap, cap, progress, callback)
    elif algo == "gp":
        from corridor.assignment.gradient_projection import gradient_projection

        res = gradient_projection(network, dem, gap, cap, progress, callback)
    elif algo == "bush":
        from corridor.assignment.bush import algorithm_b

        res = algorithm_b(network, dem, gap, cap, progress, callback, warm_start.state if warm_start else None)
    else:
        from corridor.assignment.sue import logit_sue

        res = logit_sue(network, dem, theta, gap, cap, progress, callback, seed_rounds=seed_rounds)
    res.wall_time = time.perf_counter() - t0
    return res
