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

import csv
import math
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from .load import Problem, default_data_dir
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
    path = folder / FILE
    problems: list[Problem] = []
    empty = pd.DataFrame(columns=[*COLUMNS, "line"])
    if not path.is_file():
        if required:
            problems.append(Problem(FILE, None, None, f"file is missing from {folder}"))
        return empty, problems
    known_sources = set(sources) if sources is not None else None
    known_crossings = set(crossings) if crossings is not None else None
    transfers: set[tuple[str, str, str]] | None = None
    if terminals is not None:
        transfers = set()
        for r in terminals.itertuples(index=False):
            transfers |= {(r.place, r.from_layer, r.to_layer), (r.place, r.to_layer, r.from_layer)}

    records = []
    seen: dict[str, int] = {}
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            if list(header) != list(COLUMNS):
                problems.append(Problem(FILE, 1, None, f"header must be {','.join(COLUMNS)}, not {','.join(header)}"))
                return empty, problems
            for row in reader:
                line = reader.line_num
                if None in row or any(v is None for v in row.values()):
                    problems.append(Problem(FILE, line, None, f"has a wrong number of columns (expected {len(COLUMNS)})"))
                    continue
                row = {k: (v or "").strip() for k, v in row.items()}
                element, kind = row["element"], row["kind"]
                ok = True
                if kind not in KINDS:
                    problems.append(Problem(FILE, line, "kind", f"must be one of {', '.join(KINDS)}, not {kind!r}"))
                    ok = False
                elif kind == "crossing" and known_crossings is not None and element not in known_crossings:
                    problems.append(Problem(FILE, line, "element", f"unknown crossing {element!r} (not an id of crossings.csv)"))
                    ok = False
                elif kind == "terminal":
                    parts = element.split(":")
                    if len(parts) != 3 or not all(parts):
                        problems.append(Problem(FILE, line, "element",
                                                f"a terminal is PLACE:from_layer:to_layer, not {element!r}"))
                        ok = False
                    elif transfers is not None and tuple(parts) not in transfers:
                        problems.append(Problem(FILE, line, "element",
                                                f"no transfer {parts[1]}↔{parts[2]} at {parts[0]} in terminals.csv"))
                        ok = False
                try:
                    capacity = float(row["capacity_teu_per_year"])
                    if not (math.isfinite(capacity) and capacity > 0):
                        raise ValueError
                except ValueError:
                    problems.append(Problem(FILE, line, "capacity_teu_per_year",
                                            f"must be a number > 0 (TEU per year), not {row['capacity_teu_per_year']!r}"))
                    ok = False
                    capacity = math.nan
                cited = split_list(row["source"])
                if not cited:
                    problems.append(Problem(FILE, line, "source", "a capacity must cite a source"))
                    ok = False
                elif known_sources is not None:
                    for sid in cited:
                        if sid not in known_sources:
                            problems.append(Problem(FILE, line, "source", f"cites source {sid!r}, which is not in sources.csv"))
                            ok = False
                if element in seen:
                    problems.append(Problem(FILE, line, "element", f"duplicate element {element!r} (first on line {seen[element]})"))
                    ok = False
                seen.setdefault(element, line)
                if ok:
                    records.append({**row, "capacity_teu_per_year": capacity, "line": line})
    except (UnicodeDecodeError, csv.Error) as exc:
        problems.append(Problem(FILE, None, None, f"cannot be read as UTF-8 CSV: {exc}"))
        return empty, problems
    return pd.DataFrame(records, columns=[*COLUMNS, "line"]), problems


__all__ = ["COLUMNS", "FILE", "read_capacities"]
