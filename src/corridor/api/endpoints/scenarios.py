"""``/api/scenarios``: the bundled scenarios, and what one of them changes on the served network."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Path

from ...errors import CorridorError
from ...formats.json import records
from ...scenarios import bundled_scenarios, changed_links
from ..models import ERRORS, MAX_SCENARIO
from ..state import ServiceDep

router = APIRouter(tags=["scenarios"])


@router.get("/api/scenarios")
def scenarios(service: ServiceDep) -> dict[str, Any]:
    """The bundled scenarios: name, title, year; a scenario that does not load says why."""
    out = []
    for name in bundled_scenarios():
        try:
            sc = service.scenario(name)
            out.append({"name": name, "title": sc.title, "year": sc.year, "operations": len(sc.operations)})
        except CorridorError as exc:
            out.append({"name": name, "title": "", "year": None, "operations": 0, "error": str(exc)})
    return {"scenarios": out}


@router.get("/api/scenarios/{name}", responses=ERRORS)
def scenario(service: ServiceDep, name: str = Path(..., max_length=MAX_SCENARIO, examples=["tripp"])) -> dict[str, Any]:
    """A scenario's operations and the links it opens, closes, adds or changes on this network."""
    sc = service.scenario(name)
    changed = changed_links(service.network, service.scenario_network(name))
    return {**sc.to_dict(), "changed_links": records(changed)}
