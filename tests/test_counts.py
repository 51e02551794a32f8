"""Observed counts (corridor.network.counts_table, counts.csv): bad rows named by file, line and field; the
bundled table; the corridor rows of ``corridor assign`` set beside the counts."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from corridor.cli import app
from corridor.errors import DataError
from corridor.freight.congestion import assign_corridors
from corridor.freight.corridor_flows import CORRIDORS
from corridor.freight.inputs import freight_inputs
from corridor.network import check_dataset, load_network
from corridor.network.counts_table import FILE, load_counts, read_counts, two_way
from corridor.network.schema import CORRIDOR_IDS, COUNT_CLASSES

HEADER = "element,class,year,value,unit,direction,source,note\n"
#: the mini network's Caspian ferry (F-AKTAU-ALAT) is a caspian-crossings edge
GOOD = (HEADER
        + "caspian-crossings,containers,2024,1000,TEU,westbound,T-PUB,\n"
        + "caspian-crossings,containers,2024,300,TEU,eastbound,T-PUB,\n"
        + "caspian-crossings,containers,2024,13000,t,,T-PUB,\n"
        + "AZ-ALAT,all,2024,7600000,t,,T-PUB,a port throughput\n")


def _write(folder: Path, text: str) -> Path:
    (folder / FILE).write_text(text, encoding="utf-8")
    return folder


def test_bad_rows_are_named_with_file_line_field_and_the_right_names(mini_copy: Path) -> None:
    _write(mini_copy, HEADER
           + "caspian-crosings,containers,2024,1,TEU,,T-PUB,\n"      # 2: misspelt element
           + "AZ-ALAT,container,2024,1,TEU,,T-PUB,\n"                # 3: misspelt class
           + "AZ-ALAT,all,2024,lots,t,,T-PUB,\n"                     # 4: not a number
           + "AZ-ALAT,all,2023,-5,t,,T-PUB,\n"                       # 5: negative
           + "AZ-ALAT,all,2022,5,tonnes,,T-PUB,\n"                   # 6: bad unit
           + "AZ-ALAT,dry_bulk,2024,5,TEU,,T-PUB,\n"                 # 7: TEU of bulk
           + "AZ-ALAT,all,2021,5,t,,NOPE,\n"                         # 8: unknown source
           + "AZ-ALAT,all,2020,5,t,northbound,T-PUB,\n"              # 9: bad direction
           + "GE-POTI,containers,2024,5,TEU,,T-PUB,\n"
           + "GE-POTI,containers,2024,6,TEU,,T-PUB,\n")              # 11: repeated
    net = load_network(mini_copy)
    _, problems = read_counts(mini_copy, places=net.places["id"], crossings=net.crossings["id"],
                              sources=net.sources["id"])
    where = {(p.line, p.field): p.message for p in problems}
    assert all(p.file == FILE for p in problems)
    assert set(where) == {(2, "element"), (3, "class"), (4, "value"), (5, "value"), (6, "unit"), (7, "unit"),
                          (8, "source"), (9, "direction"), (11, "element")}
    assert "did you mean caspian-crossings" in where[2, "element"]
    assert "did you mean containers" in where[3, "class"] and "liquid_bulk" in where[3, "class"]
    assert "'lots'" in where[4, "value"] and "'-5'" in where[5, "value"]
    assert "'NOPE'" in where[8, "source"] and "line 10" in where[11, "element"]
    checked = [p for p in check_dataset(mini_copy) if p.file == FILE]
    assert {(p.line, p.field) for p in checked} == set(where)
    with pytest.raises(DataError, match=r"counts.csv line 2, field 'element'"):
        load_counts(mini_copy)


def test_two_way_sums_the_directions_or_says_what_was_counted(mini_copy: Path) -> None:
    counts = load_counts(_write(mini_copy, GOOD + "btk,containers,2024,50,TEU,westbound,T-PUB,\n"))
    both = two_way(counts, "caspian-crossings", 2024)
    assert both.value == 1300 and both.source == "T-PUB"
    assert "westbound 1,000 TEU" in both.published_as and "eastbound 300 TEU" in both.published_as
    assert two_way(counts, "caspian-crossings", 2024, unit="t").value == 13_000
    assert two_way(counts, "AZ-ALAT", 2024, cls="all", unit="t").value == 7_600_000
    one_way = two_way(counts, "btk", 2024)
    assert one_way.value is None and one_way.published_as == "only westbound counted: 50 TEU"
    assert two_way(counts, "caspian-crossings", 2023).value is None


def test_the_bundled_counts_load_and_cite_sources() -> None:
    net = load_network()
    counts = load_counts(network=net)
    assert len(counts) >= 20 and set(counts["class"]) <= set(COUNT_CLASSES)
    assert set(counts["year"]) == {2023, 2024}
    cited = {sid for s in counts["source"] for sid in s.split("|")}
    assert cited <= set(net.sources["id"])
    # UTLC ERA's 412,000 TEU is China→Europe only; with ~15 boxes back per 100 the two-way count is 473,800
    utlc = counts[(counts["element"] == "ru-by-eu-border") & (counts["year"] == 2024)].set_index("direction")
    assert utlc.at["westbound", "value"] == 412_000 and utlc.at["eastbound", "value"] == 61_800
    assert two_way(counts, "ru-by-eu-border", 2024).value == 473_800
    assert two_way(counts, "caspian-crossings", 2024).value == 56_500
    assert two_way(counts, "deep-sea-asia-europe", 2023).value == 16_580_000 + 6_470_000
    ports = set(counts.loc[counts["element"].str.match(r"^[A-Z]{2}-"), "element"])
    assert {"AZ-ALAT", "GE-POTI", "GE-BATUMI", "RO-CONSTANTA"} <= ports


def test_corridor_ids_are_the_schema_vocabulary() -> None:
    assert tuple(CORRIDORS) == CORRIDOR_IDS
    assert {"caspian-crossings", "ru-by-eu-border", "china-kz-border", "btk", "deep-sea-asia-europe",
            "tripp"} <= set(CORRIDOR_IDS)


def test_assign_json_gives_each_corridor_its_id_model_and_published_figures(mini_copy: Path) -> None:
    _write(mini_copy, GOOD)
    result = CliRunner().invoke(app, ["assign", "--json", "--top", "1", "--data", str(mini_copy)])
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in json.loads(result.output)["corridors"]}
    assert tuple(rows) == CORRIDOR_IDS
    for r in rows.values():
        assert {"year", "model_teu", "model_tonnes", "published_teu", "published_tonnes"} <= set(r)
        assert r["year"] == 2024
    caspian = rows["caspian-crossings"]
    assert caspian["model_teu"] > 0
    assert caspian["published_teu"] == 1300 and caspian["published_tonnes"] == 13_000
    # the demand's cargo class is the mini's high_value: 12 t per FEU, 6 t per TEU
    assert caspian["model_tonnes"] == pytest.approx(6 * caspian["model_teu"], abs=0.01)
    assert caspian["difference_teu"] == pytest.approx(caspian["model_teu"] - 1300, abs=0.01)
    assert rows["btk"]["published_teu"] is None and rows["tripp"]["model_teu"] == 0


def test_tripp_counts_its_busiest_link_once(mini_copy: Path) -> None:
    flows = assign_corridors(freight_inputs(data=mini_copy), year=2030)
    e = flows.edges
    # both TRIPP links cross a border (AZ → AM, AM → AZ): each is counted there, both directions summed
    at_border = e[(e["group"] == "TRIPP") & (e["kind"] == "border")].groupby("link")["volume_teu"].sum()
    assert len(at_border) == 2 and at_border.min() > 0
    tripp = flows.corridors().set_index("id").loc["tripp"]
    # in series the two links carry the same trains: the corridor is the busier link, not their sum
    assert tripp["model_teu"] == pytest.approx(at_border.max())
    assert tripp["model_teu"] < at_border.sum()
    assert pd.isna(tripp["published_teu"])
