"""Tariffs by year (``tariffs.csv`` ``year``): which rate a year gets, and routes priced at it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from corridor.errors import DataError, InvalidOptionError
from corridor.graph import KINDS, compile_graph
from corridor.network import load_network
from corridor.network.costs import tariff_usd_per_feu_km, tariff_years, tariffs_in
from corridor.routing import Router
from corridor.scenarios import apply_scenario, scenario_from_text

#: searoute's Suez distance Shanghai–Rotterdam, the divisor of every sea rate (DER-WCI-YEAR)
SUEZ_KM = 19580
#: Drewry WCI Shanghai–Rotterdam, one weekly assessment a quarter (sources.csv, DER-WCI-YEAR)
WCI = {2023: (1553, 1349, 1768, 1004), 2024: (3650, 7322, 6219, 3997), 2025: (2636, 3204, 3176, 2539)}

DATED = """mode,country,year,cost_usd_per_feu_km,source,note
rail,*,,0.6,T-PUB,
road,*,,1.5,T-EST,
ferry,*,,2.5,T-EST,
sea,*,2023,0.1,T-PUB,
sea,*,2024,0.3,T-PUB,
rail,KZ,,0.5,T-PUB,
"""


@pytest.fixture(scope="module")
def bundled():
    return load_network()


def _dated(folder: Path, text: str = DATED) -> Router:
    (folder / "tariffs.csv").write_text(text, encoding="utf-8")
    return Router(load_network(folder))


def test_the_sea_rate_is_the_years_wci_over_the_suez_distance(bundled) -> None:
    t = bundled.tariffs
    assert tariff_years(t) == [2023, 2024, 2025]
    for year, weeks in WCI.items():
        assert tariff_usd_per_feu_km(t, "sea", "CN", year) == pytest.approx(np.mean(weeks) / SUEZ_KM, abs=5e-5)
    assert tariff_usd_per_feu_km(t, "sea", "CN", 2024) == 0.2705
    assert tariff_usd_per_feu_km(t, "sea", "CN", 2023) == 0.0724
    # after the last year its rate holds; a rate without a year holds in every year
    assert tariff_usd_per_feu_km(t, "sea", "CN", 2030) == tariff_usd_per_feu_km(t, "sea", "CN", 2025) == 0.1475
    assert {tariff_usd_per_feu_km(t, "rail", "KZ", y) for y in (2023, 2024, 2030)} == {0.606}


def test_a_year_before_the_rates_is_refused_naming_the_years(bundled, router: Router) -> None:
    with pytest.raises(InvalidOptionError, match=r"sea \(\*\) in 2022; rates exist for 2023, 2024, 2025"):
        tariffs_in(bundled.tariffs, 2022)
    with pytest.raises(InvalidOptionError, match="rates exist for 2023, 2024, 2025"):
        router.route("Shanghai", "Rotterdam", year=2022)


def test_a_routes_freight_follows_the_years_rate(router: Router) -> None:
    by_year = {y: router.route("Shanghai", "Rotterdam", year=y)[0] for y in (2023, 2024)}
    assert {r.corridor for r in by_year.values()} == {"Sea via Suez"}
    freight = {y: r.cost_breakdown.freight_usd for y, r in by_year.items()}
    assert freight[2024] / freight[2023] == pytest.approx(0.2705 / 0.0724)
    sea_km = sum(leg.distance_km for leg in by_year[2024].legs if leg.kind == "run" and leg.mode == "sea")
    assert freight[2024] == pytest.approx(sea_km * 0.2705, rel=1e-3)
    # the route's sea km (with each port's approach to the lane) is within 0.5 % of the rate's divisor
    assert sea_km == pytest.approx(SUEZ_KM, rel=5e-3)
    # the money paid is the year's too: freight + handling + border
    for r in by_year.values():
        b = r.cost_breakdown
        assert r.cost_usd_per_feu == pytest.approx(b.freight_usd + b.handling_usd + b.border_usd)


def test_only_the_legs_of_a_dated_mode_change_with_the_year(mini_copy: Path) -> None:
    router = _dated(mini_copy)
    # the fastest path does not depend on prices: the same legs, priced in each year
    routes = {y: router.route("KZ-AKTAU", "RO-CONSTANTA", optimize="time", year=y)[0] for y in (2023, 2024)}
    path = routes[2023].edges
    assert np.array_equal(path, routes[2024].edges)
    legs = {y: r.legs for y, r in routes.items()}
    sea = [i for i, leg in enumerate(legs[2023]) if leg.mode == "sea" and leg.kind == "run"]
    assert sea and {leg.mode for leg in legs[2023] if leg.kind == "run"} == {"ferry", "rail", "sea"}
    for i, (a, b) in enumerate(zip(legs[2023], legs[2024])):
        ratio = 3.0 if i in sea else 1.0
        assert b.cost_breakdown.freight_usd == pytest.approx(ratio * a.cost_breakdown.freight_usd)
        assert b.cost_usd_per_feu == pytest.approx(b.cost_breakdown.money_usd)
    # the "cost" objective weighs the year's money
    assert router.costs.weights("cost", 2024)[path].sum() > router.costs.weights("cost", 2023)[path].sum()


def test_the_compiled_graph_charges_the_latest_years_rates(mini_copy: Path) -> None:
    router = _dated(mini_copy)
    g = router.graph
    runs = g.kind == KINDS.index("run")
    assert np.allclose(router.costs.freight(2024)[runs], g.cost_usd[runs])
    assert np.allclose(router.costs.freight(2031)[runs], g.cost_usd[runs])
    assert not np.allclose(router.costs.freight(2023)[runs], g.cost_usd[runs])


def test_a_file_without_years_loads_and_holds_in_every_year(mini_router: Router) -> None:
    t = mini_router.network.tariffs
    assert tariff_years(t) == []
    assert tariffs_in(t, 1995) is t
    g = compile_graph(mini_router.network)
    assert np.allclose(mini_router.costs.freight(1995), mini_router.costs.freight(2040))
    runs = g.kind == KINDS.index("run")
    assert np.allclose(mini_router.costs.freight(2000)[runs], g.cost_usd[runs])


def test_two_rates_for_one_mode_country_and_year_are_refused_with_the_line(mini_copy: Path) -> None:
    with pytest.raises(DataError, match=r"tariffs.csv.*line 8.*second rate for sea in \* in 2024 \(first on line 6\)"):
        _dated(mini_copy, DATED + "sea,*,2024,0.4,T-PUB,\n")


def test_scaling_a_country_without_its_own_rate_scales_each_years(mini_copy: Path) -> None:
    network = _dated(mini_copy).network
    sc = scenario_from_text("operations:\n  - scale: {mode: sea, country: GE, tariff_usd_per_feu_km: 2}\n"
                            "    source: T-EST\n")
    tariffs = apply_scenario(network, sc).tariffs
    assert [tariff_usd_per_feu_km(tariffs, "sea", "GE", y) for y in (2023, 2024, 2030)] == \
        pytest.approx([0.2, 0.6, 0.6])
    assert tariff_usd_per_feu_km(tariffs, "sea", "RO", 2023) == 0.1
