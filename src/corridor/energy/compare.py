"""What a scenario changes in the energy network: deliveries, flows on assets and what binds."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..formats.json import records
from ..network.energy_table import EnergyNetwork, load_energy
from ..scenarios import Scenario
from .flows import EnergyFlows, energy_flows

#: flows that differ by less than this (in the base unit) count as unchanged
SAME = 1e-6


@dataclass(frozen=True)
class EnergyComparison:
    """Two solutions of one commodity side by side.

    Attributes
    ----------
    markets : DataFrame
        Per market: ``base``, ``scenario`` and ``change`` of what it receives.
    assets : DataFrame
        The assets whose status, capacity or flow changed.
    """

    base: EnergyFlows
    scenario: EnergyFlows
    markets: pd.DataFrame
    assets: pd.DataFrame

    @property
    def change(self) -> float:
        """The change in what reaches the target markets."""
        return self.scenario.delivered - self.base.delivered

    @property
    def binding_lifted(self) -> list[str]:
        """Constraints that bound the base but no longer bind."""
        return sorted(set(self.base.binding["why"]) - set(self.scenario.binding["why"]))

    @property
    def binding_new(self) -> list[str]:
        """Constraints that bind in the scenario but did not in the base."""
        return sorted(set(self.scenario.binding["why"]) - set(self.base.binding["why"]))

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain JSON-able Python."""
        return {"commodity": self.base.commodity, "unit": self.base.unit, "target": self.base.target,
                "base": self.base.scenario, "scenario": self.scenario.scenario,
                "delivered": {"base": self.base.delivered, "scenario": self.scenario.delivered, "change": self.change},
                "delivered_total": {"base": self.base.delivered_total, "scenario": self.scenario.delivered_total},
                "binding": {"base": records(self.base.binding), "scenario": records(self.scenario.binding)},
                "markets": records(self.markets), "assets": records(self.assets)}


def compare_energy(base: Scenario | str | Path | None = "base", scenario: Scenario | str | Path | None = None, *,
                   commodity: str = "gas", to: str | list[str] | None = None, year: int | None = None,
                   energy: EnergyNetwork | None = None) -> EnergyComparison:
    """Solve the base and the scenario and say what changed.

    Examples
    --------
    >>> cmp = compare_energy("base", "southern-gas-corridor-expansion", commodity="gas")  # doctest: +SKIP
    >>> cmp.change  # doctest: +SKIP
    """
    energy = load_energy() if energy is None else energy
    a = energy_flows(energy, commodity, to=to, year=year, scenario=base)
    b = energy_flows(energy, commodity, to=to, year=year, scenario=scenario)
    markets = a.markets[["node", "name", "country"]].copy()
    markets["base"] = a.markets["flow"].to_numpy()
    markets = markets.merge(b.markets[["node", "flow"]].rename(columns={"flow": "scenario"}), on="node", how="outer")
    markets = markets.fillna({"base": 0.0, "scenario": 0.0})
    markets["change"] = markets["scenario"] - markets["base"]

    cols = ["id", "name", "status", "in_service", "capacity", "flow"]
    assets = a.assets[cols].merge(b.assets[cols], on="id", how="outer", suffixes=("_base", "_scenario"))
    assets["name"] = assets["name_base"].fillna(assets["name_scenario"])
    assets = assets.drop(columns=["name_base", "name_scenario"])
    assets[["flow_base", "flow_scenario"]] = assets[["flow_base", "flow_scenario"]].fillna(0.0)
    assets["change"] = assets["flow_scenario"] - assets["flow_base"]
    changed = ((assets["change"].abs() > SAME)
               | (assets["status_base"] != assets["status_scenario"])
               | ((assets["capacity_base"] - assets["capacity_scenario"]).abs() > SAME)
               | assets["capacity_base"].isna() | assets["capacity_scenario"].isna())
    assets = assets[changed].sort_values("change", key=lambda s: -s.abs()).reset_index(drop=True)
    return EnergyComparison(a, b, markets, assets)


__all__ = ["EnergyComparison", "compare_energy"]
