"""The command line: JSON shape, clear errors and non-zero exits, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corridor.cli import app

MINI = Path(__file__).parent / "data" / "mini"

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_route_json_shape() -> None:
    code, out, _ = invoke("route", "Xian", "Duisburg", "--alternatives", "3", "--year", "2026", "--json",
                          "--data", str(MINI))
    assert code == 0
    payload = json.loads(out)
    assert payload["origin"] == "CN-XIAN" and payload["destination"] == "DE-DUISBURG"
    assert len(payload["routes"]) == 2
    for route in payload["routes"]:
        for key in ("corridor", "total_hours", "total_days", "distance_km", "cost_usd_per_feu",
                    "co2_kg_per_feu", "countries", "legs"):
            assert key in route
        assert route["countries"][0] == "CN" and route["countries"][-1] == "DE"
        for leg in route["legs"]:
            assert {"from", "to", "mode", "distance_km", "hours", "cost_usd_per_feu", "co2_kg_per_feu"} <= set(leg)
        assert abs(sum(leg["hours"] for leg in route["legs"]) - route["total_hours"]) < 0.1
        assert abs(route["total_days"] * 24 - route["total_hours"]) < 0.3


def test_table_output() -> None:
    code, out, _ = invoke("route", "Xian", "Duisburg", "-k", "2", "--year", "2026", "--data", str(MINI))
    assert code == 0 and "Northern via Moscow" in out and "Middle Corridor via Poti" in out


def test_unknown_place_is_one_clear_line() -> None:
    code, out, err = invoke("route", "Xian", "Duisbrug", "--data", str(MINI))
    assert code == 1
    assert "Unknown place 'Duisbrug'" in err and "Duisburg (DE-DUISBURG)" in err
    assert "Traceback" not in out + err


def test_impossible_constraints() -> None:
    code, _, err = invoke("route", "Xian", "Duisburg", "--avoid", "RU,AZ", "--data", str(MINI))
    assert code == 1 and "no route from CN-XIAN to DE-DUISBURG" in err


def test_wrong_option_values() -> None:
    assert invoke("route", "Xian", "Duisburg", "--optimize", "fastest", "--data", str(MINI))[0] == 1
    assert invoke("route", "Xian", "Duisburg", "--alternatives", "0", "--data", str(MINI))[0] == 1
    assert invoke("route", "Xian", "Duisburg", "--year", "soon", "--data", str(MINI))[0] == 2


def test_malformed_data_file(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(MINI, tmp_path / "d")
    path = tmp_path / "d" / "links.csv"
    path.write_text(path.read_text().replace("3000,40,1520", "3000,fast,1520"))
    code, out, err = invoke("route", "Xian", "Duisburg", "--data", str(tmp_path / "d"))
    assert code == 1 and "links.csv line 3, field 'speed_kmh'" in err and "Traceback" not in out + err
    code, _, err = invoke("data", "check", "--data", str(tmp_path / "d"))
    assert code == 1 and "links.csv line 3" in err


def test_places_and_check() -> None:
    code, out, _ = invoke("places", "ak", "--json", "--data", str(MINI))
    assert code == 0 and {p["id"] for p in json.loads(out)} == {"KZ-AKTAU", "AZ-NAKHCHIVAN"}
    code, out, _ = invoke("data", "check", "--data", str(MINI))
    assert code == 0 and "no problems" in out


def test_missing_data_folder(tmp_path: Path) -> None:
    code, out, err = invoke("route", "Xian", "Duisburg", "--data", str(tmp_path / "nowhere"))
    assert code == 1 and "no such folder" in err and "Traceback" not in out + err


def test_demo_writes_the_headline_report(tmp_path: Path) -> None:
    """`make run`'s job: every pair compared, a map each, the tables, and Caspian energy today."""
    import pandas as pd

    from corridor.cli.demo import PAIRS

    result = CliRunner().invoke(app, ["demo", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(tmp_path / "comparison.csv")
    assert {(o, d) for o, d in PAIRS} <= set(zip(table["origin"], table["destination"]))
    assert (table["days"] > 0).all() and table["corridor"].notna().all()
    assert len(list(tmp_path.glob("*.png"))) >= len(PAIRS) + 2  # one per case (Baku–Nakhchivan twice) + energy
    energy = pd.read_csv(tmp_path / "energy.csv").set_index("commodity")
    assert energy.at["gas", "delivered"] == pytest.approx(15.2, abs=0.05) and "TAP-1" in energy.at["gas", "binding"]
    assert "Caspian energy" in result.output
