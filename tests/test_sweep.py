"""Sweeps: the spec, reuse of stored runs, SIGKILL midway and resume, and a run on a local Ray cluster."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corridor.cli import app
from corridor.scenarios import ScenarioError
from corridor.store import RunStore
from corridor.sweep import load_sweep, run_sweep, tasks_for

MINI = Path(__file__).parent / "data" / "mini"
OPEN = "name: open-tripp\noperations:\n  - open: {group: TRIPP}\n    source: T-EST\n"
CORRIDOR = [sys.executable, "-c", "from corridor.cli import app; app()"]


def spec(tmp_path: Path, body: str, name: str = "sweep.yaml") -> Path:
    (tmp_path / "open-tripp.yaml").write_text(OPEN, encoding="utf-8")
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


ECONOMICS = """name: npv
analysis: economics
scenarios: [base, open-tripp.yaml]
parameters:
  discount: [0.05, 0.08]
  growth: [0.02, 0.03]
fixed: {links: TRIPP, start_year: 2030, years: 20}
"""


def test_spec_errors_name_file_and_line(tmp_path: Path) -> None:
    bad = spec(tmp_path, "analysis: economics\nscenarios: [base]\nparameters:\n  discont: [0.1]\nfixed: {links: TRIPP}\n")
    with pytest.raises(ScenarioError, match=rf"{bad}:3: unknown parameter 'discont'"):
        load_sweep(bad)
    bad = spec(tmp_path, "analysis: magic\n", "b.yaml")
    with pytest.raises(ScenarioError, match="b.yaml:1: unknown analysis 'magic'"):
        load_sweep(bad)
    bad = spec(tmp_path, "analysis: summary\nscenarios: [nope-nope]\n", "c.yaml")
    with pytest.raises(ScenarioError, match="c.yaml:2: .*nope-nope"):
        load_sweep(bad)
    bad = spec(tmp_path, "analysis: economics\nscenarios: [base]\n", "d.yaml")
    with pytest.raises(ScenarioError, match="needs `links`"):
        load_sweep(bad)


def test_grid_runs_once_then_is_reused(tmp_path: Path) -> None:
    s = load_sweep(spec(tmp_path, ECONOMICS))
    assert len(s) == 8
    store = RunStore(tmp_path / "runs.duckdb")
    first = run_sweep(s, data=MINI, store=store)
    assert first.computed == 8 and first.reused == 0 and len(store) == 8
    again = run_sweep(s, data=MINI, store=store)
    assert again.computed == 0 and again.reused == 8 and again.keys == first.keys
    frame = store.frame(sweep="npv")
    assert len(frame) == 8 and frame["kind"].eq("economics").all()
    npv = {json.dumps(json.loads(r.params), sort_keys=True) + r.scenario: json.loads(r.summary)["npv_usd"]
           for r in frame.itertuples()}
    assert len(set(npv.values())) > 1
    # the summary and criticality analyses
    crit = load_sweep(spec(tmp_path, "analysis: criticality\nscenarios: [base, open-tripp.yaml]\n"
                                     "parameters: {scope: [links, countries]}\nfixed: {year: 2026}\n", "c.yaml"))
    res = run_sweep(crit, data=MINI, store=store, workers=2)
    assert res.computed == 4
    top = store.get(res.keys[0]).result["ranking"][0]
    assert top["id"] == "R-XIAN-DOSTYK"


def test_sigkill_midway_then_resume(tmp_path: Path) -> None:
    body = ECONOMICS.replace("discount: [0.05, 0.08]", "discount: [" + ", ".join(f"0.{i:02d}" for i in range(1, 21)) + "]")
    path = spec(tmp_path, body)
    db = tmp_path / "runs.duckdb"
    total = len(load_sweep(path))
    assert total == 80
    proc = subprocess.Popen([*CORRIDOR, "sweep", str(path), "--data", str(MINI), "--store", str(db), "-j", "1", "-v"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seen = 0
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            seen += line.startswith("stored ")
            if seen >= 5:
                os.kill(proc.pid, signal.SIGKILL)  # midway: between, or during, the writes of runs
                break
    finally:
        proc.wait(timeout=30)
        if proc.stderr:
            proc.stderr.close()
    assert seen >= 5 and proc.returncode == -signal.SIGKILL
    store = RunStore(db)
    kept = store.frame(with_result=True)
    assert 5 <= len(kept) < total
    assert kept["key"].is_unique
    for result in kept["result"]:
        assert json.loads(result)["years"]  # every stored run is whole
    expected = {t.key for t in tasks_for(load_sweep(path), str(MINI.resolve()))}
    assert set(kept["key"]) <= expected
    resumed = run_sweep(load_sweep(path), data=MINI, store=store)
    assert resumed.reused == len(kept) and resumed.computed == total - len(kept)
    assert store.keys() == expected and len(store) == total


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(shutil.which("ray", path=str(Path(sys.executable).parent)) is None, reason="ray is not installed")
def test_sweep_on_a_local_ray_cluster(tmp_path: Path) -> None:
    """Start a Ray head node (``ray start --head --block``), sweep on it by address, stop it (SIGTERM)."""
    port = _free_port()
    temp = tempfile.mkdtemp(prefix="ray", dir="/tmp")  # short: Ray's socket paths must fit in 107 bytes
    ray = str(Path(sys.executable).parent / "ray")
    log = (tmp_path / "ray.log").open("w")
    # no token authentication (a token left in ~/.ray by another Ray session would not match this head)
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "disabled"}
    head = subprocess.Popen([ray, "start", "--head", "--block", f"--port={port}", "--num-cpus=2",
                             "--include-dashboard=false", "--disable-usage-stats", f"--temp-dir={temp}"],
                            stdout=log, stderr=subprocess.STDOUT, env=env)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert head.poll() is None, (tmp_path / "ray.log").read_text()
            time.sleep(0.2)
        address = f"127.0.0.1:{port}"
        path = spec(tmp_path, ECONOMICS)
        db = tmp_path / "runs.duckdb"
        out = subprocess.run([*CORRIDOR, "sweep", str(path), "--data", str(MINI), "--store", str(db), "--ray", address,
                              "--json"], check=False, capture_output=True, text=True, timeout=120, env=env)
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["computed"] == 8 and len(RunStore(db)) == 8
        # the same sweep locally reuses what Ray computed
        local = run_sweep(load_sweep(path), data=MINI, store=RunStore(db))
        assert local.reused == 8
    finally:
        head.send_signal(signal.SIGTERM)
        try:
            head.wait(timeout=30)
        except subprocess.TimeoutExpired:
            head.kill()
            head.wait()
        log.close()
        shutil.rmtree(temp, ignore_errors=True)


def test_cli_sweep(tmp_path: Path) -> None:
    path = spec(tmp_path, ECONOMICS)
    runner = CliRunner()
    db = tmp_path / "runs.duckdb"
    result = runner.invoke(app, ["sweep", str(path), "--data", str(MINI), "--store", str(db), "-j", "1", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["computed"] == 8
    result = runner.invoke(app, ["sweep", str(path), "--data", str(MINI), "--store", str(db), "-j", "1"])
    assert result.exit_code == 0 and "8 reused" in result.stdout
    bad = spec(tmp_path, "analysis: nope\n", "bad.yaml")
    result = runner.invoke(app, ["sweep", str(bad), "--store", str(db)])
    assert result.exit_code == 1 and "bad.yaml:1" in result.stderr


def test_energy_sweep_over_years(tmp_path: Path) -> None:
    # the bundled energy layer year by year: the Southern Gas Corridor expansions open on their dates
    s = load_sweep(spec(tmp_path, "name: gas-years\nanalysis: energy\nscenarios: [base, tcgp]\n"
                                  "parameters: {year: [2026, 2027, 2030]}\nfixed: {commodity: gas}\n", "e.yaml"))
    store = RunStore(tmp_path / "runs.duckdb")
    res = run_sweep(s, store=store)
    assert res.computed == 6
    frame = store.frame(sweep="gas-years")
    by = {(r.scenario, json.loads(r.params)["year"]): json.loads(r.summary)["delivered"] for r in frame.itertuples()}
    assert by[("base", 2026)] == pytest.approx(15.2, abs=0.05)  # TAP and Malkoçlar bind
    assert by[("base", 2027)] == pytest.approx(16.6, abs=0.05)  # TAP at 20 bcm/yr: SCP binds
    assert by[("base", 2030)] == pytest.approx(21.6, abs=0.05)  # SCP expanded, first Turkmen gas: SCP again
    assert by[("tcgp", 2026)] == pytest.approx(by[("base", 2026)])
    assert run_sweep(s, store=store).reused == 6
    bad = spec(tmp_path, "analysis: energy\nfixed: {commodity: coal}\n", "f.yaml")
    with pytest.raises(ScenarioError, match="f.yaml:2: unknown commodity 'coal'"):
        load_sweep(bad)
