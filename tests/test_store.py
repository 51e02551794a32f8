"""The run store: keys, one-transaction writes, reuse, listing and export."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from corridor.cli import app
from corridor.store import Run, RunStore, StoreError, code_version, default_store_path, run_key


def make_run(key: str, value: float = 1.0, kind: str = "summary") -> Run:
    return Run(key=key, kind=kind, scenario="base", scenario_key="abc", params={"discount": value},
               data_version="d1", code_version=code_version(), summary={"npv_usd": value},
               result={"years": [1, 2, 3], "nan": float("nan")}, seconds=0.5, sweep="s")


def test_key_is_deterministic_and_sensitive() -> None:
    k = run_key("economics", "abc", {"discount": 0.08, "growth": 0.03}, "d1")
    assert k == run_key("economics", "abc", {"growth": 0.03, "discount": 0.08}, "d1")
    assert k != run_key("economics", "abc", {"discount": 0.09, "growth": 0.03}, "d1")
    assert k != run_key("economics", "abd", {"discount": 0.08, "growth": 0.03}, "d1")
    assert k != run_key("economics", "abc", {"discount": 0.08, "growth": 0.03}, "d2")
    assert k != run_key("economics", "abc", {"discount": 0.08, "growth": 0.03}, "d1", code="other")
    assert code_version().startswith("0.")


def test_put_get_and_duplicates(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.duckdb")
    assert store.put(make_run("k1"))
    assert not store.put(make_run("k1", 2.0))  # the first one stays
    assert store.put(make_run("k2", 3.0, kind="economics"))
    assert len(store) == 2 and store.keys() == {"k1", "k2"} and "k1" in store
    run = store.get("k1")
    assert run.summary == {"npv_usd": 1.0} and run.params == {"discount": 1.0} and run.result["years"] == [1, 2, 3]
    assert store.frame(kind="economics")["key"].tolist() == ["k2"]
    with pytest.raises(StoreError, match="no run"):
        store.get("zzz")
    with pytest.raises(StoreError, match="several"):
        store.get("k")
    # a second handle on the same file sees the same runs
    assert RunStore(tmp_path / "runs.duckdb").keys() == {"k1", "k2"}


def test_export_parquet(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "runs.duckdb")
    for i in range(3):
        store.put(make_run(f"k{i}", float(i)))
    out = store.export_parquet(tmp_path / "runs.parquet")
    rows = duckdb.sql(f"SELECT key, summary FROM read_parquet('{out}') ORDER BY key").fetchall()
    assert len(rows) == 3 and json.loads(rows[2][1]) == {"npv_usd": 2.0}


def test_default_path_honours_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CORRIDOR_STORE", str(tmp_path / "x.duckdb"))
    assert default_store_path() == tmp_path / "x.duckdb"
    monkeypatch.delenv("CORRIDOR_STORE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert default_store_path() == tmp_path / "corridor" / "runs.duckdb"


def test_cli_runs(tmp_path: Path) -> None:
    path = tmp_path / "runs.duckdb"
    store = RunStore(path)
    store.put(make_run("abcdef123"))
    runner = CliRunner()
    result = runner.invoke(app, ["runs", "list", "--store", str(path), "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)[0]["key"] == "abcdef123"
    result = runner.invoke(app, ["runs", "show", "abcdef", "--store", str(path), "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["result"]["years"] == [1, 2, 3]
    result = runner.invoke(app, ["runs", "show", "nothere", "--store", str(path)])
    assert result.exit_code == 1 and "no run" in result.stderr
    result = runner.invoke(app, ["runs", "export", "--parquet", str(tmp_path / "o.parquet"), "--store", str(path)])
    assert result.exit_code == 0 and (tmp_path / "o.parquet").is_file()
