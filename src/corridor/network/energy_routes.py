"""The alignment of each pipeline: ``energy_routes.csv``, the named places it passes, read and checked.

A pipeline runs from its ``from`` node through its waypoints (in ``seq`` order) to its ``to`` node.
Each waypoint is a place the operator (or a cited report) names on the route — a province, town,
pump or compressor station — placed at coordinates from GeoNames (``GEONAMES``) or another cited
source. An expansion follows the route of the asset it ``expands``; an asset without waypoints is
drawn straight. Problems are reported like the rest of the dataset: file, line and field.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import Field

from ..validate import suggestion
from .geo import countries_crossed, haversine_km, locate
from .rows import Problem, columns_of, parse_rows, read_rows
from .schema import Row, split_list

ROUTES_FILE = "energy_routes.csv"
#: how far (degrees) a waypoint may lie off its country's simplified outline (a landfall on the coast)
COAST_TOLERANCE_DEG = 0.08


class RouteRow(Row):
    asset: str = Field(pattern=r"^[A-Z0-9][A-Z0-9-]*$")
    seq: int = Field(ge=1, le=999)
    name: str
    country: str = Field(pattern=r"^[A-Z]{2}$")
    lon: float = Field(ge=-180, le=180)
    lat: float = Field(ge=-90, le=90)
    source: str
    route_source: str
    note: str | None = None


ROUTE_COLUMNS = columns_of(RouteRow)


def empty_routes() -> pd.DataFrame:
    """A routes table with no rows."""
    return pd.DataFrame(columns=[*ROUTE_COLUMNS, "line"])


def polyline_km(points: np.ndarray) -> float:
    """The length in km of a line through ``points`` (an ``(n, 2)`` array of lon, lat), along great circles."""
    if len(points) < 2:
        return 0.0
    return float(np.sum(haversine_km(points[:-1, 0], points[:-1, 1], points[1:, 0], points[1:, 1])))


def waypoints(routes: pd.DataFrame) -> dict[str, np.ndarray]:
    """Each routed asset's waypoints as an ``(n, 2)`` array of lon, lat, in order."""
    way: dict[str, list[tuple[float, float]]] = {}
    for asset, _, lon, lat in sorted(zip(routes["asset"], routes["seq"], routes["lon"], routes["lat"])):
        way.setdefault(str(asset), []).append((float(lon), float(lat)))
    return {asset: np.asarray(points, float) for asset, points in way.items()}


def route_points(way: Mapping[str, np.ndarray], asset: str,
                 ends: tuple[tuple[float, float], tuple[float, float]]) -> np.ndarray:
    """The vertices of an asset's line: its first end, its waypoints in order (``way``, from
    :func:`waypoints`), its last end."""
    middle = way.get(asset, np.empty((0, 2)))
    return np.vstack([np.asarray(ends[0], float), middle, np.asarray(ends[1], float)])


def read_routes(folder: Path, assets: Mapping[str, dict], nodes: Mapping[str, dict], sources: set[str] | None,
                asset_lines: Mapping[str, int]) -> tuple[pd.DataFrame, list[Problem]]:
    """Read and check ``energy_routes.csv`` (optional) against the assets and nodes already read.

    Each waypoint must name a pipeline that is not an expansion, be numbered 1, 2, 3 … within its asset,
    lie inside the country it states and cite known sources; an asset's route may not be longer than its
    published ``length_km``; and, once a dataset gives routes, no pipeline's line (its route, else the
    straight line between its ends) may pass through a country where neither its ends nor its waypoints lie.

    Parameters
    ----------
    folder : Path
        The dataset folder.
    assets : mapping
        Asset rows by id (``kind``, ``from``, ``to``, ``expands``, ``length_km``).
    nodes : mapping
        Node rows by id (``lon``, ``lat``, ``country``, ``kind``).
    sources : set of str, optional
        Known source ids; a citation of another is a problem.
    asset_lines : mapping
        Each asset's line in ``energy_assets.csv`` (to point at its published length).
    """
    problems: list[Problem] = []
    path = folder / ROUTES_FILE
    if not path.is_file():  # a dataset without routes draws every pipeline straight, and says nothing of it
        return empty_routes(), problems
    records, lines = parse_rows(ROUTES_FILE, read_rows(path, ROUTE_COLUMNS, problems), RouteRow, problems)
    good = [{**r, "line": line} for r, line in zip(records, lines) if _row_ok(r, line, assets, sources, problems)]
    routes = pd.DataFrame.from_records(good, columns=[*ROUTE_COLUMNS, "line"])
    problems.extend(_located(routes))
    way = waypoints(routes)
    by_asset: dict[str, list[dict]] = {}
    for r in good:
        by_asset.setdefault(r["asset"], []).append(r)
    for asset, rows in by_asset.items():
        problems.extend(_sequence(asset, rows))
        row = assets[asset]
        if row["from"] in nodes and row["to"] in nodes:
            points = route_points(way, asset, (_xy(nodes[row["from"]]), _xy(nodes[row["to"]])))
            problems.extend(_length(asset, rows, row, polyline_km(points), asset_lines.get(asset)))
    problems.extend(_third_countries(by_asset, way, assets, nodes, asset_lines))
    return routes, problems


def _xy(node: dict) -> tuple[float, float]:
    return float(node["lon"]), float(node["lat"])


def _third_countries(by_asset: Mapping[str, list[dict]], way: Mapping[str, np.ndarray], assets: Mapping[str, dict],
                     nodes: Mapping[str, dict], asset_lines: Mapping[str, int]) -> list[Problem]:
    """Pipelines whose drawn line passes through a country neither their ends nor their waypoints lie in
    (BTC drawn straight from Sangachal to Ceyhan crosses Armenia). A market node stands for a country's
    whole grid, so a line to or from one is not held to this; nor is an expansion (it takes its base's line)."""
    checked, lines = [], []
    for aid, row in assets.items():
        ends = [nodes.get(row["from"]), nodes.get(row["to"])]
        if row["kind"] != "pipeline" or row.get("expands") or None in ends or any(n["kind"] == "market" for n in ends):
            continue
        checked.append((aid, row, {ends[0]["country"], ends[1]["country"]}))
        lines.append(_trimmed(route_points(way, aid, (_xy(ends[0]), _xy(ends[1])))))
    problems = []
    for (aid, row, allowed), crossed in zip(checked, countries_crossed(lines)):
        own = by_asset.get(aid, [])
        outside = ", ".join(sorted(crossed - allowed - {r["country"] for r in own}))
        if not outside:
            continue
        if not own:
            problems.append(Problem("energy_assets.csv", asset_lines.get(aid), "from", (
                f"{aid} drawn straight from {row['from']} to {row['to']} crosses {outside}: give its route "
                f"in {ROUTES_FILE}")))
        else:
            problems.append(Problem(ROUTES_FILE, min(r["line"] for r in own), "lon/lat", (
                f"the route of {aid} crosses {outside}, where none of its waypoints lies: add a waypoint "
                "there, or one that keeps the line out")))
    return problems


def _trimmed(points: np.ndarray, by_deg: float = COAST_TOLERANCE_DEG) -> np.ndarray:
    """The line with ``by_deg`` cut off each end: a node on a border may touch the neighbour's outline."""
    out = points.copy()
    for end, toward in ((0, 1), (-1, -2)):
        step = points[toward] - points[end]
        length = float(np.hypot(*step))
        if length > 0:
            out[end] = points[end] + step * min(by_deg / length, 0.45)
    return out


def _row_ok(row: dict, line: int, assets: Mapping[str, dict], sources: set[str] | None,
            problems: list[Problem]) -> bool:
    ok = True
    asset = assets.get(row["asset"])
    if asset is None:
        hint = suggestion(row["asset"], assets)
        problems.append(Problem(ROUTES_FILE, line, "asset", f"unknown asset {row['asset']!r} (not an id of "
                                "energy_assets.csv)" + (f"; {hint}" if hint else "")))
        return False
    if asset["kind"] != "pipeline":
        problems.append(Problem(ROUTES_FILE, line, "asset", f"{row['asset']} is a {asset['kind']}: only a pipeline "
                                "takes waypoints (a tanker voyage follows its sea lane)"))
        ok = False
    if asset.get("expands"):
        problems.append(Problem(ROUTES_FILE, line, "asset", f"{row['asset']} expands {asset['expands']} and "
                                f"follows its route: give the waypoints to {asset['expands']}"))
        ok = False
    for column in ("source", "route_source"):
        for sid in split_list(row[column]):
            if sources is not None and sid not in sources:
                problems.append(Problem(ROUTES_FILE, line, column, f"cites source {sid!r}, which is not in sources.csv"))
    return ok


def _located(routes: pd.DataFrame) -> list[Problem]:
    """Waypoints whose lon/lat lie outside the country they state."""
    if routes.empty:
        return []
    found, distance = locate(routes["lon"].to_numpy(float), routes["lat"].to_numpy(float))
    problems = []
    for row, iso, dist in zip(routes.to_dict("records"), found, distance):
        if iso != row["country"] or dist > COAST_TOLERANCE_DEG:
            where = f"({row['lon']}, {row['lat']}) lies in {iso}" + (f" ({float(dist):.2f}° off its coast)" if dist else "")
            problems.append(Problem(ROUTES_FILE, row["line"], "lon/lat", f"{where}, not in {row['country']} as stated "
                                    f"for {row['name']} on {row['asset']}"))
    return problems


def _sequence(asset: str, rows: list[dict]) -> list[Problem]:
    """An asset's waypoints numbered 1, 2, 3 … without a gap or a repeat."""
    for expected, (seq, line) in enumerate(sorted((r["seq"], r["line"]) for r in rows), start=1):
        if seq != expected:
            return [Problem(ROUTES_FILE, line, "seq", f"{asset}'s waypoints are numbered 1, 2, 3 … : expected "
                            f"{expected} here, got {seq}")]
    return []


def _length(asset: str, rows: list[dict], row: dict, km: float, asset_line: int | None) -> list[Problem]:
    """A route longer than the length its operator publishes has a waypoint off the line."""
    published = row.get("length_km")
    if published is None or pd.isna(published) or km <= float(published):
        return []
    at = f" (energy_assets.csv line {asset_line}, length_km)" if asset_line else ""
    return [Problem(ROUTES_FILE, min(r["line"] for r in rows), "lon/lat", (
        f"the route of {asset} through its waypoints is {km:,.0f} km, longer than its published length "
        f"{float(published):,.0f} km{at}: a waypoint lies off the line"))]


def route_lengths(routes: pd.DataFrame, assets: pd.DataFrame, nodes: pd.DataFrame) -> pd.Series:
    """Each asset's length along its route (its own waypoints or those of the asset it expands), in km;
    NaN for an asset drawn straight."""
    out = pd.Series(np.nan, index=assets.index, dtype=float)
    way = waypoints(routes)
    xy = dict(zip(nodes.index, zip(nodes["lon"].astype(float), nodes["lat"].astype(float))))
    for aid, frm, to, expands in zip(assets.index, assets["from"], assets["to"], assets["expands"]):
        own = route_owner(way, aid, expands)
        if own is not None and frm in xy and to in xy:
            out[aid] = polyline_km(route_points(way, own, (xy[frm], xy[to])))
    return out


def route_owner(way: Mapping[str, np.ndarray], asset: str, expands: object) -> str | None:
    """Whose waypoints an asset follows: its own, else those of the asset it expands, else none."""
    if asset in way:
        return asset
    return expands if isinstance(expands, str) and expands in way else None


__all__ = ["ROUTES_FILE", "ROUTE_COLUMNS", "empty_routes", "polyline_km", "read_routes", "route_lengths",
           "route_owner", "route_points", "waypoints"]
