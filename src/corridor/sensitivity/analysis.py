"""Global sensitivity of the headline answers to every estimate within its range (SALib).

Morris elementary effects screen every estimate a headline answer reads (``r`` trajectories,
``r (k + 1)`` evaluations for ``k`` estimates); Sobol indices (Saltelli's sampling, first order and
total) then rank the top ones, the others held as given. Each estimate varies uniformly over its
range in ``uncertainty.csv``. An answer's effect is compared across answers relative to its size: μ*
over the answer with every figure as given (days, TEU, bcm), and for a ranking over the number of pairs
of corridors it orders; an estimate's score is its largest relative effect on any answer.
The tornado plot's swings are one-at-a-time: each top estimate at the low and high end of its range.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import validate
from ..formats.json import records
from ..freight.warm_solves import WarmSolves
from ..parallel import run_tasks
from .answers import answer_names, answers, corridor_orders, group_of
from .factors import Factor, Inputs, estimate_factors, load_inputs, perturb

METHODS = ("morris", "sobol")
#: Morris trajectories by default: k + 1 evaluations each for k estimates (~40 in the bundled dataset); an
#: evaluation is ~0.3-0.6 s of work on a free core (benchmarks/sensitivity.py), so 10 fit ~2 min on 2 cores
DEFAULT_TRAJECTORIES = 10
#: estimates that Sobol ranks after the screening, and its base sample (a power of 2)
DEFAULT_TOP = 5
DEFAULT_SAMPLES = 32
#: grid levels of the Morris design
LEVELS = 4
#: estimates drawn in the tornado plot
TORNADO = 10
#: sample rows per task sent to a worker; neighbouring rows of a Morris trajectory differ in one estimate,
#: and each row's equilibria warm-start from the row before's (the first row of a chunk solves cold)
CHUNK = 8


@dataclass(frozen=True)
class Design:
    """What every evaluation needs (sent once to each worker)."""

    inputs: Inputs
    factors: tuple[Factor, ...]
    orders: tuple[tuple[str, ...], ...]
    #: warm-start each equilibrium from the last one of its chunk (:mod:`corridor.freight.warm_solves`)
    share: bool = True


def evaluate(design: Design, rows: np.ndarray) -> np.ndarray:
    """The answers (one row each) for each row of factor values, each equilibrium warm from the row before's."""
    solves = WarmSolves(share=design.share)
    return np.vstack([answers(perturb(design.inputs, list(design.factors), x), design.orders, solves=solves)
                      for x in rows])


@dataclass(frozen=True)
class SensitivityResult:
    """The estimates ranked by how far they move the headline answers.

    ``ranking``: one row per estimate read, highest ``score`` first (``rank``, ``source``, ``title``,
    ``scale``, ``low``, ``high``, ``figures``, ``score``, ``answer`` it moves most, and its largest
    relative effect on each answer group). ``effects``: Morris μ*, μ, σ per estimate and answer (and
    ``relative``, μ* over the answer's size). ``sobol``: S1 and ST of the top estimates (empty for
    Morris alone). ``swings``: the tornado plot's one-at-a-time changes per group at ``low`` and ``high``.
    """

    method: str
    answers: dict[str, float]
    ranking: pd.DataFrame
    effects: pd.DataFrame
    sobol: pd.DataFrame
    swings: pd.DataFrame
    not_read: list[str]
    evaluations: int
    seconds: float
    settings: dict[str, Any] = field(default_factory=dict)

    def top(self, n: int = 10) -> list[str]:
        """The ``n`` estimates that move the answers most."""
        return self.ranking["source"].head(n).tolist()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: settings, the answers as given, the ranked list, the effects, Sobol and the swings."""
        return {"method": self.method, **self.settings, "evaluations": self.evaluations,
                "seconds": round(self.seconds, 2), "answers": self.answers, "ranking": records(self.ranking),
                "not_read": self.not_read, "effects": records(self.effects), "sobol": records(self.sobol),
                "swings": records(self.swings)}


def sensitivity(data: Path | str | None = None, *, method: str = "morris",
                trajectories: int = DEFAULT_TRAJECTORIES, top: int = DEFAULT_TOP, samples: int = DEFAULT_SAMPLES,
                workers: int = 1, ray_address: str | None = None, seed: int = 0,
                progress: Any = None) -> SensitivityResult:
    """Rank the estimates of a dataset by how far, within their ranges, they move the headline answers.

    Parameters
    ----------
    data : path, optional
        The dataset folder (the bundled one by default); it needs ``uncertainty.csv``.
    method : {"morris", "sobol"}
        Morris screening of every estimate; ``sobol`` adds Sobol indices of the ``top`` estimates.
    trajectories : int
        Morris trajectories (each costs one evaluation per estimate, plus one).
    top : int
        Estimates that Sobol ranks (``sobol`` only).
    samples : int
        Sobol's base sample, rounded up to a power of 2 (``samples (top + 2)`` evaluations).
    workers : int
        Local processes; with ``ray_address`` the CPUs of a local Ray cluster.
    ray_address : str, optional
        ``host:port`` of a Ray cluster, or ``local``.
    seed : int
        Seed of the designs (the same seed gives the same result).

    Examples
    --------
    >>> result = sensitivity(trajectories=2)       # doctest: +SKIP
    >>> result.top(3)                              # doctest: +SKIP
    """
    method = validate.choice(method, METHODS, "method")
    validate.whole(trajectories, "trajectories", 2, 1000)
    validate.whole(top, "top", 1, 100)
    validate.whole(samples, "samples", 2, 2 ** 14)
    started = time.perf_counter()
    inputs = load_inputs(data)
    factors, not_read = estimate_factors(inputs, data)
    names = answer_names(inputs)
    design = Design(inputs, tuple(factors), tuple(tuple(o) for o in corridor_orders(inputs)))
    base = answers(inputs, design.orders)
    run = {"workers": workers, "ray_address": ray_address, "progress": progress}
    problem = salib_problem(factors)
    from SALib.sample import morris as morris_sample  # SALib (and scipy.stats) load only when a screening runs
    x = morris_sample.sample(problem, trajectories, num_levels=LEVELS, seed=seed)
    y = run_design(design, x, "Morris screening", **run)
    effects = _morris(problem, x, y, names, base, design, seed)
    ranking = _ranking(factors, effects)
    chosen = [factors[i] for i in _order(factors, ranking)][: max(top, TORNADO)]
    swings = _swings(design, chosen[:TORNADO], names, base, run)
    evaluations = len(x) + 2 * min(TORNADO, len(chosen))
    sobol = pd.DataFrame(columns=["source", "answer", "S1", "S1_conf", "ST", "ST_conf"])
    if method == "sobol":
        sobol, n = _sobol(design, chosen[:top], names, 2 ** math.ceil(math.log2(samples)), seed, run)
        evaluations += n
    settings = {"trajectories": trajectories, "levels": LEVELS, "top": top, "samples": samples, "seed": seed,
                "estimates": len(factors), "workers": workers, "engine": "ray" if ray_address else "processes"}
    return SensitivityResult(method, dict(zip(names, map(float, base))), ranking, effects, sobol, swings, not_read,
                             evaluations, time.perf_counter() - started, settings)


def salib_problem(factors: list[Factor]) -> dict[str, Any]:
    """SALib's problem: one variable per estimate, uniform over its range."""
    return {"num_vars": len(factors), "names": [f.source for f in factors], "bounds": [[f.low, f.high] for f in factors]}


def run_design(design: Design, x: np.ndarray, what: str, *, workers: int, ray_address: str | None,
               progress: Any) -> np.ndarray:
    """The answers of every row of ``x`` (serially, on ``workers`` processes or on Ray), ``CHUNK`` rows per task."""
    chunks = np.array_split(x, max(1, math.ceil(len(x) / CHUNK)))
    out = run_tasks(evaluate, design, chunks, workers=workers, ray_address=ray_address, description=what,
                    progress=progress, weights=[len(c) for c in chunks])
    return np.vstack(out)


def _scales(names: list[str], base: np.ndarray, design: Design) -> np.ndarray:
    """The size each answer's effects are divided by: the answer as given, or the pairs a ranking orders."""
    pairs = {f"ranking {n.removeprefix('days ')}": len(o) * (len(o) - 1) / 2
             for n, o in zip([n for n in names if n.startswith("days ")], design.orders)}
    return np.array([max(pairs.get(n, abs(b)), 1e-9) for n, b in zip(names, base)])


def _morris(problem: dict[str, Any], x: np.ndarray, y: np.ndarray, names: list[str], base: np.ndarray,
            design: Design, seed: int) -> pd.DataFrame:
    scale = _scales(names, base, design)
    rows = []
    for j, name in enumerate(names):
        column = y[:, j]
        if not np.isfinite(column).all():
            continue  # an answer some evaluations could not give (no route): left out of the ranking
        from SALib.analyze import morris as morris_analyze
        si = morris_analyze.analyze(problem, x, column, num_levels=LEVELS, seed=seed)
        for i, source in enumerate(problem["names"]):
            rows.append({"source": source, "answer": name, "group": group_of(name), "mu_star": si["mu_star"][i],
                         "mu": si["mu"][i], "sigma": si["sigma"][i], "mu_star_conf": si["mu_star_conf"][i],
                         "relative": si["mu_star"][i] / scale[j]})
    return pd.DataFrame(rows)


def _ranking(factors: list[Factor], effects: pd.DataFrame) -> pd.DataFrame:
    by_group = effects.pivot_table(index="source", columns="group", values="relative", aggfunc="max")
    best = effects.loc[effects.groupby("source")["relative"].idxmax()].set_index("source")
    frame = pd.DataFrame([{"source": f.source, "title": f.title, "scale": f.scale, "low": f.low, "high": f.high,
                           "figures": f.figures, "score": float(best.at[f.source, "relative"]),
                           "answer": best.at[f.source, "answer"] if best.at[f.source, "relative"] > 0 else "",
                           **by_group.loc[f.source].to_dict()} for f in factors])
    frame = frame.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)
    frame.insert(0, "rank", np.arange(1, len(frame) + 1))
    return frame


def _order(factors: list[Factor], ranking: pd.DataFrame) -> list[int]:
    index = {f.source: i for i, f in enumerate(factors)}
    return [index[s] for s in ranking["source"]]


def _swings(design: Design, chosen: list[Factor], names: list[str], base: np.ndarray,
            run: dict[str, Any]) -> pd.DataFrame:
    """One-at-a-time: each chosen estimate at each end of its range, the others as given; the change of each
    answer group relative to its size (days: mean over the questions; ranking: swaps over pairs ordered)."""
    factors = list(design.factors)
    where = {f.source: i for i, f in enumerate(factors)}
    x = np.tile([f.base for f in factors], (2 * len(chosen), 1))
    for k, f in enumerate(chosen):
        x[2 * k, where[f.source]], x[2 * k + 1, where[f.source]] = f.low, f.high
    y = run_design(design, x, "tornado swings", **run) if len(x) else np.empty((0, len(names)))
    scale = _scales(names, base, design)
    groups = np.array([group_of(n) for n in names])
    rows = []
    for k, f in enumerate(chosen):
        for g in dict.fromkeys(groups):
            on = groups == g
            lo, hi = ((y[2 * k + e, on] - base[on]) / scale[on] for e in (0, 1))
            rows.append({"source": f.source, "group": g, "low": float(np.nanmean(lo)), "high": float(np.nanmean(hi))})
    return pd.DataFrame(rows, columns=["source", "group", "low", "high"])


def _sobol(design: Design, chosen: list[Factor], names: list[str], n: int, seed: int,
           run: dict[str, Any]) -> tuple[pd.DataFrame, int]:
    factors = list(design.factors)
    where = [factors.index(f) for f in chosen]
    problem = salib_problem(chosen)
    from SALib.sample import sobol as sobol_sample
    sample = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    x = np.tile([f.base for f in factors], (len(sample), 1))
    x[:, where] = sample
    y = run_design(design, x, "Sobol indices", **run)
    rows = []
    for j, name in enumerate(names):
        column = y[:, j]
        if not np.isfinite(column).all():
            continue
        if np.ptp(column) == 0:  # the answer does not move: no variance to share out
            si = {k: np.zeros(len(chosen)) for k in ("S1", "S1_conf", "ST", "ST_conf")}
        else:
            from SALib.analyze import sobol as sobol_analyze
            si = sobol_analyze.analyze(problem, column, calc_second_order=False, seed=seed)
        rows += [{"source": f.source, "answer": name, **{k: float(si[k][i]) for k in ("S1", "S1_conf", "ST", "ST_conf")}}
                 for i, f in enumerate(chosen)]
    return pd.DataFrame(rows, columns=["source", "answer", "S1", "S1_conf", "ST", "ST_conf"]), len(x)
