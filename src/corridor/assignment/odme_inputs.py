"""The inputs of matrix estimation, checked: counts (on one link, or screenlines: sums over a set of links),
the prior's cells with their bounds, and whether some OD pair of the prior can carry each count at all."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from scipy.sparse.csgraph import breadth_first_order

from corridor.assignment.graph import LinkNetwork
from corridor.assignment.paths import ODMatrix
from corridor.errors import CountError, DemandError

__all__ = ["Cells", "CountSet", "check_carriable", "read_count_set", "read_counts"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


def read_counts(counts: object, num_links: int) -> tuple[IntArray, FloatArray]:
    """``(links, volumes)`` from ``{link: volume}``, a pandas Series (index = link) or ``(links, volumes)``.

    Raises
    ------
    CountError
        No counts, a link index that is not a whole number in ``0 .. num_links − 1``, a link counted twice,
        or a volume that is negative or not finite; each names the link.
    """
    if isinstance(counts, Mapping) or hasattr(counts, "items"):
        pairs = list(counts.items())  # type: ignore[union-attr]
        raw_links = np.array([k for k, _ in pairs], dtype=object)
        raw_vals = [v for _, v in pairs]
    else:
        try:
            raw_links, raw_vals = counts  # type: ignore[misc]
        except (TypeError, ValueError):
            raise CountError("counts must be {link: volume}, a pandas Series or a (links, volumes) pair") from None
        raw_links = np.asarray(raw_links, dtype=object).reshape(-1)
    try:
        vals = np.asarray(raw_vals, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise CountError("count volumes must be numbers") from None
    if raw_links.size != vals.size:
        raise CountError(f"{raw_links.size} links but {vals.size} volumes")
    if raw_links.size == 0:
        raise CountError("no counts given")
    links = np.empty(raw_links.size, dtype=np.int64)
    for i, k in enumerate(raw_links):
        if isinstance(k, bool) or not isinstance(k, (int, np.integer, float, np.floating)) or k != int(k) \
                or not 0 <= int(k) < num_links:
            raise CountError(f"count on unknown link {k!r}: links are 0-based whole numbers 0..{num_links - 1}")
        links[i] = int(k)
    bad = np.flatnonzero(~np.isfinite(vals) | (vals < 0))
    if bad.size:
        k = int(bad[0])
        raise CountError(f"count on link {links[k]} is {vals[k]}: counts must be finite and >= 0")
    uniq, seen = np.unique(links, return_counts=True)
    if (seen > 1).any():
        raise CountError(f"link {int(uniq[seen > 1][0])} is counted {int(seen[seen > 1][0])} times: give one volume")
    return links, vals


@dataclass(frozen=True)
class CountSet:
    """Counts as rows of a ``counts × links`` incidence: the model count is ``incidence @ flows``.

    ``label`` names each count: its link index, or the tuple of link indices of a screenline.
    """

    incidence: sp.csr_matrix
    observed: FloatArray
    label: list[object]

    def __len__(self) -> int:
        return self.observed.size

    def links(self, i: int) -> IntArray:
        """The links of count ``i``."""
        a = self.incidence
        return a.indices[a.indptr[i]:a.indptr[i + 1]].astype(np.int64)

    def subset(self, keep: NDArray[np.bool_]) -> CountSet:
        """The counts where ``keep`` is True."""
        return CountSet(self.incidence[np.flatnonzero(keep)], self.observed[keep],
                        [lab for lab, k in zip(self.label, keep) if k])


def _is_group(key: object) -> bool:
    return isinstance(key, (tuple, list, frozenset, set, np.ndarray))


def read_count_set(counts: object, num_links: int) -> CountSet:
    """:class:`CountSet` from the forms :func:`read_counts` takes, from a mapping whose keys may also be
    tuples of links (``{(3, 7): 1200.0}``: a screenline, the sum of links 3 and 7), or from
    ``(incidence, volumes)`` with a scipy sparse ``counts × links`` incidence.

    Raises
    ------
    CountError
        As :func:`read_counts`, and for a screenline with no link or a link twice, an incidence of the
        wrong shape or with negative weights, or the same link set counted twice.
    """
    if isinstance(counts, tuple) and len(counts) == 2 and sp.issparse(counts[0]):
        a = sp.csr_matrix(counts[0], dtype=np.float64)
        a.eliminate_zeros()
        if a.shape[1] != num_links:
            raise CountError(f"the count incidence has {a.shape[1]} columns; it needs one per link ({num_links})")
        if (a.data < 0).any() or (np.diff(a.indptr) == 0).any():
            raise CountError("every row of the count incidence needs links with weights > 0")
        groups = [tuple(int(k) for k in a.indices[a.indptr[i]:a.indptr[i + 1]]) for i in range(a.shape[0])]
        vals = _volumes(counts[1], groups)
    elif (isinstance(counts, Mapping) or hasattr(counts, "items")) and any(map(_is_group, dict(counts).keys())):
        items = list(dict(counts).items())  # type: ignore[call-overload]
        groups = []
        for k, _ in items:
            g = tuple(k) if _is_group(k) else (k,)
            if len(g) == 0 or len(set(g)) != len(g):
                raise CountError(f"screenline {g}: give each of its links once, and at least one")
            groups.append(tuple(int(x) for x in read_counts({x: 0.0 for x in g}, num_links)[0]))
        vals = _volumes([v for _, v in items], groups)
        rows = [i for i, g in enumerate(groups) for _ in g]
        a = sp.csr_matrix((np.ones(len(rows)), (rows, [x for g in groups for x in g])), shape=(len(groups), num_links))
    else:
        links, vals = read_counts(counts, num_links)
        return CountSet(sp.csr_matrix((np.ones(links.size), (np.arange(links.size), links)),
                                      shape=(links.size, num_links)), vals, [int(k) for k in links])
    seen: dict[frozenset[int], int] = {}
    for i, g in enumerate(groups):
        if frozenset(g) in seen:
            raise CountError(f"links {g} are counted twice (counts {seen[frozenset(g)]} and {i}): give one volume")
        seen[frozenset(g)] = i
    return CountSet(a, vals, [g[0] if len(g) == 1 else g for g in groups])


def _volumes(values: object, groups: list[tuple[int, ...]]) -> FloatArray:
    try:
        vals = np.asarray(values, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError):
        raise CountError("count volumes must be numbers") from None
    if vals.size != len(groups) or not groups:
        raise CountError(f"{len(groups)} counts but {vals.size} volumes" if groups else "no counts given")
    bad = np.flatnonzero(~np.isfinite(vals) | (vals < 0))
    if bad.size:
        raise CountError(f"count on links {groups[bad[0]]} is {vals[bad[0]]}: counts must be finite and >= 0")
    return vals


@dataclass(frozen=True)
class Cells:
    """The prior's nonzero cells between zones (sorted by origin, then destination) with their bounds;
    ``intrazonal`` keeps the prior's diagonal, which loads no link and is returned unchanged."""

    num_zones: int
    origins: IntArray
    od_row: IntArray
    od_zone: IntArray
    prior: FloatArray
    lower: FloatArray
    upper: FloatArray
    intrazonal: FloatArray

    @classmethod
    def build(cls, prior: object, num_zones: int, lower: ArrayLike | None, upper: ArrayLike | None) -> Cells:
        """The cells of ``prior`` and their ``[lower, upper]`` range (whole ``zones × zones`` arrays)."""
        od = prior if isinstance(prior, ODMatrix) else ODMatrix.from_matrix(prior, num_zones)  # type: ignore[arg-type]
        if od.num_zones != num_zones:
            raise DemandError(f"prior has {od.num_zones} zones but the network has {num_zones}")
        o = od.origins[od.od_row]
        key = np.lexsort((od.od_zone, o))
        o, d, g = o[key], od.od_zone[key], od.od_flow[key]
        origins, row = np.unique(o, return_inverse=True)
        lo = _bound(lower, "lower", num_zones, o, d, 0.0)
        up = _bound(upper, "upper", num_zones, o, d, np.inf)
        bad = np.flatnonzero((lo > g) | (up < g) | (lo < 0))
        if bad.size:
            k = int(bad[0])
            raise DemandError(f"cell ({o[k]}, {d[k]}) (0-based zones): prior {g[k]:g} is outside its bounds "
                              f"[{lo[k]:g}, {up[k]:g}]; bounds must satisfy 0 <= lower <= prior <= upper")
        if isinstance(prior, ODMatrix):
            diag = np.zeros(num_zones)
        else:
            diag = prior.diagonal() if sp.issparse(prior) else np.diagonal(np.asarray(prior))  # type: ignore[union-attr]
        return cls(num_zones, origins.astype(np.int64), row.astype(np.int64), d.astype(np.int64), g, lo, up,
                   np.asarray(diag, dtype=np.float64).copy())

    def matrix(self, values: FloatArray) -> ODMatrix:
        """The cells with ``values`` as an :class:`ODMatrix` (zero cells kept, so the bushes stay)."""
        return ODMatrix(self.num_zones, self.origins, self.od_row, self.od_zone, np.asarray(values, dtype=np.float64))

    def dense(self, values: FloatArray) -> FloatArray:
        """The cells with ``values`` as a dense ``zones × zones`` array."""
        out = np.diag(self.intrazonal)
        out[self.origins[self.od_row], self.od_zone] = values
        return out


def _bound(value: ArrayLike | None, name: str, zones: int, o: IntArray, d: IntArray, default: float) -> FloatArray:
    if value is None:
        return np.full(o.size, default)
    arr = value.toarray() if sp.issparse(value) else np.asarray(value, dtype=np.float64)  # type: ignore[union-attr]
    if arr.shape != (zones, zones):
        raise DemandError(f"{name} has shape {arr.shape}; it must be zones × zones ({zones} × {zones})")
    out = arr[o, d].astype(np.float64)
    if np.isnan(out).any():
        raise DemandError(f"{name} is NaN for cell ({o[np.isnan(out)][0]}, {d[np.isnan(out)][0]})")
    return out


def _reach(graph: sp.csr_matrix, sources: IntArray) -> NDArray[np.bool_]:
    """``sources × nodes``: which nodes each source reaches."""
    out = np.zeros((sources.size, graph.shape[0]), dtype=bool)
    for i, s in enumerate(sources):
        out[i, breadth_first_order(graph, int(s), directed=True, return_predecessors=False)] = True
    return out


def check_carriable(net: LinkNetwork, cells: Cells, counts: IntArray | CountSet) -> None:
    """Raise :class:`CountError` naming every count (a link, or a screenline none of whose links qualifies)
    that no route of a prior OD pair can use.

    A link can carry prior demand when, for some cell with trips, its tail is reachable from the origin
    and the destination from its head (zones below ``first_thru_node`` are never passed through).
    """
    n0 = net.num_nodes
    blocked = np.arange(min(max(net.first_thru_node, 0), net.num_zones))
    end = np.arange(n0)  # links into a zone that blocks through traffic end at a copy with no way out
    end[blocked] = n0 + np.arange(blocked.size)
    n = n0 + blocked.size
    graph = sp.csr_matrix((np.ones(net.num_links), (net.from_node, end[net.to_node])), shape=(n, n))
    live = cells.prior > 0
    o_of = cells.origins[cells.od_row]
    origins = np.unique(o_of[live])
    dests = np.unique(cells.od_zone[live])
    fwd = _reach(graph, origins)
    back = _reach(graph.T.tocsr(), end[dests])
    pairs = sp.csr_matrix((np.ones(int(live.sum())), (np.searchsorted(origins, o_of[live]),
                                                        np.searchsorted(dests, cells.od_zone[live]))),
                          shape=(origins.size, dests.size))
    to_dest = (pairs @ sp.csr_matrix(back.astype(np.float64))).toarray() > 0  # origin × node: reaches its dests
    sets = counts if isinstance(counts, CountSet) else [np.array([k]) for k in np.asarray(counts)]
    groups = [sets.links(i) for i in range(len(sets))] if isinstance(sets, CountSet) else sets
    problems = []
    for g in groups:
        tail, head = net.from_node[g], end[net.to_node[g]]
        if (fwd[:, tail] & to_dest[:, head]).any():
            continue
        why = []
        for a, t, h in zip(g, tail, head):
            if not fwd[:, t].any():
                reason = "its tail is reachable from no origin with demand"
            elif not back[:, h].any():
                reason = "no destination with demand is reachable from its head"
            else:
                reason = "the origins that reach it send no trips to the destinations after it"
            why.append(f"link {int(a)} ({net.from_node[a]}→{net.to_node[a]}, 0-based nodes): {reason}")
        problems.append("; ".join(why) if g.size == 1 else f"screenline of links {tuple(int(a) for a in g)}: "
                        + "; ".join(why))
    if problems:
        raise CountError("counts that no route of the prior's OD pairs can carry (add demand that can use them, "
                         "or drop the counts): " + "; ".join(problems))
