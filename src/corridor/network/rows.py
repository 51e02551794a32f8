"""The one CSV row reader of the dataset: every problem collected, each with file, line and field.

Every table (``places.csv`` … ``energy_assets.csv``, ``capacities.csv``, ``reliability.csv``,
``zones.csv``/``demand.csv``) is read here, so a bad file gets the same kind of message whichever
table it is, and a reader never stops at the first problem.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ValidationError


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the dataset, located by file, line and field."""

    file: str
    line: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file + (f" line {self.line}" if self.line else "")
        where += f", field {self.field!r}" if self.field else ""
        return f"{where}: {self.message}"


def columns_of(model: type[BaseModel]) -> list[str]:
    """The CSV columns of a row model (field aliases where given, e.g. ``from``)."""
    return [f.alias or key for key, f in model.model_fields.items()]


def read_rows(path: Path, columns: Sequence[str], problems: list[Problem], *,
              required: bool = True, optional: Sequence[str] = ()) -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV file as ``(line, {column: text})``, values stripped.

    A missing file (when ``required``), a header other than ``columns`` (in any order; the ``optional``
    ones may be left out), a row with the wrong number of columns and text that is not UTF-8 CSV are
    added to ``problems``; the rows that can be read are returned.
    """
    name = path.name
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:  # a spreadsheet's BOM is fine
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [c for c in columns if c not in header and c not in optional]
            extra = [c for c in header if c not in columns]
            if missing or extra:
                problems.append(Problem(name, 1, None, f"header must be {','.join(columns)}"
                                        + (f"; missing {missing}" if missing else "")
                                        + (f"; unexpected {extra}" if extra else "")))
                return []
            rows = []
            for row in reader:
                if None in row or any(v is None for v in row.values()):
                    problems.append(Problem(name, reader.line_num, None,
                                            f"has a wrong number of columns (expected {len(columns)})"))
                    continue
                rows.append((reader.line_num, {k: v.strip() for k, v in row.items()}))
            return rows
    except FileNotFoundError:
        if required:
            problems.append(Problem(name, None, None, f"file is missing from {path.parent}"))
    except (UnicodeDecodeError, csv.Error) as exc:
        problems.append(Problem(name, None, None, f"cannot be read as UTF-8 CSV: {exc}"))
    return []


def parse_rows(name: str, rows: list[tuple[int, dict[str, str]]], model: type[BaseModel],
               problems: list[Problem]) -> tuple[list[dict], list[int]]:
    """Validate each row with ``model``; return the good records and their lines, add the rest to ``problems``."""
    parsed, lines = [], []
    for line, row in rows:
        try:
            record = model.model_validate(row).model_dump(by_alias=True)
        except ValidationError as exc:
            for err in exc.errors():
                fld = ".".join(str(p) for p in err["loc"]) or None
                got = row.get(fld, "") if fld else ""
                problems.append(Problem(name, line, fld, f"{err['msg']} (got {got!r})"))
            continue
        parsed.append(record)
        lines.append(line)
    return parsed, lines
