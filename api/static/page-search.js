// Search page: one query box; hits with highlighted text, document title, section
// breadcrumb, deadline badges and entity tags; facets (document, agency, system, fiscal
// year of a deadline) with counts that narrow the hits in place; a clear 該当なし state.
"use strict";
import {
  api, crumb, deadlineBadge, deadlineFY, docTitle, el, entityLink, fyLabel, highlighted,
  hrefDoc, hrefSearch, info, setTitle,
} from "./ui.js";

const FETCH = 50;  // hits fetched per query; facets narrow within them
const SHOW = 10;   // hits shown before "もっと見る"
const EXAMPLES = ["警察共通基盤", "SNSで実行犯を募集する投稿への対策", "令和8年度中に行う取組", "総務省の取組"];

// facet groups: key, label, values of one hit as [value, label] pairs
const GROUPS = [
  ["doc", "文書", (h) => [[h.document.id, docTitle(h.document)]]],
  ["agency", "機関", (h) => h.entities.filter((e) => e.type === "Agency").map((e) => [e.id, e.label])],
  ["system", "情報システム", (h) => h.entities.filter((e) => e.type === "System").map((e) => [e.id, e.label])],
  ["fy", "期限の年度", (h) => [...new Set(h.deadlines.map(deadlineFY).filter((y) => y !== null))]
    .sort().map((y) => [String(y), fyLabel(y)])],
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
  const data = await api(`/api/search?q=${encodeURIComponent(q)}&limit=${FETCH}`);
  const active = new Map(GROUPS.map(([k]) => [k, params.get(k)]).filter(([, v]) => v));
  const status = el("p", { id: "status", role: "status", "aria-live": "polite" });
  const facets = el("div", { class: "facets", role: "group", "aria-label": "絞り込み" });
  const list = el("ol", { id: "hits", class: "hits" });
  const more = el("button", { type: "button", class: "more", hidden: true, text: "もっと見る" });
  let shown = SHOW;

  const keep = (h) => [...active].every(([k, v]) => GROUPS.find((g) => g[0] === k)[2](h).some(([x]) => x === v));

  function syncUrl() {
    const p = new URLSearchParams({ q });
    for (const [k, v] of active) p.set(k, v);
    history.replaceState(null, "", `#/search?${p}`);
  }

  function render() {
    const hits = data.hits.filter(keep);
    const banner = data.no_good_match
      ? el("div", { class: "nomatch", role: "note" }, el("strong", { text: "該当なし" }),
        "：この質問に十分に答える箇所は見つかりませんでした。参考までに近い箇所を表示しています。")
      : null;
    status.replaceChildren(`「${q}」 ${hits.length} 件` + (active.size ? `（${data.hits.length} 件から絞り込み）` : ""));
    if (banner) status.append(banner);
    facets.replaceChildren(...GROUPS.map(([key, label, valuesOf]) => {
      const counts = new Map();
      for (const h of hits) for (const [v, lb] of new Map(valuesOf(h))) {
        const c = counts.get(v) || { label: lb, n: 0 };
        c.n += 1; counts.set(v, c);
      }
      const items = [...counts].sort((a, b) => b[1].n - a[1].n || a[1].label.localeCompare(b[1].label, "ja"));
      if (!items.length) return null;
      return el("fieldset", { class: "facet", "data-facet": key }, el("legend", { text: label }),
        ...items.slice(0, 12).map(([v, c]) => {
          const on = active.get(key) === v;
          return el("button", { type: "button", class: "facet-value", "aria-pressed": on ? "true" : "false",
            "data-value": v, onclick: () => {
              if (on) active.delete(key); else active.set(key, v);
              shown = SHOW; syncUrl(); render();
            } }, el("span", { class: "facet-label", text: c.label }), el("span", { class: "count", text: String(c.n) }));
        }));
    }).filter(Boolean));
    list.replaceChildren(...hits.slice(0, shown).map((h) => hitItem(h, q)));
    more.hidden = hits.length <= shown;
  }
  more.addEventListener("click", () => { shown += SHOW; render(); });
  render();
  const box = el("details", { class: "facet-box", open: window.innerWidth > 760 },
    el("summary", { text: "絞り込み（文書・機関・システム・年度）" }), facets);
  const page = el("section", { class: "page search" },
    searchForm(q), status, el("div", { class: "results" }, box, el("div", { class: "hit-list" }, list, more)));
  return page;
}

const LEAD_SHOWN = 40;  // characters of a hit's lead-in shown while the hit is folded

function hitItem(h, q) {
  // the lead-in (closing lines of the passage before) is shown dimmed, then the passage
  // (folded to its last words until 全文 opens the hit, so the passage stays in view)
  const leadText = h.lead ? h.text.slice(0, h.lead).trimEnd() : "";
  const lead = leadText ? el("span", { class: "lead", title: "前の箇所の結び" },
    el("span", { class: "lead-short" }, leadText.length > LEAD_SHOWN ? "…" : "", highlighted(leadText.slice(-LEAD_SHOWN), q)),
    el("span", { class: "lead-full" }, highlighted(leadText, q))) : null;
  const text = el("div", { class: "text clamp" }, ...(lead ? [lead, "\n"] : []), highlighted(h.text.slice(h.lead || 0), q));
  const toggle = h.text.length > 220 || leadText.length > LEAD_SHOWN ? el("button", { type: "button", class: "link", text: "全文", "aria-expanded": "false",
    onclick: (ev) => {
      const open = text.classList.toggle("clamp") === false;
      ev.target.textContent = open ? "閉じる" : "全文";
      ev.target.setAttribute("aria-expanded", String(open));
    } }) : null;
  const seen = new Set();
  const badges = h.deadlines.filter((d) => {
    const k = `${d.kind}|${d.start}|${d.end}|${d.part}`;
    return seen.has(k) ? false : seen.add(k);
  }).map(deadlineBadge);
  const at = h.start + (h.lead || 0);  // the document page marks the passage itself
  return el("li", { class: "hit", "data-doc": h.document.id },
    el("div", { class: "src" },
      el("a", { class: "doc-title", href: hrefDoc(h.document.id, at, h.end), text: docTitle(h.document) }),
      el("span", { class: "crumb", text: crumb(h.section) }),
      ...badges),
    text,
    el("div", { class: "hit-foot" },
      el("div", { class: "tags" }, ...h.entities.slice(0, 10).map(entityLink)),
      toggle,
      el("a", { class: "open", href: hrefDoc(h.document.id, at, h.end), text: "文書で開く ›" }),
      el("span", { class: "offsets", text: `${h.document.source}${h.page ? ` p. ${h.page}` : ""} ${h.start}–${h.end}` })));
}
