"""Map data: every link as GeoJSON, and an offline basemap (a MapLibre style, country outlines and the
points the map labels)."""

from __future__ import annotations

import functools
import json
from typing import Any

import pandas as pd
from fastapi import APIRouter, Request, Response

from ..geometry import countries_geojson
from ..state import ServiceDep

router = APIRouter(tags=["map"])


class GeoJSONResponse(Response):
    media_type = "application/geo+json"


SEA = "#cfe0ee"
LAND = "#f4f1ea"


@router.get("/api/network")
def network_geojson(service: ServiceDep) -> Response:
    """Every link as GeoJSON (mode, status, open_year, group, capacity)."""
    return Response(json.dumps(service.shapes.network_geojson(), separators=(",", ":")),
                    media_type="application/json", headers={"Cache-Control": "public, max-age=3600"})


@router.get("/api/basemap/countries.geojson", response_class=GeoJSONResponse,
            responses={200: {"content": {"application/geo+json": {"schema": {"type": "object"}}}}})
def countries() -> Response:
    """Natural Earth 1:50m country outlines shipped with the package (public domain)."""
    return GeoJSONResponse(countries_bytes(), headers={"Cache-Control": "public, max-age=86400"})


@router.get("/api/basemap/labels.geojson", response_class=GeoJSONResponse,
            responses={200: {"content": {"application/geo+json": {"schema": {"type": "object"}}}}})
def labels(service: ServiceDep) -> Response:
    """The points the web map labels: every place of the network (``layer`` place: its name, kind,
    country and ``links``, how many links meet there, the map's measure of importance) and one point
    inside each country (``layer`` country: its Natural Earth name and ``area`` in square degrees)."""
    net = service.network
    ends = pd.concat([net.links["from"], net.links["to"]]).value_counts()
    places = []
    for row in net.places[["id", "name", "kind", "country", "lon", "lat"]].to_dict("records"):
        point = [round(float(row.pop("lon")), 4), round(float(row.pop("lat")), 4)]
        places.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": point},
                       "properties": {"layer": "place", **row, "links": int(ends.get(row["id"], 0))}})
    body = {"type": "FeatureCollection", "features": country_labels() + places}
    return GeoJSONResponse(json.dumps(body, separators=(",", ":"), ensure_ascii=False),
                           headers={"Cache-Control": "public, max-age=3600"})


@router.get("/api/basemap/style.json")
def style(request: Request) -> dict[str, Any]:
    """A MapLibre style with one local GeoJSON source: no tiles, fonts or sprites from elsewhere (no
    ``glyphs`` either: MapLibre draws the labels' letters in the browser from its own fonts)."""
    url = str(request.url_for("countries"))
    return {"version": 8, "name": "corridor offline",
            "sources": {"countries": {"type": "geojson", "data": url}},
            "layers": [{"id": "sea", "type": "background", "paint": {"background-color": SEA}},
                       {"id": "land", "type": "fill", "source": "countries",
                        "paint": {"fill-color": LAND, "fill-outline-color": "#b9b3a6"}},
                       {"id": "borders", "type": "line", "source": "countries",
                        "paint": {"line-color": "#a8a294", "line-width": 0.6}}]}


@functools.cache
def countries_bytes() -> bytes:
    """The outlines, prepared once per process (they ship with the package)."""
    return countries_geojson()


@functools.cache
def country_labels() -> list[dict[str, Any]]:
    """One label point per country: the pole of inaccessibility of its largest polygon (inside it, far
    from its edges), with the country's area in square degrees to rank the labels by."""
    from shapely.geometry import shape
    from shapely.ops import polylabel

    features = []
    for f in json.loads(countries_bytes())["features"]:
        geom = shape(f["geometry"]).buffer(0)
        largest = max(getattr(geom, "geoms", [geom]), key=lambda g: g.area)
        if largest.is_empty:
            continue
        point = polylabel(largest, tolerance=0.1)
        features.append({"type": "Feature",
                         "geometry": {"type": "Point", "coordinates": [round(point.x, 2), round(point.y, 2)]},
                         "properties": {"layer": "country", "name": f["properties"]["name"],
                                        "area": round(geom.area, 1)}})
    return features
