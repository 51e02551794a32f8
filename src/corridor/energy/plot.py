"""A static map of the energy network: flows as line widths, full assets in red, idle ones dashed."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.lines import Line2D

from ..maps import draw_countries
from .flows import EnergyFlows
from ..network.energy_table import EnergyNetwork

COLOR = {"gas": "#1f6fb4", "oil": "#7a4a1c"}
FULL = "#d62728"
MARKERS = {"field": ("^", "#2ca02c"), "market": ("s", "#444444")}


def plot_energy(flows: EnergyFlows | list[EnergyFlows], energy: EnergyNetwork, path: str | Path,
                title: str | None = None) -> Path:
    """Draw one or both commodities' flows on the country outlines and write a PNG.

    Line width grows with the flow; an asset at capacity is red (thicker when it is in the binding
    cut); an asset that carries nothing is thin grey, dashed when it is not in service.
    """
    solved = flows if isinstance(flows, list) else [flows]
    nodes = energy.nodes
    used = {n for f in solved for n in (*f.assets["from"], *f.assets["to"])}
    xy = nodes.loc[sorted(used), ["lon", "lat"]].astype(float)
    pad = 2.0
    bounds = (xy["lon"].min() - pad, xy["lat"].min() - pad, xy["lon"].max() + pad, xy["lat"].max() + pad)
    fig, ax = plt.subplots(figsize=(13, 7), dpi=110)
    draw_countries(ax, bounds)
    for f in solved:
        a = f.assets
        top = float(a["flow"].max()) if len(a) and a["flow"].max() > 0 else 1.0
        for frm, to, flow, full, binding, on in zip(a["from"], a["to"], a["flow"], a["saturated"], a["binding"],
                                                     a["in_service"]):
            (x0, y0), (x1, y1) = nodes.loc[frm, ["lon", "lat"]], nodes.loc[to, ["lon", "lat"]]
            if flow <= 1e-9:
                ax.plot([x0, x1], [y0, y1], color="#8c8c8c", lw=0.8, ls="-" if on else "--", zorder=2)
                continue
            color = FULL if full else COLOR[f.commodity]
            width = 1.2 + 6.0 * flow / top + (1.5 if binding else 0.0)
            ax.plot([x0, x1], [y0, y1], color=color, lw=width, alpha=0.85, solid_capstyle="round", zorder=3)
            ax.annotate(f"{flow:.1f}", ((x0 + x1) / 2, (y0 + y1) / 2), fontsize=6.5, ha="center", va="center",
                        color="black", zorder=5, bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.7})
    for kind, (marker, color) in MARKERS.items():
        sel = nodes[nodes.index.isin(used) & (nodes["kind"] == kind)]
        ax.scatter(sel["lon"], sel["lat"], marker=marker, s=46, c=color, edgecolors="white", zorder=6)
        for r in sel.itertuples():
            ax.annotate(r.name, (r.lon, r.lat), xytext=(4, 4), textcoords="offset points", fontsize=7, zorder=7)
    handles = [Line2D([], [], color=COLOR[f.commodity], lw=4, label=f"{f.commodity} flow ({f.unit_label})")
               for f in solved]
    handles += [Line2D([], [], color=FULL, lw=4, label="at capacity"),
                Line2D([], [], color="#8c8c8c", lw=1, label="idle"),
                Line2D([], [], color="#8c8c8c", lw=1, ls="--", label="not in service"),
                Line2D([], [], marker="^", ls="", color=MARKERS["field"][1], label="field"),
                Line2D([], [], marker="s", ls="", color=MARKERS["market"][1], label="market")]
    ax.legend(handles=handles, loc="lower left", fontsize=8, framealpha=0.9)
    if title is None:
        title = "; ".join(f"{f.commodity}: {f.delivered:,.1f} {f.unit_label} to {f.target_label}" for f in solved)
        title += f" — scenario {solved[0].scenario}"
    ax.set_title(title, fontsize=11)
    ax.set_xticks([])
    ax.set_yticks([])
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, bbox_inches="tight")
    plt.close(fig)
    return out


__all__ = ["plot_energy"]
