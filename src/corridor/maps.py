"""Static maps of routes over the shipped country outlines (matplotlib, fully offline).

Figures are made without pyplot, so writing a PNG never touches the interactive backend a notebook uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .graph import KINDS
from .network.geo import countries, sea_lanes
from .network.schema import MODES
from .routing import Route, Router

MODE_STYLE = {"rail": "-", "road": "--", "ferry": ":", "sea": "-."}


def draw_countries(ax: Axes, bounds: tuple[float, float, float, float]) -> None:
    """Draw the country outlines that touch ``bounds`` (lon0, lat0, lon1, lat1)."""
    from shapely.geometry import box

    frame = box(*bounds)
    for geom in countries()[2]:
        if not geom.intersects(frame):
            continue
        for poly in getattr(geom, "geoms", [geom]):
            if poly.geom_type != "Polygon":
                continue
            x, y = poly.exterior.xy
            ax.fill(x, y, facecolor="#f2efe9", edgecolor="#9a9a9a", linewidth=0.4, zorder=0)
    ax.set_facecolor("#dce9f5")
    ax.set_xlim(bounds[0], bounds[2])
    ax.set_ylim(bounds[1], bounds[3])
    ax.set_aspect(1.3)


def route_lines(router: Router, route: Route) -> list[tuple[str, np.ndarray]]:
    """The route's runs as (mode, lon/lat array) pieces: sea runs follow their searoute lane,
    land runs are drawn straight between their places."""
    g = router.graph
    links = router.network.links
    lon, lat = router.network.places["lon"].to_numpy(), router.network.places["lat"].to_numpy()
    lanes = sea_lanes()
    pieces = []
    for e in route.edges:
        if KINDS[g.kind[e]] != "run":
            continue
        a, b = g.from_place[e], g.to_place[e]
        link = links.iloc[g.link[e]]
        xy = lanes.get(link["id"])
        if xy is None:
            xy = np.array([[lon[a], lat[a]], [lon[b], lat[b]]])
        elif link["from"] != g.place_ids[a]:
            xy = xy[::-1]
        pieces.append((MODES[g.mode[e]], xy))
    return pieces


def plot_routes(router: Router, routes: Sequence[Route], path: str | Path, *, title: str = "") -> Path:
    """Write a PNG map of ``routes`` (one colour each, line style by mode) and return its path."""
    path = Path(path)
    pieces = [(i, mode, xy) for i, r in enumerate(routes) for mode, xy in route_lines(router, r)]
    if pieces:
        xy = np.vstack([p[2] for p in pieces])
        lon0, lat0 = xy.min(axis=0) - 3
        lon1, lat1 = xy.max(axis=0) + 3
    else:
        lon0, lat0, lon1, lat1 = 0.0, 25.0, 125.0, 60.0
    fig = Figure(figsize=(12, 6.5), dpi=110)
    ax = fig.subplots()
    draw_countries(ax, (lon0, lat0, lon1, lat1))
    colours = matplotlib.colormaps["tab10"]
    for i, mode, xy in pieces:
        ax.plot(xy[:, 0], xy[:, 1], MODE_STYLE.get(mode, "-"), color=colours(i % 10), linewidth=2.2, zorder=2)
    for i, r in enumerate(routes):
        ax.plot([], [], color=colours(i % 10), linewidth=2.2,
                label=f"{r.corridor}: {r.total_days:.1f} d, ${r.cost_usd_per_feu:,.0f}, {r.co2_kg_per_feu:,.0f} kg CO2e")
    for mode, style in MODE_STYLE.items():
        ax.plot([], [], style, color="#444444", label=mode)
    if routes:
        places = router.network.places.set_index("id")
        for pid in {routes[0].origin, routes[0].destination}:
            ax.plot(places.at[pid, "lon"], places.at[pid, "lat"], "o", color="black", zorder=3)
            ax.annotate(places.at[pid, "name"], (places.at[pid, "lon"], places.at[pid, "lat"]),
                        xytext=(4, 4), textcoords="offset points", fontsize=9, zorder=3)
    ax.legend(loc="lower left", fontsize=8, framealpha=0.9)
    ax.set_title(title or "Routes", fontsize=11)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.text(0.99, 0.01, "Country outlines: Natural Earth", transform=ax.transAxes, ha="right", fontsize=7, color="#555555")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    return path
