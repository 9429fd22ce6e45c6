"""read → normalise → sections → passages → GiNZA → entities, measures, metadata.

Heavy state (GiNZA with its gazetteer, the reference data) lives in an
:class:`Analyzer` made once per process and passed in.  Passages of all documents
are parsed in one ``nlp.pipe`` call, batched, on ``processes`` cores.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from policygraph.core.records import ExtractedDocument, Mention, Passage, Section, SourceDocument
from policygraph.core.settings import GINZA_EXCLUDE
from policygraph.ingest.extract import aliases
from policygraph.ingest.extract.anaphora import same_as_before
from policygraph.ingest.extract.citations import extract_citations
from policygraph.ingest.extract.entities import EntityTable, drop_incidental_devices, mentions_in
from policygraph.ingest.extract.gazetteer import Gazetteer
from policygraph.ingest.extract.generic_actors import generic_actor_text
from policygraph.ingest.extract.measures import ParsedPassage, extract_measures, is_rulebook
from policygraph.ingest.extract.metadata import extract_metadata
from policygraph.ingest.extract.nlp import load_nlp, parse
from policygraph.ingest.extract.own_government import define_issuer, define_own
from policygraph.ingest.extract.relations import runs_on
from policygraph.ingest.extract.repeats import repeated_names
from policygraph.ingest.extract.title import title_mentions
from policygraph.ingest.normalise import NormText, join_soft_wraps, normalise
from policygraph.ingest.passages import split_passages
from policygraph.ingest.sections import contents_spans, parse_sections

Progress = Callable[[str, int], None]


@dataclass
class Analyzer:
    nlp: Any
    gazetteer: Gazetteer
    reference: dict[str, Any]
    processes: int = 1
    batch_size: int = 32


def load_analyzer(model: str = "ja_ginza", processes: int = 1, batch_size: int = 32,
                  exclude: Iterable[str] = GINZA_EXCLUDE) -> Analyzer:
    """GiNZA (without the components in ``exclude``) with the gazetteer and reference data."""
    from policygraph.ontology.gazetteer import load_reference

    entries = load_reference()
    gaz = Gazetteer.from_reference(entries)
    return Analyzer(load_nlp(model, gaz, exclude), gaz, {e.key: e for e in entries}, processes, batch_size)


@dataclass(frozen=True)
class Layout:
    """A document split up, before parsing."""

    doc: SourceDocument
    nt: NormText
    sections: list[Section]
    passages: list[Passage]

    def from_original(self, offset: int) -> int:
        return bisect.bisect_left(self.nt.starts, offset)

    def norm(self, a: int, b: int) -> str:
        return self.nt.text[self.from_original(a) : self.from_original(b)]


def layout(doc: SourceDocument) -> Layout:
    """Sections and passages from the normalised lines; the text the parser then sees
    also has the hard wraps inside paragraphs joined (a PDF's 警 / 察共通基盤)."""
    nt = normalise(doc.text)
    sections = parse_sections(doc.text, nt)
    return Layout(doc, join_soft_wraps(nt), sections, split_passages(doc.id, doc.text, sections, contents_spans(nt)))


def analyse(docs: list[SourceDocument], an: Analyzer, progress: Progress | None = None,
            started: Callable[[], None] | None = None) -> list[ExtractedDocument]:
    """Lay out, parse (one batched GiNZA pass; ``started`` as :func:`nlp.parse`'s) and
    extract each document."""
    layouts = [layout(d) for d in docs]
    texts: list[str] = []
    for lay in layouts:
        texts.extend(lay.norm(p.start, p.end) for p in lay.passages)
    if progress:
        progress("parse", len(texts))
    parsed = parse(an.nlp, texts, processes=an.processes, batch_size=an.batch_size, started=started)
    out = []
    i = 0
    for lay in layouts:
        n = len(lay.passages)
        out.append(_extract(lay, parsed[i : i + n], an))
        i += n
    return out


def _defined_term_mentions(pps: list[ParsedPassage], table: EntityTable, mentions: list[Mention]) -> list[Mention]:
    """Mentions of the terms the document defined for one entity, wherever it uses them."""
    if not table.defined:
        return []
    by_passage: dict[str, list[Mention]] = {}
    for m in mentions:
        by_passage.setdefault(m.passage_id, []).append(m)
    out = []
    for pp in pps:
        taken = [(pp.from_original(m.start), pp.from_original(m.end)) for m in by_passage.get(pp.passage.id, [])]
        for a, b, key in aliases.defined_term_spans(pp.doc.text, table, taken):
            if key in table.entities:
                oa, ob = pp.to_original(a, b)
                out.append(Mention(entity=key, surface=pp.doc.text[a:b], start=oa, end=ob, passage_id=pp.passage.id))
    return out


def _extract(lay: Layout, docs: list[Any], an: Analyzer) -> ExtractedDocument:
    table = EntityTable(an.gazetteer, an.reference, doc_text=lay.nt.text)
    pps = []
    mentions = []
    for p, d in zip(lay.passages, docs, strict=True):
        base = lay.from_original(p.start)

        def to_orig(a: int, b: int, base: int = base) -> tuple[int, int]:
            return lay.nt.original_span(base + a, base + b)

        def from_orig(o: int, base: int = base) -> int:
            return lay.from_original(o) - base

        pps.append(ParsedPassage(p, d, to_orig, from_orig))
        mentions.extend(mentions_in(table, d, p.id, to_orig))
    first = next((s.start for s in lay.sections if s.path), len(lay.doc.text))
    head = lay.norm(0, max(first, min(len(lay.doc.text), 600)))
    meta = extract_metadata(head, lay.nt.text)
    seen = {(m.entity, m.start, m.end) for m in mentions}
    mentions.extend(m for m in title_mentions(meta, table, lay.nt.text, lay.passages, lay.nt.original_span)
                    if (m.entity, m.start, m.end) not in seen)
    mentions = aliases.apply(aliases.definition_merges(docs, table), table, mentions)
    mentions = aliases.apply(aliases.abbreviation_merges(table.entities, lay.nt.text, table), table, mentions)
    define_issuer(meta.issuers, lay.nt.text, table)
    mentions = aliases.apply(define_own(meta.title, lay.nt.text, table), table, mentions)
    mentions.extend(_defined_term_mentions(pps, table, mentions))
    mentions = aliases.apply(aliases.suffix_merges(table.entities), table, mentions)
    mentions = aliases.apply(aliases.short_title_merges(table.entities), table, mentions)
    mentions = aliases.apply(aliases.misprint_merges(table.entities), table, mentions)
    mentions = aliases.apply(aliases.variant_merges(table.entities, table.reference), table, mentions)
    mentions = aliases.apply(aliases.tail_merges(table.entities), table, mentions)
    passage_texts = [(pp.passage.id, pp.doc.text, pp.to_original) for pp in pps]  # (what the passes over the text read)
    mentions.extend(repeated_names(passage_texts, mentions, table.entities))
    mentions = drop_incidental_devices(table, mentions, lay.doc.text)
    mentions.extend(same_as_before(passage_texts, mentions, table.entities))
    types: dict[str, str] = {k: e.type for k, e in table.entities.items()}
    citations, term_mentions = extract_citations(
        [(pp.passage.id, pp.doc.text, pp.to_original, pp.from_original) for pp in pps], mentions,
        {k for k, t in types.items() if t == "Law"})
    mentions = [*mentions, *term_mentions]
    measures = extract_measures(lay.doc.id, lay.doc.text, lay.norm, lay.sections, pps, mentions, types, meta.date,
                                rulebook=is_rulebook(meta.title, meta.doc_type))
    measures = generic_actor_text(measures, mentions, table.entities, lay.doc.text)
    return ExtractedDocument(
        doc=lay.doc,
        meta=meta,
        sections=tuple(lay.sections),
        passages=tuple(lay.passages),
        entities=tuple(table.entities.values()),
        mentions=tuple(mentions),
        measures=tuple(measures),
        relations=tuple(runs_on(mentions, types, lay.doc.text)),
        citations=tuple(citations),
    )
