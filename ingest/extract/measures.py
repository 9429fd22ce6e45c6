"""Measures (施策・取組): who does what, by when.

A measure is a unit of a section that commits someone to an action: an item section
(``(ア) 警察庁は、…する。【令和8年度中に…】``), each bullet of a list (``- …すること
【令和10年度までに結論】``, ``▶…【2023.10.1】``), or the body of a titled section that
states actions.  Its actor is the topic of its first sentence (``警察庁は`` /
``都道府県警察は``), found through GiNZA's dependency parse (the nominal that carries
the は/が case marker and depends on the predicate), else the subject of
``…において``; bullets inherit the actor of the sentence that introduces them.  Its
deadlines are the 【…】 blocks in it (with their 前段/後段 parts), else the time
expressions in its text.
"""

from __future__ import annotations

import bisect
import calendar
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, TypeVar

from policygraph.core.ids import sha
from policygraph.core.records import Deadline, Measure, Mention, Passage, Section
from policygraph.ingest.bullets import BULLETS
from policygraph.ingest.extract import tables
from policygraph.ingest.extract.deadlines import (
    LAW_ITSELF,
    SOURCE_LABEL,
    find_deadlines,
    is_deadline_bracket,
    normalise,
    parse_bracket,
    safe_date,
)
from policygraph.ingest.normalise import compact
from policygraph.ingest.numerals import KANJI_1_9, KANJI_DIGITS
from policygraph.ingest.sections import item_marker

MAX_TEXT = 1200
_BULLET = re.compile(r"^[ \t]*(?:[-*](?=[ \t])|[" + BULLETS + r"])[ \t]*", re.M)
# 【令和8年度中】, and the square brackets some guidebooks use for the same ([4月以降改定予定];
# never a Markdown link's text, [本文](#anchor))
_BRACKET = re.compile(r"【([^【】]{1,400})】|(?<!\])\[([^\[\]\n]{2,60})\](?![(\[])")
_ACTION = re.compile(
    r"(?:する|図る|行う|進める|努める|講じる|取り組む|定める|求める|いく|こと|ものとする|とする|させる|"
    r"目指す|支援|推進|実施|検討|整備|構築|強化|徹底|促進|見直し|導入|提示|開始|"
    # other verbs of doing in their plain form (事例集を取りまとめる, 窓口を設ける, 指針を改める)
    r"まとめる|改める|設ける|高める|深める|広げる|広める|つなげる|届ける|呼びかける|働きかける|位置付ける|位置づける|"
    r"掲げる|与える|示す|作る|つくる|守る|担う|補う|募る|諮る|減らす|増やす|なくす|活かす|生かす|伸ばす|促す|果たす|"
    r"配る|送る|開く|当たる|あたる)(?:[。】]|$)"
)
_NOT_ACTION = re.compile(r"(?:必要がある|である|いる|された|あった|ない|られる)。$")
# verbs of doing in their て-form, whose …ている / …ています tells an activity under way
_DOING_TE = "進め|取り組ん|推進し|整備し|検討し|実施し|提供し|支援し"
# the polite register of guidebooks and notices (…を提供します, …を進めていきます, …してください):
# a commitment or an instruction, unless the verb only describes (あります, なります, できます,
# …されています); …ています counts only after a verb of doing (進めています)
_POLITE = re.compile(
    r"(?:(?<!あり)(?<!なり)(?<!でき)(?<!られ)(?<!され)(?<!てい)(?<!おり)(?<!いき)ます|ていきます|ください|ません"
    r"|(?:" + _DOING_TE + r"|行っ)ています"
    r"|(?:[るうくすつぐむぶ]|ていく)必要があ(?:る|ります)(?:こと)?|予定です|推奨します|望ましい(?:です)?"
    r"|(?:進められ|検討が進められ)ています"
    # a recommendation or expectation addressed to the reader (…を参照することが重要です)
    r"|ことが(?:重要|必要|望ましい|求められ|期待され|推奨され)[^。]{0,8})。$"
)
# a duty or prohibition anywhere (…しなければならない, …を取得してはならない), a request
# (…を参照されたい, 御配慮をお願いします)
_OBLIGATION = re.compile(r"(?:(?:なければならない|ものとする|努めるものとする|てはならない|ではならない|義務(?:付け|づけ)られ(?:てい)?る)"
                         # a duty reported as the law's (…通知しなければならないこととされている)
                         r"(?:(?:こと)?とされ(?:てい)?る)?"
                         r"|されたい|られたい|願います|お願いします|お願いする|いただきたい|願いたい|お願いしたい"
                         # what one should or should not do (…取得すべきでない)
                         r"|べき(?:である|ではない|でない))(?:こと)?。$")
# what is planned or decided (…配布する予定である, …開始することとしている): a commitment,
# not a duty (with no time word it is ``unknown``, not ``ongoing``)
_PLANNED = re.compile(r"(?<!れる)(?<!れた)(?:予定である|予定|こととしている)。$")  # (not 開催される予定である: an event)
# how a notice asks its reader to do something (…されたい, …をお願いします)
_ASKED = r"されたい|られたい|願います|お願いします|お願いする|お願いいたします|いただきたい"
# an activity under way, told as what the organ is doing (…の推進に取り組んでいるところである,
# …準備を進めている): a continuing measure, not a state (…が増加している)
# (the verbs of doing the polite register counts too: …の促進を図っている, …措置を講じている;
# not …を行っている, which a plan's ＜施策の概要＞ uses for what is done now: 調査を行っている)
_UNDER_WAY = (r"(?:" + _DOING_TE + r"|力を入れ|注力し|図っ|講じ|促進し|強化し|努め)"
              r"[てで](?:いる|います)(?:ところ(?:である|です))?")
_DOING_NOW = re.compile(_UNDER_WAY + "。$")
# what a statute's article grants or sets up: a power (…を命ずることができる), a function
# (…をつかさどる, …を任務とする), an organ (…に事務局を置く)
_STATUTE = re.compile(r"(?:ことができる|をつかさどる|を任務とする|を置く|を掌理する|を負う|に委任する"
                      # what a rule sets by saying what is not done, what counts as met or what is allowed
                      # (…の距離は測定しない, …を満たしているものとみなす, …と認定しても差し支えない)
                      r"|(?<!が)(?<!も)しない|行わない|含めない|とみなす|差し支えない|差支えない)。$")
# the kinds of a rulebook issued like law (a 取扱要領, 実施要綱, 事務処理規程, 対策基準): its provisions are
# read as a statute's are, its powers (…できる) and its rules of what is not done among them
RULEBOOK_KINDS = ("要領", "要綱", "規程", "細則", "基準")


def is_rulebook(title: str, doc_type: str | None) -> bool:
    """Whether a document is a rulebook by its kind or its title's last word.

    >>> is_rulebook("製造たばこ小売販売業許可等取扱要領", "要領"), is_rulebook("コンピュータウイルス対策基準", None)
    (True, True)
    >>> is_rulebook("運用ガイドライン", "ガイドライン")
    False
    """
    return doc_type in RULEBOOK_KINDS or title.rstrip().endswith(RULEBOOK_KINDS)


_ARTICLE = re.compile(r"^第[0-9一二三四五六七八九十百千]+条")
ACTOR_TYPES = ("Agency",)
_FOOTNOTE = frozenset("¹²³⁴⁵⁶⁷⁸⁹⁰*※")
TOPIC_MARKERS = ("は", "が", "では", "において")


@dataclass(frozen=True)
class Unit:
    section: Section
    start: int
    end: int
    bullet: int | None = None
    intro: tuple[int, int] | None = None  # where a bullet list's actor is stated
    outer: tuple[int, int] | None = None  # where it is stated when ``intro`` states none
    preamble: bool = False  # before the first heading: a measure only as a request or duty
    lead: int | None = None  # where the measure's text starts when its item's title leads it
    row: tables.Row | None = None  # a table row, with its columns' headers
    cell: str | None = None  # the header of the roadmap cell the unit is (a fiscal year's column)


@dataclass(frozen=True)
class ParsedPassage:
    passage: Passage
    doc: Any  # spaCy Doc of the passage's normalised text
    to_original: Callable[[int, int], tuple[int, int]]
    from_original: Callable[[int], int]


def units(text: str, sections: list[Section]) -> Iterator[Unit]:
    """The units of each section: each row of its tables, and the units of the text
    around them.  A document with no heading at all is all body, not a preamble: past its
    header, its statements and list items are units as under a heading."""
    preamble = any(sec.path for sec in sections)
    if not preamble:
        sections = [replace(sec, start=_after_header(text, sec.start, sec.end)) for sec in sections]
    dumped = tables.text_tables(text)

    def dumped_row(at: int) -> tables.Row | None:
        table = next(((h, narrow) for x, y, h, narrow in dumped if x <= at < y), None)
        return tables.text_row(text, text.rfind("\n", 0, at) + 1, *table) if table else None

    for i, sec in enumerate(sections):
        if _item_line_alone(text, sections, i):
            # a numbered item of one line with nothing under it (① 予定営業所に売場を設ける予定が
            # ない場合) is an item, not a heading: its line is its text
            a, b = _strip(text, sec.start, sec.end)
            yield Unit(sec, a, b)
            continue
        # an item of a table dumped as text (a PDF's roadmap: its line's cells apart by wide
        # spaces under a header of fiscal years, or of who and when) is a row of it, read by
        # its columns: the line and the lines its first cell wraps onto (　認定及び…支援)
        head = dumped_row(sec.start) if sec.path and dumped else None
        if head is not None:
            end = head.end
            while (m := _WRAPPED_CELL.match(text, end)) is not None:
                end = m.end()
            yield Unit(sec, sec.start, end, row=head)
        for unit in _units(text, sec, preamble):
            at = unit.lead if unit.lead is not None else unit.start
            if head is not None and at < end:
                continue
            row = dumped_row(at) if unit.row is None and dumped else None
            yield replace(unit, row=row) if row is not None else unit


def _item_line_alone(text: str, sections: list[Section], i: int) -> bool:
    """Whether section ``i`` is a titled line with no text and no part under it."""
    sec = sections[i]
    if not sec.path or not sec.title or "\n" in text[sec.start : sec.end].strip():
        return False
    nxt = sections[i + 1] if i + 1 < len(sections) else None
    return not (nxt is not None and len(nxt.path) > len(sec.path) and nxt.path[: len(sec.path)] == sec.path)


# a table's first cell wrapped onto the next line of a text dump: an indented line of one
# cell, no sentence (　認定及び金融・税制支援)
_WRAPPED_CELL = re.compile(r"\n[ \u3000]+[^\s\u3000。]+(?:[ ][^\s\u3000。]+)*(?=\n|$)")


def _units(text: str, sec: Section, preamble: bool) -> Iterator[Unit]:
    """The units of one section: each row of its tables, and the units of the text around them."""
    cursor = sec.start
    for x, y in tables.blocks(text, sec.start, sec.end):
        if x > cursor:
            yield from _section_units(text, _piece(sec, cursor, x), whole=False, heading=cursor == sec.start,
                                      preamble=preamble)
        for row in tables.rows(text, x, y):
            items = tables.year_items(row, text)
            if len(items) >= 2:  # a roadmap's row with an item in each of several years:
                for cx, cy, header in items:  # each cell is a measure (annotation.md, issue 17)
                    yield Unit(sec, cx, cy, row=row, cell=header)
            else:
                yield Unit(sec, row.start, row.end, row=row)
        cursor = y
    if cursor < sec.end:
        yield from _section_units(text, _piece(sec, cursor, sec.end), whole=cursor == sec.start,
                                  heading=cursor == sec.start, preamble=preamble)


# a statute's own provision on when it takes effect (この省令は、…の施行の日（…）から施行する。ただし、…)
_TAKES_EFFECT = re.compile(LAW_ITSELF + r"[^。]*?から施行する")
# an article's caption and number before its text: （施行期日） 第一条　…
_ARTICLE_LEAD = re.compile(r"^\s*(?:[(（][^()（）]{1,30}[)）]\s*)?(?:第[0-9一二三四五六七八九十百千]+条(?:の[0-9一二三四五六七八九十]+)?\s*)?")


# the parts of a plan's sheet that describe rather than commit (＜現状＞, ＜課題＞, 【現状と課題】)
# (＜期待される施策の主な効果＞: what the measures above are hoped to bring about; a
# guideline's [概要] / [キーワード] before its text: a summary of what the text says)
_DESCRIBING_PART = re.compile(r"(?:現状|課題|現状と課題|現状及び課題|背景|取組状況|これまでの取組|実績"
                              r"|(?:期待される)?(?:施策の)?(?:主な)?(?:効果|成果)|概要|要旨|要約|キーワード)(?:\[[0-9]+\])?")


def _supplementary(sec: Section) -> bool:
    """A section of a statute's 附則 (its own or an amendment's)."""
    return bool(sec.path) and sec.path[0].startswith("附則")


def _in_statute(sec: Section) -> bool:
    """A section of a statute (its path has an article): its unit is the paragraph."""
    return any(_ARTICLE.match(x) for x in sec.path)


def _piece(sec: Section, a: int, b: int) -> Section:
    """The part of a section beside its tables (only the first part holds its heading
    line: the units see that from where the part starts)."""
    if (a, b) == (sec.start, sec.end):
        return sec
    return replace(sec, start=a, end=b)


def _section_units(text: str, sec: Section, whole: bool = True, heading: bool = True,
                   preamble: bool = True) -> Iterator[Unit]:
    """``whole``: ``sec`` is a whole section, not the part of one beside a table;
    ``heading``: it starts with the section's heading line (the part after a table does not);
    ``preamble``: a section without a path is what stands before the first heading (not,
    in a document with no heading, the whole body)."""
    if not sec.path and preamble:
        # a notice's operative request often stands before its first heading
        # (…周知方よろしく御配慮をお願いします。 above 記): its statements are units,
        # kept only as a request or duty (extract_measures)
        for x, y in _statements(text, sec.start, sec.end):
            # lines without a full stop join the statement after them: the notice's
            # number, date and addressees are not part of its request
            breaks = [m.end() for m in _STATEMENT_BREAK.finditer(text, x, y)]
            start = _after_header(text, breaks[-1] if breaks else x, y)
            # (a paragraph of several requests: one unit each, as under a heading)
            for p, q in commitment_sentences(text, start, y) or [(start, y)]:
                yield Unit(sec, p, q, preamble=True)
        return
    body = text[sec.start : sec.end]
    bullets = [m for m in _BULLET.finditer(body) if m.start() > 0 or not (sec.title and heading)]
    bullets = [m for m in bullets if not _is_marker_line(body, m.end())]
    if bullets:
        intro_end = sec.start + bullets[0].start()
        # what the section says before its list is a statement too, unless it only
        # introduces the list (…次のとおり: / …を参照すること。 above the items)
        intro_from = _body_start(text, sec) if heading else sec.start
        intro = list(_statements(text, intro_from, intro_end)) if intro_from < intro_end else []
        if len(intro) > 1 or (intro and (intro_end - intro[0][0] > 200 or _rule_above_list(text, *intro[0]))):
            yield from _statement_units(text, sec, intro)
        for i, m in enumerate(bullets):
            a = sec.start + m.start()
            b = sec.start + (bullets[i + 1].start() if i + 1 < len(bullets) else len(body))
            # (a label line heads the items after it; after the last item it is the item's own:
            # …提案を行う。 / 【継続的に実施】)
            a, b = _strip(text, *(_without_label_after(text, a, b) if i + 1 < len(bullets) else (a, b)))
            # an item whose sentences each commit to something (・…の推進 + paragraphs
            # under it): a unit per commitment, as in a paragraph (the first inherits the
            # list's introduction, the others the item's first sentence)
            pieces = _commitments(text, sec, a, b)
            if not pieces:
                yield Unit(sec, a, b, bullet=i + 1, intro=(sec.start, intro_end))
                continue
            for j, (p, q) in enumerate(pieces):
                yield Unit(sec, p, q, bullet=i + 1, intro=(sec.start, intro_end) if j == 0 else pieces[0],
                           outer=None if j == 0 else (sec.start, intro_end))
        return
    if whole and sec.title and sec.end - sec.start <= MAX_TEXT:
        under = list(_statements(text, _body_start(text, sec), sec.end))
        if (len(under) == 1 and len(list(split_milestones(text, *under[0]))) == 1
                and (_in_statute(sec) or len(commitment_sentences(text, *under[0])) < 2)):
            # a titled item with one statement under its title (１０ 安全性に関する情報欄 /
            # 関連情報を記載すること。): the item, title and all, is the measure's text;
            # its deadlines and actor are the statement's, as before
            a, b = under[0]
            yield Unit(sec, a, b, lead=_strip(text, sec.start, a)[0])
            return
    if sec.title or sec.end - sec.start > MAX_TEXT or not sec.path:
        # a titled heading, an item too long to be one statement, or a document with no
        # heading: each statement (paragraph) under it is a unit
        yield from _statement_units(
            text, sec, _statements(text, _body_start(text, sec) if sec.title and heading else sec.start, sec.end))
        return
    a, b = _strip(text, sec.start, sec.end)
    if a < b:
        pieces = _commitments(text, sec, a, b)
        topics = [_TOPIC.match(compact(text[p:q])) for p, q in pieces]
        if (any(t and (not topics[0] or t.group(1) != topics[0].group(1)) for t in topics[1:])
                # (a closing 【前段：…、後段：…】 schedules the whole item)
                and not _BRACKET_AT_END.search(compact(text[a:b]))):
            # an item whose commitments name actors of their own (４ 防災関係機関は、…ものと
            # する。 / 道は、…を行う。): a unit per commitment (annotation.md: the smallest item
            # or sentence that carries one commitment); an item that goes on for one actor
            # (警察庁は、…する。また、…する。) stays one
            for i, (p, q) in enumerate(pieces):
                yield Unit(sec, p, q, intro=None if i == 0 else pieces[0])
            return
        yield Unit(sec, a, b)


def _statement_units(text: str, sec: Section, statements: Iterable[tuple[int, int]]) -> Iterator[Unit]:
    """A unit per statement, a dated milestone inside one a unit of its own, and each
    sentence of a paragraph that commits to something of its own (statutes aside: their
    unit is the paragraph)."""
    for a, b in statements:
        for x, y in split_milestones(text, a, b):
            pieces = _commitments(text, sec, x, y)
            if not pieces:
                yield Unit(sec, x, y)
                continue
            first = pieces[0]
            for i, (p, q) in enumerate(pieces):
                # a sentence with no subject of its own acts for the paragraph's first one
                yield Unit(sec, p, q, intro=None if i == 0 else first)


def _commitments(text: str, sec: Section, a: int, b: int) -> list[tuple[int, int]]:
    """The span cut at its commitments (:func:`commitment_sentences`), or [] when it stays
    one unit: fewer than two commit, or it is a statute's (whose unit is the paragraph)."""
    return [] if _in_statute(sec) else commitment_sentences(text, a, b)


_BRACKET_AT_END = re.compile(r"[【\[［][^】\]］]*[】\]］]\s*$")
# who a sentence is about, when it opens on it (道は、 / 関係機関は、 / その際道は、)
_TOPIC = re.compile(r"^(?:その際|また|さらに|併せて)?、?([^、。「」()（）]{1,20}?)(?:は|においては|では)、")
_ELABORATION = re.compile(r"(?:具体的には|特に|例えば|なお|ただし|その際|この際)、?")


def commitment_sentences(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """A paragraph cut at each sentence that commits to something (annotation.md: the unit
    is the smallest sentence that carries one commitment); a sentence that does not (a
    reason, a なお) stays with the commitment before it, or, before the first, with the
    first.  [] when fewer than two sentences commit.

    >>> t = "事務局は、点検を行う。その結果を踏まえ、令和4年12月末までに公表する。なお、詳細は別紙のとおり。"
    >>> [t[x:y] for x, y in commitment_sentences(t, 0, len(t))]
    ['事務局は、点検を行う。', 'その結果を踏まえ、令和4年12月末までに公表する。なお、詳細は別紙のとおり。']
    >>> commitment_sentences("背景は次のとおりである。対策を推進する。", 0, 20)
    []
    """
    ends, depth = [], 0
    for i in range(a, b):  # a full stop inside brackets (…を除く。）) ends no sentence
        ch = text[i]
        depth += 1 if ch in "(（「『" else -1 if ch in ")）」』" and depth else 0
        if ch == "。" and depth == 0:
            ends.append(i + 1)
    if not ends or ends[-1] < b:
        ends.append(b)
    spans, pos = [], a
    for e in ends:
        x, y = _strip(text, pos, e)
        if x < y:
            spans.append((x, y))
        pos = e
    flat = [compact(text[x:y]) for x, y in spans]
    # an elaboration (具体的には, 特に, なお, ただし, その際) belongs to the sentence it explains
    commits_ = [is_measure(f) and not _ELABORATION.match(f) for f in flat]
    if sum(commits_) < 2:
        return []
    out: list[tuple[int, int]] = []
    seen = False  # a commitment is in the group so far
    for (x, y), c in zip(spans, commits_, strict=True):
        if c and seen:
            out.append((x, y))  # the next commitment: a unit of its own
        elif out:
            out[-1] = (out[-1][0], y)
        else:
            out.append((x, y))
        seen = seen or c
    return out


def _body_start(text: str, sec: Section) -> int:
    """Where a titled section's statements start: after its heading line when that line is
    the marker and title (（３）特性解析), at the section's start when the title stands
    above it (a statute's (事務局) over 第百四十一条 委員会に事務局を置く。: the article line
    is a statement)."""
    nl = _heading_end(text, sec)
    line = compact(text[sec.start : nl])
    title = compact(sec.title)
    return nl if title and line.endswith(title) and len(line) - len(title) <= 12 else sec.start


def _heading_end(text: str, sec: Section) -> int:
    """Where a section's first line (its heading line) ends."""
    nl = text.find("\n", sec.start, sec.end)
    return nl if nl > 0 else sec.end


# where one statement ends and the next begins: a blank line, or — with no blank line — a
# paragraph indented by one full-width space (　環境省は、…), a statute's paragraph (２　…),
# article (第十二条　…) or caption (（検討）) after a full stop
_STATEMENT_BREAK = re.compile(r"\n[ \t\u3000]*\n|(?<=。)[ \t]*\n(?=\u3000[^\s\u3000])"
                              r"|(?<=。)[ \t\u3000]*\n(?=[ \t\u3000]*(?:[0-9０-９]{1,3}[\u3000 ]|第[0-9一二三四五六七八九十百千]+条"
                              r"|[（(][^）)\n]{1,20}[）)][ \t\u3000]*\n))")


# a line of a notice's header, above its first statement with no blank line between: its
# number, date, addressees (…殿, …御中), issuer, title (…について(通知)), 事務連絡, 記
_HEADER_LINE = re.compile(
    r"^(?:事\s*務\s*連\s*絡|記|写し?|[(（]?公印省略[)）]?)$|(?:御中|殿|様)$|第[0-9０-９一二三四五六七八九十百千]+号$"
    r"|^(?:令和|平成|昭和)[元0-9０-９一二三四五六七八九十]{1,3}年[0-9０-９一二三四五六七八九十]{1,2}月[0-9０-９一二三四五六七八九十]{1,3}日$"
    r"|について(?:[(（][^()（）]{1,8}[)）])?$|[(（](?:通知|依頼|通達|事務連絡|お願い)[)）]$"
    r"|(?:長|課|室|局|部|省|庁|本部|官|センター|委員会|知事)$")
# a paragraph's first line, indented (　住宅用火災警報器については、…)
_INDENTED = re.compile(r"\n(?:\u3000|[ \t]{2,})(?=\S)")


def _after_header(text: str, x: int, y: int) -> int:
    r"""Where a statement before a notice's first heading starts, past the header lines
    printed above it without a blank line: at its indented first line when one follows the
    header, else after the leading lines that are a header's (``_HEADER_LINE``, no 、 or 。).

    >>> t = "消防予第120号\n令和6年4月26日\n各都道府県消防防災主管部長 殿\n消防庁予防課長\n交換促進について(通知)\n下記について周知をお願いします。"
    >>> t[_after_header(t, 0, len(t)):]
    '下記について周知をお願いします。'
    >>> t = "事務連絡\n各都道府県 御中\n\u3000標記について、\n周知をお願いします。"
    >>> t[_after_header(t, 0, len(t)):]
    '\u3000標記について、\n周知をお願いします。'
    >>> t = "ついては、各位におかれては\n\u3000下記のとおり周知をお願いします。"  # no header above
    >>> _after_header(t, 0, len(t))
    0
    """
    def heading_like(a: int, b: int) -> bool:  # short lines with no 、 or 。 (a title, a date…)
        return all("、" not in ln and "。" not in ln and len(ln.strip()) <= 60 for ln in text[a:b].split("\n"))

    indented = [m.start() + 1 for m in _INDENTED.finditer(text, x, y)]
    if indented and heading_like(x, indented[0]):
        return indented[0]
    pos = x
    while (nl := text.find("\n", pos, y)) >= 0:
        line = text[pos:nl].strip()
        if not line or (heading_like(pos, nl) and _HEADER_LINE.search(line)):
            pos = nl + 1
        else:
            break
    return pos


# a line that is only a bracketed label (【令和8年度】, 【施策の方向性】)
_LABEL_LINE = re.compile(r"\n[ \t\u3000]*【[^】\n]{1,30}】[ \t\u3000]*$")


def _rule_above_list(text: str, a: int, b: int) -> bool:
    """A statement over a list that is a rule of its own, the list its cases or forms
    (…を「/」でつないで、次のとおりとします。 / ・YYYY-MM-DD/YYYY-MM-DD), not a lead that
    only introduces it (次の取組を推進する。, 以下の点に留意すること。, …は次のとおり：).

    >>> t = "期間は「/」でつないで、次のとおりとします。"
    >>> _rule_above_list(t, 0, len(t)), _rule_above_list("次の取組を推進する。", 0, 10)
    (True, False)
    >>> _rule_above_list("主な内容は以下のとおり。", 0, 12), _rule_above_list("留意事項：", 0, 5)
    (False, False)
    """
    flat = unicodedata.normalize("NFKC", "".join(text[a:b].split()))
    return (flat.endswith("。") and not _LEADS_INTO_LIST.search(flat)
            and re.search(r"(?:とし|とする|とします|に従う|に従うこと|によること|によります)。$", flat) is not None)


def _without_label_after(text: str, a: int, b: int) -> tuple[int, int]:
    """A list item without the label lines printed after it (・…を策定する。 / 【令和8年度】 /
    ・…): a label heads the items that follow, not the one above it."""
    while (m := _LABEL_LINE.search(text[a:b].rstrip())) is not None and m.start() > 0:
        b = a + m.start()
    return a, b


def _statements(text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Paragraphs of a span; a paragraph cut mid-sentence (a page break) joins the next."""
    cur: tuple[int, int] | None = None
    pos = start
    for m in [*_STATEMENT_BREAK.finditer(text[start:end]), None]:
        stop = start + m.start() if m else end
        a, b = _strip(text, pos, stop)
        pos = start + m.end() if m else end
        if a >= b:
            continue
        if (cur is None and text[a] in _FOOTNOTE and not text.startswith("**", a)  # (**A.** is bold, no note)
                and not (text[a] in "※*" and _NOTE_DUTY.search(text, a, b))):
            continue  # a footnote (¹ 「闇バイト」…とは…): a definition, not a statement; a note
            # that instructs (※…を記載すること。) is one
        cur = (cur[0], b) if cur is not None else (a, b)
        if text[b - 1] in "。】」)）":
            yield cur
            cur = None
    if cur is not None:
        yield cur


# a note that instructs or sets a rule (※…を記載すること。, ※…適用しないことができる。, ※原則必須とするが、
# …場合は選択しない。, ※…表示することとする。)
_NOTE_DUTY = re.compile(r"(?:こと|ください|されたい|ことができる|とする|しない|行わない)。$")
_DONE = re.compile(r"(?:した|行った|された|発出した|開始した)。$")


def _dated_done(sentence: str) -> bool:
    """A sentence reporting an action done on a calendar date (令和5年2月15日、…を追加した。)."""
    s = unicodedata.normalize("NFKC", sentence).replace("\n", "")
    if not _DONE.search(s):
        return False
    cited = _cited(s)
    return any(d.kind == "date" and d.start == d.end and not _inside(cited, a, b) for a, b, d in find_deadlines(s))


def split_milestones(text: str, a: int, b: int) -> Iterator[tuple[int, int]]:
    """A statement whose sentence reports a dated action done (a milestone) and goes on
    to what will be done: the milestone is a unit of its own, so its date does not become
    the deadline of the commitments after it.

    >>> t = "令和5年2月15日、範囲に情報を追加した。更なる対策を推進する。"
    >>> [t[x:y] for x, y in split_milestones(t, 0, len(t))]
    ['令和5年2月15日、範囲に情報を追加した。', '更なる対策を推進する。']
    >>> t = "令和5年3月1日に通知を発出し、注意喚起を行ったところであり、引き続き推進する。"
    >>> len(list(split_milestones(t, 0, len(t))))
    1
    """
    pos = a
    for m in re.finditer(r"。", text[a:b]):
        end = a + m.end()
        if end >= b or not _dated_done(text[pos:end]):
            continue
        x, y = _strip(text, pos, end)
        yield x, y
        pos = end
    x, y = _strip(text, pos, b)
    if x < y:
        yield x, y


def _inner(m: re.Match[str]) -> str:
    """The text inside a :data:`_BRACKET` match, whichever brackets it has."""
    return m.group(1) if m.group(1) is not None else m.group(2)


def _is_marker_line(body: str, pos: int) -> bool:
    return bool(re.match(r"\(?[0-9０-９アイウエオカキクケコ]{1,2}\)", body[pos : pos + 5]))


def _strip(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


# verbs whose plain present tense states what is, not what someone will do; and a
# statute's formulas of deeming, defining and deferring (…とみなす, …をいう, なお従前の例による,
# …の例に従う)
_STATIVE = frozenset({"ある", "いる", "おる", "なる", "できる", "異なる", "存在", "存する", "該当", "相当", "属する",
                      "含む", "有する", "要する", "当たる", "限る", "過ぎる", "思う", "考える", "見る", "言う", "いう",
                      "みなす", "見なす", "よる", "因る", "従う", "除く"})
_CLOSERS = frozenset(")）」』】]")


def commits(pp: ParsedPassage, a: int, b: int, nominal: bool = False) -> bool:
    """A sentence of the span ends in a verb of doing in its plain present tense, the form
    a commitment takes (警察庁は、…結果を取りまとめる。 …対策を講ずる。): read from the
    parse, not from a list of verbs.  Not a past (…した), a state (…している, …がある),
    a passive or potential (…される, …られる), a negation or a copula: their last word
    is an auxiliary, or a verb that states what is (:data:`_STATIVE`).  A full stop inside
    brackets (…を除く。）) does not end a sentence.  ``nominal``: a list item, which may
    also end on the noun of its action (:func:`_noun_ending`)."""
    doc = pp.doc
    text = doc.text
    na, nb = pp.from_original(a), pp.from_original(b)
    span = doc.char_span(na, nb, alignment_mode="expand")
    for tok in span if span is not None else ():
        if tok.text != "。" or not na <= tok.idx < nb or tok.i < 3:
            continue
        if tok.idx + 1 < len(text) and text[tok.idx + 1] in _CLOSERS:
            continue
        last = doc[tok.i - 1]
        if last.idx < na or not last.tag_.startswith("動詞") or "終止形-一般" not in "".join(
                last.morph.get("Inflection")):
            continue
        verb = last
        if last.lemma_ == "する" and doc[last.i - 1].tag_.startswith("名詞"):  # サ変: 保有する, 対象とする
            verb = doc[last.i - 1]
        elif last.tag_.startswith("動詞-非自立可能") and last.lemma_ != "する" and doc[last.i - 1].text != "を":
            continue  # …ていく, …てある, …ておく: an auxiliary verb after a form of another
            # (not after its object: 結論を得る)
        if verb.lemma_ in _STATIVE:
            continue
        return True
    return nominal and _noun_ending(doc, span, na, nb)


def _noun_ending(doc: Any, span: Any, na: int, nb: int) -> bool:
    """A sentence ended on the verbal noun of an action with its object, the way slides'
    and summaries' items state what is done (…リスク管理を総括。 / …の利活用を推進 / 第213回国会に
    提出): a サ変 noun as its last word, right after its object's を or its goal's に (not a
    definition's …としての処分); or on a verb's stem after its object (…検討会を立ち上げ。 /
    …投資戦略をとりまとめ。)."""
    if span is None:
        return False
    ends = [t.i - 1 for t in span if t.text == "。" and t.i > 0 and na <= t.idx < nb]
    last = next((t for t in reversed(span) if not t.is_space and t.idx < nb), None)
    if last is not None and last.text != "。":
        ends.append(last.i)
    for i in ends:
        tok = doc[i]
        if tok.idx < na or tok.lemma_ in _STATIVE:
            continue
        if tok.tag_.startswith("動詞") and "連用形" in "".join(tok.morph.get("Inflection")):
            prev = doc[i - 1] if i > 0 else None
            if prev is not None and prev.text == "を" and prev.idx >= na:
                return True
            continue
        if not tok.tag_.startswith("名詞-普通名詞-サ変"):
            continue
        j = i - 1  # back over a chain of such nouns (…ルールを策定・周知)
        while j > 0 and (doc[j].text == "・" or doc[j].tag_.startswith("名詞-普通名詞-サ変")) and i - j < 5:
            j -= 1
        if doc[j].text in ("を", "に") and doc[j].tag_.startswith("助詞-格助詞") and doc[j].idx >= na:
            return True
    return False


def _sentences(norm_text: str) -> list[str]:
    """The sentences of a unit, lines joined (明確にすること 。: a PDF's gap before the stop closed)."""
    flat = re.sub(r"[ \u3000\t]+(?=[。】])", "", norm_text.replace("\n", ""))
    flat = re.sub(r"(?:※|注)[0-9]{1,2}(?=。)", "", flat)  # (…を策定する※1。: a note's mark before the stop)
    return [s for s in re.split(r"(?<=。)", flat) if s.strip()]


# what a list of measures is called where a statement introduces it (次の取組, 以下の措置)
_LISTED = r"取組|措置|施策|事項|事業|対策"
# (以下 after a noun is "and below": 省令以下については…確認する is no lead)
_LEADS_INTO_LIST = re.compile(rf"(?<![\u4e00-\u9fff\u30a0-\u30ff])(?:次|以下|下記)(?:の[^。、]{{0,12}}?(?:{_LISTED})(?:等)?(?:を|に)|について"
                              # (a request to follow what is below, not a rule that is as follows:
                              # …組み合わせて、次のとおりとします)
                              r"|のとおり(?=[^。]{0,20}?(?:お願い|願います|されたい|られたい|御対応|ご対応)))"
                              r"[^。]{0,30}?。?$")
# a provision on the rule itself, when it takes effect or ends (附則: この要綱は、令和7年4月1日から
# 施行する。 / …限り、その効力を失う。): no commitment of anyone
_IN_FORCE = re.compile(r"^\s*(?:[0-9０-９]+\s*)?(?:この|本)(?:要綱|要領|規則|規程|細則|告示|訓令|通知|通達|条例|法律|政令|省令|府令|基準|指針)"
                       r"は、[^。]{0,40}?(?:から施行する|から適用する|その効力を失う|施行し、[^。]{0,30}?から適用する)。?$")
# the minutes' note of the next meeting (次回は9月に開催する予定。 / 次回協議会は、…開催予定): when it
# meets, no commitment of anyone
_NEXT_MEETING = re.compile(r"^\s*(?:[○◯・●]\s*)?次回(?:の?(?:会議|会合|協議会|検討会|委員会|部会|分科会|調査会|審議会))?は")
# a note that explains the text (（注）…欄の「継続」は…を示す。), not one that commits (※ …毎年度…報告する。)
_EXPLAINING_NOTE = re.compile(r"^\s*(?:[(（]注[0-9０-９]*[)）]|注[0-9０-９]*[)）:：]|※)[^。]*?(?:を|は)?"
                              r"(?:示す|示している|表す|指す|参照(?:のこと)?|による|のとおり|記載している|含む|除く)。?$")


_TRAILING_PAREN = re.compile(r"\s*[(（][^()（）]{1,40}[)）]\s*(?=。?\s*$)")


def is_measure(norm_text: str, statute: bool = False) -> bool:
    """A unit commits to something: a 【deadline】 or an action predicate.

    >>> is_measure("警察庁は、関連情報を集約する。【継続的に実施】")
    True
    >>> is_measure("警察の執行事務は、都道府県警察が担うこととされている。")
    False
    >>> is_measure("令和5年2月15日、有害情報の範囲に情報を追加した。")  # a dated milestone
    True
    >>> is_measure("行政庁は、遅滞なく当該申請の審査を開始しなければならない。")  # a duty
    True
    >>> is_measure("確定した標準を作るのではなく参照モデルを提供します。")  # the polite register
    True
    >>> is_measure("本ガイドブックは、標準ガイドライン群の一つとして位置づけられます。")
    False
    >>> is_measure("委員会は、その旨を公表することができる。", statute=True), is_measure("閲覧することができる。")
    (True, False)
    >>> is_measure("事業者は、不正の手段により結果を取得してはならない。")  # a prohibition
    True
    >>> is_measure("事業者は、労働者から取得すべきでない。"), is_measure("意見を通知しなければならないこととされている。")
    (True, True)
    >>> is_measure("指導の徹底を図られたい。"), is_measure("資料を作成し、配布する予定である。")  # a request, a plan
    (True, True)
    >>> is_measure("試行を開始することとしている。"), is_measure("都道府県警察が担うこととされている。")
    (True, False)
    >>> is_measure("復興に取り組んでいるところである。"), is_measure("件数が増加している。")  # under way, a state
    (True, False)
    >>> is_measure("行動変容の促進を図っている。"), is_measure("措置を講じている。"), is_measure("措置が講じられている。")
    (True, True, False)
    >>> is_measure("算定ルールを策定する※1。")  # a note's mark before the stop
    True
    >>> is_measure("県は、関係団体と連携し、次の取組を推進します。"), is_measure("下記について御対応いただくようお願いします。")
    (False, False)
    >>> is_measure("（注）実施時期欄の「継続」は、計画期間を通じて継続して実施するものを示す。")
    False
    >>> is_measure("原材料について一覧表にまとめて明らかにすること(別紙記載例2参照)。")
    True
    """
    if any(is_deadline_bracket(_inner(m)) for m in _BRACKET.finditer(norm_text)):
        return True
    # (a sentence that only leads into the list below it, 県は、次の取組を推進します。 / 下記について
    # 御対応いただくようお願いします。, and a note on the text, （注）…を示す。, commit to nothing themselves)
    # (a reference in parentheses after the predicate is not its end: …明らかにすること（別紙記載例2参照）。)
    sentences = [_TRAILING_PAREN.sub("", s) for s in _sentences(norm_text)
                 if not _LEADS_INTO_LIST.search(s) and not _EXPLAINING_NOTE.match(s)
                 and not (_IN_FORCE.match(s) and not (statute and _TAKES_EFFECT.search(s)))
                 and not _NEXT_MEETING.match(s)]
    return any((_ACTION.search(s) and not _NOT_ACTION.search(s)) or _OBLIGATION.search(s) or _POLITE.search(s)
               or _PLANNED.search(s) or _DOING_NOW.search(s)
               or (statute and _STATUTE.search(s)) or _dated_done(s) for s in sentences)


def extract_measures(
    doc_id: str,
    text: str,
    norm: Callable[[int, int], str],
    sections: list[Section],
    parsed: list[ParsedPassage],
    mentions: list[Mention],
    entity_types: dict[str, str],
    dated: str | None = None,
    rulebook: bool = False,
) -> list[Measure]:
    """All measures of a document.  ``norm(a, b)`` is the normalised text of an original span;
    ``dated`` the document's date (ISO), which 本年度 / 来年度 count from; ``rulebook``: its
    provisions are read as a statute's (:func:`is_rulebook`)."""
    out: list[Measure] = []
    notes = footnotes(text)
    # a statute: most of its sections are articles (a plan that prints a list as 第1条… of
    # principles is not one: its headings' deadlines and its date still count)
    pathed = [sec for sec in sections if sec.path]
    statute = bool(pathed) and sum(_in_statute(sec) for sec in pathed) * 2 >= len(pathed)
    whole = norm(0, len(text))
    # a general deadline of the preface, else (not in a statute) the period the plan sets itself
    preface = preface_deadline(norm, sections)
    titled = None if statute else title_year(whole)
    period = None if statute else plan_period(whole)
    default = preface or titled or period
    effective = None if statute else effective_date(whole)
    headed = {} if statute else heading_deadlines(sections)
    owners, in_charge = ({}, {}) if statute else heading_actors(text, sections, mentions, entity_types)
    everyone = [] if statute else preface_actors(text, mentions, entity_types) or budget_requester(
        text, whole, mentions, entity_types)
    addressee = ([], None) if statute else notice_addressee(text, norm, sections, mentions, entity_types)
    agencies = _agencies_in(mentions, entity_types, 0, len(text))  # (for the topic a subjectless unit continues)
    for unit in units(text, sections):
        a, b = unit.start, min(unit.end, _cut(text, unit.start, unit.end))
        ki = _KI_LINE.search(text, a, b)  # (a notice's 記, on its own line, opens the items below)
        b = ki.start() if ki and ki.start() > a else b
        ntext = norm(a, b)
        flat = ntext.replace("\n", "")
        pp = _passage_at(parsed, a)
        if pp is None:  # (a row whose first cell is empty starts with its tab: a passage starts after it)
            a += len(text[a:b]) - len(text[a:b].lstrip())
            pp = _passage_at(parsed, a)
        if pp is None:
            continue
        row = unit.row
        scheduled: list[Deadline] = []
        if row is not None:
            scheduled, keep = _row_schedule(unit, row, text, norm, pp, ntext)
            if not keep:
                continue
        elif _IN_FORCE.match(flat) and not (
                statute and _supplementary(unit.section) and _TAKES_EFFECT.search(flat)):
            continue  # (a notice's 本通知は…から適用する; a statute's 附則 says when it takes effect: its dated milestone)
        elif unit.section.path and _DESCRIBING_PART.fullmatch(unit.section.path[-1]) and not scheduled:
            continue  # a plan's ＜現状＞ / ＜課題＞ part says what is and what is lacking, not what will be done
        elif unit.preamble:
            # (a request that only leads into the items below, 下記について御対応いただくよう
            # お願いします, commits to nothing itself)
            if not any(_OBLIGATION.search(x) and not _LEADS_INTO_LIST.search(x) for x in _sentences(ntext)):
                continue
        elif not _states_a_measure(unit, pp, a, b, ntext, statute, rulebook) and not _ground_of_rule(
                unit, ntext, sections, norm):
            continue
        actors, actor_text = _measure_actors(unit, pp, (a, b), ntext, parsed, mentions, entity_types)
        if not actors and not actor_text and _INSTRUCTION.search(ntext.rstrip()):
            # an instruction of a notice (…を報告すること) with no one named: its addressee's
            actors, actor_text = list(addressee[0]), addressee[1]
        if statute and _TAKES_EFFECT.match(_ARTICLE_LEAD.sub("", flat)):
            actors = []  # (この省令は、…から施行する: the rule takes effect; no one acts)
        elif not actors and not actor_text:
            # the agency the heading above names (２　総務省の取組), else the topic of the
            # section's text before (このため文部科学省では、…。また、…を改訂する予定である:
            # a sentence without a subject continues the last one's), else the one the preface
            # says carries out every measure (本計画に掲げる施策は、…が実施する)
            actors = list(_under_heading(owners, unit.section.path)
                          or (unit.bullet is None and _topic_before(text, unit.section.start, a, agencies))
                          or everyone
                          # (prose goes on about its last topic across sections: a white paper's chapter
                          # on one ministry's measures)
                          or (_topic_before(text, 0, a, agencies)
                              if unit.bullet is None and unit.row is None and not _LEAD_MARKER.match(ntext)
                              and not _CELLS_AS_TEXT.search(ntext.split("\n", 1)[0]) else []))
        # a sheet tagged with who is in charge (…への支援等【法務省】): its ministry acts in every
        # measure of it, also where a sentence is about someone else (更生保護サポートセンターは、…)
        actors = _unique([*actors, *(_under_heading(in_charge, unit.section.path) or ())])
        inside = [m for m in mentions if a <= m.start and m.end <= b]
        systems = _unique(m.entity for m in inside if entity_types.get(m.entity) == "System")
        related = _unique(
            m.entity for m in inside if entity_types.get(m.entity) in ("Law", "Plan", "Program")
        )
        if unit.lead is not None and _passage_at(parsed, unit.lead) is pp:
            a = unit.lead
        heading = _lead_deadline(norm, unit, dated) or _under_heading(headed, unit.section.path)
        out.append(
            Measure(
                id=sha(doc_id, "measure", a, b),
                doc_id=doc_id,
                section=_row_path(unit, text),
                start=a,
                end=b,
                text=text[a:b],
                passage_id=pp.passage.id,
                actors=tuple(actors),
                actor_text=actor_text,
                systems=tuple(systems),
                related=tuple(related),
                deadlines=_from_effective(
                    tuple(scheduled or deadlines_of(_without_reports(ntext),
                                                    # (a standing duty of a rule titled with its year,
                                                    # …を遵守しなければならない, is no duty of that year only)
                                                    heading or (period if default is titled and _duty(ntext) else default),
                                                    footnote_deadlines(text, a, b, notes, norm),
                                                    aspect=preface is None and heading is None,
                                                    dated=None if statute else dated,
                                                    year_of=titled.start if titled and titled.kind == "fiscal_year"
                                                    else None)
                          or untimed(ntext)), effective),
            )
        )
    return out if statute else _unscheduled(out)


def _row_schedule(unit: Unit, row: tables.Row, text: str, norm: Callable[[int, int], str], pp: ParsedPassage,
                  ntext: str) -> tuple[list[Deadline], bool]:
    """A table row's deadlines, and whether it is a measure: a row of a table with a time
    column or fiscal-year columns is an item of a schedule (a roadmap's row), a row of a
    table of targets sets one (its year the target column's: 目標値（2019年度）); any other
    row must state a commitment itself."""
    scheduled = _row_deadlines(row, text, norm) if unit.cell is None else _cell_deadlines(unit.cell, ntext)
    target = tables.target_row(row, text)
    if target is not None and not scheduled:
        scheduled = deadlines_of(re.sub(r"^[^(]*\(([^()]*)\).*$", r"\1", unicodedata.normalize("NFKC", target)))
    keep = bool(scheduled) or target is not None or any(
        is_measure(norm(x, y)) or commits(pp, x, y) for x, y in row.cells if y > x)
    return scheduled, keep


def _states_a_measure(unit: Unit, pp: ParsedPassage, a: int, b: int, ntext: str, statute: bool,
                      rulebook: bool = False) -> bool:
    """Whether a unit (not a table's row, not a notice's preamble) commits to something: a
    measure's wording (:func:`is_measure`) or a verb of doing (:func:`commits`), or an item
    under a label that lists what a plan will do (＜主な事業＞); not when every sentence only
    leads into the items below (…は、2025年度において以下の取組を実施する。)."""
    if all(_LEADS_INTO_LIST.search(x) for x in _sentences(ntext)):
        return False
    return bool(is_measure(ntext, statute=rulebook or _in_statute(unit.section)
                           or (statute and _supplementary(unit.section)))
                or commits(pp, a, b, nominal=unit.bullet is not None)
                or unit.bullet is not None and _WHAT_IS_DONE.fullmatch(unit.section.title))


# an item that names a case or a thing (…場合, …とき, …場所), and a rule that leads into a list of
# such cases (…が次の基準の一に該当する場合は、許可しない。 / 以下に示す場合も失格とする。)
_CASE_ITEM = re.compile(r"(?:場合|とき|場所|もの|者)。?$")
_CASE_RULE = re.compile(r"(?:次|以下|下記)(?:の|に)[^。]{0,30}?(?:場合|とき)[^。]*?(?:は|も|には)、?[^。]{1,40}。")


def _ground_of_rule(unit: Unit, ntext: str, sections: list[Section], norm: Callable[[int, int], str]) -> bool:
    """An item that names a case a rule above it applies to: each ground of a refusal
    (小売販売業の許可の申請が次の基準の一に該当する場合は、許可しない。 › ① …予定がない場合) is
    part of that rule, one commitment per case (annotation.md: the smallest numbered item)."""
    path = unit.section.path
    if not path or unit.row is not None or not _CASE_ITEM.search(ntext.rstrip()):
        return False
    for sec in sections:  # (a section ends where the next heading starts: an ancestor's span is its own text)
        if len(sec.path) < len(path) and path[: len(sec.path)] == sec.path and len(path) - len(sec.path) <= 3:
            intro = norm(sec.start, sec.end).replace("\n", "")
            if any(is_measure(m.group(), statute=True) for m in _CASE_RULE.finditer(intro)):
                return True
    return False


# a label over a plan's list of what it will do (＜主な事業＞, 【具体的な取組】): each item is a
# planned item, also when it only names a project (・家族滞在体験型事業)
_WHAT_IS_DONE = re.compile(r"(?:主な|主要な?|具体的な|重点的な|今後の)?(?:事業|取組|取り組み|施策|実施事業|実施事項|取組事項)(?:内容)?")


# what an untimed measure of a plan still does for good: a continuing activity (…を推進する,
# …に取り組む, …の充実を図る) or a duty (…ものとする, …に努める)
_CONTINUING = re.compile(r"(?:(?:推進|促進|加速|継続|充実|強化|普及|徹底)(?:する|します)|(?:進め|努め)(?:る|ます)|図る|図ります"
                         r"|取り組む|取り組みます|運営する|(?<!こと)とする|なければならない|こと|[てで]いく|[てで]いきます"
                         rf"|{_UNDER_WAY}|(?:支援|実施|運営|提供|補助|助成|促進|展開)し[てで]い(?:る|ます))。?$")
# a request of a notice (…周知いただくようお願いします): something asked for once
_REQUEST = re.compile(rf"(?:{_ASKED}|お願いしたい|願いたい)。?$")
_SCHEDULED_SHARE = 0.1


def _unscheduled(measures: list[Measure]) -> list[Measure]:
    """A measure that prints no time is ``ongoing`` by default (:func:`untimed`): a rulebook's
    duty, a standing procedure.  In a plan that schedules its measures (at least a tenth of
    them carry a date, a year or a period), an untimed one that is no continuing activity and
    no duty (…の仕組みを構築する, …を実施する, …を目指す) is a planned item with no time:
    ``unknown`` (annotation.md).  So is a notice's request with no time (周知いただくようお願いします)."""
    dated = sum(any(d.kind in _DATED_KINDS for d in m.deadlines) for m in measures)
    scheduled = bool(measures) and dated >= _SCHEDULED_SHARE * len(measures)
    out = []
    for m in measures:
        flat = unicodedata.normalize("NFKC", m.text)
        if (len(m.deadlines) == 1 and m.deadlines[0].kind == "ongoing" and not m.deadlines[0].text
                and not any(is_deadline_bracket(_inner(b)) for b in _BRACKET.finditer(flat))):
            # (its commitment, not a note after it: …周知を図ること。なお、…)
            said = _sentences(flat)
            last = [x for x in said if not x.lstrip().startswith("なお")][-1:] or said[-1:] or [""]
            ends = re.sub(r"[【\[].*$", "", last[0]).rstrip()
            request = bool(_REQUEST.search(ends)) and not re.search(r"留意|努め|徹底|遵守", ends)
            if request or (scheduled and not _CONTINUING.search(ends) and not _OBLIGATION.search(ends)
                           and not _POLITE.search(ends)):
                m = replace(m, deadlines=(Deadline("", "unknown"),))
        out.append(m)
    return out


def _duty(ntext: str) -> bool:
    """A statement of a duty or a prohibition (…しなければならない, …ものとする)."""
    return any(_OBLIGATION.search(x) and not _REQUEST.search(x) for x in _sentences(ntext))


def _row_path(unit: Unit, text: str) -> tuple[str, ...]:
    """A unit's heading path; a table row's goes on to the number its first cell prints
    ((1) under １．…: the path a reader cites the row by)."""
    path = unit.section.path
    if unit.row is None:
        return path
    first = next((text[x:y] for x, y in unit.row.cells if text[x:y].strip()), "")
    marker = item_marker(first)
    return path if marker is None or (path and path[-1] == marker) else (*path, marker)


# a time cell that says the row is being done now (実施中): a continuing activity
_UNDER_WAY_CELL = re.compile(r"(?:実施|継続|運用|対応|推進|取組)中")


def _row_deadlines(row: tables.Row, text: str, norm: Callable[[int, int], str]) -> list[Deadline]:
    """A table row's deadlines from its columns: the dates in its time cells (見直し完了時期),
    else the fiscal-year columns it fills when its cells print no date (a roadmap)."""
    due = tables.due_cells(row)
    cells = [(norm(x, y), (x, y) in due) for x, y in tables.time_cells(row)]
    # (a year printed bare in a time column, R8 / 令和8, is that fiscal year)
    cells = [(re.sub(r"^\s*((?:R|H|令和|平成)\s*[0-9]{1,2})\s*$", r"\1年度", c), by) for c, by in cells]
    # (a span in a column of when it is due, 令和4年春 / 令和3年末 under 期限: due by its end)
    found = [replace(d, kind="by", start=None) if by and d.kind == "period" and d.end else d
             for cell, by in cells for d in deadlines_of(cell)]
    if found:
        return found
    words = [cell.strip() for cell, _ in cells if re.search(r"\w", cell)]
    if words:  # 継続 / 随時 / 実施中: ongoing; 未定, 検討中: the column says when, and it says not yet
        said = (Deadline(words[0], "ongoing") if _UNDER_WAY_CELL.fullmatch(words[0])
                else normalise(words[0]))  # (not a ・・・ placeholder)
        return [said if said.kind in ("ongoing", "promptly") else Deadline(words[0], "unknown")]
    if any(_inline(norm(x, y)) for x, y in row.cells):
        return []
    fy = tables.fiscal_year_deadline(row, text)
    return [fy] if fy else []


def _measure_actors(unit: Unit, pp: ParsedPassage, span: tuple[int, int], ntext: str, parsed: list[ParsedPassage],
                    mentions: list[Mention], entity_types: dict[str, str]) -> tuple[list[str], str | None]:
    """Who a unit's measure names as acting: a row's actor column, a request's addressee
    (各都道府県におかれては), the topic of its text, else of its list's lead or its item's
    first sentence."""
    a, b = span
    actors, actor_text = (_row_actors(unit.row, mentions, entity_types) if unit.row is not None else []), None
    if not actors:
        actors = _labelled(pp.passage, a, b, mentions, entity_types)
    if not actors:
        actors, actor_text = _addressed(ntext, _agencies_in(mentions, entity_types, a, b))
    if not actors and not actor_text:
        actors, actor_text = _actors(pp, a, b, mentions, entity_types)
    if not actors:
        actors = _glossed_topic(ntext, a, b, mentions, entity_types) or actors
    if not actors:
        actors = _leading(pp.passage, a, b, mentions, entity_types)
    for intro in (unit.intro, unit.outer):
        if actors or intro is None:
            continue
        ip = _passage_at(parsed, intro[0])
        if ip is not None:
            inherited, text_ = _actors(ip, intro[0], intro[1], mentions, entity_types)
            if inherited or not actor_text:
                actors, actor_text = inherited, text_
    return actors, actor_text


# who leads what the sentence commits to: デジタル庁が中心となり, 消防庁を中心として,
# デジタル庁・人事院・内閣人事局の連携により, 県が主体となって
_LEADS = re.compile(r"が中心(?:と|に)な(?:り|って)|を中心(?:と|に)して|を中心に(?=[^、。]{0,6}、)|の連携(?:により|の下)"
                    r"|が主体(?:と|に)な(?:り|って)|が主導(?:し|して)")
_JOINED = re.compile(r"[・、]|及び|並びに|と")


def _leading(passage: Passage, a: int, b: int, mentions: list[Mention], entity_types: dict[str, str]) -> list[str]:
    """The agencies a sentence names as leading what it commits to (デジタル庁が中心となり、
    関係府省庁と連携して…), when it has no topic of its own.

    >>> from policygraph.core.records import Mention, Passage
    >>> t = "引き続き、デジタル庁・人事院の連携により、措置を講ずる。"
    >>> ms = [Mention("da", "デジタル庁", 5, 10, "p"), Mention("jinji", "人事院", 11, 14, "p")]
    >>> _leading(Passage("p", "d", 0, (), 0, len(t), t), 0, len(t), ms, {"da": "Agency", "jinji": "Agency"})
    ['da', 'jinji']
    """
    text = passage.text[a - passage.start : b - passage.start]
    for m in _LEADS.finditer(text):
        pos = a + m.start()
        picked: list[str] = []
        for x in reversed(_agencies_in(mentions, entity_types, a, pos)):
            gap = passage.text[x.end - passage.start : pos - passage.start]
            if x.end > pos or (gap and not _JOINED.fullmatch(gap)) or (not gap and picked):
                break
            picked.insert(0, x.entity)
            pos = x.start
        if picked:
            return _unique(iter(picked))
    return []


# an item labelled with who carries it out: 警察庁・総務省：…, 【警察庁、総務省】… at its start,
# or …する。【警察庁、総務省】 / （警察庁）at its end
_LABEL_FIRST = re.compile(r"^[\s\u3000]*(?:[" + BULLETS + r"-]|[(（]?[0-9０-９]{1,2}[)）.]|[①-⑳])?[\s\u3000]*"
                          r"(?:【([^【】\n]{2,60})】|([^：:。\n「」()（）]{2,60}?)[：:])")
# (also a roadmap bar's [内閣府、文部科学省等], its closing bracket of any shape, before the
# bar's year cells: \t→\t→)
_LABEL_LAST = re.compile(r"(?:[【［\[〔]([^【】［］\[\]〔〕\n]{2,60})[】］\]〕]|[(（]([^()（）\n]{2,60})[)）])[\s\u3000→]*$")
_LABEL_GLUE = re.compile(r"[\s\u3000・、,，/／]|及び|並びに|ほか|等"
                         r"|(?:一般|公益)(?:社団|財団)法人|独立行政法人|国立研究開発法人|株式会社")


def _labelled(passage: Passage, a: int, b: int, mentions: list[Mention], entity_types: dict[str, str]) -> list[str]:
    """The agencies of an item's label, when the label holds nothing but their names.

    >>> from policygraph.core.records import Mention, Passage
    >>> t = "・警察庁・総務省：令和7年度中に、対象を拡大する。"
    >>> ms = [Mention("npa", "警察庁", 1, 4, "p"), Mention("mic", "総務省", 5, 8, "p")]
    >>> _labelled(Passage("p", "d", 0, (), 0, len(t), t), 0, len(t), ms, {"npa": "Agency", "mic": "Agency"})
    ['npa', 'mic']
    """
    text = passage.text[a - passage.start : b - passage.start]
    for m in (_LABEL_FIRST.match(text), _LABEL_LAST.search(text)):
        if m is None:
            continue
        g = 1 if m.group(1) is not None else 2
        x, y = a + m.start(g), a + m.end(g)
        named = _agencies_in(mentions, entity_types, x, y)
        rest = text[m.start(g) : m.end(g)]
        for n in reversed(named):
            rest = rest[: n.start - x] + rest[n.end - x :]
        if named and not _LABEL_GLUE.sub("", rest):
            return _unique(n.entity for n in named)
    return []


# an agency as the topic of its sentence: 文部科学省では、 / 環境省は、 / 内閣府においては
_TOPIC_AFTER = re.compile(r"(?:\s*[(（][^()（）]{0,40}[)）])?(?:は|では|においては|においても|でも)[、,]?")


def _topic_before(text: str, start: int, end: int, agencies: list[Mention]) -> list[str]:
    """The agency (or agencies joined with 及び / と / 、) last made the topic of a sentence
    between ``start`` and ``end``: whom a sentence that names no one goes on about.
    ``agencies``: the document's (or a span's) agency mentions in printed order
    (:func:`_agencies_in`), found once, not for every unit that asks."""
    lo = bisect.bisect_left(agencies, start, key=lambda m: m.start)
    hi = bisect.bisect_right(agencies, end, key=lambda m: m.start)
    named = [m for m in agencies[lo:hi] if m.end <= end]
    for i in range(len(named) - 1, -1, -1):
        m = named[i]
        if _TOPIC_AFTER.match(text, m.end):
            group = [m.entity]
            j = i - 1  # (環境省及び経済産業省は: both)
            while j >= 0 and re.fullmatch(r"\s*(?:、|及び|並びに|と|・)\s*", text[named[j].end : named[j + 1].start]):
                group.insert(0, named[j].entity)
                j -= 1
            return _unique(iter(group))
    return []


# a name glossed in parentheses before its は / が (日本年金機構（以下「機構」という。）は、):
# the full stop inside the gloss cuts the parse's sentence, so the topic is read here
_GLOSSED_TOPIC = re.compile(r"\((?:[^()]|\([^()]*\))*\)(?:は|が)、")


def _glossed_topic(ntext: str, a: int, b: int, mentions: list[Mention], entity_types: dict[str, str]) -> list[str]:
    """The agency named right before a gloss that its sentence's topic particle follows.

    >>> from policygraph.core.records import Mention
    >>> t = "(1) 日本年金機構（以下「機構」という。）は、目標を定める。"
    >>> _glossed_topic(t, 0, len(t), [Mention("jpa", "日本年金機構", 4, 10, "p")], {"jpa": "Agency"})
    ['jpa']
    >>> t = "避難所担当職員（住民課）は、施設を確認する。"
    >>> _glossed_topic(t, 0, len(t), [Mention("jk", "住民課", 8, 11, "p")], {"jk": "Agency"})
    ['jk']
    """
    flat = unicodedata.normalize("NFKC", ntext)
    m = _GLOSSED_TOPIC.search(flat)
    if m is None or "。" in re.sub(r"\([^()]*(?:\([^()]*\)[^()]*)*\)", "", flat[: m.start()]):
        return []  # (a gloss in a later sentence: not the measure's topic)
    name = flat[: m.start()].rstrip()
    named = _unique(x.entity for x in _agencies_in(mentions, entity_types, a, b)
                    if x.surface and name.endswith(unicodedata.normalize("NFKC", x.surface)))
    gloss = m.group(0)
    if named or "以下" in gloss or "という" in gloss:
        return named
    # the organ a role is glossed with (避難所担当職員（住民課（住民対策班））は): the glossed one
    inside = [x for x in _agencies_in(mentions, entity_types, a, b)
              if unicodedata.normalize("NFKC", x.surface or "") in gloss]
    return _unique(x.entity for x in inside)


_REPORT_END = re.compile(r"(?:した|された|れた|った|なった|となっている|している|されている|ている|である|であった|いた)。$")


def _without_reports(ntext: str) -> str:
    """A unit's text without the sentences that report what was done or what is (令和3年度に
    …を実施した。 / …となっている。) when another sentence of it commits to something: the times
    of a report are no deadline of the commitment beside it (annotation.md).

    >>> _without_reports("令和3年度に指針を改定した。引き続き、周知に取り組む。")
    '引き続き、周知に取り組む。'
    >>> _without_reports("令和8年度までに改定する。")
    '令和8年度までに改定する。'
    """
    sentences = [x for x in re.split(r"(?<=。)", ntext) if x.strip()]
    if len(sentences) < 2:
        return ntext
    flat = [re.sub(r"\s+", "", unicodedata.normalize("NFKC", x)) for x in sentences]
    reports = [bool(_REPORT_END.search(f)) and not is_measure(f) and "【" not in f for f in flat]
    if all(reports) or not any(reports):
        return ntext
    return "".join(x for x, r in zip(sentences, reports, strict=True) if not r)


def _cell_deadlines(header: str, ntext: str) -> list[Deadline]:
    """A roadmap cell's deadlines: its own dates, else its column's fiscal year."""
    column = tables.column_deadline(header)
    return _inline(ntext) or ([column] if column else [])


def _row_actors(row: tables.Row, mentions: list[Mention], entity_types: dict[str, str]) -> list[str]:
    """The agencies named in a row's actor columns (所管省庁, 実施主体); none there, the
    row's measure takes the topic of its text, as any other."""
    cells = tables.actor_cells(row)
    return _unique(m.entity for m in mentions if entity_types.get(m.entity) in ACTOR_TYPES
                   and any(x <= m.start and m.end <= y for x, y in cells))


_AFTER_EVENT = re.compile(r"^(.{2,60}?)を受け(?:て)?、?")
# 引き続き as an adverb of the measure's own verb (引き続き、…を推進する), not of a state
# (引き続き深刻な情勢にある)
# how often within a year (年2回): ongoing, unless the plan names its fiscal year (deadlines_of)
_FREQUENCY = re.compile(r"年[0-9０-９一二三四]回(?:以上|程度)?")
_ONGOING_WORDS = re.compile(
    r"引き続き(?=、|[^、。]{0,30}?(?:推進|実施|行う|努め|取り組|取組|図る|進め|講じ|検討|強化|支援|周知|継続|徹底|協力"
    r"|活用|運用|開催|整備|対応|確保|提供|充実|改善|把握|確認|点検|公表|展開|維持|育成|働きかけ|注視|検証|促進|要請))"
    rf"|{_FREQUENCY.pattern}"
    r"|継続的[にな]|不断に|不断の|今後も|順次(?=[^、。]{0,20}?(?:拡大|展開|実施|導入|進め|移行|拡充|開始|追加|公表|対象|作成|整備|策定|更新|見直|行))|随時|常時|定期的に|恒常的に|毎年度?(?!末)|毎月|毎週|四半期(?:ごと|毎)に|当面(?:の間)?|中長期的に"
)
# the continuing aspect of a verb of doing that ends the statement (取り組んでいく。,
# 推進していきます。): an activity that goes on, not one with an end
_ONGOING_ASPECT = re.compile(r"(?:推進|実施|継続|検討|取り組|取組|進め|強化|支援|推し進め|改善|充実|活用|整備|見直)"
                             r"(?:し|ん|め)?[てで](?:いく|いきます|まいります|参ります)(?=[。.]?$)")
_CITATION = re.compile(r"\([^()]{0,80}\)")
# the date a cited notice was issued on: 平成24年9月7日付け薬食発0907第6号 (annotation.md: a date
# inside a citation is not a deadline), in or out of brackets
_KN = f"[0-9{KANJI_DIGITS}]"  # digits, or kanji numerals as statutes print them
_DAY = rf"(?:(?:令和|平成|昭和)\s*(?:{_KN}+|元)|[0-9]{{4}})\s*年\s*{_KN}{{1,3}}\s*月\s*{_KN}{{1,3}}\s*日\s*"
_DATED_NOTICE = re.compile(rf"{_DAY}(?:付け?\s*[^、。()「」]{{0,24}}?|(?:法律|政令|[^\s、。()]{{0,12}}?(?:省令|府令|規則|告示|訓令|条例)))"
                           rf"第\s*{_KN}+\s*号"
                           # a decision's date: 令和７年６月６日閣議決定。 (a plan cited by when it was
                           # decided, as a footnote says it), not 令和8年3月に閣議決定する
                           rf"|{_DAY}[^\s、。()「」0-9]{{0,20}}?(?:閣議決定|閣議了解|決定|改定|策定|公布|制定)(?=[。、)\s]|$)")


def _cited(text: str) -> list[tuple[int, int]]:
    """Spans of citations: parentheses (（令和元年6月25日犯罪対策閣僚会議決定）) and a cited
    notice's date and number (平成24年9月7日付け薬食発0907第6号).

    >>> t = "平成24年9月7日付け薬食発 0907 第 6 号通知「…」に基づき、令和8年度中に改める。"
    >>> [t[a:b] for a, b in _cited(t)]
    ['平成24年9月7日付け薬食発 0907 第 6 号']
    >>> t = "平成十五年五月三十日法律第五十七号により、令和九年三月三十一日までに改める。"
    >>> [t[a:b] for a, b in _cited(t)]
    ['平成十五年五月三十日法律第五十七号']
    >>> t = "計画135に基づき推進する。\\n135 令和7年6月6日閣議決定。\\n令和8年3月31日に決定する。"
    >>> [t[a:b] for a, b in _cited(t)]
    ['令和7年6月6日閣議決定']
    """
    return ([m.span() for m in _CITATION.finditer(text) if not _PERIOD_GLOSS.search(text, 0, m.start())]
            + [m.span() for m in _DATED_NOTICE.finditer(text)])


# a period glossed in parentheses after its name: 計画期間(令和6年度~令和11年度) is no citation
_PERIOD_GLOSS = re.compile(r"期間\s*$")


def _inside(spans: list[tuple[int, int]], a: int, b: int) -> bool:
    return any(x <= a and b <= y for x, y in spans)


def _refine(d: Deadline) -> Deadline:
    """``…の発出を受け、速やかに検討を開始``: prompt, but counted from an event → relative."""
    m = _AFTER_EVENT.match(d.text)
    if m and d.kind == "promptly":
        return Deadline(d.text, "relative", None, None, d.part, event=m.group(1))
    return d


# a one-off thing to be made or changed (…を策定する): planned, with no time → unknown
# (検討する, 見直しを行う, 論点を整理する: a question to settle once, not a standing activity;
# 引き続き検討する prints its time word and is ongoing)
_ONE_OFF = re.compile(r"(?:策定|作成|構築|創設|設置|導入|改定|改正|取りまとめ|取りまとめる|開発|新設|立ち上げ"
                      r"|検討|見直し|整理|明確化|刷新)(?:する|します|を行う|を目指す|を予定|予定)|見直す")


def untimed(ntext: str) -> tuple[Deadline, ...]:
    """The deadline of a measure that prints no time word (annotation.md): a duty, power,
    rule or continuing activity is ``ongoing``; a one-off thing to be made or changed is
    ``unknown``.  The text is empty: nothing of the kind is printed.

    >>> untimed("行政庁は、審査基準を定めるものとする。")[0].kind
    'ongoing'
    >>> untimed("関係省庁は、新たな指針を策定する。")[0].kind, untimed("資料を配布する予定である。")[0].kind
    ('unknown', 'unknown')
    >>> untimed("手数料の引下げを検討する。")[0].kind, untimed("広報の充実を図る。")[0].kind
    ('unknown', 'ongoing')
    """
    body = ntext.replace("\n", "")
    duty = _OBLIGATION.search(body) or re.search(r"(?:こと|努める|努めます|ください)。?$", body)
    planned = _ONE_OFF.search(body) or _PLANNED.search(body)  # (…配布する予定である: planned, no time)
    return (Deadline("", "unknown" if planned and not duty else "ongoing"),)


def deadlines_of(ntext: str, default: Deadline | None = None, noted: Sequence[Deadline] = (),
                 aspect: bool = True, dated: str | None = None, year_of: str | None = None) -> list[Deadline]:
    """【…】 blocks with their parts; else time expressions in the text (dates inside
    parentheses are citations, not deadlines); else a date the measure's footnote sets
    (``noted``: …2023年版⁵に… / ⁵ 令和5年3月公表予定。); else 引き続き → ongoing, and, when
    ``aspect`` (the default is a plan's period, not a deadline its preface states), a
    closing continuing aspect (取り組んでいく); else the document's general deadline
    (``default``).  ``dated``: the document's date (ISO), which 本年度 / 来年度 count from;
    without it, ``year_of``: a day of the fiscal year the document's title names (年度末までに
    in 令和10年度実施計画 is the end of that year)."""
    ntext = ntext.replace("**", "")  # (Markdown's bold: **令和7年度末まで**に)
    found: list[Deadline] = []
    for m in _BRACKET.finditer(ntext):
        inner = _inner(m).strip()
        if inner.startswith("再掲") or not is_deadline_bracket(inner):
            continue  # 【再掲】, or a label (【導入編について】)
        found.extend(_refine(d) for d in parse_bracket(inner))
    if found:
        return found
    own = dated or year_of
    inline = _inline(ntext, dated) + (relative_years(ntext, own) if own else [])
    if inline:
        return [_refine(d) for d in inline]
    if noted:
        return list(noted)
    flat = re.sub(r"\s", "", ntext)  # (a PDF line may break 取り組\nんでいく)
    word = _ONGOING_WORDS.search(flat) or (_ONGOING_ASPECT.search(flat) if aspect or default is None else None)
    if word and default is not None and default.kind == "fiscal_year" and _FREQUENCY.fullmatch(word.group(0)):
        return [default]  # 年2回開催する in the plan of 2025年度: how often within that year
    if word:
        return [Deadline(word.group(0), "ongoing")]
    return [default] if default else []


_DUE = re.compile(r"^.{0,3}(?:まで|目途|予定|施行|開始|稼働|実施)")
_DUE_IN = re.compile(r"まで|目[途処]")  # (令和8年6月を目途に: read with the date)
# a date inside a clause that qualifies a noun with what happened then: …に発生した地震,
# …に閣議決定された「…計画」, …に設置した本部
_DATES_A_NOUN = re.compile(r"(?:\([^()]{0,12}\))?に[^、。()「」]{0,24}?(?:した|された|れた|った|まった|わった)"
                           # (not a noun that makes the clause one of time or manner: …に移行した時点で)
                           r"(?!時点|後|上|際|場合|段階|以降|ところ|こと|もの|ため|結果|時|旨)(?=[\u4e00-\u9fff\u30a0-\u30ff「『])")
# a clause that ends in a verb qualifying a noun, the noun a case's object or subject
# (…を実現する地域を, …が策定する計画に), with no break before it: what a time word in it
# times is the noun's, not the sentence's
_QUALIFIES = re.compile(r"^[^、。]{0,40}?(?:する|される|できる|なる|いる|れる)[\u4e00-\u9fff\u30a0-\u30ff]{1,12}(?:を|が|に|は|の)")


# a year named from the document's own (本年度中に, 来年度までに, 今年中に): counted from its date
# (翌年度 and 当年度 count from another year, not the document's; a bare year word is no
# deadline: 来年度予算, 本年3月に改定された)
_RELATIVE_YEAR = re.compile(r"(?<![\u4e00-\u9fff])(?:(本年度|今年度|来年度|次年度)(末|中|内)?(まで(?:に)?|を目[途処]に?|以降|から|に|は?、)"
                            r"|(本年度|今年度|来年度|次年度)(末|中|内)|(本年|今年|来年)(末|中|内)?(まで(?:に)?|を目[途処]に?|以降)"
                            r"|(本年|今年|来年)(末|中|内)"
                            # a month or a season of the document's year (本年10月末までに, 本年秋頃を目途に)
                            r"|(本年|今年|来年)([0-9]{1,2}月(?:[0-9]{1,2}日)?末?(?:まで(?:に)?|を目[途処]に?))"
                            r"|(本年|今年|来年)の?((?:春|夏|秋|冬)(?:頃|ごろ)?(?:まで(?:に)?|を目[途処]に?)?)"
                            # the fiscal year unnamed, the document's own (年度内に開催, 年度末までに)
                            r"|(?<![\u4e00-\u9fff0-9])(年度)(末|内)(まで(?:に)?|を目[途処]に?|に)?)")
_YEAR_STEP = {"本年度": (0, True), "今年度": (0, True), "来年度": (1, True), "次年度": (1, True),
              "本年": (0, False), "今年": (0, False), "来年": (1, False), "年度": (0, True)}


def relative_years(ntext: str, dated: str) -> list[Deadline]:
    """Years the text names from the document's own date: 本年度中に (in a notice of
    令和7年5月: fiscal 2025), 来年度までに, 今年中に.  Not inside parentheses (a citation),
    not a bare year word (来年度予算, 本年3月に), not inside a word (日本年金機構).

    >>> [(d.text, d.kind, d.start, d.end) for d in relative_years("本年度中に取りまとめ、来年度までに改定する。", "2026-02-10")]
    [('本年度中に', 'fiscal_year', '2025-04-01', '2026-03-31'), ('来年度までに', 'by', None, '2027-03-31')]
    >>> relative_years("日本年金機構と連携し、本年3月に改定された指針と来年度予算により行う。", "2026-02-10")
    []
    """
    year, month = int(dated[:4]), int(dated[5:7])
    cited = _cited(ntext)
    out = []
    for m in _RELATIVE_YEAR.finditer(ntext):
        if _inside(cited, *m.span()):
            continue
        word, *rest = [g for g in m.groups() if g is not None]
        step, fiscal = _YEAR_STEP[word]
        y = (year if month >= 4 else year - 1) + step if fiscal else year + step
        d = normalise(f"{y}年{'度' if fiscal else ''}{''.join(rest)}")
        out.append(replace(d, text=m.group(0).rstrip("、")))
    return out + _bare_months(ntext, year, month, cited)


# a month the text names without its year, as a limit or a time (6月末までに, 5月中に,
# 6月下旬を目途に): the document's own year, or the next when the month is already past
_BARE_MONTH = re.compile(r"(?<![年度0-9毎])([0-9]{1,2})月(上旬|中旬|下旬|末|中)?(まで(?:に)?|を目[途処]に?|に(?=[^、。]{0,30}?予定))?"
                         r"(?![0-9]|日)")
_TEN_DAYS = {"上旬": (1, 10), "中旬": (11, 20), "下旬": (21, 31)}
# a named day glossed with its date: 「救急の日」（9月9日）
_NAMED_DAY = re.compile(r"(?:(?<=の日」)|(?<=の日))[(（]([0-9]{1,2})月([0-9]{1,2})日[)）]")
# the days of a campaign glossed after its name: 秋の全国火災予防運動（11月9日から11月15日まで）
_EVENT_DAYS = re.compile(r"(?<=運動|週間|月間|旬間|ーン|期間)[(（]([0-9]{1,2})月([0-9]{1,2})日(?:\([^()]{1,4}\))?(?:から|[~〜～])"
                         r"(?:([0-9]{1,2})月)?([0-9]{1,2})日(?:\([^()]{1,4}\))?(?:まで)?[)）]")
# a day printed without its year, as a limit (6月30日までに, 7月10日を目途に)
_BARE_DAY = re.compile(r"(?<![年度0-9毎/.])([0-9]{1,2})月([0-9]{1,2})日(?:\([^()]{1,4}\))?(まで(?:に)?|を目[途処]に?"
                       # the day something is done (初日の4月6日に…開催する), not one it was done on
                       r"|に(?![^、。]{0,40}?(?:した|された|れた|った|いた)[。、]))")


def _bare_months(ntext: str, year: int, month: int, cited: list[tuple[int, int]]) -> list[Deadline]:
    """:func:`relative_years` for a month printed without its year.

    >>> [(d.kind, d.start, d.end) for d in _bare_months("6月末までに配布し、6月下旬を目途に通知する。", 2024, 4, [])]
    [('by', None, '2024-06-30'), ('period', '2024-06-21', '2024-06-30')]
    >>> [(d.kind, d.end) for d in _bare_months("3月中に取りまとめる。4月1日の施行", 2024, 11, [])]
    [('date', '2025-03-31')]
    >>> [(d.kind, d.end) for d in _bare_months("事務局が6月30日までに提出する。4月6日に開催する。3月1日に開催した。", 2025, 5, [])]
    [('by', '2025-06-30'), ('date', '2025-04-06')]
    >>> [(d.kind, d.start, d.end) for d in _bare_months("秋の全国火災予防運動(11月9日から11月15日まで)の機会を捉えて", 2025, 9, [(10, 27)])]
    [('period', '2025-11-09', '2025-11-15')]
    >>> [(d.kind, d.start) for d in _bare_months("「救急の日」(9月9日)の啓発イベントを開催する。", 2025, 4, [(7, 12)])]
    [('date', '2025-09-09')]
    >>> _bare_months("1月31日に設置した「復旧・復興支援本部」の下で取り組んでいる。", 2024, 6, [])
    []
    """
    def in_year(mo: int) -> int:  # (the month before the document's still counts as its year)
        return year if mo >= month - 1 else year + 1

    out = []
    for m in _BARE_MONTH.finditer(ntext):
        mo, ten, limit = int(m.group(1)), m.group(2), m.group(3)
        if not 1 <= mo <= 12 or _inside(cited, *m.span()) or not (ten or limit):
            continue  # (a bare 6月 is no time the text sets: 6月に実施した)
        y = in_year(mo)
        last = date(y, mo, calendar.monthrange(y, mo)[1])
        first, end = date(y, mo, 1), last
        if ten in _TEN_DAYS:
            a, b = _TEN_DAYS[ten]
            first, end = date(y, mo, a), date(y, mo, min(b, last.day))
        text = m.group(0)
        if limit and limit.startswith("まで") or ten == "末":
            out.append(Deadline(text, "by", None, end.isoformat()))
        else:
            out.append(Deadline(text, "period" if ten in _TEN_DAYS else "date", first.isoformat(), end.isoformat()))
    for m in _EVENT_DAYS.finditer(ntext):
        # a campaign's days glossed after its name: (11月9日から11月15日まで) is its period, not a citation
        mo0, d0, mo1, d1 = int(m.group(1)), int(m.group(2)), int(m.group(3) or m.group(1)), int(m.group(4))
        y0 = in_year(mo0)
        since, until = safe_date(y0, mo0, d0), safe_date(y0 + ((mo1, d1) < (mo0, d0)), mo1, d1)
        if since and until:
            out.append(Deadline(m.group(0).strip("()（）"), "period", since, until))
    for m in _NAMED_DAY.finditer(ntext):
        mo = int(m.group(1))
        if iso := safe_date(in_year(mo), mo, int(m.group(2))):
            out.append(Deadline(m.group(0).strip("()（）"), "date", iso, iso))
    for m in _BARE_DAY.finditer(ntext):
        mo = int(m.group(1))
        if _inside(cited, *m.span()) or not (iso := safe_date(in_year(mo), mo, int(m.group(2)))):
            continue
        if m.group(3) == "に" and _DATES_A_NOUN.match(ntext, m.end() - 1):
            continue  # 1月31日に設置した「…本部」の下で: the day of the thing named, not of the measure
        out.append(Deadline(m.group(0), "by", None, iso) if m.group(3).startswith("まで") else Deadline(m.group(0), "date", iso, iso))
    return out


# what a span of years measures when it reports a trend: …の5年間で約2倍に増加, …にかけて減少
_TREND = re.compile(r"(?:の)?(?:[0-9一二三四五六七八九十]+(?:か)?年間|間)?(?:で|に|には|にかけて)、?[^。]{0,16}?"
                    r"(?:増加|減少|推移|倍|上昇|低下|増え|減っ|減り)")


def _inline(ntext: str, dated: str | None = None) -> list[Deadline]:
    """Time expressions that set a deadline: not inside parentheses (citations such as
    （令和元年6月25日犯罪対策閣僚会議決定）), and a bare date only when something falls
    due on it (…までに, …に施行, …公表予定) or it is a full calendar date (令和5年2月15日、…を
    追加した: a dated milestone of the measure); a bare month otherwise records history."""
    cited = _cited(ntext) + [m.span() for m in _BRACKET.finditer(ntext) if SOURCE_LABEL.search(_inner(m))]
    out = []
    found = [x for x in find_deadlines(ntext) if not _inside(cited, x[0], x[1])]
    dated_events = {i + 1 for i, (x, y) in enumerate(zip(found, found[1:], strict=False))
                    if x[2].kind == "date" and y[2].kind == "relative" and y[2].event
                    and ntext[x[1] : y[0]] == "の"}  # 令和7年11月の「…月間」において: the month the event is in
    for i, (a, b, d) in enumerate(found):
        if i in dated_events:
            continue
        if i + 1 in dated_events:
            out.append(d)
            continue
        if _reported_clause(ntext, b) and not (d.kind == "date" and d.start == d.end):
            continue  # 2022年度から…を対象に加えており、引き続き…: the time of a report beside the
            # commitment (a full calendar date stays: 令和5年3月1日に通知を発出し、…ところであり、引き続き… is a
            # dated milestone of the measure, as a sentence that reports it alone is)
        if (d.kind == "date" and d.start != d.end and not _DUE.match(ntext[b : b + 8]) and not _DUE_IN.search(d.text)
                and not (_planned_for(ntext, b) and not (dated and (d.end or "") < dated))):
            continue  # a bare month (令和4年12月に…された) records history; a full date is a milestone
            # (one a commitment falls in, 令和7年12月に策定する, is one, unless it is over by the
            # document's own date: 2023年5月に搭載を開始し… in a plan of June 2023)
        if d.kind == "date" and _DATES_A_NOUN.match(ntext, b):
            continue  # 令和6年1月1日に…で発生した地震: the date of the thing named, not of the measure
        if i + 1 < len(found) and _QUALIFIES.match(ntext[b : found[i + 1][0]]):
            continue  # 2030年度までに…を実現する地域を2025年度までに選定: the time of what the
            # noun is, in a clause before it; the sentence's own time comes after
        if d.kind == "period" and _TREND.match(ntext, b):
            continue  # 平成30年から令和4年までの5年間で約2倍に増加: a statistic's span, not a deadline
        if d.kind == "relative":
            d = _with_event(d, ntext[max(0, a - 40) : a])
        out.append(d)
    return out


# a clause that reports what was or is being done, and a commitment after it in the same
# sentence (…を対象に加えており、引き続き…を支援していく / …を強化したところであり、引き続き…)
_REPORT_CLAUSE = re.compile(r"(?<!こととし)(?<!予定し)(?<!目指し)(?<!見込んで)(?<!考えて)[てで]おり、"
                            r"|(?:した|された|れた|った|いた)ところであり、")


def _reported_clause(ntext: str, b: int) -> bool:
    """Whether the time ending at ``b`` belongs to a clause that reports (…を加えており、 /
    …したところであり、) and the sentence goes on to something else: the time of the report,
    not of the commitment after it (annotation.md).

    >>> t = "2022年度から対象に加えており、引き続き支援していく。"
    >>> _reported_clause(t, 7), _reported_clause("令和8年度までに整備することとしており、順次進める。", 8)
    (True, False)
    """
    end = ntext.find("。", b)
    end = len(ntext) if end < 0 else end
    m = _REPORT_CLAUSE.search(ntext, b, end)
    return m is not None and bool(ntext[m.end() : end].strip())


# a sentence that commits to a thing to come (…を策定する。, …を開始する予定である。)
_TO_COME = re.compile(r"(?:する|します|行う|行います|予定(?:である|です)?|目指す|図る|進める)$")
_DONE_SINCE = re.compile(r"(?:した|された|れた|った|でした|ました)(?!上で|うえで|後|あと|際|場合|とき|時)")


def _planned_for(ntext: str, b: int) -> bool:
    """Whether a bare month (令和7年12月に) is when the sentence's own commitment falls due:
    the sentence ends in a thing to come, and nothing between the month and its end is done
    (令和5年3月に策定した計画に基づき、…する: the plan's month, history).

    >>> t = "令和7年12月に標準仕様を策定する。令和5年3月に策定した計画に基づき推進する。"
    >>> _planned_for(t, 7), _planned_for(t, 25)
    (True, False)
    """
    if not re.match(r"(?:中|頃|ごろ)?に(?!おいて|は|お|よ)", ntext[b : b + 5]):
        return False  # (令和4年12月末以降、…: a start, not the month of the commitment)
    end = ntext.find("。", b)
    clause = ntext[b : end if end >= 0 else len(ntext)].rstrip()
    return bool(_TO_COME.search(clause)) and not _DONE_SINCE.search(clause)


_EVENT = re.compile(r"([^、。「」()\sはがをにで]{2,30})の(?:翌日|日)?(?:から)?$")


def _with_event(d: Deadline, before: str) -> Deadline:
    """``事故発生日の翌日から起算して10日以内``: the event is what the count starts from."""
    text = before + d.text
    m = _EVENT.search(before) or re.search(r"([^、。「」()\sはがをにで]{2,30})の翌日", text)
    if m is None:
        return d
    event = m.group(1)
    return Deadline(text[text.index(event):] if event in text else d.text, d.kind, d.start, d.end, d.part,
                    duration=d.duration, event=event)


_SUP = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_NOTE_LINE = re.compile(rf"^[ \t]*([{_SUP}]+)[ \t\u3000]*(?=\S)(.*)$", re.M)
_NOTE_REF = re.compile(rf"[{_SUP}]+")
_DATED_KINDS = ("date", "by", "fiscal_year", "period")


def footnotes(text: str) -> list[tuple[str, int, int]]:
    """(number, start, end) of each footnote line (``⁵ 令和5年3月公表予定。``) of a document."""
    return [(m.group(1), m.start(2), m.end(2)) for m in _NOTE_LINE.finditer(text)]


def footnote_deadlines(text: str, a: int, b: int, notes: list[tuple[str, int, int]],
                       norm: Callable[[int, int], str]) -> list[Deadline]:
    r"""Dated deadlines set by the footnotes a span refers to (a superscript number inside
    a line, answered by the next footnote line of that number after it), where something
    falls due (公表予定, …までに); a date a footnote reports (…に改定された) is history.

    >>> t = "事例集⁵に注意喚起を盛り込む。\n\n⁵ 令和5年3月公表予定。\n"
    >>> [(d.kind, d.start, d.end) for d in footnote_deadlines(t, 0, 15, footnotes(t), lambda x, y: t[x:y])]
    [('date', '2023-03-01', '2023-03-31')]
    >>> t = "モデル約款³を参考に措置を講ずる。\n\n³ 令和5年2月14日、解説が改定された。\n"
    >>> footnote_deadlines(t, 0, 17, footnotes(t), lambda x, y: t[x:y])
    []
    """
    out: list[Deadline] = []
    for ref in _NOTE_REF.finditer(text, a, b):
        if ref.start() == 0 or text[ref.start() - 1] == "\n":
            continue  # a footnote line itself
        note = next(((s, e) for n, s, e in notes if n == ref.group(0) and s > ref.end()), None)
        if note is None:
            continue
        ntext = norm(*note)
        # only what falls due (公表予定, …までに): a footnote's dates are mostly history
        out.extend(d for x, y, d in find_deadlines(ntext)
                   if d.kind in _DATED_KINDS and (d.kind == "by" or _DUE.match(ntext[y : y + 8])))
    return out


# where a guideline or notice says from when it applies: 適用開始時期：令和7年5月,
# 令和7年4月1日から適用する
# (not 運用開始 alone: a system's go-live is not the document's)
_EFFECTIVE = re.compile(r"(?:適用開始(?:時期|日)?|適用日|適用時期)[:：]?\s*(?P<a>[^。\n]{4,30})"
                        r"|(?P<b>(?:令和|平成)\s*[0-9元]+\s*年\s*[0-9]{1,2}\s*月(?:\s*[0-9]{1,2}\s*日)?)"
                        r"(?:以降|から|より)適用")


# the kind of document a sentence names as its subject (本要領は、…から適用する)
_KINDS_OF_DOCUMENT = r"要領|要綱|ガイドライン|指針|通知|通達|基準|規程|細則|方針|計画|手引き?|マニュアル"
_SELF_KIND = re.compile(rf"(?:本|この)({_KINDS_OF_DOCUMENT})(?:は|を)、?\s*$")
_KIND_WORD = re.compile(_KINDS_OF_DOCUMENT)


def effective_date(ntext: str) -> str | None:
    """The day a guideline or notice applies from, when it says so (not a statute: its
    duties are ongoing from no printed day, annotation.md): a standing duty of it runs
    from that day.  A rule appended to the document (a guideline's 実施要領 among its
    reference material: 本要領は、…から適用する) says when that rule applies, not the
    document: a statement whose subject names a kind of document other than the one the
    title names is passed over (a title that names none, a notice's …について, is its own).

    >>> effective_date("適用開始時期：令和7年5月に運用開始。"), effective_date("令和7年4月1日から適用する。")
    ('2025-05-01', '2025-04-01')
    >>> effective_date("令和5年3月に公表した。") is None
    True
    >>> effective_date("運用ガイドライン\\n令和6年6月\\n…附則\\n本要領は、令和5年4月1日から適用する。") is None
    True
    >>> effective_date("実施要領\\n…附則\\n本要領は、令和5年4月1日から適用する。")
    '2023-04-01'
    >>> effective_date("ふるさと納税に係る制度の運用について\\n…\\n本通知は、令和6年10月1日から適用する。")
    '2024-10-01'
    """
    for m in _EFFECTIVE.finditer(ntext):
        kind = _SELF_KIND.search(ntext, max(0, m.start() - 12), m.start())
        opening = ntext[: min(200, kind.start())] if kind else ""  # (the title: the opening's first lines)
        if kind and kind.group(1) not in opening and _KIND_WORD.search(opening):
            continue  # (a notice titled …について says 本通知は of itself: its title names no other kind)
        for _a, _b, d in find_deadlines(m.group("a") or m.group("b")):
            if d.kind == "date" and d.start:
                return d.start
    return None


def _from_effective(deadlines: tuple[Deadline, ...], effective: str | None) -> tuple[Deadline, ...]:
    """A standing duty with no start of its own starts on the document's effective day."""
    if effective is None or len(deadlines) != 1 or deadlines[0].kind != "ongoing" or deadlines[0].start:
        return deadlines
    return (replace(deadlines[0], start=effective),)


def preface_deadline(norm: Callable[[int, int], str], sections: list[Section]) -> Deadline | None:
    """A general deadline stated in a 序 / 前文 / はじめに section (早急に対策を講じる)."""
    for sec in sections:
        if sec.path and sec.path[0] in ("序", "前文", "はじめに"):
            for d in _inline(norm(sec.start, sec.end)):
                if d.kind in ("promptly", "fiscal_year", "by"):
                    return d
    # the sentence of an untitled opening that leads into the list below it (…令和9年度までの
    # 取組を着実に進めることとし、当面、以下の措置を講ずる。): its time is the list's
    for sec in sections[:1]:
        if not sec.path:
            for sentence in re.split(r"(?<=。)", norm(sec.start, sec.end)):
                if _INTO_LIST.search(sentence):
                    timed = [d for d in _inline(sentence) if d.kind in ("fiscal_year", "by", "period")]
                    if timed:
                        return timed[-1]
    return None


_INTO_LIST = re.compile(rf"(?:次|以下|下記)の[^。、]{{0,12}}?(?:{_LISTED})(?:等)?を")


# a budget document's own fiscal year, in its title: 令和4年度概算要求, 令和5年度予算(案)の概要
_BUDGET_TITLE = re.compile(r"((?:令和|平成)\s*(?:[0-9元]{1,2}|[一二三四五六七八九十]{1,3})\s*年度|[0-9]{4}\s*年度)[^\n。]{0,24}?(?:概算要求|予算)")
# (not a bare date: in a heading it is the date of a title block or a report)
_HEADING_KINDS = ("by", "fiscal_year", "period", "ongoing", "promptly")
_REPORTED = re.compile(r"実績|成果|状況|結果|経緯|振り返り|これまで|概況|動向")


# a title of a document that looks back on a year (an evaluation, a report, results)
_LOOKS_BACK = re.compile(r"評価書|評価結果|事後評価|報告書|年次報告|実績|白書|年報|調査結果|の結果")


def title_year(ntext: str) -> Deadline | None:
    r"""The fiscal year (or span of fiscal years) a document's title names, the document's
    own: its measures fall in it unless they state their own time (annotation.md: the
    document's own fiscal year; a budget request's, an annual plan's).

    >>> d = title_year("令和7年度 救急業務実施計画\n1 取組"); (d.kind, d.start, d.end)
    ('fiscal_year', '2025-04-01', '2026-03-31')
    >>> title_year("第2期計画(令和7年度～令和11年度)\n").end, title_year("令和6年度以降の方針\n")
    ('2030-03-31', None)
    >>> title_year("令和５年度実施施策に係る政策評価書（事後評価）\n")
    """
    m = budget_year(ntext)
    if m is not None:
        return m
    # (the title's lines, not a heading below them: ## 1 令和9年度中に実施する事項 is a section's)
    lines = [x.strip() for x in ntext.splitlines() if x.strip()][:2]
    title = lines[:1] + [x for x in lines[1:] if not re.match(r"[#0-9第(【①-⑳\[" + BULLETS + "]", x)]
    head = "\n".join(x.lstrip("#").strip() for x in title if len(x) <= 60 and "。" not in x)
    if _LOOKS_BACK.search(head):
        return None  # 令和5年度実施施策に係る政策評価書: the year it looks back on, not its measures'
    found = [d for _, _, d in find_deadlines(head) if "年度" in d.text]
    return found[0] if found and found[0].kind in ("fiscal_year", "period") else None


def budget_year(ntext: str) -> Deadline | None:
    r"""The fiscal year a budget request or budget is for, when its title (the first lines)
    names one: its measures fall in that year unless they state their own (annotation.md).

    >>> d = budget_year("令和4年度概算要求\n\n情報システムの整備"); (d.kind, d.start, d.end)
    ('fiscal_year', '2022-04-01', '2023-03-31')
    >>> budget_year("デジタル社会の実現に向けた重点計画\n令和4年度予算を活用し、整備を進める。") is None
    True
    >>> budget_year("令和 4 年度 予算概算要求の概要").start, budget_year("令和四年度予算の概要").start
    ('2022-04-01', '2022-04-01')
    """
    lines = [x.strip() for x in ntext.splitlines() if x.strip()][:3]
    head = "\n".join(x for x in lines if len(x) <= 40 and "。" not in x)  # title lines, not a sentence
    m = _BUDGET_TITLE.search(head)
    if m is None:
        return None
    d = normalise(m.group(1))  # the title's year as printed, spaces and all (令和 4 年度)
    return d if d.kind == "fiscal_year" else None


def heading_deadlines(sections: list[Section]) -> dict[tuple[str, ...], Deadline]:
    """The deadline each heading states (２　令和8年度中に実施する事項, （３）速やかに講ずべき施策):
    it applies to the measures under the heading that state none of their own."""
    out: dict[tuple[str, ...], Deadline] = {}
    for sec in sections:
        if _REPORTED.search(sec.title):
            continue  # ２　令和5年度の取組実績: a report of what was done, not a deadline
        found = [d for d in _inline(unicodedata.normalize("NFKC", sec.title)) if d.kind in _HEADING_KINDS]
        if found and sec.path:
            out[sec.path] = found[-1]
    return out


# what a heading says besides the agencies it names when it names whose measures follow:
# 【総務省】, 総務省の取組, 警察庁・総務省における主な取組, 都道府県警察が講ずべき施策
_OWNER_REST = re.compile(r"(?:の|における|が)?(?:主な|具体的な)?(?:取組|取り組み|施策|対応|役割|措置|実施事項|取組事項"
                         r"|講ずる施策|講ずべき施策|実施する施策|実施する事項)?")


def _lead_topic(text: str, a: int, b: int, mentions: list[Mention], entity_types: dict[str, str]) -> list[str]:
    """The agency a section's only statement, a lead that introduces the items under it (県は、
    市町村と連携し、次の取組を推進します。), makes its topic."""
    body = text[a:b].strip()
    if not body or len(body) > 300 or not body.endswith("。") or body.count("。") > 1 or not _INTRODUCES_LIST.search(body):
        return []
    return _topic_before(text, a, b, _agencies_in(mentions, entity_types, a, b))


def heading_actors(text: str, sections: list[Section], mentions: list[Mention], entity_types: dict[str, str],
                   ) -> tuple[dict[tuple[str, ...], tuple[str, ...]], dict[tuple[str, ...], tuple[str, ...]]]:
    """The agencies each heading names as whose measures follow it (２　総務省の取組): not a
    heading that names an agency as a partner or a subject (警察庁との連携, 警察庁の組織);
    and, apart, those a heading's closing tag puts in charge (…の実態把握【内閣府】)."""
    out: dict[tuple[str, ...], tuple[str, ...]] = {}
    tags: dict[tuple[str, ...], tuple[str, ...]] = {}
    for sec in sections:
        if not sec.path or not sec.title:
            continue
        nl = _heading_end(text, sec)
        lead = _lead_topic(text, nl, sec.end, mentions, entity_types)
        if lead:  # (1) 消費者への普及啓発 / 県は、…次の取組を推進します。 / ① …: the lead's topic
            out[sec.path] = tuple(lead)
        named = [m for m in mentions if sec.start <= m.start and m.end <= nl and entity_types.get(m.entity) in ACTOR_TYPES]
        rest = compact(sec.title)
        for m in named:
            rest = rest.replace(compact(text[m.start : m.end]), "", 1)
        rest = re.sub(r"[【】()\[\]・、]|及び|並びに", "", rest)
        if named and _OWNER_REST.fullmatch(rest):
            out[sec.path] = tuple(_unique(m.entity for m in named))
            continue
        end = nl
        if sec.title.rstrip().endswith("】") and "】" not in text[sec.start : nl]:
            nxt = text.find("\n", nl + 1)  # (a title wrapped before its tag: its next line too)
            end = nxt if nxt >= 0 else len(text)
        tagged = _owner_tag(text, sec.start, end, _agencies_in(mentions, entity_types, sec.start, end))
        if tagged:  # 孤独・孤立の実態把握【内閣府】: a measure's title tagged with who is in charge
            out[sec.path] = tags[sec.path] = tagged
    return out, tags


# a heading's closing 【…】 (or ［…］) that holds only agencies: who is in charge of what it titles
_OWNER_TAG = re.compile(r"[【［]([^【】［］]{2,120})[】］]\s*$")


def _owner_tag(text: str, a: int, b: int, named: list[Mention]) -> tuple[str, ...]:
    """The agencies of a heading line's closing tag of agencies alone (【厚生労働省、こども家庭庁】)."""
    line = text[a:b].rstrip()
    m = _OWNER_TAG.search(line)
    if m is None:
        return ()
    start = a + m.start(1)
    inside = [x for x in named if x.start >= start]
    rest = m.group(1)
    for x in inside:
        rest = rest.replace(text[x.start : x.end], "", 1)
    if not inside or re.sub(r"[\s、・,，]|及び|並びに|等", "", rest):
        return ()
    return tuple(_unique(x.entity for x in inside))


# the preface says whose every measure is: 本計画に掲げる施策は、みどり庁が実施する
_PREFACE_ACTOR = re.compile(r"(?:本|この)[^\s、。]{0,10}?に(?:掲げる|定める|記載する|盛り込まれた|示す|位置付ける|位置づける)"
                            r"(?:施策|取組|措置|事項)等?"
                            r"(?:について)?は、?\s*([^。]{2,40}?)(?:が|において)、?(?:それぞれ|主体となって|責任を持って)?"
                            r"(?:[^、。]{1,12}?(?:と連携|と協力|と共同)して)?"  # (…が各学校と連携して実施する)
                            r"(?:実施|講ず|推進|取り組)"  # (not …が司令塔として進捗管理を行う: a coordinator)
                            # a project's or plan's own preface: 本事業は、…に基づき、秋田県農林水産部が実施する。
                            # (本計画は、…、消防本部が令和7年度に実施する…を定める / 本章では、本県が…に実施する…を示す)
                            r"|(?:本|この)(?:事業|計画|プラン|施策|取組|方針|構想|章|節|編)(?:で)?は、(?:[^。]{0,80}?、)?\s*([^、。]{2,30}?)が、?"
                            r"[^、。]{0,24}?(?:実施|講ず|推進|取り組)"
                            # a list the document says is one organ's: 以下は、警察庁が…要求する事項である
                            r"|(?:以下|次)(?:の事項)?は、\s*([^、。]{2,30}?)が[^。]{0,30}?(?:要求|実施|講ずる|推進)する"
                            r"(?:事項|施策|取組|措置)"
                            # 以下の取組については、経済産業省が中心となり、関係省庁…と連携して実施する
                            r"|(?:以下|次|下記)の(?:施策|取組|措置|事項)(?:について)?は、\s*([^、。]{2,30}?)(?:が|において)、?"
                            r"(?:中心となり|中心となって|主体となって)?、?\s*(?:[^、。]{1,30}?(?:と連携|と協力|と共同)し(?:て|つつ)、?)?"
                            r"\s*(?:実施|講ず|推進|取り組)"
                            # an opening that says the items below are its own: 国税庁では、…、本年も次の取組を行います。
                            r"|(?:^|[。\n]\s*)([^\s、。「」]{2,30}?)(?:は|では|においては)、[^。]{0,160}?(?:次|以下|下記)の"
                            r"(?:取組|施策|措置|事業|対策)を(?:行|実施|講じ|講ず|推進|進め)")


# a numbered heading's line (1　…, 第2, (1), ①)
_HEADING_LINE = re.compile(r"\n\s*(?:第?[0-9０-９一二三四五六七八九十]{1,3}[\s　.．、]|[(（][0-9０-９]{1,2}[)）]|[①-⑳])")


def preface_actors(text: str, mentions: list[Mention], entity_types: dict[str, str]) -> list[str]:
    """The agencies the opening of a document names as carrying out all its measures."""
    m = _PREFACE_ACTOR.search(text, 0, 3000)
    if m is None or m.group(5) is not None and _HEADING_LINE.search(text, 0, m.start(5)):
        return []  # (an opening: not a lead statement in a section, over that section's items only)
    a, b = next(m.span(g) for g in (1, 2, 3, 4, 5) if m.group(g) is not None)
    return _unique(x.entity for x in mentions if a <= x.start and x.end <= b and entity_types.get(x.entity) in ACTOR_TYPES)


def budget_requester(text: str, ntext: str, mentions: list[Mention], entity_types: dict[str, str]) -> list[str]:
    """The one agency a budget request's title names (令和8年度 経済産業省 概算要求PR資料): the
    one asking for the money carries out the items that name no one."""
    if budget_year(ntext) is None:
        return []
    lines = [ln for ln in text.splitlines() if ln.strip()][:3]
    end = text.find(lines[-1]) + len(lines[-1]) if lines else 0
    named = _unique(m.entity for m in _agencies_in(mentions, entity_types, 0, end))
    return named if len(named) == 1 else []


T = TypeVar("T")


def _under_heading(headed: dict[tuple[str, ...], T], path: tuple[str, ...]) -> T | None:
    """What the nearest heading above (or of) a section states (a deadline, its agencies)."""
    for n in range(len(path), 0, -1):
        if path[:n] in headed:
            return headed[path[:n]]
    return None


# the sentence that sets a plan's period: 計画期間は令和3年度から令和7年度までの5年間とする,
# 集中改革期間を令和4年7月から令和7年6月までの3年間とし
_PERIOD_TERM = re.compile(r"(?:計画|改革|対象|推進|取組|実施|重点|集中|運動)の?期間")
# a heading that is only the period's name (１　期間, 第2　実施期間)
_PERIOD_HEADING = re.compile(r"\s*(?:第?[0-9０-９一二三四五六七八九十]{1,2}[\s\u3000.．、]*)?(?:[^\s]{0,4}期間)\s*$")


def _span_in(text: str) -> Deadline | None:
    """The first span with both ends that ``text`` prints."""
    return next((d for d in _inline(text) if d.kind == "period" and d.start and d.end), None)


def plan_period(ntext: str) -> Deadline | None:
    r"""The period a plan sets for itself (annotation.md: ``period``, the plan period): a
    sentence naming its 計画期間 / 集中改革期間 with a span of two ends, which the measures
    that print no time of their own fall within.

    >>> d = plan_period("（３）集中改革期間\n集中改革期間を令和4年7月から令和7年6月までの3年間とし、取り組む。")
    >>> (d.kind, d.start, d.end)
    ('period', '2022-07-01', '2025-06-30')
    >>> d = plan_period("計画期間は令和3年度から令和7年度までの5年間とする。"); (d.start, d.end)
    ('2021-04-01', '2026-03-31')
    >>> plan_period("令和5年中に検討する。"), plan_period("実施期間は令和5年12月から令和6年2月までとした。")
    (None, None)
    >>> d = plan_period("第2次総合計画\n計画期間(2024~2028年度)\n本文。"); (d.start, d.end)
    ('2024-04-01', '2029-03-31')
    >>> d = plan_period("本計画の期間は、令和7年度から令和11年度までの5年間とします。"); (d.start, d.end)
    ('2025-04-01', '2030-03-31')
    >>> d = plan_period("計画期間(令和6年度~令和11年度)において、県は次の施策に取り組みます。"); (d.start, d.end)
    ('2024-04-01', '2030-03-31')
    >>> d = plan_period("「第二次推進計画」(計画期間:令和5年度~令和9年度)に基づき、取り組む。"); (d.start, d.end)
    ('2023-04-01', '2028-03-31')
    >>> d = plan_period("春の運動実施要綱\n１　期間\n　令和7年4月6日(日)から4月15日(火)までの10日間\n"); (d.start, d.end)
    ('2025-04-06', '2025-04-15')
    >>> d = plan_period("確定申告期間は、令和8年2月16日(月)から3月16日(月)までです。"); (d.start, d.end)
    ('2026-02-16', '2026-03-16')
    """
    # a line that labels the period (計画期間(2024~2028年度), 計画期間:令和7年度~令和11年度), or
    # a heading that names it over the line that gives it (１　期間 / 令和7年4月6日から4月15日まで)
    lines = ntext.splitlines()
    for i, line in enumerate(lines):
        labelled = re.match(rf"\s*(?:{_PERIOD_TERM.pattern})\s*[:：(（]\s*([^()（）]{{4,30}})[)）]?\s*$", line)
        if labelled and (span := _span_in(labelled.group(1))):
            return span
        if _PERIOD_HEADING.match(line) and i + 1 < len(lines) and len(lines[i + 1]) <= 60 \
                and (span := _span_in(lines[i + 1])):
            return span
    for sentence in re.split(r"(?<=。)", ntext.replace("\n", "")):
        # the period glossed after its name (本県が計画期間(令和6年度~令和12年度)に実施する施策)
        glossed = re.search(rf"(?:{_PERIOD_TERM.pattern})\s*[(（]([^()（）]{{4,30}})[)）]", sentence) \
            or re.search(rf"[(（]\s*(?:{_PERIOD_TERM.pattern})\s*[:：]\s*([^()（）]{{4,30}})[)）]", sentence)
        if glossed and not re.search(r"とした|であった|だった", sentence) and (span := _span_in(glossed.group(1))):
            return span
        # a sentence that sets the period (…とする / …とし、), not one that reports one (…とした),
        # or says what the period is (確定申告期間は、令和8年2月16日から3月16日までです)
        if not (_PERIOD_TERM.search(sentence) and re.search(r"とする|とします|とし[、,]|において", sentence)
                or re.search(r"期間は、[^。]{6,60}まで(?:です|である)", sentence)):
            continue
        found = _inline(sentence)
        for i, d in enumerate(found):
            if d.kind == "period" and d.start and d.end:
                return d
            later = found[i + 1] if i + 1 < len(found) else None
            if d.kind in ("period", "ongoing") and d.start and later is not None and later.kind == "by" and later.end:
                # 令和3年度から令和7年度までの5年間: "from" one fiscal year "to" the end of another
                return Deadline(f"{d.text}{later.text}", "period", d.start, later.end)
    return None


_KI_LINE = re.compile(r"\n[ \t\u3000]*記[ \t\u3000]*(?:\n\s*)?$")


def _cut(text: str, a: int, b: int) -> int:
    if b - a <= MAX_TEXT:
        return b
    window = text[a : a + MAX_TEXT]
    cut = window.rfind("。")
    return a + cut + 1 if cut > 0 else a + MAX_TEXT


# a statement that introduces the list under it (…、次の取組を行う。 / 以下の措置を講ずる。)
_INTRODUCES_LIST = re.compile(rf"(?:次|以下|下記)の[^。]{{0,12}}?(?:とおり|{_LISTED})")
# a clause the list's items go on (令和７年度は、 / ・…を図る。)
_GOES_ON = re.compile(r"[^。]{2,40}、")


# the addressee a request turns to (各都道府県におかれては、…お願いする): the one who acts
_SECOND_PERSON = re.compile(r"貴(?:職|殿|官|課|部|局|室|所|庁|団体|機関|会|社)")
_ADDRESSED = re.compile(r"(?:^|[、。\s])([^\s、。「」()]{2,30}?)におかれ(?:まして|て)(?:は|も)")


def _addressed(ntext: str, mentions: list[Mention]) -> tuple[list[str], str | None]:
    """The actor of a request made to its addressee: the agencies named in the words before
    におかれては, else those words (a generic actor).

    >>> _addressed("ついては、各都道府県におかれては、周知をお願いする。", [])
    ([], '各都道府県')
    >>> _addressed("貴職におかれては、留意されるとともに、各市長におかれては、周知をお願いする。", [])
    ([], '各市長')
    """
    # (the reader addressed as 貴職 / 貴殿 names no one: the next addressee named, else the
    # notice's addressee lines)
    m = next((x for x in _ADDRESSED.finditer(ntext) if not _SECOND_PERSON.fullmatch(x.group(1))), None)
    if m is None:
        return [], None
    words = m.group(1)
    keys = _naming_all(words, mentions)
    return (keys, None) if keys else ([], words)


def _naming_all(words: str, mentions: list[Mention]) -> list[str]:
    """The agencies that ``words`` name, when their names make up the words (各都道府県警察の長,
    警察庁及び総務省); none when a name is only part of a longer title (都道府県 in
    各都道府県消防防災主管部長: that title is a generic addressee, as printed).

    >>> from policygraph.core.records import Mention as M
    >>> m = [M(entity="prefectures", surface="都道府県", start=0, end=0, passage_id="p")]
    >>> _naming_all("各都道府県の長", m), _naming_all("各都道府県消防防災主管部長", m)
    (['prefectures'], [])
    """
    named = [x for x in mentions if x.surface and x.surface in words]
    rest = words
    for x in sorted(named, key=lambda x: -len(x.surface or "")):
        rest = rest.replace(x.surface or "", "")
    if re.sub(r"各|の長|長|及び|並びに|[・、\s]", "", rest):
        return []
    return _unique(x.entity for x in named)


# an instruction or a request to the reader: …すること, …されたい, …をお願いします, …してください
_INSTRUCTION = re.compile(rf"(?:こと|{_ASKED}|ください)。?(?:\s*【[^】]*】)?$")
# the addressee of a notice's opening request made with において: 各都道府県警察においては、…されたい。
_REQUESTED_AT = re.compile(r"(?:^|(?<=[、。\s]))([^\s、。「」()（）]{2,30}?)において(?:は|も)、[^。]{0,200}?"
                           rf"(?:{_ASKED})。")
# a header line naming a notice's addressee: 各都道府県警察の長 殿, 各都道府県教育委員会 御中
_ADDRESSEE_LINE = re.compile(r"^[ \t\u3000]*(\S[^\n。、]{1,60}?)[ \t\u3000]*(?:殿|御中|各位)[ \t\u3000]*$", re.M)


def notice_addressee(text: str, norm: Callable[[int, int], str], sections: list[Section], mentions: list[Mention],
                     entity_types: dict[str, str]) -> tuple[list[str], str | None]:
    """Whom a notice addresses, who carries out its instructions that name no one: the one
    its opening request turns to (各地方公共団体におかれては、下記について御対応いただくよう
    お願いします), else its addressee lines (…殿, …御中), as agencies or as printed."""
    opening = next((sec for sec in sections if not sec.path), None)
    if opening is None:
        return [], None
    a, b = opening.start, min(opening.end, opening.start + 3000)
    inside = _agencies_in(mentions, entity_types, a, b)
    actors, words = _addressed(norm(a, b), inside)
    if actors or words:
        return actors, words
    for req in _REQUESTED_AT.finditer(text, a, b):  # 各都道府県警察においては、…推進されたい。
        x, y = req.span(1)
        keys = _unique(m.entity for m in inside if x <= m.start and m.end <= y)
        return (keys, None) if keys else ([], req.group(1).strip())
    lines = list(_ADDRESSEE_LINE.finditer(text, a, b))
    keys = _unique(k for ln in lines for k in _naming_all(
        ln.group(1), [m for m in inside if ln.start(1) <= m.start and m.end <= ln.end(1)]))
    if keys:
        return keys, None
    return ([], lines[0].group(1).strip()) if lines else ([], None)


def _lead_deadline(norm: Callable[[int, int], str], unit: Unit, dated: str | None) -> Deadline | None:
    """The time a list's lead statement sets for its items (消費者庁は、令和7年度において次の取組を
    行う。 / ・…, or a clause the items go on: 令和７年度は、 / ・…を図る。), as a heading's
    does: the last dated one it prints, unless it was over by the document's own date
    (``dated``: 2020年度に始めた…, history)."""
    if unit.bullet is None or unit.intro is None:
        return None
    lead = norm(*unit.intro)
    if not _INTRODUCES_LIST.search(lead) and not _GOES_ON.fullmatch(lead.strip()):
        return None
    found = [d for d in _inline(lead, dated) if d.kind in _DATED_KINDS or d.kind == "ongoing" and d.start]
    if found and dated and (found[-1].end or "9999") < dated:
        return None
    return found[-1] if found else None


def _passage_at(parsed: list[ParsedPassage], offset: int) -> ParsedPassage | None:
    for pp in parsed:
        if pp.passage.start <= offset < pp.passage.end:
            return pp
    return None


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _agencies_in(mentions: list[Mention], entity_types: dict[str, str], a: int, b: int) -> list[Mention]:
    """The mentions of agencies (who can act) inside a..b, in the order printed."""
    return sorted((m for m in mentions if a <= m.start and m.end <= b and entity_types.get(m.entity) in ACTOR_TYPES),
                  key=lambda m: m.start)


def _actors(
    pp: ParsedPassage, a: int, b: int, mentions: list[Mention], entity_types: dict[str, str]
) -> tuple[list[str], str | None]:
    """Topic of the first sentence of the span: entities in it, else its text."""
    doc = pp.doc
    na = pp.from_original(a)
    nb = pp.from_original(b)
    seen = 0
    # the topics of a piece GiNZA cut off a sentence before its predicate (デジタル庁は、
    # …APIと | 電子申請等 | APIを拡充し…する。: three parse roots in one sentence)
    cut_off: list[tuple[tuple[int, int], str]] = []
    for sent in doc.sents:
        if sent.end_char <= na or sent.start_char >= nb:
            continue
        if not any(t.pos_ in ("VERB", "AUX", "ADJ") for t in sent):
            # a heading line or blank lines between: not a statement with an actor
            cut_off = [] if _sentence_ends(doc.text, sent) else [*cut_off, *_topics(sent, na)]
            continue
        seen += 1
        if seen >= 2 and _ELABORATION.match(doc.text[max(sent.start_char, na) : sent.end_char].strip()):
            return [], None  # (なお、…が不可欠である: an aside does not name who acts in the first sentence)
        found = [*cut_off, *_topics(sent, na)]
        cut_off = []
        topics = [sp for sp, tier in found if tier == "topic"]
        # the first that names an agency: a topic, or one marked by では (調査会では、…を策定し),
        # in the order of their nominals; then one marked by において or で (事務局において整理し)
        # when it is named bare: 任命後最初の国会において is an occasion
        bare_only = [sp for sp, tier in found if tier == "において"]
        for span in [sp for sp, tier in found if tier != "において"] + bare_only:
            oa, ob = pp.to_original(span[0], span[1])
            keys = _unique(
                m.entity
                # in the order printed (a document's own terms are found after the other names)
                for m in sorted((m for m in mentions if m.start < ob and oa < m.end <= ob), key=lambda m: m.start)
                # (a name the parse cut: 上川北部消防事務組合 | 音威子府消防支署は, the topic its tail)
                if entity_types.get(m.entity) in ACTOR_TYPES
                and (span not in bare_only or _bare(pp, m.start, m.end, oa, ob))
            )
            if keys:
                return keys, None
        # else the first topic's words (one marked by では or において is no actor unless it
        # names an agency: 本章では)
        if not topics:
            if seen >= 2:
                return [], None
            continue
        # the topic's own line (a line above it, a list's bullet, an article's number are not it)
        words = _LEAD_MARKER.sub("", _BULLET.sub("", doc.text[topics[0][0] : topics[0][1]].split("\n")[-1])).strip()
        # (a topic that names no one who can act — 令和5年度は, 背景は, 「…ガイドライン」は — is
        # what the sentence is about, not its actor)
        return [], words if words and _ACTOR_LIKE.search(words) and not _NOT_ACTOR.search(words) else None
    return [], None


# the ending of a noun that names who can act: a person, a body, a government, an office
_ACTOR_LIKE = re.compile(r"(?:者|省|庁|府|局|課|室|部|所|署|会|団体|機関|法人|企業|市町村|自治体|政府|国|都|道|県|市|町|村|区"
                         r"|本部|センター|学校|大学|病院|職員|各位|貴職|長|官|員|組合|協会|会社|社|隊|班|チーム|当局|主体|設置者"
                         r"|管理者|事業者|医療機関|施設|機構|議|グループ|者等|等|ら)$")
_NOT_ACTOR = re.compile(r"[0-9０-９]+年|年度|「|」|『")


def _sentence_ends(text: str, sent: Any) -> bool:
    """Whether the parse's sentence ends where the text's does: at 。, ！, ？ or a line end."""
    body = sent.text.rstrip(" \u3000")
    return not body.strip() or body[-1] in "。．！？!?\n" or text[sent.end_char : sent.end_char + 1] in ("\n", "")


def _bare(pp: ParsedPassage, start: int, end: int, oa: int, ob: int) -> bool:
    """Whether the mention at start..end is the head of the topic oa..ob, unmodified by a
    noun phrase (事務局 in 各府省庁と事務局において; not 国会 in 任命後最初の国会において)."""
    if end != ob:
        return False
    before = pp.doc.text[pp.from_original(start) - 1 : pp.from_original(start)] if start > oa else ""
    return before != "の"


# a table row dumped as text: cells apart by wide spaces or tabs (農産局　●認定開始　→　→)
_CELLS_AS_TEXT = re.compile(r"\S[\u3000\t]+\S+[\u3000\t]+\S")


# an article or paragraph number in front of a statute's topic (第十一条 第三条の規定に違反した者)
_LEAD_MARKER = re.compile(r"^\s*(?:第[0-9" + KANJI_DIGITS + "]+条(?:の[0-9" + KANJI_1_9 + "十]+)?|[0-9]+|[" + KANJI_1_9 + "十]+"
                          r"|[アイウエオカキクケコサシスセソタチツテト]|[(（][0-9アイウエオカキクケコ]{1,2}[)）]|[①-⑳])[ \u3000]+")


# nouns that turn a clause into an adverbial one (…することにより, …するため): a subject
# inside such a clause still acts in the sentence
_ADVERBIAL_NOUNS = frozenset({"こと", "ため", "よう", "上", "うえ", "際", "ところ"})


def _heads_the_sentence(tok: Any, root: Any) -> bool:
    """Whether ``tok``'s clause is the main clause or an adverbial clause of it (…が連携して
    推進することにより、…強化する), not a modifier of some noun (…が指定した対象について)."""
    node = tok.head
    for _ in range(12):
        if node == root:
            return True
        if node.pos_ in ("NOUN", "PROPN", "PRON") and node.text not in _ADVERBIAL_NOUNS and not node.text.isspace():
            return False  # (a line break GiNZA tags a noun passes on to its head)
        if node.head == node:
            return False
        node = node.head
    return False


def _topic(sent: Any, from_char: int = 0) -> tuple[int, int] | None:
    """Char span of the first nominal carrying は / が / において that heads into the predicate."""
    return next((sp for sp, tier in _topics(sent, from_char) if tier == "topic"), None)


def _joined_before(sent: Any, left: int) -> int:
    """The start of a nominal joined by と right before ``left`` (デジタル庁と in
    デジタル庁と内閣人事局が連携し), else ``left``."""
    for t in sent:
        if t.idx + len(t.text) == left and t.text == "と" and t.dep_ == "case" and t.head.idx < t.idx:
            noun = t.head
            if noun.pos_ in ("NOUN", "PROPN") or noun.tag_.startswith("名詞"):
                return int(min(x.idx for x in noun.subtree if x.dep_ != "case" and x.idx < left))
    # names listed with 、 / 及び / 並びに / ・ that the parse left out of the topic (村、道及び
    # 防災関係機関は): bare nominals, no clause
    listed = _LISTED_BEFORE.search(sent.doc.text[sent.start_char : left])
    return sent.start_char + listed.start() if listed else left


# nominals listed before a topic: no kana of a clause, no brackets, each up to 24 characters
_LISTED_BEFORE = re.compile(r"(?:(?<=[、\s])|^)(?:[^\sぁ-ゖ、。「」()（）]{1,24}(?:、|及び|並びに|・|又は))+$")


def _topics(sent: Any, from_char: int = 0) -> Iterator[tuple[tuple[int, int], str]]:
    """Char spans of the nominals that head into the predicate (the main clause, or an
    adverbial clause of it), in order, each with its tier: "topic", carrying は / が /
    においては (or a において GiNZA reads as one particle); "では" (調査会では、…を策定し);
    "において", carrying において or で (事務局において整理し, 事務局で点検リストを整理し).
    The last two name who acts only when they are an agency."""
    # (span, tier, a は topic of the root, a が subject of a verb root, inside a condition)
    found: list[tuple[tuple[int, int], str, bool, bool, bool]] = []
    for tok in sent:
        if tok.idx < from_char and not tok.text.isspace():
            continue
        particles = [c for c in tok.children if c.dep_ in ("case", "fixed")]
        if not particles:
            continue
        cases = [c.text for c in particles]
        tier = _tier(particles)
        if tier is None:
            continue
        if tier != "topic" and not _heads_the_sentence(tok, sent.root):
            continue
        if tok.pos_ not in ("NOUN", "PROPN", "PRON") and not tok.tag_.startswith("名詞") and not tok.text.isspace():
            continue  # (GiNZA tags 内閣総理大臣 an ADJ at times; Sudachi still says 名詞; a line
            # break that opens the sentence may head its nominal: _nominal)
        if tok.tag_ == "名詞-普通名詞-副詞可能":
            continue  # an adverbial noun: a condition or a time (前項の場合においては, 今後は), not who acts
        if "は" not in cases and not _heads_the_sentence(tok, sent.root):
            continue  # a subject inside a noun's modifier (…が指定した対象), not the actor
        span = _nominal(tok, particles[0].idx, from_char)
        if span is None:
            continue
        left, right = span
        if tier == "topic":  # AとBが連携し, AとBは: the one joined by と acts too
            left = _joined_before(sent, left)
        if right - left > 60:
            left = right - 60
        # XはYが任命する: Y, the subject of the predicate, acts; X (a は topic of the same
        # predicate) is what it acts on
        of_root = tok.head == sent.root
        found.append(((left, right), tier, of_root and cases == ["は"],
                      of_root and cases == ["が"] and sent.root.pos_ == "VERB", _in_condition(tok, sent.root)))
    first_wa = next((i for i, f in enumerate(found) if f[2]), None)
    ga = next((i for i, f in enumerate(found) if f[3]), None)
    if first_wa is not None and ga is not None and ga > first_wa:
        found.insert(first_wa, found.pop(ga))
    # the subject of a condition (任期が満了した場合において…ときは、内閣総理大臣は) comes after
    # those of the main clause
    for span, tier, *_ in sorted(found, key=lambda f: f[4]):
        yield span, tier


def _tier(particles: list[Any]) -> str | None:
    """What a nominal's particles make it (see _topics), or None."""
    cases = [c.text for c in particles]
    # each particle with what is fixed to it: に + おい + て + は = においては names who acts
    # (国土交通省においては); …において alone is as often a place or an occasion (国会において)
    fixed = [c.text + "".join(f.text for f in c.children if f.dep_ == "fixed") for c in particles]
    if (set(cases) <= {"は", "が"} or cases[:1] == ["において"] or cases[:2] == ["に", "おい"]
            or fixed == ["において", "は"]):
        return "topic"
    if cases == ["で", "は"]:
        return "では"
    if cases == ["で"] or fixed == ["において"]:
        return "において"
    return None


def _nominal(tok: Any, particle: int, from_char: int) -> tuple[int, int] | None:
    """The char span of the nominal ``tok`` heads, up to its particle at ``particle``.  A
    line break that opens the sentence, which GiNZA at times makes the head of the nominal
    after it (\\n\\n + (4) 各府省 + は), is not part of it: the nominal is the words
    before the particle."""
    if not tok.text.isspace():  # (the nominal itself may be parsed as a case: \n (3) 村長 は)
        return min(t.idx for t in tok.subtree if t.dep_ != "case" or t == tok), tok.idx + len(tok.text)
    words = [t for t in tok.subtree if not t.text.isspace() and max(from_char, tok.idx) < t.idx < particle]
    return (min(t.idx for t in words), max(t.idx + len(t.text) for t in words)) if words else None


def _in_condition(tok: Any, root: Any) -> bool:
    """Whether ``tok`` is inside a conditional clause (…とき, …場合) of the sentence."""
    node = tok.head
    for _ in range(12):
        if node == root or node.head == node:
            return False
        if node.text in ("とき", "場合") and any(c.dep_ == "case" and c.text in ("は", "に", "において")
                                                 for c in node.children):
            return True  # …ときは, …場合において, …場合には
        node = node.head
    return False
