"""The inputs of matrix estimation, checked: link counts, the prior's cells with their bounds, and
whether some OD pair of the prior can carry each count at all."""

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

__all__ = ["Cells", "check_carriable", "read_counts"]

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


def check_carriable(net: LinkNetwork, cells: Cells, links: IntArray) -> None:
    """Raise :class:`CountError` naming every counted link that no route of a prior OD pair can use.

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
    tail, head = net.from_node[links], end[net.to_node[links]]
    usable = (fwd[:, tail] & to_dest[:, head]).any(axis=0)
    if usable.all():
        return
    problems = []
    for k in np.flatnonzero(~usable):
        a = int(links[k])
        if not fwd[:, tail[k]].any():
            why = "its tail is reachable from no origin with demand"
        elif not back[:, head[k]].any():
            why = "no destination with demand is reachable from its head"
        else:
            why = "the origins that reach it send no trips to the destinations after it"
        problems.append(f"link {a} ({net.from_node[a]}→{net.to_node[a]}, 0-based nodes): {why}")
    raise CountError("counts that no route of the prior's OD pairs can carry (add demand that can use them, "
                     "or drop the counts): " + "; ".join(problems))
