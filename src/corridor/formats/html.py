"""Compact HTML for notebooks: the ``_repr_html_`` of the results people look at.

A title, a line of key figures, then a few small tables, numbers rounded for reading. Nothing is
computed here: each result passes what it already holds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from html import escape
from typing import Any

import pandas as pd

#: rows shown per table (the rest is counted, not drawn)
ROWS = 10


def number(value: Any) -> str:
    """A figure for reading: whole thousands separated, two decimals from 1 to 1,000, three significant
    digits below 1, ``–`` when missing (years and other small whole numbers as they are)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.2f}" if abs(value) >= 1 else f"{value:.3g}"


def html_card(title: str, facts: Mapping[str, Any] | None = None,
              tables: Mapping[str, pd.DataFrame] | None = None, rows: int = ROWS) -> str:
    """A title, ``facts`` as one line of ``name: value``, then each table under its caption (its first
    ``rows`` rows, the count of the rest in the caption)."""
    parts = [f"<div class='corridor-result'><strong>{escape(title)}</strong>"]
    if facts:
        parts.append("<br>" + " · ".join(f"{escape(k)}: <b>{escape(number(v))}</b>" for k, v in facts.items()))
    for caption, frame in (tables or {}).items():
        more = f" (first {rows} of {len(frame)})" if len(frame) > rows else ""
        parts.append(f"<p style='margin:0.6em 0 0.2em'>{escape(caption)}{more}</p>")
        parts.append(frame.head(rows).to_html(index=False, border=0, na_rep="–", float_format=number))
    return "".join(parts) + "</div>"


__all__ = ["ROWS", "html_card", "number"]
