"""Capacity-aware corridor assignment: equilibrium flows of the demand matrix, bottlenecks and
corridor volumes set beside the published ones.

The demand (``zones.csv``/``demand.csv``, TEU per year) is assigned on the compiled virtual graph
(:class:`~corridor.graph.RoutingGraph`) by the assignment engine (:mod:`corridor.assignment`). The
problem — costs in hours-equivalent per container, capacities, delay functions — is built by
:mod:`corridor.freight.corridor_problem`; the result is a
:class:`~corridor.freight.corridor_flows.CorridorFlows`, and :func:`~corridor.freight.vc_map.plot_vc_map`
draws it.

* **Value of time.** The cargo class is ``high_value`` by default (:data:`corridor.freight.demand.CARGO_CLASS`):
  the matrix holds the boxes that went by land in 2024, and with the general class's value of time
  every China–Europe box would take the (cheaper, slower) sea.
* **Route choice.** Deterministic user equilibrium (Wardrop) by bi-conjugate Frank–Wolfe (``bfw``,
  default) or another engine algorithm; or logit stochastic user equilibrium (``sue``): shippers
  differ, so each route gets a share ∝ exp(−θ · cost), θ per hour-equivalent (default
  :data:`DEFAULT_THETA` = 0.02: routes 50 h-equivalent apart — about two days, or US$714 per FEU
  at the high-value class's US$14.27 per FEU-hour — differ in odds by a factor e). Each pair's path
  set is seeded with :data:`SUE_SEED_ROUNDS` penalised alternatives, so that every corridor a shipper
  might take has a share, not only those that are ever the cheapest (:mod:`corridor.assignment.sue`).
"""

from __future__ import annotations

from collections.abc import Callable

from ..assignment import ALGORITHMS, AssignmentResult, assign, check_options
from ..network.counts_table import load_counts
from .choice import with_constants
from .corridor_flows import CorridorFlows
from .corridor_problem import BASE_YEAR, CorridorProblem, build_problem
from .inputs import FreightInputs, freight_inputs

#: logit dispersion per hour-equivalent (see the module docstring)
DEFAULT_THETA = 0.02
#: rounds of penalised shortest paths that seed each zone pair's SUE path set
SUE_SEED_ROUNDS = 6

Progress = Callable[[int, float], None]


def solve(problem: CorridorProblem, *, algorithm: str = "bfw", gap: float = 1e-4, max_iter: int = 500,
          theta: float = DEFAULT_THETA, progress: Progress | None = None,
          show_progress: bool | None = False) -> AssignmentResult:
    """Equilibrium link flows of ``problem`` (TEU per year per engine link) by the engine's
    :func:`~corridor.assignment.assign`.

    ``algorithm`` is one of :data:`~corridor.assignment.ALGORITHMS`: a user-equilibrium algorithm
    (``bfw`` default, ``cfw``, ``fw``, ``gp``) or ``sue``, the logit stochastic user equilibrium with
    dispersion ``theta`` (per hour-equivalent) over path sets seeded with :data:`SUE_SEED_ROUNDS`
    alternatives. ``gap`` is the relative gap for user equilibrium and the relative change of flows
    between iterations for SUE. ``show_progress`` draws the engine's rich progress bar (``None``: only
    on a terminal); ``progress(iteration, gap)`` is called each iteration.

    Raises
    ------
    AssignmentError
        An option out of range (:func:`~corridor.assignment.check_options`).
    """
    callback = (lambda k, g, _x: progress(k, g)) if progress else None
    return assign(problem.engine_network(), problem.matrix, algorithm=algorithm, gap=gap, max_iter=max_iter,
                  progress=show_progress, callback=callback, theta=theta, seed_rounds=SUE_SEED_ROUNDS)


def assign_corridors(inputs: FreightInputs | None = None, *, year: int | None = None, algorithm: str = "bfw",
                     gap: float | None = None, max_iter: int | None = None, theta: float = DEFAULT_THETA,
                     progress: Progress | None = None, show_progress: bool | None = False,
                     constants: bool = True) -> CorridorFlows:
    """Assign the corridor demand with capacities and report flows, bottlenecks and corridor volumes.

    Parameters
    ----------
    inputs : FreightInputs, optional
        Network, scenario, demand and settings (:func:`~corridor.freight.inputs.freight_inputs`); the
        bundled dataset as it is by default.
    year : int, optional
        Links open in this year are used (default: the scenario's year, else 2024, the demand's base year).
    algorithm : {"bfw", "cfw", "fw", "gp", "sue"}
        Deterministic user equilibrium by an engine algorithm, or logit stochastic user equilibrium.
    gap : float, optional
        Convergence: relative gap (UE, default 1e-4) or relative flow change (SUE, default 1e-3).
    max_iter : int, optional
        Iteration limit (default 500 for UE, 300 for SUE).
    theta : float
        Logit dispersion per hour-equivalent (SUE only), default :data:`DEFAULT_THETA`.
    progress : callable, optional
        Called as ``progress(iteration, gap)``.
    show_progress : bool or None
        Draw the engine's rich progress bar (``None``: only on a terminal).
    constants : bool
        Apply the route-choice constants of the dataset's ``constants.csv`` for the cargo class
        (:mod:`corridor.freight.choice`); ``False``: the modelled costs alone.

    Returns
    -------
    CorridorFlows

    Raises
    ------
    AssignmentError
        An option out of range, before anything is built.
    DataError
        A bad ``counts.csv`` (file, line, field).

    Examples
    --------
    >>> flows = assign_corridors(freight_inputs("tripp"), year=2028)  # doctest: +SKIP
    >>> flows.corridors()[["corridor", "model_teu", "published_teu"]]  # doctest: +SKIP
    """
    sue = algorithm.lower() == "sue"
    gap = gap if gap is not None else (1e-3 if sue else 1e-4)
    max_iter = max_iter if max_iter is not None else (300 if sue else 500)
    check_options(algorithm, gap=gap, max_iter=max_iter, theta=theta)
    inputs = inputs if inputs is not None else freight_inputs()
    problem = build_problem(inputs, year=inputs.year(year) or BASE_YEAR)
    problem = with_constants(problem, inputs.data, inputs.settings.cargo_class, constants)
    result = solve(problem, algorithm=algorithm, gap=gap, max_iter=max_iter, theta=theta, progress=progress,
                   show_progress=show_progress)
    return CorridorFlows.from_result(problem, result, theta=theta, counts=load_counts(inputs.data, network=inputs.base),
                                     tonnes_per_teu=inputs.router.tonnes_per_feu / 2)


__all__ = [
    "ALGORITHMS",
    "DEFAULT_THETA",
    "SUE_SEED_ROUNDS",
    "assign_corridors",
    "build_problem",
    "solve",
]
