"""What a scenario is: its objects (:class:`Operation`, :class:`Scenario`) and the words of its language.

A scenario is a YAML file with a list of operations::

    name: btk-5mt
    title: Baku–Tbilisi–Kars at 5 Mt a year
    extends: other-scenario          # optional: its operations run first
    year: 2030                       # optional: route with the links open in this year
    operations:
      - set: {group: BTK, capacity_mt_per_year: 5, tonnes_per_teu: 10}
        source: VK-BTK24
      - close: {country: RU}
      - restrict: {passages: [suez, babalmandab]}

Operations (each a one-key mapping, plus optional ``source:`` and ``note:``):

``open`` / ``close``
    a ``link``, ``group``, ``place``, ``country``, ``crossing`` or ``mode`` (a name or a list).
    Closing a place or a country closes every link that touches it.
``restrict``
    ``passage`` / ``passages``: sea passages (``suez``, ``babalmandab``, ``bosporus``…); every sea
    link through one is closed (Cape variants stay).
``set`` / ``scale``
    a selector as above and one or more fields: ``speed_kmh``, ``capacity_teu_per_year``,
    ``length_km`` (links); ``capacity_mt_per_year`` with ``tonnes_per_teu`` (set only);
    ``border_dwell_h``, ``border_cost_usd_per_feu`` (crossings of the selected links);
    ``terminal_dwell_h``, ``terminal_cost_usd_per_feu`` (terminals at the selected places);
    ``dwell_h`` (border dwell, or terminal dwell when the selector is ``place``);
    ``frequency_per_week`` (services of the selected links); ``tariff_usd_per_feu_km``
    (tariffs of ``mode``, optionally of ``country``).
``add_link``
    ``id``, ``waypoints`` (place ids, with optional ``[lon, lat]`` shape points between them),
    ``mode``, ``speed_kmh`` and optionally ``gauge_mm``, ``electrified``, ``capacity_teu_per_year``,
    ``length_km`` (one per segment; else great-circle length along the waypoints × ``circuity``),
    ``group``, ``open_year``, ``crossing: {dwell_h, cost_usd_per_feu}`` for a cross-border segment.
``add_terminal``
    ``place``, ``from_layer``, ``to_layer``, ``dwell_h``, ``cost_usd_per_feu``.
``demand``
    ``scale`` (a factor) or ``growth_per_year`` with ``years``; optionally ``origin`` /
    ``destination`` zones.
``ets_price``
    ``prices: {YEAR: EUR per t CO2e}`` (the EU ETS allowance price of each year; a year the table lacks
    takes its surrender share and exchange rate from the nearest one) and optionally ``usd_per_eur``.
``war_risk_premium``
    ``area`` (a sea passage or area: ``babalmandab``/``red_sea``, ``ormuz``/``gulf``, ``bosporus``…),
    ``year`` or ``years`` (in force from each, until the next row of ``premia.csv``), ``hull_pct`` and/or
    ``cargo_pct`` (percent of hull and cargo value per transit) and optionally ``hull_usd_per_feu``.
``policy``
    ``countries`` (ISO codes, country names, or the groups ``NORTHERN``, ``EU27``) and ``action``:
    ``forbidden`` (routes avoid them), ``premium`` with ``usd_per_feu``, ``cargo_pct`` (percent of cargo
    value) and/or ``hours`` (priced at the value of time), per transit of the countries, or ``allowed``
    (lifts earlier rules); optionally ``cargo`` (the classes it binds; default all).
``water_level``
    ``year``, ``level_m`` (the Caspian's level, m Baltic system) or ``load_factor``: Caspian ferries and
    tankers carry that share of a full load (capacity × f, ferry tariffs ÷ f).

Energy (oil and gas, see :mod:`corridor.energy`): ``open``, ``close``, ``set`` and ``scale`` select with
``asset``, ``asset_group`` or ``node`` (an energy node) instead; ``set``/``scale`` take ``capacity``
(assets), ``supply`` (fields), ``demand`` or ``committed`` (markets), and ``set`` a ``unit`` (``bcm_per_year``,
``mcm_per_day``, ``mt_per_year``, ``kb_per_day``). ``add_asset`` adds one: ``id``, ``name``,
``commodity``, ``kind``, ``from``, ``to``, ``capacity``, ``unit`` and optionally ``length_km``,
``group``, ``expands`` (the asset it adds capacity to), ``status``, ``open_year``. ``close: {country: XX}``
closes energy assets there too::

    - open: {asset_group: SGC-EXPANSION}
    - set: {asset: TAP, capacity: 20, unit: bcm_per_year}
      source: TAP-AG
    - scale: {node: "gas:AZ-SHAH-DENIZ", supply: 1.1}
      source: BP-SD

Every operation that sets a figure (``set``, ``scale``, ``add_link``, ``add_terminal``,
``demand``, ``add_asset``, ``ets_price``, ``war_risk_premium``, ``policy``, ``water_level``) must cite a
``source:`` id of ``sources.csv``.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..errors import ScenarioError
from ..network.energy_table import UNITS
from ..network.schema import split_list

#: the keys of a scenario file
TOP_KEYS = ("name", "title", "description", "extends", "year", "month", "operations", "sources", "note")
#: what selects freight links (several intersect)
SELECTORS = ("link", "group", "place", "country", "crossing", "mode")
#: fields of ``set`` / ``scale`` on freight, by the table they edit
LINK_FIELDS = ("speed_kmh", "capacity_teu_per_year", "length_km")
CROSSING_FIELDS = {"border_dwell_h": "dwell_h", "border_cost_usd_per_feu": "cost_usd_per_feu"}
TERMINAL_FIELDS = {"terminal_dwell_h": "dwell_h", "terminal_cost_usd_per_feu": "cost_usd_per_feu"}
OTHER_FIELDS = ("dwell_h", "frequency_per_week", "tariff_usd_per_feu_km", "capacity_mt_per_year")
FIELDS = LINK_FIELDS + tuple(CROSSING_FIELDS) + tuple(TERMINAL_FIELDS) + OTHER_FIELDS
#: ``add_link`` needs these and may take the options
ADD_LINK_KEYS = ("id", "waypoints", "mode", "speed_kmh")
ADD_LINK_OPTIONS = ("gauge_mm", "electrified", "capacity_teu_per_year", "length_km", "circuity", "group",
                    "open_year", "status", "crossing", "passages")
ADD_TERMINAL_KEYS = ("place", "from_layer", "to_layer", "dwell_h", "cost_usd_per_feu")
DEMAND_KEYS = ("scale", "growth_per_year", "years", "origin", "destination")
#: the figures of ``war_risk_premium`` (besides its ``area`` and ``year``/``years``)
PREMIUM_FIGURES = ("hull_pct", "cargo_pct", "hull_usd_per_feu")
#: great-circle → track length when a new link gives no length: an estimate, printed with the scenario
DEFAULT_CIRCUITY = 1.2

#: what selects energy assets and nodes instead of freight links
ENERGY_SELECTORS = ("asset", "asset_group", "node")
ENERGY_FIELDS = ("capacity", "supply", "demand", "committed")
ENERGY_UNITS = tuple(UNITS)
ADD_ASSET_KEYS = ("id", "name", "commodity", "kind", "from", "to", "capacity", "unit")
ADD_ASSET_OPTIONS = ("length_km", "group", "expands", "status", "open_year")

#: the name of the scenario that changes nothing
BASE = "base"


def as_list(value: Any) -> list[str]:
    """A selector's value as a list of strings: ``None`` → ``[]``, a name → ``[name]``."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


@dataclass(frozen=True)
class Operation:
    """One step of a scenario, located in its file."""

    kind: str
    args: dict[str, Any]
    source: str | None = None
    note: str | None = None
    file: str = "<memory>"
    line: int = 0
    arg_lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def where(self, key: str | None = None) -> str:
        """``file:line`` of the operation, or of one of its arguments."""
        return f"{self.file}:{self.arg_lines.get(key, self.line) if key else self.line}"

    def error(self, message: str, key: str | None = None) -> ScenarioError:
        """An error located at the operation (or at its argument ``key``): ``file:line: kind: message``."""
        return ScenarioError(f"{self.where(key)}: {self.kind}: {message}")

    def unknown(self, key: str, what: str, value: str, known: Iterable[str]) -> ScenarioError:
        """An error for a name that is not in ``known``, with the nearest ones."""
        near = difflib.get_close_matches(str(value), [str(k) for k in known], n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        return self.error(f"unknown {what} {value!r}{hint}", key)

    def to_dict(self) -> dict[str, Any]:
        """The operation as written in YAML."""
        out: dict[str, Any] = {self.kind: self.args}
        if self.source:
            out["source"] = self.source
        if self.note:
            out["note"] = self.note
        return out


@dataclass(frozen=True)
class Scenario:
    """A named list of operations (those of the scenarios it extends first), a year and a month.

    ``key`` is a hash of what the scenario does (not of its name, comments or layout), so two files
    that do the same thing share results in the run store.
    """

    name: str
    operations: tuple[Operation, ...] = ()
    title: str = ""
    description: str = ""
    year: int | None = None
    month: int | None = None
    files: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        body = {"ops": [op.to_dict() for op in self.operations], "year": self.year, "month": self.month}
        return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()[:16]

    @property
    def sources(self) -> list[str]:
        return sorted({s for op in self.operations for s in split_list(op.source)})

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "description": self.description, "year": self.year,
                "month": self.month, "key": self.key, "operations": [op.to_dict() for op in self.operations]}

    def demand_factors(self) -> list[tuple[float, list[str], list[str]]]:
        """(factor, origin zones, destination zones) for each ``demand`` operation; [] = all zones."""
        out = []
        for op in self.operations:
            if op.kind != "demand":
                continue
            a = op.args
            factor = float(a["scale"]) if "scale" in a else (1 + float(a["growth_per_year"])) ** float(a["years"])
            out.append((factor, as_list(a.get("origin")), as_list(a.get("destination"))))
        return out


def base_scenario() -> Scenario:
    """The network as it is: no operation."""
    return Scenario(name=BASE, title="The network as it is")
