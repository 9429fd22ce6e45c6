"""An in-memory read model of the graph's documents and entities, read from the graph
after writes: extended by a batch's new documents alone, read whole after any other change.

Lookups by name or alias, suggestions of near names, and labels for hits are served
from here instead of a SPARQL round trip per request.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from policygraph.graph.namespace import PG
from policygraph.ingest.normalise import compact
from policygraph.ontology import ENTITY_CLASSES, PG_NS
from policygraph.service import queries as Q

if TYPE_CHECKING:
    from policygraph.graph.iris import Iris
    from policygraph.graph.store import GraphStore


SEP = "\u001f"
CLASS_TYPE = {PG_NS + local: type_ for local, type_ in ENTITY_CLASSES.items()}  # class IRI → API type


@dataclass
class Catalog:
    documents: dict[str, dict[str, Any]] = field(default_factory=dict)  # doc iri → doc json
    entities: dict[str, dict[str, Any]] = field(default_factory=dict)  # entity iri → entity json
    by_key: dict[str, str] = field(default_factory=dict)  # entity key → iri
    names: dict[str, list[str]] = field(default_factory=dict)  # compact name → entity iris
    parents: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, store: GraphStore, iris: Iris) -> Catalog:
        cat = cls()
        cat._add_documents(store.select(Q.DOCUMENTS), store.select(Q.CITATIONS), iris)
        cat._add_entities(store.select(Q.ENTITIES))
        return cat

    def with_documents(self, store: GraphStore, iris: Iris, doc_ids: list[str]) -> Catalog:
        """This catalog and the documents ``doc_ids``, new to it, with their entities: what
        :meth:`load` would read after they were added, read from their own graphs only
        (a folder's batch does not re-read the whole store).  The catalog itself is not
        changed (readers may hold it): what the new documents change is copied.  As in
        :meth:`load`, which the store returns in no set order, an entity's parent is the last
        one read and a name's entities are in the order they were read."""
        from policygraph.graph.store import named_node

        cat = Catalog(dict(self.documents), dict(self.entities), dict(self.by_key), dict(self.names),
                      dict(self.parents))
        for doc_id in doc_ids:
            doc = {"doc": named_node(iris.doc(doc_id))}
            cat._add_documents(store.select(Q.DOCUMENTS_OF, doc), store.select(Q.CITATIONS_OF, doc), iris)
            cat._add_entities(store.select(Q.ENTITIES_OF, {"g": named_node(iris.graph(doc_id))}), copy=True)
        return cat

    def _add_documents(self, rows: list[dict[str, Any]], citations: list[dict[str, Any]], iris: Iris) -> None:
        for r in rows:
            doc_id = (iris.local(r["doc"]) or r["doc"]).removeprefix("doc/")  # a document of another base: its IRI
            self.documents[r["doc"]] = {
                "id": doc_id,
                "iri": r["doc"],
                "title": r["title"],
                "source": r["source"],
                "type": r.get("type"),
                "date": r.get("issued"),
                "format": r.get("format"),
                "checksum": r["checksum"],
                "valid_until": r.get("valid"),
                "retention": r.get("retention"),
                "numbers": _split(r.get("numbers")),
                "issuers": _split(r.get("issuers")),
                "addressees": _split(r.get("addressees")),
                "cites": [],
                "repeals": [],
            }
        for r in citations:
            d = self.documents.get(r["doc"])
            if d is not None:
                d["repeals" if r["rel"].endswith("repeals") else "cites"].append(r["title"])

    def _add_entities(self, rows: list[dict[str, Any]], copy: bool = False) -> None:
        """Entity rows merged in: an entity's aliases are the union over the documents that
        name it, it is generic if any calls it so.  ``copy``: an entity or a name list this
        catalog shares with another is replaced, not changed."""
        touched: dict[str, None] = {}  # in the order the rows name them
        for r in rows:
            iri = r["e"]
            type_ = CLASS_TYPE.get(r["class"])
            if type_ is None:
                continue
            cur = self.entities.get(iri)
            aliases = sorted(set(_split(r.get("aliases"))) - {r["label"]})
            if cur is None:
                self.entities[iri] = {
                    "id": r["key"], "iri": iri, "label": r["label"], "type": type_, "aliases": aliases,
                    "generic": r["class"] == str(PG.GenericActor),
                }
            else:
                if copy and iri not in touched:
                    cur = self.entities[iri] = dict(cur)
                cur["aliases"] = sorted(set(cur["aliases"]) | set(aliases))
                cur["generic"] = cur["generic"] or r["class"] == str(PG.GenericActor)
            touched[iri] = None
            if r.get("parent"):
                self.parents[iri] = r["parent"]
            self.by_key[r["key"]] = iri
        for iri in touched:
            e = self.entities[iri]
            for name in (e["label"], *e["aliases"]):
                key = compact(name)
                known = self.names.get(key, [])
                if iri not in known:
                    self.names[key] = [*known, iri]  # a new list: the old catalog keeps its own

    def doc_ref(self, doc_iri: str) -> dict[str, Any]:
        d = self.documents.get(doc_iri)
        if d is None:
            return {"id": None, "iri": doc_iri, "title": None, "source": None}
        # date and number too: what a citation needs (文書名・文書番号・日付)
        return {**{k: d[k] for k in ("id", "iri", "title", "source", "date")}, "numbers": d["numbers"]}

    def entity_ref(self, iri: str) -> dict[str, Any] | None:
        e = self.entities.get(iri)
        if e is None:
            return None
        return {"id": e["id"], "iri": iri, "label": e["label"], "type": e["type"]}

    def public(self, iri: str) -> dict[str, Any]:
        e = self.entities[iri]
        return {k: e[k] for k in ("id", "iri", "label", "type", "aliases")}

    def lookup(self, name: str) -> list[str]:
        """Entity iris for a name, best first: an entity's id (what the UI's URLs carry),
        an exact name or alias, then names containing it or contained in it."""
        return self.resolve(name)[0]

    def resolve(self, name: str) -> tuple[list[str], bool]:
        """:meth:`lookup`, and whether the first answer is exact (an id, name or alias)
        rather than the closest name."""
        if name in self.by_key:
            return [self.by_key[name]], True
        key = compact(name)
        if not key:
            return [], False
        exact = list(dict.fromkeys(self.names.get(key, [])))
        if exact:
            return exact, True
        scored: list[tuple[float, str]] = []
        for n, iris in self.names.items():
            if key in n or (len(n) >= 3 and n in key):
                score = len(key) / max(len(n), 1) if key in n else len(n) / len(key)
                scored.extend((score, i) for i in iris)
        scored.sort(key=lambda t: -t[0])
        return list(dict.fromkeys(i for _, i in scored)), False

    def suggestions(self, name: str, n: int = 5) -> list[str]:
        labels = {e["label"] for e in self.entities.values()}
        names = list(labels) + [a for e in self.entities.values() for a in e["aliases"]]
        close = difflib.get_close_matches(name, names, n=n, cutoff=0.3)
        if len(close) < n:
            chars = set(compact(name))
            ranked = sorted(labels, key=lambda lb: -len(chars & set(lb)))
            close += [lb for lb in ranked if lb not in close and chars & set(lb)][: n - len(close)]
        return close[:n]


def _split(value: Any) -> list[str]:
    if not value:
        return []
    return [v for v in str(value).split(SEP) if v]
