"""TNTP reader: the real files' quirks, and clear errors (file and line) on broken files."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from corridor.errors import CorridorError
from corridor.formats.tntp import (
    TNTPFormatError,
    find_files,
    load_network,
    read_flow,
    read_net,
    read_nodes,
    read_trips,
)

REPO = Path(__file__).resolve().parents[1]
TNTP = Path(os.environ.get("CORRIDOR_TNTP_DIR", REPO.parent / "shared" / "data" / "tntp"))
needs_data = pytest.mark.skipif(not TNTP.is_dir(), reason=f"TNTP data not found at {TNTP} (set CORRIDOR_TNTP_DIR)")

HEADER = """<NUMBER OF ZONES> 2
<NUMBER OF NODES> 3
<FIRST THRU NODE> 3
<NUMBER OF LINKS> 2
<END OF METADATA>

~ init term cap len fft b power speed toll type ;
"""
GOOD_LINKS = "\t1\t3\t100\t1\t1\t0.15\t4\t0\t0\t1\t;\n\t3\t2\t100\t1\t1\t0.15\t4\t0\t0\t1\t;\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def format_error(read: Callable[[Path], object], path: Path, line: int | None, words: str) -> TNTPFormatError:
    """The error ``read(path)`` raises, after checking that it names the file, ``words`` and ``line``."""
    with pytest.raises(TNTPFormatError) as info:
        read(path)
    msg = str(info.value)
    assert str(path) in msg and words in msg
    if line is not None:
        assert f"{path.name}:{line}:" in msg
    return info.value


def test_small_net_reads(tmp_path: Path) -> None:
    net = read_net(write(tmp_path, "x_net.tntp", HEADER + GOOD_LINKS))
    assert (net.zones, net.nodes, net.first_thru_node, net.links) == (2, 3, 3, 2)
    assert net.init_node.tolist() == [1, 3] and net.term_node.tolist() == [3, 2]
    g = net.to_network()
    assert g.from_node.tolist() == [0, 2] and g.first_thru_node == 2


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (HEADER.replace("<NUMBER OF NODES> 3\n", "") + GOOD_LINKS, None, "missing header <NUMBER OF NODES>"),
        (HEADER.replace("<NUMBER OF LINKS> 2\n", "") + GOOD_LINKS, None, "missing header <NUMBER OF LINKS>"),
        (HEADER + "\t1\t3\t100\t1\t1\t0.15\t4\t0\t0\t;\n" + GOOD_LINKS.splitlines()[1] + "\n", 8, "expected 10 columns"),
        (HEADER + GOOD_LINKS.replace("\t100\t", "\t-5\t", 1), 8, "negative capacity"),
        (HEADER + GOOD_LINKS.replace("\t3\t2\t", "\t3\t7\t"), 9, "unknown node"),
        (HEADER + GOOD_LINKS.replace("\t3\t2\t", "\t0\t2\t"), 9, "unknown node"),
        (HEADER + GOOD_LINKS.replace("0.15", "abc", 1), 8, "B is not a number"),
        (HEADER + GOOD_LINKS.splitlines()[0] + "\n", None, "<NUMBER OF LINKS> says 2"),
        (HEADER.replace("<END OF METADATA>\n", "") + GOOD_LINKS, 7, "metadata"),
    ],
)
def test_broken_net_names_file_and_line(tmp_path: Path, text: str, line: int | None, words: str) -> None:
    err = format_error(read_net, write(tmp_path, "broken_net.tntp", text), line, words)
    assert err.line == line
    assert isinstance(err, ValueError) and isinstance(err, CorridorError)


TRIPS = """<NUMBER OF ZONES> 2
<TOTAL OD FLOW> 30.0
<END OF METADATA>


Origin 1
    1 :      0.0;     2 :    10.0;
Origin 2
    1 :     20.0;
"""


def test_trips_read(tmp_path: Path) -> None:
    d = read_trips(write(tmp_path, "t_trips.tntp", TRIPS), zones=2)
    np.testing.assert_allclose(d, [[0, 10], [20, 0]])


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (TRIPS.replace("    1 :     20.0;", "    5 :     20.0;"), 9, "unknown zone 5"),
        (TRIPS.replace("Origin 2", "Origin 3"), 8, "unknown zone 3"),
        (TRIPS.replace("20.0", "-1"), 9, "negative"),
        (TRIPS.replace("20.0", "x1"), 9, "bad 'zone : flow' pair"),
        (TRIPS.replace("<NUMBER OF ZONES> 2\n", ""), None, "missing header <NUMBER OF ZONES>"),
        (TRIPS.replace("Origin 1\n", ""), 6, "before any 'Origin'"),
    ],
)
def test_broken_trips_names_file_and_line(tmp_path: Path, text: str, line: int | None, words: str) -> None:
    format_error(read_trips, write(tmp_path, "bad_trips.tntp", text), line, words)


def test_trips_zone_count_must_match_network(tmp_path: Path) -> None:
    with pytest.raises(TNTPFormatError, match="network has 3 zones"):
        read_trips(write(tmp_path, "t_trips.tntp", TRIPS), zones=3)


def test_missing_file_is_a_format_error(tmp_path: Path) -> None:
    with pytest.raises(TNTPFormatError, match="cannot read"):
        read_net(tmp_path / "nope_net.tntp")


@needs_data
def test_siouxfalls_files() -> None:
    files = find_files(TNTP / "SiouxFalls")
    net = read_net(files["net"])
    assert (net.zones, net.nodes, net.links, net.first_thru_node) == (24, 24, 76, 1)
    demand = read_trips(files["trips"], zones=net.zones)
    assert demand.sum() == pytest.approx(360_600.0)
    flows = read_flow(files["flow"]).aligned(net)
    assert flows.shape == (76,) and flows[0] == pytest.approx(4494.6576464564205)
    ids, xy = read_nodes(files["node"])
    assert ids.tolist() == list(range(1, 25)) and xy.shape == (24, 2)


@needs_data
def test_quirks_constant_links_zero_fft_and_flow_headers() -> None:
    bar = read_net(find_files(TNTP / "Barcelona")["net"])
    const = (bar.b == 0) & (bar.power == 0)
    assert const.sum() == 565
    g = bar.to_network()
    t = g.performance.time(np.full(bar.links, 1e6))
    np.testing.assert_allclose(t[const], bar.free_flow_time[const])  # constant under any load
    chi, demand, raw = load_network(TNTP / "ChicagoSketch")
    assert (raw.free_flow_time == 0).sum() == 774 and raw.first_thru_node == 1 and raw.zones == 387
    assert chi.distance_factor == 0.04 and chi.toll_factor == 0.02
    assert demand.sum() == pytest.approx(1_260_907.44, rel=1e-9)
    reg = read_flow(find_files(TNTP / "Chicago-Regional")["flow"])  # metadata block with -1 values
    assert reg.volume.size == 39_018 and reg.init_node[0] == 1
