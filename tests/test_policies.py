"""Sanctions policies and Caspian water levels: the scenario operations, the costs they put on routes and
ferries, their bad input and the bundled scenarios (docs/costs.md)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from corridor.cli import app
from corridor.errors import ScenarioError
from corridor.freight.inputs import freight_inputs
from corridor.graph import KINDS
from corridor.network import Network, load_network
from corridor.network.energy_table import read_energy
from corridor.network.water import caspian_level, load_factor, read_water_levels
from corridor.routing import Route, Router
from corridor.scenarios import apply_energy_scenario, apply_scenario, load_scenario
from corridor.settings import Settings

YEAR = 2025
KURYK_ALAT = "ferry:KZ-KURYK:AZ-ALAT"


@pytest.fixture(scope="module")
def network() -> Network:
    return load_network()


@pytest.fixture(scope="module")
def eu(network: Network) -> Network:
    return apply_scenario(network, load_scenario("eu-shipper-2025"))


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _routes(network: Network, cargo: str = "general") -> dict[str, Route]:
    routes = Router(network, Settings(cargo_class=cargo)).route("Xi'an", "Duisburg", alternatives=5, year=YEAR)
    return {r.corridor: r for r in routes}


def _policy(tmp_path: Path, network: Network, body: str) -> Network:
    return apply_scenario(network, load_scenario(_write(tmp_path, f"name: p\noperations:\n  - {body}\n"
                                                                 "    source: EST-EU-RU-PREMIUM\n")))


# -- policies ---------------------------------------------------------------------------------------
def test_forbidden_countries_are_avoided_by_the_cargo_class_they_bind(eu: Network) -> None:
    high = _routes(eu, "high_value")
    assert high and not any({"RU", "BY"} & set(r.countries) for r in high.values())
    assert "Northern via Brest" in _routes(eu, "general")  # forbidden to high-value cargo only
    router = Router(eu, Settings(cargo_class="high_value"))
    assert router.costs.forbidden == {"RU", "BY"}
    assert not router.usable(year=YEAR)[np.isin(router.graph.place_country[router.graph.from_place], ["RU"])].any()


def test_premium_prices_transits_of_the_countries_only(network: Network, eu: Network) -> None:
    before, after = _routes(network), _routes(eu)
    router = Router(eu, Settings(cargo_class="general"))
    cargo_value = router.costs.cargo_value_usd
    northern = after["Northern via Brest"]
    assert northern.cost_breakdown.sanctions_usd == pytest.approx(0.005 * cargo_value)  # US$499.32
    assert northern.cost_breakdown.total_usd == pytest.approx(
        before["Northern via Brest"].cost_breakdown.total_usd + 0.005 * cargo_value)
    # half on the way into Russia (from Kazakhstan), half on the way out of Belarus (into Poland)
    charged = [(leg.from_id[:2], leg.to_id[:2], leg.kind) for leg in northern.legs if leg.cost_breakdown.sanctions_usd]
    assert charged == [("KZ", "RU", "border"), ("BY", "PL", "border")]
    assert northern.to_dict()["cost_breakdown"]["sanctions_usd"] == pytest.approx(499.32, abs=0.01)
    for name, route in after.items():
        if not {"RU", "BY"} & set(route.countries):
            assert route.cost_breakdown.sanctions_usd == 0
            assert route.cost_breakdown.total_usd == pytest.approx(before[name].cost_breakdown.total_usd)


def test_a_route_that_starts_inside_pays_half(eu: Network) -> None:
    route = Router(eu, Settings(cargo_class="general")).route("RU-MOSCOW", "Duisburg", year=YEAR)[0]
    value = Router(eu, Settings(cargo_class="general")).costs.cargo_value_usd
    assert route.cost_breakdown.sanctions_usd == pytest.approx(0.005 * value / 2)


def test_the_equilibrium_inputs_see_the_policy() -> None:
    router = freight_inputs("eu-shipper-2025", cargo="general").router
    assert router.settings.year == YEAR
    assert router.edge_costs["sanctions_usd"].max() == pytest.approx(0.005 * router.costs.cargo_value_usd / 2)


def test_allowed_lifts_a_rule_for_the_countries_and_classes_it_names(tmp_path: Path, eu: Network) -> None:
    lifted = _policy(tmp_path, eu, "policy: {countries: [Belarus], action: allowed, cargo: [general]}")
    rules = {(r.countries, r.action, r.cargo) for r in lifted.policies.itertuples()}
    assert rules == {("RU", "premium", "bulk|general"), ("BY", "premium", "bulk"), ("BY|RU", "forbidden", "high_value")}


def test_fixed_and_delay_premia_add_up(tmp_path: Path, network: Network) -> None:
    edited = _policy(tmp_path, network, "policy: {countries: IR, action: premium, usd_per_feu: 300, hours: 24}")
    router = Router(edited, Settings(cargo_class="bulk"))
    route = next(r for r in _routes(edited, "bulk").values() if "IR" in r.countries)
    assert route.cost_breakdown.sanctions_usd == pytest.approx(300 + 24 * router.value_of_time)  # 300 + 24 × 0.71


def test_an_unknown_country_names_the_nearest(tmp_path: Path, network: Network) -> None:
    with pytest.raises(ScenarioError, match=r"s\.yaml:3: policy: unknown country 'Rusia'; did you mean RU\b"):
        _policy(tmp_path, network, "policy: {countries: [Rusia], action: forbidden}")
    with pytest.raises(ScenarioError, match=r"unknown country 'Nothern'; did you mean NORTHERN\b"):
        _policy(tmp_path, network, "policy: {countries: Nothern, action: forbidden}")
    with pytest.raises(ScenarioError, match=r"unknown cargo class 'genral'; did you mean general\?"):
        _policy(tmp_path, network, "policy: {countries: RU, action: forbidden, cargo: genral}")
    group = _policy(tmp_path, network, "policy: {countries: northern, action: forbidden}")
    assert set(group.policies["countries"]) == {"BY|RU"}


@pytest.mark.parametrize(("body", "message"), [
    ("policy: {countries: RU, action: premium, cargo_pct: 50}", "cargo_pct must be a number from 0 to 10, not 50"),
    ("policy: {countries: RU, action: premium, usd_per_feu: -5}", "usd_per_feu must be a number from 0 to 10000"),
    ("policy: {countries: RU, action: premium, hours: 1000}", "hours must be a number from 0 to 720"),
    ("policy: {countries: RU, action: premium}", "a premium gives one or more of usd_per_feu, cargo_pct, hours"),
    ("policy: {countries: RU, action: banned}", "action is one of allowed, premium, forbidden, not 'banned'"),
    ("policy: {countries: RU, action: forbidden, hours: 5}", "hours is a figure of a premium, not of 'forbidden'"),
    ("water_level: {level_m: -40}", "level_m must be a number from -35 to -24, not -40"),
    ("water_level: {load_factor: 0}", "load_factor must be a number from 0.1 to 1, not 0"),
    ("water_level: {year: 2025, level_m: -29}", "give one of `year: YEAR`, `level_m: LEVEL`"),
])
def test_figures_out_of_bounds_are_refused_with_the_bounds(tmp_path: Path, body: str, message: str) -> None:
    path = _write(tmp_path, f"name: p\noperations:\n  - {body}\n    source: EST-EU-RU-PREMIUM\n")
    with pytest.raises(ScenarioError, match=r"s\.yaml:3") as info:
        load_scenario(path)
    assert message in str(info.value)


def test_a_policy_must_cite_a_source(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cites no source"):
        load_scenario(_write(tmp_path, "name: p\noperations:\n  - policy: {countries: RU, action: forbidden}\n"))


# -- water levels -----------------------------------------------------------------------------------
def test_the_load_factor_runs_through_its_two_sourced_points() -> None:
    assert caspian_level(2020) == -28.23 and caspian_level(2024) == -29.18
    assert caspian_level(2022) == pytest.approx((-28.23 - 29.18) / 2)
    assert load_factor(-28.23) == 1.0 and load_factor(-27.0) == 1.0
    assert load_factor(-29.18) == pytest.approx(5500 / 6500)
    assert load_factor(caspian_level(2025)) == pytest.approx(1 - (1 - 5500 / 6500) / 0.95 * 1.27)  # 0.794


def test_low_water_cuts_ferry_capacity_and_raises_ferry_cost(network: Network) -> None:
    scenario = load_scenario("caspian-low-water")
    low = apply_scenario(network, scenario)
    f = load_factor(caspian_level(2025))
    links, base = low.links.set_index("id"), network.links.set_index("id")
    capacity = links.at[KURYK_ALAT, "capacity_teu_per_year"]
    assert capacity == pytest.approx(f * base.at[KURYK_ALAT, "capacity_teu_per_year"])
    caspian = [KURYK_ALAT, "ferry:KZ-AKTAU:AZ-ALAT"]  # the Caspian ferries with a capacity
    assert links.drop(index=caspian)["capacity_teu_per_year"].equals(base.drop(index=caspian)["capacity_teu_per_year"])
    a, b = Router(network), Router(low)
    runs = a.graph.kind == KINDS.index("run")
    ferry = np.array([lid.startswith("ferry:") and "TR-VAN" not in lid for lid in network.links["id"]])[a.graph.link]
    freight_a, freight_b = a.costs.parts(YEAR)["freight_usd"], b.costs.parts(YEAR)["freight_usd"]
    assert np.allclose(freight_b[runs & ferry], freight_a[runs & ferry] / f)
    assert np.allclose(freight_b[~(runs & ferry)], freight_a[~(runs & ferry)])
    energy, _ = read_energy()
    tankers = apply_energy_scenario(energy, scenario).assets
    assert tankers.at["TM-TANKER", "capacity"] == pytest.approx(f * energy.assets.at["TM-TANKER", "capacity"])
    pipelines = energy.assets["kind"] == "pipeline"
    assert tankers.loc[pipelines, "capacity"].equals(energy.assets.loc[pipelines, "capacity"])


def test_a_bad_water_level_row_is_refused_with_file_line_and_field(tmp_path: Path) -> None:
    (tmp_path / "water_levels.csv").write_text("sea,year,level_m,source,note\ncaspian,2024,-60,NOPE,\n")
    _, problems = read_water_levels(tmp_path, sources={"KZHYDRO-2020"})
    text = [str(p) for p in problems]
    assert any("water_levels.csv" in t and "line 2" in t and "level_m" in t and "-35 to -24" in t for t in text)
    assert any("'NOPE', which is not in sources.csv" in t for t in text)
    assert read_water_levels(sources=set(load_network().sources.index))[1] == []


# -- bundled scenarios ------------------------------------------------------------------------------
def test_corridor_scenarios_lists_what_the_bundled_ones_change() -> None:
    runner = CliRunner()
    shown = runner.invoke(app, ["scenarios", "caspian-low-water"])
    assert shown.exit_code == 0, shown.output
    assert f"link {KURYK_ALAT}: capacity_teu_per_year" in shown.output
    assert re.search(r"tariff ferry KZ( \d{4})?: US\$/FEU-km: – → 3\.676", shown.output)  # 2.92 / 0.794
    assert "asset TM-TANKER: capacity" in shown.output
    eu = runner.invoke(app, ["scenarios", "eu-shipper-2025"])
    assert eu.exit_code == 0, eu.output
    assert "policy: BY, RU premium (cargo_pct 0.5) for bulk, general cargo" in eu.output
    assert "policy: BY, RU forbidden for high_value cargo" in eu.output
