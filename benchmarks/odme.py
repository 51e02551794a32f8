"""Benchmark: corridor's matrix estimation (Spiess 1990) against scipy's L-BFGS-B on the same objective.

Usage::

    .venv/bin/python benchmarks/odme.py [--networks SiouxFalls,ChicagoSketch] [--targets 1,0.5] [--repeat 3]

For each network: the TNTP matrix is the known truth; its equilibrium (Algorithm B, gap ``/ 100`` of the
run's) gives counts on a third of the links (fixed seed); the prior is the truth with every cell multiplied
by U(0.7, 1.3). Both estimators start from the prior's equilibrium and minimise the same
``Z = ½ Σ (v − v̂)²`` with the same warm-started Algorithm B equilibrium inside and the same gradient (the
bush proportions): ``estimate_matrix(algorithm="spiess")`` and ``estimate_matrix(algorithm="l-bfgs-b")``
(``scipy.optimize.minimize(method="L-BFGS-B")`` in cell values divided by the prior, the usual scaling).
Each runs until the counts' RMSE % is at most the tightest of ``--targets`` (or its cap of equilibria),
alternately, ``--repeat`` times; the table gives, per target, the median iterations / seconds until the fit
first reached it and Spiess ÷ L-BFGS-B.
It also times one outer iteration's parts on the Spiess fit (gradient and link derivative from the bushes;
the warm Algorithm B re-solve) against a cold gradient-projection solve of the same matrix (what a
path-based ODME would pay each iteration, GP having no warm start), and reports the uncounted links'
L1 error and the matrix's L1 distance to the truth, prior vs estimate. Written to
``benchmarks/results/odme.md``. Data: ``../shared/data/tntp`` or ``CORRIDOR_TNTP_DIR``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np
import pandas as pd

from corridor.assignment import AssignmentResult, LinkNetwork, assign, estimate_matrix
from corridor.assignment.odme import _Problem
from corridor.assignment.odme_inputs import Cells
from corridor.formats.tntp import load_network

REPO = Path(__file__).resolve().parents[1]
TNTP = Path(os.environ.get("CORRIDOR_TNTP_DIR", REPO.parent / "shared" / "data" / "tntp"))
GAP = {"SiouxFalls": 1e-8, "ChicagoSketch": 1e-5}
CAP = {"SiouxFalls": 300, "ChicagoSketch": 80}


def setup(name: str, seed: int) -> tuple[LinkNetwork, np.ndarray, np.ndarray, np.ndarray, np.ndarray, AssignmentResult]:
    """Network, truth flows, counted links, the prior and its equilibrium (not timed)."""
    net, true, _ = load_network(TNTP / name)
    truth = assign(net, true, "bush", gap=GAP[name] / 100, progress=False)
    rng = np.random.default_rng(seed)
    links = np.sort(rng.choice(net.num_links, net.num_links // 3, replace=False))
    prior = true * rng.uniform(0.7, 1.3, true.shape)
    return net, true, truth.flows, links, prior, assign(net, prior, "bush", gap=GAP[name], progress=False)


def time_to_target(res: object, target: float) -> tuple[int | None, float]:
    """Equilibria and seconds until the RMSE % first reached ``target`` (None: never, seconds = whole run)."""
    for i, (fit, t) in enumerate(zip(res.history, res.times)):  # type: ignore[attr-defined]
        if fit <= target:
            return i, t
    return None, res.times[-1]  # type: ignore[attr-defined]


def parts(net: LinkNetwork, prior: np.ndarray, links: np.ndarray, flows: np.ndarray, gap: float,
          prior_eq: AssignmentResult) -> dict[str, float]:
    """Seconds of the gradient and link derivative from the bushes, of one whole Spiess iteration (those and
    the warm Algorithm B re-solve of its step), and of a cold gradient-projection solve of the same step."""
    p = _Problem(net, Cells.build(prior, net.num_zones, None, None), links, flows[links], 0.0, gap, prior_eq)
    t0 = time.perf_counter()
    grad = p.gradient()
    t1 = time.perf_counter()
    p.load(-p.g * grad)
    t2 = time.perf_counter()
    step = estimate_matrix(net, prior, (links, flows[links]), gap=gap, max_iterations=1, warm_start=prior_eq,
                           progress=False)
    assign(net, prior, "gp", gap=1e-2, progress=False)  # loads the compiled kernels before the clock
    t3 = time.perf_counter()
    assign(net, step.matrix, "gp", gap=gap, progress=False)
    t4 = time.perf_counter()
    return {"gradient": t1 - t0, "derivative": t2 - t1, "iteration": step.times[1] - step.times[0], "gp cold": t4 - t3}


def cell(got: list[tuple[int | None, float]], cap: int) -> tuple[str, float, bool]:
    """Median iterations / seconds of the repeats ("> seconds" when a repeat never reached the target)."""
    secs = statistics.median(t for _, t in got)
    its = [i for i, _ in got]
    reached = all(i is not None for i in its)
    n = statistics.median(i for i in its if i is not None) if reached else cap
    return f"{n:.0f} / {'' if reached else '> '}{secs:.2f}s", secs, reached


def network_rows(name: str, targets: list[float], repeat: int, seed: int) -> list[dict[str, str]]:
    """One row per target fit: both methods run to the tightest target, timed to each."""
    net, true, flows, links, prior, prior_eq = setup(name, seed)
    runs: dict[str, list[object]] = {"spiess": [], "l-bfgs-b": []}
    for _ in range(repeat):
        for algo, done in runs.items():  # alternately, so load on the shared machine hits both alike
            done.append(estimate_matrix(net, prior, (links, flows[links]), algorithm=algo, gap=GAP[name],
                                              tolerance=0.0, max_iterations=CAP[name], target_rmse_pct=min(targets),
                                              warm_start=prior_eq, progress=False))
    other = np.setdiff1d(np.arange(net.num_links), links)
    l1 = lambda f: np.abs(f[other] - flows[other]).sum() / flows[other].sum()
    pt = parts(net, prior, links, flows, GAP[name], prior_eq)
    fit = runs["spiess"][-1]
    rows = []
    for target in sorted(targets, reverse=True):
        sp_cell, lb_cell = (cell([time_to_target(r, target) for r in done], CAP[name]) for done in runs.values())
        rows.append({
            "network": name, "links / counted / cells": f"{net.num_links} / {links.size} / {int((prior > 0).sum())}",
            "gap": f"{GAP[name]:.0e}", "RMSE % prior → target": f"{fit.prior_rmse_pct:.2f} → {target:g}",  # type: ignore[attr-defined]
            "Spiess": sp_cell[0], "L-BFGS-B": lb_cell[0],
            "Spiess / L-BFGS-B": f"{'' if lb_cell[2] else '< '}{sp_cell[1] / lb_cell[1]:.2f}×",
        })
    rows[-1].update({
        "uncounted L1 prior → Spiess": f"{l1(prior_eq.flows):.4f} → {l1(fit.flows):.4f}",  # type: ignore[attr-defined]
        "matrix L1 prior → Spiess": f"{np.abs(prior - true).sum() / true.sum():.3f} → "
                                    f"{np.abs(fit.matrix - true).sum() / true.sum():.3f}",  # type: ignore[attr-defined]
        "gradient + derivative (bush)": f"{1e3 * (pt['gradient'] + pt['derivative']):.1f} ms",
        "Spiess iteration (bush warm) / GP cold solve": f"{pt['iteration']:.2f} / {pt['gp cold']:.2f} s",
    })
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--networks", default="SiouxFalls,ChicagoSketch")
    ap.add_argument("--targets", default="1,0.5", help="RMSE %% of the counts both must reach (comma-separated)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    if not TNTP.is_dir():
        print(f"TNTP data not found at {TNTP} (set CORRIDOR_TNTP_DIR)")
        return 1
    targets = [float(t) for t in args.targets.split(",")]
    rows = [row for n in args.networks.split(",") for row in network_rows(n, targets, args.repeat, args.seed)]
    table = pd.DataFrame(rows).fillna("")
    header = (f"# corridor ODME (Spiess 1990) vs scipy L-BFGS-B — same objective, same warm-started equilibrium\n\n"
              f"iterations (Spiess) or function evaluations (L-BFGS-B) / seconds until the counts' RMSE % reaches the "
              f"target (median of {args.repeat}, run alternately); {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, shared machine\n\n")
    print(header + table.to_string(index=False))
    out = REPO / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "odme.md").write_text(header + "| " + " | ".join(table.columns) + " |\n|" + "---|" * table.shape[1] + "\n"
                                 + "".join("| " + " | ".join(r) + " |\n" for r in table.astype(str).values))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
