"""``corridor data check``: the dataset validated, every problem with file, line and field."""

from __future__ import annotations

from pathlib import Path

import typer

from ..network import check_dataset, load_network
from .common import DataOption, console, emit, err

data_app = typer.Typer(help="Inspect and validate the dataset.", no_args_is_help=True)


@data_app.command("check")
def data_check(
    data: Path | None = DataOption,
    as_json: bool = typer.Option(False, "--json", help="Print the problems as JSON."),
) -> None:
    """Validate the whole dataset: ids, references, units, ranges, coordinates, sources."""
    problems = check_dataset(data)
    if as_json:
        emit([p.__dict__ for p in problems])
    elif problems:
        for p in problems:
            err.print(f"[red]✗[/] {p}", highlight=False)
        err.print(f"[bold red]{len(problems)} problem(s)[/]")
    else:
        from ..network.energy_table import read_energy

        network = load_network(data)
        energy, _ = read_energy(data)
        layer = f"{len(energy.nodes)} energy nodes, {len(energy.assets)} energy assets, " if len(energy.nodes) else ""
        console.print(f"[green]✓[/] dataset {network.version}: {len(network.places)} places, "
                      f"{len(network.links)} links, {len(network.crossings)} crossings, "
                      f"{len(network.terminals)} terminals, {layer}{len(network.sources)} sources — no problems")
    if problems:
        raise typer.Exit(1)
