"""Sensitivity of the headline answers to the estimates (corridor.sensitivity) and the ranges they rest on
(uncertainty.csv), on a copy of the mini dataset with a second estimate."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from corridor.cli import app
from corridor.network import check_dataset
from corridor.network.uncertainty import read_uncertainty
from corridor.sensitivity import estimate_factors, load_inputs, perturb, plot_tornado, sensitivity
from corridor.sensitivity.answers import answer_names, answers, corridor_orders, swaps

BUNDLED = Path(__file__).resolve().parents[1] / "src" / "corridor" / "data"
RANGES = "source,scale,low,high,note\nT-EST,factor,0.8,1.25,test range\nT-TARIFF,factor,0.5,2,test range\n"


@pytest.fixture
def ranged(mini_copy: Path) -> Path:
    """The mini dataset with a second estimate (T-TARIFF: the road tariff) and a range for each estimate."""
    with (mini_copy / "sources.csv").open("a", encoding="utf-8") as f:
        f.write("T-TARIFF,estimate,Test,Test road tariff,2024,,made up: the road tariff of the tests\n")
    tariffs = (mini_copy / "tariffs.csv").read_text(encoding="utf-8")
    assert "road,*,1.5,T-EST," in tariffs
    (mini_copy / "tariffs.csv").write_text(tariffs.replace("road,*,1.5,T-EST,", "road,*,1.5,T-TARIFF,"),
                                           encoding="utf-8")
    (mini_copy / "uncertainty.csv").write_text(RANGES, encoding="utf-8")
    return mini_copy


def test_every_bundled_estimate_has_a_range_that_holds_its_figure() -> None:
    sources = pd.read_csv(BUNDLED / "sources.csv")
    ranges, problems = read_uncertainty(BUNDLED, sources=sources, source_lines=list(range(2, len(sources) + 2)))
    assert [str(p) for p in problems if p.file == "uncertainty.csv"] == []
    assert set(ranges["source"]) <= set(sources.loc[sources["kind"] == "estimate", "id"])
    assert ((ranges["low"] <= ranges["high"]) & ranges["scale"].isin(["factor", "shift"])).all()
    road = ranges.loc["EST-ROAD-CIRCUITY"]
    assert (road["scale"], road["low"], road["high"]) == ("factor", 0.92, 1.15)


def test_the_check_names_file_line_and_field_of_each_bad_range(ranged: Path) -> None:
    assert check_dataset(ranged) == []
    (ranged / "uncertainty.csv").write_text(
        "source,scale,low,high,note\nT-EST,factor,1.25,0.8,swapped\nT-PUB,factor,0.9,1.1,not an estimate\n"
        "NOPE,shift,-1,1,unknown\nT-TARIFF,shift,1,2,misses the figure\n", encoding="utf-8")
    problems = [str(p) for p in check_dataset(ranged)]
    assert "uncertainty.csv line 2, field 'low': low 1.25 is above high 0.8: swap them" in problems
    assert any(p.startswith("uncertainty.csv line 3, field 'source'") and "published source" in p for p in problems)
    assert any(p.startswith("uncertainty.csv line 4, field 'source'") and "not in sources.csv" in p for p in problems)
    assert any(p.startswith("uncertainty.csv line 5, field 'low'") and "must hold the figure" in p for p in problems)
    (ranged / "uncertainty.csv").write_text("source,scale,low,high,note\nT-EST,factor,0.8,1.25,x\n", encoding="utf-8")
    missing = [str(p) for p in check_dataset(ranged)]
    assert len(missing) == 1 and missing[0].startswith("sources.csv line 4, field 'id': estimate 'T-TARIFF' has no")


def test_a_dataset_without_the_file_is_not_asked_for_ranges(mini_copy: Path) -> None:
    assert check_dataset(mini_copy) == []


def test_each_estimate_maps_to_the_figures_citing_it(ranged: Path) -> None:
    inputs = load_inputs(ranged)
    factors, not_read = estimate_factors(inputs, ranged)
    by = {f.source: f for f in factors}
    assert set(by) == {"T-EST", "T-TARIFF"} and not_read == []
    assert [(t.table, t.column, t.rows) for t in by["T-TARIFF"].targets] == [("tariffs", "cost_usd_per_feu_km", (1,))]
    cited = {(t.table, t.column) for t in by["T-EST"].targets}
    assert {("links", "length_km"), ("crossings", "dwell_h"), ("demand", "teu_per_year"), ("cargo", "tonnes_per_feu")} <= cited
    # a year is moved only by a shift: T-EST (a factor) leaves the TRIPP links' open_year alone
    assert ("links", "open_year") not in cited


def test_a_perturbation_changes_the_figures_citing_the_estimate_and_nothing_else(ranged: Path) -> None:
    inputs = load_inputs(ranged)
    factors, _ = estimate_factors(inputs, ranged)
    values = [1.0 if f.source == "T-EST" else 2.0 for f in factors]
    moved = perturb(inputs, factors, values)
    before, after = inputs.tables(), moved.tables()
    assert after["tariffs"]["cost_usd_per_feu_km"].tolist() == [
        v * 2 if i == 1 else v for i, v in enumerate(before["tariffs"]["cost_usd_per_feu_km"])]
    for name in before:
        if name != "tariffs":
            pd.testing.assert_frame_equal(after[name], before[name])
    assert inputs.network.tariffs["cost_usd_per_feu_km"].iloc[1] == 1.5   # the inputs passed in are unchanged
    assert perturb(inputs, factors, [f.base for f in factors]) is inputs


def test_answers_move_with_the_estimates(ranged: Path) -> None:
    inputs = load_inputs(ranged)
    factors, _ = estimate_factors(inputs, ranged)
    names = answer_names(inputs)
    assert names == ["days CN-XIAN→DE-DUISBURG", "ranking CN-XIAN→DE-DUISBURG", "Middle Corridor TEU", "TRIPP TEU"]
    orders = corridor_orders(inputs)
    base = answers(inputs, orders)
    assert base[1] == 0 and base[0] > 0
    slower = answers(perturb(inputs, factors, [f.high if f.source == "T-EST" else 1.0 for f in factors]), orders)
    assert slower[0] > base[0]


def test_swaps_count_pairs_ranked_the_other_way() -> None:
    assert swaps(["a", "b", "c"], ["a", "b", "c"]) == 0
    assert swaps(["a", "b", "c"], ["b", "a", "c"]) == 1
    assert swaps(["a", "b", "c"], ["c", "b", "a"]) == 3
    assert swaps(["a", "b", "c"], ["b", "c"]) == 2        # a dropped out: last


def test_morris_then_sobol_rank_the_estimates_and_draw_a_tornado(ranged: Path, tmp_path: Path) -> None:
    result = sensitivity(ranged, method="sobol", trajectories=2, top=2, samples=4, seed=1)
    assert result.evaluations == 2 * 3 + 2 * 2 + 4 * (2 + 2)
    assert list(result.ranking["rank"]) == [1, 2]
    assert result.ranking["score"].is_monotonic_decreasing
    # T-EST scales every length, dwell and volume: it moves the days; the road tariff, a road the
    # Xi'an–Duisburg route never takes, cannot
    days = result.effects[result.effects["answer"] == "days CN-XIAN→DE-DUISBURG"].set_index("source")
    assert days.at["T-EST", "mu_star"] > 0 and days.at["T-TARIFF", "mu_star"] == 0
    assert result.top(1) == ["T-EST"]
    assert set(result.sobol["source"]) == {"T-EST", "T-TARIFF"}
    assert np.isfinite(result.sobol["ST"]).all()
    data = json.loads(json.dumps(result.to_dict()))
    assert data["ranking"][0]["source"] == "T-EST" and data["estimates"] == 2
    png = plot_tornado(result, tmp_path / "tornado.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_sensitivity_json_and_plot(ranged: Path, tmp_path: Path) -> None:
    plot = tmp_path / "t.png"
    out = CliRunner().invoke(app, ["data", "sensitivity", "--data", str(ranged), "--trajectories", "2",
                                   "--workers", "1", "--json", "--plot", str(plot)])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["method"] == "morris" and data["evaluations"] == 2 * 3 + 2 * 2 and plot.is_file()
    bad = CliRunner().invoke(app, ["data", "sensitivity", "--data", str(ranged), "--method", "sobel"])
    assert bad.exit_code != 0 and "sobol" in bad.output
