// The view's state, kept in the URL's query string so a view can be shared.
const KEYS = ["from", "to", "opt", "k", "year", "avoid", "pass", "scn", "on", "assign", "energy"];

export function readState() {
  const p = new URLSearchParams(window.location.search);
  const list = (v) => (v ? v.split(",").filter(Boolean) : []);
  return {
    from: p.get("from") || "",
    to: p.get("to") || "",
    opt: p.get("opt") || "generalized",
    k: Number(p.get("k") || 3),
    year: p.get("year") ? Number(p.get("year")) : null,
    avoid: list(p.get("avoid")),
    pass: list(p.get("pass")),
    scn: p.get("scn") || "",
    on: p.get("on") === "1",
    assign: p.get("assign") === "1",
    energy: ["gas", "oil"].includes(p.get("energy")) ? p.get("energy") : "",
  };
}

export function writeState(s) {
  const p = new URLSearchParams();
  const put = (k, v) => { if (v !== null && v !== undefined && v !== "" && !(Array.isArray(v) && !v.length)) p.set(k, Array.isArray(v) ? v.join(",") : String(v)); };
  put("from", s.from); put("to", s.to);
  if (s.opt !== "generalized") put("opt", s.opt);
  if (s.k !== 3) put("k", s.k);
  put("year", s.year); put("avoid", s.avoid); put("pass", s.pass); put("scn", s.scn);
  if (s.on) p.set("on", "1");
  if (s.assign) p.set("assign", "1");
  put("energy", s.energy);
  const q = p.toString();
  const url = `${window.location.pathname}${q ? "?" + q : ""}`;
  if (url !== `${window.location.pathname}${window.location.search}`) window.history.replaceState(null, "", url);
}

export { KEYS };
