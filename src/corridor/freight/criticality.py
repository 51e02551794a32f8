"""Criticality: remove each link, place, border crossing or country in turn; rank by the harm done.

Harm is measured on the demand routed all-or-nothing by generalized cost (:mod:`corridor.flows`):
the increase in the total generalized cost of the demand that still has a route, and the TEU per
year left without any route.

Only the origin–destination pairs whose best path used the removed element can change, so for each
element only those pairs are re-solved — one Dijkstra per affected origin place, not per pair and
not per element × all origins. Elements are independent and run in parallel (a process pool, or
Ray when a cluster address is given).

Complexity: O(Σ_elements affected-origins · E log V); for the bundled network a few seconds per
core.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from ..errors import InvalidOptionError
from ..parallel import run_tasks
from ..routing import Router
from .flows import masked_weights, od_nodes, route_demand

SCOPES = ("links", "places", "crossings", "countries")
RANKS = ("unrouted", "cost")


@dataclass(frozen=True)
class _Problem:
    """Everything a worker needs, as plain arrays (cheap to pickle once per worker)."""

    indptr: np.ndarray
    indices: np.ndarray
    csr_order: np.ndarray
    weights: np.ndarray
    o_node: np.ndarray
    d_node: np.ndarray
    teu: np.ndarray
    base_cost: np.ndarray
    element_edges: list[np.ndarray]
    users: list[np.ndarray]


def _solve(problem: _Problem, chunk: list[int]) -> list[tuple[int, float, float, float, int]]:
    """(element, Δ generalized US$/yr, TEU/yr without route, TEU/yr affected, pairs affected) per element."""
    p = problem
    n = len(p.indptr) - 1
    out = []
    for k in chunk:
        ods = p.users[k]
        if not len(ods):
            out.append((k, 0.0, 0.0, 0.0, 0))
            continue
        w = p.weights.copy()
        w[p.element_edges[k]] = np.inf
        mat = csr_matrix((w[p.csr_order], p.indices, p.indptr), shape=(n, n))
        origins, row = np.unique(p.o_node[ods], return_inverse=True)
        dist = np.atleast_2d(dijkstra(mat, indices=origins))
        new = dist[row, p.d_node[ods]]
        lost = ~np.isfinite(new)
        feu = p.teu[ods] / 2
        delta = float((feu[~lost] * (new[~lost] - p.base_cost[ods][~lost])).sum())
        out.append((k, delta, float(p.teu[ods][lost].sum()), float(p.teu[ods].sum()), len(ods)))
    return out


@dataclass(frozen=True)
class CriticalityResult:
    """Elements ranked by harm, with the base totals and how the run went."""

    frame: pd.DataFrame
    scope: str
    base_generalized_usd_per_year: float
    base_unrouted_teu_per_year: float
    demand_teu_per_year: float
    seconds: float
    workers: int
    backend: str
    meta: dict[str, Any] = field(default_factory=dict)

    def top(self, n: int) -> pd.DataFrame:
        return self.frame.head(n)

    def to_dict(self, top: int | None = None) -> dict[str, Any]:
        frame = self.frame if top is None else self.frame.head(top)
        return {"scope": self.scope, "base_generalized_usd_per_year": self.base_generalized_usd_per_year,
                "base_unrouted_teu_per_year": self.base_unrouted_teu_per_year,
                "demand_teu_per_year": self.demand_teu_per_year, "elements": len(self.frame),
                "seconds": round(self.seconds, 3), "workers": self.workers, "backend": self.backend,
                **self.meta, "ranking": frame.to_dict(orient="records")}


def scope_elements(router: Router, scope: str,
                   usable: np.ndarray) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    """Element ids and labels of ``scope`` among the ``usable`` edges, and for every edge of the graph up
    to two elements it belongs to (-1: none)."""
    g, net = router.graph, router.network
    none = np.full(g.n_edges, -1, dtype=np.int64)
    if scope == "links":
        used = np.unique(g.link[(g.link >= 0) & usable])
        index = np.full(len(net.links), -1, dtype=np.int64)
        index[used] = np.arange(len(used))
        a = np.where(g.link >= 0, index[np.maximum(g.link, 0)], -1)
        ids = list(net.links["id"].to_numpy()[used])
        names = net.places["name"]
        labels = [f"{names.get(f, f)}–{names.get(t, t)} ({m})" for f, t, m in
                  net.links.iloc[used][["from", "to", "mode"]].itertuples(index=False)]
        return ids, labels, a, none
    if scope == "crossings":
        link_pos = {lid: i for i, lid in enumerate(net.links["id"])}
        rows = [(r.id, r.name, link_pos[r.link]) for r in net.crossings.itertuples(index=False) if r.link in link_pos]
        index = np.full(len(net.links), -1, dtype=np.int64)
        kept = []
        for cid, name, li in rows:
            if usable[g.link == li].any() and index[li] < 0:
                index[li] = len(kept)
                kept.append((cid, name))
        a = np.where(g.link >= 0, index[np.maximum(g.link, 0)], -1)
        return [c for c, _ in kept], [n for _, n in kept], a, none
    if scope == "places":
        served = np.unique(np.concatenate([g.from_place[usable], g.to_place[usable]]))
        index = np.full(len(g.place_ids), -1, dtype=np.int64)
        index[served] = np.arange(len(served))
        names = net.places["name"].to_numpy(dtype=object)
        return (list(g.place_ids[served]), [str(names[i]) for i in served],
                index[g.from_place], index[g.to_place])
    if scope == "countries":
        codes = sorted(set(g.place_country[g.from_place[usable]]) | set(g.place_country[g.to_place[usable]]))
        pos = {c: i for i, c in enumerate(codes)}
        by_place = np.array([pos.get(c, -1) for c in g.place_country], dtype=np.int64)
        from ..network.geo import countries

        isos, cnames, _ = countries()
        label = {iso: name for iso, name in zip(isos, cnames) if iso}
        return codes, [label.get(c, c) for c in codes], by_place[g.from_place], by_place[g.to_place]
    raise InvalidOptionError(f"unknown scope {scope!r}; choose one of {', '.join(SCOPES)}")


def element_positions(a: np.ndarray, b: np.ndarray, n: int) -> list[np.ndarray]:
    """For each element k, the positions where a == k or b == k."""
    pos = np.concatenate([np.nonzero(a >= 0)[0], np.nonzero((b >= 0) & (b != a))[0]])
    key = np.concatenate([a[a >= 0], b[(b >= 0) & (b != a)]])
    order = np.argsort(key, kind="stable")
    key, pos = key[order], pos[order]
    bounds = np.searchsorted(key, np.arange(n + 1))
    return [np.unique(pos[bounds[k]:bounds[k + 1]]) for k in range(n)]


def rank_frame(frame: pd.DataFrame, base_total: float, rank_by: str) -> pd.DataFrame:
    """``frame`` with ``delta_pct`` added, sorted by ``rank_by`` (ties by id) and numbered in ``rank``."""
    frame = frame.copy()
    frame["delta_pct"] = 100 * frame["delta_generalized_usd_per_year"] / base_total if base_total else 0.0
    keys = (["unrouted_teu_per_year", "delta_generalized_usd_per_year"] if rank_by == "unrouted"
            else ["delta_generalized_usd_per_year", "unrouted_teu_per_year"])
    frame = frame.sort_values(keys + ["id"], ascending=[False, False, True], kind="stable").reset_index(drop=True)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    return frame


def criticality(router: Router, od: pd.DataFrame, *, scope: str = "links", year: int | None = None,
                workers: int = 1, ray_address: str | None = None, rank_by: str = "unrouted",
                progress: Any = None, chunks_per_worker: int = 4) -> CriticalityResult:
    """Remove each element of ``scope`` in turn and rank the elements by the harm to the demand.

    Parameters
    ----------
    router : Router
        On the network to study (apply a scenario first to study it).
    od : DataFrame
        Demand between places: ``origin_place``, ``destination_place``, ``teu_per_year``
        (:meth:`corridor.demand.Demand.by_place`).
    scope : {"links", "places", "crossings", "countries"}
        What to remove: a link; every link and transfer at a place; a border crossing's link;
        every link touching a country.
    year : int, optional
        Links open in this year are used (default: this year).
    workers : int
        Local processes (1 = this process).
    ray_address : str, optional
        Run on a Ray cluster (``host:port``) or a local Ray instance (``local``).
    rank_by : {"unrouted", "cost"}
        ``unrouted`` ranks by TEU left without a route, then by cost increase; ``cost`` by the
        increase in total generalized cost only.

    Returns
    -------
    CriticalityResult
        ``frame`` has one row per element: ``rank``, ``id``, ``label``,
        ``delta_generalized_usd_per_year``, ``delta_pct``, ``unrouted_teu_per_year``,
        ``affected_teu_per_year``, ``affected_pairs``.
    """
    if scope not in SCOPES:
        raise InvalidOptionError(f"unknown scope {scope!r}; choose one of {', '.join(SCOPES)}")
    if rank_by not in RANKS:
        raise InvalidOptionError(f"unknown ranking {rank_by!r}; choose one of {', '.join(RANKS)}")
    start = time.perf_counter()
    g = router.graph
    od = od.reset_index(drop=True)
    w = masked_weights(router, year=year)
    flows = route_demand(router, od, year=year, labels=False)
    o_node, d_node = od_nodes(g, od)
    usable = np.isfinite(w)
    ids, labels, a, b = scope_elements(router, scope, usable)
    n = len(ids)
    element_edges = element_positions(a, b, n)
    users_lists: list[list[int]] = [[] for _ in range(n)]
    for i, path in enumerate(flows.paths):
        if len(path):
            hit = np.unique(np.concatenate([a[path], b[path]]))
            for k in hit[hit >= 0]:
                users_lists[int(k)].append(i)
    users = [np.asarray(u, dtype=np.int64) for u in users_lists]
    base_cost = flows.od["generalized_usd_per_feu"].fillna(np.inf).to_numpy(dtype=float)
    problem = _Problem(g.indptr, g.indices, g.csr_order, w, o_node, d_node,
                       od["teu_per_year"].to_numpy(dtype=float), base_cost, element_edges, users)

    # balanced chunks: elements with many affected origins are the slow ones
    cost = np.array([len(np.unique(o_node[u])) if len(u) else 0 for u in users], dtype=float) + 0.05
    parallel = ray_address is not None or workers > 1
    n_chunks = max(1, min(n, workers * chunks_per_worker)) if parallel else 1
    chunks: list[list[int]] = [[] for _ in range(n_chunks)]
    load = np.zeros(n_chunks)
    for k in np.argsort(-cost, kind="stable"):
        c = int(np.argmin(load))
        chunks[c].append(int(k))
        load[c] += cost[k]
    chunks = [c for c in chunks if c]
    results = run_tasks(_solve, problem, chunks, workers=workers, ray_address=ray_address,
                        description=f"criticality of {n} {scope}", progress=progress,
                        weights=[len(c) for c in chunks])
    rows = {k: r for chunk in results for (k, *r) in chunk}
    base_total = flows.total_generalized_usd
    frame = pd.DataFrame({
        "id": ids, "label": labels,
        "delta_generalized_usd_per_year": [rows[k][0] for k in range(n)],
        "unrouted_teu_per_year": [rows[k][1] for k in range(n)],
        "affected_teu_per_year": [rows[k][2] for k in range(n)],
        "affected_pairs": [rows[k][3] for k in range(n)],
    })
    frame = rank_frame(frame, base_total, rank_by)
    backend = f"ray:{ray_address}" if ray_address else ("process-pool" if workers > 1 else "serial")
    return CriticalityResult(frame, scope, base_total, flows.unrouted_teu, float(od["teu_per_year"].sum()),
                             time.perf_counter() - start, workers, backend,
                             {"year": year, "rank_by": rank_by, "pairs": len(od)})
