"""Records, the :class:`VectorIndex` protocol, and what both Qdrant backends share.

One point per passage.  Its id is the passage id (16 hex characters) placed in a
fixed UUID namespace, so it converts both ways without a lookup.  Named vectors:
``dense`` (cosine), ``tails`` (a passage past the model's 512 tokens: one vector per
window of its tail, :mod:`indexes.windows`; a multi-vector field scored by MAX_SIM; a
store made before stop 30 lacks it and is searched by ``dense`` alone until
``policygraph reindex``) and ``lexical`` (sparse, IDF modifier).  Payload keys: doc, source,
version, section, start, end, text, heading, entities, agencies, systems, and
deadlines: one object ``{"from", "to"}`` (ISO dates, :func:`core.records.deadline_interval`)
per deadline of the passage, so a date window is matched against each deadline whole,
never a start of one with the end of another; and ``due_from`` / ``due_to``, the first
start and last end of those deadlines (a passage without one has neither).  A window is
looked up on the flat pair, which every passage with an overlapping deadline matches
(Qdrant Edge narrows an indexed range fast, and checks a ``nested`` condition point by
point), and then checked deadline by deadline on the returned payloads
(:func:`window_search`); a store whose points lack the pair (made before stop 31) is
filtered by a ``nested`` condition as before, until ``policygraph reindex``.
"""

from __future__ import annotations

import datetime as _dt
import logging
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np
from numpy.typing import NDArray

from policygraph.core.errors import BadInput, StoreLocked, VectorIndexError
from policygraph.indexes.sparse import SparseVec

DENSE = "dense"
LEXICAL = "lexical"
TAILS = "tails"  # a long passage's tail windows (indexes/windows.py), multi-vector, MAX_SIM
RRF_K = 2  # Qdrant's default RRF constant: score = sum 1 / (k + rank0)
PREFETCH_FACTOR = 4  # each hybrid prefetch fetches limit * 4 candidates
KEYWORD_FIELDS = ("doc", "entities", "agencies", "systems", "actors")
DEADLINES = "deadlines"
DUE_FROM, DUE_TO = "due_from", "due_to"  # the first start and last end of a passage's deadlines
DATETIME_FIELDS = (f"{DEADLINES}[].from", f"{DEADLINES}[].to", DUE_FROM, DUE_TO)
PAGE = 1000  # scroll page size

SearchMode = Literal["hybrid", "dense", "sparse"]
MODES: tuple[SearchMode, ...] = ("hybrid", "dense", "sparse")

_ID_RE = re.compile(r"[0-9a-f]{16}")
_ID_PREFIX = "706f6c6963796772"  # "policygr": the high 64 bits of every point id


class IndexLocked(VectorIndexError, StoreLocked):
    """The index directory is held by another process (or another open handle)."""

    status = 503
    title = "Data directory in use"


@dataclass(frozen=True)
class IndexItem:
    id: str  # passage id, 16 hex characters
    dense: NDArray[np.float32]
    sparse: SparseVec
    payload: dict[str, Any]
    # (k, dim): the vectors of a long passage's tail windows (indexes/windows.py); a dense
    # search scores the passage by the best of these and ``dense``.  None: none
    tails: NDArray[np.float32] | None = None


@dataclass(frozen=True)
class IndexHit:
    id: str  # passage id
    score: float
    payload: dict[str, Any]
    dense_rank: int | None = None  # 1-based rank in the dense list (hybrid: its prefetch)
    sparse_rank: int | None = None  # 1-based rank in the lexical list


@dataclass(frozen=True)
class IndexFilter:
    """Payload filter: every non-empty list must match one of its values (any-of);
    ``date_from``/``date_to`` keep passages with a deadline overlapping the range."""

    docs: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    systems: list[str] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)  # an agency acting in a measure of the passage
    date_from: str | None = None
    date_to: str | None = None

    def __post_init__(self) -> None:
        for name in ("date_from", "date_to"):
            value = getattr(self, name)
            if value is not None and not _is_iso_date(value):
                raise BadInput(f"{name} must be an ISO date (YYYY-MM-DD), got {value!r}")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise BadInput(f"date_from {self.date_from} is after date_to {self.date_to}")

    def is_empty(self) -> bool:
        return not (self.docs or self.agencies or self.systems or self.entities or self.actors
                    or self.date_from or self.date_to)

    def lists(self) -> list[tuple[str, list[str]]]:
        """(payload key, values) for the non-empty any-of conditions."""
        pairs = [("doc", self.docs), ("agencies", self.agencies), ("systems", self.systems),
                 ("entities", self.entities), ("actors", self.actors)]
        return [(k, list(v)) for k, v in pairs if v]


class VectorIndex(Protocol):
    """What the service needs from a vector index (Qdrant Edge or qdrant-client)."""

    def exists(self) -> bool:
        """True once the collection (or shard) has been created."""
        ...

    def ensure_collection(self, dim: int) -> None: ...

    def upsert(self, items: list[IndexItem]) -> None: ...

    def delete_doc(self, doc_id: str) -> None: ...

    def delete_versions(self, doc_id: str, versions: Iterable[str]) -> None: ...

    def delete_ids(self, ids: Iterable[str]) -> None: ...

    def count(self, doc_id: str | None = None) -> int: ...

    def ids_for_doc(self, doc_id: str) -> set[str]: ...

    def all_doc_versions(self) -> dict[str, set[str]]: ...

    def point_versions(self) -> dict[str, tuple[str, str]]: ...

    def search(
        self,
        dense: NDArray[np.float32] | None,
        sparse: SparseVec | None,
        *,
        limit: int,
        filter: IndexFilter | None = None,
        mode: SearchMode = "hybrid",
    ) -> list[IndexHit]:
        """Best ``limit`` passages.

        ``dense``: cosine scores.  ``sparse``: BM25 (Qdrant IDF × our tf weights).
        ``hybrid``: a dense and a sparse prefetch of ``limit * 4`` each, fused by RRF
        (score = sum of 1 / (2 + rank - 1)), with ``dense_rank``/``sparse_rank`` telling
        where each hit stood in either list.  When only one of the two query vectors is
        usable (an empty sparse vector: a query of particles only) hybrid is that list alone.
        """
        ...

    def flush(self) -> None: ...

    def drop(self) -> None: ...

    def close(self) -> None: ...


# ---- helpers shared by the backends ----------------------------------------------------
def point_id(passage_id: str) -> str:
    """
    >>> point_id("0123456789abcdef")
    '706f6c69-6379-6772-0123-456789abcdef'
    """
    pid = passage_id.lower()
    if not _ID_RE.fullmatch(pid):
        raise VectorIndexError(f"passage id must be 16 hex characters, got {passage_id!r}")
    return str(uuid.UUID(hex=_ID_PREFIX + pid))


def passage_id(point: Any) -> str:
    """
    >>> passage_id("706f6c69-6379-6772-0123-456789abcdef")
    '0123456789abcdef'
    """
    h = point.hex if isinstance(point, uuid.UUID) else uuid.UUID(str(point)).hex
    if not h.startswith(_ID_PREFIX):
        raise VectorIndexError(f"point {point} was not written by policygraph")
    return h[len(_ID_PREFIX):]


def dense_list(vec: NDArray[Any], dim: int | None) -> list[float]:
    arr = np.asarray(vec, dtype=np.float32).reshape(-1)
    if dim is not None and arr.shape[0] != dim:
        raise VectorIndexError(f"dense vector has {arr.shape[0]} dimensions, the index {dim}")
    if not np.all(np.isfinite(arr)):
        raise VectorIndexError("dense vector has NaN or infinite values")
    return [float(x) for x in arr]


def tail_vectors(item: IndexItem, dim: int | None) -> list[list[float]] | None:
    """The item's tail vectors for the ``tails`` multi-vector field; None without any."""
    if item.tails is None or len(item.tails) == 0:
        return None
    return [dense_list(v, dim) for v in np.asarray(item.tails, dtype=np.float32).reshape(len(item.tails), -1)]


def stored_tails(vectors_config: Any) -> bool:
    """Whether a stored vector configuration (``edge_config.json``'s ``vectors``, or a
    collection's as qdrant-client gives it) has the ``tails`` field."""
    return isinstance(vectors_config, dict) and TAILS in vectors_config


def best_of(dense: list[Any], tails: list[Any], limit: int) -> list[tuple[Any, float]]:
    """The dense list and the tails list of one query merged: each point once, scored by
    the better of its two scores (a long passage by its best vector), best first, ties in
    the dense list's order.  A point missing from a list scored at most that list's last."""
    best: dict[Any, tuple[Any, float, int]] = {}
    for order, p in enumerate([*dense, *tails]):
        have = best.get(p.id)
        if have is None:
            best[p.id] = (p, float(p.score), order)
        elif float(p.score) > have[1]:
            best[p.id] = (have[0], float(p.score), have[2])
    ranked = sorted(best.values(), key=lambda t: (-t[1], t[2]))
    return [(p, score) for p, score, _ in ranked[:limit]]


def due_span(deadlines: list[dict[str, str]]) -> dict[str, str]:
    """The flat ``due_from`` / ``due_to`` payload pair of a passage's deadline objects: a
    window that overlaps one of them overlaps this span too (empty without deadlines).

    >>> due_span([{"from": "2026-04-01", "to": "2027-03-31"}, {"from": "2024-03-31", "to": "2024-03-31"}])
    {'due_from': '2024-03-31', 'due_to': '2027-03-31'}
    """
    if not deadlines:
        return {}
    return {DUE_FROM: min(d["from"] for d in deadlines), DUE_TO: max(d["to"] for d in deadlines)}


def in_window(payload: dict[str, Any] | None, date_from: str | None, date_to: str | None) -> bool:
    """Whether one deadline of the passage overlaps the window [date_from, date_to] (ISO
    dates; an open side is unbounded): the exact test the flat pair narrows down to.

    >>> p = {"deadlines": [{"from": "2024-04-01", "to": "2025-03-31"}, {"from": "2028-04-01", "to": "2029-03-31"}]}
    >>> in_window(p, "2026-04-01", "2027-03-31"), in_window(p, "2028-01-01", None)
    (False, True)
    """
    for d in (payload or {}).get(DEADLINES) or ():
        lo, hi = str(d.get("from", ""))[:10], str(d.get("to", ""))[:10]
        if (date_to is None or lo <= date_to) and (date_from is None or hi >= date_from):
            return True
    return False


def window_search(query: Any, want: int, date_from: str | None, date_to: str | None) -> list[Any]:
    """The first ``want`` points of a search whose filter keeps a date window by the flat
    ``due_from`` / ``due_to`` pair (a superset), checked deadline by deadline: ``query(k)``
    returns the first k points of that search with their payloads.  It asks for twice
    ``want`` and, while too few pass and more exist, four times as many again, so the
    result is exactly what the same search with a ``nested`` filter returns."""
    k = max(2 * want, 16)
    while True:
        points = query(k)
        kept = [p for p in points if in_window(p.payload, date_from, date_to)]
        if len(kept) >= want or len(points) < k:
            return kept[:want]
        k *= 4


def window_hits(first: Callable[[Any, int], list[Any]], f: IndexFilter, dense: Any, sparse: Any, tails: Any,
                limit: int, hit: Callable[[Any, int | None, int | None, float | None], IndexHit]) -> list[IndexHit]:
    """The hits of a search with a date window, from its lists as each backend asks for
    them (``first(query, k)``: the first k points of one query, filtered by the flat due
    pair, with payloads; a query None is not asked), each checked by :func:`window_search`
    and put together as a search puts Qdrant's: hybrid by reciprocal-rank fusion
    (:func:`rrf_of`), a dense search with ``tails`` by the better of the two
    (:func:`best_of`), else the one list.  ``hit(point, dense_rank, sparse_rank, score)``
    makes a hit (score None: the point's own)."""
    def ranked(query: Any, want: int) -> list[Any]:
        return window_search(lambda k: first(query, k), want, f.date_from, f.date_to)

    if dense is not None and sparse is not None:
        n = limit * PREFETCH_FACTOR
        d_list, s_list = ranked(dense, n), ranked(sparse, n)
        d_rank = {passage_id(p.id): i + 1 for i, p in enumerate(d_list)}
        s_rank = {passage_id(p.id): i + 1 for i, p in enumerate(s_list)}
        return [hit(p, d_rank.get(passage_id(p.id)), s_rank.get(passage_id(p.id)), score)
                for p, score in rrf_of([d_list, s_list], limit)]
    if dense is not None and tails is not None:
        best = best_of(ranked(dense, limit), ranked(tails, limit), limit)
        return [hit(p, i + 1, None, score) for i, (p, score) in enumerate(best)]
    points = ranked(dense if dense is not None else sparse, limit)
    return [hit(p, i + 1 if dense is not None else None, i + 1 if dense is None else None, None)
            for i, p in enumerate(points)]


def rrf_of(lists: list[list[Any]], limit: int) -> list[tuple[Any, float]]:
    """Qdrant's reciprocal-rank fusion of ranked point lists, done here: each point scored
    sum 1 / (RRF_K + rank0) over the lists it is in, best first (ties by first appearance)."""
    score: dict[Any, float] = {}
    first: dict[Any, tuple[int, Any]] = {}
    order = 0
    for lst in lists:
        for rank0, p in enumerate(lst):
            score[p.id] = score.get(p.id, 0.0) + 1.0 / (RRF_K + rank0)
            if p.id not in first:
                first[p.id] = (order, p)
            order += 1
    ranked = sorted(score, key=lambda i: (-score[i], first[i][0]))
    return [(first[i][1], score[i]) for i in ranked[:limit]]


_noted: set[str] = set()


def note_no_tails(where: str) -> None:
    """Say once per store, when a long passage's tail vectors are left out of it, that it
    predates them (its long passages are searched by their first 512 tokens until
    ``policygraph reindex``)."""
    if where not in _noted:
        _noted.add(where)
        logging.getLogger("policygraph.indexes").warning(
            "the vector index at %s was made before long passages had tail windows: "
            "run `policygraph reindex` to add them (it works as before meanwhile)", where)


def note_nested_window(where: str) -> None:
    """Say once per store, when a date window has to be filtered by the ``nested`` condition
    (points written before the flat due pair), that ``policygraph reindex`` makes it fast."""
    key = f"window:{where}"
    if key not in _noted:
        _noted.add(key)
        logging.getLogger("policygraph.indexes").warning(
            "the vector index at %s has passages written before stop 31, without the flat due "
            "pair: searches with a date window check every deadline point by point, which is slow "
            "on a large index; run `policygraph reindex` to speed them up (results are the same)", where)


def check_search_args(
    dense: NDArray[np.float32] | None, sparse: SparseVec | None, limit: int, mode: str
) -> tuple[bool, bool]:
    """Which lists to run: (dense, sparse).  Hybrid falls back to the one it was given."""
    if mode not in MODES:
        raise BadInput(f"mode must be one of {', '.join(MODES)}, got {mode!r}")
    if limit < 1:
        raise BadInput("limit must be >= 1")
    use_dense = dense is not None and mode in ("hybrid", "dense")
    use_sparse = sparse is not None and len(sparse) > 0 and mode in ("hybrid", "sparse")
    if mode == "dense" and dense is None:
        raise BadInput("dense search needs a dense query vector")
    if mode == "sparse" and sparse is None:
        raise BadInput("sparse search needs a sparse query vector")
    return use_dense, use_sparse


def midnight_utc(day: str) -> _dt.datetime:
    """
    >>> midnight_utc("2025-03-31").isoformat()
    '2025-03-31T00:00:00+00:00'
    """
    return _dt.datetime.combine(_dt.date.fromisoformat(day), _dt.time(), tzinfo=_dt.UTC)


def iso_midnight_utc(day: str) -> str:
    """
    >>> iso_midnight_utc("2025-03-31")
    '2025-03-31T00:00:00Z'
    """
    return midnight_utc(day).strftime("%Y-%m-%dT%H:%M:%SZ")


def doc_versions(records: Iterable[Any]) -> dict[str, set[str]]:
    """doc id → versions present, from scrolled records carrying doc/version payload."""
    out: dict[str, set[str]] = {}
    for r in records:
        p = payload_of(r.payload)
        if "doc" in p:
            out.setdefault(str(p["doc"]), set()).add(str(p.get("version", "")))
    return out


def point_versions_of(records: Iterable[Any]) -> dict[str, tuple[str, str]]:
    """passage id → (doc id, version), from scrolled records carrying doc/version payload."""
    out: dict[str, tuple[str, str]] = {}
    for r in records:
        p = payload_of(r.payload)
        out[passage_id(r.id)] = (str(p.get("doc", "")), str(p.get("version", "")))
    return out


def hit_of(p: Any, dense_rank: int | None, sparse_rank: int | None, score: float | None = None) -> IndexHit:
    """A returned point as a hit (``score``: a fused or best score, else the point's own)."""
    return IndexHit(id=passage_id(p.id), score=float(p.score if score is None else score),
                    payload=payload_of(p.payload), dense_rank=dense_rank, sparse_rank=sparse_rank)


def payload_of(payload: dict[str, Any] | None) -> dict[str, Any]:
    """A point's payload as the service reads it (the flat due pair is the index's own)."""
    if not payload:
        return {}
    return {k: v for k, v in payload.items() if k not in (DUE_FROM, DUE_TO)}


def _is_iso_date(value: str) -> bool:
    try:
        _dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return len(value) == 10
