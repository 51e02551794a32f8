"""Transit-time reliability: analytic checks, convergence, seeds, seasons, bad input, table errors, CLI."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from corridor.cli import app
from corridor.errors import DataError, InvalidOptionError
from corridor.network import check_dataset, load_network
from corridor.network.reliability_table import COLUMNS, load_reliability, read_reliability
from corridor.freight.reliability import MAX_SAMPLES, expected_hours, plot_distributions, route_components, simulate
from corridor.routing import Router

MINI = Path(__file__).parent / "data" / "mini"
HEADER = ",".join(COLUMNS)
KEYS = ("run", "handling", "port", "gauge", "transfer", "border", "wait")


def write_table(folder: Path, rows: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "reliability.csv").write_text(HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return folder


def row(component: str, family: str, cv: str = "", *, mode: str = "", shared: str = "false",
        late: str = ",") -> str:
    """A reliability.csv row: component, mode, family, cv, late share and mean."""
    return f"{component},{mode},,,,,{family},{cv},{late},,,,{shared},T-EST,,"


def table_of(tmp_path: Path, rows: list[str]):
    table, problems = read_reliability(write_table(tmp_path / "t", rows))
    assert problems == []
    return table


@pytest.fixture(scope="module")
def mini_table():
    return load_reliability(MINI, network=load_network(MINI))


@pytest.fixture(scope="module")
def middle(mini_router: Router):
    """The Middle Corridor on the mini network: rail, Aktau port, the Caspian ferry, Poti, a sea leg."""
    routes = mini_router.route("Xian", "Duisburg", alternatives=3)
    return next(r for r in routes if r.corridor.startswith("Middle"))


# -- analytic results ------------------------------------------------------------------------------
def test_sum_of_independent_gammas(mini_router: Router, middle, tmp_path: Path) -> None:
    cv = 0.3
    table = table_of(tmp_path, [row(k, "gamma", str(cv)) for k in KEYS])
    hours = np.array([c.hours for c in route_components(mini_router, middle, table)])
    n = 200_000
    dist = simulate(mini_router, middle, samples=n, month=7, seed=3, table=table)
    mean, var = hours.sum() / 24, ((cv * hours) ** 2).sum() / 24 ** 2
    assert abs(dist.mean - mean) < 4 * np.sqrt(var / n)
    assert dist.std ** 2 == pytest.approx(var, rel=0.03)
    assert dist.mean == pytest.approx(middle.total_days, rel=1e-3)  # the deterministic time is the mean


def _exact_moments(router: Router, route, table, month: int) -> tuple[float, float]:
    """Mean and variance (hours) of the mini model, computed here from the rows, independently of the engine."""
    mean = var = 0.0
    shared: dict[int, tuple] = {}
    for c in route_components(router, route, table, month):
        if c.row.shared:
            r, h = shared.get(c.row.line, (c.row, 0.0))
            shared[c.row.line] = (r, h + c.hours)
            continue
        parts = [(c.row, c.hours)]
        for r, h in parts:
            m, v = _moments(r, h)
            mean, var = mean + m, var + v
    for r, h in shared.values():
        m, v = _moments(r, h)
        mean, var = mean + m, var + v
    # the Caspian crossing: Aktau closes 50% in December, 14% in July; Alat 20% all year; one storm → max
    p = {12: 0.5, 7: 0.2}[month]
    mean, var = mean + p * 72, var + 2 * p * 72 ** 2 - (p * 72) ** 2
    return mean, var


def _moments(r, h: float) -> tuple[float, float]:
    if r.family in ("gamma", "lognormal"):
        return h, (r.cv * h) ** 2
    if r.family == "headway":
        return h, (2 * h) ** 2 / 12
    if r.family == "late":
        p, m = r.late_share, r.late_mean_h
        return h + p * m, 2 * p * m ** 2 - (p * m) ** 2
    return h, 0.0


@pytest.mark.parametrize("month", [7, 12])
def test_mixed_families_match_exact_moments(mini_router: Router, middle, mini_table, month: int) -> None:
    n = 400_000
    mean_h, var_h = _exact_moments(mini_router, middle, mini_table, month)
    dist = simulate(mini_router, middle, samples=n, month=month, seed=11, table=mini_table)
    assert abs(dist.mean * 24 - mean_h) < 4 * np.sqrt(var_h / n)
    assert (dist.std * 24) ** 2 == pytest.approx(var_h, rel=0.04)
    assert expected_hours(mini_router, middle, month=month, table=mini_table) == pytest.approx(mean_h, rel=1e-12)


def test_shared_rows_are_one_draw(mini_router: Router, middle, tmp_path: Path) -> None:
    """A shared row sums its components' hours and draws once: variance (cv Σh)², not Σ(cv h)²."""
    rows = [row(k, "fixed") for k in KEYS if k != "run"] + [row("run", "gamma", "0.2", shared="true")]
    table = table_of(tmp_path, rows)
    runs = sum(c.hours for c in route_components(mini_router, middle, table) if c.component == "run")
    dist = simulate(mini_router, middle, samples=200_000, month=7, seed=5, table=table)
    assert (dist.std * 24) ** 2 == pytest.approx((0.2 * runs) ** 2, rel=0.03)


def test_deterministic_route_has_no_spread(mini_router: Router, middle, tmp_path: Path) -> None:
    table = table_of(tmp_path, [row(k, "fixed") for k in KEYS])
    dist = simulate(mini_router, middle, samples=10_000, month=12, seed=1, table=table)
    for value in (dist.p10, dist.p50, dist.p90, dist.p95, dist.mean):
        assert value == pytest.approx(middle.total_days, rel=1e-12)
    assert dist.on_time_probability(middle.total_days) == 1.0
    assert dist.on_time_probability(middle.total_days - 0.01) == 0.0


# -- convergence and reproducibility ----------------------------------------------------------------
def test_converges_as_samples_grow(mini_router: Router, middle, mini_table) -> None:
    exact, _ = _exact_moments(mini_router, middle, mini_table, 12)
    reference = simulate(mini_router, middle, samples=1_000_000, month=12, seed=99, table=mini_table).p90

    def rms(n: int, attr: str, target: float) -> float:
        errors = [getattr(simulate(mini_router, middle, samples=n, month=12, seed=s, table=mini_table), attr) - target
                  for s in range(8)]
        return float(np.sqrt(np.mean(np.square(errors))))

    mean_err = [rms(n, "mean", exact / 24) for n in (1_000, 10_000, 100_000)]
    p90_err = [rms(n, "p90", reference) for n in (1_000, 100_000)]
    assert mean_err[0] > 2 * mean_err[1] > 4 * mean_err[2]   # about √10 per step
    assert p90_err[1] < p90_err[0] / 3


def test_same_seed_same_result(mini_router: Router, middle, mini_table) -> None:
    a = simulate(mini_router, middle, samples=50_000, seed=7, table=mini_table)
    b = simulate(mini_router, middle, samples=50_000, seed=7, table=mini_table)
    c = simulate(mini_router, middle, samples=50_000, seed=8, table=mini_table)
    assert np.array_equal(a.days, b.days) and a.quantiles == b.quantiles
    assert not np.array_equal(a.days, c.days)
    small = simulate(mini_router, middle, samples=50_000, seed=7, chunk=1_000, table=mini_table)
    assert np.array_equal(small.days, simulate(mini_router, middle, samples=50_000, seed=7, chunk=1_000,
                                               table=mini_table).days)
    assert small.p50 == pytest.approx(a.p50, rel=0.02)  # chunking changes the stream, not the distribution


def test_memory_is_bounded_by_chunks(mini_router: Router, middle, mini_table) -> None:
    tracemalloc.start()
    simulate(mini_router, middle, samples=1_000_000, month=1, seed=1, table=mini_table)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # 8 MB of totals, their quantile copy, and one chunk of ~2 million variates (16 MB) at a time
    assert peak < 80e6


# -- seasons ----------------------------------------------------------------------------------------
def test_winter_worse_than_summer_through_a_kuryk_like_port(mini_router: Router, middle, mini_table) -> None:
    summer = simulate(mini_router, middle, samples=100_000, month=7, seed=1, table=mini_table)
    winter = simulate(mini_router, middle, samples=100_000, month=12, seed=1, table=mini_table)
    assert winter.p90 > summer.p90 + 0.5
    # the exact mean difference: (0.5 − 0.2) × 72 h of closures
    assert (winter.mean - summer.mean) * 24 == pytest.approx(0.3 * 72, abs=2.0)
    year = simulate(mini_router, middle, samples=100_000, seed=1, table=mini_table)
    assert summer.mean < year.mean < winter.mean
    # a route without the Caspian does not care about the month
    northern = mini_router.route("Xian", "Duisburg")[0]
    assert "Northern" in northern.corridor
    assert expected_hours(mini_router, northern, month=12, table=mini_table) == \
        expected_hours(mini_router, northern, month=7, table=mini_table)


def test_winter_worse_than_summer_through_kuryk_bundled() -> None:
    try:
        router = Router()
        table = load_reliability(network=router.network)
    except DataError as exc:  # the bundled dataset is still being written
        pytest.skip(f"bundled dataset not loadable yet: {str(exc)[:200]}")
    if "KZ-KURYK" not in router.graph.place_index:
        pytest.skip("the bundled dataset has no KZ-KURYK yet")
    route = router.route("KZ-KURYK", "AZ-ALAT", avoid_modes=["rail", "road"])[0]
    assert any(leg.kind == "wait" and leg.from_id == "KZ-KURYK" for leg in route.legs)
    summer = simulate(router, route, samples=100_000, month=7, seed=2, table=table)
    winter = simulate(router, route, samples=100_000, month=12, seed=2, table=table)
    assert winter.p90 > summer.p90 + 0.5


# -- bad input and bad tables -----------------------------------------------------------------------
@pytest.mark.parametrize("options, message", [
    ({"samples": 0}, "samples must be"), ({"samples": -5}, "samples must be"),
    ({"samples": MAX_SAMPLES + 1}, "samples must be"), ({"samples": 2.5}, "samples must be"),
    ({"month": 0}, "month must be"), ({"month": 13}, "month must be"), ({"seed": -1}, "seed must be"),
    ({"chunk": 0}, "chunk must be"),
])
def test_bad_options(mini_router: Router, middle, mini_table, options: dict, message: str) -> None:
    with pytest.raises(InvalidOptionError, match=message):
        simulate(mini_router, middle, table=mini_table, **{"samples": 10, **options})


def test_negative_deadline(mini_router: Router, middle, mini_table) -> None:
    dist = simulate(mini_router, middle, samples=100, table=mini_table)
    with pytest.raises(InvalidOptionError, match="deadline"):
        dist.on_time_probability(-1)


def test_table_errors_name_file_line_and_field(tmp_path: Path) -> None:
    rows = [row(k, "gamma", "0.3") for k in KEYS if k != "border"]
    rows += ["border,,,,,,weibull,0.5,,,,,,false,T-EST,,",          # line 8: unknown family
             "wait,ferry,,KZ-NOWHERE,,13,headway,,,,,,,false,T-EST,,",  # line 9: unknown place, month
             "closure,ferry,KZ,,,1-3,,,,,0.4,72,caspian,,,NOPE,",       # line 10: unknown source
             "run,,,,,,gamma,,,,,,,false,T-EST,,"]                   # line 11: gamma without cv; overlaps line 2
    folder = write_table(tmp_path / "bad", rows)
    with pytest.raises(DataError) as info:
        load_reliability(folder, network=load_network(MINI))
    text = str(info.value)
    assert "reliability.csv line 8, field 'family'" in text
    assert "reliability.csv line 9, field 'place': unknown place 'KZ-NOWHERE'" in text
    assert "reliability.csv line 9, field 'months'" in text
    assert "reliability.csv line 10, field 'closure_source': cites source 'NOPE'" in text
    assert "reliability.csv line 11, field 'cv'" in text
    assert "no catch-all row for 'border'" in text


def test_data_check_includes_reliability(mini_copy: Path) -> None:
    assert check_dataset(mini_copy) == []
    text = (mini_copy / "reliability.csv").read_text()
    (mini_copy / "reliability.csv").write_text(text.replace("border,,,,,,lognormal,0.8", "border,,,,,,lognormal,9"))
    problems = [str(p) for p in check_dataset(mini_copy)]
    assert any(p.startswith("reliability.csv line 9, field 'cv'") for p in problems)


def test_bundled_table_is_valid() -> None:
    try:
        network = load_network()
    except DataError as exc:
        pytest.skip(f"bundled dataset not loadable yet: {str(exc)[:200]}")
    assert load_reliability(network=network).rows


# -- plot and CLI ---------------------------------------------------------------------------------
def test_plot_writes_a_png(mini_router: Router, mini_table, tmp_path: Path) -> None:
    routes = mini_router.route("Xian", "Duisburg", alternatives=3)
    dists = [simulate(mini_router, r, samples=20_000, month=12, table=mini_table) for r in routes]
    out = plot_distributions(dists, tmp_path / "spread.png", deadline_days=25)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 10_000


runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["route", "Xian", "Duisburg", "--data", str(MINI), *args])
    return result.exit_code, result.stdout, result.stderr


def test_cli_reliability_json() -> None:
    code, out, _ = invoke("-k", "3", "--reliability", "--samples", "5000", "--month", "12", "--seed", "4",
                          "--deadline-days", "20", "--json")
    assert code == 0
    payload = json.loads(out)
    assert payload["reliability"]["month"] == 12
    for r in (route["reliability"] for route in payload["routes"]):
        assert r["p10_days"] <= r["p50_days"] <= r["p90_days"] <= r["p95_days"]
        assert 0 <= r["on_time_probability"] <= 1 and r["mean_days"] > 0
    again = json.loads(invoke("-k", "3", "--reliability", "--samples", "5000", "--month", "12", "--seed", "4",
                              "--deadline-days", "20", "--json")[1])
    assert again == payload


def test_cli_optimize_p90_orders_by_p90(tmp_path: Path) -> None:
    png = tmp_path / "alternatives.png"
    code, out, _ = invoke("-k", "2", "--optimize", "p90", "--samples", "5000", "--plot", str(png), "--json")
    assert code == 0
    routes = json.loads(out)["routes"]
    assert len(routes) == 2 and routes[0]["reliability"]["p90_days"] <= routes[1]["reliability"]["p90_days"]
    assert png.exists() and png.stat().st_size > 0


def test_cli_table_output() -> None:
    code, out, _ = invoke("--reliability", "--samples", "2000", "--deadline-days", "14")
    assert code == 0 and "P90" in out and "On time" in out


@pytest.mark.parametrize("args, message", [
    (("--reliability", "--samples", "0"), "--samples must be"),
    (("--reliability", "--samples", "1000000000"), "--samples must be"),
    (("--reliability", "--month", "13"), "--month must be"),
    (("--reliability", "--month", "0"), "--month must be"),
    (("--deadline-days", "-3"), "--deadline-days must be"),
    (("--optimize", "p99"), "unknown objective"),
])
def test_cli_bad_input(args: tuple[str, ...], message: str) -> None:
    code, out, err = invoke(*args)
    assert code == 1 and message in err and "Traceback" not in err + out


# -- against published transit times by month (docs/reliability.md, "Against the published schedules") ----------
#: the services are trains: the Middle Corridor by rail and Caspian ferry, the Northern route by rail alone
CORRIDORS = {"middle": {"avoid_countries": ["RU", "IR", "TM", "UZ"], "avoid_modes": ["road"]},
             "north": {"avoid_modes": ["road", "sea", "ferry"]}}


def _queue(why: str) -> pytest.MarkDecorator:
    return pytest.mark.xfail(strict=True, reason=f"known gap (docs/reliability.md): {why}; no published figure "
                                                 "gives the queue's days, so the model has none")


# origin, destination, corridor, month of departure, published days low and high [sources.csv ids]
SEASONAL = [
    ("CN-XIAN", "AZ-BAKU", "middle", 1, 11, 11),          # Jan 2024 train; Jan 2026 [TREND-XIAN, NEWSAZ-0126]
    ("CN-XIAN", "AZ-BAKU", "middle", 7, 8, 12),           # daily train from July 2024 [TREND-0724]
    ("CN-CHENGDU", "TR-KARS", "middle", 7, 15, 15),       # left 9 July 2025 [TR-ISKURT, HDN-CNTR-0725]
    ("CN-XIAN", "PL-MALASZEWICZE", "north", 1, 13, 14),   # China-Poland [IDX1520-2401]
    ("CN-XIAN", "PL-MALASZEWICZE", "north", 3, 13, 15),   # [IDX1520-2403], April the same [IDX1520-2404]
    ("CN-XIAN", "DE-DUISBURG", "north", 1, 13, 13),       # Xi'an speed train, Jan-Jun 2024 [IDX1520-2401..2406]
    ("CN-XIAN", "DE-DUISBURG", "north", 1, 18, 20),       # China-Germany terminal to terminal [IDX1520-2401]
    pytest.param("CN-XIAN", "PL-MALASZEWICZE", "north", 6, 20, 20, marks=_queue(
        "June 2024 congestion at the China-Kazakhstan crossings and pick-up queues at Malaszewicze; model 12.4 days"
    )),                                                   # [IDX1520-2406]
    pytest.param("CN-XIAN", "DE-DUISBURG", "north", 6, 24, 24, marks=_queue(
        "the same June 2024 congestion; model 15.0 days")),                                   # [IDX1520-2406]
    pytest.param("CN-XIAN", "DE-DUISBURG", "middle", 6, 50, 55, marks=_queue(
        "DHL's Trans-Caspian door-to-door time in June 2024 waits for Caspian and Black Sea space; model "
        "19.3 days")),                                                                        # [IDX1520-2406]
]


@pytest.mark.parametrize(("origin", "destination", "corridor", "month", "low", "high"), SEASONAL)
def test_month_mean_within_published_transit_times(router: Router, origin: str, destination: str, corridor: str,
                                                   month: int, low: float, high: float) -> None:
    """The model's mean for the month of departure lies within the published range widened by 25 % each side."""
    route = router.route(origin, destination, optimize="time", year=2025, **CORRIDORS[corridor])[0]
    assert "KZ" in route.countries
    assert ("AZ" in route.countries) == (corridor == "middle")  # across the Caspian only on the Middle
    mean = simulate(router, route, samples=20_000, month=month, seed=0).mean
    assert 0.75 * low <= mean <= 1.25 * high, f"{route.corridor}, month {month}: mean {mean:.1f} days"


def test_december_kars_to_xian_within_the_istanbul_train(router: Router) -> None:
    """The first Istanbul → Xi'an export train left on 4 December 2020 and arrived on the 19th, 15 days
    [AA-ISTXIAN]. The bundled network has no railway from Istanbul to Kars, so the model's December trip from
    Kars, a part of that journey across the Caspian in winter, must not take longer than the whole (widened 25 %)."""
    route = router.route("TR-KARS", "CN-XIAN", optimize="time", year=2025, **CORRIDORS["middle"])[0]
    assert {"AZ", "KZ"} <= set(route.countries)
    december = simulate(router, route, samples=20_000, month=12, seed=0)
    july = simulate(router, route, samples=20_000, month=7, seed=0)
    assert december.mean <= 1.25 * 15
    assert december.mean > july.mean + 0.5  # the Caspian's winter closures, not in the summer
