"""The analyst's surface in a real browser (Playwright driving Debian's chromium) over the
session's corpus: a true count, the query's words marked inside longer words, no 該当なし
over right answers, an entity card, CSV and Excel downloads that open, the citation to
copy, the timeline opening on this fiscal year's due items, and the first hit a few key
presses from the query box."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_tools import search

pytestmark = pytest.mark.integration


@pytest.fixture
def page(browser: Any, server: Any) -> Iterator[Any]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP", base_url=server.url,
                              accept_downloads=True)
    ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.set_default_timeout(30_000)
    yield pg
    ctx.close()
    assert not errors, errors


def test_the_count_is_the_true_total(page: Any, server: Any) -> None:
    import httpx

    total = httpx.get(f"{server.url}/api/search", params={"q": "警察共通基盤"}).json()["total"]
    search(page, "警察共通基盤")
    assert f"{total} 件" in page.locator("#status").inner_text() and total > 10
    assert page.locator(".hit").count() == 10  # a page of them, and more on demand
    page.get_by_role("button", name="もっと見る").click()
    page.wait_for_function("() => document.querySelectorAll('.hit').length > 10")
    assert page.locator(".hit").count() == min(20, total)


def test_yami_baito_is_marked_inside_longer_words(page: Any) -> None:
    search(page, "闇バイト")
    marks = page.locator(".hit .text.best mark").all_inner_texts()
    assert "闇バイト" in marks, marks
    # the answering sentence comes first, with no Markdown noise
    best = page.locator(".hit .text.best").first.inner_text()
    assert "闇バイト" in best and "**" not in best and not best.lstrip().startswith("#")


def test_lost_property_is_answered_not_flagged(page: Any) -> None:
    search(page, "落とし物")
    assert page.locator(".nomatch").count() == 0 and "該当なし" not in page.locator("#status").inner_text()
    top3 = " ".join(page.locator(".hit").nth(i).inner_text() for i in range(3))
    assert "遺失物" in top3
    search(page, "農業補助金")
    assert page.locator(".nomatch").count() == 1  # an off-topic query is still flagged


def test_a_named_entity_gets_its_card(page: Any) -> None:
    search(page, "警察共通基盤")
    card = page.locator(".entity-card")
    assert card.count() == 1 and "警察共通基盤" in card.inner_text() and "言及" in card.inner_text()
    card.locator("a.card-title").click()
    page.wait_for_selector(".page.entity h1")
    assert page.locator(".page.entity h1").inner_text() == "警察共通基盤"


def test_search_hits_download_as_csv_and_excel(page: Any) -> None:
    from openpyxl import load_workbook

    search(page, "闇バイト")
    with page.expect_download() as dl:
        page.locator(".export-csv").first.click()
    body = Path(dl.value.path()).read_bytes()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows and rows[0]["document"] and "闇バイト" in "".join(r["text"] for r in rows)
    with page.expect_download() as dl:
        page.locator(".export-xlsx").first.click()
    assert dl.value.suggested_filename.endswith(".xlsx")
    wb = load_workbook(io.BytesIO(Path(dl.value.path()).read_bytes()), read_only=True)
    sheet = list(wb.worksheets[0].iter_rows(values_only=True))
    assert sheet[0][:3] == ("rank", "score", "best") and len(sheet) == len(rows) + 1


def test_measures_download_from_the_timeline(page: Any) -> None:
    page.goto("/#/timeline")
    page.wait_for_selector(".tl-item")
    with page.expect_download() as dl:
        page.locator(".export-csv").click()
    rows = list(csv.DictReader(io.StringIO(Path(dl.value.path()).read_bytes().decode("utf-8-sig"))))
    assert len(rows) > 100 and {"text", "actors", "deadline_kind", "deadline_start"} <= set(rows[0])


def test_copy_a_citation(page: Any) -> None:
    search(page, "闇バイト")
    hit = page.locator(".hit").first
    title = hit.locator(".doc-title").inner_text()
    hit.get_by_role("button", name="引用をコピー").click()
    page.wait_for_function("() => document.querySelector('.hit .copy').dataset.copied")
    text = page.evaluate("() => navigator.clipboard.readText()")
    first, link = text.split("\n")
    assert first.startswith(title) and "・" in first
    assert link.startswith("http://") and "#/doc/" in link and "?at=" in link
    page.goto(link)
    page.locator(".passage.target").wait_for()


def test_the_timeline_opens_on_this_fiscal_year(page: Any) -> None:
    from datetime import date

    today = date.today()
    fy = today.year if today.month >= 4 else today.year - 1
    page.goto("/#/timeline")
    col = page.locator(f"[data-lane=fy-{fy}]")
    col.wait_for()
    page.wait_for_function("() => document.querySelector('.tl').scrollLeft > 0")
    box, tl = col.bounding_box(), page.locator(".tl").bounding_box()
    assert tl["x"] - 2 <= box["x"] < tl["x"] + tl["width"] / 2  # the current year is at the left, in view
    first = col.locator(".tl-item").first
    due = first.locator(".tl-due").inner_text()
    assert due and first.inner_text().startswith(first.locator(".tl-head").inner_text())
    # what is due leads the card: the deadline's own words come before the measure
    text = first.inner_text()
    assert text.index(due) < text.index(first.locator(".tl-text").inner_text())


def test_a_date_range_narrows_the_timeline(page: Any) -> None:
    page.goto("/#/timeline")
    page.wait_for_selector(".tl-item")
    all_items = page.locator(".tl-item").count()
    page.get_by_label("期限", exact=True).fill("令和8年度")
    page.get_by_label("〜", exact=True).fill("令和8年度")
    page.get_by_role("button", name="適用").click()
    page.wait_for_function("() => location.hash.includes('from=')")
    page.wait_for_function("(n) => document.querySelectorAll('.tl-item').length < n", arg=all_items)
    assert page.locator("[data-lane=fy-2026] .tl-item").count() > 0


def test_the_first_hit_is_a_few_key_presses_away(page: Any) -> None:
    search(page, "闇バイト")
    page.locator("#q").focus()
    presses = 0
    while presses < 8 and not page.evaluate("() => !!document.activeElement.closest('#hits')"):
        page.keyboard.press("Tab")
        presses += 1
    assert presses <= 4, presses
    # "/" goes back to the query box from anywhere
    page.keyboard.press("/")
    assert page.evaluate("() => document.activeElement.id") == "q"


def test_an_entity_s_measures_sort_and_page(page: Any) -> None:
    page.goto("/#/entity/npa")
    page.wait_for_selector(".measure-list .measure")
    assert page.locator(".measure-list .measure").count() == 20  # a page of them
    total = int(page.locator("#h-measures .count").inner_text().split()[0])
    page.get_by_role("button", name="もっと見る").last.click()
    assert page.locator(".measure-list .measure").count() == min(40, total)
    page.get_by_label("施策の並び順").select_option("date")
    first = page.locator(".measure-list .measure").first.inner_text()
    assert "令和" in first or "年" in first  # the earliest deadline comes first
    # search hits too: by date, kept in the URL
    search(page, "警察共通基盤")
    page.get_by_label("並び順").select_option("date")
    page.wait_for_function("() => location.hash.includes('sort=date')")
    page.wait_for_selector(".hit")
