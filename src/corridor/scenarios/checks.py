"""The shape of each operation's arguments, checked when a scenario is read.

One function per operation (and per layer, freight or energy, for those that act on both); each raises
a :class:`~corridor.errors.ScenarioError` naming the file and line of the argument at fault. Whether the
names exist (links, places, assets, sources) is checked when the scenario is applied to a network.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from ..network.energy_table import ASSET_KINDS, COMMODITIES, STATUSES
from ..network.levies import out_of_bounds
from ..network.policies import ACTIONS, PREMIUM_FIELDS, premium_out_of_bounds
from ..network.schema import GAUGES, LAYERS, MODES
from ..network.water import WATER_BOUNDS
from .spec import (
    ADD_ASSET_KEYS,
    ADD_ASSET_OPTIONS,
    ADD_LINK_KEYS,
    ADD_LINK_OPTIONS,
    ADD_TERMINAL_KEYS,
    DEMAND_KEYS,
    ENERGY_FIELDS,
    ENERGY_SELECTORS,
    ENERGY_UNITS,
    FIELDS,
    PREMIUM_FIGURES,
    SELECTORS,
    TERMINAL_FIELDS,
    Operation,
)

MAX_TONNES_PER_TEU = 30
MAX_SPEED_KMH = 200
#: the longest a `demand` growth operation may compound, years
MAX_DEMAND_YEARS = 100


# -- freight ----------------------------------------------------------------------------------
def selection(op: Operation) -> None:
    """``open`` / ``close`` of freight links: selectors only."""
    _require_selector(op)
    extra = _first_extra(op, SELECTORS)
    if extra:
        raise op.error(f"unknown key {extra!r}; {op.kind} takes {', '.join(SELECTORS)}", extra)


def restrict(op: Operation) -> None:
    """``restrict``: sea passages."""
    extra = _first_extra(op, ("passage", "passages"))
    if extra or not op.args:
        raise op.error("takes `passage: NAME` or `passages: [NAMES]` (suez, babalmandab, bosporus…)", extra)


def figures(op: Operation) -> None:
    """``set`` / ``scale`` on freight: a selector and known fields with numbers."""
    a = op.args
    _require_selector(op)
    fields = [k for k in a if k not in SELECTORS and k != "tonnes_per_teu"]
    unknown = [k for k in fields if k not in FIELDS]
    if unknown:
        raise op.error(f"unknown field {unknown[0]!r}; fields are {', '.join(FIELDS)}", unknown[0])
    if not fields:
        raise op.error(f"name a field to {op.kind}: {', '.join(FIELDS)}")
    _numbers(op, fields)
    if "capacity_mt_per_year" in fields:
        if op.kind == "scale":
            raise op.error("scale capacity_teu_per_year instead of capacity_mt_per_year", "capacity_mt_per_year")
        t = a.get("tonnes_per_teu")
        if not isinstance(t, (int, float)) or isinstance(t, bool) or not 0 < t <= MAX_TONNES_PER_TEU:
            raise op.error(f"capacity_mt_per_year needs `tonnes_per_teu` (0–{MAX_TONNES_PER_TEU} t) to convert "
                           "tonnes into TEU", "capacity_mt_per_year")
    if "tariff_usd_per_feu_km" in fields and "mode" not in a:
        raise op.error("a tariff is set per `mode` (and optionally `country`)", "tariff_usd_per_feu_km")
    if any(k in TERMINAL_FIELDS for k in fields) and not ({"place", "country"} & set(a)):
        raise op.error("terminal fields apply to a `place` or a `country`")


def add_link(op: Operation) -> None:
    """``add_link``: an id, waypoints from place to place, a mode and a speed."""
    a = op.args
    _require_keys(op, ADD_LINK_KEYS, ADD_LINK_OPTIONS)
    if a["mode"] not in MODES:
        raise op.error(f"mode must be one of {', '.join(MODES)}, not {a['mode']!r}", "mode")
    if a["mode"] == "rail" and a.get("gauge_mm") not in GAUGES:
        raise op.error(f"a rail link needs gauge_mm, one of {GAUGES}", "gauge_mm" if "gauge_mm" in a else None)
    w = a["waypoints"]
    if not isinstance(w, list) or len(w) < 2 or not isinstance(w[0], str) or not isinstance(w[-1], str):
        raise op.error("waypoints is a list that starts and ends with place ids, e.g. [AZ-HORADIZ, AM-MEGHRI]",
                       "waypoints")
    for p in w:
        if not isinstance(p, str) and not (isinstance(p, list) and len(p) == 2
                                           and all(_finite(x) for x in p)):
            raise op.error(f"a waypoint is a place id or [lon, lat], not {p!r}", "waypoints")
    speed = a["speed_kmh"]
    if not isinstance(speed, (int, float)) or not 0 < speed <= MAX_SPEED_KMH:
        raise op.error(f"speed_kmh must be in (0, {MAX_SPEED_KMH}], not {speed!r}", "speed_kmh")


def add_terminal(op: Operation) -> None:
    """``add_terminal``: a place, the two layers it joins, a dwell and a cost."""
    _require_keys(op, ADD_TERMINAL_KEYS)
    for k in ("from_layer", "to_layer"):
        if op.args[k] not in LAYERS:
            raise op.error(f"{k} must be one of {', '.join(LAYERS)}, not {op.args[k]!r}", k)


def demand(op: Operation) -> None:
    """``demand``: a factor, or a growth rate over years; optionally origin and destination zones."""
    a = op.args
    extra = _first_extra(op, DEMAND_KEYS)
    if extra:
        raise op.error(f"unknown key {extra!r}; demand takes scale, or growth_per_year and years; "
                       "optionally origin, destination", extra)
    if "scale" in a:
        if not _finite(a["scale"]) or a["scale"] < 0:
            raise op.error(f"scale must be a finite non-negative number, not {a['scale']!r}", "scale")
    elif not ("growth_per_year" in a and "years" in a):
        raise op.error("give `scale: FACTOR`, or `growth_per_year: RATE` with `years: N`")
    elif not _finite(a["growth_per_year"]) or not -1 < a["growth_per_year"] <= 1:
        raise op.error(f"growth_per_year is a rate above -1 and at most 1, not {a['growth_per_year']!r}", "growth_per_year")
    elif not _finite(a["years"]) or not 0 <= a["years"] <= MAX_DEMAND_YEARS:
        raise op.error(f"years must be 0 to {MAX_DEMAND_YEARS}, not {a['years']!r}", "years")


# -- energy -----------------------------------------------------------------------------------
def energy_selection(op: Operation) -> None:
    """``open`` / ``close`` of energy assets: energy selectors, and ``country``."""
    _refuse_freight_selectors(op)
    extra = _first_extra(op, (*ENERGY_SELECTORS, "country"))
    if extra:
        raise op.error(f"unknown key {extra!r}; {op.kind} takes {', '.join(ENERGY_SELECTORS)}, country", extra)


def energy_figures(op: Operation) -> None:
    """``set`` / ``scale`` on energy: capacity of assets; supply, demand or committed of nodes."""
    a = op.args
    _refuse_freight_selectors(op)
    fields = [k for k in a if k not in ENERGY_SELECTORS and k != "unit"]
    unknown = [k for k in fields if k not in ENERGY_FIELDS]
    if unknown or not fields:
        raise op.error(f"energy fields are {', '.join(ENERGY_FIELDS)}" + (f", not {unknown[0]!r}" if unknown else ""),
                       unknown[0] if unknown else None)
    if "capacity" in fields and not (set(ENERGY_SELECTORS) & set(a)):
        raise op.error("capacity applies to an `asset` or an `asset_group`")
    if ({"supply", "demand", "committed"} & set(fields)) and "node" not in a:
        raise op.error("supply, demand and committed apply to a `node` (a field or a market)")
    _numbers(op, fields)
    if op.kind == "set":
        _require_unit(op)
    elif "unit" in a:
        raise op.error("scale takes a factor, not a unit", "unit")


def add_asset(op: Operation) -> None:
    """``add_asset``: a pipeline, tanker route or terminal between two energy nodes."""
    a = op.args
    _require_keys(op, ADD_ASSET_KEYS, ADD_ASSET_OPTIONS)
    choices = {"commodity": COMMODITIES, "kind": ASSET_KINDS, "status": STATUSES}
    for key, allowed_values in choices.items():
        if key in a and a[key] not in allowed_values:
            raise op.error(f"{key} must be one of {', '.join(allowed_values)}, not {a[key]!r}", key)
    _require_unit(op)
    _numbers(op, ["capacity"])



# -- prices: the EU ETS and war-risk premia ----------------------------------------------------
def ets_price(op: Operation) -> None:
    """``ets_price``: ``prices: {YEAR: EUR per t CO2e}`` and optionally ``usd_per_eur``, each within bounds."""
    _require_keys(op, ("prices",), ("usd_per_eur",))
    prices = op.args["prices"]
    if not isinstance(prices, dict) or not prices:
        raise op.error("prices maps each year to an EUA price in EUR per t CO2e, e.g. {2026: 90, 2027: 95}", "prices")
    for year, price in prices.items():  # YAML keys arrive as text
        _bounded(op, "year", int(year) if str(year).strip().isdigit() else year, "prices")
        _bounded(op, "eua_eur_per_t", price, "prices")
    if "usd_per_eur" in op.args:
        _bounded(op, "usd_per_eur", op.args["usd_per_eur"], "usd_per_eur")


def war_risk_premium(op: Operation) -> None:
    """``war_risk_premium``: an ``area`` (sea passage or area), ``year`` or ``years``, ``hull_pct`` and/or
    ``cargo_pct`` (percent of value per transit) and optionally ``hull_usd_per_feu``, each within bounds."""
    a = op.args
    _require_keys(op, ("area",), ("year", "years", *PREMIUM_FIGURES))
    if ("year" in a) == ("years" in a):
        raise op.error("give the year the premium is in force from: `year: YEAR` or `years: [YEARS]`")
    key = "years" if "years" in a else "year"
    years = a[key] if key == "years" else [a[key]]
    if not isinstance(years, list) or not years:
        raise op.error("years is a list of years, e.g. [2024, 2025]", key)
    for year in years:
        _bounded(op, "year", year, key)
    if not {"hull_pct", "cargo_pct"} & set(a):
        raise op.error("give hull_pct and/or cargo_pct: the premium per transit, percent of hull or cargo value")
    for name in (k for k in PREMIUM_FIGURES if k in a):
        _bounded(op, name, a[name], name)


def policy(op: Operation) -> None:
    """``policy``: ``countries`` (codes, names or groups), an ``action`` and, for a premium, one or more of
    ``usd_per_feu``, ``cargo_pct``, ``hours`` within bounds; optionally the ``cargo`` classes it applies to."""
    a = op.args
    _require_keys(op, ("countries", "action"), ("cargo", *PREMIUM_FIELDS))
    if a["action"] not in ACTIONS:
        raise op.error(f"action is one of {', '.join(ACTIONS)}, not {a['action']!r}", "action")
    given = [k for k in PREMIUM_FIELDS if k in a]
    if a["action"] == "premium" and not given:
        raise op.error(f"a premium gives one or more of {', '.join(PREMIUM_FIELDS)} (per transit)")
    if a["action"] != "premium" and given:
        raise op.error(f"{given[0]} is a figure of a premium, not of {a['action']!r}", given[0])
    for name in given:
        why = premium_out_of_bounds(name, a[name]) if _finite(a[name]) else f"must be a number, not {a[name]!r}"
        if why:
            raise op.error(f"{name} {why}", name)


def water_level(op: Operation) -> None:
    """``water_level``: one of ``year``, ``level_m`` (Caspian, m Baltic system) or ``load_factor``."""
    a = op.args
    _require_keys(op, (), ("year", "level_m", "load_factor"))
    if len(a) != 1:
        raise op.error("give one of `year: YEAR`, `level_m: LEVEL` (m, Baltic system) or `load_factor: F`")
    name, value = next(iter(a.items()))
    why = out_of_bounds(name, value, WATER_BOUNDS) if _finite(value) else f"must be a number, not {value!r}"
    if why:
        raise op.error(f"{name} {why}", name)


def _bounded(op: Operation, name: str, value: object, key: str) -> None:
    """Refuse a figure that is not a number within the plausible bounds of :data:`~corridor.network.levies.BOUNDS`."""
    why = out_of_bounds(name, value) if _finite(value) else f"must be a number, not {value!r}"
    if why:
        raise op.error(f"{name} {why}", key)


# -- shared -----------------------------------------------------------------------------------
def _first_extra(op: Operation, allowed: Iterable[str]) -> str | None:
    """The first argument that is not ``allowed``."""
    known = set(allowed)
    return next((k for k in op.args if k not in known), None)


def _require_keys(op: Operation, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> None:
    missing = [k for k in required if k not in op.args]
    if missing:
        raise op.error(f"missing {', '.join(missing)} ({op.kind} needs {', '.join(required)})")
    if optional:
        allowed = sorted({*required, *optional})
        extra = _first_extra(op, allowed)
        if extra:
            raise op.error(f"unknown key {extra!r}; {op.kind} takes {', '.join(allowed)}", extra)


def _require_selector(op: Operation) -> None:
    if not any(k in SELECTORS for k in op.args):
        raise op.error(f"say what it applies to with one of {', '.join(SELECTORS)} (freight) "
                       f"or {', '.join(ENERGY_SELECTORS)} (energy)")


def _refuse_freight_selectors(op: Operation) -> None:
    freight = [k for k in op.args if k in SELECTORS and k != "country"]
    if freight:
        raise op.error(f"acts on energy ({', '.join(k for k in op.args if k in ENERGY_SELECTORS)}) or on freight "
                       f"links ({freight[0]}), not both: write two operations", freight[0])


def _require_unit(op: Operation) -> None:
    if op.args.get("unit") not in ENERGY_UNITS:
        raise op.error(f"give the figure's unit: `unit:` one of {', '.join(ENERGY_UNITS)}"
                       + (f", not {op.args['unit']!r}" if "unit" in op.args else ""),
                       "unit" if "unit" in op.args else None)


def _numbers(op: Operation, names: Iterable[str]) -> None:
    """Each figure is a number ≥ 0; a ``scale`` factor is > 0."""
    scale = op.kind == "scale"
    for k in names:
        v = op.args[k]
        if not _finite(v) or v < 0 or (scale and v == 0):
            raise op.error(f"{k} must be a finite {'positive factor' if scale else 'non-negative number'}, not {v!r}", k)


def _finite(value: object) -> bool:
    """A finite number (not a bool, not NaN or an infinity)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
