"""``corridor data check``: the dataset validated, every problem with file, line and field."""

from __future__ import annotations

from pathlib import Path

import typer

from ..network import check_dataset, load_network
from .common import DataOption, JsonOption, console, emit, err

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


@data_app.command("quality")
def data_quality(
    data: Path | None = DataOption,
    as_json: bool = JsonOption,
) -> None:
    """How well sourced each file is: the share of figures resting on published, derived and estimated
    sources (a figure counts as its weakest citation) — where the next sourcing effort should go."""
    from rich.table import Table

    from ..network.quality import source_quality

    frame = source_quality(data)
    if as_json:
        emit(frame)
        return
    table = Table(title="Figures by the kind of their weakest source, estimates first", title_justify="left")
    for col in ("file", "figures", "published", "derived", "estimate", "unsourced"):
        table.add_column(col, justify="left" if col == "file" else "right")
    for r in frame.itertuples(index=False):
        table.add_row(r.file, f"{r.figures:,}", *(f"{100 * v:.0f} %" for v in (r.published, r.derived, r.estimate,
                                                                              r.unsourced)))
    console.print(table)
