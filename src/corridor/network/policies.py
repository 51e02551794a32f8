"""Sanctions and exposure policies: which countries a shipper may route through, and at what premium.

A policy rule names a set of countries (ISO codes, country names, or a group: ``NORTHERN``, ``EU27``) and
an action: ``forbidden`` (routes avoid them, as ``avoid_countries`` does) or ``premium`` (an extra cost per
transit of the set: US$ per FEU, percent of cargo value, extra hours priced at the cargo's value of time);
``allowed`` lifts earlier rules. A rule may apply to some cargo classes only. Rules come from scenarios
(the ``policy`` operation); the network carries them as a table, empty by default. docs/costs.md gives
the formula and the bundled policies' sources.
"""

from __future__ import annotations

import pandas as pd

from ..validate import choices
from .geo import EU27, NORTHERN, countries
from .levies import out_of_bounds

POLICY_COLUMNS = ("countries", "action", "usd_per_feu", "cargo_pct", "hours", "cargo", "source", "note")
ACTIONS = ("allowed", "premium", "forbidden")
#: the figures of a premium
PREMIUM_FIELDS = ("usd_per_feu", "cargo_pct", "hours")
#: plausible bounds of a premium per transit; a figure outside is refused with them (the war-risk premia of
#: premia.csv peak near 1 % of value a transit; 30 days is longer than a whole Northern-route run)
POLICY_BOUNDS: dict[str, tuple[float, float]] = {"usd_per_feu": (0.0, 10_000.0), "cargo_pct": (0.0, 10.0),
                                                 "hours": (0.0, 720.0)}
#: country groups a policy may name
COUNTRY_GROUPS: dict[str, frozenset[str]] = {"NORTHERN": NORTHERN, "EU27": EU27, "EU": EU27}


def empty_policies() -> pd.DataFrame:
    """No policy: every country allowed, no premium."""
    return pd.DataFrame(columns=list(POLICY_COLUMNS))


def premium_out_of_bounds(name: str, value: object) -> str | None:
    """Why ``value`` is not a plausible premium figure ``name`` (None when it is)."""
    return out_of_bounds(name, value, POLICY_BOUNDS)


def policy_countries(names: list[str], known: set[str]) -> list[str]:
    """ISO codes of the countries (codes, names or groups) a policy names, among those of the network.

    Raises
    ------
    InvalidOptionError
        For a name that is neither, with the nearest valid ones.
    """
    isos, labels, _ = countries()
    aliases = {label: iso for iso, label in zip(isos, labels) if iso in known} | {"Türkiye": "TR"}
    groups = {g for g in COUNTRY_GROUPS if any(str(n).strip().upper() == g for n in names)}
    plain = [n for n in names if str(n).strip().upper() not in groups]
    # the groups are known names too, so that a misspelt one is suggested
    found = choices(plain, known | set(COUNTRY_GROUPS), "country", upper=True, aliases=aliases,
                    allowed=f"use an ISO code or name of a country of the network, or a group "
                            f"({', '.join(COUNTRY_GROUPS)}); the network's countries are {', '.join(sorted(known))}")
    members = {c for g in groups for c in COUNTRY_GROUPS[g] if c in known}
    return sorted(set(found) | members)


def _applies(policies: pd.DataFrame, cargo_class: str) -> pd.DataFrame:
    """The rules that apply to a cargo class (a rule with no ``cargo`` applies to all)."""
    if policies.empty:
        return policies
    cargo = policies["cargo"].fillna("").astype(str)
    return policies[(cargo == "") | cargo.map(lambda v: cargo_class in v.split("|"))]


def forbidden_countries(policies: pd.DataFrame, cargo_class: str) -> set[str]:
    """The countries routes of this cargo class must avoid."""
    rows = _applies(policies, cargo_class)
    return {c for v in rows.loc[rows["action"] == "forbidden", "countries"] for c in str(v).split("|")}


def premia_of(policies: pd.DataFrame, cargo_class: str) -> list[tuple[set[str], float, float, float]]:
    """Per premium rule of this cargo class: (its countries, US$ per FEU, percent of cargo value, hours)."""
    rows = _applies(policies, cargo_class)
    return [(set(str(r.countries).split("|")), float(r.usd_per_feu), float(r.cargo_pct), float(r.hours))
            for r in rows[rows["action"] == "premium"].itertuples()]


def with_rule(policies: pd.DataFrame, countries_: list[str], classes: list[str], action: str,
              figures: dict[str, float], source: str | None, note: str) -> pd.DataFrame:
    """``policies`` with a new rule for ``countries_`` and cargo ``classes``: it replaces what earlier rules
    said of those countries for those classes (the rest of each earlier rule stays); ``allowed`` adds none."""
    rows = []
    mine, theirs = set(countries_), set(classes)
    for row in policies.to_dict("records"):
        held, kinds = set(str(row["countries"]).split("|")), set(str(row["cargo"]).split("|"))
        overlap = held & mine and kinds & theirs
        kept = [(held - mine, kinds), (held & mine, kinds - theirs)] if overlap else [(held, kinds)]
        rows += [{**row, "countries": "|".join(sorted(c)), "cargo": "|".join(sorted(k))} for c, k in kept if c and k]
    if action != "allowed":
        rows.append({"countries": "|".join(sorted(mine)), "action": action, "cargo": "|".join(sorted(theirs)),
                     **{f: float(figures.get(f, 0.0)) for f in PREMIUM_FIELDS}, "source": source, "note": note})
    return pd.DataFrame(rows, columns=list(POLICY_COLUMNS))


__all__ = ["ACTIONS", "COUNTRY_GROUPS", "POLICY_BOUNDS", "POLICY_COLUMNS", "PREMIUM_FIELDS", "empty_policies",
           "forbidden_countries", "policy_countries", "premia_of", "premium_out_of_bounds", "with_rule"]
