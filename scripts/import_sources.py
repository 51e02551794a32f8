"""Generate the published rows of sources.csv from facts.md section 9.

Each line ``- [ID] title — publisher — date — URL`` becomes one row (kind ``published``) with the
facts.md ID kept as the id. Lines that bundle several ``[ID] URL`` pairs (Climatiq pages, traveller
reports) become one row per ID. The derived/estimate rows are kept in ``EXTRA_SOURCES`` below.

Usage: python scripts/import_sources.py [facts.md] [sources.csv]
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FACTS = Path("/work/shared/research/facts.md")
OUT = ROOT / "src" / "corridor" / "data" / "sources.csv"
COLUMNS = ["id", "kind", "publisher", "title", "date", "url", "note"]
SEP = " — "


def parse_facts(text: str) -> list[dict[str, str]]:
    """Return one source row per ``[ID]`` in the reference list (section 9) of facts.md."""
    start = text.index("## 9.")
    rows: list[dict[str, str]] = []
    group = ""
    for line in text[start:].splitlines():
        if line and not line.startswith("-") and not line.startswith("#"):
            group = line.strip()
            continue
        if not line.startswith("- "):
            continue
        body = line[2:].strip()
        pairs = re.findall(r"\[([A-Za-z0-9-]+)\]\s+(https?://\S+?)(?:\s*\((\d{4}-\d{2}-\d{2})\))?(?:\s*;|$)", body)
        if SEP not in body.split("]", 1)[1][:3] and len(pairs) > 1 or body.startswith("Climatiq") or body.startswith("Traveller"):
            # a bundled line: "<label> (<publisher>, <years>): [ID] url ; [ID] url ..."
            label = body.split(":", 1)[0].strip()
            for pid, url, date in pairs:
                rows.append({"id": pid, "kind": "published", "publisher": label, "title": f"{label} [{pid}]",
                             "date": date, "url": url, "note": f"group: {group}"})
            continue
        m = re.match(r"\[([A-Za-z0-9-]+)\]\s+(.*)$", body)
        if not m:
            continue
        pid, rest = m.groups()
        parts = rest.split(SEP)
        title = parts[0].strip()
        publisher = parts[1].strip() if len(parts) > 3 else ""
        date = parts[-2].strip() if len(parts) >= 3 else ""
        tail = parts[-1].strip()
        url_m = re.match(r"(https?://\S+)(.*)$", tail)
        url, extra = (url_m.group(1), url_m.group(2).strip()) if url_m else ("", tail)
        if len(parts) == 3:  # title — (date | publisher) — url
            middle = parts[1].strip()
            if re.match(r"(n\.d\.|c\.|\d{4}|date)", middle):
                publisher, date = "", middle
            else:
                publisher, date = middle, ""
        note = f"group: {group}" + (f"; {extra}" if extra else "")
        rows.append({"id": pid, "kind": "published", "publisher": publisher, "title": title,
                     "date": date, "url": url, "note": note})
    seen: set[str] = set()
    unique = []
    for row in rows:
        if row["id"] not in seen:
            seen.add(row["id"])
            unique.append(row)
    return unique


def main(argv: list[str]) -> int:
    facts = Path(argv[1]) if len(argv) > 1 else FACTS
    out = Path(argv[2]) if len(argv) > 2 else OUT
    rows = parse_facts(facts.read_text(encoding="utf-8"))
    # keep every row already in sources.csv whose id is not in facts.md (derived/estimate rows, SEAROUTE)
    kept = []
    if out.exists():
        with out.open(newline="", encoding="utf-8") as fh:
            kept = list(csv.DictReader(fh))
    published_ids = {r["id"] for r in rows}
    kept = [r for r in kept if r["id"] not in published_ids]
    with out.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=COLUMNS)
        w.writeheader()
        w.writerows(rows + kept)
    print(f"wrote {len(rows)} rows from facts.md + {len(kept)} other rows kept, to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
