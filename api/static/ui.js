// Shared helpers of the web UI.  Every string that comes from a document goes into the
// page through text nodes (textContent / append(string)), never through innerHTML, so a
// document containing "<script>" renders as text.
"use strict";

export const $ = (sel, root = document) => root.querySelector(sel);

/** el("a", {href: "#/x", class: "c", text: "label", onclick: fn, style: {height: "3px"}}, child, "text", …)
 * (style as properties: the Content-Security-Policy refuses style attributes) */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "text") node.textContent = v;
    else if (k === "style" && typeof v === "object") Object.assign(node.style, v);
    else if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v;
    else if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, String(v));
  }
  for (const c of children.flat()) if (c) node.append(c);
  return node;
}

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

/** GET a JSON API route; problem+json errors become ApiError. */
export async function api(path, init = {}) {
  const r = await fetch(path, init);
  const type = r.headers.get("content-type") || "";
  const body = type.includes("json") ? await r.json() : await r.text();
  if (!r.ok) throw new ApiError(r.status, typeof body === "object" ? body : { detail: body });
  return body;
}

let infoPromise = null;
/** Server facts the UI needs (base IRI, counts); fetched once per page load. */
export function info() {
  if (!infoPromise) infoPromise = api("/api/info");
  return infoPromise;
}

// ---- links ------------------------------------------------------------------------------
const enc = encodeURIComponent;

/** An IRI from data as a link target, only if following it cannot run script: http(s)
 * (after the browser's own parsing, so " java\tscript:" is seen for what it is), else null. */
export function safeHref(iri) {
  let url;
  try {
    url = new URL(iri, location.href);
  } catch {
    return null;
  }
  return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
}

/** decodeURIComponent that gives null instead of throwing on a malformed escape. */
export function decoded(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}
export const hrefSearch = (q) => `#/search?q=${enc(q)}`;
export const hrefEntity = (id) => `#/entity/${enc(id)}`;
export const hrefDoc = (id, start, end) =>
  `#/doc/${enc(id)}` + (start !== undefined && start !== null ? `?at=${start}-${end}` : "");

export function entityId(ref) {
  if (ref.id) return ref.id;
  const i = ref.iri.indexOf("/id/entity/");
  return i >= 0 ? decodeURIComponent(ref.iri.slice(i + 11)) : null;
}

export const TYPE_LABEL = {
  Agency: "機関", System: "情報システム", Law: "法令", Plan: "計画", Program: "事業", Other: "その他",
};

export function entityLink(ref) {
  const id = entityId(ref);
  return el("a", { class: `tag type-${ref.type || "Other"}`, href: id ? hrefEntity(id) : safeHref(ref.iri),
    title: TYPE_LABEL[ref.type] || "", text: ref.label });
}

export function crumb(section) {
  return section && section.length ? section.join(" › ") : "（前文）";
}

export function docTitle(doc) {
  return doc.title || doc.source || doc.id;
}

// ---- dates and deadlines ----------------------------------------------------------------
/** Japanese fiscal year (April–March) of an ISO date. */
export function fiscalYear(iso) {
  const [y, m] = iso.split("-").map(Number);
  return m >= 4 ? y : y - 1;
}

export function eraYear(fy) {
  if (fy >= 2019) return fy === 2019 ? "令和元" : `令和${fy - 2018}`;
  if (fy >= 1989) return fy === 1989 ? "平成元" : `平成${fy - 1988}`;
  return `${fy}`;
}

export const fyLabel = (fy) => `${eraYear(fy)}年度`;

export function dateLabel(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return `${y}年${m}月${d}日`;
}

/** The fiscal year a deadline falls in (where the timeline places it), or null. */
export function deadlineFY(d) {
  if (d.kind === "by") return d.end ? fiscalYear(d.end) : null;
  if (["fiscal_year", "date", "period"].includes(d.kind) || (d.kind === "ongoing" && d.start)) {
    const iso = d.start || d.end;
    return iso ? fiscalYear(iso) : null;
  }
  return null;
}

export const KIND_LABEL = {
  promptly: "速やかに", ongoing: "継続的に", relative: "期間", unknown: "時期未定",
};

export function deadlineText(d) {
  const fy = deadlineFY(d);
  switch (d.kind) {
    case "fiscal_year":
      return d.start && d.end && fiscalYear(d.end) !== fy ? `${fyLabel(fy)}〜${fyLabel(fiscalYear(d.end))}` : fyLabel(fy);
    case "by":
      if (!d.end) return "期限あり";
      return d.end.endsWith("-03-31") ? `${fyLabel(fy)}末まで` : `${dateLabel(d.end)}まで`;
    case "date":
      if (d.start && d.end && d.start !== d.end) {
        const [y, m] = d.start.split("-").map(Number);
        return d.start.endsWith("-01") && d.end.slice(0, 7) === d.start.slice(0, 7) ? `${y}年${m}月` : `${d.start}〜${d.end}`;
      }
      return dateLabel(d.start || d.end);
    case "period":
      return d.end ? `${fyLabel(fy)}〜${fyLabel(fiscalYear(d.end))}` : `${fyLabel(fy)}以降`;
    case "ongoing":
      return d.start ? `${fyLabel(fiscalYear(d.start))}以降順次` : KIND_LABEL.ongoing;
    case "relative":
      return d.text.length > 16 ? d.text.slice(0, 16) + "…" : d.text;
    default:
      return KIND_LABEL[d.kind] || d.kind;
  }
}

export function deadlineBadge(d) {
  const part = d.part ? `${d.part.length > 10 ? d.part.slice(0, 9) + "…" : d.part}：` : "";
  return el("span", { class: `badge kind-${d.kind}`, title: d.text, text: part + deadlineText(d) });
}

// ---- text -------------------------------------------------------------------------------
function termsOf(query) {
  return (query.match(/[\p{Script=Han}\p{Script=Katakana}\p{Script=Hiragana}ー]{2,}|[A-Za-z0-9]{2,}/gu) || [])
    .filter((t) => !/^[\p{Script=Hiragana}]+$/u.test(t))
    .sort((a, b) => b.length - a.length);
}

/** A text node fragment with the query's words (runs of kanji/katakana/latin) marked. */
export function highlighted(text, query) {
  const frag = document.createDocumentFragment();
  const terms = termsOf(query || "");
  if (!terms.length) { frag.append(text); return frag; }
  const re = new RegExp(terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");
  let last = 0;
  for (const m of text.matchAll(re)) {
    frag.append(text.slice(last, m.index), el("mark", { text: m[0] }));
    last = m.index + m[0].length;
  }
  frag.append(text.slice(last));
  return frag;
}

/** Text with the given [start, end) ranges (relative to the text) marked. */
export function marked(text, ranges, cls = "") {
  const frag = document.createDocumentFragment();
  let last = 0;
  for (const [s, e] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (s < last || e <= s || s < 0 || e > text.length) continue;
    frag.append(text.slice(last, s), el("mark", { class: cls, text: text.slice(s, e) }));
    last = e;
  }
  frag.append(text.slice(last));
  return frag;
}

export function errorBox(err) {
  const msg = err instanceof ApiError ? err.message : `通信エラー: ${err.message || err}`;
  const box = el("div", { class: "error", role: "alert" }, el("strong", { text: "エラー：" }), msg);
  const sugg = err.problem && err.problem.suggestions;
  if (sugg && sugg.length) {
    box.append(el("div", {}, "候補: ", ...sugg.map((s) => el("a", { class: "tag", href: hrefSearch(s), text: s }))));
  }
  return box;
}

export function setTitle(text) {
  document.title = text ? `${text} — policygraph` : "policygraph — 政策文書検索";
}
