"""The vendored browser tools in a real browser (Debian's chromium through Playwright, as
in ``test_ui_browser.py``) over the session's ingested sample corpus: YASGUI on the SPARQL
page (an example run, paged, downloaded as CSV, restored from its permalink; our IRIs
opening our pages), Cytoscape.js on entity pages (a neighbour expanded in place; legible
and not wider than a 390 px phone) and ``/docs`` and ``/redoc`` with every request off this
machine refused.  Any console error fails a test: the CSP's refusals are console errors.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

pytestmark = pytest.mark.integration

ENTITIES = "言及の多い機関・システム・法令・計画"  # the SPARQL example with more rows than a page
ARTICLES = "道路交通法の条文を引用している箇所（条番号順）"


@pytest.fixture(scope="module")
def base(service: Any) -> str:
    return str(service.settings.base_iri).rstrip("/")


def _context(browser: Any, server: Any, width: int, **extra: Any) -> tuple[Any, Any, list[str]]:
    ctx = browser.new_context(viewport={"width": width, "height": 900 if width > 500 else 844}, locale="ja-JP",
                              base_url=server.url, accept_downloads=True, **extra)
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.set_default_timeout(30_000)
    return ctx, pg, errors


@pytest.fixture
def page(browser: Any, server: Any) -> Iterator[Any]:
    ctx, pg, errors = _context(browser, server, 1280)
    yield pg
    ctx.close()
    assert not errors, errors


@pytest.fixture
def phone(browser: Any, server: Any) -> Iterator[Any]:
    ctx, pg, errors = _context(browser, server, 390, has_touch=True)
    yield pg
    ctx.close()
    assert not errors, errors


def entity_id(server: Any, label: str) -> str:
    found = httpx.get(f"{server.url}/api/entities", params={"q": label}).json()["entities"]
    return str(next(e["id"] for e in found if e["label"] == label))


# ---- YASGUI ------------------------------------------------------------------------------

def active(page: Any) -> Any:
    return page.locator(".yasgui .tabPanel.active")


def run_example(page: Any, label: str) -> None:
    page.goto("/#/sparql")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.get_by_label("例").select_option(label=label)
    active(page).get_by_role("button", name="実行").click()
    active(page).locator(".yasr tbody tr").first.wait_for()


def editor_text(page: Any) -> str:
    return str(page.evaluate("() => document.querySelector('.yasgui .tabPanel.active .CodeMirror').CodeMirror.getValue()"))


def test_an_example_runs_pages_downloads_and_comes_back_from_its_permalink(page: Any, base: str) -> None:
    run_example(page, ENTITIES)
    tab = active(page)
    assert tab.locator(".yasr thead th").all_inner_texts()[1:] == ["entity", "label", "type", "mentions"]
    rows = tab.locator(".yasr tbody tr")
    assert rows.count() == 50  # YASR's page
    total = int(tab.locator(".dt-info").inner_text().split(" of ")[1].split()[0])
    assert total > 50
    assert "警察庁" in tab.locator(".yasr tbody").inner_text()
    # the next page
    tab.locator(".dt-paging-button.next").click()
    page.wait_for_function("() => document.querySelector('.yasgui .tabPanel.active .yasr tbody .rowNumber').textContent === '51'")
    assert tab.locator(".dt-info").inner_text().startswith("Showing 51 to")
    # the results as CSV, parsed back
    with page.expect_download() as download:
        tab.locator(".yasr_downloadIcon").click()
    table = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert table[0] == ["entity", "label", "type", "mentions"] and len(table) == total + 1
    npa = next(r for r in table if r[1] == "警察庁")
    assert npa[0] == f"{base}/id/entity/npa" and npa[2] == "https://w3id.org/policygraph/ns#Agency" and int(npa[3]) > 10
    assert len({r[0] for r in table[1:]}) == total  # each entity once
    # the permalink: the share button's link is the address the page now has
    query = editor_text(page)
    tab.locator(".yasqe_share").click()
    link = tab.locator(".yasqe_sharePopup input").input_value()
    assert link == page.url and "#/sparql?query=" in link
    page.goto("about:blank")
    page.goto(link)
    active(page).locator(".yasr tbody tr").first.wait_for()  # restored and run
    assert editor_text(page) == query
    assert page.locator(".yasgui .tabsList .tab.active").inner_text().strip().startswith(ENTITIES)
    assert "警察庁" in active(page).locator(".yasr tbody").inner_text()


def test_result_iris_open_our_pages_and_never_run_script(page: Any, base: str) -> None:
    query = f"""SELECT ?js ?data ?web ?ours ?article WHERE {{
  BIND(IRI("javascript:alert(document.domain)") AS ?js)
  BIND(IRI("data:text/html,%3Cscript%3Ealert(1)%3C/script%3E") AS ?data)
  BIND(IRI("https://example.org/page") AS ?web)
  BIND(IRI("{base}/id/entity/npa") AS ?ours)
  BIND(IRI("{base}/id/entity/road-traffic-act/article/103/paragraph/3") AS ?article)
}}"""
    page.goto(f"/#/sparql?query={quote(query)}")  # a shared link runs by itself
    cells = active(page).locator(".yasr tbody tr").first.locator("td")
    cells.first.wait_for()
    assert cells.count() == 6  # the row number, then the five
    for i in (1, 2):
        assert cells.nth(i).locator("a[href]").count() == 0  # javascript:, data: are text
        cells.nth(i).locator(".iri").click()
    assert page.locator(".yasr a[href^='javascript:' i], .yasr a[href^='data:' i]").count() == 0
    assert page.evaluate("() => window.__pwned") is None and page.evaluate("() => location.protocol") == "http:"
    web = cells.nth(3).locator("a")
    assert web.get_attribute("href") == "https://example.org/page" and web.get_attribute("target") == "_blank"
    assert cells.nth(5).locator("a").get_attribute("href") == "#/entity/road-traffic-act"  # an article: its law
    ours = cells.nth(4).locator("a")
    assert ours.get_attribute("href") == "#/entity/npa" and ours.get_attribute("target") is None
    ours.click()
    page.wait_for_function("() => document.querySelector('h1') && document.querySelector('h1').textContent === '警察庁'")
    assert page.url.endswith("#/entity/npa")


def test_every_example_answers_each_row_once_and_articles_come_in_number_order(page: Any, server: Any) -> None:
    page.goto("/#/sparql")
    page.wait_for_selector(".yasqe .CodeMirror")
    examples = page.evaluate("async () => (await import('/static/page-sparql.js')).EXAMPLES")
    assert len(examples) >= 6
    answers: dict[str, list[dict[str, Any]]] = {}
    for label, query in examples:
        r = httpx.post(f"{server.url}/sparql", data={"query": query},
                       headers={"Accept": "application/sparql-results+json"}, timeout=60)
        assert r.status_code == 200, (label, r.text)
        rows = r.json()["results"]["bindings"]
        assert rows, label
        keys = [tuple(sorted((k, v["value"]) for k, v in row.items())) for row in rows]
        assert len(keys) == len(set(keys)), label
        answers[label] = rows
    articles = [row["article"]["value"] for row in answers[ARTICLES]]
    numbers = [int(a[1:].split("条")[0]) for a in articles]
    assert numbers == sorted(numbers), articles
    assert articles.index("第90条第4項") < articles.index("第90条第11項") < articles.index("第103条第1項")
    assert len(answers["令和8年度に期限を迎える施策と主体"]) == len({r["measure"]["value"] for r in answers["令和8年度に期限を迎える施策と主体"]})


# ---- Cytoscape.js -------------------------------------------------------------------------

GRAPH = "#entity-graph"


def graph_ready(page: Any) -> None:
    page.wait_for_selector(f"{GRAPH}[data-state=ready]")


def node_count(page: Any) -> int:
    return int(page.evaluate(f"() => document.querySelector('{GRAPH}').cy.nodes().length"))


def node_on_screen(page: Any, node: str) -> tuple[float, float]:
    """Where a node is drawn on the page (the view panned to it first if it is out of sight,
    as a user would)."""
    box = page.locator(GRAPH).bounding_box()
    pos = page.evaluate(f"""(id) => {{ const g = document.querySelector('{GRAPH}'), n = g.cy.getElementById(id);
        const p = n.renderedPosition();
        if (p.x < 12 || p.y < 12 || p.x > g.clientWidth - 12 || p.y > g.clientHeight - 12) g.cy.center(n);
        return n.renderedPosition(); }}""", node)
    return box["x"] + pos["x"], box["y"] + pos["y"]


def expand(page: Any, node: str, tap: bool = False) -> int:
    """Taps (or clicks) a node where it is drawn; waits for its neighbours to be laid out."""
    before = node_count(page)
    x, y = node_on_screen(page, node)
    if tap:
        page.touchscreen.tap(x, y)
    else:
        page.mouse.click(x, y)
    page.wait_for_function(f"""(n) => {{ const g = document.querySelector('{GRAPH}');
        return g.dataset.state === 'ready' && g.cy.nodes().length > n; }}""", arg=before)
    return node_count(page) - before


def test_the_graph_expands_a_neighbour_in_place_and_opens_its_page(page: Any, server: Any) -> None:
    platform, npa = entity_id(server, "警察共通基盤"), entity_id(server, "警察庁")
    page.goto(f"/#/entity/{platform}")
    graph_ready(page)
    first = node_count(page)
    assert first >= 4
    assert page.evaluate(f"(id) => document.querySelector('{GRAPH}').cy.getElementById(id).nonempty()", npa)
    relations = set(page.evaluate(f"() => document.querySelector('{GRAPH}').cy.edges().map((e) => e.data('relation'))"))
    assert "runsOn" in relations  # hostsSystem seen from the platform: drawn as runsOn
    assert expand(page, npa) > 0
    assert page.evaluate(f"(id) => document.querySelector('{GRAPH}').cy.getElementById(id).data('expanded')", npa)
    # two hops out: a node that only 警察庁 leads to
    depths = page.evaluate(f"() => document.querySelector('{GRAPH}').cy.nodes().map((n) => n.data('depth'))")
    assert max(depths) == 2
    # the other layout: same graph
    count = node_count(page)
    page.get_by_label("力学（cose）").check()
    graph_ready(page)
    assert node_count(page) == count
    panel = page.locator(".graph-info")
    assert "警察庁" in panel.inner_text()
    panel.get_by_role("link", name="「警察庁」のページを開く").click()
    page.wait_for_function("() => document.querySelector('h1') && document.querySelector('h1').textContent === '警察庁'")
    assert page.url.endswith(f"#/entity/{npa}")
    graph_ready(page)  # its own graph


def test_at_390px_labels_are_legible_and_nothing_scrolls_sideways(phone: Any, server: Any) -> None:
    platform, npa = entity_id(server, "警察共通基盤"), entity_id(server, "警察庁")
    phone.goto(f"/#/entity/{platform}")
    graph_ready(phone)
    assert expand(phone, npa, tap=True) > 0
    sizes = phone.evaluate(f"""() => {{ const cy = document.querySelector('{GRAPH}').cy;
        const shown = (e) => e.renderedStyle('label') && e.style('display') !== 'none';
        return [...cy.nodes().filter(shown), ...cy.edges().filter(shown)].map((e) => parseFloat(e.renderedStyle('font-size'))); }}""")
    assert len(sizes) > node_count(phone) and min(sizes) >= 11, sizes
    assert phone.evaluate(f"() => parseFloat(getComputedStyle(document.querySelector('{GRAPH}')).width)") <= 390
    assert phone.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 1
    # the SPARQL page too, with results, and every field it draws labelled
    run_example(phone, ENTITIES)
    assert phone.evaluate("() => document.documentElement.scrollWidth - window.innerWidth") <= 1
    unlabelled = phone.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
        .filter((c) => !(c.labels && c.labels.length) && !c.getAttribute('aria-label')).map((c) => c.outerHTML)""")
    assert not unlabelled, unlabelled


# ---- API docs and the vendored files --------------------------------------------------------

def test_the_vendored_bundles_are_served_as_they_are_and_nothing_else(server: Any) -> None:
    from policygraph.api.app import VENDOR

    bundles = [p for p in VENDOR.rglob("*") if p.suffix in (".js", ".css")]
    assert {p.relative_to(VENDOR).as_posix() for p in bundles} >= {
        "yasgui/yasgui.min.js", "yasgui/yasgui.min.css", "cytoscape/cytoscape.min.js", "redoc/redoc.standalone.js"}
    for p in bundles:
        r = httpx.get(f"{server.url}/static/vendor/{p.relative_to(VENDOR).as_posix()}")
        assert r.status_code == 200 and r.content == p.read_bytes(), p
        assert r.headers["content-type"].startswith("text/javascript" if p.suffix == ".js" else "text/css")
        assert "default-src 'self'" in r.headers["content-security-policy"]
    for name in ("yasgui/LICENSE", "yasgui/README.md", "..%2Fapp.js", "yasgui/..%2F..%2Fpage-sparql.js",
                 "%2e%2e/%2e%2e/app.py", "yasgui/yasgui.min.js%00", "YASGUI/yasgui.min.js", ""):
        assert httpx.get(f"{server.url}/static/vendor/{name}").status_code == 404, name
    for name in ("LICENSE", "THIRD-PARTY-LICENSES.txt", "README.md"):
        assert (VENDOR / "yasgui" / name).is_file()
    for package in ("cytoscape", "redoc"):
        assert (VENDOR / package / "LICENSE").is_file() and (VENDOR / package / "README.md").is_file()



def test_swagger_ui_and_redoc_render_with_the_network_cut(page: Any, server: Any) -> None:
    refused: list[str] = []

    def local_only(route: Any) -> None:
        if route.request.url.startswith("http://127.0.0.1"):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    page.route("**/*", local_only)
    page.goto("/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "policygraph" in page.locator(".swagger-ui .info .title").inner_text()
    page.goto("/redoc")
    page.get_by_role("heading", name="policygraph", level=1).wait_for()
    page.get_by_text("Knowledge graph and semantic search over Japanese government policy documents").first.wait_for()
    assert "Search" in page.locator("body").inner_text()  # the operations, from /openapi.json
    assert not refused, refused
    r = httpx.get(f"{server.url}/redoc")
    loads = re.findall(r"""(?:src|href)=["']([^"']+)|import\(["']([^"']+)""", r.text)
    assert loads and all(u.startswith("/") for pair in loads for u in pair if u), loads  # all from this app
    assert "fonts.googleapis" not in r.text
    csp = r.headers["content-security-policy"]
    assert "unsafe" not in csp and "frame-ancestors 'none'" in csp
