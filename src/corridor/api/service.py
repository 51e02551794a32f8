"""What the API computes, apart from HTTP: routers per cargo class and scenario, route answers with
shapes and transit-time spread, comparisons, and the served dataset's tables, each read once."""

from __future__ import annotations

import datetime as _dt
import difflib
import threading
from collections import OrderedDict
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
from pydantic import TypeAdapter
from pydantic_core import to_json

from ..errors import InvalidOptionError, UnknownScenarioError
from ..freight.demand import Demand, demand_settings, has_demand, load_demand
from ..freight.inputs import FreightInputs, freight_inputs
from ..freight.reliability import simulate
from ..names import PlaceIndex
from ..network import Network, default_data_dir
from ..network.energy_table import EnergyNetwork, load_energy
from ..network.reliability_table import ReliabilityTable, load_reliability
from ..routing import Route, Router
from ..scenarios import Scenario, apply_scenario, bundled_scenarios, load_scenario
from ..settings import Settings
from .geometry import LinkShapes
from .models import CompareRequest, RouteOptions, RouteRequest, RouteResponse
from .vocabulary import Vocabulary

T = TypeVar("T")

_ROUTE_JSON = TypeAdapter(RouteResponse)

#: how many scenario networks (each a compiled graph) stay in memory
SCENARIO_ROUTERS = 6


class LRU:
    """A small thread-safe least-recently-used cache (``size`` 0: keeps nothing)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._data: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                return self._data[key]
        return None

    def put(self, key: Any, value: Any) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)


class RouteService:
    """Answers route, compare and place queries on one network (and the scenarios applied to it).

    Parameters
    ----------
    network : Network
        The base network.
    settings : Settings
        Settings for the default cargo class of routes; other classes get their own Router on demand.
    data_dir : Path, optional
        The dataset folder its optional tables (demand, reliability, energy) are read from.
    cache_size : int
        Route answers kept (queries are deterministic, so a repeated query is answered from memory).
    """

    def __init__(self, network: Network, settings: Settings, *, data_dir: Path | None = None,
                 cache_size: int = 2048) -> None:
        self.network = network
        self.data_dir = data_dir if data_dir is not None else default_data_dir()
        self.settings = settings
        self.base = Router(network, settings)
        self.places: PlaceIndex = self.base.names
        self.shapes = LinkShapes(network)
        self.cargo_classes = [str(c) for c in network.cargo["class"]]
        #: the class analyses of the demand value routes in when none is asked for (high_value)
        self.demand_cargo = demand_settings(network).cargo_class
        self._routers: OrderedDict[tuple[str, str], Router] = OrderedDict({("", settings.cargo_class): self.base})
        self._lock = threading.Lock()
        self._tables: dict[str, Any] = {}
        self._tables_lock = threading.Lock()
        self._cache = LRU(cache_size)

    @cached_property
    def vocabulary(self) -> Vocabulary:
        """The names requests may use (countries, passages, cargo classes), checked before any work."""
        return Vocabulary.of(self.base)

    # -- scenarios and routers ------------------------------------------------------------
    def scenario(self, name: str) -> Scenario:
        """A bundled scenario by name; never a path (clients may not name files)."""
        names = bundled_scenarios()
        if name not in names:
            raise UnknownScenarioError(name, difflib.get_close_matches(name, names, n=5, cutoff=0.3) or names[:10])
        return load_scenario(name)

    def scenario_network(self, name: str) -> Network:
        return apply_scenario(self.network, self.scenario(name))

    def year(self, year: int | None, scenario: str | None) -> int | None:
        """``year``, else the year of ``scenario`` (None when neither sets one)."""
        if year is None and scenario:
            year = self.scenario(scenario).year
        return year

    def router(self, cargo: str = "", scenario: str | None = None) -> Router:
        """A router for ``cargo`` (default: the settings' class) on the scenario's network, kept for reuse."""
        cargo = cargo or self.settings.cargo_class
        if cargo not in self.cargo_classes:
            raise InvalidOptionError(f"unknown cargo class {cargo!r}; choose one of {', '.join(self.cargo_classes)}")
        key = (scenario or "", cargo)
        with self._lock:
            if key in self._routers:
                self._routers.move_to_end(key)
                return self._routers[key]
        network = self.scenario_network(scenario) if scenario else self.network
        router = Router(network, self.settings.replace(cargo_class=cargo))
        with self._lock:
            self._routers[key] = router
            scenario_keys = [k for k in self._routers if k[0]]
            while len(scenario_keys) > SCENARIO_ROUTERS:
                del self._routers[scenario_keys.pop(0)]
        return router

    # -- the served dataset's tables, each read once --------------------------------------
    def _table(self, name: str, read: Callable[[], T]) -> T:
        with self._tables_lock:
            if name not in self._tables:
                self._tables[name] = read()
            return self._tables[name]

    def demand(self) -> Demand | None:
        """The dataset's demand (None when it has none)."""
        return self._table("demand", lambda: load_demand(self.data_dir, self.network)
                           if has_demand(self.data_dir) else None)

    def reliability_table(self) -> ReliabilityTable:
        return self._table("reliability", lambda: load_reliability(self.data_dir, network=self.network))

    def energy(self) -> EnergyNetwork:
        return self._table("energy", lambda: load_energy(self.data_dir))

    def inputs(self, scenario: str | None, cargo: str | None) -> FreightInputs:
        """The one recipe (:func:`~corridor.freight.inputs.freight_inputs`) on the served network and demand,
        as the CLI builds it: the scenario's network and demand; cargo None: the demand's class."""
        return freight_inputs(self.scenario(scenario) if scenario else None, network=self.network,
                              demand=self.demand(), data=self.data_dir, cargo=cargo)

    # -- routes ---------------------------------------------------------------------------
    def cached_json(self, req: RouteRequest) -> bytes | None:
        """The answer when it is in the cache (cheap: no routing), else None."""
        return self._cache.get(req.model_dump_json())

    def route_json(self, req: RouteRequest) -> bytes:
        """The answer to a route query as the JSON of :class:`RouteResponse`, serialised once (pydantic's
        serialiser, in Rust) and kept in the cache as bytes, so a repeated query costs a lookup.

        Routes are written as :meth:`Route.to_dict <corridor.routing.Route.to_dict>` made them, already in
        the model's fields and order (tests/test_api.py holds the bytes equal to the model's), which spares
        validating ~70 nested models per answer; an answer with a transit-time spread, a free-form record,
        goes through the model."""
        key = req.model_dump_json()
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        answer = self.answer(req, req, reliability=req.reliability, geometry=req.geometry)
        body = (_ROUTE_JSON.dump_json(_ROUTE_JSON.validate_python(answer), by_alias=True) if req.reliability
                else to_json(answer, inf_nan_mode="null"))
        self._cache.put(key, body)
        return body

    def answer(self, places: RouteRequest | CompareRequest, opts: RouteOptions, *, reliability: bool,
               geometry: bool) -> dict[str, Any]:
        """Routes between ``places`` under ``opts``, as :class:`RouteResponse` holds them."""
        # a route names its cargo (default general); a side of a comparison may leave it to the demand's
        router = self.router(opts.cargo or self.demand_cargo, opts.scenario)
        year = self.year(opts.year, opts.scenario)
        if year is None:
            year = _dt.date.today().year
        routes = router.route(places.origin, places.destination, optimize=opts.optimize,
                              alternatives=opts.alternatives, avoid_countries=opts.avoid_countries,
                              avoid_modes=opts.avoid_modes, avoid_passages=opts.avoid_passages,
                              via=opts.via, year=year)
        out = []
        for r in routes:
            item = r.to_dict() | {"reliability": None, "geometry": None}
            if geometry:
                item["geometry"] = self.shapes.route_geojson(r)
            if reliability:
                item["reliability"] = self.spread(router, r, samples=places.samples, month=places.month)
            out.append(item)
        options = opts.model_dump()
        options.update(year=year, cargo=router.settings.cargo_class, via=router.resolve(opts.via) if opts.via else None)
        return {"origin": routes[0].origin, "destination": routes[0].destination, "optimize": opts.optimize,
                "routes": out, "options": options}

    def spread(self, router: Router, route: Route, *, samples: int, month: int | None) -> dict[str, Any]:
        """Quantiles and a 40-bin histogram of a route's transit time
        (:func:`corridor.freight.reliability.simulate`)."""
        dist = simulate(router, route, samples=samples, month=month, seed=0, table=self.reliability_table())
        out = dist.to_dict()
        days = np.asarray(dist.days)
        lo, hi = float(np.quantile(days, 0.001)), float(np.quantile(days, 0.995))
        width = max((hi - lo) / 40, 1e-3)
        counts, _ = np.histogram(np.clip(days, lo, hi), bins=40, range=(lo, lo + 40 * width))
        out.update(samples=int(dist.samples), month=month,
                   histogram={"start_days": round(lo, 3), "width_days": round(width, 4),
                              "shares": [round(float(c) / len(days), 5) for c in counts]})
        return out

    # -- compare --------------------------------------------------------------------------
    def compare(self, req: CompareRequest) -> dict[str, Any]:
        """Both answers, the best corridor of each, a one-sentence summary and the change per corridor."""
        base = self.answer(req, req.base, reliability=req.reliability, geometry=req.geometry)
        variant = self.answer(req, req.variant, reliability=req.reliability, geometry=req.geometry)
        best_b, best_v = base["routes"][0], variant["routes"][0]
        return {"base": base, "variant": variant, "best_base": best_b["corridor"], "best_variant": best_v["corridor"],
                "summary": summary(best_b, best_v), "changes": changes(base["routes"], variant["routes"])}


def changes(base: list[dict[str, Any]], variant: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Corridor by corridor: new, gone, or faster / slower / same with the deltas."""
    b = {r["corridor"]: r for r in base}
    v = {r["corridor"]: r for r in variant}
    out = []
    for label in list(b) + [k for k in v if k not in b]:
        x, y = b.get(label), v.get(label)
        item: dict[str, Any] = {"corridor": label, "base_hours": x and x["total_hours"],
                                "variant_hours": y and y["total_hours"]}
        if x and y:
            dh = y["total_hours"] - x["total_hours"]
            item.update(change="same" if abs(dh) < 0.05 else "faster" if dh < 0 else "slower",
                        delta_hours=round(dh, 1),
                        delta_cost_usd_per_feu=round(y["cost_usd_per_feu"] - x["cost_usd_per_feu"], 2),
                        delta_co2_kg_per_feu=round(y["co2_kg_per_feu"] - x["co2_kg_per_feu"], 1))
        else:
            item["change"] = "gone" if x else "new"
        out.append(item)
    return out


def summary(best_b: dict[str, Any], best_v: dict[str, Any]) -> str:
    """One sentence on what happened to the best route."""
    dh = best_v["total_hours"] - best_b["total_hours"]
    if best_b["corridor"] == best_v["corridor"]:
        text = f"The best route stays {best_b['corridor']}"
        return text + (f", {abs(dh) / 24:.1f} days {'faster' if dh < 0 else 'slower'}." if abs(dh) >= 0.05
                       else ", unchanged.")
    return (f"The best route changes from {best_b['corridor']} to {best_v['corridor']}: "
            f"{abs(dh) / 24:.1f} days {'faster' if dh <= 0 else 'slower'}, "
            f"{best_v['cost_usd_per_feu'] - best_b['cost_usd_per_feu']:+,.0f} US$/FEU.")
