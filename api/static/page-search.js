// Search page: one query box; the true count of hits above the relevance floor, paged;
// each hit opens on its answering sentence (``best``) with the query's words marked
// (``highlights``), document title, section breadcrumb, deadline badges and entity tags;
// facets counted by the server over every hit, which filter through the API; a card for
// an entity the query names; CSV/Excel export and a citation to copy; a clear 該当なし.
"use strict";
import {
  api, citation, copyButton, crumb, deadlineBadge, docTitle, el, entityLink, exportLinks, fyLabel,
  hrefDoc, hrefEntity, hrefSearch, info, markedPlain, setTitle, TYPE_LABEL,
} from "./ui.js";

const PAGE = 10;   // hits per page ("もっと見る" fetches the next)
const SORTS = [["relevance", "関連度順"], ["date", "期限の近い順"], ["document", "文書順"]];
const EXAMPLES = ["警察共通基盤", "SNSで実行犯を募集する投稿への対策", "令和8年度中に行う取組", "総務省の取組"];

// facet groups: the search response's facet key, its label, and the API filter it sets
const GROUPS = [
  ["doc", "文書", (v) => ({ doc: v })],
  ["agency", "機関", (v) => ({ agency: v })],
  ["system", "情報システム", (v) => ({ system: v })],
  ["fy", "期限の年度", (v) => ({ from: `${v}-04-01`, to: `${Number(v) + 1}-03-31` })],
];

function searchForm(q) {
  const input = el("input", { id: "q", name: "q", type: "search", value: q || "", required: true,
    autocomplete: "off", placeholder: "例: SNSで犯罪の実行役を集める投稿への対策", "aria-describedby": "q-help" });
  const form = el("form", { id: "search-form", role: "search", class: "search-form" },
    el("label", { for: "q", class: "visually-hidden", text: "検索語" }), input,
    el("button", { type: "submit", text: "検索" }));
  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const v = input.value.trim();
    if (v) location.hash = hrefSearch(v);
  });
  return form;
}

async function home() {
  setTitle("");
  const stats = el("p", { class: "stats" });
  info().then((i) => stats.append(
    `${i.documents} 文書・${i.passages} 箇所・${i.measures} 施策・${i.entities} 件の機関・システム・法令・計画を収録`,
  )).catch(() => {});
  const page = el("section", { class: "page home" },
    el("h1", { text: "政策文書を横断して検索" }),
    searchForm(""),
    el("p", { id: "q-help", class: "help",
      text: "言葉で質問するか、機関・システム・法令の名前や年度（令和8年度など）を入れてください。" }),
    stats,
    el("div", { class: "examples" }, "例：", ...EXAMPLES.map((x) => el("a", { class: "tag", href: hrefSearch(x), text: x }))));
  page.onMounted = () => document.getElementById("q").focus();
  return page;
}

export async function searchPage(params) {
  const q = (params.get("q") || "").trim();
  if (!q) return home();
  setTitle(q);
  const active = new Map(GROUPS.map(([k]) => [k, params.get(k)]).filter(([, v]) => v));
  const sort = SORTS.some(([v]) => v === params.get("sort")) ? params.get("sort") : "relevance";
  const query = new URLSearchParams({ q });
  if (sort !== "relevance") query.set("sort", sort);
  for (const [k, v] of active) for (const [fk, fv] of Object.entries(GROUPS.find((g) => g[0] === k)[2](v))) query.set(fk, fv);
  const path = `/api/search?${query}`;
  const data = await api(`${path}&limit=${PAGE}`);
  const hits = [...data.hits];

  const status = el("p", { id: "status", role: "status", "aria-live": "polite" });
  const list = el("ol", { id: "hits", class: "hits" });
  const more = el("button", { type: "button", class: "more", text: "もっと見る" });

  function syncUrl(order = sort) {
    const p = new URLSearchParams({ q });
    for (const [k, v] of active) p.set(k, v);
    if (order !== "relevance") p.set("sort", order);
    location.hash = `#/search?${p}`;
  }

  function render() {
    status.replaceChildren(data.no_good_match
      ? `「${q}」に十分に答える箇所はありません`
      : `「${q}」 ${data.total} 件` + (active.size ? "（絞り込み中）" : "") + (hits.length < data.total ? `・${hits.length} 件を表示` : ""));
    list.replaceChildren(...hits.map((h) => hitItem(h, q)));
    more.hidden = data.no_good_match || hits.length >= data.total;
  }
  more.addEventListener("click", async () => {
    more.disabled = true;
    const next = await api(`${path}&limit=${PAGE}&offset=${hits.length}`);
    hits.push(...next.hits);
    more.disabled = false;
    const first = list.children.length;
    render();
    const li = list.children[first];
    if (li) li.querySelector("a").focus();
  });
  render();

  const facets = el("div", { class: "facets", role: "group", "aria-label": "絞り込み" },
    ...GROUPS.map(([key, label]) => {
      const items = (data.facets && data.facets[key]) || [];
      if (!items.length && !active.has(key)) return null;
      return el("fieldset", { class: "facet", "data-facet": key }, el("legend", { text: label }),
        ...items.slice(0, 12).map((c) => {
          const on = active.get(key) === c.value;
          const text = key === "fy" ? fyLabel(Number(c.value)) : c.label;
          return el("button", { type: "button", class: "facet-value", "aria-pressed": on ? "true" : "false",
            "data-value": c.value, onclick: () => {
              if (on) active.delete(key); else active.set(key, c.value);
              syncUrl();
            } }, el("span", { class: "facet-label", text }), el("span", { class: "count", text: String(c.count) }));
        }),
        active.has(key) && !items.some((c) => c.value === active.get(key))
          ? el("button", { type: "button", class: "facet-value", "aria-pressed": "true", "data-value": active.get(key),
            onclick: () => { active.delete(key); syncUrl(); } }, el("span", { class: "facet-label", text: "解除" }))
          : null);
    }).filter(Boolean));
  const banner = data.no_good_match
    ? el("div", { class: "nomatch", role: "note" }, el("strong", { text: "該当なし" }),
      "：この質問に十分に答える箇所は見つかりませんでした。参考までに近い箇所を表示しています。")
    : null;
  const cards = (data.named_entities || []).slice(0, 2).map(entityCard);
  const order = el("select", { id: "hit-sort", "aria-label": "並び順" },
    ...SORTS.map(([v, lb]) => el("option", { value: v, selected: v === sort, text: lb })));
  order.addEventListener("change", () => syncUrl(order.value));
  const tools = el("div", { class: "list-tools" }, order);
  // the downloads come after the hits: the first hit stays a few key presses from the query
  const downloads = el("div", { class: "list-tools" }, exportLinks(path + "&limit=100"));
  const box = el("details", { class: "facet-box", open: window.innerWidth > 760 },
    el("summary", { text: "絞り込み（文書・機関・システム・年度）" }), facets);
  // the hit list comes before the facets in the page (and in Tab order); CSS puts the
  // facets beside it on wide screens
  return el("section", { class: "page search" },
    searchForm(q), status, banner, ...cards,
    el("div", { class: "results" }, el("div", { class: "hit-list" }, tools, list, more, downloads), box));
}

function entityCard(e) {
  return el("aside", { class: "entity-card", "aria-label": `${e.label} の概要` },
    el("div", { class: "card-head" },
      el("a", { class: "card-title", href: hrefEntity(e.id), text: e.label }),
      el("span", { class: `tag type-${e.type}`, text: TYPE_LABEL[e.type] || e.type })),
    e.aliases && e.aliases.length ? el("p", { class: "aliases", text: `別名：${e.aliases.slice(0, 5).join("、")}` }) : null,
    el("p", { class: "counts", text: `言及 ${e.mentions} 箇所・施策 ${e.measures} 件・${e.documents} 文書` }),
    el("a", { class: "open", href: hrefEntity(e.id), text: "この項目のページへ ›" }));
}

function hitItem(h, q) {
  const at = h.start + (h.lead || 0);  // the passage itself, after its lead-in
  const best = h.best || { start: at, end: h.end };
  const marks = h.highlights || [];
  // folded: the answering sentence, marked, without Markdown; 全文: the whole passage
  const bestText = h.text.slice(best.start - h.start, best.end - h.start);
  const short = el("div", { class: "text best" },
    best.start > at ? "…" : "", markedPlain(bestText, best.start, marks), best.end < h.end ? "…" : "");
  const leadText = h.lead ? h.text.slice(0, h.lead).trimEnd() : "";
  const full = el("div", { class: "text full", hidden: true },
    leadText ? el("span", { class: "lead", title: "前の箇所の結び" }, markedPlain(leadText, h.start, marks), "\n") : null,
    markedPlain(h.text.slice(h.lead || 0), at, marks));
  const toggle = el("button", { type: "button", class: "link", text: "全文", "aria-expanded": "false",
    onclick: (ev) => {
      const open = full.hidden;
      full.hidden = !open; short.hidden = open;
      ev.target.textContent = open ? "閉じる" : "全文";
      ev.target.setAttribute("aria-expanded", String(open));
    } });
  const seen = new Set();
  const badges = h.deadlines.filter((d) => {
    const k = `${d.kind}|${d.start}|${d.end}|${d.part}`;
    return seen.has(k) ? false : seen.add(k);
  }).map(deadlineBadge);
  return el("li", { class: "hit", "data-doc": h.document.id },
    el("div", { class: "src" },
      el("a", { class: "doc-title", href: hrefDoc(h.document.id, best.start, best.end), text: docTitle(h.document) }),
      el("span", { class: "crumb", text: crumb(h.section) }),
      ...badges),
    short, full,
    el("div", { class: "hit-foot" },
      el("div", { class: "tags" }, ...h.entities.slice(0, 10).map(entityLink)),
      toggle,
      copyButton("引用をコピー", () => citation(h.document, h.section, best.start, best.end)),
      el("a", { class: "open", href: hrefDoc(h.document.id, at, h.end), text: "文書で開く ›" }),
      el("span", { class: "offsets", text: `${h.document.source}${h.page ? ` p. ${h.page}` : ""} ${at}–${h.end}` })));
}
