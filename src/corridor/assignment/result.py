"""The result of an assignment run, the relative gap, the shared progress display and iteration log."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from corridor.assignment.graph import LinkNetwork
    from corridor.assignment.paths import ODMatrix

__all__ = ["AssignmentResult", "IterationLog", "Progress", "relative_gap"]

FloatArray = NDArray[np.float64]


def relative_gap(flows: FloatArray, cost: FloatArray, sp_cost: float) -> float:
    """AequilibraE's relative gap: ``|Σ_a x_a c_a − Σ_od d_od · π_od| / Σ_a x_a c_a``.

    ``c`` is the generalised link cost at ``x`` (time plus fixed extras) and ``π_od`` the shortest-path
    cost at those costs (``sp_cost`` is the demand-weighted sum). This is ``check_convergence`` in
    ``aequilibrae/paths/linear_approximation.py`` (AequilibraE 1.7.2), where the second term is the cost
    of the all-or-nothing load.
    """
    total = float(flows @ cost)
    if total == 0.0:
        return 0.0 if sp_cost == 0.0 else float("inf")
    return abs(total - sp_cost) / total


@dataclass
class AssignmentResult:
    """What an assignment returns.

    Attributes
    ----------
    flows
        Link flows at the last iterate (the one the last gap was measured at).
    cost, time
        Generalised cost and travel time of each link at ``flows``.
    gap
        Relative gap at ``flows`` (see :func:`relative_gap`); for SUE, the MSA flow-change measure.
    gap_history
        Gap at every iteration (iteration ``k`` is ``gap_history[k - 1]``).
    iterations
        Shortest-path sweeps performed.
    wall_time
        Seconds spent in the solver (setup included, I/O excluded).
    converged
        Whether ``gap`` reached the target.
    algorithm
        The algorithm's name.
    od_cost
        Shortest-path (for SUE: expected) cost of each OD pair with demand, aligned with ``od_pairs``.
    od_pairs
        ``(origin zone, destination zone)`` of each entry of ``od_cost`` (0-based).
    iteration_times
        Seconds since the start at each iteration.
    state
        The solver's state for a warm start (``'bush'``: its :class:`~corridor.assignment.bush.BushState`),
        else ``None``; pass the result as ``assign(..., warm_start=result)``.
    """

    flows: FloatArray
    cost: FloatArray
    time: FloatArray
    gap: float
    gap_history: list[float]
    iterations: int
    wall_time: float
    converged: bool
    algorithm: str
    od_cost: FloatArray = field(default_factory=lambda: np.empty(0))
    od_pairs: NDArray[np.int64] = field(default_factory=lambda: np.empty((0, 2), dtype=np.int64))
    iteration_times: list[float] = field(default_factory=list)
    state: Any = field(default=None, repr=False, compare=False)

    def objective(self, performance_integral: FloatArray | None = None) -> float:
        """Beckmann objective if the per-link integrals are given (see ``LinkNetwork.performance``)."""
        return float(np.sum(performance_integral)) if performance_integral is not None else float("nan")


class Progress(AbstractContextManager["Progress"]):
    """A rich progress bar with the gap and iteration; silent when disabled or not on a terminal."""

    def __init__(self, enabled: bool | None, label: str, max_iter: int, target: float, measure: str = "gap") -> None:
        self.enabled = sys.stderr.isatty() if enabled is None else bool(enabled)
        self.label = label
        self.measure = measure
        self.max_iter = max_iter
        self.target = target
        self._bar = None
        self._task = None

    def __enter__(self) -> Self:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                TextColumn("iter {task.completed:>5.0f}/{task.total:.0f}"),
                TextColumn(self.measure + " {task.fields[gap]:.3e} → {task.fields[target]:.0e}"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=False,
            )
            self._bar.start()
            self._task = self._bar.add_task(self.label, total=self.max_iter, gap=float("inf"), target=self.target)
        return self

    def update(self, iteration: int, gap: float) -> None:
        """Show ``iteration`` and ``gap``."""
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, completed=iteration, gap=gap)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.stop()


class IterationLog(Progress):
    """A :class:`Progress` that also keeps the run's gap history and timings, calls the callback, and builds
    the :class:`AssignmentResult`. The clock starts when the log is made, so make it before the solver's setup.
    """

    def __init__(
        self,
        label: str,
        gap: float,
        max_iter: int,
        progress: bool | None,
        callback: Callable[[int, float, FloatArray], None] | None,
    ) -> None:
        super().__init__(progress, label, max_iter, gap)
        self.start = time.perf_counter()
        self.callback = callback
        self.gap = float("inf")
        self.history: list[float] = []
        self.stamps: list[float] = []

    def record(self, iteration: int, gap: float, flows: FloatArray) -> bool:
        """Log ``gap`` at ``iteration``; True when the run should stop (target gap or ``max_iter`` reached)."""
        self.gap = gap
        self.history.append(gap)
        self.stamps.append(time.perf_counter() - self.start)
        self.update(iteration, gap)
        if self.callback is not None:
            self.callback(iteration, gap, flows)
        return gap <= self.target or iteration >= self.max_iter

    def result(
        self,
        net: LinkNetwork,
        demand: ODMatrix,
        flows: FloatArray,
        iterations: int,
        algorithm: str,
        od_cost: FloatArray,
    ) -> AssignmentResult:
        """The :class:`AssignmentResult` at ``flows``."""
        cost = net.cost(flows)
        return AssignmentResult(
            flows=flows,
            cost=cost,
            time=cost - net.fixed_cost,
            gap=self.gap,
            gap_history=self.history,
            iterations=iterations,
            wall_time=time.perf_counter() - self.start,
            converged=self.gap <= self.target,
            algorithm=algorithm,
            od_cost=od_cost,
            od_pairs=np.column_stack([demand.origins[demand.od_row], demand.od_zone]),
            iteration_times=self.stamps,
        )
