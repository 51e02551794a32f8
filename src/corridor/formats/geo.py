"""GeoDataFrames (EPSG:4326) of the network and of results, for notebooks, GIS and files.

Places are points; links are lines that follow the geometry the dataset gives (sea and ferry links
along their sea lanes, land links straight: see :class:`~corridor.network.shapes.LinkShapes`);
routes, comparisons, assignment volumes and energy flows are drawn on them. GeoPandas is an
optional extra, imported only here and only when a function is called::

    pip install 'corridor[geo]'

>>> import corridor
>>> from corridor.formats.geo import links_gdf
>>> links = links_gdf(corridor.load_network())     # doctest: +SKIP
>>> links.loc[links["mode"] == "sea"].plot()        # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import pandas as pd
from shapely.geometry import LineString, Point
from shapely.geometry.base import BaseGeometry

from ..network import Network
from ..network.energy_table import EnergyNetwork
from ..network.geo import countries
from ..network.shapes import LinkShapes, energy_lines

if TYPE_CHECKING:  # GeoPandas is optional: only for the annotations
    from geopandas import GeoDataFrame

CRS = "EPSG:4326"
INSTALL = "pip install 'corridor[geo]'"


# -- what the functions read of the results (the analyses sit above this layer) -------------------
class RouterLike(Protocol):
    """A :class:`~corridor.routing.Router`: its network."""

    @property
    def network(self) -> Network: ...


class RouteLike(Protocol):
    """A :class:`~corridor.routing.Route`: its ends, totals (``to_dict``) and legs (``to_frame``)."""

    @property
    def origin(self) -> str: ...

    @property
    def destination(self) -> str: ...

    def to_dict(self) -> dict[str, Any]: ...

    def to_frame(self) -> pd.DataFrame: ...


class ComparisonLike(Protocol):
    """A :class:`~corridor.freight.compare.Comparison`: changed links, link volumes and both networks."""

    @property
    def changed(self) -> pd.DataFrame: ...

    @property
    def links(self) -> pd.DataFrame | None: ...

    @property
    def base_network(self) -> Network | None: ...

    @property
    def scenario_network(self) -> Network | None: ...


class EdgeFlowsLike(Protocol):
    """A :class:`~corridor.freight.corridor_flows.CorridorFlows`: its per-edge table."""

    @property
    def edges(self) -> pd.DataFrame: ...


class EnergyFlowsLike(Protocol):
    """An :class:`~corridor.energy.flows.EnergyFlows`: its per-asset table and unit."""

    @property
    def commodity(self) -> str: ...

    @property
    def unit(self) -> str: ...

    @property
    def assets(self) -> pd.DataFrame: ...


def require_geopandas() -> ModuleType:
    """The geopandas module, or an ImportError that says how to install it."""
    try:
        import geopandas as gpd
    except ImportError as exc:
        raise ImportError(f"GeoDataFrames need GeoPandas, an optional extra: {INSTALL}") from exc
    return gpd


def _frame(data: pd.DataFrame, geometry: Sequence[BaseGeometry]) -> GeoDataFrame:
    return require_geopandas().GeoDataFrame(data, geometry=list(geometry), crs=CRS)


def _geometry_last(frame: GeoDataFrame) -> GeoDataFrame:
    return frame[[c for c in frame.columns if c != "geometry"] + ["geometry"]]


def _line(coords: Sequence[Sequence[float]]) -> LineString:
    return LineString([tuple(p) for p in coords])


# -- the network ------------------------------------------------------------------------------------
def places_gdf(network: Network) -> GeoDataFrame:
    """The places as points, indexed by place id (every column of ``places.csv``).

    Raises
    ------
    ImportError
        When GeoPandas is not installed.
    """
    places = network.places
    return _frame(places.copy(), [Point(x, y) for x, y in zip(places["lon"], places["lat"])])


def links_gdf(network: Network, ids: Iterable[str] | None = None) -> GeoDataFrame:
    """The links as lines, indexed by link id: every column of ``links.csv``, the names of both ends
    and a line that follows the sea lane for sea and ferry links (straight on land).

    ``ids`` keeps only these links (in this order).
    """
    links = network.links if ids is None else network.links.loc[list(ids)]
    shapes = LinkShapes(network)
    names = network.places["name"]
    data = links.assign(from_name=links["from"].map(names).to_numpy(), to_name=links["to"].map(names).to_numpy())
    return _frame(data, [_line(shapes.of(lid)) for lid in links.index])


def network_gdfs(network: Network) -> dict[str, GeoDataFrame]:
    """``{"places": places_gdf(network), "links": links_gdf(network)}`` (OSMnx's ``graph_to_gdfs``)."""
    return {"places": places_gdf(network), "links": links_gdf(network)}


def countries_gdf(bounds: tuple[float, float, float, float] | None = None) -> GeoDataFrame:
    """The shipped country outlines (Natural Earth 1:50m) with ``iso`` and ``name``: a basemap for
    plots; ``bounds`` (lon0, lat0, lon1, lat1) keeps those that touch them."""
    isos, names, shapes = countries()
    frame = _frame(pd.DataFrame({"iso": isos, "name": names}), shapes)
    return frame if bounds is None else frame.cx[bounds[0]:bounds[2], bounds[1]:bounds[3]]


# -- routes -----------------------------------------------------------------------------------------
def _leg_geometry(shapes: LinkShapes, leg: pd.Series) -> BaseGeometry:
    """A run along its link (oriented as travelled), a stop as a point at its place."""
    if leg["kind"] != "run" or leg["from"] == leg["to"]:
        return Point(shapes.point(leg["from"]))
    if isinstance(leg["link"], str) and leg["link"] in shapes.network.links.index:
        return _line(shapes.of(leg["link"], leg["from"]))
    return _line([shapes.point(leg["from"]), shapes.point(leg["to"])])


def legs_gdf(router: RouterLike, route: RouteLike) -> GeoDataFrame:
    """The route's legs (:meth:`Route.to_frame`) with a geometry: runs as lines along their links,
    stops (load, transfer, border, wait, unload) as points."""
    shapes = LinkShapes(router.network)
    legs = route.to_frame()
    return _frame(legs, [_leg_geometry(shapes, leg) for _, leg in legs.iterrows()])


def _route_line(shapes: LinkShapes, route: RouteLike) -> LineString:
    coords: list[tuple[float, float]] = []
    legs = route.to_frame()
    for _, leg in legs[legs["kind"] == "run"].iterrows():
        for p in _leg_geometry(shapes, leg).coords:
            if not coords or coords[-1] != p:
                coords.append(p)
    return LineString(coords if len(coords) > 1 else [shapes.point(route.origin), shapes.point(route.destination)])


def routes_gdf(router: RouterLike, routes: Sequence[RouteLike]) -> GeoDataFrame:
    """One line per route (its runs joined, sea runs along their lanes) with its totals: ``rank``
    (0 = the best), ``corridor``, ``origin``, ``destination``, days, hours, km, US$ and CO2 per FEU, and
    the ``countries`` passed (``CN → KZ → …``). Plot it by ``corridor`` to map the alternatives."""
    shapes = LinkShapes(router.network)
    rows = []
    for rank, route in enumerate(routes):
        info = {k: v for k, v in route.to_dict().items() if k != "legs"}
        rows.append({"rank": rank, "origin": route.origin, "destination": route.destination, **info,
                     "countries": " → ".join(info["countries"])})
    return _frame(pd.DataFrame(rows), [_route_line(shapes, r) for r in routes])


# -- results on the links ------------------------------------------------------------------------------
def comparison_gdf(comparison: ComparisonLike) -> GeoDataFrame:
    """The links a scenario changes or that carry freight in either network, drawn on the scenario's
    network: ``change`` (opened, added, ``capacity: … → …``; empty when only the volume moved) and,
    with demand, TEU per year in both, their difference and volume/capacity."""
    net = comparison.scenario_network if comparison.scenario_network is not None else comparison.base_network
    if net is None:
        raise ValueError("this comparison keeps no network to draw its links on")
    change = comparison.changed.set_index("link")["change"]
    volumes = comparison.links.set_index("link") if comparison.links is not None else pd.DataFrame()
    ids = list(dict.fromkeys([*change.index, *volumes.index]))
    lines = links_gdf(net, ids)[["from", "to", "from_name", "to_name", "mode", "status", "group", "geometry"]]
    out = lines.assign(change=change.reindex(ids).fillna("").to_numpy()).join(volumes)
    if "delta_teu_per_year" in out:
        out = out.sort_values("delta_teu_per_year", key=np.abs, ascending=False, kind="stable")
    return _geometry_last(out)


def flows_gdf(flows: EdgeFlowsLike, network: Network, *, by: str = "link") -> GeoDataFrame:
    """Assignment volumes and v/c on the map, sorted by v/c (the bottlenecks first).

    ``by="link"``: one line per link with ``volume_ab`` / ``volume_ba`` (TEU per year in and against
    the link's direction), ``volume_teu`` (both), ``vc``, the highest volume/capacity among the link's
    edges (runs both ways, its border crossing, its ferry waits), ``bottleneck`` (that edge's name)
    with its ``capacity_teu``, ``delay_h`` (the most extra hours per container) and ``teu_delay_h``.
    ``by="edge"``: every row of ``flows.edges``, runs and borders as lines, stops (terminals,
    transfers, waits) as points at their place.
    """
    if by not in ("link", "edge"):
        raise ValueError(f"by must be 'link' or 'edge', not {by!r}")
    edges = flows.edges
    if by == "edge":
        shapes = LinkShapes(network)
        geometry = [_edge_geometry(shapes, e) for _, e in edges.iterrows()]
        return _frame(edges.copy(), geometry).sort_values("vc", ascending=False, na_position="last")
    on = edges[edges["link"].isin(network.links.index)]
    forward = on["from"].to_numpy() == network.links.loc[on["link"], "from"].to_numpy()
    run = (on["kind"] == "run").to_numpy()
    on = on.assign(volume_ab=np.where(run & forward, on["volume_teu"], 0.0),
                   volume_ba=np.where(run & ~forward, on["volume_teu"], 0.0))
    per_link = on.groupby("link", sort=False).agg(volume_ab=("volume_ab", "sum"), volume_ba=("volume_ba", "sum"),
                                                 delay_h=("delay_h", "max"), teu_delay_h=("teu_delay_h", "sum"))
    per_link.insert(2, "volume_teu", per_link["volume_ab"] + per_link["volume_ba"])
    worst = on.sort_values("vc", ascending=False, na_position="last").drop_duplicates("link").set_index("link")
    per_link = per_link.join(worst[["vc", "name", "capacity_teu"]].rename(columns={"name": "bottleneck"}))
    lines = links_gdf(network, per_link.index)[["from", "to", "from_name", "to_name", "mode", "geometry"]]
    return _geometry_last(lines.join(per_link).sort_values("vc", ascending=False, na_position="last"))


def _edge_geometry(shapes: LinkShapes, edge: pd.Series) -> BaseGeometry:
    if edge["from"] == edge["to"]:
        return Point(shapes.point(edge["from"]))
    if edge["link"] in shapes.network.links.index:
        return _line(shapes.of(edge["link"], edge["from"]))
    return _line([shapes.point(edge["from"]), shapes.point(edge["to"])])


def energy_gdf(flows: EnergyFlowsLike, energy: EnergyNetwork) -> GeoDataFrame:
    """The assets of one commodity (pipelines, tanker routes, terminals, rail) as lines, indexed by asset id,
    with ``flow``, ``capacity``, ``utilisation``, ``saturated``, ``binding`` (in the minimum cut),
    ``in_service``, ``commodity``, ``unit`` and ``drawn``: a pipeline follows its route
    (``energy_routes.csv``), a tanker voyage its sea lane, the rest is straight
    (:func:`corridor.network.shapes.energy_lines`)."""
    assets = flows.assets.set_index("id", drop=False).rename_axis(None)
    lines = energy_lines(energy, assets.to_dict("records"))
    data = assets.assign(commodity=flows.commodity, unit=flows.unit, drawn=[drawn for _, drawn in lines])
    return _frame(data, [LineString([tuple(p) for p in coords]) for coords, _ in lines])


# -- files ----------------------------------------------------------------------------------------------
def _writable(frame: GeoDataFrame) -> GeoDataFrame:
    """Object columns of true/false (and missing) as nullable booleans, which files keep as such."""
    out = frame.reset_index(drop=True)
    for col in out.columns[out.dtypes == object]:
        values = out[col].dropna()
        if len(values) and values.map(type).eq(bool).all():
            out[col] = out[col].astype("boolean")
    return out


def write_gpkg(layers: Mapping[str, GeoDataFrame], path: str | Path) -> Path:
    """Write each GeoDataFrame as a layer of one GeoPackage (the file is replaced)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    for name, frame in layers.items():
        _writable(frame).to_file(path, layer=name, driver="GPKG", index=False)
    return path


def write_parquet(layers: Mapping[str, GeoDataFrame], path: str | Path) -> list[Path]:
    """Write each GeoDataFrame as a GeoParquet file: ``path/<layer>.parquet`` when ``path`` is a folder,
    ``<stem>-<layer>.parquet`` beside it when it names a ``.parquet`` file."""
    path = Path(path)
    folder, stem = (path.parent, f"{path.stem}-") if path.suffix == ".parquet" else (path, "")
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for name, frame in layers.items():
        out.append(folder / f"{stem}{name}.parquet")
        _writable(frame).to_parquet(out[-1], index=False)
    return out


__all__ = ["CRS", "comparison_gdf", "countries_gdf", "energy_gdf", "flows_gdf", "legs_gdf", "links_gdf",
           "network_gdfs", "places_gdf", "routes_gdf", "write_gpkg", "write_parquet"]
