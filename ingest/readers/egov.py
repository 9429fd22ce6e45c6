"""e-Gov law XML (法令標準XML, as e-Gov's 法令API and bulk download serve it) → the
text layout e-Gov prints a law in.

The statute's own structure becomes lines the section parser already reads::

    行政手続法
    （平成五年法律第八十八号）

    目次 …                      (skipped as a table of contents)

    第一章　総則
    （目的等）
    第一条　この法律は、…
    ２　…                       (paragraphs)
    一　…                       (items; イ ロ ハ sub-items, (1) (2) below them)

    附　則　（平成一一年七月一六日法律第八七号）　抄

Ruby readings (``<Rt>``) are dropped, table cells are tab-separated like the HTML
reader's, a ``<Sentence>``'s columns are joined by a full-width space as e-Gov prints
them.  Offsets of every record index this rendered text.  The parser (defusedxml) refuses
a DTD, an entity declaration or an external reference wherever it is in the file (e-Gov
XML has none; it is how entity-expansion bombs and file or network reads arrive).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from policygraph.core.errors import IngestError, UnsupportedFormat
from policygraph.ingest.readers.text import decode_text

_HEADS = {"Part": "PartTitle", "Chapter": "ChapterTitle", "Section": "SectionTitle",
          "Subsection": "SubsectionTitle", "Division": "DivisionTitle"}
_ITEMS = ("Item", "Subitem1", "Subitem2", "Subitem3", "Subitem4", "Subitem5", "Subitem6")
_SKIP = {"Rt"}


def is_egov_xml(head: bytes) -> bool:
    """Whether the first bytes of a file are e-Gov law XML: a bare ``<Law>``, the 法令API
    version 1 ``<DataRoot>`` wrapper or the version 2 ``<law_data_response>`` (whose list of
    attached files can push ``<Law>`` past the first few kilobytes).

    >>> is_egov_xml(b'<?xml version="1.0"?><Law Era="Heisei" Lang="ja"><LawNum>')
    True
    >>> is_egov_xml(b'<law_data_response><attached_files_info>')
    True
    >>> is_egov_xml(b'<?xml version="1.0"?><rss>')
    False
    """
    return bool(re.search(rb"<Law[\s>]|<LawFullText[\s>]|<law_data_response[\s>]", head[:4096]))


def read_egov_xml(data: bytes, name: str) -> str:
    xml = decode_text(data, name)
    try:
        root = fromstring(xml.encode("utf-8"), forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as e:
        raise UnsupportedFormat(f"XML with a DTD or entity declarations is not accepted ({type(e).__name__})",
                                source=name) from None
    except ET.ParseError as e:
        raise IngestError(f"malformed e-Gov law XML: {e}", source=name) from None
    law = root if root.tag == "Law" else root.find(".//Law")
    body = law.find("LawBody") if law is not None else None
    if law is None or body is None:
        raise UnsupportedFormat("an XML file that is not an e-Gov law (no <Law>/<LawBody>)", source=name)
    out: list[str] = [_text(body.find("LawTitle"))]
    num = _text(law.find("LawNum"))
    if num:
        out.append(f"（{num}）")
    out.append("")
    for child in body:
        if child.tag == "TOC":
            _toc(child, out)
        elif child.tag == "Preamble":
            out.extend(_text(p) for p in child.iter("Paragraph"))
            out.append("")
        elif child.tag == "MainProvision":
            _provisions(child, out)
        elif child.tag == "SupplProvision":
            _suppl(child, out)
        elif child.tag.startswith("AppdxTable") or child.tag.startswith("Appdx"):
            title = next((_text(t) for t in child if t.tag.endswith("Title")), "")
            out.extend(["", title or "別表", ""])
            _provisions(child, out)
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _text(el: ET.Element | None) -> str:
    """An element's text without ruby readings."""
    if el is None:
        return ""
    parts: list[str] = []

    def walk(e: ET.Element) -> None:
        if e.tag in _SKIP:
            return
        if e.text:
            parts.append(e.text)
        for c in e:
            walk(c)
            if c.tail:
                parts.append(c.tail)

    walk(el)
    return re.sub(r"\s*\n\s*", "", "".join(parts)).strip()


def _sentences(el: ET.Element | None) -> str:
    if el is None:
        return ""
    cols = el.findall("Column")
    if cols:
        return "　".join(_text(c) for c in cols)
    sents = el.findall("Sentence")
    return "".join(_text(s) for s in sents) if sents else _text(el)


def _toc(toc: ET.Element, out: list[str]) -> None:
    out.append(_text(toc.find("TOCLabel")) or "目次")
    for el in toc.iter():
        if el.tag.startswith("TOC") and el.tag not in ("TOC", "TOCLabel"):
            label = "".join(_text(x) for x in el if not x.tag.startswith("TOC"))
            if label:
                out.append("　" + label)
    out.append("")


def _provisions(el: ET.Element, out: list[str]) -> None:
    for child in el:
        if child.tag in _HEADS:
            out.extend(["", _text(child.find(_HEADS[child.tag])), ""])
            _provisions(child, out)
        elif child.tag == "Article":
            _article(child, out)
        elif child.tag == "Paragraph":
            _paragraph(child, None, out)
            out.append("")
        elif child.tag == "TableStruct":
            _table(child, out)
        elif child.tag in ("Remarks", "Note", "Style", "Format"):
            out.append(_text(child))


def _article(a: ET.Element, out: list[str]) -> None:
    caption = _text(a.find("ArticleCaption"))
    if caption:
        out.append(caption)
    title = _text(a.find("ArticleTitle"))
    for i, p in enumerate(a.findall("Paragraph")):
        _paragraph(p, title if i == 0 else None, out)
    out.append("")


def _paragraph(p: ET.Element, article_title: str | None, out: list[str]) -> None:
    caption = _text(p.find("ParagraphCaption"))
    if caption:
        out.append(caption)
    body = _sentences(p.find("ParagraphSentence"))
    num = _text(p.find("ParagraphNum"))
    head = article_title or num
    out.append(f"{head}　{body}" if head else body)
    for child in p:
        if child.tag == "Item":
            _item(child, 0, out)
        elif child.tag == "TableStruct":
            _table(child, out)
        elif child.tag in ("AmendProvision", "List"):
            out.append(_text(child))


def _item(el: ET.Element, level: int, out: list[str]) -> None:
    tag = _ITEMS[level]
    title = _text(el.find(tag + "Title"))
    body = _sentences(el.find(tag + "Sentence"))
    out.append(f"{title}　{body}" if title else body)
    for child in el:
        if level + 1 < len(_ITEMS) and child.tag == _ITEMS[level + 1]:
            _item(child, level + 1, out)
        elif child.tag == "TableStruct":
            _table(child, out)


def _table(ts: ET.Element, out: list[str]) -> None:
    for row in ts.iter("TableRow"):
        out.append("\t".join(_text(col) for col in row.findall("TableColumn")))


def _suppl(sp: ET.Element, out: list[str]) -> None:
    label = _text(sp.find("SupplProvisionLabel")) or "附　則"
    amend = sp.get("AmendLawNum")
    head = label + (f"　（{amend}）" if amend else "") + ("　抄" if sp.get("Extract") == "true" else "")
    out.extend(["", head, ""])
    _provisions(sp, out)
