"""The run store: every run of a sweep (and any saved analysis) in an embedded DuckDB file.

A run is keyed by a hash of what determines its result — the analysis, the scenario's key, the
parameters, the data version and the code version — so running the same thing again finds it.
Each run is written in one transaction with its key as primary key: a process killed mid-write
leaves the run absent, never half there, and a second write of the same key is ignored.

The file is ``$CORRIDOR_STORE`` if set, else ``~/.cache/corridor/runs.duckdb`` (``$XDG_CACHE_HOME``
is honoured); every command takes ``--store PATH``. DuckDB lets one process write at a time, so the
store opens the file only for the moment of each read or write — except during a sweep, which
holds it (:meth:`RunStore.session`) and commits each run as it finishes.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import StoreError
from .formats.json import dumps

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    key VARCHAR PRIMARY KEY,
    kind VARCHAR NOT NULL,
    scenario VARCHAR,
    scenario_key VARCHAR,
    params VARCHAR,
    data_version VARCHAR,
    code_version VARCHAR,
    sweep VARCHAR,
    created TIMESTAMP,
    seconds DOUBLE,
    summary VARCHAR,
    result VARCHAR
)
"""
COLUMNS = ("key", "kind", "scenario", "scenario_key", "params", "data_version", "code_version", "sweep",
           "created", "seconds", "summary", "result")
#: modules and packages whose source defines what a run computes (their hash is the code version)
ENGINE = ("graph.py", "routing.py", "settings.py", "sweep.py", "network", "scenarios", "freight", "energy")


def default_store_path() -> Path:
    """``$CORRIDOR_STORE``, else ``$XDG_CACHE_HOME/corridor/runs.duckdb`` (``~/.cache`` by default)."""
    env = os.environ.get("CORRIDOR_STORE")
    if env:
        return Path(env).expanduser()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "corridor" / "runs.duckdb"


@lru_cache(maxsize=1)
def code_version() -> str:
    """The package version plus a hash of the engine's source files."""
    root = Path(__file__).parent
    digest = hashlib.sha256()
    for name in ENGINE:
        files = sorted((root / name).rglob("*.py")) if (root / name).is_dir() else [root / name]
        for path in files:
            digest.update(path.read_bytes())
    return f"{version('corridor')}+{digest.hexdigest()[:10]}"


def run_key(kind: str, scenario_key: str, params: dict[str, Any], data_version: str, code: str | None = None) -> str:
    """The key of a run: a hash of everything its result depends on."""
    body = json.dumps({"kind": kind, "scenario": scenario_key, "params": params, "data": data_version,
                       "code": code or code_version()}, sort_keys=True, default=str)
    return hashlib.sha256(body.encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Run:
    """One stored run."""

    key: str
    kind: str
    scenario: str
    scenario_key: str
    params: dict[str, Any]
    data_version: str
    code_version: str
    summary: dict[str, Any]
    result: Any
    seconds: float = 0.0
    sweep: str | None = None
    created: _dt.datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "kind": self.kind, "scenario": self.scenario, "scenario_key": self.scenario_key,
                "params": self.params, "data_version": self.data_version, "code_version": self.code_version,
                "sweep": self.sweep, "created": self.created.isoformat() if self.created else None,
                "seconds": self.seconds, "summary": self.summary, "result": self.result}


class RunStore:
    """An embedded DuckDB file of runs.

    Examples
    --------
    >>> store = RunStore("/tmp/example-runs.duckdb")  # doctest: +SKIP
    >>> store.keys()  # doctest: +SKIP
    set()
    """

    def __init__(self, path: str | Path | None = None, *, timeout_s: float = 30.0) -> None:
        self.path = Path(path).expanduser() if path is not None else default_store_path()
        self.timeout_s = timeout_s
        self._session: Any = None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as con:
            con.execute(_SCHEMA)

    def _connect(self, read_only: bool = False) -> Any:
        import duckdb

        if read_only and not self.path.exists():
            read_only = False
        deadline = time.monotonic() + self.timeout_s
        wait = 0.02
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=read_only)
            except duckdb.IOException as exc:  # another process holds the write lock
                if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                    raise StoreError(f"cannot open the run store {self.path}: {exc}") from None
            except duckdb.Error as exc:
                raise StoreError(f"cannot open the run store {self.path}: {exc}") from None
            time.sleep(wait)
            wait = min(wait * 2, 0.5)

    # -- writing ---------------------------------------------------------------------------
    @contextmanager
    def session(self) -> Iterator[RunStore]:
        """Hold the file open for many writes (a sweep): each run is still its own committed transaction,
        but the file is not reopened and checkpointed per run. Other processes wait until it ends."""
        if self._session is not None:
            yield self
            return
        self._session = self._connect()
        try:
            yield self
        finally:
            con, self._session = self._session, None
            con.close()

    def _writer(self) -> Any:
        return nullcontext(self._session) if self._session is not None else self._connect()

    def put(self, run: Run) -> bool:
        """Store a run in one transaction; False if its key was already there."""
        row = (run.key, run.kind, run.scenario, run.scenario_key, json.dumps(run.params, sort_keys=True, default=str),
               run.data_version, run.code_version, run.sweep, run.created or _dt.datetime.now(),
               float(run.seconds), dumps(run.summary, indent=None),
               dumps(run.result, indent=None))
        with self._writer() as con:
            con.execute("BEGIN TRANSACTION")
            try:
                exists = con.execute("SELECT 1 FROM runs WHERE key = ?", [run.key]).fetchone()
                if not exists:
                    con.execute(f"INSERT INTO runs ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})", row)
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        return not exists

    def delete(self, keys: Iterable[str]) -> int:
        keys = list(keys)
        if not keys:
            return 0
        with self._connect() as con:
            n = con.execute(f"SELECT count(*) FROM runs WHERE key IN ({', '.join('?' * len(keys))})", keys).fetchone()[0]
            con.execute(f"DELETE FROM runs WHERE key IN ({', '.join('?' * len(keys))})", keys)
        return int(n)

    # -- reading ---------------------------------------------------------------------------
    def _reader(self) -> Any:
        return nullcontext(self._session) if self._session is not None else self._connect(read_only=True)

    def keys(self) -> set[str]:
        with self._reader() as con:
            return {r[0] for r in con.execute("SELECT key FROM runs").fetchall()}

    def __contains__(self, key: str) -> bool:
        with self._reader() as con:
            return con.execute("SELECT 1 FROM runs WHERE key = ?", [key]).fetchone() is not None

    def __len__(self) -> int:
        with self._reader() as con:
            return int(con.execute("SELECT count(*) FROM runs").fetchone()[0])

    def get(self, key: str) -> Run:
        """A run by its key or an unambiguous prefix of it."""
        with self._connect(read_only=True) as con:
            rows = con.execute(f"SELECT {', '.join(COLUMNS)} FROM runs WHERE key LIKE ? LIMIT 2", [key + "%"]).fetchall()
        if not rows:
            raise StoreError(f"no run {key!r} in {self.path}: `corridor runs list` shows the keys")
        if len(rows) > 1:
            raise StoreError(f"{key!r} matches several runs: give more of the key")
        return _run(rows[0])

    def frame(self, *, kind: str | None = None, sweep: str | None = None, with_result: bool = False) -> pd.DataFrame:
        """The runs as a table (``params`` and ``summary`` as JSON text)."""
        cols = [c for c in COLUMNS if with_result or c != "result"]
        where, args = _where(kind, sweep)
        sql = f"SELECT {', '.join(cols)} FROM runs{where} ORDER BY created"
        with self._connect(read_only=True) as con:
            return con.execute(sql, args).df()

    def export_parquet(self, path: str | Path, *, kind: str | None = None, sweep: str | None = None) -> Path:
        """Write the runs (with results) to a Parquet file."""
        path = Path(path)
        where, args = _where(kind, sweep)
        target = str(path).replace("'", "''")
        sql = f"SELECT * FROM runs{where} ORDER BY created"
        with self._connect(read_only=True) as con:
            con.execute(f"COPY ({sql}) TO '{target}' (FORMAT PARQUET)", args)
        return path


def _where(kind: str | None, sweep: str | None) -> tuple[str, list[str]]:
    """The `` WHERE …`` clause (empty for no filter) and its arguments."""
    filters = [(column, value) for column, value in (("kind", kind), ("sweep", sweep)) if value]
    where = " AND ".join(f"{column} = ?" for column, _ in filters)
    return (f" WHERE {where}" if where else ""), [value for _, value in filters]


def _run(row: tuple) -> Run:
    d = dict(zip(COLUMNS, row))
    return Run(key=d["key"], kind=d["kind"], scenario=d["scenario"], scenario_key=d["scenario_key"],
               params=json.loads(d["params"] or "{}"), data_version=d["data_version"], code_version=d["code_version"],
               summary=json.loads(d["summary"] or "{}"), result=json.loads(d["result"] or "null"),
               seconds=float(d["seconds"] or 0), sweep=d["sweep"], created=d["created"])
