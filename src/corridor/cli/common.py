"""What every command shares: the consoles, one clear error, ``--data``, ``--json`` output and number formatting."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.console import Console

from ..errors import CorridorError
from ..formats.json import dumps

T = TypeVar("T")

console = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)

DataOption = typer.Option(None, "--data", help="Dataset folder (default: the bundled one).")
StoreOption = typer.Option(None, "--store", help="Run store file (default: $CORRIDOR_STORE or "
                           "~/.cache/corridor/runs.duckdb).")
JsonOption = typer.Option(False, "--json", help="Print one JSON object.")


def fail(message: str, code: int = 1) -> None:
    """Print one clear error and exit non-zero."""
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def guarded(fn: Callable[[], T]) -> T:
    """``fn()``, with a :class:`~corridor.errors.CorridorError` printed as one clear error and exit 1."""
    try:
        return fn()
    except CorridorError as exc:
        fail(str(exc))
        raise  # unreachable: fail exits


def emit(payload: Any) -> None:
    """Print ``payload`` as JSON on stdout (see :mod:`corridor.formats.json`)."""
    sys.stdout.write(dumps(payload) + "\n")


def fmt(value: Any, spec: str = ",.1f", signed: bool = False) -> str:
    """A number for a table: ``–`` for missing, ``+`` in front when ``signed``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return format(value, ("+" if signed else "") + spec)
