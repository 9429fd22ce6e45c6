// Entity page: type, name, aliases; a small interactive graph of related entities;
// everything touching it grouped by document (quoted passages with the mentions marked,
// linking to the document page); its measures with actors and deadlines.  Also the
// entity index (#/entities).
"use strict";
import {
  TYPE_LABEL, api, crumb, deadlineBadge, docTitle, el, entityId, entityLink, hrefDoc, hrefEntity,
  marked, setTitle, svg,
} from "./ui.js";
import { exportLinks } from "./ui.js";

const RELATION_LABEL = {
  subOrganizationOf: "上位組織", hasSubOrganization: "下位組織", actorInSameMeasure: "同じ施策の主体",
  systemInSameMeasure: "同じ施策のシステム", citedInSameMeasure: "同じ施策で言及",
  runsOn: "稼働基盤", hostsSystem: "この基盤で稼働",
};

export async function entityPage(id) {
  const data = await api(`/api/entities/${encodeURIComponent(id)}`);
  const e = data.entity;
  setTitle(e.label);
  const byDoc = new Map();
  for (const m of data.mentions) {
    const k = m.document.id;
    if (!byDoc.has(k)) byDoc.set(k, { doc: m.document, items: [] });
    byDoc.get(k).items.push(m);
  }
  const page = el("article", { class: "page entity" },
    el("p", { class: "kind" }, el("span", { class: `type type-${e.type}`, text: TYPE_LABEL[e.type] || e.type })),
    el("h1", { text: e.label }),
    e.aliases.length ? el("p", { class: "aliases" }, "別名：", ...e.aliases.map((a) => el("span", { class: "alias", text: a }))) : null,
    el("p", { class: "summary", text:
      `${byDoc.size} 文書・${data.mentions.length} 箇所で言及、${data.measures.length} 件の施策に関係` }),
    el("div", { class: "list-tools" }, exportLinks(`/api/entities/${encodeURIComponent(e.id)}`)),
    data.related.length ? relatedGraph(e, data.related) : null,
    el("section", { class: "mentions", "aria-labelledby": "h-mentions" },
      el("h2", { id: "h-mentions", text: "言及している文書" }),
      ...[...byDoc.values()].map(({ doc, items }) => el("section", { class: "doc-group", "data-doc": doc.id },
        el("h3", {}, el("a", { href: hrefDoc(doc.id), text: docTitle(doc) }),
          el("span", { class: "count", text: `${items.length} 箇所` })),
        el("ul", { class: "quotes" }, ...items.slice(0, 20).map((m) => el("li", {},
          el("a", { class: "crumb", href: hrefDoc(doc.id, m.start, m.end), text: crumb(m.section) }),
          el("blockquote", {}, marked(m.text, m.surfaces.map((s) => [s.start - m.start, s.end - m.start]))))),
          items.length > 20 ? el("li", { class: "more-note", text: `ほか ${items.length - 20} 箇所` }) : null)))),
    (data.articles || []).length ? el("section", { class: "articles", "aria-labelledby": "h-articles" },
      el("h2", { id: "h-articles", text: "引用されている条文" }),
      el("ul", { class: "article-list" }, ...data.articles.map((a) => el("li", {},
        el("span", { class: "article", text: `${e.label}${a.article}` }),
        el("span", { class: "count", text: `${a.citations.length} 箇所` }),
        ...a.citations.slice(0, 10).map((c) => el("a", { class: "crumb", href: hrefDoc(c.document.id, c.start, c.end),
          title: c.surface, text: `${docTitle(c.document)} ${crumb(c.section)}` })))))) : null,
    data.measures.length ? measureSection(data.measures) : null);
  return page;
}

const MEASURES_SHOWN = 20;

/** An entity's measures, in document order or by deadline, 20 at a time. */
function measureSection(measures) {
  const due = (m) => m.deadlines.map((d) => d.end || d.start).filter(Boolean).sort()[0] || "9999-12-31";
  let shown = MEASURES_SHOWN;
  const list = el("ul", { class: "measure-list" });
  const order = el("select", { id: "measure-sort", "aria-label": "施策の並び順" },
    el("option", { value: "document", text: "文書順" }), el("option", { value: "date", text: "期限の近い順" }));
  const more = el("button", { type: "button", class: "more", text: "もっと見る" });
  const render = () => {
    const items = order.value === "date" ? [...measures].sort((a, b) => due(a).localeCompare(due(b))) : measures;
    list.replaceChildren(...items.slice(0, shown).map(measureItem));
    more.hidden = items.length <= shown;
    more.textContent = `もっと見る（残り ${items.length - shown}）`;
  };
  order.addEventListener("change", () => { shown = MEASURES_SHOWN; render(); });
  more.addEventListener("click", () => { shown += MEASURES_SHOWN; render(); });
  render();
  return el("section", { class: "measures", "aria-labelledby": "h-measures" },
    el("h2", { id: "h-measures" }, "関係する施策", el("span", { class: "count", text: `${measures.length} 件` })),
    el("div", { class: "list-tools" }, order), list, more);
}

export function measureItem(m) {
  return el("li", { class: "measure" },
    el("div", { class: "src" },
      el("a", { class: "doc-title", href: hrefDoc(m.document.id, m.start, m.end), text: docTitle(m.document) }),
      el("span", { class: "crumb", text: crumb(m.section) }),
      ...m.deadlines.map(deadlineBadge)),
    el("div", { class: "actors" }, m.actors.length ? "主体：" : null, ...m.actors.map(entityLink),
      m.systems.length ? " システム：" : null, ...m.systems.map(entityLink)),
    el("div", { class: "text clamp", text: m.text }));
}

// ---- the related-entities graph: Cytoscape.js (static/vendor/cytoscape) -----------------
// Concentric or force (cose) layout.  Tapping a node selects it and brings in its own
// related entities (/api/entities/{id}) in place, so the graph grows hop by hop; the panel
// under it opens the selected node's page.  Edges are drawn by relation (a directed one —
// runsOn, subOrganizationOf — once, whichever end it was read from).  Labels stay legible
// on a phone: the view never zooms out below READABLE by itself (the user pans or pinches).
const CYTOSCAPE = "/static/vendor/cytoscape/cytoscape.min.js";
const PER_HOP = 24, MAX_NODES = 150, READABLE = 11 / 12;  // 12 px edge labels: ≥ 11 px on screen
const TYPES = ["Agency", "System", "Law", "Plan", "Program", "Other"];
const DIRECTED = { runsOn: ["runsOn", false], hostsSystem: ["runsOn", true],  // [drawn as, reversed?]
  subOrganizationOf: ["subOrganizationOf", false], hasSubOrganization: ["subOrganizationOf", true] };
const EDGE_KINDS = ["runsOn", "subOrganizationOf", "actorInSameMeasure", "systemInSameMeasure", "citedInSameMeasure"];
const LAYOUTS = [["concentric", "同心円"], ["cose", "力学（cose）"]];

let cytoscapeLoading = null;

function loadCytoscape() {
  if (!cytoscapeLoading) {
    // Cytoscape puts one rule (its container's position) in a <style> element of its own,
    // which the CSP refuses; it does not when an element with this id exists (app.css has the rule)
    if (!document.getElementById("__________cytoscape_stylesheet")) {
      document.head.append(el("meta", { id: "__________cytoscape_stylesheet", name: "cytoscape-rules", content: "app.css" }));
    }
    cytoscapeLoading = new Promise((resolve, reject) => {
      const script = el("script", { src: CYTOSCAPE });
      script.addEventListener("load", () => resolve(window.cytoscape));
      script.addEventListener("error", () => { cytoscapeLoading = null; reject(new Error("Cytoscape.js を読み込めませんでした")); });
      document.head.append(script);
    });
  }
  return cytoscapeLoading;
}

const cssVar = (name, fallback) => getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;

function graphStyle(narrow) {
  const color = { Agency: cssVar("--agency", "#2f6db5"), System: cssVar("--system", "#1a8a6a"),
    Law: cssVar("--law", "#a2522a"), Plan: cssVar("--plan", "#7b4fb0"), Program: cssVar("--program", "#b0356e"),
    Other: cssVar("--other", "#6b7280") };
  const ink = cssVar("--ink", "#1d2330"), accent = cssVar("--accent", "#ffb400");
  const font = getComputedStyle(document.body).fontFamily;
  return [
    { selector: "node", style: { "background-color": color.Other, label: "data(short)", "font-family": font,
      "font-size": 13, color: ink, "text-valign": "bottom", "text-margin-y": 4, "text-wrap": "wrap",
      "text-max-width": narrow ? 84 : 130, "text-overflow-wrap": "anywhere", "text-outline-color": "#fff",
      "text-outline-width": 2.5, width: 18, height: 18, "border-color": "#fff", "border-width": 2 } },
    ...TYPES.map((t) => ({ selector: `node.type-${t}`, style: { "background-color": color[t] } })),
    { selector: "node.center", style: { width: 28, height: 28, "font-size": 15, "font-weight": 700 } },
    { selector: "node.expanded", style: { "border-color": ink } },
    { selector: "node.loading", style: { opacity: 0.5 } },
    { selector: "node:selected", style: { "border-color": accent, "border-width": 4 } },
    { selector: "edge", style: { width: 1.5, "line-color": "#9aa3b5", "curve-style": "bezier", "font-family": font,
      "font-size": 12, color: "#3d4657", "text-rotation": "autorotate", "text-background-color": "#fff",
      "text-background-opacity": 0.85, "text-background-padding": 1 } },
    { selector: "edge.rel-runsOn", style: { width: 2.5, "line-color": color.System, "target-arrow-color": color.System,
      "target-arrow-shape": "triangle", label: "data(label)" } },
    { selector: "edge.rel-subOrganizationOf", style: { width: 2, "line-color": color.Agency, "line-style": "dashed",
      "target-arrow-color": color.Agency, "target-arrow-shape": "triangle", label: "data(label)" } },
    { selector: "edge.rel-systemInSameMeasure", style: { width: 2, "line-style": "dotted" } },
    { selector: "edge.rel-citedInSameMeasure", style: { "line-color": "#b59bd0", "line-style": "dashed" } },
    { selector: "edge.near", style: { label: "data(label)", "line-color": ink, "target-arrow-color": ink } },
  ];
}

/** The key of a relation's edge, its ends and its name (one edge per pair and kind). */
export function edgeOf(from, to, relation) {
  const directed = DIRECTED[relation];
  if (directed) {
    const [name, reversed] = directed;
    const [source, target] = reversed ? [to, from] : [from, to];
    return { id: `${name}:${source}>${target}`, source, target, relation: name };
  }
  const [a, b] = [from, to].sort();
  return { id: `same:${a}|${b}`, source: from, target: to, relation };
}

function relatedGraph(center, related) {
  const narrow = window.matchMedia("(max-width: 760px)").matches;
  const shown = related.slice(0, PER_HOP);
  const box = el("div", { id: "entity-graph", class: "graph-box", role: "img",
    "aria-label": `${center.label} と関係する機関・システム・法令・計画のつながり（下に一覧があります）` });
  const panel = el("div", { class: "graph-info", "aria-live": "polite" },
    el("p", { class: "help", text: "点をタップ（クリック）すると、その先のつながりをこの図に広げます。" }));
  const radios = LAYOUTS.map(([value, text]) => el("label", {},
    el("input", { type: "radio", name: "graph-layout", value, checked: value === LAYOUTS[0][0] }), text));
  const toggle = el("fieldset", { class: "graph-layout" }, el("legend", { text: "配置" }), ...radios);
  let cy = null, lib = null, focus = null;

  const layout = () => {
    if (!cy) return;
    const name = radios.map((r) => r.querySelector("input")).find((i) => i.checked).value;
    box.dataset.state = "busy";
    // concentric: one ring per hop; a crowded ring split in two, alternately
    const rings = new Map();
    cy.nodes().forEach((n) => { const d = n.data("depth"); (rings.get(d) || rings.set(d, []).get(d)).push(n); });
    const level = new Map();
    for (const [d, ns] of rings) ns.forEach((n, i) => level.set(n.id(), 1000 - d * 10 - (ns.length > (narrow ? 8 : 14) && i % 2 ? 5 : 0)));
    const options = name === "cose"
      ? { name, animate: "end", animationDuration: 300, randomize: false, nodeDimensionsIncludeLabels: true,
        idealEdgeLength: () => 80, nodeRepulsion: () => 9000, padding: 16 }
      : { name, concentric: (n) => level.get(n.id()), levelWidth: () => 1, minNodeSpacing: narrow ? 34 : 52,
        animate: true, animationDuration: 250, padding: 16 };
    const run = cy.layout(options);
    run.one("layoutstop", () => {
      if (cy.zoom() < READABLE) {  // fitting everything would shrink the labels: keep them legible
        cy.zoom(READABLE);
        cy.center(focus && focus.inside() ? focus : cy.nodes(".center"));
      }
      box.dataset.nodes = String(cy.nodes().length);
      box.dataset.state = "ready";
    });
    run.run();
  };

  const addNode = (ref, depth, near) => {
    const id = entityId(ref);
    if (!id || cy.getElementById(id).nonempty()) return false;
    if (cy.nodes().length >= MAX_NODES) return false;
    const max = narrow ? 12 : 18;  // the whole name is in the panel below
    const short = ref.label.length > max ? ref.label.slice(0, max - 1) + "…" : ref.label;
    cy.add({ group: "nodes", data: { id, label: ref.label, short, type: ref.type || "Other", depth },
      classes: `type-${ref.type || "Other"}`, position: near ? { ...near } : undefined });
    return true;
  };

  const addNeighbours = (from, rels, depth) => {
    const at = cy.getElementById(from).position();
    let added = 0;
    for (const r of rels.slice(0, PER_HOP)) {
      const id = entityId(r);
      if (!id || id === from) continue;
      if (addNode(r, depth, at)) added += 1;
      if (cy.getElementById(id).empty()) continue;  // the graph is full
      const e = edgeOf(from, id, r.relation);
      if (cy.getElementById(e.id).empty()) {
        cy.add({ group: "edges", data: { ...e, label: RELATION_LABEL[e.relation] || e.relation }, classes: `rel-${e.relation}` });
      }
    }
    return added;
  };

  const describe = (node, note) => {
    const id = node.id(), type = node.data("type");
    panel.replaceChildren(
      el("p", {}, el("strong", { text: node.data("label") }), " ",
        el("span", { class: `type type-${type}`, text: TYPE_LABEL[type] || type })),
      el("p", {}, note ? `${note}　` : "", el("a", { href: hrefEntity(id), class: "open-entity", text: `「${node.data("label")}」のページを開く` })));
  };

  const expand = async (node) => {
    node.addClass("loading");
    try {
      const data = await api(`/api/entities/${encodeURIComponent(node.id())}`);
      node.data("expanded", true).addClass("expanded");
      const added = addNeighbours(node.id(), data.related, node.data("depth") + 1);
      node.connectedEdges().addClass("near");
      describe(node, `つながり ${data.related.length} 件${added ? `（${added} 件を追加）` : ""}`);
      layout();
    } catch (err) {
      describe(node, `つながりを読めませんでした（${err.message}）`);
    } finally {
      node.removeClass("loading");
    }
  };

  const start = () => {
    if (cy || !lib || !box.isConnected || !box.clientWidth) return;
    cy = lib({ container: box, style: graphStyle(narrow), minZoom: 0.2, maxZoom: 3, boxSelectionEnabled: false });
    box.cy = cy;  // for the browser tests
    addNode(center, 0, null);
    cy.getElementById(entityId(center)).data("expanded", true).addClass("center expanded");
    addNeighbours(entityId(center), shown, 1);
    cy.on("tap", "node", (ev) => {
      const node = ev.target;
      focus = node;
      cy.edges().removeClass("near");
      node.connectedEdges().addClass("near");
      if (node.data("expanded")) describe(node, node.hasClass("center") ? "この図の中心" : "");
      else if (!node.hasClass("loading")) expand(node);
    });
    cy.on("mouseover", "node", (ev) => ev.target.connectedEdges().addClass("near"));
    cy.on("mouseout", "node", (ev) => { if (ev.target !== focus) ev.target.connectedEdges().removeClass("near"); });
    layout();
  };

  for (const r of radios) r.querySelector("input").addEventListener("change", layout);
  const watch = new ResizeObserver(() => {
    if (cy && !box.isConnected) { cy.destroy(); cy = null; watch.disconnect(); return; }
    if (cy) cy.resize(); else start();
  });
  watch.observe(box);
  loadCytoscape().then((cytoscape) => { lib = cytoscape; start(); },
    (err) => box.replaceChildren(el("p", { class: "error", text: err.message })));

  const present = new Set([center.type, ...shown.map((r) => r.type)]);
  const types = el("ul", { class: "legend" }, ...TYPES.filter((t) => present.has(t))
    .map((t) => el("li", {}, el("span", { class: `dot type-${t}` }), TYPE_LABEL[t])));
  const kinds = el("ul", { class: "legend rel-legend" }, ...EDGE_KINDS.map((k) => el("li", {},
    svg("svg", { class: `rel-sample rel-${k}`, viewBox: "0 0 30 10", width: 30, height: 10, "aria-hidden": "true" },
      svg("line", { x1: 1, y1: 5, x2: 29, y2: 5 })),
    DIRECTED[k] ? `${RELATION_LABEL[k]}（→）` : RELATION_LABEL[k])));
  return el("figure", { class: "related" },
    el("figcaption", {}, el("h2", { text: "関係する機関・システム・法令・計画" }), toggle),
    box, panel, types, kinds,
    el("ul", { class: "related-list" }, ...shown.map((r) => el("li", {}, entityLink(r),
      el("span", { class: "rel", text: RELATION_LABEL[r.relation] || r.relation })))));
}

// ---- the index of entities --------------------------------------------------------------
export async function entitiesPage(params) {
  setTitle("索引");
  const type = params.get("type") || "";
  const sort = params.get("sort") || "mentions";
  const data = await api(`/api/entities?limit=10000${type ? `&type=${encodeURIComponent(type)}` : ""}`);
  const filter = el("input", { id: "entity-filter", type: "search", placeholder: "名前で絞り込み", autocomplete: "off" });
  const order = el("select", { id: "entity-sort", name: "sort" },
    ...[["mentions", "言及の多い順"], ["measures", "施策の多い順"], ["label", "名前順"]]
      .map(([v, lb]) => el("option", { value: v, selected: v === sort, text: lb })));
  order.addEventListener("change", () => {
    const p = new URLSearchParams();
    if (type) p.set("type", type);
    p.set("sort", order.value);
    location.hash = `#/entities?${p}`;
  });
  const SHOWN = 50;  // per type, before "もっと見る"
  const open = new Set();
  const cmp = sort === "label" ? (a, b) => a.label.localeCompare(b.label, "ja")
    : (a, b) => (b[sort] || 0) - (a[sort] || 0) || a.label.localeCompare(b.label, "ja");
  const groups = el("div", { class: "entity-groups" });
  const render = () => {
    const f = filter.value.trim();
    const items = data.entities.filter((e) => !f || e.label.includes(f) || e.aliases.some((a) => a.includes(f))).sort(cmp);
    const byType = new Map();
    for (const e of items) (byType.get(e.type) || byType.set(e.type, []).get(e.type)).push(e);
    groups.replaceChildren(...[...byType].map(([t, es]) => el("section", { class: "entity-group" },
      el("h2", { text: `${TYPE_LABEL[t] || t}（${es.length}）` }),
      el("ul", { class: "entity-list" }, ...es.slice(0, open.has(t) ? es.length : SHOWN).map((e) => el("li", {},
        el("a", { href: hrefEntity(e.id), text: e.label }),
        el("span", { class: "count", title: "言及・施策・文書", text: `言及${e.mentions} 施策${e.measures} 文書${e.documents}` }),
        e.aliases.length ? el("span", { class: "aliases", text: ` ${e.aliases.slice(0, 3).join("・")}` }) : null))),
      es.length > SHOWN && !open.has(t)
        ? el("button", { type: "button", class: "more", text: `もっと見る（残り ${es.length - SHOWN}）`,
          onclick: () => { open.add(t); render(); } })
        : null)));
  };
  filter.addEventListener("input", render);
  render();
  const types = ["", ...Object.keys(TYPE_LABEL)];
  return el("section", { class: "page entities" }, el("h1", { text: "索引：機関・システム・法令・計画" }),
    el("div", { class: "toolbar" },
      el("label", { for: "entity-filter", text: "絞り込み" }), filter,
      el("label", { for: "entity-sort", text: "並び" }), order,
      el("nav", { class: "types", "aria-label": "種類" }, ...types.map((t) => el("a", {
        href: t ? `#/entities?type=${t}&sort=${sort}` : `#/entities?sort=${sort}`, "aria-current": t === type ? "page" : null,
        text: t ? TYPE_LABEL[t] : "すべて" }))),
      exportLinks(`/api/entities?limit=10000${type ? `&type=${encodeURIComponent(type)}` : ""}`)),
    groups);
}
