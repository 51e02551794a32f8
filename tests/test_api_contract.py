"""The REST API keeps the contract its OpenAPI document states, checked by schemathesis in process (ASGI)
on the bundled network: every phase it has (the schema's examples, coverage of its boundaries and
negations, fuzzing, and stateful call sequences through the jobs), every check (no 5xx, status codes,
content types and bodies as documented, invalid data refused, valid data accepted, `Allow` on 405,
a deleted job gone), with few examples and a fixed seed so that the run is short and repeatable.
"""

from __future__ import annotations

import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import settings
from starlette.exceptions import StarletteDeprecationWarning

from corridor.api import create_app

with warnings.catch_warnings():  # starlette's TestClient asks for httpx2 instead of httpx
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

#: examples per operation and phase (positive and negative), a fixed seed, no example database
CONFIG = {"seed": 20_251_129, "generation": {"max-examples": 8, "database": "none", "mode": "all"}}

# schemathesis builds one test per operation when the module is collected, so the app exists by then
# (its lazy `from_fixture` does not run on pytest 9.2); the run store goes to a directory of its own
STORE = tempfile.TemporaryDirectory(prefix="corridor-contract-")
# time limits long enough that a slow answer (20 alternatives with reliability) is no 504; jobs short
app = create_app(warm_shapes=False, freeze_gc=False, timeout_s=120, job_workers=1, max_queued_jobs=2,
                 job_time_limit_s=2, store=Path(STORE.name) / "runs.duckdb")
schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=schemathesis.Config.from_dict(CONFIG))


@pytest.fixture(scope="module", autouse=True)
def stop_jobs() -> Iterator[None]:
    yield
    app.state.jobs.shutdown(wait=True)  # no job of this module computes on during the next ones


@pytest.fixture(scope="module")
def api() -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


def refused(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert isinstance(body["detail"], str) and isinstance(body["problems"], list), body
    return body


@pytest.mark.slow
@schema.parametrize()
def test_every_operation_keeps_its_contract(case: schemathesis.Case) -> None:
    case.call_and_validate()


@pytest.mark.slow
def test_call_sequences_keep_the_contract() -> None:
    schema.as_state_machine().run(settings=settings(max_examples=10, stateful_step_count=6, deadline=None,
                                                    database=None))


def test_document_tells_the_truth() -> None:
    """Errors are ErrorOut (FastAPI's 422 model, with `detail` a list, is gone), the limits are documented on
    every operation, the network's names are enums, and the map outlines say what they are served as."""
    doc = app.openapi()
    assert not {"HTTPValidationError", "ValidationError"} & set(doc["components"]["schemas"])
    error = {"$ref": "#/components/schemas/ErrorOut"}
    for path, item in doc["paths"].items():
        for method, op in item.items():
            for code in ("413", "414", "504", "422"):
                if code in op["responses"]:
                    assert op["responses"][code]["content"]["application/json"]["schema"] == error, (method, path)
            assert {"413", "414", "504"} <= set(op["responses"]), (method, path)
    body = doc["components"]["schemas"]["RouteRequest"]["properties"]
    assert "suez" in body["avoid_passages"]["items"]["enum"] and "RU" in body["avoid_countries"]["items"]["enum"]
    avoid = {p["name"]: p for p in doc["paths"]["/api/route"]["get"]["parameters"]}["avoid_passage"]
    assert avoid["schema"]["type"] == "array" and avoid["style"] == "form" and avoid["explode"] is False
    outlines = doc["paths"]["/api/basemap/countries.geojson"]["get"]["responses"]["200"]["content"]
    assert list(outlines) == ["application/geo+json"]


@pytest.mark.parametrize("given", [["SUEZ"], ["Suez", "suez"], [" suez "]])
def test_passages_in_any_case_are_the_network_s(api: TestClient, given: list[str]) -> None:
    body = api.post("/api/route", json={"origin": "Shanghai", "destination": "Rotterdam", "avoid_passages": given})
    assert body.status_code == 200, body.text
    assert body.json()["options"]["avoid_passages"] == ["suez"]
    assert all("Suez" not in r["corridor"] for r in body.json()["routes"])


def test_everyday_passage_names_are_the_sea_lanes(api: TestClient) -> None:
    body = api.get("/api/route", params={"origin": "Baku", "destination": "Poti", "avoid_passage": "cape,Hormuz"})
    assert body.status_code == 200, body.text
    assert body.json()["options"]["avoid_passages"] == ["south_africa", "ormuz"]


@pytest.mark.parametrize("given, suggested", [("seuz", "suez"), ("bosphorus", "bosporus"), ("panama", None)])
def test_unknown_passages_are_a_422_with_the_known_ones(api: TestClient, given: str, suggested: str | None) -> None:
    body = refused(api.post("/api/route", json={"origin": "Baku", "destination": "Poti",
                                                "avoid_passages": ["suez", given]}), 422)
    assert body["problems"][0]["field"] == "body.avoid_passages.1"
    assert repr(given) in body["detail"] and "babalmandab, bosporus" in body["detail"]
    assert (body["suggestions"][:1] == [suggested]) if suggested else True
    body = refused(api.post("/api/compare", json={"origin": "Baku", "destination": "Poti",
                                                  "variant": {"avoid_passages": [given]}}), 422)
    assert body["problems"][0]["field"] == "body.variant.avoid_passages.0"


@pytest.mark.parametrize("params, status", [
    ({"to": "ge, tr"}, 200), ({"to": "Europe"}, 200), ({"to": "europe,GE"}, 200),
    ({"commodity": "oil", "to": "all"}, 200),
    ({"to": "GE,XX"}, 404), ({"to": "0"}, 404), ({"commodity": "oil", "to": "europe"}, 404),
    ({"commodity": "coal"}, 422),
])
def test_energy_targets_are_markets_of_the_commodity(api: TestClient, params: dict[str, str], status: int) -> None:
    response = api.get("/api/energy/flows", params=params)
    assert response.status_code == status, response.text
    if status == 404:
        assert "market" in response.json()["detail"] and response.json()["suggestions"]
