"""Write the bundled base-year (2024) demand: src/corridor/data/zones.csv and demand.csv.

The matrix is built block by block from published corridor and train volumes; every block is one
method (one row of sources.csv, ids ``DEM-*``) and every share that is a judgement is one estimate
row (``DEM-*-SPLIT``). docs/demand.md explains each figure. Run it again after changing a figure:

    python scripts/build_demand.py

Units: TEU per year, both directions listed separately (westbound = from the eastern zone); where a source
publishes each direction, each cell takes its own direction's figure (``directed``).
Cells are rounded to whole TEU with the largest-remainder rule, so each block sums exactly to its total.
The growth of each block by year is not written here: src/corridor/data/growth.csv, sourced row by row.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "src" / "corridor" / "data"
YEAR = 2024

# zone id, name, place, note
ZONES = [
    ("CN-XIAN", "Xi'an (Shaanxi)", "CN-XIAN", "Chang'an hub; 3,849 China–Europe train trips 2024 (CRCT-2024)"),
    ("CN-CHENGDU-CHONGQING", "Chengdu and Chongqing", "CN-CHENGDU",
     "2,285 + 2,059 trips 2024 (CRCT-2024); entered at Chengdu"),
    ("CN-CENTRAL-NORTH", "Central and North China (Zhengzhou, Wuhan, Changsha, Hefei, Jinan, Shijiazhuang, Shenyang)",
     "CN-ZHENGZHOU", "2,052 + 742 + 764 + 498 + 653 + 598 + 676 trips 2024 (CRCT-2024); entered at Zhengzhou"),
    ("CN-EAST-SOUTH", "East and South China (Yiwu, Guangzhou, Shanghai)", "CN-YIWU",
     "812 + 742 trips 2024 (CRCT-2024); entered at Yiwu"),
    ("CN-XINJIANG", "Xinjiang (Urumqi) and China–Central Asia trains of other provinces", "CN-URUMQI",
     "consolidation point of the China–Central Asia trains not from the named hubs (DEM-CN-CA)"),
    ("KZ", "Kazakhstan", "KZ-ALMATY", "entered at Almaty, the largest container market"),
    ("UZ", "Uzbekistan (and Kyrgyz/Tajik rail freight via Uzbekistan)", "UZ-TASHKENT", ""),
    ("TM", "Turkmenistan", "TM-ASHGABAT", ""),
    ("AZ", "Azerbaijan (mainland)", "AZ-BAKU", ""),
    ("AZ-NAKHCHIVAN", "Nakhchivan Autonomous Republic (Azerbaijan)", "AZ-NAKHCHIVAN",
     "exclave; reached from the mainland through Iran (Jolfa) today, by TRIPP once it opens"),
    ("GE", "Georgia", "GE-TBILISI", ""),
    ("AM", "Armenia", "AM-YEREVAN", ""),
    ("IR", "Iran", "IR-TEHRAN", ""),
    ("TR", "Türkiye (Istanbul/Marmara)", "TR-HALKALI", "entered at the Halkalı rail terminal"),
    ("EU-CENTRAL", "Poland and Central Europe", "PL-WARSAW", ""),
    ("EU-WEST", "Germany and Benelux", "DE-DUISBURG", ""),
    ("EU-DANUBE", "Danube and South-East Europe (Hungary, Romania, Bulgaria, Serbia)", "HU-BUDAPEST", ""),
    ("EU-SOUTH", "Greece and Italy (via Piraeus)", "GR-PIRAEUS", ""),
]

# -- published inputs (each cited in the method rows below) -----------------------------------------
UTLC_WEST = 412_000                    # RAILNEWS-UTLC25: China → Europe transit via KZ/RU/BY, 2024 (westbound)
UTLC_EAST_PER_100 = 15                 # RAILNEWS-UTLC25, DER-UTLC-EAST24: boxes Europe → China per 100 west, 2024
CRCT_OUT, CRCT_IN = 10_546, 8_846      # CRCT-2024: China–Europe train trips 2024 outbound / inbound
CRCT_TRIPS = {"CN-XIAN": 3_849, "CN-CHENGDU-CHONGQING": 2_285 + 2_059,
              "CN-CENTRAL-NORTH": 2_052 + 742 + 764 + 498 + 653 + 598 + 676, "CN-EAST-SOUTH": 812 + 742}
CNCA_TEU = 882_712                     # XINHUA-CNCA-2024: China–Central Asia trains 2024, TEU
YICAI_CA = {"CN-XIAN": 998, "CN-CENTRAL-NORTH": 1_039, "CN-CHENGDU-CHONGQING": 129 + 261}
YICAI_CA_TOTAL = 14_254                # YICAI-2025: trains on the Central Asian route, 2025
ADY_FROM_CHINA = 27_000                # ADY-2025: containers from China via the Middle Corridor, 2024
TITR_TEU = 56_500                      # KZMT-2026 / AT-2025-03: TEU via KZ/AZ seaports 2024
TITR_MT, KZ_EXPORT_MT = 4.484, 3.2     # KZMT-2026 / RAILNEWS-0425: TITR total and KZ exports 2024, Mt
BTK_TEU_7M_2021, BTK_TRANSIT = 13_610, 0.92   # REPORT-BTK21: BTK containers Jan–Jul 2021, 92 % transit
JOLFA_10M_OUT_T, JOLFA_10M_IN_T = 725_000, 466_000   # TREND-JOLFA-2025: transit leaving / entering Iran at
#                                      Jolfa (the Nakhchivan border), 20 Mar 2024 – 19 Jan 2025 (10 months), t
TONNES_PER_TEU = 10                    # EST-TEU-PAYLOAD: average payload of a loaded TEU
AZ_TR_ROAD_T = 250_000                 # REPORT-HUMM-2025: road freight Azerbaijan–Türkiye, 2025, t
UND_TR_AZ, UND_AZ_TR = 29_307, 8_291 + 7_047   # UND-2019: trucks Türkiye → Azerbaijan / Azerbaijan → Türkiye,
#                                      Jan–Nov 2019 (Turkish + Azerbaijani trucks the other way)
IR_PLACEHOLDER = 5_000                 # DEM-IR: judgement, no published 2024 container count found

# -- judgements (estimate rows) --------------------------------------------------------------------
EU_SPLIT = {"EU-WEST": 0.45, "EU-CENTRAL": 0.35, "EU-DANUBE": 0.15, "EU-SOUTH": 0.05}       # DEM-EU-SPLIT
CA_SPLIT = {"KZ": 0.55, "UZ": 0.40, "TM": 0.05}                                          # DEM-CA-SPLIT
MC_CN_SPLIT = {"EU": 1 / 3, "CAUCASUS": 1 / 3, "TR": 1 / 3}                             # DEM-MC-CN
CAUCASUS_SPLIT = {"AZ": 0.5, "GE": 0.4, "AM": 0.1}                                       # DEM-MC-CN
MC_CA_ORIGIN = {"KZ": 0.70, "UZ": 0.20, "TM": 0.10}                                      # DEM-MC-CA
MC_CA_DEST = {"AZ": 0.30, "GE": 0.30, "TR": 0.25, "EU-DANUBE": 0.15}                     # DEM-MC-CA
NAKH_MAINLAND_SHARE = 0.5              # DEM-AZ-NAKH: share of the Jolfa transit that is mainland ↔ Nakhchivan
BTK_LOCAL_SPLIT = {"AZ": 0.6, "GE": 0.4}                                                 # DEM-BTK-GE, DEM-TR-AZ


def shares(weights: dict[str, float]) -> dict[str, float]:
    total = sum(weights.values())
    return {k: v / total for k, v in weights.items()}


def block(total: float, west: float, origins: dict[str, float], dests: dict[str, float]) -> dict[tuple[str, str], float]:
    """Cells of a block: ``west`` of ``total`` from origins to dests, the rest back."""
    cells: dict[tuple[str, str], float] = {}
    for o, so in origins.items():
        for d, sd in dests.items():
            cells[(o, d)] = cells.get((o, d), 0.0) + total * west * so * sd
            if west < 1:
                cells[(d, o)] = cells.get((d, o), 0.0) + total * (1 - west) * so * sd
    return cells


def directed(west: float, east: float, origins: dict[str, float],
             dests: dict[str, float]) -> dict[tuple[str, str], float]:
    """Cells of a block whose directions are published apart: ``west`` TEU from origins to dests, ``east``
    back; each direction rounded on its own, so each keeps its published total."""
    cells: dict[tuple[str, str], float] = dict(rounded(block(west, 1.0, origins, dests)))
    for (o, d), teu in rounded(block(east, 1.0, origins, dests)).items():
        cells[(d, o)] = teu
    return cells


def rounded(cells: dict[tuple[str, str], float]) -> dict[tuple[str, str], int]:
    """Whole TEU per cell, the block total kept exact (largest remainder)."""
    target = round(sum(cells.values()))
    floors = {k: int(v) for k, v in cells.items()}
    rest = sorted(cells, key=lambda k: cells[k] - floors[k], reverse=True)
    for k in rest[: target - sum(floors.values())]:
        floors[k] += 1
    return {k: v for k, v in floors.items() if v > 0}


def blocks() -> list[tuple[str, str, dict[tuple[str, str], int]]]:
    """(method source ids, note, cells) per block of the matrix."""
    west_cn = CRCT_OUT / (CRCT_OUT + CRCT_IN)
    cn_eu_origins = shares(CRCT_TRIPS)
    named = sum(YICAI_CA.values())
    cn_ca_origins = {k: v / YICAI_CA_TOTAL for k, v in YICAI_CA.items()}
    cn_ca_origins["CN-XINJIANG"] = (YICAI_CA_TOTAL - named) / YICAI_CA_TOTAL
    mc_cn = ADY_FROM_CHINA * MC_CN_SPLIT["CAUCASUS"]
    mc_tr = ADY_FROM_CHINA * MC_CN_SPLIT["TR"]
    mc_eu = ADY_FROM_CHINA * MC_CN_SPLIT["EU"]
    btk_local = BTK_TEU_7M_2021 * 12 / 7 * (1 - BTK_TRANSIT)
    utlc_east = UTLC_WEST * UTLC_EAST_PER_100 / 100
    # Jolfa: leaving Iran = into Nakhchivan (westbound), entering Iran = out of Nakhchivan (eastbound)
    nakh_west = JOLFA_10M_OUT_T * 12 / 10 * NAKH_MAINLAND_SHARE / TONNES_PER_TEU
    nakh_east = JOLFA_10M_IN_T * 12 / 10 * NAKH_MAINLAND_SHARE / TONNES_PER_TEU
    az_tr = AZ_TR_ROAD_T / TONNES_PER_TEU
    az_tr_west = UND_AZ_TR / (UND_AZ_TR + UND_TR_AZ)
    return [
        ("DEM-CN-EU-DIR|DEM-EU-SPLIT|RAILNEWS-UTLC25|DER-UTLC-EAST24|TELS-UTLC-8M24|ADY-2025|CRCT-2024",
         "China–EU by land", rounded(directed(UTLC_WEST + mc_eu, utlc_east, cn_eu_origins, EU_SPLIT))),
        ("DEM-CN-CA|DEM-CA-SPLIT|XINHUA-CNCA-2024|YICAI-2025|CRCT-2024", "China–Central Asia",
         rounded(block(CNCA_TEU, west_cn, cn_ca_origins, CA_SPLIT))),
        ("DEM-MC-CN|ADY-2025|CRCT-2024", "China–Caucasus and Türkiye via the Middle Corridor (westbound)",
         rounded({**block(mc_cn, 1.0, cn_eu_origins, CAUCASUS_SPLIT),
                  **block(mc_tr, 1.0, cn_eu_origins, {"TR": 1.0})})),
        ("DEM-MC-CA|KZMT-2026|ADY-2025|RAILNEWS-0425", "Central Asia–Caucasus, Türkiye, EU via the Caspian",
         rounded(block(TITR_TEU - ADY_FROM_CHINA, KZ_EXPORT_MT / TITR_MT, MC_CA_ORIGIN, MC_CA_DEST))),
        ("DEM-IR|NEWSAZ-TM24|BAZAAR-IRTR", "Iran (placeholder)",
         rounded({**block(IR_PLACEHOLDER, 0.5, cn_eu_origins, {"IR": 1.0}),
                  **block(IR_PLACEHOLDER, 0.5, {"IR": 1.0}, {"TR": 1.0}),
                  **block(IR_PLACEHOLDER, 0.5, MC_CA_ORIGIN, {"IR": 1.0})})),
        ("DEM-BTK-GE|REPORT-BTK21", "Georgia–Türkiye by BTK (non-transit)",
         rounded(block(btk_local * BTK_LOCAL_SPLIT["GE"], 0.5, {"GE": 1.0}, {"TR": 1.0}))),
        ("DEM-TR-AZ|REPORT-HUMM-2025|UND-2019|REPORT-BTK21|EST-TEU-PAYLOAD",
         "Mainland Azerbaijan–Türkiye (road via Georgia or Iran, BTK non-transit)",
         rounded(block(az_tr + btk_local * BTK_LOCAL_SPLIT["AZ"],
                       (az_tr * az_tr_west + btk_local * BTK_LOCAL_SPLIT["AZ"] / 2)
                       / (az_tr + btk_local * BTK_LOCAL_SPLIT["AZ"]), {"AZ": 1.0}, {"TR": 1.0}))),
        ("DEM-AZ-NAKH|TREND-JOLFA-2025|EST-TEU-PAYLOAD", "Mainland Azerbaijan–Nakhchivan (road through Iran)",
         rounded(directed(nakh_west, nakh_east, {"AZ": 1.0}, {"AZ-NAKHCHIVAN": 1.0}))),
    ]


def main() -> int:
    zone_ids = {z[0] for z in ZONES}
    with (DATA / "zones.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["zone", "name", "place", "note"])
        w.writerows(ZONES)
    rows = []
    for source, note, cells in blocks():
        total = sum(cells.values())
        print(f"{note:70s} {total:>10,d} TEU  ({source.split('|')[0]})")
        for (o, d), teu in sorted(cells.items()):
            assert o in zone_ids and d in zone_ids, (o, d)
            rows.append((o, d, teu, YEAR, source, note))
    # one row per origin–destination: merge cells that two blocks share
    merged: dict[tuple[str, str], list] = {}
    for o, d, teu, year, source, note in rows:
        if (o, d) in merged:
            raise SystemExit(f"{o}→{d} appears in two blocks; give it one method")
        merged[(o, d)] = [o, d, teu, year, source, note]
    with (DATA / "demand.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["origin", "destination", "teu_per_year", "year", "source", "note"])
        w.writerows(merged.values())
    print(f"{'total':70s} {sum(r[2] for r in merged.values()):>10,d} TEU in {len(merged)} cells")
    return 0


if __name__ == "__main__":
    sys.exit(main())
