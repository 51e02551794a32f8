"""Lines to draw: each link of a network as a list of [lon, lat] points.

Land links are straight segments between their end places (the dataset holds no track shapes).
Energy assets (:func:`energy_lines`): a pipeline follows the waypoints of its route
(``energy_routes.csv``), a tanker voyage its sea lane, the rest a straight line.
Sea and ferry links follow the sea lanes that ``searoute`` finds (the same tool that measured their
length), with the Cape variants barred from Suez and Panama as in ``scripts/build_sea_legs.py``.
Shapes are computed once per link and cached; :meth:`LinkShapes.warm` fills the cache (the web map
does it in the background when the server starts). The REST API, the GeoDataFrames and the
GeoPackage export all draw links with this one class.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from .energy_routes import route_owner, route_points, waypoints
from .energy_table import EnergyNetwork
from .geo import sea_lanes
from .load import Network
from .schema import split_list

Coords = list[list[float]]


class LinkShapes:
    """Shapes of one network's links, computed lazily and cached."""

    def __init__(self, network: Network) -> None:
        self.network = network
        places = network.places
        self._xy = {pid: [round(float(lon), 4), round(float(lat), 4)]
                    for pid, lon, lat in zip(places["id"], places["lon"], places["lat"])}
        self._cache: dict[str, Coords] = {}
        self._lock = threading.Lock()

    def point(self, place_id: str) -> list[float]:
        """[lon, lat] of a place ([0, 0] for one the network does not know)."""
        return self._xy.get(place_id, [0.0, 0.0])

    def of(self, link_id: str, from_id: str | None = None) -> Coords:
        """The link's shape, oriented to start at ``from_id`` when given."""
        coords = self._cache.get(link_id)
        if coords is None:
            coords = self._compute(link_id)
            with self._lock:
                self._cache[link_id] = coords
        if from_id is not None and self.network.links.at[link_id, "from"] != from_id:
            return coords[::-1]
        return coords

    def _compute(self, link_id: str) -> Coords:
        link = self.network.links.loc[link_id]
        a, b = self._xy[link["from"]], self._xy[link["to"]]
        if link["mode"] in ("sea", "ferry"):
            lane = sea_lanes().get(link_id)
            if lane is not None and len(lane) >= 2:
                coords = [[round(float(x), 3), round(float(y), 3)] for x, y in lane]
                # the shipped lane is drawn from the link's `from` end; keep the ends on the places
                if _far(coords[0], a) and not _far(coords[-1], a):
                    coords = coords[::-1]
                return [a, *coords, b]
            with contextlib.suppress(Exception):  # a straight line is a fair drawing when searoute fails
                return [a, *sea_line(tuple(a), tuple(b), tuple(split_list(link["passages"]))), b]
        return [a, b]

    def warm(self) -> None:
        """Compute every sea and ferry shape (a few seconds on the bundled network)."""
        links = self.network.links
        for link_id in links.index[links["mode"].isin(["sea", "ferry"])]:
            self.of(link_id)


def _far(p: list[float], q: list[float]) -> bool:
    return abs(p[0] - q[0]) + abs(p[1] - q[1]) > 3.0


@lru_cache(maxsize=1024)
def sea_line(a: tuple[float, ...], b: tuple[float, ...], passages: tuple[str, ...]) -> Coords:
    """The searoute lane from ``a`` to ``b`` (cached: a scenario's networks share their lanes)."""
    import searoute

    restrictions = ["northwest"]
    if "south_africa" in passages:
        restrictions += ["suez", "panama"]
    feature = searoute.searoute(list(a), list(b), units="km", restrictions=restrictions)
    coords = [[round(float(x), 3), round(float(y), 3)] for x, y in feature["geometry"]["coordinates"]]
    if len(coords) < 2:
        raise ValueError("no sea route")
    return coords


def energy_lines(energy: EnergyNetwork, assets: Iterable[Mapping[str, Any]]) -> list[tuple[Coords, str]]:
    """Energy assets as lines, each with how it is drawn: ``route`` (a pipeline through the waypoints of
    ``energy_routes.csv``, its own or those of the asset it expands), ``sea lane`` (a tanker voyage or a
    terminal's liftings, along the searoute lane between its ports) or ``straight`` (between its ends).
    Each asset is a row of an assets table (``id``, ``kind``, ``from``, ``to``, ``expands``), which may be
    one a scenario added."""
    way = waypoints(energy.routes)
    xy = {nid: [round(float(x), 4), round(float(y), 4)]
          for nid, x, y in zip(energy.nodes.index, energy.nodes["lon"], energy.nodes["lat"])}
    known = energy.assets["expands"].to_dict() if "expands" in energy.assets else {}
    out = []
    for asset in assets:
        asset_id = str(asset["id"])
        expands = asset.get("expands", known.get(asset_id))  # a results table may not carry `expands`
        out.append(_energy_line(way, route_owner(way, asset_id, expands), str(asset["kind"]),
                                xy[asset["from"]], xy[asset["to"]]))
    return out


def energy_line(energy: EnergyNetwork, asset: Mapping[str, Any]) -> tuple[Coords, str]:
    """One energy asset as a line, and how it is drawn (see :func:`energy_lines`)."""
    return energy_lines(energy, [asset])[0]


def _energy_line(way: Mapping[str, Any], own: str | None, kind: str, a: list[float],
                 b: list[float]) -> tuple[Coords, str]:
    if own is not None:
        points = route_points(way, own, (tuple(a), tuple(b)))
        return [[round(float(x), 4), round(float(y), 4)] for x, y in points], "route"
    if kind in ("tanker", "terminal"):
        try:
            lane = sea_line(tuple(a), tuple(b), ())
        except Exception:  # noqa: BLE001 - no lane (the ports are one place, or searoute fails): straight
            lane = []
        # searoute snaps each port to its lane network; a lane ending far from a port is not this voyage's
        if len(lane) >= 2 and not _far(lane[0], a) and not _far(lane[-1], b):
            return [a, *lane, b], "sea lane"
    return [a, b], "straight"
