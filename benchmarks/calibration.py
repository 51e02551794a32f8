"""Benchmark: the corridor demand's calibration to the 2024 counts (``corridor.calibrate``), Spiess's gradient
method against scipy's L-BFGS-B on the same objective, bounds and warm-started equilibria.

Usage::

    .venv/bin/python benchmarks/calibration.py [--repeat 5]

Both run alternately in one process on the bundled dataset (the graph compiled once, before timing), from
the same prior, to their own stopping rule (Spiess: an iteration lowering ``Z`` by under 0.01 % of the
prior's; L-BFGS-B: scipy's ``ftol`` at the same share). The table gives the median seconds of the whole
``calibrate`` call (problem, screenlines, bounds and the estimation), equilibria solved after the prior's and the
fit (RMSE % of the counts used), and Spiess ÷ L-BFGS-B. Written to ``benchmarks/results/calibration.md``.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from corridor.freight import calibrate, freight_inputs

OUT = Path(__file__).resolve().parent / "results" / "calibration.md"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    inputs = freight_inputs(year=2024)
    calibrate(inputs, progress=False)  # compile the graph and load the kernels before timing
    runs: dict[str, list[tuple[float, int, float]]] = {"spiess": [], "l-bfgs-b": []}
    for _ in range(args.repeat):
        for algo in runs:
            t = time.perf_counter()
            cal = calibrate(inputs, algorithm=algo, progress=False)
            runs[algo].append((time.perf_counter() - t, cal.iterations, cal.rmse_pct))
    prior = cal.prior_rmse_pct
    lines = ["# Corridor calibration: Spiess vs scipy L-BFGS-B", "",
             f"Bundled dataset, 2024 counts ({len(cal.counts)} used, {len(cal.not_used)} not used), prior RMSE "
             f"{prior:.2f} %; median of {args.repeat} alternating runs.", "",
             "| method | seconds | equilibria | RMSE % |", "|---|---:|---:|---:|"]
    med = {a: [statistics.median(x[i] for x in r) for i in range(3)] for a, r in runs.items()}
    for algo, (sec, its, fit) in med.items():
        lines.append(f"| {algo} | {sec:.3f} | {its:.0f} | {fit:.2f} |")
    lines += ["", f"Spiess ÷ L-BFGS-B time: {med['spiess'][0] / med['l-bfgs-b'][0]:.2f}"]
    OUT.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
