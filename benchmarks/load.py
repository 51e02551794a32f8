"""Load benchmark of the route endpoint on loopback: a fixed request rate, and latency from the scheduled send.

Starts the API on the bundled network in a subprocess (``python -m corridor.api --workers N``: uvicorn
worker processes, each with its own network; ``corridor serve`` runs one), warms it, then drives ``GET /api/route`` open-loop at a constant
rate: request *i* is due at ``start + i / rate`` whatever happened to the ones before, and its latency
is measured from that due time, so a slow server cannot slow the generator down and hide its own
queueing (no coordinated omission). Queries rotate through origin–destination pairs, all four
objectives and 1–3 alternatives. Each run is done with the route cache on (repeated queries answered
from memory) and off (every request runs the router).

The generator is plain asyncio over keep-alive sockets (no wrk2 or vegeta in Debian; no HTTP client
library in the loop, so the generator itself stays cheap on a shared machine).

On a shared machine the rates depend on what else runs, so each run also reports the server's CPU time
per request (its processes' user + system time from /proc over the run, divided by the requests): a
capacity of 1000 / that per core, whatever the load. Before the runs, the same queries are answered
in-process and timed stage by stage (:func:`stages`): request validation, search, corridor labels, legs,
plain records (``to_dict``), the answer's assembly and JSON, and FastAPI with the middleware around them
(query parameters, dependencies, the time limit); the rest of the server's CPU time is uvicorn's HTTP.

Usage: python benchmarks/load.py [--rate 200] [--seconds 20] [--workers 2] [--cache both|on|off]
Writes benchmarks/results/load-<N>w.json and prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

ORIGINS = ["CN-XIAN", "CN-CHONGQING", "CN-KHORGOS", "KZ-ALMATY", "UZ-TASHKENT", "CN-SHANGHAI"]
DESTINATIONS = ["DE-DUISBURG", "NL-ROTTERDAM", "TR-ISTANBUL", "DE-HAMBURG", "PL-WARSAW", "HU-BUDAPEST",
                "GE-POTI", "RO-CONSTANTA"]
OBJECTIVES = ["generalized", "time", "cost", "co2"]
RESULTS = Path(__file__).parent / "results"


def paths() -> list[str]:
    """48 queries: every origin–destination pair once, objectives and alternatives rotating."""
    out = []
    for i, o in enumerate(ORIGINS):
        for j, d in enumerate(DESTINATIONS):
            q = {"origin": o, "destination": d, "optimize": OBJECTIVES[(i + j) % 4], "alternatives": 1 + (i + j) % 3}
            out.append("/api/route?" + urllib.parse.urlencode(q))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, cache: int, workers: int) -> subprocess.Popen:
    env = dict(os.environ)
    # not `uvicorn --workers`: its socket lacks TCP_NODELAY (see corridor.api.server), +40 ms a request
    cmd = [sys.executable, "-m", "corridor.api", "--port", str(port), "--workers", str(workers),
           "--route-cache", str(cache), "--log-level", "warning", "--no-access-log"]
    proc = subprocess.Popen(cmd, env=env)
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1).read()
            return proc
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError("the server exited at start")
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the server did not start")


def warm(port: int, workers: int) -> None:
    """Every query a few times, so each worker process has built its routers (and, cached, its answers)."""
    for _ in range(2 * workers):
        for p in paths():
            urllib.request.urlopen(f"http://127.0.0.1:{port}{p}", timeout=30).read()


async def _fetch(conn: tuple[asyncio.StreamReader, asyncio.StreamWriter], request: bytes) -> int:
    reader, writer = conn
    writer.write(request)
    status = int((await reader.readline()).split()[1])
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return status


async def open_loop(port: int, rate: float, seconds: float, max_connections: int = 128) -> dict:
    """Send ``rate`` requests per second for ``seconds``, each at its due time; latency from the due time."""
    requests = [f"GET {p} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode() for p in paths()]
    idle: list[tuple[float, tuple[asyncio.StreamReader, asyncio.StreamWriter]]] = []  # (last used, connection)
    opened: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    waiting: asyncio.Queue = asyncio.Queue()
    latencies: list[float] = []
    late_sends: list[float] = []
    errors = 0

    async def connection() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        while idle:
            used, conn = idle.pop()
            if time.perf_counter() - used < 2.0:  # uvicorn closes keep-alive connections idle for 5 s
                return conn
            opened.remove(conn)
            conn[1].close()
        if len(opened) < max_connections:
            conn = await asyncio.open_connection("127.0.0.1", port)
            opened.append(conn)
            return conn
        return await waiting.get()

    def release(conn: tuple[asyncio.StreamReader, asyncio.StreamWriter]) -> None:
        if waiting._getters:  # someone waits for a connection: hand it over
            waiting.put_nowait(conn)
        else:
            idle.append((time.perf_counter(), conn))

    async def one(i: int, due: float) -> None:
        nonlocal errors
        conn = await connection()
        late_sends.append(time.perf_counter() - due)
        try:
            status = await asyncio.wait_for(_fetch(conn, requests[i % len(requests)]), 10)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError, IndexError):
            errors += 1
            opened.remove(conn)
            conn[1].close()
            return
        latencies.append(time.perf_counter() - due)
        errors += status != 200
        release(conn)

    total = int(rate * seconds)
    tasks = []
    start = time.perf_counter() + 0.05
    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(i, due)))
    await asyncio.gather(*tasks)
    took = time.perf_counter() - start
    for _, writer in opened:
        writer.close()
    latencies.sort()
    late_sends.sort()

    def q(values: list[float], p: float) -> float:
        return round(1000 * values[min(len(values) - 1, int(p * len(values)))], 2) if values else float("nan")

    return {"target_rps": rate, "requests": total, "ok": len(latencies) - errors, "errors": errors,
            "seconds": round(took, 2), "rps": round(len(latencies) / took, 1),
            "p50_ms": q(latencies, 0.50), "p90_ms": q(latencies, 0.90), "p99_ms": q(latencies, 0.99),
            "max_ms": q(latencies, 1.0), "send_lag_p99_ms": q(late_sends, 0.99), "connections": len(opened)}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time so far of a process and all its descendants (Linux /proc)."""
    tick, total, todo = os.sysconf("SC_CLK_TCK"), 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except OSError:  # gone, or not Linux
            continue
    return total


def measure(cache: int, rate: float, seconds: float, workers: int, port: int) -> dict:
    proc = start_server(port, cache, workers)
    try:
        warm(port, workers)
        load, cpu = os.getloadavg()[0], cpu_seconds(proc.pid)
        stats = asyncio.run(open_loop(port, rate, seconds))
        cpu = cpu_seconds(proc.pid) - cpu
    finally:
        proc.terminate()
        proc.wait(15)
    stats.update(route_cache=cache, workers=workers, load_before=round(load, 2),
                 server_cpu_ms_per_request=round(1000 * cpu / max(stats["requests"], 1), 3))
    return stats


def stages(repeat: int = 7) -> dict[str, float]:
    """Where one request's time goes, in-process (no sockets), ms per request (the median of ``repeat``
    passes over the 48 queries, cache off): each stage is timed on its own."""
    from corridor.api import create_app
    from corridor.api.models import RouteRequest
    from corridor.api.service import _ROUTE_JSON

    app = create_app(route_cache=0, warm_shapes=False, freeze_gc=False)
    service = app.state.service
    router = service.router("general")
    queries = [dict(urllib.parse.parse_qsl(p.partition("?")[2])) for p in paths()]
    fields = [{**q, "alternatives": int(q["alternatives"])} for q in queries]
    reqs = [service.vocabulary.check(RouteRequest.model_validate(f)) for f in fields]
    inner: dict[str, float] = {"search": 0.0, "labels": 0.0, "legs": 0.0}
    for stage, method in (("search", "_solve"), ("labels", "corridor_of"), ("legs", "_route")):
        setattr(router, method, timed(getattr(router, method), inner, stage))
    answers = [service.answer(r, r, reliability=False, geometry=False) for r in reqs]

    def route(i: int) -> Any:
        r = reqs[i]
        return router.route(r.origin, r.destination, optimize=r.optimize, alternatives=r.alternatives)

    routes = [route(i) for i in range(len(reqs))]
    n = range(len(reqs))
    parts: dict[str, Callable[[], Any]] = {
        "request validation": lambda: [service.vocabulary.check(RouteRequest.model_validate(f)) for f in fields],
        "route()": lambda: [route(i) for i in n],
        "to_dict": lambda: [[r.to_dict() for r in routes[i]] for i in n],
        "JSON (as served)": lambda: [service.route_json(r) for r in reqs],  # minus the rest, below
        "model validation + JSON (not served)": lambda: [_ROUTE_JSON.dump_json(
            _ROUTE_JSON.validate_python(a), by_alias=True) for a in answers],
        "ASGI total": lambda: asyncio.run(asgi_get(app, paths())),
    }
    runs: dict[str, list[float]] = {name: [] for name in parts}
    route_runs: list[dict[str, float]] = []
    for _ in range(repeat):
        for name, f in parts.items():
            inner.update(search=0.0, labels=0.0, legs=0.0)
            t = time.perf_counter()
            f()
            runs[name].append(1000 * (time.perf_counter() - t) / len(reqs))
            if name == "route()":
                route_runs.append({k: 1000 * v / len(reqs) for k, v in inner.items()})
    med = {name: sorted(v)[len(v) // 2] for name, v in runs.items()}
    inside = {k: sorted(r[k] for r in route_runs)[len(route_runs) // 2] for k in inner}
    out = {"request validation": med["request validation"], **inside,
           "route() other (weights, masks)": med["route()"] - sum(inside.values()), "to_dict": med["to_dict"],
           "answer assembly + JSON": med["JSON (as served)"] - med["route()"] - med["to_dict"],
           "model validation + JSON (not served)": med["model validation + JSON (not served)"]}
    out["FastAPI, middleware, event loop"] = med["ASGI total"] - med["JSON (as served)"] - med["request validation"]
    out["total in-process (ASGI)"] = med["ASGI total"]
    return {k: round(v, 3) for k, v in out.items()}


def timed(f: Callable[..., Any], into: dict[str, float], stage: str) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t = time.perf_counter()
        try:
            return f(*args, **kwargs)
        finally:
            into[stage] += time.perf_counter() - t
    return wrapper


async def asgi_get(app: Any, queries: list[str]) -> None:
    """GET each query from the ASGI app directly, one after the other (no HTTP parsing, no sockets)."""

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    for path in queries:
        route, _, query = path.partition("?")
        scope = {"type": "http", "http_version": "1.1", "method": "GET", "path": route, "raw_path": route.encode(),
                 "query_string": query.encode(), "headers": [(b"host", b"127.0.0.1")], "scheme": "http",
                 "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1), "root_path": "", "app": app}
        sent: list[dict] = []

        async def send(message: dict) -> None:
            sent.append(message)  # noqa: B023 (awaited before the next query)

        await app(scope, receive, send)
        assert sent[0]["status"] == 200, sent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rate", type=float, default=200, help="requests per second (open loop)")
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    ap.add_argument("--cache", choices=["both", "on", "off"], default="both")
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    if not 1 <= args.seconds <= 300 or not 1 <= args.rate <= 5000 or not 1 <= args.workers <= 16:
        ap.error("--seconds 1–300, --rate 1–5000, --workers 1–16")
    port = args.port or free_port()
    caches = {"both": [2048, 0], "on": [2048], "off": [0]}[args.cache]
    split = stages()
    print("Where a request's time goes (in-process, cache off, ms per request; median of 7 passes):")
    for name, ms in split.items():
        print(f"  {name:<40}{ms:>8.3f}")
    runs = [measure(c, args.rate, args.seconds, args.workers, port) for c in caches]
    RESULTS.mkdir(exist_ok=True)
    meta = {"queries": len(paths()), "cpus": os.cpu_count(), "python": sys.version.split()[0],
            "rate": args.rate, "seconds": args.seconds, "workers": args.workers}
    out = RESULTS / f"load-{args.workers}w.json"
    out.write_text(json.dumps({"meta": meta, "stages_ms": split, "runs": runs}, indent=2))
    print(f"GET /api/route on loopback, bundled network, {len(paths())} rotating queries, open loop at "
          f"{args.rate:g} req/s for {args.seconds:g} s, {args.workers} uvicorn worker(s) -> {out}")
    print(f"{'route cache':<13}{'req/s':>8}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}{'conns':>7}"
          f"{'CPU ms/req':>12}{'load':>6}")
    for r in runs:
        print(f"{'on' if r['route_cache'] else 'off':<13}{r['rps']:>8.1f}{r['p50_ms']:>9.1f}{r['p90_ms']:>9.1f}"
              f"{r['p99_ms']:>9.1f}{r['max_ms']:>9.1f}{r['errors']:>8}{r['connections']:>7}"
              f"{r['server_cpu_ms_per_request']:>12.3f}{r['load_before']:>6.1f}")
        met = r["rps"] >= 0.98 * args.rate and r["p99_ms"] < 100 and not r["errors"]
        print(f"  goal ({args.rate:g} req/s, p99 < 100 ms): {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
