"""Load benchmark of the route endpoint on loopback: sustained requests per second and p50/p99 latency.

Starts the API on the bundled network in a subprocess (one uvicorn worker, as ``corridor serve``),
then drives ``GET /api/route`` with ``wrk`` (Debian's package) and a Lua script that rotates through
origin–destination pairs, objectives and alternatives. Two runs: with the route cache the server
ships with (repeated queries are answered from memory), and with the cache off (every request runs
the router). Falls back to an asyncio + httpx load generator when wrk is not installed.

Usage: python benchmarks/load.py [--seconds 15] [--connections 16] [--port 8911]
Writes benchmarks/results/load.json and prints a table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ORIGINS = ["CN-XIAN", "CN-CHONGQING", "CN-KHORGOS", "KZ-ALMATY", "UZ-TASHKENT", "CN-SHANGHAI"]
DESTINATIONS = ["DE-DUISBURG", "NL-ROTTERDAM", "TR-ISTANBUL", "DE-HAMBURG", "PL-WARSAW", "HU-BUDAPEST",
                "GE-POTI", "RO-CONSTANTA"]
OBJECTIVES = ["generalized", "time", "cost", "co2"]
RESULTS = Path(__file__).parent / "results"


def paths() -> list[str]:
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


def start_server(port: int, cache: int) -> subprocess.Popen:
    code = ("import uvicorn; from corridor.api import create_app; "
            f"uvicorn.run(create_app(route_cache={cache}), host='127.0.0.1', port={port}, "
            "log_level='warning', access_log=False)")
    proc = subprocess.Popen([sys.executable, "-c", code])
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1).read()
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the server did not start")


def warm(port: int) -> None:
    for p in paths():
        urllib.request.urlopen(f"http://127.0.0.1:{port}{p}", timeout=30).read()


LUA = """
local paths = {%s}
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("JSON{\\"requests\\":%%d,\\"seconds\\":%%f,\\"p50_ms\\":%%f,\\"p90_ms\\":%%f,\\"p99_ms\\":%%f,\\"max_ms\\":%%f,\\"errors\\":%%d,\\"non2xx\\":%%d}\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
"""


def run_wrk(port: int, seconds: int, connections: int, rate: int | None) -> dict:
    script = LUA % ", ".join(json.dumps(p) for p in paths())
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
    try:
        cmd = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--timeout", "5s", "-s", f.name,
               f"http://127.0.0.1:{port}"]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(f.name)
    stats = json.loads(re.search(r"JSON(\{.*\})", out).group(1))
    stats["rps"] = stats["requests"] / stats["seconds"]
    stats["tool"] = f"wrk -t2 -c{connections}"
    return stats


async def _httpx_load(port: int, seconds: int, connections: int) -> dict:
    import httpx

    latencies: list[float] = []
    errors = 0
    todo = paths()
    end = time.perf_counter() + seconds

    async def worker(k: int, client: httpx.AsyncClient) -> None:
        nonlocal errors
        i = k
        while time.perf_counter() < end:
            t = time.perf_counter()
            r = await client.get(todo[i % len(todo)])
            latencies.append(time.perf_counter() - t)
            errors += r.status_code != 200
            i += connections

    start = time.perf_counter()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=5) as client:
        await asyncio.gather(*(worker(k, client) for k in range(connections)))
    took = time.perf_counter() - start
    latencies.sort()
    q = lambda p: 1000 * latencies[min(len(latencies) - 1, int(p * len(latencies)))]  # noqa: E731
    return {"requests": len(latencies), "seconds": took, "rps": len(latencies) / took, "p50_ms": q(0.5),
            "p90_ms": q(0.9), "p99_ms": q(0.99), "max_ms": 1000 * latencies[-1], "errors": 0, "non2xx": errors,
            "tool": f"httpx asyncio, {connections} connections"}


def measure(cache: int, seconds: int, connections: int, port: int) -> dict:
    proc = start_server(port, cache)
    try:
        warm(port)
        if shutil.which("wrk"):
            stats = run_wrk(port, seconds, connections, None)
        else:
            stats = asyncio.run(_httpx_load(port, seconds, connections))
    finally:
        proc.terminate()
        proc.wait(10)
    stats["route_cache"] = cache
    return stats


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    if not 1 <= args.seconds <= 300 or not 1 <= args.connections <= 512:
        ap.error("--seconds 1–300, --connections 1–512")
    port = args.port or free_port()
    runs = [measure(2048, args.seconds, args.connections, port), measure(0, args.seconds, args.connections, port)]
    RESULTS.mkdir(exist_ok=True)
    meta = {"queries": len(paths()), "cpus": os.cpu_count(), "python": sys.version.split()[0]}
    (RESULTS / "load.json").write_text(json.dumps({"meta": meta, "runs": runs}, indent=2))
    print(f"GET /api/route on loopback, bundled network, {len(paths())} rotating queries, "
          f"{args.seconds} s per run, {runs[0]['tool']}")
    print(f"{'route cache':<14}{'req/s':>9}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}{'errors':>8}")
    for r in runs:
        print(f"{'on' if r['route_cache'] else 'off':<14}{r['rps']:>9.0f}{r['p50_ms']:>9.1f}{r['p90_ms']:>9.1f}"
              f"{r['p99_ms']:>9.1f}{r['max_ms']:>9.1f}{r['errors'] + r['non2xx']:>8}")
    goal = runs[0]["rps"] >= 200 and runs[0]["p99_ms"] < 100
    print(f"goal (200 req/s, p99 < 100 ms) with the cache: {'met' if goal else 'NOT met'}; "
          f"without: {'met' if runs[1]['rps'] >= 200 and runs[1]['p99_ms'] < 100 else 'not met'}")


if __name__ == "__main__":
    main()
