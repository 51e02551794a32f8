"""``/api/energy``: the Caspian oil and gas layer solved as a max-flow, compared, and drawn."""

from __future__ import annotations

import difflib
from typing import Any, Literal

from fastapi import APIRouter, Query

from ...energy import compare_energy, energy_flows
from ...energy.flows import EUROPE
from ...energy.plot import energy_geojson
from ...errors import UnknownNameError
from ...network.energy_table import EnergyNetwork
from ...scenarios import Scenario
from ..models import ERRORS, MAX_SCENARIO, YEARS
from ..service import RouteService
from ..state import ServiceDep

router = APIRouter(tags=["energy"])

Commodity = Literal["gas", "oil"]
To = Query(None, min_length=1, max_length=200,
           description="europe, all, or market ids or country codes separated by commas, any case (default: europe "
                       "for gas, all for oil); one that names no market of the commodity is a 404.")
Year = Query(None, ge=YEARS[0], le=YEARS[1])


def scenario_name() -> Any:
    """A query parameter: ``base`` or a bundled scenario (one object per parameter: FastAPI names it)."""
    return Query("base", min_length=1, max_length=MAX_SCENARIO, description="`base` or a bundled scenario.")


@router.get("/api/energy/flows", responses=ERRORS)
def energy_flows_get(service: ServiceDep, commodity: Commodity = "gas", scenario: str = scenario_name(),
                     to: str | None = To, year: int | None = Year) -> dict[str, Any]:
    """The most oil or gas the network delivers, the flow on every asset, and what binds (the minimum cut)."""
    layer = service.energy()
    flows = energy_flows(layer, commodity, to=target_of(layer, commodity, to), year=year,
                         scenario=scenario_of(service, scenario))
    return flows.to_dict()


@router.get("/api/energy/geojson", responses=ERRORS, tags=["map"])
def energy_geojson_get(service: ServiceDep, commodity: Commodity = "gas", scenario: str = scenario_name(),
                       to: str | None = To, year: int | None = Year) -> dict[str, Any]:
    """The solved energy network as GeoJSON: asset lines with flow, capacity and whether they bind;
    field and market points with what they supply or receive (for the web map)."""
    layer = service.energy()
    flows = energy_flows(layer, commodity, to=target_of(layer, commodity, to), year=year,
                         scenario=scenario_of(service, scenario))
    return energy_geojson(flows, layer)


@router.get("/api/energy/compare", responses=ERRORS)
def energy_compare_get(service: ServiceDep,
                       scenario: str = Query(..., min_length=1, max_length=MAX_SCENARIO,
                                             examples=["southern-gas-corridor-expansion"]),
                       base: str = scenario_name(), commodity: Commodity = "gas",
                       to: str | None = To) -> dict[str, Any]:
    """What a bundled scenario changes in deliveries, asset flows and binding constraints."""
    layer = service.energy()
    result = compare_energy(scenario_of(service, base), scenario_of(service, scenario), commodity=commodity,
                            to=target_of(layer, commodity, to), energy=layer)
    return result.to_dict()


def scenario_of(service: RouteService, name: str) -> Scenario | None:
    """A bundled scenario by name; None for ``base``."""
    return service.scenario(name) if name != "base" else None


class UnknownMarketError(UnknownNameError):
    """A target that names no market of the commodity (404, with the nearest names)."""

    def __init__(self, query: str, suggestions: list[str], commodity: str) -> None:
        self.what = f"{commodity} market"
        super().__init__(query, suggestions)


def target_of(layer: EnergyNetwork, commodity: str, to: str | None) -> str | None:
    """``to`` with each of its comma-separated names a market of ``commodity``, its country, ``europe``
    or ``all`` (any case, spelled as the layer does); an unknown one is a 404 (the engine would ignore it
    in a list)."""
    if to is None:
        return None
    nodes = layer.nodes
    markets = nodes[(nodes["kind"] == "market") & (nodes["commodity"] == commodity)]
    known = {"all": "all"} | ({"europe": "europe"} if markets["country"].isin(EUROPE).any() else {})
    known |= {str(c): str(c) for c in markets["country"]} | {str(m): str(m) for m in markets.index}
    folded = {k.casefold(): v for k, v in known.items()}
    wanted = []
    for item in filter(None, (t.strip() for t in to.split(","))):
        if item.casefold() not in folded:
            near = difflib.get_close_matches(item.casefold(), list(folded), n=5, cutoff=0.5)
            raise UnknownMarketError(item, [folded[n] for n in near] or sorted(set(known.values())), commodity)
        wanted.append(folded[item.casefold()])
    if not wanted:
        return None
    if len(wanted) > 1 and {"all", "europe"} & set(wanted):  # the engine reads these words only alone
        countries = markets["country"]
        wanted = list(markets.index) if "all" in wanted else \
            [w for w in wanted if w != "europe"] + sorted(set(countries[countries.isin(EUROPE)]))
    return ",".join(dict.fromkeys(wanted))
