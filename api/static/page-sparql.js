// SPARQL page: YASGUI (static/vendor/yasgui, loaded on first visit) over our read-only
// endpoint /sparql, with example queries in a picker (each opens in its own YASGUI tab).
// The active tab's query is kept in the address bar (#/sparql?query=…, YASGUI's share-link
// parameters; the editor's share button gives the same link), so a reload or a shared link
// restores and runs it.  In the results our IRIs open their UI pages, other http(s) IRIs
// themselves, and any other IRI (javascript:, data:, … a shared link can bind anything) is
// text.  Nothing is stored in the browser (YASGUI's localStorage persistence is off).
"use strict";
import { decoded, el, hrefDoc, hrefEntity, info, safeHref, setTitle } from "./ui.js";

const VENDOR = "/static/vendor/yasgui";
const PREFIXES = `PREFIX pg: <https://w3id.org/policygraph/ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
`;
const ELI = "PREFIX eli: <http://data.europa.eu/eli/ontology#>\n";

// Each answer once, and fast on thousands of documents: a document's entities, labels and
// titles are in every document graph that names them, and queries run over their union,
// so a join on an entity repeats its rows once per such graph, per pattern.  The examples
// join inside one document's graph (GRAPH ?g { … }) and count DISTINCT.
export const EXAMPLES = [
  ["ある実体に触れるすべての箇所（警察共通基盤、別名も）", `${PREFIXES}
SELECT ?title ?path (GROUP_CONCAT(DISTINCT ?surface; separator="・") AS ?surfaces) ?passage WHERE {
  GRAPH ?g {
    ?e skos:prefLabel|skos:altLabel "警察共通基盤"@ja .
    ?mention pg:mentionOf ?e ; pg:inPassage ?passage ; pg:surface ?surface .
    ?passage pg:sectionPath ?path ; pg:ordinal ?n ; pg:inDocument/dcterms:title ?title .
  }
}
GROUP BY ?title ?n ?path ?passage
ORDER BY ?title ?n`],
  ["令和8年度に期限を迎える施策と主体", `${PREFIXES}
SELECT ?measure ?text (GROUP_CONCAT(DISTINCT ?actor; separator="・") AS ?actors)
       (GROUP_CONCAT(DISTINCT ?verbatim; separator=" / ") AS ?deadlines) WHERE {
  GRAPH ?g {
    ?measure a pg:Measure ; pg:text ?text ; pg:deadline ?d ; pg:inDocument ?doc ; pg:startOffset ?start .
    ?d pg:deadlineKind "fiscal_year" ; pg:startDate "2026-04-01"^^xsd:date ; pg:verbatim ?verbatim .
    OPTIONAL { ?measure pg:actor/skos:prefLabel ?actor }
  }
}
GROUP BY ?doc ?start ?measure ?text
ORDER BY ?doc ?start`],
  ["機関ごとの施策の数", `${PREFIXES}
SELECT ?agency (COUNT(DISTINCT ?m) AS ?measures) WHERE {
  GRAPH ?g { ?m a pg:Measure ; pg:actor ?a . ?a skos:prefLabel ?agency . }
}
GROUP BY ?agency
ORDER BY DESC(?measures) ?agency`],
  ["文書と引用・廃止の関係", `${PREFIXES}
SELECT DISTINCT ?title ?relation ?other WHERE {
  ?doc a pg:Document ; dcterms:title ?title .
  VALUES ?relation { pg:cites pg:repeals }
  ?doc ?relation ?o . ?o dcterms:title ?other .
}
ORDER BY ?title ?relation ?other`],
  ["道路交通法の条文を引用している箇所（条番号順）", `${PREFIXES}${ELI}
# 条・条の枝番号・項・号を数として並べる（文字列順では第103条が第90条より前になる）
SELECT DISTINCT ?article ?surface ?title ?path ?passage WHERE {
  GRAPH ?g {
    ?law skos:prefLabel "道路交通法"@ja .
    ?art eli:is_part_of ?law ; pg:article ?article .
    ?c pg:citationOf ?art ; pg:surface ?surface ; pg:inPassage ?passage .
    ?passage pg:sectionPath ?path ; pg:inDocument/dcterms:title ?title .
  }
  BIND(xsd:integer(STRAFTER(STRBEFORE(?article, "条"), "第")) AS ?no)
  BIND(COALESCE(xsd:integer(REPLACE(?article, "^第[0-9]+条の([0-9]+).*$", "$1")), 0) AS ?branch)
  BIND(COALESCE(xsd:integer(REPLACE(?article, "^第[0-9]+条(の[0-9]+)?第([0-9]+)項.*$", "$2")), 0) AS ?paragraph)
  BIND(COALESCE(xsd:integer(REPLACE(?article, "^.*[条項]第([0-9]+)号$", "$1")), 0) AS ?item)
}
ORDER BY ?no ?branch ?paragraph ?item ?title ?path`],
  ["言及の多い機関・システム・法令・計画", `${PREFIXES}
SELECT ?entity ?label ?type (COUNT(DISTINCT ?mention) AS ?mentions) WHERE {
  GRAPH ?g {
    ?entity a pg:Entity ; skos:prefLabel ?label ; a ?type .
    FILTER(?type != pg:Entity)
    ?mention pg:mentionOf ?entity .
  }
}
GROUP BY ?entity ?label ?type
ORDER BY DESC(?mentions) ?label`],
];

// ---- loading the vendored bundle (a classic script: it is a UMD build) -------------------
let loading = null;

function loadYasgui() {
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      document.head.append(el("link", { rel: "stylesheet", href: `${VENDOR}/yasgui.min.css` }));
      const script = el("script", { src: `${VENDOR}/yasgui.min.js` });
      script.addEventListener("load", () => resolve(configure(window.Yasgui)));
      script.addEventListener("error", () => { loading = null; reject(new Error("YASGUI を読み込めませんでした")); });
      document.head.append(script);
    });
  }
  return loading;
}

// column-resizer (in YASR's table) adds its rules as a <style> element, which the CSP
// refuses: a console error and no rules on every results table.  It adds none when <head>
// holds a `style` element whose `gripid` is the string-hash of the rules; a placeholder of
// that name in a namespace of its own (no stylesheet, nothing for the CSP to check) stands
// for it, and app.css has the rules.  GRIP_CSS is the string of the vendored build, byte for
// byte (its tab too): if an update changes it, the CSP error comes back and the browser
// tests fail on it.
const GRIP_CSS = " .grip-resizable{table-layout:fixed;} .grip-resizable > tbody > tr > td, .grip-resizable > tbody > tr > th{overflow:hidden} .grip-padding > tbody > tr > td, .grip-padding > tbody > tr > th{padding-left:0!important; padding-right:0!important;} .grip-container{ height:0px; position:relative;} .grip-handle{margin-left:-5px; position:absolute; z-index:5; } .grip-handle .grip-resizable{position:absolute;background-color:red;filter:alpha(opacity=1);opacity:0;width:10px;height:100%;cursor: col-resize;top:0px} .grip-lastgrip{position:absolute; width:1px; } .grip-drag{ border-left:1px dotted black;\t} .grip-flex{width:auto!important;} .grip-handle.grip-disabledgrip .grip-resizable{cursor:default; display:none;}";

/** The string-hash npm package (what column-resizer names its style elements by). */
export function stringHash(s) {
  let h = 5381;
  for (let i = s.length; i;) h = (h * 33) ^ s.charCodeAt(--i);
  return h >>> 0;
}

/** Settings that hold for every YASGUI on the page, made once. */
function configure(Yasgui) {
  const placeholder = document.createElementNS("urn:policygraph:csp-placeholder", "style");
  placeholder.gripid = String(stringHash(GRIP_CSS));  // compared with === to a string
  document.head.append(placeholder);
  // the class and property completers ask lov.linkeddata.es: nothing leaves this site
  const completers = Yasgui.Yasqe.defaults.autocompleters;
  for (const name of ["class", "property"]) if (completers.includes(name)) completers.splice(completers.indexOf(name), 1);
  // the share button: our page's address (YASGUI's own link puts its parameters in the
  // fragment, where our router lives)
  Yasgui.Tab.prototype.getShareableLink = function () { return permalink(Yasgui, this); };
  return Yasgui;
}

// ---- permalinks --------------------------------------------------------------------------
/** `#/sparql?query=…&tabTitle=…&outputFormat=…&outputSettings=…` for a tab (YASGUI's names). */
export function permalink(Yasgui, tab) {
  const share = Yasgui.linkUtils.createShareConfig(tab);
  const p = new URLSearchParams({ query: share.query });
  if (share.tabTitle) p.set("tabTitle", share.tabTitle);
  if (share.outputFormat) p.set("outputFormat", share.outputFormat);
  if (share.outputSettings && Object.keys(share.outputSettings).length) p.set("outputSettings", JSON.stringify(share.outputSettings));
  return `${location.origin}${location.pathname}#/sparql?${p}`;
}

/** The tab a link describes (only the query and how results are shown: never the endpoint). */
function tabFromLink(Yasgui, params) {
  const tab = { name: params.get("tabTitle") || "共有されたクエリ", yasqe: { value: params.get("query") } };
  const plugin = params.get("outputFormat");
  if (plugin && Object.hasOwn(Yasgui.Yasr.plugins, plugin)) {
    let settings = {};
    try {
      const parsed = JSON.parse(params.get("outputSettings") || "{}");
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) settings = parsed;
    } catch { /* a malformed setting is dropped */ }
    tab.yasr = { settings: { selectedPlugin: plugin, pluginsConfig: { [plugin]: settings } } };
  }
  return tab;
}

// ---- the page ----------------------------------------------------------------------------
export async function sparqlPage(params) {
  setTitle("SPARQL");
  const [Yasgui, base] = await Promise.all([loadYasgui(), info().then((i) => i.base_iri).catch(() => "")]);
  const examples = el("select", { id: "sparql-example" },
    ...EXAMPLES.map(([label], i) => el("option", { value: String(i), text: label })));
  const host = el("div", { id: "yasgui", class: "yasgui-host" });
  const page = el("section", { class: "page sparql" }, el("h1", { text: "SPARQL" }),
    el("p", { id: "sparql-help", class: "help" }, "エンドポイント ", el("code", { text: "/sparql" }),
      " は読み取り専用の SPARQL 1.1 Protocol（JSON・XML・CSV・TSV・Turtle）。語彙は ", el("a", { href: "/ns", text: "/ns" }),
      "。Ctrl+Enter で実行、共有ボタンでこのクエリへのリンク、結果は CSV でダウンロードできます。"),
    el("div", { class: "field" }, el("label", { for: "sparql-example", text: "例" }), examples,
      el("span", { class: "help", text: "（別のタブで開きます）" })),
    host);
  page.onMounted = () => mount(Yasgui, host, examples, params, base);
  return page;
}

function mount(Yasgui, host, examples, params, base) {
  const endpoint = new URL("/sparql", location.href).href;
  const yasgui = new Yasgui(host, {
    requestConfig: { endpoint, method: "POST", acceptHeaderSelect: "application/sparql-results+json",
      acceptHeaderGraph: "text/turtle" },
    endpointCatalogueOptions: { getData: () => [{ endpoint }] },
    persistenceId: null, populateFromUrl: false, autoAddOnInit: false, copyEndpointOnNewTab: true,
    tabName: "クエリ", autofocus: false, yasqe: { screenReaderLabel: "SPARQL クエリ" },
    yasr: { persistenceId: null, prefixes: {} },
  });
  const open = (tab, run) => {
    const t = yasgui.addTab(true, { ...tab, requestConfig: { endpoint } });
    if (run) t.query().catch(() => {});  // YASR shows the error
    return t;
  };
  const query = params.get("query");
  if (query) {
    open(tabFromLink(Yasgui, params), true);
  } else {
    open({ name: EXAMPLES[0][0], yasqe: { value: EXAMPLES[0][1] } }, false);
  }
  examples.addEventListener("change", () => {
    const [name, value] = EXAMPLES[Number(examples.value)];
    const id = Object.keys(yasgui._tabs).find((k) => yasgui._tabs[k].getName() === name);
    if (id) yasgui.selectTabId(id); else open({ name, yasqe: { value } }, false);
  });
  // the address bar follows the active tab's query, without a navigation (no hashchange)
  const remember = (tab) => { if (host.isConnected && tab) history.replaceState(null, "", permalink(Yasgui, tab)); };
  yasgui.on("query", (_y, tab) => remember(tab));
  yasgui.on("tabSelect", (_y, id) => { const tab = yasgui.getTab(id); if (tab && tab.hasResults()) remember(tab); });
  // YASR draws results (and DataTables each page) with innerHTML: fix the links it draws
  const fix = () => { relink(host, base); localise(host); };
  new MutationObserver(fix).observe(host, { childList: true, subtree: true });
  fix();
}

/** Result links: our IRIs to their UI page in this tab, http(s) to themselves, others none. */
function relink(root, base) {
  for (const a of root.querySelectorAll(".yasr a.iri:not([data-pg])")) {
    a.setAttribute("data-pg", "");
    const iri = a.getAttribute("href");  // YASR's DOMPurify already dropped javascript: and the like
    const own = iri && ownPage(iri, base);
    const href = own || (iri && safeHref(iri));
    if (!href) {
      a.removeAttribute("href");
      a.removeAttribute("target");
    } else if (own) {
      a.setAttribute("href", own);
      a.removeAttribute("target");
    } else {
      a.setAttribute("href", href);
      a.setAttribute("rel", "noopener noreferrer");
    }
  }
}

const BUTTONS = [[".yasqe_queryButton", "実行（Ctrl+Enter）"], [".yasqe_share", "このクエリへのリンク"],
  [".yasr_downloadIcon", "結果をダウンロード（CSV）"]];
const FIELDS = [[".tabsList .tab input", "タブ名"], [".controlbar .autocomplete", "エンドポイント"], [".yasqe_sharePopup input", "このクエリへのリンク"],
  [".tableSizer", "1ページの行数"], [".tableFilter", "結果の絞り込み"]];

/** Our names on YASGUI's icon buttons (screen readers and tooltips) and on its unlabelled
 * fields (a settings field: the label YASGUI draws next to it). */
function localise(root) {
  for (const [sel, label] of BUTTONS) {
    for (const b of root.querySelectorAll(`${sel}:not([data-pg])`)) {
      b.setAttribute("data-pg", "");
      b.setAttribute("aria-label", label);
      b.setAttribute("title", label);
    }
  }
  for (const [sel, label] of FIELDS) {
    for (const f of root.querySelectorAll(`${sel}:not([data-pg])`)) {
      f.setAttribute("data-pg", "");
      f.setAttribute("aria-label", label);
    }
  }
  for (const f of root.querySelectorAll(".tabMenu :is(input, select, textarea):not([aria-label])")) {
    const near = f.closest(".selector, .requestConfigWrapper");
    const label = near && near.querySelector("label");
    f.setAttribute("aria-label", label ? label.textContent : "設定");
  }
}

/** The UI page of one of our IRIs (an article: its law's page), else null. */
export function ownPage(v, base) {
  const own = (prefix) => base && v.startsWith(`${base}${prefix}`) ? decoded(v.slice(base.length + prefix.length)) : null;
  const entity = own("/id/entity/"), doc = own("/id/doc/");
  if (entity) return hrefEntity(entity.split("/article/")[0]);
  if (doc) return hrefDoc(doc);
  if (base && v.startsWith(`${base}/id/`)) return safeHref(v.slice(base.length));  // dereferences to its page
  return null;
}

/** Where a result IRI links: its UI page (our IRIs), itself (http/https), or nowhere (null). */
export function iriHref(v, base) {
  return ownPage(v, base) || safeHref(v);
}
