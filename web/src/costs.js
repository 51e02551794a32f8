// A route's generalized cost by component as a stacked bar (SVG) for its card, and the legend under the cards.
// Names and colours are those of the PNG (`corridor route --cost-plot`): corridor.network.costs.COST_LABELS and
// corridor.maps.COST_COLOURS; tests/test_cost_plot.py checks they match.
const NS = "http://www.w3.org/2000/svg";
export const COST_COMPONENTS = [
  ["freight_usd", "Freight", "#1f77b4"],
  ["handling_usd", "Handling", "#ff7f0e"],
  ["border_usd", "Border", "#8c564b"],
  ["ets_usd", "EU ETS", "#2ca02c"],
  ["insurance_usd", "Insurance", "#d62728"],
  ["sanctions_usd", "Sanctions policy", "#9467bd"],
  ["carbon_usd", "Carbon (shadow price)", "#bcbd22"],
  ["time_value_usd", "Value of time", "#17becf"],
];

const usd = (n) => `US$ ${Number(n).toLocaleString("en-US", { maximumFractionDigits: 0 })}`;

// The components a breakdown draws: those above zero, in the order they are summed.
function parts(breakdown) {
  return COST_COMPONENTS.filter(([key]) => (breakdown[key] || 0) > 0);
}

// One bar, the full width of the card: each segment as wide as its share of `total_usd`, its US$ in a tooltip.
export function costBar(breakdown) {
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", "0 0 100 10");
  svg.setAttribute("preserveAspectRatio", "none");
  svg.setAttribute("class", "cost-bar");
  svg.setAttribute("role", "img");
  svg.dataset.testid = "cost-bar";
  const total = breakdown.total_usd;
  svg.setAttribute("aria-label", parts(breakdown).map(([key, label]) => `${label} ${usd(breakdown[key])}`).join(", "));
  let x = 0;
  for (const [key, label, colour] of parts(breakdown)) {
    const width = (100 * breakdown[key]) / (total || 1);
    const rect = document.createElementNS(NS, "rect");
    for (const [k, v] of Object.entries({ x, y: 0, width, height: 10, fill: colour })) rect.setAttribute(k, v);
    rect.dataset.testid = "cost-segment";
    rect.dataset.component = key;
    rect.dataset.usd = String(breakdown[key]);
    const title = document.createElementNS(NS, "title");
    title.textContent = `${label}: ${usd(breakdown[key])} (${Math.round((100 * breakdown[key]) / (total || 1))} %)`;
    rect.appendChild(title);
    svg.appendChild(rect);
    x += width;
  }
  return svg;
}

// One line naming the colours of the components any of the routes has.
export function costLegend(routes) {
  const shown = COST_COMPONENTS.filter(([key]) => routes.some((r) => r.cost_breakdown && r.cost_breakdown[key] > 0));
  const p = document.createElement("p");
  p.className = "cost-legend";
  p.dataset.testid = "cost-legend";
  p.append("Generalized cost, US$/FEU: ");
  for (const [, label, colour] of shown) {
    const span = document.createElement("span");
    const swatch = document.createElement("i");
    swatch.style.background = colour;
    span.append(swatch, label);
    p.appendChild(span);
  }
  return p;
}
