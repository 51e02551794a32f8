"""Loading and validation of a dataset folder: clear errors naming file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from corridor.errors import DataError
from corridor.network import check_dataset, load_network


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_mini_dataset_is_clean(mini_copy: Path) -> None:
    assert check_dataset(mini_copy) == []
    net = load_network(mini_copy)
    assert len(net.places) == 11 and "KZ-AKTAU" in net.links["from"].values


def test_negative_speed_names_file_line_and_field(mini_copy: Path) -> None:
    _edit(mini_copy / "links.csv", "3000,40,1520", "3000,-40,1520")
    with pytest.raises(DataError) as info:
        load_network(mini_copy)
    assert "links.csv line 3, field 'speed_kmh'" in str(info.value)


def test_unknown_place_in_link(mini_copy: Path) -> None:
    _edit(mini_copy / "links.csv", "R-ALAT-POTI,AZ-ALAT,GE-POTI", "R-ALAT-POTI,AZ-ALAT,GE-POTTI")
    with pytest.raises(DataError, match=r"links.csv line 7, field 'to': unknown place 'GE-POTTI'"):
        load_network(mini_copy)


def test_missing_source_and_unknown_source(mini_copy: Path) -> None:
    _edit(mini_copy / "tariffs.csv", "sea,*,0.1,T-PUB", "sea,*,0.1,")
    _edit(mini_copy / "modes.csv", "0.112,,T-EST,T-PUB", "0.112,,T-EST,NOPE")
    problems = [str(p) for p in check_dataset(mini_copy)]
    assert any("tariffs.csv line 5" in p and "cites no source" in p for p in problems)
    assert any("modes.csv line 3" in p and "'NOPE'" in p for p in problems)


def test_cross_border_link_needs_crossing(mini_copy: Path) -> None:
    lines = (mini_copy / "crossings.csv").read_text().splitlines()
    (mini_copy / "crossings.csv").write_text("\n".join(l for l in lines if "X-AZ-GE" not in l) + "\n")
    with pytest.raises(DataError, match="R-ALAT-POTI|crosses AZ–GE"):
        load_network(mini_copy)


def test_coordinates_outside_country(mini_copy: Path) -> None:
    _edit(mini_copy / "places.csv", "KZ,51.17,43.65", "KZ,49.87,40.41")  # that is Baku
    problems = [str(p) for p in check_dataset(mini_copy)]
    assert any("places.csv line 4" in p and "lies in AZ" in p for p in problems)


def test_wrong_column_count_and_header(mini_copy: Path) -> None:
    with (mini_copy / "services.csv").open("a") as handle:
        handle.write("F-AKTAU-ALAT,2\n")
    _edit(mini_copy / "cargo.csv", "tonnes_per_feu", "tonnes")
    problems = [str(p) for p in check_dataset(mini_copy)]
    assert any(p.startswith("services.csv line 4") and "wrong number of columns" in p for p in problems)
    assert any(p.startswith("cargo.csv line 1") and "header must be" in p for p in problems)


def test_estimate_without_method(mini_copy: Path) -> None:
    _edit(mini_copy / "sources.csv", "made up for the unit tests of the engine: not real figures", "")
    assert any("must say how it was made" in str(p) for p in check_dataset(mini_copy))


def test_missing_file(mini_copy: Path) -> None:
    (mini_copy / "modes.csv").unlink()
    with pytest.raises(DataError, match="modes.csv: file is missing"):
        load_network(mini_copy)


def test_a_spreadsheets_byte_order_mark_is_accepted(mini_copy: Path) -> None:
    places = mini_copy / "places.csv"
    places.write_bytes(b"\xef\xbb\xbf" + places.read_bytes())
    assert len(load_network(mini_copy).places) == len((mini_copy / "places.csv").read_text(encoding="utf-8-sig").splitlines()) - 1


def test_data_check_puts_the_root_cause_first(mini_copy: Path) -> None:
    """A broken places.csv header makes every link's ends unknown: the header comes first, not line 683."""
    places = mini_copy / "places.csv"
    text = places.read_text(encoding="utf-8").splitlines()
    places.write_text("\n".join([text[0].replace("country", "cuntry"), *text[1:]]) + "\n", encoding="utf-8")
    problems = check_dataset(mini_copy)
    assert len(problems) > 1 and problems[0].file == "places.csv" and "header" in problems[0].message


def test_data_quality_counts_every_figure_by_its_weakest_source() -> None:
    from corridor.network.quality import source_quality

    frame = source_quality()
    shares = frame[["published", "derived", "estimate", "unsourced"]].sum(axis=1)
    assert (shares.round(9) == 1).all() and (frame["unsourced"] == 0).all()
    links = frame.set_index("file").loc["links.csv"]
    assert links["figures"] > 500 and 0 < links["estimate"] < 1
