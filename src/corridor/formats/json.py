"""One way to make results JSON-safe: numpy scalars as Python numbers, NaN and infinities as null,
dates as ISO text, tables as lists of records.

Every interface (``--json`` of the CLI, the REST API, the run store) writes results through here, so
the same result reads the same everywhere.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd


def json_safe(value: Any, digits: int | None = None) -> Any:
    """``value`` with every part JSON-safe (recursively through dicts, lists and tables).

    Parameters
    ----------
    value : any
        A dict, list, tuple, DataFrame, numpy or Python scalar, date …
    digits : int, optional
        Round floats to this many decimals.

    Examples
    --------
    >>> json_safe({"a": np.float64(1.5), "b": float("nan"), "c": [np.int64(2)]})
    {'a': 1.5, 'b': None, 'c': [2]}
    """
    if isinstance(value, dict):
        return {str(k): json_safe(v, digits) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v, digits) for v in value]
    if isinstance(value, pd.DataFrame):
        return records(value, digits)
    if isinstance(value, np.ndarray):
        return [json_safe(v, digits) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return round(value, digits) if digits is not None else value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def records(frame: pd.DataFrame | None, digits: int | None = None) -> list[dict[str, Any]] | None:
    """A table's rows as JSON-safe dicts (missing values as None); None stays None."""
    if frame is None:
        return None
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return [{str(k): json_safe(v, digits) for k, v in row.items()} for row in rows]


def dumps(payload: Any, *, indent: int | None = 2) -> str:
    """JSON text of ``payload`` (made JSON-safe first), UTF-8 characters kept as they are."""
    return json.dumps(json_safe(payload), ensure_ascii=False, indent=indent, allow_nan=False, default=str)
