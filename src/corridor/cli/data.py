"""``corridor data check``: the dataset validated, every problem with file, line and field."""

from __future__ import annotations

from pathlib import Path

import typer

from ..network import check_dataset, load_network
from .common import DataOption, JsonOption, console, emit, err, guarded

data_app = typer.Typer(help="Inspect and validate the dataset.", no_args_is_help=True)


def _constant_problems(data: Path | None) -> list:
    """The problems of the route-choice constants (``constants.csv``, freight/choice.py): its alternatives,
    cargo classes and sources checked against the corridors, ``cargo.csv`` and ``sources.csv``."""
    import pandas as pd

    from ..freight.choice import read_constants
    from ..network import default_data_dir

    folder = Path(data) if data is not None else default_data_dir()
    try:
        sources = pd.read_csv(folder / "sources.csv")["id"].astype(str).tolist()
        classes = pd.read_csv(folder / "cargo.csv")["class"].astype(str).tolist()
    except (OSError, KeyError, ValueError):   # check_dataset reports those files' own problems
        sources = classes = None
    return read_constants(folder, sources=sources, classes=classes)[1]


@data_app.command("check")
def data_check(
    data: Path | None = DataOption,
    as_json: bool = typer.Option(False, "--json", help="Print the problems as JSON."),
) -> None:
    """Validate the whole dataset: ids, references, units, ranges, coordinates, sources."""
    problems = check_dataset(data) + _constant_problems(data)
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
        layer = (f"{len(energy.nodes)} energy nodes, {len(energy.assets)} energy assets "
                 f"({energy.routes['asset'].nunique()} with their route), " if len(energy.nodes) else "")
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


@data_app.command("sensitivity")
def data_sensitivity(
    method: str = typer.Option("morris", "--method", help="morris (screen every estimate) or sobol (then Sobol "
                                                            "indices of the --top ones)."),
    trajectories: int | None = typer.Option(None, "--trajectories", "-r", help="Morris trajectories (each: one "
                                            "evaluation per estimate, plus one; default 10: ~2 min on 2 free cores)."),
    top: int | None = typer.Option(None, "--top", "-k", help="Estimates Sobol ranks after the screening (default 5)."),
    samples: int | None = typer.Option(None, "--samples", help="Sobol's base sample, a power of 2 (default 32)."),
    plot: Path | None = typer.Option(None, "--plot", help="Write the tornado plot to this PNG."),
    workers: int = typer.Option(0, "--workers", "-j", help="Local processes (0: one per CPU)."),
    ray: str | None = typer.Option(None, "--ray", help="Run on a Ray cluster at ADDRESS (host:port) or `local`."),
    seed: int = typer.Option(0, "--seed", help="Seed of the designs."),
    rows: int = typer.Option(15, "--rows", help="Estimates shown in the table."),
    as_json: bool = JsonOption,
    data: Path | None = DataOption,
) -> None:
    """Which estimates move the headline answers (demo days and corridor ranking, Middle Corridor and TRIPP
    TEU, gas to Europe) within their uncertainty ranges (uncertainty.csv): Morris screening, then Sobol."""
    from rich.table import Table

    from ..parallel import default_workers, progress_bar
    from ..sensitivity import plot_tornado, sensitivity

    given = {k: v for k, v in {"trajectories": trajectories, "top": top, "samples": samples}.items() if v is not None}
    with progress_bar(err) as bar:
        result = guarded(lambda: sensitivity(data, method=method, workers=workers or default_workers(), ray_address=ray,
                                             seed=seed, progress=bar, **given))
    if plot is not None:
        plot_tornado(result, plot)
    if as_json:
        emit(result.to_dict() | ({"plot": str(plot)} if plot else {}))
        return
    table = Table(title=f"Estimates by how far they move the headline answers ({method}, {result.evaluations} "
                        f"evaluations, {result.seconds:.0f} s)", title_justify="left")
    for col in ("rank", "estimate", "range", "figures", "score", "moves most"):
        table.add_column(col, justify="right" if col in ("rank", "figures", "score") else "left")
    for r in result.ranking.head(rows).itertuples(index=False):
        table.add_row(str(r.rank), r.source, f"{r.scale} {r.low:g}…{r.high:g}", str(r.figures), f"{r.score:.3f}",
                      r.answer or "—")
    console.print(table)
    if len(result.sobol):
        st = result.sobol.groupby("source")["ST"].max().sort_values(ascending=False)
        console.print("Sobol total index, largest over the answers: "
                      + ", ".join(f"{s} {v:.2f}" for s, v in st.items()))
    if result.not_read:
        console.print(f"Not read by any headline answer: {', '.join(result.not_read)}")
    if plot is not None:
        console.print(f"Tornado plot: {plot}")
