// Thin client of the corridor REST API (same origin).
export class ApiError extends Error {
  constructor(status, body) {
    super(body && body.detail ? body.detail : `HTTP ${status}`);
    this.status = status;
    this.suggestions = (body && body.suggestions) || [];
  }
}

async function call(path, options = {}) {
  const res = await fetch(path, options);
  let body = null;
  try { body = await res.json(); } catch (e) { body = null; }
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

export const api = {
  capabilities: () => call("api/capabilities"),
  places: (q, limit = 8) => call(`api/places?${new URLSearchParams({ q, limit })}`),
  place: (id) => call(`api/places/${encodeURIComponent(id)}`),
  scenarios: () => call("api/scenarios"),
  network: () => call("api/network"),
  labels: () => call("api/basemap/labels.geojson"),
  route: (body) => call("api/route", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  assignment: (body) => call("api/assignment", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
  job: (id) => call(`api/jobs/${encodeURIComponent(id)}`),
  jobResult: (id) => call(`api/jobs/${encodeURIComponent(id)}/result`),
  energy: (q) => call(`api/energy/geojson?${new URLSearchParams(q)}`),
  compare: (body) => call("api/compare", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
};
