"""``corridor calibrate``: the corridor demand adjusted to the observed counts (ODME, Spiess 1990)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from .common import DataOption, JsonOption, console, emit, fail, fmt, guarded


def count_table(frame: Any, year: int) -> Table:
    """Per count: observed, the prior's and the calibrated model's volume, difference, fit status."""
    table = Table(title=f"Counts {year}, TEU per year: prior and calibrated model", title_justify="left")
    loo = "predicted" in frame
    cols = ["count", "direction", "observed", "prior", "model", "difference", "status"]
    for col in cols[:2] + cols[2:6] + (["left out (LOO)"] if loo else []) + cols[6:]:
        table.add_column(col, justify="left" if col in ("count", "direction", "status") else "right")
    for r in frame.to_dict("records"):
        style = "green" if r["status"] == "fitted" else "yellow"
        row = [r["element"], r["direction"] if isinstance(r["direction"], str) else "both", fmt(r["observed"], ",.0f"),
               fmt(r["prior"], ",.0f"), fmt(r["model"], ",.0f"),
               f"{fmt(r['difference'], ',.0f', signed=True)} ({fmt(r['difference_pct'], '.1f', signed=True)} %)"]
        if loo:
            row.append(f"{fmt(r['predicted'], ',.0f')} ({fmt(r['predicted_pct'], '.1f', signed=True)} %)")
        table.add_row(*row, f"[{style}]{r['status']}[/]")
    return table


def unused_table(frame: Any) -> Table:
    """The year's counts the model cannot represent, and why."""
    table = Table(title="Counts not used", title_justify="left")
    for col in ("count", "class", "value", "direction", "why"):
        table.add_column(col, justify="right" if col == "value" else "left")
    for r in frame.to_dict("records"):
        table.add_row(r["element"], r["class"], f"{fmt(r['value'], ',.0f')} {r['unit']}",
                      r["direction"] if isinstance(r["direction"], str) else "both", r["reason"])
    return table


def calibrate(
    year: int = typer.Option(2024, help="The counts' year (and the links open in it)."),
    loo: bool = typer.Option(False, "--loo", help="Also predict each count by a fit that did not see it."),
    rho: float = typer.Option(0.1, "--rho", help="Regularisation toward the prior (TEU² per TEU² of count misfit)."),
    out: Path | None = typer.Option(None, "--out", help="Write the dataset with the calibrated demand.csv to this "
                                    "new folder (then run any command on it with --data)."),
    scenario: str | None = typer.Option(None, help="A scenario (bundled name or YAML file) applied first."),
    as_json: bool = JsonOption,
    data: Path | None = DataOption,
) -> None:
    """Calibrate the corridor demand to the observed counts (counts.csv) under user equilibrium: Spiess's
    gradient method, each cell held within its sources' uncertainty range."""
    from ..freight import calibrate as run_calibration
    from ..freight.inputs import freight_inputs

    if out is not None and out.exists():
        fail(f"{out} exists: give a new folder for the calibrated dataset")
    cal = guarded(lambda: run_calibration(freight_inputs(scenario, data=data, year=year), year=year,
                                          leave_one_out=loo, regularization=rho, progress=False if as_json else None))
    written = cal.write_dataset(out, data) if out is not None else None
    if as_json:
        emit(cal.to_dict() | {"dataset": str(written) if written else None})
        return
    console.print(f"[bold]Calibration to the {year} counts[/] — RMSE {cal.prior_rmse_pct:.1f} % (prior) → "
                  f"{cal.rmse_pct:.1f} % after {cal.iterations} equilibria in {cal.wall_time:.1f} s"
                  + (f"; leave-one-out RMSE {cal.loo_rmse_pct:.1f} %" if cal.loo_rmse_pct is not None else "")
                  + ("" if cal.converged else " [yellow](iteration cap reached)[/]"))
    console.print(count_table(cal.counts, year))
    for r in cal.counts[cal.counts["status"] != "fitted"].to_dict("records"):
        console.print(f"  {r['element']}: {r['reason']}", style="yellow")
    if len(cal.not_used):
        console.print(unused_table(cal.not_used))
    d = cal.demand
    console.print(f"Demand {d['prior'].sum():,.0f} → {d['teu_per_year'].sum():,.0f} TEU/yr; cells within their "
                  "sources' uncertainty ranges (uncertainty.csv; ±10 % where a cell cites no estimate).", style="dim")
    if written:
        console.print(f"calibrated dataset: {written} (use --data {written})")
