"""``/api/energy``: the Caspian oil and gas layer solved as a max-flow, compared, and drawn."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query

from ...energy import compare_energy, energy_flows
from ...energy.flows import DEFAULT_TARGET
from ...energy.plot import energy_geojson
from ...errors import InvalidOptionError
from ...scenarios import Scenario
from ..models import ERRORS
from ..service import RouteService
from ..state import ServiceDep

router = APIRouter(tags=["energy"])

To = Query(None, description="europe, all, a country code or a market id (default: europe for gas, all for oil).")
Year = Query(None, ge=1990, le=2100)


@router.get("/api/energy/flows", responses=ERRORS)
def energy_flows_get(service: ServiceDep, commodity: str = Query("gas", examples=["gas", "oil"]),
                     scenario: str = Query("base"), to: str | None = To, year: int | None = Year) -> dict[str, Any]:
    """The most oil or gas the network delivers, the flow on every asset, and what binds (the minimum cut)."""
    flows = energy_flows(service.energy(), commodity_of(commodity), to=to, year=year,
                         scenario=scenario_of(service, scenario))
    return flows.to_dict()


@router.get("/api/energy/geojson", responses=ERRORS, tags=["map"])
def energy_geojson_get(service: ServiceDep, commodity: str = Query("gas"), scenario: str = Query("base"),
                       to: str | None = To, year: int | None = Year) -> dict[str, Any]:
    """The solved energy network as GeoJSON: asset lines with flow, capacity and whether they bind;
    field and market points with what they supply or receive (for the web map)."""
    layer = service.energy()
    flows = energy_flows(layer, commodity_of(commodity), to=to, year=year, scenario=scenario_of(service, scenario))
    return energy_geojson(flows, layer)


@router.get("/api/energy/compare", responses=ERRORS)
def energy_compare_get(service: ServiceDep, scenario: str = Query(..., examples=["southern-gas-corridor-expansion"]),
                       base: str = Query("base"), commodity: str = Query("gas"), to: str | None = To) -> dict[str, Any]:
    """What a bundled scenario changes in deliveries, asset flows and binding constraints."""
    c = commodity_of(commodity)
    result = compare_energy(scenario_of(service, base), scenario_of(service, scenario), commodity=c, to=to,
                            energy=service.energy())
    return result.to_dict()


def commodity_of(value: str) -> str:
    if value not in DEFAULT_TARGET:
        raise InvalidOptionError(f"commodity must be gas or oil, not {value!r}")
    return value


def scenario_of(service: RouteService, name: str) -> Scenario | None:
    """A bundled scenario by name; None for ``base``."""
    return service.scenario(name) if name != "base" else None
