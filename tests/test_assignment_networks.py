"""Equilibrium on the TNTP benchmark networks against their best-known flows.

Data: ``../shared/data/tntp`` beside the repository, or ``CORRIDOR_TNTP_DIR``. SiouxFalls, Anaheim and
Barcelona run in CI (``slow``); Winnipeg and ChicagoSketch to a gap of 1e-6 take longer than the CI
budget and run only with ``CORRIDOR_FULL_TNTP=1``.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from corridor.assignment import assign
from corridor.formats.tntp import find_files, load_network, read_flow

REPO = Path(__file__).resolve().parents[1]
TNTP = Path(os.environ.get("CORRIDOR_TNTP_DIR", REPO.parent / "shared" / "data" / "tntp"))
needs_data = pytest.mark.skipif(not TNTP.is_dir(), reason=f"TNTP data not found at {TNTP} (set CORRIDOR_TNTP_DIR)")
full_only = pytest.mark.skipif(
    os.environ.get("CORRIDOR_FULL_TNTP") != "1",
    reason="to a gap of 1e-6 this network takes minutes; run with CORRIDOR_FULL_TNTP=1",
)


def l1_to_best_known(name: str, algorithm: str, gap: float, max_iter: int) -> tuple[float, float, int]:
    net, demand, raw = load_network(TNTP / name)
    best = read_flow(find_files(TNTP / name)["flow"]).aligned(raw)
    r = assign(net, demand, algorithm, gap=gap, max_iter=max_iter, progress=False)
    assert r.converged, f"{name}: gap {r.gap:.2e} after {r.iterations} iterations"
    return float(np.abs(r.flows - best).sum() / best.sum()), r.gap, r.iterations


@needs_data
@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    [
        "SiouxFalls",
        "Anaheim",
        "Barcelona",
        pytest.param("Winnipeg", marks=full_only),
        pytest.param("ChicagoSketch", marks=full_only),
    ],
)
def test_best_known_flows_at_1e6(name: str) -> None:
    l1, gap, _ = l1_to_best_known(name, "gp", 1e-6, 3000)
    assert gap <= 1e-6
    assert l1 <= 1e-3, f"{name}: L1 relative difference {l1:.2e}"


@needs_data
@pytest.mark.slow
@pytest.mark.parametrize("name", ["SiouxFalls", "Anaheim"])
def test_bfw_reaches_1e6_on_small_networks(name: str) -> None:
    l1, gap, _ = l1_to_best_known(name, "bfw", 1e-6, 20_000)
    assert l1 <= 1e-3, f"{name}: L1 relative difference {l1:.2e}"


@needs_data
@pytest.mark.parametrize("algorithm", ["fw", "cfw", "bfw", "gp"])
def test_siouxfalls_1e4_all_algorithms(algorithm: str) -> None:
    l1, gap, _ = l1_to_best_known("SiouxFalls", algorithm, 1e-4, 5000)
    assert gap <= 1e-4 and l1 <= 1e-2
