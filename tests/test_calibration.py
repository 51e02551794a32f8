"""Calibration of the corridor demand to counts (ODME on screenlines) on the mini dataset: counts are met
better than by the prior, every cell stays in its source's range, counts the model cannot represent are
listed with why, and a count no route can carry is one clear error."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from corridor.assignment import CountError
from corridor.cli import app
from corridor.freight import assign_corridors, calibrate, freight_inputs, load_demand

MINI = Path(__file__).parent / "data" / "mini"


def count(element: str, value: float, direction: str | None = None, cls: str = "containers",
          unit: str = "TEU") -> dict:
    return {"element": element, "class": cls, "year": 2024, "value": value, "unit": unit, "direction": direction,
            "source": "T-PUB", "note": ""}


COUNTS = [count("caspian-crossings", 3000), count("ru-by-eu-border", 16000, "westbound"),
          count("ru-by-eu-border", 5000, "eastbound"), count("X-AZ-GE", 2000), count("GE-POTI", 9000),
          count("china-europe-rail", 20000), count("AZ-ALAT", 100000, cls="all", unit="t")]


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini dataset with a range for its estimate T-EST (half to twice) and the counts above."""
    folder = tmp_path_factory.mktemp("cal") / "mini"
    shutil.copytree(MINI, folder)
    (folder / "uncertainty.csv").write_text("source,scale,low,high,note\nT-EST,factor,0.5,2.0,test range\n")
    pd.DataFrame(COUNTS).to_csv(folder / "counts.csv", index=False)
    return folder


@pytest.fixture(scope="module")
def cal(mini: Path):  # type: ignore[no-untyped-def]
    return calibrate(freight_inputs(data=mini), leave_one_out=True, progress=False)


def test_counts_are_met_better_than_by_the_prior(cal) -> None:  # type: ignore[no-untyped-def]
    t = cal.counts.set_index(["element", "direction"], drop=False)
    assert list(t["element"]) == ["caspian-crossings", "ru-by-eu-border", "ru-by-eu-border", "X-AZ-GE"]
    assert cal.rmse_pct < 0.5 * cal.prior_rmse_pct
    assert (np.abs(t["difference"]) <= np.abs(t["prior"] - t["observed"]) + 1e-6).all()
    # westbound sums the one RU→DE border edge: CN-W → DE 10,000, RU → DE 3,000, CN-W → RO 2,000 (via Duisburg)
    assert t.loc[("ru-by-eu-border", "westbound"), "prior"] == pytest.approx(15000, rel=1e-3)
    assert t.loc[("ru-by-eu-border", "eastbound"), "prior"] == pytest.approx(4000, rel=1e-3)
    assert t.loc[("ru-by-eu-border", "westbound"), "edges"] == 1 and t.loc[("X-AZ-GE", None), "edges"] == 2
    # one cell (DE → CN-W) carries the eastbound count: met to 1/(1 + ρ) of the way from its prior
    assert t.loc[("ru-by-eu-border", "eastbound"), "model"] == pytest.approx(4000 + 1000 / 1.1, rel=1e-3)
    np.testing.assert_allclose(t["difference"], t["model"] - t["observed"])
    assert cal.iterations >= 1 and cal.wall_time > 0


def test_cells_stay_within_their_sources_ranges(cal) -> None:  # type: ignore[no-untyped-def]
    d = cal.demand
    np.testing.assert_allclose(d["lower"], 0.5 * d["prior"])
    np.testing.assert_allclose(d["upper"], 2.0 * d["prior"])
    assert ((d["teu_per_year"] >= d["lower"] - 1e-6) & (d["teu_per_year"] <= d["upper"] + 1e-6)).all()
    assert not np.allclose(d["teu_per_year"], d["prior"])
    rows = cal.demand_rows()
    assert list(rows.columns) == ["origin", "destination", "teu_per_year", "year", "source", "note"]
    assert (rows["source"] == "T-EST").all() and len(rows) == 9


def test_counts_the_model_cannot_represent_are_listed_with_why(cal) -> None:  # type: ignore[no-untyped-def]
    why = dict(zip(cal.not_used["element"], cal.not_used["reason"]))
    assert set(why) == {"GE-POTI", "china-europe-rail", "AZ-ALAT"}
    assert "sea-borne" in why["GE-POTI"] and "a total across every route" in why["china-europe-rail"]
    assert "containers in TEU only" in why["AZ-ALAT"]
    assert list(cal.not_used["line"]) == [6, 7, 8]


def test_leave_one_out_predicts_each_count_unseen(cal) -> None:  # type: ignore[no-untyped-def]
    t = cal.counts
    assert np.isfinite(t["predicted"]).all() and cal.loo_rmse_pct is not None
    # the eastbound count alone moves DE → CN-W: without it the prediction is the prior's
    east = t[t["direction"] == "eastbound"].iloc[0]
    assert east["predicted"] == pytest.approx(east["prior"], rel=1e-3) and east["model"] > east["prior"] + 500


def test_a_count_no_route_can_carry_is_one_clear_error(mini: Path) -> None:
    bad = pd.DataFrame([*COUNTS, count("X-AZ-AM", 100)])  # Horadiz–Meghri opens in 2030
    with pytest.raises(CountError, match="line 9: X-AZ-AM both ways 2024: no edge of the network open in 2024"):
        calibrate(freight_inputs(data=mini), counts=bad, progress=False)
    with pytest.raises(CountError, match="no count of 2024 the model can represent"):
        calibrate(freight_inputs(data=mini), counts=pd.DataFrame([COUNTS[4]]), progress=False)


def test_the_calibrated_dataset_assigns_to_the_fitted_counts(cal, mini: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = cal.write_dataset(tmp_path / "calibrated", mini)
    demand = load_demand(out)
    assert demand.od["teu_per_year"].sum() == pytest.approx(cal.demand["teu_per_year"].sum(), abs=10)
    flows = assign_corridors(freight_inputs(data=out), gap=1e-6).corridors().set_index("id")
    fitted = cal.counts.set_index("element")
    caspian = fitted.at["caspian-crossings", "model"]
    assert flows.at["caspian-crossings", "model_teu"] == pytest.approx(caspian, rel=0.01)
    with pytest.raises(FileExistsError):
        cal.write_dataset(out, mini)


def test_cli_calibrate(mini: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["calibrate", "--data", str(mini), "--json", "--out", str(tmp_path / "c")])
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["rmse_pct"] < payload["prior_rmse_pct"] and len(payload["counts"]) == 4
    assert {r["element"] for r in payload["not_used"]} == {"GE-POTI", "china-europe-rail", "AZ-ALAT"}
    assert (tmp_path / "c" / "demand.csv").is_file() and payload["dataset"] == str(tmp_path / "c")
    table = CliRunner().invoke(app, ["calibrate", "--data", str(mini), "--loo"])
    assert table.exit_code == 0 and "ru-by-eu-border" in table.stdout and "left out (LOO)" in table.stdout
    assert "Counts not used" in table.stdout
