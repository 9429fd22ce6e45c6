// Document page: metadata (type, numbers, date, issuers, addressees, what it cites or
// repeals), the section outline, and the text passage by passage with the deadlines of
// the measures in each.  ?at=start-end scrolls to that place and highlights it.
// Also the list of documents (#/docs).
"use strict";
import { api, crumb, deadlineBadge, docTitle, el, hrefDoc, info, localHref, marked, setTitle } from "./ui.js";

export async function docPage(id, params) {
  const [d, ms, base] = await Promise.all([
    api(`/api/documents/${encodeURIComponent(id)}`),
    api(`/api/measures?doc=${encodeURIComponent(id)}&limit=10000`),
    info().then((i) => i.base_iri).catch(() => ""),
  ]);
  d.base = base;
  setTitle(docTitle(d));
  const at = (params.get("at") || "").match(/^(\d+)-(\d+)$/);
  const [s, e] = at ? [Number(at[1]), Number(at[2])] : [null, null];
  const measuresIn = new Map();
  for (const m of ms.measures) (measuresIn.get(m.passage) || measuresIn.set(m.passage, []).get(m.passage)).push(m);

  const outline = el("ol", { class: "outline" });
  const body = el("div", { class: "doc-text" });
  let prev = null, target = null;
  for (const p of d.passages) {
    const path = crumb(p.section);
    const anchor = `p-${p.start}`;
    if (path !== prev) {
      const depth = p.section.length;
      outline.append(el("li", { class: `depth-${Math.min(depth, 5)}` }, el("a", { href: hrefDoc(d.id, p.start, p.end),
        "data-target": anchor, text: outlineLabel(p, path),
        onclick: (ev) => {  // stay on this page: scroll, don't re-render
          ev.preventDefault();
          history.replaceState(null, "", hrefDoc(d.id, p.start, p.end));
          document.getElementById(anchor).scrollIntoView({ block: "start" });
        } })));
      prev = path;
    }
    // the place asked for may span passages (a search hit starts with the closing lines
    // of the passage before it): every passage it overlaps is marked
    const hit = s !== null && s < p.end && e > p.start;
    const ranges = hit && (s > p.start || e < p.end) ? [[Math.max(s, p.start) - p.start, Math.min(e, p.end) - p.start]] : [];
    const deadlines = (measuresIn.get(p.iri) || []).flatMap((m) => m.deadlines);
    const node = el("section", { id: anchor, class: `passage${hit ? " target" : ""}`, tabindex: hit ? -1 : null,
      "data-start": p.start, "data-end": p.end },
    el("div", { class: "p-head" }, el("span", { class: "crumb", text: path }), ...dedupe(deadlines).map(deadlineBadge),
      el("span", { class: "offsets", text: (p.page ? `p. ${p.page}${p.end_page && p.end_page !== p.page ? `–${p.end_page}` : ""}  ` : "") + `${p.start}–${p.end}` })),
    el("div", { class: "text" }, ranges.length ? marked(p.text, ranges, "at") : p.text));
    if (hit && !target) target = node;
    body.append(node);
  }
  const page = el("article", { class: "page doc" },
    el("h1", { text: docTitle(d) }), metadata(d),
    el("div", { class: "doc-layout" },
      el("nav", { class: "doc-outline", "aria-label": "目次" }, el("h2", { text: "目次" }), outline),
      body));
  page.onMounted = () => {
    if (target) { target.scrollIntoView({ block: "center" }); target.focus({ preventScroll: true }); }
  };
  return page;
}

/** The first line of a section's first passage (its printed heading, or the item's
 * opening words), without Markdown marks. */
function outlineLabel(p, path) {
  const line = (p.text.split("\n").find((l) => l.trim()) || "").replace(/^[\s#>*・-]+/, "").replace(/\s+/g, " ");
  if (!line || !p.section.length) return path;
  return line.length > 34 ? line.slice(0, 33) + "…" : line;
}

function dedupe(ds) {
  const seen = new Set();
  return ds.filter((d) => { const k = `${d.kind}|${d.start}|${d.end}|${d.part}`; return seen.has(k) ? false : seen.add(k); });
}

function metadata(d) {
  const rows = [
    ["種別", d.type], ["文書番号", (d.numbers || []).join("、")], ["日付", d.date],
    ["発出者", (d.issuers || []).join("、")], ["宛先", (d.addressees || []).join("、")],
    ["有効期間", d.valid_until], ["保存期間", d.retention],
    ["引用する文書", (d.cites || []).join("／")], ["廃止する文書", (d.repeals || []).join("／")],
    ["ファイル", `${d.source}（${d.format || ""}）`],
  ].filter(([, v]) => v);
  return el("dl", { class: "meta" }, ...rows.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]),
    el("dt", { text: "IRI" }), el("dd", {}, el("a", { href: localHref(d.iri, d.base), class: "iri", text: d.iri })));
}

export async function docsPage() {
  setTitle("文書");
  const data = await api("/api/documents");
  return el("section", { class: "page docs" }, el("h1", { text: `文書（${data.total}）` }),
    el("ul", { class: "doc-list" }, ...data.documents.map((d) => el("li", {},
      el("a", { href: hrefDoc(d.id), text: docTitle(d) }),
      el("div", { class: "doc-meta", text: [d.type, d.date, (d.numbers || [])[0], d.source].filter(Boolean).join(" · ") })))));
}
