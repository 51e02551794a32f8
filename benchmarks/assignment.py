"""Benchmark: corridor's assignment against tap-b (Algorithm B in C) or AequilibraE 1.7.2 on the TNTP networks.

Usage::

    .venv/bin/python benchmarks/assignment.py [--quick] [--networks SiouxFalls,Anaheim] [--algorithms bush,gp]
    .venv/bin/python benchmarks/assignment.py --vs aequilibrae [--networks SiouxFalls,Anaheim] [--quick]

``--vs tap-b`` (the default): copies ``../shared/peers/tap-b`` (or ``CORRIDOR_TAPB_DIR``) into a temporary
folder, builds it with ``make serial`` (skipped, with a message, when there is no C compiler) and, for each
network and each gap 1e-4 … 1e-12, runs tap-b and corridor's ``--algorithms`` alternately, serially,
``--repeat`` times, and prints the ratio of corridor's best median solve time to tap-b's (``corridor
wall_time`` ÷ tap-b's reported ``time``: both exclude file reading; tap-b's clock also excludes its
gap computation, corridor's includes it), with the peak RSS of both processes for ``--rss-network``
(Austin). ``--quick``: SiouxFalls, Anaheim, Barcelona and Winnipeg, one repeat. Table to stdout and
``benchmarks/results/assignment_tapb.md``. Then the warm start: ChicagoSketch to 1e-6, one link closed
(capacity → 1e-3), re-solved from the previous bushes vs cold.

``--vs aequilibrae``: for each network and each target relative gap (1e-4 and 1e-6) it runs AequilibraE's ``bfw`` (and
``cfw`` and ``fw`` to 1e-4 unless ``--quick``) and corridor's ``bfw`` and ``gp``, each ``--repeat``
times (median; the machine is shared), and prints iterations, wall seconds and the ratio of corridor's
best time to AequilibraE's best time. AequilibraE's cap at 1e-6 is ``min(--max-iter, --time-limit /
its seconds per iteration at 1e-4)``; a run that stops at the cap is reported as "> seconds" (run once:
its time is a lower bound) and the ratio as "<". It also prints one corridor iteration's time divided
by one all-origins shortest-path sweep with ``scipy.sparse.csgraph.dijkstra`` on the same graph (the
floor), and the compiled all-or-nothing kernel against scipy's Dijkstra plus the vectorised numpy
loading. The table goes to stdout and to ``benchmarks/results/assignment.md``. ``--quick``: one
repeat, AequilibraE bfw only, cap 500 iterations.

Both sides get the relative gap ``|Σ x c − Σ d π| / Σ x c`` (AequilibraE's ``rgap``). AequilibraE needs
``pip install aequilibrae==1.7.2`` (the ``bench`` extra). Data: ``../shared/data/tntp`` or
``CORRIDOR_TNTP_DIR``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra

from corridor.assignment import LinkNetwork, ODMatrix, assign
from corridor.assignment.paths import all_or_nothing, all_or_nothing_scipy
from corridor.formats.tntp import TNTPNetwork, find_files, load_network, read_flow

REPO = Path(__file__).resolve().parents[1]
TNTP = Path(os.environ.get("CORRIDOR_TNTP_DIR", REPO.parent / "shared" / "data" / "tntp"))
NETWORKS = ["SiouxFalls", "Anaheim", "Barcelona", "Winnipeg", "ChicagoSketch"]
GAPS = [1e-4, 1e-6]


def aequilibrae_setup(raw: TNTPNetwork, demand: np.ndarray, fixed: np.ndarray) -> object:
    """Build AequilibraE's Graph and demand matrix once (not timed)."""
    from aequilibrae.matrix import AequilibraeMatrix
    from aequilibrae.paths import Graph

    df = pd.DataFrame(
        {
            "link_id": np.arange(1, raw.links + 1),
            "a_node": raw.init_node,
            "b_node": raw.term_node,
            "direction": np.ones(raw.links, dtype=np.int8),
            "capacity": np.where(raw.capacity > 0, raw.capacity, 1.0),
            # AequilibraE rejects free-flow time 0 (ChicagoSketch's 774 connectors): use 1e-6 there
            "free_flow_time": np.maximum(raw.free_flow_time, 1e-6),
            "b": raw.b,
            # AequilibraE requires power >= 1; B = 0 links are constant whatever the power
            "power": np.where((raw.b == 0) & (raw.power < 1), 1.0, raw.power),
            "fixed": fixed,
        }
    )
    g = Graph()
    g.network = df
    g.network_ok = True
    g.status = "OK"
    g.prepare_graph(np.arange(1, raw.zones + 1, dtype=np.int64))
    g.set_graph("free_flow_time")
    g.set_skimming(["free_flow_time"])
    g.set_blocked_centroid_flows(raw.first_thru_node > 1)
    mat = AequilibraeMatrix()
    mat.create_empty(zones=raw.zones, matrix_names=["demand"], memory_only=True)
    mat.index[:] = np.arange(1, raw.zones + 1)
    mat.matrices[:, :, 0] = demand
    mat.computational_view(["demand"])
    return g, mat


def aequilibrae_run(setup: object, algorithm: str, gap: float, max_iter: int) -> tuple[int, float, float, np.ndarray]:
    """Run AequilibraE's TrafficAssignment; returns iterations, seconds, final gap, flows (link order)."""
    from aequilibrae.paths import TrafficAssignment, TrafficClass

    g, mat = setup
    tc = TrafficClass("car", g, mat)
    if np.any(g.graph["fixed"].to_numpy() > 0):
        tc.set_fixed_cost("fixed", 1.0)
    ta = TrafficAssignment()
    ta.set_classes([tc])
    ta.set_vdf("BPR")
    ta.set_vdf_parameters({"alpha": "b", "beta": "power"})
    ta.set_capacity_field("capacity")
    ta.set_time_field("free_flow_time")
    ta.set_algorithm(algorithm)
    ta.max_iter = max_iter
    ta.rgap_target = gap
    t = time.perf_counter()
    ta.execute(log_specification=False)
    sec = time.perf_counter() - t
    rep = ta.assignment.convergence_report
    flows = tc.results.get_load_results().sort_index()
    link_flow = flows["matrix_ab"].to_numpy() if "matrix_ab" in flows else flows.iloc[:, 0].to_numpy()
    return int(ta.assignment.iter), sec, float(rep["rgap"][-1]), link_flow


def median_ms(fn: object, k: int = 7) -> float:
    times = []
    for _ in range(k):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times)) * 1e3


def floor_seconds(net: LinkNetwork, demand: ODMatrix) -> tuple[float, float, float, float]:
    """One all-origins sweep, median ms: scipy Dijkstra (the floor), scipy + numpy AON, compiled AON,
    compiled shortest-path trees alone (GP's sweep)."""
    from corridor.assignment import _kernels as K

    spg = net.sp
    cost = net.cost(net.capacity * 0.8)  # a loaded network, not free flow
    m = spg.matrix(cost)
    floor = median_ms(lambda: dijkstra(m, directed=True, indices=demand.origins, return_predecessors=True))
    lib = median_ms(lambda: all_or_nothing_scipy(spg, demand, cost))
    all_or_nothing(spg, demand, cost)  # compile / load the cache
    ker = median_ms(lambda: all_or_nothing(spg, demand, cost))
    ptr, head, link, _, blocked = spg.fstar
    _, row_ptr, dest, flow = demand.layout()
    trees = np.full((demand.origins.size, net.num_nodes), -1, dtype=np.int32)
    oc = np.empty(flow.size)
    trees_ms = median_ms(lambda: K.sp_trees(ptr, head, link, blocked, cost, demand.origins, row_ptr, dest, flow,
                                            trees, oc))
    return floor, lib, ker, trees_ms


def fmt(it: int | None, sec: float | None, ok: bool = True) -> str:
    if it is None or sec is None:
        return "—"
    return f"{it} / {sec:.2f}s" if ok else f"{it} / > {sec:.1f}s (cap)"


def aequilibrae_cells(setup: object, name: str, gap: float, algos: list[str], cap: int, time_limit: float,
                      repeat: int, aeq_per_iter: float, row: dict[str, str]) -> tuple[float, float, float]:
    """Run AequilibraE's ``algos`` to ``gap`` into ``row``; returns its best converged and best capped
    seconds, and its seconds per bfw iteration (measured at 1e-4, it caps the 1e-6 runs)."""
    aeq_best, aeq_capped = np.inf, np.inf
    for algo in algos:
        if setup is None:
            row[f"AeQ {algo}"] = "—"
            continue
        acap = cap
        if gap < 1e-5 and np.isfinite(aeq_per_iter):
            acap = max(10, min(cap, int(time_limit / aeq_per_iter)))
        runs = []
        for _ in range(repeat):
            runs.append(aequilibrae_run(setup, algo, gap, acap))
            if runs[-1][2] > gap:  # capped: one run is a lower bound
                break
        it, sec, g, _ = sorted(runs, key=lambda r: r[1])[len(runs) // 2]
        ok = g <= gap
        row[f"AeQ {algo}"] = fmt(it, sec, ok) + ("" if ok else f" [{g:.1e}]")
        if ok:
            aeq_best = min(aeq_best, sec)
        else:
            aeq_capped = min(aeq_capped, sec)
        if algo == "bfw" and gap >= 1e-5 and it:
            aeq_per_iter = sec / it
        print(f"{name} {gap:.0e} aequilibrae {algo}: {it} it {sec:.2f}s gap {g:.2e} (cap {acap})", flush=True)
    return aeq_best, aeq_capped, aeq_per_iter


def corridor_cells(net: LinkNetwork, demand: ODMatrix, name: str, gap: float, cap: int, repeat: int, floor: float,
                   best: np.ndarray | None, row: dict[str, str]) -> float:
    """Run corridor's bfw and gp to ``gap`` into ``row``; returns the best converged seconds."""
    ours_best = np.inf
    for algo in ("bfw", "gp"):
        runs = [assign(net, demand, algo, gap=gap, max_iter=cap, progress=False) for _ in range(repeat)]
        r = sorted(runs, key=lambda q: q.wall_time)[len(runs) // 2]
        row[f"corridor {algo}"] = fmt(r.iterations, r.wall_time, r.converged)
        if r.converged:
            ours_best = min(ours_best, r.wall_time)
        row[f"{algo} iter / floor"] = f"{r.wall_time / r.iterations / (floor / 1e3):.1f}"
        l1 = np.abs(r.flows - best).sum() / best.sum() if best is not None else np.nan
        print(f"{name} {gap:.0e} corridor {algo}: {r.iterations} it {r.wall_time:.2f}s gap {r.gap:.2e} "
              f"L1 {l1:.1e}", flush=True)
    return ours_best


def network_rows(name: str, folder: Path, args: argparse.Namespace, have_aeq: bool, cap: int,
                 repeat: int) -> list[dict[str, str]]:
    """One table row per target gap for the network in ``folder``."""
    net, dem_matrix, raw = load_network(folder)
    best = read_flow(find_files(folder)["flow"]).aligned(raw) if "flow" in find_files(folder) else None
    demand = ODMatrix.from_matrix(dem_matrix, net.num_zones)
    floor, lib, ker, trees_ms = floor_seconds(net, demand)
    print(f"{name}: one all-origins sweep: scipy dijkstra {floor:.2f} ms, compiled trees {trees_ms:.2f} ms; "
          f"AON scipy + numpy {lib:.2f} ms, compiled {ker:.2f} ms", flush=True)
    for algo in ("bfw", "gp"):  # warm-up (numba cache load), not timed
        assign(net, demand, algo, gap=1e-2, max_iter=3, progress=False)
    setup = aequilibrae_setup(raw, dem_matrix, net.fixed_cost) if have_aeq else None
    aeq_per_iter = np.nan
    rows = []
    for gap in GAPS:
        row: dict[str, str] = {"network": name, "gap": f"{gap:.0e}"}
        algos = ["bfw"] if (args.quick or gap < 1e-5) else ["bfw", "cfw", "fw"]
        aeq_best, aeq_capped, aeq_per_iter = aequilibrae_cells(setup, name, gap, algos, cap, args.time_limit, repeat,
                                                               aeq_per_iter, row)
        ours_best = corridor_cells(net, demand, name, gap, cap, repeat, floor, best, row)
        if np.isfinite(aeq_best) and np.isfinite(ours_best):
            row["corridor / AeQ"] = f"{ours_best / aeq_best:.3f}×"
        elif np.isfinite(aeq_capped) and np.isfinite(ours_best):
            row["corridor / AeQ"] = f"< {ours_best / aeq_capped:.3f}×"
        else:
            row["corridor / AeQ"] = "—"
        row["floor (scipy SP sweep)"] = f"{floor:.2f} ms"
        row["SP trees: compiled"] = f"{trees_ms:.2f} ms"
        row["AON: scipy+numpy / compiled"] = f"{lib:.2f} / {ker:.2f} ms"
        rows.append(row)
    return rows


def write_table(rows: list[dict[str, str]], repeat: int, cap: int, time_limit: float) -> None:
    """Print the table and write it to ``benchmarks/results/assignment.md``."""
    table = pd.DataFrame(rows).fillna("—")
    cols = ["network", "gap", "AeQ bfw", "AeQ cfw", "AeQ fw", "corridor bfw", "corridor gp", "corridor / AeQ",
            "bfw iter / floor", "gp iter / floor", "floor (scipy SP sweep)", "SP trees: compiled",
            "AON: scipy+numpy / compiled"]
    table = table[[c for c in cols if c in table.columns]]
    md = table.to_markdown(index=False) if _has_tabulate() else table.to_string(index=False)
    header = (f"# corridor vs AequilibraE 1.7.2 — traffic assignment\n\niterations / wall seconds to the target "
              f"relative gap (median of {repeat}); cap {cap} iterations, AequilibraE at 1e-6 also "
              f"{time_limit:.0f} s; {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores\n\n")
    print("\n" + md)
    out = REPO / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "assignment.md").write_text(header + md + "\n")


TAPB_SRC = Path(os.environ.get("CORRIDOR_TAPB_DIR", REPO.parent / "shared" / "peers" / "tap-b"))
TAPB_NETWORKS = NETWORKS + ["Austin"]
TAPB_GAPS = [1e-4, 1e-6, 1e-8, 1e-10, 1e-12]


def build_tapb(workdir: Path) -> Path | None:
    """Copy tap-b into ``workdir`` and ``make serial``; its binary, or None (with a message) if it can't be built."""
    import shutil
    import subprocess

    if not TAPB_SRC.is_dir():
        print(f"skip tap-b: {TAPB_SRC} not found (set CORRIDOR_TAPB_DIR)", file=sys.stderr)
        return None
    if shutil.which(os.environ.get("CC", "gcc")) is None or shutil.which("make") is None:
        print("skip tap-b: no C compiler (gcc) or make on PATH", file=sys.stderr)
        return None
    dst = workdir / "tap-b"
    shutil.copytree(TAPB_SRC, dst)
    done = subprocess.run(["make", "-C", str(dst), "serial"], capture_output=True, text=True)
    binary = dst / "bin" / "tap"
    if done.returncode != 0 or not binary.exists():
        print(f"skip tap-b: build failed\n{done.stderr[-2000:]}", file=sys.stderr)
        return None
    return binary


def _run_measured(cmd: list[str], cwd: Path) -> tuple[str, float]:
    """Run ``cmd``; its stdout and peak RSS in MB (``wait4``)."""
    import subprocess

    with subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True) as proc:
        out = proc.stdout.read() if proc.stdout else ""
        _, _, usage = os.wait4(proc.pid, 0)
        proc.returncode = 0
    return out, usage.ru_maxrss / 1024


def run_tapb(binary: Path, folder: Path, gap: float, workdir: Path) -> tuple[float, float, int, float]:
    """One tap-b run: (its reported solve seconds, final gap, iterations, peak RSS MB)."""
    import re

    files = find_files(folder)
    (workdir / "params.txt").write_text(
        f"<NETWORK FILE> {files['net'].name}\n<TRIPS FILE> {files['trips'].name}\n<FILE PATH> {folder}/\n"
        f"<DATA PATH> {workdir}/\n<CONVERGENCE GAP> {gap:g}\n<MAX RUN TIME> 1200\n<NUMBER OF THREADS> 1\n"
        f"<FLOWS FILE> {workdir}/flows.txt\n"
    )
    out, rss = _run_measured([str(binary), "params.txt"], workdir)
    last = re.findall(r"Iteration (\d+):.*?gap ([0-9.eE+-]+),.*?time ([0-9.]+)", out)
    if not last:
        return np.nan, np.nan, 0, rss
    it, g, sec = last[-1]
    return float(sec), float(g), int(it), rss


def corridor_rss(name: str, algo: str, gap: float) -> float:
    """Peak RSS (MB) of a fresh Python process that loads ``name`` and solves it with ``algo`` to ``gap``."""
    code = (f"from corridor.assignment import assign; from corridor.formats.tntp import load_network; "
            f"net, d, _ = load_network({str(TNTP / name)!r}); assign(net, d, {algo!r}, gap={gap!r}, progress=False)")
    _, rss = _run_measured([sys.executable, "-c", code], REPO)
    return rss


def tapb_rows(name: str, binary: Path, args: argparse.Namespace, workdir: Path) -> list[dict[str, str]]:
    """One row per gap: tap-b and corridor medians (alternating runs), ratio, and RSS for the RSS network."""
    folder = TNTP / name
    net, dem_matrix, _ = load_network(folder)
    demand = ODMatrix.from_matrix(dem_matrix, net.num_zones)
    algos = args.algorithms.split(",")
    for algo in algos:  # compile / load the numba cache, not timed
        assign(net, demand, algo, gap=1e-2, max_iter=2, progress=False)
    repeat = 1 if args.quick else max(1, args.repeat)
    rows = []
    for gap in TAPB_GAPS:
        tb: list[tuple[float, float, int, float]] = []
        ours: dict[str, list] = {a: [] for a in algos}
        for _ in range(repeat):  # alternate: the machine is shared
            tb.append(run_tapb(binary, folder, gap, workdir))
            for algo in algos:
                ours[algo].append(assign(net, demand, algo, gap=gap, max_iter=5000, progress=False))
        t_sec, t_gap, t_it, t_rss = sorted(tb)[len(tb) // 2]
        row = {"network": name, "gap": f"{gap:.0e}", "tap-b": f"{t_it} / {t_sec:.3f}s"
               + ("" if t_gap <= gap else f" [{t_gap:.1e}]")}
        best = np.inf
        for algo in algos:
            r = sorted(ours[algo], key=lambda q: q.wall_time)[len(ours[algo]) // 2]
            row[f"corridor {algo}"] = f"{r.iterations} / {r.wall_time:.3f}s" + ("" if r.converged else " (cap)")
            if r.converged:
                best = min(best, r.wall_time)
        row["corridor / tap-b"] = f"{best / t_sec:.2f}×" if np.isfinite(best) and t_sec > 0 else "—"
        if name == args.rss_network:
            row["peak RSS tap-b / corridor"] = f"{t_rss:.0f} / {corridor_rss(name, algos[0], gap):.0f} MB"
        print(row, flush=True)
        rows.append(row)
    return rows


def warm_start_row(name: str = "ChicagoSketch", gap: float = 1e-6) -> dict[str, str]:
    """Re-solve to ``gap`` after closing the most loaded link (capacity → 1e-3): warm vs cold seconds."""
    import dataclasses

    net, dem, _ = load_network(TNTP / name)
    base = assign(net, dem, "bush", gap=gap, progress=False)
    k = int(np.argmax(base.flows))
    cap = net.capacity.copy()
    cap[k] = 1e-3
    closed = dataclasses.replace(net, capacity=cap)
    cold = sorted((assign(closed, dem, "bush", gap=gap, progress=False) for _ in range(3)), key=lambda r: r.wall_time)[1]
    warm = sorted((assign(closed, dem, "bush", gap=gap, progress=False, warm_start=base) for _ in range(3)),
                  key=lambda r: r.wall_time)[1]
    diff = float(np.abs(warm.flows - cold.flows).sum() / cold.flows.sum())
    return {"network": name, "change": f"link {k} closed (capacity 1e-3)", "gap": f"{gap:.0e}",
            "cold": fmt(cold.iterations, cold.wall_time), "warm": fmt(warm.iterations, warm.wall_time),
            "warm / cold": f"{warm.wall_time / cold.wall_time:.2f}×", "L1 warm vs cold": f"{diff:.1e}"}


def tapb_main(args: argparse.Namespace) -> int:
    """The tap-b comparison (``--vs tap-b``)."""
    import tempfile

    names = args.networks.split(",") if args.networks else (NETWORKS[:4] if args.quick else TAPB_NETWORKS)
    rows: list[dict[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="corridor-tapb-") as tmp:
        binary = build_tapb(Path(tmp))
        if binary is None:
            return 0
        for name in names:
            if not (TNTP / name).is_dir():
                print(f"skip {name}: {TNTP / name} not found", file=sys.stderr)
                continue
            rows += tapb_rows(name, binary, args, Path(tmp))
    table = pd.DataFrame(rows).fillna("—")
    md = table.to_markdown(index=False) if _has_tabulate() else table.to_string(index=False)
    warm = "" if args.quick else "\n\n" + pd.DataFrame([warm_start_row()]).to_string(index=False)
    header = (f"# corridor vs tap-b (Algorithm B in C, serial) — traffic assignment\n\niterations / solve seconds "
              f"(median of {1 if args.quick else args.repeat}, alternating runs); {time.strftime('%Y-%m-%d %H:%M')}, "
              f"{os.cpu_count()} cores\n\n")
    print("\n" + md + warm)
    out = REPO / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "assignment_tapb.md").write_text(header + md + warm + "\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--vs", choices=["tap-b", "aequilibrae"], default="tap-b")
    ap.add_argument("--networks", default=None)
    ap.add_argument("--algorithms", default="bush,gp", help="corridor algorithms against tap-b (best one counts)")
    ap.add_argument("--rss-network", default="Austin", help="report peak RSS of both on this network")
    ap.add_argument("--quick", action="store_true", help="cap iterations at 500, AequilibraE bfw only, 1 repeat")
    ap.add_argument("--max-iter", type=int, default=None, help="iteration cap (default 5000)")
    ap.add_argument("--time-limit", type=float, default=120.0, help="AequilibraE's time budget per 1e-6 run (s)")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    if args.vs == "tap-b":
        return tapb_main(args)
    args.networks = args.networks or ",".join(NETWORKS)
    os.environ.setdefault("AEQ_SHOW_PROGRESS", "FALSE")  # its tqdm bars would cost time and flood stderr
    logging.getLogger("aequilibrae").setLevel(logging.ERROR)
    warnings.simplefilter("ignore")
    try:
        import aequilibrae  # noqa: F401

        have_aeq = True
    except ImportError:
        have_aeq = False
        print("AequilibraE not installed (pip install aequilibrae==1.7.2): corridor only", file=sys.stderr)
    cap = args.max_iter or (500 if args.quick else 5_000)
    repeat = 1 if args.quick else max(1, args.repeat)
    rows: list[dict[str, str]] = []
    for name in args.networks.split(","):
        folder = TNTP / name
        if not folder.is_dir():
            print(f"skip {name}: {folder} not found", file=sys.stderr)
            continue
        rows += network_rows(name, folder, args, have_aeq, cap, repeat)
    write_table(rows, repeat, cap, args.time_limit)
    return 0


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    raise SystemExit(main())
