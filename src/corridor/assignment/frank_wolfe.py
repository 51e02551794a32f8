"""Link-based equilibrium: Frank–Wolfe, conjugate and bi-conjugate Frank–Wolfe.

* FW: LeBlanc, L.J., Morlok, E.K., Pierskalla, W.P. (1975), "An efficient approach to solving the road
  network equilibrium traffic assignment problem", *Transportation Research* 9(5), 309–318.
* CFW and BFW: Mitradjieva, M., Lindberg, P.O. (2013), "The stiff is moving — conjugate direction
  Frank–Wolfe methods with applications to traffic assignment", *Transportation Science* 47(2), 280–293.

Each iteration is one all-or-nothing load (:func:`corridor.assignment.paths.all_or_nothing`); the
direction is the FW vertex ``y``, or a conjugate combination of ``y`` with the previous one (CFW) or two
(BFW) target points, with the Hessian approximated by the diagonal ``t'(x)``; the step is an exact line
search on the Beckmann objective. As in AequilibraE, the first step after a full step (``τ = 1``) or a
bad conjugate direction restarts with a plain FW step, and BFW starts FW, CFW, then BFW.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from corridor.assignment.graph import LinkNetwork
from corridor.assignment.linesearch import line_search
from corridor.assignment.paths import ODMatrix, all_or_nothing
from corridor.assignment.result import AssignmentResult, IterationLog, relative_gap

__all__ = ["frank_wolfe"]

FloatArray = NDArray[np.float64]
_CONJ_MAX = 0.99999


def frank_wolfe(
    net: LinkNetwork,
    demand: ODMatrix,
    variant: str = "bfw",
    gap: float = 1e-4,
    max_iter: int = 1000,
    progress: bool | None = None,
    callback: Callable[[int, float, FloatArray], None] | None = None,
) -> AssignmentResult:
    """Solve user equilibrium with FW (``variant='fw'``), CFW (``'cfw'``) or BFW (``'bfw'``).

    ``gap`` is the target relative gap (:func:`corridor.assignment.result.relative_gap`) and ``max_iter``
    the maximum number of all-or-nothing loads; ``progress`` and ``callback`` are as for
    :func:`corridor.assignment.assign`.
    """
    log = IterationLog(f"{variant.upper()} assignment", gap, max_iter, progress, callback)
    perf, fixed, spg = net.performance, net.fixed_cost, net.sp
    x, _, _ = all_or_nothing(spg, demand, net.cost(np.zeros(net.num_links)))
    s1: FloatArray | None = None  # previous target point s_{k-1}
    s2: FloatArray | None = None  # s_{k-2}
    tau_prev = 0.0
    restart = True
    second = False  # after a restart, BFW takes one CFW step before BFW steps
    it = 1
    with log:
        while True:
            cost = net.cost(x)
            y, sp_cost, od_cost = all_or_nothing(spg, demand, cost)
            it += 1
            if log.record(it, relative_gap(x, cost, sp_cost), x):
                break
            # ---- direction
            if variant == "fw" or restart or s1 is None:
                s = y
                second = True
                restart = False
            elif variant == "cfw" or second or s2 is None:
                h = perf.derivative(x)
                a_ = s1 - x
                num = float(h @ (a_ * (y - x)))
                den = float(h @ (a_ * (y - s1)))
                alpha = min(max(num / den, 0.0), _CONJ_MAX) if den != 0.0 else 0.0
                s = alpha * s1 + (1.0 - alpha) * y
                second = False
            else:
                h = perf.derivative(x)
                xb = tau_prev * s1 + (1.0 - tau_prev) * s2 - x
                yb = y - x
                zb = s1 - x
                wb = s2 - s1
                md = float(h @ (xb * wb))
                mu = max(0.0, -float(h @ (xb * yb)) / md) if md != 0.0 else 0.0
                nd = float(h @ (zb * zb))
                nu = max(0.0, -float(h @ (zb * yb)) / nd + mu * tau_prev / (1.0 - tau_prev)) if nd != 0.0 else 0.0
                b0 = 1.0 / (1.0 + mu + nu)
                s = b0 * y + nu * b0 * s1 + mu * b0 * s2
            d = s - x
            tau = line_search(perf, fixed, x, d)
            if tau <= 0.0 and s is not y:  # conjugate direction failed: fall back to FW
                s, d = y, y - x
                tau = line_search(perf, fixed, x, d)
                second = True
            x = x + tau * d
            if tau >= 1.0 - 1e-12:
                restart = True
                s1 = s2 = None
            else:
                s2, s1 = s1, s
            tau_prev = tau
    return log.result(net, demand, x, it, variant, od_cost)
