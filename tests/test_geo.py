"""GeoDataFrames of the network and the results (corridor.formats.geo), their HTML in notebooks, and
``corridor export`` to GeoPackage and GeoParquet read back with GeoPandas."""

from __future__ import annotations

import ast
import json
import sys
from pathlib import Path

import numpy as np
import pytest
import typer
from typer.testing import CliRunner

import corridor
from corridor.cli.export import export
from corridor.formats import geo
from corridor.freight.corridor_flows import CorridorFlows
from corridor.network import Network
from corridor.routing import Route, Router

gpd = pytest.importorskip("geopandas")
SRC = Path(__file__).resolve().parents[1] / "src" / "corridor"


@pytest.fixture(scope="module")
def net(router: Router) -> Network:
    return router.network


@pytest.fixture(scope="module")
def routes(router: Router) -> list[Route]:
    return router.route("Xi'an", "Duisburg", alternatives=3)


@pytest.fixture(scope="module")
def tripp() -> tuple[corridor.FreightInputs, corridor.Comparison]:
    inputs = corridor.freight_inputs("tripp")
    pairs = [("Baku", "Nakhchivan"), ("Xi'an", "Istanbul")]
    return inputs, corridor.compare(None, "tripp", network=inputs.base, demand=inputs.demand, pairs=pairs,
                                    reliability_samples=0)


@pytest.fixture(scope="module")
def flows() -> CorridorFlows:
    return corridor.assign_corridors(year=2024)


@pytest.fixture(scope="module")
def gas() -> tuple[corridor.EnergyFlows, corridor.EnergyNetwork]:
    energy = corridor.load_energy()
    return corridor.energy_flows(energy, "gas"), energy


def _is_4326(frame: object) -> bool:
    return frame.crs is not None and frame.crs.to_epsg() == 4326


def _bend_deg(line: object) -> float:
    """The farthest a line's vertices stray from the chord between its ends, in degrees."""
    xy = np.asarray(line.coords)
    (x0, y0), (x1, y1) = xy[0], xy[-1]
    dx, dy = x1 - x0, y1 - y0
    return float(np.max(np.abs(dy * (xy[:, 0] - x0) - dx * (xy[:, 1] - y0)) / max(np.hypot(dx, dy), 1e-9)))


# -- the network ------------------------------------------------------------------------------------
def test_places_are_points(net: Network) -> None:
    places = geo.places_gdf(net)
    assert len(places) == len(net.places) and _is_4326(places)
    assert set(places.geom_type) == {"Point"}
    assert {"id", "name", "country", "kind"} <= set(places.columns)
    xian = places.loc["CN-XIAN"]
    assert (xian.geometry.x, xian.geometry.y) == (xian["lon"], xian["lat"])


def test_links_follow_the_sea_lanes(net: Network) -> None:
    links = geo.links_gdf(net)
    assert len(links) == len(net.links) and _is_4326(links)
    assert set(links.geom_type) == {"LineString"}
    assert {"id", "from", "to", "mode", "from_name", "to_name", "capacity_teu_per_year"} <= set(links.columns)
    n = links.geometry.map(lambda g: len(g.coords))
    land = links["mode"].isin(["rail", "road"])
    assert (n[land] == 2).all()
    sea = links[links["mode"] == "sea"]
    assert (n[sea.index] > 2).all(), "every sea link follows its lane"
    bends = sea.geometry.map(_bend_deg)
    assert bends.max() > 5, "a long sea lane is no straight chord"
    places = net.places
    for lid, row in links.iterrows():  # every line starts and ends on its places
        start, end = row.geometry.coords[0], row.geometry.coords[-1]
        assert start == pytest.approx((places.at[row["from"], "lon"], places.at[row["from"], "lat"]), abs=1e-3), lid
        assert end == pytest.approx((places.at[row["to"], "lon"], places.at[row["to"], "lat"]), abs=1e-3), lid
    assert set(geo.network_gdfs(net)) == {"places", "links"}


def test_countries_basemap() -> None:
    countries = geo.countries_gdf()
    assert _is_4326(countries) and {"iso", "name"} <= set(countries.columns)
    assert "KZ" in set(countries["iso"])


# -- routes -------------------------------------------------------------------------------------------
def test_routes_one_line_each(router: Router, routes: list[Route], net: Network) -> None:
    frame = geo.routes_gdf(router, routes)
    assert len(frame) == len(routes) and _is_4326(frame)
    assert set(frame.geom_type) == {"LineString"}
    assert list(frame["corridor"]) == [r.corridor for r in routes]
    assert list(frame["rank"]) == list(range(len(routes)))
    assert {"total_days", "distance_km", "cost_usd_per_feu", "co2_kg_per_feu", "countries"} <= set(frame.columns)
    for line in frame.geometry:
        assert line.coords[0] == pytest.approx(tuple(net.places.loc["CN-XIAN", ["lon", "lat"]]), abs=1e-3)
        assert line.coords[-1] == pytest.approx(tuple(net.places.loc["DE-DUISBURG", ["lon", "lat"]]), abs=1e-3)


def test_route_legs(router: Router, routes: list[Route]) -> None:
    route = routes[0]
    legs = route.to_geodataframe(router)
    assert len(legs) == len(route.legs) and _is_4326(legs)
    runs = legs["kind"] == "run"
    assert set(legs.geom_type[runs]) == {"LineString"} and set(legs.geom_type[~runs]) == {"Point"}
    assert list(legs.columns[:-1]) == list(route.to_frame().columns)
    for leg, line in zip(route.legs, legs.geometry):  # runs go the way the route travels
        if leg.kind == "run":
            start = tuple(router.network.places.loc[leg.from_id, ["lon", "lat"]])
            assert line.coords[0] == pytest.approx(start, abs=1e-3)


# -- results -------------------------------------------------------------------------------------------
def test_comparison(tripp: tuple[corridor.FreightInputs, corridor.Comparison]) -> None:
    _, comparison = tripp
    frame = comparison.to_geodataframe()
    ids = set(comparison.changed["link"]) | set(comparison.links["link"])
    assert set(frame.index) == ids and len(frame) == len(ids) and _is_4326(frame)
    assert set(frame.geom_type) == {"LineString"}
    opened = frame.loc[comparison.changed["link"]]
    assert (opened["change"] != "").all() and (frame.loc[list(ids - set(opened.index)), "change"] == "").all()
    assert {"base_teu_per_year", "scenario_teu_per_year", "delta_teu_per_year"} <= set(frame.columns)
    assert frame.loc[frame["group"] == "TRIPP", "scenario_teu_per_year"].gt(0).all()


def test_flows_per_link_and_per_edge(flows: CorridorFlows, net: Network) -> None:
    per_link = flows.to_geodataframe(net)
    on_links = flows.edges[flows.edges["link"] != ""]
    assert set(per_link.index) == set(on_links["link"]) and _is_4326(per_link)
    assert set(per_link.geom_type) == {"LineString"}
    assert per_link["vc"].dropna().is_monotonic_decreasing and per_link["vc"].notna().any()
    worst = flows.bottlenecks(1).iloc[0]
    top = per_link.iloc[0]
    assert top["vc"] == pytest.approx(worst["vc"]) and top["bottleneck"] == worst["name"]
    runs = on_links[on_links["kind"] == "run"]
    assert per_link["volume_teu"].sum() == pytest.approx(runs["volume_teu"].sum())
    per_edge = geo.flows_gdf(flows, net, by="edge")
    assert len(per_edge) == len(flows.edges)
    stops = per_edge["from"] == per_edge["to"]
    assert set(per_edge.geom_type[stops]) == {"Point"} and set(per_edge.geom_type[~stops]) == {"LineString"}
    with pytest.raises(ValueError, match="by must be"):
        geo.flows_gdf(flows, net, by="place")


def test_energy(gas: tuple[corridor.EnergyFlows, corridor.EnergyNetwork]) -> None:
    flows, energy = gas
    frame = flows.to_geodataframe(energy)
    assert len(frame) == len(flows.assets) and _is_4326(frame)
    assert set(frame.geom_type) == {"LineString"}
    assert {"flow", "capacity", "utilisation", "binding", "saturated", "commodity", "unit"} <= set(frame.columns)
    assert set(frame.index[frame["binding"]]) <= set(flows.binding["element"])
    first = frame.iloc[0]
    assert first.geometry.coords[0] == tuple(energy.nodes.loc[first["from"], ["lon", "lat"]].astype(float))


def test_html(router: Router, routes: list[Route], tripp: tuple, flows: CorridorFlows, gas: tuple) -> None:
    inputs, comparison = tripp
    economics = corridor.concession_economics(inputs, links="TRIPP", years=5)
    for result, words in ((routes[0], [routes[0].corridor, "legs"]), (comparison, ["base → tripp", "pairs"]),
                          (flows, ["bottlenecks", "corridors"]), (gas[0], ["what binds", "markets"]),
                          (economics, ["NPV", "assumptions"])):
        html = result._repr_html_()
        assert "<table" in html and all(w in html for w in words), type(result).__name__


# -- files ---------------------------------------------------------------------------------------------
def _export(*args: str) -> object:
    app = typer.Typer()
    app.command()(export)
    return CliRunner().invoke(app, list(args))


def test_export_round_trip(tmp_path: Path, net: Network) -> None:
    gpkg, folder = tmp_path / "corridor.gpkg", tmp_path / "parquet"
    result = _export("--gpkg", str(gpkg), "--parquet", str(folder), "--scenario", "tripp", "--json")
    assert result.exit_code == 0, result.output
    rows = {"places": len(net.places), "links": len(net.links), "tripp_places": len(net.places),
            "tripp_links": len(net.links)}
    assert json.loads(result.output)["layers"] == rows
    layers = gpd.list_layers(gpkg)
    assert dict(zip(layers["name"], layers["geometry_type"])) == {
        "places": "Point", "links": "LineString", "tripp_places": "Point", "tripp_links": "LineString"}
    for name, n in rows.items():
        back = gpd.read_file(gpkg, layer=name)
        assert len(back) == n and _is_4326(back)
        parquet = gpd.read_parquet(folder / f"{name}.parquet")
        assert len(parquet) == n and _is_4326(parquet)
    links = gpd.read_file(gpkg, layer="tripp_links").set_index("id")
    assert links.loc["rail:AZ-AGHBAND:AM-MEGHRI", "change"].startswith("status: planned → operational")
    assert links["electrified"].dropna().isin([True, False]).all()
    sea = links[links["mode"] == "sea"]
    assert sea.geometry.map(lambda g: len(g.coords)).gt(2).all()


def test_export_to_a_parquet_file_name(tmp_path: Path) -> None:
    result = _export("--parquet", str(tmp_path / "net.parquet"))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net-links.parquet", "net-places.parquet"]
    assert _export().exit_code == 1


# -- an optional extra -----------------------------------------------------------------------------------
def test_without_geopandas_a_clear_error(monkeypatch: pytest.MonkeyPatch, net: Network, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "geopandas", None)
    with pytest.raises(ImportError, match=r"pip install 'corridor\[geo\]'"):
        geo.places_gdf(net)
    result = _export("--gpkg", str(tmp_path / "x.gpkg"))
    assert result.exit_code == 1 and "corridor[geo]" in result.output


def test_the_core_never_imports_geopandas_at_load() -> None:
    """GeoPandas is imported inside functions only, so ``import corridor`` stays light."""
    top = []
    for path in SRC.rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            top += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "geopandas"]
    assert not top, top
