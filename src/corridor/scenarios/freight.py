"""The freight operations of a scenario: open, close, restrict, set, scale, add_link and add_terminal.

:class:`FreightEdit` holds copies of a network's tables, and each operation edits them in place; the
table of operations (:mod:`corridor.scenarios.operations`) says which method runs for which operation,
and :func:`~corridor.scenarios.apply_scenario` turns the edit into a new network.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection
from typing import Any

import pandas as pd

from ..errors import InvalidOptionError
from ..network import Network
from ..network.costs import ANY_COUNTRY, tariff_usd_per_feu_km
from ..network.geo import haversine_km
from ..network.levies import area_name, premia_in_force
from ..network.load import sea_passages
from ..network.policies import PREMIUM_FIELDS, policy_countries, with_rule
from ..network.schema import MODES, split_list
from ..network.water import CASPIAN_COUNTRIES, water_load_factor
from .spec import CROSSING_FIELDS, DEFAULT_CIRCUITY, FIELDS, LINK_FIELDS, SELECTORS, TERMINAL_FIELDS, Operation, as_list

#: a stop of a new link: a place id (None for a shape point) and its (lon, lat)
Stop = tuple[str | None, tuple[float, float]]


class FreightEdit:
    """Copies of a network's links, crossings, terminals, services and tariffs, edited by operations."""

    def __init__(self, network: Network) -> None:
        self.places = network.places
        self.links = network.links.copy()
        self.crossings = network.crossings.copy()
        self.terminals = network.terminals.copy()
        self.services = network.services.copy()
        self.tariffs = network.tariffs.copy()
        self.ets, self.premia = network.ets.copy(), network.premia.copy()
        self.policies, self.cargo_classes = network.policies.copy(), list(network.cargo["class"])
        self.country = self.places["country"].to_dict()

    def edited(self, network: Network, version: str) -> Network:
        """``network`` with the edited tables."""
        return network.replace(links=self.links, crossings=self.crossings, terminals=self.terminals,
                               services=self.services, tariffs=self.tariffs, ets=self.ets, premia=self.premia,
                               policies=self.policies, version=version)

    # selections --------------------------------------------------------------------------
    def link_mask(self, op: Operation) -> pd.Series:
        """The links the operation's selectors pick (several selectors intersect)."""
        links = self.links
        frm, to = links["from"], links["to"]
        mask = pd.Series(True, index=links.index)
        for key in (k for k in SELECTORS if k in op.args):
            values = as_list(op.args[key])
            self._check_names(op, key, values)
            if key == "link":
                mask &= links.index.isin(values)
            elif key == "group":
                mask &= links["group"].isin(values)
            elif key == "place":
                mask &= frm.isin(values) | to.isin(values)
            elif key == "country":
                mask &= frm.map(self.country).isin(values) | to.map(self.country).isin(values)
            elif key == "crossing":
                mask &= links.index.isin(self.crossings.loc[values, "link"])
            elif key == "mode":
                mask &= links["mode"].isin(values)
        return mask

    def _check_names(self, op: Operation, key: str, values: list[str]) -> None:
        """Refuse a selector value that names nothing in the network."""
        if key == "country":
            countries = set(self.places["country"])
            unknown = [v for v in values if v not in countries]
            if unknown:
                raise op.error(f"no place of the network lies in country {unknown[0]!r} "
                               f"(ISO 3166-1 alpha-2 codes: {', '.join(sorted(countries))})", key)
            return
        if key == "mode":
            unknown = [v for v in values if v not in MODES]
            if unknown:
                raise op.error(f"unknown mode {unknown[0]!r}; modes are {', '.join(MODES)}", key)
            return
        what, known = {"link": ("link", self.links.index),
                       "group": ("link group", sorted(set(self.links["group"].dropna()))),
                       "place": ("place", self.places.index),
                       "crossing": ("crossing", self.crossings.index)}[key]
        unknown = [v for v in values if v not in known]
        if unknown:
            raise op.unknown(key, what, unknown[0], known)

    def place_ids(self, op: Operation) -> list[str]:
        """The places an operation names, or those of the countries it names."""
        if "place" in op.args:
            ids = as_list(op.args["place"])
            unknown = [v for v in ids if v not in self.places.index]
            if unknown:
                raise op.unknown("place", "place", unknown[0], self.places.index)
            return ids
        countries = as_list(op.args.get("country"))
        return list(self.places.index[self.places["country"].isin(countries)])

    # open, close, restrict ---------------------------------------------------------------
    def open(self, op: Operation) -> None:
        """Put the selected links in service, whatever their open year."""
        mask = self.link_mask(op)
        if not mask.any():
            raise op.error("selects no link")
        self.links.loc[mask, "status"] = "operational"
        self.links.loc[mask, "open_year"] = None

    def close(self, op: Operation) -> None:
        """Close the selected links."""
        mask = self.link_mask(op)
        if not mask.any():
            raise op.error("selects no link")
        self.links.loc[mask, "status"] = "closed"

    def restrict(self, op: Operation) -> None:
        """Close every sea link through the named passages."""
        wanted = set(as_list(op.args.get("passage")) + as_list(op.args.get("passages")))
        per_link = self.links["passages"].map(lambda v: set(split_list(v)))
        known = set().union(*per_link) if len(per_link) else set()
        unknown = wanted - known
        if unknown:
            raise op.error(f"no sea link passes {', '.join(sorted(unknown))}; "
                           f"passages in the network: {', '.join(sorted(known - {'none'})) or 'none'}")
        mask = per_link.map(lambda s: bool(s & wanted))
        self.links.loc[mask, "status"] = "closed"

    # prices: EU ETS and war-risk premia --------------------------------------------------
    def ets_price(self, op: Operation) -> None:
        """Set the EUA price of each year given; a year ``ets.csv`` lacks takes its surrender share and
        exchange rate from the nearest year it has."""
        if self.ets.empty:
            raise op.error("the dataset has no ets.csv to take surrender shares and exchange rates from")
        for year, price in op.args["prices"].items():
            near = self.ets.loc[(self.ets["year"] - int(year)).abs().idxmin()].to_dict()
            row = {**near, "year": int(year), "eua_eur_per_t": float(price), "source": op.source,
                   "note": f"scenario, {op.where()}", "line": None}
            if "usd_per_eur" in op.args:
                row["usd_per_eur"] = float(op.args["usd_per_eur"])
            self.ets = pd.concat([self.ets[self.ets["year"] != int(year)], pd.DataFrame([row])]).sort_values(
                "year", ignore_index=True)

    def war_risk_premium(self, op: Operation) -> None:
        """Set the premium per transit of a passage or area from each year given (until the next row);
        a figure not given keeps the one in force, the hull value per FEU that of any row."""
        a = op.args
        try:
            area = area_name(a["area"], sea_passages(self.links))
        except ValueError as exc:
            raise op.error(str(exc), "area") from None
        for year in (int(y) for y in (a["years"] if "years" in a else [a["year"]])):
            hull_pct, cargo_pct, hull_usd = premia_in_force(self.premia[self.premia["area"] == area], year).get(
                area, (0.0, 0.0, self.premia["hull_usd_per_feu"].iloc[0] if len(self.premia) else None))
            if hull_usd is None and "hull_usd_per_feu" not in a:
                raise op.error("give hull_usd_per_feu: the dataset has no premia.csv row to take it from")
            row = {"area": area, "year": year, "hull_pct": float(a.get("hull_pct", hull_pct)),
                   "cargo_pct": float(a.get("cargo_pct", cargo_pct)),
                   "hull_usd_per_feu": float(a.get("hull_usd_per_feu", hull_usd)), "source": op.source,
                   "note": f"scenario, {op.where()}", "line": None}
            keep = (self.premia["area"] != area) | (self.premia["year"] != year)
            self.premia = pd.concat([self.premia[keep], pd.DataFrame([row])]).sort_values(
                ["area", "year"], ignore_index=True)

    # sanctions policies and water levels -------------------------------------------------
    def policy(self, op: Operation) -> None:
        """A rule for some countries (and cargo classes): allowed, a premium per transit, or forbidden."""
        a = op.args
        try:
            chosen = policy_countries(as_list(a["countries"]), set(self.places["country"]))
        except InvalidOptionError as exc:
            raise op.error(str(exc), "countries") from None
        classes = as_list(a.get("cargo")) or self.cargo_classes
        for c in classes:
            if c not in self.cargo_classes:
                raise op.unknown("cargo", "cargo class", c, self.cargo_classes)
        figures = {k: float(a[k]) for k in PREMIUM_FIELDS if k in a}
        self.policies = with_rule(self.policies, chosen, classes, a["action"], figures, op.source,
                                  op.note or f"scenario, {op.where()}")

    def water_level(self, op: Operation) -> None:
        """Caspian ferries load ``f`` of a full load at the level given: their capacity × f, their
        tariff ÷ f (the tariffs of the Caspian countries' ferries, which only cross the Caspian)."""
        factor = water_load_factor(op.args)
        ends = self.links[["from", "to"]].apply(lambda c: c.map(self.country))
        ferry = self.links["mode"] == "ferry"
        caspian = ferry & ends["from"].isin(CASPIAN_COUNTRIES) & ends["to"].isin(CASPIAN_COUNTRIES)
        if not caspian.any():
            raise op.error("the network has no ferry across the Caspian")
        countries = sorted(set(ends.loc[caspian, "from"]) | set(ends.loc[caspian, "to"]))
        other = ferry & ~caspian & (ends["from"].isin(countries) | ends["to"].isin(countries))
        if other.any():
            raise op.error(f"ferry {self.links.index[other][0]} also serves {', '.join(countries)}: their ferry "
                           "tariffs cannot be raised for the Caspian alone")
        with_capacity = caspian & self.links["capacity_teu_per_year"].notna()
        _change(self.links, with_capacity, "capacity_teu_per_year", factor, scale=True)
        for country in countries:
            self._tariff(op, "ferry", country, 1 / factor, scale=True)

    # set, scale --------------------------------------------------------------------------
    def set(self, op: Operation, scale: bool = False) -> None:
        """Set (or with ``scale``, multiply) the figures of links, crossings, terminals, services, tariffs."""
        a = op.args
        by_place = "place" in a and not ({"link", "group", "crossing"} & set(a))
        link_mask = None
        for name, value in ((k, float(v)) for k, v in a.items() if k in FIELDS):
            if name == "tariff_usd_per_feu_km":
                self._tariffs(op, value, scale)
            elif name in TERMINAL_FIELDS or (name == "dwell_h" and by_place):
                self._terminals(op, name, value, scale)
            else:
                if link_mask is None:
                    link_mask = self.link_mask(op)
                    if not link_mask.any():
                        raise op.error("selects no link")
                self._link_figure(op, link_mask, name, value, scale)

    def scale(self, op: Operation) -> None:
        """Multiply figures: see :meth:`set`."""
        self.set(op, scale=True)

    def _link_figure(self, op: Operation, mask: pd.Series, name: str, value: float, scale: bool) -> None:
        """A figure of the selected links, of their border crossings or of their services."""
        ids = list(self.links.index[mask])
        if name in LINK_FIELDS:
            if scale and name == "capacity_teu_per_year" and self.links.loc[mask, name].isna().any():
                missing = self.links.index[mask & self.links[name].isna()][0]
                raise op.error(f"link {missing} has no capacity to scale; set it", name)
            _change(self.links, mask, name, value, scale)
        elif name == "capacity_mt_per_year":
            self.links.loc[mask, "capacity_teu_per_year"] = value * 1e6 / float(op.args["tonnes_per_teu"])
        elif name in CROSSING_FIELDS or name == "dwell_h":
            rows = self.crossings["link"].isin(ids)
            if not rows.any():
                raise op.error("none of the selected links is a border crossing", name)
            column = CROSSING_FIELDS.get(name, "dwell_h")
            _change(self.crossings, rows, column, value, scale)
            reverse = f"{column}_reverse"  # the other direction (empty: as the forward one)
            if reverse in self.crossings:
                _change(self.crossings, rows, reverse, value if scale else float("nan"), scale)
        elif name == "frequency_per_week":
            rows = self.services["link"].isin(ids)
            if not rows.any():
                raise op.error("none of the selected links has a service in services.csv", name)
            _change(self.services, rows, "frequency_per_week", value, scale)

    def _terminals(self, op: Operation, name: str, value: float, scale: bool) -> None:
        places = self.place_ids(op)
        rows = self.terminals["place"].isin(places)
        if not rows.any():
            raise op.error(f"no terminal at {', '.join(places)}", name)
        _change(self.terminals, rows, TERMINAL_FIELDS.get(name, "dwell_h"), value, scale)

    def _tariffs(self, op: Operation, value: float, scale: bool) -> None:
        """The tariffs of ``mode``: of each country named, else of every country."""
        countries = as_list(op.args.get("country"))
        for mode in as_list(op.args["mode"]):
            if mode not in MODES:
                raise op.error(f"unknown mode {mode!r}", "mode")
            if not countries:
                _change(self.tariffs, self.tariffs["mode"] == mode, "cost_usd_per_feu_km", value, scale)
            for country in countries:
                self._tariff(op, mode, country, value, scale)

    def _tariff(self, op: Operation, mode: str, country: str, value: float, scale: bool) -> None:
        own = (self.tariffs["mode"] == mode) & (self.tariffs["country"] == country)
        if own.any():
            _change(self.tariffs, own, "cost_usd_per_feu_km", value, scale)
            return
        # the country has no tariff of its own: it gets the '*' rows it pays today, each year's, scaled; or,
        # set, one rate for every year
        star = self.tariffs[(self.tariffs["mode"] == mode) & (self.tariffs["country"] == ANY_COUNTRY)]
        if scale and star.empty:
            tariff_usd_per_feu_km(self.tariffs, mode, country)  # raises: no rate to scale
        rows = (star.assign(cost_usd_per_feu_km=star["cost_usd_per_feu_km"] * value) if scale
                else pd.DataFrame([{"mode": mode, "cost_usd_per_feu_km": value}]))
        rows = rows.assign(country=country, source=op.source, note="set by scenario")
        self.tariffs = pd.concat([self.tariffs, rows], ignore_index=True)

    # add_link, add_terminal --------------------------------------------------------------
    def add_link(self, op: Operation) -> None:
        """One link per pair of consecutive places of the waypoints (``ID-1``, ``ID-2``… when several)."""
        a = op.args
        if a["id"] in self.links.index:
            raise op.error(f"a link {a['id']!r} already exists", "id")
        segments = self._segments(op)
        lengths = self._lengths(op, segments)
        rows = []
        for k, (segment, length) in enumerate(zip(segments, lengths)):
            start, end = segment[0][0], segment[-1][0]
            if start == end:
                raise op.error("a segment must join two different places", "waypoints")
            lid = a["id"] if len(segments) == 1 else f"{a['id']}-{k + 1}"
            rows.append(_link_row(op, self.links.columns, lid, start, end, length))
            if self.country[start] != self.country[end] and a["mode"] in ("rail", "road"):
                self._add_crossing(op, lid, start, end)
            if lid in self.links.index:
                raise op.error(f"a link {lid!r} already exists", "id")
        new = pd.DataFrame(rows).set_index(pd.Index([r["id"] for r in rows]))
        self.links = pd.concat([self.links, new.astype({c: self.links[c].dtype for c in ("length_km", "speed_kmh")})])

    def _segments(self, op: Operation) -> list[list[Stop]]:
        """The waypoints cut at each place: every segment runs from a place to the next one."""
        stops: list[list[Stop]] = [[]]
        for w in op.args["waypoints"]:
            if isinstance(w, str):
                if w not in self.places.index:
                    raise op.unknown("waypoints", "place", w, self.places.index)
                p = self.places.loc[w]
                at = (float(p["lon"]), float(p["lat"]))
                stops[-1].append((w, at))
                stops.append([(w, at)])
            else:
                stops[-1].append((None, (float(w[0]), float(w[1]))))
        return stops[1:-1]

    def _lengths(self, op: Operation, segments: list[list[Stop]]) -> list[float]:
        """The given ``length_km`` of each segment, else its great-circle length × ``circuity``."""
        given = op.args.get("length_km")
        if given is not None:
            lengths = as_list(given)
            if len(lengths) != len(segments):
                raise op.error(f"give one length_km per segment ({len(segments)}), not {len(lengths)}", "length_km")
            return [float(x) for x in lengths]
        circuity = float(op.args.get("circuity", DEFAULT_CIRCUITY))
        return [sum(float(haversine_km(*p[1], *q[1])) for p, q in itertools.pairwise(segment)) * circuity
                for segment in segments]

    def _add_crossing(self, op: Operation, lid: str, start: str, end: str) -> None:
        crossing = op.args.get("crossing")
        if not isinstance(crossing, dict) or not {"dwell_h", "cost_usd_per_feu"} <= set(crossing):
            raise op.error(f"segment {start}–{end} crosses {self.country[start]}–{self.country[end]}; give "
                           "`crossing: {dwell_h: H, cost_usd_per_feu: C}`", "waypoints")
        row = {c: None for c in self.crossings.columns}
        row.update({"id": f"X-{lid}", "link": lid, "name": f"{start}–{end}", "dwell_h": float(crossing["dwell_h"]),
                    "cost_usd_per_feu": float(crossing["cost_usd_per_feu"]), "dwell_source": op.source,
                    "cost_source": op.source, "note": "added by scenario"})
        self.crossings = pd.concat([self.crossings, pd.DataFrame([row]).set_index(pd.Index([row["id"]]))])

    def add_terminal(self, op: Operation) -> None:
        """A transfer between two layers at a place."""
        a = op.args
        if a["place"] not in self.places.index:
            raise op.unknown("place", "place", a["place"], self.places.index)
        row = {c: None for c in self.terminals.columns}
        row.update({"place": a["place"], "from_layer": a["from_layer"], "to_layer": a["to_layer"],
                    "dwell_h": float(a["dwell_h"]), "cost_usd_per_feu": float(a["cost_usd_per_feu"]),
                    "dwell_source": op.source, "cost_source": op.source, "note": "added by scenario"})
        self.terminals = pd.concat([self.terminals, pd.DataFrame([row])], ignore_index=True)


def _change(frame: pd.DataFrame, rows: pd.Series, column: str, value: float, scale: bool) -> None:
    """Set ``column`` of ``rows`` to ``value``, or with ``scale`` multiply it by ``value``."""
    if scale:
        frame.loc[rows, column] = frame.loc[rows, column].astype(float) * value
    else:
        frame.loc[rows, column] = value


def _link_row(op: Operation, columns: Collection[str], lid: str, start: str, end: str,
              length: float) -> dict[str, Any]:
    """A row of ``links.csv`` for one segment of an ``add_link``."""
    a = op.args
    row: dict[str, Any] = {c: None for c in columns}
    row.update({"id": lid, "from": start, "to": end, "mode": a["mode"], "length_km": round(length, 1),
                "speed_kmh": float(a["speed_kmh"]), "gauge_mm": a.get("gauge_mm"),
                "electrified": a.get("electrified"), "capacity_teu_per_year": a.get("capacity_teu_per_year"),
                "status": a.get("status", "operational"), "open_year": a.get("open_year"),
                "group": a.get("group"), "passages": "|".join(as_list(a.get("passages"))) or None,
                "length_source": op.source, "speed_source": op.source,
                "capacity_source": op.source if a.get("capacity_teu_per_year") else None,
                "status_source": op.source, "note": op.note or "added by scenario"})
    return row


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


def changed_tariffs(base: Network, other: Network) -> pd.DataFrame:
    """Tariffs a scenario set, scaled or added: one row per mode and country with the change."""
    key = [c for c in ("mode", "country", "year") if c in other.tariffs and c in base.tariffs]
    both = other.tariffs[[*key, "cost_usd_per_feu_km"]].merge(base.tariffs[[*key, "cost_usd_per_feu_km"]], on=key,
                                                              how="left", suffixes=("", "_base"))
    moved = both[both["cost_usd_per_feu_km"].astype(float) != both["cost_usd_per_feu_km_base"].astype(float)]
    years = moved["year"] if "year" in moved else pd.Series(None, index=moved.index)
    return pd.DataFrame({"tariff": [f"{m} {c}" + (f" {int(float(y))}" if pd.notna(y) and str(y).strip() else "")
                                    for m, c, y in zip(moved["mode"], moved["country"], years)],
                         "change": [f"US$/FEU-km: {'–' if pd.isna(b) else f'{float(b):g}'} → {float(a):.4g}"
                                    for a, b in zip(moved["cost_usd_per_feu_km"], moved["cost_usd_per_feu_km_base"])]})

