"""``corridor sweep`` and ``corridor runs``: grids of scenarios × parameters, and the run store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from ..formats.json import dumps
from .common import DataOption, JsonOption, StoreOption, console, emit, err, guarded

runs_app = typer.Typer(help="The run store: list, show and export stored runs.", no_args_is_help=True)


def sweep(
    spec: Path = typer.Argument(..., help="Sweep file (YAML): analysis, scenarios, parameters, fixed."),
    workers: int = typer.Option(0, "--workers", "-j", help="Local processes (0: one per CPU)."),
    ray: str | None = typer.Option(None, "--ray", help="Run on a Ray cluster at ADDRESS (host:port) or `local`."),
    store: Path | None = StoreOption,
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Print a line on stderr as each run is stored."),
    as_json: bool = JsonOption,
    data: Path | None = DataOption,
) -> None:
    """Run a grid of scenarios × parameters; every run lands in the run store, stored runs are reused."""
    from ..parallel import default_workers, progress_bar
    from ..store import RunStore
    from ..sweep import load_sweep, run_sweep

    s = guarded(lambda: load_sweep(spec))
    rs = guarded(lambda: RunStore(store))
    with progress_bar(err) as bar:
        def log(run: Any) -> None:
            err.print(f"stored {run.key} {run.scenario} {dumps(run.params, indent=None)} "
                      f"({run.seconds:.2f} s)", highlight=False, soft_wrap=True)

        res = guarded(lambda: run_sweep(s, data=data, store=rs, workers=workers or default_workers(),
                                       ray_address=ray, progress=bar, on_run=log if verbose else None))
    if as_json:
        emit(res.to_dict())
        return
    console.print(f"sweep [bold]{s.name}[/] ({s.analysis}): {len(res.keys)} runs — {res.computed} computed, "
                  f"{res.reused} reused from {res.store} — {res.seconds:.1f} s")


@runs_app.command("list")
def runs_list(
    kind: str | None = typer.Option(None, "--kind", help="Only runs of this analysis."),
    sweep_name: str | None = typer.Option(None, "--sweep", help="Only runs of this sweep."),
    store: Path | None = StoreOption,
    as_json: bool = JsonOption,
) -> None:
    """The stored runs, oldest first."""
    from ..store import RunStore

    frame = guarded(lambda: RunStore(store).frame(kind=kind, sweep=sweep_name))
    if as_json:
        emit(frame)
        return
    table = Table(title=f"{len(frame)} runs", title_justify="left")
    for col in ("key", "kind", "sweep", "scenario", "params", "seconds", "created"):
        table.add_column(col)
    for r in frame.itertuples(index=False):
        table.add_row(r.key[:12], r.kind, r.sweep or "", r.scenario, r.params, f"{r.seconds:.2f}", str(r.created)[:19])
    console.print(table)

@runs_app.command("show")
def runs_show(
    key: str = typer.Argument(..., help="A run key (or its first characters)."),
    store: Path | None = StoreOption,
    as_json: bool = typer.Option(False, "--json", help="Print the whole run as JSON."),
) -> None:
    """One stored run: its parameters, versions, summary (and with --json its full result)."""
    from ..store import RunStore

    run = guarded(lambda: RunStore(store).get(key))
    if as_json:
        emit(run.to_dict())
        return
    d = run.to_dict()
    d.pop("result")
    for k, v in d.items():
        console.print(f"[bold]{k}[/]: {dumps(v, indent=None) if isinstance(v, (dict, list)) else v}")

@runs_app.command("export")
def runs_export(
    parquet: Path = typer.Option(..., "--parquet", help="Parquet file to write."),
    kind: str | None = typer.Option(None, "--kind", help="Only runs of this analysis."),
    sweep_name: str | None = typer.Option(None, "--sweep", help="Only runs of this sweep."),
    store: Path | None = StoreOption,
) -> None:
    """Write the stored runs (with results as JSON text) to a Parquet file."""
    from ..store import RunStore

    rs = guarded(lambda: RunStore(store))
    path = guarded(lambda: rs.export_parquet(parquet, kind=kind, sweep=sweep_name))
    console.print(f"wrote {path}")
