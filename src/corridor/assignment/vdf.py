"""Volume-delay (link performance) functions: BPR and Spiess's conical function.

Both are vectorised over all links and return time, derivative d t / d x and the Beckmann integral
∫₀ˣ t(w) dw, which the line searches and the objective use.

* **BPR** (Bureau of Public Roads, 1964): ``t = t0 · (1 + B · (x / c) ** p)``. ``B = 0`` or ``p = 0``
  gives a constant time (TNTP's Barcelona and Winnipeg code constant links as ``B = 0, p = 0``).
* **Conical** (Spiess, H., 1990, "Conical volume-delay functions", *Transportation Science* 24(2)):
  ``t = t0 · (2 + sqrt(α² (1 − r)² + β²) − α (1 − r) − β)`` with ``r = x / c`` and
  ``β = (2α − 1) / (2α − 2)``, ``α > 1``. It equals ``t0`` at zero flow and ``2 t0`` at capacity, is
  strictly increasing and convex, and — unlike BPR with a high power or Davidson's function, which is
  singular at capacity — grows only linearly (slope tending to ``2 α t0 / c``) beyond capacity. That makes it the
  function for capacity-constrained facilities such as terminals, ferries and border crossings: a large
  α (10–20) keeps the time near free-flow until the queue forms, then rises steeply but finitely, so
  all-or-nothing loads far above capacity stay well defined.

For a conical link the ``power`` array holds α (``b`` is unused).
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np
from numpy.typing import NDArray

__all__ = ["VDF", "LinkPerformance"]

FloatArray = NDArray[np.float64]


class VDF(IntEnum):
    """Per-link function code."""

    BPR = 0
    CONICAL = 1


class LinkPerformance:
    """Link times, derivatives and integrals for a set of links.

    Parameters
    ----------
    fft, capacity, b, power
        Free-flow time, capacity, BPR ``B`` and ``power`` (α for conical links), one value per link.
    kind
        Per-link :class:`VDF` code; ``None`` means BPR everywhere.
    """

    def __init__(
        self,
        fft: FloatArray,
        capacity: FloatArray,
        b: FloatArray,
        power: FloatArray,
        kind: NDArray[np.int8] | None = None,
    ) -> None:
        n = fft.size
        kind = np.zeros(n, dtype=np.int8) if kind is None else np.asarray(kind, dtype=np.int8)
        self.n = n
        bpr = kind == VDF.BPR
        cone = kind == VDF.CONICAL
        if not (bpr | cone).all():
            raise ValueError("unknown volume-delay function code")
        # BPR links whose time depends on flow; constant links are handled once.
        live = bpr & (b > 0) & (fft > 0)
        with np.errstate(divide="ignore"):
            live &= power > 0
        self._const = np.where(bpr & ~live, fft * (1.0 + np.where(power == 0, b, 0.0)), 0.0)
        self._bpr = np.flatnonzero(live)
        self._cone = np.flatnonzero(cone)
        t0 = fft[self._bpr]
        self._t0 = t0
        self._c = capacity[self._bpr]
        self._tb = t0 * b[self._bpr]
        self._p = power[self._bpr].astype(np.float64)
        self._p4 = bool(np.all(self._p == 4.0))
        # conical
        a = power[self._cone].astype(np.float64)
        if (a <= 1).any():
            raise ValueError("conical volume-delay function needs alpha > 1")
        self._ca = a
        self._cb = (2 * a - 1) / (2 * a - 2)
        self._ct0 = fft[self._cone]
        self._cc = capacity[self._cone]
        self._raw = (fft, capacity, b, power, kind)
        self._kernel: tuple[NDArray[np.generic], ...] | None = None

    def kernel_params(self) -> tuple[NDArray[np.generic], ...]:
        """Per-link arrays for the compiled kernels: ``kind, t0, cap, tb, pw, ca, cb, const``.

        ``kind`` is 0 (constant time ``const``), 1 (BPR ``t0 + tb · (x/cap)^pw``) or 2 (conical,
        ``ca`` = α, ``cb`` = β); the same functions as :meth:`time` and :meth:`derivative`.
        """
        if self._kernel is None:
            fft, capacity, b, power, _ = self._raw
            kind = np.zeros(self.n, dtype=np.int8)
            kind[self._bpr] = 1
            kind[self._cone] = 2
            t0 = fft.astype(np.float64).copy()
            cap = np.where(capacity > 0, capacity, 1.0).astype(np.float64)
            tb = (fft * b).astype(np.float64)
            pw = power.astype(np.float64).copy()
            ca = np.zeros(self.n)
            cb = np.zeros(self.n)
            ca[self._cone] = self._ca
            cb[self._cone] = self._cb
            self._kernel = (kind, t0, cap, tb, pw, ca, cb, self._const.copy())
        return self._kernel

    def subset(self, idx: NDArray[np.int64]) -> LinkPerformance:
        """The same functions restricted to links ``idx``."""
        fft, capacity, b, power, kind = self._raw
        return LinkPerformance(fft[idx], capacity[idx], b[idx], power[idx], kind[idx])

    # ---------------------------------------------------------------- BPR helpers
    def _ratio_pow(self, x: FloatArray) -> FloatArray:
        r = np.maximum(x[self._bpr], 0.0) / self._c
        if self._p4:
            r2 = r * r
            return r2 * r2
        return r**self._p

    def time(self, x: FloatArray) -> FloatArray:
        """Travel time ``t(x)`` per link."""
        t = self._const.copy()
        if self._bpr.size:
            t[self._bpr] = self._t0 + self._tb * self._ratio_pow(x)
        if self._cone.size:
            u = 1.0 - x[self._cone] / self._cc
            a, b = self._ca, self._cb
            t[self._cone] = self._ct0 * (2.0 + np.sqrt(a * a * u * u + b * b) - a * u - b)
        return t

    def derivative(self, x: FloatArray) -> FloatArray:
        """``d t / d x`` per link (0 on constant links)."""
        d = np.zeros(self.n)
        if self._bpr.size:
            xb = np.maximum(x[self._bpr], 0.0)
            r = xb / self._c
            if self._p4:
                d[self._bpr] = 4.0 * self._tb * r * r * r / self._c
            else:
                with np.errstate(divide="ignore", invalid="ignore"):
                    d[self._bpr] = np.where(
                        r > 0, self._tb * self._p * r ** (self._p - 1.0) / self._c,
                        np.where(self._p == 1.0, self._tb / self._c, 0.0),
                    )
        if self._cone.size:
            u = 1.0 - x[self._cone] / self._cc
            a, b = self._ca, self._cb
            d[self._cone] = self._ct0 / self._cc * (a - a * a * u / np.sqrt(a * a * u * u + b * b))
        return d

    def integral(self, x: FloatArray) -> FloatArray:
        """Beckmann term ``∫₀ˣ t(w) dw`` per link."""
        out = self._const * x
        if self._bpr.size:
            xb = x[self._bpr]
            out[self._bpr] = self._t0 * xb + self._tb * xb * self._ratio_pow(x) / (self._p + 1.0)
        if self._cone.size:
            c, a, b, t0 = self._cc, self._ca, self._cb, self._ct0
            xc = x[self._cone]

            def prim(u: FloatArray) -> FloatArray:  # ∫ sqrt(a²u²+b²) du in u = 1 - x/c
                s = np.sqrt(a * a * u * u + b * b)
                return (a * u * s + b * b * np.arcsinh(a * u / b)) / (2.0 * a)

            u0, u1 = np.ones_like(xc), 1.0 - xc / c
            sqrt_part = c * (prim(u0) - prim(u1))
            lin = (2.0 - b) * xc - a * (xc - xc * xc / (2.0 * c))
            out[self._cone] = t0 * (lin + sqrt_part)
        return out
