"""``concessions.csv``: the sourced terms of concessions on link groups (construction cost, shareholders,
term and option), read and validated; optional in a user's dataset.

``corridor economics`` takes its defaults from here, and ``corridor data check`` checks them like the rest
of the dataset: every figure cites ``sources.csv``, the group exists in ``links.csv``, shares name a
holder and add up to 1.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DataError
from .load import default_data_dir
from .rows import Problem, columns_of, parse_rows, read_rows
from .schema import ConcessionRow, split_list

FILE = "concessions.csv"


@dataclass(frozen=True)
class Concession:
    """The sourced terms of one group's concession (None: not known)."""

    group: str
    capex_usd: float | None = None
    term_years: int | None = None
    option_years: int | None = None
    shares: dict[str, float] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)   # figure → source ids
    notes: dict[str, str] = field(default_factory=dict)     # figure → note


def read_concessions(data_dir: Path | str | None = None, *, groups: Iterable[str] | None = None,
                     sources: Iterable[str] | None = None) -> tuple[dict[str, Concession], list[Problem]]:
    """Read and validate ``concessions.csv``; return the concessions by group and every problem."""
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    problems: list[Problem] = []
    rows, lines = parse_rows(FILE, read_rows(folder / FILE, columns_of(ConcessionRow), problems, required=False),
                             ConcessionRow, problems)
    known_groups = set(groups) if groups is not None else None
    known_sources = set(sources) if sources is not None else None
    by_group: dict[str, list[dict]] = {}
    for row, line in zip(rows, lines):
        problems.extend(_row_problems(row, line, known_groups, known_sources))
        by_group.setdefault(row["group"], []).append(row)
    out = {}
    for group, items in by_group.items():
        shares = {r["holder"]: r["value"] for r in items if r["figure"] == "share"}
        if shares and abs(sum(shares.values()) - 1) > 1e-6:
            problems.append(Problem(FILE, None, "value", f"the shares of {group} add up to {sum(shares.values()):g}, not 1"))
        figures = {r["figure"]: r["value"] for r in items if r["figure"] != "share"}
        out[group] = Concession(
            group, figures.get("capex_usd"),
            int(figures["term_years"]) if "term_years" in figures else None,
            int(figures["option_years"]) if "option_years" in figures else None, shares,
            {r["figure"]: r["source"] for r in items}, {r["figure"]: r["note"] or "" for r in items})
    return out, problems


def _row_problems(row: dict, line: int, groups: set[str] | None, sources: set[str] | None) -> list[Problem]:
    out = []
    if groups is not None and row["group"] not in groups:
        out.append(Problem(FILE, line, "group", f"no link group {row['group']!r} in links.csv"))
    if (row["figure"] == "share") != (row["holder"] is not None):
        out.append(Problem(FILE, line, "holder", "a share names its holder (a country code); other figures none"))
    if row["figure"] == "share" and row["value"] > 1:
        out.append(Problem(FILE, line, "value", f"a share is between 0 and 1, not {row['value']:g}"))
    if not split_list(row["source"]):
        out.append(Problem(FILE, line, "source", f"{row['figure']} = {row['value']:g} cites no source"))
    out += [Problem(FILE, line, "source", f"cites source {sid!r}, which is not in sources.csv")
            for sid in split_list(row["source"]) if sources is not None and sid not in sources]
    return out


def load_concessions(data_dir: Path | str | None = None) -> dict[str, Concession]:
    """The concessions of a dataset folder by group ({} when it has no ``concessions.csv``).

    Raises
    ------
    DataError
        With every problem found.
    """
    concessions, problems = read_concessions(data_dir)
    if problems:
        raise DataError([str(p) for p in problems])
    return concessions
