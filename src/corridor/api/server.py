"""Run the API in one or several uvicorn worker processes.

``uvicorn --workers N`` binds its listening socket as ``socket.socket(AF_INET)`` (protocol 0), and
asyncio only sets ``TCP_NODELAY`` on accepted sockets whose protocol is ``IPPROTO_TCP``: with several
workers every response then waits on Nagle's algorithm and the client's delayed ACK, about 40 ms per
request on loopback. :func:`serve` binds the socket itself, with the TCP protocol set, and hands it
to uvicorn's process supervisor.

``python -m corridor.api [--host 127.0.0.1] [--port 8000] [--workers 2] [--route-cache 2048]``
"""

from __future__ import annotations

import argparse
import os
import socket
from pathlib import Path

APP = "corridor.api.app:app_from_env"


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def serve(*, host: str = "127.0.0.1", port: int = 8000, workers: int = 1, data: Path | None = None,
          timeout_s: float = 10.0, route_cache: int = 2048, log_level: str = "info", access_log: bool = True) -> None:
    """Serve the API (and the web map) with ``workers`` processes, each with its own copy of the network."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    os.environ.update(CORRIDOR_TIMEOUT=str(timeout_s), CORRIDOR_ROUTE_CACHE=str(route_cache))
    if data is not None:
        os.environ["CORRIDOR_DATA"] = str(data)
    config = uvicorn.Config(APP, factory=True, host=host, port=port, workers=workers, log_level=log_level,
                            access_log=access_log)
    if workers <= 1:
        uvicorn.Server(config).run()
        return
    sock = listening_socket(host, port)
    Multiprocess(config, sockets=[sock]).run()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m corridor.api", description="Serve the corridor API and web map.")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8000)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--route-cache", type=int, default=2048)
    ap.add_argument("--log-level", default="info")
    ap.add_argument("--no-access-log", action="store_true")
    args = ap.parse_args(argv)
    if not 1 <= args.workers <= 64 or not 0 <= args.port <= 65535:
        ap.error("--workers 1–64, --port 0–65535")
    serve(host=args.host, port=args.port, workers=args.workers, data=args.data, timeout_s=args.timeout,
          route_cache=args.route_cache, log_level=args.log_level, access_log=not args.no_access_log)
