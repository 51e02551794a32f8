"""Many corridor equilibria in one process, each warm-started from the last one on the same graph.

A sweep or a sensitivity design solves the corridor network again and again with other costs,
capacities or demand. Algorithm B (``bush``) takes an earlier solution's bushes as its start when the
engine graph is the same (:func:`corridor.assignment.assign`, ``warm_start``) and then moves only the
flow the change displaces. :class:`WarmSolves` keeps the last solution per graph shape — the zones and
the end nodes of every engine link (:func:`graph_shape`) — and starts the next solve of that shape
there. A scenario that changes only costs, capacities, tolls or demand keeps the shape; one that opens
or removes a link, or a year in which another link is open, does not, and its first solve is cold.
A warm solve that has not converged within :data:`WARM_MAX_ITER` iterations is redone cold, so every
answer is an equilibrium to the same gap as a cold solve.

Sweeps and the sensitivity analysis keep one per task (a chunk of neighbouring runs, which share a
shape): a run's answer then depends on the chunk it is in, never on which worker ran it or when, so a
design gives the same numbers serially, on processes or on Ray.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from ..assignment import AssignmentResult, LinkNetwork, assign
from .corridor_problem import CorridorProblem

#: graph shapes whose last solution one WarmSolves keeps (oldest dropped first)
MAX_SHAPES = 8
#: iterations a warm re-solve may take before it is restarted from scratch: a safety net, as a closed
#: link's flow leaves the warm bushes at the first pass (:mod:`corridor.assignment.bush` re-lays the bushes
#: that used it); every link removal of the bundled network converges warm well within it
WARM_MAX_ITER = 20


def solve_from(network: LinkNetwork, matrix: np.ndarray, previous: AssignmentResult | None, *, gap: float,
               max_iter: int) -> tuple[AssignmentResult, bool]:
    """Algorithm B to relative gap ``gap``, warm from ``previous`` when given, and whether a warm solve had
    to be redone cold (not converged within :data:`WARM_MAX_ITER` iterations)."""
    if previous is not None:
        result = assign(network, matrix, "bush", gap=gap, max_iter=min(WARM_MAX_ITER, max_iter), progress=False,
                        warm_start=previous)
        if result.converged:
            return result, False
    return assign(network, matrix, "bush", gap=gap, max_iter=max_iter, progress=False), previous is not None


def graph_shape(problem: CorridorProblem) -> str:
    """A digest of what a warm start needs to be the same: zones, node count, each link's ends and the
    graph edge it stands for."""
    h = hashlib.blake2b(digest_size=16)
    h.update("\x1f".join(problem.zones).encode())
    h.update(f"|{problem.num_nodes}|{len(problem.from_node)}|".encode())
    h.update(problem.from_node.astype("int64").tobytes())
    h.update(problem.to_node.astype("int64").tobytes())
    h.update(problem.edge.astype("int64").tobytes())
    return h.hexdigest()


@dataclass
class WarmSolves:
    """Solves corridor problems with Algorithm B, warm from the last solution of the same shape.

    ``share=False`` solves every problem cold (the peer a benchmark compares against). ``warm``,
    ``cold`` and ``restarted`` count the solves of each kind (restarted: warm, then redone cold).
    """

    share: bool = True
    last: OrderedDict[str, AssignmentResult] = field(default_factory=OrderedDict)
    warm: int = 0
    cold: int = 0
    restarted: int = 0

    def solve(self, problem: CorridorProblem, *, gap: float = 1e-4, max_iter: int = 500) -> AssignmentResult:
        """The user equilibrium of ``problem`` to relative gap ``gap`` (``bush``; see the module docstring)."""
        shape = graph_shape(problem)
        previous = self.last.get(shape) if self.share else None
        result, restarted = solve_from(problem.engine_network(), problem.matrix, previous, gap=gap,
                                       max_iter=max_iter)
        if previous is not None and not restarted:
            self.warm += 1
        else:
            self.restarted += restarted
            self.cold += 1
        if self.share:
            self.last[shape] = result
            self.last.move_to_end(shape)
            while len(self.last) > MAX_SHAPES:
                self.last.popitem(last=False)
        return result


__all__ = ["MAX_SHAPES", "WARM_MAX_ITER", "WarmSolves", "graph_shape", "solve_from"]
