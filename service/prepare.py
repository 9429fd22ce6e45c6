"""The half of a write that does not touch the stores: a batch of documents → analysis,
document graph (checked against the shapes) and index items with their vectors.

A plain function of the documents and the models (:class:`Models`), so the same code
runs in this process (:class:`policygraph.service.writes.WritePipeline`) and on a Ray
worker (:mod:`policygraph.service.cluster`); the commit is always the writer's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from policygraph.graph.build import document_graph
from policygraph.graph.validate import check_document

if TYPE_CHECKING:
    from rdflib import Graph

    from policygraph.core.records import ExtractedDocument, SourceDocument
    from policygraph.graph.iris import Iris
    from policygraph.indexes.base import IndexItem
    from policygraph.indexes.embedder import Embedder
    from policygraph.indexes.sparse import SparseEncoder
    from policygraph.ingest.pipeline import Analyzer

Progress = Callable[[str, int, int], None]


class Models(Protocol):
    """What :func:`prepare_documents` needs: a :class:`~policygraph.service.state.State`
    (models loaded on first use) or a Ray worker's own (:mod:`policygraph.service.cluster`)."""

    @property
    def iris(self) -> Iris: ...
    @property
    def analyzer(self) -> Analyzer: ...
    @property
    def embedder(self) -> Embedder: ...
    @property
    def sparse(self) -> SparseEncoder: ...


@dataclass(frozen=True)
class PreparedDocument:
    """One document ready for the stores: its analysis, its document graph (conforming to
    the shapes) and its index items.  Nothing of it has touched a store."""

    extracted: ExtractedDocument
    graph: Graph
    items: list[IndexItem]

    @property
    def doc(self) -> SourceDocument:
        return self.extracted.doc


@dataclass(frozen=True)
class AnalysedDocument:
    """One document analysed, with its document graph checked against the shapes: what
    :func:`prepared` turns into index items."""

    extracted: ExtractedDocument
    graph: Graph

    @property
    def doc(self) -> SourceDocument:
        return self.extracted.doc


def analyse_documents(docs: list[SourceDocument], iris: Iris, analyzer: Analyzer,
                      progress: Progress | None = None,
                      started: Callable[[], None] | None = None) -> list[AnalysedDocument]:
    """Analyse (one batched GiNZA pass over all ``docs``) → document graph → SHACL.  Every
    graph of the batch is checked before any is returned: a non-conforming one refuses the
    batch before either store changes."""
    from policygraph.ingest.pipeline import analyse

    extracted = analyse(docs, analyzer, (lambda stage, n: progress(stage, 0, n)) if progress else None, started)
    out = [AnalysedDocument(x, document_graph(x, iris)) for x in extracted]
    for a in out:
        check_document(a.graph, a.doc.source)  # SHACL, before either store changes
    return out


def prepared(analysed: list[AnalysedDocument], models: Models) -> Iterator[PreparedDocument]:
    """Index rows, read from each document graph alone as the store will hold it → dense and
    sparse vectors; each document's when it is asked for, so the local writer writes one
    document while the next waits."""
    from policygraph.graph.store import OxigraphStore
    from policygraph.indexes.items import items_of
    from policygraph.service.writes import passage_rows

    iris = models.iris
    for a in analysed:
        staged = OxigraphStore(None)  # the document graph alone, read as the store will hold it
        staged.replace_document(iris.graph(a.doc.id), a.graph)
        yield PreparedDocument(a.extracted, a.graph, items_of(passage_rows(staged, iris, iris.doc(a.doc.id)),
                                                              models.embedder, models.sparse))


def prepare_documents(docs: list[SourceDocument], models: Models,
                      progress: Progress | None = None) -> Iterator[PreparedDocument]:
    """Everything per document that does not touch the stores: :func:`analyse_documents`,
    then :func:`prepared`.  A Ray worker takes them all (``list(...)``)."""
    yield from prepared(analyse_documents(docs, models.iris, models.analyzer, progress), models)
