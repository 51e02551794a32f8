"""EU ETS allowances and war-risk premia: the tables, their shares and rates per leg, the scenario
operations that change them and the choices they move (docs/costs.md)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from corridor.errors import DataError, ScenarioError
from corridor.freight.compare import compare
from corridor.freight.inputs import freight_inputs
from corridor.graph import KINDS, compile_graph
from corridor.network import Network, check_dataset, default_data_dir, load_network
from corridor.network.costs import COST_COMPONENTS
from corridor.network.levies import allowance_cost, empty_premia, premia_in_force
from corridor.network.schema import MODES
from corridor.routing import Route, Router
from corridor.routing_costs import ets_shares
from corridor.scenarios import apply_scenario, load_scenario
from corridor.settings import Settings

NEW_LINK = """name: eu-short-sea
operations:
  - add_link: {id: "sea:GR-PIRAEUS:RO-CONSTANTA", waypoints: [GR-PIRAEUS, RO-CONSTANTA], mode: sea,
               speed_kmh: 27, length_km: 1000, passages: [bosporus]}
    source: EST-SEA-SPEED
"""


@pytest.fixture(scope="module")
def network() -> Network:
    return load_network()


@pytest.fixture(scope="module")
def general(network: Network) -> Router:
    return Router(network, Settings(cargo_class="general"))


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _sea(router: Router, origin: str, destination: str, year: int) -> dict[str, Route]:
    """The Suez and Cape routes, by label."""
    routes = router.route(origin, destination, alternatives=3, year=year, avoid_modes=["rail", "road"])
    return {r.corridor: r for r in routes}


def _run(router: Router, frm: str, to: str, link: str) -> int:
    g = router.graph
    runs = np.nonzero((g.kind == KINDS.index("run")) & (g.from_place == g.place_index[frm]) & (g.to_place == g.place_index[to]))[0]
    return int(next(e for e in runs if router.network.links["id"].iloc[g.link[e]] == link))


def test_ets_covers_all_of_an_eu_voyage_half_of_one_into_the_eu_none_outside(network: Network,
                                                                             tmp_path: Path) -> None:
    net = apply_scenario(network, load_scenario(_write(tmp_path, "eu.yaml", NEW_LINK)))
    router = Router(net)
    share = ets_shares(router.graph)
    assert share[_run(router, "GR-PIRAEUS", "RO-CONSTANTA", "sea:GR-PIRAEUS:RO-CONSTANTA")] == 1.0
    assert share[_run(router, "CN-SHANGHAI", "NL-ROTTERDAM", "sea:CN-SHANGHAI:NL-ROTTERDAM")] == 0.5
    assert share[_run(router, "NL-ROTTERDAM", "CN-SHANGHAI", "sea:CN-SHANGHAI:NL-ROTTERDAM")] == 0.5
    assert share[_run(router, "CN-SHANGHAI", "IR-BANDAR-ABBAS", "sea:CN-SHANGHAI:IR-BANDAR-ABBAS")] == 0.0
    g = router.graph
    assert not share[np.isin(g.mode, [MODES.index("rail"), MODES.index("road")])].any()  # not ships


def test_phase_in_by_year(network: Network) -> None:
    ets = network.ets
    usd = {y: p * fx for y, p, fx in zip(ets["year"], ets["eua_eur_per_t"], ets["usd_per_eur"])}
    assert allowance_cost(ets, 2023) == (0.0, 0.0)  # shipping entered the ETS in 2024
    assert allowance_cost(ets, 2024) == (0.4, pytest.approx(64.76 * 1.041))
    assert allowance_cost(ets, 2025)[0] == 0.7 and allowance_cost(ets, 2026)[0] == 1.0
    assert allowance_cost(ets, 2040) == (1.0, pytest.approx(usd[2030]))  # the last price holds


def test_a_year_with_no_price_says_which_years_exist(network: Network) -> None:
    gap = network.ets[network.ets["year"] != 2027]
    with pytest.raises(DataError, match=r"no EUA price for 2027; prices exist for 2024, 2025, 2026, 2028"):
        allowance_cost(gap, 2027)


def test_ets_and_premium_on_the_sea_leg_only(general: Router, network: Network) -> None:
    routes = _sea(general, "Shanghai", "Rotterdam", 2026)
    suez, cape = routes["Sea via Suez"], routes["Sea via Cape"]
    surrendered, usd_per_t = allowance_cost(network.ets, 2026)
    hull_pct, cargo_pct, hull_usd = premia_in_force(network.premia, 2026)["babalmandab"]
    assert (surrendered, hull_pct, cargo_pct) == (1.0, 0.85, 0.0)  # 2025's premium is still in force
    for route in (suez, cape):
        sea = [leg for leg in route.legs if leg.mode == "sea" and leg.kind == "run"]
        assert len(sea) == 1
        assert sea[0].cost_breakdown.ets_usd == pytest.approx(0.5 * usd_per_t * sea[0].co2_kg_per_feu / 1000)
        assert route.cost_breakdown.ets_usd == pytest.approx(sea[0].cost_breakdown.ets_usd)
    assert suez.cost_breakdown.insurance_usd == pytest.approx(0.0085 * hull_usd)  # one Bab-el-Mandeb transit
    assert [leg.kind for leg in suez.legs if leg.cost_breakdown.insurance_usd] == ["run"]
    assert cape.cost_breakdown.insurance_usd == 0.0
    assert cape.cost_breakdown.ets_usd > 1.3 * suez.cost_breakdown.ets_usd  # 6,150 km more at sea


@pytest.mark.parametrize("year", [2023, 2024, 2026])
def test_the_router_minimises_what_the_breakdown_shows(general: Router, year: int) -> None:
    parts = general.costs.parts(year)
    weights = general.weights("generalized", year)
    assert np.allclose(sum(parts[n] for n in COST_COMPONENTS), weights, rtol=1e-12)
    for route in general.route("Shanghai", "Hamburg", alternatives=2, year=year):
        assert route.cost_breakdown.total_usd == pytest.approx(weights[route.edges].sum(), rel=1e-12)


def test_red_sea_premium_2024_raises_the_suez_route_only(network: Network) -> None:
    base, scenario = (freight_inputs(s, network=network, cargo="general") for s in ("base", "red-sea-premium-2024"))
    assert scenario.router.settings.year == 2024  # priced in the scenario's year
    before, after = (_sea(i.router, "Shanghai", "Rotterdam", 2024) for i in (base, scenario))
    assert before["Sea via Suez"].cost_breakdown.insurance_usd == pytest.approx(0.0075 * 25161)
    assert after["Sea via Suez"].cost_breakdown.insurance_usd == pytest.approx(0.01 * 25161)
    gap = {k: r["Sea via Cape"].cost_breakdown.total_usd - r["Sea via Suez"].cost_breakdown.total_usd
           for k, r in (("before", before), ("after", after))}
    assert gap["before"] - gap["after"] == pytest.approx(0.0025 * 25161)  # the Cape's lead narrows, no more
    assert after["Sea via Cape"].cost_breakdown == before["Sea via Cape"].cost_breakdown


def test_ets_2026_widens_the_capes_handicap(network: Network) -> None:
    base, scenario = (freight_inputs(s, network=network, cargo="general") for s in ("base", "ets-2026"))
    before, after = (_sea(i.router, "Shanghai", "Rotterdam", 2026) for i in (base, scenario))
    for label in ("Sea via Suez", "Sea via Cape"):
        ratio = after[label].cost_breakdown.ets_usd / before[label].cost_breakdown.ets_usd
        assert ratio == pytest.approx(100 / 88)
    rise = {k: after[k].cost_breakdown.total_usd - before[k].cost_breakdown.total_usd for k in after}
    assert rise["Sea via Cape"] > rise["Sea via Suez"] > 0


def test_a_high_enough_premium_turns_asia_europe_round_the_cape(network: Network, tmp_path: Path) -> None:
    # in this year, as the base, so that only the premium differs (both at 2025's sea rate: in 2024, when the
    # sea rate was 3.7 times 2023's, a 10 % premium turns it to the Northern rail instead)
    path = _write(tmp_path, "red-sea-10.yaml", "name: red-sea-10\nyear: 2026\noperations:\n"
                  "  - war_risk_premium: {area: bab_el_mandeb, year: 2026, hull_pct: 10}\n    source: ENGINE-RS24\n")
    result = compare("base", path, network=network, pairs=[("Shanghai", "Rotterdam")],
                     settings=Settings(cargo_class="general"), reliability_samples=0)
    row = result.pairs.iloc[0]
    assert (row["base_corridor"], row["scenario_corridor"], row["changed_by"]) == \
        ("Sea via Suez", "Sea via Cape", "insurance_usd")


@pytest.mark.parametrize(("op", "message"), [
    ("war_risk_premium: {area: bab_el_mandab, year: 2024, hull_pct: 1}", r"did you mean babalmandab\?"),
    ("war_risk_premium: {area: red_sea, year: 2024, hull_pct: 30}", r"hull_pct must be a number from 0 to 20"),
    ("war_risk_premium: {area: red_sea, hull_pct: 1}", r"year: YEAR"),
    ("ets_price: {prices: {2026: -5}}", r"eua_eur_per_t must be a number from 0 to 1000"),
    ("ets_price: {prices: {1900: 80}}", r"year must be a number from 1990 to 2100"),
])
def test_bad_operations_are_refused(network: Network, tmp_path: Path, op: str, message: str) -> None:
    path = _write(tmp_path, "bad.yaml", f"name: bad\noperations:\n  - {op}\n    source: ENGINE-RS24\n")
    with pytest.raises(ScenarioError, match=r"bad\.yaml:3: .*" + message):
        apply_scenario(network, load_scenario(path))


def test_bad_tables_are_refused_with_file_line_and_field(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(default_data_dir(), data, ignore=shutil.ignore_patterns("scenarios", "geo"))
    premia = data / "premia.csv"
    premia.write_text(premia.read_text(encoding="utf-8").replace("ormuz,2024,0.125", "hormus,2024,0.125")
                      .replace("babalmandab,2025,0.85", "babalmandab,2025,85"), encoding="utf-8")
    messages = [str(p) for p in check_dataset(data, gazetteer=None) if p.file == "premia.csv"]
    assert any("line 5, field 'area': unknown sea area or passage 'hormus': did you mean ormuz" in m
               for m in messages), messages
    assert any("line 4, field 'hull_pct': must be a number from 0 to 20, not '85'" in m for m in messages)
    with pytest.raises(DataError, match="premia.csv line 5"):
        load_network(data)


def test_no_tables_no_levies(network: Network) -> None:
    router = Router(network.replace(premia=empty_premia()))
    assert not router.costs.parts(2026)["insurance_usd"].any()
    assert compile_graph(network).n_edges == router.graph.n_edges
