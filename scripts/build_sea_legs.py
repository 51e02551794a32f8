"""Re-generate the sea rows of ``links.csv`` with the ``searoute`` package.

Every pair in ``MAINLINE`` gets two rows: the default (Suez) variant, id ``sea:A:B``, and a Cape variant,
id ``sea:A:B-CAPE``, routed with ``suez`` and ``panama`` restricted. ``northwest`` is always restricted.
Pairs in ``SHORT_SEA`` (feeders inside the Black Sea / Mediterranean, Gulf) get only the default row.
All rows with mode ``sea`` are replaced; every other row of links.csv is kept as it is, in order.

Lengths: searoute (Eurostat MARNET network) shortest feasible sea distance, source ``SEAROUTE``, plus the
approach at each end: the great-circle km from the port to the network node searoute snaps it to (searoute
measures node to node only, so a port snapped far offshore came out shorter than the straight line between
the ports, and ports sharing a node came out equal), source ``DER-SEA-APPROACH``.
Speeds: mainline ``EST-SEA-SPEED``; Black Sea feeders ``DER-FEEDER-SPEED`` = searoute length of
Batumi→Constanța ÷ 120 h (the "5 days one way" of [MC-FEEDER19]).

The lines themselves go to ``geo/sea_lanes.geojson`` (one LineString per sea link id, simplified to
0.02°), so that maps draw the real sea lanes.

Usage: python scripts/build_sea_legs.py [--data DIR]
"""

from __future__ import annotations

import argparse
import csv
import json
from pathlib import Path

import searoute
from shapely.geometry import LineString, mapping

from corridor.network.geo import haversine_km

DATA = Path(__file__).resolve().parents[1] / "src" / "corridor" / "data"

COLUMNS = ["id", "from", "to", "mode", "length_km", "speed_kmh", "gauge_mm", "electrified",
           "capacity_teu_per_year", "status", "open_year", "group", "passages", "length_source",
           "speed_source", "capacity_source", "status_source", "note"]

ORIGINS = ["CN-SHANGHAI", "CN-LIANYUNGANG"]
DESTINATIONS = ["NL-ROTTERDAM", "DE-HAMBURG", "GR-PIRAEUS", "RO-CONSTANTA", "TR-ISTANBUL", "TR-MERSIN", "GE-POTI"]
#: (from, to) deep-sea liner pairs: a Suez row and a -CAPE row each
MAINLINE = [(o, d) for o in ORIGINS for d in DESTINATIONS] + [("CN-SHANGHAI", "IR-BANDAR-ABBAS")]
#: (from, to, status, open_year, status_source, note) short-sea / feeder pairs: one row each
SHORT_SEA = [
    ("GE-POTI", "RO-CONSTANTA", "operational", "", "GR-FEEDER", "Black Sea container feeder (3 voyages/month, 210 TEU ship)"),
    ("GE-BATUMI", "RO-CONSTANTA", "operational", "", "ADYC-FEEDER|MC-FEEDER19", "Black Sea container feeder (ADY Container + ASCO)"),
    ("GE-POTI", "BG-BURGAS", "operational", "", "NEWSAZ-0924b", "Black Sea feeder on the Xi'an–Budapest plan via Poti–Burgas"),
    ("GE-BATUMI", "BG-BURGAS", "operational", "", "NEWSAZ-0924b", "Black Sea feeder (Burgas option)"),
    ("GE-POTI", "TR-ISTANBUL", "operational", "", "", "Black Sea short-sea link (Poti–Ambarlı); frequency estimated"),
    ("TR-MERSIN", "TR-ISTANBUL", "operational", "", "", "coastal liner Mersin–Istanbul via the Dardanelles"),
    ("TR-MERSIN", "GE-POTI", "operational", "", "ARGUS-TITR", "Mersin–Poti short-sea (quoted by Argus)"),
    ("TR-ISTANBUL", "RO-CONSTANTA", "operational", "", "", "Black Sea short-sea link Istanbul–Constanța"),
    ("GR-PIRAEUS", "TR-ISTANBUL", "operational", "", "", "Aegean short-sea link Piraeus–Istanbul"),
    ("GE-ANAKLIA", "RO-CONSTANTA", "planned", "2029", "MN-ANAKLIA|VK-ANAKLIA", "from the planned Anaklia deep-sea port (first ship by 2029)"),
]
FEEDER_FROM = {"GE-POTI", "GE-BATUMI", "GE-ANAKLIA"}
BASE_RESTRICTIONS = ["northwest"]
CAPE_RESTRICTIONS = ["northwest", "suez", "panama"]
MAINLINE_SPEED_KMH = 27.0


LANES: dict[str, list] = {}


def _approach_km(port: tuple[float, float], node: list[float]) -> float:
    """Great-circle km from a port to the MARNET node searoute snapped it to."""
    return float(haversine_km(port[0], port[1], node[0], node[1]))


def _route(a: tuple[float, float], b: tuple[float, float], restrictions: list[str]) -> tuple[float, list[str]]:
    feature = searoute.searoute(a, b, units="km", restrictions=restrictions, return_passages=True)
    length = float(feature.properties["length"])
    if not length or length == float("inf"):
        raise ValueError(f"searoute found no route {a} → {b} with restrictions {restrictions}")
    xy = feature.geometry["coordinates"]
    # searoute measures node to node only: Batumi snaps to a node 48 km offshore (its legs came out shorter
    # than the straight line) and Poti and Anaklia to one node; the approach from each port to its node is added
    length += _approach_km(a, xy[0]) + _approach_km(b, xy[-1])
    LANES[f"{a}>{b}>{','.join(restrictions)}"] = [list(a), *xy, list(b)]
    return length, list(feature.properties.get("traversed_passages") or [])


def build_rows(places: dict[str, tuple[float, float]]) -> list[dict[str, str]]:
    """Compute every sea row from the place coordinates (lon, lat)."""
    feeder_len, _ = _route(places["GE-BATUMI"], places["RO-CONSTANTA"], BASE_RESTRICTIONS)
    feeder_speed = round(feeder_len / 120.0, 1)
    rows: list[dict[str, str]] = []

    def row(a: str, b: str, suffix: str, restrictions: list[str], speed: float, speed_src: str,
            status: str = "operational", year: str = "", status_src: str = "", note: str = "") -> None:
        length, passages = _route(places[a], places[b], restrictions)
        line = LineString(LANES.pop(f"{places[a]}>{places[b]}>{','.join(restrictions)}")).simplify(0.02)
        LANES[f"sea:{a}:{b}{suffix}"] = [[round(x, 3), round(y, 3)] for x, y in mapping(line)["coordinates"]]
        rows.append({
            "id": f"sea:{a}:{b}{suffix}", "from": a, "to": b, "mode": "sea",
            "length_km": f"{length:.0f}", "speed_kmh": f"{speed:g}", "gauge_mm": "", "electrified": "",
            "capacity_teu_per_year": "", "status": status, "open_year": year, "group": "",
            "passages": "|".join(sorted(passages)) or "none", "length_source": "SEAROUTE|DER-SEA-APPROACH", "speed_source": speed_src,
            "capacity_source": "", "status_source": status_src,
            "note": note or ("searoute, restrictions " + ",".join(restrictions)),
        })

    for a, b in MAINLINE:
        row(a, b, "", BASE_RESTRICTIONS, MAINLINE_SPEED_KMH, "EST-SEA-SPEED",
            note="deep-sea liner, default routing (Suez where shorter); restrictions northwest")
        if (a, b) != ("CN-SHANGHAI", "IR-BANDAR-ABBAS"):
            row(a, b, "-CAPE", CAPE_RESTRICTIONS, MAINLINE_SPEED_KMH, "EST-SEA-SPEED",
                note="deep-sea liner, Cape of Good Hope variant; restrictions northwest,suez,panama")
    for a, b, status, year, status_src, note in SHORT_SEA:
        feeder = a in FEEDER_FROM and b in {"RO-CONSTANTA", "BG-BURGAS"}
        row(a, b, "", BASE_RESTRICTIONS, feeder_speed if feeder else MAINLINE_SPEED_KMH,
            "DER-FEEDER-SPEED" if feeder else "EST-SEA-SPEED", status, year, status_src, note)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    with (args.data / "places.csv").open(newline="", encoding="utf-8") as fh:
        places = {r["id"]: (float(r["lon"]), float(r["lat"])) for r in csv.DictReader(fh)}
    links_path = args.data / "links.csv"
    kept: list[dict[str, str]] = []
    if links_path.exists():
        with links_path.open(newline="", encoding="utf-8") as fh:
            kept = [r for r in csv.DictReader(fh) if r["mode"] != "sea"]
    sea = build_rows(places)
    with links_path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(kept + sea)
    lanes = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"link": link}, "geometry": {"type": "LineString", "coordinates": xy}}
        for link, xy in LANES.items()]}
    (args.data / "geo" / "sea_lanes.geojson").write_text(json.dumps(lanes, separators=(",", ":")), encoding="utf-8")
    print(f"wrote {len(sea)} sea rows (+{len(kept)} other rows kept) to {links_path}, lanes to geo/sea_lanes.geojson")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
