"""Warm-started corridor equilibria shared across runs (freight/warm_solves.py) and the assignment sweep
that uses them: warm answers equal cold ones within the gap; another graph starts cold."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from corridor.freight.corridor_problem import CorridorProblem, build_problem
from corridor.freight.inputs import freight_inputs
from corridor.freight.warm_solves import WarmSolves, graph_shape
from corridor.scenarios import load_scenario
from corridor.store import RunStore
from corridor.sweep import chunks_for, load_sweep, run_sweep, tasks_for

MINI = Path(__file__).parent / "data" / "mini"
OPEN = "name: open-tripp\noperations:\n  - open: {group: TRIPP}\n    source: T-EST\n"
GAP = 1e-7


@pytest.fixture(scope="module")
def problem() -> CorridorProblem:
    return build_problem(freight_inputs(data=MINI), year=2026)


def _od(result) -> np.ndarray:  # type: ignore[no-untyped-def]
    return result.od_cost[np.lexsort(result.od_pairs.T[::-1])]


def test_warm_equals_cold_within_the_gap(problem: CorridorProblem) -> None:
    solves = WarmSolves()
    solves.solve(problem, gap=GAP)
    # a run that changes only capacities and demand: the same graph, so the next solve starts warm
    changed = dataclasses.replace(problem, capacity=problem.capacity * 0.6, matrix=problem.matrix * 1.3)
    assert graph_shape(changed) == graph_shape(problem)
    warm = solves.solve(changed, gap=GAP)
    cold = WarmSolves(share=False).solve(changed, gap=GAP)
    assert (solves.warm, solves.cold, solves.restarted) == (1, 1, 0)
    assert warm.converged and cold.converged and warm.gap <= GAP
    assert warm.iterations <= cold.iterations
    np.testing.assert_allclose(_od(warm), _od(cold), rtol=1e-4)
    total = float(cold.flows.sum())
    assert total > 0 and np.abs(warm.flows - cold.flows).sum() <= 1e-3 * total


def test_another_graph_starts_cold(tmp_path: Path, problem: CorridorProblem) -> None:
    (tmp_path / "open.yaml").write_text(OPEN, encoding="utf-8")
    opened = build_problem(freight_inputs(load_scenario(tmp_path / "open.yaml"), data=MINI), year=2026)
    assert len(opened.from_node) > len(problem.from_node)
    assert graph_shape(opened) != graph_shape(problem)
    solves = WarmSolves()
    solves.solve(problem, gap=GAP)
    result = solves.solve(opened, gap=GAP)
    assert (solves.warm, solves.cold) == (0, 2) and result.converged
    again = solves.solve(dataclasses.replace(problem, matrix=problem.matrix * 0.5), gap=GAP)
    assert (solves.warm, solves.cold) == (1, 2) and again.converged  # both shapes are kept


def test_assignment_sweep_shared_equals_cold(tmp_path: Path) -> None:
    (tmp_path / "open.yaml").write_text(OPEN, encoding="utf-8")
    path = tmp_path / "sweep.yaml"
    path.write_text("name: flows\nanalysis: assignment\nscenarios: [base, open.yaml]\n"
                    "parameters:\n  year: [2024, 2030]\n  co2_price_usd_per_t: [0, 90]\nfixed: {gap: 1e-6}\n",
                    encoding="utf-8")
    spec = load_sweep(path)
    out = {}
    for share in (True, False):
        store = RunStore(tmp_path / f"{share}.duckdb")
        res = run_sweep(spec, data=MINI, store=store, share=share)
        assert res.computed == 8
        out[share] = {k: store.get(k).summary for k in res.keys}
    # in chunk order (year, then scenario; 5 a chunk): the CO2 price changes only tolls (same graph, warm);
    # opening TRIPP in 2024 adds links (cold), and they are the links open in 2030 anyway (warm)
    warm = [out[True][t.key]["warm_start"] for chunk in chunks_for(tasks_for(spec, str(MINI))) for t in chunk]
    assert warm == [False, True, False, True, True, False, True, True]
    assert not any(s["warm_start"] for s in out[False].values())
    for key, shared in out[True].items():
        cold = out[False][key]
        assert shared["relative_gap"] <= 1e-6 and cold["relative_gap"] <= 1e-6
        assert shared["corridors_teu"].keys() == cold["corridors_teu"].keys()
        for c, teu in cold["corridors_teu"].items():
            assert shared["corridors_teu"][c] == pytest.approx(teu, rel=1e-3, abs=1.0)
    assert any(v > 0 for s in out[True].values() for v in s["corridors_teu"].values())


def test_chunks_keep_neighbours_together(tmp_path: Path) -> None:
    (tmp_path / "open.yaml").write_text(OPEN, encoding="utf-8")
    path = tmp_path / "sweep.yaml"
    path.write_text("analysis: assignment\nscenarios: [base, open.yaml]\nparameters:\n  year: [2030, 2024, 2026]\n",
                    encoding="utf-8")
    tasks = tasks_for(load_sweep(path), str(MINI))
    chunks = chunks_for(tasks)
    assert [[t.params["year"] for t in c] for c in chunks] == [[2024, 2024, 2026, 2026, 2030], [2030]]
    assert [t.scenario.name for t in chunks[0][:2]] == sorted(t.scenario.name for t in chunks[0][:2])
