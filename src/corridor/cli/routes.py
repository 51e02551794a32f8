"""``corridor route`` and ``corridor places``: best routes, alternatives, transit-time spread; place search."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from ..names import PlaceIndex
from ..network import Network, load_network
from ..network.costs import COST_COMPONENTS, COST_LABELS
from ..network.schema import split_list
from ..routing import Route, Router
from ..settings import Settings
from .common import DataOption, JsonOption, console, emit, fail, guarded


def _router(data: Path | None, cargo: str = "general", scenario: Any = None) -> Router:
    network: Network = guarded(lambda: load_network(data))
    if scenario is not None:
        from ..scenarios import apply_scenario

        network = guarded(lambda: apply_scenario(network, scenario))
    return guarded(lambda: Router(network, Settings(cargo_class=cargo)))


def routes_table(routes: list[Route], title: str = "") -> Table:
    """Routes side by side: one column per route."""
    table = Table(title=title, title_justify="left", show_lines=False)
    table.add_column("", style="bold")
    for r in routes:
        table.add_column(r.corridor, justify="right")
    rows = [
        ("Days", [f"{r.total_days:.1f}" for r in routes]),
        ("Distance, km", [f"{r.distance_km:,.0f}" for r in routes]),
        ("Cost, US$/FEU", [f"{r.cost_usd_per_feu:,.0f}" for r in routes]),
        ("CO2e, kg/FEU", [f"{r.co2_kg_per_feu:,.0f}" for r in routes]),
        ("Countries", ["–".join(r.countries) for r in routes]),
        ("Border crossings", [str(sum(leg.kind == "border" for leg in r.legs)) for r in routes]),
        ("Transfers", [str(sum(leg.kind == "transfer" for leg in r.legs)) for r in routes]),
    ]
    for name, values in rows:
        table.add_row(name, *values)
    return table


def costs_table(routes: list[Route]) -> Table:
    """The generalized cost by component, one column per route (docs/costs.md)."""
    table = Table(title="Generalized cost, US$/FEU", title_justify="left",
                  caption="Freight, EU ETS and war-risk insurance priced in the query's year "
                          "(tariffs.csv, ets.csv, premia.csv).",
                  caption_justify="left")
    table.add_column("", style="bold")
    for r in routes:
        table.add_column(r.corridor, justify="right")
    items = [r.cost_breakdown.to_dict() for r in routes]
    for name in COST_COMPONENTS:
        table.add_row(COST_LABELS[name], *(f"{item[name]:,.0f}" for item in items))
    table.add_row("Total", *(f"{item['total_usd']:,.0f}" for item in items), style="bold")
    return table


def legs_table(route: Route) -> Table:
    table = Table(title=f"{route.corridor}: legs", title_justify="left")
    for col, justify in (("from", "left"), ("to", "left"), ("mode", "left"), ("kind", "left"), ("km", "right"),
                         ("hours", "right"), ("US$", "right"), ("kg CO2e", "right")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for leg in route.legs:
        table.add_row(leg.from_name, leg.to_name if leg.to_id != leg.from_id else "", leg.mode, leg.kind,
                      f"{leg.distance_km:,.0f}" if leg.distance_km else "", f"{leg.hours:.1f}",
                      f"{leg.cost_usd_per_feu:,.0f}", f"{leg.co2_kg_per_feu:,.0f}")
    return table


def reliability_rows(routes: list[Route], dists: list[Any], deadline: float | None) -> Table:
    """Transit-time spread side by side: one column per route."""
    table = Table(title="Transit time, days (Monte Carlo)", title_justify="left")
    table.add_column("", style="bold")
    for r in routes:
        table.add_column(r.corridor, justify="right")
    rows = [("Deterministic", [f"{r.total_days:.1f}" for r in routes])]
    rows += [(name, [f"{getattr(d, attr):.1f}" for d in dists])
             for name, attr in (("P10", "p10"), ("P50", "p50"), ("Mean", "mean"), ("P90", "p90"), ("P95", "p95"))]
    if deadline is not None:
        rows.append((f"On time (≤ {deadline:g} d)", [f"{100 * d.on_time_probability(deadline):.0f}%" for d in dists]))
    for name, values in rows:
        table.add_row(name, *values)
    return table


def _title(router: Router, routes: list[Route], prefix: str = "") -> str:
    names = router.network.places["name"]
    return f"{prefix}{names[routes[0].origin]} → {names[routes[0].destination]}"


def _write_plot(draw: Callable[[], object], path: Path, what: str) -> None:
    """``draw()``, with a file that cannot be written said as one clear error naming it."""
    try:
        guarded(draw)
    except (OSError, ValueError) as exc:
        fail(f"cannot write the {what} to {path}: {getattr(exc, 'strerror', None) or exc}")


def _plot_costs(router: Router, routes: list[Route], path: Path) -> None:
    from ..maps import plot_costs

    title = _title(router, routes, "Generalized cost by component, ")
    _write_plot(lambda: plot_costs(routes, path, title=title), path, "cost plot")


def _check_reliability_options(samples: int, month: int | None, deadline: float | None, optimize: str) -> None:
    from ..freight.reliability import MAX_SAMPLES

    if samples < 1 or samples > MAX_SAMPLES:
        fail(f"--samples must be between 1 and {MAX_SAMPLES:,}, not {samples:,}")
    if month is not None and not 1 <= month <= 12:
        fail(f"--month must be 1 (January) to 12 (December), not {month}")
    if deadline is not None and not (deadline >= 0 and deadline != float("inf")):
        fail(f"--deadline-days must be a non-negative number of days, not {deadline:g}")
    if optimize not in ("time", "cost", "co2", "generalized", "p50", "p90", "p95", "mean"):
        fail(f"unknown objective {optimize!r}; choose time, cost, co2, generalized, or p50, p90, p95, mean "
             "(by simulated transit time)")


def route(
    origin: str = typer.Argument(..., help="Place id, name or alias (Xian, Xi'an and XI’AN all work)."),
    destination: str = typer.Argument(..., help="Place id, name or alias."),
    optimize: str = typer.Option("generalized", help="time, cost, co2 or generalized; p90 (or p50, p95, mean): "
                                                     "pick among candidate routes by simulated transit time."),
    alternatives: int = typer.Option(1, "--alternatives", "-k", help="How many different corridors to show."),
    avoid: str | None = typer.Option(None, help="Countries to avoid, ISO codes: RU,IR."),
    avoid_mode: str | None = typer.Option(None, help="Modes to avoid: rail,road,ferry,sea."),
    avoid_passage: str | None = typer.Option(None, help="Sea passages to avoid: suez,babalmandab,bosporus."),
    via: str | None = typer.Option(None, help="A place the route must pass."),
    year: int | None = typer.Option(None, help="Use the links open in this year, priced with its EU ETS and war-risk premia (default: this year)."),
    cargo: str = typer.Option("general", help="Cargo class: general, high_value, bulk."),
    scenario: str | None = typer.Option(None, "--scenario", help="Route on a scenario's network (a bundled name "
                                                                 "or a YAML file), in its year unless --year."),
    legs: bool = typer.Option(False, "--legs", help="Also print every leg of each route."),
    costs: bool = typer.Option(False, "--costs", help="Also print the generalized cost by component "
                                                      "(freight, handling, border, ETS, insurance, carbon, time)."),
    reliability: bool = typer.Option(False, "--reliability", help="Simulate transit-time spread: P10–P95 days."),
    samples: int = typer.Option(100_000, "--samples", help="Monte Carlo samples per route."),
    month: int | None = typer.Option(None, "--month", help="Month of departure 1–12 (weather closures); "
                                                               "default: all year."),
    seed: int = typer.Option(0, "--seed", help="Random seed: the same seed gives the same figures."),
    deadline_days: float | None = typer.Option(None, "--deadline-days", help="Also give the chance to arrive "
                                                                                "within this many days."),
    plot: Path | None = typer.Option(None, "--plot", help="Draw the routes' transit-time distributions to "
                                                             "this PNG."),
    cost_plot: Path | None = typer.Option(None, "--cost-plot", help="Draw each route's generalized cost by "
                                                                    "component (a stacked bar) to this PNG."),
    as_json: bool = JsonOption,
    data: Path | None = DataOption,
) -> None:
    """Best route from ORIGIN to DESTINATION and materially different alternatives."""
    by_spread = optimize in ("p50", "p90", "p95", "mean")
    simulate_it = reliability or by_spread or deadline_days is not None or plot is not None
    _check_reliability_options(samples, month, deadline_days, optimize)
    if seed < 0:
        fail(f"--seed must be a non-negative whole number, not {seed}")
    chosen = None
    if scenario is not None:
        from ..scenarios import load_scenario

        chosen = guarded(lambda: load_scenario(scenario))
        year = year if year is not None else chosen.year
    router = _router(data, cargo, chosen)
    wanted = max(alternatives, 5) if by_spread else alternatives
    routes: list[Route] = guarded(lambda: router.route(
        origin, destination, optimize="generalized" if by_spread else optimize, alternatives=wanted,
        avoid_countries=split_list(avoid, ","), avoid_modes=split_list(avoid_mode, ","),
        avoid_passages=split_list(avoid_passage, ","),
        via=via, year=year))
    dists: list[Any] = []
    if simulate_it:
        from ..freight.reliability import simulate
        from ..network.reliability_table import load_reliability

        table = guarded(lambda: load_reliability(data, network=router.network))
        dists = [guarded(lambda r=r: simulate(router, r, samples=samples, month=month, seed=seed, table=table))
                 for r in routes]
        if by_spread:
            key = {"p50": "p50", "p90": "p90", "p95": "p95", "mean": "mean"}[optimize]
            order = sorted(range(len(routes)), key=lambda i: getattr(dists[i], key))[:alternatives]
            routes, dists = [routes[i] for i in order], [dists[i] for i in order]
        if plot is not None:
            from ..freight.reliability import plot_distributions

            _write_plot(lambda: plot_distributions(dists, plot, deadline_days=deadline_days), plot, "plot")
    if cost_plot is not None:
        _plot_costs(router, routes, cost_plot)
    if as_json:
        items = [r.to_dict() for r in routes]
        for item, d in zip(items, dists):
            item["reliability"] = d.to_dict(deadline_days)
        payload: dict[str, Any] = {"origin": routes[0].origin, "destination": routes[0].destination,
                                   "optimize": optimize, "routes": items}
        if simulate_it:
            payload["reliability"] = {"samples": samples, "month": month, "seed": seed,
                                      "deadline_days": deadline_days, "plot": str(plot) if plot else None}
        if cost_plot is not None:
            payload["cost_plot"] = str(cost_plot)
        emit(payload)
        return
    console.print(routes_table(routes, _title(router, routes) + f" (best by {optimize})"))
    if costs:
        console.print(costs_table(routes))
    if dists:
        console.print(reliability_rows(routes, dists, deadline_days))
    for path, what in ((plot if dists else None, "plot"), (cost_plot, "cost plot")):
        if path is not None:
            console.print(f"{what} written to {path}")
    if legs:
        for r in routes:
            console.print(legs_table(r))


def places(
    query: str = typer.Argument("", help="Part of a name, id or alias; empty lists all."),
    as_json: bool = JsonOption,
    data: Path | None = DataOption,
) -> None:
    """List the places whose name, id or alias matches QUERY."""
    network = guarded(lambda: load_network(data))
    index = PlaceIndex(network.places)
    found = [index.record(pid) for pid in index.search(query)]
    if as_json:
        emit(found)
        return
    if not found:
        fail(f"no place matches {query!r}")
    table = Table(title=f"{len(found)} places", title_justify="left")
    for col in ("id", "name", "country", "kind", "aliases"):
        table.add_column(col)
    for p in found:
        table.add_row(p["id"], p["name"], p["country"], p["kind"], ", ".join(p["aliases"]))
    console.print(table)


