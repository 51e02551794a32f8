"""Compiled (numba) kernels of Algorithm B: origin-based bushes, flow shifts between the longest used
and the shortest bush path to each merge node.

Dial, R.B. (2006), "A path-based user-equilibrium traffic assignment algorithm that obviates path
storage and enumeration", *Transportation Research Part B* 40(10), 917–936; bush updates as in
Nie, Y. (2010), "A class of bush-based algorithms for the traffic assignment problem", *TR-B* 44(1),
73–89; the iteration scheme (one bush update and one flow pass per origin, then up to ``inner``
flow passes over the origins whose bush excess cost is still above a quarter of the gap) follows
Boyles's ``tap-b``.

A bush is stored densely per origin row ``r``: ``inb[r, a]`` (link ``a`` is in the bush), ``bflow[r, a]``
(the origin's flow on it) and ``topo[r, :ntopo[r]]`` (a topological order of the bush, the origin first;
it spans every node reachable from the origin, which never changes). The solver also keeps each bush's
links as a compact list ``bl[boff[r]:boff[r + 1]]`` grouped by head node in topological order, so that a
scan touches the bush's links only, not every link of the network. Labels are recomputed per pass:
``L``/``spl`` the shortest bush path and its last link, ``U``/``lpl`` the longest *used* bush path.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from corridor.assignment._kernels import _dijkstra, _od_costs, _update_link

MIN_FLOW = 1e-14  # a bush link whose origin flow is below this is unused (tap-b's minLinkFlow)
MIN_DER = 1e-6  # derivative used when both segments are flow-independent (tap-b's minDerivative)


@njit(cache=True)
def _scan(o, tp, nt, bl, lo, hi, tail, lhead, f, cost, L, U, spl, lpl, Usp, with_sp):
    """Shortest (``L``, ``spl``) and longest used (``U``, ``lpl``) labels over the bush links ``bl[lo:hi]``.

    With ``with_sp`` also ``Usp``, the longest path over used links and shortest-path links (tap-b's
    LONGEST_USED_OR_SP). Nodes off the bush keep ``L = inf``, ``U = -inf``. Returns ``Σ_a f_a c_a``.
    """
    tot = 0.0
    if nt < L.size:  # else every label is set below
        L[:] = np.inf
        U[:] = -np.inf
    L[o] = 0.0
    U[o] = 0.0
    spl[o] = -1
    lpl[o] = -1
    if with_sp:
        if nt < L.size:
            Usp[:] = -np.inf
        Usp[o] = 0.0
    e = lo
    for idx in range(1, nt):
        v = tp[idx]
        best = np.inf
        sa = -1
        worst = -np.inf
        la = -1
        wsp = -np.inf
        while e < hi and lhead[bl[e]] == v:
            a = bl[e]
            e += 1
            u = tail[a]
            c = cost[a]
            tot += f[a] * c
            if L[u] + c < best:
                best = L[u] + c
                sa = a
            if f[a] > MIN_FLOW:
                if U[u] + c > worst:
                    worst = U[u] + c
                    la = a
                if with_sp and Usp[u] + c > wsp:
                    wsp = Usp[u] + c
        if with_sp:
            if sa >= 0 and Usp[tail[sa]] + cost[sa] > wsp:
                wsp = Usp[tail[sa]] + cost[sa]
            Usp[v] = wsp
        L[v] = best
        spl[v] = sa
        U[v] = worst
        lpl[v] = la
    return tot


@njit(cache=True)
def _collect(tp, nt, rptr, b, out, k):
    """Append the bush links ``b != 0`` to ``out`` from ``k``, grouped by head in the order ``tp``; returns the end."""
    for idx in range(1, nt):
        v = tp[idx]
        for a in range(rptr[v], rptr[v + 1]):  # links are numbered by head node
            if b[a] != 0:
                out[k] = a
                k += 1
    return k


@njit(cache=True)
def bush_lists(rptr, inb, topo, ntopo):
    """Every bush's compact link list: ``(bl, boff)``, origin ``r``'s links ``bl[boff[r]:boff[r + 1]]``."""
    boff = np.zeros(inb.shape[0] + 1, dtype=np.int64)
    for r in range(inb.shape[0]):
        for a in range(inb.shape[1]):
            boff[r + 1] += inb[r, a] != 0
    boff = np.cumsum(boff)
    bl = np.empty(boff[-1], dtype=np.int32)
    for r in range(inb.shape[0]):
        _collect(topo[r], ntopo[r], rptr, inb[r], bl, boff[r])
    return bl, boff


@njit(cache=True)
def _order(o, ptr, head, link, lhead, b, tp, indeg, queue, count):
    """Kahn's topological order of the bush links ``b != 0`` from ``o`` into ``tp``; returns its length.
    Without ``count``, ``indeg`` already holds the in-degrees."""
    if count:
        indeg[:] = 0
        for a in range(b.size):
            if b[a] != 0:
                indeg[lhead[a]] += 1
    n = 0
    qh = 0
    queue[0] = o
    qt = 1
    while qh < qt:
        v = queue[qh]
        qh += 1
        tp[n] = v
        n += 1
        for e in range(ptr[v], ptr[v + 1]):
            a = link[e]
            if b[a] != 0:
                w = head[e]
                indeg[w] -= 1
                if indeg[w] == 0:
                    queue[qt] = w
                    qt += 1
    return n


@njit(cache=True)
def _update_bush(o, nt, tp, b, f, ptr, head, link, rptr, tail, lhead, blocked, cost, bl, lo, hi, out, k,
                 L, U, spl, lpl, Usp, indeg, queue):
    """Drop unused bush links (but never a shortest-path link), add shortcuts ``L_i + c < L_j`` with
    ``Usp_i < Usp_j``, and re-sort; additions that would close a cycle are undone. The bush's old link
    list is ``bl[lo:hi]``, its new one goes to ``out`` from ``k``. Returns ``Σ_a f_a c_a`` when nothing
    was added (the labels then still hold for the bush), else -1; and the end of the new list."""
    tot = _scan(o, tp, nt, bl, lo, hi, tail, lhead, f, cost, L, U, spl, lpl, Usp, True)
    added = 0
    indeg[:] = 0
    for a in range(b.size):
        i = tail[a]
        j = lhead[a]
        if b[a] != 0:
            if f[a] < MIN_FLOW and spl[j] != a:
                b[a] = 0
                f[a] = 0.0
            else:
                indeg[j] += 1
        elif L[i] < np.inf and L[j] < np.inf and (i == o or not blocked[i]):
            if L[i] + cost[a] < L[j] and Usp[i] < Usp[j]:
                b[a] = 2
                added += 1
                indeg[j] += 1
    if added == 0:  # dropping unused non-shortest-path links keeps the order and the labels
        for e in range(lo, hi):
            if b[bl[e]] != 0:
                out[k] = bl[e]
                k += 1
        return tot, k
    n = _order(o, ptr, head, link, lhead, b, tp, indeg, queue, False)
    if n < nt:  # a cycle: keep the old links only
        for a in range(b.size):
            if b[a] == 2:
                b[a] = 0
        n = _order(o, ptr, head, link, lhead, b, tp, indeg, queue, True)
    for a in range(b.size):
        if b[a] == 2:
            b[a] = 1
    return -1.0, _collect(tp, n, rptr, b, out, k)


@njit(cache=True)
def _shift_pass(o, nt, tp, bl, lo, hi, f, tail, lhead, dmd_lo, dmd_hi, od_dest, od_flow, thresh,
                x, kind, t0, cap, tb, pw, ca, cb, const, fixed, cost, der, L, U, spl, lpl, pos, tot):
    """One descending pass of Newton shifts from the longest used to the shortest bush segment at each
    merge node. Skipped (returns False) when the bush's excess cost ratio is below ``thresh``. ``tot >= 0``:
    the labels are current (from :func:`_update_bush`) and ``tot`` is ``Σ_a f_a c_a``."""
    if tot < 0.0:
        tot = _scan(o, tp, nt, bl, lo, hi, tail, lhead, f, cost, L, U, spl, lpl, L, False)
    if thresh > 0.0:  # excess Σ_a f_a (c_a + L_i − L_j) = Σ_a f_a c_a − Σ_d q_d L_d (flow conservation)
        sptt = 0.0
        for k in range(dmd_lo, dmd_hi):
            sptt += od_flow[k] * L[od_dest[k]]
        if sptt > 0.0 and tot - sptt < thresh * sptt:
            return False
    for idx in range(nt):
        pos[tp[idx]] = idx
    for idx in range(nt - 1, 0, -1):
        j = tp[idx]
        la = lpl[j]
        sa = spl[j]
        if la < 0 or la == sa:
            continue
        # walk both paths back in topological order until they meet at the divergence node
        c1 = cost[la]
        d1 = der[la]
        f1 = f[la]
        p1 = tail[la]
        c2 = cost[sa]
        d2 = der[sa]
        p2 = tail[sa]
        ok = True
        while p1 != p2:
            if pos[p1] > pos[p2]:
                a = lpl[p1]
                if a < 0:
                    ok = False
                    break
                c1 += cost[a]
                d1 += der[a]
                f1 = min(f1, f[a])
                p1 = tail[a]
            else:
                a = spl[p2]
                c2 += cost[a]
                d2 += der[a]
                p2 = tail[a]
        if not ok:
            continue
        div = p1
        if c1 <= c2 or f1 <= 0.0:
            continue
        h = d1 + d2
        step = (c1 - c2) / (h if h > 0.0 else MIN_DER)
        if step > f1:
            step = f1
        v = j
        while v != div:
            a = lpl[v]
            f[a] -= step
            xa = x[a] - step
            x[a] = xa
            _update_link(a, xa, kind, t0, cap, tb, pw, ca, cb, const, fixed, cost, der)
            v = tail[a]
        v = j
        while v != div:
            a = spl[v]
            f[a] += step
            xa = x[a] + step
            x[a] = xa
            _update_link(a, xa, kind, t0, cap, tb, pw, ca, cb, const, fixed, cost, der)
            v = tail[a]
    return True


@njit(cache=True)
def bush_init(ptr, head, link, tail, blocked, cost, origins, row_ptr, od_dest, od_flow, inb, bflow, topo, ntopo,
              od_cost):
    """Each origin's bush: its shortest-path tree at ``cost`` (all reachable nodes) carrying its demand;
    the OD costs go to ``od_cost`` (+inf when unreachable: that demand is not loaded)."""
    n = ptr.size - 1
    dist = np.full(n, np.inf)
    plink = np.full(n, -1, dtype=np.int32)
    hk = np.empty(head.size + 1)
    hv = np.empty(head.size + 1, dtype=np.int32)
    tmark = np.zeros(n, dtype=np.int32)
    load = np.zeros(n)
    for r in range(origins.size):
        o = origins[r]
        tp = topo[r]
        nset = _dijkstra(o, ptr, head, link, cost, blocked, dist, plink, tp, hk, hv, tmark, -1, 1)
        ntopo[r] = nset
        _od_costs(dist, od_dest, od_flow, od_cost, row_ptr[r], row_ptr[r + 1], 0.0)
        for k in range(row_ptr[r], row_ptr[r + 1]):
            if dist[od_dest[k]] < np.inf:
                load[od_dest[k]] += od_flow[k]
        for i in range(nset - 1, 0, -1):
            v = tp[i]
            a = plink[v]
            inb[r, a] = 1
            f = load[v]
            bflow[r, a] = f
            load[tail[a]] += f
            load[v] = 0.0
        load[o] = 0.0
        dist[:] = np.inf


@njit(cache=True)
def bush_rectify(rptr, rlink, tail, origins, row_ptr, od_dest, od_flow, inb, bflow, topo, ntopo):
    """Load (new) demand onto the bushes keeping each node's split among its bush links in proportion
    to the old bush flows (tap-b's ``rectifyBushFlows``); a node without old flow takes its first link."""
    n = rptr.size - 1
    node_flow = np.zeros(n)
    for r in range(origins.size):
        b = inb[r]
        f = bflow[r]
        for k in range(row_ptr[r], row_ptr[r + 1]):
            node_flow[od_dest[k]] += od_flow[k]
        tp = topo[r]
        for idx in range(ntopo[r] - 1, 0, -1):
            j = tp[idx]
            nf = node_flow[j]
            node_flow[j] = 0.0
            tot = 0.0
            first = -1
            for e in range(rptr[j], rptr[j + 1]):
                a = rlink[e]
                if b[a] != 0:
                    tot += max(f[a], 0.0)
                    if first < 0:
                        first = a
            for e in range(rptr[j], rptr[j + 1]):
                a = rlink[e]
                if b[a] != 0:
                    if tot > 0.0:
                        f[a] = nf * max(f[a], 0.0) / tot
                    else:
                        f[a] = nf if a == first else 0.0
                    node_flow[tail[a]] += f[a]
        node_flow[:] = 0.0


@njit(cache=True)
def bush_iteration(inner, thresh, ptr, head, link, rptr, tail, lhead, blocked, origins, row_ptr, od_dest,
                   od_flow, inb, bflow, topo, ntopo, bl, boff, x, kind, t0, cap, tb, pw, ca, cb, const, fixed, cost,
                   der):
    """One iteration of Algorithm B: per origin a bush update and a flow pass, then up to ``inner`` flow
    passes over the origins whose bush excess-cost ratio is at least ``thresh``. ``bl``/``boff``: the
    bushes' link lists (:func:`bush_lists`). Returns the number of bushes that gained links and the new lists."""
    n = ptr.size - 1
    L = np.empty(n)
    U = np.empty(n)
    spl = np.empty(n, dtype=np.int64)
    lpl = np.empty(n, dtype=np.int64)
    Usp = np.empty(n)
    pos = np.zeros(n, dtype=np.int64)
    indeg = np.empty(n, dtype=np.int64)
    queue = np.empty(n, dtype=np.int64)
    active = np.ones(origins.size, dtype=np.bool_)
    added = 0
    m = lhead.size
    nbl = np.empty(bl.size + bl.size // 4 + m, dtype=np.int32)  # bushes grow by about this at the start
    nboff = np.zeros(origins.size + 1, dtype=np.int64)
    for r in range(origins.size):
        o = origins[r]
        k = nboff[r]
        if nbl.size < k + m:  # room for a bush of every link
            grown = np.empty(max(nbl.size + nbl.size // 2, k + m), dtype=np.int32)
            grown[:k] = nbl[:k]
            nbl = grown
        tot, nboff[r + 1] = _update_bush(o, ntopo[r], topo[r], inb[r], bflow[r], ptr, head, link, rptr, tail, lhead,
                                         blocked, cost, bl, boff[r], boff[r + 1], nbl, k, L, U, spl, lpl, Usp,
                                         indeg, queue)
        added += tot < 0.0
        active[r] = _shift_pass(o, ntopo[r], topo[r], nbl, k, nboff[r + 1], bflow[r], tail, lhead, row_ptr[r],
                                row_ptr[r + 1], od_dest, od_flow, thresh, x, kind, t0, cap, tb, pw, ca, cb, const,
                                fixed, cost, der, L, U, spl, lpl, pos, tot)
    for _ in range(inner):
        any_active = False
        for r in range(origins.size):
            if not active[r]:
                continue
            active[r] = _shift_pass(origins[r], ntopo[r], topo[r], nbl, nboff[r], nboff[r + 1], bflow[r], tail,
                                    lhead, row_ptr[r], row_ptr[r + 1], od_dest, od_flow, thresh, x, kind, t0, cap,
                                    tb, pw, ca, cb, const, fixed, cost, der, L, U, spl, lpl, pos, -1.0)
            any_active |= active[r]
        if not any_active:
            break
    return added, nbl[:nboff[-1]], nboff


@njit(cache=True)
def bush_link_flows(bflow):
    """Link flows summed over the bushes (removes the drift of incremental updates)."""
    x = np.zeros(bflow.shape[1])
    for r in range(bflow.shape[0]):
        for a in range(bflow.shape[1]):
            x[a] += bflow[r, a]
    return x


@njit(cache=True)
def _bush_sp(o, tp, nt, bl, lo, hi, tail, lhead, cost, d):
    """Shortest bush path costs ``d`` from ``o`` (inf off the bush) over the bush links ``bl[lo:hi]``."""
    if nt < d.size:  # else every label is set below
        d[:] = np.inf
    d[o] = 0.0
    e = lo
    for idx in range(1, nt):
        v = tp[idx]
        best = np.inf
        while e < hi and lhead[bl[e]] == v:
            a = bl[e]
            e += 1
            c = d[tail[a]] + cost[a]
            if c < best:
                best = c
        d[v] = best


@njit(cache=True)
def sptt_bush(ptr, head, fcost, tail, lhead, blocked, cost, origins, row_ptr, od_dest, od_flow, bl, boff,
              topo, ntopo, od_cost):
    """``Σ demand · shortest-path cost`` over all origins, exact: label correcting (Pape's deque: a node
    scanned before re-enters at the front) started from each bush's shortest-path labels in bush
    topological order; near equilibrium those labels are nearly exact (tap-b's gap computation).
    ``fcost`` is ``cost`` in forward-star order (``cost[link]``)."""
    n = ptr.size - 1
    d = np.empty(n)
    queue = np.empty(n, dtype=np.int64)
    state = np.zeros(n, dtype=np.int8)  # 0 never queued, 1 in the queue, 2 scanned
    total = 0.0
    for r in range(origins.size):
        o = origins[r]
        tp = topo[r]
        nt = ntopo[r]
        _bush_sp(o, tp, nt, bl, boff[r], boff[r + 1], tail, lhead, cost, d)
        state[:] = 0
        for i in range(nt):
            queue[i] = tp[i]
            state[tp[i]] = 1
        qh = 0
        size = nt
        while size > 0:
            v = queue[qh]
            qh = qh + 1 if qh + 1 < n else 0
            size -= 1
            state[v] = 2
            if blocked[v] and v != o:
                continue
            dv = d[v]
            for e in range(ptr[v], ptr[v + 1]):
                w = head[e]
                nd = dv + fcost[e]
                if nd < d[w]:
                    d[w] = nd
                    if state[w] == 2:
                        qh = qh - 1 if qh > 0 else n - 1
                        queue[qh] = w
                        state[w] = 1
                        size += 1
                    elif state[w] == 0:
                        qt = qh + size
                        queue[qt if qt < n else qt - n] = w
                        state[w] = 1
                        size += 1
        total = _od_costs(d, od_dest, od_flow, od_cost, row_ptr[r], row_ptr[r + 1], total)
    return total
