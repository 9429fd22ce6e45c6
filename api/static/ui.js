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
      return d.start ? `${fyLabel(fiscalYear(d.start))}以降` : KIND_LABEL.ongoing;
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

/** Text without Markdown noise (heading marks, emphasis, table rules), for snippets. */
export function plain(text) {
  // only the marks our readers write (# headings, **bold**, table rules): a literal __ or `
  // in the text stays
  return text.replace(/^[ \t]*#{1,6}[ \t]+/gm, "").replace(/\*\*/g, "").replace(/^\s*\|?\s*-{3,}\s*\|?\s*$/gm, "");
}

/** ``text`` (a slice of a file starting at file offset ``base``) with the file-offset
 * ranges ``marks`` marked, Markdown noise removed from each piece. */
export function markedPlain(text, base, marks) {
  const frag = document.createDocumentFragment();
  let last = 0;
  for (const [fs, fe] of [...marks].sort((a, b) => a[0] - b[0])) {
    const s = fs - base, e = fe - base;
    if (s < last || e <= s || s < 0 || e > text.length) continue;
    frag.append(plain(text.slice(last, s)), el("mark", { text: text.slice(s, e) }));
    last = e;
  }
  frag.append(plain(text.slice(last)));
  return frag;
}

/** A link target for an IRI from data: our own IRIs (under the graph's base) as a path on
 * this server, so they open here whatever address or port it runs on. */
export function localHref(iri, base) {
  if (base && iri && iri.startsWith(`${base}/id/`)) return iri.slice(base.length);
  return safeHref(iri);
}

/** 引用: 文書名・文書番号・日付・項, and a link to the exact place. */
export function citation(doc, section, start, end) {
  const parts = [docTitle(doc)];
  if (doc.numbers && doc.numbers.length) parts.push(doc.numbers[0]);
  if (doc.date) parts.push(dateLabel(doc.date));
  if (section && section.length) parts.push(section.join(" "));
  const url = new URL(location.pathname + hrefDoc(doc.id, start, end), location.origin).href;
  return `${parts.join("・")}\n${url}`;
}

/** A button that copies ``textOf()`` to the clipboard and says so. */
export function copyButton(label, textOf) {
  const b = el("button", { type: "button", class: "link copy", text: label });
  b.addEventListener("click", async () => {
    const text = textOf();
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const ta = el("textarea", { class: "visually-hidden" });  // no clipboard API (plain http)
      ta.value = text; document.body.append(ta); ta.select(); document.execCommand("copy"); ta.remove();
    }
    b.textContent = "コピーしました";
    b.dataset.copied = text;
    setTimeout(() => { b.textContent = label; }, 2000);
  });
  return b;
}

/** CSV and Excel download links for a list route (``path`` with its query string). */
export function exportLinks(path) {
  const sep = path.includes("?") ? "&" : "?";
  return el("span", { class: "export" }, "書き出し：",
    el("a", { class: "export-csv", href: `${path}${sep}format=csv`, download: "", text: "CSV" }), " ",
    el("a", { class: "export-xlsx", href: `${path}${sep}format=xlsx`, download: "", text: "Excel" }));
}
