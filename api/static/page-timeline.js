// Timeline: every measure placed by its deadline(s) on a fiscal-year axis (April–March
// bands); 速やかに and 継続的に in lanes of their own, relative / unknown times apart.
// Filter by agency, document and a date range (kept in the URL); each card leads with
// what is due (the deadline's own words), then the measure, and links to its passage.
// The view opens on the current fiscal year.
"use strict";
import {
  api, crumb, deadlineBadge, deadlineFY, deadlineText, docTitle, el, entityLink, exportLinks, fiscalYear, fyLabel, hrefDoc,
  setTitle,
} from "./ui.js";

const LANES = [
  ["promptly", "速やかに", "直ちに・早急に・速やかに着手するもの"],
  ["ongoing", "継続的に", "継続して実施するもの"],
];
const OTHER = ["relative", "unknown"];

export async function timelinePage(params) {
  setTitle("期限タイムライン");
  const agency = params.get("agency") || "";
  const doc = params.get("doc") || "";
  const from = params.get("from") || "", to = params.get("to") || "";
  const range = new URLSearchParams();
  if (from) range.set("from", from);
  if (to) range.set("to", to);
  const [ms, docs] = await Promise.all([api(`/api/measures?limit=10000&${range}`), api("/api/documents")]);
  // the agencies that act in some measure, by how many measures they act in
  const actorCount = new Map();
  for (const m of ms.measures) for (const a of m.actors) {
    const c = actorCount.get(a.id) || { label: a.label, n: 0 };
    c.n += 1; actorCount.set(a.id, c);
  }
  const measures = ms.measures.filter((m) => (!agency || m.actors.some((a) => a.id === agency))
    && (!doc || m.document.id === doc));
  // one entry per (measure, deadline)
  const years = new Map(), lanes = new Map(), other = [];
  let undated = 0;
  for (const m of measures) {
    if (!m.deadlines.length) { undated += 1; continue; }
    for (const d of m.deadlines) {
      const fy = deadlineFY(d);
      const entry = { m, d };
      if (fy !== null) (years.get(fy) || years.set(fy, []).get(fy)).push(entry);
      else if (OTHER.includes(d.kind)) other.push(entry);
      else (lanes.get(d.kind) || lanes.set(d.kind, []).get(d.kind)).push(entry);
    }
  }
  const fys = [...years.keys()].sort((a, b) => a - b);
  const band = [];
  if (fys.length) for (let y = fys[0]; y <= fys[fys.length - 1]; y++) band.push(y);
  const current = fiscalYear(new Date().toISOString().slice(0, 10));

  const select = (id, label, value, options) => {
    const s = el("select", { id, name: id }, el("option", { value: "", text: "すべて" }),
      ...options.map(([v, lb]) => el("option", { value: v, selected: v === value, text: lb })));
    s.addEventListener("change", go);
    return el("div", { class: "field" }, el("label", { for: id, text: label }), s);
  };
  function go() {
    const p = new URLSearchParams();
    for (const [key, id] of [["agency", "tl-agency"], ["doc", "tl-doc"], ["from", "tl-from"], ["to", "tl-to"]]) {
      const v = document.getElementById(id).value.trim();
      if (v) p.set(key, v);
    }
    location.hash = `#/timeline${p.size ? "?" + p : ""}`;
  }
  const dateInput = (id, label, value) => el("div", { class: "field" }, el("label", { for: id, text: label }),
    el("input", { id, name: id, value, size: 11, placeholder: "令和8年度", title: "2026-04-01・令和8年度・R8・FY2026 など" }));
  const agencies = [...actorCount].sort((a, b) => b[1].n - a[1].n).map(([id, c]) => [id, `${c.label}（${c.n}）`]);
  const filters = el("form", { class: "toolbar", role: "search", "aria-label": "タイムラインの絞り込み",
    onsubmit: (ev) => ev.preventDefault() },
  select("tl-agency", "機関", agency, agencies),
  select("tl-doc", "文書", doc, docs.documents.map((d) => [d.id, docTitle(d)])),
  el("div", { class: "tl-range", role: "group", "aria-label": "期限の期間" },
    dateInput("tl-from", "期限", from), dateInput("tl-to", "〜", to),
    el("button", { type: "button", text: "適用", onclick: go })));
  filters.addEventListener("submit", go);

  const column = (key, title, sub, entries, cls = "") => el("section", {
    class: `tl-col ${cls}`, "data-lane": key, "aria-label": `${title} ${entries.length} 件` },
  el("h2", {}, title, el("span", { class: "count", text: `${entries.length}` })),
  sub ? el("p", { class: "sub", text: sub }) : null,
  el("ol", { class: "tl-items" }, ...entries.map(item)));

  const lanesCols = LANES.filter(([k]) => lanes.has(k)).map(([k, title, sub]) => column(k, title, sub, lanes.get(k), "lane"));
  const yearCols = band.map((y) => column(`fy-${y}`, fyLabel(y), `${y}年4月〜${y + 1}年3月` + (y === current ? "（今年度）" : ""),
    (years.get(y) || []).sort(byDate), y === current ? "current" : y < current ? "past" : ""));
  const otherCol = other.length ? [column("other", "期間・未定", "起算日からの期間、時期未定", other, "lane")] : [];
  const summary = el("p", { class: "summary", text:
    `${measures.length} 件の施策（期限の記載なし ${undated} 件）` + (agency || doc || from || to ? "・絞り込み中" : "") });
  const expParams = new URLSearchParams(range);
  if (agency) expParams.set("agency", agency);
  if (doc) expParams.set("doc", doc);
  const tools = el("div", { class: "list-tools" }, exportLinks(`/api/measures?limit=10000&${expParams}`));
  const cols = [...lanesCols, ...yearCols, ...otherCol];
  const max = Math.max(1, ...cols.map((c) => c.querySelectorAll(".tl-item").length));
  const overview = el("div", { class: "tl-overview", role: "group", "aria-label": "年度ごとの件数（クリックで移動）" },
    ...cols.map((c) => {
      const n = c.querySelectorAll(".tl-item").length;
      const title = c.querySelector("h2").firstChild.textContent;
      return el("button", { type: "button", class: c.className.replace("tl-col", "").trim(), title: `${title} ${n} 件`,
        "aria-label": `${title} ${n} 件`,
        onclick: () => c.scrollIntoView({ inline: "start", block: "nearest" }) },
      el("span", { text: String(n) }), el("span", { class: "bar", style: { height: `${Math.round((60 * n) / max)}px` } }),
      el("span", { text: title.replace("令和", "R").replace("年度", "") }));
    }));
  const tl = el("div", { class: "tl", tabindex: 0, "aria-label": "年度ごとの施策（横にスクロール）" }, ...cols);
  const page = el("section", { class: "page timeline" },
    el("h1", { text: "期限タイムライン" }), filters, summary, tools, overview, tl);
  // open on this fiscal year (or the first year after it that has items)
  page.onMounted = () => {
    const col = yearCols.find((c) => Number(c.dataset.lane.slice(3)) >= current && c.querySelector(".tl-item"))
      || yearCols[yearCols.length - 1];
    if (col) tl.scrollLeft = col.offsetLeft - tl.offsetLeft;
  };
  return page;
}

function byDate(a, b) {
  const ka = a.d.kind === "by" ? a.d.end : a.d.start || a.d.end || "";
  const kb = b.d.kind === "by" ? b.d.end : b.d.start || b.d.end || "";
  return ka.localeCompare(kb);
}

function item({ m, d }) {
  // what is due leads (the deadline part's own words), then the measure
  const text = m.text.replace(/\s+/g, " ");
  const due = (d.text || deadlineText(d)).replace(/\s+/g, " ");
  const rest = text.length > 90 ? text.slice(0, 88) + "…" : text;
  return el("li", { class: `tl-item kind-${d.kind}` },
    el("div", { class: "tl-head" }, deadlineBadge(d), ...m.actors.slice(0, 3).map(entityLink)),
    el("span", { class: "tl-due", text: due.length > 60 ? due.slice(0, 58) + "…" : due }),
    el("a", { class: "tl-text", href: hrefDoc(m.document.id, m.start, m.end), title: text, text: rest }),
    el("div", { class: "tl-src", text: `${docTitle(m.document).slice(0, 24)} ${crumb(m.section)}` }));
}
