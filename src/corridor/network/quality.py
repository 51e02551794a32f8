"""How well sourced the dataset is: per file, the share of figures resting on published, derived and
estimated sources (``corridor data quality``) — where the next sourcing effort should go.

A figure counts as its weakest citation: one estimate among its sources makes it an estimate.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .energy_table import ASSET_FIGURES, ASSETS_FILE, NODE_FIGURES, NODES_FILE
from .load import default_data_dir, read_tables
from .rows import read_rows
from .schema import FIGURE_SOURCES, SOURCE_KINDS, split_list

#: weakest first: a figure is as strong as its weakest citation
STRENGTH = ("estimate", "derived", "published")
assert set(STRENGTH) == set(SOURCE_KINDS)


def source_quality(data_dir: Path | str | None = None) -> pd.DataFrame:
    """One row per file: ``figures`` (cells that hold a figure), and the share ``published``, ``derived``,
    ``estimate`` (and ``unsourced``) among them, weakest citation counted.

    Examples
    --------
    >>> q = source_quality()
    >>> bool(((q["published"] + q["derived"] + q["estimate"] + q["unsourced"]).round(6) == 1).all())
    True
    """
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    tables, _, _, _ = read_tables(folder)
    kind = dict(zip(tables["sources.csv"]["id"], tables["sources.csv"]["kind"]))
    files = {name: tables[name].to_dict("records") for name in FIGURE_SOURCES}
    for name in (NODES_FILE, ASSETS_FILE):
        if (folder / name).is_file():
            files[name] = [row for _, row in read_rows(folder / name, read_header(folder / name), [])]
    figures_of = {**FIGURE_SOURCES, NODES_FILE: NODE_FIGURES, ASSETS_FILE: ASSET_FIGURES}
    out = []
    for name, rows in files.items():
        figures = figures_of[name]
        counts = dict.fromkeys((*STRENGTH, "unsourced"), 0)
        for row in rows:
            for figure, column in figures.items():
                if row.get(figure) in (None, "") or pd.isna(row.get(figure)):
                    continue
                kinds = [kind.get(s) for s in split_list(row.get(column))]
                weakest = min((STRENGTH.index(k) for k in kinds if k in STRENGTH), default=None)
                counts[STRENGTH[weakest] if weakest is not None else "unsourced"] += 1
        total = sum(counts.values())
        out.append({"file": name, "figures": total, **{k: (v / total if total else 0.0) for k, v in counts.items()}})
    return pd.DataFrame(out).sort_values("estimate", ascending=False, kind="stable").reset_index(drop=True)


def read_header(path: Path) -> list[str]:
    """The column names of a CSV file's first line."""
    with path.open(encoding="utf-8-sig") as handle:
        return [c.strip() for c in handle.readline().rstrip("\r\n").split(",")]
