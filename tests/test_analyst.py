"""What an analyst relies on, through HTTP and the CLI, on the sample corpus: true counts
and paging, the answering sentence and the marked words, facets that count every hit,
honest 該当なし, CSV/Excel export, readable CLI output, Japanese dates, near names said
out loud, and refusals of what cannot be read.  (The interface's sections *Search hits*,
*Export* and *Data directory mistakes*.)"""

from __future__ import annotations

import csv
import io
import json
import os
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cli_run import run_cli
from fastapi.testclient import TestClient
from live_server import LiveServer

pytestmark = pytest.mark.integration


def _norm(s: str) -> str:
    return "".join(unicodedata.normalize("NFKC", s).split())


@pytest.fixture(scope="module")
def client(service: Any) -> TestClient:
    from policygraph.api.app import create_app

    return TestClient(create_app(service.settings, service=service), base_url="http://127.0.0.1")


@pytest.fixture(scope="module")
def served(service: Any) -> Iterator[Path]:
    """The corpus behind a live server that the CLI finds through DATA/server.json."""
    from policygraph.api.app import create_app

    data = Path(service.settings.data)
    with LiveServer(create_app(service.settings, service=service)) as live:
        info = data / "server.json"
        info.write_text(json.dumps({"url": live.url, "pid": os.getpid(), "token": "t", "data": str(data)}))
        try:
            yield data
        finally:
            info.unlink(missing_ok=True)


def _file_text(service: Any, doc_id: str) -> str:
    d = service.document(doc_id)
    path = Path(__file__).resolve().parent / "data" / "corpus" / d["source"]
    from policygraph.ingest.readers import read_file

    return read_file(path).text


# ---- search contract ------------------------------------------------------------------------


def test_total_is_true_and_offset_pages_on(client: TestClient) -> None:
    q = "警察共通基盤"
    first = client.get("/api/search", params={"q": q, "limit": 5}).json()
    assert first["total"] > 5 and first["offset"] == 0 and len(first["hits"]) == 5
    seen = [(h["document"]["id"], h["start"]) for h in first["hits"]]
    while len(seen) < first["total"]:
        page = client.get("/api/search", params={"q": q, "limit": 5, "offset": len(seen)}).json()
        assert page["total"] == first["total"] and page["hits"], len(seen)
        assert [h["rank"] for h in page["hits"]] == list(range(len(seen) + 1, len(seen) + 1 + len(page["hits"])))
        seen += [(h["document"]["id"], h["start"]) for h in page["hits"]]
    assert len(seen) == len(set(seen)) == first["total"]  # every hit once, none lost
    ten = client.get("/api/search", params={"q": q, "limit": 10}).json()
    assert [(h["document"]["id"], h["start"]) for h in ten["hits"]] == seen[:10]  # paging = one ranking
    past = client.get("/api/search", params={"q": q, "offset": first["total"]}).json()
    assert past["hits"] == [] and past["total"] == first["total"]


def test_facets_count_every_hit_and_a_facet_keeps_exactly_its_count(client: TestClient) -> None:
    res = client.get("/api/search", params={"q": "警察庁と都道府県警察の連携", "limit": 10}).json()
    assert res["total"] > len(res["hits"])  # the facets must count beyond the first page
    docs = res["facets"]["doc"]
    assert sum(f["count"] for f in docs) == res["total"]
    for group, param in (("doc", "doc"), ("agency", "agency"), ("fy", None)):
        f = res["facets"][group][-1]  # the smallest value
        params = {"q": res["query"], "limit": 100}
        if param:
            params[param] = f["value"]
        else:
            y = int(f["value"])
            params.update({"from": f"{y}-04-01", "to": f"{y + 1}-03-31"})
        narrowed = client.get("/api/search", params=params).json()
        assert narrowed["total"] == f["count"] == len(narrowed["hits"]), (group, f)


def test_highlights_mark_words_by_normalised_form(client: TestClient) -> None:
    res = client.get("/api/search", params={"q": "闇バイト", "limit": 5}).json()
    marked = [_norm(h["text"][a - h["start"]: b - h["start"]]) for h in res["hits"] for a, b in h["highlights"]]
    assert "闇バイト" in marked  # inside 「闇バイト」等 and 闇バイト対策
    res = client.get("/api/search", params={"q": "取締り", "limit": 5}).json()
    words = {h["text"][a - h["start"]: b - h["start"]] for h in res["hits"] for a, b in h["highlights"]}
    assert words & {"取締り", "取り締まり", "取締"}, words
    # 令和8年度 marks 令和8年度, and never the 令和 of another year
    res = client.get("/api/search", params={"q": "令和8年度中に行う取組", "limit": 20}).json()
    spans = [_norm(h["text"][a - h["start"]: b - h["start"]]) for h in res["hits"] for a, b in h["highlights"]]
    assert any(s.startswith("令和8年度") for s in spans) and "令和" not in spans, spans


def test_best_is_the_answering_sentence_inside_the_passage(client: TestClient) -> None:
    res = client.get("/api/search", params={"q": "闇バイト", "limit": 10}).json()
    for h in res["hits"]:
        b = h["best"]
        assert h["start"] + h["lead"] <= b["start"] < b["end"] <= h["end"]
        best = h["text"][b["start"] - h["start"]: b["end"] - h["start"]]
        assert best.strip() and not best.lstrip().startswith("#")
        if any(b["start"] <= s < b["end"] for s, _ in h["highlights"]):
            continue
        assert not h["highlights"] or all(s < b["start"] or s >= b["end"] for s, _ in h["highlights"])
    top = res["hits"][0]
    best = top["text"][top["best"]["start"] - top["start"]: top["best"]["end"] - top["start"]]
    assert "闇バイト" in _norm(best)


def test_no_good_match_is_honest(client: TestClient) -> None:
    lost = client.get("/api/search", params={"q": "落とし物"}).json()
    assert not lost["no_good_match"] and lost["total"] > 0
    assert any("遺失物" in h["text"] for h in lost["hits"][:3])
    for q in ("農業補助金", "学校給食"):
        off = client.get("/api/search", params={"q": q}).json()
        assert off["no_good_match"] and off["total"] == 0 and off["hits"], q  # weak hits listed, none counted


def test_a_query_naming_an_entity_carries_its_card(client: TestClient) -> None:
    res = client.get("/api/search", params={"q": "警察共通基盤"}).json()
    [card] = [e for e in res["named_entities"] if e["label"] == "警察共通基盤"]
    assert card["type"] == "System" and card["mentions"] >= 3 and card["documents"] >= 2 and card["id"]


# ---- entities, measures ----------------------------------------------------------------------


def test_entity_list_has_counts_and_ids_filter_everywhere(client: TestClient) -> None:
    ents = client.get("/api/entities", params={"limit": 10000}).json()["entities"]
    npa = next(e for e in ents if e["label"] == "警察庁")
    assert npa["mentions"] > 10 and npa["measures"] > 0 and npa["documents"] >= 3
    by_id = client.get("/api/measures", params={"agency": npa["id"]}).json()
    by_name = client.get("/api/measures", params={"agency": "警察庁"}).json()
    assert by_id["total"] == by_name["total"] > 0


def test_japanese_dates_in_windows(client: TestClient) -> None:
    iso = client.get("/api/measures", params={"from": "2026-04-01", "to": "2027-03-31"}).json()
    assert iso["total"] > 0
    for frm, to in (("令和8年度", "令和8年度"), ("R8", "R8"), ("FY2026", "FY2026"), ("2026年度", "2026年度")):
        res = client.get("/api/measures", params={"from": frm, "to": to}).json()
        assert res["total"] == iso["total"], (frm, to)
    r = client.get("/api/measures", params={"from": "明日"})
    assert r.status_code == 400 and "令和8年度" in r.json()["detail"]


# ---- export ----------------------------------------------------------------------------------


def _csv(body: bytes) -> list[dict[str, str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # a BOM: Excel reads UTF-8 Japanese right
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def _xlsx(body: bytes) -> list[dict[str, Any]]:
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_search_hits_export_as_csv_and_excel(client: TestClient, service: Any) -> None:
    params = {"q": "闇バイト", "limit": 10}
    hits = client.get("/api/search", params=params).json()["hits"]
    r = client.get("/api/search", params={**params, "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = _csv(r.content)
    assert len(rows) == len(hits)
    for row, h in zip(rows, hits, strict=True):
        assert row["document"] == h["document"]["title"] and row["source"] == h["document"]["source"]
        text = _file_text(service, h["document"]["id"])
        assert text[int(row["start"]): int(row["end"])] == row["text"]  # the citation points at the text
    by_accept = client.get("/api/search", params=params, headers={"Accept": "text/csv"})
    assert by_accept.content == r.content
    x = client.get("/api/search", params={**params, "format": "xlsx"})
    assert x.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert [row["text"] for row in _xlsx(x.content)] == [row["text"] for row in rows]


def test_measures_and_entity_export(client: TestClient) -> None:
    rows = _csv(client.get("/api/measures", params={"from": "令和8年度", "to": "令和8年度", "format": "csv"}).content)
    total = client.get("/api/measures", params={"from": "令和8年度", "to": "令和8年度"}).json()["total"]
    assert len(rows) == total > 0
    assert all("fiscal_year" in r["deadline_kind"] or r["deadline_kind"] for r in rows)
    assert any(r["actors"] for r in rows) and all(r["document"] and r["section"] is not None for r in rows)
    ent = client.get("/api/entities", params={"q": "警察共通基盤"}).json()["entities"][0]
    rows = _xlsx(client.get(f"/api/entities/{ent['id']}", params={"format": "xlsx"}).content)
    kinds = {r["kind"] for r in rows}
    assert kinds == {"mention", "measure"} and all(r["document"] for r in rows)
    listed = _csv(client.get("/api/entities", params={"limit": 10000, "format": "csv"}).content)
    assert {"label", "type", "mentions", "measures", "documents"} <= set(listed[0])
    assert client.get("/api/measures", params={"format": "pdf"}).status_code == 400


# ---- the CLI ---------------------------------------------------------------------------------


def test_cli_search_reads_like_an_answer(served: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--data", str(served), "search", "闇バイト", "--limit", "3")
    assert code == 0
    assert "件" in out.splitlines()[0] and "緊急対策プラン" in out  # the title, not a file id
    assert "【闇バイト】" in out  # the answering sentence with the query's word marked
    code, out, _ = run_cli(capsys, "--data", str(served), "search", "闇バイト", "--format", "csv")
    assert code == 0 and len(_csv(out.encode("utf-8"))) > 0


def test_cli_tables_dates_and_near_names(served: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = str(served)
    code, out, _ = run_cli(capsys, "--data", data, "measures", "--from", "令和8年度", "--to", "R8", "--json")
    by_era = json.loads(out)
    code, out, _ = run_cli(capsys, "--data", data, "measures", "--from", "2026-04-01", "--to", "2027-03-31", "--json")
    assert by_era["total"] == json.loads(out)["total"] > 0
    code, out, _ = run_cli(capsys, "--data", data, "measures", "--from", "FY2026", "--to", "FY2026")
    assert code == 0 and "期限:" in out and "主体:" in out  # the measure's text, actors and deadline
    first = by_era["measures"][0]
    assert " ".join(first["text"].split())[:30] in out
    xlsx = tmp_path / "m.xlsx"
    code, _, err = run_cli(capsys, "--data", data, "measures", "--from", "令和8年度", "--to", "令和8年度",
                           "--format", "xlsx", "--out", str(xlsx))
    assert code == 0 and len(_xlsx(xlsx.read_bytes())) == by_era["total"]
    code, out, err = run_cli(capsys, "--data", data, "entity", "警察共通")
    assert code == 0 and "警察共通 → 警察共通基盤 (closest name)" in err
    assert "言及" in out and "施策" in out and "警察共通基盤" in out
    code, _, err = run_cli(capsys, "--data", data, "entity", "警察共通基盤")
    assert "closest name" not in err
    code, out, _ = run_cli(capsys, "--data", data, "sparql", "--format", "table",
                           "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
                           "SELECT ?label WHERE { ?e skos:prefLabel ?label } ORDER BY ?label LIMIT 3")
    lines = out.splitlines()
    assert code == 0 and lines[0].strip() == "label" and set(lines[1]) == {"-"} and lines[-1] == "(3 rows)"


def test_every_cli_option_has_a_help_text() -> None:
    import argparse

    from policygraph.api.cli import _parser

    parser = _parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    missing = [f"{name} {a.dest}" for name, p in sub.choices.items() for a in p._actions
               if not isinstance(a, argparse._HelpAction) and not a.help]
    assert not missing, missing


def test_unsupported_extension_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "notes.xyz"
    f.write_text("警察庁は、令和9年度中に調査結果を取りまとめる。\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "--data", str(tmp_path / "d"), "ingest", str(f))
    assert code == 2 and "notes.xyz" in err and "unsupported file type .xyz" in err
    from policygraph.core.errors import UnsupportedFormat
    from policygraph.ingest.readers import read_bytes

    with pytest.raises(UnsupportedFormat):
        read_bytes(b"plain text", "data.dat")
    assert read_bytes("本文".encode(), "README").text == "本文"  # no extension: plain text


def test_hits_sort_by_date_and_document_order(client: TestClient, service: Any) -> None:
    q = "警察共通基盤"
    base = client.get("/api/search", params={"q": q, "limit": 100}).json()
    by_date = client.get("/api/search", params={"q": q, "limit": 100, "sort": "date"}).json()
    by_doc = client.get("/api/search", params={"q": q, "limit": 100, "sort": "document"}).json()
    key = lambda h: (h["document"]["id"], h["start"])  # noqa: E731
    assert by_date["total"] == by_doc["total"] == base["total"]
    assert sorted(map(key, by_date["hits"])) == sorted(map(key, base["hits"]))  # the same hits, reordered
    dues = [min([d["end"] or d["start"] for d in h["deadlines"] if d["end"] or d["start"]] or ["9999-12-31"])
            for h in by_date["hits"]]
    assert dues == sorted(dues) and dues[0] < "9999"
    places = [(h["document"]["title"], h["document"]["id"], h["start"]) for h in by_doc["hits"]]
    assert places == sorted(places)
    assert client.get("/api/search", params={"q": q, "sort": "random"}).status_code == 400
