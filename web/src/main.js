// The corridor web map: pick two places, see the corridors side by side, flip a scenario, share the link.
import maplibregl from "maplibre-gl";
import "maplibre-gl/dist/maplibre-gl.css";
import "./style.css";
import { api } from "./api.js";
import { addAssignmentLayers, assignmentControl } from "./assignment.js";
import { drawChart, ROUTE_COLOURS } from "./chart.js";
import { costBar, costLegend } from "./costs.js";
import { energyControl } from "./energy.js";
import { placeSearch } from "./search.js";
import { readState, writeState } from "./state.js";

const MODE_COLOURS = { rail: "#b91c1c", road: "#d97706", ferry: "#7c3aed", sea: "#1d4ed8" };
// Labels need no glyph server: the style has no `glyphs` URL, so MapLibre draws each letter in the
// browser from the system's fonts (TinySDF). The names only pick a weight; all fall back to sans-serif.
const FONT = ["Open Sans Regular", "sans-serif"];
const FONT_BOLD = ["Open Sans Semibold", "sans-serif"];
const $ = (id) => document.getElementById(id);
const absolute = (path) => new URL(path, window.location.href).href;
const empty = { type: "FeatureCollection", features: [] };

const hook = (window.__corridor = { ready: false, busy: false, routes: 0, error: null, result: null });
let state = readState();
let caps = { features: {} };
let markers = [];
let drawn = empty;
let network = empty;
let assignment = null;
let energy = null;

const map = new maplibregl.Map({
  container: "map",
  style: absolute("api/basemap/style.json"),
  center: [60, 42],
  zoom: 2.4,
  attributionControl: { customAttribution: "Basemap: Natural Earth" },
});
map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
hook.map = map;

const mapLoaded = new Promise((resolve) => map.on("load", resolve));

function status(text, kind = "") {
  const node = $("status");
  node.textContent = text;
  node.className = kind;
}

// -- map layers ----------------------------------------------------------------------------
async function setupLayers() {
  await mapLoaded;
  const modeColour = ["match", ["get", "mode"], ...Object.entries(MODE_COLOURS).flat(), "#444"];
  let labels = empty;
  [network, labels] = await Promise.all([  // the map works without either
    api.network().catch(() => empty), api.labels().catch(() => empty)]);
  map.addSource("network", { type: "geojson", data: network });
  map.addSource("labels", { type: "geojson", data: labels });
  map.addSource("before", { type: "geojson", data: empty });
  map.addSource("routes", { type: "geojson", data: empty });
  map.addLayer({ id: "network", type: "line", source: "network",
    paint: { "line-color": "#6b7280", "line-opacity": 0.28, "line-width": 0.8 },
    filter: ["==", ["get", "status"], "operational"] });
  map.addLayer({ id: "network-planned", type: "line", source: "network",
    paint: { "line-color": "#6b7280", "line-opacity": 0.35, "line-width": 0.8, "line-dasharray": [2, 2] },
    filter: ["!=", ["get", "status"], "operational"] });
  addAssignmentLayers(map);
  map.addLayer({ id: "before", type: "line", source: "before", filter: ["==", ["geometry-type"], "LineString"],
    paint: { "line-color": "#374151", "line-opacity": 0.55, "line-width": 2.5, "line-dasharray": [1.5, 1.5] } });
  map.addLayer({ id: "routes-casing", type: "line", source: "routes", filter: ["==", ["geometry-type"], "LineString"],
    layout: { "line-cap": "round", "line-join": "round" },
    paint: { "line-color": "#ffffff", "line-width": ["case", ["==", ["get", "route"], 0], 8, 6] } });
  map.addLayer({ id: "routes", type: "line", source: "routes", filter: ["==", ["geometry-type"], "LineString"],
    layout: { "line-cap": "round", "line-join": "round" },
    paint: { "line-color": modeColour, "line-width": ["case", ["==", ["get", "route"], 0], 5, 3],
      "line-opacity": ["case", ["boolean", ["feature-state", "dim"], false], 0.25, 0.95] } });
  map.addLayer({ id: "stops", type: "circle", source: "routes", filter: ["==", ["geometry-type"], "Point"],
    paint: { "circle-radius": 3.5, "circle-color": "#ffffff", "circle-stroke-color": "#111827", "circle-stroke-width": 1.5 } });
  addLabelLayers();
  map.on("click", "routes", (e) => {
    const p = e.features[0].properties;
    new maplibregl.Popup().setLngLat(e.lngLat).setText(`${p.from} → ${p.to}: ${p.mode}, ${p.hours} h`).addTo(map);
  });
}

// Country names under the network (the biggest countries first); the network's places over everything,
// the places where most links meet first. Labels that would overlap are left out (MapLibre's collision
// detection), so zooming in shows more of them; places with few links wait for a closer zoom.
function addLabelLayers() {
  const zoomed = ["interpolate", ["linear"], ["zoom"]];
  map.addLayer({ id: "country-labels", type: "symbol", source: "labels",
    filter: ["all", ["==", ["get", "layer"], "country"], [">=", ["get", "area"], ["step", ["zoom"], 4, 4, 0.3, 6, 0]]],
    layout: { "text-field": ["get", "name"], "text-font": FONT, "text-transform": "uppercase",
      "text-size": [...zoomed, 2, 9, 6, 13], "text-letter-spacing": 0.08, "text-max-width": 6,
      "symbol-sort-key": ["-", ["get", "area"]] },
    paint: { "text-color": "#9a927f", "text-halo-color": "#f4f1ea", "text-halo-width": 1 } }, "network");
  const place = ["==", ["get", "layer"], "place"];
  map.addLayer({ id: "place-dots", type: "circle", source: "labels", filter: place,
    paint: { "circle-radius": [...zoomed, 2, 1.2, 7, 3.5], "circle-color": "#374151",
      "circle-stroke-color": "#ffffff", "circle-stroke-width": [...zoomed, 2, 0.5, 7, 1] } });
  map.addLayer({ id: "place-labels", type: "symbol", source: "labels",
    filter: ["all", place, [">=", ["get", "links"], ["step", ["zoom"], 4, 3.5, 2, 5, 0]]],
    layout: { "text-field": ["get", "name"], "text-font": FONT_BOLD,
      "text-size": [...zoomed, 2, ["case", [">=", ["get", "links"], 6], 11, 9.5], 8, ["case", [">=", ["get", "links"], 6], 15, 13]],
      "symbol-sort-key": ["-", ["get", "links"]], "text-padding": 3, "text-max-width": 8,
      "text-variable-anchor": ["left", "right", "top", "bottom"], "text-radial-offset": 0.45, "text-justify": "auto" },
    paint: { "text-color": "#1f2937", "text-halo-color": "rgba(255,255,255,0.92)", "text-halo-width": 1.4 } });
}

function collection(routes) {
  const features = [];
  routes.forEach((r, i) => {
    for (const f of (r.geometry && r.geometry.features) || []) {
      features.push({ ...f, properties: { ...f.properties, route: i, corridor: r.corridor } });
    }
  });
  // the best route last, so it is drawn on top
  features.sort((a, b) => b.properties.route - a.properties.route);
  return { type: "FeatureCollection", features };
}

function fit(routes) {
  const b = new maplibregl.LngLatBounds();
  let any = false;
  for (const r of routes) for (const f of (r.geometry && r.geometry.features) || []) {
    const coords = f.geometry.type === "Point" ? [f.geometry.coordinates] : f.geometry.coordinates;
    for (const c of coords) { b.extend(c); any = true; }
  }
  if (any) map.fitBounds(b, { padding: 60, maxZoom: 6, duration: 0 });
}

function placeMarkers(places) {
  markers.forEach((m) => m.remove());
  markers = places.filter(Boolean).map((p, i) => {
    const el = document.createElement("div");
    el.className = `place-marker ${i === 0 ? "origin" : "destination"}`;
    el.innerHTML = "<i></i><span></span>";
    el.querySelector("span").textContent = p.name;
    return new maplibregl.Marker({ element: el, anchor: "left", offset: [-6, 0] }).setLngLat([p.lon, p.lat]).addTo(map);
  });
}

// -- cards ---------------------------------------------------------------------------------
const fmt = (n, d = 0) => Number(n).toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
function delta(value, unit, digits = 1) {
  if (value === null || value === undefined || Math.abs(value) < 0.05) return "";
  const cls = value < 0 ? "better" : "worse";
  return ` <span class="delta ${cls}">${value > 0 ? "+" : "−"}${fmt(Math.abs(value), digits)}${unit}</span>`;
}

function renderCards(routes, changes) {
  const box = $("cards");
  box.innerHTML = "";
  const byName = Object.fromEntries((changes || []).map((c) => [c.corridor, c]));
  routes.forEach((r, i) => {
    const c = byName[r.corridor];
    const card = document.createElement("article");
    card.className = "card";
    card.dataset.testid = "route-card";
    card.style.setProperty("--route", ROUTE_COLOURS[i % ROUTE_COLOURS.length]);
    const rel = r.reliability;
    const badge = c && c.change === "new" ? '<span class="badge">new</span>' : "";
    card.innerHTML = `
      <h3>${i === 0 ? "Best: " : ""}<span class="name"></span> ${badge}</h3>
      <dl>
        <dt>Time</dt><dd>${fmt(r.total_days, 1)} days${c ? delta((c.delta_hours ?? null) !== null ? c.delta_hours / 24 : null, " d") : ""}</dd>
        <dt>Cost</dt><dd>US$ ${fmt(r.cost_usd_per_feu)} /FEU${c ? delta(c.delta_cost_usd_per_feu, "", 0) : ""}</dd>
        <dt>CO2e</dt><dd>${fmt(r.co2_kg_per_feu)} kg/FEU${c ? delta(c.delta_co2_kg_per_feu, " kg", 0) : ""}</dd>
        ${r.cost_breakdown ? `<dt>Generalized</dt><dd data-testid="cost-total" data-usd="${r.cost_breakdown.total_usd}">US$ ${fmt(r.cost_breakdown.total_usd)} /FEU</dd>` : ""}
        ${rel ? `<dt>P50 / P90</dt><dd>${fmt(rel.p50_days, 1)} / ${fmt(rel.p90_days, 1)} days</dd>` : ""}
        <dt>Distance</dt><dd>${fmt(r.distance_km)} km</dd>
      </dl>
      <p class="countries"></p>`;
    card.querySelector(".name").textContent = r.corridor;
    card.querySelector(".countries").textContent = r.countries.join(" → ");
    if (r.cost_breakdown) card.querySelector("dl").after(costBar(r.cost_breakdown));
    card.addEventListener("mouseenter", () => highlight(i));
    card.addEventListener("mouseleave", () => highlight(null));
    box.appendChild(card);
  });
  if (routes.some((r) => r.cost_breakdown)) box.appendChild(costLegend(routes));
  const gone = (changes || []).filter((c) => c.change === "gone");
  if (gone.length) {
    const p = document.createElement("p");
    p.className = "gone";
    p.dataset.testid = "gone";
    p.textContent = `No longer among the best: ${gone.map((c) => c.corridor).join("; ")}`;
    box.appendChild(p);
  }
}

function highlight(index) {
  if (!map.getSource("routes")) return;
  drawn.features.forEach((f, k) => {
    map.setFeatureState({ source: "routes", id: k }, { dim: index !== null && f.properties.route !== index });
  });
}

// -- queries -------------------------------------------------------------------------------
function options() {
  return {
    // named, so that a comparison (whose default is the demand's class) draws the routes of the plain view
    cargo: "general",
    optimize: state.opt,
    alternatives: state.k,
    avoid_countries: state.avoid,
    avoid_passages: state.pass,
    year: state.year,
  };
}

function variantOf(base) {
  if (state.scn.startsWith("year:")) return { ...base, year: Number(state.scn.slice(5)) };
  return { ...base, scenario: state.scn };
}

// the assignment and the energy network follow the view: the scenario when it is on, else the year asked for
function viewParams() {
  if (state.on && state.scn) return state.scn.startsWith("year:") ? { year: Number(state.scn.slice(5)) } : { scenario: state.scn };
  return state.year ? { year: state.year } : {};
}

async function run() {
  writeState(state);
  if (assignment) assignment.refresh();
  if (energy) energy.refresh();
  if (!state.from || !state.to) { status("Pick where the freight starts and where it goes."); return; }
  hook.busy = true;
  hook.error = null;
  status("Finding routes…", "busy");
  const reliability = !!(caps.features.reliability && caps.features.reliability.available);
  try {
    await layersReady;
    let routes, before = [], changes = null, summary = "";
    const place = { origin: state.from, destination: state.to, geometry: true, reliability };
    if (state.on && state.scn) {
      const base = options();
      const res = await api.compare({ ...place, base, variant: variantOf(base) });
      routes = res.variant.routes; before = res.base.routes; changes = res.changes; summary = res.summary;
      hook.result = res;
    } else {
      const res = await api.route({ ...place, ...options() });
      routes = res.routes;
      hook.result = res;
    }
    const data = collection(routes);
    data.features.forEach((f, k) => { f.id = k; });
    map.getSource("routes").setData(data);
    drawn = data;
    map.getSource("before").setData(collection(before));
    $("summary").textContent = summary;
    renderCards(routes, changes);
    $("chart").hidden = !drawChart($("chart-svg"), routes);
    const [o, d] = await Promise.all([api.place(state.from), api.place(state.to)]);
    placeMarkers([o, d]);
    fit(routes.concat(before));
    status(`${routes.length} corridor${routes.length === 1 ? "" : "s"} from ${o.name} to ${d.name}.`);
    hook.routes = routes.length;
  } catch (e) {
    hook.error = e.message;
    hook.routes = 0;
    map.getSource("routes") && map.getSource("routes").setData(empty);
    map.getSource("before") && map.getSource("before").setData(empty);
    $("cards").innerHTML = "";
    $("summary").textContent = "";
    $("chart").hidden = true;
    status(e.message + (e.suggestions && e.suggestions.length ? ` Try: ${e.suggestions.join(", ")}.` : ""), "error");
  } finally {
    hook.busy = false;
  }
}

// -- controls ------------------------------------------------------------------------------
function bindControls() {
  placeSearch($("origin"), document.querySelector('.suggest[data-for="origin"]'), (p) => { state.from = p.id; run(); });
  placeSearch($("destination"), document.querySelector('.suggest[data-for="destination"]'), (p) => { state.to = p.id; run(); });
  $("optimize").value = state.opt;
  $("alternatives").value = String(state.k);
  $("year").value = state.year ?? "";
  $("scenario-on").checked = state.on;
  const assignable = !!(caps.features.assignment && caps.features.assignment.available);
  $("assign-on").disabled = !assignable;
  if (!assignable) $("assign-status").textContent = (caps.features.assignment && caps.features.assignment.reason) || "The assignment is not available here.";
  assignment = assignmentControl({ map, hook, network: () => network, params: viewParams,
    onToggle: (on) => { state.assign = on; writeState(state); }, ready: () => layersReady });
  assignment.set(state.assign && assignable);
  energy = energyControl({ map, hook, params: viewParams, ready: () => layersReady, beforeLayer: "before",
    onChange: (c) => { state.energy = c; writeState(state); }, fit: () => !state.from || !state.to });
  energy.set(state.energy);
  for (const box of document.querySelectorAll('input[name="avoid"]')) box.checked = state.avoid.includes(box.value);
  for (const box of document.querySelectorAll('input[name="avoid_passage"]')) box.checked = state.pass.includes(box.value);
  $("optimize").addEventListener("change", (e) => { state.opt = e.target.value; run(); });
  $("alternatives").addEventListener("change", (e) => { state.k = Number(e.target.value); run(); });
  $("year").addEventListener("change", (e) => { state.year = e.target.value ? Number(e.target.value) : null; run(); });
  $("scenario-on").addEventListener("change", (e) => { state.on = e.target.checked; run(); });
  $("scenario").addEventListener("change", (e) => { state.scn = e.target.value; if (state.on) run(); else writeState(state); });
  document.querySelectorAll('input[name="avoid"], input[name="avoid_passage"]').forEach((box) => box.addEventListener("change", () => {
    state.avoid = [...document.querySelectorAll('input[name="avoid"]:checked')].map((b) => b.value);
    state.pass = [...document.querySelectorAll('input[name="avoid_passage"]:checked')].map((b) => b.value);
    run();
  }));
}

async function fillScenarios() {
  const select = $("scenario");
  const add = (value, text) => { const o = document.createElement("option"); o.value = value; o.textContent = text; select.appendChild(o); };
  const year = new Date().getFullYear();
  add(`year:${Math.max(2030, year + 1)}`, `${Math.max(2030, year + 1)}: links planned by then open`);
  if (caps.features.scenarios && caps.features.scenarios.available) {
    try {
      const res = await api.scenarios();
      for (const s of res.scenarios) if (!s.error) add(s.name, s.title || s.name);
    } catch (e) { /* the year toggle still works */ }
  }
  const values = [...select.options].map((o) => o.value);
  if (!values.includes(state.scn)) state.scn = values.includes("tripp") ? "tripp" : values[0];
  select.value = state.scn;
}

async function fillPlace(input, id) {
  if (!id) return;
  try { const p = await api.place(id); input.value = p.name; input.dataset.id = p.id; } catch (e) { input.value = id; }
}

const layersReady = setupLayers();

async function start() {
  try { caps = await api.capabilities(); $("dataset").textContent = `dataset ${caps.dataset}`; } catch (e) { /* keep defaults */ }
  await fillScenarios();
  bindControls();
  await Promise.all([fillPlace($("origin"), state.from), fillPlace($("destination"), state.to)]);
  await layersReady;
  hook.ready = true;
  await run();
}

start();
