"""``reliability.csv``: the distribution of every time component, read and validated.

One row gives the distribution family and its parameters for the components it matches (see the
"reliability.csv" section of ``corridor/data/README.md``). A row matches a component when each of its
non-empty keys (``mode``, ``country``, ``place``, ``link``, ``months``) matches; the most specific
matching row wins. Problems are reported like the rest of the dataset: file, line and field.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataError
from .load import default_data_dir
from .rows import Problem, read_rows
from .schema import MODES, split_list

FILE = "reliability.csv"

#: time components of a route (``closure`` is a property of a port, read per crossing)
COMPONENTS = ("run", "handling", "port", "gauge", "transfer", "border", "wait", "closure")
FAMILIES = ("fixed", "gamma", "lognormal", "headway", "late")
COLUMNS = ("component", "mode", "country", "place", "link", "months", "family", "cv", "late_share",
           "late_mean_h", "closure_share", "closure_mean_h", "storm_group", "shared", "source",
           "closure_source", "note")

#: specificity weight of each key: a row naming a link beats one naming a place, a country, a mode
_WEIGHT = {"link": 16, "place": 8, "country": 4, "mode": 2, "months": 1}


@dataclass(frozen=True)
class ReliabilityRow:
    """One parsed row of ``reliability.csv``."""

    line: int
    component: str
    mode: str | None
    country: str | None
    place: str | None
    link: str | None
    months: frozenset[int] | None
    family: str | None
    cv: float
    late_share: float
    late_mean_h: float
    closure_share: float
    closure_mean_h: float
    storm_group: str | None
    shared: bool
    source: tuple[str, ...]
    closure_source: tuple[str, ...]

    @property
    def specificity(self) -> int:
        return sum(w for key, w in _WEIGHT.items() if getattr(self, key) is not None)

    def matches(self, *, mode: str | None, country: str | None, places: Iterable[str], link: str | None,
                month: int) -> bool:
        return ((self.mode is None or self.mode == mode)
                and (self.country is None or self.country == country)
                and (self.place is None or self.place in set(places))
                and (self.link is None or self.link == link)
                and (self.months is None or month in self.months))


@dataclass(frozen=True)
class ReliabilityTable:
    """The rows of ``reliability.csv``, grouped by component, with a most-specific-match lookup."""

    rows: tuple[ReliabilityRow, ...]
    path: str = ""

    def lookup(self, component: str, *, mode: str | None = None, country: str | None = None,
               places: Iterable[str] = (), link: str | None = None, month: int = 1) -> ReliabilityRow | None:
        """The most specific row for a component in a month, or None when no row matches."""
        places = tuple(places)
        best: ReliabilityRow | None = None
        for row in self.rows:
            if (row.component == component
                    and row.matches(mode=mode, country=country, places=places, link=link, month=month)
                    and (best is None or row.specificity > best.specificity)):
                best = row
        return best


def _months(text: str) -> frozenset[int]:
    out: set[int] = set()
    for part in text.split("|"):
        part = part.strip()
        lo, _, hi = part.partition("-")
        a, b = int(lo), int(hi or lo)
        if not (1 <= a <= 12 and 1 <= b <= 12 and a <= b):
            raise ValueError(part)
        out.update(range(a, b + 1))
    return frozenset(out)


def _float(row: dict[str, str], key: str, line: int, problems: list[Problem], *, lo: float, hi: float,
           default: float = 0.0) -> float:
    text = row[key].strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        problems.append(Problem(FILE, line, key, f"is not a number (got {text!r})"))
        return default
    if not (lo <= value <= hi) or math.isnan(value):
        problems.append(Problem(FILE, line, key, f"must lie between {lo:g} and {hi:g} (got {text!r})"))
        return default
    return value


def read_reliability(data_dir: Path | str | None = None, *, places: Iterable[str] | None = None,
                     links: Iterable[str] | None = None, sources: Iterable[str] | None = None,
                     required: bool = True) -> tuple[ReliabilityTable, list[Problem]]:
    """Read and validate ``reliability.csv`` of a dataset folder; return the table and every problem.

    Parameters
    ----------
    data_dir : path, optional
        The dataset folder (the bundled one by default).
    places, links, sources : iterable of str, optional
        Known ids; when given, a row naming an unknown place, link or source is a problem.
    required : bool
        Whether a missing file is a problem (else an empty table is returned).
    """
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    path = folder / FILE
    problems: list[Problem] = []
    if not path.exists():
        if required:
            problems.append(Problem(FILE, None, None, f"file is missing from {folder}: reliability needs it"))
        return ReliabilityTable((), str(path)), problems
    known_sources = set(sources) if sources is not None else None
    known_places = set(places) if places is not None else None
    known_links = set(links) if links is not None else None

    rows: list[ReliabilityRow] = []
    for line, raw in read_rows(path, COLUMNS, problems):
        parsed = _parse_row(raw, line, problems, known_places, known_links, known_sources)
        if parsed is not None:
            rows.append(parsed)
    if any(p.line in (None, 1) and p.field is None for p in problems):
        return ReliabilityTable((), str(path)), problems
    # two rows with the same keys whose months overlap would make the lookup ambiguous
    seen: dict[tuple, list[ReliabilityRow]] = {}
    for row in rows:
        key = (row.component, row.mode, row.country, row.place, row.link)
        for other in seen.get(key, []):
            if row.months is None or other.months is None or row.months & other.months:
                problems.append(Problem(FILE, row.line, "months",
                                        f"overlaps line {other.line} (same component and keys): the lookup would be ambiguous"))
        seen.setdefault(key, []).append(row)
    # every component a route can have needs a catch-all row
    for component in COMPONENTS:
        if component == "closure":
            continue
        if not any(r.component == component and r.specificity == 0 for r in rows):
            problems.append(Problem(FILE, None, "component",
                                    f"no catch-all row for {component!r} (mode, country, place, link and months empty)"))
    return ReliabilityTable(tuple(rows), str(path)), problems


def _parse_row(raw: dict[str, str], line: int, problems: list[Problem], places: set[str] | None,
               links: set[str] | None, sources: set[str] | None) -> ReliabilityRow | None:
    before = len(problems)
    value = {k: (v or "").strip() for k, v in raw.items()}
    component = value["component"]
    if component not in COMPONENTS:
        problems.append(Problem(FILE, line, "component", f"must be one of {', '.join(COMPONENTS)} (got {component!r})"))
    mode = value["mode"] or None
    if mode is not None and mode not in MODES:
        problems.append(Problem(FILE, line, "mode", f"must be one of {', '.join(MODES)} or empty (got {mode!r})"))
    country = value["country"] or None
    if country is not None and not (len(country) == 2 and country.isalpha() and country.isupper()):
        problems.append(Problem(FILE, line, "country", f"must be an ISO 3166-1 alpha-2 code or empty (got {country!r})"))
    place = value["place"] or None
    if place is not None and places is not None and place not in places:
        problems.append(Problem(FILE, line, "place", f"unknown place {place!r}"))
    link = value["link"] or None
    if link is not None and links is not None and link not in links:
        problems.append(Problem(FILE, line, "link", f"unknown link {link!r}"))
    months = None
    if value["months"]:
        try:
            months = _months(value["months"])
        except ValueError:
            problems.append(Problem(FILE, line, "months",
                                    f"must be months 1-12 separated by '|', ranges as 11-12 (got {value['months']!r})"))
    family = value["family"] or None
    if component == "closure":
        if family is not None:
            problems.append(Problem(FILE, line, "family", "a closure row has no family: leave it empty"))
    elif family not in FAMILIES:
        problems.append(Problem(FILE, line, "family", f"must be one of {', '.join(FAMILIES)} (got {value['family']!r})"))
    cv = _float(value, "cv", line, problems, lo=0, hi=5)
    if family in ("gamma", "lognormal") and not value["cv"]:
        problems.append(Problem(FILE, line, "cv", f"a {family} row needs a coefficient of variation"))
    late_share = _float(value, "late_share", line, problems, lo=0, hi=1)
    late_mean_h = _float(value, "late_mean_h", line, problems, lo=0, hi=24 * 60)
    if family == "late" and (not value["late_share"] or not value["late_mean_h"]):
        problems.append(Problem(FILE, line, "late_share", "a late row needs late_share and late_mean_h"))
    closure_share = _float(value, "closure_share", line, problems, lo=0, hi=0.95)
    closure_mean_h = _float(value, "closure_mean_h", line, problems, lo=0, hi=24 * 60)
    if component == "closure" and (not value["closure_share"] or not value["closure_mean_h"]):
        problems.append(Problem(FILE, line, "closure_share", "a closure row needs closure_share and closure_mean_h"))
    if component != "closure" and (value["closure_share"] or value["closure_mean_h"]):
        problems.append(Problem(FILE, line, "closure_share", "only closure rows carry closure_share and closure_mean_h"))
    shared_text = value["shared"].lower()
    if shared_text not in ("", "true", "false"):
        problems.append(Problem(FILE, line, "shared", f"must be true, false or empty (got {value['shared']!r})"))
    source, closure_source = tuple(split_list(value["source"])), tuple(split_list(value["closure_source"]))
    problems += _citation_problems(line, component, family, source, closure_source, sources)
    if len(problems) > before:
        return None
    return ReliabilityRow(line=line, component=component, mode=mode, country=country, place=place, link=link,
                          months=months, family=family, cv=cv, late_share=late_share, late_mean_h=late_mean_h,
                          closure_share=closure_share, closure_mean_h=closure_mean_h,
                          storm_group=value["storm_group"] or None, shared=shared_text == "true",
                          source=source, closure_source=closure_source)


def _citation_problems(line: int, component: str, family: str | None, source: tuple[str, ...],
                       closure_source: tuple[str, ...], sources: set[str] | None) -> list[Problem]:
    out = []
    if component != "closure" and not source:
        out.append(Problem(FILE, line, "source", f"the {family or 'row'} parameters cite no source"))
    if component == "closure" and not closure_source:
        out.append(Problem(FILE, line, "closure_source", "the closure figures cite no source"))
    for column, ids in (("source", source), ("closure_source", closure_source)):
        out += [Problem(FILE, line, column, f"cites source {sid!r}, which is not in sources.csv")
                for sid in ids if sources is not None and sid not in sources]
    return out


def load_reliability(data_dir: Path | str | None = None, *, network: object | None = None) -> ReliabilityTable:
    """Load ``reliability.csv`` (the bundled one by default), checking ids against ``network`` if given.

    Raises
    ------
    DataError
        With every problem found, each naming file, line and field.
    """
    places = links = sources = None
    if network is not None:
        places = list(network.places["id"])  # type: ignore[attr-defined]
        links = list(network.links["id"])  # type: ignore[attr-defined]
        sources = list(network.sources["id"])  # type: ignore[attr-defined]
    table, problems = read_reliability(data_dir, places=places, links=links, sources=sources)
    if problems:
        raise DataError([str(p) for p in problems])
    return table


__all__ = ["COMPONENTS", "FAMILIES", "ReliabilityRow", "ReliabilityTable", "load_reliability", "read_reliability"]
