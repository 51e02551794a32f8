"""Which loss hurts most: every energy asset (or group) closed in turn, deliveries re-solved."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from .. import validate
from ..network.energy_table import EnergyNetwork, load_energy
from ..scenarios import apply_energy_scenario, load_scenario
from .flows import DEFAULT_TARGET, build_arcs, solve_arcs


def _delivered(energy: EnergyNetwork, commodity: str, to: str | list[str], year: int | None) -> tuple[float, float]:
    arcs = build_arcs(energy, commodity, to=to, year=year)
    flow = solve_arcs(arcs).flow
    market = arcs.head == arcs.sink
    return float(flow[arcs.target].sum()), float(flow[market].sum())


def energy_criticality(energy: EnergyNetwork | None = None, commodity: str = "gas", *,
                       to: str | list[str] | None = None, year: int | None = None, scenario: Any = None,
                       scope: str = "assets", progress: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Close each asset (or each ``group`` of assets) in service alone and measure what is lost.

    Parameters
    ----------
    energy, commodity, to, year, scenario
        As for :func:`~corridor.energy.energy_flows`.
    scope : {"assets", "groups"}
        Close one asset at a time, or one ``group`` at a time (all its segments; expansions are
        their own group, ``SGC-EXPANSION``).
    progress : callable, optional
        Called with (done, total) after each closure.

    Returns
    -------
    DataFrame
        One row per asset or group, worst first: ``element``, ``name``, ``delivered`` (to the target
        markets without it), ``loss`` and ``loss_share`` (of the base), ``loss_total`` (to all markets).
    """
    if scope not in ("assets", "groups"):
        raise ValueError(f"scope must be assets or groups, not {scope!r}")
    energy = load_energy() if energy is None else energy
    sc = load_scenario(scenario)
    energy = apply_energy_scenario(energy, sc)
    year = validate.year(year) if year is not None else sc.year
    to = DEFAULT_TARGET.get(commodity, "all") if to is None else to
    base, base_total = _delivered(energy, commodity, to, year)
    assets = energy.assets[(energy.assets["commodity"] == commodity) & energy.in_service(year)]
    if scope == "assets":
        elements = [(a, name, [a]) for a, name in zip(assets.index, assets["name"])]
    else:
        groups = assets["group"].fillna(assets.index.to_series())
        elements = [(g, ", ".join(ids), list(ids)) for g, ids in groups.groupby(groups).groups.items()]
    rows = []
    for k, (element, name, ids) in enumerate(elements, 1):
        closed = energy.assets.copy()
        closed.loc[ids, "status"] = "closed"
        delivered, total = _delivered(energy.replace(assets=closed), commodity, to, year)
        rows.append({"element": element, "name": name, "assets": len(ids), "delivered": delivered,
                     "loss": base - delivered, "loss_share": (base - delivered) / base if base > 0 else np.nan,
                     "loss_total": base_total - total})
        if progress is not None:
            progress(k, len(elements))
    out = pd.DataFrame(rows, columns=["element", "name", "assets", "delivered", "loss", "loss_share", "loss_total"])
    out = out.round({"delivered": 6, "loss": 6, "loss_total": 6})
    return out.sort_values(["loss", "loss_total"], ascending=False, kind="stable").reset_index(drop=True)


__all__ = ["energy_criticality"]
