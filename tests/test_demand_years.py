"""The demand by direction and by year: each direction from its source, growth.csv applied block by block,
bad growth rows named, years outside the table refused, the Nakhchivan cells present."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from corridor.cli import app
from corridor.errors import DataError, InvalidOptionError
from corridor.freight.demand import Demand, load_demand
from corridor.freight.demand_years import (
    Growth,
    block_of,
    block_totals,
    demand_for_year,
    load_growth,
    pairs_teu_by_year,
)
from corridor.freight.economics import concession_economics
from corridor.freight.inputs import freight_inputs
from corridor.network import Network, default_data_dir, load_network
from corridor.network.growth_table import read_growth
from corridor.scenarios import scenario_from_text

CHINA = {"CN-XIAN", "CN-CHENGDU-CHONGQING", "CN-CENTRAL-NORTH", "CN-EAST-SOUTH"}
EU = {"EU-WEST", "EU-CENTRAL", "EU-DANUBE", "EU-SOUTH"}


@pytest.fixture(scope="module")
def network() -> Network:
    return load_network()


@pytest.fixture(scope="module")
def demand(network: Network) -> Demand:
    return load_demand(network=network)


@pytest.fixture(scope="module")
def growth(network: Network) -> Growth:
    found = load_growth(network=network)
    assert found is not None
    return found


def teu(od: pd.DataFrame, origins: set[str], destinations: set[str]) -> float:
    return float(od.loc[od["origin"].isin(origins) & od["destination"].isin(destinations), "teu_per_year"].sum())


# -- directions, each from its source ------------------------------------------------------------------
def test_china_europe_directions_are_utlc_west_and_its_eastbound_ratio(demand: Demand) -> None:
    od = demand.od[block_of(demand.od) == "DEM-CN-EU-DIR"]
    # RAILNEWS-UTLC25: 412,000 TEU China → Europe; 15 boxes back per 100; ADY-2025: a third of 27,000 to the EU
    assert teu(od, CHINA, EU) == 412_000 + 27_000 / 3
    assert teu(od, EU, CHINA) == 412_000 * 15 / 100
    assert teu(od, CHINA, CHINA) == teu(od, EU, EU) == 0


def test_nakhchivan_cells_from_the_jolfa_transit(demand: Demand, network: Network) -> None:
    zones = demand.zones.set_index("zone")
    assert zones.at["AZ-NAKHCHIVAN", "place"] == "AZ-NAKHCHIVAN" in set(network.places["id"])
    od = demand.od
    # TREND-JOLFA-2025: 725,000 t left and 466,000 t entered Iran at Jolfa in 10 months; half mainland, 10 t/TEU
    assert teu(od, {"AZ"}, {"AZ-NAKHCHIVAN"}) == 725_000 * 12 / 10 * 0.5 / 10
    assert teu(od, {"AZ-NAKHCHIVAN"}, {"AZ"}) == 466_000 * 12 / 10 * 0.5 / 10
    rows = od[od["origin"].eq("AZ-NAKHCHIVAN") | od["destination"].eq("AZ-NAKHCHIVAN")]
    assert set(block_of(rows)) == {"DEM-AZ-NAKH"}
    assert network.sources.set_index("id").at["DEM-AZ-NAKH", "kind"] == "estimate"


def test_turkiye_azerbaijan_cells(demand: Demand) -> None:
    od = demand.od
    road, btk_az = 250_000 / 10, 13_610 * 12 / 7 * (1 - 0.92) * 0.6   # REPORT-HUMM-2025; REPORT-BTK21
    total = teu(od, {"AZ"}, {"TR"}) + teu(od, {"TR"}, {"AZ"})
    assert total == round(road + btk_az)
    # UND-2019: Azerbaijan → Türkiye 8,291 + 7,047 of 44,645 trucks; the BTK part 50/50
    assert teu(od, {"AZ"}, {"TR"}) == pytest.approx(road * 15_338 / 44_645 + btk_az / 2, abs=1)


# -- years ---------------------------------------------------------------------------------------------
def test_year_grows_each_block_by_its_own_rates(demand: Demand, growth: Growth) -> None:
    d2030 = demand_for_year(demand, 2030, growth)
    before, after = block_totals(demand), block_totals(d2030)
    # growth.csv, 2023–2030 rates: China–Central Asia 7.3 % (GAC), Azerbaijan GDP 2.5 % (IMF), MC 12.98 % (WB)
    assert after["DEM-CN-CA"] == pytest.approx(before["DEM-CN-CA"] * 1.073 ** 6)
    assert after["DEM-AZ-NAKH"] == pytest.approx(before["DEM-AZ-NAKH"] * 1.025 ** 6)
    assert after["DEM-MC-CA"] == pytest.approx(before["DEM-MC-CA"] * 1.1298 ** 6)
    assert (d2030.od["year"] == 2030).all() and d2030.base_year == 2030
    assert d2030.version != demand.version


def test_growth_spans_periods_and_stays_within_the_rates(demand: Demand, growth: Growth) -> None:
    d2050 = demand_for_year(demand, 2050, growth)
    factor = block_totals(d2050) / block_totals(demand)
    assert factor["DEM-CN-EU-DIR"] == pytest.approx(1.0296 ** 6 * 1.0319 ** 20)
    low, high = growth.table["rate"].min(), growth.table["rate"].max()
    assert ((1 + low) ** 26 - 1e-9 <= factor).all() and (factor <= (1 + high) ** 26 + 1e-9).all()


def test_backcast_2023_divides_by_the_first_step(demand: Demand, growth: Growth) -> None:
    d2023 = demand_for_year(demand, 2023, growth)
    assert block_totals(d2023)["DEM-CN-EU-DIR"] == pytest.approx((421_000 + 61_800) / 1.0296)
    assert demand_for_year(d2023, 2024, growth).od["teu_per_year"].to_numpy() == pytest.approx(
        demand.od["teu_per_year"].to_numpy())


def test_freight_inputs_uses_the_year_and_composes_with_a_scenario(network: Network, demand: Demand) -> None:
    assert freight_inputs(year=2024, network=network, demand=demand).demand is demand
    grown = freight_inputs(year=2030, network=network, demand=demand).demand
    sc = scenario_from_text("name: doubled\nyear: 2030\noperations:\n  - demand: {scale: 2, origin: AZ, "
                            "destination: AZ-NAKHCHIVAN}\n    source: DEM-GROWTH\n")
    both = freight_inputs(sc, network=network, demand=demand).demand     # the scenario's year: 2030
    assert grown is not None and both is not None
    assert teu(both.od, {"AZ"}, {"AZ-NAKHCHIVAN"}) == pytest.approx(2 * 43_500 * 1.025 ** 6)
    assert teu(both.od, {"AZ-NAKHCHIVAN"}, {"AZ"}) == pytest.approx(teu(grown.od, {"AZ-NAKHCHIVAN"}, {"AZ"}))


def test_a_year_outside_the_table_is_refused_with_the_range(network: Network, demand: Demand) -> None:
    with pytest.raises(InvalidOptionError, match="years 2023 to 2050.*not 2051"):
        freight_inputs(year=2051, network=network, demand=demand)
    result = CliRunner().invoke(app, ["assign", "--year", "2022"])
    assert result.exit_code != 0 and "2023 to 2050" in result.output


# -- bad growth rows -----------------------------------------------------------------------------------
GOOD = "DEM-CN-EU-DIR,2023,2030,0.03,DEM-GROWTH,\n"


def test_bad_growth_rows_are_named_by_line_and_field(tmp_path: Path) -> None:
    (tmp_path / "growth.csv").write_text(
        "block,from_year,to_year,rate,source,note\n" + GOOD
        + "DEM-CN-EU-DIR,2029,2050,0.03,DEM-GROWTH,\n"        # line 3 overlaps 2023–2030
        + "DEM-CN-CA,2023,2050,0.9,DEM-GROWTH,\n"             # line 4 rate too large
        + "DEM-IR,2030,2023,0.03,DEM-GROWTH,\n"               # line 5 ends before it starts
        + "DEM-MC-CA,2023,2050,0.03,NOWHERE,\n",              # line 6 unknown source
        encoding="utf-8")
    _, problems = read_growth(tmp_path, sources={"DEM-GROWTH"}, blocks={"DEM-CN-EU-DIR", "DEM-AZ-NAKH"})
    where = {(p.line, p.field) for p in problems}
    assert {(3, "from_year"), (4, "rate"), (6, "source")} <= where
    assert any(p.line == 5 and "to_year (2023) must be after from_year (2030)" in p.message for p in problems)
    assert any("'DEM-AZ-NAKH'" in p.message for p in problems)
    assert any("overlaps the one ending 2030; start it at 2030" in p.message for p in problems)


def test_a_gap_and_a_bad_file_are_refused_on_load(tmp_path: Path) -> None:
    shutil.copy(default_data_dir() / "sources.csv", tmp_path / "sources.csv")
    (tmp_path / "growth.csv").write_text("block,from_year,to_year,rate,source,note\n" + GOOD
                                         + "DEM-CN-EU-DIR,2031,2050,abc,DEM-GROWTH,\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"growth.csv line 3, field 'rate'"):
        load_growth(tmp_path)
    (tmp_path / "growth.csv").write_text("block,from_year,to_year,rate,source,note\n" + GOOD
                                         + "DEM-CN-EU-DIR,2031,2050,0.03,DEM-GROWTH,\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"growth.csv line 3, field 'from_year'.*leaves a gap after"):
        load_growth(tmp_path)


# -- TRIPP's traffic grows by its pairs' blocks --------------------------------------------------------
def test_pairs_grow_at_their_blocks_rates(demand: Demand, growth: Growth) -> None:
    pairs = pd.DataFrame({"origin_place": ["AZ-BAKU"], "destination_place": ["AZ-NAKHCHIVAN"]})
    teu_years = pairs_teu_by_year(demand, growth, pairs, np.array([2024, 2030, 2051]))
    assert teu_years[:2] == pytest.approx([43_500, 43_500 * 1.025 ** 6]) and np.isnan(teu_years[2])


def test_tripp_economics_carries_nakhchivan_and_turkiye_traffic(network: Network, demand: Demand) -> None:
    res = concession_economics(freight_inputs("tripp", network=network, demand=demand), links="TRIPP", years=30)
    pairs = {(r.origin_place, r.destination_place) for r in res.od.itertuples()}
    assert {("AZ-BAKU", "AZ-NAKHCHIVAN"), ("AZ-NAKHCHIVAN", "AZ-BAKU"), ("TR-HALKALI", "AZ-BAKU")} <= pairs
    basis = {a.name: a.value for a in res.assumptions}["traffic growth"]
    assert basis == "growth.csv by block to 2050, then 3.0%/yr"
    teu = res.years.set_index("year")["teu"]
    # each user's block grows between Azerbaijan's GDP (2.5 %) and the Middle Corridor's (12.98 %) rate
    assert 1.025 - 1e-9 <= teu[2030] / teu[2029] <= 1.1298 + 1e-9
    assert teu[2052] / teu[2051] == pytest.approx(1.03)
