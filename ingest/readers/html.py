"""HTML: main content only (main/article/an e-Gov law page's law, else body), headings as Markdown.

A ``<meta charset>`` is used only if it names a text encoding Python has (not one of its
transforms such as ``undefined``, ``unicode_escape`` or ``rot13``) and the bytes decode
strictly with it; otherwise, and with a BOM, the encoding is detected as for text.  A
declared UTF-16/32 is read as detected too (the ``<meta>`` was found in ASCII bytes, so
the file is not UTF-16, as the HTML standard says).
"""

from __future__ import annotations

import codecs
import re
from typing import Any

from policygraph.ingest.numerals import KANA, ROMAN
from policygraph.ingest.readers.text import decode_text

DROP = "script, style, nav, header, footer, aside, noscript, form, iframe"
BLOCKS = {"p", "div", "li", "tr", "br", "dt", "dd", "section", "article", "h1", "h2", "h3", "h4", "h5", "h6",
          "table", "ul", "ol", "blockquote", "pre"}
# codecs that are text encodings to Python but no web page's charset
_NOT_CHARSETS = {"undefined", "unicode-escape", "raw-unicode-escape", "punycode", "idna", "utf-7",
                 "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"}


def read_html(data: bytes, name: str) -> str:
    from selectolax.lexbor import LexborHTMLParser as HTMLParser

    enc = declared_charset(data)
    try:
        html = data.decode(enc) if enc else decode_text(data, name)
    except UnicodeError:  # also what the "undefined" codec raises
        html = decode_text(data, name)
    tree = HTMLParser(html)
    for node in tree.css(DROP):
        node.decompose()
    _drop_site_chrome(tree)
    root = (_egov_law(tree) or tree.css_first(".LawBody") or tree.css_first("main")
            or tree.css_first("article") or tree.body or tree.root)
    out: list[str] = []
    _walk(root, out)
    text = "".join(out)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _egov_law(tree: Any) -> Any:
    """An e-Gov law page's law: the block around its 本則 (``#MainProvision``), which holds
    its number and title, 制定文, 目次, 附則 and 別記 too, as the e-Gov XML does."""
    main = tree.css_first("#MainProvision")
    if main is None:
        return None
    return main.parent if main.parent is not None and main.parent.tag != "body" else main


# site chrome of pages that predate <nav>/<header>: containers named for it by id or class
_CHROME_WORDS = ("header", "footer", "navi", "gnav", "menu", "bread", "sidebar", "sidenav", "pagetop", "skip")
_CHROME = ", ".join(f"{tag}[{attr}*={w}]" for tag in ("div", "ul", "dl", "p") for attr in ("id", "class")
                    for w in (*_CHROME_WORDS, *(w.capitalize() for w in _CHROME_WORDS)))


def _drop_site_chrome(tree: Any) -> None:
    """Remove header, menu, breadcrumb and footer containers of a site's page layout
    (``<div id="header2011">``, ``<div class="globalNavi2011">``) — but never one that holds
    a large share of the page's text: a wrapper that happens to be called so is content."""
    body = tree.body
    total = len(body.text(deep=True)) if body is not None else 0
    for node in tree.css(_CHROME):
        if node.parent is None:
            continue  # already removed with an ancestor
        if total and len(node.text(deep=True)) <= 0.25 * total:
            node.decompose()


def declared_charset(data: bytes) -> str | None:
    """The codec a page's ``<meta charset>`` names, if it is a usable text encoding.

    >>> declared_charset(b'<meta charset="Shift_JIS">'), declared_charset(b'<meta charset="undefined">')
    ('shift_jis', None)
    >>> declared_charset(b'<meta charset=rot13>'), declared_charset(b'\\xef\\xbb\\xbf<meta charset=euc-jp>')
    (None, None)
    """
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return None  # a BOM wins over the declaration
    m = re.search(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9_-]+)", data[:4096], re.I)
    if not m:
        return None
    try:
        info = codecs.lookup(m.group(1).decode("ascii"))
    except LookupError:
        return None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
        return None
    return info.name


def _walk(root: Any, out: list[str]) -> None:
    """Text of ``root``'s subtree in document order, with an explicit stack (deeply nested
    markup must not hit Python's recursion limit)."""
    stack: list[Any] = list(reversed(list(root.iter(include_text=True))))
    numbers: dict[int, str] = {}  # an ordered list's item → the number a reader sees before it
    while stack:
        child = stack.pop()
        if isinstance(child, str):  # a block's closing newline
            out.append(child)
            continue
        tag = child.tag
        if tag == "-text":
            out.append(re.sub(r"\s+", " ", child.text(deep=False)))
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            out.append("\n\n" + "#" * int(tag[1]) + " " + child.text(deep=True).strip() + "\n\n")
        elif tag in ("td", "th"):
            out.append(child.text(deep=True).strip() + "\t")
        else:
            if tag == "ol":
                numbers.update(_list_numbers(child))
            if tag in BLOCKS:
                out.append("\n")
                stack.append("\n")
            if tag == "li" and child.mem_id in numbers:
                out.append(numbers[child.mem_id])
            stack.extend(reversed(list(child.iter(include_text=True))))


_KANA = KANA[: KANA.index("ヲ")]  # (a page's list runs ア … ワ, then starts again)
# an item that prints its own number: (１)から…, 1. , ①, ア , 第1 (the page's list shows no other)
_OWN_NUMBER = re.compile(r"^\s*(?:[(（]\s*[0-9０-９a-zａ-ｚア-ン]{1,2}\s*[)）]|[0-9０-９]{1,2}\s*[.．、)）\s]|[①-⑳]|[ア-ン][\s　.．]|第\s*[0-9０-９一二三四五六七八九十]+)")


def _list_numbers(ol: Any) -> dict[int, str]:
    """The number a reader sees before each item of an ordered list, as Japanese official
    pages number their levels (1 › (1) › ア › (ア); a ``type`` attribute wins: a, A, i, I),
    from its ``start`` and an item's ``value``; none when the items print their own (the
    page then hides the list's).  Keyed by the item's ``mem_id``.

    >>> from selectolax.lexbor import LexborHTMLParser
    >>> t = LexborHTMLParser("<ol start=2><li>甲<ol><li>乙</li><li>丙</li></ol></li></ol><ol><li>(1)丁</li></ol>")
    >>> [n for ol in t.css("ol") for n in _list_numbers(ol).values()]
    ['2 ', '(1) ', '(2) ']
    """
    items = [c for c in ol.iter() if c.tag == "li"]
    if not items or all(_OWN_NUMBER.match(li.text(deep=True)) for li in items):
        return {}
    depth, node = 0, ol
    while node is not None:
        depth += node.tag == "ol"
        node = node.parent
    kind = (ol.attributes.get("type") or "").strip()
    out = {}
    n = _int(ol.attributes.get("start"), 1) - 1
    for li in items:
        n = _int(li.attributes.get("value"), n + 1)
        if kind in ("a", "A"):
            mark = chr(ord(kind) + (n - 1) % 26)
        elif kind in ("i", "I"):
            mark = ROMAN[(n - 1) % len(ROMAN)]
            mark = mark.upper() if kind == "I" else mark
        elif depth % 4 in (3, 0):
            mark = _KANA[(n - 1) % len(_KANA)]
        else:
            mark = str(n)
        out[li.mem_id] = f"({mark}) " if depth % 2 == 0 else f"{mark} "
    return out


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default
