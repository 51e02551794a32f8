"""Routing speed: load + compile, then best-route queries against networkx's Dijkstra on the same graph.

Run: ``.venv/bin/python benchmarks/routing.py [--data DIR] [--queries N]``. Both engines answer the same
origin→destination queries on the same compiled graph and weights in the same run; the figure that
matters is the ratio, not the absolute times. Last, the overhead of the itemised EU ETS and war-risk
premia: route() on the bundled network against the same network with empty ``ets.csv``/``premia.csv``.
"""

from __future__ import annotations

import argparse
import time

import networkx as nx
import numpy as np
from scipy.sparse.csgraph import dijkstra

from corridor import Router, load_network
from corridor.graph import compile_graph
from corridor.network import Network
from corridor.network.levies import empty_ets, empty_premia
from corridor.search import path_edges


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default=None, help="dataset folder (default: bundled)")
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()

    t0 = time.perf_counter()
    network = load_network(args.data)
    t1 = time.perf_counter()
    graph = compile_graph(network)
    t2 = time.perf_counter()
    router = Router(network)
    print(f"network: {len(network.places)} places, {len(network.links)} links → "
          f"{graph.n_nodes} nodes, {graph.n_edges} edges")
    print(f"load {1000 * (t1 - t0):.0f} ms, compile {1000 * (t2 - t1):.0f} ms, "
          f"load + compile {1000 * (t2 - t0):.0f} ms (budget 1000 ms)")

    rng = np.random.default_rng(0)
    served = np.nonzero(graph.origin_node >= 0)[0]
    pairs = [tuple(rng.choice(served, 2, replace=False)) for _ in range(args.queries)]
    ids = graph.place_ids
    weights = router.weights("generalized")
    ok = router.usable(year=2026)
    w = np.where(ok, weights, np.inf)
    router.route(ids[pairs[0][0]], ids[pairs[0][1]], year=2026)  # compile (or load) the search kernel first

    # corridor: the full public query (name resolution, masks, Dijkstra, route assembly, label)
    t = time.perf_counter()
    for o, d in pairs:
        try:
            router.route(ids[o], ids[d], year=2026)
        except Exception:  # noqa: BLE001 - unreachable pairs count the same for both engines
            pass
    full = (time.perf_counter() - t) / len(pairs)
    t = time.perf_counter()
    for o, d in pairs:
        try:
            router.route(ids[o], ids[d], year=2026, alternatives=3)
        except Exception:  # noqa: BLE001
            pass
    three = (time.perf_counter() - t) / len(pairs)

    # the kernels alone: corridor's single-pair search, and SciPy's single-source Dijkstra on the CSR graph
    t = time.perf_counter()
    for o, d in pairs:
        path_edges(graph.indptr, graph.indices, graph.csr_order, graph.src, w, graph.origin_node[o],
                   graph.destination_node[d])
    kernel = (time.perf_counter() - t) / len(pairs)
    matrix = graph.matrix(w)
    t = time.perf_counter()
    for o, d in pairs:
        dijkstra(matrix, indices=graph.origin_node[o], return_predecessors=True)
    scipy_kernel = (time.perf_counter() - t) / len(pairs)

    G = nx.DiGraph()
    finite = np.isfinite(w)
    G.add_weighted_edges_from(zip(graph.src[finite].tolist(), graph.dst[finite].tolist(), w[finite].tolist()))
    t = time.perf_counter()
    for o, d in pairs:
        try:
            nx.dijkstra_path(G, int(graph.origin_node[o]), int(graph.destination_node[d]))
        except (nx.NetworkXNoPath, nx.NodeNotFound):
            pass
    peer = (time.perf_counter() - t) / len(pairs)

    print(f"{len(pairs)} queries: corridor route() {1000 * full:.2f} ms/query, with 3 alternatives "
          f"{1000 * three:.2f} ms (goal ≤ 1 ms); search kernel {1000 * kernel:.3f} ms; scipy single-source "
          f"{1000 * scipy_kernel:.3f} ms; networkx dijkstra_path {1000 * peer:.2f} ms")
    print(f"ratio corridor route()/networkx = {full / peer:.2f}; search kernel/networkx = {kernel / peer:.3f}; "
          f"search kernel/scipy = {kernel / scipy_kernel:.2f}")
    with_levies, without = _itemised_overhead(network, ids, pairs)
    print(f"itemised cost (EU ETS + war-risk premia) on the same graph: route() {1000 * with_levies:.3f} ms with, "
          f"{1000 * without:.3f} ms without; ratio {with_levies / without:.3f} (goal ≤ 1.20)")


def _itemised_overhead(network: Network, ids: np.ndarray, pairs: list[tuple[int, int]],
                       rounds: int = 9) -> tuple[float, float]:
    """Median seconds per route() query with ``ets.csv``/``premia.csv`` priced and without them (the same
    network and graph, empty tables), the two interleaved round by round."""
    routers = [Router(network), Router(network.replace(ets=empty_ets(), premia=empty_premia()))]
    times: list[list[float]] = [[], []]
    for _ in range(rounds):
        for router, out in zip(routers, times):
            t = time.perf_counter()
            for o, d in pairs:
                try:
                    router.route(ids[o], ids[d], year=2024)
                except Exception:  # noqa: BLE001 - unreachable pairs count the same for both
                    pass
            out.append((time.perf_counter() - t) / len(pairs))
    return float(np.median(times[0])), float(np.median(times[1]))


if __name__ == "__main__":
    main()
