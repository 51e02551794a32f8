"""Map data: every link as GeoJSON, and an offline basemap (a MapLibre style and country outlines)."""

from __future__ import annotations

import functools
import json
from typing import Any

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


@router.get("/api/basemap/style.json")
def style(request: Request) -> dict[str, Any]:
    """A MapLibre style with one local GeoJSON source: no tiles, fonts or sprites from elsewhere."""
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
