"""One capacity-aware assignment of a sweep (scenario, year, cargo class, CO2 price, gap), sharing what the
runs before it in the same process built.

Shared per process when ``share`` is on: the scenario's network and compiled router for a scenario and
settings (the router does not depend on the demand year, so every year reuses it), the dataset's
``constants.csv`` and ``counts.csv`` tables, and the equilibrium, warm-started from the last one on the
same graph within the caller's :class:`~corridor.freight.warm_solves.WarmSolves` (one per chunk of
runs). With ``share`` off every run builds and solves from scratch — the same answers within the gap.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from typing import Any

import pandas as pd

from ..network import Network
from ..network.counts_table import load_counts
from ..scenarios import Scenario
from .choice import applicable, apply_constants, load_constants, with_constants
from .corridor_flows import CorridorFlows
from .corridor_problem import BASE_YEAR, CorridorProblem, build_problem
from .demand import Demand, demand_settings
from .inputs import FreightInputs, freight_inputs
from .warm_solves import WarmSolves, graph_shape

#: relative gap by default: corridor volumes at 1e-4 can be a few per cent from the converged ones (equal-cost
#: routes on uncapacitated links), and depend on where the solve started; warm solves make 1e-6 cheap
GAP = 1e-6
#: scenario × settings whose inputs (and compiled router) one process keeps
MAX_INPUTS = 8

_INPUTS: OrderedDict[tuple[Any, ...], FreightInputs] = OrderedDict()
_TABLES: dict[tuple[str, str], pd.DataFrame] = {}
_LINKS: dict[tuple[str, str], dict[tuple[str, str | None], Any]] = {}


def _table(kind: str, data: str | None, network: Network) -> pd.DataFrame:
    key = (kind, data or "")
    if key not in _TABLES:
        _TABLES[key] = load_constants(data) if kind == "constants" else load_counts(data, network=network)
    return _TABLES[key]


def _inputs_for(scenario: Scenario, p: dict[str, Any], network: Network, demand: Demand, data: str | None,
                share: bool) -> FreightInputs:
    """The scenario's inputs with the demand of ``p["year"]``; the router reused across years when sharing."""
    settings = demand_settings(network, p.get("cargo_class")).replace(
        **{k: p[k] for k in ("co2_price_usd_per_t",) if k in p})
    year = p.get("year")
    inputs = freight_inputs(scenario, network=network, demand=demand, settings=settings, data=data, year=year)
    if not share:
        return inputs
    key = (scenario.key, settings)
    base = _INPUTS.get(key)
    if base is None:
        _INPUTS[key] = base = inputs
        while len(_INPUTS) > MAX_INPUTS:
            _INPUTS.popitem(last=False)
        return inputs
    _INPUTS.move_to_end(key)
    # the same scenario network and settings: only the year's demand differs, so the compiled router
    # (a functools.cached_property, kept in the instance's __dict__) is carried over
    shared = dataclasses.replace(base, demand=inputs.demand)
    shared.__dict__["router"] = base.router
    return shared


def _with_constants(problem: CorridorProblem, inputs: FreightInputs, data: str | None, share: bool) -> CorridorProblem:
    """The route-choice constants applied; when sharing, each alternative's engine links are found once
    per scenario and graph shape (they do not depend on costs or demand)."""
    if not share:
        return with_constants(problem, inputs.data, inputs.settings.cargo_class)
    rows = applicable(_table("constants", data, inputs.base), inputs.settings.cargo_class, problem.year)
    if not len(rows):
        return problem
    if len(_LINKS) > 4 * MAX_INPUTS:
        _LINKS.clear()
    return apply_constants(problem, rows, links=_LINKS.setdefault((inputs.scenario.key, graph_shape(problem)), {}))


def assignment_run(scenario: Scenario, p: dict[str, Any], *, network: Network, demand: Demand,
                   data: str | None = None, solves: WarmSolves | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """One sweep run: the corridor equilibrium of ``scenario`` in ``p["year"]`` (default: the scenario's,
    else 2024) to relative gap ``p["gap"]`` (default :data:`GAP`).

    ``solves`` warm-starts the equilibrium from its last one on the same graph; when it shares
    (``solves.share``) the process's routers and tables are reused too. None: all from scratch.

    Returns
    -------
    summary, result : dict
        ``summary``: TEU per year on each corridor (``CorridorFlows.corridors``), the gap, the iterations,
        whether the solve started warm and the total demand; ``result``: :meth:`CorridorFlows.to_dict`.
    """
    solves = solves if solves is not None else WarmSolves(share=False)
    share = solves.share
    inputs = _inputs_for(scenario, p, network, demand, data, share)
    problem = build_problem(inputs, year=inputs.year(p.get("year")) or BASE_YEAR)
    problem = _with_constants(problem, inputs, data, share)
    warm_before = solves.warm
    result = solves.solve(problem, gap=float(p.get("gap", GAP)))
    counts = _table("counts", data, network) if share else load_counts(data, network=network)
    flows = CorridorFlows.from_result(problem, result, counts=counts, tonnes_per_teu=inputs.router.tonnes_per_feu / 2)
    full = flows.to_dict()
    summary = {"year": problem.year, "corridors_teu": {c["id"]: c["model_teu"] for c in full["corridors"]},
               "relative_gap": float(result.gap), "iterations": int(result.iterations),
               "warm_start": solves.warm > warm_before, "demand_teu_per_year": float(problem.matrix.sum())}
    return summary, full


__all__ = ["GAP", "MAX_INPUTS", "assignment_run"]
