"""Benchmark: many scenarios at once — runs per second on the bundled corridor network with sharing (compiled
routers, tables and warm-started equilibria, :mod:`corridor.freight.warm_solves`) against the named peer,
the same code with sharing off (every run built and solved from scratch), in the same run, interleaved.

Run:  .venv/bin/python benchmarks/sweep.py [--repeat 2] [--rows 24] [--workers 1] [--json]

1. An ``assignment`` sweep: 4 scenarios × 5 years = 20 capacity-aware equilibria, end to end
   (gap 1e-6) through :func:`corridor.sweep.run_sweep` into a fresh run store each time.
2. The first ``--rows`` rows of a Morris design of the sensitivity analysis (each row: perturb every
   estimate, route the demo questions, two equilibria, the gas max-flow), through
   :func:`corridor.sensitivity.analysis.run_design`.

Both arms must agree: corridor volumes within 0.5% (the equilibria are solved to the same gap, and a
corridor's volume is not unique where routes cost the same), the Morris answers likewise.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from SALib.sample import morris as morris_sample

from corridor.sensitivity.analysis import LEVELS, Design, run_design, salib_problem
from corridor.sensitivity.answers import corridor_orders
from corridor.sensitivity.factors import estimate_factors, load_inputs
from corridor.store import RunStore
from corridor.sweep import load_sweep, run_sweep

SCENARIOS = ["base", "red-sea-closed", "caspian-winter", "btk-17mt"]
YEARS = [2024, 2026, 2028, 2030, 2035]


def sweep_arm(spec: Any, share: bool, workers: int, folder: Path) -> tuple[float, dict[str, Any]]:
    store = RunStore(folder / f"{share}-{time.perf_counter_ns()}.duckdb")
    t = time.perf_counter()
    res = run_sweep(spec, store=store, share=share, workers=workers)
    seconds = time.perf_counter() - t
    return seconds, {k: store.get(k).summary for k in res.keys}


def agree(a: dict[str, Any], b: dict[str, Any]) -> float:
    """The largest difference of a corridor's volume between the arms, relative to the busiest corridor."""
    worst = 0.0
    for key, run in a.items():
        top = max(abs(v) for v in b[key]["corridors_teu"].values()) or 1.0
        worst = max(worst, *(abs(v - b[key]["corridors_teu"][c]) / top for c, v in run["corridors_teu"].items()))
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2, help="interleaved repeats of each arm")
    parser.add_argument("--rows", type=int, default=24, help="Morris design rows")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="corridor-bench-sweep-"))
    (folder / "sweep.yaml").write_text(f"name: bench\nanalysis: assignment\nscenarios: {json.dumps(SCENARIOS)}\n"
                                       f"parameters:\n  year: {json.dumps(YEARS)}\n", encoding="utf-8")
    spec = load_sweep(folder / "sweep.yaml")
    report: dict[str, Any] = {"machine": platform.processor() or platform.machine(), "cpus": os.cpu_count(),
                              "workers": args.workers, "sweep_runs": len(spec)}
    sweep_arm(spec, True, 1, folder)  # warm: numba kernels loaded, network and demand read
    times: dict[bool, list[float]] = {True: [], False: []}
    out: dict[bool, dict[str, Any]] = {}
    for r in range(args.repeat):
        for share in ((True, False) if r % 2 == 0 else (False, True)):
            seconds, out[share] = sweep_arm(spec, share, args.workers, folder)
            times[share].append(seconds)
    report["sweep_max_corridor_difference"] = agree(out[True], out[False])
    assert report["sweep_max_corridor_difference"] < 5e-3, "shared and cold sweeps disagree"
    warm = sum(s["warm_start"] for s in out[True].values())
    report["sweep_warm_solves"] = warm
    report["sweep_iterations_shared"] = sum(s["iterations"] for s in out[True].values())
    report["sweep_iterations_cold"] = sum(s["iterations"] for s in out[False].values())
    for share, name in ((True, "shared"), (False, "cold")):
        report[f"sweep_{name}_runs_per_s"] = len(spec) / statistics.median(times[share])
    report["sweep_shared_over_cold"] = report["sweep_shared_runs_per_s"] / report["sweep_cold_runs_per_s"]

    inputs = load_inputs(None)
    factors, _ = estimate_factors(inputs, None)
    orders = tuple(tuple(o) for o in corridor_orders(inputs))
    x = morris_sample.sample(salib_problem(factors), max(2, -(-args.rows // (len(factors) + 1))), num_levels=LEVELS,
                             seed=0)[: args.rows]
    report["morris_rows"] = len(x)
    mtimes: dict[bool, list[float]] = {True: [], False: []}
    y: dict[bool, np.ndarray] = {}
    for r in range(args.repeat):
        for share in ((True, False) if r % 2 == 0 else (False, True)):
            t = time.perf_counter()
            y[share] = run_design(Design(inputs, tuple(factors), orders, share=share), x, "benchmark",
                                  workers=args.workers, ray_address=None, progress=None)
            mtimes[share].append(time.perf_counter() - t)
    np.testing.assert_allclose(y[True], y[False], rtol=5e-3, atol=1.0)
    for share, name in ((True, "shared"), (False, "cold")):
        report[f"morris_{name}_rows_per_s"] = len(x) / statistics.median(mtimes[share])
    report["morris_shared_over_cold"] = report["morris_shared_rows_per_s"] / report["morris_cold_rows_per_s"]
    if args.json:
        print(json.dumps(report, indent=2))
        return
    for key, value in report.items():
        print(f"{key:32s} {value:.4g}" if isinstance(value, float) else f"{key:32s} {value}")


if __name__ == "__main__":
    main()
