"""Calibration of the corridor demand to the observed counts (``counts.csv``): origin–destination matrix
estimation under the equilibrium route choice (Spiess 1990, :func:`corridor.assignment.estimate_matrix`).

* **What is fitted.** The year's container counts in TEU that the model can represent, each on a
  *screenline* — the set of engine links whose flows it sums: a corridor id of
  :data:`~corridor.freight.corridor_flows.CORRIDORS` (all Caspian ferry runs, every Russia/Belarus ↔ EU
  border edge…), a crossing (its border edges) or a Caspian port (the boxes lifted between its ferries
  and the land: ferry ↔ rail/road transfers, loads and unloads). A count with a ``direction`` sums only
  the edges running that way (westbound: toward a smaller longitude).
* **What is not, and why** (listed in :attr:`Calibration.not_used`, never dropped silently): counts in
  tonnes or of all cargo (the demand holds containers only), totals across every route
  (:data:`~corridor.network.schema.COUNT_TOTALS`), counts whose edges carry sea-borne boxes (deep-sea
  trade and sea ports' throughput: the demand holds the boxes that went by land and across the
  Caspian) and corridors whose volume is no sum of edges (a busiest link).
* **How far a cell may move.** Each cell's demand row cites its sources; every ``estimate`` among them
  with a ``factor`` range in ``uncertainty.csv`` widens the cell's range by that factor (ranges of
  several estimates multiply). A cell citing no estimate — a figure derived from published counts — may
  move by :data:`DERIVED_RANGE` (±10 %, about the spread between sources of the same count: UTLC's
  eastbound boxes are 15 or 15.9 per 100 westbound, DER-UTLC-EAST24).
* **Regularisation.** ``ρ`` (:data:`DEFAULT_REGULARIZATION`) weighs the squared TEU a cell moves
  against the squared TEU a count is missed by.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..assignment import CountError, estimate_matrix
from ..assignment import leave_one_out as cross_validate
from ..assignment.odme_inputs import Cells, CountSet, check_carriable
from ..errors import DataError
from ..formats.json import records
from ..network.counts_table import load_counts
from ..network.schema import COUNT_TOTALS, split_list
from ..network.uncertainty import read_uncertainty
from .choice import with_constants
from .corridor_flows import CORRIDORS, edge_table, heading
from .corridor_problem import BASE_YEAR, CorridorProblem, build_problem
from .inputs import FreightInputs, freight_inputs

#: how far a cell citing no estimate (only published and derived figures) may move: ±10 %
DERIVED_RANGE = (0.9, 1.1)
#: ρ: a TEU² a cell moves weighs a tenth of a TEU² a count is missed by (a count one cell carries is met to
#: 1/(1 + ρ) ≈ 91 %, one many cells share almost fully; the cells' ranges, not ρ, stop the drift)
DEFAULT_REGULARIZATION = 0.1
#: relative gap of every equilibrium of the estimation (Algorithm B, warm-started)
DEFAULT_GAP = 1e-6
#: stop when an iteration lowers the objective by less than this share of the prior's (0.01 %)
DEFAULT_TOLERANCE = 1e-4
_WATER = ("ferry", "sea")


@dataclass
class Calibration:
    """What :func:`calibrate` returns.

    ``counts``: one row per fitted count — ``element``, ``direction``, ``line`` (of ``counts.csv``),
    ``edges`` (engine links on its screenline), ``observed``, ``prior`` (the prior's equilibrium),
    ``model``, ``difference``, ``difference_pct``, ``status`` and ``reason`` (:func:`estimate_matrix`),
    ``source``; with ``leave_one_out`` also ``predicted`` and ``predicted_pct`` (by a fit that did not see
    the count). ``not_used``: the year's counts the model cannot represent, with ``reason``. ``demand``:
    the calibrated matrix, ``origin``, ``destination``, ``teu_per_year``, ``prior``, ``lower``, ``upper``,
    ``source``. RMSE % as :func:`corridor.assignment.odme.rmse_pct`.
    """

    year: int
    counts: pd.DataFrame
    not_used: pd.DataFrame
    demand: pd.DataFrame
    rmse_pct: float
    prior_rmse_pct: float
    loo_rmse_pct: float | None
    iterations: int
    converged: bool
    regularization: float
    wall_time: float

    def demand_rows(self) -> pd.DataFrame:
        """The calibrated matrix in ``demand.csv``'s columns (whole TEU; the note gives the prior)."""
        d = self.demand
        note = [f"calibrated to the {self.year} counts (corridor calibrate; prior {p:,.0f} TEU)" for p in d["prior"]]
        return pd.DataFrame({"origin": d["origin"], "destination": d["destination"],
                             "teu_per_year": d["teu_per_year"].round().astype(int), "year": self.year,
                             "source": d["source"], "note": note})

    def write_demand(self, path: Path | str) -> Path:
        """Write :meth:`demand_rows` as a ``demand.csv`` (for a dataset folder's ``demand.csv``)."""
        out = Path(path)
        self.demand_rows().to_csv(out, index=False)
        return out

    def write_dataset(self, folder: Path | str, data: Path | str | None = None) -> Path:
        """Copy the dataset folder ``data`` (the bundled one by default) to ``folder`` with the calibrated
        ``demand.csv``: any command then runs on it with ``--data folder``. ``folder`` must not exist."""
        import shutil

        from ..network import default_data_dir

        out = Path(folder)
        if out.exists():
            raise FileExistsError(f"{out} exists: give a new folder for the calibrated dataset")
        shutil.copytree(Path(data) if data is not None else default_data_dir(), out)
        self.write_demand(out / "demand.csv")
        return out

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the fit, the counts used and not used, the calibrated matrix."""
        return {"year": self.year, "rmse_pct": self.rmse_pct, "prior_rmse_pct": self.prior_rmse_pct,
                "loo_rmse_pct": self.loo_rmse_pct, "iterations": self.iterations, "converged": self.converged,
                "regularization": self.regularization, "wall_time_s": self.wall_time,
                "counts": records(self.counts), "not_used": records(self.not_used), "demand": records(self.demand)}


def _screenline(row: dict, edges: pd.DataFrame, crossings: set[str], places: set[str]) -> pd.Series | str:
    """The edges a count sums (a boolean mask on ``edges``), or why the model cannot represent it."""
    element = row["element"]
    if row["class"] != "containers" or row["unit"] != "TEU":
        return f"counted as {row['class']} in {row['unit']}: the demand holds containers in TEU only (no bulk, no oil)"
    if element in COUNT_TOTALS:
        return f"a total across every route ({COUNT_TOTALS[element]}), most of them outside the network's demand"
    if element in CORRIDORS:
        select = CORRIDORS[element].edges
        if select is None:
            return f"{element}'s volume is its busiest link's, not a sum of edges a count can be fitted on"
        mask = select(edges)
    elif element in crossings:
        mask = (edges["kind"] == "border") & (edges["element"] == element)
    elif element in places:
        if isinstance(row.get("direction"), str):
            return "a port's throughput by direction: the model's port edges (lifts) have no direction"
        handled = edges["element"].str.split(":").map(lambda parts: any(p in _WATER for p in parts[1:]))
        at = (edges["from"] == element) & edges["kind"].isin(["transfer", "load", "unload"])
        mask = at & handled
    else:
        return "an element the model has no edges for"
    water = mask & ((edges["mode"] == "sea") | edges["element"].str.contains(":sea", regex=False))
    if water.any():
        return ("counts sea-borne boxes (deep-sea trade, a sea port's throughput): the demand holds the boxes that "
                "went by land and across the Caspian, not the sea trade")
    if isinstance(row.get("direction"), str):
        mask = mask & edges.attrs["heading"][row["direction"]]
    return mask


def _year_counts(inputs: FreightInputs, counts: pd.DataFrame | None, year: int) -> pd.DataFrame:
    table = counts if counts is not None else load_counts(inputs.data, network=inputs.base)
    table = table[table["year"] == year].copy()
    table["direction"] = table["direction"].astype(object).where(table["direction"].notna(), None)
    if "line" not in table:
        table["line"] = np.arange(2, len(table) + 2)
    return table.reset_index(drop=True)


def _screenlines(problem: CorridorProblem, table: pd.DataFrame, cells: Cells) -> tuple[pd.DataFrame, pd.DataFrame,
                                                                                          CountSet]:
    """The counts the model represents (with their incidence) and those it does not (with why).

    Raises
    ------
    CountError
        A count no route of the demand can carry (no edge open in the year, or none a zone pair can
        reach), every one named with its element and ``counts.csv`` line.
    """
    edges = edge_table(problem, np.zeros(problem.from_node.size))
    edges.attrs["heading"] = {d: heading(edges, problem, d) for d in ("westbound", "eastbound")}
    net = problem.engine_network()
    crossings = set(problem.graph.network.crossings["id"])
    places = set(problem.graph.network.places["id"])
    used, unused, rows, errors = [], [], [], []
    for row in table.to_dict("records"):
        sel = _screenline(row, edges, crossings, places)
        where = f"counts.csv line {row['line']}: {row['element']} {row['direction'] or 'both ways'} {row['year']}"
        if isinstance(sel, str):
            unused.append(row | {"reason": sel})
            continue
        links = np.sort(edges.loc[sel, "engine_link"].to_numpy(dtype=np.int64))
        if links.size == 0:
            errors.append(f"{where}: no edge of the network open in {problem.year} carries it")
            continue
        incidence = sp.csr_matrix((np.ones(links.size), (np.zeros(links.size, int), links)), shape=(1, net.num_links))
        one = CountSet(incidence, np.array([float(row["value"])]), [tuple(links.tolist())])
        try:
            check_carriable(net, cells, one)
        except CountError:
            errors.append(f"{where}: no zone pair with demand has a route over any of its {links.size} edges")
            continue
        used.append(row | {"edges": int(links.size)})
        rows.append(links)
    if errors:
        raise CountError("counts no route can carry (drop them or add the demand that uses them): " + "; ".join(errors))
    if not rows:
        raise CountError(f"no count of {problem.year} the model can represent: nothing to calibrate to")
    r = np.concatenate([np.full(k.size, i) for i, k in enumerate(rows)])
    a = sp.csr_matrix((np.ones(r.size), (r, np.concatenate(rows))), shape=(len(rows), net.num_links))
    observed = np.array([float(u["value"]) for u in used])
    return pd.DataFrame(used), pd.DataFrame(unused), CountSet(a, observed, [tuple(int(x) for x in k) for k in rows])


def _bounds(inputs: FreightInputs, problem: CorridorProblem) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per cell: the lower and upper factors from its sources' uncertainty ranges, and its sources."""
    ranges, problems = read_uncertainty(inputs.data)
    if problems:
        raise DataError([str(p) for p in problems])
    factor = ranges[ranges["scale"] == "factor"]
    low, high = dict(zip(factor["source"], factor["low"])), dict(zip(factor["source"], factor["high"]))
    zi = {z: i for i, z in enumerate(problem.zones)}
    z = problem.num_zones
    lo, hi, source = np.ones((z, z)), np.ones((z, z)), np.full((z, z), "", dtype=object)
    od = inputs.demand.od if inputs.demand is not None else pd.DataFrame()
    for o, d, s in zip(od["origin"], od["destination"], od["source"]):
        if o not in zi or d not in zi:
            continue
        ids = [sid for sid in split_list(s) if sid in low]
        i, j = zi[o], zi[d]
        lo[i, j] = np.prod([low[sid] for sid in ids]) if ids else DERIVED_RANGE[0]
        hi[i, j] = np.prod([high[sid] for sid in ids]) if ids else DERIVED_RANGE[1]
        source[i, j] = s
    return lo, hi, source


def calibrate(inputs: FreightInputs | None = None, *, year: int = BASE_YEAR, counts: pd.DataFrame | None = None,
              leave_one_out: bool = False, regularization: float = DEFAULT_REGULARIZATION, gap: float = DEFAULT_GAP,
              max_iterations: int = 50, tolerance: float = DEFAULT_TOLERANCE, algorithm: str = "spiess",
              constants: bool = True, progress: bool | None = None) -> Calibration:
    """Adjust the corridor demand so that its equilibrium reproduces the year's counts (module docstring).

    Parameters
    ----------
    inputs : FreightInputs, optional
        Network, scenario and demand (:func:`~corridor.freight.inputs.freight_inputs`); the bundled
        dataset by default, its demand grown to ``year``.
    year : int
        The counts' year and the links open in it (default 2024, the demand's base year).
    counts : DataFrame, optional
        Rows in ``counts.csv``'s columns (default: the dataset's ``counts.csv``).
    leave_one_out : bool
        Also predict each count by a fit that did not see it (one estimation per count; needs two counts).
    regularization, gap, max_iterations, tolerance
        ``ρ`` (TEU² per TEU²), the equilibria's relative gap, the cap on Spiess iterations and the stop
        when an iteration lowers the objective by less than this share of the prior's
        (:func:`~corridor.assignment.estimate_matrix`).
    algorithm : {"spiess", "l-bfgs-b"}
        Spiess's gradient method, or scipy's L-BFGS-B on the same objective (the benchmark's peer).
    constants : bool
        Route choice with the dataset's route-choice constants (``constants.csv``, as ``corridor assign``
        uses them), or on the bare costs (``False``).
    progress : bool or None
        Rich progress bars (``None``: only on a terminal).

    Raises
    ------
    CountError
        A count no route can carry (named with its element and line), or none the model can represent.
    DataError
        A bad ``counts.csv``, ``uncertainty.csv`` or demand.

    Examples
    --------
    >>> cal = calibrate()                                            # doctest: +SKIP
    >>> cal.counts[["element", "direction", "observed", "model", "difference_pct"]]  # doctest: +SKIP
    """
    start = time.perf_counter()
    inputs = inputs if inputs is not None else freight_inputs(year=year)
    problem = with_constants(build_problem(inputs, year=year), inputs.data, inputs.settings.cargo_class, constants)
    prior = problem.matrix
    lo, hi, source = _bounds(inputs, problem)
    cells = Cells.build(prior, problem.num_zones, None, None)
    used, unused, cs = _screenlines(problem, _year_counts(inputs, counts, year), cells)
    net = problem.engine_network()
    lower, upper = prior * lo, prior * hi
    options: dict[str, Any] = {"lower": lower, "upper": upper, "regularization": regularization, "gap": gap,
                               "max_iterations": max_iterations, "tolerance": tolerance, "algorithm": algorithm}
    fit = estimate_matrix(net, prior, (cs.incidence, cs.observed), progress=progress, **options)
    t = fit.counts
    table = pd.DataFrame({"element": used["element"], "direction": used["direction"], "line": used["line"],
                          "edges": used["edges"], "observed": t["observed"], "prior": t["prior_model"],
                          "model": t["model"], "difference": t["difference"], "difference_pct": t["difference_pct"],
                          "status": t["status"], "source": used["source"]})
    # the engine names a screenline by its link indices; the table by its count
    table.insert(10, "reason", [r.replace(f"screenline {lab}", f"{e} ({n} edges)") for r, lab, e, n in
                                zip(t["reason"], cs.label, used["element"], used["edges"])])
    loo = None
    if leave_one_out:
        cv = cross_validate(net, prior, (cs.incidence, cs.observed), progress=progress, **options)
        table["predicted"] = cv.table["predicted"].to_numpy()
        table["predicted_pct"] = cv.table["difference_pct"].to_numpy()
        loo = cv.rmse_pct
    o, d = np.nonzero(prior > 0)
    demand = pd.DataFrame({"origin": [problem.zones[i] for i in o], "destination": [problem.zones[j] for j in d],
                           "teu_per_year": fit.matrix[o, d], "prior": prior[o, d], "lower": lower[o, d],
                           "upper": upper[o, d], "source": source[o, d]})
    cols = ["element", "class", "year", "value", "unit", "direction", "line", "source", "reason"]
    not_used = unused[cols] if len(unused) else pd.DataFrame(columns=cols)
    return Calibration(year, table, not_used.reset_index(drop=True), demand, fit.rmse_pct, fit.prior_rmse_pct, loo,
                       fit.iterations, fit.converged, regularization, time.perf_counter() - start)


__all__ = ["DEFAULT_REGULARIZATION", "DERIVED_RANGE", "Calibration", "calibrate"]
