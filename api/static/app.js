// policygraph web UI: a hash router over five pages (search, entity, timeline, document,
// SPARQL) plus the entity index and the document list.  Pages are plain modules that
// render into <main id="view"> from the JSON API; nothing is fetched from outside.
"use strict";
import { $, el, errorBox, setTitle } from "./ui.js";
import { searchPage } from "./page-search.js";
import { entityPage, entitiesPage } from "./page-entity.js";
import { timelinePage } from "./page-timeline.js";
import { docPage, docsPage } from "./page-doc.js";
import { sparqlPage } from "./page-sparql.js";

const ROUTES = [
  [/^\/?$/, (m, p) => searchPage(p), "search"],
  [/^\/search$/, (m, p) => searchPage(p), "search"],
  [/^\/entity\/(.+)$/, (m, p) => entityPage(decodeURIComponent(m[1]), p), "entities"],
  [/^\/entities$/, (m, p) => entitiesPage(p), "entities"],
  [/^\/timeline$/, (m, p) => timelinePage(p), "timeline"],
  [/^\/doc\/(.+)$/, (m, p) => docPage(decodeURIComponent(m[1]), p), "docs"],
  [/^\/docs$/, (m, p) => docsPage(p), "docs"],
  [/^\/sparql$/, (m, p) => sparqlPage(p), "sparql"],
];

let generation = 0;

export async function route() {
  let hash = location.hash.replace(/^#/, "");
  if (hash.startsWith("q=")) hash = `/search?${hash}`;  // old links: /#q=…
  const [path, query = ""] = hash.split("?");
  const params = new URLSearchParams(query);
  const view = $("#view");
  const gen = ++generation;
  for (const [re, render, nav] of ROUTES) {
    const m = path.match(re);
    if (!m) continue;
    for (const a of document.querySelectorAll("nav a")) {
      if (a.dataset.page === nav) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
    }
    try {
      const node = await render(m, params);
      if (gen !== generation) return;  // a newer navigation won
      view.replaceChildren(node);
      if (node.onMounted) node.onMounted();
      performance.mark("pg:rendered");  // bench/ui.py reads the first one: the page is usable
    } catch (err) {
      if (gen !== generation) return;
      setTitle("エラー");
      view.replaceChildren(errorBox(err));
    }
    return;
  }
  setTitle("見つかりません");
  view.replaceChildren(el("p", { class: "error", text: "このページはありません。" }));
}

window.addEventListener("hashchange", route);
$("#skip").addEventListener("click", (ev) => {
  ev.preventDefault();
  // on a results page the skip link lands on the first hit, else on the page
  const first = $("#hits a") || $("#view");
  first.focus();
});
// "/" focuses the search box (as on most search sites), unless typing in a field
document.addEventListener("keydown", (ev) => {
  if (ev.key !== "/" || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const t = ev.target;
  if (t && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName))) return;
  const q = $("#q");
  ev.preventDefault();
  if (q) { q.focus(); q.select(); } else location.hash = "#/";
});
route();
