"""Routing on the small test network, where every answer can be worked out by hand."""

from __future__ import annotations

import pytest

from corridor.errors import InvalidOptionError, NoRouteError, UnknownPlaceError
from corridor.routing import Router


def test_time_matches_hand_sum(mini_router: Router) -> None:
    best = mini_router.route("Xi'an", "Duisburg", optimize="time", year=2026)[0]
    # load 12, border 30, run 3000/50, gauge change 10, border 10, run 4000/45, border 20, run 2500/40, unload 12
    assert best.total_hours == pytest.approx(12 + 30 + 60 + 10 + 10 + 4000 / 45 + 20 + 62.5 + 12)
    assert best.corridor == "Northern via Moscow"
    assert best.countries == ("CN", "KZ", "RU", "DE")


def test_alternatives_differ_by_corridor(mini_router: Router) -> None:
    routes = mini_router.route("Xian", "Duisburg", alternatives=4, year=2026)
    labels = [r.corridor for r in routes]
    assert len(set(labels)) == len(labels) == 2
    assert "Middle Corridor via Poti" in labels


def test_avoid_country_never_crosses_it(mini_router: Router) -> None:
    for route in mini_router.route("Xi'an", "Duisburg", alternatives=3, avoid_countries=["RU"], year=2026):
        assert "RU" not in route.countries


def test_planned_link_only_in_its_year(mini_router: Router) -> None:
    before = mini_router.route("Alat", "Nakhchivan", optimize="time", year=2029)[0]
    after = mini_router.route("Alat", "Nakhchivan", optimize="time", year=2030)[0]
    assert "AM" not in before.countries and after.countries == ("AZ", "AM", "AZ")
    assert after.total_hours < before.total_hours


def test_via_forces_the_place(mini_router: Router) -> None:
    route = mini_router.route("Xi'an", "Duisburg", via="Poti", year=2026)[0]
    assert any(leg.to_id == "GE-POTI" for leg in route.legs)


def test_errors(mini_router: Router) -> None:
    with pytest.raises(UnknownPlaceError, match="Did you mean: Aktau"):
        mini_router.route("Aktaw", "Duisburg")
    with pytest.raises(NoRouteError, match="relax a constraint"):
        mini_router.route("Xi'an", "Duisburg", avoid_modes=["rail"])
    with pytest.raises(NoRouteError, match="to be avoided"):
        mini_router.route("Xi'an", "Duisburg", avoid_countries=["DE"])
    with pytest.raises(InvalidOptionError, match="objective"):
        mini_router.route("Xi'an", "Duisburg", optimize="fastest")
    with pytest.raises(InvalidOptionError, match="ISO 3166"):
        mini_router.route("Xi'an", "Duisburg", avoid_countries=["Narnia"])
    # a country's name and its code, in any case, avoid the same country
    by_name = mini_router.route("Xi'an", "Duisburg", avoid_countries=["russia"])[0]
    assert by_name.legs == mini_router.route("Xi'an", "Duisburg", avoid_countries=["RU"])[0].legs


@pytest.mark.parametrize("name", ["SUEZ", "seuz", "hormuz", "cape", "nowhere"])
def test_sea_passages_are_checked(mini_router: Router, name: str) -> None:
    """A passage name is one the network's sea lanes use (any case; everyday names such as cape and
    hormuz too) or it is refused with the known ones: never silently ignored."""
    known = set(mini_router.passages)
    folded = {"suez": "suez", "hormuz": "ormuz", "cape": "south_africa"}.get(name.casefold())
    if folded in known:
        mini_router.usable(avoid_passages=[name])
    else:
        with pytest.raises(InvalidOptionError, match="sea passage"):
            mini_router.usable(avoid_passages=[name])


@pytest.mark.parametrize("year", [1900, -1, 3000])
def test_years_outside_the_model_are_refused(mini_router: Router, year: int) -> None:
    with pytest.raises(InvalidOptionError, match="year must be"):
        mini_router.route("Xi'an", "Duisburg", year=year)


def test_compiled_search_finds_scipys_shortest_distances(mini_router: Router) -> None:
    """The single-pair search (corridor.search) gives the same least cost as SciPy's Dijkstra, for every
    pair of nodes and random weights with unusable edges."""
    import numpy as np
    from scipy.sparse.csgraph import dijkstra

    from corridor.search import path_edges

    g = mini_router.graph
    rng = np.random.default_rng(7)
    for _ in range(5):
        w = rng.uniform(0.1, 10.0, g.n_edges)
        w[rng.random(g.n_edges) < 0.1] = np.inf
        dist = dijkstra(g.matrix(w))
        for s in range(g.n_nodes):
            for t in range(g.n_nodes):
                if s == t:
                    continue
                edges = path_edges(g.indptr, g.indices, g.csr_order, g.src, w, s, t)
                if np.isfinite(dist[s, t]):
                    assert g.src[edges[0]] == s and g.dst[edges[-1]] == t
                    assert (g.dst[edges[:-1]] == g.src[edges[1:]]).all()
                    assert w[edges].sum() == pytest.approx(dist[s, t])
                else:
                    assert len(edges) == 0
