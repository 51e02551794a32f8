"""The energy layer on a hand-made network whose answers are known, and the solver against networkx."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

from corridor.energy import apply_energy_scenario, compare_energy, convert, energy_flows, load_energy
from corridor.energy.flows import Arcs, min_cut, solve_arcs
from corridor.errors import DataError
from corridor.scenarios import ScenarioError, scenario_from_text

TOY = Path(__file__).parent / "data" / "energy_toy"


@pytest.fixture(scope="module")
def toy():
    return load_energy(TOY)


def scenario(body: str):
    return scenario_from_text("name: t\noperations:\n" + body, "t.yaml")


# -- known answers ----------------------------------------------------------------------------
def test_toy_europe_is_bound_by_the_italian_line(toy) -> None:
    f = energy_flows(toy, "gas")
    assert f.delivered == pytest.approx(3.0)
    # Türkiye then takes what the 6 bcm trunk leaves, Georgia its 1 bcm
    assert f.delivered_total == pytest.approx(7.0)
    assert f.binding["element"].tolist() == ["P3"]
    assert "full at 3.0 bcm/yr" in f.binding["why"].iloc[0]
    flows = f.assets.set_index("id")["flow"]
    assert flows["P2"] == pytest.approx(6.0) and flows["P3X"] == 0.0
    assert not f.assets.set_index("id").at["P3X", "in_service"]


def test_toy_expansion_year_moves_the_bottleneck_upstream(toy) -> None:
    f = energy_flows(toy, "gas", year=2030)
    assert f.delivered == pytest.approx(6.0)
    assert f.binding["element"].tolist() == ["P2"]


def test_toy_all_markets_cut_names_demand_and_pipe(toy) -> None:
    f = energy_flows(toy, "gas", to="all")
    assert f.delivered == pytest.approx(7.0)
    assert set(f.binding["element"]) == {"P2", "gas:GE-MARKET"}
    assert any("Georgia takes no more than 1.0" in w for w in f.binding["why"])


def test_toy_oil_is_bound_by_supply_and_converted(toy) -> None:
    f = energy_flows(toy, "oil", to="all")
    assert f.delivered == pytest.approx(convert(1000, "kb_per_day", "mt_per_year"))
    assert f.binding["kind"].tolist() == ["supply"]


def test_reported_throughputs_steer_the_flow_not_the_volume(tmp_path: Path) -> None:
    # in 2030 the 6 bcm trunk can serve Italy (up to 6) or Türkiye (takes 4): the shortest way sends 4 to
    # Türkiye; with Türkiye's offtake reported at 2 bcm, 2 go there and 4 to Italy; the total stays 7
    free = energy_flows(load_energy(TOY), "gas", to="all", year=2030)
    assert free.assets.set_index("id").at["P4", "flow"] == pytest.approx(4.0)
    folder = _broken(tmp_path, "energy_assets.csv", "gas:TR-MARKET,5,,,bcm_per_year,300,operational,,,,S,,S,,",
                     "gas:TR-MARKET,5,2,2024,bcm_per_year,300,operational,,,,S,S,S,,")
    f = energy_flows(load_energy(folder), "gas", to="all", year=2030)
    assert f.delivered == pytest.approx(7.0)
    assert f.assets.set_index("id").at["P4", "flow"] == pytest.approx(2.0)


def test_flow_is_conserved_and_within_capacity(toy) -> None:
    f = energy_flows(toy, "gas", to="all", year=2030)
    a = f.assets[f.assets["in_service"]]
    assert (a["flow"] <= a["capacity"] + 1e-6).all()
    for node in toy.nodes.query("commodity == 'gas' and kind not in ('field', 'market')").index:
        inflow = a.loc[a["to"] == node, "flow"].sum()
        outflow = a.loc[a["from"] == node, "flow"].sum()
        assert inflow == pytest.approx(outflow, abs=1e-6)


def test_unknown_target_is_a_clear_error(toy) -> None:
    with pytest.raises(ValueError, match="unknown market .* 'XX'"):
        energy_flows(toy, "gas", to="XX")
    with pytest.raises(ValueError, match="commodity must be one of gas, oil"):
        energy_flows(toy, "coal")


# -- the solver against networkx --------------------------------------------------------------
def _random_arcs(seed: int, n: int = 12, m: int = 40) -> tuple[Arcs, nx.DiGraph]:
    rng = np.random.default_rng(seed)
    tail, head = rng.integers(0, n, m), rng.integers(0, n, m)
    keep = tail != head
    tail, head = tail[keep], head[keep]
    capacity = np.round(rng.uniform(0.5, 10, len(tail)), 3)
    supplies, markets = [0, 1], [n - 2, n - 1]
    t = np.concatenate([tail, [n, n], markets])
    h = np.concatenate([head, supplies, [n + 1, n + 1]])
    c = np.concatenate([capacity, [8.0, 5.0], [np.inf, 4.0]])
    arcs = Arcs([str(i) for i in range(n)], t, h, c, np.ones(len(t)), [f"a{k}" for k in range(len(t))],
                np.isin(np.arange(len(t)), [len(t) - 2, len(t) - 1]),
                # some arcs "reported" at throughputs the max-flow cannot all honour: the volume must not move
                np.where(rng.random(len(t)) < 0.3, rng.uniform(0, 12, len(t)), np.nan), np.zeros(len(t)))
    g = nx.DiGraph()
    for u, v, cap in zip(t, h, c):
        if g.has_edge(u, v):
            g[u][v]["capacity"] += cap
        else:
            g.add_edge(int(u), int(v), capacity=cap)
    return arcs, g


@pytest.mark.parametrize("seed", range(8))
def test_max_flow_and_cut_match_networkx(seed: int) -> None:
    arcs, g = _random_arcs(seed)
    solution = solve_arcs(arcs)
    first, final = solution.first, solution.flow
    expected = nx.maximum_flow_value(g, arcs.source, arcs.sink) if arcs.sink in g else 0.0
    assert first[arcs.target].sum() == pytest.approx(expected, abs=1e-6)
    assert final[arcs.head == arcs.sink].sum() == pytest.approx(expected, abs=1e-6)
    cut = min_cut(arcs, solution)
    assert arcs.capacity[cut].sum() == pytest.approx(expected, abs=1e-6)
    assert np.allclose(first[cut], arcs.capacity[cut], atol=1e-6)


# -- units ------------------------------------------------------------------------------------
def test_conversions() -> None:
    assert convert(1200, "kb_per_day", "mt_per_year") == pytest.approx(1200e3 * 365 / 7.33 / 1e6)
    assert convert(100, "mcm_per_day", "bcm_per_year") == pytest.approx(36.5)
    assert convert(36.5, "bcm_per_year", "mcm_per_day") == pytest.approx(100)
    with pytest.raises(ValueError, match="cannot convert kb_per_day"):
        convert(1, "kb_per_day", "bcm_per_year")


def test_loaded_figures_are_in_base_units(toy) -> None:
    o1 = toy.assets.loc["O1"]
    assert o1["unit"] == "mt_per_year" and o1["unit_given"] == "kb_per_day"
    assert o1["capacity"] == pytest.approx(convert(1200, "kb_per_day", "mt_per_year"))


# -- bad input --------------------------------------------------------------------------------
def _broken(tmp_path: Path, file: str, old: str, new: str) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(TOY, folder)
    path = folder / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return folder


@pytest.mark.parametrize(("file", "old", "new", "message"), [
    ("energy_assets.csv", "gas:TR-HUB,gas:IT-MARKET,3,", "gas:TR-HUB,gas:IT-MARKT,3,",
     "energy_assets.csv line 4, field 'to': unknown node 'gas:IT-MARKT'"),
    ("energy_assets.csv", "gas:AZ-HUB,gas:TR-HUB,6,", "gas:AZ-HUB,gas:TR-HUB,-6,",
     "energy_assets.csv line 3, field 'capacity': Input should be greater than or equal to 0"),
    ("energy_assets.csv", "gas:AZ-HUB,gas:TR-HUB,6,,,bcm_per_year", "gas:AZ-HUB,gas:TR-HUB,6,,,kb_per_day",
     "energy_assets.csv line 3, field 'unit': kb_per_day is a unit of oil, not of gas: use bcm_per_year or mcm_per_day"),
    ("energy_assets.csv", "gas:AZ-HUB,gas:TR-HUB,6,,,bcm_per_year,1000,operational,,SCP,,S,",
     "gas:AZ-HUB,gas:TR-HUB,6,,,bcm_per_year,1000,operational,,SCP,,,",
     "energy_assets.csv line 3, field 'capacity_source': capacity = 6.0 cites no source"),
    ("energy_assets.csv", "O1,Oil line,oil,pipeline,oil:AZ-FIELD", "O1,Oil line,oil,pipeline,gas:AZ-FIELD",
     "energy_assets.csv line 8, field 'from': gas:AZ-FIELD is a gas node; this asset carries oil"),
    ("energy_nodes.csv", "gas:TR-MARKET,Türkiye,gas,market,TR,32.0,39.5,,4,", "gas:TR-MARKET,Türkiye,gas,market,TR,32.0,39.5,,4x,",
     "energy_nodes.csv line 6, field 'demand': Input should be a valid number"),
    ("energy_nodes.csv", "gas:AZ-HUB,Hub,gas,hub,AZ,48.0,40.5,,,,bcm_per_year,,,,S,",
     "gas:AZ-HUB,Hub,gas,hub,AZ,48.0,40.5,,,,bcm_per_year,,,,NOPE,",
     "energy_nodes.csv line 3, field 'source': cites source 'NOPE', which is not in sources.csv"),
])
def test_bad_rows_are_named(tmp_path: Path, file: str, old: str, new: str, message: str) -> None:
    folder = _broken(tmp_path, file, old, new)
    with pytest.raises(DataError) as exc:
        load_energy(folder)
    assert message in str(exc.value)
    # the files themselves are untouched by reading
    assert new in (folder / file).read_text()


def test_an_expansion_must_join_the_nodes_of_what_it_expands(tmp_path: Path) -> None:
    folder = _broken(tmp_path, "energy_assets.csv", "SGC-EXPANSION,P3,", "SGC-EXPANSION,P2,")
    with pytest.raises(DataError, match=re.escape("energy_assets.csv line 7, field 'expands': an expansion joins "
                                                  "the same nodes as P2 (gas:AZ-HUB → gas:TR-HUB)")):
        load_energy(folder)


def test_closing_an_asset_closes_its_expansions(toy) -> None:
    f = energy_flows(toy, "gas", year=2030, scenario=scenario("  - close: {asset: P3}\n"))
    assert f.delivered == 0.0
    assert not f.assets.set_index("id").at["P3X", "in_service"]


def test_a_missing_table_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(TOY, folder)
    (folder / "energy_assets.csv").unlink()
    with pytest.raises(DataError, match="energy_assets.csv: file is missing"):
        load_energy(folder)


# -- scenarios --------------------------------------------------------------------------------
def test_open_an_expansion_group(toy) -> None:
    f = energy_flows(toy, "gas", scenario=scenario("  - open: {asset_group: SGC-EXPANSION}\n"))
    assert f.delivered == pytest.approx(6.0)


def test_close_and_set_with_units(toy) -> None:
    closed = energy_flows(toy, "gas", scenario=scenario("  - close: {asset: P3}\n"))
    assert closed.delivered == 0.0 and closed.binding.empty
    bigger = energy_flows(toy, "gas", scenario=scenario(
        "  - set: {asset: P3, capacity: 10958.9, unit: mcm_per_day}\n    source: S\n"))
    assert bigger.delivered == pytest.approx(6.0)  # 4,000 bcm/yr on P3; the 6 bcm trunk binds
    assert bigger.binding["element"].tolist() == ["P2"]


def test_scale_supply_and_add_asset(toy) -> None:
    sc = scenario("  - scale: {node: 'gas:AZ-FIELD', supply: 0.2}\n    source: S\n")
    assert energy_flows(toy, "gas", scenario=sc).delivered == pytest.approx(2.0)
    sc = scenario("  - add_asset: {id: BYPASS, name: Bypass, commodity: gas, kind: pipeline, from: 'gas:AZ-FIELD',"
                  " to: 'gas:IT-MARKET', capacity: 1.5, unit: bcm_per_year}\n    source: S\n")
    f = energy_flows(toy, "gas", scenario=sc)
    assert f.delivered == pytest.approx(4.5)
    assert set(f.binding["element"]) == {"P3", "BYPASS"}


def test_country_closure_reaches_energy(toy) -> None:
    f = energy_flows(toy, "gas", to="all", scenario=scenario("  - close: {country: TR}\n"))
    assert f.delivered == pytest.approx(1.0)  # only Georgia is left


@pytest.mark.parametrize(("body", "message"), [
    ("  - close: {asset: P33}\n", "t.yaml:3: close: unknown energy asset 'P33'; did you mean P3"),
    ("  - set: {asset: P3, capacity: 5, unit: kb_per_day}\n    source: S\n",
     "kb_per_day is a unit of oil, but the selection carries gas"),
    ("  - close: {asset_group: TAPP}\n", "unknown energy asset group 'TAPP'; did you mean TAP"),
    ("  - set: {node: 'gas:AZ-HUB', supply: 5, unit: bcm_per_year}\n    source: S\n",
     "supply applies to a field; gas:AZ-HUB is a hub"),
    (("  - add_asset: {id: P1, name: x, commodity: gas, kind: pipeline, from: 'gas:AZ-FIELD', to: 'gas:AZ-HUB',"
     " capacity: 1, unit: bcm_per_year}\n    source: S\n"), "an energy asset 'P1' already exists"),
    ("  - set: {asset: P3, capacity: 5, unit: bcm_per_year}\n    source: NOPE\n", "cites source 'NOPE'"),
])
def test_scenario_errors_name_file_line_and_what_is_wrong(toy, body: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=re.escape(message)):
        apply_energy_scenario(toy, scenario(body))


@pytest.mark.parametrize(("body", "message"), [
    ("  - set: {asset: P3, capacity: 5}\n    source: S\n", "give the figure's unit"),
    ("  - close: {asset: P3, link: x}\n", "acts on energy (asset) or on freight links (link), not both"),
    ("  - scale: {asset: P3, capacity: 0}\n    source: S\n", "capacity must be a finite positive factor"),
    ("  - open: {asset: P3, capacity: 3}\n", "unknown key 'capacity'"),
    ("  - add_asset: {id: X, commodity: gas}\n    source: S\n", "missing name, kind, from, to, capacity, unit"),
    ("  - set: {asset: P3, capacity: 5, unit: bcm_per_year}\n", "cites no source"),
])
def test_scenario_shape_errors(body: str, message: str) -> None:
    with pytest.raises(ScenarioError, match=re.escape(message)):
        scenario(body)


def test_compare_reports_what_changed(toy) -> None:
    cmp = compare_energy("base", scenario("  - open: {asset_group: SGC-EXPANSION}\n"), commodity="gas", energy=toy)
    assert cmp.change == pytest.approx(3.0)
    assert set(cmp.assets["id"]) >= {"P3X", "P4"}
    assert cmp.binding_lifted == ["To Italy (P3) is full at 3.0 bcm/yr"]
    assert cmp.binding_new == ["Trunk (P2) is full at 6.0 bcm/yr"]
    market = cmp.markets.set_index("node")
    assert market.at["gas:IT-MARKET", "change"] == pytest.approx(3.0)
    assert market.at["gas:TR-MARKET", "change"] == pytest.approx(-3.0)


def test_data_check_locates_energy_nodes(tmp_path: Path) -> None:
    from corridor.network import check_dataset

    folder = tmp_path / "data"
    shutil.copytree(Path(__file__).parent / "data" / "mini", folder)
    for name in ("energy_nodes.csv", "energy_assets.csv"):
        shutil.copy(TOY / name, folder / name)
    with (folder / "sources.csv").open("a") as handle:
        handle.write((TOY / "sources.csv").read_text().splitlines()[1] + "\n")
    assert [str(p) for p in check_dataset(folder) if p.file.startswith("energy")] == []
    nodes = folder / "energy_nodes.csv"
    nodes.write_text(nodes.read_text().replace("gas:TR-HUB,Turkish hub,gas,hub,TR,35.0,39.0",
                                               "gas:TR-HUB,Turkish hub,gas,hub,TR,44.8,41.7"))
    problems = [str(p) for p in check_dataset(folder) if p.file.startswith("energy")]
    assert problems == ["energy_nodes.csv line 4, field 'lon/lat': (44.8, 41.7) lies in GE, not in TR as stated"]


def test_criticality_ranks_what_each_closure_costs(toy) -> None:
    from corridor.energy import energy_criticality

    calls = []
    ranked = energy_criticality(toy, "gas", progress=lambda done, total: calls.append((done, total)))
    loss = ranked.set_index("element")["loss"]
    # Italy's 3 bcm/yr need P1, P2 and P3; the Georgian and Turkish offtakes cost Europe nothing
    assert loss[["P1", "P2", "P3"]].tolist() == pytest.approx([3.0, 3.0, 3.0])
    assert loss[["P4", "P5"]].tolist() == pytest.approx([0.0, 0.0])
    assert ranked["loss"].is_monotonic_decreasing
    assert calls[-1] == (5, 5) and "P3X" not in loss.index  # only assets in service
    totals = ranked.set_index("element")["loss_total"]
    assert totals["P1"] == pytest.approx(7.0) and totals["P5"] == pytest.approx(1.0)
    groups = energy_criticality(toy, "gas", scope="groups").set_index("element")
    assert groups.at["SCP", "loss"] == pytest.approx(3.0) and groups.at["SCP", "name"] == "P1, P2"


def test_commitments_are_served_first_and_named_when_they_bind(toy) -> None:
    # Türkiye committed 4 bcm/yr: over the 6 bcm/yr trunk, Italy can only have 2
    sc = scenario("  - set: {node: 'gas:TR-MARKET', committed: 4, unit: bcm_per_year}\n    source: S\n")
    f = energy_flows(toy, "gas", scenario=sc)
    assert f.delivered == pytest.approx(2.0)
    assert f.markets.set_index("node").at["gas:TR-MARKET", "flow"] == pytest.approx(4.0)
    assert set(f.binding["element"]) == {"P2", "gas:TR-MARKET"}
    assert "Türkiye's committed 4.0 bcm/yr is served first" in " ".join(f.binding["why"])
    # a commitment that fits beside the target takes nothing from it and is not listed
    light = scenario("  - set: {node: 'gas:TR-MARKET', committed: 1, unit: bcm_per_year}\n    source: S\n")
    g = energy_flows(toy, "gas", scenario=light)
    assert g.delivered == pytest.approx(3.0) and g.binding["element"].tolist() == ["P3"]
    # more than the network can carry: as much as it can is served, the rest is not
    heavy = scenario("  - set: {node: 'gas:GE-MARKET', committed: 1, unit: bcm_per_year}\n    source: S\n"
                     "  - set: {asset: P5, capacity: 0.5, unit: bcm_per_year}\n    source: S\n")
    h = energy_flows(toy, "gas", scenario=heavy)
    assert h.markets.set_index("node").at["gas:GE-MARKET", "flow"] == pytest.approx(0.5)
