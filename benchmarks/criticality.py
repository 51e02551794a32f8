"""Benchmark: criticality of every link of the bundled network — serial, 2 processes, Ray local.

Run:  .venv/bin/python benchmarks/criticality.py [--repeat 3] [--json]

Measures, on the bundled network and demand:

1. a naive baseline: for every link, re-solve every origin (what the incremental method avoids);
2. ``criticality(scope="links")`` with 1 worker (in process), 2 workers (process pool, pool start-up
   included; the very first pool, which starts the forkserver, reported apart) and on a local Ray instance with 2 CPUs (``ray.init`` timed separately; the run timed
   warm, on a started instance);
3. a heavier job where parallelism has something to share: criticality of every link under each
   bundled scenario (one task per scenario), 1 vs 2 workers vs Ray.

All variants must give the same ranking; the script checks it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
import warnings

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from corridor.freight.criticality import criticality
from corridor.freight.demand import load_demand
from corridor.freight.flows import masked_weights, od_nodes
from corridor.network import load_network
from corridor.routing import Router
from corridor.scenarios import apply_demand, apply_scenario, bundled_scenarios, load_scenario


def naive(router: Router, od) -> float:
    """Every link removed, every origin re-solved: the cost the incremental method avoids."""
    start = time.perf_counter()
    g = router.graph
    w = masked_weights(router)
    o, d = od_nodes(g, od)
    origins = np.unique(o[o >= 0])
    links = np.unique(g.link[(g.link >= 0) & np.isfinite(w)])
    for link in links:
        x = w.copy()
        x[g.link == link] = np.inf
        dijkstra(csr_matrix((x[g.csr_order], g.indices, g.indptr), shape=(g.n_nodes, g.n_nodes)), indices=origins)
    return time.perf_counter() - start


def _scenario_task(shared, name):  # one sweep task: all links under one scenario
    network, demand = shared
    sc = load_scenario(name)
    router = Router(apply_scenario(network, sc))
    od = demand.scaled(apply_demand(demand.od, sc, demand.zones["zone"])).by_place()
    return criticality(router, od, scope="links", year=sc.year).frame["id"].head(5).tolist()


def timed(fn, repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-ray", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    network = load_network()
    demand = load_demand(None, network)
    router = Router(network)
    od = demand.by_place()
    n_links = int(len(np.unique(router.graph.link[(router.graph.link >= 0) & np.isfinite(masked_weights(router))])))
    report: dict[str, object] = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}",
        "network": f"{len(network.places)} places, {len(network.links)} links ({n_links} usable), "
                   f"{router.graph.n_nodes} nodes, {router.graph.n_edges} edges",
        "demand": f"{len(od)} origin–destination pairs, {od['origin_place'].nunique()} origins, "
                  f"{od['teu_per_year'].sum():,.0f} TEU/yr",
    }
    report["naive_all_origins_s"] = timed(lambda: naive(router, od), 1)[0]
    t1, r1 = timed(lambda: criticality(router, od, scope="links", workers=1), args.repeat)
    # the first pool starts the forkserver (it imports the engine once); later pools fork from it
    report["links_2_workers_first_s"] = timed(lambda: criticality(router, od, scope="links", workers=2), 1)[0]
    t2, r2 = timed(lambda: criticality(router, od, scope="links", workers=2), args.repeat)
    assert r1.frame.equals(r2.frame)
    report["links_1_worker_s"], report["links_2_workers_s"] = t1, t2
    for scope in ("places", "crossings", "countries"):
        report[f"{scope}_1_worker_s"] = timed(lambda: criticality(router, od, scope=scope, workers=1), args.repeat)[0]

    names = bundled_scenarios()
    from corridor.parallel import run_tasks

    s1, a = timed(lambda: run_tasks(_scenario_task, (network, demand), names, workers=1), 1)
    s2, b = timed(lambda: run_tasks(_scenario_task, (network, demand), names, workers=2), 1)
    assert a == b
    report["scenarios"] = len(names)
    report["all_scenarios_links_1_worker_s"], report["all_scenarios_links_2_workers_s"] = s1, s2

    if not args.no_ray:
        warnings.filterwarnings("ignore")
        import ray

        t = time.perf_counter()
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        report["ray_init_s"] = time.perf_counter() - t
        # the first call starts Ray's worker processes: report it apart from the warm runs
        report["links_ray_first_s"], _ = timed(lambda: criticality(router, od, scope="links", ray_address="local", workers=2), 1)
        tr, rr = timed(lambda: criticality(router, od, scope="links", ray_address="local", workers=2), args.repeat)
        assert rr.frame.equals(r1.frame)
        report["links_ray_local_s"] = tr
        sr, c = timed(lambda: run_tasks(_scenario_task, (network, demand), names, ray_address="local"), 1)
        assert c == a
        report["all_scenarios_links_ray_local_s"] = sr
        ray.shutdown()

    report["speedup_links_2_workers"] = report["links_1_worker_s"] / report["links_2_workers_s"]
    report["speedup_incremental_vs_naive"] = report["naive_all_origins_s"] / report["links_1_worker_s"]
    report["speedup_all_scenarios_2_workers"] = s1 / s2
    if "links_ray_local_s" in report:
        report["speedup_links_ray"] = report["links_1_worker_s"] / report["links_ray_local_s"]
        report["speedup_all_scenarios_ray"] = s1 / report["all_scenarios_links_ray_local_s"]
    if args.json:
        print(json.dumps(report, indent=2))
        return
    for key, value in report.items():
        print(f"{key:36s} {value:.3f}" if isinstance(value, float) else f"{key:36s} {value}")


if __name__ == "__main__":
    main()
