"""``capacities.csv``: capacities of terminals and border crossings, read and validated.

``links.csv`` carries the capacity of a link; this file adds the capacity of the places where freight
queues without moving: a terminal's transfer between two layers (port handling, gauge change) and a
border crossing. One row per element (see the "capacities.csv" section of ``corridor/data/README.md``):

* ``kind = crossing``: ``element`` is an id of ``crossings.csv``;
* ``kind = terminal``: ``element`` is ``PLACE:from_layer:to_layer`` naming a row of ``terminals.csv``
  (either order of the two layers).

An element without a row is uncapacitated. Problems are reported like the rest of the dataset: file,
line and field.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .load import default_data_dir
from .rows import Problem, read_rows
from .schema import split_list

FILE = "capacities.csv"
COLUMNS = ("element", "kind", "capacity_teu_per_year", "source", "note")
KINDS = ("crossing", "terminal")


def read_capacities(data_dir: Path | str | None = None, *, crossings: Iterable[str] | None = None,
                    terminals: pd.DataFrame | None = None, sources: Iterable[str] | None = None,
                    required: bool = False) -> tuple[pd.DataFrame, list[Problem]]:
    """Read and validate ``capacities.csv``; return the table and every problem found.

    Parameters
    ----------
    data_dir : path, optional
        The dataset folder (the bundled one by default).
    crossings : iterable of str, optional
        Known crossing ids; a ``crossing`` row naming another is a problem.
    terminals : DataFrame, optional
        ``terminals.csv`` (``place``, ``from_layer``, ``to_layer``); a ``terminal`` row naming no
        transfer of it is a problem.
    sources : iterable of str, optional
        Known source ids.
    required : bool
        Whether a missing file is a problem; else an empty table means "no capacities".

    Returns
    -------
    (DataFrame, list of Problem)
        Columns ``element``, ``kind``, ``capacity_teu_per_year`` (TEU per year, per direction),
        ``source``, ``note``, ``line``.
    """
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    problems: list[Problem] = []
    rows = read_rows(folder / FILE, COLUMNS, problems, required=required)
    transfers: set[tuple[str, str, str]] | None = None
    if terminals is not None:
        transfers = set()
        for r in terminals.itertuples(index=False):
            transfers |= {(r.place, r.from_layer, r.to_layer), (r.place, r.to_layer, r.from_layer)}
    known = _Known(set(crossings) if crossings is not None else None, transfers,
                   set(sources) if sources is not None else None)
    records = []
    seen: dict[str, int] = {}
    for line, row in rows:
        found = _row_problems(row, line, known)
        if row["element"] in seen:
            found.append(Problem(FILE, line, "element",
                                 f"duplicate element {row['element']!r} (first on line {seen[row['element']]})"))
        seen.setdefault(row["element"], line)
        problems.extend(found)
        if not found:
            records.append({**row, "capacity_teu_per_year": float(row["capacity_teu_per_year"]), "line": line})
    return pd.DataFrame(records, columns=[*COLUMNS, "line"]), problems


@dataclass(frozen=True)
class _Known:
    crossings: set[str] | None
    transfers: set[tuple[str, str, str]] | None
    sources: set[str] | None


def _row_problems(row: dict[str, str], line: int, known: _Known) -> list[Problem]:
    """What is wrong with one row (nothing: an empty list)."""
    out = []
    element, kind = row["element"], row["kind"]
    if kind not in KINDS:
        out.append(Problem(FILE, line, "kind", f"must be one of {', '.join(KINDS)}, not {kind!r}"))
    elif kind == "crossing" and known.crossings is not None and element not in known.crossings:
        out.append(Problem(FILE, line, "element", f"unknown crossing {element!r} (not an id of crossings.csv)"))
    elif kind == "terminal":
        parts = element.split(":")
        if len(parts) != 3 or not all(parts):
            out.append(Problem(FILE, line, "element", f"a terminal is PLACE:from_layer:to_layer, not {element!r}"))
        elif known.transfers is not None and tuple(parts) not in known.transfers:
            out.append(Problem(FILE, line, "element", f"no transfer {parts[1]}↔{parts[2]} at {parts[0]} in terminals.csv"))
    try:
        capacity = float(row["capacity_teu_per_year"])
    except ValueError:
        capacity = math.nan
    if not (math.isfinite(capacity) and capacity > 0):
        out.append(Problem(FILE, line, "capacity_teu_per_year",
                           f"must be a number > 0 (TEU per year), not {row['capacity_teu_per_year']!r}"))
    cited = split_list(row["source"])
    if not cited:
        out.append(Problem(FILE, line, "source", "a capacity must cite a source"))
    for sid in cited:
        if known.sources is not None and sid not in known.sources:
            out.append(Problem(FILE, line, "source", f"cites source {sid!r}, which is not in sources.csv"))
    return out


__all__ = ["COLUMNS", "FILE", "read_capacities"]
