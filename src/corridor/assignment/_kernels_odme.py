"""Compiled (numba) kernels of the matrix estimation: OD–link use proportions read from the bushes.

An origin's bush splits the flow reaching each node among the node's incoming bush links in
proportion to the origin's flow on them (Algorithm B's bushes, :class:`corridor.assignment.bush.BushState`);
a node the origin sends nothing through takes its cheapest incoming bush link (where new demand would go).
Every OD pair of that origin shares the splits, so the proportion of OD ``(o, d)`` on link ``a`` is the
product of the splits along the bush from ``d`` back to ``o``. Both kernels walk each bush once:
forward in topological order to sum link weights over the splits (the gradient of Spiess 1990), backward
to load OD values onto the links (the link-flow derivative of a matrix change). Links are in the
solver's order (sorted by head node: node ``j``'s incoming links are ``rptr[j]:rptr[j + 1]``).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _labels(o, tp, nt, rptr, tail, b, cost, lab):
    """Shortest bush-path cost from ``o`` to every node of its bush (topological order ``tp[:nt]``)."""
    lab[o] = 0.0
    for idx in range(nt):
        j = tp[idx]
        if j == o:
            continue
        best = np.inf
        for a in range(rptr[j], rptr[j + 1]):
            if b[a] != 0 and lab[tail[a]] + cost[a] < best:
                best = lab[tail[a]] + cost[a]
        lab[j] = best


@njit(cache=True, inline="always")
def _cheapest_in(j, rptr, tail, b, cost, lab):
    best, arg = np.inf, -1
    for a in range(rptr[j], rptr[j + 1]):
        if b[a] != 0 and lab[tail[a]] + cost[a] < best:
            best, arg = lab[tail[a]] + cost[a], a
    return arg


@njit(cache=True)
def od_link_sums(origins, rptr, tail, inb, bflow, topo, ntopo, cost, w, row_ptr, od_dest, out):
    """``out[k] = Σ_a p_k^a w_a`` for every OD entry ``k`` (grouped by origin row), ``p`` from the bush splits."""
    n = rptr.size - 1
    lab = np.full(n, np.inf)
    acc = np.zeros(n)
    for r in range(origins.size):
        o = origins[r]
        tp, nt, b, f = topo[r], ntopo[r], inb[r], bflow[r]
        _labels(o, tp, nt, rptr, tail, b, cost, lab)
        acc[o] = 0.0
        for idx in range(nt):
            j = tp[idx]
            if j == o:
                continue
            tot, s = 0.0, 0.0
            for a in range(rptr[j], rptr[j + 1]):
                if b[a] != 0 and f[a] > 0.0:
                    tot += f[a]
                    s += f[a] * (acc[tail[a]] + w[a])
            if tot > 0.0:
                acc[j] = s / tot
            else:
                a = _cheapest_in(j, rptr, tail, b, cost, lab)
                acc[j] = acc[tail[a]] + w[a] if a >= 0 else 0.0
        for k in range(row_ptr[r], row_ptr[r + 1]):
            out[k] = acc[od_dest[k]]


@njit(cache=True)
def load_on_bushes(origins, rptr, tail, inb, bflow, topo, ntopo, cost, row_ptr, od_dest, od_value, x):
    """Add to ``x`` (solver order) the link flows of ``od_value`` (OD entries grouped by origin row) loaded
    onto the bushes with their splits."""
    n = rptr.size - 1
    lab = np.full(n, np.inf)
    node = np.zeros(n)
    for r in range(origins.size):
        o = origins[r]
        tp, nt, b, f = topo[r], ntopo[r], inb[r], bflow[r]
        any_zero_split = False
        for k in range(row_ptr[r], row_ptr[r + 1]):
            node[od_dest[k]] += od_value[k]
        for idx in range(nt - 1, -1, -1):
            j = tp[idx]
            dj = node[j]
            node[j] = 0.0
            if j == o or dj == 0.0:
                continue
            tot = 0.0
            for a in range(rptr[j], rptr[j + 1]):
                if b[a] != 0 and f[a] > 0.0:
                    tot += f[a]
            if tot > 0.0:
                for a in range(rptr[j], rptr[j + 1]):
                    if b[a] != 0 and f[a] > 0.0:
                        share = dj * f[a] / tot
                        x[a] += share
                        node[tail[a]] += share
            else:
                if not any_zero_split:  # labels only when a node without flow needs its cheapest link
                    _labels(o, tp, nt, rptr, tail, b, cost, lab)
                    any_zero_split = True
                a = _cheapest_in(j, rptr, tail, b, cost, lab)
                if a >= 0:
                    x[a] += dj
                    node[tail[a]] += dj
