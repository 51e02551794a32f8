"""Single-pair shortest paths on the compiled graph: Dijkstra that stops at the destination.

A route query needs one path, not the distances to all the graph's nodes that SciPy's single-source
Dijkstra computes; this compiled search settles nodes only until the destination is reached and returns the
edges of the path directly. Dijkstra, E. W. (1959), "A note on two problems in connexion with graphs",
*Numerische Mathematik* 1, 269–271; a binary heap with lazy deletion.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def path_edges(indptr: np.ndarray, indices: np.ndarray, csr_order: np.ndarray, src: np.ndarray,
               weights: np.ndarray, start: int, end: int) -> np.ndarray:  # pragma: no cover - compiled
    """The edges of a least-``weights`` path from node ``start`` to node ``end`` (empty: none).

    ``indptr``/``indices``/``csr_order`` are the graph's CSR layout (:class:`~corridor.graph.RoutingGraph`),
    ``src`` each edge's tail, ``weights`` per edge (``inf``: unusable).
    """
    n = indptr.size - 1
    dist = np.full(n, np.inf)
    reach = np.full(n, -1, dtype=np.int64)        # the edge by which each node is reached
    done = np.zeros(n, dtype=np.bool_)
    heap_d = np.empty(indices.size + 1)
    heap_v = np.empty(indices.size + 1, dtype=np.int64)
    dist[start], heap_d[0], heap_v[0], size = 0.0, 0.0, start, 1
    while size:
        d, u = heap_d[0], heap_v[0]
        size -= 1
        last_d, last_v, i = heap_d[size], heap_v[size], 0
        while True:  # sift the last entry down from the root
            c = 2 * i + 1
            if c >= size:
                break
            if c + 1 < size and heap_d[c + 1] < heap_d[c]:
                c += 1
            if heap_d[c] >= last_d:
                break
            heap_d[i], heap_v[i], i = heap_d[c], heap_v[c], c
        heap_d[i], heap_v[i] = last_d, last_v
        if done[u]:
            continue
        done[u] = True
        if u == end:
            break
        for k in range(indptr[u], indptr[u + 1]):
            e = csr_order[k]
            v = indices[k]
            nd = d + weights[e]
            if nd < dist[v]:
                dist[v], reach[v] = nd, e
                i = size
                size += 1
                while i > 0:  # sift up
                    p = (i - 1) // 2
                    if heap_d[p] <= nd:
                        break
                    heap_d[i], heap_v[i], i = heap_d[p], heap_v[p], p
                heap_d[i], heap_v[i] = nd, v
    if not done[end]:
        return np.empty(0, dtype=np.int64)
    count, v = 0, end
    while v != start:
        count += 1
        v = src[reach[v]]
    out = np.empty(count, dtype=np.int64)
    v = end
    for j in range(count - 1, -1, -1):
        out[j] = reach[v]
        v = src[reach[v]]
    return out
