// Network load: the capacity-aware assignment of the bundled demand (a background job), links coloured
// by volume / capacity, a legend and the top bottlenecks.
import maplibregl from "maplibre-gl";
import { api } from "./api.js";

// v/c classes: the colour ramp of the links and of the legend (the e2e test reads these colours)
export const VC_CLASSES = [
  { below: 0.5, colour: "#16a34a", label: "below 0.5" },
  { below: 0.8, colour: "#eab308", label: "0.5 – 0.8" },
  { below: 1.0, colour: "#f97316", label: "0.8 – 1" },
  { below: Infinity, colour: "#ef4444", label: "1 and over: over capacity" },
];
export const NO_CAPACITY = "#8b919c";
const empty = { type: "FeatureCollection", features: [] };
const POLL_MS = 250;

export function vcClass(vc) {
  if (vc === null || vc === undefined || !Number.isFinite(vc)) return -1;
  return VC_CLASSES.findIndex((c) => vc < c.below);
}

const colourOf = ["match", ["get", "cls"], ...VC_CLASSES.flatMap((c, i) => [i, c.colour]), NO_CAPACITY];
const fmt = (n, d = 0) => Number(n).toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
const teu = (n) => (n >= 1e6 ? `${fmt(n / 1e6, 2)} M` : n >= 1e3 ? `${fmt(n / 1e3, 0)} k` : fmt(n, 0));

/** Add the assignment's sources and layers (call where they belong in the layer order). */
export function addAssignmentLayers(map) {
  map.addSource("assign", { type: "geojson", data: empty });
  map.addSource("assign-points", { type: "geojson", data: empty });
  map.addLayer({ id: "assign", type: "line", source: "assign",
    layout: { "line-cap": "round", "line-join": "round", "line-sort-key": ["get", "cls"], visibility: "none" },
    paint: { "line-color": colourOf,
      "line-opacity": ["case", ["==", ["get", "cls"], -1], 0.55, 0.95],
      "line-width": ["interpolate", ["linear"], ["get", "teu"], 0, 1, 50000, 2.5, 200000, 4.5, 500000, 7] } });
  // capacity-limited links are often short border crossings: a dot keeps them visible at any zoom
  map.addLayer({ id: "assign-points", type: "circle", source: "assign-points",
    layout: { "circle-sort-key": ["get", "cls"], visibility: "none" },
    paint: { "circle-color": colourOf, "circle-radius": ["match", ["get", "cls"], 3, 8, 2, 7, 6],
      "circle-stroke-color": "#ffffff", "circle-stroke-width": 1.5 } });
}

function middle(coords) {
  if (!Array.isArray(coords) || !coords.length || !Array.isArray(coords[0])) return null;
  const n = coords.length;
  if (n % 2) return coords[(n - 1) / 2];
  const a = coords[n / 2 - 1], b = coords[n / 2];
  return [(a[0] + b[0]) / 2, (a[1] + b[1]) / 2];
}

/**
 * The "Show assignment" control.
 *
 * @param {object} o map, hook (window.__corridor), network() -> GeoJSON of every link,
 *   params() -> the job's parameters for the current view, onToggle(on) to keep the URL,
 *   ready() -> a promise of the map's layers.
 */
export function assignmentControl({ map, hook, network, params, onToggle, ready }) {
  const $ = (id) => document.getElementById(id);
  const box = $("assign-on"), bar = $("assign-progress"), message = $("assign-message"), status = $("assign-status");
  const list = $("bottlenecks"), legend = $("vc-legend");
  const results = new Map();  // finished results by parameters, so toggling back is instant
  let token = 0, shownKey = null;
  hook.assign = { on: false, status: "off", progress: 0, coloured: 0, over: 0, bottlenecks: [], error: null };

  legend.innerHTML = `<strong>Volume / capacity</strong>` + VC_CLASSES.map((c) =>
    `<span data-testid="vc-class"><i style="background:${c.colour}"></i>${c.label}</span>`).join("")
    + `<span><i style="background:${NO_CAPACITY}"></i>capacity not known</span><small>line width: TEU per year</small>`;

  function show(visible) {
    for (const id of ["assign", "assign-points"]) if (map.getLayer(id)) map.setLayoutProperty(id, "visibility", visible ? "visible" : "none");
    for (const id of ["network", "network-planned"]) if (map.getLayer(id)) map.setLayoutProperty(id, "visibility", visible ? "none" : "visible");
    legend.hidden = !visible;
    list.hidden = !visible;
  }

  function progress(fraction, text) {
    bar.parentElement.hidden = fraction === null;
    if (fraction !== null) bar.value = fraction;
    message.textContent = text || "";
    hook.assign.progress = fraction ?? hook.assign.progress;
  }

  function draw(result) {
    const byLink = new Map(result.links.map((l) => [l.link, l]));
    const lines = [], points = [];
    for (const f of network().features) {
      const l = byLink.get(f.properties.link);
      const cls = l ? vcClass(l.vc) : -1;
      const props = { link: f.properties.link, mode: f.properties.mode, teu: l ? l.volume_teu || 0 : 0,
        vc: l && l.vc !== null ? l.vc : null, cls, capacity: f.properties.capacity_teu_per_year };
      lines.push({ type: "Feature", geometry: f.geometry, properties: props });
      const mid = cls >= 0 && middle(f.geometry.coordinates);
      if (mid) points.push({ type: "Feature", geometry: { type: "Point", coordinates: mid }, properties: props });
    }
    map.getSource("assign").setData({ type: "FeatureCollection", features: lines });
    map.getSource("assign-points").setData({ type: "FeatureCollection", features: points });
    const at = Object.fromEntries(lines.map((f) => [f.properties.link, f.geometry.coordinates]));

    // the top bottlenecks: one row per link, worst direction first
    const seen = new Set(), rows = [];
    for (const b of result.bottlenecks_by_vc || []) {
      if (seen.has(b.link) || b.vc === null || !(b.volume_teu > 0)) continue;
      seen.add(b.link);
      rows.push(b);
    }
    list.innerHTML = "";
    for (const b of rows.slice(0, 5)) {
      const li = document.createElement("li");
      li.dataset.testid = "bottleneck";
      li.dataset.link = b.link;
      li.innerHTML = `<i></i><span class="name"></span><span class="vc"></span><span class="detail"></span>`;
      li.querySelector("i").style.background = VC_CLASSES[vcClass(b.vc)].colour;
      li.querySelector(".name").textContent = b.name.replace(/ \(border\)$/, "") + (b.kind === "border" ? " (border)" : "");
      li.querySelector(".vc").textContent = `v/c ${fmt(b.vc, 2)}`;
      li.querySelector(".detail").textContent = `${teu(b.volume_teu)} of ${teu(b.capacity_teu)} TEU/yr`
        + (b.delay_h >= 0.5 ? `, +${fmt(b.delay_h, b.delay_h < 10 ? 1 : 0)} h delay` : "");
      const mid = middle(at[b.link]);
      if (mid) li.addEventListener("click", () => map.easeTo({ center: mid, zoom: Math.max(map.getZoom(), 5.5), duration: 300 }));
      list.appendChild(li);
    }
    const coloured = lines.filter((f) => f.properties.cls >= 0).length;
    const over = lines.filter((f) => f.properties.cls === VC_CLASSES.length - 1).length;
    status.className = "";
    status.textContent = `${fmt(result.demand_teu_per_year / 1e6, 2)} M TEU of demand in ${result.year}, `
      + `${result.converged ? "equilibrium" : "not converged"} after ${result.iterations} iterations: `
      + `${coloured} links with a known capacity, ${over} over it.`;
    Object.assign(hook.assign, { status: "done", progress: 1, coloured, over, bottlenecks: rows.slice(0, 5).map((b) => b.link), error: null });
  }

  async function compute(p, key, mine) {
    hook.assign.status = "running";
    status.className = "busy";
    status.textContent = "Assigning the demand to the network…";
    progress(0, "starting");
    const job = await api.assignment(p);
    let state = job;
    while (state.status === "queued" || state.status === "running") {
      await new Promise((r) => setTimeout(r, POLL_MS));
      if (mine !== token) return null;
      state = await api.job(job.id);
      progress(state.progress, state.status === "queued" ? "waiting for a worker" : state.message);
    }
    if (state.status !== "done") throw new Error(`The assignment ${state.status}${state.error ? `: ${state.error}` : ""}.`);
    const result = await api.jobResult(job.id);
    results.set(key, result);
    return result;
  }

  /** Show, refresh or hide the assignment for the current view (cheap when nothing changed). */
  async function refresh() {
    const on = box.checked;
    hook.assign.on = on;
    if (!on) {
      token++;
      shownKey = null;
      show(false);
      progress(null);
      status.textContent = "";
      hook.assign.status = "off";
      return;
    }
    const p = params();
    const key = JSON.stringify(p);
    if (key === shownKey) return;
    const mine = ++token;
    await ready();
    if (mine !== token) return;
    show(true);
    list.innerHTML = "";
    try {
      const result = results.get(key) || (await compute(p, key, mine));
      if (!result || mine !== token) return;
      progress(null);
      draw(result);
      shownKey = key;
    } catch (e) {
      if (mine !== token) return;
      progress(null);
      status.className = "error";
      status.textContent = e.message;
      Object.assign(hook.assign, { status: "failed", error: e.message });
    }
  }

  map.on("click", "assign", (e) => {
    const p = e.features[0].properties;
    const vc = p.vc === null || p.vc === undefined || p.vc === "null" ? "capacity not known" : `v/c ${fmt(p.vc, 2)}`;
    new maplibregl.Popup().setLngLat(e.lngLat).setText(`${p.link}: ${teu(p.teu)} TEU/yr, ${vc}`).addTo(map);
  });
  box.addEventListener("change", () => { onToggle(box.checked); refresh(); });
  return { refresh, set: (on) => { box.checked = on; } };
}
