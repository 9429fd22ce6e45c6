"""HTML: main content only (main/article/e-Gov law body, else body), headings as Markdown."""

from __future__ import annotations

import re

from ingest.readers.text import decode_text

DROP = "script, style, nav, header, footer, aside, noscript, form, iframe"
BLOCKS = {"p", "div", "li", "tr", "br", "dt", "dd", "section", "article", "h1", "h2", "h3", "h4", "h5", "h6",
          "table", "ul", "ol", "blockquote", "pre"}


def read_html(data: bytes, name: str) -> str:
    from selectolax.lexbor import LexborHTMLParser as HTMLParser

    m = re.search(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_-]+)", data[:4096], re.I)
    try:
        html = data.decode(m.group(1).decode()) if m else decode_text(data, name)
    except (LookupError, UnicodeDecodeError):
        html = decode_text(data, name)
    tree = HTMLParser(html)
    for node in tree.css(DROP):
        node.decompose()
    root = (tree.css_first("#MainProvision") or tree.css_first(".LawBody") or tree.css_first("main")
            or tree.css_first("article") or tree.body or tree.root)
    out: list[str] = []
    _walk(root, out)
    text = "".join(out)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _walk(node: object, out: list[str]) -> None:
    for child in node.iter(include_text=True):  # type: ignore[attr-defined]
        tag = child.tag
        if tag == "-text":
            out.append(re.sub(r"\s+", " ", child.text(deep=False)))
            continue
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            out.append("\n\n" + "#" * int(tag[1]) + " " + child.text(deep=True).strip() + "\n\n")
            continue
        if tag in ("td", "th"):
            out.append(child.text(deep=True).strip() + "\t")
            continue
        if tag in BLOCKS:
            out.append("\n")
        _walk(child, out)
        if tag in BLOCKS:
            out.append("\n")
