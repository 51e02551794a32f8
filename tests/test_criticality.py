"""Criticality: the incremental re-solve equals a full recompute; scopes; parallel; the command."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
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
