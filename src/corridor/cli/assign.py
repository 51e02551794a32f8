"""``corridor assign``: the corridor demand on the network with capacities, bottlenecks, corridor volumes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import typer
from rich.table import Table

from .common import DataOption, JsonOption, console, emit, guarded


def _num(value: float | None, fmt: str = "{:,.0f}") -> str:
    if value is None or pd.isna(value):
        return "–"
    return fmt.format(value)


def bottleneck_table(frame, title: str) -> Table:  # type: ignore[no-untyped-def]
    """Bottlenecks as a rich table."""
    table = Table(title=title, title_justify="left")
    for col, justify in (("#", "right"), ("where", "left"), ("kind", "left"), ("TEU/yr", "right"),
                         ("capacity", "right"), ("v/c", "right"), ("dwell h", "right"), ("delay h", "right"),
                         ("TEU·h delay/yr", "right"), ("element", "left")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for i, r in enumerate(frame.to_dict("records"), 1):
        vc = r["vc"]
        style = "bold red" if vc > 1.0 else ("yellow" if vc > 0.8 else "")
        table.add_row(str(i), r["name"], r["kind"], _num(r["volume_teu"]), _num(r["capacity_teu"]),
                      f"[{style}]{vc:.2f}[/]" if style else f"{vc:.2f}", f"{r['free_h']:.1f}", f"{r['delay_h']:.1f}",
                      _num(r["teu_delay_h"]), str(r["element"]))
    return table


def corridor_table(frame) -> Table:  # type: ignore[no-untyped-def]
    """Corridor volumes beside the published ones."""
    table = Table(title="Corridor volumes, TEU per year (both directions)", title_justify="left")
    year = int(frame["year"].iat[0]) if len(frame) else ""
    for col, justify in (("corridor", "left"), ("model", "right"), (f"published {year}", "right"),
                         ("difference", "right"), ("source", "left")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for r in frame.itertuples(index=False):
        diff = "–" if pd.isna(r.published_teu) else f"{r.difference_teu:+,.0f} ({r.difference_pct:+.0f} %)"
        # a count of one direction only is no two-way figure: say what was counted instead
        said = r.source if not pd.isna(r.published_teu) else (r.published_as or "not published")
        table.add_row(r.corridor, _num(r.model_teu), _num(r.published_teu), diff, said)
    return table


def assign(
    year: int | None = typer.Option(None, help="Use the links open in this year and the demand grown to it "
                                    "(growth.csv; default: the scenario's, else 2024, the demand's base year)."),
    algorithm: str = typer.Option("bfw", help="User equilibrium: bfw, cfw, fw, gp; or sue (logit)."),
    theta: float = typer.Option(0.02, help="Logit dispersion per hour-equivalent (sue only); 1/θ = the "
                                "cost spread, in hours-equivalent, that shifts route odds by e."),
    gap: float | None = typer.Option(None, help="Convergence target (UE relative gap 1e-4; SUE flow change 1e-3)."),
    max_iter: int | None = typer.Option(None, "--max-iter", help="Iteration limit."),
    top: int = typer.Option(10, help="How many bottlenecks to list."),
    cargo: str | None = typer.Option(None, help="Cargo class whose value of time prices time "
                                  "(default high_value: the boxes that go by land)."),
    scenario: str | None = typer.Option(None, help="A scenario (bundled name or YAML file) applied first."),
    map_file: Path | None = typer.Option(None, "--map", help="Write a PNG map of v/c to this file."),
    constants: bool = typer.Option(True, "--constants/--no-constants", help="Apply the route-choice constants "
                                   "of constants.csv (corridor calibrate --constants estimates them)."),
    as_json: bool = JsonOption,
    data: Path | None = DataOption,
) -> None:
    """Assign the corridor demand with capacities: link volumes, v/c, delays, bottlenecks and
    corridor volumes beside the observed counts of counts.csv."""
    from ..freight import assign_corridors, plot_vc_map
    from ..freight.inputs import freight_inputs

    def run() -> tuple[Any, Path | None]:
        inputs = freight_inputs(scenario, data=data, cargo=cargo, year=year)
        flows = assign_corridors(inputs, year=year, algorithm=algorithm, gap=gap, max_iter=max_iter, theta=theta,
                                 show_progress=False if as_json else None, constants=constants)
        return flows, plot_vc_map(flows, inputs.network, map_file) if map_file else None

    flows, written = guarded(run)
    if as_json:
        payload = flows.to_dict(top)
        payload["scenario"] = scenario
        payload["map"] = str(written) if written else None
        emit(payload)
        return
    what = f"logit SUE, θ = {flows.theta:g} per hour-equivalent" if flows.algorithm == "sue" \
        else f"user equilibrium ({flows.algorithm})"
    console.print(f"[bold]Corridor assignment {flows.year}[/] — {what}; {flows.demand_teu:,.0f} TEU/yr between "
                  f"{len(flows.zones)} zones; gap {flows.gap:.2e} after {flows.iterations} iterations"
                  + ("" if flows.converged else " [yellow](not converged)[/]")
                  + (f"; scenario {scenario}" if scenario else ""))
    console.print(corridor_table(flows.corridors()))
    console.print(bottleneck_table(flows.bottlenecks(top), f"Top {top} bottlenecks by volume/capacity"))
    console.print(bottleneck_table(flows.bottlenecks(top, by="delay"), f"Top {top} bottlenecks by total delay"))
    console.print("Capacities are per direction; elements without a capacity (links.csv, capacities.csv) "
                  "are uncapacitated.", style="dim")
    if written:
        console.print(f"map: {written}")
