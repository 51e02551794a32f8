// Energy: the Caspian oil and gas network solved as a max-flow (GET /api/energy/geojson), lines as wide
// as their flow, full ones red, the headline delivery and what binds.
import maplibregl from "maplibre-gl";
import { api } from "./api.js";

// the colours of the energy layers (the e2e test reads these)
export const ENERGY_COLOURS = { gas: "#0284c7", oil: "#92400e", saturated: "#dc2626", idle: "#9ca3af" };
const LAYERS = ["energy-planned", "energy", "energy-points"];
const UNITS = { bcm_per_year: "bcm/yr", mt_per_year: "Mt/yr" };
const fmt = (n, d = 1) => Number(n).toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
const known = (v) => v !== undefined && v !== null && v !== "null";
const unitOf = (u) => UNITS[u] || String(u || "").replace(/_per_year$/, "/yr");

/** "11.2 bcm/yr to Europe, 24.9 in all" */
export function headline(p) {
  const unit = unitOf(p.unit);
  if (p.target === "all") return `${fmt(p.delivered)} ${unit} to all markets`;
  const to = p.target === "europe" ? "Europe" : p.target;
  return `${fmt(p.delivered)} ${unit} to ${to}, ${fmt(p.delivered_total)} in all`;
}

// the middle of a line: between the ends of a straight one, the middle vertex of a route or a sea lane
function middle(coords) {
  if (coords.length > 2) return coords[Math.floor(coords.length / 2)];
  const [a, b] = coords;
  return [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
}

/**
 * The "Energy" control.
 *
 * @param {object} o map, hook (window.__corridor), params() -> {scenario} or {year} of the current view,
 *   onChange(commodity or "") to keep the URL, ready() -> a promise of the map's layers,
 *   beforeLayer: the id of the layer the energy layers go under, fit() -> whether to fit the map to them.
 */
export function energyControl({ map, hook, params, onChange, ready, beforeLayer, fit }) {
  const $ = (id) => document.getElementById(id);
  const box = $("energy-on"), status = $("energy-status"), head = $("energy-headline"), list = $("energy-binding");
  const radios = [...document.querySelectorAll('input[name="energy-commodity"]')];
  const cache = new Map();  // answers by query, so switching back is instant
  let token = 0, shownKey = null, fitted = null;
  hook.energy = { on: false, status: "off", commodity: null, delivered: null, binding: [], error: null };

  const commodity = () => (radios.find((r) => r.checked) || radios[0]).value;
  const get = (q) => {
    const key = JSON.stringify(q);
    if (!cache.has(key)) cache.set(key, api.energy(q).catch((e) => { cache.delete(key); throw e; }));
    return cache.get(key);
  };

  function remove() {
    for (const id of LAYERS) if (map.getLayer(id)) map.removeLayer(id);
    if (map.getSource("energy")) map.removeSource("energy");
  }

  function draw(data, c) {
    const colour = ENERGY_COLOURS[c] || ENERGY_COLOURS.gas;
    const lines = data.features.filter((f) => f.geometry.type === "LineString");
    const top = Math.max(1, ...lines.map((f) => f.properties.flow || 0));
    // full assets last, so they are drawn on top of the idle and flowing ones
    const rank = (p) => (!p.in_service ? 0 : p.saturated ? 3 : p.flow > 0 ? 2 : 1);
    data.features.forEach((f) => { f.properties.rank = f.geometry.type === "Point" ? 0 : rank(f.properties); });
    remove();
    map.addSource("energy", { type: "geojson", data });
    const before = map.getLayer(beforeLayer) ? beforeLayer : undefined;
    map.addLayer({ id: "energy-planned", type: "line", source: "energy",
      filter: ["all", ["==", ["geometry-type"], "LineString"], ["!=", ["get", "in_service"], true]],
      paint: { "line-color": ENERGY_COLOURS.idle, "line-width": 1.5, "line-dasharray": [3, 2] } }, before);
    map.addLayer({ id: "energy", type: "line", source: "energy",
      filter: ["all", ["==", ["geometry-type"], "LineString"], ["==", ["get", "in_service"], true]],
      layout: { "line-cap": "round", "line-join": "round", "line-sort-key": ["get", "rank"] },
      paint: {
        "line-color": ["case", ["==", ["get", "saturated"], true], ENERGY_COLOURS.saturated, [">", ["get", "flow"], 0], colour, ENERGY_COLOURS.idle],
        "line-width": ["case", [">", ["get", "flow"], 0], ["interpolate", ["linear"], ["get", "flow"], 0, 2, top, 9], 1],
      } }, before);
    // fields filled, markets as rings
    map.addLayer({ id: "energy-points", type: "circle", source: "energy", filter: ["==", ["geometry-type"], "Point"],
      paint: {
        "circle-radius": ["interpolate", ["linear"], ["coalesce", ["get", "flow"], 0], 0, 4, top, 9],
        "circle-color": ["case", ["==", ["get", "kind"], "field"], colour, "#ffffff"],
        "circle-stroke-color": ["case", ["==", ["get", "kind"], "field"], "#ffffff", colour],
        "circle-stroke-width": ["case", ["==", ["get", "kind"], "field"], 1.5, 3],
      } }, before);
    $("energy-legend").innerHTML = `<span><i style="background:${colour}"></i>${c}</span>`
      + `<span><i style="background:${ENERGY_COLOURS.saturated}"></i>full</span><span><i style="background:${ENERGY_COLOURS.idle}"></i>idle</span>`
      + `<span><i class="dash"></i>not in service</span><span><b style="background:${colour}"></b>field</span>`
      + `<span><b style="border:2px solid ${colour}"></b>market</span><small>line width: flow</small>`
      + "<small>Pipelines follow their route through the places their operators name (straight where the data give none); tankers follow the sea lane.</small>";
    if (fitted !== c && fit()) {
      const b = new maplibregl.LngLatBounds();
      for (const f of data.features) for (const pt of f.geometry.type === "Point" ? [f.geometry.coordinates] : f.geometry.coordinates) b.extend(pt);
      map.fitBounds(b, { padding: 40, duration: 0 });
    }
    fitted = c;
  }

  function describe(data, base) {
    const p = data.properties;
    head.textContent = headline(p);
    const change = base ? p.delivered - base.properties.delivered : 0;
    if (base && Math.abs(change) >= 0.05) {
      const d = document.createElement("span");
      d.className = `delta ${change > 0 ? "better" : "worse"}`;
      d.textContent = `${change > 0 ? "+" : "−"}${fmt(Math.abs(change))} vs today`;
      head.append(" ", d);
    }
    const where = {};
    for (const f of data.features) where[f.properties.id || f.properties.node] = f.geometry.type === "Point" ? f.geometry.coordinates : middle(f.geometry.coordinates);
    list.innerHTML = "";
    for (const b of p.binding || []) {
      const li = document.createElement("li");
      li.dataset.testid = "energy-binding-row";
      li.textContent = b.why;
      const at = where[b.element];
      if (at) li.addEventListener("click", () => map.easeTo({ center: at, zoom: Math.max(map.getZoom(), 5), duration: 300 }));
      list.appendChild(li);
    }
    const scenario = p.scenario && p.scenario !== "base" ? ` with ${p.scenario}` : "";
    status.className = "muted";
    status.textContent = `Solved as a max-flow${scenario}. What binds (the minimum cut):`;
  }

  function show(visible) {
    head.hidden = list.hidden = $("energy-legend").hidden = !visible;
  }

  /** Show, refresh or hide the energy network for the current view (cheap when nothing changed). */
  async function refresh() {
    const on = box.checked;
    hook.energy.on = on;
    if (!on) {
      token++;
      shownKey = null;
      fitted = null;
      remove();
      show(false);
      status.textContent = "";
      Object.assign(hook.energy, { status: "off", commodity: null, delivered: null, binding: [], error: null });
      return;
    }
    const c = commodity(), p = params();
    const key = JSON.stringify({ c, ...p });
    if (key === shownKey) return;
    const mine = ++token;
    hook.energy.status = "loading";
    status.className = "busy";
    status.textContent = `Solving the ${c} network…`;
    try {
      await ready();
      const scenario = Object.keys(p).length > 0;
      const [data, base] = await Promise.all([get({ commodity: c, ...p }), scenario ? get({ commodity: c }) : null]);
      if (mine !== token) return;
      draw(structuredClone(data), c);
      describe(data, base);
      show(true);
      shownKey = key;
      Object.assign(hook.energy, { status: "done", commodity: c, delivered: data.properties.delivered,
        binding: (data.properties.binding || []).map((b) => b.element), error: null });
    } catch (e) {
      if (mine !== token) return;
      remove();
      show(false);
      status.className = "error";
      status.textContent = e.message;
      Object.assign(hook.energy, { status: "failed", error: e.message });
    }
  }

  function describeFeature(p) {
    const unit = unitOf(p.unit);
    if (p.kind === "field") return `${p.name}: ${fmt(p.flow)} ${unit} out${known(p.supply) ? ` of ${fmt(p.supply)} produced` : ""}`;
    if (p.kind === "market") return `${p.name}: ${fmt(p.flow)} ${unit} in${known(p.demand) ? ` (takes up to ${fmt(p.demand)})` : ""}`;
    if (!p.in_service) return `${p.name}: not in service (${p.status}), ${fmt(p.capacity)} ${unit}`;
    return `${p.name}: ${fmt(p.flow)} of ${fmt(p.capacity)} ${unit}${p.saturated ? ", full" : ""}`;
  }

  // one popup for what is under the click: a field or market, else every asset there (the lines of a
  // pipeline and its expansions lie on top of each other)
  map.on("click", (e) => {
    const layers = LAYERS.filter((id) => map.getLayer(id));
    if (!layers.length) return;
    const hits = map.queryRenderedFeatures(e.point, { layers });
    const points = hits.filter((f) => f.geometry.type === "Point");
    const seen = new Set(), rows = [];
    for (const f of points.length ? points : hits) {
      const id = f.properties.id || f.properties.node;
      if (!seen.has(id)) { seen.add(id); rows.push(describeFeature(f.properties)); }
    }
    if (!rows.length) return;
    const div = document.createElement("div");
    div.className = "energy-popup";
    for (const text of rows.slice(0, 6)) div.appendChild(document.createElement("p")).textContent = text;
    new maplibregl.Popup({ maxWidth: "320px" }).setLngLat(e.lngLat).setDOMContent(div).addTo(map);
  });
  for (const id of LAYERS) {
    map.on("mouseenter", id, () => { map.getCanvas().style.cursor = "pointer"; });
    map.on("mouseleave", id, () => { map.getCanvas().style.cursor = ""; });
  }
  box.addEventListener("change", () => { onChange(box.checked ? commodity() : ""); refresh(); });
  for (const r of radios) r.addEventListener("change", () => { if (box.checked) { onChange(commodity()); refresh(); } });
  return {
    refresh,
    set: (c) => { box.checked = !!c; if (c) for (const r of radios) r.checked = r.value === c; },
  };
}
