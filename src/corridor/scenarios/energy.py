"""The energy operations of a scenario: open, close, set and scale oil and gas assets and nodes; add_asset.

They select with ``asset``, ``asset_group`` or ``node`` (see :mod:`corridor.scenarios.spec`);
``close: {country: XX}`` closes every asset with an end in that country as well as the freight links.
:class:`EnergyEdit` holds copies of the energy layer's tables, and each operation edits them in place;
:func:`~corridor.scenarios.apply_energy_scenario` turns the edit into a new energy layer.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from ..network.energy_table import BASE_UNIT, UNITS, EnergyNetwork, convert
from ..network.water import CASPIAN_COUNTRIES, water_load_factor
from .spec import Operation, as_list

#: the node figures ``set`` / ``scale`` edit, and the kind of node each belongs to
NODE_FIELDS = {"supply": "field", "demand": "market", "committed": "market"}


class EnergyEdit:
    """Copies of an energy layer's nodes and assets, edited by operations."""

    def __init__(self, energy: EnergyNetwork) -> None:
        self.nodes = energy.nodes.copy()
        self.assets = energy.assets.copy()

    def edited(self, energy: EnergyNetwork, version: str) -> EnergyNetwork:
        """``energy`` with the edited tables."""
        return energy.replace(nodes=self.nodes, assets=self.assets, version=version)

    # selections --------------------------------------------------------------------------
    def asset_mask(self, op: Operation) -> pd.Series:
        """The assets the operation's selectors pick (several selectors intersect)."""
        a, assets = op.args, self.assets
        mask = pd.Series(True, index=assets.index)
        if "asset" in a:
            for v in as_list(a["asset"]):
                if v not in assets.index:
                    raise op.unknown("asset", "energy asset", v, assets.index)
            mask &= assets.index.isin(as_list(a["asset"]))
        if "asset_group" in a:
            groups = set(assets["group"].dropna())
            for v in as_list(a["asset_group"]):
                if v not in groups:
                    raise op.unknown("asset_group", "energy asset group", v, sorted(groups))
            mask &= assets["group"].isin(as_list(a["asset_group"]))
        if "node" in a:
            ids = self.node_ids(op)
            mask &= assets["from"].isin(ids) | assets["to"].isin(ids)
        if "country" in a:
            country = self.nodes["country"]
            wanted = as_list(a["country"])
            mask &= assets["from"].map(country).isin(wanted) | assets["to"].map(country).isin(wanted)
        return mask

    def node_ids(self, op: Operation) -> list[str]:
        """The energy nodes an operation names."""
        ids = as_list(op.args["node"])
        for v in ids:
            if v not in self.nodes.index:
                raise op.unknown("node", "energy node", v, self.nodes.index)
        return ids

    def selected(self, op: Operation) -> pd.Series:
        """:meth:`asset_mask`, refusing an empty selection unless it is a whole country."""
        mask = self.asset_mask(op)
        if not mask.any() and set(op.args) != {"country"}:
            raise op.error("selects no energy asset")
        return mask

    # operations --------------------------------------------------------------------------
    def open(self, op: Operation) -> None:
        """Put the selected assets in service now, whatever their open year."""
        mask = self.selected(op) & (self.assets["status"] != "operational")
        self.assets.loc[mask, "status"] = "operational"
        self.assets.loc[mask, "open_year"] = pd.NA

    def close(self, op: Operation) -> None:
        """Close the selected assets."""
        self.assets.loc[self.selected(op), "status"] = "closed"

    def set(self, op: Operation, scale: bool = False) -> None:
        """Set (or with ``scale``, multiply) the capacity of assets, or a supply or demand of nodes."""
        a = op.args
        if "capacity" in a:
            mask = self.selected(op)
            values = self._value(op, "capacity", self.assets.loc[mask, "commodity"], scale)
            for c, v in values.items():
                rows = mask & (self.assets["commodity"] == c)
                self.assets.loc[rows, "capacity"] = self.assets.loc[rows, "capacity"] * v if scale else v
        for name, kind in NODE_FIELDS.items():
            if name not in a:
                continue
            ids = self.node_ids(op)
            wrong = [i for i in ids if self.nodes.at[i, "kind"] != kind]
            if wrong:
                raise op.error(f"{name} applies to a {kind}; {wrong[0]} is a {self.nodes.at[wrong[0], 'kind']}",
                               "node")
            rows = self.nodes.index.isin(ids)
            values = self._value(op, name, self.nodes.loc[rows, "commodity"], scale)
            for c, v in values.items():
                sel = rows & (self.nodes["commodity"] == c).to_numpy()
                if scale and self.nodes.loc[sel, name].isna().any():
                    raise op.error(f"{ids[0]} has no {name} to scale; set one", name)
                self.nodes.loc[sel, name] = self.nodes.loc[sel, name] * v if scale else v

    def scale(self, op: Operation) -> None:
        """Multiply figures: see :meth:`set`."""
        self.set(op, scale=True)

    def _value(self, op: Operation, name: str, commodities: Iterable[str], scale: bool) -> dict[str, float]:
        """The new value (or factor) per commodity in its base unit."""
        value = float(op.args[name])
        if scale:
            return {c: value for c in commodities}
        unit = op.args["unit"]
        out = {}
        for c in set(commodities):
            if UNITS[unit][0] != c:
                others = " or ".join(u for u, (k, _) in UNITS.items() if k == c)
                raise op.error(f"{unit} is a unit of {UNITS[unit][0]}, but the selection carries {c}: use {others}",
                               "unit")
            out[c] = convert(value, unit, BASE_UNIT[c])
        return out

    def water_level(self, op: Operation) -> None:
        """Caspian tankers (between two Caspian countries) carry the load factor of the level given."""
        country = self.nodes["country"]
        ends = [self.assets[end].map(country).isin(CASPIAN_COUNTRIES) for end in ("from", "to")]
        rows = (self.assets["kind"] == "tanker") & ends[0] & ends[1]
        self.assets.loc[rows, "capacity"] = self.assets.loc[rows, "capacity"] * water_load_factor(op.args)

    def add_asset(self, op: Operation) -> None:
        """A new pipeline, tanker route or terminal between two nodes of its commodity."""
        a = op.args
        if a["id"] in self.assets.index:
            raise op.error(f"an energy asset {a['id']!r} already exists", "id")
        commodity = a["commodity"]
        for end in ("from", "to"):
            if a[end] not in self.nodes.index:
                raise op.unknown(end, "energy node", a[end], self.nodes.index)
            if self.nodes.at[a[end], "commodity"] != commodity:
                raise op.error(f"{a[end]} is a {self.nodes.at[a[end], 'commodity']} node; this asset carries "
                               f"{commodity}", end)
        base = a.get("expands")
        if base is not None and (base not in self.assets.index
                                 or tuple(self.assets.loc[base, ["from", "to"]]) != (a["from"], a["to"])):
            raise op.error(f"expands {base!r}, which is not an energy asset from {a['from']} to {a['to']}", "expands")
        capacity = self._value(op, "capacity", [commodity], False)[commodity]
        row = {c: None for c in self.assets.columns}
        row.update({"id": a["id"], "name": a.get("name", a["id"]), "commodity": commodity, "kind": a["kind"],
                    "from": a["from"], "to": a["to"], "capacity": capacity, "unit": BASE_UNIT[commodity],
                    "unit_given": a["unit"], "length_km": a.get("length_km"), "status": a.get("status", "operational"),
                    "open_year": a.get("open_year"), "group": a.get("group"), "expands": base,
                    "capacity_source": op.source, "length_source": op.source if a.get("length_km") else None,
                    "status_source": op.source, "note": op.note or "added by scenario"})
        new = pd.DataFrame([row], index=[a["id"]]).astype({"open_year": "Int64"})
        self.assets = pd.concat([self.assets, new])


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
