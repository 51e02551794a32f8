"""Warm starts of the bush-based Algorithm B: re-solving after a small change from the previous bushes
gives the cold solution to the gap, in fewer iterations."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np
import pytest

from corridor.assignment import AssignmentError, LinkNetwork, assign

REPO = Path(__file__).resolve().parents[1]
TNTP = Path(os.environ.get("CORRIDOR_TNTP_DIR", REPO.parent / "shared" / "data" / "tntp"))
needs_data = pytest.mark.skipif(not TNTP.is_dir(), reason=f"TNTP data not found at {TNTP} (set CORRIDOR_TNTP_DIR)")
GAP = 1e-9


def grid_network(n: int = 6, zones: int = 6, seed: int = 3) -> tuple[LinkNetwork, np.ndarray]:
    """An ``n × n`` two-way grid with random BPR links; the first ``zones`` nodes are zones."""
    rng = np.random.default_rng(seed)
    fn, tn = [], []
    for v in range(n * n):
        r, c = divmod(v, n)
        if c + 1 < n:
            fn, tn = fn + [v, v + 1], tn + [v + 1, v]
        if r + 1 < n:
            fn, tn = fn + [v, v + n], tn + [v + n, v]
    m = len(fn)
    net = LinkNetwork(num_nodes=n * n, num_zones=zones, from_node=np.array(fn), to_node=np.array(tn),
                      capacity=rng.uniform(50, 200, m), free_flow_time=rng.uniform(1, 5, m))
    demand = rng.uniform(0, 120, (zones, zones))
    np.fill_diagonal(demand, 0)
    return net, demand


def l1(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a - b).sum() / b.sum())


def changed(net: LinkNetwork, demand: np.ndarray, link: int, change: str) -> tuple[LinkNetwork, np.ndarray]:
    """The small changes a warm start is for: ``link`` closed two ways or its capacity halved, demand scaled."""
    cap, fft, dem = net.capacity.copy(), net.free_flow_time.copy(), demand.copy()
    if change == "closed (capacity)":
        cap[link] = 1e-3
    elif change == "closed (free-flow time)":
        fft[link] = 1e6
    elif change == "capacity halved":
        cap[link] *= 0.5
    elif change == "demand cell scaled":
        o, d = np.unravel_index(np.argmax(dem), dem.shape)
        dem[o, d] *= 1.5
    return dataclasses.replace(net, capacity=cap, free_flow_time=fft), dem


@pytest.mark.parametrize("change", ["closed (capacity)", "closed (free-flow time)", "capacity halved",
                                    "demand cell scaled", "new origin"])
def test_warm_equals_cold_on_grid(change: str) -> None:
    net, demand = grid_network()
    before = demand.copy()
    if change == "new origin":  # an origin without demand before: its bush starts from scratch
        before[0, :] = 0.0
    base = assign(net, before, "bush", gap=GAP, progress=False)
    net2, dem2 = changed(net, demand, int(np.argmax(base.flows)), change)
    cold = assign(net2, dem2, "bush", gap=GAP, progress=False)
    warm = assign(net2, dem2, "bush", gap=GAP, progress=False, warm_start=base)
    assert cold.converged and warm.converged
    assert l1(warm.flows, cold.flows) < 1e-5, change
    np.testing.assert_allclose(warm.od_cost, cold.od_cost, rtol=1e-4)
    assert base.state is not None and warm.state is not base.state  # the earlier result is left alone


def test_warm_start_needs_a_bush_result() -> None:
    net, demand = grid_network()
    gp = assign(net, demand, "gp", gap=1e-4, progress=False)
    with pytest.raises(AssignmentError, match="warm_start"):
        assign(net, demand, "bush", warm_start=gp, progress=False)
    bush = assign(net, demand, "bush", gap=1e-4, progress=False)
    with pytest.raises(AssignmentError, match="warm_start"):
        assign(net, demand, "gp", warm_start=bush, progress=False)
    other, other_demand = grid_network(n=5, zones=5)
    with pytest.raises(AssignmentError, match="graph"):
        assign(other, other_demand, "bush", warm_start=bush, progress=False)


@needs_data
def test_warm_equals_cold_siouxfalls_link_closed() -> None:
    from corridor.formats.tntp import load_network

    net, demand, _ = load_network(TNTP / "SiouxFalls")
    base = assign(net, demand, "bush", gap=1e-10, progress=False)
    cap = net.capacity.copy()
    cap[int(np.argmax(base.flows))] = 1e-3
    closed = dataclasses.replace(net, capacity=cap)
    cold = assign(closed, demand, "bush", gap=1e-10, progress=False)
    warm = assign(closed, demand, "bush", gap=1e-10, progress=False, warm_start=base)
    assert warm.converged and warm.gap <= 1e-10
    assert l1(warm.flows, cold.flows) < 1e-6
    assert warm.iterations < cold.iterations


@needs_data
def test_warm_equals_cold_siouxfalls_link_tolled_shut() -> None:
    """A link closed as equilibrium criticality closes one (a prohibitive toll): the warm re-solve takes
    the flow off it within the criticality's warm budget, so it is never restarted cold, and it equals
    the cold solve."""
    from corridor.formats.tntp import load_network
    from corridor.freight.equilibrium_criticality import CLOSED_H, WARM_MAX_ITER

    net, demand, _ = load_network(TNTP / "SiouxFalls")
    net = dataclasses.replace(net, toll=np.zeros(net.num_links), toll_factor=1.0)
    base = assign(net, demand, "bush", gap=1e-8, progress=False)
    link = int(np.argmax(base.flows))
    toll = net.toll.copy()
    toll[link] = CLOSED_H
    closed = dataclasses.replace(net, toll=toll)
    cold = assign(closed, demand, "bush", gap=1e-8, progress=False)
    warm = assign(closed, demand, "bush", gap=1e-8, max_iter=WARM_MAX_ITER, progress=False, warm_start=base)
    assert warm.converged and warm.gap <= 1e-8
    assert base.flows[link] > 1e4 and warm.flows[link] < 1e-9 and cold.flows[link] < 1e-9
    assert l1(warm.flows, cold.flows) < 1e-5
    assert warm.iterations < cold.iterations
