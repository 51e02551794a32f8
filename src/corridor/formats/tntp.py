"""Readers for the TNTP formats of the Transportation Networks for Research collection.

Four files per network (github.com/bstabler/TransportationNetworks):

* ``*_net.tntp``: a metadata block (``<NUMBER OF ZONES>`` ... ``<END OF METADATA>``), then one line per
  directed link ``init term capacity length fft B power speed toll type ;``.
* ``*_trips.tntp``: ``<NUMBER OF ZONES>`` metadata, then ``Origin o`` followed by ``d : flow;`` pairs.
* ``*_flow.tntp``: best-known link flows, ``From To Volume Cost`` (Chicago-Regional writes a metadata
  block with ``-1`` values and ``Tail Head Volume Cost``: both are accepted).
* ``*_node.tntp``: ``Node X Y ;``.

Every malformed input raises :class:`TNTPFormatError`, whose message names the file and the line.
Quirks handled on purpose: constant-time links written as ``B = 0, Power = 0`` (Barcelona, Winnipeg),
free-flow time 0 (ChicagoSketch connectors), ``<FIRST THRU NODE> 1`` with many zones (ChicagoSketch).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from corridor.errors import DataError

if TYPE_CHECKING:  # pragma: no cover
    from corridor.assignment.graph import LinkNetwork

__all__ = [
    "TNTPFlows",
    "TNTPFormatError",
    "TNTPNetwork",
    "find_files",
    "load_network",
    "read_flow",
    "read_net",
    "read_nodes",
    "read_trips",
]

_META = re.compile(r"^\s*<([^>]+)>\s*(.*?)\s*$")
_NET_COLUMNS = 10


class TNTPFormatError(DataError):
    """A TNTP file is malformed; ``path`` and ``line`` (1-based, or ``None``) say where."""

    def __init__(self, path: str | Path, line: int | None, message: str) -> None:
        self.path = Path(path)
        self.line = line
        where = f"{self.path}:{line}" if line is not None else f"{self.path}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class TNTPNetwork:
    """The contents of a ``*_net.tntp`` file; node ids are the file's 1-based ids."""

    path: Path
    zones: int
    nodes: int
    first_thru_node: int
    init_node: NDArray[np.int64]
    term_node: NDArray[np.int64]
    capacity: NDArray[np.float64]
    length: NDArray[np.float64]
    free_flow_time: NDArray[np.float64]
    b: NDArray[np.float64]
    power: NDArray[np.float64]
    speed: NDArray[np.float64]
    toll: NDArray[np.float64]
    link_type: NDArray[np.int64]
    metadata: dict[str, str] = field(default_factory=dict)

    @property
    def links(self) -> int:
        """Number of directed links."""
        return int(self.init_node.size)

    def to_network(self, toll_factor: float = 0.0, distance_factor: float = 0.0) -> LinkNetwork:
        """The assignment graph, a :class:`~corridor.assignment.LinkNetwork` (0-based nodes; zones
        ``< first_thru_node`` block through traffic)."""
        from corridor.assignment.graph import LinkNetwork

        return LinkNetwork(
            num_nodes=self.nodes,
            num_zones=self.zones,
            from_node=self.init_node - 1,
            to_node=self.term_node - 1,
            capacity=self.capacity,
            free_flow_time=self.free_flow_time,
            b=self.b,
            power=self.power,
            toll=self.toll,
            length=self.length,
            toll_factor=toll_factor,
            distance_factor=distance_factor,
            first_thru_node=self.first_thru_node - 1,
        )


@dataclass(frozen=True)
class TNTPFlows:
    """Link flows of a ``*_flow.tntp`` file (1-based node ids)."""

    path: Path
    init_node: NDArray[np.int64]
    term_node: NDArray[np.int64]
    volume: NDArray[np.float64]
    cost: NDArray[np.float64]

    def aligned(self, net: TNTPNetwork) -> NDArray[np.float64]:
        """Volumes in the link order of ``net``; raises if a link of ``net`` has no flow row."""
        key = {(int(a), int(b)): i for i, (a, b) in enumerate(zip(self.init_node, self.term_node))}
        out = np.empty(net.links)
        for k, (a, b) in enumerate(zip(net.init_node.tolist(), net.term_node.tolist())):
            i = key.get((a, b))
            if i is None:
                raise TNTPFormatError(self.path, None, f"no flow for link {a} -> {b} of {net.path.name}")
            out[k] = self.volume[i]
        return out


def _read_text(path: str | Path) -> tuple[Path, str]:
    p = Path(path)
    try:
        return p, p.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise TNTPFormatError(p, None, f"cannot read file ({exc.strerror or exc})") from exc


def _metadata(path: Path, lines: list[str]) -> tuple[dict[str, str], int]:
    """Parse the ``<KEY> value`` block; returns it and the index of the first line after it."""
    meta: dict[str, str] = {}
    for i, raw in enumerate(lines):
        line = raw.strip()
        if not line or line.startswith("~"):
            continue
        m = _META.match(line)
        if m is None:
            raise TNTPFormatError(path, i + 1, f"expected a <KEY> value metadata line, found {line[:60]!r}")
        key = m.group(1).strip().upper()
        if key == "END OF METADATA":
            return meta, i + 1
        meta[key] = m.group(2).strip()
    raise TNTPFormatError(path, None, "no <END OF METADATA> line")


def _meta_int(path: Path, meta: dict[str, str], key: str) -> int:
    if key not in meta:
        raise TNTPFormatError(path, None, f"missing header <{key}>")
    text = meta[key].split()[0] if meta[key].split() else ""
    try:
        return int(float(text))
    except ValueError:
        raise TNTPFormatError(path, None, f"header <{key}> is not a number: {meta[key]!r}") from None


def read_net(path: str | Path) -> TNTPNetwork:
    """Read a ``*_net.tntp`` link file.

    Raises
    ------
    TNTPFormatError
        Missing headers, a line without 10 columns, a non-number, a negative capacity, length, free-flow
        time, B or power, a node outside ``1..<NUMBER OF NODES>``, or a link count that differs from
        ``<NUMBER OF LINKS>``.
    """
    p, text = _read_text(path)
    lines = text.splitlines()
    meta, start = _metadata(p, lines)
    zones = _meta_int(p, meta, "NUMBER OF ZONES")
    nodes = _meta_int(p, meta, "NUMBER OF NODES")
    first_thru = _meta_int(p, meta, "FIRST THRU NODE")
    n_links = _meta_int(p, meta, "NUMBER OF LINKS")
    if nodes <= 0 or zones < 0 or zones > nodes:
        raise TNTPFormatError(p, None, f"<NUMBER OF ZONES> {zones} / <NUMBER OF NODES> {nodes} are inconsistent")
    rows, line_no = _link_rows(p, lines, start)
    if len(rows) != n_links:
        raise TNTPFormatError(p, None, f"<NUMBER OF LINKS> says {n_links} but the file has {len(rows)} link lines")
    data = _link_numbers(p, rows, line_no)
    _check_links(p, data, rows, line_no, nodes)
    return TNTPNetwork(
        path=p,
        zones=zones,
        nodes=nodes,
        first_thru_node=first_thru,
        init_node=data[:, 0].astype(np.int64),
        term_node=data[:, 1].astype(np.int64),
        capacity=data[:, 2].copy(),
        length=data[:, 3].copy(),
        free_flow_time=data[:, 4].copy(),
        b=data[:, 5].copy(),
        power=data[:, 6].copy(),
        speed=data[:, 7].copy(),
        toll=data[:, 8].copy(),
        link_type=data[:, 9].astype(np.int64),
        metadata=meta,
    )


def _link_rows(path: Path, lines: list[str], start: int) -> tuple[list[list[str]], list[int]]:
    """The link lines after the metadata, split into their 10 fields, and their 1-based line numbers."""
    rows: list[list[str]] = []
    line_no: list[int] = []
    for i in range(start, len(lines)):
        line = lines[i].strip()
        if not line or line.startswith("~"):
            continue
        fields = line.replace(";", " ").split()
        if len(fields) != _NET_COLUMNS:
            raise TNTPFormatError(
                path, i + 1, f"expected {_NET_COLUMNS} columns (init term capacity length fft B power speed toll type), "
                f"found {len(fields)}"
            )
        rows.append(fields)
        line_no.append(i + 1)
    return rows, line_no


def _link_numbers(path: Path, rows: list[list[str]], line_no: list[int]) -> NDArray[np.float64]:
    """The link fields as a links × 10 array; the first non-number raises with its line and column."""
    try:
        return np.array(rows, dtype=np.float64).reshape(len(rows), _NET_COLUMNS)
    except ValueError:
        for fields, ln in zip(rows, line_no):
            for name, value in zip(_COLUMN_NAMES, fields):
                try:
                    float(value)
                except ValueError:
                    raise TNTPFormatError(path, ln, f"{name} is not a number: {value!r}") from None
        raise  # pragma: no cover


def _check_links(path: Path, data: NDArray[np.float64], rows: list[list[str]], line_no: list[int], nodes: int) -> None:
    """Raise on the first link with an unknown node, a negative parameter or a non-finite value."""
    lines_arr = np.asarray(line_no)

    def check(mask: NDArray[np.bool_], what: str, col: int) -> None:
        if mask.any():
            k = int(np.flatnonzero(mask)[0])
            raise TNTPFormatError(path, int(lines_arr[k]), f"{what} ({_COLUMN_NAMES[col]} = {rows[k][col]})")

    for col in (0, 1):
        v = data[:, col]
        check((v != np.round(v)) | (v < 1) | (v > nodes), f"unknown node: not in 1..{nodes}", col)
    check(data[:, 2] < 0, "negative capacity", 2)
    check(data[:, 3] < 0, "negative length", 3)
    check(data[:, 4] < 0, "negative free-flow time", 4)
    check(data[:, 5] < 0, "negative B", 5)
    check(data[:, 6] < 0, "negative power", 6)
    check((data[:, 2] == 0) & (data[:, 5] > 0) & (data[:, 6] > 0), "zero capacity on a congestible link", 2)
    for col in range(data.shape[1]):
        check(~np.isfinite(data[:, col]), "non-finite value", col)


_COLUMN_NAMES = ("init node", "term node", "capacity", "length", "free-flow time", "B", "power", "speed",
                 "toll", "link type")
_TRIP_TOKEN = re.compile(r"Origin\s+(\S+)|([^\s:;]+)\s*:\s*([^\s:;]+)\s*;?|(\S+)")


def read_trips(path: str | Path, zones: int | None = None) -> NDArray[np.float64]:
    """Read a ``*_trips.tntp`` demand file into a dense ``zones × zones`` matrix (0-based indices).

    Parameters
    ----------
    path
        The trips file.
    zones
        Expected number of zones (e.g. the network's); defaults to the file's ``<NUMBER OF ZONES>``.

    Raises
    ------
    TNTPFormatError
        Missing ``<NUMBER OF ZONES>``, a zone outside ``1..zones``, a non-number or negative flow, a pair
        before any ``Origin`` line, stray text, or a zone count that differs from ``zones``.
    """
    p, text = _read_text(path)
    lines = text.splitlines(keepends=True)
    meta, start = _metadata(p, [ln.rstrip("\r\n") for ln in lines])
    n = _meta_int(p, meta, "NUMBER OF ZONES")
    if zones is not None and n != zones:
        raise TNTPFormatError(p, None, f"<NUMBER OF ZONES> is {n} but the network has {zones} zones")
    offset = sum(len(ln) for ln in lines[:start])
    body = text[offset:]
    body = re.sub(r"(?m)^\s*~.*$", "", body)  # comments keep their newline, so line numbers hold

    def line_of(pos: int) -> int:
        return start + body.count("\n", 0, pos) + 1

    demand = np.zeros((n, n))
    origin = -1
    dest_idx: list[int] = []
    vals: list[float] = []
    orig_idx: list[int] = []
    seen: set[tuple[int, int]] = set()
    for m in _TRIP_TOKEN.finditer(body):
        if m.group(1) is not None:
            tok = m.group(1)
            try:
                o = int(tok)
            except ValueError:
                raise TNTPFormatError(p, line_of(m.start()), f"origin is not a zone number: {tok!r}") from None
            if not 1 <= o <= n:
                raise TNTPFormatError(p, line_of(m.start()), f"unknown zone {o} (zones are 1..{n})")
            origin = o - 1
        elif m.group(2) is not None:
            if origin < 0:
                raise TNTPFormatError(p, line_of(m.start()), "destination before any 'Origin' line")
            try:
                d = int(m.group(2))
                v = float(m.group(3))
            except ValueError:
                raise TNTPFormatError(p, line_of(m.start()), f"bad 'zone : flow' pair {m.group(0).strip()!r}") from None
            if not 1 <= d <= n:
                raise TNTPFormatError(p, line_of(m.start()), f"unknown zone {d} (zones are 1..{n})")
            if not (v >= 0 and np.isfinite(v)):
                raise TNTPFormatError(p, line_of(m.start()), f"negative or non-finite flow {m.group(3)!r}")
            if (origin, d) in seen:
                raise TNTPFormatError(p, line_of(m.start()), f"zone {d} appears twice for origin {origin + 1}")
            seen.add((origin, d))
            orig_idx.append(origin)
            dest_idx.append(d - 1)
            vals.append(v)
        else:
            raise TNTPFormatError(p, line_of(m.start()), f"unexpected text {m.group(4)[:40]!r}")
    if orig_idx:
        np.add.at(demand, (np.asarray(orig_idx), np.asarray(dest_idx)), np.asarray(vals))
    _check_total(p, meta, demand)
    return demand


def _check_total(path: Path, meta: dict[str, str], demand: NDArray[np.float64]) -> None:
    """The flows add up to ``<TOTAL OD FLOW>`` when the file states it (to 0.1 %: files round it)."""
    stated = meta.get("TOTAL OD FLOW")
    if stated is None:
        return
    try:
        total = float(stated)
    except ValueError:
        raise TNTPFormatError(path, None, f"<TOTAL OD FLOW> is not a number: {stated!r}") from None
    if not np.isclose(demand.sum(), total, rtol=1e-3, atol=1e-6):
        raise TNTPFormatError(path, None, f"the flows add up to {demand.sum():,.2f}, not the <TOTAL OD FLOW> "
                              f"{total:,.2f} the file states")


def read_flow(path: str | Path) -> TNTPFlows:
    """Read a ``*_flow.tntp`` file (``From To Volume Cost``; an optional metadata block is skipped)."""
    p, text = _read_text(path)
    lines = text.splitlines()
    start = 0
    if any(ln.strip().upper().startswith("<END OF METADATA>") for ln in lines):
        _, start = _metadata(p, lines)
    rows: list[list[float]] = []
    seen_header = False
    for i in range(start, len(lines)):
        fields = lines[i].replace(";", " ").split()
        if not fields or fields[0].startswith("~"):
            continue
        try:
            vals = [float(f) for f in fields]
        except ValueError:
            if not seen_header and not rows:
                seen_header = True  # the column header line
                continue
            raise TNTPFormatError(p, i + 1, f"expected 'from to volume cost' numbers, found {lines[i].strip()[:60]!r}")
        if len(vals) < 3:
            raise TNTPFormatError(p, i + 1, f"expected at least 3 columns (from to volume), found {len(vals)}")
        rows.append(vals[:4] if len(vals) >= 4 else vals[:3] + [np.nan])
    if not rows:
        raise TNTPFormatError(p, None, "no flow rows")
    data = np.asarray(rows)
    return TNTPFlows(p, data[:, 0].astype(np.int64), data[:, 1].astype(np.int64), data[:, 2], data[:, 3])


def read_nodes(path: str | Path) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """Read a ``*_node.tntp`` file; returns node ids and an ``(n, 2)`` array of X, Y."""
    p, text = _read_text(path)
    ids: list[int] = []
    xy: list[tuple[float, float]] = []
    for i, raw in enumerate(text.splitlines()):
        fields = raw.replace(";", " ").split()
        if not fields or fields[0].startswith("~"):
            continue
        if not ids and fields[0].lower() == "node":
            continue
        if len(fields) < 3:
            raise TNTPFormatError(p, i + 1, f"expected 'node x y', found {raw.strip()[:60]!r}")
        try:
            ids.append(int(fields[0]))
            xy.append((float(fields[1]), float(fields[2])))
        except ValueError:
            raise TNTPFormatError(p, i + 1, f"expected 'node x y' numbers, found {raw.strip()[:60]!r}") from None
    return np.asarray(ids, dtype=np.int64), np.asarray(xy, dtype=np.float64).reshape(-1, 2)


def find_files(folder: str | Path) -> dict[str, Path]:
    """The TNTP files of a network folder, keyed ``net``, ``trips``, ``flow``, ``node``."""
    d = Path(folder)
    out: dict[str, Path] = {}
    for kind in ("net", "trips", "flow", "node"):
        hits = sorted(d.glob(f"*_{kind}.tntp"))
        if hits:
            out[kind] = hits[0]
    return out


# Generalised-cost weights of the TNTP networks' READMEs (toll factor, distance factor).
COST_FACTORS: dict[str, tuple[float, float]] = {
    "ChicagoSketch": (0.02, 0.04),
    "Chicago-Regional": (0.1, 0.25),
    "Philadelphia": (0.055, 0.0),
}


def load_network(folder: str | Path) -> tuple[LinkNetwork, NDArray[np.float64], TNTPNetwork]:
    """Read a network folder: the assignment graph (with the README's cost factors), demand and raw net."""
    d = Path(folder)
    files = find_files(d)
    if "net" not in files:
        raise TNTPFormatError(d, None, "no *_net.tntp file in this folder")
    if "trips" not in files:
        raise TNTPFormatError(d, None, "no *_trips.tntp file in this folder")
    net = read_net(files["net"])
    demand = read_trips(files["trips"], zones=net.zones)
    tf, df = COST_FACTORS.get(d.name, (0.0, 0.0))
    return net.to_network(toll_factor=tf, distance_factor=df), demand, net
