"""Real-world input: PDF (Japanese CID fonts), DOCX, HTML, Shift_JIS / EUC-JP / BOM text
read back to the original lines; bad input refused with a typed error naming the
file, and the stores byte-for-byte unchanged."""

from __future__ import annotations

import hashlib
import io
import unicodedata
import zipfile
from pathlib import Path

import pytest

from policygraph.core.errors import DecodeError, EmptyDocument, IngestError, TooLarge, UnsupportedFormat
from policygraph.ingest.readers import read_bytes, read_file

CORPUS = Path(__file__).parent / "data" / "corpus"
EXCERPT_LINES = [
    ln for ln in (CORPUS / "002_612a93dd4efe0060.txt").read_text(encoding="utf-8").split("\n")[:40]
    if ln.strip() and not ln.startswith("目")
][:12]


def _c(s: str) -> str:
    return "".join(unicodedata.normalize("NFKC", s).split())


def _contains_all(text: str) -> None:
    got = _c(text)
    for ln in EXCERPT_LINES:
        assert _c(ln) in got, ln


def _pdf(pages: list[list[str]]) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiMin-W3"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for n, lines in enumerate(pages, 1):
        c.setFont("HeiseiMin-W3", 9)
        c.drawString(40, 810, "緊急対策プラン 資料")  # running header
        y = 780
        for ln in lines:
            c.drawString(40, y, ln[:60])
            if len(ln) > 60:
                y -= 12
                c.drawString(40, y, ln[60:120])
            y -= 14
        c.drawString(290, 25, f"- {n} -")  # page number
        c.showPage()
    c.save()
    return buf.getvalue()


def test_pdf_text_layer_pages_and_running_headers(tmp_path: Path) -> None:
    lines = [ln for ln in EXCERPT_LINES if len(ln) <= 120]
    data = _pdf([lines[:6], lines[6:]])
    f = tmp_path / "plan.pdf"
    f.write_bytes(data)
    doc = read_file(f)
    assert doc.format == "pdf" and [p for p, _ in doc.pages] == [1, 2]
    for ln in lines:
        assert _c(ln) in _c(doc.text)
    assert "緊急対策プラン資料" not in _c(doc.text) and "-1-" not in _c(doc.text)
    assert all(0 <= start <= len(doc.text) for _, start in doc.pages)


def test_pdf_proof_marks_and_overprinted_headings_are_not_text() -> None:
    """A white paper typeset in InDesign (a tune-half document of the blind set): the slug
    line under each page (…indd 33 2024/06/04 13:54:13), its side tab stacked into one line,
    headings drawn twice to look bold and the header with its page number are not text;
    the chapter and section headings set with tab stops (\t第 1章\t…) are headings, and the
    title page's list of chapters is not (the preface is under no chapter)."""
    from policygraph.ingest.pipeline import layout

    doc = read_file(Path(__file__).parent / "data" / "blind" / "docs" / "whitepaper_cao_bousai_r6_tokushu2_ch1.pdf")
    assert ".indd" not in doc.text and "13:54" not in doc.text and "令令令令" not in doc.text
    assert "\t" not in doc.text  # (tab stops, not a table's cells)
    assert "今後の防災対策に向けて今後の" not in doc.text and "今後の防災対策に向けて" in doc.text
    assert "令和6年版 防災白書" not in doc.text  # the running header, on every page with or without its number
    sections = layout(doc).sections
    paths = [(s.path, s.title) for s in sections if s.path]
    assert paths[:3] == [(("第1章",), "令和6年能登半島地震及びその被害の概要"),
                         (("第1章", "第1節"), "令和6年能登半島地震の概要"), (("第1章", "第1節", "(1)"), "地震に関する概要")]
    assert (("第1章", "第2節"), "被害の概要") in paths
    preface = doc.text.index("引き続き被災者支援を行う")
    assert not [s.path for s in sections if s.path and s.start <= preface]


def test_docx_headings_paragraphs_tables(tmp_path: Path) -> None:
    import docx

    d = docx.Document()
    d.add_heading("緊急対策プラン", level=1)
    for ln in EXCERPT_LINES:
        d.add_paragraph(ln)
    t = d.add_table(rows=1, cols=2)
    t.rows[0].cells[0].text = "2023年度"
    t.rows[0].cells[1].text = "▶税関事務管理制度の見直し"
    f = tmp_path / "plan.docx"
    d.save(str(f))
    doc = read_file(f)
    assert doc.format == "docx"
    assert doc.text.startswith("# 緊急対策プラン")
    _contains_all(doc.text)
    assert "2023年度\t▶税関事務管理制度の見直し" in doc.text


def test_html_main_text_only(tmp_path: Path) -> None:
    body = "".join(f"<p>{ln}</p>" for ln in EXCERPT_LINES)
    html = (f"<html><head><meta charset='utf-8'><script>var x='広告';</script></head><body><nav>メニュー</nav>"
            f"<main><h2>緊急対策</h2>{body}</main><footer>フッター</footer></body></html>")
    doc = read_bytes(html.encode("utf-8"), "page.html")
    assert doc.format == "html" and "## 緊急対策" in doc.text
    _contains_all(doc.text)
    assert "広告" not in doc.text and "メニュー" not in doc.text and "フッター" not in doc.text


@pytest.mark.parametrize("encoding", ["cp932", "euc_jp", "utf-8-sig", "utf-16"])
def test_legacy_encodings_detected_not_guessed(encoding: str) -> None:
    text = "\r\n".join(EXCERPT_LINES)
    doc = read_bytes(text.encode(encoding), "plan.txt")
    assert doc.text == "\n".join(EXCERPT_LINES)


def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("word/document.xml", "<w:document/>")
        with z.open("word/media/pad.bin", "w") as f:
            chunk = b"\0" * (1 << 20)
            for _ in range(210):
                f.write(chunk)
    return buf.getvalue()


def _encrypted_pdf() -> bytes:
    from pypdf import PdfReader, PdfWriter

    w = PdfWriter(clone_from=PdfReader(io.BytesIO(_pdf([EXCERPT_LINES[:3]]))))
    w.encrypt(user_password="secret", owner_password="owner")
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


BAD = {
    "empty.txt": (b"", EmptyDocument),
    "blank.txt": (b" \n\t\n", EmptyDocument),
    "junk.txt": (bytes(range(256)) * 40, UnsupportedFormat),
    "undecodable.txt": ("警察庁".encode() + b"\xff\xfe\xfa\x80\x81" * 50 + "だ".encode("euc_jp"), DecodeError),
    "truncated.pdf": (None, IngestError),
    "encrypted.pdf": (None, IngestError),
    "bomb.docx": (None, IngestError),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_refused_with_reason_and_name(name: str) -> None:
    data, err = BAD[name]
    if name == "truncated.pdf":
        full = _pdf([EXCERPT_LINES[:4]])
        data = full[: len(full) // 2]
    elif name == "encrypted.pdf":
        data = _encrypted_pdf()
    elif name == "bomb.docx":
        data = _zip_bomb()
    assert data is not None
    with pytest.raises(err) as e:
        read_bytes(data, name)
    assert name in str(e.value)


def test_too_large_checked_before_reading(tmp_path: Path) -> None:
    f = tmp_path / "big.txt"
    f.write_bytes("警察".encode() * 1000)
    with pytest.raises(TooLarge, match="big.txt"):
        read_file(f, max_bytes=1000)


def test_path_parts_are_dropped_from_names() -> None:
    doc = read_bytes("本文です。".encode(), "../../etc/通達.txt")
    assert doc.source == "通達.txt" and "/" not in doc.id
    with pytest.raises(IngestError):
        read_bytes("本文".encode(), "../..")


def _snapshot(svc) -> tuple[str, int, dict[str, set[str]]]:
    dump = svc.graph.dump("nquads")
    return hashlib.sha256(dump).hexdigest(), svc.index.count(), svc.index.all_doc_versions()


@pytest.mark.slow
def test_bad_files_change_nothing_and_folder_ingest_goes_on(service, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "junk.txt").write_bytes(bytes(range(256)) * 40)
    (folder / "bomb.docx").write_bytes(_zip_bomb())
    (folder / "trunc.pdf").write_bytes(_pdf([EXCERPT_LINES[:3]])[:500])
    before = _snapshot(service)
    results = service.ingest_paths([folder])
    assert sorted(r["source"] for r in results if r["status"] == "error") == [
        "bomb.docx", "empty.txt", "junk.txt", "trunc.pdf"]
    assert all(r["reason"] for r in results)
    assert _snapshot(service) == before


@pytest.mark.slow
def test_http_upload_of_bad_file_is_problem_json_and_changes_nothing(service) -> None:
    from fastapi.testclient import TestClient
    from pydantic import SecretStr

    from policygraph.api.app import create_app

    settings = service.settings.model_copy(update={"api_key": SecretStr("k-123")})
    client = TestClient(create_app(settings, service), base_url="http://127.0.0.1")
    before = _snapshot(service)
    r = client.post("/api/documents", files={"file": ("junk.txt", bytes(range(256)) * 40)},
                    headers={"Authorization": "Bearer k-123"})
    assert r.status_code == 415 and r.headers["content-type"].startswith("application/problem+json")
    assert "junk.txt" in r.json()["source"]
    assert client.post("/api/documents", files={"file": ("a.txt", "本文".encode())},
                       headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert _snapshot(service) == before


@pytest.mark.slow
def test_pdf_pages_are_kept_in_provenance(service, tmp_path: Path) -> None:
    """A PDF's passages carry the page they start on: in the graph (pg:page), the document
    API and search hits."""
    page1 = ["ページ番号の試験文書について（通知）", "1 第一の事項", "警察庁は、第一の事項として、照会窓口を整備する。"]
    page2 = ["2 第二の事項", "都道府県警察は、第二の事項として、夜間の巡回体制を見直す。"]
    f = tmp_path / "paged_notice.pdf"
    f.write_bytes(_pdf([page1, page2]))
    [r] = service.ingest_paths([f])
    assert r["status"] == "added", r
    try:
        doc = service.document(r["id"])
        spans = [(p["page"], p["end_page"]) for p in doc["passages"]]
        assert spans[0][0] == 1 and spans[-1][1] == 2, spans
        src = read_file(f)
        for p in doc["passages"]:  # each passage's pages are those its offsets fall on
            assert (p["page"], p["end_page"]) == (src.page_at(p["start"]), src.page_at(p["end"] - 1))
        last = next(p for p in doc["passages"] if "夜間の巡回体制" in _c(p["text"]))
        assert last["end_page"] == 2
        hits = service.search("夜間の巡回体制の見直し", doc=r["id"])["hits"]
        assert hits[0]["page"] == last["page"] and "夜間の巡回体制" in _c(hits[0]["text"])
    finally:
        service.delete_document(r["id"])
