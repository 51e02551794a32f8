"""Sweeps: a grid of scenarios × parameters, run in parallel, every run kept in the run store.

A sweep file::

    name: tripp-npv
    analysis: economics          # summary | economics | criticality | energy | assignment
    scenarios: [tripp, middle-corridor-2030]
    parameters:                  # every combination of these lists
      discount: [0.06, 0.08, 0.10]
      growth: [0.02, 0.03]
    fixed:                       # the same in every run
      links: TRIPP
      years: 49

An ``assignment`` sweep solves the capacity-aware corridor equilibrium of each run
(:mod:`corridor.freight.congestion`). Within a worker process, runs share what they can
(:mod:`corridor.freight.warm_solves`): the compiled router of a scenario across years, the constants
and counts tables; and within a chunk of :data:`CHUNK_RUNS` neighbouring runs (ordered by year, then
scenario, so that neighbours share a graph) each equilibrium starts from the last one on the same graph.
``share=False`` turns all of it off (the benchmark's peer; same answers within the gap).

Runs already in the store (same scenario, parameters, data and code) are reused, not recomputed, so
an interrupted sweep resumes where it stopped. Each finished run is written in its own transaction.
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import validate
from .errors import DataError, InvalidOptionError
from .freight.criticality import RANKS, SCOPES
from .freight.demand import Demand, demand_settings, has_demand, load_demand
from .freight.economics import check_terms
from .freight.inputs import freight_inputs
from .freight.warm_solves import WarmSolves
from .network import Network, load_network
from .parallel import run_tasks
from .scenarios import Scenario, ScenarioError, compose_yaml, load_scenario
from .store import Run, RunStore, code_version, run_key

ANALYSES = ("summary", "economics", "criticality", "energy", "assignment")
COMMON = {"year": int, "cargo_class": str, "co2_price_usd_per_t": float}
PARAMETERS: dict[str, dict[str, type]] = {
    "summary": dict(COMMON),
    "criticality": {**COMMON, "scope": str, "rank_by": str, "top": int},
    "economics": {**COMMON, "links": str, "years": int, "option_years": int, "discount": float, "tariff": str,
                  "growth": float, "start_year": int, "capex_usd": float, "opex_share": float},
    "energy": {"year": int, "commodity": str, "to": str},
    "assignment": {**COMMON, "gap": float},
}
SPEC_KEYS = ("name", "analysis", "scenarios", "parameters", "fixed", "description")
#: runs one sweep may hold (a larger grid is refused before anything starts)
MAX_RUNS = 100_000
#: neighbouring runs per task: the first solves cold, the others warm (more: more sharing, coarser balance
#: and store writes); fixed, so a run's answer does not depend on the number of workers
CHUNK_RUNS = 5


@dataclass(frozen=True)
class Task:
    key: str
    analysis: str
    scenario: Scenario
    params: dict[str, Any]


@dataclass(frozen=True)
class SweepSpec:
    name: str
    analysis: str
    scenarios: tuple[Scenario, ...]
    grid: tuple[dict[str, Any], ...]
    file: str = "<memory>"

    def __len__(self) -> int:
        return len(self.scenarios) * len(self.grid)


@dataclass(frozen=True)
class SweepResult:
    spec: SweepSpec
    keys: list[str]
    computed: int
    reused: int
    seconds: float
    store: Path

    def to_dict(self) -> dict[str, Any]:
        return {"sweep": self.spec.name, "analysis": self.spec.analysis, "runs": len(self.keys),
                "computed": self.computed, "reused": self.reused, "seconds": round(self.seconds, 3),
                "store": str(self.store), "keys": self.keys}


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and validate a sweep file (errors name the file and line)."""
    path = Path(path)
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{file}: cannot be read: {exc}") from None
    root = compose_yaml(text, file)
    if not isinstance(root, yaml.MappingNode):
        raise ScenarioError(f"{file}:1: a sweep is a mapping with analysis:, scenarios: and parameters:")
    lines = {str(k.value): k.start_mark.line + 1 for k, _ in root.value}
    data = yaml.safe_load(text)

    def bad(key: str, message: str) -> ScenarioError:
        return ScenarioError(f"{file}:{lines.get(key, 1)}: {message}")

    for key in data:
        if key not in SPEC_KEYS:
            raise bad(key, f"unknown key {key!r}; a sweep has {', '.join(SPEC_KEYS)}")
    analysis = data.get("analysis", "summary")
    if analysis not in ANALYSES:
        raise bad("analysis", f"unknown analysis {analysis!r}; choose one of {', '.join(ANALYSES)}")
    refs = data.get("scenarios", ["base"])
    if not isinstance(refs, list) or not refs:
        raise bad("scenarios", "scenarios is a non-empty list of bundled names or YAML files (base: the network as it is)")
    scenarios = []
    for ref in refs:
        ref_path = path.parent / str(ref)
        try:
            scenarios.append(load_scenario(ref_path if ref_path.is_file() else str(ref)))
        except ScenarioError as exc:
            raise bad("scenarios", str(exc)) from None
    params = data.get("parameters") or {}
    fixed = data.get("fixed") or {}
    if not isinstance(params, dict) or not isinstance(fixed, dict):
        raise bad("parameters", "parameters and fixed are mappings of name → values")
    _check_types(analysis, params, fixed, bad)
    if analysis == "economics" and "links" not in params and "links" not in fixed:
        raise bad("analysis", "an economics sweep needs `links` (a group such as TRIPP) in fixed: or parameters:")
    runs = len(scenarios) * math.prod(len(v) for v in params.values())
    if runs > MAX_RUNS:
        raise bad("parameters", f"this grid makes {runs:,} runs; a sweep runs at most {MAX_RUNS:,}: split it")
    names = list(params)
    grid = tuple({**fixed, **dict(zip(names, combo))} for combo in itertools.product(*(params[n] for n in names)))
    for point in grid or ({**fixed},):
        try:
            check_parameters(analysis, point)
        except InvalidOptionError as exc:
            raise bad("parameters" if set(point) & set(params) else "fixed", str(exc)) from None
    return SweepSpec(str(data.get("name") or path.stem), analysis, tuple(scenarios), grid or ({**fixed},), file)


def _check_types(analysis: str, params: dict[str, Any], fixed: dict[str, Any],
                 bad: Callable[[str, str], ScenarioError]) -> None:
    """Every parameter known to the analysis and of its type; each varied one a non-empty list."""
    allowed = PARAMETERS[analysis]
    for section, values in (("parameters", params), ("fixed", fixed)):
        for name, value in values.items():
            if name not in allowed:
                raise bad(section, f"unknown parameter {name!r} for {analysis}; parameters are {', '.join(allowed)}")
            for v in (value if section == "parameters" and isinstance(value, list) else [value]):
                try:
                    allowed[name](v)
                except (TypeError, ValueError):
                    raise bad(section, f"{name} = {v!r} is not a {allowed[name].__name__}") from None
    for name, value in params.items():
        if not isinstance(value, list) or not value:
            raise bad("parameters", f"parameter {name!r} takes a non-empty list of values")


def check_parameters(analysis: str, p: dict[str, Any]) -> None:
    """Refuse a run's parameters that the analysis would refuse, before the sweep starts.

    Raises
    ------
    InvalidOptionError
    """
    validate.year(p.get("year"), "year")
    if "co2_price_usd_per_t" in p:
        validate.number(p["co2_price_usd_per_t"], "co2_price_usd_per_t", 0)
    if analysis == "economics":
        check_terms(**{k: p[k] for k in PARAMETERS["economics"] if k in p and k not in COMMON})
    elif analysis == "criticality":
        validate.whole(p.get("top", 10), "top", 1, 100_000)
        validate.choices([p.get("scope", "links")], SCOPES, "scope")
        validate.choices([p.get("rank_by", "unrouted")], RANKS, "rank_by")
    elif analysis == "energy":
        validate.choices([p.get("commodity", "gas")], ("gas", "oil"), "commodity")
    elif analysis == "assignment":
        validate.number(p.get("gap", 1e-6), "gap", 0, 0.1, open_lo=True)


# -- running one ------------------------------------------------------------------------------
_CACHE: dict[str, tuple[Network, Demand | None]] = {}
_ENERGY: dict[str, Any] = {}


def _energy(data: str | None) -> Any:
    from .network.energy_table import load_energy

    key = data or ""
    if key not in _ENERGY:
        _ENERGY[key] = load_energy(data)
    return _ENERGY[key]


def _inputs(data: str | None) -> tuple[Network, Demand | None]:
    key = data or ""
    if key not in _CACHE:
        network = load_network(data)
        demand = load_demand(data, network) if has_demand(data) else None
        _CACHE[key] = (network, demand)
    return _CACHE[key]


def data_version(data: str | Path | None, analysis: str = "summary") -> str:
    data = str(data) if data else None
    if analysis == "energy":
        return f"energy/{_energy(data).version}"
    network, demand = _inputs(data)
    return f"{network.version}/{demand.version if demand else 'no-demand'}"


def run_one(data: str | None, task: Task, *, solves: WarmSolves | None = None) -> Run:
    """Compute one run (in whatever process) and return it ready to store (``solves``: the equilibria of
    the runs before it in its chunk, to warm-start from, :mod:`corridor.freight.assignment_runs`)."""
    start = time.perf_counter()
    p = dict(task.params)
    if task.analysis == "energy":
        from .energy import energy_flows

        flows = energy_flows(_energy(data), p.get("commodity", "gas"), to=p.get("to"), year=p.get("year"),
                             scenario=task.scenario)
        summary = {"delivered": flows.delivered, "delivered_total": flows.delivered_total, "target": flows.target,
                   "unit": flows.unit, "binding": flows.binding["element"].tolist()}
        return Run(key=task.key, kind=task.analysis, scenario=task.scenario.name, scenario_key=task.scenario.key,
                   params=task.params, data_version="", code_version="", summary=summary, result=flows.to_dict(),
                   seconds=time.perf_counter() - start)
    network, demand = _inputs(data)
    if demand is None:
        raise DataError("this analysis needs demand: zones.csv and demand.csv in the data folder")
    if task.analysis == "assignment":
        from .freight.assignment_runs import assignment_run

        summary, result = assignment_run(task.scenario, p, network=network, demand=demand, data=data,
                                         solves=solves)
        return Run(key=task.key, kind=task.analysis, scenario=task.scenario.name, scenario_key=task.scenario.key,
                   params=task.params, data_version="", code_version="", summary=summary, result=result,
                   seconds=time.perf_counter() - start)
    settings = demand_settings(network, p.get("cargo_class")).replace(
        **{k: p[k] for k in ("co2_price_usd_per_t",) if k in p})
    inputs = freight_inputs(task.scenario, network=network, demand=demand, settings=settings,
                            data=data)
    result: Any
    if task.analysis == "economics":
        from .freight.economics import concession_economics

        kw = {k: p[k] for k in ("years", "option_years", "discount", "tariff", "growth", "start_year",
                                "capex_usd", "opex_share") if k in p}
        res = concession_economics(inputs, links=str(p["links"]), **kw)
        summary, result = res.summary(), res.to_dict()
    elif task.analysis == "summary":
        from .freight.flows import route_demand

        summary = route_demand(inputs.router, inputs.od, year=inputs.year(p.get("year"))).summary()
        result = summary
    else:
        from .freight.criticality import criticality

        res = criticality(inputs.router, inputs.od, scope=p.get("scope", "links"), year=inputs.year(p.get("year")),
                          rank_by=p.get("rank_by", "unrouted"))
        top = res.frame.head(int(p.get("top", 10)))
        summary = {"elements": len(res.frame), "top": top["id"].tolist(),
                   "base_generalized_usd_per_year": res.base_generalized_usd_per_year}
        result = res.to_dict()
    return Run(key=task.key, kind=task.analysis, scenario=task.scenario.name, scenario_key=task.scenario.key,
               params=task.params, data_version="", code_version="", summary=summary, result=result,
               seconds=time.perf_counter() - start)


def tasks_for(spec: SweepSpec, data: str | None) -> list[Task]:
    version = data_version(data, spec.analysis)
    out = []
    for sc in spec.scenarios:
        for params in spec.grid:
            out.append(Task(run_key(spec.analysis, sc.key, params, version), spec.analysis, sc, params))
    return out


def _run_chunk(context: tuple[str | None, bool], tasks: list[Task]) -> list[Run]:
    data, share = context
    solves = WarmSolves(share=share)
    return [run_one(data, t, solves=solves) for t in tasks]


def chunks_for(tasks: list[Task]) -> list[list[Task]]:
    """``tasks`` by year, then scenario (neighbours share a graph), in chunks of :data:`CHUNK_RUNS` for an
    assignment (one run a chunk for the other analyses, which have no equilibrium to share)."""
    order = sorted(tasks, key=lambda t: (int(t.params.get("year") or 0), t.scenario.key))
    size = CHUNK_RUNS if any(t.analysis == "assignment" for t in tasks) else 1
    return [order[i:i + size] for i in range(0, len(order), size)]


def run_sweep(spec: SweepSpec, *, data: str | Path | None = None, store: RunStore | None = None, workers: int = 1,
              ray_address: str | None = None, progress: Any = None,
              on_run: Callable[[Run], None] | None = None, share: bool = True) -> SweepResult:
    """Run every scenario × parameter combination not yet in ``store``; return the keys of all of them.

    Each finished chunk of runs (:func:`chunks_for`; one run but for ``assignment``) is stored at once, each run in
    its own transaction (a sweep killed midway keeps every finished run and no partial one; running it
    again computes only what is missing). ``share``: runs in one worker reuse its compiled routers and
    warm-start their equilibria (``assignment``; False: every run from scratch).
    """
    start = time.perf_counter()
    store = store if store is not None else RunStore()
    data_str = str(Path(data).resolve()) if data is not None else None
    tasks = tasks_for(spec, data_str)
    version, code = data_version(data_str, spec.analysis), code_version()
    have = store.keys()
    todo = [t for t in {t.key: t for t in tasks}.values() if t.key not in have]

    def save(i: int, runs: list[Run]) -> None:
        for run in runs:
            full = Run(**{**run.__dict__, "data_version": version, "code_version": code, "sweep": spec.name})
            store.put(full)
            if on_run is not None:
                on_run(full)

    chunks = chunks_for(todo)
    with store.session():
        run_tasks(_run_chunk, (data_str, share), chunks, workers=workers, ray_address=ray_address,
                  description=f"sweep {spec.name}", progress=progress, on_result=save,
                  weights=[len(c) for c in chunks])
    keys = [t.key for t in tasks]
    return SweepResult(spec, keys, len(todo), len(set(keys)) - len(todo), time.perf_counter() - start, store.path)
