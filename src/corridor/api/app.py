"""The FastAPI application: the app factory, its middleware, lifespan and error handlers.

The endpoints live in :mod:`corridor.api.endpoints`, one module per resource.
"""

from __future__ import annotations

import gc
import json
import os
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Route

from ..errors import CorridorError, NoRouteError, UnknownNameError
from ..network import Network, load_network
from ..settings import Settings
from .analyses import register_analyses
from .contract import install as install_contract
from .endpoints import ROUTERS
from .jobs import JobManager
from .limits import LimitMiddleware
from .service import RouteService
from .state import RunStoreOpener, ServerConfig


def static_dir() -> Path:
    """Where the built web map lives in the package (``make web`` writes it)."""
    return Path(__file__).resolve().parents[1] / "web" / "static"


def create_app(network: Network | None = None, *, data: Path | None = None, settings: Settings | None = None,
               max_body_bytes: int = 64 * 1024, max_url_bytes: int = 8 * 1024, timeout_s: float = 10.0,
               job_workers: int = 2, max_queued_jobs: int = 8, job_time_limit_s: float = 600.0,
               route_cache: int = 2048, warm_shapes: bool = True, web_dir: Path | None = None,
               store: Path | None = None, freeze_gc: bool = True) -> FastAPI:
    """Build the API on one network.

    Parameters
    ----------
    network : Network, optional
        The network to serve; else ``data`` (a dataset folder chosen by whoever starts the server)
        or the bundled dataset.
    max_body_bytes, max_url_bytes : int
        Larger requests get 413 / 414.
    timeout_s : float
        A request that takes longer gets 504.
    job_workers, max_queued_jobs, job_time_limit_s
        The background-job pool: threads, waiting jobs before 429, and each job's time limit.
    route_cache : int
        Route answers kept in memory (0 turns the cache off).
    warm_shapes : bool
        Compute sea-lane shapes in the background at start-up.
    web_dir : Path, optional
        The built web map (default: the package's ``web/static``).
    store : Path, optional
        The run store file to show at /api/runs (default: ``corridor.store.default_store_path()``).
    freeze_gc : bool
        At start-up, ``gc.freeze()`` what exists (the network and its routers), so the garbage
        collector's full passes do not stall requests.

    Examples
    --------
    >>> from corridor.api import create_app
    >>> app = create_app()  # doctest: +SKIP
    >>> # uvicorn.run(app)
    """
    network = network if network is not None else load_network(data)
    service = RouteService(network, settings or Settings(), data_dir=Path(data) if data else None,
                           cache_size=route_cache)
    jobs = JobManager(workers=job_workers, max_queued=max_queued_jobs)
    register_analyses(jobs, service, job_time_limit_s)
    web = Path(web_dir) if web_dir is not None else static_dir()

    app = FastAPI(title="corridor", version=version("corridor"),
                  lifespan=lifespan(service, jobs, warm_shapes, freeze_gc),
                  description="Routes, alternatives, comparisons and scenarios on the Eurasian freight network. "
                              "Every error is JSON with `detail` (and `suggestions` for unknown names).")
    app.state.service = service
    app.state.jobs = jobs
    app.state.run_store = RunStoreOpener(store)
    app.state.config = ServerConfig(max_body_bytes=max_body_bytes, max_url_bytes=max_url_bytes, timeout_s=timeout_s,
                                    job_workers=job_workers, max_queued_jobs=max_queued_jobs,
                                    job_time_limit_s=job_time_limit_s, web_dir=web)
    app.add_middleware(LimitMiddleware, max_body_bytes=max_body_bytes, max_url_bytes=max_url_bytes,
                       timeout_s=timeout_s)
    add_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    install_contract(app, lambda: service.vocabulary)
    if (web / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=web / "assets"), name="assets")
    return app


def app_from_env() -> FastAPI:
    """An app configured from the environment, for ``uvicorn --factory corridor.api.app:app_from_env``
    (which several ``--workers`` need): ``CORRIDOR_DATA`` (dataset folder), ``CORRIDOR_TIMEOUT`` (s),
    ``CORRIDOR_ROUTE_CACHE`` (answers kept; 0 turns the cache off), ``CORRIDOR_FREEZE_GC`` (0: do not)."""
    data = os.environ.get("CORRIDOR_DATA") or None
    return create_app(data=Path(data) if data else None, timeout_s=float(os.environ.get("CORRIDOR_TIMEOUT", "10")),
                      route_cache=int(os.environ.get("CORRIDOR_ROUTE_CACHE", "2048")),
                      freeze_gc=os.environ.get("CORRIDOR_FREEZE_GC", "1") != "0")


def lifespan(service: RouteService, jobs: JobManager, warm_shapes: bool,
             freeze_gc: bool) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """Start-up (warm the sea-lane shapes, freeze the heap) and shut-down (stop the jobs)."""

    @asynccontextmanager
    async def span(app: FastAPI) -> AsyncIterator[None]:
        if warm_shapes:
            threading.Thread(target=service.shapes.warm, name="corridor-shapes", daemon=True).start()
        if freeze_gc:
            # the network, routers and tables live as long as the server: move them out of the
            # collector's reach, so a full collection scans only what requests allocate
            # (with them, one took ~90 ms and set the route endpoint's p99)
            gc.collect()
            gc.freeze()
        yield
        jobs.shutdown()

    return span


class ErrorResponse(JSONResponse):
    """JSON that is always sent: text a client sent that is not Unicode (a lone surrogate) is escaped."""

    def render(self, content: Any) -> bytes:
        try:
            return super().render(content)
        except UnicodeEncodeError:
            return json.dumps(content, separators=(",", ":")).encode()


def error(status: int, detail: str, suggestions: list[str] | None = None,
          problems: list[dict[str, str]] | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    """Every error response: ``detail``, ``suggestions`` and ``problems`` (:class:`~corridor.api.models.ErrorOut`)."""
    return ErrorResponse(status_code=status, headers=headers,
                         content={"detail": detail, "suggestions": suggestions or [], "problems": problems or []})


def add_error_handlers(app: FastAPI) -> None:
    """Map errors to responses once: an unknown name or no route is 404, any other
    :class:`~corridor.errors.CorridorError` 422; invalid requests 422 field by field."""

    @app.exception_handler(UnknownNameError)
    async def unknown_name(request: Request, exc: UnknownNameError) -> JSONResponse:
        return error(404, str(exc), exc.suggestions)

    @app.exception_handler(NoRouteError)
    async def no_route(request: Request, exc: NoRouteError) -> JSONResponse:
        return error(404, str(exc))

    @app.exception_handler(CorridorError)
    async def corridor_error(request: Request, exc: CorridorError) -> JSONResponse:
        return error(422, str(exc))

    @app.exception_handler(RequestValidationError)
    async def validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        return invalid(exc.errors())

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        headers = dict(getattr(exc, "headers", None) or {})
        if exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError):
            # FastAPI's 400 for a body that is not UTF-8: to a client, JSON that cannot be read, as any other
            return invalid([{"type": "json_invalid", "loc": ("body",), "ctx": {"error": "it is not UTF-8 text"}}])
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no such endpoint: {request.url.path} (see /docs)"
        if exc.status_code == 405:
            headers["Allow"] = allowed_methods(request)
            detail = f"{request.method} is not allowed on {request.url.path}; it takes {headers['Allow']}"
        return error(exc.status_code, detail, headers=headers)


#: validation errors whose message gains the value given (pydantic's types: an enum, a bound, a parse)
QUOTED = ("literal", "enum", "greater", "less", "int_", "float_", "bool_")


def invalid(errors: Sequence[dict[str, Any]]) -> JSONResponse:
    """422 for an invalid request: the first problem in ``detail``, each in ``problems``, and the nearest
    known names of any unknown one in ``suggestions``."""
    problems = [problem(e) for e in errors]
    first = problems[0] if problems else {"field": "", "message": "invalid request"}
    detail = f"invalid request: {first['field']}: {first['message']}" if first["field"] else first["message"]
    if len(problems) > 1:
        detail += f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})"
    suggestions = [s for e in errors for s in (e.get("ctx") or {}).get("suggestions", ())]
    return error(422, detail, list(dict.fromkeys(suggestions)), problems)


def problem(e: dict[str, Any]) -> dict[str, str]:
    """One validation error as ``{"field", "message"}``; the message quotes a short wrong value."""
    where = ".".join(str(p) for p in e.get("loc", ()))
    if e.get("type") == "json_invalid":
        reason = (e.get("ctx") or {}).get("error", "decode error")
        return {"field": where, "message": f"the body is not valid JSON ({reason})"}
    message = str(e.get("msg", "invalid"))
    if e.get("type") == "string_unicode":  # JSON can spell a lone surrogate ("\\ud800"), which is no text
        message = "must be Unicode text: a lone surrogate such as \\ud800 is not"
    value = e.get("input")
    if str(e.get("type")).startswith(QUOTED) and isinstance(value, str | int | float) and len(repr(value)) <= 60:
        message += f", not {value!r}"
    return {"field": where, "message": message}


def allowed_methods(request: Request) -> str:
    """Every method of every route at the request's path (Starlette's 405 names those of the first only)."""
    routes = [*request.app.router.routes, *(route for router in ROUTERS for route in router.routes)]
    methods = {m for route in routes if isinstance(route, Route) and route.matches(request.scope)[0] != Match.NONE
               for m in route.methods or ()}
    return ", ".join(sorted(methods))
