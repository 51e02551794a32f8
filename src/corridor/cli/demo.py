"""``corridor demo`` (what ``make run`` runs): corridors side by side for the pairs people ask about,
with maps and tables, then Caspian energy today."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import typer
from rich.console import Console

from ..freight.headline import PAIRS, demo_cases, open_year
from ..maps import plot_routes
from ..network import load_network
from ..routing import Route, Router
from .common import DataOption, console, guarded
from .routes import routes_table


def planned_open_year(router: Router, group: str = "TRIPP") -> int:
    """The first year in which every link of ``group`` is open."""
    return open_year(router.network, group)


def comparison_frame(routes: list[Route], year: int) -> pd.DataFrame:
    """One row per route: the figures a person compares."""
    return pd.DataFrame([{
        "origin": r.origin, "destination": r.destination, "year": year, "corridor": r.corridor,
        "days": round(r.total_days, 1), "distance_km": round(r.distance_km), "cost_usd_per_feu": round(r.cost_usd_per_feu),
        "co2_kg_per_feu": round(r.co2_kg_per_feu), "countries": "-".join(r.countries),
    } for r in routes])


def run_demo(router: Router, out: Path, console: Console, *, alternatives: int = 4,
             data_dir: Path | None = None) -> pd.DataFrame:
    """Print the comparison tables, write maps (PNG) and tables (CSV, text) to ``out``; then the energy
    layer's summary when ``data_dir`` (default: the bundled dataset) has one."""
    cases = demo_cases(router.network)
    names = router.network.places["name"]
    out.mkdir(parents=True, exist_ok=True)
    frames = []
    for o, d, year in cases:
        routes = router.route(o, d, alternatives=alternatives, year=year)
        title = f"{names[o]} → {names[d]}, {year}"
        console.print(routes_table(routes, title))
        plot_routes(router, routes, out / f"{o}_{d}_{year}.png".lower(), title=title)
        frames.append(comparison_frame(routes, year))
    table = pd.concat(frames, ignore_index=True)
    table.to_csv(out / "comparison.csv", index=False)
    (out / "comparison.txt").write_text(table.to_string(index=False) + "\n", encoding="utf-8")
    energy = energy_summary(out, console, data_dir)
    console.print(f"Report written to {out}/ (maps: *.png; tables: comparison.csv, comparison.txt"
                  + (", energy.csv)" if energy is not None else ")"))
    return table


def energy_summary(out: Path, console: Console, data_dir: Path | None = None) -> pd.DataFrame | None:
    """Caspian gas and oil today: deliveries and what binds, as a table, ``energy.csv`` and ``energy.png``.

    Returns None when the dataset has no energy layer.
    """
    from rich.table import Table

    from ..energy import energy_flows, plot_energy
    from ..network.energy_table import read_energy

    energy, problems = read_energy(data_dir)
    if problems or not len(energy.assets):
        return None
    solved = [energy_flows(energy, c) for c in ("gas", "oil")]
    def binds(b: pd.DataFrame) -> str:
        fields = b["kind"] == "supply"
        parts = [f"{r.element} full at {r.capacity:,.1f}" if r.kind == "asset" else f"{r.name} committed {r.capacity:,.1f}"
                 if r.kind == "commitment" else f"{r.name} takes {r.capacity:,.1f}" for r in b[~fields].itertuples()]
        if fields.any():
            parts.append(f"the output of {int(fields.sum())} field(s)" + (" (the pipes have room)" if fields.all() else ""))
        return "; ".join(parts)

    rows = [{"commodity": f.commodity, "to": f.target_label, "delivered": round(f.delivered, 1),
             "all_markets": round(f.delivered_total, 1), "unit": f.unit_label, "binding": binds(f.binding)}
            for f in solved]
    frame = pd.DataFrame(rows)
    table = Table(title="Caspian energy to its markets today (corridor energy flows)", title_justify="left")
    for col in ("commodity", "to", "delivered", "all markets", "what binds"):
        table.add_column(col, justify="right" if col in ("delivered", "all markets") else "left")
    for r in rows:
        table.add_row(r["commodity"], r["to"], f"{r['delivered']:,.1f} {r['unit']}", f"{r['all_markets']:,.1f}",
                      r["binding"])
    console.print(table)
    frame.to_csv(out / "energy.csv", index=False)
    plot_energy(solved, energy, out / "energy.png")
    return frame


def demo(
    out: Path = typer.Option(Path("report"), help="Folder for the report (maps and tables)."),
    data: Path | None = DataOption,
) -> None:
    """The headline comparison: corridors side by side for five origin–destination pairs; Caspian energy."""
    guarded(lambda: run_demo(Router(load_network(data)), out, console, data_dir=data))


__all__ = ["PAIRS", "comparison_frame", "demo", "energy_summary", "planned_open_year", "run_demo"]
