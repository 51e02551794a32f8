"""Benchmark: the energy flow solve against networkx's maximum_flow on the same graph.

Run:  .venv/bin/python benchmarks/energy.py [--repeat 20] [--data FOLDER] [--json]

For each commodity of the bundled energy layer, in the same process and on the same arcs:

* ``HiGHS max-flow``: step 1 alone (the most that reaches the target markets), scipy's HiGHS LP;
* ``corridor energy_flows``: the whole answer (three HiGHS LPs: max to the target, max to all, min cost;
  the minimum cut; the tables), the figure that must stay under 1 s;
* ``networkx maximum_flow``: preflow-push max-flow on the same arcs (parallel arcs merged), the peer.

The max-flow values must agree; the script checks it. Ratios are corridor / networkx (below 1 = faster).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

import networkx as nx
import numpy as np

from corridor.energy import energy_flows, load_energy
from corridor.energy.flows import DEFAULT_TARGET, _solve, build_arcs


def _median(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


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
    if args.json:
        print(json.dumps({"machine": platform.platform(), "rows": rows}, indent=2))
        return
    print(f"energy flows vs networkx maximum_flow — {platform.platform()}, median of {args.repeat}")
    print(f"{'':5} {'arcs':>5} {'max flow':>10} {'HiGHS max-flow':>15} {'energy_flows':>13} {'networkx':>9} "
          f"{'ratio mf':>9} {'ratio all':>9}")
    for r in rows:
        print(f"{r['commodity']:5} {r['arcs']:>5} {r['max_flow']:>10.2f} {r['highs_max_flow_ms']:>12.2f} ms "
              f"{r['energy_flows_ms']:>10.2f} ms {r['networkx_max_flow_ms']:>6.2f} ms {r['ratio_max_flow']:>8.1f}× "
              f"{r['ratio_energy_flows']:>8.1f}×")


if __name__ == "__main__":
    main()
