"""The itemised cost of a route: named components that add up to what the router minimises."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from corridor.api.models import CostBreakdownOut, RouteOut
from corridor.cli import app as cli_app
from corridor.network import load_network
from corridor.network.costs import COST_COMPONENTS, MONEY_COMPONENTS, CostBreakdown
from corridor.routing import Route, Router
from corridor.settings import Settings

MINI = Path(__file__).parent / "data" / "mini"


@pytest.fixture(scope="module")
def priced() -> Router:
    """The mini network with a shadow CO2 price, so that every component but ETS and insurance counts."""
    return Router(load_network(MINI), Settings(co2_price_usd_per_t=100.0))


def _routes(router: Router) -> list[Route]:
    return router.route("Xi'an", "Duisburg", alternatives=3, year=2026)


def test_edge_components_add_up_to_the_generalized_weight(priced: Router, router: Router) -> None:
    for r in (priced, router):
        total = sum(r.edge_costs[name] for name in COST_COMPONENTS)
        assert np.allclose(total, r.weights("generalized"), rtol=1e-12, atol=1e-9)
        money = sum(r.edge_costs[name] for name in MONEY_COMPONENTS)
        assert np.array_equal(money, r.graph.cost_usd)  # all the money, each edge's in one component


@pytest.mark.parametrize("optimize", ["generalized", "time", "cost", "co2"])
def test_route_total_is_the_sum_of_its_weights(priced: Router, optimize: str) -> None:
    weights = priced.weights("generalized")
    for route in priced.route("Xi'an", "Duisburg", alternatives=3, optimize=optimize, year=2026):
        costs = route.cost_breakdown
        assert costs.total_usd == pytest.approx(weights[route.edges].sum(), rel=1e-12)
        assert costs.total_usd == pytest.approx(sum(leg.cost_breakdown.total_usd for leg in route.legs), rel=1e-12)


def test_components_by_hand(priced: Router) -> None:
    route = _routes(priced)[0]
    costs = route.cost_breakdown
    assert costs.money_usd == pytest.approx(route.cost_usd_per_feu, rel=1e-12)  # cost_usd_per_feu: money only
    assert costs.time_value_usd == pytest.approx(priced.value_of_time * route.total_hours, rel=1e-12)
    assert costs.carbon_usd == pytest.approx(100.0 * route.co2_kg_per_feu / 1000, rel=1e-12)
    assert costs.carbon_usd > 0 and costs.border_usd > 0 and costs.handling_usd > 0
    assert costs.ets_usd == costs.insurance_usd == 0.0  # the mini dataset has no ets.csv, no premia.csv
    for leg in route.legs:
        c = leg.cost_breakdown
        expected = {"run": c.freight_usd, "border": c.border_usd, "load": c.handling_usd, "unload": c.handling_usd,
                    "transfer": c.handling_usd, "wait": 0.0}[leg.kind]
        assert expected == leg.cost_usd_per_feu == c.money_usd


def test_no_carbon_without_a_price(mini_router: Router) -> None:
    route = _routes(mini_router)[0]
    assert route.cost_breakdown.carbon_usd == 0.0 and route.co2_kg_per_feu > 0


def test_printed_components_add_up_to_the_printed_total() -> None:
    costs = CostBreakdown(freight_usd=0.004, handling_usd=0.004, border_usd=0.004, time_value_usd=10.006)
    out = costs.to_dict()
    assert list(out) == [*COST_COMPONENTS, "total_usd"]
    assert out["total_usd"] == 10.02 and round(sum(out[n] for n in COST_COMPONENTS), 2) == 10.02
    assert all(abs(out[n] - getattr(costs, n)) < 0.01 for n in COST_COMPONENTS)
    assert CostBreakdown.summed([costs, costs]).total_usd == pytest.approx(2 * costs.total_usd)
    assert CostBreakdown.summed([]) == CostBreakdown()


def test_json_shape_and_api_model(mini_router: Router) -> None:
    route = _routes(mini_router)[0]
    item = route.to_dict()
    assert set(item["cost_breakdown"]) == {*COST_COMPONENTS, "total_usd"}
    assert all(set(leg["cost_breakdown"]) == set(item["cost_breakdown"]) for leg in item["legs"])
    assert set(CostBreakdownOut.model_fields) == set(item["cost_breakdown"])
    assert RouteOut.model_validate(item).cost_breakdown.total_usd == item["cost_breakdown"]["total_usd"]
    frame = route.to_frame()  # one column per component, nothing nested
    assert {*COST_COMPONENTS, "total_usd"} <= set(frame.columns) and "cost_breakdown" not in frame.columns


def test_cli_json_and_table() -> None:
    args = ["route", "Xi'an", "Duisburg", "--data", str(MINI), "--year", "2026", "-k", "2"]
    result = CliRunner().invoke(cli_app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    for route in json.loads(result.stdout)["routes"]:
        costs = route["cost_breakdown"]
        assert sum(costs[n] for n in COST_COMPONENTS) == pytest.approx(costs["total_usd"], abs=1e-6)
        assert sum(costs[n] for n in MONEY_COMPONENTS) == pytest.approx(route["cost_usd_per_feu"], abs=0.02)
    table = CliRunner().invoke(cli_app, [*args, "--costs"], env={"COLUMNS": "200"})
    assert table.exit_code == 0, table.output
    for label in ("Generalized cost", "Freight", "Handling", "Border", "EU ETS", "Insurance", "Value of time"):
        assert label in table.output
