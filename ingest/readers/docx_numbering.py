"""The numbers Word prints before its numbered paragraphs (1., 8.2, (ア), ①) and the
bullets before its list items: they live in ``numbering.xml``, not in the text, so a
heading styled 見出し 2 reads "8.2 日付の表記" only once they are counted.

A paragraph's list (``w:numPr``: list instance and level) is its own or its style's
(following ``w:basedOn``), or the level a list links to the style (``w:pStyle`` in a
level).  Each list instance counts its levels from their ``w:start`` (or the instance's
``w:startOverride``); a level restarts when one above it advances.  A level's ``w:lvlText``
(``%1.%2``) is filled with each level's count in that level's ``w:numFmt``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from policygraph.ingest.numerals import KANA, KANJI_0_9

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_IROHA = "イロハニホヘトチリヌルヲワカヨタレソツネナラムウヰノオクヤマケフコエテアサキユメミシヱヒモセス"
_STEMS = "甲乙丙丁戊己庚辛壬癸"
_MAX_COUNT = 32767  # the largest start Word accepts
_ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
          (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


@dataclass(frozen=True)
class _Level:
    start: int
    fmt: str
    text: str


@dataclass
class Numbering:
    """What a document's lists print, and their counts so far (read paragraphs in order)."""

    levels: dict[str, dict[int, _Level]] = field(default_factory=dict)  # numId → ilvl → level
    abstract_of: dict[str, str] = field(default_factory=dict)  # numId → abstractNumId
    style_list: dict[str, tuple[str, int]] = field(default_factory=dict)  # styleId → (numId, ilvl)
    based_on: dict[str, str] = field(default_factory=dict)
    counts: dict[str, dict[int, int]] = field(default_factory=dict)  # abstractNumId → ilvl → count

    def prefix(self, p: Any) -> str:
        """What Word prints before paragraph ``p`` (a ``w:p`` element): its number and a space,
        "・" for a bullet, "" for no list."""
        found = self._list_of(p)
        if found is None:
            return ""
        num, ilvl = found
        levels = self.levels.get(num)
        if not levels or ilvl not in levels:
            return ""
        level = levels[ilvl]
        if level.fmt == "bullet":
            return "・"
        if level.fmt == "none":
            return ""
        counts = self.counts.setdefault(self.abstract_of.get(num, num), {})
        counts[ilvl] = counts.get(ilvl, level.start - 1) + 1
        for deeper in [k for k in counts if k > ilvl]:
            del counts[deeper]  # a level restarts when one above it advances
        out = level.text
        for k in range(9, -1, -1):  # (%10 is not a level: Word has nine)
            if f"%{k + 1}" in out:
                lv = levels.get(k)
                count = counts.get(k, lv.start if lv else 1)
                out = out.replace(f"%{k + 1}", _formatted(count, lv.fmt if lv else "decimal"))
        out = out.strip()
        return f"{out} " if out else ""

    def _list_of(self, p: Any) -> tuple[str, int] | None:
        ppr = p.find(f"{_W}pPr")
        own = _num_pr(ppr)
        style = ppr.find(f"{_W}pStyle") if ppr is not None else None
        style_id = style.get(f"{_W}val") if style is not None else None
        if own is not None and own[0] is not None:
            return None if own[0] == "0" else (own[0], own[1] if own[1] is not None else 0)
        seen: set[str] = set()
        while style_id and style_id not in seen:  # the style's list, or the one it is based on
            seen.add(style_id)
            if style_id in self.style_list:
                num, ilvl = self.style_list[style_id]
                if num == "0":
                    return None
                return num, own[1] if own is not None and own[1] is not None else ilvl
            style_id = self.based_on.get(style_id, "")
        return None


def _num_pr(ppr: Any) -> tuple[str | None, int | None] | None:
    if ppr is None:
        return None
    pr = ppr.find(f"{_W}numPr")
    if pr is None:
        return None
    num = pr.find(f"{_W}numId")
    lvl = pr.find(f"{_W}ilvl")
    return (num.get(f"{_W}val") if num is not None else None,
            _int(lvl.get(f"{_W}val")) if lvl is not None else None)


def read_numbering(document: Any) -> Numbering:
    """The lists of a python-docx ``Document`` (empty when it has none)."""
    out = Numbering()
    try:
        root = document.part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        return out
    abstract: dict[str, dict[int, _Level]] = {}
    linked: dict[str, tuple[str, int]] = {}  # styleId → (abstractNumId, ilvl) named by a level
    for an in root.findall(f"{_W}abstractNum"):
        aid = an.get(f"{_W}abstractNumId") or ""
        abstract[aid] = {}
        for lvl in an.findall(f"{_W}lvl"):
            ilvl = _int(lvl.get(f"{_W}ilvl"))
            abstract[aid][ilvl] = _level(lvl)
            style = lvl.find(f"{_W}pStyle")
            if style is not None:
                linked[style.get(f"{_W}val") or ""] = (aid, ilvl)
    for num in root.findall(f"{_W}num"):
        nid = num.get(f"{_W}numId") or ""
        aid_el = num.find(f"{_W}abstractNumId")
        aid = aid_el.get(f"{_W}val") if aid_el is not None else ""
        levels = dict(abstract.get(aid or "", {}))
        for ov in num.findall(f"{_W}lvlOverride"):
            ilvl = _int(ov.get(f"{_W}ilvl"))
            lvl = ov.find(f"{_W}lvl")
            start = ov.find(f"{_W}startOverride")
            if lvl is not None:
                levels[ilvl] = _level(lvl)
            if start is not None and ilvl in levels:
                old = levels[ilvl]
                levels[ilvl] = _Level(_int(start.get(f"{_W}val"), 1), old.fmt, old.text)
        out.levels[nid] = levels
        # an instance with its own starts counts apart from its list's other instances
        out.abstract_of[nid] = f"{aid}:{nid}" if num.findall(f"{_W}lvlOverride") else aid or nid
    instance_of: dict[str, str] = {}
    for nid, aid in out.abstract_of.items():
        instance_of.setdefault(aid.split(":")[0], nid)
    for style in document.styles.element.findall(f"{_W}style"):
        sid = style.get(f"{_W}styleId") or ""
        based = style.find(f"{_W}basedOn")
        if based is not None:
            out.based_on[sid] = based.get(f"{_W}val") or ""
        own = _num_pr(style.find(f"{_W}pPr"))
        if own is not None and own[0] is not None:
            ilvl = own[1] if own[1] is not None else linked.get(sid, ("", 0))[1]
            out.style_list[sid] = (own[0], ilvl)
        elif sid in linked and linked[sid][0] in instance_of:
            out.style_list[sid] = (instance_of[linked[sid][0]], linked[sid][1])
    return out


def _level(lvl: Any) -> _Level:
    start = lvl.find(f"{_W}start")
    fmt = lvl.find(f"{_W}numFmt")
    text = lvl.find(f"{_W}lvlText")
    return _Level(_int(start.get(f"{_W}val"), 1) if start is not None else 1,
                  (fmt.get(f"{_W}val") if fmt is not None else None) or "decimal",
                  (text.get(f"{_W}val") if text is not None else None) or "")


def _formatted(n: int, fmt: str) -> str:
    """A count as a level's number format prints it.

    >>> [_formatted(3, f) for f in ("decimal", "decimalFullWidth", "aiueoFullWidth", "iroha", "decimalEnclosedCircle")]
    ['3', '３', 'ウ', 'ハ', '③']
    >>> [_formatted(12, f) for f in ("japaneseCounting", "upperRoman", "lowerLetter", "decimalZero")]
    ['十二', 'XII', 'l', '12']

    A count outside Word's own range (a file's ``w:start`` is not to be trusted) prints as
    digits: no string grows with it, and no sequence is indexed below its start.

    >>> _formatted(-20, "japaneseCounting"), _formatted(2_000_000_000, "upperLetter")
    ('-20', '2000000000')
    """
    if not 1 <= n <= _MAX_COUNT:
        return str(n)
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return "".join(chr(0xFF10 + int(d)) for d in str(n))
    if fmt in ("aiueo", "aiueoFullWidth"):
        return KANA[(n - 1) % len(KANA)]
    if fmt in ("iroha", "irohaFullWidth"):
        return _IROHA[(n - 1) % len(_IROHA)]
    if fmt.startswith("decimalEnclosedCircle") and 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if fmt in ("japaneseCounting", "japaneseDigitalTenThousand", "japaneseLegal", "chineseCounting",
               "chineseCountingThousand", "ideographDigital"):
        return _kanji(n)
    if fmt == "ideographTraditional":
        return _STEMS[(n - 1) % len(_STEMS)]
    if fmt in ("upperRoman", "lowerRoman"):
        roman = ""
        for value, sym in _ROMAN:
            while n >= value:
                roman += sym
                n -= value
        return roman if fmt == "upperRoman" else roman.lower()
    if fmt in ("upperLetter", "lowerLetter"):
        letter = chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter if fmt == "upperLetter" else letter.lower()
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


def _kanji(n: int) -> str:
    if n < 10:
        return KANJI_0_9[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else KANJI_0_9[tens]) + "十" + (KANJI_0_9[ones] if ones else "")
    return str(n)


def _int(value: str | None, default: int = 0) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default
