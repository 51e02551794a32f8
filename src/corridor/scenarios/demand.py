"""The ``demand`` operation: it grows the demand matrix, not the network."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from .spec import Scenario


def apply_demand(od: pd.DataFrame, scenario: Scenario, zones: Iterable[str] | None = None) -> pd.DataFrame:
    """Demand (with ``origin``, ``destination`` zone columns and ``teu_per_year``) as the scenario grows it.

    Parameters
    ----------
    od : DataFrame
        The demand; it is not changed.
    scenario : Scenario
        Its ``demand`` operations multiply the TEU of the pairs they select (all by default).
    zones : iterable of str, optional
        The zones a ``demand`` operation may name; by default those of ``od``.

    Raises
    ------
    ScenarioError
        A ``demand`` operation names an unknown zone (the message names the file and line).
    """
    factors = scenario.demand_factors()
    if not factors:
        return od
    known = set(zones) if zones is not None else set(od["origin"]) | set(od["destination"])
    out = od.copy()
    teu = out["teu_per_year"].astype(float).to_numpy().copy()
    ops = [op for op in scenario.operations if op.kind == "demand"]
    for (factor, origins, destinations), op in zip(factors, ops):
        for z in origins + destinations:
            if z not in known:
                raise op.error(f"unknown zone {z!r}")
        rows = np.ones(len(out), dtype=bool)
        if origins:
            rows &= out["origin"].isin(origins).to_numpy()
        if destinations:
            rows &= out["destination"].isin(destinations).to_numpy()
        teu[rows] *= factor
    out["teu_per_year"] = teu
    return out
