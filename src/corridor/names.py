"""Resolve place names: by id, name or alias, ignoring case, accents and apostrophes."""

from __future__ import annotations

import difflib
import re
import unicodedata

import pandas as pd

from .errors import UnknownPlaceError
from .network.schema import split_list

_DROP = re.compile(r"[\s'’‘`ʼ.\-_/()]+")
_QUALIFIER = re.compile(r"\s*\([^)]*\)\s*$")


def normalize(text: str) -> str:
    """Fold a name for matching: ``"XI’AN"``, ``"Xi'an"`` and ``"xian"`` all give ``"xian"``."""
    text = unicodedata.normalize("NFKD", text.replace("ı", "i").replace("ł", "l").replace("Ł", "L"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _DROP.sub("", text.casefold())


class PlaceIndex:
    """Every spelling of every place, folded, mapped to the place id."""

    def __init__(self, places: pd.DataFrame) -> None:
        self.names: dict[str, str] = {}
        self.label: dict[str, str] = {}
        self._rows = {pid: row for pid, row in zip(places["id"], places.to_dict("records"))}
        for row in places.itertuples(index=False):
            self.label[row.id] = f"{row.name} ({row.id})"
            for spelling in (row.id, row.name, *split_list(row.aliases)):
                self.names.setdefault(normalize(spelling), row.id)
        # ids win over names, names over aliases, and all of them over a name shorn of its
        # "(IR)"-style qualifier, which is only a fallback ("Sarakhs" for "Sarakhs (IR)")
        for row in places.itertuples(index=False):
            self.names[normalize(row.id)] = row.id
        for row in places.itertuples(index=False):
            for spelling in (row.name, *split_list(row.aliases)):
                self.names.setdefault(normalize(_QUALIFIER.sub("", spelling)), row.id)

    def resolve(self, query: str) -> str:
        """The id of the place ``query`` names.

        Raises
        ------
        UnknownPlaceError
            Naming the nearest known places.
        """
        key = normalize(query)
        if key in self.names:
            return self.names[key]
        close = difflib.get_close_matches(key, list(self.names), n=8, cutoff=0.6)
        if not close:
            close = [k for k in self.names if key and (key in k or k in key)][:8]
        seen: list[str] = []
        for k in close:
            if self.names[k] not in seen:
                seen.append(self.names[k])
        raise UnknownPlaceError(query, [self.label[pid] for pid in seen[:5]])

    def search(self, query: str = "") -> list[str]:
        """Ids of places whose id, name or alias contains ``query`` (all places when empty), in id order."""
        key = normalize(query)
        hits = {pid for name, pid in self.names.items() if key in name}
        return sorted(hits)

    def ranked(self, query: str, limit: int | None = None) -> list[str]:
        """Like :meth:`search`, ranked for typing: exact spellings first, then prefixes, then substrings."""
        key = normalize(query)
        best: dict[str, tuple[int, str]] = {}
        for spelling, pid in self.names.items():
            if key not in spelling:
                continue
            score = 0 if spelling == key else 1 if spelling.startswith(key) else 2
            if pid not in best or score < best[pid][0]:
                best[pid] = (score, str(self._rows[pid]["name"]))
        return sorted(best, key=lambda pid: (best[pid], pid))[:limit]

    def record(self, pid: str) -> dict[str, object]:
        """One place as the CLI's ``--json`` and the REST API give it (aliases as a list)."""
        row = self._rows[pid]
        return {"id": pid, "name": row["name"], "aliases": split_list(row["aliases"]), "country": row["country"],
                "kind": row["kind"], "lon": float(row["lon"]), "lat": float(row["lat"])}
