"""Benchmark: the energy flow solve against networkx's maximum_flow on the same graph.

Run:  .venv/bin/python benchmarks/energy.py [--repeat 20] [--data FOLDER] [--json]

For each commodity of the bundled energy layer, in the same process and on the same arcs:

* ``HiGHS max-flow``: step 1 alone (the most that reaches the target markets), scipy's HiGHS LP;
* ``corridor energy_flows``: the whole answer (three HiGHS LPs: max to the target, max to all, min cost;
  the minimum cut; the tables), the figure that must stay under 1 s;
* ``networkx maximum_flow``: preflow-push max-flow on the same arcs (parallel arcs merged), the peer.

A third row does the same on a random network of 2,000 nodes and 10,000 arcs (20 supplies, 20 markets),
to show how the two scale beyond the bundled layer (``energy_flows`` is not run there: it needs a dataset).

The max-flow values must agree; the script checks it. Ratios are corridor / networkx (below 1 = faster).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import timeit

import networkx as nx
import numpy as np

from corridor.energy import energy_flows, load_energy
from corridor.energy.flows import DEFAULT_TARGET, Arcs, _solve, build_arcs


def _median(fn, repeat: int) -> float:
    return statistics.median(timeit.repeat(fn, number=1, repeat=repeat))


def to_networkx(arcs) -> nx.DiGraph:
    """The target problem as networkx sees it: non-target markets closed, parallel arcs merged,
    unbounded arcs without a capacity attribute (networkx's "infinite")."""
    g = nx.DiGraph()
    closed = (arcs.head == arcs.sink) & ~arcs.target
    for u, v, cap in zip(arcs.tail[~closed], arcs.head[~closed], arcs.capacity[~closed]):
        u, v = int(u), int(v)
        if np.isinf(cap):
            g.add_edge(u, v)
            g[u][v].pop("capacity", None)
        elif g.has_edge(u, v):
            if "capacity" in g[u][v]:
                g[u][v]["capacity"] += float(cap)
        else:
            g.add_edge(u, v, capacity=float(cap))
    g.add_nodes_from([arcs.source, arcs.sink])
    return g


def random_arcs(n: int = 2000, m: int = 10000, ends: int = 20, seed: int = 1) -> Arcs:
    """A random capacitated network: ``ends`` supplies and ``ends`` markets."""
    rng = np.random.default_rng(seed)
    tail, head = rng.integers(0, n, m), rng.integers(0, n, m)
    keep = tail != head
    tail, head = tail[keep], head[keep]
    supplies, markets = np.arange(ends), np.arange(n - ends, n)
    t = np.concatenate([tail, np.full(ends, n), markets])
    h = np.concatenate([head, supplies, np.full(ends, n + 1)])
    c = np.concatenate([rng.uniform(1, 20, len(tail)), rng.uniform(20, 60, ends), np.full(ends, np.inf)])
    target = np.concatenate([np.zeros(len(tail) + ends, bool), np.ones(ends, bool)])
    return Arcs([str(i) for i in range(n)], t, h, c, np.ones(len(t)), [f"a{k}" for k in range(len(t))], target,
                np.full(len(t), np.nan), np.zeros(len(t)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--data", default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    energy = load_energy(args.data)
    rows = []
    for commodity in ("gas", "oil"):
        to = DEFAULT_TARGET[commodity]
        arcs = build_arcs(energy, commodity, to=to)
        market = arcs.head == arcs.sink
        upper = np.where(market & ~arcs.target, 0.0, arcs.capacity)
        g = to_networkx(arcs)
        highs_value = float(_solve(arcs, -arcs.target.astype(float), upper, [])[arcs.target].sum())
        nx_value = nx.maximum_flow_value(g, arcs.source, arcs.sink)
        assert abs(highs_value - nx_value) <= 1e-6 * max(1.0, nx_value), (commodity, highs_value, nx_value)
        energy_flows(energy, commodity, to=to)  # warm
        t_lp = _median(lambda a=arcs, u=upper: _solve(a, -a.target.astype(float), u, []), args.repeat)
        t_all = _median(lambda c=commodity, t=to: energy_flows(energy, c, to=t), args.repeat)
        t_nx = _median(lambda g=g, a=arcs: nx.maximum_flow(g, a.source, a.sink), args.repeat)
        rows.append({"commodity": commodity, "target": to, "arcs": len(arcs.tail), "nodes": len(arcs.nodes),
                     "max_flow": highs_value, "highs_max_flow_ms": 1000 * t_lp, "energy_flows_ms": 1000 * t_all,
                     "networkx_max_flow_ms": 1000 * t_nx, "ratio_max_flow": t_lp / t_nx,
                     "ratio_energy_flows": t_all / t_nx})
    arcs = random_arcs()
    upper = arcs.capacity
    g = to_networkx(arcs)
    highs_value = float(_solve(arcs, -arcs.target.astype(float), upper, [])[arcs.target].sum())
    nx_value = nx.maximum_flow_value(g, arcs.source, arcs.sink)
    assert abs(highs_value - nx_value) <= 1e-6 * max(1.0, nx_value), ("random", highs_value, nx_value)
    repeat = max(3, args.repeat // 5)
    t_lp = _median(lambda: _solve(arcs, -arcs.target.astype(float), upper, []), repeat)
    t_nx = _median(lambda: nx.maximum_flow(g, arcs.source, arcs.sink), repeat)
    rows.append({"commodity": "random", "target": "all", "arcs": len(arcs.tail), "nodes": len(arcs.nodes),
                 "max_flow": highs_value, "highs_max_flow_ms": 1000 * t_lp, "energy_flows_ms": float("nan"),
                 "networkx_max_flow_ms": 1000 * t_nx, "ratio_max_flow": t_lp / t_nx, "ratio_energy_flows": float("nan")})
    if args.json:
        print(json.dumps({"machine": platform.platform(), "rows": rows}, indent=2))
        return
    print(f"energy flows vs networkx maximum_flow — {platform.platform()}, median of {args.repeat}")
    print(f"{'':6} {'arcs':>6} {'max flow':>10} {'HiGHS max-flow':>15} {'energy_flows':>13} {'networkx':>9} "
          f"{'ratio mf':>9} {'ratio all':>9}")
    for r in rows:
        print(f"{r['commodity']:6} {r['arcs']:>6} {r['max_flow']:>10.2f} {r['highs_max_flow_ms']:>12.2f} ms "
              f"{r['energy_flows_ms']:>10.2f} ms {r['networkx_max_flow_ms']:>6.2f} ms {r['ratio_max_flow']:>8.1f}× "
              f"{r['ratio_energy_flows']:>8.1f}×")


if __name__ == "__main__":
    main()
