"""Exact line search on the Beckmann objective along a link-flow direction."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from corridor.assignment.vdf import LinkPerformance

__all__ = ["line_search"]

FloatArray = NDArray[np.float64]


def line_search(
    perf: LinkPerformance, fixed: FloatArray, x: FloatArray, d: FloatArray, upper: float = 1.0, tol: float = 1e-12
) -> float:
    """Step ``τ ∈ [0, upper]`` minimising ``Σ_a ∫₀^{x_a + τ d_a} c_a`` (safeguarded Newton on its slope).

    The slope ``g(τ) = Σ c(x + τ d) · d`` is increasing in ``τ``; the root is bracketed and refined by
    Newton steps that fall back to bisection when they leave the bracket.
    """
    nz = np.flatnonzero(d)
    if nz.size == 0:
        return 0.0
    xs, ds, fs = x[nz], d[nz], fixed[nz]
    sub = perf.subset(nz)

    def slope(t: float) -> float:
        return float((sub.time(xs + t * ds) + fs) @ ds)

    g0 = slope(0.0)
    if g0 >= 0.0:
        return 0.0
    g1 = slope(upper)
    if g1 <= 0.0:
        return upper
    lo, hi, t = 0.0, upper, upper * g0 / (g0 - g1)
    for _ in range(60):
        y = xs + t * ds
        g = float((sub.time(y) + fs) @ ds)
        if g > 0:
            hi = t
        else:
            lo = t
        if hi - lo <= tol * max(upper, 1e-300) or g == 0.0:
            break
        h = float(sub.derivative(y) @ (ds * ds))
        tn = t - g / h if h > 0 else 0.5 * (lo + hi)
        t = tn if lo < tn < hi else 0.5 * (lo + hi)
    return min(max(t, 0.0), upper)
