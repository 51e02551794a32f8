"""Scenarios: reading with file:line errors, extends, every operation, purity, the bundled files, the table of
operations."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from corridor.cli import app
from corridor.network import load_network
from corridor.network.geo import haversine_km
from corridor.routing import Router
from corridor.scenarios import (
    ScenarioError,
    apply_demand,
    apply_scenario,
    bundled_scenarios,
    changed_links,
    compose_yaml,
    load_scenario,
    scenario_from_text,
)
from corridor.scenarios import spec
from corridor.scenarios.operations import OPERATIONS

MINI = Path(__file__).parent / "data" / "mini"


@pytest.fixture(scope="module")
def mini():
    return load_network(MINI)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(fn, *args, **kw) -> str:
    with pytest.raises(ScenarioError) as info:
        fn(*args, **kw)
    return str(info.value)


# -- reading ----------------------------------------------------------------------------------
def test_unknown_operation_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", "name: bad\noperations:\n  - close: {link: R-ALAT-POTI}\n  - explode: {link: X}\n")
    message = error_of(load_scenario, path)
    assert f"{path}:4" in message and "unknown operation 'explode'" in message and "close" in message


def test_malformed_yaml_names_line(tmp_path: Path) -> None:
    path = write(tmp_path, "broken.yaml", "name: x\noperations:\n  - close: {link: [R-A\n  - open: {}\n")
    message = error_of(load_scenario, path)
    assert str(path) in message and "not valid YAML" in message and ":4" in message


def test_duplicate_key_and_unknown_top_key(tmp_path: Path) -> None:
    assert ":3" in error_of(load_scenario, write(tmp_path, "d.yaml", "name: a\noperations: []\nname: b\n"))
    message = error_of(load_scenario, write(tmp_path, "u.yaml", "name: a\nopertions: []\n"))
    assert ":2" in message and "unknown key 'opertions'" in message


def test_compose_yaml_names_file_and_line() -> None:
    assert compose_yaml("a: 1\n", "f.yaml") is not None and compose_yaml("", "f.yaml") is None
    message = error_of(compose_yaml, "a: 1\nb: [2\n", "f.yaml")
    assert message.startswith("f.yaml:") and "not valid YAML" in message


def test_figure_without_source_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", "operations:\n  - set: {link: R-ALAT-POTI, speed_kmh: 60}\n")
    assert "cites no source" in error_of(load_scenario, path) and ":2" in error_of(load_scenario, path)


def test_bad_field_and_bad_value(tmp_path: Path) -> None:
    msg = error_of(load_scenario, write(tmp_path, "f.yaml",
                                        "operations:\n  - set:\n      link: R-ALAT-POTI\n      sped_kmh: 60\n    source: T-PUB\n"))
    assert ":4" in msg and "unknown field 'sped_kmh'" in msg
    msg = error_of(load_scenario, write(tmp_path, "v.yaml",
                                        "operations:\n  - scale: {link: R-ALAT-POTI, speed_kmh: -1}\n    source: T-PUB\n"))
    assert "positive factor" in msg
    msg = error_of(load_scenario, write(tmp_path, "m.yaml",
                                        "operations:\n  - set: {group: BTK, capacity_mt_per_year: 5}\n    source: T-PUB\n"))
    assert "tonnes_per_teu" in msg


def test_unknown_link_place_and_source_at_apply(tmp_path: Path, mini) -> None:
    path = write(tmp_path, "ref.yaml", "operations:\n  - open: {group: TRIPP}\n  - close:\n      link: R-ALAT-POTY\n")
    msg = error_of(apply_scenario, mini, path)
    assert f"{path}:4" in msg and "unknown link 'R-ALAT-POTY'" in msg and "R-ALAT-POTI" in msg
    path = write(tmp_path, "place.yaml", "operations:\n  - close: {place: XX-NOWHERE}\n")
    assert f"{path}:2" in error_of(apply_scenario, mini, path)
    path = write(tmp_path, "src.yaml", "operations:\n  - scale: {link: R-ALAT-POTI, speed_kmh: 2}\n    source: NOPE\n")
    msg = error_of(apply_scenario, mini, path)
    assert "NOPE" in msg and "sources.csv" in msg and str(path) in msg
    path = write(tmp_path, "c.yaml", "operations:\n  - close: {country: ZZ}\n")
    assert "ZZ" in error_of(apply_scenario, mini, path)


def test_extends_runs_parent_first_and_detects_cycles(tmp_path: Path, mini) -> None:
    write(tmp_path, "parent.yaml", "year: 2031\noperations:\n  - open: {group: TRIPP}\n")
    child = write(tmp_path, "child.yaml", "extends: parent\noperations:\n  - close: {link: R-ALAT-POTI}\n")
    sc = load_scenario(child)
    assert [op.kind for op in sc.operations] == ["open", "close"] and sc.year == 2031
    net = apply_scenario(mini, sc)
    assert net.links.at["R-HORADIZ-MEGHRI", "status"] == "operational"
    assert net.links.at["R-ALAT-POTI", "status"] == "closed"

    write(tmp_path, "a.yaml", "extends: b\noperations: []\n")
    write(tmp_path, "b.yaml", "extends: c.yaml\noperations: []\n")
    write(tmp_path, "c.yaml", "extends: a\noperations: []\n")
    msg = error_of(load_scenario, tmp_path / "a.yaml")
    assert "cycle" in msg and "a.yaml → b.yaml → c.yaml → a.yaml" in msg
    msg = error_of(load_scenario, write(tmp_path, "m.yaml", "extends: missing-one\n"))
    assert "m.yaml:1" in msg and "missing-one" in msg


def test_key_depends_on_what_it_does_not_on_name() -> None:
    a = scenario_from_text("name: a\ntitle: one\noperations:\n  - close: {country: RU}\n")
    b = scenario_from_text("name: b  # another\noperations:\n  - close:\n      country: RU\n")
    c = scenario_from_text("name: a\noperations:\n  - close: {country: KZ}\n")
    assert a.key == b.key != c.key
    assert load_scenario("base").key == load_scenario(None).key


# -- applying ---------------------------------------------------------------------------------
def test_apply_is_pure(mini) -> None:
    before = {name: getattr(mini, name).copy() for name in ("links", "crossings", "terminals", "services", "tariffs")}
    sc = scenario_from_text("""
operations:
  - open: {group: TRIPP}
  - close: {country: RU}
  - scale: {link: F-AKTAU-ALAT, frequency_per_week: 2}
    source: T-EST
  - scale: {place: AZ-ALAT, terminal_dwell_h: 0.5}
    source: T-EST
  - set: {link: R-ALAT-POTI, dwell_h: 1, capacity_teu_per_year: 1000}
    source: T-EST
  - set: {mode: rail, country: AZ, tariff_usd_per_feu_km: 0.9}
    source: T-EST
""")
    out = apply_scenario(mini, sc)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(getattr(mini, name), frame)
    assert out is not mini and out.version != mini.version
    assert set(out.links.query("status == 'closed'").index) == {"R-DOSTYK-MOSCOW", "R-MOSCOW-DUISBURG"}
    assert out.services.set_index("link").at["F-AKTAU-ALAT", "frequency_per_week"] == 4
    assert out.terminals.query("place == 'AZ-ALAT'")["dwell_h"].iloc[0] == 10
    assert out.crossings.set_index("link").at["R-ALAT-POTI", "dwell_h"] == 1
    assert out.links.at["R-ALAT-POTI", "capacity_teu_per_year"] == 1000
    assert ((out.tariffs["mode"] == "rail") & (out.tariffs["country"] == "AZ")).sum() == 1
    assert len(changed_links(mini, out)) == 5


def test_capacity_in_tonnes_and_scale(mini) -> None:
    sc = scenario_from_text("""
operations:
  - set: {link: R-ALAT-POTI, capacity_mt_per_year: 5, tonnes_per_teu: 10}
    source: T-PUB
  - scale: {link: R-ALAT-POTI, capacity_teu_per_year: 2, speed_kmh: 0.5}
    source: T-PUB
""")
    out = apply_scenario(mini, sc)
    assert out.links.at["R-ALAT-POTI", "capacity_teu_per_year"] == 1_000_000
    assert out.links.at["R-ALAT-POTI", "speed_kmh"] == 15


def test_restrict_passage(tmp_path: Path, mini) -> None:
    msg = error_of(apply_scenario, mini, write(tmp_path, "r.yaml", "operations:\n  - restrict: {passage: suez}\n"))
    assert "no sea link passes suez" in msg


def test_add_link_with_waypoints_and_crossing(mini) -> None:
    sc = scenario_from_text("""
operations:
  - add_link:
      id: R-NEW
      waypoints: [GE-POTI, [43.0, 41.5], AM-MEGHRI, AZ-HORADIZ]
      mode: rail
      gauge_mm: 1520
      speed_kmh: 50
      group: NEW
      crossing: {dwell_h: 3, cost_usd_per_feu: 30}
    source: T-EST
""")
    out = apply_scenario(mini, sc)
    assert {"R-NEW-1", "R-NEW-2"} <= set(out.links.index)
    assert out.links.at["R-NEW-1", "to"] == "AM-MEGHRI" and out.links.at["R-NEW-2", "from"] == "AM-MEGHRI"
    assert out.links.at["R-NEW-1", "length_km"] > 300
    assert set(out.crossings["link"]) >= {"R-NEW-1", "R-NEW-2"}
    route = Router(out).route("Poti", "Horadiz", year=2026)[0]
    assert any(leg.link_id == "R-NEW-2" for leg in route.legs)
    no_crossing = scenario_from_text("operations:\n  - add_link: {id: X, waypoints: [GE-POTI, AM-MEGHRI], mode: road, "
                                     "speed_kmh: 50}\n    source: T-EST\n")
    assert "crossing" in error_of(apply_scenario, mini, no_crossing)


def test_add_terminal_and_demand(mini) -> None:
    sc = scenario_from_text("""
operations:
  - add_terminal: {place: AM-MEGHRI, from_layer: rail1520, to_layer: road, dwell_h: 4, cost_usd_per_feu: 50}
    source: T-EST
  - demand: {scale: 2, origin: CN-W}
    source: T-EST
  - demand: {growth_per_year: 0.1, years: 2}
    source: T-EST
""")
    out = apply_scenario(mini, sc)
    assert len(out.terminals) == len(mini.terminals) + 1
    od = pd.DataFrame({"origin": ["CN-W", "RU"], "destination": ["DE", "DE"], "teu_per_year": [100.0, 100.0]})
    grown = apply_demand(od, sc)
    assert grown["teu_per_year"].round(6).tolist() == [242.0, 121.0]
    bad = scenario_from_text("operations:\n  - demand: {scale: 2, origin: MARS}\n    source: T-EST\n")
    assert "unknown zone 'MARS'" in error_of(apply_demand, od, bad)


def test_tariff_of_a_country_without_its_own_starts_from_the_default_row(mini) -> None:
    sc = scenario_from_text("""
operations:
  - scale: {mode: rail, country: [AZ, KZ], tariff_usd_per_feu_km: 2}
    source: T-EST
  - set: {mode: road, tariff_usd_per_feu_km: 3}
    source: T-EST
""")
    tariffs = apply_scenario(mini, sc).tariffs.set_index(["mode", "country"])["cost_usd_per_feu_km"]
    assert tariffs[("rail", "AZ")] == pytest.approx(1.2)  # the '*' rail tariff, 0.6, doubled
    assert tariffs[("rail", "KZ")] == pytest.approx(1.0) and tariffs[("rail", "*")] == pytest.approx(0.6)
    assert tariffs[("road", "*")] == 3


def test_add_link_without_length_is_great_circle_times_circuity(mini) -> None:
    sc = scenario_from_text("operations:\n  - add_link: {id: R-GC, waypoints: [AZ-HORADIZ, AZ-ALAT], mode: rail, "
                            "gauge_mm: 1520, speed_kmh: 50, circuity: 1.5}\n    source: T-EST\n")
    length = apply_scenario(mini, sc).links.at["R-GC", "length_km"]
    assert length == round(float(haversine_km(47.03, 39.45, 49.42, 39.95)) * 1.5, 1)


# -- the table of operations ------------------------------------------------------------------
def test_every_operation_is_documented_checked_and_does_something() -> None:
    for name, kind in OPERATIONS.items():
        assert f"``{name}``" in spec.__doc__, f"{name} is not documented in corridor.scenarios.spec"
        assert kind.freight_check or kind.energy_check
        assert kind.freight or kind.energy or name == "demand"  # demand grows the demand, not a network


def test_energy_operations_read_with_their_optional_keys() -> None:
    sc = scenario_from_text("""
operations:
  - add_asset: {id: X, name: X, commodity: gas, kind: pipeline, from: "gas:A", to: "gas:B", capacity: 3,
                unit: bcm_per_year, group: NEW, status: planned, open_year: 2031}
    source: S
""")
    assert sc.operations[0].args["group"] == "NEW"
    message = error_of(scenario_from_text, "operations:\n  - restrict: {asset: CPC}\n")
    assert "<text>:2: restrict: energy assets are selected by open, close, set and scale" in message


# -- bundled --------------------------------------------------------------------------------
def test_bundled_scenarios_apply_to_the_bundled_network() -> None:
    net = load_network()
    names = bundled_scenarios()
    assert {"tripp", "no-russia", "red-sea-closed", "btk-5mt", "caspian-winter", "middle-corridor-2030"} <= set(names)
    applied = {}
    for name in names:
        sc = load_scenario(name)
        assert sc.title and sc.description
        for op in sc.operations:
            if op.kind in ("set", "scale", "add_link", "demand"):
                assert op.source
        applied[name] = apply_scenario(net, sc)
    tripp = applied["tripp"].links
    for group in ("TRIPP", "HORADIZ-AGHBAND", "NAKHCHIVAN-RAIL", "KARS-DILUCU"):
        assert (tripp.loc[tripp["group"] == group, "status"] == "operational").all()
    ru = set(net.places.query("country == 'RU'").index)
    closed = applied["no-russia"].links.query("status == 'closed'")
    assert ru & (set(closed["from"]) | set(closed["to"]))
    sea = applied["red-sea-closed"].links
    assert (sea[sea["passages"].fillna("").str.contains("suez")]["status"] == "closed").all()
    assert load_scenario("middle-corridor-2030").year == 2030
    assert load_scenario("caspian-winter").month == 12
    route = Router(applied["tripp"]).route("Baku", "Nakhchivan")[0]
    assert "TRIPP" in route.corridor


def test_cli_scenarios_list_and_show() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["scenarios"])
    assert result.exit_code == 0 and "tripp" in result.stdout
    result = runner.invoke(app, ["scenarios", "tripp", "--json"])
    assert result.exit_code == 0 and '"changed_links"' in result.stdout
