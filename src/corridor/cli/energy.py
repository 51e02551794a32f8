"""``corridor energy``: how much Caspian oil and gas reaches its markets, what binds, what a scenario changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import typer
from rich.table import Table

from .common import DataOption, JsonOption, console, emit, fail, fmt, guarded

energy_app = typer.Typer(help="The energy layer: Caspian oil and gas to Europe (pipelines, tankers, capacities).",
                         no_args_is_help=True)

CommodityOption = typer.Option("all", "--commodity", "-c", help="gas, oil or all.")
ToOption = typer.Option(None, "--to", help="Markets whose deliveries are maximised first: europe, all, a country code "
                        "or a market id (default: europe for gas, all for oil).")
YearOption = typer.Option(None, "--year", help="Use the assets open in this year (default: the scenario's, else this year).")


def _commodities(value: str) -> list[str]:
    if value == "all":
        return ["gas", "oil"]
    if value not in ("gas", "oil"):
        fail(f"--commodity must be gas, oil or all, not {value!r}")
    return [value]


def flows_tables(flows: Any) -> list[Table]:
    """Deliveries by market, what binds, and the flow on every asset in service."""
    unit = flows.unit_label
    head = Table(title=f"{flows.commodity.capitalize()} — scenario {flows.scenario}: "
                       f"{flows.delivered:,.1f} {unit} to {flows.target_label}, {flows.delivered_total:,.1f} {unit} in all",
                 title_justify="left")
    for col, justify in (("market", "left"), ("country", "left"), ("takes at most", "right"), ("committed", "right"),
                         (f"receives, {unit}", "right"), ("target", "left")):
        head.add_column(col, justify=justify)  # type: ignore[arg-type]
    for r in flows.markets.itertuples(index=False):
        head.add_row(r.name, r.country, fmt(r.demand) if pd.notna(r.demand) else "any", fmt(r.committed), fmt(r.flow),
                     "✓" if r.target else "")
    binding = Table(title=f"What binds deliveries to {flows.target_label} (the minimum cut)", title_justify="left")
    binding.add_column("#", justify="right")
    binding.add_column("constraint")
    for i, why in enumerate(flows.binding["why"], 1):
        binding.add_row(str(i), why)
    if not len(flows.binding):
        binding.add_row("–", "nothing: no asset in service joins a supply to these markets")
    assets = Table(title=f"Assets ({unit})", title_justify="left")
    for col, justify in (("asset", "left"), ("id", "left"), ("capacity", "right"), ("flow", "right"), ("use", "right"),
                         ("reported", "right"), ("status", "left")):
        assets.add_column(col, justify=justify)  # type: ignore[arg-type]
    for r in flows.assets.sort_values("flow", ascending=False).itertuples(index=False):
        use = f"{100 * r.utilisation:.0f} %" if r.in_service else ""
        style = "bold red" if r.binding else ("red" if r.saturated else ("dim" if not r.in_service else ""))
        reported = f"{fmt(r.throughput)} ({int(r.throughput_year)})" if pd.notna(r.throughput) else "–"
        status = r.status if r.in_service else f"{r.status}, not in service"
        assets.add_row(r.name, r.id, fmt(r.capacity), fmt(r.flow), f"[{style}]{use}[/]" if style and use else use,
                       reported, status)
    return [head, binding, assets]


@energy_app.command("flows")
def flows_command(
    scenario: str = typer.Option("base", "--scenario", "-s", help="`base`, a bundled scenario or a YAML file."),
    commodity: str = CommodityOption,
    to: str | None = ToOption,
    year: int | None = YearOption,
    plot: Path | None = typer.Option(None, "--plot", help="Write a PNG map of the flows here."),
    as_json: bool = JsonOption,
    data: Path | None = DataOption,
) -> None:
    """The most oil and gas the network delivers, where it flows and which assets bind it."""
    from ..energy import energy_flows, load_energy, plot_energy

    energy = guarded(lambda: load_energy(data))
    solved = [guarded(lambda c=c: energy_flows(energy, c, to=to, year=year, scenario=scenario))
              for c in _commodities(commodity)]
    if plot is not None:
        plot_energy(solved, energy, plot)
    if as_json:
        emit({f.commodity: f.to_dict() for f in solved} | ({"map": str(plot)} if plot else {}))
        return
    for f in solved:
        for table in flows_tables(f):
            console.print(table)
        console.print(f"[dim]solved in {1000 * f.seconds:.0f} ms (HiGHS)[/]")
    if plot is not None:
        console.print(f"map: {plot}")


@energy_app.command("compare")
def compare_command(
    base: str = typer.Argument(..., help="Base scenario: `base`, a bundled name or a YAML file."),
    scenario: str = typer.Argument(..., help="Scenario to compare."),
    commodity: str = CommodityOption,
    to: str | None = ToOption,
    year: int | None = YearOption,
    plot: Path | None = typer.Option(None, "--plot", help="Write a PNG map of the scenario's flows here."),
    as_json: bool = JsonOption,
    data: Path | None = DataOption,
) -> None:
    """What a scenario changes: deliveries per market, flows per asset, and what binds before and after."""
    from ..energy import compare_energy, load_energy, plot_energy

    energy = guarded(lambda: load_energy(data))
    results = [guarded(lambda c=c: compare_energy(base, scenario, commodity=c, to=to, year=year,
                                                  energy=energy))
               for c in _commodities(commodity)]
    if plot is not None:
        plot_energy([r.scenario for r in results], energy, plot)
    if as_json:
        emit({r.base.commodity: r.to_dict() for r in results} | ({"map": str(plot)} if plot else {}))
        return
    for r in results:
        unit = r.base.unit_label
        console.print(f"[bold]{r.base.commodity.capitalize()}[/] to {r.base.target_label}: {r.base.delivered:,.1f} → "
                      f"{r.scenario.delivered:,.1f} {unit} ({r.change:+,.1f}); all markets "
                      f"{r.base.delivered_total:,.1f} → {r.scenario.delivered_total:,.1f}")
        markets = Table(title=f"Deliveries by market, {unit}", title_justify="left")
        for col in ("market", base, scenario, "change"):
            markets.add_column(col, justify="left" if col == "market" else "right")
        for m in r.markets.itertuples(index=False):
            markets.add_row(m.name, fmt(m.base), fmt(m.scenario), fmt(m.change, signed=True))
        console.print(markets)
        assets = Table(title=f"Assets that changed, {unit}", title_justify="left")
        for col in ("asset", "id", "status", "capacity", "flow", "change"):
            assets.add_column(col, justify="left" if col in ("asset", "id", "status") else "right")
        for a in r.assets.itertuples(index=False):
            status = a.status_base if a.status_base == a.status_scenario else f"{a.status_base} → {a.status_scenario}"
            cap = (fmt(a.capacity_scenario) if a.capacity_base == a.capacity_scenario
                   else f"{fmt(a.capacity_base)} → {fmt(a.capacity_scenario)}")
            assets.add_row(a.name, a.id, str(status), cap, f"{fmt(a.flow_base)} → {fmt(a.flow_scenario)}",
                           fmt(a.change, signed=True))
        if not len(r.assets):
            assets.add_row("nothing changed", "", "", "", "", "")
        console.print(assets)
        for title, items in (("No longer binding", r.binding_lifted), ("Now binding", r.binding_new)):
            if items:
                console.print(f"[bold]{title}:[/] " + "; ".join(items))
    if plot is not None:
        console.print(f"map: {plot}")


@energy_app.command("criticality")
def criticality_command(
    scenario: str = typer.Option("base", "--scenario", "-s", help="`base`, a bundled scenario or a YAML file."),
    commodity: str = CommodityOption,
    to: str | None = ToOption,
    year: int | None = YearOption,
    scope: str = typer.Option("assets", "--scope", help="assets: close one asset at a time; groups: one pipeline "
                              "system (group) at a time."),
    top: int = typer.Option(15, "--top", help="Rows to print."),
    as_json: bool = JsonOption,
    data: Path | None = DataOption,
) -> None:
    """Which single loss hurts most: each asset (or group) closed in turn, deliveries re-solved."""
    from rich.progress import Progress

    from ..energy import energy_criticality, load_energy
    from ..formats.json import records
    from ..network.energy_table import BASE_UNIT, UNIT_LABEL

    if scope not in ("assets", "groups"):
        fail(f"--scope must be assets or groups, not {scope!r}")
    energy = guarded(lambda: load_energy(data))
    out = {}
    with Progress(console=console, transient=True, disable=as_json) as bar:
        for c in _commodities(commodity):
            task = bar.add_task(f"{c}: closing each {scope[:-1]}", total=None)
            out[c] = guarded(lambda c=c, task=task: energy_criticality(
                energy, c, to=to, year=year, scenario=scenario, scope=scope,
                progress=lambda done, total: bar.update(task, completed=done, total=total)))
    if as_json:
        emit({c: records(frame) for c, frame in out.items()})
        return
    for c, frame in out.items():
        unit = UNIT_LABEL[BASE_UNIT[c]]
        table = Table(title=f"{c.capitalize()}: what closing each {scope[:-1]} costs ({unit}), worst first",
                      title_justify="left")
        for col in ("#", scope[:-1], "name", "delivered without it", "loss", "share", "loss, all markets"):
            table.add_column(col, justify="right" if col not in (scope[:-1], "name") else "left")
        for i, r in enumerate(frame.head(top).itertuples(index=False), 1):
            table.add_row(str(i), str(r.element), str(r.name), fmt(r.delivered), fmt(r.loss),
                          f"{100 * r.loss_share:.0f} %" if pd.notna(r.loss_share) else "–", fmt(r.loss_total))
        console.print(table)
