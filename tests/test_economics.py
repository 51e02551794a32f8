"""Concession economics: traffic from routed demand, revenue, NPV and the printed assumptions."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from corridor.cli import app
from corridor.freight.demand import load_demand
from corridor.freight.economics import concession_economics, parse_tariff
from corridor.freight.inputs import freight_inputs
from corridor.errors import InvalidOptionError
from corridor.network import load_network
from corridor.scenarios import scenario_from_text

MINI = Path(__file__).parent / "data" / "mini"
OPEN = "name: open-tripp\noperations:\n  - open: {group: TRIPP}\n    source: T-EST\n"


@pytest.fixture(scope="module")
def inputs():
    net = load_network(MINI)
    return net, load_demand(MINI, net), scenario_from_text(OPEN)


def test_traffic_revenue_and_npv(inputs) -> None:
    net, demand, sc = inputs
    res = concession_economics(freight_inputs(sc, network=net, demand=demand), links="TRIPP", years=10, option_years=5, discount=0.1,
                               tariff="0.5/teu-km", growth=0.0, capex_usd=1e6)
    # AZ → Nakhchivan (500 TEU) and Xi'an → Nakhchivan (300 TEU) use both TRIPP links (220 km)
    assert set(res.od["origin_place"]) == {"AZ-ALAT", "CN-XIAN"}
    years = res.years
    assert len(years) == 15 and years["year"].iloc[0] == 2030
    assert years["teu"].iloc[0] == pytest.approx(800)
    assert years["teu_km"].iloc[0] == pytest.approx(800 * 220)
    assert years["revenue_usd"].iloc[0] == pytest.approx(800 * 220 * 0.5)
    k = np.arange(1, 11)
    expected = -1e6 + (800 * 220 * 0.5 / 1.1 ** k).sum()
    assert res.npv_usd == pytest.approx(expected)
    assert res.npv_with_option_usd > res.npv_usd
    names = {a.name for a in res.assumptions}
    assert {"tariff", "traffic growth", "discount rate", "construction cost", "capacity cap", "first year of operation"} <= names
    assert res.shares == {"US": 0.74, "AM": 0.26}


def test_growth_cap_and_default_tariff(inputs) -> None:
    net, demand, sc = inputs
    capped = scenario_from_text(OPEN + "  - set: {group: TRIPP, capacity_teu_per_year: 1000}\n    source: T-EST\n")
    res = concession_economics(freight_inputs(capped, network=net, demand=demand), links="TRIPP", years=30, growth=0.02, opex_share=0.4)
    teu = res.years["teu"].to_numpy()
    assert teu[0] == pytest.approx(800 * 1.02 ** (2030 - 2024)) and teu.max() == pytest.approx(1000)
    assert res.years["opex_usd"].iloc[0] == pytest.approx(0.4 * res.years["revenue_usd"].iloc[0])
    tariff = next(a for a in res.assumptions if a.name == "tariff")
    assert "0.300/TEU-KM" in tariff.value and "tariffs.csv" in tariff.basis
    per_teu = concession_economics(freight_inputs(sc, network=net, demand=demand), links="R-HORADIZ-MEGHRI", years=5, tariff="100/teu", growth=0)
    assert per_teu.years["revenue_usd"].iloc[0] == pytest.approx(800 * 100)


def test_closed_links_earn_nothing(inputs) -> None:
    net, demand, _ = inputs
    res = concession_economics(freight_inputs("base", network=net, demand=demand), links="TRIPP", years=5, start_year=2026)
    assert res.years["teu"].sum() == 0


def test_parse_tariff_and_bad_options(inputs) -> None:
    assert parse_tariff("0.30/teu-km") == (0.30, "teu-km")
    assert parse_tariff("150/TEU") == (150.0, "teu")
    assert parse_tariff("1.2/feu-km") == (0.6, "teu-km")
    assert parse_tariff(0.2) == (0.2, "teu-km")
    with pytest.raises(InvalidOptionError):
        parse_tariff("cheap")
    net, demand, sc = inputs
    with pytest.raises(InvalidOptionError, match="neither a link group"):
        concession_economics(freight_inputs(sc, network=net, demand=demand), links="NOPE")
    with pytest.raises(InvalidOptionError, match="discount"):
        concession_economics(freight_inputs(sc, network=net, demand=demand), links="TRIPP", discount=5)


def test_cli_economics(tmp_path: Path) -> None:
    sc = tmp_path / "open.yaml"
    sc.write_text(OPEN, encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["economics", "--links", "TRIPP", "--scenario", str(sc), "--option-years", "50",
                                 "--discount", "0.07", "--data", str(MINI)])
    assert result.exit_code == 0, result.output
    for text in ("Assumptions", "discount rate", "7.0%", "NPV over 49 years", "50-year option", "US 74%"):
        assert text in result.stdout
    result = runner.invoke(app, ["economics", "--links", "TRIPP", "--scenario", str(sc), "--json", "--data", str(MINI)])
    payload = json.loads(result.stdout)
    assert len(payload["years"]) == 49 and payload["npv_with_option_usd"] is None
