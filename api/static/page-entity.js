// Entity page: type, name, aliases; a small interactive graph of related entities;
// everything touching it grouped by document (quoted passages with the mentions marked,
// linking to the document page); its measures with actors and deadlines.  Also the
// entity index (#/entities).
"use strict";
import {
  TYPE_LABEL, api, crumb, deadlineBadge, docTitle, el, entityId, entityLink, hrefDoc, hrefEntity,
  marked, setTitle, svg,
} from "./ui.js";

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
    data.measures.length ? el("section", { class: "measures", "aria-labelledby": "h-measures" },
      el("h2", { id: "h-measures", text: "関係する施策" }),
      el("ul", { class: "measure-list" }, ...data.measures.map(measureItem))) : null);
  return page;
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

// ---- the related-entities graph: a radial layout the user can drag and click -----------
function relatedGraph(center, related) {
  const W = 900, H = 420, cx = W / 2, cy = H / 2;
  const nodes = [{ ...center, x: cx, y: cy, center: true }];
  const shown = related.slice(0, 24);
  const order = ["Agency", "System", "Law", "Plan", "Program", "Other"];
  shown.sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
  shown.forEach((r, i) => {
    const a = (2 * Math.PI * i) / shown.length - Math.PI / 2;
    const rad = shown.length > 10 && i % 2 ? 0.6 : 0.92;
    nodes.push({ ...r, x: cx + Math.cos(a) * (W / 2 - 90) * rad, y: cy + Math.sin(a) * (H / 2 - 30) * rad });
  });
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "graph", role: "group",
    "aria-label": `${center.label} と関係する ${shown.length} 件` });
  const edges = nodes.slice(1).map((n) => {
    const line = svg("line", { class: `edge rel-${n.relation}` });
    const title = svg("title", { text: RELATION_LABEL[n.relation] || n.relation });
    line.append(title);
    return { n, line };
  });
  const place = () => {
    for (const { n, line } of edges) {
      line.setAttribute("x1", nodes[0].x); line.setAttribute("y1", nodes[0].y);
      line.setAttribute("x2", n.x); line.setAttribute("y2", n.y);
    }
    for (const n of nodes) n.g.setAttribute("transform", `translate(${n.x},${n.y})`);
  };
  for (const { line } of edges) root.append(line);
  for (const n of nodes) {
    const label = n.label.length > 14 ? n.label.slice(0, 13) + "…" : n.label;
    const g = svg("g", { class: `node type-${n.type}${n.center ? " center" : ""}`, tabindex: n.center ? -1 : 0,
      role: n.center ? "img" : "link", "aria-label": `${n.label}（${TYPE_LABEL[n.type] || ""}）` },
    svg("circle", { r: n.center ? 12 : 8 }),
    svg("text", { y: n.center ? -18 : -12, "text-anchor": "middle", text: label }),
    svg("title", { text: `${n.label}\n${TYPE_LABEL[n.type] || ""}${n.relation ? " · " + (RELATION_LABEL[n.relation] || n.relation) : ""}` }));
    n.g = g;
    if (!n.center) {
      const go = () => { location.hash = hrefEntity(entityId(n)); };
      let drag = null;
      g.addEventListener("pointerdown", (ev) => {
        drag = { x: ev.clientX, y: ev.clientY, nx: n.x, ny: n.y, moved: false };
        g.setPointerCapture(ev.pointerId);
      });
      g.addEventListener("pointermove", (ev) => {
        if (!drag) return;
        const scale = W / root.getBoundingClientRect().width;
        const dx = (ev.clientX - drag.x) * scale, dy = (ev.clientY - drag.y) * scale;
        if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
        n.x = Math.max(10, Math.min(W - 10, drag.nx + dx)); n.y = Math.max(20, Math.min(H - 10, drag.ny + dy));
        place();
      });
      g.addEventListener("pointerup", () => { const moved = drag && drag.moved; drag = null; if (!moved) go(); });
      g.addEventListener("keydown", (ev) => { if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); go(); } });
    }
    root.append(g);
  }
  place();
  const legend = el("ul", { class: "legend" }, ...order.filter((t) => nodes.some((n) => n.type === t))
    .map((t) => el("li", {}, el("span", { class: `dot type-${t}` }), TYPE_LABEL[t])));
  return el("figure", { class: "related" },
    el("figcaption", {}, el("h2", { text: "関係する機関・システム・法令・計画" }),
      el("span", { class: "help", text: "点をクリック（Enter）で移動、ドラッグで配置を変えられます" })),
    root, legend,
    el("ul", { class: "related-list" }, ...shown.map((r) => el("li", {}, entityLink(r),
      el("span", { class: "rel", text: RELATION_LABEL[r.relation] || r.relation })))));
}

// ---- the index of entities --------------------------------------------------------------
export async function entitiesPage(params) {
  setTitle("索引");
  const type = params.get("type") || "";
  const data = await api(`/api/entities?limit=10000${type ? `&type=${encodeURIComponent(type)}` : ""}`);
  const filter = el("input", { id: "entity-filter", type: "search", placeholder: "名前で絞り込み", autocomplete: "off" });
  const groups = el("div", { class: "entity-groups" });
  const render = () => {
    const f = filter.value.trim();
    const items = data.entities.filter((e) => !f || e.label.includes(f) || e.aliases.some((a) => a.includes(f)));
    const byType = new Map();
    for (const e of items) (byType.get(e.type) || byType.set(e.type, []).get(e.type)).push(e);
    groups.replaceChildren(...[...byType].map(([t, es]) => el("section", { class: "entity-group" },
      el("h2", { text: `${TYPE_LABEL[t] || t}（${es.length}）` }),
      el("ul", { class: "entity-list" }, ...es.map((e) => el("li", {}, el("a", { href: hrefEntity(e.id), text: e.label }),
        e.aliases.length ? el("span", { class: "aliases", text: ` ${e.aliases.slice(0, 3).join("・")}` }) : null))))));
  };
  filter.addEventListener("input", render);
  render();
  const types = ["", ...Object.keys(TYPE_LABEL)];
  return el("section", { class: "page entities" }, el("h1", { text: "索引：機関・システム・法令・計画" }),
    el("div", { class: "toolbar" },
      el("label", { for: "entity-filter", text: "絞り込み" }), filter,
      el("nav", { class: "types", "aria-label": "種類" }, ...types.map((t) => el("a", {
        href: t ? `#/entities?type=${t}` : "#/entities", "aria-current": t === type ? "page" : null,
        text: t ? TYPE_LABEL[t] : "すべて" })))),
    groups);
}
