"""Transit-time reliability: Monte Carlo over the time components of a route.

Every edge of a route (a run, a border, a port or gauge transfer, a wait for a sailing, the handling at
either end) gets a distribution from ``reliability.csv``; Caspian and other ports add weather closures
by month. :func:`simulate` draws ``samples`` door-to-door times, vectorised over samples × components in
chunks of bounded size, and returns a :class:`TransitDistribution` (quantiles, mean, chance to arrive
by a deadline). :func:`plot_distributions` overlays several of them.

Distributions (``mean`` is the edge's deterministic hours ``h`` unless stated):

``fixed``      h.
``gamma``      Gamma with mean h and coefficient of variation ``cv`` (shape 1/cv², scale h·cv²).
``lognormal``  Lognormal with mean h and ``cv`` (σ² = ln(1+cv²), μ = ln h − σ²/2): a long right tail.
``headway``    Uniform(0, 2h): the wait for the next of sailings a headway 2h apart, arriving at random
               (h is half the headway, as in the graph).
``late``       h + Bernoulli(``late_share``) × Exponential(``late_mean_h``): schedule reliability; adds
               ``late_share × late_mean_h`` to the mean.
closures       per crossing: Bernoulli(``closure_share``) × Exponential(``closure_mean_h``), arriving
               during a weather closure and waiting out its remainder; adds ``share × mean_h``.

Correlations: rows marked ``shared`` give every component they match on one route a single common
draw (their hours are summed, then drawn once: perfectly correlated, e.g. the rail running time of one
train); closures with the same ``storm_group`` on one route share one storm draw, and a crossing is
blocked when either of its ports is (one storm closes Aktau and Kuryk alike, so the share is the larger
of the two).

Complexity: O(samples × components) draws; memory O(chunk × components + samples) (the sample of
totals is kept for exact quantiles: 80 MB for 10 million samples).
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InvalidOptionError
from ..graph import KINDS
from ..network.reliability_table import ReliabilityRow, ReliabilityTable, load_reliability
from ..network.schema import LAYERS, MODES
from ..routing import Route, Router

#: the largest sample accepted: 20 million totals take 160 MB, and the quantiles a copy of that
MAX_SAMPLES = 20_000_000
#: default chunk: this many variates per family per block (16 MB of float64)
CHUNK_VARIATES = 1 << 21
QUANTILES = (0.10, 0.50, 0.90, 0.95)

_K = {name: i for i, name in enumerate(KINDS)}
_WATER = {LAYERS.index("ferry"): "ferry", LAYERS.index("sea"): "sea"}
_RAIL_LAYERS = {i for i, name in enumerate(LAYERS) if name.startswith("rail")}


@dataclass(frozen=True)
class Component:
    """One time component of a route and the row of ``reliability.csv`` that sets its distribution."""

    edge: int
    component: str
    mode: str | None
    country: str
    places: tuple[str, ...]
    link: str | None
    hours: float
    row: ReliabilityRow | None


@dataclass
class _Plan:
    """A route's components in one month, compiled into parameter arrays by family."""

    fixed_h: float = 0.0
    gamma_shape: list[float] = field(default_factory=list)
    gamma_scale: list[float] = field(default_factory=list)
    logn_mu: list[float] = field(default_factory=list)
    logn_sigma: list[float] = field(default_factory=list)
    headway_h: list[float] = field(default_factory=list)
    bern_p: list[float] = field(default_factory=list)       # late arrivals and closures
    bern_mean_h: list[float] = field(default_factory=list)

    @property
    def n_stochastic(self) -> int:
        return len(self.gamma_shape) + len(self.logn_mu) + len(self.headway_h) + len(self.bern_p)

    def add(self, family: str, hours: float, row: ReliabilityRow) -> None:
        if hours <= 0 or family == "fixed" or (family in ("gamma", "lognormal") and row.cv == 0):
            self.fixed_h += max(hours, 0.0)
            return
        if family == "gamma":
            self.gamma_shape.append(1.0 / row.cv ** 2)
            self.gamma_scale.append(hours * row.cv ** 2)
        elif family == "lognormal":
            s2 = float(np.log1p(row.cv ** 2))
            self.logn_mu.append(float(np.log(hours)) - s2 / 2)
            self.logn_sigma.append(s2 ** 0.5)
        elif family == "headway":
            self.headway_h.append(2.0 * hours)
        elif family == "late":
            self.fixed_h += hours
            if row.late_share > 0 and row.late_mean_h > 0:
                self.bern_p.append(row.late_share)
                self.bern_mean_h.append(row.late_mean_h)
        else:  # pragma: no cover - the table validates families
            raise ValueError(family)

    def mean_h(self) -> float:
        return (self.fixed_h + float(np.dot(self.gamma_shape, self.gamma_scale))
                + float(np.sum(np.exp(np.asarray(self.logn_mu) + np.asarray(self.logn_sigma) ** 2 / 2)))
                + float(np.sum(self.headway_h)) / 2 + float(np.dot(self.bern_p, self.bern_mean_h)))

    def sample(self, rng: np.random.Generator, n: int, out: np.ndarray) -> None:
        """Write ``n`` sampled totals (hours) into ``out[:n]``."""
        out[:n] = self.fixed_h
        if self.gamma_shape:
            shape = np.asarray(self.gamma_shape)
            draws = rng.standard_gamma(shape, size=(n, len(shape)))
            out[:n] += draws @ np.asarray(self.gamma_scale)
        if self.logn_mu:
            z = rng.standard_normal((n, len(self.logn_mu)))
            z *= np.asarray(self.logn_sigma)
            z += np.asarray(self.logn_mu)
            np.exp(z, out=z)
            out[:n] += z.sum(axis=1)
        if self.headway_h:
            u = rng.random((n, len(self.headway_h)))
            out[:n] += u @ np.asarray(self.headway_h)
        if self.bern_p:
            hit = rng.random((n, len(self.bern_p))) < np.asarray(self.bern_p)
            e = rng.standard_exponential((n, len(self.bern_p)))
            e *= hit
            out[:n] += e @ np.asarray(self.bern_mean_h)


def _component_of(router: Router, e: int) -> tuple[str, str | None, str, tuple[str, ...]] | None:
    """(component, mode, country, places) of an edge; None for a connector."""
    g = router.graph
    kind = int(g.kind[e])
    mode = MODES[g.mode[e]] if g.mode[e] >= 0 else None
    a, b = int(g.from_place[e]), int(g.to_place[e])
    pa, pb = str(g.place_ids[a]), str(g.place_ids[b])
    country = str(g.place_country[a])
    if kind == _K["connector"]:
        return None
    if kind == _K["run"]:
        return "run", mode, country, (pa,)
    if kind in (_K["load"], _K["unload"]):
        return "handling", mode, country, (pa,)
    if kind == _K["border"]:
        return "border", mode, str(g.place_country[b]), (pa, pb)  # the country entered
    if kind == _K["wait"]:
        return "wait", mode, country, (pa,)
    # a transfer between layers of one place
    la, lb = int(g.node_layer[g.src[e]]), int(g.node_layer[g.dst[e]])
    water = _WATER.get(la) or _WATER.get(lb)
    if water:
        return "port", water, country, (pa,)
    if la in _RAIL_LAYERS and lb in _RAIL_LAYERS:
        return "gauge", "rail", country, (pa,)
    return "transfer", None, country, (pa,)


def route_components(router: Router, route: Route, table: ReliabilityTable, month: int = 1) -> list[Component]:
    """The time components of a route with the row of ``reliability.csv`` each one uses in ``month``."""
    g = router.graph
    link_ids = router.network.links["id"].to_numpy(dtype=object)
    out = []
    for e in np.asarray(route.edges, dtype=np.int64):
        what = _component_of(router, int(e))
        if what is None:
            continue
        component, mode, country, places = what
        link = str(link_ids[g.link[e]]) if g.link[e] >= 0 else None
        row = table.lookup(component, mode=mode, country=country, places=places, link=link, month=month)
        out.append(Component(int(e), component, mode, country, places, link, float(g.hours[e]), row))
    return out


def _closures(router: Router, route: Route, table: ReliabilityTable, month: int) -> list[tuple[float, float, str]]:
    """Per storm group on the route: (closure share, mean closure hours, group)."""
    g = router.graph
    groups: dict[str, tuple[float, float]] = {}
    for e in np.asarray(route.edges, dtype=np.int64):
        if g.kind[e] != _K["run"] or g.mode[e] < 0:
            continue
        mode = MODES[g.mode[e]]
        for p in (int(g.from_place[e]), int(g.to_place[e])):
            row = table.lookup("closure", mode=mode, country=str(g.place_country[p]), places=(str(g.place_ids[p]),),
                               month=month)
            if row is None or row.closure_share <= 0:
                continue
            # no storm group: a closure of its own, independent of any other
            key = row.storm_group or f"{int(e)}:{p}"
            share, mean_h = groups.get(key, (0.0, 0.0))
            if row.closure_share > share:
                share, mean_h = row.closure_share, row.closure_mean_h
            groups[key] = (share, mean_h)
    return [(share, mean_h, key) for key, (share, mean_h) in groups.items()]


def _plan(router: Router, route: Route, table: ReliabilityTable, month: int) -> _Plan:
    plan = _Plan()
    shared: dict[int, tuple[ReliabilityRow, float]] = {}
    for c in route_components(router, route, table, month):
        if c.row is None:
            raise InvalidOptionError(f"{table.path}: no row for component {c.component!r} "
                                     f"(mode {c.mode}, {c.country}, {'/'.join(c.places)}); add a catch-all row")
        if c.row.shared:
            row, hours = shared.get(c.row.line, (c.row, 0.0))
            shared[c.row.line] = (row, hours + c.hours)
        else:
            plan.add(c.row.family or "fixed", c.hours, c.row)
    for row, hours in shared.values():
        plan.add(row.family or "fixed", hours, row)
    for share, mean_h, _ in _closures(router, route, table, month):
        if mean_h > 0:
            plan.bern_p.append(share)
            plan.bern_mean_h.append(mean_h)
    return plan


@dataclass(frozen=True)
class TransitDistribution:
    """Sampled door-to-door transit times of one route (days).

    Attributes
    ----------
    corridor : str
        The route's corridor label.
    days : ndarray
        The sampled transit times, days (float64, one per sample).
    deterministic_days : float
        The route's deterministic time (the sum of its edges' hours / 24).
    month : int or None
        The month simulated (None: all year, months in proportion to their days).
    seed : int
    """

    corridor: str
    days: np.ndarray = field(repr=False)
    deterministic_days: float
    month: int | None
    seed: int
    quantiles: dict[float, float] = field(default_factory=dict)

    @property
    def samples(self) -> int:
        return len(self.days)

    @property
    def p10(self) -> float:
        return self.quantiles[0.10]

    @property
    def p50(self) -> float:
        return self.quantiles[0.50]

    @property
    def p90(self) -> float:
        return self.quantiles[0.90]

    @property
    def p95(self) -> float:
        return self.quantiles[0.95]

    @property
    def mean(self) -> float:
        return float(self.days.mean())

    @property
    def std(self) -> float:
        return float(self.days.std())

    def quantile(self, q: float | Sequence[float]) -> Any:
        """Quantile(s) of the transit time, days."""
        return np.quantile(self.days, q)

    def on_time_probability(self, deadline_days: float) -> float:
        """The share of samples that arrive within ``deadline_days``."""
        if not np.isfinite(deadline_days) or deadline_days < 0:
            raise InvalidOptionError(f"the deadline must be a non-negative number of days, not {deadline_days}")
        return float(np.count_nonzero(self.days <= deadline_days)) / len(self.days)

    def to_dict(self, deadline_days: float | None = None) -> dict[str, Any]:
        """The summary as JSON-ready data: p10/p50/p90/p95/mean/std days (and the on-time share)."""
        out: dict[str, Any] = {f"p{int(q * 100)}_days": round(v, 2) for q, v in self.quantiles.items()}
        out.update(mean_days=round(self.mean, 2), std_days=round(self.std, 2))
        if deadline_days is not None:
            out["on_time_probability"] = round(self.on_time_probability(deadline_days), 4)
        return out

    def to_frame(self) -> pd.DataFrame:
        """The summary as a one-row DataFrame."""
        return pd.DataFrame([{"corridor": self.corridor, **self.to_dict(), "samples": self.samples}])


def _check(samples: int, month: int | None, seed: int, chunk: int | None) -> None:
    if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) or not 1 <= samples <= MAX_SAMPLES:
        raise InvalidOptionError(f"samples must be a whole number from 1 to {MAX_SAMPLES:,}, not {samples!r}")
    if month is not None and (isinstance(month, bool) or not isinstance(month, (int, np.integer)) or not 1 <= month <= 12):
        raise InvalidOptionError(f"month must be 1 (January) to 12 (December), not {month!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InvalidOptionError(f"seed must be a non-negative whole number, not {seed!r}")
    if chunk is not None and (not isinstance(chunk, (int, np.integer)) or chunk < 1):
        raise InvalidOptionError(f"chunk must be a positive whole number of samples, not {chunk!r}")


def _month_split(samples: int) -> list[tuple[int, int]]:
    """Samples per month in proportion to its days (largest remainder), as (month, count)."""
    days = np.array([calendar.monthrange(2023, m)[1] for m in range(1, 13)], dtype=float)
    exact = samples * days / days.sum()
    count = np.floor(exact).astype(int)
    for i in np.argsort(-(exact - count), kind="stable")[: samples - count.sum()]:
        count[i] += 1
    return [(m + 1, int(c)) for m, c in enumerate(count) if c]


@lru_cache(maxsize=1)
def _default_table() -> ReliabilityTable:
    return load_reliability()


def simulate(router: Router, route: Route, *, samples: int = 100_000, month: int | None = None, seed: int = 0,
             chunk: int | None = None, table: ReliabilityTable | None = None) -> TransitDistribution:
    """Sample the door-to-door transit time of a route.

    Parameters
    ----------
    router : Router
        The router that found ``route`` (its graph gives the edges).
    route : Route
    samples : int
        How many door-to-door times to draw (1 to ``MAX_SAMPLES``).
    month : int, optional
        1–12: the month of departure, which sets the weather closures and any seasonal row. None draws
        every month in proportion to its days (the all-year distribution).
    seed : int
        Same seed, samples, month and chunk → the same result, bit for bit.
    chunk : int, optional
        Samples per block; by default about 2 million variates per block (memory stays bounded: about
        250 MB peak for 10 million samples, most of it the sample of totals and its quantile copy).
    table : ReliabilityTable, optional
        The component distributions; the bundled ``reliability.csv`` by default (see
        :func:`corridor.network.reliability_table.load_reliability` to read another dataset's).

    Returns
    -------
    TransitDistribution

    Raises
    ------
    InvalidOptionError
        A bad sample count, month, seed or chunk, or a component without a row in the table.

    Examples
    --------
    >>> router = Router()
    >>> best = router.route("Xi'an", "Duisburg")[0]
    >>> dist = simulate(router, best, samples=10_000, month=12, seed=1)
    >>> dist.p10 <= dist.p50 <= dist.p90
    True
    """
    _check(samples, month, seed, chunk)
    table = table if table is not None else _default_table()
    strata = [(month, samples)] if month is not None else _month_split(samples)
    seqs = np.random.SeedSequence(seed).spawn(12)
    days = np.empty(samples, dtype=np.float64)
    start = 0
    for m, count in strata:
        plan = _plan(router, route, table, m)
        rng = np.random.default_rng(seqs[m - 1])
        block = chunk or max(1, CHUNK_VARIATES // max(1, plan.n_stochastic))
        for lo in range(0, count, block):
            n = min(block, count - lo)
            plan.sample(rng, n, days[start + lo: start + lo + n])
        start += count
    days /= 24.0
    qs = np.quantile(days, QUANTILES)
    return TransitDistribution(corridor=route.corridor, days=days, deterministic_days=route.total_hours / 24,
                               month=month, seed=int(seed), quantiles=dict(zip(QUANTILES, map(float, qs))))


def expected_hours(router: Router, route: Route, *, month: int, table: ReliabilityTable | None = None) -> float:
    """The exact mean door-to-door time (hours) the model implies in a month (no sampling)."""
    _check(1, month, 0, None)
    return _plan(router, route, table if table is not None else _default_table(), month).mean_h()


def plot_distributions(results: Sequence[TransitDistribution], path: Path | str, *,
                       deadline_days: float | None = None, title: str | None = None) -> Path:
    """Draw the transit-time distributions of several routes overlaid, to a PNG (or any matplotlib format).

    Each route is a histogram (share of shipments per day) with its P50 (dotted) and P90 (dashed) marked
    and given in the legend; a deadline, if given, is a black line.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if not results:
        raise InvalidOptionError("nothing to plot: no distributions given")
    path = Path(path)
    lo = min(float(np.quantile(r.days, 0.001)) for r in results)
    hi = max(float(np.quantile(r.days, 0.999)) for r in results)
    if deadline_days is not None:
        lo, hi = min(lo, deadline_days), max(hi, deadline_days)
    if hi - lo < 1e-9:
        lo, hi = lo - 0.5, hi + 0.5
    bins = np.linspace(lo, hi, 121)
    fig = Figure(figsize=(10, 5.5), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    colors = [f"C{i}" for i in range(10)]
    for i, r in enumerate(results):
        color = colors[i % 10]
        label = f"{r.corridor}: P50 {r.p50:.1f} d, P90 {r.p90:.1f} d"
        if deadline_days is not None:
            label += f", on time {100 * r.on_time_probability(deadline_days):.0f}%"
        ax.hist(r.days, bins=bins, density=True, histtype="stepfilled", alpha=0.25, color=color)
        ax.hist(r.days, bins=bins, density=True, histtype="step", linewidth=1.6, color=color,
                label=label)
        ax.axvline(r.p50, color=color, linestyle=":", linewidth=1.2)
        ax.axvline(r.p90, color=color, linestyle="--", linewidth=1.2)
    if deadline_days is not None:
        ax.axvline(deadline_days, color="black", linewidth=1.5, label=f"deadline {deadline_days:g} d")
    month = results[0].month
    when = calendar.month_name[month] if month else "all year"
    ax.set_title(title or f"Door-to-door transit time, departing {when} "
                          f"({results[0].samples:,} samples per route; dotted P50, dashed P90)")
    ax.set_xlabel("Transit time, days")
    ax.set_ylabel("Share of shipments per day")
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", fontsize=8, frameon=True)
    fig.tight_layout()
    fig.savefig(path)
    return path


__all__ = ["MAX_SAMPLES", "Component", "TransitDistribution", "expected_hours", "plot_distributions",
           "route_components", "simulate"]
