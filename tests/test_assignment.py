"""Assignment engine unit tests: volume-delay functions, analytic equilibria, gap, conservation."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.sparse as sp

from corridor.assignment import (
    VDF,
    AssignmentError,
    DemandError,
    LinkNetwork,
    NetworkError,
    assign,
    check_options,
)
from corridor.assignment.vdf import LinkPerformance

UE_ALGOS = ["fw", "cfw", "bfw", "gp", "bush"]


def perf(kind: int) -> LinkPerformance:
    n = 6
    return LinkPerformance(
        fft=np.array([1.0, 2.0, 0.5, 3.0, 1.0, 2.0]),
        capacity=np.array([10.0, 5.0, 8.0, 100.0, 1.0, 3.0]),
        b=np.array([0.15, 1.0, 0.5, 2.0, 0.15, 0.3]),
        power=np.array([4.0, 2.0, 1.5, 4.0, 12.0, 3.0]) if kind == VDF.BPR else np.array([4.0, 2.0, 1.5, 10.0, 20.0, 3.0]),
        kind=np.full(n, kind, dtype=np.int8),
    )


@pytest.mark.parametrize("kind", [VDF.BPR, VDF.CONICAL])
def test_vdf_derivative_and_integral_match_numerics(kind: int) -> None:
    p = perf(kind)
    x = np.array([3.0, 7.5, 1.0, 50.0, 2.0, 4.0])
    h = 1e-6
    num_der = (p.time(x + h) - p.time(x - h)) / (2 * h)
    np.testing.assert_allclose(p.derivative(x), num_der, rtol=1e-6)
    grid = np.linspace(0.0, 1.0, 20001)[:, None] * x[None, :]
    times = np.array([p.time(row) for row in grid])
    trap = np.sum((times[1:] + times[:-1]) / 2 * np.diff(grid, axis=0), axis=0)
    np.testing.assert_allclose(p.integral(x), trap, rtol=1e-7)


def test_bpr_values_and_constant_links() -> None:
    p = LinkPerformance(np.array([2.0, 3.0, 4.0]), np.array([10.0, 1.0, 1.0]), np.array([0.15, 0.0, 0.5]),
                        np.array([4.0, 0.0, 0.0]))
    np.testing.assert_allclose(p.time(np.array([20.0, 5.0, 9.0])), [2 * (1 + 0.15 * 16), 3.0, 4 * 1.5])
    np.testing.assert_allclose(p.derivative(np.array([20.0, 5.0, 9.0])), [2 * 0.15 * 4 * 8 / 10, 0, 0])
    np.testing.assert_allclose(p.integral(np.array([10.0, 5.0, 2.0])), [2 * (10 + 0.15 * 10 / 5), 15.0, 12.0])


def test_conical_is_twice_free_flow_at_capacity() -> None:
    p = LinkPerformance(np.array([1.5]), np.array([100.0]), np.array([0.0]), np.array([8.0]),
                        np.array([VDF.CONICAL], dtype=np.int8))
    assert p.time(np.array([0.0]))[0] == pytest.approx(1.5)
    assert p.time(np.array([100.0]))[0] == pytest.approx(3.0)
    # linear growth well beyond capacity: slope tends to 2 alpha t0 / c
    slope = p.time(np.array([1e6 + 1]))[0] - p.time(np.array([1e6]))[0]
    assert slope == pytest.approx(2 * 8 * 1.5 / 100, rel=1e-6)


def pigou() -> tuple[LinkNetwork, np.ndarray]:
    """Two parallel links 0 -> 1: t1 = 1 + x/100 (BPR b=1, p=1, c=100), t2 = 2 (constant)."""
    net = LinkNetwork(num_nodes=2, num_zones=2, from_node=np.array([0, 0]), to_node=np.array([1, 1]),
                  capacity=np.array([100.0, 1.0]), free_flow_time=np.array([1.0, 2.0]),
                  b=np.array([1.0, 0.0]), power=np.array([1.0, 0.0]))
    return net, np.array([[0.0, 150.0], [0.0, 0.0]])


@pytest.mark.parametrize("algo", UE_ALGOS)
def test_pigou_parallel_links_equilibrium(algo: str) -> None:
    net, demand = pigou()
    r = assign(net, demand, algo, gap=1e-10, max_iter=500, progress=False)
    # equilibrium: 1 + x1/100 = 2 -> x1 = 100, x2 = 50
    np.testing.assert_allclose(r.flows, [100.0, 50.0], rtol=1e-6)
    assert r.converged and r.gap <= 1e-10


def braess(with_bridge: bool) -> tuple[LinkNetwork, np.ndarray]:
    """Braess: 0->1 and 2->3 take 1 + x/100 (BPR b=1, p=1, c=100), 0->2 and 1->3 take 45, bridge 1->2 takes 0."""
    fn, tn = [0, 0, 1, 2], [1, 2, 3, 3]
    fft, b, pw, cap = [1.0, 45.0, 45.0, 1.0], [1.0, 0.0, 0.0, 1.0], [1.0, 0.0, 0.0, 1.0], [100.0, 1.0, 1.0, 100.0]
    if with_bridge:
        fn, tn, fft, b, pw, cap = fn + [1], tn + [2], fft + [0.0], b + [0.0], pw + [0.0], cap + [1.0]
    net = LinkNetwork(num_nodes=4, num_zones=4, from_node=np.array(fn), to_node=np.array(tn),
                  capacity=np.array(cap), free_flow_time=np.array(fft), b=np.array(b), power=np.array(pw))
    demand = np.zeros((4, 4))
    demand[0, 3] = 4000.0
    return net, demand


@pytest.mark.parametrize("algo", UE_ALGOS)
def test_braess_paradox(algo: str) -> None:
    net, demand = braess(with_bridge=False)
    r = assign(net, demand, algo, gap=1e-10, max_iter=2000, progress=False)
    np.testing.assert_allclose(r.flows, [2000, 2000, 2000, 2000], rtol=1e-6)
    np.testing.assert_allclose(r.od_cost, [21 + 45])
    net2, demand2 = braess(with_bridge=True)
    r2 = assign(net2, demand2, algo, gap=1e-10, max_iter=2000, progress=False)
    # with the bridge every trip takes 0 -> 1 -> 2 -> 3 at 41 + 0 + 41 = 82 > 66: the paradox
    np.testing.assert_allclose(r2.flows, [4000, 0, 0, 4000, 4000], rtol=1e-6, atol=1e-3)
    np.testing.assert_allclose(r2.od_cost, [82.0], rtol=1e-6)


def grid_network(n: int = 6, zones: int = 6, first_thru: int = 0, seed: int = 1) -> tuple[LinkNetwork, np.ndarray]:
    rng = np.random.default_rng(seed)
    nodes = n * n
    fn, tn = [], []
    for r in range(n):
        for c in range(n):
            v = r * n + c
            if c + 1 < n:
                fn += [v, v + 1]
                tn += [v + 1, v]
            if r + 1 < n:
                fn += [v, v + n]
                tn += [v + n, v]
    m = len(fn)
    net = LinkNetwork(num_nodes=nodes, num_zones=zones, from_node=np.array(fn), to_node=np.array(tn),
                  capacity=rng.uniform(50, 200, m), free_flow_time=rng.uniform(1, 5, m),
                  b=np.full(m, 0.15), power=np.full(m, 4.0), first_thru_node=first_thru)
    demand = rng.uniform(0, 60, (zones, zones))
    np.fill_diagonal(demand, 0)
    return net, demand


def node_balance(net: LinkNetwork, flows: np.ndarray) -> np.ndarray:
    out = np.bincount(net.from_node, weights=flows, minlength=net.num_nodes)
    inn = np.bincount(net.to_node, weights=flows, minlength=net.num_nodes)
    return out - inn


@pytest.mark.parametrize("algo", UE_ALGOS + ["sue"])
def test_flow_is_conserved(algo: str) -> None:
    net, demand = grid_network()
    r = assign(net, demand, algo, gap=1e-5, max_iter=300, progress=False)
    expected = np.zeros(net.num_nodes)
    expected[: demand.shape[0]] = demand.sum(axis=1) - demand.sum(axis=0)
    np.testing.assert_allclose(node_balance(net, r.flows), expected, atol=1e-6 * demand.sum())
    assert (r.flows >= -1e-9).all()


@pytest.mark.parametrize(("algo", "target"), [("fw", 1e-2), ("cfw", 1e-3), ("bfw", 1e-6), ("gp", 1e-9), ("bush", 1e-9)])
def test_gap_decreases(algo: str, target: float) -> None:
    net, demand = grid_network(seed=3)
    demand *= 2
    hist: list[float] = []
    r = assign(net, demand, algo, gap=target, max_iter=2000, progress=False,
               callback=lambda i, g, x: hist.append(g))
    assert hist == r.gap_history and len(hist) == r.iterations - (algo != "bush")  # bush: a gap every sweep
    assert r.converged and hist[-1] <= target < hist[0]
    half = len(hist) // 2
    assert min(hist[half:]) < min(hist[: max(half, 1)])


def test_fw_objective_is_monotone() -> None:
    net, demand = grid_network(seed=5)
    objs: list[float] = []
    assign(net, demand * 3, "fw", gap=1e-6, max_iter=100, progress=False,
           callback=lambda i, g, x: objs.append(float(net.performance.integral(x).sum())))
    assert all(b <= a + 1e-9 * abs(a) for a, b in itertools.pairwise(objs))


@pytest.mark.parametrize(("seed", "mult"), [(7, 1.0), (7, 2.0), (3, 2.0)])
def test_algorithms_agree_on_grid(seed: int, mult: float) -> None:
    net, demand = grid_network(seed=seed)
    ref = assign(net, demand * mult, "gp", gap=1e-10, max_iter=500, progress=False)
    assert ref.converged
    for algo in ("fw", "bfw", "bush"):
        r = assign(net, demand * mult, algo, gap=1e-6, max_iter=3000, progress=False)
        assert np.abs(r.flows - ref.flows).sum() / ref.flows.sum() < 1e-3, algo


def test_zones_below_first_thru_node_carry_no_through_traffic() -> None:
    # 0 -> 2 -> 1 is cheap through zone 2, 0 -> 3 -> 1 is dear through the ordinary node 3
    net = LinkNetwork(num_nodes=4, num_zones=3, from_node=np.array([0, 2, 0, 3]), to_node=np.array([2, 1, 3, 1]),
                  capacity=np.full(4, 100.0), free_flow_time=np.array([1.0, 1.0, 5.0, 5.0]),
                  b=np.zeros(4), power=np.zeros(4), first_thru_node=3)
    demand = np.zeros((3, 3))
    demand[0, 1] = 10.0
    demand[0, 2] = 4.0
    for algo in ("bfw", "gp"):
        r = assign(net, demand, algo, gap=1e-8, progress=False)
        np.testing.assert_allclose(r.flows, [4.0, 0.0, 10.0, 10.0])
    open_net = LinkNetwork(num_nodes=4, num_zones=3, from_node=net.from_node, to_node=net.to_node,
                       capacity=net.capacity, free_flow_time=net.free_flow_time, b=net.b, power=net.power)
    r = assign(open_net, demand, "bfw", gap=1e-8, progress=False)
    np.testing.assert_allclose(r.flows, [14.0, 10.0, 0.0, 0.0])


def test_generalised_cost_and_parallel_links() -> None:
    # two parallel links; the faster one carries a toll that makes it dearer in generalised cost
    net = LinkNetwork(num_nodes=2, num_zones=2, from_node=np.array([0, 0]), to_node=np.array([1, 1]),
                  capacity=np.array([10.0, 10.0]), free_flow_time=np.array([1.0, 2.0]), b=np.zeros(2),
                  power=np.zeros(2), toll=np.array([100.0, 0.0]), length=np.array([1.0, 1.0]),
                  toll_factor=0.02, distance_factor=0.5)
    demand = sp.csr_matrix(np.array([[0.0, 7.0], [0.0, 0.0]]))
    r = assign(net, demand, "bfw", progress=False)
    np.testing.assert_allclose(r.flows, [0.0, 7.0])
    np.testing.assert_allclose(r.cost, [1 + 2 + 0.5, 2 + 0.5])
    np.testing.assert_allclose(r.od_cost, [2.5])
    assert r.od_pairs.tolist() == [[0, 1]]


def test_errors_are_clear() -> None:
    net, demand = pigou()
    with pytest.raises(AssignmentError, match="unknown algorithm"):
        assign(net, demand, "nope")
    with pytest.raises(DemandError, match="shape"):
        assign(net, np.zeros((3, 3)))
    with pytest.raises(DemandError, match="negative"):
        assign(net, -demand)
    with pytest.raises(NetworkError, match="capacity"):
        LinkNetwork(num_nodes=2, num_zones=2, from_node=np.array([0]), to_node=np.array([1]),
                capacity=np.array([-1.0]), free_flow_time=np.array([1.0]))
    with pytest.raises(NetworkError, match="not a node"):
        LinkNetwork(num_nodes=2, num_zones=2, from_node=np.array([0]), to_node=np.array([5]),
                capacity=np.array([1.0]), free_flow_time=np.array([1.0]))
    unreachable = LinkNetwork(num_nodes=2, num_zones=2, from_node=np.array([1]), to_node=np.array([0]),
                          capacity=np.array([1.0]), free_flow_time=np.array([1.0]))
    for algo in ("bfw", "gp"):
        with pytest.raises(DemandError, match="no path from zone 0 to zone 1"):
            assign(unreachable, demand, algo)


def test_result_records_history_and_time() -> None:
    net, demand = grid_network()
    r = assign(net, demand, "bfw", gap=1e-4, progress=False)
    assert r.iterations == len(r.gap_history) + 1 and r.wall_time > 0 and r.algorithm == "bfw"
    assert r.gap == r.gap_history[-1] <= 1e-4 and r.converged
    capped = assign(net, demand * 5, "fw", gap=1e-12, max_iter=5, progress=False)
    assert capped.iterations == 5 and not capped.converged


def test_progress_bar_renders(capsys: pytest.CaptureFixture[str]) -> None:
    net, demand = grid_network()
    assign(net, demand, "bfw", gap=1e-4, progress=True)
    err = capsys.readouterr().err
    assert "BFW assignment" in err and "gap" in err


def test_sue_two_routes_matches_logit_fixed_point() -> None:
    # two parallel routes, t1 = 10 (1 + 0.15 (x/50)^4), t2 = 12 constant; logit theta = 0.5
    net = LinkNetwork(num_nodes=2, num_zones=2, from_node=np.array([0, 0]), to_node=np.array([1, 1]),
                  capacity=np.array([50.0, 1.0]), free_flow_time=np.array([10.0, 12.0]),
                  b=np.array([0.15, 0.0]), power=np.array([4.0, 0.0]))
    demand = np.array([[0.0, 100.0], [0.0, 0.0]])
    theta = 0.5
    # the second route appears once it is shortest; fixed point of x1 = d / (1 + exp(-theta (t2 - t1(x1))))
    r = assign(net, demand, "sue", gap=1e-5, max_iter=3000, theta=theta, progress=False)
    t = net.performance.time(r.flows)
    share = 1.0 / (1.0 + np.exp(-theta * (t[1] - t[0])))
    assert r.flows[0] == pytest.approx(100.0 * share, rel=1e-3)
    assert r.flows.sum() == pytest.approx(100.0)
    # a large theta approaches the deterministic equilibrium
    ue = assign(net, demand, "gp", gap=1e-10, progress=False)
    sharp = assign(net, demand, "sue", gap=1e-6, max_iter=5000, theta=50.0, progress=False)
    assert np.abs(sharp.flows - ue.flows).sum() < 1.0


def test_sue_rejects_bad_theta() -> None:
    net, demand = pigou()
    with pytest.raises(AssignmentError, match="theta"):
        assign(net, demand, "sue", theta=0.0)


@pytest.mark.parametrize(("options", "match"), [
    ({"algorithm": "nope", "gap": 1e-4}, "unknown algorithm"),
    ({"algorithm": "bfw", "gap": -1.0}, "gap"),
    ({"algorithm": "bfw", "gap": float("nan")}, "gap"),
    ({"algorithm": "gp", "gap": 1e-4, "max_iter": 0}, "max_iter"),
    ({"algorithm": "sue", "gap": 1e-4, "theta": 0.0}, "theta"),
])
def test_check_options_rejects(options: dict[str, object], match: str) -> None:
    with pytest.raises(AssignmentError, match=match):
        check_options(**options)  # type: ignore[arg-type]


def test_check_options_names_the_algorithm() -> None:
    assert check_options("Frank-Wolfe", gap=0.0) == "fw"
    assert check_options("SUE", gap=1e-3, max_iter=1, theta=0.02) == "sue"


def test_seeded_sue_gives_a_never_cheapest_route_its_share() -> None:
    # constant times 10 and 12: route 2 is never the shortest, so the plain SUE leaves it empty; seeding
    # (round 2 makes route 1 twice as dear) adds it, and later rounds find no new route to add twice
    net = LinkNetwork(num_nodes=2, num_zones=2, from_node=np.array([0, 0]), to_node=np.array([1, 1]),
                      capacity=np.ones(2), free_flow_time=np.array([10.0, 12.0]), b=np.zeros(2), power=np.zeros(2))
    demand = np.array([[0.0, 100.0], [0.0, 0.0]])
    plain = assign(net, demand, "sue", theta=0.5, progress=False)
    np.testing.assert_allclose(plain.flows, [100.0, 0.0])
    seeded = assign(net, demand, "sue", theta=0.5, seed_rounds=6, progress=False)
    share = 1.0 / (1.0 + np.exp(-0.5 * (12.0 - 10.0)))
    np.testing.assert_allclose(seeded.flows, [100.0 * share, 100.0 * (1.0 - share)])


@pytest.mark.parametrize("first_thru", [0, 4])
def test_compiled_aon_matches_scipy_route(first_thru: int) -> None:
    # random continuous costs: no ties, so both loaders pick the same trees
    from corridor.assignment import ODMatrix
    from corridor.assignment.paths import all_or_nothing, all_or_nothing_scipy

    net, demand = grid_network(n=7, zones=9, first_thru=first_thru, seed=11)
    # add a parallel link and a zone with no demand out of it
    demand[3] = 0.0
    dem = ODMatrix.from_matrix(demand, net.num_zones)
    cost = net.cost(np.random.default_rng(4).uniform(0, 150, net.num_links))
    x1, s1, c1 = all_or_nothing(net.sp, dem, cost)
    x2, s2, c2 = all_or_nothing_scipy(net.sp, dem, cost)
    np.testing.assert_allclose(x1, x2, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(c1, c2, rtol=1e-12)
    assert s1 == pytest.approx(s2, rel=1e-12)


def test_gp_many_parallel_paths_analytic() -> None:
    # 12 parallel links 0 -> 1, t_i = a_i + x_i / 10 (BPR b = 1/a_i, p = 1, c = 10); equilibrium cost λ
    # with x_i = 10 (λ − a_i) on every link with a_i < λ. The OD needs more path slots than the
    # store starts with (it grows), and the parallel links need no dummy nodes in the compiled graph.
    a = np.linspace(1.0, 3.2, 12)
    net = LinkNetwork(num_nodes=2, num_zones=2, from_node=np.zeros(12, dtype=int), to_node=np.ones(12, dtype=int),
                  capacity=np.full(12, 10.0), free_flow_time=a, b=1.0 / a, power=np.ones(12))
    demand = np.array([[0.0, 200.0], [0.0, 0.0]])
    lam = (200.0 / 10.0 + a.sum()) / 12.0
    assert lam > a.max()
    r = assign(net, demand, "gp", gap=1e-12, max_iter=200, progress=False)
    np.testing.assert_allclose(r.flows, 10.0 * (lam - a), rtol=1e-8)
    np.testing.assert_allclose(r.od_cost, [lam], rtol=1e-10)
