"""The v/c map of a corridor assignment: a PNG with land and ferry links coloured by volume/capacity."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..network import Network
from .corridor_flows import CorridorFlows

if TYPE_CHECKING:  # matplotlib is imported only when a map is drawn
    from matplotlib.axes import Axes

VC_BINS = (0.0, 0.5, 0.8, 1.0, 1.2, math.inf)
VC_COLOURS = ("#1a9850", "#a6d96a", "#fee08b", "#f46d43", "#a50026")


def plot_vc_map(flows: CorridorFlows, network: Network, path: str | Path, *, title: str = "") -> Path:
    """Write a PNG map: land and ferry links coloured by v/c (worst direction and element), width by
    volume; uncapacitated links grey; capacitated terminals as dots. Deep-sea legs are not drawn."""
    from matplotlib.figure import Figure

    from ..maps import draw_countries

    path = Path(path)
    places = network.places.set_index("id")
    lon, lat = places["lon"], places["lat"]
    drawn = _drawn_links(flows, network)
    used = pd.concat([drawn["from"], drawn["to"]]).unique()
    if len(used):
        x0, x1 = lon[used].min() - 3, lon[used].max() + 3
        y0, y1 = lat[used].min() - 3, lat[used].max() + 3
    else:
        x0, y0, x1, y1 = 0.0, 25.0, 125.0, 60.0
    fig = Figure(figsize=(13, 6.5), dpi=110)
    ax = fig.subplots()
    draw_countries(ax, (x0, y0, x1, y1))
    vmax = max(float(drawn["volume"].max()) if len(drawn) else 1.0, 1.0)
    for _, r in drawn.sort_values("vc", na_position="first").iterrows():
        width = 0.6 + 5.5 * math.sqrt(r["volume"] / vmax)
        ax.plot([lon[r["from"]], lon[r["to"]]], [lat[r["from"]], lat[r["to"]]],
                ":" if r["mode"] == "ferry" else "-", color=_colour(r["vc"]), linewidth=width,
                solid_capstyle="round", zorder=2 if np.isfinite(r["vc"]) else 1)
    _draw_queues(ax, flows.edges, lon, lat)
    _label_bottlenecks(ax, flows, lon, lat)
    _legend(ax, vmax)
    what = "logit SUE" if flows.algorithm == "sue" else f"user equilibrium ({flows.algorithm})"
    ax.set_title(title or f"Corridor flows {flows.year}: volume/capacity, {what}", fontsize=11)
    ax.set_xlabel("longitude")
    ax.set_ylabel("latitude")
    ax.text(0.99, 0.01, "Country outlines: Natural Earth · deep-sea legs not drawn", transform=ax.transAxes,
            ha="right", fontsize=7, color="#555555")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    return path


def _colour(vc: float) -> str:
    if not np.isfinite(vc):
        return "#7f7f7f"
    return VC_COLOURS[int(np.searchsorted(VC_BINS, vc, side="right")) - 1]


def _drawn_links(flows: CorridorFlows, network: Network) -> pd.DataFrame:
    """Per land or ferry link with volume or a capacity: its run volume, worst v/c, ends and mode."""
    e = flows.edges
    per_link = e[e["link"] != ""].groupby("link").agg(
        volume=("volume_teu", lambda s: float(s[e.loc[s.index, "kind"] == "run"].sum())),
        vc=("vc", "max"))
    links = network.links.set_index("id")
    drawn = per_link.join(links[["from", "to", "mode"]], how="inner")
    return drawn[(drawn["mode"] != "sea") & ((drawn["volume"] > 0) | drawn["vc"].notna())]


def _draw_queues(ax: Axes, e: pd.DataFrame, lon: pd.Series, lat: pd.Series) -> None:
    """Capacitated terminals (dots) and border crossings (diamonds), coloured by their worst v/c."""
    term = e[(e["kind"] == "transfer") & e["capacity_teu"].notna()].groupby("from")["vc"].max()
    for pid, vc in term.items():
        ax.plot(lon[pid], lat[pid], "o", markersize=8, color=_colour(vc), markeredgecolor="black", zorder=3)
    border = e[(e["kind"] == "border") & e["capacity_teu"].notna()].groupby("element").agg(
        a=("from", "first"), b=("to", "first"), vc=("vc", "max"))
    for r in border.itertuples():
        ax.plot((lon[r.a] + lon[r.b]) / 2, (lat[r.a] + lat[r.b]) / 2, "D", markersize=8, color=_colour(r.vc),
                markeredgecolor="black", zorder=3)


def _label_bottlenecks(ax: Axes, flows: CorridorFlows, lon: pd.Series, lat: pd.Series) -> None:
    """Name the six worst bottlenecks, stacking labels that would overlap."""
    labelled: list[tuple[float, float]] = []
    for r in flows.bottlenecks(6).drop_duplicates("element").to_dict("records"):
        x, y = lon[r["from"]], lat[r["from"]]
        dy = 14 * sum(1 for (u, v) in labelled if abs(u - x) < 8 and abs(v - y) < 3)
        labelled.append((x, y))
        text = r["name"].split(" (")[0] if r["kind"] == "border" else r["name"]
        ax.annotate(f"{text}  v/c {r['vc']:.2f}", (x, y), xytext=(6, 4 - dy),
                    textcoords="offset points", fontsize=8, zorder=4,
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8})


def _legend(ax: Axes, vmax: float) -> None:
    from matplotlib.lines import Line2D

    labels = ["v/c < 0.5", "0.5–0.8", "0.8–1.0", "1.0–1.2", "> 1.2"]
    handles = [Line2D([], [], color=c, linewidth=4, label=lab) for c, lab in zip(VC_COLOURS, labels)]
    handles.append(Line2D([], [], color="#7f7f7f", linewidth=2, label="no capacity data"))
    handles.append(Line2D([], [], color="#444444", linestyle=":", linewidth=2, label="ferry"))
    handles.append(Line2D([], [], marker="o", color="white", markeredgecolor="black", markersize=8,
                          label="terminal with capacity"))
    handles.append(Line2D([], [], marker="D", color="white", markeredgecolor="black", markersize=7,
                          label="border crossing with capacity"))
    ax.legend(handles=handles, loc="lower left", fontsize=8, framealpha=0.9,
              title=f"width ∝ √volume (max {vmax:,.0f} TEU/yr)", title_fontsize=8)
