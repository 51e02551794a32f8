"""Capacity-aware corridor assignment (corridor.freight.congestion): a hand-solved equilibrium, conservation,
v/c against demand, bad input, the bundled demand and the bundled run end to end."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from corridor.cli import app
from corridor.errors import DataError
from corridor.freight import plot_vc_map
from corridor.freight.congestion import assign_corridors, build_problem, solve
from corridor.freight.corridor_flows import CorridorFlows
from corridor.freight.corridor_problem import BPR_B
from corridor.freight.demand import Demand, load_demand
from corridor.freight.inputs import freight_inputs
from corridor.network import check_dataset, load_network

MINI = Path(__file__).parent / "data" / "mini"

# -- a two-route network solved by hand ----------------------------------------------------------
# Zone A (KZ-A) to zone B (KZ-B), 2,000 TEU/yr. Route 1: 100 km at 10 km/h = 10 h, capacity
# 1,000 TEU/yr (BPR); route 2: 200 km = 20 h, uncapacitated. Tariff 0.01 US$/FEU-km and value of
# time 10 US$/FEU-h make tolls of 0.1 h and 0.2 h. At equilibrium both routes cost the same:
# 10 (1 + 0.15 (v1/1000)^4) + 0.1 = 20 + 0.2  →  v1 = 1000 · (10.1 / 1.5)^(1/4) ≈ 1,610.9 TEU.
TWO_ROUTES = {
    "sources.csv": "id,kind,publisher,title,date,url,note\nT,estimate,Test,Test figures,2024,,made up for a hand-solved test\n",
    "places.csv": "id,name,aliases,country,lon,lat,kind,source,note\n"
                  "KZ-A,A,,KZ,70.0,48.0,city,T,\nKZ-B,B,,KZ,71.3,48.0,city,T,\n",  # 96.7 km apart
    "links.csv": "id,from,to,mode,length_km,speed_kmh,gauge_mm,electrified,capacity_teu_per_year,status,open_year,"
                 "group,passages,length_source,speed_source,capacity_source,status_source,note\n"
                 "R1,KZ-A,KZ-B,rail,100,10,1520,false,1000,operational,,,,T,T,T,,\n"
                 "R2,KZ-A,KZ-B,rail,200,10,1520,false,,operational,,,,T,T,,,the long way round\n",
    "crossings.csv": "id,link,name,dwell_h,cost_usd_per_feu,dwell_source,cost_source,note\n",
    "terminals.csv": "place,from_layer,to_layer,dwell_h,cost_usd_per_feu,dwell_source,cost_source,note\n",
    "services.csv": "link,frequency_per_week,frequency_source,note\n",
    "tariffs.csv": "mode,country,cost_usd_per_feu_km,source,note\nrail,*,0.01,T,\n",
    "modes.csv": "mode,handling_h,handling_cost_usd_per_feu,co2_kg_per_tkm,co2_kg_per_tkm_electric,handling_source,"
                 "co2_source,note\nrail,1,0,0.02,,T,T,\n",
    "cargo.csv": "class,value_usd_per_feu_hour,tonnes_per_feu,value_source,tonnes_source,note\ngeneral,10,20,T,T,\n",
    "zones.csv": "zone,name,place,note\nA,Zone A,KZ-A,\nB,Zone B,KZ-B,\n",
    "demand.csv": "origin,destination,teu_per_year,year,source,note\nA,B,2000,2024,T,\n",
}
V1 = 1000 * (10.1 / 1.5) ** 0.25


@pytest.fixture
def two_routes(tmp_path: Path) -> Path:
    for name, text in TWO_ROUTES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def _runs(flows: CorridorFlows) -> pd.Series:
    e = flows.edges
    return e[(e["kind"] == "run") & (e["from"] == "KZ-A")].set_index("element")["volume_teu"]


@pytest.mark.parametrize("algorithm", ["bfw", "fw", "gp"])
def test_two_routes_equilibrium_by_hand(two_routes: Path, algorithm: str) -> None:
    assert check_dataset(two_routes) == []
    flows = assign_corridors(freight_inputs(data=two_routes), algorithm=algorithm, gap=1e-8, max_iter=2000)
    runs = _runs(flows)
    assert runs["R1"] == pytest.approx(V1, rel=1e-3)
    assert runs["R2"] == pytest.approx(2000 - V1, rel=1e-3)
    r1 = flows.edges.set_index("element").loc["R1"]
    r1 = r1[r1["from"] == "KZ-A"]
    assert float(r1["vc"].iloc[0]) == pytest.approx(V1 / 1000, rel=1e-3)
    assert float(r1["delay_h"].iloc[0]) == pytest.approx(10 * BPR_B * (V1 / 1000) ** 4, rel=1e-3)


def test_two_routes_logit_sue(two_routes: Path) -> None:
    theta = 0.2
    flows = assign_corridors(freight_inputs(data=two_routes), algorithm="sue", theta=theta, gap=1e-6, max_iter=3000)
    runs = _runs(flows)
    v1, v2 = runs["R1"], runs["R2"]
    assert v1 + v2 == pytest.approx(2000, rel=1e-6)
    c1 = 10 * (1 + BPR_B * (v1 / 1000) ** 4) + 0.1
    c2 = 20 + 0.2
    # the logit condition holds at the fixed point, and shippers do not all take the cheaper route
    assert v1 / 2000 == pytest.approx(1 / (1 + math.exp(-theta * (c2 - c1))), abs=0.01)
    assert 0 < v2 and flows.theta == theta


# -- the mini network ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def mini_demand() -> Demand:
    return load_demand(MINI, load_network(MINI))


def test_flow_conservation(mini_demand: Demand) -> None:
    flows = assign_corridors(freight_inputs(data=MINI, demand=mini_demand), year=2024)
    e = flows.edges
    out = mini_demand.od.groupby("origin_place")["teu_per_year"].sum()
    into = mini_demand.od.groupby("destination_place")["teu_per_year"].sum()
    loaded = e[e["kind"] == "load"].groupby("from")["volume_teu"].sum()
    unloaded = e[e["kind"] == "unload"].groupby("from")["volume_teu"].sum()
    pd.testing.assert_series_equal(loaded.reindex(out.index), out, check_names=False, rtol=1e-6)
    pd.testing.assert_series_equal(unloaded.reindex(into.index), into, check_names=False, rtol=1e-6)
    assert flows.demand_teu == pytest.approx(mini_demand.od["teu_per_year"].sum())


def test_vc_increases_with_demand(mini_demand: Demand) -> None:
    network = load_network(MINI)
    caps = pd.DataFrame({"element": ["X-CN-KZ"], "kind": ["crossing"], "capacity_teu_per_year": [8000.0],
                         "source": ["T-PUB"], "note": [""]})
    vcs = []
    for factor in (0.5, 1.0, 2.0):
        od = mini_demand.od.assign(teu_per_year=mini_demand.od["teu_per_year"] * factor)
        inputs = freight_inputs(data=MINI, network=network, demand=mini_demand.scaled(od))
        problem = build_problem(inputs, year=2024, capacities=caps)
        flows = CorridorFlows.from_result(problem, solve(problem, gap=1e-6))
        row = flows.edges[(flows.edges["element"] == "X-CN-KZ") & (flows.edges["from"] == "CN-XIAN")]
        vcs.append(float(row["vc"].iloc[0]))
        assert float(row["capacity_teu"].iloc[0]) == 8000
    assert vcs[0] < vcs[1] < vcs[2]
    assert flows.bottlenecks(1)["element"].iloc[0] == "X-CN-KZ"


def test_unknown_zone_names_file_and_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    with (data / "demand.csv").open("a", encoding="utf-8") as fh:
        fh.write("CN-W,ATLANTIS,100,2024,T-EST,\n")
    line = len((data / "demand.csv").read_text(encoding="utf-8").splitlines())
    with pytest.raises(DataError, match=rf"demand.csv line {line}, field 'destination': unknown zone 'ATLANTIS'"):
        assign_corridors(freight_inputs(data=data))
    result = CliRunner().invoke(app, ["assign", "--data", str(data)])
    assert result.exit_code == 1 and "ATLANTIS" in result.output and f"line {line}" in result.output


def test_bad_capacities_file_names_file_line_and_field(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(MINI, data)
    (data / "capacities.csv").write_text("element,kind,capacity_teu_per_year,source,note\n"
                                         "X-CN-KZ,crossing,lots,T-PUB,\nKZ-AKTAU:rail1520:sea,terminal,100,T-PUB,\n",
                                         encoding="utf-8")
    problems = [str(p) for p in check_dataset(data)]
    assert "capacities.csv line 2, field 'capacity_teu_per_year': must be a number > 0 (TEU per year), not 'lots'" in problems
    assert any(p.startswith("capacities.csv line 3, field 'element'") for p in problems)
    with pytest.raises(DataError, match="capacities.csv line 2"):
        build_problem(freight_inputs(data=data))


# -- the bundled data ----------------------------------------------------------------------------
#: block totals the method in docs/demand.md and scripts/build_demand.py states (TEU per year)
#: (China–EU: 412,000 west + 9,000 ADY, and 15 % of 412,000 east; BTK 1,867 non-transit TEU: Georgia's 0.4
#: here, Azerbaijan's 0.6 with 250,000 t of road at 10 t/TEU in DEM-TR-AZ; Nakhchivan: half of 1.2 × (725,000 +
#: 466,000) t through Jolfa at 10 t/TEU)
BLOCKS = {"DEM-CN-EU-DIR": 421_000 + 61_800, "DEM-CN-CA": 882_712, "DEM-MC-CN": 18_000, "DEM-MC-CA": 29_500,
          "DEM-IR": 15_000, "DEM-BTK-GE": 747, "DEM-TR-AZ": 25_000 + 1_120, "DEM-AZ-NAKH": 43_500 + 27_960}


def test_bundled_demand_loads_and_sums_to_the_method() -> None:
    network = load_network()
    demand = load_demand(network=network)       # every place and source known: no pending rows left
    od = demand.od
    assert od["teu_per_year"].sum() == sum(BLOCKS.values()) == 1_526_339
    method = od["source"].str.split("|").str[0]
    assert od.groupby(method)["teu_per_year"].sum().to_dict() == BLOCKS
    assert (od["year"] == 2024).all() and (od["teu_per_year"] > 0).all()
    assert set(demand.zones["place"]) <= set(network.places["id"])
    sources = network.sources.set_index("id")
    for sid in BLOCKS:
        assert sources.at[sid, "kind"] in ("derived", "estimate") and sources.at[sid, "note"]


@pytest.fixture(scope="module")
def bundled_flows() -> CorridorFlows:
    return assign_corridors(year=2024)


def test_bundled_assignment_end_to_end(bundled_flows: CorridorFlows, tmp_path: Path) -> None:
    flows = bundled_flows
    assert flows.converged and flows.gap <= 1e-4
    corridors = flows.corridors().set_index("id")
    caspian = corridors.loc["caspian-crossings"]
    north = corridors.loc["ru-by-eu-border"]
    assert caspian["model_teu"] > 0 and caspian["published_teu"] == 56_500
    # UTLC ERA's 412,000 TEU westbound + 61,800 eastbound (counts.csv): the two-way count
    assert north["published_teu"] == 473_800 and north["model_teu"] > 0
    assert caspian["difference_teu"] == pytest.approx(caspian["model_teu"] - 56_500)
    top = flows.bottlenecks(5)
    assert len(top) == 5 and (np.diff(top["vc"].to_numpy()) <= 0).all()
    by_delay = flows.bottlenecks(5, by="delay")
    assert (np.diff(by_delay["teu_delay_h"].to_numpy()) <= 0).all()
    png = plot_vc_map(flows, load_network(), tmp_path / "vc.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_assign_json_and_sue() -> None:
    result = CliRunner().invoke(app, ["assign", "--json", "--top", "3"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["algorithm"] == "bfw" and len(data["bottlenecks_by_vc"]) == 3
    sources = {c["id"]: c["source"].split("|") for c in data["corridors"]}
    assert "KZMT-2026" in sources["caspian-crossings"] and "UTLC-2024" in sources["ru-by-eu-border"]
    sue = CliRunner().invoke(app, ["assign", "--json", "--algorithm", "sue", "--theta", "0.005", "--top", "1"])
    assert sue.exit_code == 0, sue.output
    out = json.loads(sue.output)
    assert out["algorithm"] == "sue" and out["theta_per_hour_equivalent"] == 0.005
    assert out["corridors"][0]["model_teu"] > 0
    bad = CliRunner().invoke(app, ["assign", "--algorithm", "nope"])
    assert bad.exit_code == 1 and "unknown algorithm" in bad.output
