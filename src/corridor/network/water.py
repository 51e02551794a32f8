"""Caspian water levels and what they leave of a ship's load: ``water_levels.csv`` read, checked, looked up.

``water_levels.csv`` gives the Caspian's mean level by year (m, Baltic height system), each row sourced.
Ships at Aktau, Kuryk, Alat and Turkmenbashi load to the depth at the berths and channels, so as the sea
falls they sail underloaded. The load factor is a straight line through two sourced points (docs/costs.md,
``DER-CASPIAN-LF``): full loads at the 2020 level, and the 15 % cut Aktau port reported in May 2024 at the
2024 level. The ``water_level`` scenario operation cuts Caspian ferry and tanker capacity by it and raises
the ferry cost per FEU by its inverse (the same voyage, fewer boxes).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError
from .levies import out_of_bounds
from .rows import Problem, read_rows
from .schema import split_list

WATER_FILE = "water_levels.csv"
WATER_COLUMNS = ("sea", "year", "level_m", "source", "note")
#: the countries with a Caspian coast: a ferry or tanker between two of them crosses the Caspian
CASPIAN_COUNTRIES = frozenset({"AZ", "IR", "KZ", "RU", "TM"})
#: level (m, Baltic system) at which ships still loaded fully: 2020's mean (``KZHYDRO-2020``), before
#: the first reports of underloading (2023)
FULL_LOAD_LEVEL_M = -28.23
#: load factor lost per metre below it: (1 − 5,500 / 6,500 t) / (−28.23 − (−29.18) m) (``DER-CASPIAN-LF``)
LOAD_LOST_PER_M = (1 - 5500 / 6500) / (FULL_LOAD_LEVEL_M - -29.18)
#: plausible bounds (observed −29.5 to −25.7 m since 1900; forecasts reach −34 m by 2050)
WATER_BOUNDS: dict[str, tuple[float, float]] = {"year": (1900, 2100), "level_m": (-35.0, -24.0),
                                                "load_factor": (0.1, 1.0)}


def load_factor(level_m: float) -> float:
    """The share of a full load a Caspian ferry or tanker can take at this sea level (1 above
    :data:`FULL_LOAD_LEVEL_M`, floored at 0.1)."""
    return float(np.clip(1 - LOAD_LOST_PER_M * (FULL_LOAD_LEVEL_M - level_m), 0.1, 1.0))


def read_water_levels(data_dir: Path | str | None = None, *,
                      sources: set[str] | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Read and check ``water_levels.csv`` (the bundled one by default; optional in a user's dataset).

    Returns
    -------
    (DataFrame, list of Problem)
        The levels sorted by sea and year, and every problem with file, line and field.
    """
    folder = Path(data_dir) if data_dir is not None else Path(str(resources.files("corridor") / "data"))
    problems: list[Problem] = []
    rows = []
    for line, row in read_rows(folder / WATER_FILE, WATER_COLUMNS, problems, required=False):
        found = [Problem(WATER_FILE, line, c, why) for c in ("year", "level_m")
                 for why in [out_of_bounds(c, row[c], WATER_BOUNDS)] if why]
        cited = split_list(row["source"])
        if not cited:
            found.append(Problem(WATER_FILE, line, "source", "every row must cite a source of sources.csv"))
        found += [Problem(WATER_FILE, line, "source", f"cites source {s!r}, which is not in sources.csv")
                  for s in cited if sources is not None and s not in sources]
        problems += found
        if not found:
            rows.append({**row, "year": int(float(row["year"])), "level_m": float(row["level_m"]), "line": line})
    frame = pd.DataFrame(rows, columns=[*WATER_COLUMNS, "line"]).sort_values(["sea", "year"], ignore_index=True)
    return frame, problems


def caspian_level(year: int, levels: pd.DataFrame | None = None) -> float:
    """The Caspian's mean level in ``year``, m: straight lines between the years of ``water_levels.csv``,
    the first and last rows' levels before and after them.

    Raises
    ------
    DataError
        When the table has no Caspian row.
    """
    if levels is None:
        levels, problems = read_water_levels()
        if problems:
            raise DataError("\n".join(map(str, problems)))
    rows = levels[levels["sea"] == "caspian"]
    if rows.empty:
        raise DataError(f"{WATER_FILE}: no Caspian level")
    return float(np.interp(year, rows["year"].astype(float), rows["level_m"].astype(float)))


def water_load_factor(args: dict[str, object]) -> float:
    """The load factor a ``water_level`` operation sets: its ``load_factor``, else that of its ``level_m``,
    else that of the Caspian's level in its ``year``."""
    if "load_factor" in args:
        return float(args["load_factor"])  # type: ignore[arg-type]
    level = float(args["level_m"]) if "level_m" in args else caspian_level(int(args["year"]))  # type: ignore[arg-type]
    return load_factor(level)


__all__ = ["CASPIAN_COUNTRIES", "FULL_LOAD_LEVEL_M", "LOAD_LOST_PER_M", "WATER_BOUNDS", "WATER_COLUMNS",
           "WATER_FILE", "caspian_level", "load_factor", "read_water_levels", "water_load_factor"]
