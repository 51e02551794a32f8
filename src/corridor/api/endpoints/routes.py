"""``/api/route`` (query string or JSON body) and ``/api/compare``: best routes, alternatives, and what
changes between two sets of options."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from ...network.schema import split_list
from ...routing import MAX_ALTERNATIVES
from ..contract import comma_list
from ..models import (
    ERRORS,
    MAX_NAME,
    MAX_SCENARIO,
    YEARS,
    CompareRequest,
    CompareResponse,
    Objective,
    RouteRequest,
    RouteResponse,
    names,
)
from ..service import RouteService
from ..state import ServiceDep

router = APIRouter(tags=["routes"])

#: body field → query parameter of GET /api/route, so a 422 names what the client sent
QUERY_NAMES = {"avoid_countries": "avoid", "avoid_modes": "avoid_mode", "avoid_passages": "avoid_passage"}

Avoid = Query("", json_schema_extra=comma_list("countries", "Countries to avoid: RU,IR (any case)."))
AvoidMode = Query("", json_schema_extra=comma_list("modes", "Modes to avoid: rail,road."))
AvoidPassage = Query("", json_schema_extra=comma_list("passages", "Sea passages to avoid: suez,babalmandab "
                                                                 "(any case)."))


@router.get("/api/route", response_model=RouteResponse, responses=ERRORS)
async def route_get(service: ServiceDep, origin: str = Query(..., min_length=1, max_length=MAX_NAME),
                    destination: str = Query(..., min_length=1, max_length=MAX_NAME),
                    optimize: Objective = "generalized",
                    alternatives: int = Query(1, ge=1, le=MAX_ALTERNATIVES,
                                              description="How many different corridors."),
                    avoid: str = Avoid, avoid_mode: str = AvoidMode, avoid_passage: str = AvoidPassage,
                    via: str | None = Query(None, min_length=1, max_length=MAX_NAME),
                    year: int | None = Query(None, ge=YEARS[0], le=YEARS[1]),
                    cargo: str = Query("general", min_length=1, max_length=40,
                                       json_schema_extra=names("cargo", "Cargo class of cargo.csv.")),
                    scenario: str | None = Query(None, min_length=1, max_length=MAX_SCENARIO),
                    reliability: bool = False, geometry: bool = False) -> Response:
    """Best route and up to ``alternatives - 1`` materially different corridors (query-string form)."""
    fields = {"origin": origin, "destination": destination, "optimize": optimize, "alternatives": alternatives,
              "avoid_countries": split_list(avoid, ","), "avoid_modes": split_list(avoid_mode, ","),
              "avoid_passages": split_list(avoid_passage, ","), "via": via, "year": year, "cargo": cargo,
              "scenario": scenario, "reliability": reliability, "geometry": geometry}
    try:
        req = service.vocabulary.check(RouteRequest.model_validate(fields))
    except (ValidationError, RequestValidationError) as exc:
        raise RequestValidationError([{**e, "loc": ("query", *query_names(e["loc"]))} for e in exc.errors()]) from None
    return await route_response(service, req)


@router.post("/api/route", response_model=RouteResponse, responses=ERRORS)
async def route_post(req: RouteRequest, service: ServiceDep) -> Response:
    """Best route and alternatives (JSON-body form; same answer as GET)."""
    return await route_response(service, service.vocabulary.check(req, "body"))


@router.post("/api/compare", response_model=CompareResponse, responses=ERRORS)
def compare(req: CompareRequest, service: ServiceDep) -> dict[str, Any]:
    """The same origin and destination under two sets of options (a year, constraints or a scenario):
    both answers and what changed, corridor by corridor. Cargo defaults to the demand's class, as
    ``corridor compare``."""
    return service.compare(service.vocabulary.check(req, "body"))


async def route_response(service: RouteService, req: RouteRequest) -> Response:
    """The route answer as the JSON bytes of :class:`RouteResponse` (made once per answer: the cache keeps
    the bytes). The endpoints are async so that a cache hit is sent from the event loop; routing runs in
    the thread pool, so that the time limit holds (a millisecond route would run as well on the loop,
    a little faster, but the loop cannot give up on work it runs itself)."""
    body = service.cached_json(req)
    if body is None:
        body = await run_in_threadpool(service.route_json, req)
    return Response(body, media_type="application/json")


def query_names(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(QUERY_NAMES.get(p, p) if isinstance(p, str) else p for p in loc)
