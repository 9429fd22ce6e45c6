"""Typed records that flow ingest -> graph/indexes -> api.

Every record that cites text keeps ``start``/``end`` character offsets into the
*original* decoded text of its source file, so an answer can always be traced
back to the exact place it came from.  Ids are deterministic (sha256 over the
document id, offsets and text), so re-ingesting the same input gives the same ids.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

EntityType = Literal["Agency", "System", "Law", "Plan", "Program", "Other"]
DeadlineKind = Literal[
    "date", "by", "fiscal_year", "period", "ongoing", "promptly", "relative", "unknown"
]


@dataclass(frozen=True)
class SourceDocument:
    """A file as read: its decoded original text and where it came from."""

    id: str
    source: str  # base name of the ingested file
    path: str
    text: str  # the decoded original text; every offset points into this
    checksum: str  # sha256 of the raw bytes
    format: str  # txt | md | html | pdf | docx | egov-xml
    pages: tuple[tuple[int, int], ...] = ()  # (page number, start offset) for paged formats

    def page_at(self, offset: int) -> int | None:
        """The page an offset falls on (paged formats), else None.

        >>> SourceDocument("d", "d.pdf", "", "", "", "pdf", ((1, 0), (2, 120))).page_at(150)
        2
        """
        if not self.pages:
            return None
        i = bisect.bisect_right([start for _, start in self.pages], offset) - 1
        return self.pages[max(i, 0)][0]


@dataclass(frozen=True)
class Section:
    """A heading and the span it governs, with its path as printed (after repair)."""

    path: tuple[str, ...]
    title: str
    start: int
    end: int
    printed_marker: str = ""


@dataclass(frozen=True)
class Passage:
    """A citable piece of a section (at most 1,200 characters)."""

    id: str
    doc_id: str
    ordinal: int
    section: tuple[str, ...]
    start: int
    end: int
    text: str  # original text slice [start:end]
    heading: str = ""  # breadcrumb of section titles, used as retrieval context
    # the short closing paragraph of the passage before (and the blank lines up to this
    # one), original text [start - len(lead):start]: shown with the passage in search
    # hits as its lead-in, not indexed, not parsed (it belongs to the passage before)
    lead: str = ""
    contents: bool = False  # mostly a 目次 block: kept in the document, not searched


@dataclass(frozen=True)
class Deadline:
    text: str
    kind: DeadlineKind
    start: str | None = None  # ISO date
    end: str | None = None  # ISO date
    part: str | None = None  # 前段 / 中段 / 後段 / None
    duration: str | None = None  # ISO 8601 duration for relative deadlines (P10D)
    event: str | None = None  # the event a relative deadline counts from


SECTION_SEP = " › "  # between the titles of a section path, in the graph and on screen


def split_path(path: str | None) -> list[str]:
    """A section path as the graph keeps it → its titles.

    >>> split_path("第1 目的 › (1) 概要"), split_path(None)
    (['第1 目的', '(1) 概要'], [])
    """
    return [p for p in (path or "").split(SECTION_SEP) if p]


OPEN_START, OPEN_END = "0001-01-01", "9999-12-31"  # an interval's open ends, as dates


def deadline_interval(kind: str, start: str | None, end: str | None) -> tuple[str, str] | None:
    """The one definition of the days a deadline covers, for every date filter (the search
    index, ``/api/measures``, the timeline): ``date`` / ``fiscal_year`` / ``period`` cover
    [start, end] (an open side reaches :data:`OPEN_START` / :data:`OPEN_END`); ``by``
    falls due on its end date; an ``ongoing`` with a start (令和8年度以降) runs from it on;
    ``ongoing`` without one, ``promptly``, ``relative`` and ``unknown`` name no days and
    match no date window.

    >>> deadline_interval("fiscal_year", "2026-04-01", "2027-03-31")
    ('2026-04-01', '2027-03-31')
    >>> deadline_interval("by", None, "2029-03-31"), deadline_interval("period", "2026-04-01", None)
    (('2029-03-31', '2029-03-31'), ('2026-04-01', '9999-12-31'))
    >>> deadline_interval("ongoing", "2026-04-01", None), deadline_interval("ongoing", None, None)
    (('2026-04-01', '9999-12-31'), None)
    """
    if kind == "by":
        return (end, end) if end else None
    if kind in ("date", "fiscal_year", "period") and (start or end):
        return (start or OPEN_START, end or OPEN_END)
    if kind == "ongoing" and start:
        return (start, OPEN_END)
    return None


def fiscal_year(iso: str) -> int:
    """The Japanese fiscal year (April to March) of an ISO date.

    >>> fiscal_year("2027-03-31"), fiscal_year("2027-04-01")
    (2026, 2027)
    """
    y, m = int(iso[:4]), int(iso[5:7])
    return y if m >= 4 else y - 1


def fiscal_year_of(d: Mapping[str, Any]) -> int | None:
    """The fiscal year a deadline falls in (where the timeline places it; a ``by`` on its
    end, a dated kind or a dated ``ongoing`` on its start), else None.

    >>> fiscal_year_of({"kind": "by", "start": None, "end": "2029-03-31"})
    2028
    >>> fiscal_year_of({"kind": "promptly", "start": None, "end": None}) is None
    True
    """
    kind, start, end = d.get("kind"), d.get("start"), d.get("end")
    if kind == "by":
        return fiscal_year(end) if end else None
    if kind in ("fiscal_year", "date", "period") or (kind == "ongoing" and start):
        iso = start or end
        return fiscal_year(iso) if iso else None
    return None


def overlaps(interval: tuple[str, str] | None, date_from: str | None, date_to: str | None) -> bool:
    """Whether a deadline's interval shares a day with the window [date_from, date_to]
    (an omitted side is open).

    >>> overlaps(("2026-04-01", "2027-03-31"), "2027-03-31", None), overlaps(None, None, None)
    (True, False)
    """
    if interval is None:
        return False
    return interval[0] <= (date_to or OPEN_END) and interval[1] >= (date_from or OPEN_START)


@dataclass(frozen=True)
class Mention:
    entity: str  # entity key
    surface: str
    start: int
    end: int
    passage_id: str


@dataclass(frozen=True)
class Entity:
    key: str  # stable, URL-safe
    label: str
    type: EntityType
    aliases: tuple[str, ...] = ()
    parent: str | None = None  # org:subOrganizationOf (entity key)
    law_number: str | None = None  # 昭和35年法律第105号
    egov_id: str | None = None  # 335AC0000000105
    generic: bool = False  # a generic actor (都道府県警察, 関係省庁), not one named body


@dataclass(frozen=True)
class Citation:
    """A law's article cited in the text (道路交通法第103条第3項, 法第109条)."""

    law: str  # entity key of the law
    article: str  # canonical, Arabic numerals: 第103条第3項, 第36条の2
    surface: str
    start: int
    end: int
    passage_id: str


@dataclass(frozen=True)
class Relation:
    subject: str  # entity key
    predicate: str  # local name in the pg: vocabulary (e.g. runsOn, partOf)
    object: str  # entity key


@dataclass(frozen=True)
class Measure:
    id: str
    doc_id: str
    section: tuple[str, ...]
    start: int
    end: int
    text: str
    passage_id: str
    actors: tuple[str, ...] = ()  # entity keys
    actor_text: str | None = None  # an unnamed or generic actor as printed
    systems: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    deadlines: tuple[Deadline, ...] = ()


@dataclass(frozen=True)
class DocumentMeta:
    title: str
    doc_type: str | None = None
    date: str | None = None  # ISO date of issue
    date_as_printed: str | None = None
    numbers: tuple[str, ...] = ()
    issuers: tuple[str, ...] = ()  # as printed
    addressees: tuple[str, ...] = ()
    retention: str | None = None
    valid_until: str | None = None
    cites: tuple[str, ...] = ()  # titles of documents referred to
    repeals: tuple[str, ...] = ()  # titles of documents repealed


@dataclass(frozen=True)
class ExtractedDocument:
    """Everything ingest knows about one document version."""

    doc: SourceDocument
    meta: DocumentMeta
    sections: tuple[Section, ...]
    passages: tuple[Passage, ...]
    entities: tuple[Entity, ...]
    mentions: tuple[Mention, ...]
    measures: tuple[Measure, ...]
    relations: tuple[Relation, ...] = field(default_factory=tuple)
    citations: tuple[Citation, ...] = field(default_factory=tuple)
