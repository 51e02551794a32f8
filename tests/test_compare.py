"""Comparing two scenarios: per pair, per link, the map and the GeoJSON, the command."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from corridor.cli import app
from corridor.freight.compare import compare, read_pairs
from corridor.freight.demand import load_demand
from corridor.errors import DataError
from corridor.network import load_network
from corridor.settings import Settings

MINI = Path(__file__).parent / "data" / "mini"
SCENARIO = "name: open-close\noperations:\n  - open: {group: TRIPP}\n    source: T-EST\n  - close: {country: RU}\n"


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sc") / "open-close.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def result(scenario_file: Path):
    net = load_network(MINI)
    # the volumes below were worked out for the general class's value of time
    return compare("base", scenario_file, network=net, demand=load_demand(MINI, net), reliability_samples=0,
                   settings=Settings(cargo_class="general"))


def test_pairs_show_changes_and_corridors(result) -> None:
    pairs = result.pairs.set_index(["origin", "destination"])
    nax = pairs.loc[("AZ-ALAT", "AZ-NAKHCHIVAN")]
    assert nax["delta_days"] < 0 and "TRIPP" in nax["scenario_corridor"] and nax["corridor_changed"]
    moscow = pairs.loc[("RU-MOSCOW", "DE-DUISBURG")]
    assert moscow["scenario_corridor"] == "no route" and pd.isna(moscow["delta_days"])
    xian = pairs.loc[("CN-XIAN", "DE-DUISBURG")]
    assert xian["base_corridor"].startswith("Northern") and xian["scenario_corridor"].startswith("Middle")
    assert abs(xian["delta_days"] - (xian["scenario_days"] - xian["base_days"])) < 1e-9


def test_link_volumes(result) -> None:
    links = result.links.set_index("link")
    assert links.at["R-MOSCOW-DUISBURG", "delta_teu_per_year"] == -17000
    assert links.at["R-HORADIZ-MEGHRI", "scenario_teu_per_year"] == 800
    assert result.summary["scenario"]["unrouted_teu_per_year"] == 3000
    assert set(result.changed["link"]) == {"R-HORADIZ-MEGHRI", "R-MEGHRI-NAKHCHIVAN", "R-DOSTYK-MOSCOW", "R-MOSCOW-DUISBURG"}


def test_geojson_and_png(result, tmp_path: Path) -> None:
    gj = result.to_geojson()
    ids = {f["properties"]["link"] for f in gj["features"]}
    assert {"R-MOSCOW-DUISBURG", "R-HORADIZ-MEGHRI", "F-AKTAU-ALAT"} <= ids
    assert all(f["geometry"]["type"] == "LineString" for f in gj["features"])
    png = result.plot(tmp_path / "m.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_read_pairs(tmp_path: Path) -> None:
    good = tmp_path / "p.csv"
    good.write_text("origin,destination\nXian,Duisburg\n", encoding="utf-8")
    assert read_pairs(good) == [("Xian", "Duisburg")]
    bad = tmp_path / "b.csv"
    bad.write_text("from,to\nXian,Duisburg\n", encoding="utf-8")
    with pytest.raises(DataError, match="line 1"):
        read_pairs(bad)


def test_cli_compare(scenario_file: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    args = ["compare", "base", str(scenario_file), "--pair", "Xian", "Duisburg", "--pair", "Alat", "Nakhchivan",
            "--out", str(tmp_path), "--samples", "0", "--json", "--data", str(MINI)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert [p["origin"] for p in payload["pairs"]] == ["CN-XIAN", "AZ-ALAT"]
    assert Path(payload["files"]["png"]).is_file() and Path(payload["files"]["geojson"]).is_file()
    assert payload["link_volumes"] and payload["summary"]["base"]["teu_per_year"] == 22800
    text = runner.invoke(app, ["compare", "base", str(scenario_file), "--no-map", "--samples", "0", "--data", str(MINI)])
    assert text.exit_code == 0 and "Largest changes of link volume" in text.stdout


def test_cli_compare_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    bad = tmp_path / "bad.yaml"
    bad.write_text("operations:\n  - explode: {}\n", encoding="utf-8")
    result = runner.invoke(app, ["compare", "base", str(bad), "--data", str(MINI), "--no-map"])
    assert result.exit_code == 1 and f"{bad}:2" in result.stderr and "Traceback" not in result.output
    result = runner.invoke(app, ["compare", "base", "nope-scenario", "--data", str(MINI), "--no-map"])
    assert result.exit_code == 1 and "no scenario 'nope-scenario'" in result.stderr
    result = runner.invoke(app, ["compare", "base", str(bad), "--pair", "Xian", "--data", str(MINI)])
    assert result.exit_code == 1 and "--pair" in result.stderr
