"""``corridor export``: the network (and a scenario's) as GIS layers, in GeoPackage and/or GeoParquet."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from .common import DataOption, JsonOption, console, emit, fail, guarded


def _layers(data: Path | None, scenario: str | None) -> dict[str, Any]:
    """``places`` and ``links`` of the dataset; with a scenario, ``<name>_places`` and ``<name>_links``
    (its links with a ``change`` column: opened, added, ``capacity: … → …``, empty when unchanged)."""
    from ..formats.geo import links_gdf, network_gdfs, places_gdf
    from ..network import load_network
    from ..scenarios import apply_scenario, changed_links, load_scenario

    base = load_network(data)
    layers = network_gdfs(base)
    sc = load_scenario(scenario)
    if sc.operations:
        net = apply_scenario(base, sc)
        name = re.sub(r"\W+", "_", sc.name).strip("_").lower() or "scenario"
        links = links_gdf(net)
        links["change"] = changed_links(base, net).set_index("link")["change"].reindex(links.index).fillna("")
        layers |= {f"{name}_places": places_gdf(net), f"{name}_links": links}
    return layers


def export(
    gpkg: Path | None = typer.Option(None, "--gpkg", help="GeoPackage file to write, one layer per table."),
    parquet: Path | None = typer.Option(None, "--parquet", help="GeoParquet: a folder (one <layer>.parquet each) "
                                        "or FILE.parquet (FILE-<layer>.parquet beside it)."),
    scenario: str | None = typer.Option(None, "--scenario", help="Also write this scenario's network "
                                        "(bundled name or YAML file)."),
    data: Path | None = DataOption,
    as_json: bool = JsonOption,
) -> None:
    """Write the network as GIS layers (EPSG:4326): places as points, links as lines (sea and ferry
    links along their sea lanes). Needs GeoPandas: pip install 'corridor[geo]'."""
    if gpkg is None and parquet is None:
        fail("say where to write: --gpkg FILE and/or --parquet FOLDER_OR_FILE")
    from ..formats.geo import write_gpkg, write_parquet

    try:  # GeoPandas (and pyarrow for GeoParquet) are an optional extra: say how to install them
        layers = guarded(lambda: _layers(data, scenario))
        files = [str(write_gpkg(layers, gpkg))] if gpkg is not None else []
        files += [str(p) for p in write_parquet(layers, parquet)] if parquet is not None else []
    except ImportError as exc:
        hint = "" if "corridor[geo]" in str(exc) else " (pip install 'corridor[geo]')"
        fail(escape(f"{exc}{hint}"))
        raise  # unreachable: fail exits
    if as_json:
        emit({"layers": {name: len(frame) for name, frame in layers.items()}, "files": files})
        return
    table = Table(title="Layers (EPSG:4326)", title_justify="left")
    for col, justify in (("layer", "left"), ("rows", "right"), ("geometry", "left")):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for name, frame in layers.items():
        table.add_row(name, f"{len(frame):,}", ", ".join(sorted(set(frame.geom_type))))
    console.print(table)
    for f in files:
        console.print(f"[green]✓[/] wrote {f}", highlight=False)
