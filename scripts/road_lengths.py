"""Set the road lengths of ``links.csv``: published where found, else great-circle × a derived circuity factor.

A published road length covers one link or a chain of consecutive links (``PUBLISHED``); a chain's length is
split over its links in proportion to their great-circle lengths (``DER-SPLIT-GC``, as for rail). The circuity factor of a country = sum of the published lengths / sum of the great-circle lengths of
their links, over the roads of 50 km great-circle or more that do not overlap another one (a few km of
position error then moves a factor by under 10%); a country with none takes the pooled factor (all those
roads); a cross-border link takes the mean of its two countries'. Every other road link gets great-circle ×
its factor, source ``DER-ROAD-CIRCUITY``. The factors and their inputs are printed for that source's note.

Usage: python scripts/road_lengths.py [--data DIR] [--dry-run]
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

from corridor.network.geo import haversine_km

DATA = Path(__file__).resolve().parents[1] / "src" / "corridor" / "data"
MIN_GC_KM = 50.0
DERIVED = "DER-ROAD-CIRCUITY"

#: (name, km, source, links of the chain in order, counts toward the factors)
PUBLISHED: list[tuple[str, float, str, list[str], bool]] = [
    ("A2 Uzbek border (Zhibek Zholy)-Shymkent-Almaty-Khorgos", 1197.0, "WIKI-KZ-A2",
     ["road:KZ-SHYMKENT:KZ-SARYAGASH", "road:KZ-ALMATY:KZ-SHYMKENT", "road:KZ-NURZHOLY:KZ-ALMATY"], True),
    ("Aktobe-Atyrau (Aktobe-Atyrau-Astrakhan 897 km less Atyrau-RF border 277 km)", 620.0, "PM-KZ-AAA",
     ["road:KZ-AKTOBE:KZ-ATYRAU"], True),
    ("Beyneu-Aktau highway", 470.0, "AZH-BA", ["road:KZ-BEYNEU:KZ-AKTAU"], True),
    # Shymkent-Tashkent 145 km by road; Shymkent-Saryagash is already set by the A2, so this sets the rest
    ("Shymkent-Tashkent bus route", 145.0, "TREND-ST-BUS",
     ["road:KZ-SHYMKENT:KZ-SARYAGASH", "road:KZ-SARYAGASH:UZ-TASHKENT"], False),
    ("M2 Baku-Alat-Ganja-Gazakh-Georgian border (Red Bridge) less Ganja-border", 514.0 - 130.15, "WIKI-AZ-M2",
     ["road:AZ-ALAT:AZ-BAKU", "road:AZ-ALAT:AZ-HAJIGABUL", "road:AZ-HAJIGABUL:AZ-GANJA"], True),
    ("Ganja-Gazakh-Georgian border", 130.15, "TREND-GGB", ["road:AZ-GANJA:AZ-RED-BRIDGE"], True),
    ("Tabriz-Zanjan freeway", 285.0, "ALALAM-TZ", ["road:IR-TABRIZ:IR-ZANJAN"], True),
    ("O-4 Anadolu Otoyolu Istanbul-Ankara", 407.0, "WIKI-TR-O4", ["road:TR-ANKARA:TR-ISTANBUL"], True),
    ("O-3 Avrupa Otoyolu Istanbul-Edirne (Kapikule)", 231.0, "MILLIYET-OTO", ["road:TR-ISTANBUL:TR-KAPIKULE"], True),
    ("Poti-Anaklia road section", 30.0, "WH-GE-EW", ["road:GE-POTI:GE-ANAKLIA"], True),
    ("Maritsa A4 km 0-102 (Svilengrad) + Trakia A1 km 127 (Plovdiv-north) to km 169 (Orizovo)", 144.0, "WIKI-BG-A4|WIKI-BG-A1",
     ["road:BG-SVILENGRAD:BG-PLOVDIV"], True),
    ("A1 Belgrade-Nis", 237.0, "WIKI-RS-A1", ["road:RS-NIS:RS-BELGRADE"], True),
    ("A4 Vienna-Nickelsdorf 66 km + M1 Hegyeshalom-Budapest 171 km", 237.0, "WIKI-AT-A4|WIKI-HU-M1",
     ["road:HU-BUDAPEST:AT-VIENNA"], True),
]


def _gc(row: dict[str, str], places: dict[str, dict[str, str]]) -> float:
    a, b = places[row["from"]], places[row["to"]]
    return float(haversine_km(float(a["lon"]), float(a["lat"]), float(b["lon"]), float(b["lat"])))


def _published(roads: dict[str, dict[str, str]], gc: dict[str, float]) -> tuple[dict[str, tuple[float, str]], list]:
    """Length and source of each link a published length covers, and the roads that count toward the factors."""
    fixed: dict[str, tuple[float, str]] = {}
    lines = []
    for name, km, source, chain, counts in PUBLISHED:
        known = [link for link in chain if link in fixed and not fixed[link][1].startswith(source)]
        rest = [link for link in chain if link not in known]
        left = km - sum(fixed[link][0] for link in known)
        total = sum(gc[link] for link in rest)
        if left < total:
            raise ValueError(f"{name}: {left:.1f} km left for {rest}, shorter than their great circle {total:.1f} km")
        split = f"{source}|DER-SPLIT-GC" if len(chain) > 1 else source
        for link in rest:
            fixed[link] = (left * gc[link] / total, split)
        if counts:
            lines.append((name, km, source, chain, sum(gc[link] for link in chain)))
    return fixed, lines


def _factors(lines: list, roads: dict[str, dict[str, str]], country: dict[str, str]) -> tuple[dict[str, float], float]:
    """Circuity per country and pooled, from the published roads of at least ``MIN_GC_KM`` great-circle."""
    by_country: dict[str, list[float]] = {}
    for _, km, _, chain, gc in lines:
        if gc >= MIN_GC_KM:
            # a road across a border counts for each country it runs in
            for iso in {country[roads[link][end]] for link in chain for end in ("from", "to")}:
                by_country.setdefault(iso, [0.0, 0.0])
                by_country[iso][0] += km
                by_country[iso][1] += gc
    used = [line for line in lines if line[4] >= MIN_GC_KM]
    pooled = sum(line[1] for line in used) / sum(line[4] for line in used)
    return {iso: km / gc for iso, (km, gc) in by_country.items()}, pooled


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--dry-run", action="store_true")
    args = parser.parse_args()
    with (args.data / "places.csv").open(newline="", encoding="utf-8") as fh:
        places = {r["id"]: r for r in csv.DictReader(fh)}
    path = args.data / "links.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        columns, rows = list(reader.fieldnames or []), list(reader)
    roads = {r["id"]: r for r in rows if r["mode"] == "road"}
    gc = {link: _gc(r, places) for link, r in roads.items()}
    country = {pid: p["country"] for pid, p in places.items()}
    fixed, lines = _published(roads, gc)
    factors, pooled = _factors(lines, roads, country)
    for name, km, source, chain, g in lines:
        print(f"{name} {km:g} km [{source}]: {km:g}/{g:.1f} = {km / g:.3f}" + ("" if g >= MIN_GC_KM else " (short)"))
    print("factors:", {k: round(v, 3) for k, v in sorted(factors.items())}, "pooled:", round(pooled, 3))
    for link, row in roads.items():
        if link in fixed:
            km, source = fixed[link]
        else:
            ends = {country[row["from"]], country[row["to"]]}
            km, source = gc[link] * sum(factors.get(c, pooled) for c in ends) / len(ends), DERIVED
        row["length_km"], row["length_source"] = f"{km:.1f}", source
    if not args.dry_run:
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
    print(f"{len(fixed)} of {len(roads)} road links published, the rest {DERIVED}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
