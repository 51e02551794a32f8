"""``counts.csv``: the observed volumes the model is set beside — port throughputs by cargo class, border
and rail counts, corridor totals, the deep-sea Asia–Europe trade — each with its source; optional in a
user's dataset.

A count is counted on an *element*: a corridor id (:data:`~corridor.network.schema.CORRIDOR_IDS`, the
rows of ``corridor assign``), a total the sources count across routes
(:data:`~corridor.network.schema.COUNT_TOTALS`), a place of ``places.csv`` (a port's throughput) or a
crossing of ``crossings.csv``. ``direction`` is ``westbound`` or ``eastbound`` where the source gives one;
empty means both directions (a port's throughput, a two-way total).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import DataError
from ..validate import suggestion
from .load import Network, default_data_dir, load_network
from .rows import Problem, columns_of, parse_rows, read_rows
from .schema import CORRIDOR_IDS, COUNT_CLASSES, COUNT_TOTALS, DIRECTIONS, CountRow, split_list

FILE = "counts.csv"
COLUMNS = columns_of(CountRow)
#: one count per element, class, year, unit and direction
KEY = ["element", "class", "year", "unit", "direction"]


def count_elements(places: Iterable[str] = (), crossings: Iterable[str] = ()) -> set[str]:
    """Every name a count may be counted on: corridor ids, counted totals, ``places`` and ``crossings``."""
    return set(CORRIDOR_IDS) | set(COUNT_TOTALS) | set(places) | set(crossings)


def read_counts(data_dir: Path | str | None = None, *, places: Iterable[str] = (), crossings: Iterable[str] = (),
                sources: Iterable[str] | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Read and check ``counts.csv``; return the good rows (with their ``line``) and every problem.

    An element not in :func:`count_elements` of ``places`` and ``crossings``, a class not in
    :data:`~corridor.network.schema.COUNT_CLASSES` (both with the nearest valid names), a value that is
    not a number or is negative, a unit other than ``TEU`` or ``t`` (``TEU`` for containers only), a
    missing or unknown source id (when ``sources`` is given) and a repeated count are problems, each
    with file, line and field. A missing file is no problem (the table is optional).
    """
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    problems: list[Problem] = []
    rows, lines = parse_rows(FILE, read_rows(folder / FILE, COLUMNS, problems, required=False), CountRow, problems)
    elements = count_elements(places, crossings)
    known_sources = set(sources) if sources is not None else None
    good, seen = [], {}
    for row, line in zip(rows, lines):
        found = _row_problems(row, line, elements, known_sources)
        key = tuple(row[k] for k in KEY)
        if key in seen:
            found.append(Problem(FILE, line, "element", f"repeats the count of line {seen[key]} (same element, class, "
                                                        "year, unit and direction)"))
        seen.setdefault(key, line)
        problems.extend(found)
        if not found:
            good.append(row | {"line": line})
    return pd.DataFrame.from_records(good, columns=[*COLUMNS, "line"]), problems


def _row_problems(row: dict, line: int, elements: set[str], sources: set[str] | None) -> list[Problem]:
    out = []
    if row["element"] not in elements:
        out.append(Problem(FILE, line, "element", f"unknown element {row['element']!r}{_hint(row['element'], elements)}"
                                                  "; a corridor id, a counted total, a place or a crossing id"))
    if row["class"] not in COUNT_CLASSES:
        out.append(Problem(FILE, line, "class", f"unknown class {row['class']!r}{_hint(row['class'], COUNT_CLASSES)}"
                                                f"; one of {', '.join(COUNT_CLASSES)}"))
    elif row["unit"] == "TEU" and row["class"] != "containers":
        out.append(Problem(FILE, line, "unit", f"TEU count containers; {row['class']} is counted in t"))
    ids = split_list(row["source"])
    if not ids:
        out.append(Problem(FILE, line, "source", f"the count {row['value']:g} {row['unit']} cites no source"))
    out += [Problem(FILE, line, "source", f"cites source {sid!r}, which is not in sources.csv")
            for sid in ids if sources is not None and sid not in sources]
    return out


def _hint(value: str, known: Iterable[str]) -> str:
    hint = suggestion(value, known)
    return f" ({hint})" if hint else ""


def load_counts(data_dir: Path | str | None = None, *, network: Network | None = None) -> pd.DataFrame:
    """The counts of a dataset folder (an empty table when it has no ``counts.csv``), checked against
    ``network`` (read from the folder when not given).

    Raises
    ------
    DataError
        With every problem found (file, line, field).
    """
    net = network if network is not None else load_network(data_dir)
    counts, problems = read_counts(data_dir, places=net.places["id"], crossings=net.crossings["id"],
                                   sources=net.sources["id"])
    if problems:
        raise DataError([str(p) for p in problems])
    return counts


@dataclass(frozen=True)
class Published:
    """A two-way count of one element, class, year and unit (``value`` None: not published)."""

    value: float | None
    source: str = ""
    published_as: str = ""


def two_way(counts: pd.DataFrame, element: str, year: int, *, cls: str = "containers", unit: str = "TEU") -> Published:
    """The both-directions count of ``element``: a row without direction, else westbound + eastbound
    when both are counted; a single direction alone is not a two-way count (value None, said so)."""
    rows = counts[(counts["element"] == element) & (counts["class"] == cls) & (counts["year"] == year)
                  & (counts["unit"] == unit)]
    both = rows[rows["direction"].isna()]
    if len(both):
        return Published(float(both["value"].iat[0]), both["source"].iat[0], both["note"].fillna("").iat[0])
    if set(rows["direction"]) == set(DIRECTIONS):
        ids = "|".join(dict.fromkeys(sid for s in rows["source"] for sid in split_list(s)))
        what = "; ".join(f"{d} {v:,.0f} {unit}" for d, v in zip(rows["direction"], rows["value"]))
        return Published(float(rows["value"].sum()), ids, what)
    if len(rows):
        r = rows.iloc[0]
        return Published(None, r["source"], f"only {r['direction']} counted: {r['value']:,.0f} {unit}")
    return Published(None)
