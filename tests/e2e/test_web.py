"""The web map in a real browser: pick places, see routes on the map, flip a scenario, share the link."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image


ARTIFACTS = Path(__file__).parent / "artifacts"
SEA, LAND = (0xCF, 0xE0, 0xEE), (0xF4, 0xF1, 0xEA)
ROUTE_COLOURS = {"rail": (0xB9, 0x1C, 0x1C), "sea": (0x1D, 0x4E, 0xD8), "ferry": (0x7C, 0x3A, 0xED),
                 "road": (0xD9, 0x77, 0x06)}


def colour_share(png: bytes, rgb: tuple[int, int, int], tol: int = 18) -> float:
    img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)
    return float((np.abs(img - np.array(rgb)).max(axis=2) <= tol).mean())


def assert_map_drawn(png: bytes, *, routes: bool) -> None:
    """Fail on a blank canvas: the basemap's sea and land must both show, and route colours when asked."""
    sea, land = colour_share(png, SEA), colour_share(png, LAND)
    assert sea > 0.05 and land > 0.05, f"the map looks blank: sea {sea:.1%}, land {land:.1%} of the canvas"
    if routes:
        drawn = sum(colour_share(png, c, tol=40) for c in ROUTE_COLOURS.values())
        assert drawn > 0.002, f"no route drawn on the map ({drawn:.3%} of pixels in route colours)"


def test_blank_canvas_is_caught() -> None:
    blank = io.BytesIO()
    Image.new("RGB", (200, 100), (255, 255, 255)).save(blank, format="PNG")
    with pytest.raises(AssertionError, match="blank"):
        assert_map_drawn(blank.getvalue(), routes=False)
    sea_only = io.BytesIO()
    Image.new("RGB", (200, 100), SEA).save(sea_only, format="PNG")
    with pytest.raises(AssertionError, match="blank"):
        assert_map_drawn(sea_only.getvalue(), routes=False)


def settled(page: Any, timeout: float = 30_000) -> None:
    page.wait_for_function("window.__corridor && window.__corridor.ready && !window.__corridor.busy", timeout=timeout)
    page.wait_for_function("window.__corridor.map.loaded() && !window.__corridor.map.isMoving()", timeout=timeout)
    page.wait_for_timeout(300)


def pick(page: Any, testid: str, typed: str, expected_id: str) -> None:
    box = page.get_by_test_id(testid)
    box.click()
    box.press_sequentially(typed, delay=40)
    option = page.locator(f'li[data-testid="place-option"][data-id="{expected_id}"]')
    option.wait_for(timeout=10_000)
    option.click()


def test_pick_places_and_see_routes(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    settled(page)
    assert_map_drawn(page.get_by_test_id("map").screenshot(), routes=False)
    pick(page, "origin-input", "Xi", "CN-XIAN")
    pick(page, "destination-input", "Duisb", "DE-DUISBURG")
    page.wait_for_function("window.__corridor.routes >= 2", timeout=20_000)
    settled(page)
    cards = page.get_by_test_id("route-card")
    assert cards.count() >= 2
    text = cards.first.inner_text()
    assert "days" in text and "US$" in text and "kg/FEU" in text
    assert "from=CN-XIAN" in page.url and "to=DE-DUISBURG" in page.url
    png = page.get_by_test_id("map").screenshot(path=str(ARTIFACTS / "routes-map.png"))
    assert_map_drawn(png, routes=True)
    if page.evaluate("!!(window.__corridor.result.routes[0].reliability)"):
        assert "P50 / P90" in text
        assert page.get_by_test_id("chart-series").count() == cards.count()


def test_cards_draw_the_cost_breakdown(page: Any, base_url: str) -> None:
    from corridor.maps import COST_COLOURS
    from corridor.network.costs import COST_COMPONENTS, COST_LABELS

    page.goto(base_url + "/?from=CN-XIAN&to=DE-DUISBURG&k=3&year=2025")
    settled(page)
    page.wait_for_function("window.__corridor.routes >= 2", timeout=20_000)
    routes = page.evaluate("window.__corridor.result.routes")
    cards = page.get_by_test_id("route-card")
    assert cards.count() == len(routes)
    for i, route in enumerate(routes):
        costs = route["cost_breakdown"]
        card = cards.nth(i)
        total = float(card.get_by_test_id("cost-total").get_attribute("data-usd"))
        assert total == costs["total_usd"] and f"US$ {costs['total_usd']:,.0f} /FEU" in card.inner_text()
        segments = card.get_by_test_id("cost-segment")
        drawn = segments.evaluate_all("s => s.map(r => [r.dataset.component, Number(r.dataset.usd), "
                                      "r.getAttribute('fill'), r.getBoundingClientRect().width, "
                                      "r.querySelector('title').textContent])")
        # one segment per non-zero component, in the order they are summed, in the PNG's colours
        assert [d[0] for d in drawn] == [c for c in COST_COMPONENTS if costs[c] > 0]
        assert all(d[2] == COST_COLOURS[d[0]] for d in drawn)
        assert all(d[4].startswith(f"{COST_LABELS[d[0]]}: US$ {d[1]:,.0f}") for d in drawn), drawn
        # the segments add up to the card's total, in US$ and in pixels across the bar
        assert sum(d[1] for d in drawn) == pytest.approx(total, abs=0.02)
        width = card.get_by_test_id("cost-bar").bounding_box()["width"]
        assert sum(d[3] for d in drawn) == pytest.approx(width, abs=1.0)
        for _, usd, _, w, _ in drawn:
            assert w == pytest.approx(width * usd / total, abs=0.6)
    assert any(costs["border_usd"] > 0 for costs in (r["cost_breakdown"] for r in routes))
    legend = page.get_by_test_id("cost-legend").inner_text()
    assert "Freight" in legend and "Value of time" in legend and "Sanctions policy" not in legend
    page.get_by_test_id("cards").screenshot(path=str(ARTIFACTS / "cost-cards.png"))


def test_scenario_toggle_shows_what_changes(page: Any, base_url: str) -> None:
    page.goto(base_url + "/?from=AZ-ALAT&to=TR-KARS&opt=time&year=2025")
    settled(page)
    page.wait_for_function("window.__corridor.routes >= 1", timeout=20_000)
    before = page.evaluate("window.__corridor.result.routes.map(r => r.corridor)")
    page.get_by_test_id("scenario-select").select_option(index=0)  # the year toggle: planned links open
    page.get_by_test_id("scenario-toggle").check()
    page.wait_for_function("window.__corridor.result && window.__corridor.result.variant !== undefined", timeout=20_000)
    settled(page)
    assert "on=1" in page.url and "scn=year" in page.url
    summary = page.get_by_test_id("summary").inner_text()
    assert summary.startswith("The best route"), summary
    result = page.evaluate("window.__corridor.result")
    assert [r["corridor"] for r in result["base"]["routes"]] == before
    png = page.get_by_test_id("map").screenshot(path=str(ARTIFACTS / "scenario-map.png"))
    assert_map_drawn(png, routes=True)
    # switch back off: the plain answer returns
    page.get_by_test_id("scenario-toggle").uncheck()
    page.wait_for_function("window.__corridor.result && window.__corridor.result.variant === undefined", timeout=20_000)
    assert page.get_by_test_id("summary").inner_text() == ""


def test_shared_link_restores_the_view_and_errors_show(page: Any, base_url: str) -> None:
    page.goto(base_url + "/?from=CN-XIAN&to=DE-DUISBURG&k=2&avoid=RU")
    settled(page)
    page.wait_for_function("window.__corridor.routes >= 1", timeout=20_000)
    assert page.locator('input[name="avoid"][value="RU"]').is_checked()
    for route in page.evaluate("window.__corridor.result.routes"):
        assert "RU" not in route["countries"]
    assert page.get_by_test_id("route-card").count() <= 2
    page.goto(base_url + "/?from=CN-XIAN&to=NOWHERE")
    settled(page)
    assert "Unknown place" in page.get_by_test_id("status").inner_text()


# the v/c colour ramp of web/src/assignment.js
VC_COLOURS = {"low": (0x16, 0xA3, 0x4A), "high": (0xEA, 0xB3, 0x08), "near": (0xF9, 0x73, 0x16), "over": (0xEF, 0x44, 0x44)}


def test_assignment_colours_links_by_volume_over_capacity(page: Any, base_url: str) -> None:
    page.goto(base_url + "/")
    settled(page)
    assert page.get_by_test_id("vc-legend").is_hidden()
    page.get_by_test_id("assign-toggle").check()
    page.wait_for_function("window.__corridor.assign.status === 'done'", timeout=30_000)
    settled(page)
    assert "assign=1" in page.url
    state = page.evaluate("window.__corridor.assign")
    assert state["coloured"] >= 5 and state["over"] >= 1, state
    # the legend: the four v/c classes and links without a capacity
    legend = page.get_by_test_id("vc-legend")
    assert legend.is_visible()
    text = legend.inner_text()
    assert "Volume / capacity" in text and "over capacity" in text and "capacity not known" in text
    assert page.get_by_test_id("vc-class").count() == 4
    # the top bottlenecks: the Khorgos–Altynkol crossing is over capacity on the bundled demand
    rows = page.get_by_test_id("bottleneck")
    assert rows.count() >= 1
    assert "Khorgos" in rows.first.inner_text() and "v/c 1." in rows.first.inner_text()
    assert "equilibrium" in page.get_by_test_id("assign-status").inner_text()
    # pixels: the bottleneck colour (v/c >= 1) and the low-load colour are on the canvas
    png = page.get_by_test_id("map").screenshot(path=str(ARTIFACTS / "assignment-map.png"))
    assert_map_drawn(png, routes=False)
    over, low = colour_share(png, VC_COLOURS["over"], tol=12), colour_share(png, VC_COLOURS["low"], tol=12)
    assert over > 0.0001, f"no link in the bottleneck colour ({over:.4%} of pixels)"
    assert low > 0.0001, f"no link in the low-load colour ({low:.4%} of pixels)"
    page.screenshot(path=str(ARTIFACTS / "assignment-page.png"))
    # a shared link restores the view; switching off removes the colours and the legend
    page.goto(base_url + "/?from=CN-XIAN&to=DE-DUISBURG&k=2&assign=1")
    settled(page)
    page.wait_for_function("window.__corridor.assign.status === 'done' && window.__corridor.routes >= 1", timeout=30_000)
    assert page.get_by_test_id("assign-toggle").is_checked()
    assert page.get_by_test_id("vc-legend").is_visible()
    page.get_by_test_id("assign-toggle").uncheck()
    page.wait_for_function("window.__corridor.assign.status === 'off'")
    settled(page)
    assert "assign=1" not in page.url
    assert page.get_by_test_id("vc-legend").is_hidden()
    png = page.get_by_test_id("map").screenshot()
    assert colour_share(png, VC_COLOURS["over"], tol=12) < over / 4


# the energy colours of web/src/energy.js
ENERGY_COLOURS = {"gas": (0x02, 0x84, 0xC7), "oil": (0x92, 0x40, 0x0E), "saturated": (0xDC, 0x26, 0x26)}


def energy_done(page: Any) -> None:
    page.wait_for_function("window.__corridor.energy && window.__corridor.energy.status === 'done'", timeout=20_000)
    settled(page)


def test_energy_view_shows_flows_and_what_binds(page: Any, base_url: str) -> None:
    geojson = page.request.get(base_url + "/api/energy/geojson?commodity=gas").json()
    gas = geojson["properties"]
    page.goto(base_url + "/")
    settled(page)
    assert page.get_by_test_id("energy-headline").is_hidden()
    page.get_by_test_id("energy-gas").check()
    page.get_by_test_id("energy-toggle").check()
    energy_done(page)
    assert "energy=gas" in page.url
    # the headline and the binding constraints, as the API has them
    headline = page.get_by_test_id("energy-headline").inner_text()
    assert headline == f"{gas['delivered']:.1f} bcm/yr to Europe, {gas['delivered_total']:.1f} in all", headline
    rows = page.get_by_test_id("energy-binding-row")
    assert rows.count() == len(gas["binding"]) >= 1
    assert rows.first.inner_text() == gas["binding"][0]["why"] and "is full at" in rows.first.inner_text()
    assert page.get_by_test_id("energy-legend").is_visible()
    # pixels: gas flowing and saturated (red) assets are on the canvas
    png = page.get_by_test_id("map").screenshot(path=str(ARTIFACTS / "energy-gas-map.png"))
    assert_map_drawn(png, routes=False)
    blue, red = colour_share(png, ENERGY_COLOURS["gas"], tol=12), colour_share(png, ENERGY_COLOURS["saturated"], tol=12)
    assert blue > 0.0005, f"no gas flow on the map ({blue:.4%} of pixels)"
    assert red > 0.0002, f"no saturated asset on the map ({red:.4%} of pixels)"
    page.screenshot(path=str(ARTIFACTS / "energy-page.png"))
    # a click on the binding pipe says its flow against its capacity
    tap = next(f for f in geojson["features"] if f["properties"].get("id") == "TAP-1")
    a, b = page.evaluate("c => c.map(p => window.__corridor.map.project(p)).map(p => [p.x, p.y])",
                         tap["geometry"]["coordinates"])
    page.get_by_test_id("map").click(position={"x": (a[0] + b[0]) / 2, "y": (a[1] + b[1]) / 2})
    popup = page.locator(".maplibregl-popup-content")
    popup.wait_for(timeout=5_000)
    page.get_by_test_id("map").screenshot(path=str(ARTIFACTS / "energy-popup.png"))
    assert popup.count() == 1, popup.count()
    assert "TAP: Kipoi - Komotini: 10.0 of 10.0 bcm/yr, full" in popup.inner_text(), popup.inner_text()
    page.keyboard.press("Escape")
    # the energy view follows the scenario selector: the expanded corridor delivers more
    page.get_by_test_id("scenario-select").select_option("southern-gas-corridor-expansion")
    page.get_by_test_id("scenario-toggle").check()
    page.wait_for_function("document.querySelector('[data-testid=energy-headline]').innerText.includes('vs today')",
                           timeout=20_000)
    assert "+" in page.get_by_test_id("energy-headline").inner_text()
    assert "with southern-gas-corridor-expansion" in page.get_by_test_id("energy-status").inner_text()
    # a shared link restores the view; oil switches the network
    page.goto(base_url + "/?energy=gas")
    settled(page)
    energy_done(page)
    assert page.get_by_test_id("energy-toggle").is_checked() and page.get_by_test_id("energy-gas").is_checked()
    assert page.get_by_test_id("energy-headline").inner_text() == headline
    page.get_by_test_id("energy-oil").check()
    page.wait_for_function("window.__corridor.energy.commodity === 'oil' && window.__corridor.energy.status === 'done'",
                           timeout=20_000)
    settled(page)
    assert "energy=oil" in page.url
    assert "Mt/yr to all markets" in page.get_by_test_id("energy-headline").inner_text()
    png = page.get_by_test_id("map").screenshot(path=str(ARTIFACTS / "energy-oil-map.png"))
    assert colour_share(png, ENERGY_COLOURS["oil"], tol=12) > 0.0005
    # switching off removes the layers, the panel and the URL key
    page.get_by_test_id("energy-toggle").uncheck()
    page.wait_for_function("window.__corridor.energy.status === 'off'")
    settled(page)
    assert "energy=" not in page.url
    assert page.evaluate("window.__corridor.map.getLayer('energy') === undefined && !window.__corridor.map.getSource('energy')")
    assert page.get_by_test_id("energy-headline").is_hidden() and page.get_by_test_id("energy-binding").is_hidden()
    png = page.get_by_test_id("map").screenshot()
    assert colour_share(png, ENERGY_COLOURS["oil"], tol=12) < 0.0001


def rendered(page: Any, layer: str) -> list[dict[str, Any]]:
    """The properties of the features MapLibre placed on the canvas in a layer (labels that collide are left out)."""
    return page.evaluate("l => window.__corridor.map.queryRenderedFeatures(undefined, {layers: [l]})"
                         ".map(f => f.properties)", layer)


def test_labels_render_offline_and_lines_follow_their_shapes(page: Any, base_url: str) -> None:
    from corridor.api.geometry import LinkShapes
    from corridor.network import load_network

    labels = page.request.get(base_url + "/api/basemap/labels.geojson").json()
    links_at = {f["properties"]["name"]: f["properties"]["links"] for f in labels["features"]
                if f["properties"]["layer"] == "place"}
    page.goto(base_url + "/")
    settled(page)
    # place and country names drawn as symbols, without a glyph server (the fixture fails on any request
    # that leaves the machine)
    page.wait_for_function("window.__corridor.map.queryRenderedFeatures(undefined, {layers: ['place-labels']})"
                           ".length >= 10", timeout=10_000)
    places = {p["name"] for p in rendered(page, "place-labels")}
    assert places <= set(links_at) and "Istanbul" in places, places
    assert len(rendered(page, "country-labels")) >= 5
    # the important places first: zoomed out only places where several links meet; zoomed in, the others too
    assert min(links_at[n] for n in places) >= 4, sorted((links_at[n], n) for n in places)[:5]
    page.evaluate("window.__corridor.map.jumpTo({center: [44.8, 41.7], zoom: 7})")  # Tbilisi
    page.wait_for_function("window.__corridor.map.loaded() && !window.__corridor.map.isMoving()")
    page.wait_for_timeout(300)
    near = {p["name"] for p in rendered(page, "place-labels")}
    assert any(links_at[n] < 4 for n in near), sorted((links_at[n], n) for n in near)
    # every line the map draws is the link's shape: a sea or ferry link along its lane, never a chord
    shapes = LinkShapes(load_network())
    drawn = page.evaluate("async () => (await window.__corridor.map.getSource('network').getData()).features"
                          ".map(f => [f.properties.link, f.properties.mode, f.geometry.coordinates.length])")
    assert len(drawn) == len(shapes.network.links)
    lanes = 0
    for link, mode, points in drawn:
        if mode in ("sea", "ferry"):
            lane = len(shapes.of(link))
            assert lane > 2 and points == lane, (link, mode, points, lane)
            lanes += 1
    assert lanes >= 10
    # tankers on the energy map sail the sea lane between their ports
    oil = page.request.get(base_url + "/api/energy/geojson?commodity=oil").json()
    tankers = [f for f in oil["features"] if f["properties"].get("kind") == "tanker"]
    assert tankers and all(f["properties"]["drawn"] == "sea lane" and len(f["geometry"]["coordinates"]) > 2
                           for f in tankers), [(f["properties"]["id"], f["properties"]["drawn"]) for f in tankers]
