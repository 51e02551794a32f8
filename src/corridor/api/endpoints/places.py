"""``/api/places``: search as you type, and one place by id, name or alias."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from ...errors import InvalidOptionError
from ..models import ERRORS, MAX_NAME, PlaceOut, PlacesOut
from ..state import ServiceDep

router = APIRouter(tags=["places"])


@router.get("/api/places", response_model=PlacesOut)
def places(service: ServiceDep, q: str = Query("", max_length=100, description="Part of a name, id or alias."),
           limit: int = Query(20, ge=1, le=500)) -> dict[str, Any]:
    """Places whose name, id or alias contains ``q``: exact matches first, then prefixes."""
    index = service.places
    found = [index.record(pid) for pid in index.ranked(q, limit)]
    return {"query": q, "count": len(found), "places": found}


@router.get("/api/places/{place}", response_model=PlaceOut, responses=ERRORS)
def place(place: str, service: ServiceDep) -> dict[str, Any]:
    """One place by id, name or alias; 404 with suggestions when nothing matches."""
    if len(place) > MAX_NAME:
        raise InvalidOptionError(f"a place name is at most {MAX_NAME} characters")
    return service.places.record(service.places.resolve(place))
