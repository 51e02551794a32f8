"""``/api/places``: search as you type, and one place by id, name or alias."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Query

from ..models import MAX_NAME, PlaceOut, PlacesOut, errors
from ..state import ServiceDep

router = APIRouter(tags=["places"])


@router.get("/api/places", response_model=PlacesOut, responses=errors(422))
def places(service: ServiceDep, q: str = Query("", max_length=100, description="Part of a name, id or alias."),
           limit: int = Query(20, ge=1, le=500)) -> dict[str, Any]:
    """Places whose name, id or alias contains ``q``: exact matches first, then prefixes."""
    index = service.places
    found = [index.record(pid) for pid in index.ranked(q, limit)]
    return {"query": q, "count": len(found), "places": found}


@router.get("/api/places/{place}", response_model=PlaceOut, responses=errors(404, 422))
def place(service: ServiceDep, place: str = Path(..., max_length=MAX_NAME, examples=["Aktau"])) -> dict[str, Any]:
    """One place by id, name or alias; 404 with suggestions when nothing matches."""
    return service.places.record(service.places.resolve(place))
