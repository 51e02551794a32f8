"""Border dwell and cost by direction: the optional ``_reverse`` columns of ``crossings.csv``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from corridor.errors import DataError
from corridor.graph import KINDS, compile_graph
from corridor.network import check_dataset, load_network
from corridor.scenarios import apply_scenario

HEADER = "id,link,name,dwell_h,cost_usd_per_feu,dwell_source,cost_source,note"


def _border_edges(data: Path | None, link_id: str) -> dict[str, tuple[float, float]]:
    """{entered country: (hours, US$)} of the border edges of one link, both directions."""
    net = load_network(data) if data is not None else load_network()
    g = compile_graph(net)
    i = int(np.flatnonzero(net.links["id"].to_numpy() == link_id)[0])
    mask = (g.link == i) & (g.kind == KINDS.index("border"))
    return {str(g.place_country[g.to_place[e]]): (float(g.hours[e]), float(g.cost_usd[e]))
            for e in np.flatnonzero(mask)}


def _with_reverse(mini: Path, rows: dict[str, str]) -> None:
    """Add the two optional columns to the mini crossings.csv; ``rows`` gives 'H,C' per crossing id."""
    path = mini / "crossings.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == HEADER
    out = [HEADER + ",dwell_h_reverse,cost_usd_per_feu_reverse"]
    out += [line + "," + rows.get(line.split(",", 1)[0], ",") for line in lines[1:]]
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


def test_old_header_without_reverse_columns_loads_and_is_symmetric(mini_copy: Path) -> None:
    assert check_dataset(mini_copy) == []
    assert _border_edges(mini_copy, "R-XIAN-DOSTYK") == {"KZ": (30.0, 300.0), "CN": (30.0, 300.0)}


def test_reverse_columns_set_the_to_from_direction(mini_copy: Path) -> None:
    _with_reverse(mini_copy, {"X-CN-KZ": "8,120"})
    assert check_dataset(mini_copy) == []
    # the link runs CN-XIAN → KZ-DOSTYK: into KZ the forward figures, into CN the reverse ones
    assert _border_edges(mini_copy, "R-XIAN-DOSTYK") == {"KZ": (30.0, 300.0), "CN": (8.0, 120.0)}
    assert _border_edges(mini_copy, "R-DOSTYK-MOSCOW") == {"RU": (10.0, 100.0), "KZ": (10.0, 100.0)}


def test_only_the_reverse_dwell_given_keeps_the_cost_symmetric(mini_copy: Path) -> None:
    _with_reverse(mini_copy, {"X-CN-KZ": "8,"})
    assert _border_edges(mini_copy, "R-XIAN-DOSTYK") == {"KZ": (30.0, 300.0), "CN": (8.0, 300.0)}


def test_negative_reverse_dwell_names_file_line_and_field(mini_copy: Path) -> None:
    _with_reverse(mini_copy, {"X-KZ-RU": "-3,100"})
    with pytest.raises(DataError, match=r"crossings.csv line 3, field 'dwell_h_reverse'"):
        load_network(mini_copy)


def test_bundled_china_kazakhstan_rail_by_direction() -> None:
    # westbound: a container block train's 6-10 h at Alataw (2019), midpoint; costs from the CPMM sides:
    # PRC outbound US$40 + KZ inbound 313 - 150 gauge change; eastbound KZ outbound 6.8 h + PRC inbound 16.3 - 12
    edges = _border_edges(None, "rail:CN-ALASHANKOU:KZ-DOSTYK")
    assert edges == {"KZ": (8.0, 203.0), "CN": (pytest.approx(11.1), 126.0)}


def test_a_scenario_scaling_border_dwell_scales_both_directions() -> None:
    base = load_network()
    changed = apply_scenario(base, "middle-corridor-2030")
    before = base.crossings.set_index("id").loc["X-rail-CN-ALASHANKOU-KZ-DOSTYK"]
    after = changed.crossings.set_index("id").loc["X-rail-CN-ALASHANKOU-KZ-DOSTYK"]
    assert after["dwell_h"] == pytest.approx(0.5 * before["dwell_h"])
    assert after["dwell_h_reverse"] == pytest.approx(0.5 * before["dwell_h_reverse"])
