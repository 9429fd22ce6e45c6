"""Load GiNZA once, with the gazetteer component in front of its NER."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ingest.extract.gazetteer import (
    AGENCY_HEADS,
    SYSTEM_HEADS,
    Gazetteer,
    good_compound,
    law_number_spans,
    plan_spans,
)

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

_NOUNISH = {"NOUN", "PROPN", "NUM"}
_LAW_STOP = re.compile(r"[、。「」『』()\n]|(?<=[^\s])[はがを](?=[^\s])")
_REGISTERED = False


def _register() -> None:
    """Register the spaCy factory (once per process, lazily: spaCy is heavy)."""
    global _REGISTERED
    if _REGISTERED:
        return
    from spacy.language import Language

    @Language.factory("pg_gazetteer", default_config={})
    def _make(nlp: Language, name: str) -> GazetteerComponent:  # noqa: ARG001
        return GazetteerComponent(Gazetteer([]))

    _REGISTERED = True


class GazetteerComponent:
    """Presets doc.ents from the gazetteer and token patterns (see gazetteer.py)."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer

    def __call__(self, doc: Doc) -> Doc:
        from spacy.util import filter_spans

        text = doc.text
        spans: list[Span] = []
        for a, b, term in self.gazetteer.find(text):
            span = doc.char_span(a, b, label=f"PG_{term.type}", kb_id=term.key, alignment_mode="expand")
            if span is not None and span.text == text[a:b]:
                spans.append(span)
            elif span is not None:
                # a gazetteer name inside a longer token: keep the exact characters via
                # the token-aligned span only when it adds no more than a suffix
                spans.append(span)
        spans.extend(self._laws(doc))
        for a, b in plan_spans(text):
            span = doc.char_span(a, b, label="PG_Plan", alignment_mode="expand")
            if span is not None:
                spans.append(span)
        spans.extend(self._compounds(doc))
        doc.ents = filter_spans(spans)
        return doc

    def _laws(self, doc: Doc) -> list[Span]:
        out = []
        text = doc.text
        for paren, _end, *_ in law_number_spans(text):
            a = paren
            while a > 0 and not _LAW_STOP.match(text, a - 1):
                a -= 1
            if paren - a >= 2:
                span = doc.char_span(a, paren, label="PG_Law", alignment_mode="contract")
                if span is not None:
                    out.append(span)
        return out

    def _compounds(self, doc: Doc) -> list[Span]:
        out = []
        for tok in doc:
            label = _head_label(tok)
            if label is None:
                continue
            start = tok.i
            while start > 0 and _joins(doc[start - 1]):
                start -= 1
            while start < tok.i and not (doc[start].pos_ in _NOUNISH or doc[start].tag_.startswith("接頭辞")):
                start += 1
            span = doc[start : tok.i + 1]
            if label == "PG_System":
                head = next(h for h in SYSTEM_HEADS if tok.text.endswith(h))
            else:
                head = next(h for h in AGENCY_HEADS if tok.text.endswith(h))
            if good_compound(span.text, head):
                out.append(doc[start : tok.i + 1].char_span(0, len(span.text), label=label) or span)
        return [s for s in out if s.label_]


def _head_label(tok: Token) -> str | None:
    if tok.pos_ not in _NOUNISH:
        return None
    if tok.text.endswith(SYSTEM_HEADS):
        return "PG_System"
    if tok.text.endswith(AGENCY_HEADS) and tok.pos_ in ("NOUN", "PROPN"):
        return "PG_Agency"
    return None


def _joins(tok: Token) -> bool:
    return tok.pos_ in _NOUNISH or tok.text in ("・", "-") or tok.tag_.startswith("接頭辞")


def load_nlp(model: str, gazetteer: Gazetteer) -> Language:
    """GiNZA with ``pg_gazetteer`` after the parser and before ``ner``."""
    import spacy

    _register()
    nlp = spacy.load(model)
    comp = nlp.add_pipe("pg_gazetteer", before="ner")
    comp.gazetteer = gazetteer  # type: ignore[attr-defined]
    return nlp


def parse(nlp: Language, texts: list[str], *, processes: int = 1, batch_size: int = 32) -> list[Any]:
    """Parse texts with GiNZA, in parallel when asked (order is kept)."""
    if processes > 1 and len(texts) >= 8:
        return list(nlp.pipe(texts, n_process=processes, batch_size=batch_size))
    return list(nlp.pipe(texts, batch_size=batch_size))
