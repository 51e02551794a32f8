"""EU ETS allowances and war-risk premia: ``ets.csv`` and ``premia.csv`` read, checked and looked up.

``ets.csv`` has one row per year: the EUA price (EUR per t CO2e), the share of verified emissions
surrendered that year (the phase-in of Directive (EU) 2023/959) and US$ per euro. ``premia.csv`` has
one row per sea passage (or area named by its passage) and the year a rate comes into force: the
additional premium per transit as a percent of hull value and of cargo value, and the hull value per
FEU it is taken on. Both files are optional in a user's dataset (none: no ETS, no premia); the bundled
ones cite ``sources.csv`` row by row. docs/costs.md gives the formulas and the sources.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from ..errors import DataError
from ..validate import suggestion
from .rows import Problem, read_rows
from .schema import split_list

ETS_FILE = "ets.csv"
PREMIA_FILE = "premia.csv"
ETS_COLUMNS = ("year", "eua_eur_per_t", "surrender_share", "usd_per_eur", "source", "note")
PREMIA_COLUMNS = ("area", "year", "hull_pct", "cargo_pct", "hull_usd_per_feu", "source", "note")
#: the share of a voyage's emissions the EU ETS covers: between two EU ports, and into or out of the EU
#: (Directive (EU) 2023/959, ``EU-DIR-2023-959``)
SHARE_WITHIN_EU, SHARE_INTO_OR_OUT_OF_EU = 1.0, 0.5
#: plausible bounds of each figure; a value outside is refused with them (EUAs peaked near EUR 100 in
#: 2023; Black Sea premia reached 10 % of hull value in 2022)
BOUNDS: dict[str, tuple[float, float]] = {
    "year": (1990, 2100), "eua_eur_per_t": (0.0, 1000.0), "surrender_share": (0.0, 1.0),
    "usd_per_eur": (0.5, 2.0), "hull_pct": (0.0, 20.0), "cargo_pct": (0.0, 20.0),
    "hull_usd_per_feu": (0.0, 200_000.0),
}
#: everyday names of sea areas and passages → the passage (searoute's name) that defines them
AREA_ALIASES = {"cape": "south_africa", "cape_of_good_hope": "south_africa", "hormuz": "ormuz", "gulf": "ormuz",
                "persian_gulf": "ormuz", "red_sea": "babalmandab", "bab_el_mandeb": "babalmandab"}


def empty_ets() -> pd.DataFrame:
    """An ``ets.csv`` with no row: the ETS prices nothing."""
    return pd.DataFrame(columns=[*ETS_COLUMNS, "line"])


def empty_premia() -> pd.DataFrame:
    """A ``premia.csv`` with no row: no premium anywhere."""
    return pd.DataFrame(columns=[*PREMIA_COLUMNS, "line"])


def out_of_bounds(name: str, value: object, bounds: dict[str, tuple[float, float]] | None = None) -> str | None:
    """Why ``value`` is not a plausible ``name`` (None when it is), by :data:`BOUNDS` or the ``bounds`` given."""
    lo, hi = (BOUNDS if bounds is None else bounds)[name]
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = math.nan
    if isinstance(value, bool) or not (math.isfinite(number) and lo <= number <= hi):
        return f"must be a number from {lo:g} to {hi:g}, not {value!r}"
    if name == "year" and number != int(number):
        return f"must be a whole year, not {value!r}"
    return None


def area_name(name: str, passages: Iterable[str]) -> str:
    """The passage an area or passage name stands for; an unknown one names the nearest valid ones.

    Raises
    ------
    ValueError
        With the nearest passages and area names.
    """
    known = sorted(set(passages))
    key = str(name).strip().lower().replace("-", "_").replace(" ", "_")
    key = AREA_ALIASES.get(key, key)
    if key in known:
        return key
    names = known + sorted(a for a, p in AREA_ALIASES.items() if p in known)
    hint = suggestion(key, known, {a: p for a, p in AREA_ALIASES.items() if p in known})
    hint = f"{hint} " if hint else ""
    raise ValueError(f"unknown sea area or passage {name!r}: {hint}the network's are {', '.join(names)}")


def _read(folder: Path, file: str, columns: tuple[str, ...], keys: tuple[str, ...],
          sources: set[str] | None) -> tuple[list[dict], list[Problem]]:
    """Rows with their figures checked against :data:`BOUNDS` and their sources; duplicates on ``keys``."""
    problems: list[Problem] = []
    records, seen = [], {}
    for line, row in read_rows(folder / file, columns, problems, required=False):
        found = [Problem(file, line, c, why) for c in columns if c in BOUNDS
                 for why in [out_of_bounds(c, row[c])] if why]
        cited = split_list(row["source"])
        if not cited:
            found.append(Problem(file, line, "source", "every row must cite a source of sources.csv"))
        found += [Problem(file, line, "source", f"cites source {s!r}, which is not in sources.csv")
                  for s in cited if sources is not None and s not in sources]
        key = tuple(row[k] for k in keys)
        if key in seen:
            found.append(Problem(file, line, keys[0], f"duplicate {'/'.join(keys)} {'/'.join(key)} "
                                                      f"(first on line {seen[key]})"))
        seen.setdefault(key, line)
        problems += found
        if not found:
            records.append({**row, **{c: float(row[c]) for c in columns if c in BOUNDS and c != "year"},
                            "year": int(float(row["year"])), "line": line})
    return records, problems


def read_levies(data_dir: Path | str, *, passages: Iterable[str] | None = None,
                sources: Iterable[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame, list[Problem]]:
    """Read and check ``ets.csv`` and ``premia.csv`` of a dataset folder (both optional).

    Parameters
    ----------
    data_dir : path
        The dataset folder.
    passages : iterable of str, optional
        The sea passages the network's links use; a premium for another is a problem naming the nearest.
    sources : iterable of str, optional
        Known ``sources.csv`` ids.

    Returns
    -------
    (DataFrame, DataFrame, list of Problem)
        The ETS table by year, the premia (``area`` as the passage's own name) and every problem.
    """
    folder, known = Path(data_dir), set(sources) if sources is not None else None
    ets, problems = _read(folder, ETS_FILE, ETS_COLUMNS, ("year",), known)
    premia, premia_problems = _read(folder, PREMIA_FILE, PREMIA_COLUMNS, ("area", "year"), known)
    problems += premia_problems
    if passages is not None:
        good = []
        for row in premia:
            try:
                good.append({**row, "area": area_name(row["area"], passages)})
            except ValueError as exc:
                problems.append(Problem(PREMIA_FILE, row["line"], "area", str(exc)))
        premia = good
    ets_frame = pd.DataFrame(ets, columns=[*ETS_COLUMNS, "line"]).sort_values("year", ignore_index=True)
    premia_frame = pd.DataFrame(premia, columns=[*PREMIA_COLUMNS, "line"]).sort_values(["area", "year"],
                                                                                        ignore_index=True)
    return ets_frame, premia_frame, problems


def allowance_cost(ets: pd.DataFrame, year: int) -> tuple[float, float]:
    """The share of verified emissions surrendered in ``year`` and the allowance price, US$ per t CO2e.

    Before the first year of the table shipping was not in the ETS (0, 0); after the last, its price
    holds (no forecast of our own).

    Raises
    ------
    DataError
        For a year inside the table's span that has no row: which years exist.
    """
    if ets.empty or year < int(ets["year"].min()):
        return 0.0, 0.0
    years = ets["year"].astype(int).tolist()
    if year <= years[-1] and year not in years:
        raise DataError(f"{ETS_FILE}: no EUA price for {year}; prices exist for {', '.join(map(str, years))} "
                        "(add a row, or an `ets_price` operation)")
    row = ets.iloc[years.index(min(year, years[-1]))]
    return float(row["surrender_share"]), float(row["eua_eur_per_t"]) * float(row["usd_per_eur"])


def premia_in_force(premia: pd.DataFrame, year: int) -> dict[str, tuple[float, float, float]]:
    """Per passage, the premium in force in ``year`` (its latest row from that year or before):
    (percent of hull value, percent of cargo value, hull value in US$ per FEU)."""
    rows = premia[premia["year"] <= year].sort_values("year").groupby("area").last()
    return {area: (float(r.hull_pct), float(r.cargo_pct), float(r.hull_usd_per_feu)) for area, r in rows.iterrows()}


__all__ = ["AREA_ALIASES", "BOUNDS", "ETS_COLUMNS", "ETS_FILE", "PREMIA_COLUMNS", "PREMIA_FILE",
           "SHARE_INTO_OR_OUT_OF_EU", "SHARE_WITHIN_EU", "allowance_cost", "area_name", "empty_ets",
           "empty_premia", "out_of_bounds", "premia_in_force", "read_levies"]
