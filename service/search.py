"""Hybrid passage search: dense + lexical in Qdrant (RRF), plus graph-aware candidates.

* Qdrant ranks the dense (sentence-transformers) and the sparse (BM25 over Sudachi
  normalised tokens, IDF by Qdrant) lists; they are fused here by reciprocal rank with
  k=10 (measured better than Qdrant's built-in RRF, k=2, on the dev set).
* When the query names an entity under any of its names (共通基盤システム, 総務省),
  the passages that mention it are candidates too (a payload filter on ``entities``),
  fused in by rank.
* When the query names a time (令和8年度中, 令和10年度までに), passages whose measures fall
  due in that interval are a further candidate list (a payload filter on the deadline
  ranges), weighted double in the fusion.
* Filters (doc, agency, system, from/to) are Qdrant payload filters.
* ``no_good_match`` is set when neither the best dense similarity nor the lexical
  overlap nor an entity name says that the corpus answers the query.
"""

from __future__ import annotations

import math
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from policygraph.core.errors import BadInput, NotFound
from policygraph.ingest.normalise import compact

if TYPE_CHECKING:
    from policygraph.service.state import State

RRF_K = 10  # measured on the dev set (bench/retrieval.py): k=10 beats Qdrant's k=2 and k=60
# no_good_match: known = the IDF-weighted share of the query's terms found anywhere in the
# index (a word the index lacks weighs most, a common one least), top = best dense cosine.
# Flag when known + DENSE_WEIGHT * (top - DENSE_PIVOT) < NO_MATCH_BELOW.  Weighting by IDF
# keeps this steady as the index grows: the plain share of known words rises with every
# document added (on the corpus plus six other documents it flagged 7 of 13 negatives, this
# 9; 13/13 on the corpus alone either way).  Calibrated on ../shared/eval,
# tests/data/dev-queries-extra.json and tests/data/heldout-queries.json, on both indexes:
# no positive below 0.37 (bench/retrieval.py reports both rates).
DENSE_PIVOT = 0.87
DENSE_WEIGHT = 15.0
NO_MATCH_BELOW = 0.32
DF_CAP = 64  # document frequencies are counted up to this (common words all weigh little)


QUERY_CACHE = 2048  # queries whose vectors are kept (a repeated query skips the embedder)


class Searcher:
    def __init__(self, state: State, passage_deadlines: Callable[[], dict[str, list[dict[str, Any]]]]) -> None:
        self.svc = state
        self.passage_deadlines = passage_deadlines  # the read model's, for a hit's deadline badges
        # one query embedding at a time: torch already uses every core for one, and
        # concurrent calls only oversubscribe them (measured in bench/load.py)
        self._embed = threading.Lock()
        self._vectors: OrderedDict[str, tuple[Any, Any, Any]] = OrderedDict()
        self._cache = threading.Lock()
        # term id → how many passages have it (up to DF_CAP), for the catalog (index state)
        # it was counted in, and that index's size
        self._df: tuple[Any, dict[int, int], int] = (None, {}, 0)

    def query_vectors(self, q: str) -> tuple[Any, Any, Any]:
        """(dense, sparse, sparse of the query's own words) vectors of a query, from a
        small LRU cache."""
        with self._cache:
            hit = self._vectors.get(q)
            if hit is not None:
                self._vectors.move_to_end(q)
                return hit
        with self._embed:
            dense = self.svc.embedder.embed_queries([q])[0]
        vecs = (dense, *self.svc.sparse.encode_query_and_words(q))
        with self._cache:
            self._vectors[q] = vecs
            while len(self._vectors) > QUERY_CACHE:
                self._vectors.popitem(last=False)
        return vecs

    def _keys(self, name: str | None, type_: str) -> list[str] | None:
        if not name:
            return None
        cat = self.svc.catalog
        iris = [i for i in cat.lookup(name) if cat.entities[i]["type"] == type_]
        if not iris:
            raise NotFound(f"no {type_.lower()} named {name!r}", suggestions=cat.suggestions(name))
        return [cat.entities[i]["id"] for i in iris[:3]]

    @staticmethod
    def time_window(q: str) -> tuple[str, str] | None:
        """The interval a query names (令和8年度中 → 2026-04-01..2027-03-31), if any."""
        from policygraph.ingest.extract.deadlines import find_deadlines
        from policygraph.ingest.normalise import normalise

        for _, _, d in find_deadlines(normalise(q).text):
            lo, hi = (d.end, d.end) if d.kind == "by" else (d.start, d.end or "9999-12-31")
            if lo and hi:
                return lo, hi
        return None

    def named_entities(self, q: str) -> list[str]:
        """Entity keys whose name or alias occurs in the query (longest names first)."""
        key = compact(q)
        found: list[tuple[int, str]] = []
        for name, iris in self.svc.catalog.names.items():
            if len(name) >= 2 and name in key and not re.fullmatch(r"[0-9]+", name):
                for i in iris:
                    e = self.svc.catalog.entities[i]
                    if not e.get("generic"):  # 都道府県, 学校: words, not a subject of the question
                        found.append((len(name), e["id"]))
        found.sort(key=lambda t: -t[0])
        # each key once, by its longest matched name; a name inside a longer one (警察庁 in
        # 警察庁交通局) stays: both entities are named
        return list(dict.fromkeys(k for _, k in found))[:5]

    def search(self, q: str, limit: int = 10, doc: str | None = None, agency: str | None = None,
               system: str | None = None, date_from: str | None = None, date_to: str | None = None,
               mode: str = "hybrid", graph: bool = True) -> dict[str, Any]:
        from policygraph.indexes.vector_index import IndexFilter

        q = (q or "").strip()
        if not q:
            raise BadInput("empty query")
        if len(q) > 1000:
            raise BadInput("query longer than 1000 characters")
        if not 1 <= limit <= 100:
            raise BadInput("limit must be between 1 and 100")
        svc = self.svc
        if not svc.index.exists():
            return {"query": q, "hits": [], "no_good_match": True}
        flt = IndexFilter(
            docs=[doc] if doc else [],
            agencies=self._keys(agency, "Agency") or [],
            systems=self._keys(system, "System") or [],
            date_from=date_from,
            date_to=date_to,
        )
        dense, sparse, words = self.query_vectors(q)
        pool = max(limit * 4, 40)
        dense_hits = svc.index.search(dense, None, limit=pool, filter=flt, mode="dense")
        lists = []
        if mode in ("dense", "hybrid"):
            lists.append(dense_hits)
        if mode in ("sparse", "hybrid"):
            lists.append(svc.index.search(None, sparse, limit=pool, filter=flt, mode="sparse"))
        window = self.time_window(q) if graph and not (date_from or date_to) else None
        if window:
            tf = IndexFilter(docs=flt.docs, agencies=flt.agencies, systems=flt.systems,
                             date_from=window[0], date_to=window[1])
            timed = svc.index.search(dense, sparse, limit=pool, filter=tf, mode="hybrid")
            lists.extend([timed, timed])  # a time the query names is a constraint: weigh it double
        named = self.named_entities(q) if graph else []
        if named:
            ef = IndexFilter(docs=flt.docs, agencies=flt.agencies, systems=flt.systems,
                             entities=named, date_from=date_from, date_to=date_to)
            lists.append(svc.index.search(dense, sparse, limit=pool, filter=ef, mode="hybrid"))
        fused = _rrf(lists)
        versions = svc.versions()
        hits: list[dict[str, Any]] = []
        for score, h in fused:
            p = h.payload
            if versions.get(p["doc"]) != p.get("version"):
                continue  # a point of a version not (or no longer) in the graph
            hits.append(self._hit(len(hits) + 1, score, h))
            if len(hits) >= limit:
                break
        top_dense = dense_hits[0].score if dense_hits else 0.0
        return {"query": q, "hits": hits, "no_good_match": self._no_good_match(words, top_dense, named, hits)}

    def known_weight(self, sparse: Any) -> float:
        """IDF-weighted share of the query's own terms (not their synonym groups) that occur
        in some passage: BM25's IDF, log(1 + (N - df + 0.5) / (df + 0.5)), with df counted
        by one sparse lookup per term (at most DF_CAP hits) and remembered until the index
        changes.  A term no passage has counts with df = 0, the highest weight."""
        from policygraph.indexes.sparse import SparseVec

        if not len(sparse):
            return 0.0
        cat = self.svc.catalog
        with self._cache:
            if self._df[0] is not cat:  # the index changed: terms may have come or gone
                self._df = (cat, {}, self.svc.index.count())
            _, df, n = self._df
            todo = [i for i in sparse.indices if i not in df]
        for i in todo:
            df[i] = len(self.svc.index.search(None, SparseVec((i,), (1.0,)), limit=DF_CAP, filter=None,
                                              mode="sparse"))
        idf = {i: math.log(1 + (max(n, df[i]) - df[i] + 0.5) / (df[i] + 0.5)) for i in sparse.indices}
        return sum(w for i, w in idf.items() if df[i]) / sum(idf.values())

    def _no_good_match(self, sparse: Any, top_dense: float, named: list[str], hits: list[dict[str, Any]]) -> bool:
        if not hits:
            return True
        if named:
            return False
        score = self.known_weight(sparse) + DENSE_WEIGHT * (top_dense - DENSE_PIVOT)
        return score < NO_MATCH_BELOW

    def _hit(self, rank: int, score: float, h: Any) -> dict[str, Any]:
        """A passage hit; its text (and start) include the passage's lead-in, ``lead``
        characters of context from the passage before."""
        p = h.payload
        lead = p.get("lead", "")
        cat = self.svc.catalog
        doc_iri = self.svc.iris.doc(p["doc"])
        ents = [cat.entity_ref(cat.by_key[k]) for k in p.get("entities", []) if k in cat.by_key]
        return {
            "rank": rank,
            "score": round(float(score), 6),
            "text": lead + p["text"],
            "lead": len(lead),
            "document": cat.doc_ref(doc_iri),
            "section": list(p.get("section", [])),
            "start": p["start"] - len(lead),
            "end": p["end"],
            "heading": p.get("heading", ""),
            **({"page": p["page"], "end_page": p.get("end_page", p["page"])} if p.get("page") is not None else {}),
            "entities": [e for e in ents if e],
            "deadlines": self.passage_deadlines().get(self.svc.iris.passage(h.id), []),
        }


def _rrf(lists: list[list[Any]]) -> list[tuple[float, Any]]:
    scores: dict[str, float] = {}
    best: dict[str, Any] = {}
    for lst in lists:
        for rank, h in enumerate(lst):
            scores[h.id] = scores.get(h.id, 0.0) + 1.0 / (RRF_K + rank + 1)
            best.setdefault(h.id, h)
    order = sorted(scores, key=lambda i: -scores[i])
    return [(scores[i], best[i]) for i in order]
