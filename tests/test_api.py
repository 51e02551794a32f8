"""The REST API over real HTTP (uvicorn on loopback, httpx), on the small test network."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from typer.testing import CliRunner

from corridor.api import create_app
from corridor.api.jobs import JobKind, QueueFull
from corridor.api.models import CompareResponse, RouteResponse
from corridor.cli import app as cli_app
from corridor.freight.congestion import ALGORITHMS
from corridor.routing import MAX_ALTERNATIVES, Router
from corridor.store import Run, RunStore

MINI = Path(__file__).parent / "data" / "mini"


class Server:
    """A uvicorn server for one app in a background thread, on a free loopback port."""

    def __init__(self, app: Any) -> None:
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning",
                                                    lifespan="on"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.time() + 20
        while not self.server.started:
            if time.time() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def app() -> Any:
    return create_app(data=MINI, warm_shapes=False, job_workers=1, max_queued_jobs=2)


@pytest.fixture(scope="module")
def client(app: Any) -> Iterator[httpx.Client]:
    with Server(app) as url, httpx.Client(base_url=url, timeout=20) as c:
        yield c


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def error(response: httpx.Response, status: int) -> dict[str, Any]:
    """A refused request: the expected 4xx, JSON with a readable `detail`."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and len(body["detail"]) > 10
    return body


# -- about, places ------------------------------------------------------------------------
def test_capabilities_say_what_exists(client: httpx.Client) -> None:
    caps = ok(client.get("/api/capabilities"))
    assert caps["features"]["routing"]["available"] is True
    assert caps["places"] == 11 and caps["links"] == 12
    for name, feature in caps["features"].items():
        assert feature["available"] or feature["reason"], name
    for name in ("scenarios", "reliability", "assignment", "criticality", "demand", "store"):
        assert caps["features"][name] == {"available": True, "reason": ""}
    assert caps["limits"]["max_alternatives"] == MAX_ALTERNATIVES  # one limit for the CLI and the API
    assert set(caps["job_kinds"]) >= {"criticality", "assignment"}


def test_openapi_and_docs(client: httpx.Client) -> None:
    spec = ok(client.get("/openapi.json"))
    assert {"/api/route", "/api/compare", "/api/places", "/api/jobs/{job_id}"} <= set(spec["paths"])
    assert client.get("/docs").status_code == 200


def test_places_search_ranks_prefixes_first(client: httpx.Client) -> None:
    found = ok(client.get("/api/places", params={"q": "a"}))["places"]
    assert {p["id"] for p in found} >= {"KZ-AKTAU", "AZ-ALAT"}
    assert ok(client.get("/api/places", params={"q": "Ak"}))["places"][0]["id"] == "KZ-AKTAU"
    assert ok(client.get("/api/places", params={"q": "alyat"}))["places"][0]["id"] == "AZ-ALAT"
    assert ok(client.get("/api/places", params={"q": ""}))["count"] == 11
    assert ok(client.get("/api/places", params={"q": "", "limit": 3}))["count"] == 3


def test_place_by_alias_and_unknown_place(client: httpx.Client) -> None:
    assert ok(client.get("/api/places/Constanta"))["id"] == "RO-CONSTANTA"
    body = error(client.get("/api/places/Xiann"), 404)
    assert "Xi'an (CN-XIAN)" in body["suggestions"]


# -- routes -------------------------------------------------------------------------------
def test_route_matches_the_router(client: httpx.Client, mini_router: Router) -> None:
    body = ok(client.get("/api/route", params={"origin": "Xian", "destination": "Duisburg", "optimize": "time",
                                               "alternatives": 3, "year": 2026}))
    expected = mini_router.route("Xian", "Duisburg", optimize="time", alternatives=3, year=2026)
    assert [r["corridor"] for r in body["routes"]] == [r.corridor for r in expected]
    assert body["routes"][0]["total_hours"] == expected[0].to_dict()["total_hours"]
    assert body["routes"][0]["legs"] == expected[0].to_dict()["legs"]
    assert body["origin"] == "CN-XIAN" and body["options"]["year"] == 2026


def test_cli_json_is_the_api_model() -> None:
    result = CliRunner().invoke(cli_app, ["route", "Xian", "Duisburg", "-k", "2", "--json", "--data", str(MINI)])
    assert result.exit_code == 0, result.output
    parsed = RouteResponse.model_validate(json.loads(result.output))
    assert len(parsed.routes) == 2


def test_post_equals_get_and_constraints_apply(client: httpx.Client) -> None:
    params = {"origin": "Xi'an", "destination": "Duisburg", "alternatives": 3, "avoid": "RU", "year": 2026}
    got = ok(client.get("/api/route", params=params))
    posted = ok(client.post("/api/route", json={"origin": "Xi'an", "destination": "Duisburg", "alternatives": 3,
                                                "avoid_countries": ["RU"], "year": 2026}))
    assert got["routes"] == posted["routes"]
    assert all("RU" not in r["countries"] for r in got["routes"])
    via = ok(client.post("/api/route", json={"origin": "Xian", "destination": "Duisburg", "via": "Poti"}))
    assert any(leg["to"] == "GE-POTI" for leg in via["routes"][0]["legs"])
    assert via["options"]["via"] == "GE-POTI"


def test_route_geometry_is_geojson_by_mode(client: httpx.Client) -> None:
    body = ok(client.post("/api/route", json={"origin": "Xian", "destination": "Duisburg", "via": "Poti",
                                              "geometry": True}))
    features = body["routes"][0]["geometry"]["features"]
    lines = [f for f in features if f["geometry"]["type"] == "LineString"]
    assert {f["properties"]["mode"] for f in lines} >= {"rail", "ferry", "sea"}
    sea = next(f for f in lines if f["properties"]["mode"] == "sea")
    assert len(sea["geometry"]["coordinates"]) > 2  # along the sea lane, not a straight line
    assert sea["geometry"]["coordinates"][0] == [41.67, 42.15]  # starts at Poti


def test_compare_years_shows_what_tripp_changes(client: httpx.Client) -> None:
    body = ok(client.post("/api/compare", json={
        "origin": "Alat", "destination": "Nakhchivan", "base": {"year": 2026, "optimize": "time"},
        "variant": {"year": 2030, "optimize": "time"}, "geometry": True}))
    CompareResponse.model_validate(body)
    assert "TRIPP" in body["best_variant"] and "TRIPP" not in body["best_base"]
    assert "changes from" in body["summary"]
    assert any(c["change"] == "new" and "TRIPP" in c["corridor"] for c in body["changes"])


def test_reliability_adds_p50_p90_and_a_histogram(client: httpx.Client) -> None:
    body = ok(client.post("/api/route", json={"origin": "Xian", "destination": "Duisburg", "alternatives": 2,
                                              "reliability": True, "samples": 2000}))
    for r in body["routes"]:
        rel = r["reliability"]
        assert rel["p10_days"] <= rel["p50_days"] <= rel["p90_days"] <= rel["p95_days"]
        assert sum(rel["histogram"]["shares"]) == pytest.approx(1, abs=0.01)


def test_scenarios_by_name_only(client: httpx.Client) -> None:
    names = [s["name"] for s in ok(client.get("/api/scenarios"))["scenarios"]]
    assert names
    for bad in ("../../../etc/passwd", "/etc/passwd", str(MINI / "places.csv")):
        body = error(client.post("/api/route", json={"origin": "Xian", "destination": "Duisburg", "scenario": bad}), 404)
        assert "Unknown scenario" in body["detail"]
    error(client.get("/api/scenarios/no-such-thing"), 404)


# -- bad input ----------------------------------------------------------------------------
@pytest.mark.parametrize("params, status, words", [
    ({"origin": "Atlantis", "destination": "Duisburg"}, 404, "Unknown place"),
    ({"origin": "Xian", "destination": "Xian"}, 422, "same place"),
    ({"origin": "Xian", "destination": "Duisburg", "alternatives": 1000}, 422, "alternatives"),
    ({"origin": "Xian", "destination": "Duisburg", "alternatives": -1}, 422, "alternatives"),
    ({"origin": "Xian", "destination": "Duisburg", "year": 99999}, 422, "year"),
    ({"origin": "Xian", "destination": "Duisburg", "year": "soon"}, 422, "year"),
    ({"origin": "Xian", "destination": "Duisburg", "optimize": "speed"}, 422, "optimize"),
    ({"origin": "Xian", "destination": "Duisburg", "avoid": "ZZ"}, 422, "ZZ"),
    ({"origin": "Xian", "destination": "Duisburg", "avoid_mode": "teleport"}, 422, "avoid_mode"),
    ({"origin": "Xian", "destination": "Duisburg", "cargo": "plutonium"}, 422, "cargo"),
    ({"origin": "Xian", "destination": "Duisburg", "avoid": ",".join(["RU"] * 100)}, 422, "avoid"),
    ({"origin": "Xian", "destination": "Duisburg", "avoid_mode": "rail,road,ferry,sea"}, 404, "no route"),
    ({"origin": "Xian"}, 422, "destination"),
    ({"origin": "x" * 500, "destination": "Duisburg"}, 422, "origin"),
])
def test_bad_route_queries_get_a_clear_4xx(client: httpx.Client, params: dict, status: int, words: str) -> None:
    body = error(client.get("/api/route", params=params), status)
    assert words.lower() in json.dumps(body).lower()


def test_malformed_and_wrong_bodies(client: httpx.Client) -> None:
    headers = {"content-type": "application/json"}
    body = error(client.post("/api/route", content=b'{"origin": "Xian", ', headers=headers), 422)
    assert "not valid JSON" in body["detail"]
    error(client.post("/api/route", content=b"[1, 2, 3]", headers=headers), 422)
    error(client.post("/api/route", content="\udcff".encode("utf-8", "surrogatepass"), headers=headers), 422)
    body = error(client.post("/api/route", json={"origin": "Xian", "destination": "Duisburg", "alternativs": 3}), 422)
    assert "alternativs" in body["detail"]
    error(client.post("/api/compare", json={"origin": "Xian", "destination": "Duisburg"}), 422)
    body = error(client.post("/api/route", json={"origin": "Xian", "destination": "Duisburg",
                                                 "avoid_countries": ["RU"] * 10_000}), 422)
    assert "at most 40" in body["detail"]


LONE = b'"\\ud800"'  # JSON's spelling of a lone UTF-16 surrogate: no text, and no UTF-8 to send back


@pytest.mark.parametrize("path, body", [
    ("/api/route", b'{"origin": "Baku", "destination": "Poti", "avoid_countries": [%s]}' % LONE),
    ("/api/route", b'{"origin": "Baku", "destination": "Poti", "avoid_passages": [%s]}' % LONE),
    ("/api/route", b'{"origin": %s, "destination": "Poti"}' % LONE),
    ("/api/compare", b'{"origin": "Baku", "destination": "Poti", "variant": {"avoid_countries": [%s]}}' % LONE),
    ("/api/compare", b'{"origin": "Baku", "destination": "Poti", "variant": {"cargo": %s}}' % LONE),
    ("/api/criticality", b'{"scenario": %s}' % LONE),
    ("/api/assignment", b'{"cargo": %s}' % LONE),
])
def test_lone_surrogates_are_a_422_naming_the_field(client: httpx.Client, path: str, body: bytes) -> None:
    found = error(client.post(path, content=body, headers={"content-type": "application/json"}), 422)
    assert "surrogate" in found["detail"] and found["problems"][0]["field"].startswith("body.")


def test_bodies_that_are_not_utf8_are_a_422_not_a_400(client: httpx.Client) -> None:
    for path in ("/api/route", "/api/criticality", "/api/compare"):
        body = error(client.post(path, content=b"\xd5xr\x95\xc0gf", headers={"content-type": "application/json"}), 422)
        assert "not UTF-8" in body["detail"]


@pytest.mark.parametrize("options, echoed", [
    ({"avoid_countries": ["ru", " Am "]}, {"avoid_countries": ["RU", "AM"]}),
    ({"avoid_countries": ["Russia", "RU"]}, {"avoid_countries": ["RU"]}),
    ({"cargo": "High_Value"}, {"cargo": "high_value"}),
])
def test_names_are_matched_in_any_case_and_answered_canonical(client: httpx.Client, options: dict,
                                                               echoed: dict) -> None:
    body = ok(client.post("/api/route", json={"origin": "Xian", "destination": "Duisburg", "year": 2026, **options}))
    assert {k: body["options"][k] for k in echoed} == echoed


@pytest.mark.parametrize("options, field, known", [
    ({"avoid_countries": ["RU", "XX"]}, "body.avoid_countries.1", "RU"),
    ({"avoid_countries": ["US"]}, "body.avoid_countries.0", "RU"),  # a real code, but none of the network's
    ({"avoid_passages": ["suez"]}, "body.avoid_passages.0", "no sea passages"),  # the mini network has none
    ({"cargo": "plutonium"}, "body.cargo", "high_value"),
])
def test_unknown_names_are_a_422_naming_field_value_and_known_names(client: httpx.Client, options: dict,
                                                                    field: str, known: str) -> None:
    body = error(client.post("/api/route", json={"origin": "Xian", "destination": "Duisburg", **options}), 422)
    (value,) = [v for v in (options.get("avoid_countries", [])[-1:] + options.get("avoid_passages", [])
                            + [options.get("cargo")]) if v]
    assert body["problems"][0]["field"] == field and repr(value) in body["detail"] and known in body["detail"]


def test_unknown_names_in_the_query_and_in_compare_name_their_field(client: httpx.Client) -> None:
    query = {"origin": "Xian", "destination": "Duisburg"}
    body = error(client.get("/api/route", params={**query, "avoid": "RU,Rusia"}), 422)
    assert body["problems"][0]["field"] == "query.avoid.1" and body["suggestions"][0] == "RU"
    body = error(client.get("/api/route", params={**query, "cargo": "generl"}), 422)
    assert body["problems"][0]["field"] == "query.cargo" and body["suggestions"] == ["general"]
    body = error(client.post("/api/compare", json={"origin": "Xian", "destination": "Duisburg",
                                                   "base": {"cargo": "bulky"}, "variant": {"avoid_countries": ["ZZ"]}}),
                 422)
    assert [p["field"] for p in body["problems"]] == ["body.base.cargo", "body.variant.avoid_countries.0"]
    assert "1 more problem" in body["detail"]


def test_a_job_that_could_never_run_is_refused_at_once() -> None:
    app = create_app(data=MINI, warm_shapes=False, job_workers=1, max_queued_jobs=8)
    with Server(app) as url, httpx.Client(base_url=url, timeout=20) as c:
        body = error(c.post("/api/assignment", json={"algorithm": "msa"}), 422)
        assert body["problems"][0]["field"] == "body.algorithm" and "'msa'" in body["detail"]
        body = error(c.post("/api/criticality", json={"cargo": "plutonium"}), 422)
        assert body["problems"][0]["field"] == "body.cargo"
        error(c.post("/api/assignment", json={"scenario": "no-such-scenario"}), 404)
        assert {"bfw", "cfw", "fw", "gp", "sue"} <= set(ALGORITHMS)
        for algorithm in ALGORITHMS:
            job = ok(c.post("/api/assignment", json={"algorithm": algorithm, "max_iter": 3, "top": 1}), 202)
            assert _wait(c, job["id"], seconds=60)["status"] == "done", algorithm


def test_405_allows_every_method_of_the_path(client: httpx.Client) -> None:
    for method, path, allowed in (("OPTIONS", "/api/route", "GET, POST"), ("DELETE", "/api/route", "GET, POST"),
                                  ("POST", "/api/jobs/abc", "DELETE, GET"), ("PUT", "/api/health", "GET")):
        response = client.request(method, path)
        assert response.status_code == 405 and response.headers["allow"] == allowed, (method, path)
        assert allowed in error(response, 405)["detail"]


def test_huge_bodies_are_refused_before_reading(client: httpx.Client) -> None:
    big = b'{"origin": "' + b"x" * 200_000 + b'"}'
    body = error(client.post("/api/route", content=big, headers={"content-type": "application/json"}), 413)
    assert "limit" in body["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds while the body streams in
        yield b'{"origin": "'
        for _ in range(100):
            yield b"x" * 10_000
        yield b'"}'

    error(client.post("/api/route", content=chunks(), headers={"content-type": "application/json"}), 413)


def test_long_urls_and_unknown_endpoints(client: httpx.Client) -> None:
    error(client.get("/api/route", params={"origin": "x" * 20_000, "destination": "y"}), 414)
    body = error(client.get("/api/nothing-here"), 404)
    assert "/docs" in body["detail"]
    assert client.delete("/api/route").status_code == 405


def test_slow_requests_time_out_with_504() -> None:
    app = create_app(data=MINI, warm_shapes=False, timeout_s=0.3)

    def slow(req: Any) -> bytes:
        time.sleep(2)
        return b"{}"

    app.state.service.route_json = slow
    with Server(app) as url, httpx.Client(base_url=url, timeout=10) as c:
        start = time.perf_counter()
        body = error(c.get("/api/route", params={"origin": "Xian", "destination": "Duisburg"}), 504)
        assert time.perf_counter() - start < 1.5
        assert "limit" in body["detail"]
        assert c.get("/api/health").status_code == 200


# -- jobs ---------------------------------------------------------------------------------
def _wait(client: httpx.Client, job_id: str, until: tuple[str, ...] = ("done", "failed", "cancelled", "timeout"),
          seconds: float = 10) -> dict[str, Any]:
    deadline = time.time() + seconds
    while time.time() < deadline:
        job = ok(client.get(f"/api/jobs/{job_id}"))
        if job["status"] in until:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} still {job['status']}")


def test_job_progress_cancel_timeout_and_bounded_queue(client: httpx.Client, app: Any) -> None:
    from pydantic import BaseModel

    class Params(BaseModel):
        steps: int = 40

    def work(params: Params, progress: Any) -> dict:
        for i in range(params.steps):
            progress(i / params.steps, f"step {i}")
            time.sleep(0.05)
        return {"steps": params.steps}

    jobs = app.state.jobs
    jobs.register(JobKind("test-sleep", Params, work, time_limit_s=0.6))
    # runs in the background: the server answers meanwhile
    first = jobs.submit("test-sleep", Params(steps=4))
    assert ok(client.get("/api/health"))["status"] == "ok"
    done = _wait(client, first.id)
    assert done["status"] == "done" and done["progress"] == 1
    assert ok(client.get(done["result_url"])) == {"steps": 4}
    # time limit
    slow = jobs.submit("test-sleep", Params(steps=100))
    _wait(client, slow.id, ("running",))
    assert error(client.get(f"/api/jobs/{slow.id}/result"), 409)
    timed_out = _wait(client, slow.id)
    assert timed_out["status"] == "timeout" and "time limit" in timed_out["error"]
    # cancel, and the queue bound (one worker, two waiting)
    running = jobs.submit("test-sleep", Params(steps=100))
    _wait(client, running.id, ("running",))
    waiting = [jobs.submit("test-sleep", Params(steps=1)) for _ in range(2)]
    with pytest.raises(QueueFull):
        jobs.submit("test-sleep", Params(steps=1))
    assert ok(client.delete(f"/api/jobs/{running.id}"))["status"] == "cancelled"
    error(client.get(f"/api/jobs/{running.id}"), 404)  # deleted: cancelled and gone
    for job in waiting:
        assert _wait(client, job.id)["status"] == "done"
    listing = ok(client.get("/api/jobs"))
    assert listing["workers"] == 1 and listing["max_queued"] == 2
    error(client.get("/api/jobs/does-not-exist"), 404)


def test_criticality_job_over_http(client: httpx.Client) -> None:
    job = ok(client.post("/api/criticality", json={"scope": "links", "top": 5}), 202)
    done = _wait(client, job["id"], seconds=20)
    assert done["status"] == "done", done
    result = ok(client.get(done["result_url"]))
    assert len(result["ranking"]) == 5 and result["ranking"][0]["rank"] == 1
    error(client.post("/api/criticality", json={"scope": "galaxies"}), 422)


def test_assignment_job_gives_volume_over_capacity(client: httpx.Client) -> None:
    job = ok(client.post("/api/assignment", json={"max_iter": 50}), 202)
    done = _wait(client, job["id"], seconds=20)
    assert done["status"] == "done", done
    result = ok(client.get(done["result_url"]))
    assert result["links"] and all(set(x) == {"link", "volume_teu", "vc"} for x in result["links"])


# -- map data and the web page ------------------------------------------------------------
def test_basemap_is_local(client: httpx.Client) -> None:
    style = ok(client.get("/api/basemap/style.json"))
    text = json.dumps(style)
    assert "glyphs" not in style and "sprite" not in style
    assert text.count("http") == 1 and str(client.base_url.host) in text
    countries = ok(client.get(style["sources"]["countries"]["data"]))
    assert len(countries["features"]) > 200
    network = ok(client.get("/api/network"))
    assert len(network["features"]) == 12


def test_home_page_or_a_clear_message_when_unbuilt(tmp_path: Path) -> None:
    app = create_app(data=MINI, warm_shapes=False, web_dir=tmp_path)
    with Server(app) as url:
        body = error(httpx.get(url + "/"), 503)
        assert "make web" in body["detail"]
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>corridor</title>")
    (tmp_path / "assets" / "main.js").write_text("console.log(1)")
    app = create_app(data=MINI, warm_shapes=False, web_dir=tmp_path)
    with Server(app) as url:
        assert "corridor" in httpx.get(url + "/").text
        assert httpx.get(url + "/assets/main.js").status_code == 200
        assert httpx.get(url + "/assets/../../etc/passwd").status_code == 404


def test_run_store_is_read_only_and_by_key(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.duckdb")
    run = Run(key="abc123def456", kind="route", scenario="base", scenario_key="0", params={"k": 1},
                             data_version="test", code_version="test", summary={"days": 12.5}, result={"ok": True})
    store.put(run)
    app = create_app(data=MINI, warm_shapes=False, store=tmp_path / "runs.duckdb")
    with Server(app) as url, httpx.Client(base_url=url) as c:
        listing = ok(c.get("/api/runs"))
        assert listing["count"] == 1 and listing["runs"][0]["key"] == "abc123def456"
        assert ok(c.get("/api/runs/abc123"))["result"] == {"ok": True}
        error(c.get("/api/runs/ffff"), 404)
        assert c.get("/api/runs/..%2F..%2Fetc").status_code in (404, 422)
        error(c.get("/api/runs/%25"), 422)


@pytest.mark.parametrize("extra", [{}, {"geometry": True}, {"reliability": True, "samples": 200}])
def test_route_answer_is_the_model_and_cached_bytes_repeat(client: httpx.Client, extra: dict) -> None:
    params = {"origin": "Xian", "destination": "Duisburg", "alternatives": 2, **extra}
    first, again = client.get("/api/route", params=params), client.get("/api/route", params=params)
    assert first.status_code == again.status_code == 200
    assert first.headers["content-type"] == "application/json" and first.content == again.content
    # written without the model (but for reliability), byte for byte what the model writes
    assert first.content == RouteResponse.model_validate_json(first.content).model_dump_json(by_alias=True).encode()
