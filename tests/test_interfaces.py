"""The same question gets the same numbers from the CLI (``--json``) and the REST API, on the bundled dataset.

Both interfaces build their inputs with the one recipe (:func:`corridor.freight.inputs.freight_inputs`)
and share its defaults: cargo class and year are left unset on both sides here on purpose.
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.exceptions import StarletteDeprecationWarning
from typer.testing import CliRunner

from corridor.api import create_app
from corridor.cli import app as cli_app

with warnings.catch_warnings():  # starlette's TestClient asks for httpx2 instead of httpx
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

MINI = Path(__file__).parent / "data" / "mini"


@pytest.fixture(scope="module")
def api() -> Iterator[TestClient]:
    with TestClient(create_app(warm_shapes=False, freeze_gc=False)) as client:
        yield client


def cli(*args: str) -> Any:
    """What ``corridor ARGS --json`` prints, parsed."""
    result = CliRunner().invoke(cli_app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def job_result(api: TestClient, path: str, params: dict[str, Any], seconds: float = 60) -> dict[str, Any]:
    """Submit a job, poll it until it is over, return its result."""
    job = ok(api.post(path, json=params), 202)
    deadline = time.time() + seconds
    while job["status"] in ("queued", "running"):
        assert time.time() < deadline, f"job still {job['status']}: {job['message']}"
        time.sleep(0.05)
        job = ok(api.get(f"/api/jobs/{job['id']}"))
    assert job["status"] == "done", job
    return ok(api.get(job["result_url"]))


def test_route(api: TestClient) -> None:
    by_cli = cli("route", "Xi'an", "Duisburg", "-k", "3", "--year", "2030")
    by_api = ok(api.get("/api/route", params={"origin": "Xi'an", "destination": "Duisburg", "alternatives": 3,
                                              "year": 2030}))
    assert len(by_cli["routes"]) == 3
    assert {k: by_api[k] for k in ("origin", "destination", "optimize")} == \
           {k: by_cli[k] for k in ("origin", "destination", "optimize")}
    # the API adds `reliability` and `geometry` (null unless asked for)
    assert [{k: v for k, v in r.items() if v is not None} for r in by_api["routes"]] == by_cli["routes"]


def test_compare_with_a_scenario(api: TestClient) -> None:
    [pair] = cli("compare", "base", "tripp", "--pair", "Baku", "Istanbul", "--no-map", "--samples", "0")["pairs"]
    body = ok(api.post("/api/compare", json={"origin": "Baku", "destination": "Istanbul", "base": {},
                                             "variant": {"scenario": "tripp"}}))
    assert (body["best_base"], body["best_variant"]) == (pair["base_corridor"], pair["scenario_corridor"])
    assert "TRIPP" in body["best_variant"] and "TRIPP" not in body["best_base"]
    for side, best in (("base", body["base"]["routes"][0]), ("scenario", body["variant"]["routes"][0])):
        assert best["total_days"] == round(pair[f"{side}_days"], 2)
        assert best["cost_usd_per_feu"] == round(pair[f"{side}_cost_usd_per_feu"], 2)
        assert best["co2_kg_per_feu"] == round(pair[f"{side}_co2_kg_per_feu"], 1)
    assert body["base"]["options"]["cargo"] == body["variant"]["options"]["cargo"] == "high_value"


def test_criticality_with_a_scenario(api: TestClient) -> None:
    by_cli = cli("criticality", "--scope", "countries", "--scenario", "tripp", "--top", "10", "-j", "1")
    by_api = job_result(api, "/api/criticality", {"scope": "countries", "scenario": "tripp", "top": 10})
    assert by_api["base_generalized_usd_per_year"] == by_cli["base_generalized_usd_per_year"]
    assert by_api["demand_teu_per_year"] == by_cli["demand_teu_per_year"]
    assert [r["id"] for r in by_api["ranking"]] == [r["id"] for r in by_cli["ranking"]]
    assert by_api["ranking"] == by_cli["ranking"]
    assert by_api["scenario"] == by_cli["scenario"] == "tripp"


def test_equilibrium_criticality_on_the_small_network() -> None:
    """Every link removed in turn and the equilibrium re-solved (a few links: the test network)."""
    by_cli = cli("criticality", "--equilibrium", "--scope", "links", "--top", "5", "-j", "1", "--data", str(MINI))
    with TestClient(create_app(data=MINI, warm_shapes=False, freeze_gc=False)) as mini:
        by_api = job_result(mini, "/api/criticality", {"scope": "links", "top": 5, "equilibrium": True})
    timings = ("seconds", "base_seconds", "resolve_seconds")
    assert by_api["method"] == by_cli["method"] == "equilibrium" and by_api["gap"] == by_cli["gap"] == 1e-6
    assert by_api["elements"] == by_cli["elements"] > 5 and by_api["ranking"][0]["iterations"] > 0
    assert ({k: v for k, v in by_api.items() if k not in (*timings, "ranking")}
            == {k: v for k, v in by_cli.items() if k not in (*timings, "ranking")})
    assert ([{k: v for k, v in r.items() if k != "seconds"} for r in by_api["ranking"]]
            == [{k: v for k, v in r.items() if k != "seconds"} for r in by_cli["ranking"]])


def test_assignment_with_a_scenario(api: TestClient) -> None:
    by_cli = cli("assign", "--scenario", "tripp")
    by_api = job_result(api, "/api/assignment", {"scenario": "tripp"})
    for key in ("year", "algorithm", "relative_gap", "iterations", "converged", "demand_teu_per_year", "corridors",
                "bottlenecks_by_vc"):
        assert by_api[key] == by_cli[key], key
    assert any(c["model_teu"] for c in by_api["corridors"])


@pytest.mark.parametrize("commodity, scenario", [("gas", "southern-gas-corridor-expansion"), ("oil", "cpc-outage")])
def test_energy_flows_and_compare(api: TestClient, commodity: str, scenario: str) -> None:
    """How much gas or oil reaches its markets, and what a scenario changes: the same from both."""
    drop = {"seconds"}
    mine = cli("energy", "flows", "-c", commodity, "--scenario", scenario)[commodity]
    theirs = ok(api.get("/api/energy/flows", params={"commodity": commodity, "scenario": scenario}))
    assert {k: v for k, v in mine.items() if k not in drop} == {k: v for k, v in theirs.items() if k not in drop}
    mine = cli("energy", "compare", "base", scenario, "-c", commodity)[commodity]
    theirs = ok(api.get("/api/energy/compare", params={"commodity": commodity, "scenario": scenario}))
    for key in ("delivered", "delivered_total", "binding", "markets", "assets"):
        assert json.loads(json.dumps(mine[key])) == json.loads(json.dumps(theirs[key])), key
