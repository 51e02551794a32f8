"""The tornado plot of a sensitivity analysis (matplotlib, without pyplot's global state)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from matplotlib.figure import Figure

from .analysis import SensitivityResult

LOW_COLOUR, HIGH_COLOUR = "#4c72b0", "#dd8452"


def plot_tornado(result: SensitivityResult, path: str | Path) -> Path:
    """Write a PNG tornado plot and return its path: one panel per answer group, one bar pair per top
    estimate (the ranking's order), the change of the answer with the estimate at the low and the high
    end of its range, the others as given (per cent of the answer; a ranking: per cent of the pairs of
    corridors swapped)."""
    path = Path(path)
    swings = result.swings
    sources = list(dict.fromkeys(swings["source"]))[::-1]
    groups = list(dict.fromkeys(swings["group"]))
    fig = Figure(figsize=(3.2 * max(len(groups), 1) + 2.5, 0.38 * len(sources) + 1.8), dpi=110)
    axes = np.atleast_1d(fig.subplots(1, max(len(groups), 1), sharey=True))
    y = np.arange(len(sources))
    for ax, group in zip(axes, groups):
        rows = swings[swings["group"] == group].set_index("source").reindex(sources)
        ax.barh(y, 100 * rows["low"].to_numpy(float), color=LOW_COLOUR, height=0.7, label="low end of range")
        ax.barh(y, 100 * rows["high"].to_numpy(float), color=HIGH_COLOUR, height=0.7, alpha=0.85,
                label="high end of range")
        ax.axvline(0, color="#333333", linewidth=0.8)
        if not rows[["low", "high"]].abs().to_numpy(float).any():
            ax.text(0.5, 0.5, "no estimate moves it", transform=ax.transAxes, ha="center", fontsize=9, color="#555555")
        ax.set_title(group, fontsize=10)
        ax.set_xlabel("change, %", fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(axis="x", color="#dddddd", linewidth=0.5)
    axes[0].set_yticks(y, sources)
    axes[0].legend(loc="lower left", fontsize=7, framealpha=0.9)
    fig.suptitle(f"Estimates that move the headline answers most ({result.method}; one at a time, "
                 "each estimate at the ends of its range)", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    return path
