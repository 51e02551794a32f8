"""One validation layer for every interface: options are checked here, in the library, so the CLI, the
REST API and sweeps refuse the same things with the same sentence.

Each check returns the value (normalised) or raises :class:`~corridor.errors.InvalidOptionError`
naming the option, what was given and what is allowed.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable

from .errors import InvalidOptionError

#: the years the model answers for: the dataset's figures are of 1990 onwards, plans reach 2100
YEARS = (1990, 2100)


def year(value: int | None, what: str = "year") -> int | None:
    """A calendar year within :data:`YEARS` (None stays None: "this year" or the scenario's)."""
    if value is None:
        return None
    return whole(value, what, *YEARS)


def whole(value: int, what: str, lo: int, hi: int) -> int:
    """A whole number between ``lo`` and ``hi``."""
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise InvalidOptionError(f"{what} must be a whole number from {_n(lo)} to {_n(hi)}, not {value!r}")
    return value


def number(value: float, what: str, lo: float = -math.inf, hi: float = math.inf, *,
           open_lo: bool = False) -> float:
    """A finite number within ``[lo, hi]`` (``(lo, hi]`` with ``open_lo``)."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InvalidOptionError(f"{what} must be a number, not {value!r}") from None
    low_ok = x > lo if open_lo else x >= lo
    if not (math.isfinite(x) and low_ok and x <= hi):
        bounds = f"{'above' if open_lo else 'at least'} {lo:g}" if math.isfinite(lo) else ""
        bounds += (" and " if bounds and math.isfinite(hi) else "") + (f"at most {hi:g}" if math.isfinite(hi) else "")
        raise InvalidOptionError(f"{what} must be a finite number{' ' + bounds if bounds else ''}, not {value!r}")
    return x


def choices(values: Iterable[str], known: Iterable[str], what: str, *, upper: bool = False,
            aliases: dict[str, str] | None = None, allowed: str | None = None) -> list[str]:
    """Names from ``known`` (or their ``aliases``), matched without regard to case or surrounding space;
    an unknown one is refused with the nearest known names (and ``allowed``, else the list of them)."""
    values = [v for v in values if str(v).strip()]
    if not values:
        return []
    known = sorted(set(known))
    folded = _folded(known, aliases)
    out = []
    for v in values:
        key = str(v).strip().casefold()
        if key not in folded:
            hint = suggestion(v, known, aliases)
            hint = f"{hint} " if hint else ""
            raise InvalidOptionError(f"unknown {what} {str(v)!r}; {hint}{allowed or 'known: ' + (', '.join(known) or 'none')}")
        out.append(folded[key].upper() if upper else folded[key])
    return out


def nearest(value: str, known: Iterable[str], aliases: dict[str, str] | None = None) -> list[str]:
    """Up to three names of ``known`` nearest to ``value`` by spelling (any case, aliases too)."""
    folded = _folded(known, aliases)
    near = difflib.get_close_matches(str(value).strip().casefold(), list(folded), n=3, cutoff=0.5)
    return list(dict.fromkeys(folded[n] for n in near))


def suggestion(value: str, known: Iterable[str], aliases: dict[str, str] | None = None) -> str:
    """``"did you mean a, b?"`` with the :func:`nearest` names, or ``""`` when none is near."""
    near = nearest(value, known, aliases)
    return f"did you mean {', '.join(near)}?" if near else ""


def _folded(known: Iterable[str], aliases: dict[str, str] | None) -> dict[str, str]:
    """Every accepted spelling, case-folded → its canonical name."""
    known = set(known)
    return {k.casefold(): k for k in known} | {a.casefold(): k for a, k in (aliases or {}).items() if k in known}


def choice(value: str, known: Iterable[str], what: str) -> str:
    """One name from ``known`` (see :func:`choices`); an empty one is refused too."""
    found = choices([value], known, what)
    if not found:
        raise InvalidOptionError(f"{what} is empty; choose one of {', '.join(sorted(set(known)))}")
    return found[0]


def _n(x: int) -> str:
    return f"{x:,}" if abs(x) >= 10_000 else str(x)
