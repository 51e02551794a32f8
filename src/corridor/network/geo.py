"""Country outlines shipped with the package (Natural Earth, public domain) and the country groups the
model names."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

import numpy as np
import numpy.typing as npt
from shapely import STRtree, linestrings, points
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

#: the countries of the Northern route (China–Europe rail through Russia and Belarus)
NORTHERN = frozenset({"RU", "BY"})
#: the member states of the European Union since 2020
EU27 = frozenset({"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
                  "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"})


@lru_cache(maxsize=1)
def countries() -> tuple[list[str | None], list[str], list[BaseGeometry]]:
    """ISO codes, names and polygons of the world's countries (1:50m, simplified)."""
    path = resources.files("corridor") / "data" / "geo" / "countries.geojson"
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    isos = [f["properties"].get("iso_a2") for f in features]
    names = [f["properties"]["name"] for f in features]
    shapes = [shape(f["geometry"]) for f in features]
    return isos, names, shapes


@lru_cache(maxsize=1)
def _tree() -> STRtree:
    return STRtree(countries()[2])


def countries_at(lon: np.ndarray, lat: np.ndarray) -> list[str | None]:
    """The country each point lies in (``None`` at sea or outside every outline)."""
    isos = countries()[0]
    pts = points(np.asarray(lon, float), np.asarray(lat, float))
    found: list[str | None] = [None] * len(pts)
    for p, c in zip(*_tree().query(pts, predicate="within")):
        found[p] = isos[c]
    return found


def countries_crossed(lines: list[np.ndarray]) -> list[set[str]]:
    """The countries each line (an ``(n, 2)`` array of lon, lat) passes through or touches."""
    isos = countries()[0]
    found: list[set[str]] = [set() for _ in lines]
    if not lines:
        return found
    geoms = linestrings(np.vstack(lines), indices=np.repeat(np.arange(len(lines)), [len(x) for x in lines]))
    for i, c in zip(*_tree().query(geoms, predicate="intersects")):
        if isos[c]:
            found[i].add(str(isos[c]))
    return found


def locate(lon: np.ndarray, lat: np.ndarray) -> tuple[list[str | None], np.ndarray]:
    """The country of each point and its distance in degrees to that country (0 when inside).

    A point in no polygon (a port a little offshore) gets the nearest country.
    """
    isos, _, shapes = countries()
    pts = points(np.asarray(lon, float), np.asarray(lat, float))
    found: list[str | None] = [None] * len(pts)
    distance = np.zeros(len(pts))
    inside = _tree().query(pts, predicate="within")
    for p, c in zip(*inside):
        found[p] = isos[c]
    for p in (i for i, iso in enumerate(found) if iso is None):
        c = int(_tree().nearest(pts[p]))
        found[p] = isos[c]
        distance[p] = shapes[c].distance(pts[p])
    return found, distance


@lru_cache(maxsize=1)
def sea_lanes() -> dict[str, np.ndarray]:
    """The searoute line of every sea link (lon/lat arrays by link id), from ``geo/sea_lanes.geojson``."""
    path = resources.files("corridor") / "data" / "geo" / "sea_lanes.geojson"
    if not path.is_file():
        return {}
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    return {f["properties"]["link"]: np.asarray(f["geometry"]["coordinates"], float) for f in features}


def haversine_km(lon1: npt.ArrayLike, lat1: npt.ArrayLike, lon2: npt.ArrayLike,
                 lat2: npt.ArrayLike) -> np.ndarray | float:
    """Great-circle distance in km between points in degrees (numbers or arrays of equal length).

    Examples
    --------
    >>> round(float(haversine_km(0, 0, 0, 1)), 1)
    111.2
    """
    x1, y1, x2, y2 = (np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2))
    h = np.sin((y2 - y1) / 2) ** 2 + np.cos(y1) * np.cos(y2) * np.sin((x2 - x1) / 2) ** 2
    return 2 * 6371.0 * np.arcsin(np.sqrt(h))  # 6371 km: the Earth's mean radius
