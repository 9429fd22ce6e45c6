// policygraph search page. Every document string goes through textContent: nothing
// from a document is ever parsed as HTML.
"use strict";
const $ = (sel) => document.querySelector(sel);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "text") node.textContent = v; else node.setAttribute(k, v);
  }
  for (const c of children) if (c) node.append(c);
  return node;
}

function highlighted(text, query) {
  // mark query characters runs of length >= 2 that occur in the text (safe: text nodes only)
  const frag = document.createDocumentFragment();
  const terms = (query.match(/[\p{Script=Han}\p{Script=Katakana}ー]{2,}|[A-Za-z0-9]{2,}/gu) || [])
    .sort((a, b) => b.length - a.length);
  if (!terms.length) { frag.append(text); return frag; }
  const re = new RegExp(terms.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|"), "g");
  let last = 0;
  for (const m of text.matchAll(re)) {
    frag.append(text.slice(last, m.index));
    frag.append(el("mark", { text: m[0] }));
    last = m.index + m[0].length;
  }
  frag.append(text.slice(last));
  return frag;
}

async function search(q) {
  const status = $("#status");
  const list = $("#hits");
  list.replaceChildren();
  status.textContent = "検索中…";
  const r = await fetch(`/api/search?q=${encodeURIComponent(q)}&limit=10`);
  const data = await r.json();
  if (!r.ok) { status.textContent = data.detail || "エラー"; return; }
  status.textContent = `${data.hits.length} 件`;
  if (data.no_good_match) {
    status.replaceChildren(el("span", { class: "nomatch", text: "該当なし：この質問に十分に答える文書は見つかりませんでした（参考までに近い箇所を表示）" }));
  }
  for (const h of data.hits) {
    const crumb = h.section.length ? h.section.join(" › ") : "（前文）";
    const tags = el("div");
    for (const e of h.entities.slice(0, 8)) tags.append(el("span", { class: "tag", text: `${e.label}` }));
    list.append(el("li", { class: "hit" },
      el("div", { class: "src" },
        el("span", { class: "crumb", text: crumb }), " — ",
        el("span", { text: h.document.title || h.document.source }),
        el("span", { text: ` (${h.document.source} ${h.start}–${h.end})` })),
      el("div", { class: "text" }, highlighted(h.text, q)),
      tags));
  }
}

$("#search-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const q = $("#q").value.trim();
  if (q) { history.replaceState(null, "", `#q=${encodeURIComponent(q)}`); search(q); }
});
const m = location.hash.match(/^#q=(.*)$/);
if (m) { $("#q").value = decodeURIComponent(m[1]); search($("#q").value); }
