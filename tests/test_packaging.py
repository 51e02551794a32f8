"""The wheel: ``python -m build`` of this tree carries the built web map and the dataset, and once installed
into a fresh venv (no Node, no source tree) ``corridor serve`` shows the map and answers the API.

The build is the real one (isolated, sdist then wheel, from a copy of the tree without its build leftovers).
Only corridor comes from the wheel: the fresh venv borrows this venv's installed dependencies through a
``.pth`` line, so nothing is downloaded but the build backend.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.request
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "src" / "corridor"

pytestmark = pytest.mark.slow


def run(*args: str | Path, cwd: Path | None = None) -> str:
    """Run a command; fail the test with its output if it fails."""
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{' '.join(map(str, args))} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel ``python -m build`` makes of this tree, as a clean clone would after ``make web``."""
    if not (PACKAGE / "web" / "static" / "index.html").is_file():
        pytest.fail("the web map is not built, so the wheel would have none: run `make web` first (make test does)")
    root = tmp_path_factory.mktemp("build")
    tree = root / "tree"
    # a stale egg-info's SOURCES.txt or build/lib would leak into the wheel: leave them out, as a clean clone does
    shutil.copytree(REPO, tree, ignore=shutil.ignore_patterns(".git", ".venv", "node_modules", "__pycache__",
                                                              "*.egg-info", "build", "dist"))
    run(sys.executable, "-m", "build", "--outdir", root / "dist", tree)
    (whl,) = (root / "dist").glob("*.whl")
    return whl


@pytest.fixture(scope="module")
def served(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``corridor serve`` from the wheel installed into a fresh venv, run outside the source tree."""
    home = tmp_path_factory.mktemp("installed")
    env_dir = home / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--no-compile", wheel)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(env_dir), "platbase": str(env_dir)}))
    # after the install, so pip never sees this venv's editable corridor; the wheel's comes first on sys.path
    borrowed = dict.fromkeys([sysconfig.get_path("purelib"), sysconfig.get_path("platlib")])
    (site / "borrowed-dependencies.pth").write_text("\n".join(borrowed) + "\n")
    origin = run(python, "-c", "import importlib.util; print(importlib.util.find_spec('corridor').origin)", cwd=home)
    assert Path(origin.strip()).is_relative_to(site), f"corridor is imported from {origin}, not from the wheel"

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [env_dir / "bin" / "corridor", "serve", "--port", str(port), "--log-level", "warning"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"CORRIDOR_STORE": str(home / "runs.duckdb")}
    log = home / "serve.log"
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=home, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                get(f"{url}/api/health")
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"corridor serve did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_wheel_carries_the_map_and_every_data_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    bundled = {f"corridor/{p.relative_to(PACKAGE).as_posix()}" for p in PACKAGE.rglob("*")
               if p.is_file() and p.suffix != ".py" and "__pycache__" not in p.parts and not p.name.startswith(".")}
    assert {"corridor/web/static/index.html", "corridor/web/static/assets/main.js",
            "corridor/data/concessions.csv", "corridor/data/geo/countries.geojson"} <= bundled
    missing = sorted(bundled - names)
    assert not missing, f"package-data (pyproject.toml) misses {missing}"


def test_installed_wheel_serves_the_map_and_the_api(served: str) -> None:
    status, html = get(f"{served}/")
    assets = re.findall(r'(?:src|href)="/?(assets/[^"]+)"', html)
    assert status == 200 and "<html" in html.lower()
    assert {"assets/main.js", "assets/main.css"} <= set(assets), assets
    for asset in assets:
        assert get(f"{served}/{asset}")[0] == 200, asset
    assert json.loads(get(f"{served}/api/health")[1]) == {"status": "ok"}
    scenarios = json.loads(get(f"{served}/api/scenarios")[1])["scenarios"]
    assert len(scenarios) == len(list((PACKAGE / "data" / "scenarios").glob("*.yaml")))
