"""Monte Carlo speed and memory: the engine against numpy drawing the same variates, and 10 M samples.

Run: ``.venv/bin/python benchmarks/reliability.py [--samples N] [--big N] [--repeat R]``.

A synthetic chain network gives a route of exactly 40 stochastic components (19 border crossings,
lognormal; 19 rail runs and 2 handlings, gamma; none shared, so none is merged). The engine's time for
``--samples`` door-to-door totals is compared, in the same run, with numpy alone drawing the same
variates (the same families and shapes, nothing summed) and with numpy drawing as many standard normals;
the ratio is the engine's overhead (goal ≤ 3). Then ``--big`` samples (default 10 million) are drawn
under tracemalloc, whose peak counts every numpy buffer (goal ≤ 500 MB).
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np

from corridor.network import load_network
from corridor.network.reliability_table import load_reliability
from corridor.freight.reliability import _plan, simulate
from corridor.routing import Router

MINI = Path(__file__).resolve().parents[1] / "tests" / "data" / "mini"
HEADER = ("component,mode,country,place,link,months,family,cv,late_share,late_mean_h,closure_share,"
          "closure_mean_h,storm_group,shared,source,closure_source,note")


def chain_dataset(folder: Path, n_links: int = 19) -> None:
    """A line of places in alternating countries: every link is a rail border crossing."""
    for name in ("modes.csv", "cargo.csv", "tariffs.csv", "sources.csv"):
        shutil.copy(MINI / name, folder / name)
    countries = ("KZ", "UZ")
    places = [f"{countries[i % 2]}-P{i:02d}" for i in range(n_links + 1)]
    (folder / "places.csv").write_text("id,name,aliases,country,lon,lat,kind,source,note\n" + "".join(
        f"{p},Place {i},,{p[:2]},{60 + i * 0.5},{45},city,T-PUB,\n" for i, p in enumerate(places)))
    links = ["id,from,to,mode,length_km,speed_kmh,gauge_mm,electrified,capacity_teu_per_year,status,open_year,"
             "group,passages,length_source,speed_source,capacity_source,status_source,note"]
    crossings = ["id,link,name,dwell_h,cost_usd_per_feu,dwell_source,cost_source,note"]
    for i, (a, b) in enumerate(zip(places, places[1:])):
        links.append(f"L{i},{a},{b},rail,{300 + 10 * i},40,1520,true,,operational,,,,T-PUB,T-PUB,,,")
        crossings.append(f"X{i},L{i},Border {i},{5 + i},100,T-PUB,T-PUB,")
    (folder / "links.csv").write_text("\n".join(links) + "\n")
    (folder / "crossings.csv").write_text("\n".join(crossings) + "\n")
    (folder / "terminals.csv").write_text("place,from_layer,to_layer,dwell_h,cost_usd_per_feu,dwell_source,cost_source,note\n")
    (folder / "services.csv").write_text("link,frequency_per_week,frequency_source,note\n")
    rows = ["run,,,,,,gamma,0.1", "handling,,,,,,gamma,0.3", "port,,,,,,gamma,0.6", "gauge,,,,,,gamma,0.5",
            "transfer,,,,,,gamma,0.3", "border,,,,,,lognormal,0.8", "wait,,,,,,headway,"]
    (folder / "reliability.csv").write_text(HEADER + "\n" + "".join(f"{r},,,,,,false,T-EST,,\n" for r in rows))


def numpy_alone(plan, rng: np.random.Generator, n: int, block: int) -> None:
    """The same variates as the engine draws, in the same blocks, with nothing else done."""
    for lo in range(0, n, block):
        m = min(block, n - lo)
        if plan.gamma_shape:
            rng.standard_gamma(np.asarray(plan.gamma_shape), size=(m, len(plan.gamma_shape)))
        if plan.logn_mu:
            rng.lognormal(np.asarray(plan.logn_mu), np.asarray(plan.logn_sigma), size=(m, len(plan.logn_mu)))
        if plan.headway_h:
            rng.random((m, len(plan.headway_h)))
        if plan.bern_p:
            rng.random((m, len(plan.bern_p)))
            rng.standard_exponential((m, len(plan.bern_p)))


def best_of(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=100_000)
    parser.add_argument("--big", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        chain_dataset(folder)
        network = load_network(folder)
        table = load_reliability(folder, network=network)
    router = Router(network)
    route = router.route(network.places["id"].iloc[0], network.places["id"].iloc[-1])[0]
    plan = _plan(router, route, table, 1)
    k = plan.n_stochastic
    n = args.samples
    block = max(1, (1 << 21) // k)
    print(f"route: {len(route.legs)} legs, {k} stochastic components; {n:,} samples → {n * k:,} variates")

    engine = best_of(lambda: simulate(router, route, samples=n, month=1, seed=1, table=table), args.repeat)
    same = best_of(lambda: numpy_alone(plan, np.random.default_rng(1), n, block), args.repeat)
    normal = best_of(lambda: np.random.default_rng(1).standard_normal(n * k), args.repeat)
    print(f"engine (simulate, incl. quantiles)     {1000 * engine:8.1f} ms")
    print(f"numpy alone, the same variates          {1000 * same:8.1f} ms   ratio {engine / same:.2f} (goal ≤ 3)")
    print(f"numpy alone, as many standard normals   {1000 * normal:8.1f} ms   ratio {engine / normal:.2f}")

    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    t0 = time.perf_counter()
    big = simulate(router, route, samples=args.big, month=1, seed=1, table=table)
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{args.big:,} samples: {elapsed:.1f} s, P50 {big.p50:.2f} d, P90 {big.p90:.2f} d; "
          f"peak traced memory {peak / 1e6:.0f} MB (goal ≤ 500 MB); "
          f"process max RSS grew {max(0, rss1 - rss0) / 1024:.0f} MB")


if __name__ == "__main__":
    main()
