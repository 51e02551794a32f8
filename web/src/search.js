// Search-as-you-type for a place input: suggestions from /api/places, keyboard and mouse.
import { api } from "./api.js";

export function placeSearch(input, list, onPick) {
  let timer = null;
  let items = [];
  let active = -1;
  let seq = 0;

  const close = () => { list.innerHTML = ""; list.classList.remove("open"); input.setAttribute("aria-expanded", "false"); active = -1; };
  const render = () => {
    list.innerHTML = "";
    items.forEach((p, i) => {
      const li = document.createElement("li");
      li.setAttribute("role", "option");
      li.dataset.testid = "place-option";
      li.dataset.id = p.id;
      li.className = i === active ? "active" : "";
      li.innerHTML = `<b></b> <span class="muted"></span>`;
      li.querySelector("b").textContent = p.name;
      li.querySelector("span").textContent = `${p.country} · ${p.kind.replace("_", " ")}`;
      li.addEventListener("mousedown", (e) => { e.preventDefault(); pick(p); });
      list.appendChild(li);
    });
    list.classList.toggle("open", items.length > 0);
    input.setAttribute("aria-expanded", items.length > 0 ? "true" : "false");
  };
  const pick = (p) => { input.value = p.name; input.dataset.id = p.id; close(); onPick(p); };
  const lookup = async () => {
    const q = input.value.trim();
    const mine = ++seq;
    if (!q) { close(); return; }
    try {
      const res = await api.places(q, 8);
      if (mine !== seq) return;
      items = res.places; active = items.length ? 0 : -1; render();
    } catch (e) { close(); }
  };

  input.addEventListener("input", () => { delete input.dataset.id; clearTimeout(timer); timer = setTimeout(lookup, 120); });
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" && items.length) { active = (active + 1) % items.length; render(); e.preventDefault(); }
    else if (e.key === "ArrowUp" && items.length) { active = (active - 1 + items.length) % items.length; render(); e.preventDefault(); }
    else if (e.key === "Enter") { e.preventDefault(); if (items.length && active >= 0 && list.classList.contains("open")) pick(items[active]); }
    else if (e.key === "Escape") close();
  });
  input.addEventListener("blur", () => setTimeout(close, 150));
}
