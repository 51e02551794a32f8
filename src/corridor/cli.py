"""The command line: a thin layer over the API, with ``--json`` wherever a program may read it."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Callable, Optional

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
console = Console()
err = Console(stderr=True)

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


@app.command()
def route(
    origin: str = typer.Argument(..., help="Place id, name or alias (Xian, Xi'an and XI’AN all work)."),
    destination: str = typer.Argument(..., help="Place id, name or alias."),
    optimize: str = typer.Option("generalized", help="time, cost, co2 or generalized."),
    alternatives: int = typer.Option(1, "--alternatives", "-k", help="How many different corridors to show."),
    avoid: Optional[str] = typer.Option(None, help="Countries to avoid, ISO codes: RU,IR."),
    avoid_mode: Optional[str] = typer.Option(None, help="Modes to avoid: rail,road,ferry,sea."),
    avoid_passage: Optional[str] = typer.Option(None, help="Sea passages to avoid: suez,babalmandab,bosporus."),
    via: Optional[str] = typer.Option(None, help="A place the route must pass."),
    year: Optional[int] = typer.Option(None, help="Use the links open in this year (default: this year)."),
    cargo: str = typer.Option("general", help="Cargo class: general, high_value, bulk."),
    legs: bool = typer.Option(False, "--legs", help="Also print every leg of each route."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    data: Optional[Path] = DataOption,
) -> None:
    """Best route from ORIGIN to DESTINATION and materially different alternatives."""
    router = _router(data, cargo)
    routes: list[Route] = guarded(lambda: router.route(
        origin, destination, optimize=optimize, alternatives=alternatives, avoid_countries=_split(avoid),
        avoid_modes=_split(avoid_mode), avoid_passages=_split(avoid_passage), via=via, year=year))
    if as_json:
        payload = {"origin": routes[0].origin, "destination": routes[0].destination, "optimize": optimize,
                   "routes": [r.to_dict() for r in routes]}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    names = router.network.places["name"]
    console.print(routes_table(routes, f"{names[routes[0].origin]} → {names[routes[0].destination]}"
                                       f" (best by {optimize})"))
    if legs:
        for r in routes:
            console.print(legs_table(r))


@app.command()
def places(
    query: str = typer.Argument("", help="Part of a name, id or alias; empty lists all."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    data: Optional[Path] = DataOption,
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
    data: Optional[Path] = DataOption,
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
        network = load_network(data)
        console.print(f"[green]✓[/] dataset {network.version}: {len(network.places)} places, "
                      f"{len(network.links)} links, {len(network.crossings)} crossings, "
                      f"{len(network.terminals)} terminals, {len(network.sources)} sources — no problems")
    if problems:
        raise typer.Exit(1)


@app.command()
def demo(
    out: Path = typer.Option(Path("report"), help="Folder for the report (maps and tables)."),
    data: Optional[Path] = DataOption,
) -> None:
    """The headline comparison: corridors side by side for five origin–destination pairs."""
    from .report import run_demo

    guarded(lambda: run_demo(_router(data), out, console))


def main() -> None:  # pragma: no cover - console script entry
    app()
