"""The corridor assignment's result: equilibrium flows per directed edge, the bottlenecks, and the
corridor volumes (:data:`CORRIDORS`: Caspian crossings, Russia/Belarus exits to the EU, into Iran, deep sea
from China, the China–Kazakhstan border, BTK, TRIPP) beside the observed counts of ``counts.csv``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..assignment import AssignmentResult
from ..errors import InvalidOptionError
from ..formats.json import records
from ..graph import KINDS, RoutingGraph
from ..network import Network
from ..network.counts_table import COLUMNS as COUNT_COLUMNS
from ..network.counts_table import two_way
from ..network.geo import EU27, NORTHERN
from ..network.schema import MODES
from .corridor_problem import CorridorProblem


@dataclass(frozen=True)
class Corridor:
    """A corridor the assignment reports: its name and its volume (TEU per year, both directions) on
    the per-edge table of :class:`CorridorFlows`; ``edges`` picks the rows whose volumes it sums (None
    when the volume is no sum, e.g. a busiest link): the screenline a count on the corridor is fitted on."""

    name: str
    volume: Callable[[pd.DataFrame], float]
    edges: Callable[[pd.DataFrame], pd.Series] | None = None


def _summed(name: str, select: Callable[[pd.DataFrame], pd.Series]) -> Corridor:
    """A corridor whose volume is that of the edges ``select`` picks, summed."""
    return Corridor(name, lambda e: float(e.loc[select(e), "volume_teu"].sum()), select)


def _busiest_link(group: str) -> Callable[[pd.DataFrame], float]:
    """The volume on the busiest link of a ``links.csv`` group (its links are in series: summing them
    would count a train once per link); a link with a border edge counts at its border."""
    def volume(e: pd.DataFrame) -> float:
        on = e[e["group"] == group]
        borders = on.loc[on["kind"] == "border", "link"]
        at = on[(on["kind"] == "border") | ((on["kind"] == "run") & ~on["link"].isin(borders))]
        per_link = at.groupby("link")["volume_teu"].sum()
        return float(per_link.max()) if len(per_link) else 0.0
    return volume


def _cross(e: pd.DataFrame) -> pd.Series:
    return e["from_country"] != e["to_country"]


def _caspian(e: pd.DataFrame) -> pd.Series:
    ferry = (e["kind"] == "run") & (e["mode"] == "ferry") & _cross(e)
    return ferry & (e["from_country"].isin(["KZ", "AZ"]) | e["to_country"].isin(["KZ", "AZ"]))


def _ru_by_eu(e: pd.DataFrame) -> pd.Series:
    north = e["kind"].isin(["border", "run"]) & _cross(e) & (
        (e["from_country"].isin(NORTHERN) & e["to_country"].isin(EU27))
        | (e["to_country"].isin(NORTHERN) & e["from_country"].isin(EU27)))
    # a link with a border edge counts once, at its border
    return north & ((e["kind"] == "border") | ~e["link"].isin(e.loc[e["kind"] == "border", "link"]))


def _into_iran(e: pd.DataFrame) -> pd.Series:
    return _cross(e) & (e["to_country"] == "IR") & (
        (e["kind"] == "border") | ((e["kind"] == "run") & (e["mode"].isin(["ferry", "sea"]))))


def _deep_sea_cn(e: pd.DataFrame) -> pd.Series:
    return (e["kind"] == "run") & (e["mode"] == "sea") & ((e["from_country"] == "CN") | (e["to_country"] == "CN"))


def _cn_kz(e: pd.DataFrame) -> pd.Series:
    return (e["kind"] == "border") & e["from_country"].isin(["CN", "KZ"]) & e["to_country"].isin(["CN", "KZ"]) \
        & _cross(e)


#: the corridors the assignment reports, by stable id (:data:`~corridor.network.schema.CORRIDOR_IDS`); a
#: count of ``counts.csv`` on the same id is the observed volume set beside the model's
CORRIDORS: dict[str, Corridor] = {
    "caspian-crossings": _summed("Middle Corridor: Caspian crossings via KZ/AZ ports", _caspian),
    "ru-by-eu-border": _summed("Northern: Russia/Belarus ↔ EU border", _ru_by_eu),
    "into-iran": _summed("Into Iran (land borders and Caspian)", _into_iran),
    "deep-sea-asia-europe": _summed("Deep sea to/from Chinese ports", _deep_sea_cn),
    "china-kz-border": _summed("China–Kazakhstan border (Alashankou, Khorgos)", _cn_kz),
    "btk": Corridor("Baku–Tbilisi–Kars railway (busiest link)", _busiest_link("BTK")),
    "tripp": Corridor("TRIPP link through Meghri (busiest link)", _busiest_link("TRIPP")),
}

#: columns written with 4 decimals in JSON; other numbers get 2
FINE_COLUMNS = ("vc", "difference_pct")

_CONNECTOR = KINDS.index("connector")


@dataclass(frozen=True)
class CorridorFlows:
    """Equilibrium flows of the corridor demand.

    ``edges`` has one row per directed edge of the graph that carries freight or has a capacity:
    ``element`` (link, crossing, ``PLACE:layer:layer`` terminal, ``wait:LINK``…), ``name``, ``kind``,
    ``from``, ``to`` (place ids), ``from_country``, ``to_country``, ``mode``, ``link``, ``group`` (the
    link's group in ``links.csv``), ``volume_teu``
    (TEU per year), ``capacity_teu`` (nan: uncapacitated), ``vc``, ``free_h``, ``delay_h`` (extra
    hours per container at this volume), ``edge`` (graph edge), ``teu_delay_h`` (volume × delay).
    ``counts`` are the observed counts (``counts.csv``) the corridors are set beside; ``tonnes_per_teu``
    is the assigned cargo class's load (``cargo.csv``: tonnes per FEU / 2).
    """

    edges: pd.DataFrame
    year: int
    algorithm: str
    theta: float | None
    gap: float
    iterations: int
    converged: bool
    engine: str
    demand_teu: float
    zones: tuple[str, ...]
    value_of_time: float
    meta: dict[str, Any] = field(default_factory=dict)
    counts: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=COUNT_COLUMNS), repr=False)
    tonnes_per_teu: float = float("nan")

    @classmethod
    def from_result(cls, problem: CorridorProblem, result: AssignmentResult, *, theta: float | None = None,
                    counts: pd.DataFrame | None = None, tonnes_per_teu: float = float("nan")) -> CorridorFlows:
        """The per-edge table and summary of ``problem`` solved by the engine (``theta``: SUE's dispersion;
        ``counts``: the observed counts, :func:`~corridor.network.counts_table.load_counts`;
        ``tonnes_per_teu``: the cargo class's load, for the corridors' tonnes)."""
        frame = edge_table(problem, np.asarray(result.flows, dtype=float)).drop(columns="engine_link")
        frame = frame[(frame["volume_teu"] > 1e-6) | frame["capacity_teu"].notna()].reset_index(drop=True)
        sue = result.algorithm == "sue"
        return cls(frame, problem.year, result.algorithm, theta if sue else None, float(result.gap),
                   int(result.iterations), bool(result.converged), f"corridor.assignment ({result.algorithm})",
                   float(problem.matrix.sum()), problem.zones, problem.value_of_time,
                   counts=counts if counts is not None else pd.DataFrame(columns=COUNT_COLUMNS),
                   tonnes_per_teu=float(tonnes_per_teu))

    def bottlenecks(self, n: int = 10, *, by: str = "vc") -> pd.DataFrame:
        """The ``n`` capacitated edges with the highest v/c (``by="vc"``) or the most delay
        (``by="delay"``, TEU-hours per year)."""
        if by not in ("vc", "delay"):
            raise InvalidOptionError(f"bottlenecks by 'vc' or 'delay', not {by!r}")
        e = self.edges[self.edges["capacity_teu"].notna() & (self.edges["volume_teu"] > 0)]
        key = "vc" if by == "vc" else "teu_delay_h"
        return e.sort_values(key, ascending=False).head(n).reset_index(drop=True)

    def corridors(self) -> pd.DataFrame:
        """One row per corridor of :data:`CORRIDORS`: ``id``, ``corridor`` (its name), ``year``,
        ``model_teu`` (TEU per year, both directions), ``model_tonnes`` (× the cargo class's tonnes per
        TEU), ``published_teu`` and ``published_tonnes`` (the two-way container count of ``counts.csv``
        for the year; None where not published), ``difference_teu``, ``difference_pct``, ``source``,
        ``published_as``."""
        out = []
        for cid, corridor in CORRIDORS.items():
            model = corridor.volume(self.edges)
            teu = two_way(self.counts, cid, self.year)
            tonnes = two_way(self.counts, cid, self.year, unit="t")
            pub = teu.value
            diff = model - pub if pub else None
            out.append({"id": cid, "corridor": corridor.name, "year": self.year, "model_teu": model,
                        "model_tonnes": model * self.tonnes_per_teu, "published_teu": pub,
                        "published_tonnes": tonnes.value, "difference_teu": diff,
                        "difference_pct": (100 * diff / pub) if pub else None,
                        "source": teu.source or tonnes.source, "published_as": teu.published_as or tonnes.published_as})
        return pd.DataFrame(out)

    def to_dict(self, top: int = 10) -> dict[str, Any]:
        """JSON-ready summary: settings, convergence, corridors, bottlenecks, loaded edges (numbers
        rounded for reading: v/c and per cent to 4 decimals, the rest to 2)."""
        loaded = self.edges[self.edges["volume_teu"] > 0.5]
        return {
            "year": self.year, "algorithm": self.algorithm, "theta_per_hour_equivalent": self.theta,
            "relative_gap": self.gap, "iterations": self.iterations, "converged": self.converged,
            "engine": self.engine, "demand_teu_per_year": self.demand_teu, "zones": list(self.zones),
            "cost_unit": f"hours-equivalent per container (US$ / {self.value_of_time:g} US$ per FEU-hour)",
            "corridors": records(_rounded(self.corridors())),
            "bottlenecks_by_vc": records(_rounded(self.bottlenecks(top, by="vc"))),
            "bottlenecks_by_delay": records(_rounded(self.bottlenecks(top, by="delay"))),
            "edges": records(_rounded(loaded)),
        }

    def to_geodataframe(self, network: Network, *, by: str = "link") -> pd.DataFrame:
        """Volumes and v/c on the map, per link or per edge (:func:`corridor.formats.geo.flows_gdf`)."""
        from ..formats.geo import flows_gdf

        return flows_gdf(self, network, by=by)

    def _repr_html_(self) -> str:
        from ..formats.html import html_card

        corridors = self.corridors()[["corridor", "model_teu", "published_teu", "difference_pct"]]
        worst = self.bottlenecks(5)[["name", "kind", "volume_teu", "capacity_teu", "vc", "delay_h"]]
        return html_card(f"Corridor assignment {self.year} ({self.algorithm})",
                         {"demand TEU/yr": self.demand_teu, "relative gap": self.gap, "iterations": self.iterations,
                          "converged": self.converged}, {"corridors, TEU/yr": corridors, "bottlenecks by v/c": worst})


def heading(edges: pd.DataFrame, problem: CorridorProblem, direction: str) -> pd.Series:
    """Which ``edges`` (an :func:`edge_table`) run ``direction``: ``westbound`` toward a smaller longitude,
    ``eastbound`` toward a larger one."""
    places = problem.graph.network.places
    lon = dict(zip(places["id"], places["lon"].astype(float)))
    to_lon, from_lon = edges["to"].map(lon), edges["from"].map(lon)
    return to_lon < from_lon if direction == "westbound" else to_lon > from_lon


def edge_table(problem: CorridorProblem, flow: np.ndarray) -> pd.DataFrame:
    """One row per engine link of ``problem`` on a graph edge (zone and place connectors left out) with
    its ``flow`` (TEU per year): the columns of :attr:`CorridorFlows.edges` and ``engine_link``."""
    t = problem.engine_network().performance.time(flow)
    g = problem.graph
    real = np.flatnonzero(problem.edge >= 0)
    idx = real[g.kind[problem.edge[real]] != _CONNECTOR]
    e = problem.edge[idx]
    volume = flow[idx]
    capacity = problem.capacity[idx]
    frame = pd.DataFrame({
        "element": problem.element[idx],
        "kind": [KINDS[k] for k in g.kind[e]],
        "from": g.place_ids[g.from_place[e]],
        "to": g.place_ids[g.to_place[e]],
        "from_country": g.place_country[g.from_place[e]],
        "to_country": g.place_country[g.to_place[e]],
        "mode": [MODES[m] if m >= 0 else "transfer" for m in g.mode[e]],
        "link": [g.network.links["id"].iat[k] if k >= 0 else "" for k in g.link[e]],
        "group": [g.network.links["group"].iat[k] if k >= 0 else None for k in g.link[e]],
        "volume_teu": volume,
        "capacity_teu": capacity,
        "vc": volume / capacity,
        "free_h": problem.free_h[idx],
        "delay_h": np.maximum(t[idx] - problem.free_h[idx], 0.0),
        "edge": e,
        "engine_link": idx,
    })
    frame["teu_delay_h"] = frame["volume_teu"] * frame["delay_h"]
    frame.insert(1, "name", _names(g, frame))
    return frame


def _rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with its float columns rounded: :data:`FINE_COLUMNS` to 4 decimals, the others to 2."""
    out = frame.copy()
    for c in frame.select_dtypes("float").columns:
        # Python's round is exact on the decimal value; DataFrame.round would turn 0.215 into 0.22
        out[c] = [round(v, 4 if c in FINE_COLUMNS else 2) for v in frame[c].tolist()]
    return out


def _names(g: RoutingGraph, frame: pd.DataFrame) -> list[str]:
    """A readable name per row: ``Khorgos (CN) → Altynkol (border)``, ``Aktau: rail1520 → ferry``…"""
    name = g.network.places["name"].to_dict()
    out = []
    for r in frame[["kind", "from", "to", "element", "mode"]].itertuples(index=False):
        a, b = name.get(r[1], r[1]), name.get(r[2], r[2])
        if r.kind == "transfer":
            _, f, t = str(r.element).split(":")
            out.append(f"{a}: {f} → {t}")
        elif r.kind == "wait":
            link = g.network.links.loc[str(r.element)[5:]]
            far = link["to"] if link["from"] == r[1] else link["from"]
            out.append(f"{a}: wait for the {r.mode} to {name.get(far, far)}")
        elif r.kind in ("load", "unload"):
            out.append(f"{a}: {r.kind} ({r.mode})")
        else:
            out.append(f"{a} → {b}" + (" (border)" if r.kind == "border" else f" ({r.mode})"))
    return out
