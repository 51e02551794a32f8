"""``/api/runs``: the run store, read-only (runs by kind or sweep, and one run by its key)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path, Query
from starlette.exceptions import HTTPException

from ...errors import StoreError
from ...formats.json import json_safe, records
from ..models import errors
from ..state import RunStoreDep

router = APIRouter(tags=["runs"])


@router.get("/api/runs", responses=errors(422, 503))
def runs(store: RunStoreDep, kind: str | None = Query(None, max_length=40),
         sweep: str | None = Query(None, max_length=80), limit: int = Query(100, ge=1, le=1000)) -> dict[str, Any]:
    """Runs in the run store (newest last), without their results; 503 when the store cannot be read."""
    try:
        frame = store().frame(kind=kind, sweep=sweep)
    except StoreError as exc:
        raise HTTPException(503, str(exc)) from None
    rows = records(frame.tail(limit)) or []
    return {"count": len(rows), "runs": rows}


@router.get("/api/runs/{key}", responses=errors(404, 422, 503))
def run(store: RunStoreDep, key: str = Path(..., pattern="^[0-9a-f]{4,64}$")) -> Any:
    """One run with its result, by its key or an unambiguous prefix (hex digits)."""
    try:
        return json_safe(store().get(key).to_dict())
    except StoreError as exc:
        raise HTTPException(404, str(exc)) from None
