"""The catalog of a store holding many documents that share their entities (issue 15).

Every document graph repeats the triples of the entities it mentions, so a pattern joined
over the union of the graphs multiplies its rows with the number of documents (to the
power of the patterns it joins on the entity: five in the old entity query, so 2,000
documents naming 警察庁 never finished loading the catalog; here, 12 documents took 16 s
against 0.1 s now — bench/archive.py measures it at scale).  The queries join inside one
document's graph; this checks they still gather what every graph says, on a real
Oxigraph store: one entity however many documents name it, with the aliases of all of
them, also where one document gives it none."""

from __future__ import annotations

import dataclasses

import sample_graph as sample

from policygraph.core.ids import sha
from policygraph.graph.build import document_graph
from policygraph.graph.iris import Iris
from policygraph.graph.store import OxigraphStore
from policygraph.service import queries as Q
from policygraph.service.catalog import Catalog

N = 12


def _copies() -> list:
    base = sample.document_a()
    out = []
    for i in range(N):
        doc = dataclasses.replace(base.doc, id=f"copy-{i:02d}", source=f"copy_{i:02d}.txt",
                                  checksum=sha(base.doc.text, str(i), n=64))
        ents = tuple(e if e.key != "system-kiban" else dataclasses.replace(
            e, aliases=() if i == 0 else e.aliases + (f"基盤{i}",)) for e in base.entities)
        out.append(dataclasses.replace(base, doc=doc, entities=ents))
    return out


def test_many_documents_naming_one_entity() -> None:
    iris = Iris("http://127.0.0.1:8000")
    store = OxigraphStore(None)
    for x in _copies():
        store.replace_document(iris.graph(x.doc.id), document_graph(x, iris))
    rows = store.select(Q.ENTITIES)
    assert len(rows) <= 3 * N  # at most one row per entity and graph, not N ** 5
    cat = Catalog.load(store, iris)
    assert len(cat.documents) == N
    kiban = cat.entities[iris.entity("system-kiban")]
    assert kiban["label"] == "警察共通基盤" and kiban["type"] == "System"
    assert set(kiban["aliases"]) == {"警察共通基盤システム", "共通基盤システム", *(f"基盤{i}" for i in range(1, N))}
    npa = cat.entities[iris.entity("npa")]
    assert npa["label"] == "警察庁" and npa["aliases"] == [] and not npa["generic"]
    assert cat.entities[iris.entity("pref-police")]["generic"]
    # the reindex read: one row per document, passage and entity (the copies share their
    # passages' ids), each with the entity's class
    mentions = store.select(Q.REINDEX_MENTIONS.replace("#bind\n", ""))
    per_passage = {(r["p"], r["key"], r["class"]) for r in mentions}
    assert len(mentions) == N * len(per_passage)
    assert {k for _, k, _ in per_passage} == {"npa", "pref-police", "system-kiban"}
