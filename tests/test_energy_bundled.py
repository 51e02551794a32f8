"""The bundled energy layer: invariants, calibration against reported throughputs, scenarios, CLI and API."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from corridor.cli import app
from corridor.energy import EUROPE, compare_energy, energy_flows, load_energy
from corridor.network import check_dataset


@pytest.fixture(scope="module")
def energy():
    return load_energy()


@pytest.fixture(scope="module")
def gas(energy):
    return energy_flows(energy, "gas")


@pytest.fixture(scope="module")
def oil(energy):
    return energy_flows(energy, "oil")


def test_bundled_layer_is_clean_and_every_figure_cited() -> None:
    problems = [str(p) for p in check_dataset() if p.file.startswith("energy")]
    assert problems == []


def test_every_field_reaches_a_market_when_everything_is_open(energy) -> None:
    for commodity in ("gas", "oil"):
        f = energy_flows(energy, commodity, to="all", year=2100)
        unused = f.supplies[f.supplies["flow"] <= 0]
        assert unused.empty, f"{commodity}: {unused['name'].tolist()} deliver nothing"


def test_gas_to_europe_never_exceeds_the_pipes_into_europe(energy, gas) -> None:
    # whatever reaches a European market crosses an asset from outside Europe into it: TAP at Kipoi
    # (with its expansions in service) or any other interconnector; their capacities bound the answer
    for year in (None, 2030, 2100):
        f = gas if year is None else energy_flows(energy, "gas", year=year)
        a, country = f.assets, energy.nodes["country"]
        entering = a[a["in_service"] & ~a["from"].map(country).isin(EUROPE) & a["to"].map(country).isin(EUROPE)]
        assert len(entering) > 0
        assert f.delivered <= entering["capacity"].sum() + 1e-6
        assert f.delivered <= f.delivered_total


def test_base_gas_is_bound_by_tap_and_malkoclar(gas) -> None:
    # TAP's 10 bcm/yr with its first 1.2 bcm/yr step (2026), and the 4 bcm/yr BOTAŞ offers from Türkgözü to
    # Bulgaria at Malkoçlar, bind; Türkiye keeps its 6 bcm/yr SD2 contract, Georgia its transit gas
    assert gas.delivered == pytest.approx(15.2, abs=0.05)
    assert set(gas.binding["element"]) == {"TAP-1", "TAP-1-X1", "TR-MALKOCLAR"}
    markets = gas.markets.set_index("node")
    assert markets.at["gas:TR-MARKET", "flow"] >= 6.0 - 1e-6
    assert markets.at["gas:GE-MARKET", "flow"] >= 0.8 - 1e-6
    assert gas.assets.set_index("id").at["SCP-1", "saturated"]


def test_flows_stay_near_reported_throughputs(energy, oil) -> None:
    # with every market alike (no target first), the split follows what was reported: the 2024 shares of
    # Türkiye (9.9 bcm: 4.3 at Türkgözü, 5.6 from TANAP) and Georgia (2.4 bcm)
    gas = energy_flows(energy, "gas", to="all")
    assets = gas.assets.set_index("id")
    for asset, reported in (("SCP-GE", 2.4), ("TR-TURKGOZU-ENTRY", 4.3), ("TANAP-TR", 5.6)):
        assert assets.at[asset, "flow"] == pytest.approx(reported, abs=0.05)
    for f in (gas, oil):
        a = f.assets[f.assets["in_service"] & f.assets["throughput"].notna()]
        fits = a[a["throughput"] <= a["capacity"]]
        close = (fits["flow"] - fits["throughput"]).abs() <= 0.15 * fits["throughput"] + 0.2
        assert close.mean() >= 0.6, fits.loc[~close, ["id", "flow", "throughput"]]
    cpc = oil.assets.set_index("id").at["CPC-2", "flow"]
    assert cpc == pytest.approx(63.8, rel=0.02)  # the 2025 Kazakh volume through CPC


def test_sgc_expansion_lifts_europe_and_tcgp_alone_does_not(energy, gas) -> None:
    expanded = energy_flows(energy, "gas", scenario="southern-gas-corridor-expansion")
    assert expanded.delivered > gas.delivered + 5
    alone = compare_energy("base", "tcgp", commodity="gas", energy=energy)
    # today's South Caucasus Pipeline is already full: Turkmen gas cannot add a cubic metre for Europe
    assert alone.change == pytest.approx(0.0, abs=1e-6)
    both = energy_flows(energy, "gas", scenario="tcgp-with-expansion")
    assert both.delivered >= expanded.delivered - 1e-6
    assert both.supplies.set_index("node").at["gas:TM-GALKYNYSH", "flow"] > 0


def test_cpc_outage_strands_kazakh_crude_and_names_the_bypasses(energy, oil) -> None:
    cmp = compare_energy("base", "cpc-outage", commodity="oil", energy=energy)
    assert cmp.change < -30
    binding = set(cmp.scenario.binding["element"])
    assert {"ATY-SAM", "KZ-CN"} <= binding
    assert not cmp.scenario.assets.set_index("id").loc[["CPC-1", "CPC-2", "CPC-MT"], "in_service"].any()


def test_no_russia_closes_energy_assets_in_russia(energy) -> None:
    f = energy_flows(energy, "oil", scenario="no-russia")
    closed = f.assets.set_index("id")
    assert not closed.loc[["CPC-2", "ATY-SAM", "BAKU-NOVO"], "in_service"].any()
    assert closed.at["BTC", "in_service"]


# -- the command line and the REST API --------------------------------------------------------
runner = CliRunner()


def test_cli_flows_json_and_map(tmp_path) -> None:
    png = tmp_path / "energy.png"
    result = runner.invoke(app, ["energy", "flows", "--json", "--plot", str(png)])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["gas"]["delivered"] == pytest.approx(15.2, abs=0.05)
    assert payload["oil"]["target"] == "all"
    assert png.stat().st_size > 20_000 and png.read_bytes()[:4] == b"\x89PNG"


def test_cli_compare_tables() -> None:
    result = runner.invoke(app, ["energy", "compare", "base", "southern-gas-corridor-expansion", "-c", "gas"])
    assert result.exit_code == 0, result.output
    assert "Gas to Europe: 15.2 → 21.2 bcm/yr (+6.0)" in result.stdout
    # the pipes no longer bind: Shah Deniz's output and the commitments to Türkiye and Georgia do
    assert "No longer binding: BOTAS grid" in result.stdout
    assert "Now binding: Georgia's committed 0.8 bcm/yr is served first" in result.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["energy", "flows", "-c", "coal"], "--commodity must be gas, oil or all"),
    (["energy", "flows", "-s", "no-such-scenario"], "no scenario 'no-such-scenario'"),
    (["energy", "flows", "-c", "gas", "--to", "ZZ"], "unknown market (europe, all, a country code or a market id) 'ZZ'"),
])
def test_cli_errors(args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    assert message in result.output


def test_api_energy_endpoints() -> None:
    import httpx
    from test_api import Server

    from corridor.api import create_app

    with Server(create_app(warm_shapes=False, freeze_gc=False)) as url, httpx.Client(base_url=url, timeout=20) as client:
        r = client.get("/api/energy/flows", params={"commodity": "oil", "scenario": "cpc-outage"})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["scenario"] == "cpc-outage" and body["delivered"] < 60
        assert any(b["element"] == "ATY-SAM" for b in body["binding"])
        r = client.get("/api/energy/compare", params={"scenario": "southern-gas-corridor-expansion"})
        assert r.status_code == 200 and r.json()["delivered"]["change"] > 5
        r = client.get("/api/energy/geojson", params={"commodity": "gas", "scenario": "tcgp"})
        assert r.status_code == 200, r.text
        geo = r.json()
        lines = [f for f in geo["features"] if f["geometry"]["type"] == "LineString"]
        assert {f["properties"]["id"] for f in lines} >= {"SCP-1", "TAP-1", "TCGP-1"}
        # pipelines with a route (energy_routes.csv) bend through their waypoints; the rest are straight
        drawn = {f["properties"]["id"]: (f["properties"]["drawn"], len(f["geometry"]["coordinates"])) for f in lines}
        assert drawn["TANAP-1"] == ("route", 9) and drawn["TCGP-1"] == ("straight", 2)
        assert all(n > 2 if how == "route" else n == 2 for how, n in drawn.values())
        assert geo["properties"]["delivered"] == pytest.approx(15.2, abs=0.05)
        r = client.get("/api/energy/flows", params={"commodity": "coal"})
        assert r.status_code == 422 and "'gas' or 'oil'" in r.json()["detail"]


def test_criticality_on_the_bundled_layer(energy) -> None:
    from corridor.energy import energy_criticality

    oil = energy_criticality(energy, "oil")
    assert oil["element"].iloc[0] in {"CPC-2", "CPC-MT"} and oil["loss"].iloc[0] > 30
    gas = energy_criticality(energy, "gas").set_index("element")
    # closing TAP's first segment closes its expansions with it: all of Europe's 11.2 bcm/yr is lost
    assert gas.at["TAP-1", "loss"] == pytest.approx(11.2, abs=0.05)
    assert gas.at["SCP-GE", "loss"] == 0.0


def test_cli_criticality_json() -> None:
    result = runner.invoke(app, ["energy", "criticality", "-c", "oil", "--scope", "groups", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["oil"]
    assert rows[0]["element"] == "CPC" and rows[0]["loss"] > 30


def test_cli_scenarios_lists_the_energy_assets_a_scenario_changes() -> None:
    result = runner.invoke(app, ["scenarios", "tcgp", "--json"])
    assert result.exit_code == 0, result.output
    changed = {r["asset"]: r["change"] for r in json.loads(result.stdout)["changed_energy_assets"]}
    assert changed == {"TCGP-1": "status: planned → operational; open_year: 2030 → –",
                       "TCGP-2": "status: planned → operational; open_year: 2033 → –"}
