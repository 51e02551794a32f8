"""The FastAPI application: routes, places, comparisons, scenarios, background jobs and the web map."""

from __future__ import annotations

import gc
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Query, Request
from fastapi import Path as Path_
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from ..errors import CorridorError, DataError, InvalidOptionError, NoRouteError, UnknownPlaceError
from ..network import Network, default_data_dir, load_network
from ..settings import Settings
from .capabilities import probe_all
from .geometry import countries_geojson
from .jobs import JobKind, JobManager
from .limits import LimitMiddleware
from .models import (
    MAX_LIST,
    AssignmentRequest,
    CapabilitiesOut,
    CompareRequest,
    CompareResponse,
    CriticalityRequest,
    ErrorOut,
    JobOut,
    JobsOut,
    PlaceOut,
    PlacesOut,
    RouteRequest,
    RouteResponse,
)
from .service import RouteService

ERRORS = {code: {"model": ErrorOut} for code in (404, 413, 422, 504)}
SEA = "#cfe0ee"
LAND = "#f4f1ea"


def static_dir() -> Path:
    """Where the built web map lives (``make web`` writes it)."""
    return Path(str(resources.files("corridor") / "web" / "static"))


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
    features = probe_all()
    service = RouteService(network, settings or Settings(), features, data_dir=Path(data) if data else default_data_dir(),
                           cache_size=route_cache)
    jobs = JobManager(workers=job_workers, max_queued=max_queued_jobs)
    web = Path(web_dir) if web_dir is not None else static_dir()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
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

    app = FastAPI(title="corridor", version=__version__, lifespan=lifespan,
                  description="Routes, alternatives, comparisons and scenarios on the Eurasian freight network. "
                              "Every error is JSON with `detail` (and `suggestions` for unknown names).")
    app.state.service = service
    app.state.jobs = jobs
    app.state.features = features
    app.add_middleware(LimitMiddleware, max_body_bytes=max_body_bytes, max_url_bytes=max_url_bytes,
                       timeout_s=timeout_s)
    _errors(app)

    _memo: dict[str, bytes] = {}
    limits = {"max_body_bytes": max_body_bytes, "max_url_bytes": max_url_bytes, "timeout_s": timeout_s,
              "max_alternatives": 10, "max_list_items": MAX_LIST, "job_workers": job_workers,
              "max_queued_jobs": max_queued_jobs, "job_time_limit_s": job_time_limit_s}

    # -- about ------------------------------------------------------------------------------
    @app.get("/api/health", tags=["about"])
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/capabilities", response_model=CapabilitiesOut, tags=["about"])
    def capabilities() -> dict[str, Any]:
        """What this server can do: optional modules present or not, job kinds, limits."""
        feats = {name: {"available": f.available, "reason": f.reason} for name, f in features.items()}
        feats["routing"] = {"available": True, "reason": ""}
        built = (web / "index.html").is_file()
        feats["web"] = {"available": built, "reason": "" if built else f"the web map is not built: run `make web` ({web})"}
        return {"version": __version__, "dataset": network.version, "places": len(network.places),
                "links": len(network.links), "features": feats, "job_kinds": sorted(jobs.kinds), "limits": limits}

    # -- places -----------------------------------------------------------------------------
    @app.get("/api/places", response_model=PlacesOut, tags=["places"])
    def places(q: str = Query("", max_length=100, description="Part of a name, id or alias."),
               limit: int = Query(20, ge=1, le=500)) -> dict[str, Any]:
        """Places whose name, id or alias contains ``q``: exact matches first, then prefixes."""
        found = service.search(q, limit)
        return {"query": q, "count": len(found), "places": found}

    @app.get("/api/places/{place}", response_model=PlaceOut, responses=ERRORS, tags=["places"])
    def place(place: str) -> dict[str, Any]:
        """One place by id, name or alias; 404 with suggestions when nothing matches."""
        if len(place) > 120:
            raise InvalidOptionError("a place name is at most 120 characters")
        return service.place(place)

    # -- routes -----------------------------------------------------------------------------
    @app.get("/api/route", response_model=RouteResponse, responses=ERRORS,
             tags=["routes"])
    async def route_get(origin: str = Query(..., examples=["Xi'an"]), destination: str = Query(..., examples=["Duisburg"]),
                  optimize: str = "generalized", alternatives: int = 1,
                  avoid: str = Query("", description="Countries to avoid, ISO codes: RU,IR."),
                  avoid_mode: str = Query("", description="rail,road,ferry,sea"),
                  avoid_passage: str = Query("", description="suez,babalmandab,bosporus…"),
                  via: str | None = None, year: int | None = None, cargo: str = "general",
                  scenario: str | None = None, reliability: bool = False,
                  geometry: bool = False) -> Response:
        """Best route and up to ``alternatives - 1`` materially different corridors (query-string form)."""
        # async: a cached answer is sent from the event loop; routing runs in the thread pool
        fields = {"origin": origin, "destination": destination, "optimize": optimize, "alternatives": alternatives,
                  "avoid_countries": _split(avoid), "avoid_modes": _split(avoid_mode),
                  "avoid_passages": _split(avoid_passage), "via": via or None, "year": year, "cargo": cargo,
                  "scenario": scenario or None, "reliability": reliability, "geometry": geometry}
        try:
            req = RouteRequest.model_validate(fields)
        except ValidationError as exc:
            raise RequestValidationError([{**e, "loc": ("query", *_query_name(e["loc"]))} for e in exc.errors()])
        return await _route_response(service, req)

    @app.post("/api/route", response_model=RouteResponse, responses=ERRORS,
              tags=["routes"])
    async def route_post(req: RouteRequest) -> Response:
        """Best route and alternatives (JSON-body form; same answer as GET)."""
        return await _route_response(service, req)

    @app.post("/api/compare", response_model=CompareResponse, responses=ERRORS,
              tags=["routes"])
    def compare(req: CompareRequest) -> dict[str, Any]:
        """The same origin and destination under two sets of options (a year, constraints or a scenario):
        both answers and what changed, corridor by corridor."""
        return service.compare(req)

    # -- map data ---------------------------------------------------------------------------
    @app.get("/api/network", tags=["map"])
    def network_geojson() -> Response:
        """Every link as GeoJSON (mode, status, open_year, group, capacity)."""
        return _cached_json(service.shapes.network_geojson())

    @app.get("/api/basemap/countries.geojson", tags=["map"])
    def countries() -> Response:
        """Natural Earth 1:50m country outlines shipped with the package (public domain)."""
        if "countries" not in _memo:
            _memo["countries"] = countries_geojson()
        return Response(_memo["countries"], media_type="application/geo+json",
                        headers={"Cache-Control": "public, max-age=86400"})

    @app.get("/api/basemap/style.json", tags=["map"])
    def style(request: Request) -> dict[str, Any]:
        """A MapLibre style with one local GeoJSON source: no tiles, fonts or sprites from elsewhere."""
        url = str(request.url_for("countries"))
        return {"version": 8, "name": "corridor offline",
                "sources": {"countries": {"type": "geojson", "data": url}},
                "layers": [{"id": "sea", "type": "background", "paint": {"background-color": SEA}},
                           {"id": "land", "type": "fill", "source": "countries",
                            "paint": {"fill-color": LAND, "fill-outline-color": "#b9b3a6"}},
                           {"id": "borders", "type": "line", "source": "countries",
                            "paint": {"line-color": "#a8a294", "line-width": 0.6}}]}

    # -- scenarios --------------------------------------------------------------------------
    if features["scenarios"].available:
        _scenario_routes(app, service)
        _energy_routes(app, service)

    if features["store"].available:
        _store_routes(app, features["store"].module, store)

    # -- jobs -------------------------------------------------------------------------------
    _job_routes(app, jobs)
    if features["criticality"].available and features["demand"].available:
        _criticality_routes(app, service, jobs, job_time_limit_s)
    if features["assignment"].available:
        _assignment_routes(app, service, jobs, job_time_limit_s)

    # -- web map ----------------------------------------------------------------------------
    _web_routes(app, web)
    return app


def app_from_env() -> FastAPI:
    """An app configured from the environment, for ``uvicorn --factory corridor.api.app:app_from_env``
    (which several ``--workers`` need): ``CORRIDOR_DATA`` (dataset folder), ``CORRIDOR_TIMEOUT`` (s),
    ``CORRIDOR_ROUTE_CACHE`` (answers kept; 0 turns the cache off), ``CORRIDOR_FREEZE_GC`` (0: do not)."""
    import os

    data = os.environ.get("CORRIDOR_DATA") or None
    return create_app(data=Path(data) if data else None, timeout_s=float(os.environ.get("CORRIDOR_TIMEOUT", "10")),
                      route_cache=int(os.environ.get("CORRIDOR_ROUTE_CACHE", "2048")),
                      freeze_gc=os.environ.get("CORRIDOR_FREEZE_GC", "1") != "0")


async def _route_response(service: RouteService, req: RouteRequest) -> Response:
    """The route answer as JSON bytes that :class:`RouteResponse` validated (in the service, once per
    answer: the cache keeps the bytes); routing runs in the thread pool, a cache hit on the event loop."""
    body = service.cached_json(req)
    if body is None:
        body = await run_in_threadpool(service.route_json, req)
    return Response(body, media_type="application/json")


def _split(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split(",") if p.strip()]


_QUERY_NAMES = {"avoid_countries": "avoid", "avoid_modes": "avoid_mode", "avoid_passages": "avoid_passage"}


def _query_name(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(_QUERY_NAMES.get(p, p) if isinstance(p, str) else p for p in loc)


def _cached_json(payload: Any) -> Response:
    import json

    return Response(json.dumps(payload, separators=(",", ":")), media_type="application/json",
                    headers={"Cache-Control": "public, max-age=3600"})


def _error(status: int, detail: str, suggestions: list[str] | None = None,
           problems: list[dict[str, str]] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content={"detail": detail, "suggestions": suggestions or [],
                                                     "problems": problems or []})


def _errors(app: FastAPI) -> None:
    @app.exception_handler(UnknownPlaceError)
    async def unknown_place(request: Request, exc: UnknownPlaceError) -> JSONResponse:
        return _error(404, str(exc), exc.suggestions)

    @app.exception_handler(NoRouteError)
    async def no_route(request: Request, exc: NoRouteError) -> JSONResponse:
        return _error(404, str(exc))

    @app.exception_handler(InvalidOptionError)
    async def invalid(request: Request, exc: InvalidOptionError) -> JSONResponse:
        return _error(422, str(exc))

    @app.exception_handler(DataError)
    async def data_error(request: Request, exc: DataError) -> JSONResponse:  # a scenario that does not apply
        return _error(422, str(exc))

    @app.exception_handler(CorridorError)
    async def corridor_error(request: Request, exc: CorridorError) -> JSONResponse:
        return _error(422, str(exc))

    @app.exception_handler(RequestValidationError)
    async def validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for e in exc.errors():
            where = ".".join(str(p) for p in e.get("loc", ()))
            if e.get("type") == "json_invalid":
                msg = f"the body is not valid JSON ({(e.get('ctx') or {}).get('error', 'decode error')})"
            else:
                msg = str(e.get("msg", "invalid"))
            problems.append({"field": where, "message": msg})
        first = problems[0] if problems else {"field": "", "message": "invalid request"}
        detail = f"invalid request: {first['field']}: {first['message']}" if first["field"] else first["message"]
        if len(problems) > 1:
            detail += f" (and {len(problems) - 1} more problem{'s' if len(problems) > 2 else ''})"
        return _error(422, detail, problems=jsonable_encoder(problems))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"no such endpoint: {request.url.path} (see /docs)"
        return JSONResponse(status_code=exc.status_code, content={"detail": detail, "suggestions": [], "problems": []},
                            headers=getattr(exc, "headers", None))


def _scenario_routes(app: FastAPI, service: RouteService) -> None:
    @app.get("/api/scenarios", tags=["scenarios"])
    def scenarios() -> dict[str, Any]:
        """The bundled scenarios: name, title, year."""
        out = []
        for name in service.scenario_names():
            try:
                sc = service.scenario(name)
                out.append({"name": name, "title": sc.title, "year": sc.year, "operations": len(sc.operations)})
            except CorridorError as exc:
                out.append({"name": name, "title": "", "year": None, "operations": 0, "error": str(exc)})
        return {"scenarios": out}

    @app.get("/api/scenarios/{name}", responses=ERRORS, tags=["scenarios"])
    def scenario(name: str) -> dict[str, Any]:
        """A scenario's operations and the links it opens, closes, adds or changes on this network."""
        sc = service.scenario(name)
        module = service.features["scenarios"].module
        changed = module.changed_links(service.network, service.scenario_network(name))
        return {**sc.to_dict(), "changed_links": changed.to_dict("records")}


def _energy_routes(app: FastAPI, service: RouteService) -> None:
    import functools

    from ..energy import compare_energy, energy_flows, load_energy
    from ..energy.flows import DEFAULT_TARGET

    layer = functools.cache(lambda: load_energy(service.data_dir))

    def commodity_of(value: str) -> str:
        if value not in DEFAULT_TARGET:
            raise InvalidOptionError(f"commodity must be gas or oil, not {value!r}")
        return value

    @app.get("/api/energy/flows", responses=ERRORS, tags=["energy"])
    def energy_flows_get(commodity: str = Query("gas", examples=["gas", "oil"]), scenario: str = Query("base"),
                         to: str | None = Query(None, description="europe, all, a country code or a market id "
                                                "(default: europe for gas, all for oil)."),
                         year: int | None = Query(None, ge=1990, le=2100)) -> dict[str, Any]:
        """The most oil or gas the network delivers, the flow on every asset, and what binds (the minimum cut)."""
        c = commodity_of(commodity)
        sc = service.scenario(scenario) if scenario != "base" else None
        return energy_flows(layer(), c, to=to, year=year, scenario=sc).to_dict()

    @app.get("/api/energy/geojson", responses=ERRORS, tags=["energy", "map"])
    def energy_geojson_get(commodity: str = Query("gas"), scenario: str = Query("base"), to: str | None = Query(None),
                           year: int | None = Query(None, ge=1990, le=2100)) -> dict[str, Any]:
        """The solved energy network as GeoJSON: asset lines with flow, capacity and whether they bind;
        field and market points with what they supply or receive (for the web map)."""
        from ..energy.plot import energy_geojson

        c = commodity_of(commodity)
        sc = service.scenario(scenario) if scenario != "base" else None
        return energy_geojson(energy_flows(layer(), c, to=to, year=year, scenario=sc), layer())

    @app.get("/api/energy/compare", responses=ERRORS, tags=["energy"])
    def energy_compare_get(scenario: str = Query(..., examples=["southern-gas-corridor-expansion"]),
                           base: str = Query("base"), commodity: str = Query("gas"),
                           to: str | None = Query(None)) -> dict[str, Any]:
        """What a bundled scenario changes in deliveries, asset flows and binding constraints."""
        c = commodity_of(commodity)
        a, b = (service.scenario(s) if s != "base" else None for s in (base, scenario))
        return compare_energy(a, b, commodity=c, to=to, energy=layer()).to_dict()


def _job_routes(app: FastAPI, jobs: JobManager) -> None:
    def out(job: Any) -> dict[str, Any]:
        return {"id": job.id, "kind": job.kind, "status": job.status, "progress": round(job.progress, 4),
                "message": job.message, "created": job.created, "started": job.started, "finished": job.finished,
                "time_limit_s": job.time_limit_s, "params": job.params.model_dump(), "error": job.error,
                "result_url": f"/api/jobs/{job.id}/result" if job.status == "done" else None}

    def find(job_id: str) -> Any:
        job = jobs.get(job_id)
        if job is None:
            raise StarletteHTTPException(404, f"no job {job_id!r} (finished jobs are kept for a while, then dropped)")
        return job

    @app.get("/api/jobs", response_model=JobsOut, tags=["jobs"])
    def list_jobs() -> dict[str, Any]:
        """Jobs queued, running and recently finished (kinds: see /api/capabilities)."""
        queued, running = jobs.counts()
        return {"jobs": [out(j) for j in jobs.list()], "queued": queued, "running": running,
                "max_queued": jobs.max_queued, "workers": jobs.workers}

    @app.get("/api/jobs/{job_id}", response_model=JobOut, responses=ERRORS, tags=["jobs"])
    def get_job(job_id: str) -> dict[str, Any]:
        """A job's status and progress (0–1)."""
        return out(find(job_id))

    @app.get("/api/jobs/{job_id}/result", responses={**ERRORS, 409: {"model": ErrorOut}}, tags=["jobs"])
    def job_result(job_id: str) -> Any:
        """The result of a finished job; 409 while it runs or when it failed."""
        job = find(job_id)
        if job.status != "done":
            raise StarletteHTTPException(409, f"job {job_id} is {job.status}" + (f": {job.error}" if job.error else ""))
        return job.result

    @app.delete("/api/jobs/{job_id}", response_model=JobOut, responses=ERRORS, tags=["jobs"])
    def cancel_job(job_id: str) -> dict[str, Any]:
        """Cancel a queued or running job."""
        find(job_id)
        return out(jobs.cancel(job_id))

    app.state.job_out = out


def submit_job(app: FastAPI, kind: str, params: Any) -> dict[str, Any]:
    """Submit a job of a registered kind; 404 for an unknown scenario (now rather than a failed job
    later), 429 when the queue is full."""
    from .jobs import QueueFull

    if params.scenario:
        app.state.service.scenario(params.scenario)
    try:
        job = app.state.jobs.submit(kind, params)
    except QueueFull as exc:
        raise StarletteHTTPException(429, str(exc), headers={"Retry-After": "5"}) from None
    return app.state.job_out(job)


class _JobProgress:
    """The slice of rich's Progress that :func:`corridor.parallel.run_tasks` uses, feeding a job's progress."""

    def __init__(self, progress: Any, start: float = 0.05, end: float = 0.99) -> None:
        self.progress, self.start, self.end = progress, start, end
        self.total, self.done, self.description = 1.0, 0.0, ""

    def add_task(self, description: str, total: float | None = None, **_: Any) -> int:
        self.description, self.total, self.done = description, float(total or 1), 0.0
        self.progress(self.start, description)
        return 0

    def advance(self, task: int, advance: float = 1) -> None:
        self.done += advance
        self.progress(self.start + (self.end - self.start) * self.done / self.total, self.description)

    def update(self, task: int, **fields: Any) -> None:
        if "completed" in fields:
            self.done = float(fields["completed"])
            self.advance(task, 0)

    def remove_task(self, task: int) -> None:
        pass


def finite(value: Any) -> Any:
    """JSON-safe: numpy scalars to Python, NaN and infinities to None."""
    import math

    import numpy as np

    if isinstance(value, dict):
        return {str(k): finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _criticality_routes(app: FastAPI, service: RouteService, jobs: JobManager, time_limit_s: float) -> None:
    module = service.features["criticality"].module

    def run(params: CriticalityRequest, progress: Any) -> dict[str, Any]:
        progress(0.01, "loading demand")
        router = service.router("", params.scenario)
        od = service.demand()
        result = module.criticality(router, od, scope=params.scope, year=service.year(params.year, params.scenario),
                                    rank_by=params.rank_by, workers=1, progress=_JobProgress(progress))
        return finite(result.to_dict(top=params.top))

    jobs.register(JobKind("criticality", CriticalityRequest, run, time_limit_s,
                          "rank links, places, crossings or countries by the harm their loss does"))

    @app.post("/api/criticality", response_model=JobOut, status_code=202,
              responses={**ERRORS, 429: {"model": ErrorOut}}, tags=["jobs"])
    def submit_criticality(params: CriticalityRequest) -> dict[str, Any]:
        """Start a criticality run as a background job; poll /api/jobs/{id}, then fetch its result."""
        return submit_job(app, "criticality", params)


def _assignment_routes(app: FastAPI, service: RouteService, jobs: JobManager, time_limit_s: float) -> None:
    module = service.features["assignment"].module

    def run(params: AssignmentRequest, progress: Any) -> dict[str, Any]:
        progress(0.01, "building the problem")
        network = service.scenario_network(params.scenario) if params.scenario else service.network
        year = service.year(params.year, params.scenario)
        kwargs: dict[str, Any] = {} if year is None else {"year": year}
        max_iter = params.max_iter

        def step(iteration: int, gap: float) -> None:
            progress(min(0.98, 0.02 + 0.96 * iteration / max_iter), f"iteration {iteration}, relative gap {gap:.2e}")

        flows = module.assign_corridors(network, algorithm=params.algorithm, gap=params.gap, max_iter=max_iter,
                                        data_dir=service.data_dir, progress=step, **kwargs)
        out = flows.to_dict(top=params.top)
        out.pop("edges", None)
        edges = flows.edges[flows.edges["link"] != ""]
        per_link = edges.groupby("link").agg(volume_teu=("volume_teu", "max"), vc=("vc", "max"))
        out["links"] = [{"link": k, "volume_teu": v, "vc": c} for k, v, c in
                        zip(per_link.index, per_link["volume_teu"], per_link["vc"])]
        return finite(out)

    jobs.register(JobKind("assignment", AssignmentRequest, run, time_limit_s,
                          "capacity-aware equilibrium flows of the bundled demand"))

    @app.post("/api/assignment", response_model=JobOut, status_code=202,
              responses={**ERRORS, 429: {"model": ErrorOut}}, tags=["jobs"])
    def submit_assignment(params: AssignmentRequest) -> dict[str, Any]:
        """Start a capacity-aware assignment as a background job; its result has per-link volume and v/c."""
        return submit_job(app, "assignment", params)


def _store_routes(app: FastAPI, module: Any, path: Path | None) -> None:
    opened: list[Any] = []

    def store() -> Any:
        if not opened:
            opened.append(module.RunStore(path, timeout_s=5.0))
        return opened[0]

    @app.get("/api/runs", tags=["runs"])
    def runs(kind: str | None = Query(None, max_length=40), sweep: str | None = Query(None, max_length=80),
             limit: int = Query(100, ge=1, le=1000)) -> dict[str, Any]:
        """Runs in the run store (newest last), without their results."""
        try:
            frame = store().frame(kind=kind, sweep=sweep)
        except module.StoreError as exc:
            raise StarletteHTTPException(503, str(exc)) from None
        frame = frame.tail(limit)
        rows = finite(jsonable_encoder(frame.astype(object).where(frame.notna(), None).to_dict("records")))
        return {"count": len(rows), "runs": rows}

    @app.get("/api/runs/{key}", responses=ERRORS, tags=["runs"])
    def run(key: str = Path_(..., pattern="^[0-9a-f]{4,64}$")) -> Any:
        """One run with its result, by its key or an unambiguous prefix (hex digits)."""
        try:
            return finite(jsonable_encoder(store().get(key).to_dict()))
        except module.StoreError as exc:
            raise StarletteHTTPException(404, str(exc)) from None


def _web_routes(app: FastAPI, web: Path) -> None:
    index = web / "index.html"

    @app.get("/", include_in_schema=False)
    def home() -> Response:
        if not index.is_file():
            return JSONResponse(status_code=503, content={
                "detail": f"the web map is not built: run `make web` (it writes {web}); the API is at /docs",
                "suggestions": [], "problems": []})
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    assets = web / "assets"
    if assets.is_dir():
        app.mount("/assets", StaticFiles(directory=assets), name="assets")
