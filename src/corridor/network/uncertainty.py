"""``uncertainty.csv``: the uncertainty range of every estimate in ``sources.csv``, machine-readable.

One row per ``estimate`` source: ``source,scale,low,high,note``. ``scale`` says how the range acts on
every figure that cites the source:

* ``factor`` — the figure times a value in ``[low, high]`` (1 is the figure as given);
* ``shift`` — a value in ``[low, high]`` added to the figure, in the figure's own unit (years for an
  ``open_year``, degrees for a coordinate).

Either way the figure as given lies inside its range (``low ≤ 1 ≤ high``, ``low ≤ 0 ≤ high``). The
``note`` says where the range comes from: the estimate's own note, or how it was derived.
The table is optional in a user's dataset; when it is present every estimate needs a row.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pandas as pd
from pydantic import Field

from .load import default_data_dir
from .rows import Problem, columns_of, parse_rows, read_rows
from .schema import Row

UNCERTAINTY_FILE = "uncertainty.csv"
SCALES = ("factor", "shift")


class UncertaintyRow(Row):
    source: str
    scale: Literal["factor", "shift"]
    low: float = Field(allow_inf_nan=False)
    high: float = Field(allow_inf_nan=False)
    note: str


COLUMNS = columns_of(UncertaintyRow)


def read_uncertainty(data_dir: Path | str | None = None, *, sources: pd.DataFrame | None = None,
                     source_lines: list[int] | None = None,
                     required: bool = False) -> tuple[pd.DataFrame, list[Problem]]:
    """The ranges (``source``, ``scale``, ``low``, ``high``, ``note``, ``line``, indexed by source) and every
    problem found.

    Parameters
    ----------
    data_dir : path, optional
        The dataset folder (the bundled one by default).
    sources : DataFrame, optional
        ``sources.csv`` (``id``, ``kind``): each range must belong to an estimate, and each estimate
        must have a range.
    source_lines : list of int, optional
        The line of each row of ``sources`` in ``sources.csv`` (for the problem of a missing range).
    required : bool
        Whether a missing file is a problem (it is optional in a user's dataset).
    """
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    problems: list[Problem] = []
    path = folder / UNCERTAINTY_FILE
    records, lines = parse_rows(UNCERTAINTY_FILE, read_rows(path, COLUMNS, problems, required=required),
                                UncertaintyRow, problems)
    frame = pd.DataFrame(records, columns=COLUMNS).assign(line=lines)
    for row in frame.to_dict("records"):
        problems += _range_problems(row)
    for i in frame.index[frame["source"].duplicated()]:
        problems.append(Problem(UNCERTAINTY_FILE, int(frame.at[i, "line"]), "source",
                                f"duplicate range for {frame.at[i, 'source']!r}"))
    if sources is not None and path.is_file():
        problems += _source_problems(frame, sources, source_lines)
    return frame.drop_duplicates("source").set_index("source", drop=False).rename_axis(None), problems


def _range_problems(row: dict) -> list[Problem]:
    line, low, high = int(row["line"]), row["low"], row["high"]
    if low > high:
        return [Problem(UNCERTAINTY_FILE, line, "low", f"low {low:g} is above high {high:g}: swap them")]
    if row["scale"] == "factor" and low <= 0:
        return [Problem(UNCERTAINTY_FILE, line, "low", f"a factor must be above 0, not {low:g}")]
    given = 1.0 if row["scale"] == "factor" else 0.0
    if not low <= given <= high:
        return [Problem(UNCERTAINTY_FILE, line, "low" if low > given else "high",
                        f"the range [{low:g}, {high:g}] must hold the figure as given ({row['scale']} {given:g})")]
    return []


def _source_problems(frame: pd.DataFrame, sources: pd.DataFrame, source_lines: list[int] | None) -> list[Problem]:
    kind = dict(zip(sources["id"], sources["kind"]))
    problems = []
    for source, line in zip(frame["source"], frame["line"]):
        if source not in kind:
            problems.append(Problem(UNCERTAINTY_FILE, int(line), "source",
                                    f"{source!r} is not in sources.csv"))
        elif kind[source] != "estimate":
            problems.append(Problem(UNCERTAINTY_FILE, int(line), "source",
                                    f"{source!r} is a {kind[source]} source: only estimates take a range"))
    line_of = dict(zip(sources["id"], source_lines or [None] * len(sources)))
    problems += [Problem("sources.csv", line_of[sid], "id",
                         f"estimate {sid!r} has no uncertainty range: add a row "
                         f"'{sid},factor|shift,LOW,HIGH,where the range comes from' to {UNCERTAINTY_FILE}")
                 for sid in missing_ranges(frame, sources)]
    return problems


def missing_ranges(frame: pd.DataFrame, sources: pd.DataFrame) -> list[str]:
    """The estimate sources with no row in ``frame``, in ``sources.csv`` order."""
    ranged = set(frame["source"])
    return [sid for sid, kind in zip(sources["id"], sources["kind"]) if kind == "estimate" and sid not in ranged]

