"""Estimate the route-choice constants (:mod:`corridor.freight.choice`) so that the base-year equilibrium
reproduces the observed corridor counts, and the implied elasticities of each corridor's volume.

* **One constant per count** of ``counts.csv`` on a corridor id in containers (TEU): the Caspian
  crossings, the Russia/Belarus → EU border westbound, the EU → Russia/Belarus border eastbound… A count
  of sea-borne boxes (the deep-sea trade) is not identifiable: the demand holds only the boxes that went
  by land, so no constant can bring its millions of TEU into the model.
* **Logit SUE** (``algorithm="sue"``, dispersion θ per hour-equivalent): the share-matching update
  ``ASC_k ← ASC_k + ln(model_k / observed_k) / θ`` (hours-equivalent, × value of time → US$), all
  constants at once, until every count is met within ``tolerance``.
* **User equilibrium** (default, Algorithm B warm-started): the volume of a corridor falls as its
  constant rises, step-wise (whole zone pairs switch), so each constant is found by Brent's method on
  ``model_k(c) − observed_k`` over ``[lower, upper]``, the others held, in Gauss–Seidel sweeps.
  ``lower`` is minus the smallest money cost among the alternative's links (a bonus cannot exceed it);
  a count that no constant in the range reaches is ``bounded`` (the nearest end is kept).
* **Elasticities** (finite differences on the equilibrium, the constants applied): the volume change of
  each corridor when its door-to-door generalised cost rises by 10 % (the demand-weighted mean cost of
  the zone pairs whose cheapest route crosses it, added on its links) and when its time rises by a day
  (24 hours-equivalent on its links).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import brentq
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from .. import validate
from ..assignment import AssignmentResult, assign
from ..formats.json import records
from ..network.counts_table import load_counts
from .choice import ALTERNATIVES, alternative_links, apply_constants
from .congestion import DEFAULT_THETA, solve
from .corridor_problem import BASE_YEAR, CorridorProblem, build_problem
from .inputs import FreightInputs, freight_inputs

#: the largest penalty searched, US$ per FEU (a constant at it means the count is out of reach)
UPPER_USD = 20_000.0
#: a count is met when the model is within this share of it
DEFAULT_TOLERANCE = 0.01
#: the source row of the estimated constants (sources.csv)
SOURCE_ID = "DER-ASC-2024"
Key = tuple[str, str | None]


@dataclass
class ChoiceFit:
    """What :func:`estimate_constants` returns: ``constants`` (per count: ``alternative``, ``direction``,
    ``class``, ``year``, ``usd_per_feu``, ``lower``, ``observed``, ``before``, ``after``,
    ``difference_pct``, ``iterations``, ``status``), ``not_identifiable`` (corridor counts no constant can
    fit, with ``reason``), ``elasticities`` (:func:`elasticities`), the method and the run's figures."""

    year: int
    cargo_class: str
    algorithm: str
    theta: float | None
    value_of_time: float
    constants: pd.DataFrame
    not_identifiable: pd.DataFrame
    elasticities: pd.DataFrame
    equilibria: int
    wall_time: float

    def constant_rows(self, source: str = SOURCE_ID) -> pd.DataFrame:
        """The constants in ``constants.csv``'s columns (the note gives the counts before and after); a count
        no constant can move (held at zero) gets no row."""
        c = self.constants[self.constants["usd_per_feu"] != 0.0]
        note = [f"{self.algorithm} equilibrium; count {o:,.0f} TEU; model {b:,.0f} without, {a:,.0f} with ({s})"
                for o, b, a, s in zip(c["observed"], c["before"], c["after"], c["status"])]
        return pd.DataFrame({"alternative": c["alternative"], "direction": c["direction"], "class": c["class"],
                             "year": c["year"], "usd_per_feu": c["usd_per_feu"].round(0), "source": source,
                             "note": note})

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the method, the constants with the fit, the counts not identifiable, the elasticities."""
        return {"year": self.year, "class": self.cargo_class, "algorithm": self.algorithm, "theta": self.theta,
                "value_of_time_usd_per_feu_hour": self.value_of_time, "equilibria": self.equilibria,
                "wall_time_s": self.wall_time, "constants": records(self.constants),
                "not_identifiable": records(self.not_identifiable), "elasticities": records(self.elasticities)}


class _Runner:
    """Equilibria of one problem under changing constants and extra link costs (warm-started for UE)."""

    def __init__(self, problem: CorridorProblem, algorithm: str, theta: float, gap: float | None):
        self.problem, self.theta = problem, theta
        self.algorithm = validate.choice(algorithm, ("bush", "sue"), "route-choice algorithm")
        self.sue = self.algorithm == "sue"
        if self.sue:
            validate.number(theta, "theta", 0.0, open_lo=True)
        self.gap = gap if gap is not None else (1e-3 if self.sue else 1e-6)
        self.last: AssignmentResult | None = None
        self.count = 0
        self.links: dict[Key, np.ndarray] = {}

    def run(self, constants: dict[Key, float], extra: np.ndarray | None = None) -> AssignmentResult:
        p = apply_constants(self.problem, constants, links=self.links)
        if extra is not None:
            p = replace(p, toll_h=p.toll_h + extra)
        net = p.engine_network()
        if self.sue:
            result = solve(p, algorithm="sue", gap=self.gap, max_iter=300, theta=self.theta)
        else:
            result = assign(net, p.matrix, algorithm="bush", gap=self.gap, progress=False, warm_start=self.last)
            self.last = result
        self.count += 1
        return result


def _counts(inputs: FreightInputs, year: int, counts: pd.DataFrame | None) -> tuple[list[dict], list[dict]]:
    """The year's corridor counts a constant can fit, and those it cannot (with why)."""
    table = counts if counts is not None else load_counts(inputs.data, network=inputs.base)
    table = table[(table["year"] == year) & table["element"].isin(ALTERNATIVES + ("btk", "tripp"))]
    fit, not_fit = [], []
    for r in table.to_dict("records"):
        r["direction"] = r["direction"] if isinstance(r.get("direction"), str) else None
        if r["class"] != "containers" or r["unit"] != "TEU":
            not_fit.append(r | {"reason": "not a container count in TEU"})
        elif r["element"] not in ALTERNATIVES:
            not_fit.append(r | {"reason": "its volume is a busiest link, not a sum of edges a constant is put on"})
        elif r["element"] == "deep-sea-asia-europe":
            not_fit.append(r | {"reason": "the deep-sea trade (millions of TEU) is outside the demand, which holds the "
                                          "boxes that went by land: no constant brings it into the model"})
        else:
            fit.append(r)
    return fit, not_fit


def _volume(result: AssignmentResult, links: np.ndarray) -> float:
    return float(np.asarray(result.flows)[links].sum())


def _fit_logit(run: _Runner, keys: list[Key], links: dict[Key, np.ndarray], observed: dict[Key, float],
               lower: dict[Key, float], vot: float, tolerance: float, max_rounds: int) -> tuple[dict, dict]:
    c = {k: 0.0 for k in keys}
    seen: dict[Key, tuple[float, float]] = {}   # the previous (constant, ln model) of each key
    rounds = 0
    for rounds in range(1, max_rounds + 1):
        res = run.run(c)
        model = {k: np.log(max(_volume(res, links[k]), 1e-6)) for k in keys}
        if all(abs(np.exp(model[k]) - observed[k]) <= tolerance * observed[k] for k in keys):
            break
        for k in keys:
            # ln(model/observed)/θ is exact for a small share; where the alternative holds most of its market
            # ln(model) moves less per unit of constant, so the slope of the last two iterates is used instead
            slope = -run.theta / vot
            if k in seen and abs(c[k] - seen[k][0]) > 1e-9:
                measured = (model[k] - seen[k][1]) / (c[k] - seen[k][0])
                slope = measured if measured < 0 else slope
            seen[k] = (c[k], model[k])
            step = (np.log(observed[k]) - model[k]) / slope
            c[k] = float(np.clip(c[k] + step, lower[k], UPPER_USD))
    return c, {k: rounds for k in keys}


def _fit_ue(run: _Runner, keys: list[Key], links: dict[Key, np.ndarray], observed: dict[Key, float],
            lower: dict[Key, float], tolerance: float, max_rounds: int) -> tuple[dict, dict]:
    c = {k: 0.0 for k in keys}
    iterations = {k: 0 for k in keys}
    for _ in range(max_rounds):
        moved = False
        for k in keys:
            def miss(x: float, k: Key = k) -> float:
                iterations[k] += 1
                return _volume(run.run(c | {k: x}), links[k]) - observed[k]
            now = miss(c[k])
            if abs(now) <= tolerance * observed[k]:
                continue
            lo, hi = miss(lower[k]), miss(UPPER_USD)
            best = lower[k] if abs(lo) < abs(hi) else UPPER_USD   # out of reach: the nearer end
            if lo * hi < 0:
                try:
                    best = brentq(miss, lower[k], UPPER_USD, xtol=1.0, rtol=1e-6, maxiter=40)
                except ValueError:   # a step of UE flows re-evaluated at an end: keep the nearer end
                    pass
            moved |= abs(best - c[k]) > 1.0
            c[k] = float(best)
        if not moved:
            break
    return c, iterations


def estimate_constants(inputs: FreightInputs | None = None, *, year: int = BASE_YEAR, algorithm: str = "bush",
                       theta: float = DEFAULT_THETA, gap: float | None = None, counts: pd.DataFrame | None = None,
                       tolerance: float = DEFAULT_TOLERANCE, max_rounds: int = 3,
                       with_elasticities: bool = True) -> ChoiceFit:
    """Estimate one constant per corridor count of ``year`` (module docstring) on the demand of ``inputs``.

    Parameters
    ----------
    inputs : FreightInputs, optional
        Network, scenario, demand and cargo class (default: the bundled dataset, its demand of ``year``).
    year : int
        The counts' year and the links open in it.
    algorithm : {"bush", "sue"}
        User equilibrium (Algorithm B; any other UE name is run as it) or logit SUE with ``theta``.
    theta : float
        Logit dispersion per hour-equivalent (SUE only).
    gap : float, optional
        Equilibrium convergence (default 1e-6 relative gap for UE, 1e-3 flow change for SUE).
    counts : DataFrame, optional
        Rows in ``counts.csv``'s columns (default: the dataset's).
    tolerance : float
        A count is met when the model is within this share of it.
    max_rounds : int
        Gauss–Seidel sweeps (UE) or share-matching updates ×10 (SUE).
    with_elasticities : bool
        Also compute :func:`elasticities` with the estimated constants.

    Examples
    --------
    >>> fit = estimate_constants()                                          # doctest: +SKIP
    >>> fit.constants[["alternative", "direction", "usd_per_feu", "after"]]  # doctest: +SKIP
    """
    start = time.perf_counter()
    inputs = inputs if inputs is not None else freight_inputs(year=year)
    problem = build_problem(inputs, year=year)
    fit, not_fit = _counts(inputs, year, counts)
    keys: list[Key] = [(r["element"], r["direction"]) for r in fit]
    links = {k: alternative_links(problem, *k) for k in keys}
    observed = {k: float(r["value"]) for k, r in zip(keys, fit)}
    vot = problem.value_of_time
    lower = {k: -float(problem.toll_h[links[k]].min()) * vot if links[k].size else 0.0 for k in keys}
    run = _Runner(problem, algorithm, theta, gap)
    before = run.run({})
    if run.sue:
        c, iterations = _fit_logit(run, keys, links, observed, lower, vot, tolerance, 10 * max_rounds)
    else:
        c, iterations = _fit_ue(run, keys, links, observed, lower, tolerance, max_rounds)
    start_volume = {k: _volume(before, links[k]) for k in keys}
    probe = run.run(c)
    # a constant at its bound that moves nothing is not identifiable: keep none rather than a number
    c = {k: (0.0 if abs(_volume(probe, links[k]) - start_volume[k]) < 0.5 and (abs(c[k] - lower[k]) < 1.0
                                                                             or abs(c[k] - UPPER_USD) < 1.0)
             else c[k]) for k in keys}
    after = run.run(c)
    rows = []
    for k in keys:
        model = _volume(after, links[k])
        met = abs(model - observed[k]) <= tolerance * observed[k]
        at_bound = c[k] == 0.0 or abs(c[k] - lower[k]) < 1.0 or abs(c[k] - UPPER_USD) < 1.0
        rows.append({"alternative": k[0], "direction": k[1], "class": inputs.settings.cargo_class, "year": year,
                     "usd_per_feu": c[k], "lower": lower[k], "observed": observed[k],
                     "before": start_volume[k], "after": model,
                     "difference_pct": 100.0 * (model - observed[k]) / observed[k], "iterations": iterations[k],
                     "status": "fitted" if met else ("bounded" if at_bound else "stepped")})
    elastic = elasticities(problem, c, run=run) if with_elasticities else pd.DataFrame()
    cols = ["element", "class", "year", "value", "unit", "direction", "source", "reason"]
    return ChoiceFit(year, inputs.settings.cargo_class, run.algorithm, theta if run.sue else None, vot,
                     pd.DataFrame(rows), pd.DataFrame(not_fit, columns=cols)[cols] if not_fit else
                     pd.DataFrame(columns=cols), elastic, run.count, time.perf_counter() - start)


def _users(problem: CorridorProblem, result: AssignmentResult, links: np.ndarray, band_h: float) -> tuple[float, float]:
    """(demand TEU, demand-weighted mean cost in hours-equivalent) of the zone pairs for which a route across
    ``links`` costs at most ``band_h`` more than their cheapest route at the equilibrium link costs (0 for
    UE: the corridor is on a cheapest route; 1/θ for logit: routes whose odds are at least 1/e of the best)."""
    z, n = problem.num_zones, problem.num_nodes
    cost = np.asarray(result.cost, dtype=float) + 1e-9
    to = np.where(problem.to_node < z, problem.to_node + n, problem.to_node)   # zones are not passed through
    graph = csr_matrix((cost, (problem.from_node, to)), shape=(n + z,) * 2)
    rows = np.flatnonzero(problem.matrix.sum(axis=1) > 0)
    cols = np.flatnonzero(problem.matrix.sum(axis=0) > 0)
    ahead = dijkstra(graph, indices=rows)                               # origin → every node
    behind = dijkstra(graph.T.tocsr(), indices=n + cols)               # every node → destination
    best = ahead[:, n + cols]
    via = np.min([ahead[:, [problem.from_node[k]]] + cost[k] + behind[:, to[k]][None, :] for k in links], axis=0)
    demand = problem.matrix[np.ix_(rows, cols)]
    uses = (via <= best + band_h + 1e-6 * np.maximum(best, 1.0)) & (demand > 0)
    total = float(demand[uses].sum())
    return total, float((demand[uses] * best[uses]).sum() / total) if total else float("nan")


def elasticities(problem: CorridorProblem, constants: dict[Key, float], *, run: _Runner | None = None,
                 algorithm: str = "bush", theta: float = DEFAULT_THETA) -> pd.DataFrame:
    """Per constant's alternative: its volume, the market of the zone pairs that use it, and the change of
    its volume when its door-to-door cost rises 10 % and when its time rises a day (module docstring).

    Columns: ``alternative``, ``direction``, ``volume``, ``market_teu``, ``share`` (volume ÷ market),
    ``mean_cost_h``, ``volume_cost10``, ``change_cost10_pct``, ``elasticity_cost`` (% change ÷ 10 %),
    ``volume_day``, ``change_day_pct``, ``share_day`` and ``published`` (the ranges beside it).
    """
    run = run if run is not None else _Runner(problem, algorithm, theta, None)
    base = run.run(constants)
    rows = []
    for key in constants:
        links = alternative_links(problem, *key)
        v0 = _volume(base, links)
        market, mean_cost = _users(problem, base, links, 1.0 / run.theta if run.sue else 0.0)
        extra = np.zeros(problem.from_node.size)
        extra[links] = 0.1 * mean_cost if np.isfinite(mean_cost) else 0.0
        run.last = base   # each change from the same equilibrium (UE link flows are not unique)
        v_cost = _volume(run.run(constants, extra), links)
        extra[links] = 24.0
        run.last = base
        v_day = _volume(run.run(constants, extra), links)
        def pct(v: float, v0: float = v0) -> float:
            return 100.0 * (v - v0) / v0 if v0 else float("nan")
        rows.append({"alternative": key[0], "direction": key[1], "volume": v0, "market_teu": market,
                     "share": v0 / market if market else float("nan"), "mean_cost_h": mean_cost,
                     "volume_cost10": v_cost, "change_cost10_pct": pct(v_cost),
                     "elasticity_cost": pct(v_cost) / 10.0, "volume_day": v_day, "change_day_pct": pct(v_day),
                     "share_day": v_day / market if market else float("nan"), "published": PUBLISHED})
    run.last = base   # leave the warm start at the fitted constants
    return pd.DataFrame(rows)


#: what the published studies say, set beside the elasticities (sources.csv rows); none found gives a number
#: for China–Europe corridors, so these are the signs and orders of magnitude of freight mode choice
PUBLISHED = ("freight price elasticities mostly inelastic (|e| < 1), larger where modes compete [OUM-1990]; "
             "intermodal containers inelastic, less so over long hauls [JOURQUIN-EJTIR]; rail elastic in a "
             "European network model [BEUTHE-GTM]")


def write_constants(fit: ChoiceFit, path: Path | str) -> Path:
    """Write :meth:`ChoiceFit.constant_rows` as a ``constants.csv``."""
    out = Path(path)
    fit.constant_rows().to_csv(out, index=False)
    return out


__all__ = ["DEFAULT_TOLERANCE", "PUBLISHED", "SOURCE_ID", "UPPER_USD", "ChoiceFit", "elasticities",
           "estimate_constants", "write_constants"]
