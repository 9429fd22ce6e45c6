"""Document metadata from the head of a normalised document text.

Title, type (通達, 依命通達, 計画, 工程表, 要領 …), date of issue, document numbers
(警察庁丙企画発第18号), issuers and addressees as printed, retention (原議保存期間) and
validity (有効期間), the documents it cites (「…について（依命通達）」（令和8年4月2日付け…）)
and the ones it repeals (前記通達は、同日付けで廃止する).

>>> m = extract_metadata("大通達甲(運免)第6号\\n令和7年3月25日\\n\\n交通部長\\n\\n点数制度の改正について(通達)\\n\\n本文。")
>>> m.title, m.doc_type, m.date, m.numbers
('点数制度の改正について(通達)', '通達', '2025-03-25', ('大通達甲(運免)第6号',))
>>> m = extract_metadata("行政手続法\\n(平成五年法律第八十八号)\\n\\n目次\\n")
>>> m.title, m.doc_type, m.numbers
('行政手続法', '法令', ('平成五年法律第八十八号',))
"""

from __future__ import annotations

import re
from datetime import date

from policygraph.core.records import DocumentMeta
from policygraph.ingest.bullets import BULLETS
from policygraph.ingest.extract.deadlines import era_to_western
from policygraph.ingest.numerals import KANJI_0_9, KANJI_DIGITS

_DATE = re.compile(r"(令和|平成|昭和)(\d+|元)年(\d{1,2})月(\d{1,2})日|(\d{4})年(\d{1,2})月(\d{1,2})日|(\d{4})\.(\d{1,2})\.(\d{1,2})")
_NUMBER = re.compile(r"[^\s、,。「」]{1,30}?(?: ?[0-9]+ )?第 ?\d+ ?号")
_TYPE_SUFFIX = re.compile(r"\((依命通達|通達|通知|事務連絡|示達|依命示達|訓令)\)\s*$")
_TYPE_WORDS = ("工程表", "アクションプラン", "プラン", "計画", "要領", "要綱", "指針", "方針", "戦略", "ガイドライン", "報告書")
_CITE = re.compile(
    r"「([^「」]{6,120}?(?:について|に関する[^「」]*)(?:\([^()]{1,10}\))?)」"
    r"\(((?:令和|平成)[^()]{0,60}?付け(?:[^()]|\([^()]{0,20}\)){0,80})\)"
)
_DATE_LINE = re.compile(r"^\s*(?:(令和|平成|昭和)(\d+|元)年|(\d{4})年)\s*(\d{1,2})月(?:\s*(\d{1,2})日)?\s*$")
_REPEAL = re.compile(r"(?:前記|上記|当該|同)(?:通達|通知|要領)は、[^。]{0,20}廃止する")
_FRONT_MATTER = re.compile(r"\A\s*---\n(.*?)\n---\s*\n", re.S)
_MARKER_LINE = re.compile(r"^(?:第[0-9" + KANJI_0_9 + r"十百]+(?:[章節条款]|\s|$)|#|[0-9]+\s)")
_ISSUER = re.compile(r"(?:長|会議|委員会|本部|省|庁|局|部|課|室|参事官|審議官)$")
# the number line under a statute's title, as e-Gov prints it: (平成五年法律第八十八号)
_LAW_NUMBER_LINE = re.compile(
    r"^\(((?:明治|大正|昭和|平成|令和)[0-9" + KANJI_0_9 + "十元]+年"
    r"[^()\s]{0,20}?(?:法律|政令|省令|府令|規則|条例|告示)第[0-9" + KANJI_DIGITS + r"]+号)\)$")


def _iso(m: re.Match[str]) -> str | None:
    try:
        if m.group(1):
            y = era_to_western(m.group(1), 1 if m.group(2) == "元" else int(m.group(2)))
            return date(y, int(m.group(3)), int(m.group(4))).isoformat()
        if m.group(5):
            return date(int(m.group(5)), int(m.group(6)), int(m.group(7))).isoformat()
        return date(int(m.group(8)), int(m.group(9)), int(m.group(10))).isoformat()
    except ValueError:
        return None


def _line_date(line: str) -> str | None:
    """A line that is only a date (令和8年4月2日 / 2023年6月) is the date of issue."""
    m = _DATE_LINE.match(line.replace(" ", ""))
    if not m:
        return None
    year = era_to_western(m.group(1), 1 if m.group(2) == "元" else int(m.group(2))) if m.group(1) else int(m.group(3))
    try:
        return date(year, int(m.group(4)), int(m.group(5) or 1)).isoformat()
    except ValueError:
        return None


def _strip_parens(text: str) -> str:
    return re.sub(r"\([^()]*\)", "", text)


def _lines(head: str) -> list[str]:
    return [re.sub(r"\s+", " ", ln).strip().strip("#").strip() for ln in head.split("\n")]


# lines around a title that are not it: an addressee (…御中, …殿), a seal note, a bare
# document kind, an issuing organisation on a line of its own
_NOT_TITLE = re.compile(r"(?:御中|殿|公印省略\)?)$|^(?:事務連絡|写し?|別添|別紙|記|目次|目 次)$")
_ORG_LINE = re.compile(r"^(?:独立行政法人|国立研究開発法人|一般社団法人|一般財団法人|公益社団法人|公益財団法人"
                       r"|特定非営利活動法人|株式会社)|(?:機構|協会|センター|法人)$")
# how a whole title ends: it is not continued on the next line
_TITLE_END = re.compile(r"(?:について|\((?:依命)?(?:通達|通知|示達)\)|編|版|計画|方針|指針|戦略|ガイドライン|ガイドブック"
                        r"|要領|要綱|基準|留意事項|プラン|工程表|ロードマップ|法律|条例|規則|白書)\)?$")


def _not_title(ln: str) -> bool:
    tight = ln.replace(" ", "")
    return bool(
        len(tight) < 6 or _DATE.search(ln) or _line_date(ln) or _NUMBER.search(ln) or "保存期間" in ln
        or _NOT_TITLE.search(tight) or re.fullmatch(r"\([^()]*\)", tight)
        or (_ISSUER.search(tight) and len(tight) < 20) or (_ORG_LINE.search(tight) and len(tight) < 40)
    )


def _title(lines: list[str]) -> str:
    for ln in lines:
        if _TYPE_SUFFIX.search(ln):
            return ln
    if len(lines) >= 2 and _LAW_NUMBER_LINE.match(lines[1]):
        return lines[0]  # a statute: its name, then its number
    for i, ln in enumerate(lines):
        ln = ln.lstrip(BULLETS + " ")
        if _not_title(ln):
            continue
        title = ln
        # a title broken over lines (災害時の情報共有体制 / 整備ガイドライン)
        for nxt in lines[i + 1 : i + 3]:
            if (_TITLE_END.search(title.replace(" ", "")) or title.endswith("。") or len(title) >= 40
                    or len(nxt) < 3 or _DATE.search(nxt) or len(nxt) >= 40 or nxt.endswith("。") or _MARKER_LINE.match(nxt)
                    or _not_title(nxt) and len(nxt) >= 6):
                break
            title = f"{title}{nxt}"
        if title != ln:
            return title.replace(" ", "")
        return ln.replace(" ", "") if re.search(r"[\u3040-\u9fff] [\u3040-\u9fff]", ln) else ln
    return lines[0] if lines else ""


def _doc_type(title: str) -> str | None:
    m = _TYPE_SUFFIX.search(title)
    if m:
        return m.group(1)
    if re.search(r"(?:法律|法|政令|省令|府令|規則|条例)(?:\([^()]*\))?$", title):
        return "法令"
    for w in _TYPE_WORDS:
        if w in title:
            return "計画" if w in ("プラン", "アクションプラン") and "工程表" not in title else w
    return None


def _is_party(line: str) -> bool:
    return bool(line) and len(line) <= 30 and not _NUMBER.search(line) and not _DATE.search(line) and (
        "期間" not in line and "簿冊" not in line)


def _parties(lines: list[str]) -> tuple[list[str], list[str]]:
    """Addressees: the block of lines around 殿; issuers: agency lines after it."""
    blocks: list[list[str]] = [[]]
    for ln in lines:
        if ln:
            blocks[-1].append(ln)
        elif blocks[-1]:
            blocks.append([])
    addressees: list[str] = []
    rest: list[str] = [x for b in blocks for x in b]
    for i, b in enumerate(blocks):
        marked = [j for j, x in enumerate(b) if x in ("殿", "御中") or x.endswith(("殿", "御中"))]
        if marked:
            # the addressees end at the last line marked 殿 / 御中; what follows in the same
            # block (no blank line between) is the issuer's
            last = marked[-1]
            addressees = [a for x in b[: last + 1] if _is_party(a := x.removesuffix("殿").removesuffix("御中").strip())
                          and not _NOT_TITLE.search(a)]
            rest = b[last + 1 :] + [x for later in blocks[i + 1 :] for x in later]
    issuers = [x.replace(" ", "") for x in rest
               if _is_party(x) and _ISSUER.search(x.replace(" ", "")) and x not in addressees]
    return addressees, issuers


def extract_metadata(head: str, full: str | None = None) -> DocumentMeta:
    """Metadata from ``head`` (the normalised text before the first section)."""
    full = full if full is not None else head
    fm = _FRONT_MATTER.match(head)
    if fm:
        head = head[fm.end() :]
    lines = [ln for ln in _lines(head[:4000]) if ln]
    title = _title(lines)
    if fm:
        t = re.search(r"^title:\s*(.+)$", fm.group(1), re.M)
        title = t.group(1).strip().strip("'\"") if t else title
    dates = [d for ln in lines[:40] if (d := _line_date(ln))] or [
        d for m in _DATE.finditer(_strip_parens(head[:3000])) if (d := _iso(m))]
    title_at = head.find(title[:10]) if title else -1
    before_title = head[: title_at if title_at > 0 else len(head)]
    numbers = tuple(
        dict.fromkeys(n for n in _NUMBER.findall(before_title) if "法律" not in n and "政令" not in n)
    )
    law_number = _LAW_NUMBER_LINE.match(lines[1]) if len(lines) >= 2 and lines[0] == title else None
    if law_number:
        numbers = (law_number.group(1), *numbers)
    retention = next((ln for ln in lines if "保存期間" in ln and "原議" in ln), None) or next(
        (ln for ln in lines if ln.startswith("保存期間")), None
    )
    validity = next((ln for ln in lines if ln.startswith("有効期間")), None)
    valid_until = None
    if validity:
        m = _DATE.search(validity)
        valid_until = _iso(m) if m else None
    # a statute has no issuer line (what looks like one is a chapter of its 目次)
    addressees, issuers = _parties(_lines(before_title)) if not law_number else ([], [])
    cites = tuple(dict.fromkeys(m.group(1) for m in _CITE.finditer(full)))
    repeals = cites[:1] if cites and _REPEAL.search(full) else ()
    return DocumentMeta(
        title=title,
        doc_type=_doc_type(title),
        date=dates[0] if dates else None,
        date_as_printed=None,
        numbers=numbers,
        issuers=tuple(dict.fromkeys(issuers)),
        addressees=tuple(dict.fromkeys(addressees)),
        retention=retention,
        valid_until=valid_until,
        cites=cites,
        repeals=repeals,
    )
