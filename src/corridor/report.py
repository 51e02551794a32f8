"""The headline demo: corridors side by side for the pairs people ask about, with maps."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from rich.console import Console

from .maps import plot_routes
from .routing import Route, Router

#: (origin, destination) pairs of the demo
PAIRS = [("CN-XIAN", "DE-DUISBURG"), ("KZ-ALMATY", "RO-CONSTANTA"), ("CN-CHENGDU", "TR-ISTANBUL"),
         ("CN-SHANGHAI", "NL-ROTTERDAM"), ("AZ-BAKU", "AZ-NAKHCHIVAN")]


def planned_open_year(router: Router, group: str = "TRIPP") -> int:
    """The first year in which every link of ``group`` is open."""
    links = router.network.links
    years = links.loc[links["group"] == group, "open_year"].dropna()
    return int(years.max()) if len(years) else pd.Timestamp.today().year


def comparison_frame(routes: list[Route], year: int) -> pd.DataFrame:
    """One row per route: the figures a person compares."""
    return pd.DataFrame([{
        "origin": r.origin, "destination": r.destination, "year": year, "corridor": r.corridor,
        "days": round(r.total_days, 1), "distance_km": round(r.distance_km), "cost_usd_per_feu": round(r.cost_usd_per_feu),
        "co2_kg_per_feu": round(r.co2_kg_per_feu), "countries": "-".join(r.countries),
    } for r in routes])


def run_demo(router: Router, out: Path, console: Console, *, alternatives: int = 4) -> pd.DataFrame:
    """Print the comparison tables, write maps (PNG) and tables (CSV, Markdown) to ``out``."""
    from .cli import routes_table

    today = pd.Timestamp.today().year
    later = max(today, planned_open_year(router))
    cases = [(o, d, today) for o, d in PAIRS] + [("AZ-BAKU", "AZ-NAKHCHIVAN", later)]
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
    console.print(f"Report written to {out}/ (maps: *.png; tables: comparison.csv, comparison.txt)")
    return table
