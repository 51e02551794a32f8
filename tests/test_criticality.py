"""Criticality: the incremental re-solve equals a full recompute; scopes; parallel; the command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from corridor.cli import app
from corridor.freight.criticality import criticality
from corridor.freight.demand import load_demand
from corridor.errors import InvalidOptionError
from corridor.freight.flows import route_demand
from corridor.network import load_network
from corridor.routing import Router
from corridor.scenarios import apply_scenario, scenario_from_text

MINI = Path(__file__).parent / "data" / "mini"
YEAR = 2026


@pytest.fixture(scope="module")
def setup():
    net = load_network(MINI)
    demand = load_demand(MINI, net)
    return net, Router(net), demand.by_place()


def test_incremental_equals_full_recompute(setup) -> None:
    net, router, od = setup
    res = criticality(router, od, scope="links", year=YEAR)
    base = route_demand(router, od, year=YEAR)
    assert res.base_generalized_usd_per_year == pytest.approx(base.total_generalized_usd)
    for row in res.frame.itertuples(index=False):
        closed = apply_scenario(net, scenario_from_text(f"operations:\n  - close: {{link: {row.id}}}\n"))
        full = route_demand(Router(closed), od, year=YEAR, labels=False)
        assert row.unrouted_teu_per_year == pytest.approx(full.unrouted_teu)
        # cost increase over the pairs that still have a route
        still = full.od["routed"].to_numpy()
        before = base.od["generalized_usd_per_feu"].to_numpy()[still]
        after = full.od["generalized_usd_per_feu"].to_numpy()[still]
        teu = od["teu_per_year"].to_numpy()[still]
        assert row.delta_generalized_usd_per_year == pytest.approx(float((teu / 2 * (after - before)).sum()), abs=1e-3)
    # links not usable in the year (planned TRIPP) are not elements
    assert "R-HORADIZ-MEGHRI" not in set(res.frame["id"])


def test_ranking(setup) -> None:
    _, router, od = setup
    res = criticality(router, od, scope="links", year=YEAR)
    top = res.frame.iloc[0]
    assert top["id"] == "R-XIAN-DOSTYK" and top["unrouted_teu_per_year"] == 17800
    by_cost = criticality(router, od, scope="links", year=YEAR, rank_by="cost").frame
    assert by_cost.iloc[0]["id"] == "R-MOSCOW-DUISBURG"
    assert list(by_cost["rank"]) == list(range(1, len(by_cost) + 1))
    assert (np.diff(by_cost["delta_generalized_usd_per_year"]) <= 1e-9).all()


def test_scopes(setup) -> None:
    _, router, od = setup
    places = criticality(router, od, scope="places", year=YEAR).frame.set_index("id")
    assert places.at["CN-XIAN", "unrouted_teu_per_year"] == 10000 + 2000 + 1500 + 300 + 4000
    assert places.at["KZ-DOSTYK", "unrouted_teu_per_year"] == 17800 + 800
    crossings = criticality(router, od, scope="crossings", year=YEAR).frame
    assert set(crossings["id"]) >= {"X-CN-KZ", "X-RU-EU"} and "X-AZ-AM" not in set(crossings["id"])
    countries = criticality(router, od, scope="countries", year=YEAR).frame.set_index("id")
    assert countries.at["RU", "unrouted_teu_per_year"] == 3000
    assert countries.at["RU", "label"] == "Russia"
    with pytest.raises(InvalidOptionError, match="scope"):
        criticality(router, od, scope="rivers")


def test_two_workers_give_the_same_ranking(setup) -> None:
    _, router, od = setup
    serial = criticality(router, od, scope="links", year=YEAR).frame
    pooled = criticality(router, od, scope="links", year=YEAR, workers=2)
    assert pooled.backend == "process-pool"
    assert pooled.frame.equals(serial)


def test_cli_criticality(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["criticality", "--scope", "countries", "--top", "3", "-j", "1", "--json",
                                 "--data", str(MINI)])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["scope"] == "countries" and len(payload["ranking"]) == 3
    sc = tmp_path / "s.yaml"
    sc.write_text("operations:\n  - close: {link: R-ALAT-POTI}\n", encoding="utf-8")
    result = runner.invoke(app, ["criticality", "--scenario", str(sc), "-j", "1", "--data", str(MINI)])
    assert result.exit_code == 0 and "R-ALAT-POTI" not in result.stdout
    result = runner.invoke(app, ["criticality", "--scope", "rivers", "-j", "1", "--data", str(MINI)])
    assert result.exit_code == 1 and "unknown scope" in result.stderr


# --- equilibrium criticality: each removal re-solves the capacity-aware equilibrium --------------------

@pytest.fixture(scope="module")
def mini_inputs():
    from corridor.freight.inputs import freight_inputs

    return freight_inputs(data=MINI)


@pytest.mark.parametrize("scope", ["links", "places"])
def test_equilibrium_warm_equals_cold(mini_inputs, scope: str) -> None:
    from corridor.freight.equilibrium_criticality import equilibrium_criticality

    warm = equilibrium_criticality(mini_inputs, scope=scope, gap=1e-10, rank_by="cost")
    cold = equilibrium_criticality(mini_inputs, scope=scope, gap=1e-10, rank_by="cost", warm=False)
    assert warm.meta["warm_start"] and not cold.meta["warm_start"] and not cold.meta["restarted_cold"]
    assert not warm.meta["restarted_cold"]  # a closed link's flow leaves the warm bushes (none stalls)
    assert list(warm.frame["id"]) == list(cold.frame["id"])
    tol = 1e-8 * warm.base_generalized_usd_per_year
    np.testing.assert_allclose(warm.frame["delta_generalized_usd_per_year"],
                               cold.frame["delta_generalized_usd_per_year"], atol=tol)
    np.testing.assert_array_equal(warm.frame["unrouted_teu_per_year"], cold.frame["unrouted_teu_per_year"])


def test_equilibrium_removal_equals_a_network_without_the_element(mini_inputs) -> None:
    """The prohibitive toll gives the equilibrium of the network with the element's links deleted."""
    from corridor.assignment import LinkNetwork, assign
    from corridor.freight.corridor_problem import build_problem
    from corridor.freight.equilibrium_criticality import equilibrium_criticality

    res = equilibrium_criticality(mini_inputs, scope="links", gap=1e-10, rank_by="cost")
    top = res.frame.iloc[0]
    assert top["id"] == "R-MOSCOW-DUISBURG" and top["delta_generalized_usd_per_year"] > 0
    p = build_problem(mini_inputs, year=2024)
    keep = ~np.isin(p.element, [top["id"], f"connector:{top['id']}", f"wait:{top['id']}"])
    net = p.engine_network()
    cut = LinkNetwork(num_nodes=net.num_nodes, num_zones=net.num_zones, from_node=net.from_node[keep],
                      to_node=net.to_node[keep], capacity=net.capacity[keep],
                      free_flow_time=net.free_flow_time[keep], b=net.b[keep], power=net.power[keep],
                      toll=net.toll[keep], toll_factor=1.0, first_thru_node=net.first_thru_node, vdf=net.vdf[keep])
    before = assign(net, p.matrix, "bush", gap=1e-10, progress=False)
    after = assign(cut, p.matrix, "bush", gap=1e-10, progress=False)
    usd = p.value_of_time / 2
    expected = usd * float(p.matrix[tuple(after.od_pairs.T)] @ (after.od_cost - before.od_cost))
    assert top["delta_generalized_usd_per_year"] == pytest.approx(expected, rel=1e-6)


def test_equilibrium_unserved_demand(mini_inputs, setup) -> None:
    """Demand that loses every route is reported, as the all-or-nothing criticality does, not an error."""
    from corridor.freight.equilibrium_criticality import equilibrium_criticality

    _, router, od = setup
    eq = equilibrium_criticality(mini_inputs, scope="countries").frame.set_index("id")
    aon = criticality(router, od, scope="countries", year=2024).frame.set_index("id")
    for code in ("KZ", "CN", "RU"):
        assert eq.at[code, "unrouted_teu_per_year"] == aon.at[code, "unrouted_teu_per_year"]
    idle = eq[eq["affected_teu_per_year"] == 0]
    assert (idle["delta_generalized_usd_per_year"] == 0).all() and (idle["iterations"] == 0).all()


def test_equilibrium_two_workers(mini_inputs) -> None:
    from corridor.freight.equilibrium_criticality import equilibrium_criticality

    serial = equilibrium_criticality(mini_inputs, scope="crossings", gap=1e-10)
    pooled = equilibrium_criticality(mini_inputs, scope="crossings", gap=1e-10, workers=2)
    assert pooled.backend == "process-pool"
    cols = ["id", "delta_generalized_usd_per_year", "unrouted_teu_per_year", "affected_teu_per_year"]
    pd.testing.assert_frame_equal(pooled.frame[cols], serial.frame[cols])


def test_cli_criticality_equilibrium() -> None:
    runner = CliRunner()
    args = ["criticality", "--equilibrium", "--scope", "crossings", "--top", "3", "-j", "1", "--data", str(MINI)]
    result = runner.invoke(app, args + ["--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["method"] == "equilibrium" and len(payload["ranking"]) == 3
    assert {"iterations", "gap", "unrouted_teu_per_year"} <= set(payload["ranking"][0])
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "iterations" in result.stdout and "user equilibrium" in result.stdout
    result = runner.invoke(app, args + ["--gap", "-1"])
    assert result.exit_code == 1
