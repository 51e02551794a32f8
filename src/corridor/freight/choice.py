"""Alternative-specific constants of route and mode choice (``constants.csv``): US$ per FEU added to the
generalised cost of the edges that define a corridor alternative, estimated so that the base-year
equilibrium reproduces the observed counts (:mod:`corridor.freight.choice_fit`).

* **What a constant is.** Everything the shippers weigh that the network's hours, tariffs and CO2 do
  not: queues and reliability, paperwork, the perception of risk, habits and contracts. A positive
  constant makes an alternative dearer than its modelled cost, a negative one cheaper.
* **Where it goes.** On the edges of the corridor's selector (:data:`~corridor.freight.corridor_flows.CORRIDORS`:
  the Caspian ferry runs, the Russia/Belarus ↔ EU border edges…), restricted to one direction when the
  row has one (westbound: toward a smaller longitude), as a fixed toll in hours-equivalent (US$ ÷ the
  cargo class's value of time): a constant never congests.
* **Which row applies.** Rows of the problem's cargo class; per alternative and direction the row of the
  latest year not after the problem's year (else the earliest). A bonus larger than an edge's own money
  cost cannot be given (the engine needs non-negative tolls): the edge's toll stops at zero.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import Field

from ..errors import DataError
from ..network import default_data_dir
from ..network.rows import Problem, columns_of, parse_rows, read_rows
from ..network.schema import Direction, Row
from ..validate import suggestion
from .corridor_flows import CORRIDORS, edge_table, heading
from .corridor_problem import CorridorProblem

FILE = "constants.csv"


class ConstantRow(Row):
    """A row of ``constants.csv``."""

    alternative: str
    direction: Direction | None = None
    class_: str = Field(alias="class")
    year: int = Field(ge=1990, le=2100)
    usd_per_feu: float = Field(allow_inf_nan=False, ge=-1e6, le=1e6)
    source: str
    note: str | None = None


COLUMNS = columns_of(ConstantRow)
#: the corridor ids a constant may be put on: those whose volume is a sum of edges
ALTERNATIVES: tuple[str, ...] = tuple(k for k, c in CORRIDORS.items() if c.edges is not None)


def read_constants(data_dir: Path | str | None = None, *, sources: list[str] | None = None,
                   classes: list[str] | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Read and check ``constants.csv`` (optional: a missing file is an empty table, no problem).

    An alternative not in :data:`ALTERNATIVES` or a class not in ``classes`` (each with the nearest valid
    names), an unknown source id (when ``sources`` is given), a direction other than ``westbound`` /
    ``eastbound``, a value that is not a number and a repeated row (same alternative, direction, class and
    year) are problems, each with file, line and field.
    """
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    problems: list[Problem] = []
    rows, lines = parse_rows(FILE, read_rows(folder / FILE, COLUMNS, problems, required=False), ConstantRow, problems)
    seen: dict[tuple, int] = {}
    good = []
    for row, line in zip(rows, lines):
        found = []
        if row["alternative"] not in ALTERNATIVES:
            found.append(Problem(FILE, line, "alternative", f"unknown alternative {row['alternative']!r}"
                                 + _hint(row["alternative"], ALTERNATIVES)))
        if classes is not None and row["class"] not in classes:
            found.append(Problem(FILE, line, "class", f"unknown cargo class {row['class']!r}" + _hint(row["class"], classes)))
        if sources is not None and row["source"] not in sources:
            found.append(Problem(FILE, line, "source", f"unknown source id {row['source']!r} (not in sources.csv)"))
        key = (row["alternative"], row["direction"], row["class"], row["year"])
        if key in seen:
            found.append(Problem(FILE, line, "alternative", f"repeats the constant of line {seen[key]}"))
        seen.setdefault(key, line)
        problems.extend(found)
        if not found:
            good.append(row | {"line": line})
    return pd.DataFrame(good, columns=COLUMNS + ["line"]), problems


def _hint(name: str, valid: tuple[str, ...] | list[str]) -> str:
    return f"; {suggestion(name, valid) or 'valid: ' + ', '.join(valid)}"


def load_constants(data_dir: Path | str | None = None, *, sources: list[str] | None = None,
                   classes: list[str] | None = None) -> pd.DataFrame:
    """:func:`read_constants`, raising :class:`~corridor.errors.DataError` listing every problem."""
    table, problems = read_constants(data_dir, sources=sources, classes=classes)
    if problems:
        raise DataError([str(p) for p in problems])
    return table


def alternative_links(problem: CorridorProblem, alternative: str, direction: str | None = None) -> np.ndarray:
    """The engine links that define ``alternative`` (a corridor id of :data:`ALTERNATIVES`), in one
    ``direction`` (``westbound``: toward a smaller longitude) or both (None)."""
    if alternative not in ALTERNATIVES:
        raise DataError(f"unknown alternative {alternative!r}" + _hint(alternative, ALTERNATIVES))
    edges = edge_table(problem, np.zeros(problem.from_node.size))
    mask = CORRIDORS[alternative].edges(edges)   # type: ignore[misc]
    if direction is not None:
        mask = mask & heading(edges, problem, direction)
    return np.sort(edges.loc[mask, "engine_link"].to_numpy(dtype=np.int64))


def applicable(constants: pd.DataFrame, cargo_class: str, year: int) -> pd.DataFrame:
    """The rows that apply to ``cargo_class`` in ``year``: per alternative and direction, the latest year
    not after ``year`` (else the earliest)."""
    rows = constants[constants["class"] == cargo_class].copy()
    if rows.empty:
        return rows
    rows["direction"] = rows["direction"].astype(object).where(rows["direction"].notna(), None)
    rows["_late"] = rows["year"] > year
    rows["_rank"] = np.where(rows["_late"], rows["year"], -rows["year"])
    rows = rows.sort_values(["_late", "_rank"]).groupby(["alternative", rows["direction"].fillna("")], sort=False).head(1)
    return rows.drop(columns=["_late", "_rank"]).reset_index(drop=True)


def apply_constants(problem: CorridorProblem, constants: pd.DataFrame | dict[tuple[str, str | None], float], *,
                    links: dict[tuple[str, str | None], np.ndarray] | None = None) -> CorridorProblem:
    """``problem`` with each constant (US$ per FEU) added to the toll of its alternative's links.

    ``constants``: rows in ``constants.csv``'s columns (already those that apply, :func:`applicable`) or
    ``{(alternative, direction or None): usd_per_feu}``; ``links``: the alternatives' engine links where
    already known (:func:`alternative_links`, filled in as found). A link's toll stops at zero.
    """
    links = links if links is not None else {}
    if isinstance(constants, pd.DataFrame):
        constants = {(a, d if isinstance(d, str) else None): float(v) for a, d, v in
                     zip(constants["alternative"], constants["direction"], constants["usd_per_feu"])}
    toll = problem.toll_h.copy()
    for (alternative, direction), usd in constants.items():
        if usd:
            key = (alternative, direction)
            if key not in links:
                links[key] = alternative_links(problem, alternative, direction)
            toll[links[key]] += usd / problem.value_of_time
    return dataclasses.replace(problem, toll_h=np.maximum(toll, 0.0))


def with_constants(problem: CorridorProblem, data: Path | str | None, cargo_class: str,
                   constants: bool | pd.DataFrame = True) -> CorridorProblem:
    """``problem`` with the dataset's constants for ``cargo_class`` applied (``constants=True``), those
    given (a table in ``constants.csv``'s columns), or none (``False``)."""
    if constants is False:
        return problem
    table = load_constants(data) if constants is True else constants
    rows = applicable(table, cargo_class, problem.year)
    return apply_constants(problem, rows) if len(rows) else problem


__all__ = ["ALTERNATIVES", "FILE", "alternative_links", "applicable", "apply_constants", "load_constants",
           "read_constants", "with_constants"]
