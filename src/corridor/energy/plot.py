"""Maps of the energy network: a static PNG (flows as line widths, full assets in red, idle ones dashed)
and the same as GeoJSON for the web map."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from ..maps import draw_countries
from ..network.energy_table import EnergyNetwork
from ..network.shapes import energy_lines
from .flows import EnergyFlows

COLOR = {"gas": "#1f6fb4", "oil": "#7a4a1c"}
FULL = "#d62728"
MARKERS = {"field": ("^", "#2ca02c"), "market": ("s", "#444444")}


def _short(name: str) -> str:
    return name.split(" (")[0].split(" - ")[0]


def _middle(coords: np.ndarray) -> tuple[float, float]:
    """The point halfway along a line (where its flow is labelled)."""
    steps = np.hypot(*np.diff(coords, axis=0).T)
    if len(steps) == 0 or steps.sum() == 0:
        return float(coords[0, 0]), float(coords[0, 1])
    along = np.concatenate([[0.0], np.cumsum(steps)])
    half = along[-1] / 2
    return float(np.interp(half, along, coords[:, 0])), float(np.interp(half, along, coords[:, 1]))


def _bounds(f: EnergyFlows, nodes: pd.DataFrame, pad: float = 1.5) -> tuple[float, float, float, float]:
    used = nodes.loc[sorted(set(f.assets["from"]) | set(f.assets["to"]))]
    return (used["lon"].min() - pad, used["lat"].min() - pad, used["lon"].max() + pad, used["lat"].max() + pad)


def _panel(ax: Axes, f: EnergyFlows, energy: EnergyNetwork) -> None:
    a, nodes = f.assets, energy.nodes
    used = nodes.loc[sorted(set(a["from"]) | set(a["to"]))]
    draw_countries(ax, _bounds(f, nodes))
    top = float(a["flow"].max()) if len(a) and a["flow"].max() > 0 else 1.0
    lines = energy_lines(energy, a.to_dict("records"))
    for (line, _), flow, full, binding, on in zip(lines, a["flow"], a["saturated"], a["binding"], a["in_service"]):
        coords = np.asarray(line, float)
        if flow <= 1e-9:
            ax.plot(coords[:, 0], coords[:, 1], color="#8c8c8c", lw=0.8, ls="-" if on else "--", zorder=2)
            continue
        color = FULL if full else COLOR[f.commodity]
        width = 1.2 + 6.0 * flow / top + (1.5 if binding else 0.0)
        ax.plot(coords[:, 0], coords[:, 1], color=color, lw=width, alpha=0.85, solid_capstyle="round",
                solid_joinstyle="round", zorder=3)
        ax.annotate(f"{flow:.1f}", _middle(coords), fontsize=6.5, ha="center", va="center",
                    color="black", zorder=5, bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.7})
    for kind, (marker, color) in MARKERS.items():
        sel = used[used["kind"] == kind]
        ax.scatter(sel["lon"], sel["lat"], marker=marker, s=46, c=color, edgecolors="white", zorder=6)
        for r in sel.itertuples():
            ax.annotate(_short(r.name), (r.lon, r.lat), xytext=(4, 4), textcoords="offset points", fontsize=7, zorder=7)
    handles = [Line2D([], [], color=COLOR[f.commodity], lw=4, label=f"{f.commodity} flow, {f.unit_label}"),
               Line2D([], [], color=FULL, lw=4, label="at capacity"),
               Line2D([], [], color="#8c8c8c", lw=1, label="idle"),
               Line2D([], [], color="#8c8c8c", lw=1, ls="--", label="not in service"),
               Line2D([], [], marker="^", ls="", color=MARKERS["field"][1], label="field"),
               Line2D([], [], marker="s", ls="", color=MARKERS["market"][1], label="market")]
    ax.legend(handles=handles, loc="best", fontsize=7, framealpha=0.9)
    ax.set_title(f"{f.commodity.capitalize()}: {f.delivered:,.1f} {f.unit_label} to {f.target_label} "
                 f"({f.delivered_total:,.1f} in all) — scenario {f.scenario}", fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])


def plot_energy(flows: EnergyFlows | list[EnergyFlows], energy: EnergyNetwork, path: str | Path) -> Path:
    """Draw each commodity's flows on the country outlines (one panel each) and write a PNG.

    Line width grows with the flow; an asset at capacity is red (thicker when it is in the binding
    cut); an asset that carries nothing is thin grey, dashed when it is not in service.
    """
    solved = flows if isinstance(flows, list) else [flows]
    # each panel as tall as its extent at draw_countries' aspect (1.3), so the panels stack without gaps
    heights = [1.3 * (b[3] - b[1]) / (b[2] - b[0]) for b in (_bounds(f, energy.nodes) for f in solved)]
    fig = Figure(figsize=(12, 12 * sum(heights) + 0.6 * len(solved)), dpi=110)
    axes = fig.subplots(len(solved), 1, squeeze=False, gridspec_kw={"height_ratios": heights})
    for ax, f in zip(axes[:, 0], solved):
        _panel(ax, f, energy)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, bbox_inches="tight")
    return out


def energy_geojson(flows: EnergyFlows, energy: EnergyNetwork) -> dict[str, Any]:
    """The solved network as a GeoJSON FeatureCollection: one LineString per asset (with ``flow``,
    ``capacity``, ``utilisation``, ``saturated``, ``binding``, ``in_service``…) and one Point per field
    and market (with ``supply``/``demand`` and ``flow``).

    Each asset is drawn by :func:`corridor.network.shapes.energy_lines`: a pipeline through the waypoints
    of its route (``energy_routes.csv``: TANAP through the provinces and towns its operator names), a
    tanker voyage (``tanker``, and the ``terminal`` liftings, which sail from a port) along the sea lane
    between its ports, found by ``searoute``; an asset with neither is straight between its ends.
    ``drawn`` says which: ``route``, ``sea lane`` or ``straight``."""
    from ..formats.json import records

    nodes = energy.nodes
    features: list[dict[str, Any]] = []
    rows = records(flows.assets)
    for row, (coords, drawn) in zip(rows, energy_lines(energy, rows)):
        features.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": coords},
                         "properties": {**row, "commodity": flows.commodity, "unit": flows.unit, "drawn": drawn}})
    for frame, kind in ((flows.supplies, "field"), (flows.markets, "market")):
        for row in records(frame):
            lon, lat = nodes.loc[row["node"], ["lon", "lat"]].astype(float)
            features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
                             "properties": {**row, "kind": kind, "commodity": flows.commodity, "unit": flows.unit}})
    return {"type": "FeatureCollection", "features": features,
            "properties": {"commodity": flows.commodity, "unit": flows.unit, "target": flows.target,
                           "scenario": flows.scenario, "delivered": flows.delivered,
                           "delivered_total": flows.delivered_total, "binding": records(flows.binding)}}


__all__ = ["energy_geojson", "plot_energy"]
