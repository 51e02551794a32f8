"""Route-choice constants (freight/choice.py, choice_fit.py) on the mini dataset: a constant moves its
corridor's flow the right way, the estimate reproduces a synthetic target, constants off give the old
flows, a bad constants.csv row is named by file, line and field, and the CLI prints the fit."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from corridor.cli import app
from corridor.errors import DataError
from corridor.freight import assign_corridors, freight_inputs
from corridor.freight.choice import alternative_links, apply_constants, load_constants
from corridor.freight.choice_fit import estimate_constants
from corridor.freight.congestion import solve
from corridor.freight.corridor_problem import build_problem

MINI = Path(__file__).parent / "data" / "mini"


def _counts(caspian: float, west: float) -> pd.DataFrame:
    row = {"class": "containers", "year": 2024, "unit": "TEU", "source": "T-PUB", "note": ""}
    return pd.DataFrame([row | {"element": "caspian-crossings", "value": caspian, "direction": None},
                         row | {"element": "ru-by-eu-border", "value": west, "direction": "westbound"}])


@pytest.fixture(scope="module")
def problem():  # type: ignore[no-untyped-def]
    return build_problem(freight_inputs(data=MINI))


def _volume(problem, constants: dict, alternative: str, direction: str | None = None) -> float:  # type: ignore[no-untyped-def]
    flows = solve(apply_constants(problem, constants), algorithm="bush", gap=1e-8).flows
    return float(np.asarray(flows)[alternative_links(problem, alternative, direction)].sum())


def test_a_constant_moves_its_corridor_the_right_way(problem) -> None:  # type: ignore[no-untyped-def]
    base = _volume(problem, {}, "caspian-crossings")
    dearer = _volume(problem, {("caspian-crossings", None): 5000.0}, "caspian-crossings")
    assert base > 0 and dearer < base
    # the Northern route takes what the Caspian loses
    assert _volume(problem, {("caspian-crossings", None): 5000.0}, "ru-by-eu-border") > \
        _volume(problem, {}, "ru-by-eu-border")


def test_estimated_constants_reproduce_a_synthetic_target(problem) -> None:  # type: ignore[no-untyped-def]
    truth = {("caspian-crossings", None): 5000.0}
    target_caspian = _volume(problem, truth, "caspian-crossings")
    target_west = _volume(problem, truth, "ru-by-eu-border", "westbound")
    fit = estimate_constants(freight_inputs(data=MINI), counts=_counts(target_caspian, target_west),
                             gap=1e-8, with_elasticities=False).constants.set_index("alternative")
    assert fit.loc["caspian-crossings", "before"] != pytest.approx(target_caspian, rel=0.01)
    assert fit.loc["caspian-crossings", "after"] == pytest.approx(target_caspian, rel=0.01)
    assert fit.loc["caspian-crossings", "status"] == "fitted"
    # under UE the pair of constants need not be the truth's, but both counts are met
    assert fit.loc["ru-by-eu-border", "after"] == pytest.approx(target_west, rel=0.01)


def test_logit_share_matching_meets_a_synthetic_target(problem) -> None:  # type: ignore[no-untyped-def]
    flows = np.asarray(solve(apply_constants(problem, {("caspian-crossings", None): 1500.0}), algorithm="sue",
                             gap=1e-4, theta=0.02).flows)
    caspian = float(flows[alternative_links(problem, "caspian-crossings")].sum())
    west = float(flows[alternative_links(problem, "ru-by-eu-border", "westbound")].sum())
    fit = estimate_constants(freight_inputs(data=MINI), counts=_counts(caspian, west), algorithm="sue",
                             with_elasticities=False).constants.set_index("alternative")
    assert fit.loc["caspian-crossings", "before"] > 1.1 * caspian
    # within the estimation's 1 % plus SUE's flow noise
    assert fit.loc["caspian-crossings", "after"] == pytest.approx(caspian, rel=0.015)
    assert fit.loc["ru-by-eu-border", "after"] == pytest.approx(west, rel=0.015)
    assert fit.loc["caspian-crossings", "usd_per_feu"] > 0
    assert (fit["iterations"] < 30).all()


def test_constants_off_give_the_old_flows(tmp_path: Path) -> None:
    data = tmp_path / "mini"
    shutil.copytree(MINI, data)
    old = assign_corridors(freight_inputs(data=data), gap=1e-8).edges["volume_teu"].to_numpy()
    (data / "constants.csv").write_text("alternative,direction,class,year,usd_per_feu,source,note\n"
                                        "caspian-crossings,,general,2024,5000,T-EST,test\n")
    cargo = freight_inputs(data=data).settings.cargo_class
    (data / "constants.csv").write_text((data / "constants.csv").read_text().replace("general", cargo))
    on = assign_corridors(freight_inputs(data=data), gap=1e-8).corridors().set_index("id")["model_teu"]
    off = assign_corridors(freight_inputs(data=data), gap=1e-8, constants=False)
    assert np.allclose(off.edges["volume_teu"].to_numpy(), old)
    assert on["caspian-crossings"] < off.corridors().set_index("id").loc["caspian-crossings", "model_teu"]


def test_a_bad_constants_row_is_named_by_file_line_and_field(tmp_path: Path) -> None:
    (tmp_path / "constants.csv").write_text("alternative,direction,class,year,usd_per_feu,source,note\n"
                                            "caspian-crosings,,general,2024,100,T-EST,\n"
                                            "btk,northbound,general,2024,abc,T-EST,\n")
    with pytest.raises(DataError) as err:
        load_constants(tmp_path)
    text = str(err.value)
    assert "constants.csv line 2" in text and "caspian-crossings" in text
    assert "line 3" in text and "direction" in text and "usd_per_feu" in text


def test_cli_constants_json(tmp_path: Path) -> None:
    data = tmp_path / "mini"
    shutil.copytree(MINI, data)
    _counts(3000.0, 16000.0).to_csv(data / "counts.csv", index=False)
    result = CliRunner().invoke(app, ["calibrate", "--constants", "--json", "--data", str(data)])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert {r["alternative"] for r in out["constants"]} == {"caspian-crossings", "ru-by-eu-border"}
    assert all(np.isfinite(r["change_cost10_pct"]) for r in out["elasticities"])


@pytest.mark.parametrize(("args", "message"), [
    (["--algorithm", "buush"], "unknown route-choice algorithm 'buush'; did you mean bush?"),
    (["--algorithm", "sue", "--theta", "-1"], "theta must be a finite number above 0"),
])
def test_a_bad_algorithm_or_theta_is_refused(args: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["calibrate", "--constants", "--data", str(MINI), *args])
    assert result.exit_code == 1, result.output
    assert message in result.output
