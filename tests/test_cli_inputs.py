"""Bad options get one clear error from the CLI (exit 1, no traceback), never a silently wrong answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from corridor.cli import app

MINI = Path(__file__).parent / "data" / "mini"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout + result.stderr


@pytest.mark.parametrize("args, message", [
    (("route", "Xian", "Duisburg", "--avoid-passage", "seuz"), "unknown sea passage 'seuz'; known: none"),
    (("route", "Xian", "Duisburg", "--avoid", "Narnia"), "ISO 3166-1"),
    (("route", "Xian", "Duisburg", "--year", "1900"), "year must be a whole number from 1990 to 2100"),
    (("route", "Xian", "Duisburg", "--month", "13"), "--month must be 1"),
    (("economics", "--links", ""), "links: name a link group"),
    (("economics", "--links", "TRIPP", "--growth", "-2"), "traffic growth per year"),
    (("economics", "--links", "TRIPP", "--growth", "inf"), "must be a finite number"),
    (("economics", "--links", "TRIPP", "--start-year", "-5"), "start year must be"),
    (("economics", "--links", "TRIPP", "--capex", "-1"), "capex (US$) must be"),
    (("economics", "--links", "TRIPP", "--years", "1000000"), "years must be a whole number from 1 to 200"),
    (("criticality", "--top", "-1"), "--top must be"),
    (("criticality", "-j", "1000"), "--workers must be"),
    (("compare", "base", "tripp", "--pair", "Baku", "Poti", "--samples", "-1"), "--samples must be"),
])
def test_bad_options_are_refused(args: tuple[str, ...], message: str) -> None:
    code, out = run(*args, "--data", str(MINI))
    assert code == 1 and message in out and "Traceback" not in out, out


def test_compare_out_and_pairs_files(tmp_path: Path) -> None:
    file = tmp_path / "a-file"
    file.write_text("x", encoding="utf-8")
    code, out = run("compare", "base", "base", "--pair", "Xian", "Aktau", "--out", str(file), "--data", str(MINI))
    assert code == 1 and "is a file" in out
    empty = tmp_path / "empty.csv"
    empty.write_text("origin,destination\n", encoding="utf-8")
    code, out = run("compare", "base", "base", "--pairs", str(empty), "--data", str(MINI))
    assert code == 1 and "no pair" in out
    utf16 = tmp_path / "utf16.csv"
    utf16.write_text("origin,destination\nXian,Aktau\n", encoding="utf-16")
    code, out = run("compare", "base", "base", "--pairs", str(utf16), "--data", str(MINI))
    assert code == 1 and "UTF-8" in out and "Traceback" not in out


def test_passage_suggestions_on_the_bundled_network() -> None:
    code, out = run("route", "Shanghai", "Rotterdam", "--avoid-passage", "seuz")
    assert code == 1 and "did you mean suez?" in out
    code, out = run("route", "Shanghai", "Rotterdam", "--avoid-passage", "SUEZ,cape", "--json")
    corridor = json.loads(out)["routes"][0]["corridor"]
    assert code == 0 and "Suez" not in corridor and "Cape" not in corridor, corridor


@pytest.mark.parametrize("spec, message", [
    ("analysis: economics\nfixed: {links: TRIPP, years: 100000000}\n", "years must be a whole number from 1 to 200"),
    ("analysis: economics\nfixed: {links: TRIPP}\nparameters: {growth: [.inf]}\n", "must be a finite number"),
    ("analysis: summary\nscenarios: []\n", "non-empty list"),
    ("analysis: summary\nparameters: {year: [" + ",".join(["2026"] * 2000) + "], co2_price_usd_per_t: ["
     + ",".join(["1"] * 1001) + "]}\n", "2,002,000 runs"),
    ("analysis: criticality\nfixed: {top: -1}\n", "top must be"),
    ("a: &a [1, 2, 3]\nb: [*a, *a]\nanalysis: summary\n", "aliases"),
])
def test_bad_sweeps_are_refused_before_they_start(tmp_path: Path, spec: str, message: str) -> None:
    path = tmp_path / "sweep.yaml"
    path.write_text(spec, encoding="utf-8")
    code, out = run("sweep", str(path), "--store", str(tmp_path / "runs.duckdb"), "--data", str(MINI))
    assert code == 1 and message in out and "Traceback" not in out, out


@pytest.mark.parametrize("text, message", [
    ("a: &a ['lol', 'lol', 'lol']\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\noperations: []\n", "aliases (*a)"),
    ("name: deep\noperations:\n  - close: {link: X}\n    note: " + "[" * 10_000 + "]" * 10_000 + "\n", "nested more"),
])
def test_yaml_bombs_and_deep_nesting_are_refused_at_once(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bomb.yaml"
    path.write_text(text, encoding="utf-8")
    code, out = run("scenarios", str(path), "--data", str(MINI))
    assert code == 1 and message in out and "Traceback" not in out, out


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_scenario_figures_are_finite(tmp_path: Path, value: str) -> None:
    path = tmp_path / "nan.yaml"
    path.write_text(f"name: x\noperations:\n  - scale: {{mode: rail, speed_kmh: {value}}}\n    source: T-EST\n",
                    encoding="utf-8")
    code, out = run("scenarios", str(path), "--data", str(MINI))
    assert code == 1 and "must be a finite positive factor" in out, out


def test_energy_years_are_bounded() -> None:
    code, out = run("energy", "flows", "--year", "3000")
    assert code == 1 and "year must be a whole number from 1990 to 2100" in out


def test_criticality_year_and_an_unwritable_out(tmp_path: Path) -> None:
    code, out = run("criticality", "--year", "1900", "--data", str(MINI))
    assert code == 1 and "--year must be a whole number from 1990 to 2100" in out
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    code, out = run("compare", "base", "base", "--pair", "Xian", "Aktau", "--out", str(blocker / "maps"),
                    "--data", str(MINI))
    assert code == 1 and "cannot write the map" in out and "Traceback" not in out, out
