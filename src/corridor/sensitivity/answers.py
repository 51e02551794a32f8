"""The headline answers, each one number, from a set of :class:`~corridor.sensitivity.factors.Inputs`.

* ``days A→B`` — the best route's door-to-door days for each of the demo's questions
  (:func:`~corridor.freight.headline.demo_cases`: the pairs this year, Baku–Nakhchivan in the year
  TRIPP opens, which an estimate moves);
* ``ranking A→B`` — how far the order of the corridors (the best route and its alternatives, by
  generalized cost) is from the order with every figure as given: the number of pairs of corridors
  whose order is swapped (Kendall distance; a corridor that drops out ranks last);
* ``Middle Corridor TEU`` — the capacity-aware assignment's Caspian crossings via the Kazakh and
  Azerbaijani ports in the demand's base year (the ``caspian-crossings`` row of
  ``CorridorFlows.corridors``, TEU per year, both directions);
* ``TRIPP TEU`` — the same assignment in the year TRIPP opens: its ``tripp`` row, the TEU per year on
  the busiest TRIPP link;
* ``gas to Europe`` — the most Caspian gas the pipelines can deliver to Europe this year (bcm per year,
  :func:`~corridor.energy.energy_flows`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..energy import energy_flows
from ..errors import CorridorError
from ..freight.congestion import build_problem
from ..freight.corridor_flows import CORRIDORS, CorridorFlows
from ..freight.corridor_problem import BASE_YEAR
from ..freight.headline import demo_cases, open_year
from ..freight.inputs import FreightInputs, freight_inputs
from ..freight.warm_solves import WarmSolves
from ..network import Network
from .factors import Inputs

#: routes asked per question (the best and its alternatives), as the demo asks
ALTERNATIVES = 4
#: relative gap of the two equilibria: at 1e-4 the TRIPP volume of a cold solve was 3% off the converged one
#: (and a warm start's off by another amount); at 1e-6 warm and cold give the same volumes
GAP = 1e-6
#: the answers that are not per demo question, with their units
GLOBAL_ANSWERS = {"Middle Corridor TEU": "TEU per year", "TRIPP TEU": "TEU per year", "gas to Europe": "bcm per year"}
#: how an answer's name starts → the group the tornado plot and the ranking put it in
GROUPS = {"days": "demo days", "ranking": "corridor ranking", "Middle Corridor": "Middle Corridor TEU",
          "TRIPP": "TRIPP TEU", "gas": "gas to Europe"}


def questions(network: Network) -> list[tuple[str, str, str, int]]:
    """The demo's questions this dataset can ask, as ``(label, origin, destination, year)`` (a pair whose
    places it lacks is left out; the label of the last is marked when it is asked in TRIPP's year)."""
    cases = demo_cases(network)
    places = set(network.places["id"])
    return [(f"{o}→{d}" + (" (TRIPP open)" if i == len(cases) - 1 else ""), o, d, y)
            for i, (o, d, y) in enumerate(cases) if o in places and d in places]


def has_gas(inputs: Inputs) -> bool:
    """Whether the dataset has a gas layer to ask about."""
    return bool((inputs.energy.assets.get("commodity", pd.Series(dtype=str)) == "gas").any())


def answer_names(inputs: Inputs) -> list[str]:
    """The names of the answers :func:`answers` returns, in order."""
    labels = [q[0] for q in questions(inputs.network)]
    names = [f"days {q}" for q in labels] + [f"ranking {q}" for q in labels] + list(GLOBAL_ANSWERS)
    return names if has_gas(inputs) else names[:-1]


def group_of(answer: str) -> str:
    """The group of an answer (``demo days``, ``corridor ranking``, ``Middle Corridor TEU``…)."""
    return next(g for prefix, g in GROUPS.items() if answer.startswith(prefix))


def corridor_orders(inputs: Inputs) -> list[list[str]]:
    """Each demo question's corridors, best first."""
    router = freight_inputs(network=inputs.network, demand=inputs.demand).router
    return [[r.corridor for r in router.route(o, d, alternatives=ALTERNATIVES, year=y)]
            for _, o, d, y in questions(inputs.network)]


def swaps(base: Sequence[str], order: Sequence[str]) -> int:
    """How many pairs of ``base``'s corridors ``order`` ranks the other way round (absent: last)."""
    rank = {c: i for i, c in enumerate(order)}
    last = len(order)
    pos = [rank.get(c, last) for c in base]
    return sum(1 for i in range(len(pos)) for j in range(i + 1, len(pos)) if pos[i] > pos[j])


def answers(inputs: Inputs, base_orders: Sequence[Sequence[str]], *, solves: WarmSolves | None = None) -> np.ndarray:
    """Every headline answer for ``inputs``, in the order of :func:`answer_names` (nan where a question
    has no answer, e.g. no route once a link opens later).

    ``base_orders`` are the corridor orders with every figure as given (:func:`corridor_orders`).
    ``solves``: each equilibrium warm-starts from its last one on the same graph
    (:class:`~corridor.freight.warm_solves.WarmSolves`); None: every one cold (same answers within the gap).
    """
    freight = freight_inputs(network=inputs.network, demand=inputs.demand)
    router = freight.router
    days, ranking = [], []
    for (_, o, d, y), base in zip(questions(inputs.network), base_orders):
        try:
            routes = router.route(o, d, alternatives=ALTERNATIVES, year=y)
        except CorridorError:
            days.append(np.nan)
            ranking.append(np.nan)
            continue
        days.append(routes[0].total_days)
        ranking.append(float(swaps(base, [r.corridor for r in routes])))
    solves = solves if solves is not None else WarmSolves(share=False)
    middle = _assigned(freight, inputs, BASE_YEAR, "caspian-crossings", solves)
    tripp = _assigned(freight, inputs, max(pd.Timestamp.today().year, open_year(inputs.network)), "tripp", solves)
    gas = [energy_flows(inputs.energy, "gas").delivered] if has_gas(inputs) else []
    return np.array([*days, *ranking, middle, tripp, *gas], dtype=float)


def _assigned(freight: FreightInputs, inputs: Inputs, year: int, corridor: str, solves: WarmSolves) -> float:
    """A corridor's volume (:data:`~corridor.freight.corridor_flows.CORRIDORS`) in the equilibrium of ``year``."""
    try:
        problem = build_problem(freight, year=year, capacities=inputs.capacities)
        flows = CorridorFlows.from_result(problem, solves.solve(problem, gap=GAP))
    except CorridorError:
        return float("nan")
    return CORRIDORS[corridor].volume(flows.edges)
