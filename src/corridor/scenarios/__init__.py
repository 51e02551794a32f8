"""Scenarios: versionable "what if" files applied to a :class:`~corridor.network.Network` as a pure function.

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

Energy (oil and gas, see :mod:`corridor.energy`): ``open``, ``close``, ``set`` and ``scale`` select with
``asset``, ``asset_group`` or ``node`` (an energy node) instead; ``set``/``scale`` take ``capacity``
(assets), ``supply`` (fields), ``demand`` or ``committed`` (markets), and ``set`` a ``unit`` (``bcm_per_year``,
``mcm_per_day``, ``mt_per_year``, ``kb_per_day``). ``add_asset`` adds one: ``id``, ``name``,
``commodity``, ``kind``, ``from``, ``to``, ``capacity``, ``unit`` and optionally ``length_km``,
``group``, ``expands`` (the asset it adds capacity to), ``status``, ``open_year``. ``close: {country: XX}`` closes energy assets there too.

Every operation that sets a figure (``set``, ``scale``, ``add_link``, ``add_terminal``,
``demand``) must cite a ``source:`` id of ``sources.csv``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from ..errors import DataError, ScenarioError
from ..network import Network
from ..network.energy_table import ASSET_KINDS, COMMODITIES, STATUSES, UNITS
from ..network.schema import GAUGES, LAYERS, MODES, split_list

OPERATIONS = ("open", "close", "restrict", "set", "scale", "add_link", "add_terminal", "demand", "add_asset")
SELECTORS = ("link", "group", "place", "country", "crossing", "mode")
ENERGY_SELECTORS = ("asset", "asset_group", "node")
ENERGY_FIELDS = ("capacity", "supply", "demand", "committed")
ENERGY_UNITS = tuple(UNITS)
ADD_ASSET_KEYS = ("id", "name", "commodity", "kind", "from", "to", "capacity", "unit")
LINK_FIELDS = ("speed_kmh", "capacity_teu_per_year", "length_km")
CROSSING_FIELDS = {"border_dwell_h": "dwell_h", "border_cost_usd_per_feu": "cost_usd_per_feu"}
TERMINAL_FIELDS = {"terminal_dwell_h": "dwell_h", "terminal_cost_usd_per_feu": "cost_usd_per_feu"}
OTHER_FIELDS = ("dwell_h", "frequency_per_week", "tariff_usd_per_feu_km", "capacity_mt_per_year")
FIELDS = LINK_FIELDS + tuple(CROSSING_FIELDS) + tuple(TERMINAL_FIELDS) + OTHER_FIELDS
NEEDS_SOURCE = ("set", "scale", "add_link", "add_terminal", "demand", "add_asset")
TOP_KEYS = ("name", "title", "description", "extends", "year", "month", "operations", "sources", "note")
BASE = "base"
#: great-circle → track length when a new link gives no length: an estimate, printed with the scenario
DEFAULT_CIRCUITY = 1.2


def scenarios_dir() -> Path:
    """The folder of the bundled scenarios."""
    return Path(str(resources.files("corridor") / "data" / "scenarios"))


def bundled_scenarios() -> list[str]:
    """Names of the bundled scenarios."""
    folder = scenarios_dir()
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


# -- the objects ------------------------------------------------------------------------------
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
        return f"{self.file}:{self.arg_lines.get(key, self.line) if key else self.line}"

    def to_dict(self) -> dict[str, Any]:
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
            out.append((factor, _as_list(a.get("origin")), _as_list(a.get("destination"))))
        return out


def base_scenario() -> Scenario:
    """The network as it is: no operation."""
    return Scenario(name=BASE, title="The network as it is")


# -- reading ----------------------------------------------------------------------------------
def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def _plain(node: yaml.Node, file: str) -> Any:
    """A YAML node as plain Python, refusing duplicate keys."""
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for k, v in node.value:
            key = _plain(k, file)
            if key in out:
                raise ScenarioError(f"{file}:{k.start_mark.line + 1}: duplicate key {key!r}")
            out[str(key)] = _plain(v, file)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_plain(v, file) for v in node.value]
    return yaml.safe_load(yaml.serialize(node)) if node.tag != "tag:yaml.org,2002:str" else node.value


def _compose(text: str, file: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(f"{file}{line}: not valid YAML: {problem}") from None


def _resolve(ref: str, folder: Path | None) -> Path:
    """The file a scenario reference names: a path, a file next to the referring one, or a bundled scenario."""
    candidates = [Path(ref)]
    if folder is not None:
        candidates += [folder / ref, folder / f"{ref}.yaml", folder / f"{ref}.yml"]
    candidates += [scenarios_dir() / f"{ref}.yaml"]
    for c in candidates:
        if c.is_file():
            return c.resolve()
    known = ", ".join(bundled_scenarios()) or "none"
    raise ScenarioError(f"no scenario {ref!r}: give a YAML file or a bundled name ({known})")


def load_scenario(ref: str | Path | Scenario | None = None, *, _chain: tuple[str, ...] = ()) -> Scenario:
    """Read and validate a scenario: a bundled name (``tripp``), a YAML path, or ``base``.

    The structure is checked here (known operations, fields and types, ``extends`` without cycles);
    references to links and places are checked when it is applied to a network.

    Raises
    ------
    ScenarioError
        One message naming the file and line of the problem.

    Examples
    --------
    >>> load_scenario("base").operations
    ()
    """
    if isinstance(ref, Scenario):
        return ref
    if ref is None or str(ref) == BASE:
        return base_scenario()
    path = Path(ref) if Path(ref).is_file() else _resolve(str(ref), None)
    return _load_file(path.resolve(), _chain)


def scenario_from_text(text: str, file: str = "<text>", folder: Path | None = None) -> Scenario:
    """Parse a scenario from YAML text (``file`` is used in messages only)."""
    return _parse(text, file, folder, ())


def _load_file(path: Path, chain: tuple[str, ...]) -> Scenario:
    if str(path) in chain:
        cycle = " → ".join(Path(p).name for p in (*chain, str(path)))
        raise ScenarioError(f"{chain[-1]}: `extends` makes a cycle: {cycle}")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot be read: {exc}") from None
    return _parse(text, str(path), path.parent, (*chain, str(path)))


def _parse(text: str, file: str, folder: Path | None, chain: tuple[str, ...]) -> Scenario:
    root = _compose(text, file)
    if root is None or not isinstance(root, yaml.MappingNode):
        line = f":{root.start_mark.line + 1}" if root is not None else ""
        raise ScenarioError(f"{file}{line}: a scenario is a mapping with `operations:` (and name, title, extends, year)")
    top_lines = {str(k.value): k.start_mark.line + 1 for k, _ in root.value}
    data = _plain(root, file)
    for key in data:
        if key not in TOP_KEYS:
            raise ScenarioError(f"{file}:{top_lines[key]}: unknown key {key!r}; a scenario has {', '.join(TOP_KEYS)}")
    year = data.get("year")
    if year is not None and (not isinstance(year, int) or not 1850 <= year <= 2100):
        raise ScenarioError(f"{file}:{top_lines['year']}: year must be a whole year between 1850 and 2100, not {year!r}")
    month = data.get("month")
    if month is not None and (not isinstance(month, int) or not 1 <= month <= 12):
        raise ScenarioError(f"{file}:{top_lines['month']}: month must be 1–12, not {month!r}")

    inherited: list[Operation] = []
    for ref in _as_list(data.get("extends")):
        try:
            parent_path = _resolve(ref, folder)
        except ScenarioError as exc:
            raise ScenarioError(f"{file}:{top_lines['extends']}: {exc}") from None
        parent = _load_file(parent_path, chain)
        inherited.extend(parent.operations)
        year = year if year is not None else parent.year
        month = month if month is not None else parent.month

    ops_node = next((v for k, v in root.value if k.value == "operations"), None)
    own: list[Operation] = []
    if ops_node is not None and not (isinstance(ops_node, yaml.ScalarNode) and ops_node.value in ("", "~", "null")):
        if not isinstance(ops_node, yaml.SequenceNode):
            raise ScenarioError(f"{file}:{ops_node.start_mark.line + 1}: `operations` must be a list")
        for node in ops_node.value:
            own.append(_operation(node, file))
    name = str(data.get("name") or (Path(file).stem if file.endswith((".yaml", ".yml")) else "scenario"))
    return Scenario(name=name, operations=tuple(inherited + own), title=str(data.get("title") or ""),
                    description=str(data.get("description") or "").strip(), year=year, month=month,
                    files=tuple(chain) or (file,))


def _operation(node: yaml.Node, file: str) -> Operation:
    line = node.start_mark.line + 1
    if not isinstance(node, yaml.MappingNode):
        raise ScenarioError(f"{file}:{line}: an operation is a mapping such as `close: {{link: ID}}`")
    data = _plain(node, file)
    key_lines = {str(k.value): k.start_mark.line + 1 for k, _ in node.value}
    kinds = [k for k in data if k not in ("source", "note")]
    if len(kinds) != 1:
        raise ScenarioError(f"{file}:{line}: an operation has exactly one of {', '.join(OPERATIONS)} "
                            f"(plus source:, note:); found {', '.join(kinds) or 'none'}")
    kind = kinds[0]
    if kind not in OPERATIONS:
        raise ScenarioError(f"{file}:{key_lines[kind]}: unknown operation {kind!r}; "
                            f"operations are {', '.join(OPERATIONS)}")
    args = data[kind]
    arg_lines: dict[str, int] = {}
    arg_node = next(v for k, v in node.value if k.value == kind)
    if isinstance(arg_node, yaml.MappingNode):
        arg_lines = {str(k.value): k.start_mark.line + 1 for k, _ in arg_node.value}
    if not isinstance(args, dict):
        raise ScenarioError(f"{file}:{line}: `{kind}` takes a mapping, e.g. `{kind}: {{link: ID}}`; got {args!r}")
    source = data.get("source")
    op = Operation(kind, args, str(source) if source is not None else None, data.get("note"), file, line, arg_lines)
    _check_shape(op)
    return op


def is_energy_operation(op: Operation) -> bool:
    """Whether an operation acts on the energy layer (oil and gas assets) rather than on freight."""
    return op.kind == "add_asset" or any(k in ENERGY_SELECTORS for k in op.args)


def _check_energy_shape(op: Operation, bad: Any) -> None:
    a, kind = op.args, op.kind
    if kind == "add_asset":
        missing = [k for k in ADD_ASSET_KEYS if k not in a]
        if missing:
            raise bad(f"missing {', '.join(missing)} (add_asset needs {', '.join(ADD_ASSET_KEYS)})")
        allowed = set(ADD_ASSET_KEYS) | {"length_km", "group", "expands", "status", "open_year"}
        extra = [k for k in a if k not in allowed]
        if extra:
            raise bad(f"unknown key {extra[0]!r}; add_asset takes {', '.join(sorted(allowed))}", extra[0])
        choices = {"commodity": COMMODITIES, "kind": ASSET_KINDS, "status": STATUSES}
        for key, allowed_values in choices.items():
            if key in a and a[key] not in allowed_values:
                raise bad(f"{key} must be one of {', '.join(allowed_values)}, not {a[key]!r}", key)
    elif kind not in ("open", "close", "set", "scale"):
        raise bad(f"energy assets are selected by open, close, set and scale, not {kind}")
    freight = [k for k in a if k in SELECTORS and k != "country"]
    if freight:
        raise bad(f"acts on energy ({', '.join(k for k in a if k in ENERGY_SELECTORS)}) or on freight links "
                  f"({freight[0]}), not both: write two operations", freight[0])
    if kind in ("open", "close"):
        extra = [k for k in a if k not in (*ENERGY_SELECTORS, "country")]
        if extra:
            raise bad(f"unknown key {extra[0]!r}; {kind} takes {', '.join(ENERGY_SELECTORS)}, country", extra[0])
        return
    if kind in ("set", "scale"):
        fields = [k for k in a if k not in ENERGY_SELECTORS and k != "unit"]
        unknown = [k for k in fields if k not in ENERGY_FIELDS]
        if unknown or not fields:
            raise bad(f"energy fields are {', '.join(ENERGY_FIELDS)}" + (f", not {unknown[0]!r}" if unknown else ""),
                      unknown[0] if unknown else None)
        if "capacity" in fields and not ({"asset", "asset_group", "node"} & set(a)):
            raise bad("capacity applies to an `asset` or an `asset_group`")
        if ({"supply", "demand", "committed"} & set(fields)) and "node" not in a:
            raise bad("supply, demand and committed apply to a `node` (a field or a market)")
        for k in fields:
            v = a[k]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0 or (kind == "scale" and v == 0):
                raise bad(f"{k} must be a {'positive factor' if kind == 'scale' else 'non-negative number'}, not {v!r}", k)
    if kind == "set" or kind == "add_asset":
        if a.get("unit") not in ENERGY_UNITS:
            raise bad(f"give the figure's unit: `unit:` one of {', '.join(ENERGY_UNITS)}"
                      + (f", not {a['unit']!r}" if "unit" in a else ""), "unit" if "unit" in a else None)
    elif "unit" in a:
        raise bad("scale takes a factor, not a unit", "unit")
    if kind == "add_asset":
        v = a["capacity"]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0:
            raise bad(f"capacity must be a non-negative number, not {v!r}", "capacity")


def _check_shape(op: Operation) -> None:
    a, kind = op.args, op.kind

    def bad(message: str, key: str | None = None) -> ScenarioError:
        return ScenarioError(f"{op.where(key)}: {kind}: {message}")

    if kind in NEEDS_SOURCE and not op.source:
        raise bad("cites no source: add `source: ID` (an id of sources.csv) to this operation")
    if is_energy_operation(op):
        _check_energy_shape(op, bad)
        return
    if kind in ("open", "close", "set", "scale"):
        selectors = [k for k in a if k in SELECTORS]
        if not selectors:
            raise bad(f"say what it applies to with one of {', '.join(SELECTORS)} (freight) "
                      f"or {', '.join(ENERGY_SELECTORS)} (energy)")
    if kind in ("open", "close"):
        extra = [k for k in a if k not in SELECTORS]
        if extra:
            raise bad(f"unknown key {extra[0]!r}; {kind} takes {', '.join(SELECTORS)}", extra[0])
    elif kind == "restrict":
        extra = [k for k in a if k not in ("passage", "passages")]
        if extra or not a:
            raise bad("takes `passage: NAME` or `passages: [NAMES]` (suez, babalmandab, bosporus…)",
                      extra[0] if extra else None)
    elif kind in ("set", "scale"):
        fields = [k for k in a if k not in SELECTORS and k != "tonnes_per_teu"]
        unknown = [k for k in fields if k not in FIELDS]
        if unknown:
            raise bad(f"unknown field {unknown[0]!r}; fields are {', '.join(FIELDS)}", unknown[0])
        if not fields:
            raise bad(f"name a field to {kind}: {', '.join(FIELDS)}")
        for k in fields:
            v = a[k]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v < 0 or (kind == "scale" and v == 0):
                raise bad(f"{k} must be a {'positive factor' if kind == 'scale' else 'non-negative number'}, not {v!r}", k)
        if "capacity_mt_per_year" in fields:
            if kind == "scale":
                raise bad("scale capacity_teu_per_year instead of capacity_mt_per_year", "capacity_mt_per_year")
            t = a.get("tonnes_per_teu")
            if not isinstance(t, (int, float)) or isinstance(t, bool) or not 0 < t <= 30:
                raise bad("capacity_mt_per_year needs `tonnes_per_teu` (0–30 t) to convert tonnes into TEU",
                          "capacity_mt_per_year")
        if "tariff_usd_per_feu_km" in fields and "mode" not in a:
            raise bad("a tariff is set per `mode` (and optionally `country`)", "tariff_usd_per_feu_km")
        if any(k in TERMINAL_FIELDS for k in fields) and not ({"place", "country"} & set(a)):
            raise bad("terminal fields apply to a `place` or a `country`")
    elif kind == "add_link":
        required = ("id", "waypoints", "mode", "speed_kmh")
        missing = [k for k in required if k not in a]
        if missing:
            raise bad(f"missing {', '.join(missing)} (add_link needs {', '.join(required)})")
        allowed = set(required) | {"gauge_mm", "electrified", "capacity_teu_per_year", "length_km", "circuity",
                                   "group", "open_year", "status", "crossing", "passages"}
        extra = [k for k in a if k not in allowed]
        if extra:
            raise bad(f"unknown key {extra[0]!r}; add_link takes {', '.join(sorted(allowed))}", extra[0])
        if a["mode"] not in MODES:
            raise bad(f"mode must be one of {', '.join(MODES)}, not {a['mode']!r}", "mode")
        if a["mode"] == "rail" and a.get("gauge_mm") not in GAUGES:
            raise bad(f"a rail link needs gauge_mm, one of {GAUGES}", "gauge_mm" if "gauge_mm" in a else None)
        w = a["waypoints"]
        if not isinstance(w, list) or len(w) < 2 or not isinstance(w[0], str) or not isinstance(w[-1], str):
            raise bad("waypoints is a list that starts and ends with place ids, e.g. [AZ-HORADIZ, AM-MEGHRI]", "waypoints")
        for p in w:
            if not isinstance(p, str) and not (isinstance(p, list) and len(p) == 2
                                               and all(isinstance(x, (int, float)) for x in p)):
                raise bad(f"a waypoint is a place id or [lon, lat], not {p!r}", "waypoints")
        speed = a["speed_kmh"]
        if not isinstance(speed, (int, float)) or not 0 < speed <= 200:
            raise bad(f"speed_kmh must be in (0, 200], not {speed!r}", "speed_kmh")
    elif kind == "add_terminal":
        required = ("place", "from_layer", "to_layer", "dwell_h", "cost_usd_per_feu")
        missing = [k for k in required if k not in a]
        if missing:
            raise bad(f"missing {', '.join(missing)}")
        for k in ("from_layer", "to_layer"):
            if a[k] not in LAYERS:
                raise bad(f"{k} must be one of {', '.join(LAYERS)}, not {a[k]!r}", k)
    elif kind == "demand":
        extra = [k for k in a if k not in ("scale", "growth_per_year", "years", "origin", "destination")]
        if extra:
            raise bad(f"unknown key {extra[0]!r}; demand takes scale, or growth_per_year and years; "
                      "optionally origin, destination", extra[0])
        if "scale" in a:
            if not isinstance(a["scale"], (int, float)) or a["scale"] < 0:
                raise bad(f"scale must be a non-negative number, not {a['scale']!r}", "scale")
        elif not ("growth_per_year" in a and "years" in a):
            raise bad("give `scale: FACTOR`, or `growth_per_year: RATE` with `years: N`")
        elif not isinstance(a["growth_per_year"], (int, float)) or not isinstance(a["years"], (int, float)):
            raise bad("growth_per_year and years must be numbers", "growth_per_year")


# -- applying ---------------------------------------------------------------------------------
def known_sources(network: Network) -> set[str]:
    """Source ids a scenario may cite: those of sources.csv."""
    return set(network.sources["id"])


def _haversine_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


class _Applier:
    def __init__(self, network: Network) -> None:
        self.places = network.places
        self.links = network.links.copy()
        self.crossings = network.crossings.copy()
        self.terminals = network.terminals.copy()
        self.services = network.services.copy()
        self.tariffs = network.tariffs.copy()
        self.sources = known_sources(network)
        self.country = self.places["country"].to_dict()

    # selections --------------------------------------------------------------------------
    def link_mask(self, op: Operation) -> pd.Series:
        links, a = self.links, op.args
        mask = pd.Series(True, index=links.index)
        frm, to = links["from"], links["to"]
        for key in SELECTORS:
            if key not in a:
                continue
            values = _as_list(a[key])
            if key == "link":
                unknown = [v for v in values if v not in links.index]
                if unknown:
                    raise self.unknown(op, key, "link", unknown[0], links.index)
                mask &= links.index.isin(values)
            elif key == "group":
                groups = set(links["group"].dropna())
                unknown = [v for v in values if v not in groups]
                if unknown:
                    raise self.unknown(op, key, "link group", unknown[0], sorted(groups))
                mask &= links["group"].isin(values)
            elif key == "place":
                unknown = [v for v in values if v not in self.places.index]
                if unknown:
                    raise self.unknown(op, key, "place", unknown[0], self.places.index)
                mask &= frm.isin(values) | to.isin(values)
            elif key == "country":
                known = set(self.places["country"])
                unknown = [v for v in values if v not in known]
                if unknown:
                    raise ScenarioError(f"{op.where(key)}: {op.kind}: no place of the network lies in country "
                                        f"{unknown[0]!r} (ISO 3166-1 alpha-2 codes: {', '.join(sorted(known))})")
                mask &= frm.map(self.country).isin(values) | to.map(self.country).isin(values)
            elif key == "crossing":
                unknown = [v for v in values if v not in self.crossings.index]
                if unknown:
                    raise self.unknown(op, key, "crossing", unknown[0], self.crossings.index)
                mask &= links.index.isin(self.crossings.loc[values, "link"])
            elif key == "mode":
                bad = [v for v in values if v not in MODES]
                if bad:
                    raise ScenarioError(f"{op.where(key)}: {op.kind}: unknown mode {bad[0]!r}; modes are {', '.join(MODES)}")
                mask &= links["mode"].isin(values)
        return mask

    @staticmethod
    def unknown(op: Operation, key: str, what: str, value: str, known: Iterable[str]) -> ScenarioError:
        import difflib

        near = difflib.get_close_matches(str(value), [str(k) for k in known], n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        return ScenarioError(f"{op.where(key)}: {op.kind}: unknown {what} {value!r}{hint}")

    def place_ids(self, op: Operation) -> list[str]:
        a = op.args
        if "place" in a:
            ids = _as_list(a["place"])
            unknown = [v for v in ids if v not in self.places.index]
            if unknown:
                raise self.unknown(op, "place", "place", unknown[0], self.places.index)
            return ids
        countries = _as_list(a.get("country"))
        return list(self.places.index[self.places["country"].isin(countries)])

    # operations --------------------------------------------------------------------------
    def apply(self, op: Operation) -> None:
        for sid in split_list(op.source):
            if sid not in self.sources:
                raise ScenarioError(f"{op.where('source') if 'source' in op.arg_lines else op.where()}: "
                                    f"{op.kind}: cites source {sid!r}, which is not in sources.csv")
        if not is_energy_operation(op):
            getattr(self, f"op_{op.kind}")(op)

    def op_open(self, op: Operation) -> None:
        mask = self.link_mask(op)
        if not mask.any():
            raise ScenarioError(f"{op.where()}: open: selects no link")
        self.links.loc[mask, "status"] = "operational"
        self.links.loc[mask, "open_year"] = None

    def op_close(self, op: Operation) -> None:
        mask = self.link_mask(op)
        if not mask.any():
            raise ScenarioError(f"{op.where()}: close: selects no link")
        self.links.loc[mask, "status"] = "closed"

    def op_restrict(self, op: Operation) -> None:
        wanted = set(_as_list(op.args.get("passage")) + _as_list(op.args.get("passages")))
        per_link = self.links["passages"].map(lambda v: set(split_list(v)))
        known = set().union(*per_link) if len(per_link) else set()
        unknown = wanted - known
        if unknown:
            raise ScenarioError(f"{op.where()}: restrict: no sea link passes {', '.join(sorted(unknown))}; "
                                f"passages in the network: {', '.join(sorted(known - {'none'})) or 'none'}")
        mask = per_link.map(lambda s: bool(s & wanted))
        self.links.loc[mask, "status"] = "closed"

    def _fields(self, op: Operation) -> dict[str, float]:
        return {k: float(v) for k, v in op.args.items() if k in FIELDS}

    def _change(self, frame: pd.DataFrame, rows: pd.Series, column: str, value: float, scale: bool) -> None:
        if scale:
            frame.loc[rows, column] = frame.loc[rows, column].astype(float) * value
        else:
            frame.loc[rows, column] = value

    def op_set(self, op: Operation, scale: bool = False) -> None:
        a = op.args
        fields = self._fields(op)
        by_place = "place" in a and not ({"link", "group", "crossing"} & set(a))
        link_mask = None
        for name, value in fields.items():
            if name == "tariff_usd_per_feu_km":
                self._tariff(op, value, scale)
                continue
            if name in TERMINAL_FIELDS or (name == "dwell_h" and by_place):
                places = self.place_ids(op)
                rows = self.terminals["place"].isin(places)
                if not rows.any():
                    raise ScenarioError(f"{op.where(name)}: {op.kind}: no terminal at {', '.join(places)}")
                self._change(self.terminals, rows, TERMINAL_FIELDS.get(name, "dwell_h"), value, scale)
                continue
            if link_mask is None:
                link_mask = self.link_mask(op)
                if not link_mask.any():
                    raise ScenarioError(f"{op.where()}: {op.kind}: selects no link")
            ids = list(self.links.index[link_mask])
            if name in LINK_FIELDS:
                if scale and name == "capacity_teu_per_year" and self.links.loc[link_mask, name].isna().any():
                    missing = self.links.index[link_mask & self.links[name].isna()][0]
                    raise ScenarioError(f"{op.where(name)}: scale: link {missing} has no capacity to scale; set it")
                self._change(self.links, link_mask, name, value, scale)
            elif name == "capacity_mt_per_year":
                teu = value * 1e6 / float(a["tonnes_per_teu"])
                self.links.loc[link_mask, "capacity_teu_per_year"] = teu
            elif name in CROSSING_FIELDS or name == "dwell_h":
                rows = self.crossings["link"].isin(ids)
                if not rows.any():
                    raise ScenarioError(f"{op.where(name)}: {op.kind}: none of the selected links is a border crossing")
                self._change(self.crossings, rows, CROSSING_FIELDS.get(name, "dwell_h"), value, scale)
            elif name == "frequency_per_week":
                rows = self.services["link"].isin(ids)
                if not rows.any():
                    raise ScenarioError(f"{op.where(name)}: {op.kind}: none of the selected links has a service "
                                        "in services.csv")
                self._change(self.services, rows, "frequency_per_week", value, scale)

    def op_scale(self, op: Operation) -> None:
        self.op_set(op, scale=True)

    def _tariff(self, op: Operation, value: float, scale: bool) -> None:
        modes = _as_list(op.args["mode"])
        countries = _as_list(op.args.get("country"))
        t = self.tariffs
        for mode in modes:
            if mode not in MODES:
                raise ScenarioError(f"{op.where('mode')}: {op.kind}: unknown mode {mode!r}")
            for c in countries or [None]:
                rows = (t["mode"] == mode) & ((t["country"] == c) if c else pd.Series(True, index=t.index))
                if not rows.any() and c:
                    if scale:
                        rows = (t["mode"] == mode) & (t["country"] == "*")
                        base = float(t.loc[rows, "cost_usd_per_feu_km"].iloc[0]) * value
                    else:
                        base = value
                    row = {"mode": mode, "country": c, "cost_usd_per_feu_km": base, "source": op.source,
                           "note": "set by scenario"}
                    t = pd.concat([t, pd.DataFrame([row])], ignore_index=True)
                    continue
                self._change(t, rows, "cost_usd_per_feu_km", value, scale)
        self.tariffs = t

    def op_add_link(self, op: Operation) -> None:
        a = op.args
        if a["id"] in self.links.index:
            raise ScenarioError(f"{op.where('id')}: add_link: a link {a['id']!r} already exists")
        stops: list[list[Any]] = [[]]
        for w in a["waypoints"]:
            if isinstance(w, str):
                if w not in self.places.index:
                    raise self.unknown(op, "waypoints", "place", w, self.places.index)
                p = self.places.loc[w]
                stops[-1].append((w, (float(p["lon"]), float(p["lat"]))))
                stops.append([(w, (float(p["lon"]), float(p["lat"])))])
            else:
                stops[-1].append((None, (float(w[0]), float(w[1]))))
        segments = stops[1:-1]
        lengths = a.get("length_km")
        if lengths is not None:
            lengths = _as_list(lengths)
            if len(lengths) != len(segments):
                raise ScenarioError(f"{op.where('length_km')}: add_link: give one length_km per segment "
                                    f"({len(segments)}), not {len(lengths)}")
        circuity = float(a.get("circuity", DEFAULT_CIRCUITY))
        rows = []
        for k, seg in enumerate(segments):
            start, end = seg[0][0], seg[-1][0]
            if start == end:
                raise ScenarioError(f"{op.where('waypoints')}: add_link: a segment must join two different places")
            if lengths is not None:
                length = float(lengths[k])
            else:
                length = sum(_haversine_km(p[1], q[1]) for p, q in itertools.pairwise(seg)) * circuity
            lid = a["id"] if len(segments) == 1 else f"{a['id']}-{k + 1}"
            row = {c: None for c in self.links.columns}
            row.update({"id": lid, "from": start, "to": end, "mode": a["mode"], "length_km": round(length, 1),
                        "speed_kmh": float(a["speed_kmh"]), "gauge_mm": a.get("gauge_mm"),
                        "electrified": a.get("electrified"), "capacity_teu_per_year": a.get("capacity_teu_per_year"),
                        "status": a.get("status", "operational"), "open_year": a.get("open_year"),
                        "group": a.get("group"), "passages": "|".join(_as_list(a.get("passages"))) or None,
                        "length_source": op.source, "speed_source": op.source,
                        "capacity_source": op.source if a.get("capacity_teu_per_year") else None,
                        "status_source": op.source, "note": op.note or "added by scenario"})
            rows.append(row)
            if self.country[start] != self.country[end] and a["mode"] in ("rail", "road"):
                crossing = a.get("crossing")
                if not isinstance(crossing, dict) or not {"dwell_h", "cost_usd_per_feu"} <= set(crossing):
                    raise ScenarioError(f"{op.where('waypoints')}: add_link: segment {start}–{end} crosses "
                                        f"{self.country[start]}–{self.country[end]}; give "
                                        "`crossing: {dwell_h: H, cost_usd_per_feu: C}`")
                xrow = {c: None for c in self.crossings.columns}
                xrow.update({"id": f"X-{lid}", "link": lid, "name": f"{start}–{end}",
                             "dwell_h": float(crossing["dwell_h"]), "cost_usd_per_feu": float(crossing["cost_usd_per_feu"]),
                             "dwell_source": op.source, "cost_source": op.source, "note": "added by scenario"})
                self.crossings = pd.concat([self.crossings, pd.DataFrame([xrow]).set_index(pd.Index([xrow["id"]]))])
            if lid in self.links.index:
                raise ScenarioError(f"{op.where('id')}: add_link: a link {lid!r} already exists")
        new = pd.DataFrame(rows).set_index(pd.Index([r["id"] for r in rows]))
        self.links = pd.concat([self.links, new.astype({c: self.links[c].dtype for c in ("length_km", "speed_kmh")})])

    def op_add_terminal(self, op: Operation) -> None:
        a = op.args
        if a["place"] not in self.places.index:
            raise self.unknown(op, "place", "place", a["place"], self.places.index)
        row = {c: None for c in self.terminals.columns}
        row.update({"place": a["place"], "from_layer": a["from_layer"], "to_layer": a["to_layer"],
                    "dwell_h": float(a["dwell_h"]), "cost_usd_per_feu": float(a["cost_usd_per_feu"]),
                    "dwell_source": op.source, "cost_source": op.source, "note": "added by scenario"})
        self.terminals = pd.concat([self.terminals, pd.DataFrame([row])], ignore_index=True)

    def op_demand(self, op: Operation) -> None:
        pass  # acts on demand, not on the network: see Scenario.demand_factors / apply_demand


def apply_scenario(network: Network, scenario: Scenario | str | Path | None) -> Network:
    """The network as the scenario makes it; ``network`` itself is never changed.

    Parameters
    ----------
    network : Network
        The base network.
    scenario : Scenario, str or Path
        A scenario, a bundled name or a YAML file (see :func:`load_scenario`).

    Returns
    -------
    Network
        A new network whose ``version`` is the base version plus the scenario's key.

    Raises
    ------
    ScenarioError
        An operation refers to a link, place, group, country or source that does not exist
        (the message names the file and line).

    Examples
    --------
    >>> from corridor.network import load_network
    >>> net = load_network()  # doctest: +SKIP
    >>> apply_scenario(net, "no-russia").links.query("status == 'closed'")  # doctest: +SKIP
    """
    scenario = load_scenario(scenario)
    if not scenario.operations:
        return network
    applier = _Applier(network)
    for op in scenario.operations:
        applier.apply(op)
    return network.replace(links=applier.links, crossings=applier.crossings, terminals=applier.terminals,
                           services=applier.services, tariffs=applier.tariffs,
                           version=f"{network.version}+{scenario.key[:8]}")


def apply_demand(od: pd.DataFrame, scenario: Scenario, zones: Iterable[str] | None = None) -> pd.DataFrame:
    """Demand (with ``origin``, ``destination`` zone columns and ``teu_per_year``) as the scenario grows it."""
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
                raise ScenarioError(f"{op.where()}: demand: unknown zone {z!r}")
        rows = np.ones(len(out), dtype=bool)
        if origins:
            rows &= out["origin"].isin(origins).to_numpy()
        if destinations:
            rows &= out["destination"].isin(destinations).to_numpy()
        teu[rows] *= factor
    out["teu_per_year"] = teu
    return out


def changed_links(base: Network, other: Network) -> pd.DataFrame:
    """Links that a scenario opened, closed, added or changed: one row per link with what changed."""
    cols = ["status", "open_year", "speed_kmh", "capacity_teu_per_year", "length_km"]
    a, b = base.links, other.links
    rows = []
    for lid in b.index:
        if lid not in a.index:
            rows.append({"link": lid, "change": "added"})
            continue
        diffs = []
        for c in cols:
            x, y = a.at[lid, c], b.at[lid, c]
            if not ((pd.isna(x) and pd.isna(y)) or x == y):
                diffs.append(f"{c}: {x if pd.notna(x) else '–'} → {y if pd.notna(y) else '–'}")
        if diffs:
            rows.append({"link": lid, "change": "; ".join(diffs)})
    return pd.DataFrame(rows, columns=["link", "change"])
