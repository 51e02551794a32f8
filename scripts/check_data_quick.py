"""Quick sanity pass over the bundled dataset (the official checker is `corridor data check`)."""
from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import networkx as nx
from shapely.geometry import Point, shape

DATA = Path(__file__).resolve().parents[1] / "src" / "corridor" / "data"
GEO = Path("/work/shared/data/geo/ne_50m_countries.geojson")


def rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def main() -> int:
    problems: list[str] = []
    src = {r["id"] for r in rows("sources.csv")}
    places = {r["id"]: r for r in rows("places.csv")}
    links = rows("links.csv")
    for name, key in [("sources.csv", "id"), ("places.csv", "id"), ("links.csv", "id"), ("crossings.csv", "id")]:
        ids = [r[key] for r in rows(name)]
        if len(ids) != len(set(ids)):
            problems.append(f"{name}: duplicate ids {sorted({i for i in ids if ids.count(i) > 1})}")
    for name in ["places.csv", "links.csv", "crossings.csv", "terminals.csv", "services.csv", "tariffs.csv", "modes.csv", "cargo.csv"]:
        for i, r in enumerate(rows(name), start=2):
            for col, val in r.items():
                if (col.endswith("source") or col == "source") and val:
                    for s in val.split("|"):
                        if s not in src:
                            problems.append(f"{name}:{i} {col} cites unknown source {s}")
    link_ids = {r["id"] for r in links}
    crossed = {r["link"] for r in rows("crossings.csv")}
    for r in links:
        for end in (r["from"], r["to"]):
            if end not in places:
                problems.append(f"links.csv {r['id']}: unknown place {end}")
        if r["mode"] in ("rail", "road") and places[r["from"]]["country"] != places[r["to"]]["country"] and r["id"] not in crossed:
            problems.append(f"links.csv {r['id']}: cross-border link without crossings row")
        if r["status"] != "operational" and not r["open_year"] and r["status"] != "closed":
            problems.append(f"links.csv {r['id']}: open_year missing")
    for r in rows("crossings.csv"):
        if r["link"] not in link_ids:
            problems.append(f"crossings.csv {r['id']}: unknown link {r['link']}")
    for r in rows("services.csv"):
        if r["link"] not in link_ids:
            problems.append(f"services.csv: unknown link {r['link']}")
    for r in rows("terminals.csv"):
        if r["place"] not in places:
            problems.append(f"terminals.csv: unknown place {r['place']}")
    polys: dict[str, list] = {}
    for f in json.loads(GEO.read_text())["features"]:
        polys.setdefault(f["properties"]["iso_a2"], []).append(shape(f["geometry"]))
    for p in places.values():
        pt = Point(float(p["lon"]), float(p["lat"]))
        d = min(g.distance(pt) for g in polys[p["country"]])
        limit = 0.05 if p["kind"] in ("port", "caspian_port") else 0.0
        if d > limit:
            problems.append(f"places.csv {p['id']}: {d:.3f} deg outside {p['country']}")
    # connectivity: rail (+ferry) Xi'an -> Duisburg, via Russia and via the Caspian
    g = nx.Graph()
    for r in links:
        if r["mode"] in ("rail", "ferry") and r["status"] == "operational":
            g.add_edge(r["from"], r["to"])
    no_caspian = g.copy()
    no_caspian.remove_nodes_from([n for n in list(g) if n in ("AZ-ALAT",)])
    no_russia = g.copy()
    no_russia.remove_nodes_from([n for n in list(g) if places[n]["country"] in ("RU", "BY")])
    for label, graph in [("via Russia (no Caspian)", no_caspian), ("via Caspian (no RU/BY)", no_russia)]:
        if not nx.has_path(graph, "CN-XIAN", "DE-DUISBURG"):
            problems.append(f"rail: no Xi'an-Duisburg path {label}")
        else:
            path = nx.shortest_path(graph, "CN-XIAN", "DE-DUISBURG")
            print(f"Xi'an-Duisburg {label}: {len(path)} places")
    for p in problems:
        print("PROBLEM", p)
    print(f"{len(places)} places, {len(links)} links, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
