"""What the web map draws: a route and the whole network as GeoJSON, on the links' shapes
(:class:`corridor.network.shapes.LinkShapes`: sea and ferry links along their sea lanes), and the
country outlines. The shapes are computed once per link and cached; :meth:`LinkShapes.warm` fills
the cache in the background when the server starts.
"""

from __future__ import annotations

import itertools
from typing import Any

import pandas as pd

from ..network import default_data_dir, shapes
from ..routing import Route


class LinkShapes(shapes.LinkShapes):
    """The shapes of one network's links (lazy, cached) and the GeoJSON the REST API serves."""

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
