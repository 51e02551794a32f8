"""Static maps of routes over the shipped country outlines, and their costs by component (matplotlib,
fully offline).

Figures are made without pyplot, so writing a PNG never touches the interactive backend a notebook uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .errors import InvalidOptionError
from .graph import KINDS
from .network.costs import COST_COMPONENTS, COST_LABELS
from .network.geo import countries, sea_lanes
from .network.schema import MODES
from .routing import Route, Router

MODE_STYLE = {"rail": "-", "road": "--", "ferry": ":", "sea": "-."}
#: one colour per cost component (matplotlib's tab10); web/src/costs.js draws the cards' bars in the same
COST_COLOURS = {"freight_usd": "#1f77b4", "handling_usd": "#ff7f0e", "border_usd": "#8c564b", "ets_usd": "#2ca02c",
                "insurance_usd": "#d62728", "sanctions_usd": "#9467bd", "carbon_usd": "#bcbd22",
                "time_value_usd": "#17becf"}


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


def plot_costs(routes: Sequence[Route], path: str | Path, *, title: str = "") -> Path:
    """Write a PNG of each route's generalized cost by component and return its path.

    One horizontal stacked bar per route (the first on top), one colour per component of
    ``cost_breakdown`` (:data:`COST_COLOURS`, named as in docs/costs.md), US$ per FEU, the total at the end
    of the bar. Components that are zero on every route are left out of the legend.

    Raises
    ------
    InvalidOptionError
        When ``routes`` is empty.

    Examples
    --------
    >>> routes = corridor.route("Xi'an", "Duisburg", alternatives=3)  # doctest: +SKIP
    >>> plot_costs(routes, "costs.png")  # doctest: +SKIP
    """
    if not routes:
        raise InvalidOptionError("nothing to plot: no routes given (plot_costs needs at least one route)")
    path = Path(path)
    items = [r.cost_breakdown.to_dict() for r in routes]
    shown = [c for c in COST_COMPONENTS if any(item[c] for item in items)]
    top = max(item["total_usd"] for item in items) or 1.0
    fig = Figure(figsize=(10, 1.6 + 0.55 * len(routes)), dpi=110)
    ax = fig.subplots()
    rows = np.arange(len(routes))[::-1]
    left = np.zeros(len(routes))
    for name in shown:
        widths = np.array([item[name] for item in items])
        ax.barh(rows, widths, left=left, height=0.6, color=COST_COLOURS[name], label=COST_LABELS[name])
        left += widths
    for y, item in zip(rows, items):
        ax.text(item["total_usd"] + 0.01 * top, y, f"US$ {item['total_usd']:,.0f}", va="center", fontsize=9)
    ax.set_yticks(rows, [r.corridor for r in routes], fontsize=9)
    ax.set_xlim(0, 1.16 * top)
    ax.set_xlabel("Generalized cost, US$ per FEU")
    ax.set_title(title or f"Generalized cost by component: {routes[0].origin} → {routes[0].destination}", fontsize=11)
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
    ax.xaxis.set_major_formatter("{x:,.0f}")
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8, frameon=False)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, bbox_inches="tight")
    return path
