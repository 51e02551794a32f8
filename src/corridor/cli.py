"""The command line: a thin layer over the API, with ``--json`` wherever a program may read it."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from .errors import CorridorError
from .network import Network, check_dataset, load_network
from .routing import Route, Router
from .settings import Settings

app = typer.Typer(help="Model Eurasian freight corridors: routes, alternatives and what changes.",
                  no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
data_app = typer.Typer(help="Inspect and validate the dataset.", no_args_is_help=True)
app.add_typer(data_app, name="data")
console = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)

DataOption = typer.Option(None, "--data", help="Dataset folder (default: the bundled one).")


def fail(message: str, code: int = 1) -> None:
    """Print one clear error and exit non-zero."""
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def guarded(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except CorridorError as exc:
        fail(str(exc))


def _split(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def _router(data: Path | None, cargo: str = "general") -> Router:
    network: Network = guarded(lambda: load_network(data))
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


def _check_reliability_options(samples: int, month: int | None, deadline: float | None, optimize: str) -> None:
    from .reliability import MAX_SAMPLES

    if samples < 1 or samples > MAX_SAMPLES:
        fail(f"--samples must be between 1 and {MAX_SAMPLES:,}, not {samples:,}")
    if month is not None and not 1 <= month <= 12:
        fail(f"--month must be 1 (January) to 12 (December), not {month}")
    if deadline is not None and not (deadline >= 0 and deadline != float("inf")):
        fail(f"--deadline-days must be a non-negative number of days, not {deadline:g}")
    if optimize not in ("time", "cost", "co2", "generalized", "p50", "p90", "p95", "mean"):
        fail(f"unknown objective {optimize!r}; choose time, cost, co2, generalized, or p50, p90, p95, mean "
             "(by simulated transit time)")


@app.command()
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
    year: int | None = typer.Option(None, help="Use the links open in this year (default: this year)."),
    cargo: str = typer.Option("general", help="Cargo class: general, high_value, bulk."),
    legs: bool = typer.Option(False, "--legs", help="Also print every leg of each route."),
    reliability: bool = typer.Option(False, "--reliability", help="Simulate transit-time spread: P10–P95 days."),
    samples: int = typer.Option(100_000, "--samples", help="Monte Carlo samples per route."),
    month: int | None = typer.Option(None, "--month", help="Month of departure 1–12 (weather closures); "
                                                               "default: all year."),
    seed: int = typer.Option(0, "--seed", help="Random seed: the same seed gives the same figures."),
    deadline_days: float | None = typer.Option(None, "--deadline-days", help="Also give the chance to arrive "
                                                                                "within this many days."),
    plot: Path | None = typer.Option(None, "--plot", help="Draw the routes' transit-time distributions to "
                                                             "this PNG."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    data: Path | None = DataOption,
) -> None:
    """Best route from ORIGIN to DESTINATION and materially different alternatives."""
    by_spread = optimize in ("p50", "p90", "p95", "mean")
    simulate_it = reliability or by_spread or deadline_days is not None or plot is not None
    if simulate_it:
        _check_reliability_options(samples, month, deadline_days, optimize)
    if seed < 0:
        fail(f"--seed must be a non-negative whole number, not {seed}")
    router = _router(data, cargo)
    wanted = max(alternatives, 5) if by_spread else alternatives
    routes: list[Route] = guarded(lambda: router.route(
        origin, destination, optimize="generalized" if by_spread else optimize, alternatives=wanted,
        avoid_countries=_split(avoid), avoid_modes=_split(avoid_mode), avoid_passages=_split(avoid_passage),
        via=via, year=year))
    dists: list[Any] = []
    if simulate_it:
        from .network.reliability_table import load_reliability
        from .reliability import simulate

        table = guarded(lambda: load_reliability(data, network=router.network))
        dists = [guarded(lambda r=r: simulate(router, r, samples=samples, month=month, seed=seed, table=table))
                 for r in routes]
        if by_spread:
            key = {"p50": "p50", "p90": "p90", "p95": "p95", "mean": "mean"}[optimize]
            order = sorted(range(len(routes)), key=lambda i: getattr(dists[i], key))[:alternatives]
            routes, dists = [routes[i] for i in order], [dists[i] for i in order]
        if plot is not None:
            from .reliability import plot_distributions

            try:
                guarded(lambda: plot_distributions(dists, plot, deadline_days=deadline_days))
            except (OSError, ValueError) as exc:
                fail(f"cannot write the plot to {plot}: {getattr(exc, 'strerror', None) or exc}")
    if as_json:
        items = [r.to_dict() for r in routes]
        for item, d in zip(items, dists):
            item.update(d.to_dict(deadline_days))
        payload: dict[str, Any] = {"origin": routes[0].origin, "destination": routes[0].destination,
                                   "optimize": optimize, "routes": items}
        if simulate_it:
            payload["reliability"] = {"samples": samples, "month": month, "seed": seed,
                                      "deadline_days": deadline_days, "plot": str(plot) if plot else None}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    names = router.network.places["name"]
    console.print(routes_table(routes, f"{names[routes[0].origin]} → {names[routes[0].destination]}"
                                       f" (best by {optimize})"))
    if dists:
        console.print(reliability_rows(routes, dists, deadline_days))
        if plot is not None:
            console.print(f"plot written to {plot}")
    if legs:
        for r in routes:
            console.print(legs_table(r))


@app.command()
def places(
    query: str = typer.Argument("", help="Part of a name, id or alias; empty lists all."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    data: Path | None = DataOption,
) -> None:
    """List the places whose name, id or alias matches QUERY."""
    network = guarded(lambda: load_network(data))
    from .names import PlaceIndex

    ids = PlaceIndex(network.places).search(query)
    frame = network.places.loc[ids, ["id", "name", "aliases", "country", "kind", "lon", "lat"]]
    if as_json:
        sys.stdout.write(frame.to_json(orient="records", force_ascii=False, indent=2) + "\n")
        return
    if not ids:
        fail(f"no place matches {query!r}")
    table = Table(title=f"{len(ids)} places", title_justify="left")
    for col in ("id", "name", "country", "kind", "aliases"):
        table.add_column(col)
    for row in frame.itertuples(index=False):
        table.add_row(row.id, row.name, row.country, row.kind, row.aliases.replace("|", ", ") if isinstance(row.aliases, str) else "")
    console.print(table)


@data_app.command("check")
def data_check(
    data: Path | None = DataOption,
    as_json: bool = typer.Option(False, "--json", help="Print the problems as JSON."),
) -> None:
    """Validate the whole dataset: ids, references, units, ranges, coordinates, sources."""
    problems = check_dataset(data)
    if as_json:
        sys.stdout.write(json.dumps([p.__dict__ for p in problems], indent=2) + "\n")
    elif problems:
        for p in problems:
            err.print(f"[red]✗[/] {p}", highlight=False)
        err.print(f"[bold red]{len(problems)} problem(s)[/]")
    else:
        from .network.energy_table import read_energy

        network = load_network(data)
        energy, _ = read_energy(data)
        layer = f"{len(energy.nodes)} energy nodes, {len(energy.assets)} energy assets, " if len(energy.nodes) else ""
        console.print(f"[green]✓[/] dataset {network.version}: {len(network.places)} places, "
                      f"{len(network.links)} links, {len(network.crossings)} crossings, "
                      f"{len(network.terminals)} terminals, {layer}{len(network.sources)} sources — no problems")
    if problems:
        raise typer.Exit(1)


@app.command()
def demo(
    out: Path = typer.Option(Path("report"), help="Folder for the report (maps and tables)."),
    data: Path | None = DataOption,
) -> None:
    """The headline comparison: corridors side by side for five origin–destination pairs; Caspian energy."""
    from .report import run_demo

    guarded(lambda: run_demo(_router(data), out, console, data_dir=data))


def main() -> None:  # pragma: no cover - console script entry
    app()


def _register_commands() -> None:
    """Add the commands that live in their own modules: serve; scenarios, compare, criticality,
    economics, sweep, runs; assign; energy."""
    from . import cli_assign, cli_energy, cli_scenarios, cli_serve

    for module in (cli_serve, cli_scenarios, cli_assign, cli_energy):
        module.register(app)


_register_commands()
