"""Demand routed all-or-nothing: every origin–destination flow on its best path by generalized cost.

The shared engine of comparison, criticality, concession economics and sweeps: one Dijkstra per
origin place (SciPy, on the compiled CSR graph), paths read back from the predecessor arrays, and
TEU summed per link.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse.csgraph import dijkstra

from ..errors import DataError
from ..graph import KINDS, RoutingGraph
from ..routing import Router

_RUN = KINDS.index("run")


def edge_keys(g: RoutingGraph) -> tuple[np.ndarray, np.ndarray]:
    """Sorted ``src * n_nodes + dst`` keys and the edge each stands for (the graph has no parallel edges)."""
    keys = g.src.astype(np.int64) * g.n_nodes + g.dst
    order = np.argsort(keys)
    return keys[order], order


def path_edges(pred: np.ndarray, start: int, end: int, keys: tuple[np.ndarray, np.ndarray], n_nodes: int) -> np.ndarray:
    """The edges of the shortest path to ``end`` read from a Dijkstra predecessor row."""
    nodes = [end]
    while nodes[-1] != start:
        p = int(pred[nodes[-1]])
        if p < 0:
            return np.empty(0, dtype=np.int64)
        nodes.append(p)
    nodes.reverse()
    arr = np.asarray(nodes, dtype=np.int64)
    k = arr[:-1] * n_nodes + arr[1:]
    pos = np.searchsorted(keys[0], k)
    return keys[1][pos].astype(np.int64)


def od_nodes(g: RoutingGraph, od: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Origin and destination nodes of each row (``-1`` when the place has no node)."""
    missing = sorted((set(od["origin_place"]) | set(od["destination_place"])) - set(g.place_index))
    if missing:
        raise DataError(f"demand names place(s) not in the network: {', '.join(missing[:10])}")
    o = g.origin_node[[g.place_index[p] for p in od["origin_place"]]]
    d = g.destination_node[[g.place_index[p] for p in od["destination_place"]]]
    return np.asarray(o, dtype=np.int64), np.asarray(d, dtype=np.int64)


def masked_weights(router: Router, *, year: int | None = None) -> np.ndarray:
    """Generalized-cost weights, priced in ``year`` (else the router's), with unusable edges (closed, not yet
    open, restricted) set to inf."""
    return np.where(router.usable(year=year), router.weights("generalized", year), np.inf)


@dataclass(frozen=True)
class DemandFlows:
    """Demand on its best paths.

    ``od`` has, per origin–destination pair, ``teu_per_year``, ``routed``, the generalized cost
    ``generalized_usd_per_feu`` and ``hours``, ``cost_usd_per_feu``, ``co2_kg_per_feu``, ``corridor``.
    ``link_teu`` is TEU per year per link id (both directions added).
    """

    od: pd.DataFrame
    link_teu: pd.Series
    paths: list[np.ndarray] = field(repr=False)
    year: int | None = None

    @property
    def total_generalized_usd(self) -> float:
        """Σ FEU × generalized cost over the routed demand, US$ per year."""
        r = self.od[self.od["routed"]]
        return float((r["teu_per_year"] / 2 * r["generalized_usd_per_feu"]).sum())

    @property
    def unrouted_teu(self) -> float:
        return float(self.od.loc[~self.od["routed"], "teu_per_year"].sum())

    def summary(self) -> dict[str, Any]:
        """Demand-weighted totals: TEU, generalized US$, hours, CO2, TEU without a route, corridor shares."""
        od = self.od
        r = od[od["routed"]]
        feu = r["teu_per_year"] / 2
        shares = (r.groupby("corridor")["teu_per_year"].sum() / max(r["teu_per_year"].sum(), 1e-12)).round(4)
        return {
            "teu_per_year": float(od["teu_per_year"].sum()),
            "routed_teu_per_year": float(r["teu_per_year"].sum()),
            "unrouted_teu_per_year": self.unrouted_teu,
            "generalized_usd_per_year": self.total_generalized_usd,
            "cost_usd_per_year": float((feu * r["cost_usd_per_feu"]).sum()),
            "feu_hours_per_year": float((feu * r["hours"]).sum()),
            "co2_t_per_year": float((feu * r["co2_kg_per_feu"]).sum() / 1000),
            "mean_days": float((feu * r["hours"]).sum() / max(feu.sum(), 1e-12) / 24),
            "corridor_share": shares.sort_values(ascending=False).to_dict(),
        }


def route_demand(router: Router, od: pd.DataFrame, *, year: int | None = None, labels: bool = True) -> DemandFlows:
    """Route every flow of ``od`` (``origin_place``, ``destination_place``, ``teu_per_year``) on its best path.

    Complexity: one Dijkstra per distinct origin place, O(origins · E log V), plus the path
    length of every pair to read paths back.
    """
    g = router.graph
    od = od.reset_index(drop=True)
    w = masked_weights(router, year=year)
    o_node, d_node = od_nodes(g, od)
    origins = np.unique(o_node[o_node >= 0])
    mat = g.matrix(w)
    n = len(od)
    gen = np.full(n, np.inf)
    paths: list[np.ndarray] = [np.empty(0, dtype=np.int64)] * n
    if len(origins):
        dist, pred = dijkstra(mat, indices=origins, return_predecessors=True)
        row_of = {int(o): i for i, o in enumerate(origins)}
        keys = edge_keys(g)
        for i in range(n):
            if o_node[i] < 0 or d_node[i] < 0:
                continue
            r = row_of[int(o_node[i])]
            if np.isfinite(dist[r, d_node[i]]):
                gen[i] = dist[r, d_node[i]]
                paths[i] = path_edges(pred[r], int(o_node[i]), int(d_node[i]), keys, g.n_nodes)
    co2 = router.co2_kg()
    routed = np.isfinite(gen)
    hours = np.array([g.hours[p].sum() for p in paths])
    money = router.costs.money(year)   # at the year's tariffs, as the paths were chosen
    usd = np.array([money[p].sum() for p in paths])
    kg = np.array([co2[p].sum() for p in paths])
    corridor = [router.corridor_of(p)[0] if (labels and len(p)) else "" for p in paths]
    out = od.copy()
    out["routed"] = routed
    out["generalized_usd_per_feu"] = np.where(routed, gen, np.nan)
    out["hours"] = np.where(routed, hours, np.nan)
    out["cost_usd_per_feu"] = np.where(routed, usd, np.nan)
    out["co2_kg_per_feu"] = np.where(routed, kg, np.nan)
    out["corridor"] = corridor
    teu = od["teu_per_year"].to_numpy(dtype=float)
    link_ids = router.network.links["id"].to_numpy(dtype=object)
    volume = np.zeros(len(link_ids))
    for i, p in enumerate(paths):
        if len(p):
            runs = p[g.kind[p] == _RUN]
            np.add.at(volume, g.link[runs], teu[i])
    return DemandFlows(out, pd.Series(volume, index=link_ids, name="teu_per_year"), paths, year)

