"""Properties that hold for every input (hypothesis): avoiding never makes a route cheaper, opening links
never makes one dearer, simulated quantiles are ordered, and no byte string makes a reader fail with
anything but a one-line error."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor import Router
from corridor.errors import CorridorError, NoRouteError
from corridor.formats.tntp import read_flow, read_net, read_trips
from corridor.freight.reliability import simulate
from corridor.network import load_network
from corridor.scenarios import scenario_from_text

MINI = Path(__file__).parent / "data" / "mini"
ROUTER = Router()
PLACES = sorted(ROUTER.network.places.index)
COUNTRIES = sorted(set(ROUTER.network.places["country"]))
QUICK = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _best(router: Router, o: str, d: str, **options: object) -> float:
    try:
        route = router.route(o, d, **options)[0]
    except NoRouteError:
        return np.inf
    return float(router.weights("generalized")[route.edges].sum())


@QUICK
@given(st.sampled_from(PLACES), st.sampled_from(PLACES), st.sets(st.sampled_from(COUNTRIES), max_size=3))
def test_avoiding_is_never_cheaper(o: str, d: str, avoid: set[str]) -> None:
    if o == d:
        return
    country = ROUTER.network.places["country"]
    avoid -= {country[o], country[d]}
    assert _best(ROUTER, o, d, avoid_countries=sorted(avoid), year=2026) >= _best(ROUTER, o, d, year=2026) - 1e-6


@QUICK
@given(st.sampled_from(PLACES), st.sampled_from(PLACES), st.integers(2024, 2030))
def test_opening_links_is_never_dearer(o: str, d: str, year: int) -> None:
    """Links only open as the years pass (a planned link gets its year), so a later year is never dearer."""
    if o == d:
        return
    assert _best(ROUTER, o, d, year=year + 5) <= _best(ROUTER, o, d, year=year) + 1e-6


@settings(max_examples=15, deadline=None)
@given(st.sampled_from(PLACES), st.sampled_from(PLACES), st.integers(0, 2**31), st.sampled_from([None, 1, 7, 12]))
def test_simulated_quantiles_are_ordered(o: str, d: str, seed: int, month: int | None) -> None:
    if o == d:
        return
    try:
        route = ROUTER.route(o, d, year=2026)[0]
    except NoRouteError:
        return
    dist = simulate(ROUTER, route, samples=2_000, month=month, seed=seed)
    assert dist.p10 <= dist.p50 <= dist.p90 <= dist.p95
    assert dist.p10 >= 0


def _only_clear_errors(read: object, *args: object) -> None:
    try:
        read(*args)  # type: ignore[operator]
    except CorridorError as exc:
        assert str(exc).strip(), "an error must say what is wrong"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["places.csv", "links.csv", "crossings.csv", "tariffs.csv"]), st.binary(max_size=400))
def test_any_bytes_in_a_table_give_a_network_or_a_clear_error(name: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "data"
        shutil.copytree(MINI, folder)
        (folder / name).write_bytes(data)
        _only_clear_errors(load_network, folder)


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300).map(lambda b: b.decode("latin-1"))))
def test_any_text_as_a_scenario_gives_a_scenario_or_a_clear_error(text: str) -> None:
    _only_clear_errors(scenario_from_text, text)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([read_net, read_trips, read_flow]), st.binary(max_size=400))
def test_any_bytes_as_tntp_give_a_result_or_a_clear_error(read: object, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "file.tntp"
        path.write_bytes(data)
        _only_clear_errors(read, path)


@pytest.mark.parametrize("text", [
    "<NUMBER OF ZONES> 1\n<NUMBER OF NODES> 2\n<FIRST THRU NODE> 1\n<NUMBER OF LINKS> 1\n<END OF METADATA>\n"
    "~ init term cap length fft b power speed toll type ;\n1 2 10 1 nan 0.15 4 0 0 1 ;\n",
])
def test_a_nan_free_flow_time_is_named(tmp_path: Path, text: str) -> None:
    path = tmp_path / "net.tntp"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CorridorError, match="non-finite value \\(free-flow time = nan\\)"):
        read_net(path)


TRIPS = "<NUMBER OF ZONES> 2\n<TOTAL OD FLOW> {total}\n<END OF METADATA>\n\nOrigin 1\n 2 : 5.0; {extra}\n"


@pytest.mark.parametrize("total, extra, message", [
    ("7.0", "", "add up to 5.00, not the <TOTAL OD FLOW> 7.00"),
    ("10.0", "2 : 5.0;", "zone 2 appears twice for origin 1"),
])
def test_a_corpus_of_bad_trips_files(tmp_path: Path, total: str, extra: str, message: str) -> None:
    path = tmp_path / "trips.tntp"
    path.write_text(TRIPS.format(total=total, extra=extra), encoding="utf-8")
    with pytest.raises(CorridorError, match=message.replace("(", "\\(").replace(")", "\\)")):
        read_trips(path)
