"""``zones.csv`` and ``demand.csv``: the freight demand's zones and TEU per year, read and validated.

Problems are reported like the rest of the dataset: file, line and field, every one of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from .rows import Problem, parse_rows, read_rows
from .schema import DemandRow, ZoneRow, split_list

ZONES_FILE = "zones.csv"
DEMAND_FILE = "demand.csv"
ZONE_COLUMNS = ("zone", "name", "place", "note")
DEMAND_COLUMNS = ("origin", "destination", "teu_per_year", "year", "source", "note")


def read_demand(folder: Path, *, places: Iterable[str] | None = None,
                sources: Iterable[str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame, list[Problem]]:
    """Zones, the OD table and every problem found in ``folder``'s ``zones.csv`` and ``demand.csv``.

    The OD table has ``origin``, ``destination`` (zones), ``origin_place``, ``destination_place``,
    ``teu_per_year``, ``year``, ``source``. ``places`` and ``sources`` (known ids), when given, are
    checked against.
    """
    places = set(places) if places is not None else None
    sources = set(sources) if sources is not None else None
    found: list[Problem] = []
    zones, zone_lines = parse_rows(ZONES_FILE, read_rows(folder / ZONES_FILE, ZONE_COLUMNS, found), ZoneRow, found)
    demand, lines = parse_rows(DEMAND_FILE, read_rows(folder / DEMAND_FILE, DEMAND_COLUMNS, found), DemandRow, found)
    zone_place: dict[str, str] = {}
    for z, line in zip(zones, zone_lines):
        if z["zone"] in zone_place:
            found.append(Problem(ZONES_FILE, line, "zone", f"duplicate zone {z['zone']!r}"))
        if places is not None and z["place"] not in places:
            found.append(Problem(ZONES_FILE, line, "place", f"unknown place {z['place']!r}"))
        zone_place[z["zone"]] = z["place"]
    if sources is not None:
        found += [Problem(DEMAND_FILE, line, "source", f"cites {sid!r}, which is not in sources.csv")
                  for row, line in zip(demand, lines) for sid in split_list(row["source"]) if sid not in sources]
    seen: set[tuple] = set()
    for row, line in zip(demand, lines):
        found += [Problem(DEMAND_FILE, line, end, f"unknown zone {row[end]!r} (not in zones.csv)")
                  for end in ("origin", "destination") if row[end] not in zone_place]
        if not split_list(row["source"]):
            found.append(Problem(DEMAND_FILE, line, "source", "a volume must cite a source"))
        key = (row["origin"], row["destination"], row["year"])
        if key in seen:
            found.append(Problem(DEMAND_FILE, line, None, f"duplicate row for {row['origin']} → {row['destination']}"))
        seen.add(key)
    od = pd.DataFrame(demand, columns=["origin", "destination", "teu_per_year", "year", "source"])
    od.insert(2, "origin_place", od["origin"].map(zone_place))
    od.insert(3, "destination_place", od["destination"].map(zone_place))
    return pd.DataFrame(zones, columns=list(ZONE_COLUMNS)), od, found
