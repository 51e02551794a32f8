"""Routing on the bundled dataset: calibration against published schedules and routing invariants."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from corridor import Route, Router, check_dataset
from corridor.errors import NoRouteError
from corridor.freight.reliability import simulate

YEAR = 2025
#: keeps the calibration routes on the Middle Corridor by rail and ferry (the schedules are for trains)
MIDDLE = {"avoid_countries": ["RU", "IR", "TM", "UZ"], "avoid_modes": ["road"], "optimize": "time", "year": YEAR}


def gen_cost(router: Router, route: Route) -> float:
    return float(router.weights("generalized")[route.edges].sum())


def test_bundled_dataset_is_clean() -> None:
    problems = check_dataset()
    assert problems == [], "\n".join(map(str, problems[:20]))


def test_dataset_size_and_coverage(router: Router) -> None:
    places = router.network.places
    assert len(places) >= 150
    for name in ["Xi'an", "Chongqing", "Chengdu", "Yiwu", "Zhengzhou", "Urumqi", "Lianyungang", "Shanghai",
                 "Dostyk", "Altynkol", "Almaty", "Aktau", "Kuryk", "Beyneu", "Turkmenbashi", "Tashkent",
                 "Baku", "Alat", "Ganja", "Horadiz", "Aghband", "Yalama", "Astara", "Meghri", "Yerevan", "Gyumri",
                 "Julfa", "Ordubad", "Sadarak", "Tbilisi", "Akhalkalaki", "Poti", "Batumi", "Anaklia", "Kars",
                 "Igdir", "Dilucu", "Erzurum", "Ankara", "Istanbul", "Mersin", "Sarakhs", "Tehran", "Tabriz",
                 "Razi", "Bandar Abbas", "Brest", "Malaszewicze", "Constanta", "Burgas", "Budapest", "Vienna",
                 "Duisburg", "Hamburg", "Rotterdam", "Piraeus"]:
        router.resolve(name)
    links = router.network.links
    assert set(links["mode"]) == {"rail", "road", "ferry", "sea"}
    for group in ("TRIPP", "HORADIZ-AGHBAND", "NAKHCHIVAN-RAIL", "KARS-DILUCU"):
        rows = links[links["group"] == group]
        assert len(rows) and set(rows["status"]) <= {"planned", "under_construction"}, group
    tripp = links[links["group"] == "TRIPP"]["length_km"].sum()
    # Aghband–Meghri–Ordubad: Horadiz–Ordubad 166 km less Horadiz–Aghband 110.4 km, ~42 km of it in Syunik
    assert 50 <= tripp <= 60, f"TRIPP's Aghband–Ordubad section is about 55.6 km, not {tripp}"


# Published Middle Corridor schedules (facts.md §1.1). The published figures are operator schedules and
# average trip times that themselves span ±15–20 % for one trip (Xi'an→Baku 8–11 days), so they are set
# beside the model's *mean* transit time (the reliability simulation: running, border, port and ferry-wait
# times with their spreads and the Caspian's weather closures). A model within the published range widened
# by 25 % on each side is calibrated; outside it, a figure in the data is off or a delay is missing.
CALIBRATION = [
    ("KZ-ALTYNKOL", "AZ-BAKU", 9, 9),     # KZ MinTransport schedule [KAZTAG-24]
    ("KZ-ALTYNKOL", "GE-POTI", 12, 12),   # [KAZTAG-24]
    pytest.param("KZ-ALTYNKOL", "RO-CONSTANTA", 20, 22, marks=pytest.mark.xfail(strict=True, reason=(
        "known gap (docs/reliability.md): the model's mean is 14.6 days against the 20-22 scheduled; the "
        "schedule's Black Sea leg and the queues for Caspian ferry space (KTZ: 'the main limiting factor') "
        "are longer than the sourced figures the model has"))),  # [KAZTAG-24]
    ("CN-XIAN", "AZ-BAKU", 8, 11),        # ADY average and plan [NEWSAZ-0924b], first train 11 d [TREND-XIAN]
]


@pytest.mark.parametrize(("origin", "destination", "low", "high"), CALIBRATION)
def test_calibration_against_published_schedules(router: Router, origin: str, destination: str,
                                                 low: float, high: float) -> None:
    best = router.route(origin, destination, **MIDDLE)[0]
    assert "AZ" in best.countries and "RU" not in best.countries
    mean = simulate(router, best, samples=20_000, seed=0).mean
    assert 0.75 * low <= mean <= 1.25 * high, f"{best.corridor}: mean {mean:.1f} days"


def test_caspian_ferry_crossing_time(router: Router) -> None:
    route = router.route("Kuryk", "Alat", optimize="time", avoid_modes=["road", "rail"], year=YEAR)[0]
    sail = sum(leg.hours for leg in route.legs if leg.kind == "run" and leg.mode == "ferry")
    assert 14 <= sail <= 26  # 18–22 h published [SEANEWS-KURYK17], [SEANEWS-ZA22]


PAIRS = [("Xi'an", "Duisburg"), ("Almaty", "Constanta"), ("Chengdu", "Istanbul"), ("Shanghai", "Rotterdam"),
         ("Urumqi", "Tbilisi"), ("Tashkent", "Budapest")]


@pytest.mark.parametrize(("origin", "destination"), PAIRS)
def test_avoided_countries_are_never_crossed(router: Router, origin: str, destination: str) -> None:
    for avoid in (["RU"], ["RU", "BY"], ["IR"], ["GE"], ["KZ", "RU"]):
        try:
            routes = router.route(origin, destination, alternatives=3, avoid_countries=avoid, year=YEAR)
        except NoRouteError:
            continue
        for route in routes:
            assert not set(avoid) & set(route.countries), (avoid, route.corridor, route.countries)
            places = {leg.from_id[:2] for leg in route.legs} | {leg.to_id[:2] for leg in route.legs}
            assert not set(avoid) & places


@pytest.mark.parametrize(("origin", "destination"), PAIRS)
def test_constraints_never_make_a_route_cheaper(router: Router, origin: str, destination: str) -> None:
    free = gen_cost(router, router.route(origin, destination, year=YEAR)[0])
    constrained = [{"avoid_countries": ["RU"]}, {"avoid_modes": ["sea"]}, {"avoid_passages": ["suez"]},
                   {"via": "Baku"}, {"avoid_countries": ["IR"], "avoid_modes": ["road"]}]
    for options in constrained:
        try:
            route = router.route(origin, destination, year=YEAR, **options)[0]
        except NoRouteError:
            continue
        assert gen_cost(router, route) >= free - 1e-6, options


def test_opening_links_never_makes_routes_worse(router: Router) -> None:
    for origin, destination in [("Baku", "Nakhchivan"), ("Alat", "Kars"), ("Almaty", "Istanbul")]:
        costs = [gen_cost(router, router.route(origin, destination, year=y)[0]) for y in (2025, 2028, 2032)]
        assert costs[0] >= costs[1] - 1e-6 >= costs[2] - 2e-6


def test_alternatives_are_distinct_corridors(router: Router) -> None:
    routes = router.route("Xi'an", "Duisburg", alternatives=6, year=YEAR)
    labels = [r.corridor for r in routes]
    assert len(routes) >= 3 and len(set(labels)) == len(labels)
    assert any(l.startswith("Northern") for l in labels)
    assert any(l.startswith("Middle Corridor") for l in labels)
    sea = router.route("Shanghai", "Rotterdam", alternatives=3, year=YEAR)
    assert {"Sea via Suez", "Sea via Cape"} <= {r.corridor for r in sea}
    cape = next(r for r in sea if r.corridor == "Sea via Cape")
    suez = next(r for r in sea if r.corridor == "Sea via Suez")
    assert cape.distance_km > suez.distance_km + 5000


def test_red_sea_closed_sends_ships_round_the_cape(router: Router) -> None:
    route = router.route("Shanghai", "Rotterdam", avoid_passages=["babalmandab"], avoid_modes=["rail", "road"],
                         year=YEAR)[0]
    assert route.corridor == "Sea via Cape"


def test_tripp_changes_baku_nakhchivan(router: Router) -> None:
    today = router.route("Baku", "Nakhchivan", year=YEAR)[0]
    later_year = int(router.network.links.query("group == 'TRIPP'")["open_year"].max())
    later = router.route("Baku", "Nakhchivan", year=later_year)[0]
    assert "AM" not in today.countries
    assert "AM" in later.countries and "TRIPP" in later.corridor
    assert gen_cost(router, later) < gen_cost(router, today)
    assert later.distance_km < today.distance_km


def test_every_origin_reaches_every_destination(router: Router) -> None:
    origins = ["Xi'an", "Chongqing", "Chengdu", "Yiwu", "Zhengzhou", "Urumqi", "Lianyungang", "Shanghai"]
    destinations = ["Constanta", "Burgas", "Budapest", "Vienna", "Duisburg", "Hamburg", "Rotterdam", "Piraeus"]
    for o, d in itertools.product(origins, destinations):
        route = router.route(o, d, year=YEAR)[0]
        assert np.isfinite(route.total_hours) and route.total_days < 80
