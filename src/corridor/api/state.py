"""What endpoints reach through the app (``app.state``), as FastAPI dependencies: the route service,
the job manager, the run store and the server's configuration.

An endpoint asks for what it needs by type, e.g. ``def places(service: ServiceDep) -> ...``. The
dependencies are ``async`` so that FastAPI calls them on the event loop: a plain ``def`` one would cost
every request a round trip through the thread pool.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Request

from ..store import RunStore
from .jobs import JobManager
from .service import RouteService


@dataclass(frozen=True)
class ServerConfig:
    """What :func:`~corridor.api.create_app` was given: request and job limits, and where the map is."""

    max_body_bytes: int
    max_url_bytes: int
    timeout_s: float
    job_workers: int
    max_queued_jobs: int
    job_time_limit_s: float
    web_dir: Path


class RunStoreOpener:
    """The run store, opened at its first use (a store that cannot be opened must not stop the server)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._store: RunStore | None = None
        self._lock = threading.Lock()

    def __call__(self) -> RunStore:
        with self._lock:
            if self._store is None:
                self._store = RunStore(self.path, timeout_s=5.0)
            return self._store


async def get_service(request: Request) -> RouteService:
    return request.app.state.service


async def get_jobs(request: Request) -> JobManager:
    return request.app.state.jobs


async def get_config(request: Request) -> ServerConfig:
    return request.app.state.config


async def get_run_store(request: Request) -> RunStoreOpener:
    return request.app.state.run_store


ServiceDep = Annotated[RouteService, Depends(get_service)]
JobsDep = Annotated[JobManager, Depends(get_jobs)]
ConfigDep = Annotated[ServerConfig, Depends(get_config)]
RunStoreDep = Annotated[RunStoreOpener, Depends(get_run_store)]
