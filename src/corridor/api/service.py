"""What the API computes, apart from HTTP: routers per cargo class and scenario, route answers with
shapes, comparisons, and a place search ranked for typing."""

from __future__ import annotations

import datetime as _dt
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from ..errors import InvalidOptionError, UnknownPlaceError
from ..names import normalize
from ..network import Network
from ..network.schema import split_list
from ..routing import Route, Router
from ..settings import Settings
from .capabilities import Feature
from .geometry import LinkShapes
from .models import CompareRequest, RouteOptions, RouteRequest, RouteResponse

_ROUTE_JSON = TypeAdapter(RouteResponse)

#: how many scenario networks (each a compiled graph) stay in memory
SCENARIO_ROUTERS = 6


class _LRU:
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
        Settings for the default cargo class; other classes get their own Router on demand.
    features : dict
        What :func:`~corridor.api.capabilities.probe_all` found.
    cache_size : int
        Route answers kept (queries are deterministic, so a repeated query is answered from memory).
    """

    def __init__(self, network: Network, settings: Settings, features: dict[str, Feature], *,
                 data_dir: Path | None = None, cache_size: int = 2048) -> None:
        self.network = network
        self.data_dir = data_dir
        self._table: Any = None
        self._demand: Any = None
        self.settings = settings
        self.features = features
        self.base = Router(network, settings)
        self.shapes = LinkShapes(network)
        self.cargo_classes = [str(c) for c in network.cargo["class"]]
        self._routers: OrderedDict[tuple[str, str], Router] = OrderedDict({("", settings.cargo_class): self.base})
        self._router_lock = threading.Lock()
        self._cache = _LRU(cache_size)
        places = network.places
        self._place_rows = {pid: row for pid, row in zip(places["id"], places.to_dict("records"))}

    # -- routers --------------------------------------------------------------------------
    def scenario_names(self) -> list[str]:
        feature = self.features.get("scenarios")
        return list(feature.module.bundled_scenarios()) if feature and feature.available else []

    def scenario(self, name: str) -> Any:
        """A bundled scenario by name; never a path (clients may not name files)."""
        feature = self.features.get("scenarios")
        if not feature or not feature.available:
            raise InvalidOptionError(f"scenarios are not available in this installation ({feature.reason if feature else ''})")
        names = self.scenario_names()
        if name not in names:
            import difflib

            raise UnknownScenarioError(name, difflib.get_close_matches(name, names, n=5, cutoff=0.3) or names[:10])
        return feature.module.load_scenario(name)

    def year(self, year: int | None, scenario: str | None) -> int | None:
        """``year``, else the year of ``scenario`` (None when neither sets one)."""
        if year is None and scenario:
            year = self.scenario(scenario).year
        return year

    def router(self, cargo: str = "", scenario: str | None = None) -> Router:
        cargo = cargo or self.settings.cargo_class
        if cargo not in self.cargo_classes:
            raise InvalidOptionError(f"unknown cargo class {cargo!r}; choose one of {', '.join(self.cargo_classes)}")
        key = (scenario or "", cargo)
        with self._router_lock:
            if key in self._routers:
                self._routers.move_to_end(key)
                return self._routers[key]
        network = self.scenario_network(scenario) if scenario else self.network
        router = Router(network, self.settings.replace(cargo_class=cargo))
        with self._router_lock:
            self._routers[key] = router
            scenario_keys = [k for k in self._routers if k[0]]
            while len(scenario_keys) > SCENARIO_ROUTERS:
                del self._routers[scenario_keys.pop(0)]
        return router

    def scenario_network(self, name: str) -> Network:
        sc = self.scenario(name)
        return self.features["scenarios"].module.apply_scenario(self.network, sc)

    # -- places ---------------------------------------------------------------------------
    def place(self, query: str) -> dict[str, Any]:
        return self._place_out(self.base.resolve(query))

    def _place_out(self, pid: str) -> dict[str, Any]:
        row = self._place_rows[pid]
        return {"id": pid, "name": row["name"], "aliases": split_list(row["aliases"]), "country": row["country"],
                "kind": row["kind"], "lon": float(row["lon"]), "lat": float(row["lat"])}

    def search(self, query: str, limit: int) -> list[dict[str, Any]]:
        """Places matching ``query``: exact spellings first, then prefixes, then substrings."""
        key = normalize(query)
        best: dict[str, tuple[int, str]] = {}
        for spelling, pid in self.base.names.names.items():
            if key not in spelling:
                continue
            score = 0 if spelling == key else 1 if spelling.startswith(key) else 2
            name = str(self._place_rows[pid]["name"])
            if pid not in best or score < best[pid][0]:
                best[pid] = (score, name)
        ranked = sorted(best, key=lambda pid: (best[pid], pid))
        return [self._place_out(pid) for pid in ranked[:limit]]

    # -- routes ---------------------------------------------------------------------------
    def route(self, req: RouteRequest) -> dict[str, Any]:
        """The answer to a route query, as a dict (see :meth:`route_json`)."""
        import json

        return json.loads(self.route_json(req))

    def cached_json(self, req: RouteRequest) -> bytes | None:
        """The answer when it is in the cache (cheap: no routing), else None."""
        return self._cache.get(req.model_dump_json())

    def route_json(self, req: RouteRequest) -> bytes:
        """The answer to a route query as the JSON of :class:`RouteResponse`, validated and serialised once
        (pydantic's serialiser, in Rust) and kept in the cache as bytes, so a repeated query costs a lookup."""
        key = req.model_dump_json()
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        answer = self._route(req, req, req.reliability, req.geometry)
        body = _ROUTE_JSON.dump_json(_ROUTE_JSON.validate_python(answer), by_alias=True)
        self._cache.put(key, body)
        return body

    def _route(self, places: RouteRequest | CompareRequest, opts: RouteOptions, reliability: bool,
               geometry: bool) -> dict[str, Any]:
        router = self.router(opts.cargo, opts.scenario)
        year = self.year(opts.year, opts.scenario)
        if year is None:
            year = _dt.date.today().year
        routes = router.route(places.origin, places.destination, optimize=opts.optimize,
                              alternatives=opts.alternatives, avoid_countries=opts.avoid_countries,
                              avoid_modes=opts.avoid_modes, avoid_passages=opts.avoid_passages,
                              via=opts.via, year=year)
        out = []
        for r in routes:
            item = r.to_dict()
            if geometry:
                item["geometry"] = self.route_geojson(r)
            if reliability:
                item["reliability"] = self.reliability(router, r, samples=places.samples, month=places.month)
            out.append(item)
        options = opts.model_dump()
        options.update(year=year, via=router.resolve(opts.via) if opts.via else None)
        return {"origin": routes[0].origin, "destination": routes[0].destination, "optimize": opts.optimize,
                "routes": out, "options": options}

    def reliability(self, router: Router, route: Route, *, samples: int, month: int | None) -> dict[str, Any]:
        feature = self.features.get("reliability")
        if not feature or not feature.available:
            raise InvalidOptionError("reliability is not available in this installation"
                                     + (f" ({feature.reason})" if feature else ""))
        return reliability_summary(feature.module, router, route, self.reliability_table(), samples=samples,
                                   month=month)

    def reliability_table(self) -> Any:
        """``reliability.csv`` of the served dataset, read once."""
        with self._router_lock:
            if self._table is None:
                from ..network.reliability_table import load_reliability

                self._table = load_reliability(self.data_dir, network=self.network)
            return self._table

    def demand(self) -> Any:
        """Demand between places of the served dataset, read once."""
        with self._router_lock:
            if self._demand is None:
                self._demand = self.features["demand"].module.load_demand(self.data_dir, self.network).by_place()
            return self._demand

    def route_geojson(self, route: Route) -> dict[str, Any]:
        """The route's runs as LineStrings (mode, link and end names as properties)."""
        features = []
        base_links = self.network.links.index
        for i, leg in enumerate(route.legs):
            if leg.kind != "run":
                continue
            if leg.link_id is not None and leg.link_id in base_links:
                coords = self.shapes.of(leg.link_id, leg.from_id)
            else:  # a link a scenario added
                coords = [self._xy(leg.from_id), self._xy(leg.to_id)]
            features.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": coords},
                             "properties": {"leg": i, "mode": leg.mode, "link": leg.link_id, "from": leg.from_name,
                                            "to": leg.to_name, "hours": round(leg.hours, 1)}})
        stops = []
        for leg in route.legs:
            if leg.kind in ("border", "transfer"):
                stops.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": self._xy(leg.from_id)},
                              "properties": {"kind": leg.kind, "name": leg.from_name, "hours": round(leg.hours, 1)}})
        return {"type": "FeatureCollection", "features": features + stops}

    def _xy(self, pid: str) -> list[float]:
        row = self._place_rows.get(pid)
        if row is None:
            return [0.0, 0.0]
        return [round(float(row["lon"]), 4), round(float(row["lat"]), 4)]

    # -- compare --------------------------------------------------------------------------
    def compare(self, req: CompareRequest) -> dict[str, Any]:
        base = self._route(req, req.base, req.reliability, req.geometry)
        variant = self._route(req, req.variant, req.reliability, req.geometry)
        b = {r["corridor"]: r for r in base["routes"]}
        v = {r["corridor"]: r for r in variant["routes"]}
        changes = []
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
            changes.append(item)
        best_b, best_v = base["routes"][0], variant["routes"][0]
        dh = best_v["total_hours"] - best_b["total_hours"]
        if best_b["corridor"] == best_v["corridor"]:
            summary = f"The best route stays {best_b['corridor']}"
            summary += f", {abs(dh) / 24:.1f} days {'faster' if dh < 0 else 'slower'}." if abs(dh) >= 0.05 else ", unchanged."
        else:
            summary = (f"The best route changes from {best_b['corridor']} to {best_v['corridor']}: "
                       f"{abs(dh) / 24:.1f} days {'faster' if dh <= 0 else 'slower'}, "
                       f"{best_v['cost_usd_per_feu'] - best_b['cost_usd_per_feu']:+,.0f} US$/FEU.")
        return {"base": base, "variant": variant, "best_base": best_b["corridor"], "best_variant": best_v["corridor"],
                "summary": summary, "changes": changes}


class UnknownScenarioError(UnknownPlaceError):
    """A scenario name that is not bundled; ``suggestions`` lists near ones."""

    def __init__(self, query: str, suggestions: list[str]) -> None:
        super().__init__(query, suggestions)
        hint = f" Known scenarios include: {', '.join(suggestions)}." if suggestions else ""
        self.args = (f"Unknown scenario {query!r}.{hint}",)


def reliability_summary(module: Any, router: Router, route: Route, table: Any, *, samples: int,
                        month: int | None) -> dict[str, Any]:
    """Quantiles and a 40-bin histogram of a route's transit time, from :func:`corridor.reliability.simulate`."""
    import numpy as np

    dist = module.simulate(router, route, samples=samples, month=month, seed=0, table=table)
    out = dist.to_dict()
    days = np.asarray(dist.days)
    lo, hi = float(np.quantile(days, 0.001)), float(np.quantile(days, 0.995))
    width = max((hi - lo) / 40, 1e-3)
    counts, _ = np.histogram(np.clip(days, lo, hi), bins=40, range=(lo, lo + 40 * width))
    out.update(samples=int(dist.samples), month=month,
               histogram={"start_days": round(lo, 3), "width_days": round(width, 4),
                          "shares": [round(float(c) / len(days), 5) for c in counts]})
    return out
