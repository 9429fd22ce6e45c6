"""The web UI in a real browser: Playwright driving Debian's chromium, headless, against
the app served by uvicorn over the session's ingested sample corpus.

The setup installs ``chromium`` (and a Japanese font, for legible screenshots) with
apt-get when missing.  Every page is also rendered at 390 px wide and must not scroll
sideways; with ``POLICYGRAPH_SCREENSHOTS=1`` the screenshots are written to
``docs/screenshots/`` (the README shows them), else to a temporary directory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_tools import search
from live_server import LiveServer

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent
XSS_DOC = """危険な文字列を含む試験文書について（通達）

1 趣旨
本文書は、画面の表示を試験するため、<script>window.__pwned = 1</script>という文字列と、
<img src="x" onerror="window.__pwned = 2">という文字列を本文に含む。警察庁は、令和9年度中に表示の安全性を検証する。
"""



@pytest.fixture(scope="module")
def server(service: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The app over the session's corpus, plus one document with markup in its text (removed after)."""
    from policygraph.api.app import create_app

    xss = tmp_path_factory.mktemp("xss") / "markup_test.txt"
    xss.write_text(XSS_DOC, encoding="utf-8")
    [r] = service.ingest_paths([xss])
    assert r["status"] == "added", r
    live = LiveServer(create_app(service.settings, service=service))
    with live:
        yield live
    service.delete_document(r["id"])


@pytest.fixture
def page(browser: Any, server: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP", base_url=server.url)
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    # uncaught exceptions and console errors; a 4xx the page asked for and shows is not one
    pg.on("console", lambda m: errors.append(m.text)
          if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    pg.set_default_timeout(30_000)
    yield pg
    ctx.close()
    assert not errors, errors


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if os.environ.get("POLICYGRAPH_SCREENSHOTS") == "1":
        out = ROOT / "docs" / "screenshots"
        out.mkdir(parents=True, exist_ok=True)
        return out
    return tmp_path_factory.mktemp("screenshots")


def test_type_a_query_and_see_the_yami_baito_passage(page: Any) -> None:
    search(page, "SNSで犯罪の実行役を集める投稿への対策")
    top = page.locator(".hit").nth(0)
    texts = [page.locator(".hit").nth(i).inner_text() for i in range(3)]
    assert any("闇バイト" in t for t in texts), texts
    assert "緊急対策プラン" in top.locator(".doc-title").inner_text()
    assert page.locator(".hit mark").count() > 0  # query words highlighted
    assert "該当なし" not in page.locator("#status").inner_text()


def test_agency_facet_narrows_the_results_in_place(page: Any) -> None:
    search(page, "警察庁と都道府県警察の連携")
    before = page.locator(".hit").count()
    status_before = page.locator("#status").inner_text()
    facet = page.locator('[data-facet=agency] .facet-value').filter(has_text="総務省")
    if not facet.count():  # the facet lists the agencies the hits name: take the least frequent
        facet = page.locator('[data-facet=agency] .facet-value').last
    label = facet.locator(".facet-label").inner_text()
    n = int(facet.locator(".count").inner_text())
    url = page.url
    facet.click()
    page.wait_for_function("(n) => document.querySelectorAll('.hit').length === n", arg=min(n, 10))
    assert page.url.split("&")[0] == url.split("&")[0] and "agency=" in page.url  # same page, state in the URL
    assert page.locator("#status").inner_text() != status_before and f"{n} 件" in page.locator("#status").inner_text()
    hits = page.locator(".hit")
    assert hits.count() <= before
    for i in range(hits.count()):
        assert label in [t.strip() for t in hits.nth(i).locator(".tags a").all_inner_texts()]
    # clicking again clears it
    page.locator("[data-facet=agency] .facet-value[aria-pressed=true]").click()
    page.wait_for_function("(n) => document.querySelectorAll('.hit').length === n", arg=before)


def test_entity_page_of_keisatsu_kyotsu_kiban_shows_its_three_documents(page: Any, shots: Path) -> None:
    page.goto("/#/entities")
    page.get_by_label("絞り込み").fill("警察共通基盤")
    page.get_by_role("link", name="警察共通基盤", exact=True).click()
    page.wait_for_selector(".doc-group")
    assert page.locator("h1").inner_text() == "警察共通基盤"
    assert "警察共通基盤システム" in page.locator(".aliases").inner_text()
    docs = {page.locator(".doc-group").nth(i).get_attribute("data-doc") for i in range(page.locator(".doc-group").count())}
    assert {d.split("_")[0] for d in docs if d} == {"000", "001", "003"}
    assert page.locator(".doc-group blockquote mark").count() >= 3  # the mentions, marked in the quotes
    # the related-entities graph (Cytoscape.js; expanding it is tests/test_ui_ecosystem.py's)
    page.wait_for_selector("#entity-graph[data-state=ready]")
    assert page.evaluate("() => document.querySelector('#entity-graph').cy.nodes().length") >= 4
    page.screenshot(path=str(shots / "entity.png"))


def test_soumusho_page_shows_its_measures_and_the_timeline_offers_the_agencies_that_act(page: Any) -> None:
    """総務省 acts in the fraud plan (002) as the topic of a clause (…総務省が、…指導監督を効果的に
    行うことができる仕組みを構築する): its page lists that measure with 総務省 among its actors,
    and the timeline's agency filter offers it beside the agencies that act most."""
    page.goto("/#/entities")
    page.get_by_label("絞り込み").fill("総務省")
    page.get_by_role("link", name="総務省", exact=True).click()
    page.wait_for_selector(".measures .measure")
    items = page.locator(".measures .measure")
    from_002 = [i for i in range(items.count()) if "緊急対策プラン" in items.nth(i).locator(".doc-title").inner_text()]
    assert from_002, items.all_inner_texts()
    for i in from_002:
        assert "総務省" in items.nth(i).locator(".actors").inner_text()
    page.goto("/#/timeline")
    page.locator("#tl-agency option").nth(1).wait_for(state="attached")
    offered = [o.split("（")[0] for o in page.locator("#tl-agency option").all_inner_texts()]
    assert {"総務省", "警察庁", "都道府県警察"} <= set(offered), offered


def test_law_page_lists_its_cited_articles(page: Any) -> None:
    page.goto("/#/entities")
    page.get_by_label("絞り込み").fill("道路交通法")
    page.get_by_role("link", name="道路交通法", exact=True).click()
    page.wait_for_selector(".articles")
    items = page.locator(".article-list li")
    texts = items.all_inner_texts()
    assert any("道路交通法第109条" in t for t in texts) and any("道路交通法第103条第3項" in t for t in texts)
    row = items.filter(has_text="道路交通法第109条").first
    row.locator("a.crumb").first.click()  # to the citing passage in 003
    target = page.locator(".passage.target")
    target.wait_for()
    assert "#/doc/003_" in page.url and "法第109条" in target.inner_text()


def test_timeline_shows_reiwa8_items(page: Any, shots: Path) -> None:
    page.goto("/#/timeline")
    col = page.locator("[data-lane=fy-2026]")
    col.wait_for()
    assert "令和8年度" in col.locator("h2").inner_text()
    items = col.locator(".tl-item")
    assert items.count() >= 10
    badges = col.locator(".badge").all_inner_texts()
    assert any("令和8年度" in b for b in badges), badges
    assert page.locator("[data-lane=promptly] .tl-item").count() > 0  # 速やかに apart
    page.screenshot(path=str(shots / "timeline.png"))
    # filter by agency: every item left names it
    page.get_by_label("機関").select_option(label=page.locator("#tl-agency option").nth(1).inner_text())
    page.wait_for_function("() => location.hash.includes('agency=')")
    page.wait_for_selector(".tl-item")
    # each item links to its passage
    first = page.locator(".tl-item .tl-text").first
    href = first.get_attribute("href")
    assert href and href.startswith("#/doc/") and "?at=" in href


def test_open_a_hit_lands_on_the_highlighted_passage(page: Any, shots: Path) -> None:
    search(page, "SNSで犯罪の実行役を集める投稿への対策")
    page.screenshot(path=str(shots / "search.png"))
    hit = page.locator(".hit").nth(1)
    # the hit's offsets (its lead-in included) end where the passage ends
    end = hit.locator(".offsets").inner_text().split()[-1].split("–")[1]
    hit.locator("a.open").click()
    target = page.locator(".passage.target")
    target.wait_for()
    assert target.count() == 1 and target.get_attribute("data-end") == end
    page.wait_for_function("""() => { const r = document.querySelector('.passage.target').getBoundingClientRect();
                                      return r.top >= 0 && r.top < window.innerHeight; }""")
    assert page.locator("dl.meta").inner_text()  # metadata shown
    assert page.locator(".doc-outline li").count() > 3
    page.screenshot(path=str(shots / "document.png"))


def test_a_hit_shows_its_lead_in_and_opens_on_its_own_passage(page: Any) -> None:
    search(page, "若者が軽い気持ちで犯罪に加担しないよう学校で教える")
    hit = page.locator(".hit", has_text="青少年をアルバイト感覚で").first
    # folded: the answering sentence of the passage itself, never the lead-in
    assert hit.locator(".text.best").is_visible() and not hit.locator(".text.full").is_visible()
    assert "通知する" not in hit.locator(".text.best").inner_text()
    # 全文: the lead-in (dimmed), then the whole passage
    hit.get_by_role("button", name="全文").click()
    full = hit.locator(".text.full")
    assert full.locator(".lead").inner_text().startswith("加えて、都道府県労働局に対し")
    assert "(3) 青少年をアルバイト感覚で" in full.inner_text()
    hit.locator("a.open").click()
    target = page.locator(".passage.target")
    target.wait_for()
    assert target.count() == 1 and target.locator(".text").inner_text().startswith("(3) 青少年をアルバイト感覚で")


def test_sparql_page_runs_an_example(page: Any, shots: Path) -> None:
    page.goto("/#/sparql")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.get_by_label("例").select_option(index=2)  # measures per agency
    tab = page.locator(".yasgui .tabPanel.active")
    tab.get_by_role("button", name="実行").click()
    tab.locator(".yasr tbody tr").first.wait_for()
    assert tab.locator(".yasr thead th").all_inner_texts()[1:] == ["agency", "measures"]
    assert "警察庁" in tab.locator(".yasr tbody").inner_text()
    page.screenshot(path=str(shots / "sparql.png"))


def test_markup_in_a_document_renders_as_text(page: Any) -> None:
    search(page, "表示の安全性を検証する試験文書")
    hit = page.locator(".hit[data-doc=markup_test]").first
    hit.get_by_role("button", name="全文").click()  # the whole passage, not only its answering sentence
    assert "<script>window.__pwned = 1</script>" in hit.inner_text()
    assert '<img src="x" onerror="window.__pwned = 2">' in hit.inner_text()
    hit.locator("a.open").click()
    page.locator(".passage.target").wait_for()
    assert "<script>" in page.locator(".doc-text").inner_text()
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("#view script, #view img").count() == 0


def test_pages_fit_390px_and_have_labelled_controls(browser: Any, server: Any, shots: Path) -> None:
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP", base_url=server.url)
    pg = ctx.new_page()
    try:
        pg.goto("/")
        pg.wait_for_selector("#q")
        assert pg.evaluate("() => document.activeElement.id") == "q"  # focus starts in the query box
        pg.screenshot(path=str(shots / "home.png"))
        for name, route, ready in (("search", "/#/search?q=警察共通基盤", ".hit"),
                                   ("entity", "/#/entity/police-common-platform", ".doc-group"),
                                   ("timeline", "/#/timeline", ".tl-item"),
                                   ("document", "/#/docs", ".doc-list a"),
                                   ("sparql", "/#/sparql", ".yasqe .CodeMirror")):
            pg.goto(route)
            pg.wait_for_selector(ready)
            if name == "document":
                pg.locator(".doc-list a").first.click()
                pg.wait_for_selector(".passage")
            overflow = pg.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, (name, overflow)
            unlabelled = pg.evaluate("""() => [...document.querySelectorAll('input, select, textarea')]
                .filter((c) => !(c.labels && c.labels.length) && !c.getAttribute('aria-label')).map((c) => c.outerHTML)""")
            assert not unlabelled, (name, unlabelled)
            pg.screenshot(path=str(shots / f"{name}-390.png"))
    finally:
        ctx.close()
