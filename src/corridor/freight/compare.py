"""Compare two scenarios: per origin–destination pair, and (with demand) per link."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CorridorError, DataError, NoRouteError
from ..formats.json import json_safe, records
from ..network import Network
from ..network.costs import COST_COMPONENTS
from ..routing import Route, Router
from ..scenarios import Scenario, changed_links
from ..settings import Settings
from .demand import Demand
from .flows import DemandFlows, route_demand
from .inputs import freight_inputs

METRICS = (("days", "total_days"), ("cost_usd_per_feu", "cost_usd_per_feu"), ("co2_kg_per_feu", "co2_kg_per_feu"))


@dataclass(frozen=True)
class Comparison:
    """What a scenario changes relative to a base.

    ``pairs``: one row per origin–destination pair with ``base_*``, ``scenario_*`` and ``delta_*`` for
    days, cost (US$/FEU), CO2 (kg/FEU), generalized cost (US$/FEU) and P90 days (when reliability is
    available), the corridor chosen in each and, where it changed, ``changed_by`` (:func:`changed_by`).
    ``links``: with demand, TEU per year on each link in both, its change, and
    volume/capacity. ``changed``: links the scenario opened, closed, added or changed.
    """

    base: Scenario
    scenario: Scenario
    pairs: pd.DataFrame
    changed: pd.DataFrame
    links: pd.DataFrame | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    base_network: Network | None = field(default=None, repr=False)
    scenario_network: Network | None = field(default=None, repr=False)

    def to_dict(self, top_links: int | None = 50) -> dict[str, Any]:
        links = self.links if self.links is None or top_links is None else self.links.head(top_links)
        return {"base": self.base.to_dict(), "scenario": self.scenario.to_dict(), "pairs": records(self.pairs),
                "changed_links": records(self.changed), "link_volumes": records(links),
                "summary": json_safe(self.summary)}

    def to_geodataframe(self) -> pd.DataFrame:
        """The changed and loaded links as a GeoDataFrame (:func:`corridor.formats.geo.comparison_gdf`)."""
        from ..formats.geo import comparison_gdf

        return comparison_gdf(self)

    def _repr_html_(self) -> str:
        from ..formats.html import html_card

        cols = ["origin", "destination", "delta_days", "delta_cost_usd_per_feu", "base_corridor", "scenario_corridor"]
        pairs = self.pairs
        if "corridor_changed" in pairs:
            pairs = pairs.sort_values("corridor_changed", ascending=False, kind="stable")
        tables = {"pairs, those that change corridor first": pairs[[c for c in cols if c in pairs]],
                  "changed links": self.changed}
        if self.links is not None:
            tables["link volumes, TEU/yr"] = self.links[["link", "base_teu_per_year", "scenario_teu_per_year",
                                                         "delta_teu_per_year"]]
        return html_card(f"{self.base.name} → {self.scenario.name}",
                         {"pairs": len(self.pairs), "links changed": len(self.changed)}, tables)

    # -- outputs ---------------------------------------------------------------------------
    def _features(self) -> pd.DataFrame:
        net = self.scenario_network
        assert net is not None
        rows: dict[str, dict[str, Any]] = {}
        for r in self.changed.itertuples(index=False):
            rows[r.link] = {"change": r.change}
        if self.links is not None:
            for r in self.links.itertuples(index=False):
                if abs(r.delta_teu_per_year) > 0.5:
                    rows.setdefault(r.link, {"change": "volume"})
                    rows[r.link].update(base_teu_per_year=r.base_teu_per_year,
                                        scenario_teu_per_year=r.scenario_teu_per_year,
                                        delta_teu_per_year=r.delta_teu_per_year)
        out = []
        links = net.links
        base_links = self.base_network.links if self.base_network is not None else links
        for lid, props in rows.items():
            row = links.loc[lid] if lid in links.index else base_links.loc[lid]
            out.append({"link": lid, "from": row["from"], "to": row["to"], "mode": row["mode"],
                        "status": row["status"], **props})
        return pd.DataFrame(out)

    def to_geojson(self) -> dict[str, Any]:
        """The changed links (opened, closed, added, changed, or carrying a different volume) as GeoJSON lines."""
        places = self.scenario_network.places if self.scenario_network is not None else None
        feats = []
        for rec in self._features().to_dict(orient="records"):
            a, b = places.loc[rec["from"]], places.loc[rec["to"]]
            props = {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in rec.items()}
            feats.append({"type": "Feature", "properties": props,
                          "geometry": {"type": "LineString", "coordinates": [[float(a["lon"]), float(a["lat"])],
                                                                            [float(b["lon"]), float(b["lat"])]]}})
        return {"type": "FeatureCollection", "name": f"{self.base.name} → {self.scenario.name}", "features": feats}

    def write_geojson(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(json.dumps(self.to_geojson(), ensure_ascii=False, indent=1), encoding="utf-8")
        return path

    def plot(self, path: str | Path) -> Path:
        """A PNG map: volume gained (green) or lost (red), width by TEU; opened (blue) and closed (black) links."""
        from matplotlib.figure import Figure

        from ..maps import draw_countries

        path = Path(path)
        net = self.scenario_network
        assert net is not None
        places = net.places
        lon, lat = places["lon"], places["lat"]
        feats = self._features()
        fig = Figure(figsize=(12, 6.5), dpi=110)
        ax = fig.subplots()
        if len(feats):
            pts = np.array([[lon[p], lat[p]] for p in pd.concat([feats["from"], feats["to"]])])
            lo, hi = pts.min(axis=0) - 4, pts.max(axis=0) + 4
        else:
            lo, hi = np.array([0.0, 25.0]), np.array([125.0, 60.0])
        draw_countries(ax, (lo[0], lo[1], hi[0], hi[1]))
        for r in net.links.itertuples(index=False):
            ax.plot([lon[r[1]], lon[r[2]]], [lat[r[1]], lat[r[2]]], color="#bbbbbb", linewidth=0.5, zorder=1)
        top = feats["delta_teu_per_year"].abs().max() if "delta_teu_per_year" in feats and len(feats) else 0
        for r in feats.to_dict(orient="records"):
            xs, ys = [lon[r["from"]], lon[r["to"]]], [lat[r["from"]], lat[r["to"]]]
            delta = r.get("delta_teu_per_year")
            if delta is not None and not pd.isna(delta) and top:
                ax.plot(xs, ys, color="#1a9850" if delta > 0 else "#d73027", linewidth=1 + 7 * abs(delta) / top,
                        alpha=0.85, zorder=3)
            change = str(r.get("change", ""))
            if "closed" in change:
                ax.plot(xs, ys, ":", color="black", linewidth=2, zorder=4)
            elif change == "added" or "operational" in change:
                ax.plot(xs, ys, "--", color="#2166ac", linewidth=2, zorder=4)
        for label, style in (("more TEU", {"color": "#1a9850", "linewidth": 4}),
                             ("fewer TEU", {"color": "#d73027", "linewidth": 4}),
                             ("opened / added", {"color": "#2166ac", "linestyle": "--", "linewidth": 2}),
                             ("closed", {"color": "black", "linestyle": ":", "linewidth": 2})):
            ax.plot([], [], label=label, **style)
        ax.legend(loc="lower left", fontsize=8, framealpha=0.9)
        ax.set_title(f"What changes: {self.base.name} → {self.scenario.name}", loc="left")
        fig.tight_layout()
        fig.savefig(path)
        return path


def _best(router: Router, o: str, d: str, year: int | None) -> Route | None:
    try:
        return router.route(o, d, year=year)[0]
    except NoRouteError:
        return None


def changed_by(r0: Router, r1: Router, a: Route | None, b: Route | None, y0: int | None,
               y1: int | None) -> str | None:
    """What moved an origin–destination from route ``a`` (base) to ``b`` (scenario): the cost component
    (``COST_COMPONENTS``) whose difference between the two routes grew most in ``b``'s favour, ``closed``
    when ``a`` cannot be used in the scenario, ``network`` when the scenario added or removed links (the
    two graphs' edges then differ), None without both routes."""
    if a is None or b is None:
        return None
    g0, g1 = r0.graph, r1.graph
    if g0.n_edges != g1.n_edges or not (np.array_equal(g0.src, g1.src) and np.array_equal(g0.dst, g1.dst)):
        return "network"
    if not r1.usable(year=y1)[a.edges].all():
        return "closed"
    p0, p1 = r0.costs.parts(y0), r1.costs.parts(y1)
    shift = {c: float(p1[c][a.edges].sum() - p1[c][b.edges].sum() - p0[c][a.edges].sum() + p0[c][b.edges].sum())
             for c in COST_COMPONENTS}
    return max(shift, key=lambda c: shift[c])


def _p90(router: Router, route: Route | None, month: int | None, samples: int) -> float | None:
    if route is None or samples <= 0:
        return None
    from .reliability import simulate

    try:
        return float(simulate(router, route, samples=samples, month=month, seed=0).p90)
    except (CorridorError, FileNotFoundError, KeyError):
        return None


def compare(base: Scenario | str | Path | None, scenario: Scenario | str | Path, *, network: Network,
            pairs: Sequence[tuple[str, str]] | None = None, demand: Demand | None = None,
            settings: Settings | None = None, reliability_samples: int = 2000) -> Comparison:
    """Compare ``scenario`` with ``base`` on ``network``.

    Parameters
    ----------
    base, scenario : Scenario, bundled name, YAML path (``base`` or None: the network as it is)
    network : Network
        The base network both are applied to.
    pairs : sequence of (origin, destination), optional
        Place ids, names or aliases; by default the demand's pairs (or none without demand).
    demand : Demand, optional
        Adds link volumes (all-or-nothing by generalized cost) and demand-weighted totals.
    reliability_samples : int
        Monte Carlo draws per route for P90 (0 = no P90); uses the scenario's ``month``.
    """
    # both sides carry the demand of one year (the scenario's), so volumes differ by the network only
    i1 = freight_inputs(scenario, network=network, demand=demand, settings=settings)
    i0 = freight_inputs(base, network=network, demand=demand, settings=i1.settings,
                        year=(i1.scenario.year or demand.base_year) if demand is not None else None)
    s0, s1, n0, n1, r0, r1 = i0.scenario, i1.scenario, i0.network, i1.network, i0.router, i1.router
    if pairs is None:
        pairs = list(demand.by_place()[["origin_place", "destination_place"]].itertuples(index=False, name=None)) \
            if demand is not None else []
    rows = []
    for o, d in pairs:
        o, d = r0.resolve(o), r0.resolve(d)
        a, b = _best(r0, o, d, s0.year), _best(r1, o, d, s1.year)
        row: dict[str, Any] = {"origin": o, "destination": d}
        for name, attr in METRICS:
            va = getattr(a, attr) if a else None
            vb = getattr(b, attr) if b else None
            row[f"base_{name}"], row[f"scenario_{name}"] = va, vb
            row[f"delta_{name}"] = vb - va if va is not None and vb is not None else None
        pa, pb = _p90(r0, a, s0.month, reliability_samples), _p90(r1, b, s1.month, reliability_samples)
        if pa is not None or pb is not None:
            row["base_p90_days"], row["scenario_p90_days"] = pa, pb
            row["delta_p90_days"] = pb - pa if pa is not None and pb is not None else None
        ga, gb = (r.cost_breakdown.total_usd if r else None for r in (a, b))
        row["base_generalized_usd"], row["scenario_generalized_usd"] = ga, gb
        row["delta_generalized_usd"] = gb - ga if ga is not None and gb is not None else None
        row["base_corridor"] = a.corridor if a else "no route"
        row["scenario_corridor"] = b.corridor if b else "no route"
        row["corridor_changed"] = row["base_corridor"] != row["scenario_corridor"]
        row["changed_by"] = changed_by(r0, r1, a, b, s0.year, s1.year) if row["corridor_changed"] else None
        rows.append(row)
    frame = pd.DataFrame(rows)
    links = None
    summary: dict[str, Any] = {}
    if demand is not None:
        f0 = route_demand(r0, i0.od, year=s0.year)
        f1 = route_demand(r1, i1.od, year=s1.year)
        links = _link_table(n0, n1, f0, f1)
        summary = {"base": f0.summary(), "scenario": f1.summary()}
    return Comparison(s0, s1, frame, changed_links(n0, n1), links, summary, n0, n1)


def _link_table(n0: Network, n1: Network, f0: DemandFlows, f1: DemandFlows) -> pd.DataFrame:
    ids = list(dict.fromkeys([*n0.links.index, *n1.links.index]))
    v0 = f0.link_teu.reindex(ids).fillna(0.0)
    v1 = f1.link_teu.reindex(ids).fillna(0.0)
    cap0 = n0.links["capacity_teu_per_year"].reindex(ids).astype(float)
    cap1 = n1.links["capacity_teu_per_year"].reindex(ids).astype(float)
    out = pd.DataFrame({"link": ids, "base_teu_per_year": v0.to_numpy(), "scenario_teu_per_year": v1.to_numpy()})
    out["delta_teu_per_year"] = out["scenario_teu_per_year"] - out["base_teu_per_year"]
    out["base_volume_capacity"] = (v0 / cap0).to_numpy()
    out["scenario_volume_capacity"] = (v1 / cap1).to_numpy()
    out = out[(out["base_teu_per_year"] > 0) | (out["scenario_teu_per_year"] > 0)]
    order = out["delta_teu_per_year"].abs().sort_values(ascending=False, kind="stable").index
    return out.loc[order].reset_index(drop=True)


def read_pairs(path: str | Path) -> list[tuple[str, str]]:
    """Origin–destination pairs from a CSV file with columns ``origin,destination`` (names or ids).

    Raises
    ------
    DataError
        Naming the file (and line): unreadable, not UTF-8, no such columns, a missing place, no pair at all.
    """
    path = Path(path)
    try:
        frame = pd.read_csv(path, dtype=str, comment="#", encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(f"{path}: cannot read pairs as a UTF-8 CSV file: {exc}") from None
    if not {"origin", "destination"} <= set(frame.columns):
        raise DataError(f"{path} line 1: the header must name the columns origin,destination")
    out = []
    for i, r in enumerate(frame.itertuples(index=False), start=2):
        if pd.isna(r.origin) or pd.isna(r.destination):
            raise DataError(f"{path} line {i}: origin and destination are both needed")
        out.append((str(r.origin), str(r.destination)))
    if not out:
        raise DataError(f"{path}: no pair: give one origin,destination per line after the header")
    return out
