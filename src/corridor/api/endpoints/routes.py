"""``/api/route`` (query string or JSON body) and ``/api/compare``: best routes, alternatives, and what
changes between two sets of options."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from ...network.schema import split_list
from ..models import ERRORS, CompareRequest, CompareResponse, RouteRequest, RouteResponse
from ..service import RouteService
from ..state import ServiceDep

router = APIRouter(tags=["routes"])

#: body field → query parameter of GET /api/route, so a 422 names what the client sent
QUERY_NAMES = {"avoid_countries": "avoid", "avoid_modes": "avoid_mode", "avoid_passages": "avoid_passage"}


@router.get("/api/route", response_model=RouteResponse, responses=ERRORS)
async def route_get(service: ServiceDep, origin: str = Query(..., examples=["Xi'an"]),
                    destination: str = Query(..., examples=["Duisburg"]), optimize: str = "generalized",
                    alternatives: int = 1, avoid: str = Query("", description="Countries to avoid, ISO codes: RU,IR."),
                    avoid_mode: str = Query("", description="rail,road,ferry,sea"),
                    avoid_passage: str = Query("", description="suez,babalmandab,bosporus…"),
                    via: str | None = None, year: int | None = None, cargo: str = "general",
                    scenario: str | None = None, reliability: bool = False, geometry: bool = False) -> Response:
    """Best route and up to ``alternatives - 1`` materially different corridors (query-string form)."""
    fields = {"origin": origin, "destination": destination, "optimize": optimize, "alternatives": alternatives,
              "avoid_countries": split_list(avoid, ","), "avoid_modes": split_list(avoid_mode, ","),
              "avoid_passages": split_list(avoid_passage, ","), "via": via or None, "year": year, "cargo": cargo,
              "scenario": scenario or None, "reliability": reliability, "geometry": geometry}
    try:
        req = RouteRequest.model_validate(fields)
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("query", *query_names(e["loc"]))} for e in exc.errors()])
    return await route_response(service, req)


@router.post("/api/route", response_model=RouteResponse, responses=ERRORS)
async def route_post(req: RouteRequest, service: ServiceDep) -> Response:
    """Best route and alternatives (JSON-body form; same answer as GET)."""
    return await route_response(service, req)


@router.post("/api/compare", response_model=CompareResponse, responses=ERRORS)
def compare(req: CompareRequest, service: ServiceDep) -> dict[str, Any]:
    """The same origin and destination under two sets of options (a year, constraints or a scenario):
    both answers and what changed, corridor by corridor. Cargo defaults to the demand's class, as
    ``corridor compare``."""
    return service.compare(req)


async def route_response(service: RouteService, req: RouteRequest) -> Response:
    """The route answer as the JSON bytes :class:`RouteResponse` validated (once per answer: the cache
    keeps the bytes). The endpoints are async so that a cache hit is sent from the event loop; routing
    runs in the thread pool."""
    body = service.cached_json(req)
    if body is None:
        body = await run_in_threadpool(service.route_json, req)
    return Response(body, media_type="application/json")


def query_names(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(QUERY_NAMES.get(p, p) if isinstance(p, str) else p for p in loc)
