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


def constants_table(frame: Any) -> Table:
    """Per count: the route-choice constant, the count, the model without and with it, the fit."""
    table = Table(title="Route-choice constants (US$ per FEU on the corridor's edges)", title_justify="left")
    for col in ("alternative", "direction", "US$/FEU", "observed", "without", "with", "difference", "evaluations",
                "status"):
        table.add_column(col, justify="left" if col in ("alternative", "direction", "status") else "right")
    for r in frame.to_dict("records"):
        table.add_row(r["alternative"], r["direction"] if isinstance(r["direction"], str) else "both", fmt(r["usd_per_feu"], ",.0f", signed=True),
                      fmt(r["observed"], ",.0f"), fmt(r["before"], ",.0f"), fmt(r["after"], ",.0f"),
                      f"{fmt(r['difference_pct'], '.1f', signed=True)} %", str(r["iterations"]), r["status"])
    return table


def elasticity_table(frame: Any) -> Table:
    """Per alternative: volume and share of its market, change per +10 % cost and per +1 day."""
    table = Table(title="Implied elasticities (equilibrium finite differences, constants applied)",
                  title_justify="left")
    for col in ("alternative", "direction", "volume", "share", "+10 % cost", "elasticity", "+1 day", "published"):
        table.add_column(col, justify="left" if col in ("alternative", "direction", "published") else "right")
    for r in frame.to_dict("records"):
        table.add_row(r["alternative"], r["direction"] if isinstance(r["direction"], str) else "both", fmt(r["volume"], ",.0f"), fmt(r["share"], ".2f"),
                      f"{fmt(r['change_cost10_pct'], '.1f', signed=True)} %", fmt(r["elasticity_cost"], ".2f"),
                      f"{fmt(r['change_day_pct'], '.1f', signed=True)} %", r["published"])
    return table


def _constants(year: int, scenario: str | None, data: Path | None, algorithm: str, theta: float,
               as_json: bool) -> None:
    from ..freight.choice_fit import UPPER_USD, estimate_constants
    from ..freight.inputs import freight_inputs

    fit = guarded(lambda: estimate_constants(freight_inputs(scenario, data=data, year=year), year=year,
                                             algorithm=algorithm, theta=theta))
    if as_json:
        emit(fit.to_dict())
        return
    what = f"logit SUE, θ = {fit.theta:g}" if fit.theta is not None else "user equilibrium (Algorithm B)"
    console.print(f"[bold]Route-choice constants, {year}[/] — {what}, class {fit.cargo_class} "
                  f"(US${fit.value_of_time:g} per FEU-hour); {fit.equilibria} equilibria in {fit.wall_time:.1f} s")
    console.print(constants_table(fit.constants))
    for r in fit.constants[fit.constants["status"] != "fitted"].to_dict("records"):
        console.print(f"  {r['alternative']} {r['direction'] if isinstance(r['direction'], str) else 'both ways'}: "
                      f"no constant between US${r['lower']:,.0f} (minus the smallest money cost of its edges) and "
                      f"US${UPPER_USD:,.0f} meets the count; kept at US${r['usd_per_feu']:,.0f}", style="yellow")
    for r in fit.not_identifiable.to_dict("records"):
        console.print(f"  not identifiable: {r['element']} {r['direction'] if isinstance(r['direction'], str) else ''}: {r['reason']}", style="yellow")
    if len(fit.elasticities):
        console.print(elasticity_table(fit.elasticities))


def calibrate(
    year: int = typer.Option(2024, help="The counts' year (and the links open in it)."),
    constants: bool = typer.Option(False, "--constants", help="Estimate the route-choice constants per corridor "
                                   "count instead of the demand, with the implied elasticities."),
    algorithm: str = typer.Option("bush", help="With --constants: bush (user equilibrium) or sue (logit)."),
    theta: float = typer.Option(0.02, help="With --constants and sue: logit dispersion per hour-equivalent."),
    loo: bool = typer.Option(False, "--loo", help="Also predict each count by a fit that did not see it."),
    bare: bool = typer.Option(False, "--bare-costs", help="Fit the demand on the bare costs, without the route-choice "
                              "constants of constants.csv (which corridor assign applies)."),
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

    if constants:
        _constants(year, scenario, data, algorithm, theta, as_json)
        return
    if out is not None and out.exists():
        fail(f"{out} exists: give a new folder for the calibrated dataset")
    cal = guarded(lambda: run_calibration(freight_inputs(scenario, data=data, year=year), year=year,
                                          leave_one_out=loo, regularization=rho, constants=not bare,
                                          progress=False if as_json else None))
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
