"""Hybrid passage search: dense + lexical in Qdrant (RRF), plus graph-aware candidates.

* Qdrant ranks the dense (sentence-transformers) and the sparse (BM25 over Sudachi
  normalised tokens, IDF by Qdrant) lists; they are fused here by reciprocal rank with
  k=10 (measured better than Qdrant's built-in RRF, k=2, on the dev set).
* When the query names an entity under any of its names (共通基盤システム, 総務省),
  the passages that mention it are candidates too (a payload filter on ``entities``),
  fused in by rank; an entity that many passages mention, named in a question about
  something else, weighs less (ENTITY_SPECIFIC).
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
from policygraph.service.answer import QueryWords, best_unit, highlights, query_words

if TYPE_CHECKING:
    from policygraph.service.state import State

RRF_K = 10  # measured on the dev set (bench/retrieval.py): k=10 beats Qdrant's k=2 and k=60
# no_good_match: coverage = the IDF-weighted share of the query's content words the index
# knows, itself or through its Sudachi synonym group (see Searcher.coverage); gap = the best
# dense cosine minus the GAP_RANK-th best (over the whole index, unfiltered).  Flag when
# coverage + GAP_WEIGHT * (gap - GAP_SURE) < NO_MATCH_BELOW, unless gap >= GAP_SURE or the
# query names an entity.  Both terms are relative to the index: IDF weighting, and the
# cosine measured against the query's own background (the more documents, the higher
# every query's best cosine: on a 1,600-passage index most off-topic queries reach the
# 0.875 that an absolute threshold took as sure, stop 22).  Calibrated on the tune halves
# (../shared/eval, tests/data/dev-queries-extra.json, tests/data/heldout-queries.json,
# tests/data/colloquial-queries.json's tune queries, the blind set's tune half) on their
# indexes, so that a query with a right answer in its top 3 is not flagged;
# bench/retrieval.py and bench/blind.py report both rates per set.
GAP_RANK = 100
GAP_SURE = 0.04
GAP_WEIGHT = 25.0
NO_MATCH_BELOW = 0.36
DF_CAP = 64  # document frequencies are counted up to this (common words all weigh little)


# total, offset and facets: each list is read POOL deep; a hit counts (and pages) when it
# is above the relevance floor: dense cosine within DENSE_BAND of the best and at least
# DENSE_MIN, or a lexical score at least SPARSE_SHARE of the best, or a passage the query
# names by entity or time.  Calibrated on the tune halves (as no_good_match below): these
# keep every right answer of their top 10 and give a median total of 20 (corpus) / 40
# (corpus + public documents) where no floor gives 220 / 365.  Rank fusion reads the first FUSE_DEPTH of each list, the rest
# add only as a tail (so the order of the first hits does not depend on POOL).
POOL = 300
FUSE_DEPTH = 40
DENSE_BAND = 0.02
DENSE_MIN = 0.80
SPARSE_SHARE = 0.3
QUERY_CACHE = 2048
SORTS = ("relevance", "date", "document")  # the order of the hits above the floor
WHO_RESIDUE = 6  # see Searcher.about_entities
# an entity named in a query that is not about it (see about_entities) and that more than
# ENTITY_SPECIFIC passages mention weighs ENTITY_SPECIFIC / its passages in the fusion, so
# that its passages do not drown the ones that answer the rest of the query (issue 16);
# its passages are counted among the candidates the entity filter returns (up to POOL,
# within the query's filters), each entity on its own (see _specific_weight).
# Calibrated on the tune halves: 10 brings held-out h13 from 1 to 4 of its 4 passages;
# 15 or more changes nothing there
ENTITY_SPECIFIC = 10
COLLECTIVE = re.compile(r"(?:警察|委員会|本部|機関|省庁|府省|会議|局|庁|署)$")  # queries whose vectors are kept (a repeated query skips the embedder)


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

    def names_in(self, q: str) -> list[str]:
        """The catalog's names and aliases (2 characters or more) that occur in the query,
        longest first: one scan of the catalog, which both uses below read."""
        key = compact(q)
        return sorted((n for n in self.svc.catalog.names if len(n) >= 2 and n in key), key=len, reverse=True)

    def about_entities(self, q: str, names: list[str] | None = None) -> bool:
        """Whether the query is about the entities it names (総務省の取組, 総務省が担う役割):
        besides their names and kana it keeps at most WHO_RESIDUE characters.  A longer
        question (…を円滑にするための警察と総務省の協議) is about its own subject."""
        rest = compact(q)
        for name in self.names_in(q) if names is None else names:
            rest = rest.replace(name, "")
        return len(re.sub(r"[\u3040-\u309f]", "", rest)) <= WHO_RESIDUE

    def _type(self, key: str) -> str | None:
        iri = self.svc.catalog.by_key.get(key)
        e = self.svc.catalog.entities.get(iri) if iri else None
        return e["type"] if e else None

    def named_entities(self, q: str, names: list[str] | None = None) -> list[str]:
        """Entity keys whose name or alias occurs in the query (longest names first)."""
        found: list[tuple[int, str]] = []
        for name in self.names_in(q) if names is None else names:
            if not re.fullmatch(r"[0-9]+", name):
                for i in self.svc.catalog.names[name]:
                    e = self.svc.catalog.entities[i]
                    # a generic word (都道府県, 学校) is not a subject of the question; a
                    # collective organ (都道府県警察, 都道府県公安委員会) is
                    if not e.get("generic") or (len(name) >= 4 and COLLECTIVE.search(name)):
                        found.append((len(name), e["id"]))
        found.sort(key=lambda t: -t[0])
        # each key once, by its longest matched name; a name inside a longer one (警察庁 in
        # 警察庁交通局) stays: both entities are named
        return list(dict.fromkeys(k for _, k in found))[:5]

    def search(self, q: str, limit: int = 10, doc: str | None = None, agency: str | None = None,
               system: str | None = None, date_from: str | None = None, date_to: str | None = None,
               mode: str = "hybrid", graph: bool = True, offset: int = 0,
               sort: str = "relevance") -> dict[str, Any]:
        from policygraph.indexes.vector_index import IndexFilter

        q = (q or "").strip()
        if not q:
            raise BadInput("empty query")
        if len(q) > 1000:
            raise BadInput("query longer than 1000 characters")
        if not 1 <= limit <= 100:
            raise BadInput("limit must be between 1 and 100")
        if sort not in SORTS:
            raise BadInput(f"sort must be one of {', '.join(SORTS)}, got {sort!r}")
        if not 0 <= offset <= POOL:
            raise BadInput(f"offset must be between 0 and {POOL} (the first {POOL} hits page)")
        svc = self.svc
        if not svc.index.exists():
            return {"query": q, "hits": [], "no_good_match": True, "total": 0, "offset": offset, "facets": {}}
        flt = IndexFilter(
            docs=[doc] if doc else [],
            agencies=self._keys(agency, "Agency") or [],
            systems=self._keys(system, "System") or [],
            date_from=date_from,
            date_to=date_to,
        )
        dense, sparse, _ = self.query_vectors(q)
        dense_hits = _ties_by_id(svc.index.search(dense, None, limit=POOL, filter=flt, mode="dense"))
        sparse_hits = _ties_by_id(svc.index.search(None, sparse, limit=POOL, filter=flt, mode="sparse"))
        lists = []
        weights: dict[int, Callable[[Any], float]] = {}  # list → each candidate's vote
        if mode in ("dense", "hybrid"):
            lists.append(dense_hits)
        if mode in ("sparse", "hybrid"):
            lists.append(sparse_hits)
        window = self.time_window(q) if graph and not (date_from or date_to) else None
        constrained: list[Any] = []  # candidates the query names by time or entity
        if window:
            tf = IndexFilter(docs=flt.docs, agencies=flt.agencies, systems=flt.systems,
                             date_from=window[0], date_to=window[1])
            timed = _ties_by_id(svc.index.search(dense, sparse, limit=POOL, filter=tf, mode="hybrid"))
            lists.extend([timed, timed])  # a time the query names is a constraint: weigh it double
            constrained.extend(timed)
        names = self.names_in(q) if graph else []
        named = self.named_entities(q, names) if graph else []
        if named:
            ef = IndexFilter(docs=flt.docs, agencies=flt.agencies, systems=flt.systems,
                             entities=named, date_from=date_from, date_to=date_to)
            by_entity = _ties_by_id(svc.index.search(dense, sparse, limit=POOL, filter=ef, mode="hybrid"))
            lists.append(by_entity)
            if len(by_entity) > ENTITY_SPECIFIC and not self.about_entities(q, names):
                # a question of its own that names a broad entity (デジタル庁の告示が…どう分類
                # して指定しているか): its many passages vote as one specific entity's would
                weights[len(lists) - 1] = _specific_weight(by_entity, named)
            constrained.extend(by_entity)
            # who-questions: the passages whose measures the named agencies act in (their
            # duties, powers and 所掌事務), ranked by how well they answer the whole query
            agencies = [k for k in named if self._type(k) == "Agency"]
            if agencies and self.about_entities(q, names):
                af = IndexFilter(docs=flt.docs, agencies=flt.agencies, systems=flt.systems,
                                 actors=agencies, date_from=date_from, date_to=date_to)
                by_actor = _ties_by_id(svc.index.search(dense, sparse, limit=POOL, filter=af, mode="hybrid"))
                lists.append(by_actor)
                constrained.extend(by_actor)
        fused = _rrf([lst[:FUSE_DEPTH] for lst in lists], tail=lists, weights=weights)
        versions = svc.versions()
        current = [(score, h) for score, h in fused if versions.get(h.payload["doc"]) == h.payload.get("version")]
        filtered = bool(flt.docs or flt.agencies or flt.systems or date_from or date_to)
        if filtered:  # the floor and the flag are the unfiltered query's: a filter (a facet) keeps
            # exactly the hits it counted, and does not make a weak query look answered
            tops = (svc.index.search(dense, None, limit=GAP_RANK, filter=None, mode="dense"),
                    svc.index.search(None, sparse, limit=1, filter=None, mode="sparse"))
        else:
            tops = (dense_hits[:GAP_RANK], sparse_hits[:1])
        top_dense = tops[0][0].score if tops[0] else 0.0
        gap = top_dense - tops[0][-1].score if tops[0] else 0.0  # (a smaller index: its last)
        top_sparse = tops[1][0].score if tops[1] else 0.0
        no_match = self._no_good_match(q, gap, named, current)
        floor = _above_floor(dense_hits if mode != "sparse" else [], sparse_hits if mode != "dense" else [],
                             constrained, top_dense, top_sparse)
        above = [] if no_match else [(score, h) for score, h in current if h.id in floor]
        if sort != "relevance":
            above = self._sorted(above, sort)
        shown = (current if no_match else above)[offset : offset + limit]
        qw = query_words(svc.sparse, q)
        hits = [self._hit(offset + i + 1, score, h, qw) for i, (score, h) in enumerate(shown)]
        return {"query": q, "hits": hits, "no_good_match": no_match, "total": len(above), "offset": offset,
                "facets": self._facets([h for _, h in above]), "named": named}

    def _sorted(self, hits: list[tuple[float, Any]], sort: str) -> list[tuple[float, Any]]:
        """The hits above the floor by their earliest deadline (undated last, then by
        relevance) or in document order (by document title, then place)."""
        if sort == "document":
            cat = self.svc.catalog
            return sorted(hits, key=lambda sh: ((cat.doc_ref(self.svc.iris.doc(sh[1].payload["doc"])).get("title") or ""),
                                                sh[1].payload["doc"], sh[1].payload["start"]))
        deadlines = self.passage_deadlines()

        def due(sh: tuple[float, Any]) -> str:
            days = [d.get("end") or d.get("start") for d in deadlines.get(self.svc.iris.passage(sh[1].id), [])]
            return min((x for x in days if x), default="9999-12-31")

        return sorted(hits, key=due)  # stable: relevance within a day

    def _facets(self, hits: list[Any]) -> dict[str, list[dict[str, Any]]]:
        """Counts over every hit above the floor: documents, agencies, systems, and the
        fiscal years of the hits' deadlines."""
        from policygraph.core.records import deadline_interval, fiscal_year_of, overlaps

        cat = self.svc.catalog
        counts: dict[str, dict[str, dict[str, Any]]] = {"doc": {}, "agency": {}, "system": {}, "fy": {}}

        def add(group: str, value: str, label: str) -> None:
            c = counts[group].setdefault(value, {"value": value, "label": label, "count": 0})
            c["count"] += 1

        deadlines = self.passage_deadlines()
        years: set[int] = set()
        hit_deadlines: list[list[tuple[str, str] | None]] = []
        for h in hits:
            p = h.payload
            ref = cat.doc_ref(self.svc.iris.doc(p["doc"]))
            add("doc", ref["id"], ref.get("title") or ref["source"])
            for k in dict.fromkeys(p.get("entities", [])):
                iri = cat.by_key.get(k)
                e = cat.entities.get(iri) if iri else None
                generic = e is not None and e.get("generic") and not COLLECTIVE.search(e["label"])
                if e and e["type"] in ("Agency", "System") and not generic:  # 事業者, 学校: words, not agencies
                    add("agency" if e["type"] == "Agency" else "system", e["id"], e["label"])
            dls = deadlines.get(self.svc.iris.passage(h.id), [])
            hit_deadlines.append([deadline_interval(d["kind"], d.get("start"), d.get("end")) for d in dls])
            years.update(y for d in dls if (y := fiscal_year_of(d)) is not None)
        # a year counts the hits the from/to filter of that fiscal year keeps (any overlap)
        for y in sorted(years):
            lo, hi = f"{y}-04-01", f"{y + 1}-03-31"
            n = sum(1 for ivs in hit_deadlines if any(overlaps(iv, lo, hi) for iv in ivs))
            if n:
                counts["fy"][str(y)] = {"value": str(y), "label": str(y), "count": n}
        return {g: sorted(c.values(), key=lambda x: (-x["count"], x["label"])) for g, c in counts.items()}

    def _df_of(self, terms: list[int]) -> tuple[dict[int, int], int]:
        """Document frequencies (up to DF_CAP) of term ids, by one sparse lookup per term,
        remembered until the index changes; and the index's size."""
        from policygraph.indexes.sparse import SparseVec

        cat = self.svc.catalog
        with self._cache:
            if self._df[0] is not cat:  # the index changed: terms may have come or gone
                self._df = (cat, {}, self.svc.index.count())
            _, df, n = self._df
            todo = [i for i in terms if i not in df]
        for i in todo:
            df[i] = len(self.svc.index.search(None, SparseVec((i,), (1.0,)), limit=DF_CAP, filter=None,
                                              mode="sparse"))
        return df, n

    def coverage(self, q: str) -> float:
        """IDF-weighted share of the query's content words that the index knows: a word
        counts when it, or a word of its Sudachi synonym group (落とし物 → 遺失物), occurs
        in some passage; half when only all its parts do.  BM25's IDF,
        log(1 + (N - df + 0.5) / (df + 0.5)): a word no passage has weighs most."""
        from policygraph.indexes.sparse import term_index

        words = self.svc.sparse.words(q)
        if not words:
            return 0.0
        ids = [term_index(t) for w in words for t in (w[0], *w[1], *w[2])]
        df, n = self._df_of(ids)
        total = known = 0.0
        for term, parts, groups in words:
            d = df[term_index(term)]
            w = _idf(d, n)
            total += w
            if d or any(df[term_index(g)] for g in groups):
                known += w
            elif parts and all(df[term_index(p)] for p in parts):
                known += w / 2
        return known / total if total else 0.0

    def _weight(self, form: str) -> float:
        """How much a query word weighs in choosing a hit's best unit: its IDF where the
        no-match check counted it, else 1."""
        from policygraph.indexes.sparse import term_index

        _, df, n = self._df
        i = term_index(form)
        return _idf(df[i], n) if i in df else 1.0

    def _no_good_match(self, q: str, gap: float, named: list[str], hits: list[Any]) -> bool:
        if not hits:
            return True
        if named or gap >= GAP_SURE:
            return False
        return self.coverage(q) + GAP_WEIGHT * (gap - GAP_SURE) < NO_MATCH_BELOW

    def _hit(self, rank: int, score: float, h: Any, qw: QueryWords) -> dict[str, Any]:
        """A passage hit; its text (and start) include the passage's lead-in, ``lead``
        characters of context from the passage before; ``highlights`` and ``best`` are
        file offsets (see :mod:`policygraph.service.answer`)."""
        p = h.payload
        lead = p.get("lead", "")
        text = lead + p["text"]
        start = p["start"] - len(lead)
        marks = highlights(self.svc.sparse, text, qw)
        bs, be = best_unit(text, marks, self._weight, skip=len(lead), heading=p.get("heading", ""))
        cat = self.svc.catalog
        doc_iri = self.svc.iris.doc(p["doc"])
        ents = [cat.entity_ref(cat.by_key[k]) for k in p.get("entities", []) if k in cat.by_key]
        return {
            "rank": rank,
            "score": round(float(score), 6),
            "text": text,
            "lead": len(lead),
            "document": cat.doc_ref(doc_iri),
            "section": list(p.get("section", [])),
            "start": start,
            "end": p["end"],
            "highlights": [[start + a, start + b] for a, b in marks],
            "best": {"start": start + bs, "end": start + be},
            "heading": p.get("heading", ""),
            **({"page": p["page"], "end_page": p.get("end_page", p["page"])} if p.get("page") is not None else {}),
            "entities": [e for e in ents if e],
            "deadlines": self.passage_deadlines().get(self.svc.iris.passage(h.id), []),
        }


def _idf(df: int, n: int) -> float:
    """BM25's IDF of a term in ``df`` of ``n`` passages (``df`` counted up to DF_CAP)."""
    return math.log(1 + (max(n, df) - df + 0.5) / (df + 0.5))


def _specific_weight(by_entity: list[Any], named: list[str]) -> Callable[[Any], float]:
    """A candidate's vote in the list of the named entities' passages: ENTITY_SPECIFIC / the
    passages of the most specific named entity it mentions (counted in that list, so up to
    POOL and within the query's filters), at most 1.  A specific entity named beside a
    broad one keeps its full vote."""
    counts = {k: sum(1 for h in by_entity if k in h.payload.get("entities", ())) for k in named}

    def weight(h: Any) -> float:
        mine = [counts[k] for k in named if counts[k] and k in h.payload.get("entities", ())]
        return min(1.0, ENTITY_SPECIFIC / min(mine)) if mine else 1.0

    return weight


def _ties_by_id(hits: list[Any]) -> list[Any]:
    """A ranked list with equal scores in the order of their ids.  Qdrant returns ties
    (frequent in its own hybrid fusion, which scores by rank) in an order that varies from
    process to process; fused, they moved a blind-tune question's answer between ranks 1
    and 2 from one run to the next."""
    return sorted(hits, key=lambda h: (-round(h.score, 9), h.id))


def _rrf(lists: list[list[Any]], tail: list[list[Any]] | None = None,
         weights: dict[int, Callable[[Any], float]] | None = None) -> list[tuple[float, Any]]:
    """Reciprocal-rank fusion of ``lists``, a candidate's vote in list n weighted by
    ``weights[n](candidate)`` (1 when not given); then the candidates only ``tail`` (the same
    lists read deeper) holds, in the order of their best rank there, scored below the last
    fused one."""
    scores: dict[str, float] = {}
    best: dict[str, Any] = {}
    for n, lst in enumerate(lists):
        w = (weights or {}).get(n)
        for rank, h in enumerate(lst):
            scores[h.id] = scores.get(h.id, 0.0) + (w(h) if w else 1.0) / (RRF_K + rank + 1)
            best.setdefault(h.id, h)
    # ties (the same fused score) by id: the order must not depend on the order in which
    # Qdrant returned equal scores, which varies with its state (measured: one dev query's
    # top two swapped after other searches)
    order = sorted(scores, key=lambda i: (-round(scores[i], 12), i))
    out = [(scores[i], best[i]) for i in order]
    rest: dict[str, tuple[int, Any]] = {}
    for lst in tail or []:
        for rank, h in enumerate(lst):
            if h.id not in scores and (h.id not in rest or rank < rest[h.id][0]):
                rest[h.id] = (rank, h)
    last = out[-1][0] if out else 1.0
    for _, (rank, h) in sorted(rest.items(), key=lambda kv: kv[1][0]):
        last = min(last, 1.0 / (RRF_K + rank + 1) / max(len(tail or []), 1))  # shown scores fall with rank
        out.append((last, h))
    return out


def _above_floor(dense: list[Any], sparse: list[Any], constrained: list[Any], top_dense: float,
                 top_sparse: float) -> set[str]:
    """Ids of the candidates above the relevance floor (see POOL), measured from the best
    scores of the unfiltered query."""
    ids = {h.id for h in constrained}
    cut = max(DENSE_MIN, top_dense - DENSE_BAND)
    ids.update(h.id for h in dense if h.score >= cut)
    cut = top_sparse * SPARSE_SHARE
    ids.update(h.id for h in sparse if h.score >= cut)
    return ids
