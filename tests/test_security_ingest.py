"""Hostile files at ingest, through the CLI and the upload route: each refused with a
typed error naming the file, the rest of a folder ingested, nothing blocking.

* a FIFO, ``/dev/zero`` (a link to it), ``/proc/self/mem`` (a regular file that even root
  cannot read: EIO) and a dangling link: refused without blocking or reading forever;
* text over ``POLICYGRAPH_MAX_DOCUMENT_CHARS``: 413; a .docx whose merged table cell
  python-docx would repeat once per spanned grid column is read with the cell once;
* HTML declaring ``charset="undefined"``: read by detection; a PDF whose content stream is
  over pypdf's decompression limit: refused; a .docx holding LZMA members: refused;
* e-Gov XML with a DTD after a 70 KB comment: refused (the parser forbids DTDs).
"""

from __future__ import annotations

import io
import os
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from policygraph.api.app import create_app
from policygraph.api.cli import main
from policygraph.core.errors import IngestError, TooLarge, UnsupportedFormat
from policygraph.core.settings import Settings
from policygraph.ingest.readers import read_bytes, read_file
from policygraph.service.service import Service

KEY = "security-ingest-key"
PUBLIC = Path(__file__).parent / "data" / "public"
LINE = "警察庁は、令和8年度中に照会窓口の整備を検討する。\n"  # 26 characters
MAX_CHARS = 1000


# ---- hostile inputs ----------------------------------------------------------------------

def _pdf_with_content(content: bytes) -> bytes:
    """A one-page PDF (Helvetica) whose content stream is ``content``, Flate-compressed."""
    stream = zlib.compress(content, 9)
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
            b" /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def _pdf_bomb() -> bytes:
    """≈ 230 kB of PDF whose page decompresses to 81 MB: over pypdf's 75 MB limit."""
    return _pdf_with_content(b"BT /F1 12 Tf 10 10 Td (hello) Tj ET " * 2_200_000)


def _egov_with_late_dtd() -> bytes:
    """A real e-Gov law whose DOCTYPE (with an entity used in the title) comes after a
    70 KB comment; the comment's ``<Law>`` makes the head sniff as e-Gov XML."""
    law = (PUBLIC / "fusei_access_kinshi_hou.egov.xml").read_bytes()
    decl, rest = law.split(b"?>", 1)
    rest = rest.replace(b"</LawTitle>", b"&t;</LawTitle>", 1)
    out = (decl + b"?>\n<!-- <Law> " + b"x" * 70_000 + b" -->\n"
           + b'<!DOCTYPE DataRoot [<!ENTITY t "' + "試験".encode() * 10 + b'">]>' + rest)
    assert out.index(b"<!DOCTYPE") > 65536
    return out


def _docx(paragraphs: list[str]) -> bytes:
    import docx

    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _docx_merged_cell(span: int) -> bytes:
    """A table whose one cell spans ``span`` grid columns (python-docx's ``row.cells``
    gives the cell ``span`` times) and whose next row continues it (vMerge)."""
    import docx

    d = docx.Document()
    d.add_paragraph("結合セルの試験文書")
    t = d.add_table(rows=2, cols=2)
    top = t.cell(0, 0).merge(t.cell(1, 1))
    top.text = LINE.strip()
    buf = io.BytesIO()
    d.save(buf)
    data = buf.getvalue()
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    key = b'<w:gridSpan w:val="2"/>'
    assert key in parts["word/document.xml"] and b"<w:vMerge/>" in parts["word/document.xml"]
    parts["word/document.xml"] = parts["word/document.xml"].replace(key, b'<w:gridSpan w:val="%d"/>' % span)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in parts.items():
            z.writestr(n, b)
    return out.getvalue()


def _docx_lzma() -> bytes:
    """A Word document whose members are LZMA-compressed (zipfile does not bound what one
    LZMA chunk expands to)."""
    with zipfile.ZipFile(io.BytesIO(_docx([LINE]))) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_LZMA) as z:
        for n, b in parts.items():
            z.writestr(n, b)
    return out.getvalue()


HTML_UNDEFINED = ('<html><head><meta charset="undefined"><title>t</title></head><body><main>'
                  "<h2>照会窓口</h2><p>都道府県警察は、夜間の照会窓口を整備する。</p></main></body></html>").encode()


def _hostile_folder(root: Path) -> dict[str, str]:
    """A folder of hostile entries; returns file name → what its refusal says."""
    root.mkdir()
    os.mkfifo(root / "fifo.txt")
    os.mkfifo(root / "fifo.xml")  # skipped: XML that cannot be sniffed
    (root / "zero.txt").symlink_to("/dev/zero")
    (root / "gone.txt").symlink_to(root / "nowhere.txt")
    (root / "bomb.pdf").write_bytes(_pdf_bomb())
    (root / "late_dtd.xml").write_bytes(_egov_with_late_dtd())
    (root / "lzma.docx").write_bytes(_docx_lzma())
    (root / "long.docx").write_bytes(_docx([LINE.strip()] * 60))  # ≈ 1,600 characters
    expect = {"fifo.txt": "FIFO", "zero.txt": "device", "gone.txt": "No such file", "bomb.pdf": "limit",
              "late_dtd.xml": "DTD", "lzma.docx": "deflate", "long.docx": "POLICYGRAPH_MAX_DOCUMENT_CHARS"}
    if Path("/proc/self/mem").exists():  # a regular file that root cannot read either (EIO)
        (root / "mem.txt").symlink_to("/proc/self/mem")
        expect["mem.txt"] = "cannot read"
    if os.geteuid() != 0:
        (root / "mode000.txt").write_text(LINE, encoding="utf-8")
        (root / "mode000.txt").chmod(0)
        expect["mode000.txt"] = "Permission denied"
    return expect


def _within(seconds: float, fn: Callable[[], Any]) -> Any:
    """``fn()``, failing the test (not hanging it) if it blocks."""
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as e:  # noqa: BLE001 - re-raised below
            box["error"] = e

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"blocked for {seconds} s"
    if "error" in box:
        raise box["error"]
    return box.get("value")


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POLICYGRAPH_MAX_DOCUMENT_CHARS", str(MAX_CHARS))
    monkeypatch.setenv("POLICYGRAPH_GINZA_PROCESSES", "1")


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = _within(300, lambda: main(list(args)))
    out, err = capsys.readouterr()
    return code, out, err


# ---- item 3: special files; item 13: unreadable files -----------------------------------------

def test_cli_refuses_special_and_unreadable_files_by_name_without_blocking(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], cli_env: None) -> None:
    folder = tmp_path / "in"
    expect = _hostile_folder(folder)
    code, out, err = _cli(capsys, "--data", str(tmp_path / "data"), "ingest", str(folder))
    assert code == 2, (out, err)
    lines = err.splitlines()
    for name, why in expect.items():
        assert any(ln.startswith(f"policygraph: {name}: ") and why in ln for ln in lines), (name, err)
    assert "fifo.xml" not in err and "Traceback" not in err and not out.strip()
    # named directly: a FIFO and a character device
    code, _, err = _cli(capsys, "--data", str(tmp_path / "data"), "ingest", str(folder / "fifo.txt"), "/dev/zero")
    assert code == 2 and "fifo.txt: not a regular file (a FIFO)" in err and "zero: not a regular file (a device)" in err


def test_reader_refuses_by_fstat_before_reading(tmp_path: Path) -> None:
    f = tmp_path / "grown.txt"
    f.write_text(LINE * 100, encoding="utf-8")
    with pytest.raises(TooLarge, match="grown.txt"):
        read_file(f, max_bytes=1000)
    with pytest.raises(IngestError, match=r"zero: not a regular file \(a device\)"):
        _within(10, lambda: read_file(Path("/dev/zero")))


# ---- the upload route ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Service]]:
    settings = Settings(data=tmp_path_factory.mktemp("security-ingest"), api_key=SecretStr(KEY),
                        max_document_chars=MAX_CHARS)
    svc = Service(settings)
    with TestClient(create_app(settings, service=svc), base_url="http://127.0.0.1") as c:
        yield c, svc
    svc.close()


def _upload(c: TestClient, name: str, data: bytes) -> Any:
    return c.post("/api/documents", files={"file": (name, data, "application/octet-stream")},
                  headers={"Authorization": f"Bearer {KEY}"})


def _refused(r: Any, status: int, name: str, why: str) -> None:
    assert r.status_code == status, (r.status_code, r.text)
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert body["source"] == name and why in body["detail"], body


# item 9
@pytest.mark.parametrize("name", ["long.txt", "long.html", "long.docx"])
def test_upload_over_the_character_limit_is_413(client: tuple[TestClient, Service], name: str) -> None:
    c, svc = client
    data = {"long.txt": (LINE * 40).encode(),  # 1,040 characters in 3,000 bytes
            "long.html": ("<html><body>" + "<p>" + LINE * 40 + "</p></body></html>").encode(),
            "long.docx": _docx([LINE.strip()] * 40)}[name]
    _refused(_upload(c, name, data), 413, name, "POLICYGRAPH_MAX_DOCUMENT_CHARS")
    assert svc.documents()["total"] == 0


def test_merged_cell_is_read_once_not_per_spanned_column() -> None:
    """The amplification behind "0.66 MB of .docx, 14.5 M characters": 800 spanned grid
    columns and the vertically merged row below would repeat the cell 1,600 times (≈ 40,000
    characters); it is read once."""
    doc = read_bytes(_docx_merged_cell(800), "merged.docx", max_chars=MAX_CHARS)
    assert doc.text.count("照会窓口") == 1 and len(doc.text) < 100, doc.text


def _docx_numbered_from(start: int) -> bytes:
    """A numbered list whose levels start at ``start`` and number with letters (A, B, …)."""
    import docx

    d = docx.Document()
    d.add_paragraph("第一の項目", style="List Number")
    buf = io.BytesIO()
    d.save(buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    numbering = parts["word/numbering.xml"]
    assert b'<w:start w:val="1"/>' in numbering and b'w:numFmt w:val="decimal"' in numbering
    parts["word/numbering.xml"] = numbering.replace(b'<w:start w:val="1"/>', b'<w:start w:val="%d"/>' % start).replace(
        b'w:numFmt w:val="decimal"', b'w:numFmt w:val="upperLetter"')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in parts.items():
            z.writestr(n, b)
    return out.getvalue()


@pytest.mark.parametrize("start", [2_000_000_000, -20])
def test_a_word_lists_start_out_of_range_prints_as_digits(start: int) -> None:
    """Word's list numbers are computed from the file's ``w:start``: a letter number at two
    thousand million would be a string of 77 million letters, one below 1 indexes before its
    sequence. Out of Word's own range the count is printed as digits."""
    doc = read_bytes(_docx_numbered_from(start), "numbered.docx", max_chars=MAX_CHARS)
    assert doc.text == f"{start}. 第一の項目\n"


# item 13
def test_upload_of_pdf_over_the_decompression_limit_is_refused(client: tuple[TestClient, Service]) -> None:
    c, svc = client
    _refused(_upload(c, "bomb.pdf", _pdf_bomb()), 422, "bomb.pdf", "limit")
    _refused(_upload(c, "lzma.docx", _docx_lzma()), 422, "lzma.docx", "deflate")
    assert svc.documents()["total"] == 0


def test_html_with_undefined_charset_is_read_by_detection() -> None:
    doc = read_bytes(HTML_UNDEFINED, "undefined.html")
    assert "都道府県警察は、夜間の照会窓口を整備する。" in doc.text
    for bogus in ("rot13", "unicode_escape", "base64", "no-such-charset"):
        html = HTML_UNDEFINED.replace(b"undefined", bogus.encode())
        assert read_bytes(html, "bogus.html").text == doc.text, bogus


# item 15
def test_upload_of_egov_xml_with_a_dtd_after_70kb_is_refused(client: tuple[TestClient, Service]) -> None:
    c, svc = client
    _refused(_upload(c, "late_dtd.xml", _egov_with_late_dtd()), 415, "late_dtd.xml", "DTD")
    with pytest.raises(UnsupportedFormat, match="late_dtd.xml"):
        read_bytes(_egov_with_late_dtd(), "late_dtd.xml")
    assert svc.documents()["total"] == 0


# ---- the folder goes on ------------------------------------------------------------------------

@pytest.mark.slow
def test_cli_folder_ingest_goes_on_past_hostile_files(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], cli_env: None) -> None:
    folder = tmp_path / "in"
    expect = _hostile_folder(folder)
    (folder / "undefined.html").write_bytes(HTML_UNDEFINED)
    (folder / "merged.docx").write_bytes(_docx_merged_cell(800))
    code, out, err = _cli(capsys, "--data", str(tmp_path / "data"), "ingest", str(folder))
    assert code == 2
    for name in expect:
        assert f"policygraph: {name}: " in err, (name, err)
    assert "Traceback" not in err
    added = sorted(ln.split()[1] for ln in out.splitlines() if ln.split()[:1] == ["added"])
    assert added == ["merged.docx", "undefined.html"], out
