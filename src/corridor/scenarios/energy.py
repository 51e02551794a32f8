"""Scenario operations on the energy layer: open, close, set, scale and add assets.

The same YAML files as freight (see :mod:`corridor.scenarios`) select energy with ``asset``,
``asset_group`` or ``node``::

    - open: {asset_group: SGC-EXPANSION}
    - close: {asset: CPC}
    - set: {asset: TAP, capacity: 20, unit: bcm_per_year}
      source: TAP-AG
    - scale: {node: "gas:AZ-SHAH-DENIZ", supply: 1.1}
      source: BP-SD
    - add_asset: {id: TCGP, name: Trans-Caspian Gas Pipeline, commodity: gas, kind: pipeline,
                  from: "gas:TM-TURKMENBASHI", to: "gas:AZ-SANGACHAL", capacity: 30, unit: bcm_per_year}
      source: TCGP-30

``close: {country: RU}`` closes every asset with an end in that country as well as the freight links.
Operations on freight links are ignored here, and energy operations by the freight network.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from ..network.energy_table import BASE_UNIT, UNITS, EnergyNetwork, convert
from ..network.schema import split_list
from . import Operation, Scenario, ScenarioError, _Applier, _as_list, is_energy_operation, load_scenario


class _EnergyApplier:
    def __init__(self, energy: EnergyNetwork) -> None:
        self.nodes = energy.nodes.copy()
        self.assets = energy.assets.copy()

    def asset_mask(self, op: Operation) -> pd.Series:
        a, assets = op.args, self.assets
        mask = pd.Series(True, index=assets.index)
        if "asset" in a:
            for v in _as_list(a["asset"]):
                if v not in assets.index:
                    raise _Applier.unknown(op, "asset", "energy asset", v, assets.index)
            mask &= assets.index.isin(_as_list(a["asset"]))
        if "asset_group" in a:
            groups = set(assets["group"].dropna())
            for v in _as_list(a["asset_group"]):
                if v not in groups:
                    raise _Applier.unknown(op, "asset_group", "energy asset group", v, sorted(groups))
            mask &= assets["group"].isin(_as_list(a["asset_group"]))
        if "node" in a:
            ids = self.node_ids(op)
            mask &= assets["from"].isin(ids) | assets["to"].isin(ids)
        if "country" in a:
            country = self.nodes["country"]
            wanted = _as_list(a["country"])
            mask &= assets["from"].map(country).isin(wanted) | assets["to"].map(country).isin(wanted)
        return mask

    def node_ids(self, op: Operation) -> list[str]:
        ids = _as_list(op.args["node"])
        for v in ids:
            if v not in self.nodes.index:
                raise _Applier.unknown(op, "node", "energy node", v, self.nodes.index)
        return ids

    def selected(self, op: Operation) -> pd.Series:
        mask = self.asset_mask(op)
        if not mask.any() and set(op.args) != {"country"}:
            raise ScenarioError(f"{op.where()}: {op.kind}: selects no energy asset")
        return mask

    def op_open(self, op: Operation) -> None:
        mask = self.selected(op) & (self.assets["status"] != "operational")  # in service now, whatever its year
        self.assets.loc[mask, "status"] = "operational"
        self.assets.loc[mask, "open_year"] = pd.NA

    def op_close(self, op: Operation) -> None:
        self.assets.loc[self.selected(op), "status"] = "closed"

    def _value(self, op: Operation, name: str, commodities: Iterable[str], scale: bool) -> dict[str, float]:
        """The new value (or factor) per commodity in its base unit."""
        value = float(op.args[name])
        if scale:
            return {c: value for c in commodities}
        unit = op.args["unit"]
        out = {}
        for c in set(commodities):
            if UNITS[unit][0] != c:
                raise ScenarioError(f"{op.where('unit')}: {op.kind}: {unit} is a unit of {UNITS[unit][0]}, but the "
                                    f"selection carries {c}: use {' or '.join(u for u, (k, _) in UNITS.items() if k == c)}")
            out[c] = convert(value, unit, BASE_UNIT[c])
        return out

    def op_set(self, op: Operation, scale: bool = False) -> None:
        a = op.args
        if "capacity" in a:
            mask = self.selected(op)
            values = self._value(op, "capacity", self.assets.loc[mask, "commodity"], scale)
            for c, v in values.items():
                rows = mask & (self.assets["commodity"] == c)
                self.assets.loc[rows, "capacity"] = self.assets.loc[rows, "capacity"] * v if scale else v
        for name, kind in (("supply", "field"), ("demand", "market"), ("committed", "market")):
            if name not in a:
                continue
            ids = self.node_ids(op)
            wrong = [i for i in ids if self.nodes.at[i, "kind"] != kind]
            if wrong:
                raise ScenarioError(f"{op.where('node')}: {op.kind}: {name} applies to a {kind}; "
                                    f"{wrong[0]} is a {self.nodes.at[wrong[0], 'kind']}")
            rows = self.nodes.index.isin(ids)
            values = self._value(op, name, self.nodes.loc[rows, "commodity"], scale)
            for c, v in values.items():
                sel = rows & (self.nodes["commodity"] == c).to_numpy()
                if scale and self.nodes.loc[sel, name].isna().any():
                    raise ScenarioError(f"{op.where(name)}: scale: {ids[0]} has no {name} to scale; set one")
                self.nodes.loc[sel, name] = self.nodes.loc[sel, name] * v if scale else v

    def op_scale(self, op: Operation) -> None:
        self.op_set(op, scale=True)

    def op_add_asset(self, op: Operation) -> None:
        a = op.args
        if a["id"] in self.assets.index:
            raise ScenarioError(f"{op.where('id')}: add_asset: an energy asset {a['id']!r} already exists")
        commodity = a["commodity"]
        for end in ("from", "to"):
            if a[end] not in self.nodes.index:
                raise _Applier.unknown(op, end, "energy node", a[end], self.nodes.index)
            if self.nodes.at[a[end], "commodity"] != commodity:
                raise ScenarioError(f"{op.where(end)}: add_asset: {a[end]} is a "
                                    f"{self.nodes.at[a[end], 'commodity']} node; this asset carries {commodity}")
        base = a.get("expands")
        if base is not None and (base not in self.assets.index
                                 or tuple(self.assets.loc[base, ["from", "to"]]) != (a["from"], a["to"])):
            raise ScenarioError(f"{op.where('expands')}: add_asset: expands {base!r}, which is not an energy asset "
                                f"from {a['from']} to {a['to']}")
        capacity = self._value(op, "capacity", [commodity], False)[commodity]
        row = {c: None for c in self.assets.columns}
        row.update({"id": a["id"], "name": a.get("name", a["id"]), "commodity": commodity, "kind": a["kind"],
                    "from": a["from"], "to": a["to"], "capacity": capacity, "unit": BASE_UNIT[commodity],
                    "unit_given": a["unit"], "length_km": a.get("length_km"), "status": a.get("status", "operational"),
                    "open_year": a.get("open_year"), "group": a.get("group"), "expands": base, "capacity_source": op.source,
                    "length_source": op.source if a.get("length_km") else None, "status_source": op.source,
                    "note": op.note or "added by scenario"})
        new = pd.DataFrame([row], index=[a["id"]]).astype({"open_year": "Int64"})
        self.assets = pd.concat([self.assets, new])


def apply_energy_scenario(energy: EnergyNetwork, scenario: Scenario | str | None) -> EnergyNetwork:
    """The energy layer as the scenario makes it; ``energy`` itself is never changed.

    Raises
    ------
    ScenarioError
        An operation names an asset, group or node that does not exist, a unit of the other commodity,
        or a source that is not in ``sources.csv`` (the message names the file and line).
    """
    sc = load_scenario(scenario)
    ops = [op for op in sc.operations if is_energy_operation(op) or (op.kind in ("open", "close") and set(op.args) == {"country"})]
    if not ops:
        return energy
    applier = _EnergyApplier(energy)
    for op in ops:
        for sid in split_list(op.source):
            if energy.sources and sid not in energy.sources:
                raise ScenarioError(f"{op.where()}: {op.kind}: cites source {sid!r}, which is not in sources.csv")
        getattr(applier, f"op_{op.kind}")(op)
    return energy.replace(nodes=applier.nodes, assets=applier.assets, version=f"{energy.version}+{sc.key[:8]}")


def changed_assets(base: EnergyNetwork, other: EnergyNetwork) -> pd.DataFrame:
    """Energy assets a scenario opened, closed, added or resized: one row per asset with what changed."""
    rows = []
    for aid in other.assets.index:
        if aid not in base.assets.index:
            rows.append({"asset": aid, "change": "added"})
            continue
        diffs = []
        for c in ("status", "open_year", "capacity"):
            x, y = base.assets.at[aid, c], other.assets.at[aid, c]
            if pd.isna(x) != pd.isna(y) or (pd.notna(x) and x != y):
                diffs.append(f"{c}: {x if pd.notna(x) else '–'} → {y if pd.notna(y) else '–'}")
        if diffs:
            rows.append({"asset": aid, "change": "; ".join(diffs)})
    return pd.DataFrame(rows, columns=["asset", "change"])


__all__ = ["apply_energy_scenario", "changed_assets"]
