// SPARQL page: a query editor with example queries and a results table.  It speaks the
// SPARQL 1.1 protocol to /sparql like any other client (read-only endpoint); our IRIs in
// the results link to their UI pages, other http(s) IRIs to themselves, any other IRI
// (javascript:, data:, …: a shared query link can bind anything) is shown as text.
"use strict";
import { ApiError, decoded, el, errorBox, hrefDoc, hrefEntity, info, safeHref, setTitle } from "./ui.js";

const PREFIXES = `PREFIX pg: <https://w3id.org/policygraph/ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
`;

export const EXAMPLES = [
  ["ある実体に触れるすべての箇所（警察共通基盤、別名も）", `${PREFIXES}
SELECT DISTINCT ?title ?path ?surface WHERE {
  ?e skos:prefLabel|skos:altLabel "警察共通基盤"@ja .
  ?mention pg:mentionOf ?e ; pg:inPassage ?p ; pg:surface ?surface .
  ?p pg:sectionPath ?path ; pg:inDocument/dcterms:title ?title .
}
ORDER BY ?title ?path`],
  ["令和8年度に期限を迎える施策と主体", `${PREFIXES}
SELECT ?text ?actor ?verbatim WHERE {
  ?m a pg:Measure ; pg:text ?text ; pg:deadline ?d .
  ?d pg:deadlineKind "fiscal_year" ; pg:startDate "2026-04-01"^^xsd:date ; pg:verbatim ?verbatim .
  OPTIONAL { ?m pg:actor/skos:prefLabel ?actor }
}`],
  ["機関ごとの施策の数", `${PREFIXES}
SELECT ?agency (COUNT(DISTINCT ?m) AS ?measures) WHERE {
  ?m a pg:Measure ; pg:actor ?a .
  ?a skos:prefLabel ?agency .
}
GROUP BY ?agency
ORDER BY DESC(?measures)`],
  ["文書と引用・廃止の関係", `${PREFIXES}
SELECT ?title ?relation ?other WHERE {
  ?doc a pg:Document ; dcterms:title ?title .
  VALUES ?relation { pg:cites pg:repeals }
  ?doc ?relation ?o . ?o dcterms:title ?other .
}`],
];

export async function sparqlPage(params) {
  setTitle("SPARQL");
  const base = await info().then((i) => i.base_iri).catch(() => "");
  const editor = el("textarea", { id: "sparql-query", name: "query", rows: 12, spellcheck: "false",
    "aria-describedby": "sparql-help" });
  editor.value = params.get("query") || EXAMPLES[0][1];
  const examples = el("select", { id: "sparql-example" },
    ...EXAMPLES.map(([label], i) => el("option", { value: String(i), text: label })));
  examples.addEventListener("change", () => { editor.value = EXAMPLES[Number(examples.value)][1]; });
  const out = el("div", { id: "sparql-results", "aria-live": "polite" });
  const run = async () => {
    out.replaceChildren(el("p", { class: "loading", text: "実行中…" }));
    const t0 = performance.now();
    try {
      const r = await fetch("/sparql", { method: "POST", body: new URLSearchParams({ query: editor.value }),
        headers: { Accept: "application/sparql-results+json, text/turtle;q=0.9" } });
      const type = r.headers.get("content-type") || "";
      if (!r.ok) throw new ApiError(r.status, type.includes("json") ? await r.json() : { detail: await r.text() });
      const ms = Math.round(performance.now() - t0);
      if (type.includes("sparql-results+json")) out.replaceChildren(...table(await r.json(), base, ms));
      else out.replaceChildren(el("p", { class: "status", text: `${ms} ms` }), el("pre", { class: "rdf", text: await r.text() }));
    } catch (err) {
      out.replaceChildren(errorBox(err));
    }
  };
  editor.addEventListener("keydown", (ev) => { if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); run(); } });
  const form = el("form", { class: "sparql-form", onsubmit: (ev) => { ev.preventDefault(); run(); } },
    el("div", { class: "field" }, el("label", { for: "sparql-example", text: "例" }), examples),
    el("label", { for: "sparql-query", text: "SPARQL クエリ（読み取り専用）" }), editor,
    el("p", { id: "sparql-help", class: "help" }, "Ctrl+Enter で実行。エンドポイント ", el("code", { text: "/sparql" }),
      " は SPARQL 1.1 Protocol（JSON・XML・CSV・TSV・Turtle）。語彙は ", el("a", { href: "/ns", text: "/ns" }), "。"),
    el("button", { type: "submit", id: "sparql-run", text: "実行" }));
  const page = el("section", { class: "page sparql" }, el("h1", { text: "SPARQL" }), form, out);
  if (params.get("query")) page.onMounted = run;
  return page;
}

/** Where a result IRI links: its UI page (our IRIs), itself (http/https), or nowhere (null). */
export function iriHref(v, base) {
  const own = (prefix) => base && v.startsWith(`${base}${prefix}`) ? decoded(v.slice(base.length + prefix.length)) : null;
  const entity = own("/id/entity/"), doc = own("/id/doc/");
  if (entity) return hrefEntity(entity);
  if (doc) return hrefDoc(doc);
  if (base && v.startsWith(`${base}/id/`)) return safeHref(v.slice(base.length));  // dereferences to its page
  return safeHref(v);
}

function cell(term, base) {
  if (!term) return el("td");
  if (term.type === "uri") {
    const v = term.value;
    const href = iriHref(v, base);
    return el("td", {}, href ? el("a", { href, class: "iri", text: v }) : el("span", { class: "iri", text: v }));
  }
  const td = el("td", { text: term.value });
  if (term["xml:lang"]) td.append(el("span", { class: "lang", text: `@${term["xml:lang"]}` }));
  return td;
}

function table(data, base, ms) {
  if (data.boolean !== undefined) return [el("p", { class: "status", text: `ASK → ${data.boolean}（${ms} ms）` })];
  const vars = data.head.vars;
  const rows = data.results.bindings;
  return [
    el("p", { class: "status", text: `${rows.length} 行（${ms} ms）` }),
    el("div", { class: "table-wrap" }, el("table", { class: "results-table" },
      el("thead", {}, el("tr", {}, ...vars.map((v) => el("th", { scope: "col", text: `?${v}` })))),
      el("tbody", {}, ...rows.map((b) => el("tr", {}, ...vars.map((v) => cell(b[v], base))))))),
  ];
}
