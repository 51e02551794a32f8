// Transit-time distributions as an SVG chart: one outline per route, P50 and P90 marked.
const NS = "http://www.w3.org/2000/svg";
export const ROUTE_COLOURS = ["#1b6ca8", "#c2410c", "#15803d", "#7e22ce", "#a16207"];

function el(name, attrs, parent) {
  const node = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (parent) parent.appendChild(node);
  return node;
}

export function drawChart(svg, routes) {
  svg.innerHTML = "";
  const withDist = routes.filter((r) => r.reliability && r.reliability.histogram);
  if (!withDist.length) return false;
  const W = 360, H = 170, L = 34, R = 8, T = 8, B = 28;
  let lo = Infinity, hi = -Infinity, top = 0;
  for (const r of withDist) {
    const h = r.reliability.histogram;
    lo = Math.min(lo, h.start_days);
    hi = Math.max(hi, h.start_days + h.width_days * h.shares.length);
    top = Math.max(top, ...h.shares.map((s) => s / h.width_days));
  }
  const x = (d) => L + ((d - lo) / (hi - lo || 1)) * (W - L - R);
  const y = (v) => H - B - (v / (top || 1)) * (H - T - B);
  el("line", { x1: L, x2: W - R, y1: H - B, y2: H - B, class: "axis" }, svg);
  const step = Math.max(1, Math.round((hi - lo) / 6));
  for (let d = Math.ceil(lo); d <= hi; d += step) {
    el("line", { x1: x(d), x2: x(d), y1: H - B, y2: H - B + 4, class: "axis" }, svg);
    el("text", { x: x(d), y: H - B + 15, "text-anchor": "middle", class: "tick" }, svg).textContent = String(d);
  }
  el("text", { x: (W + L) / 2, y: H - 2, "text-anchor": "middle", class: "tick" }, svg).textContent = "days door to door";
  withDist.forEach((r, i) => {
    const colour = ROUTE_COLOURS[routes.indexOf(r) % ROUTE_COLOURS.length];
    const h = r.reliability.histogram;
    let d = `M ${x(h.start_days)} ${y(0)}`;
    h.shares.forEach((s, k) => {
      const v = s / h.width_days;
      d += ` L ${x(h.start_days + k * h.width_days)} ${y(v)} L ${x(h.start_days + (k + 1) * h.width_days)} ${y(v)}`;
    });
    d += ` L ${x(h.start_days + h.shares.length * h.width_days)} ${y(0)}`;
    el("path", { d, fill: colour, "fill-opacity": 0.15, stroke: colour, "stroke-width": 1.5, "data-testid": "chart-series" }, svg);
    for (const [q, dash] of [["p50_days", "2 2"], ["p90_days", "6 3"]]) {
      const v = r.reliability[q];
      el("line", { x1: x(v), x2: x(v), y1: T, y2: H - B, stroke: colour, "stroke-dasharray": dash, "stroke-width": 1.2 }, svg);
    }
  });
  return true;
}
