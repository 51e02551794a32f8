"""The long analyses the API runs as background jobs: criticality and the capacity-aware assignment.

Both start from the one recipe (:meth:`RouteService.inputs`, i.e.
:func:`~corridor.freight.inputs.freight_inputs` on the served network and demand) with the same
defaults as ``corridor criticality`` and ``corridor assign``: the scenario's network and grown
demand, the demand's cargo class, and the year asked for, else the scenario's.
"""

from __future__ import annotations

import functools
from typing import Any

from ..formats.json import json_safe
from ..freight.congestion import assign_corridors
from ..freight.criticality import criticality
from ..freight.equilibrium_criticality import equilibrium_criticality
from .jobs import JobKind, JobManager, Progress
from .models import AssignmentRequest, CriticalityRequest
from .service import RouteService


class JobProgress:
    """The slice of rich's Progress that :func:`corridor.parallel.run_tasks` uses, feeding a job's progress."""

    def __init__(self, progress: Progress, start: float = 0.05, end: float = 0.99) -> None:
        self.progress, self.start, self.end = progress, start, end
        self.total, self.done, self.description = 1.0, 0.0, ""

    def add_task(self, description: str, total: float | None = None, **_: Any) -> int:
        self.description, self.total, self.done = description, float(total or 1), 0.0
        self.progress(self.start, description)
        return 0

    def advance(self, task: int, advance: float = 1) -> None:
        self.done += advance
        self.progress(self.start + (self.end - self.start) * self.done / self.total, self.description)

    def remove_task(self, task: int) -> None:
        pass


def run_criticality(service: RouteService, params: CriticalityRequest, progress: Progress) -> dict[str, Any]:
    """The ranking, as ``corridor criticality [--equilibrium] --json`` prints it (serially: one job, one thread)."""
    progress(0.01, "loading demand")
    inputs = service.inputs(params.scenario, params.cargo)
    if params.equilibrium:
        result = equilibrium_criticality(inputs, scope=params.scope, year=params.year, rank_by=params.rank_by,
                                         gap=params.gap, workers=1, progress=JobProgress(progress))
    else:
        result = criticality(inputs.router, inputs.od, scope=params.scope, year=inputs.year(params.year),
                             rank_by=params.rank_by, workers=1, progress=JobProgress(progress))
    return json_safe({"scenario": inputs.scenario.name, **result.to_dict(top=params.top)})


def run_assignment(service: RouteService, params: AssignmentRequest, progress: Progress) -> dict[str, Any]:
    """What ``corridor assign --json`` prints, with per-link volume and v/c instead of every edge."""
    progress(0.01, "building the problem")
    inputs = service.inputs(params.scenario, params.cargo)

    most = params.max_iter or 500

    def step(iteration: int, gap: float) -> None:
        progress(min(0.98, 0.02 + 0.96 * iteration / most), f"iteration {iteration}, relative gap {gap:.2e}")

    flows = assign_corridors(inputs, year=params.year, algorithm=params.algorithm, gap=params.gap,
                             max_iter=params.max_iter, theta=params.theta, progress=step)
    out = flows.to_dict(top=params.top)
    out.pop("edges", None)
    edges = flows.edges[flows.edges["link"] != ""]
    per_link = edges.groupby("link").agg(volume_teu=("volume_teu", "max"), vc=("vc", "max"))
    links = [{"link": k, "volume_teu": v, "vc": c}
             for k, v, c in zip(per_link.index, per_link["volume_teu"], per_link["vc"])]
    return json_safe({**out, "scenario": params.scenario, "links": links})


def register_analyses(jobs: JobManager, service: RouteService, time_limit_s: float) -> None:
    """Make criticality and assignment job kinds of ``jobs``."""
    jobs.register(JobKind("criticality", CriticalityRequest, functools.partial(run_criticality, service),
                          time_limit_s, "rank links, places, crossings or countries by the harm their loss does"))
    jobs.register(JobKind("assignment", AssignmentRequest, functools.partial(run_assignment, service),
                          time_limit_s, "capacity-aware equilibrium flows of the bundled demand"))
