"""Benchmark: the sensitivity analysis of the headline answers (corridor data sensitivity) — time per
evaluation, a fixed design serially vs on 2 local processes vs on a local Ray instance with 2 CPUs, and
the full default Morris screening on 2 processes.

Run:  .venv/bin/python benchmarks/sensitivity.py [--rows 48] [--no-ray] [--no-screening] [--data DIR] [--json]

1. One evaluation (perturb every estimate, route the demo's questions with alternatives, two capacity-aware
   assignments, the gas max-flow), warm, serially: the median of ``--repeat`` runs.
2. The same ``--rows`` rows of a Morris design (the first trajectories) evaluated serially, on 2 processes
   (pool start-up included) and on Ray (``ray.init`` timed apart; the run timed warm, on a started
   instance). All three must give the same answers; the script checks it.
3. ``sensitivity()`` with its defaults (Morris, ``DEFAULT_TRAJECTORIES``) on 2 processes, end to end:
   the figure the ≤ 5 min target is about.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time

import numpy as np
from SALib.sample import morris as morris_sample

from corridor.sensitivity import DEFAULT_TRAJECTORIES, sensitivity
from corridor.sensitivity.analysis import LEVELS, Design, evaluate, run_design, salib_problem
from corridor.sensitivity.answers import answers, corridor_orders
from corridor.sensitivity.factors import estimate_factors, load_inputs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=48, help="design rows for the serial/processes/Ray comparison")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--no-ray", action="store_true")
    parser.add_argument("--no-screening", action="store_true", help="skip the full default screening")
    parser.add_argument("--data", default=None, help="dataset folder (default: the bundled one)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    inputs = load_inputs(args.data)
    factors, _ = estimate_factors(inputs, args.data)
    design = Design(inputs, tuple(factors), tuple(tuple(o) for o in corridor_orders(inputs)))
    x = morris_sample.sample(salib_problem(factors), max(2, -(-args.rows // (len(factors) + 1))), num_levels=LEVELS,
                             seed=0)[: args.rows]
    report: dict = {"machine": platform.processor() or platform.machine(), "cpus": os.cpu_count(),
                    "estimates": len(factors), "rows": len(x)}
    answers(inputs, design.orders)  # warm: numba kernels compiled or loaded
    times = []
    for row in x[: args.repeat]:
        t = time.perf_counter()
        evaluate(design, row[None, :])
        times.append(time.perf_counter() - t)
    report["evaluation_s"] = statistics.median(times)

    def timed(**run) -> tuple[float, np.ndarray]:
        t = time.perf_counter()
        y = run_design(design, x, "benchmark", progress=None, **run)
        return time.perf_counter() - t, y

    report["serial_s"], y1 = timed(workers=1, ray_address=None)
    report["processes_2_s"], y2 = timed(workers=2, ray_address=None)
    assert np.array_equal(y1, y2, equal_nan=True), "2 processes gave other answers than serial"
    if not args.no_ray:
        import ray

        t = time.perf_counter()
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        report["ray_init_s"] = time.perf_counter() - t
        timed(workers=2, ray_address="local")  # first run: workers start, import corridor, compile
        report["ray_local_2_s"], y3 = timed(workers=2, ray_address="local")
        assert np.array_equal(y1, y3, equal_nan=True), "Ray gave other answers than serial"
        ray.shutdown()
        report["speedup_ray"] = report["serial_s"] / report["ray_local_2_s"]
    report["speedup_processes"] = report["serial_s"] / report["processes_2_s"]
    evaluations = DEFAULT_TRAJECTORIES * (len(factors) + 1)
    report["screening_evaluations"] = evaluations
    report["screening_projected_2_cores_s"] = evaluations * report["processes_2_s"] / len(x)
    if not args.no_screening:
        t = time.perf_counter()
        result = sensitivity(args.data, workers=2)
        report["screening_2_processes_s"] = time.perf_counter() - t
        report["screening_top5"] = result.top(5)
    if args.json:
        print(json.dumps(report, indent=2))
        return
    for key, value in report.items():
        print(f"{key:32s} {value:.3f}" if isinstance(value, float) else f"{key:32s} {value}")


if __name__ == "__main__":
    main()
