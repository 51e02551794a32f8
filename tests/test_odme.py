"""Matrix estimation from counts (Spiess 1990): a known matrix gives counts on a third of SiouxFalls' links,
a prior perturbed by ±30 % is adjusted until its equilibrium reproduces them; bad counts fail clearly and
counts the fit cannot reach are reported with why."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import numpy as np
import pytest

from corridor.assignment import CountError, DemandError, LinkNetwork, assign, estimate_matrix, leave_one_out
from corridor.assignment.odme import _Problem
from corridor.assignment.odme_inputs import Cells

REPO = Path(__file__).resolve().parents[1]
TNTP = Path(os.environ.get("CORRIDOR_TNTP_DIR", REPO.parent / "shared" / "data" / "tntp"))
needs_data = pytest.mark.skipif(not TNTP.is_dir(), reason=f"TNTP data not found at {TNTP} (set CORRIDOR_TNTP_DIR)")


@pytest.fixture(scope="module")
def sioux() -> tuple[LinkNetwork, np.ndarray, np.ndarray]:
    from corridor.formats.tntp import load_network

    net, true, _ = load_network(TNTP / "SiouxFalls")
    return net, true, assign(net, true, "bush", gap=1e-10).flows


def case(net: LinkNetwork, true: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Counted links (a third, fixed seed) and the prior: the true matrix, each cell × U(0.7, 1.3)."""
    rng = np.random.default_rng(seed)
    links = np.sort(rng.choice(net.num_links, net.num_links // 3, replace=False))
    return links, true * rng.uniform(0.7, 1.3, true.shape)


@needs_data
def test_recovers_counts_and_improves_uncounted_flows(sioux: tuple[LinkNetwork, np.ndarray, np.ndarray]) -> None:
    net, true, flows = sioux
    err_prior = err_fit = 0.0
    for seed in range(3):
        links, prior = case(net, true, seed)
        res = estimate_matrix(net, prior, (links, flows[links]))
        counted = res.counts
        assert list(counted.link) == list(links)
        assert (counted.difference_pct.abs() <= 1.0).all(), counted.sort_values("difference_pct").to_string()
        assert (counted.status == "fitted").all()
        assert res.rmse_pct < 0.5 < res.prior_rmse_pct
        assert res.history[0] == res.prior_rmse_pct and res.history[-1] == res.rmse_pct
        assert res.algorithm == "spiess" and res.iterations <= 100
        assert np.all(res.matrix[prior == 0] == 0) and (res.matrix >= 0).all()
        assert np.array_equal(np.diagonal(res.matrix), np.diagonal(prior))  # intrazonal trips load no link: kept
        other = np.setdiff1d(np.arange(net.num_links), links)
        prior_flows = assign(net, prior, "bush", gap=1e-8).flows
        err_prior += np.abs(prior_flows[other] - flows[other]).sum() / flows[other].sum()
        err_fit += np.abs(res.flows[other] - flows[other]).sum() / flows[other].sum()
    assert err_fit < err_prior, (err_fit / 3, err_prior / 3)


@needs_data
def test_bush_proportions_carry_the_flows_and_give_the_gradient(sioux: tuple[LinkNetwork, np.ndarray, np.ndarray]) -> None:
    """The split proportions reload the matrix onto the equilibrium flows, and the gradient is their adjoint:
    Σ_od δ_od Σ_a p_od^a w_a = Σ_a w_a Σ_od p_od^a δ_od for any δ."""
    net, true, flows = sioux
    links, prior = case(net, true, 0)
    p = _Problem(net, Cells.build(prior, net.num_zones, None, None), links, flows[links], 0.0, 1e-9, None)
    np.testing.assert_allclose(p.load(p.g), p.res.flows, rtol=1e-9, atol=1e-6)
    delta = np.random.default_rng(5).normal(size=p.g.size)
    np.testing.assert_allclose(p.gradient() @ delta, p.r @ p.load(delta)[links], rtol=1e-9)


@needs_data
def test_bounds_and_regularization_hold_the_matrix(sioux: tuple[LinkNetwork, np.ndarray, np.ndarray]) -> None:
    net, true, flows = sioux
    links, prior = case(net, true, 1)
    lower, upper = 0.9 * prior, 1.1 * prior
    res = estimate_matrix(net, prior, (links, flows[links]), lower=lower, upper=upper)
    assert (res.matrix >= lower - 1e-9).all() and (res.matrix <= upper + 1e-9).all()
    assert res.rmse_pct < res.prior_rmse_pct
    free = estimate_matrix(net, prior, (links, flows[links]))
    held = estimate_matrix(net, prior, (links, flows[links]), regularization=1.0)
    assert np.abs(held.matrix - prior).sum() < np.abs(free.matrix - prior).sum()
    with pytest.raises(DemandError, match="outside its bounds"):
        estimate_matrix(net, prior, (links, flows[links]), lower=1.2 * prior)


@needs_data
def test_l_bfgs_b_on_the_same_objective(sioux: tuple[LinkNetwork, np.ndarray, np.ndarray]) -> None:
    net, true, flows = sioux
    links, prior = case(net, true, 2)
    res = estimate_matrix(net, prior, (links, flows[links]), algorithm="l-bfgs-b", target_rmse_pct=1.0)
    assert res.algorithm == "l-bfgs-b" and res.converged
    assert res.rmse_pct <= 1.0 < res.prior_rmse_pct


@needs_data
def test_leave_one_out_predicts_each_count_unseen(sioux: tuple[LinkNetwork, np.ndarray, np.ndarray]) -> None:
    net, true, flows = sioux
    links, prior = case(net, true, 0)
    links = links[:6]
    cv = leave_one_out(net, prior, dict(zip(links.tolist(), flows[links])), max_iterations=30)
    t = cv.table
    assert list(t.link) == list(links) and np.isfinite(t.predicted).all()
    np.testing.assert_allclose(t.difference, t.predicted - t.observed)
    full = estimate_matrix(net, prior, (links, flows[links]), max_iterations=30)
    assert not np.allclose(t.predicted, full.counts.model)  # each prediction comes from a fit without its count
    assert cv.prior_rmse_pct == pytest.approx(full.prior_rmse_pct, rel=1e-3)


def two_routes() -> tuple[LinkNetwork, np.ndarray]:
    """Zones 0 and 1; link 0 (0→1) congests at capacity 10; links 1, 2 (0→2→1) take a constant 1.5 in all;
    link 3 (1→0); node 3 hangs off node 2 (link 4, 2→3) and node 4 leads to zone 1 from nowhere (link 5)."""
    net = LinkNetwork(num_nodes=5, num_zones=2, from_node=np.array([0, 0, 2, 1, 2, 4]),
                      to_node=np.array([1, 2, 1, 0, 3, 1]), capacity=np.array([10.0, 1, 1, 100, 1, 1]),
                      free_flow_time=np.array([1.0, 0.75, 0.75, 1.0, 1.0, 1.0]),
                      b=np.array([1.0, 0, 0, 0.15, 0, 0]), power=np.array([4.0, 0, 0, 4, 0, 0]))
    demand = np.array([[0.0, 5.0], [5.0, 0.0]])
    return net, demand


def test_bad_counts_are_named() -> None:
    net, demand = two_routes()
    with pytest.raises(CountError, match="unknown link 6"):
        estimate_matrix(net, demand, {6: 3.0})
    with pytest.raises(CountError, match="unknown link -1"):
        estimate_matrix(net, demand, {-1: 3.0})
    with pytest.raises(CountError, match="link 0 is -3.0"):
        estimate_matrix(net, demand, {0: -3.0})
    with pytest.raises(CountError, match="link 3 is nan"):
        estimate_matrix(net, demand, {0: 1.0, 3: float("nan")})
    with pytest.raises(CountError, match="link 0 is counted 2 times"):
        estimate_matrix(net, demand, ([0, 0], [1.0, 2.0]))
    with pytest.raises(CountError, match="no counts"):
        estimate_matrix(net, demand, {})


def test_counts_no_route_can_carry_fail_with_why() -> None:
    net, demand = two_routes()
    with pytest.raises(CountError) as err:
        estimate_matrix(net, demand, {0: 4.0, 4: 1.0, 5: 2.0})
    text = str(err.value)
    assert "link 4 (2→3, 0-based nodes): no destination with demand is reachable from its head" in text
    assert "link 5 (4→1, 0-based nodes): its tail is reachable from no origin with demand" in text
    one_way = np.array([[0.0, 5.0], [0.0, 0.0]])  # nobody travels 1 → 0, and no route passes through a zone
    with pytest.raises(CountError, match="link 3 .*reachable from no origin"):
        estimate_matrix(dataclasses.replace(net, first_thru_node=2), one_way, {3: 1.0})


def test_counts_the_fit_cannot_reach_say_why() -> None:
    net, demand = two_routes()
    res = estimate_matrix(net, demand, {0: 30.0, 3: 6.0})  # link 0 holds ~8.4 before route 0→2→1 is as cheap
    row = res.counts.set_index("link")
    assert row.loc[0, "status"] == "capacity" and "above the link's capacity 10" in row.loc[0, "reason"]
    assert row.loc[0, "model"] < 10 and row.loc[3, "status"] == "fitted"
    slow = LinkNetwork(num_nodes=3, num_zones=2, from_node=np.array([0, 0, 2, 1]), to_node=np.array([1, 2, 1, 0]),
                       capacity=np.array([100.0, 1, 1, 100]), free_flow_time=np.array([1.0, 5, 5, 1]),
                       b=np.array([0.15, 0, 0, 0.15]), power=np.array([4.0, 0, 0, 4]))
    res = estimate_matrix(slow, demand, {1: 3.0, 0: 4.0})
    row = res.counts.set_index("link")
    assert row.loc[1, "status"] == "unused" and row.loc[1, "model"] == 0 and "no equilibrium route" in row.loc[1, "reason"]
    assert row.loc[0, "status"] == "fitted"
    res = estimate_matrix(slow, demand, {0: 8.0}, upper=demand)
    assert res.counts.status[0] == "bounded" and "upper bound" in res.counts.reason[0]


def test_intrazonal_trips_are_kept() -> None:
    net, demand = two_routes()
    res = estimate_matrix(net, demand + np.diag([2.0, 0.0]), {3: 6.0}, progress=True)  # the bar renders too
    assert res.matrix[0, 0] == 2.0 and res.matrix[1, 0] == pytest.approx(6.0, rel=0.01)


def test_a_two_link_screenline_counts_the_sum_of_its_links() -> None:
    """Links 0 and 1 leave zone 0 on its two routes to zone 1: their sum is the whole 0 → 1 demand."""
    import scipy.sparse as sp

    net, demand = two_routes()
    res = estimate_matrix(net, demand, {(0, 1): 8.0, 3: 5.0})
    row = res.counts.iloc[0]
    assert row.link == (0, 1) and row.status == "fitted"
    assert row.model == pytest.approx(res.flows[0] + res.flows[1]) == pytest.approx(8.0, rel=0.01)
    assert res.matrix[0, 1] == pytest.approx(8.0, rel=0.01) and res.matrix[1, 0] == pytest.approx(5.0, rel=0.01)
    assert row.prior_model == pytest.approx(5.0, rel=1e-6)
    incidence = sp.csr_matrix(np.array([[1.0, 1, 0, 0, 0, 0], [0, 0, 0, 1, 0, 0]]))
    same = estimate_matrix(net, demand, (incidence, [8.0, 5.0]))
    np.testing.assert_allclose(same.matrix, res.matrix, rtol=1e-9)
    assert list(same.counts.link) == [(0, 1), 3]


def test_bad_screenlines_are_named() -> None:
    net, demand = two_routes()
    with pytest.raises(CountError, match="unknown link 9"):
        estimate_matrix(net, demand, {(0, 9): 3.0})
    with pytest.raises(CountError, match=r"screenline \(0, 0\): give each of its links once"):
        estimate_matrix(net, demand, {(0, 0): 3.0})
    with pytest.raises(CountError, match=r"links \(1, 0\) are counted twice"):
        estimate_matrix(net, demand, {(0, 1): 3.0, (1, 0): 4.0})
    with pytest.raises(CountError, match=r"count on links \(0, 1\) is -1.0"):
        estimate_matrix(net, demand, {(0, 1): -1.0})
    with pytest.raises(CountError, match=r"screenline of links \(4, 5\): link 4 .*; link 5 .*reachable from no origin"):
        estimate_matrix(net, demand, {(4, 5): 2.0, (0, 1): 5.0})  # the carriable screenline is not named
