"""``growth.csv``: the demand's annual growth rates by block and period, read and validated.

Each row gives the rate at which a block of the demand matrix (named by its method row in
``sources.csv``, the first source id of its ``demand.csv`` rows) grows per year from ``from_year`` to
``to_year``. A block's periods must follow each other without gap or overlap. Problems are reported
like the rest of the dataset: file, line and field, every one of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd
from pydantic import Field, model_validator

from .rows import Problem, parse_rows, read_rows
from .schema import Row, split_list

GROWTH_FILE = "growth.csv"
GROWTH_COLUMNS = ("block", "from_year", "to_year", "rate", "source", "note")
#: the largest growth or decline per year a row may state
MAX_RATE = 0.5


class GrowthRow(Row):
    block: str
    from_year: int = Field(ge=1990, le=2100)
    to_year: int = Field(ge=1990, le=2100)
    rate: float = Field(gt=-MAX_RATE, lt=MAX_RATE, allow_inf_nan=False)
    source: str
    note: str | None = None

    @model_validator(mode="after")
    def _period(self) -> GrowthRow:
        if self.to_year <= self.from_year:
            raise ValueError(f"to_year ({self.to_year}) must be after from_year ({self.from_year})")
        return self


def read_growth(folder: Path, *, sources: Iterable[str] | None = None,
                blocks: Iterable[str] | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """The growth table of ``folder`` (empty when it has no ``growth.csv``) and every problem found.

    The table has ``block``, ``from_year``, ``to_year``, ``rate``, ``source`` and the row's ``line``.
    ``sources`` (known ids) and ``blocks`` (the demand's blocks, each of which needs growth rows),
    when given, are checked against.
    """
    found: list[Problem] = []
    raw = read_rows(folder / GROWTH_FILE, GROWTH_COLUMNS, found, required=False)
    rows, lines = parse_rows(GROWTH_FILE, raw, GrowthRow, found)
    table = pd.DataFrame(rows, columns=list(GROWTH_COLUMNS)).drop(columns="note")
    table["line"] = lines
    if sources is not None:
        known = set(sources)
        found += [Problem(GROWTH_FILE, line, "source", f"cites {sid!r}, which is not in sources.csv")
                  for row, line in zip(rows, lines) for sid in split_list(row["source"]) if sid not in known]
    for block, periods in table.sort_values(["block", "from_year"]).groupby("block"):
        ends = periods["to_year"].to_numpy()[:-1]
        for (_, row), end in zip(periods.iloc[1:].iterrows(), ends):
            if row["from_year"] != end:
                what = "overlaps" if row["from_year"] < end else "leaves a gap after"
                found.append(Problem(GROWTH_FILE, int(row["line"]), "from_year",
                                     f"block {block!r}: the period from {row['from_year']} {what} the one "
                                     f"ending {end}; start it at {end}"))
    if blocks is not None and raw:
        found += [Problem(GROWTH_FILE, None, "block", f"no growth rows for demand block {b!r} (demand.csv); "
                          "add its rates by period") for b in sorted(set(blocks) - set(table["block"]))]
    return table, found
