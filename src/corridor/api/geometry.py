"""Lines to draw: each link as a list of [lon, lat] points.

Land links are straight segments between their end places (the dataset holds no track shapes).
Sea and ferry links follow the sea lanes that ``searoute`` finds (the same tool that measured their
length), with the Cape variants barred from Suez and Panama as in ``scripts/build_sea_legs.py``.
Shapes are computed once per link and cached; :meth:`LinkShapes.warm` fills the cache in the
background when the server starts.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
from typing import Any

import pandas as pd

from ..network import Network, default_data_dir
from ..network.geo import sea_lanes
from ..network.schema import split_list
from ..routing import Route

Coords = list[list[float]]


class LinkShapes:
    """Shapes of one network's links, computed lazily and cached."""

    def __init__(self, network: Network) -> None:
        self.network = network
        places = network.places
        self._xy = {pid: [round(float(lon), 4), round(float(lat), 4)]
                    for pid, lon, lat in zip(places["id"], places["lon"], places["lat"])}
        self._cache: dict[str, Coords] = {}
        self._lock = threading.Lock()

    def point(self, place_id: str) -> list[float]:
        """[lon, lat] of a place ([0, 0] for one the network does not know)."""
        return self._xy.get(place_id, [0.0, 0.0])

    def of(self, link_id: str, from_id: str | None = None) -> Coords:
        """The link's shape, oriented to start at ``from_id`` when given."""
        coords = self._cache.get(link_id)
        if coords is None:
            coords = self._compute(link_id)
            with self._lock:
                self._cache[link_id] = coords
        if from_id is not None and self.network.links.at[link_id, "from"] != from_id:
            return coords[::-1]
        return coords

    def _compute(self, link_id: str) -> Coords:
        link = self.network.links.loc[link_id]
        a, b = self._xy[link["from"]], self._xy[link["to"]]
        if link["mode"] in ("sea", "ferry"):
            lane = sea_lanes().get(link_id)
            if lane is not None and len(lane) >= 2:
                coords = [[round(float(x), 3), round(float(y), 3)] for x, y in lane]
                # the shipped lane is drawn from the link's `from` end; keep the ends on the places
                if _far(coords[0], a) and not _far(coords[-1], a):
                    coords = coords[::-1]
                return [a, *coords, b]
            with contextlib.suppress(Exception):  # a straight line is a fair drawing when searoute fails
                return _sea_line(a, b, split_list(link["passages"]))
        return [a, b]

    def route_geojson(self, route: Route) -> dict[str, Any]:
        """The route's runs as LineStrings (mode, link and end names as properties), then its border and
        transfer stops as points."""
        runs, stops = [], []
        links = self.network.links.index
        for i, leg in enumerate(route.legs):
            if leg.kind == "run":
                if leg.link_id is not None and leg.link_id in links:
                    coords = self.of(leg.link_id, leg.from_id)
                else:  # a link a scenario added
                    coords = [self.point(leg.from_id), self.point(leg.to_id)]
                runs.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": coords},
                             "properties": {"leg": i, "mode": leg.mode, "link": leg.link_id, "from": leg.from_name,
                                            "to": leg.to_name, "hours": round(leg.hours, 1)}})
            elif leg.kind in ("border", "transfer"):
                stops.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": self.point(leg.from_id)},
                              "properties": {"kind": leg.kind, "name": leg.from_name, "hours": round(leg.hours, 1)}})
        return {"type": "FeatureCollection", "features": runs + stops}

    def warm(self) -> None:
        """Compute every sea and ferry shape (a few seconds on the bundled network)."""
        links = self.network.links
        for link_id in links.index[links["mode"].isin(["sea", "ferry"])]:
            self.of(link_id)

    def network_geojson(self) -> dict[str, Any]:
        """Every link as a GeoJSON feature with its mode, status, year, group and capacity."""
        links = self.network.links
        features = []
        for row in links.to_dict("records"):
            cap, year, group = row["capacity_teu_per_year"], row["open_year"], row["group"]
            features.append({"type": "Feature", "id": len(features),
                             "geometry": {"type": "LineString", "coordinates": self.of(row["id"])},
                             "properties": {"link": row["id"], "from": row["from"], "to": row["to"],
                                            "mode": row["mode"], "status": row["status"],
                                            "open_year": None if pd.isna(year) else int(year),
                                            "group": None if pd.isna(group) else str(group),
                                            "capacity_teu_per_year": None if pd.isna(cap) else float(cap)}})
        return {"type": "FeatureCollection", "features": features}


def _far(p: list[float], q: list[float]) -> bool:
    return abs(p[0] - q[0]) + abs(p[1] - q[1]) > 3.0


def countries_geojson() -> bytes:
    """The shipped country outlines with rings that cross the antimeridian made continuous (a ring
    that jumps from +180 to −180 would otherwise be drawn as a line across the whole map)."""
    import json

    path = default_data_dir() / "geo" / "countries.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))

    def fix_ring(ring: list[list[float]]) -> list[list[float]]:
        if any(abs(p[0] - q[0]) > 180 for p, q in itertools.pairwise(ring)):
            return [[x + 360 if x < 0 else x, y] for x, y, *_ in ring]
        return ring

    def fix(geom: dict[str, Any]) -> None:
        kind = geom.get("type")
        if kind == "Polygon":
            geom["coordinates"] = [fix_ring(r) for r in geom["coordinates"]]
        elif kind == "MultiPolygon":
            geom["coordinates"] = [[fix_ring(r) for r in poly] for poly in geom["coordinates"]]
        elif kind == "GeometryCollection":
            geom["geometries"] = [g for g in geom["geometries"] if g.get("type") in ("Polygon", "MultiPolygon")]
            for g in geom["geometries"]:
                fix(g)

    for feature in data["features"]:
        fix(feature["geometry"])
    return json.dumps(data, separators=(",", ":")).encode()


def _sea_line(a: list[float], b: list[float], passages: list[str]) -> Coords:
    import searoute

    restrictions = ["northwest"]
    if "south_africa" in passages:
        restrictions += ["suez", "panama"]
    feature = searoute.searoute(a, b, units="km", restrictions=restrictions)
    coords = [[round(float(x), 3), round(float(y), 3)] for x, y in feature["geometry"]["coordinates"]]
    if len(coords) < 2:
        raise ValueError("no sea route")
    return [a, *coords, b]
