"""How much oil or gas the network delivers: max-flow with a min-cost tie-break, solved by HiGHS.

Supplies (fields, up to their production) feed a super-source, markets (up to what they take) a
super-sink, and every asset in service is an arc bounded by its capacity. Four linear programmes, each
keeping the optimum of the ones before:

0. as much as the network can carry of what markets are ``committed`` to receive (a contract), which is
   then kept in every step;
1. the most that reaches the *target* markets (Europe by default), other markets taking only their
   commitments;
2. the most that reaches every market, the target's volume kept;
3. of those flows, the one closest to the reported throughputs (least total absolute deviation), so that
   where the network leaves a choice the oil and gas go the way they are reported to go;
4. of those, the shortest (pipeline-kilometres: ``length_km``, else the length along the asset's route in
   ``energy_routes.csv``, else the great-circle distance between its ends), so that the flow on each asset
   is definite.

The binding constraints are the minimum cut of step 1: the arcs from the part of the residual network
that the super-source still reaches to the rest. Every one of them is full, and together they bound
what the target markets can get.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linprog
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import breadth_first_order

from .. import validate
from ..errors import InvalidOptionError
from ..formats.json import records
from ..network.energy_table import BASE_UNIT, COMMODITIES, UNIT_LABEL, EnergyNetwork, load_energy
from ..network.geo import haversine_km
from ..scenarios import apply_energy_scenario, load_scenario

#: what "Europe" means as a target: the EU, EFTA, the UK and the Western Balkans, Moldova and Ukraine
EUROPE = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU",
    "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO", "CH", "GB", "AL", "BA", "ME", "MK",
    "RS", "XK", "MD", "UA",
})
#: what each commodity's deliveries are maximised to by default: gas to Europe's markets; oil to every
#: market, because crude is sold at its export terminal into a world market rather than piped to a country
DEFAULT_TARGET = {"gas": "europe", "oil": "all"}
#: relative tolerance of "full" and of keeping an optimum between steps
TOL = 1e-9


@dataclass(frozen=True)
class Arcs:
    """The flow problem of one commodity as arrays: node 0…n-1, super-source ``n``, super-sink ``n + 1``."""

    nodes: list[str]
    tail: np.ndarray
    head: np.ndarray
    capacity: np.ndarray          # inf: unbounded
    cost: np.ndarray
    element: list[str]            # asset id, "supply:NODE" or "market:NODE"
    target: np.ndarray            # market arcs of the target markets
    reported: np.ndarray          # reported throughput (nan: none)
    committed: np.ndarray         # market arcs: volume served before the target (0: none)

    @property
    def source(self) -> int:
        return len(self.nodes)

    @property
    def sink(self) -> int:
        return len(self.nodes) + 1


def _targets(nodes: pd.DataFrame, to: str | list[str]) -> pd.Series:
    """Markets chosen by ``to``: ``all``, ``europe``, or market ids and country codes (any case; an unknown
    name is refused with the known ones)."""
    markets = nodes["kind"] == "market"
    items = [t for t in (to.split(",") if isinstance(to, str) else list(to)) if t.strip()]
    known = ["all", "europe", *sorted(set(nodes.loc[markets, "country"])), *sorted(nodes.index[markets])]
    wanted = set(validate.choices(items, known, "market (europe, all, a country code or a market id)"))
    if "all" in wanted:
        return markets
    chosen = markets & (nodes.index.isin(wanted) | nodes["country"].isin(wanted))
    if "europe" in wanted:
        chosen |= markets & nodes["country"].isin(EUROPE)
    if not chosen.any():
        raise InvalidOptionError(f"no market matches {to!r}: give europe, all, a country code or a market id "
                                 f"({', '.join(known[2:])})")
    return chosen


def build_arcs(energy: EnergyNetwork, commodity: str, *, to: str | list[str] = "europe",
               year: int | None = None) -> Arcs:
    """The arcs of one commodity's flow problem: assets in service in ``year``, supplies and markets."""
    if commodity not in COMMODITIES:
        raise InvalidOptionError(f"commodity must be one of {', '.join(COMMODITIES)}, not {commodity!r}")
    nodes = energy.nodes[energy.nodes["commodity"] == commodity]
    assets = energy.assets[(energy.assets["commodity"] == commodity) & energy.in_service(year)]
    index = {nid: i for i, nid in enumerate(nodes.index)}
    n = len(index)
    fields = nodes[nodes["kind"] == "field"]
    markets = nodes[nodes["kind"] == "market"]
    target = _targets(nodes, to)[markets.index].to_numpy(bool)
    # the min-cost step weighs pipeline-kilometres: the published length, else the length along the asset's
    # route (energy_routes.csv), else its ends' great-circle distance
    ends = nodes.loc[:, ["lon", "lat"]].astype(float)
    a, b = ends.loc[assets["from"]].to_numpy(), ends.loc[assets["to"]].to_numpy()
    crow = pd.Series(haversine_km(a[:, 0], a[:, 1], b[:, 0], b[:, 1]), index=assets.index)
    routed = assets["route_km"] if "route_km" in assets else pd.Series(np.nan, index=assets.index)
    length = assets["length_km"].astype(float).fillna(routed.astype(float)).fillna(crow).to_numpy()
    tail = np.concatenate([assets["from"].map(index).to_numpy(int), np.full(len(fields), n),
                           markets.index.map(index).to_numpy(int)])
    head = np.concatenate([assets["to"].map(index).to_numpy(int), fields.index.map(index).to_numpy(int),
                           np.full(len(markets), n + 1)])
    capacity = np.concatenate([assets["capacity"].to_numpy(float), fields["supply"].to_numpy(float),
                               markets["demand"].astype(float).fillna(np.inf).to_numpy()])
    cost = np.concatenate([np.maximum(length, 1.0), np.zeros(len(fields) + len(markets))])
    element = [*assets.index, *(f"supply:{f}" for f in fields.index), *(f"market:{m}" for m in markets.index)]
    is_target = np.concatenate([np.zeros(len(assets) + len(fields), bool), target])
    reported = np.concatenate([assets["throughput"].to_numpy(float), np.full(len(fields) + len(markets), np.nan)])
    committed = np.concatenate([np.zeros(len(assets) + len(fields)),
                                markets["committed"].astype(float).fillna(0.0).to_numpy()])
    return Arcs(list(nodes.index), tail, head, capacity, cost, element, is_target, reported, committed)


def _solve(arcs: Arcs, objective: np.ndarray | None, upper: np.ndarray, keep: list[tuple[np.ndarray, float]],
           deviation: float | None = None, lower: np.ndarray | None = None) -> np.ndarray:
    """One LP over the arc flows x and, for each arc with a reported throughput t, the deviations
    d+ and d- with x - d+ + d- = t. ``objective`` weighs x; ``deviation=None`` minimises the total
    deviation instead, a number keeps it below that. ``keep``: (mask, value) with sum(x[mask]) >= value."""
    n, m = len(arcs.nodes), len(arcs.tail)
    rep = np.flatnonzero(np.isfinite(arcs.reported))
    k = len(rep)
    inner, into = arcs.tail < n, arcs.head < n
    rows = np.concatenate([arcs.tail[inner], arcs.head[into], n + np.arange(k), n + np.arange(k), n + np.arange(k)])
    cols = np.concatenate([np.flatnonzero(inner), np.flatnonzero(into), rep, m + np.arange(k), m + k + np.arange(k)])
    vals = np.concatenate([-np.ones(inner.sum()), np.ones(into.sum()), np.ones(k), -np.ones(k), np.ones(k)])
    a_eq = coo_matrix((vals, (rows, cols)), shape=(n + k, m + 2 * k)).tocsr()
    b_eq = np.concatenate([np.zeros(n), arcs.reported[rep]])
    ub_rows = [np.concatenate([-mask.astype(float), np.zeros(2 * k)]) for mask, _ in keep]
    b_ub = [-(value - TOL * max(1.0, value)) for _, value in keep]
    if objective is None:
        c = np.concatenate([np.zeros(m), np.ones(2 * k)])
    else:
        c = np.concatenate([objective, np.zeros(2 * k)])
        if deviation is not None:
            ub_rows.append(np.concatenate([np.zeros(m), np.ones(2 * k)]))
            b_ub.append(deviation + TOL * max(1.0, deviation) + 1e-9)
    low = np.zeros(m) if lower is None else lower
    bounds = [(float(lo), None if np.isinf(u) else float(u)) for lo, u in zip(low, upper)] + [(0.0, None)] * (2 * k)
    res = linprog(c, A_ub=np.array(ub_rows) if ub_rows else None, b_ub=np.array(b_ub) if b_ub else None,
                  A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
    if res.status != 0:  # pragma: no cover - a flow problem with x = 0 feasible is never infeasible
        raise RuntimeError(f"HiGHS could not solve the flow problem: {res.message}")
    x = np.clip(res.x[:m], 0.0, None)
    return x if objective is not None or k == 0 else np.append(x, res.x[m:].sum())


@dataclass(frozen=True)
class Solution:
    """The flows of one solve: ``first`` (step 1, whose minimum cut is what binds), ``flow`` (the final
    flow), and the bounds of step 1 (``lower``: what committed markets are served; ``upper``)."""

    first: np.ndarray
    flow: np.ndarray
    lower: np.ndarray
    upper: np.ndarray


def solve_arcs(arcs: Arcs) -> Solution:
    """Serve the commitments, then steps 1–4 (see the module's docstring)."""
    market = arcs.head == arcs.sink
    capacity = arcs.capacity
    lower = np.zeros(len(capacity))
    if arcs.committed.any():  # step 0: as much of every commitment as the network can carry
        promised = np.minimum(arcs.committed, capacity)
        served = _solve(arcs, -(promised > 0).astype(float), np.where(market, promised, capacity), [])
        lower = np.where(promised > 0, np.minimum(served, promised) * (1 - 1e-9), 0.0)
    upper = np.where(market & ~arcs.target, lower, capacity)
    first = _solve(arcs, -arcs.target.astype(float), upper, [], lower=lower)
    keep = [(arcs.target, float(first[arcs.target].sum()))]
    second = _solve(arcs, -market.astype(float), capacity, keep, lower=lower)
    keep.append((market, float(second[market].sum())))
    deviation = None
    if np.isfinite(arcs.reported).any():
        deviation = float(_solve(arcs, None, capacity, keep, lower=lower)[-1])
    final = _solve(arcs, arcs.cost, capacity, keep, deviation=deviation, lower=lower)
    return Solution(first, final, lower, upper)


def min_cut(arcs: Arcs, solution: Solution) -> np.ndarray:
    """Arcs of the minimum cut next to the super-source, from step 1's flow and bounds: a boolean mask.

    The residual network has an arc tail → head where the flow is below its upper bound and head → tail
    where it is above its lower bound; the cut is every arc with capacity from what the super-source
    still reaches to the rest. A commitment of a market outside the target binds when that market lies
    beyond the cut (its volume crosses the full arcs, taking room from the target); one whose market
    the super-source still reaches crosses the cut itself and takes nothing from the target.
    """
    x, lower, upper = solution.first, solution.lower, solution.upper
    size = len(arcs.nodes) + 2
    eps = 1e-6 * max(1.0, float(np.max(np.where(np.isinf(arcs.capacity), 0, arcs.capacity), initial=1.0)))
    forward = upper - x > eps
    backward = x - lower > eps
    residual = csr_matrix((np.ones(forward.sum() + backward.sum()),
                           (np.concatenate([arcs.tail[forward], arcs.head[backward]]),
                            np.concatenate([arcs.head[forward], arcs.tail[backward]]))), shape=(size, size))
    seen = np.zeros(size, bool)
    seen[breadth_first_order(residual, arcs.source, directed=True, return_predecessors=False)] = True
    promised = (arcs.head == arcs.sink) & ~arcs.target & (lower > eps)
    cut = seen[arcs.tail] & ~seen[arcs.head] & (upper > eps)
    return (cut & ~promised) | (promised & ~seen[arcs.tail])


@dataclass(frozen=True)
class EnergyFlows:
    """What the network delivers: the totals, each market, each supply and each asset, and what binds.

    Attributes
    ----------
    delivered : float
        To the target markets (``target``), in ``unit`` a year.
    delivered_total : float
        To every market (the target's volume kept at its maximum).
    markets, supplies, assets : DataFrame
        One row each, with ``flow`` (and ``capacity`` and ``utilisation`` for assets).
    binding : DataFrame
        The minimum cut: the elements (assets, field supplies, market intakes) that bound ``delivered``,
        with ``why`` in plain words.
    """

    commodity: str
    unit: str
    target: str
    year: int | None
    scenario: str
    delivered: float
    delivered_total: float
    markets: pd.DataFrame
    supplies: pd.DataFrame
    assets: pd.DataFrame
    binding: pd.DataFrame
    seconds: float = 0.0

    @property
    def unit_label(self) -> str:
        return UNIT_LABEL[self.unit]

    @property
    def target_label(self) -> str:
        return {"europe": "Europe", "all": "all markets"}.get(self.target, self.target)

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain JSON-able Python."""
        return {"commodity": self.commodity, "unit": self.unit, "target": self.target, "year": self.year,
                "scenario": self.scenario, "delivered": self.delivered, "delivered_total": self.delivered_total,
                "binding": records(self.binding), "markets": records(self.markets),
                "supplies": records(self.supplies), "assets": records(self.assets), "seconds": self.seconds}

    def to_geodataframe(self, energy: EnergyNetwork) -> pd.DataFrame:
        """The assets with their flows as lines (:func:`corridor.formats.geo.energy_gdf`; needs ``corridor[geo]``)."""
        from ..formats.geo import energy_gdf

        return energy_gdf(self, energy)

    def _repr_html_(self) -> str:
        from ..formats.html import html_card

        unit = self.unit_label
        markets = self.markets[["name", "country", "demand", "committed", "flow", "target"]]
        return html_card(f"{self.commodity.capitalize()}: {self.delivered:,.1f} {unit} to {self.target_label}",
                         {f"to every market, {unit}": self.delivered_total, "scenario": self.scenario,
                          "year": self.year or "this year"},
                         {"what binds (the minimum cut)": self.binding[["kind", "name", "capacity", "why"]],
                          f"markets, {unit}": markets})


def _binding(arcs: Arcs, solution: Any, cut: np.ndarray, assets: pd.DataFrame, nodes: pd.DataFrame,
             label: str) -> pd.DataFrame:
    """What binds: one row per arc of the minimum cut, with why in plain words."""
    rows = []
    for k in np.flatnonzero(cut):
        e = arcs.element[k]
        bound = float(solution.upper[k])
        kind, name, why = _why(e, assets.loc[e] if e in assets.index else None, nodes, bound, label,
                               committed=not arcs.target[k] and arcs.committed[k] > 0)
        rows.append({"element": e.split(":", 1)[-1] if kind != "asset" else e, "kind": kind, "name": name,
                     "capacity": bound, "why": why})
    return pd.DataFrame(rows, columns=["element", "kind", "name", "capacity", "why"])


def _why(element: str, row: pd.Series | None, nodes: pd.DataFrame, capacity: float, label: str,
         committed: bool = False) -> tuple[str, str, str]:
    if element.startswith("supply:"):
        node = nodes.loc[element.split(":", 1)[1]]
        return "supply", node["name"], f"{node['name']} produces no more: all {capacity:,.1f} {label} leave the field"
    if element.startswith("market:"):
        node = nodes.loc[element.split(":", 1)[1]]
        if committed:
            return "commitment", node["name"], (f"{node['name']}'s committed {capacity:,.1f} {label} is served first, "
                                                "through the same full assets")
        return "market", node["name"], f"{node['name']} takes no more than {capacity:,.1f} {label}"
    assert row is not None
    return "asset", row["name"], f"{row['name']} ({element}) is full at {capacity:,.1f} {label}"


def energy_flows(energy: EnergyNetwork | None = None, commodity: str = "gas", *, to: str | list[str] | None = None,
                 year: int | None = None, scenario: Any = None) -> EnergyFlows:
    """The most oil or gas the network can deliver to the target markets, where it flows, and what binds.

    Parameters
    ----------
    energy : EnergyNetwork, optional
        The energy layer (the bundled one by default).
    commodity : {"gas", "oil"}
    to : "europe", "all", a country code, a market id or a list of them, optional
        The markets whose deliveries are maximised first; the other markets then take what is left.
        Default: :data:`DEFAULT_TARGET` (Europe for gas, every market for oil).
    year : int, optional
        Assets open in this year are used (default: the scenario's year, else this year).
    scenario : Scenario, str or Path, optional
        A scenario applied to the layer first (see :func:`corridor.load_scenario`).

    Returns
    -------
    EnergyFlows

    Examples
    --------
    >>> gas = energy_flows(commodity="gas")
    >>> gas.delivered <= gas.delivered_total
    True
    """
    energy = load_energy() if energy is None else energy
    sc = load_scenario(scenario)
    energy = apply_energy_scenario(energy, sc)
    year = validate.year(year) if year is not None else sc.year
    to = DEFAULT_TARGET.get(commodity, "all") if to is None else to
    started = time.perf_counter()
    arcs = build_arcs(energy, commodity, to=to, year=year)
    solution = solve_arcs(arcs)
    cut = min_cut(arcs, solution)
    flow = np.round(solution.flow, 6)  # below the solver's tolerance
    seconds = time.perf_counter() - started

    unit = BASE_UNIT[commodity]
    label = UNIT_LABEL[unit]
    nodes = energy.nodes
    by_element = dict(zip(arcs.element, range(len(arcs.element))))
    assets = energy.assets[energy.assets["commodity"] == commodity]
    in_service = energy.in_service(year)[assets.index]
    asset_flow = np.array([flow[by_element[a]] if a in by_element else 0.0 for a in assets.index])
    cap = assets["capacity"].to_numpy(float)
    table = pd.DataFrame({
        "id": assets.index, "name": assets["name"].to_numpy(), "kind": assets["kind"].to_numpy(),
        "group": assets["group"].to_numpy(), "from": assets["from"].to_numpy(), "to": assets["to"].to_numpy(),
        "status": assets["status"].to_numpy(), "in_service": in_service.to_numpy(bool), "capacity": cap,
        "flow": asset_flow, "utilisation": np.divide(asset_flow, cap, out=np.zeros_like(cap), where=cap > 0),
        "throughput": assets["throughput"].to_numpy(float), "throughput_year": assets["throughput_year"].to_numpy(),
    })
    table["saturated"] = table["in_service"] & (table["flow"] >= table["capacity"] * (1 - 1e-6)) & (table["capacity"] > 0)
    table["binding"] = table["id"].isin([e for e, c in zip(arcs.element, cut) if c])

    binding = _binding(arcs, solution, cut, assets, nodes, label)

    field_nodes = nodes[(nodes["commodity"] == commodity) & (nodes["kind"] == "field")]
    supplies = pd.DataFrame({"node": field_nodes.index, "name": field_nodes["name"].to_numpy(),
                             "country": field_nodes["country"].to_numpy(),
                             "supply": field_nodes["supply"].to_numpy(float),
                             "flow": [flow[by_element[f"supply:{f}"]] for f in field_nodes.index]})
    market_nodes = nodes[(nodes["commodity"] == commodity) & (nodes["kind"] == "market")]
    target_ids = {e.split(":", 1)[1] for e, t in zip(arcs.element, arcs.target) if t}
    markets = pd.DataFrame({"node": market_nodes.index, "name": market_nodes["name"].to_numpy(),
                            "country": market_nodes["country"].to_numpy(),
                            "demand": market_nodes["demand"].to_numpy(float),
                            "committed": market_nodes["committed"].to_numpy(float),
                            "target": market_nodes.index.isin(list(target_ids)),
                            "flow": [flow[by_element[f"market:{m}"]] for m in market_nodes.index]})
    target = to if isinstance(to, str) else ", ".join(to)
    return EnergyFlows(commodity=commodity, unit=unit, target=target, year=year, scenario=sc.name,
                       delivered=float(markets.loc[markets["target"], "flow"].sum()),
                       delivered_total=float(markets["flow"].sum()), markets=markets, supplies=supplies,
                       assets=table, binding=binding, seconds=seconds)


__all__ = ["DEFAULT_TARGET", "EUROPE", "EnergyFlows", "Solution", "build_arcs", "energy_flows", "min_cut", "solve_arcs"]
