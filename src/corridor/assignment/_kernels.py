"""Compiled (numba) kernels: per-origin Dijkstra fused with all-or-nothing loading, and the
origin-by-origin (Gauss–Seidel) path-based gradient projection.

The graph is the forward star of the real nodes (``ptr``, ``head``, ``link``): parallel links are
separate entries and a link id names its CSR entry, so no dummy nodes are needed. Zones that block
through traffic are not expanded unless they are the origin.

Dijkstra uses a binary heap with lazy deletion (a node is pushed again when its label improves; stale
entries are skipped) and stops when every destination of the origin is settled. Nodes are recorded in
the order they are settled, which is a topological order of the shortest-path tree: all-or-nothing
loading walks it backwards and pushes each node's accumulated demand onto the link to its parent.
``benchmarks/assignment.py`` measures this kernel against ``scipy.sparse.csgraph.dijkstra`` plus the
vectorised numpy loading (:func:`corridor.assignment.paths.all_or_nothing_scipy`).
"""

from __future__ import annotations

import numpy as np
from numba import njit

# per-link function kinds used by the kernels
K_CONST = 0
K_BPR = 1
K_CONE = 2


# --------------------------------------------------------------------------- link functions
@njit(cache=True, inline="always")
def _update_link(a, xa, kind, t0, cap, tb, pw, ca, cb, const, fixed, cost, der):
    k = kind[a]
    if k == K_CONST:
        cost[a] = const[a] + fixed[a]
        der[a] = 0.0
    elif k == K_BPR:
        r = xa / cap[a] if xa > 0.0 else 0.0
        p = pw[a]
        if p == 4.0:
            r3 = r * r * r
            cost[a] = t0[a] + tb[a] * r3 * r + fixed[a]
            der[a] = 4.0 * tb[a] * r3 / cap[a]
        else:
            cost[a] = t0[a] + tb[a] * r**p + fixed[a]
            if r > 0.0:
                der[a] = tb[a] * p * r ** (p - 1.0) / cap[a]
            elif p == 1.0:
                der[a] = tb[a] / cap[a]
            else:
                der[a] = 0.0
    else:
        u = 1.0 - xa / cap[a]
        al = ca[a]
        be = cb[a]
        s = np.sqrt(al * al * u * u + be * be)
        cost[a] = t0[a] * (2.0 + s - al * u - be) + fixed[a]
        der[a] = t0[a] / cap[a] * (al - al * al * u / s)


@njit(cache=True)
def update_links(x, kind, t0, cap, tb, pw, ca, cb, const, fixed, cost, der):
    """Cost and derivative of every link at flows ``x`` (in place)."""
    for a in range(x.size):
        _update_link(a, x[a], kind, t0, cap, tb, pw, ca, cb, const, fixed, cost, der)


# --------------------------------------------------------------------------- Dijkstra
@njit(cache=True, inline="always")
def _sift_down(hk, hv, size):
    """Move the entry at ``size`` (the old last one) down from the root of the heap of ``size`` entries."""
    kk = hk[size]
    vv = hv[size]
    i = 0
    while True:
        c = 2 * i + 1
        if c >= size:
            break
        if c + 1 < size and hk[c + 1] < hk[c]:
            c += 1
        if hk[c] >= kk:
            break
        hk[i] = hk[c]
        hv[i] = hv[c]
        i = c
    hk[i] = kk
    hv[i] = vv


@njit(cache=True, inline="always")
def _sift_up(hk, hv, i, key, val):
    """Insert ``(key, val)`` into the heap at the free slot ``i`` (its old size)."""
    while i > 0:
        par = (i - 1) >> 1
        if hk[par] <= key:
            break
        hk[i] = hk[par]
        hv[i] = hv[par]
        i = par
    hk[i] = key
    hv[i] = val


@njit(cache=True, inline="always")
def _mark_targets(tmark, od_dest, lo, hi, stamp):
    """Stamp the destinations ``od_dest[lo:hi]`` in ``tmark``; returns how many distinct ones there are."""
    nt = 0
    for k in range(lo, hi):
        dd = od_dest[k]
        if tmark[dd] != stamp:
            tmark[dd] = stamp
            nt += 1
    return nt


@njit(cache=True, inline="always")
def _od_costs(dist, od_dest, od_flow, od_cost, lo, hi, total):
    """Write the costs of the OD entries ``lo:hi`` into ``od_cost``; returns ``total + Σ demand · cost``."""
    for k in range(lo, hi):
        c = dist[od_dest[k]]
        od_cost[k] = c
        total += c * od_flow[k]
    return total


@njit(cache=True)
def _dijkstra(o, ptr, head, link, cost, blocked, dist, plink, order, hk, hv, tmark, stamp, ntarget):
    """Shortest-path tree from ``o`` until the ``ntarget`` nodes with ``tmark == stamp`` are settled.

    ``dist`` must be +inf everywhere on entry; returns the number of settled nodes (in ``order``).
    ``plink[v]`` is the link into ``v`` on its tree path (valid for settled ``v`` other than ``o``).
    """
    dist[o] = 0.0
    plink[o] = -1
    hk[0] = 0.0
    hv[0] = o
    size = 1
    nset = 0
    left = ntarget
    while size > 0:
        d = hk[0]
        v = hv[0]
        size -= 1
        if size > 0:
            _sift_down(hk, hv, size)
        if d > dist[v]:
            continue
        order[nset] = v
        nset += 1
        if tmark[v] == stamp:
            left -= 1
            if left == 0:
                break
        if blocked[v] and v != o:
            continue
        for e in range(ptr[v], ptr[v + 1]):
            w = head[e]
            nd = d + cost[link[e]]
            if nd < dist[w]:
                dist[w] = nd
                plink[w] = link[e]
                _sift_up(hk, hv, size, nd, w)
                size += 1
    return nset


@njit(cache=True)
def aon(ptr, head, link, tail, blocked, cost, origins, row_ptr, od_dest, od_flow, x, od_cost):
    """All-or-nothing loading of every origin (``row_ptr`` delimits each origin's OD entries).

    Adds the loads to ``x``, writes each OD's shortest-path cost into ``od_cost`` (+inf when
    unreachable) and returns ``Σ demand · cost``.
    """
    n = ptr.size - 1
    dist = np.full(n, np.inf)
    plink = np.full(n, -1, dtype=np.int32)
    order = np.empty(n, dtype=np.int32)
    hk = np.empty(head.size + 1)
    hv = np.empty(head.size + 1, dtype=np.int32)
    tmark = np.zeros(n, dtype=np.int32)
    load = np.zeros(n)
    total = 0.0
    for r in range(origins.size):
        o = origins[r]
        lo, hi = row_ptr[r], row_ptr[r + 1]
        nt = _mark_targets(tmark, od_dest, lo, hi, r + 1)
        for k in range(lo, hi):
            load[od_dest[k]] += od_flow[k]
        nset = _dijkstra(o, ptr, head, link, cost, blocked, dist, plink, order, hk, hv, tmark, r + 1, nt)
        total = _od_costs(dist, od_dest, od_flow, od_cost, lo, hi, total)
        for i in range(nset - 1, 0, -1):
            v = order[i]
            f = load[v]
            if f != 0.0:
                a = plink[v]
                x[a] += f
                load[tail[a]] += f
                load[v] = 0.0
        load[o] = 0.0
        for k in range(lo, hi):  # unreachable destinations keep their load
            load[od_dest[k]] = 0.0
        dist[:] = np.inf
    return total


@njit(cache=True)
def sp_trees(ptr, head, link, blocked, cost, origins, row_ptr, od_dest, od_flow, trees, od_cost):
    """Shortest-path trees (``trees[r, v]`` = link into ``v``) and OD costs for every origin."""
    n = ptr.size - 1
    dist = np.full(n, np.inf)
    order = np.empty(n, dtype=np.int32)
    hk = np.empty(head.size + 1)
    hv = np.empty(head.size + 1, dtype=np.int32)
    tmark = np.zeros(n, dtype=np.int32)
    total = 0.0
    for r in range(origins.size):
        lo, hi = row_ptr[r], row_ptr[r + 1]
        nt = _mark_targets(tmark, od_dest, lo, hi, r + 1)
        _dijkstra(origins[r], ptr, head, link, cost, blocked, dist, trees[r], order, hk, hv, tmark, r + 1, nt)
        total = _od_costs(dist, od_dest, od_flow, od_cost, lo, hi, total)
        dist[:] = np.inf
    return total


# --------------------------------------------------------------------------- gradient projection
@njit(cache=True, inline="always")
def _path_cost(p, pstart, plen, pool, cost):
    c = 0.0
    for q in range(pstart[p], pstart[p] + plen[p]):
        c += cost[pool[q]]
    return c


@njit(cache=True)
def gp_init(trees, tail, origins, row_ptr, od_dest, od_flow, num_links):
    """One path per OD (the tree path) carrying all its demand; returns the path store and link flows."""
    nod = od_flow.size
    cap_k = 4
    odp = np.full((nod, cap_k), -1, dtype=np.int32)
    odn = np.zeros(nod, dtype=np.int64)
    pool = np.empty(max(1024, 16 * nod), dtype=np.int32)
    pstart = np.empty(2 * nod + 16, dtype=np.int64)
    plen = np.empty(2 * nod + 16, dtype=np.int64)
    pflow = np.empty(2 * nod + 16)
    x = np.zeros(num_links)
    used = 0
    npaths = 0
    for r in range(origins.size):
        o = origins[r]
        for k in range(row_ptr[r], row_ptr[r + 1]):
            v = od_dest[k]
            start = used
            while v != o:
                a = trees[r, v]
                if used >= pool.size:
                    bigger = np.empty(2 * pool.size, dtype=np.int32)
                    bigger[:used] = pool[:used]
                    pool = bigger
                pool[used] = a
                used += 1
                x[a] += od_flow[k]
                v = tail[a]
            pstart[npaths] = start
            plen[npaths] = used - start
            pflow[npaths] = od_flow[k]
            odp[k, 0] = npaths
            odn[k] = 1
            npaths += 1
    return odp, odn, pool, used, pstart, plen, pflow, npaths, x


@njit(cache=True)
def gp_pass(
    colgen, trees, tail, origins, row_ptr, od_dest,
    odp, odn, pool, used, pstart, plen, pflow, npaths,
    x, kind, t0, cap, tb, pw, ca, cb, const, fixed, cost, der, mark,
):
    """One Gauss–Seidel sweep over all OD pairs, origin by origin.

    With ``colgen`` each OD first gets its tree path from ``trees`` if that path is cheaper (at the
    current costs) than every path it has. Then the OD's flow moves from each dearer used path ``p`` to
    its cheapest path ``s`` by the projected Newton step ``min(f_p, (c_p − c_s) / Σ_{a∈p△s} t'_a)``
    (Jayakrishnan et al. 1994), updating link flows, costs and derivatives at once. Unused paths other
    than the cheapest are dropped. Returns the (possibly reallocated) path store.
    """
    mark[:] = 0
    markp = np.zeros(x.size, dtype=np.int64)
    stamp = 0
    pstamp = 0
    dead = 0
    for r in range(origins.size):
        o = origins[r]
        for k in range(row_ptr[r], row_ptr[r + 1]):
            n = odn[k]
            if colgen:
                v = od_dest[k]
                cnew = 0.0
                ln = 0
                while v != o:
                    a = trees[r, v]
                    cnew += cost[a]
                    ln += 1
                    v = tail[a]
                best = np.inf
                for j in range(n):
                    best = min(best, _path_cost(odp[k, j], pstart, plen, pool, cost))
                if cnew < best * (1.0 - 1e-12):
                    # append the tree path
                    if used + ln > pool.size:
                        bigger = np.empty(2 * pool.size + ln, dtype=np.int32)
                        bigger[:used] = pool[:used]
                        pool = bigger
                    if npaths >= pstart.size:
                        m2 = 2 * pstart.size
                        ps2 = np.empty(m2, dtype=np.int64)
                        pl2 = np.empty(m2, dtype=np.int64)
                        pf2 = np.empty(m2)
                        ps2[:npaths] = pstart[:npaths]
                        pl2[:npaths] = plen[:npaths]
                        pf2[:npaths] = pflow[:npaths]
                        pstart, plen, pflow = ps2, pl2, pf2
                    if n >= odp.shape[1]:
                        odp2 = np.full((odp.shape[0], 2 * odp.shape[1]), -1, dtype=np.int32)
                        odp2[:, : odp.shape[1]] = odp
                        odp = odp2
                    v = od_dest[k]
                    start = used
                    while v != o:
                        a = trees[r, v]
                        pool[used] = a
                        used += 1
                        v = tail[a]
                    pstart[npaths] = start
                    plen[npaths] = ln
                    pflow[npaths] = 0.0
                    odp[k, n] = npaths
                    npaths += 1
                    n += 1
                    odn[k] = n
            if n < 2:
                continue
            # cheapest path
            best = np.inf
            js = 0
            for j in range(n):
                c = _path_cost(odp[k, j], pstart, plen, pool, cost)
                if c < best:
                    best = c
                    js = j
            s = odp[k, js]
            stamp += 1
            for q in range(pstart[s], pstart[s] + plen[s]):
                mark[pool[q]] = stamp
            for j in range(n):
                if j == js:
                    continue
                p = odp[k, j]
                f = pflow[p]
                if f <= 0.0:
                    continue
                cp = 0.0
                hp = 0.0
                for q in range(pstart[p], pstart[p] + plen[p]):
                    a = pool[q]
                    cp += cost[a]
                    if mark[a] == stamp:
                        hp -= der[a]
                    else:
                        hp += der[a]
                cs = 0.0
                ds = 0.0
                for q in range(pstart[s], pstart[s] + plen[s]):
                    a = pool[q]
                    cs += cost[a]
                    ds += der[a]
                if cp <= cs:
                    continue
                h = hp + ds
                if h > 0.0:
                    step = (cp - cs) / h
                    step = min(f, step)
                else:
                    step = f
                # links on both paths keep their flow: mark p's links, move flow on the others
                pstamp += 1
                for q in range(pstart[p], pstart[p] + plen[p]):
                    a = pool[q]
                    markp[a] = pstamp
                    if mark[a] != stamp:
                        xa = x[a] - step
                        x[a] = xa
                        _update_link(a, xa, kind, t0, cap, tb, pw, ca, cb, const, fixed, cost, der)
                for q in range(pstart[s], pstart[s] + plen[s]):
                    a = pool[q]
                    if markp[a] != pstamp:
                        xa = x[a] + step
                        x[a] = xa
                        _update_link(a, xa, kind, t0, cap, tb, pw, ca, cb, const, fixed, cost, der)
                pflow[s] += step
                pflow[p] = 0.0 if step >= f else f - step
            # drop unused paths other than the cheapest
            m = 0
            for j in range(n):
                p = odp[k, j]
                if p == s or pflow[p] > 0.0:
                    odp[k, m] = p
                    m += 1
                else:
                    dead += plen[p]
            for j in range(m, n):
                odp[k, j] = -1
            odn[k] = m
    # compact the pool when more than half of it is dead
    if dead > 0 and 2 * dead > used:
        pool2 = np.empty(max(1024, 2 * (used - dead)), dtype=np.int32)
        ps2 = np.empty(pstart.size, dtype=np.int64)
        pl2 = np.empty(pstart.size, dtype=np.int64)
        pf2 = np.empty(pstart.size)
        u2 = 0
        n2 = 0
        for k in range(odn.size):
            for j in range(odn[k]):
                p = odp[k, j]
                ps2[n2] = u2
                pl2[n2] = plen[p]
                pf2[n2] = pflow[p]
                for q in range(pstart[p], pstart[p] + plen[p]):
                    pool2[u2] = pool[q]
                    u2 += 1
                odp[k, j] = n2
                n2 += 1
        pool, used, pstart, plen, pflow, npaths = pool2, u2, ps2, pl2, pf2, n2
    return odp, odn, pool, used, pstart, plen, pflow, npaths


@njit(cache=True)
def path_link_flows(odp, odn, pool, pstart, plen, pflow, num_links):
    """Link flows summed from the path flows (removes the drift of incremental updates)."""
    x = np.zeros(num_links)
    for k in range(odn.size):
        for j in range(odn[k]):
            p = odp[k, j]
            f = pflow[p]
            if f > 0.0:
                for q in range(pstart[p], pstart[p] + plen[p]):
                    x[pool[q]] += f
    return x
