"""Lexical sparse vectors over Sudachi tokens, for BM25-style scoring in Qdrant.

Qdrant multiplies by the IDF itself (``Modifier.IDF`` on the ``lexical`` sparse
vector), so a document vector carries the BM25 term-frequency part only::

    w(t, d) = tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(d) / avgdl))

with ``k1 = 1.2``, ``b = 0.75`` and a fixed ``avgdl`` (a constant, not the corpus
mean, so that vectors already stored stay valid when documents are added).  A query
vector has weight 1.0 per distinct term, so a document's score is
``sum(idf(t) * w(t, d))`` over the query terms: BM25.

Tokens: SudachiPy with ``sudachidict_core``; split mode C, and for every compound
its mode-A parts as well (国土交通省 → 国土交通省, 国土, 交通, 省), so both the compound
and its parts can match.  Each token is its ``normalized_form()`` (取締り/取締 →
取り締まり, ＡＩ → AI), lowercased.  Particles, auxiliaries, punctuation, symbols
and whitespace (POS 助詞, 助動詞, 補助記号, 記号, 空白) are dropped, and so are the
light words tagged 非自立可能 (する, できる, なる, いく, こと, もの …): they occur in nearly
every passage, and a lexical list full of passages matching only 「する」 adds noise to the
rank fusion.

Term → dimension: the first 4 bytes of BLAKE2b of the UTF-8 term, masked to 31
bits: stable across processes and machines (Python's ``hash()`` is not).  Two terms
that collide share a dimension (and their frequencies add up).

Sudachi refuses inputs over 49,149 bytes: longer texts are cut into chunks at line
or sentence ends.  A Sudachi tokenizer must not be used by two threads at once, so
each thread gets its own (the dictionary is shared).
"""

from __future__ import annotations

import hashlib
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from policygraph.core.radicals import unify_radicals

K1 = 1.2
B = 0.75
AVGDL = 120.0
MAX_CHUNK_BYTES = 40_000  # Sudachi's limit is 49,149 bytes
SYN_PREFIX = "syn:"  # a synonym group feature; no Sudachi normalized form starts with it
SYN_WEIGHT = 0.5  # a synonym counts half a word of the query itself (bench/retrieval.py: 0.3, 0.5, 1.0 tried)
DROP_POS = frozenset({"助詞", "助動詞", "補助記号", "記号", "空白"})
DROP_POS_DETAIL = frozenset({"非自立可能"})


@dataclass(frozen=True)
class SparseVec:
    """A sparse vector: strictly increasing ``indices`` (31-bit) and their ``values``."""

    indices: tuple[int, ...]
    values: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.indices) != len(self.values):
            raise ValueError("indices and values differ in length")

    def __len__(self) -> int:
        return len(self.indices)

    def as_dict(self) -> dict[int, float]:
        return dict(zip(self.indices, self.values, strict=True))

    @classmethod
    def from_dict(cls, weights: dict[int, float]) -> SparseVec:
        keys = sorted(weights)
        return cls(tuple(keys), tuple(float(weights[k]) for k in keys))


def term_index(term: str) -> int:
    """
    >>> term_index("取り締まり") == term_index("取り締まり") and 0 <= term_index("x") < 2**31
    True
    """
    digest = hashlib.blake2b(term.encode("utf-8"), digest_size=4).digest()
    return int.from_bytes(digest, "big") & 0x7FFFFFFF


def bm25_tf(tf: float, doc_len: float, avgdl: float = AVGDL, k1: float = K1, b: float = B) -> float:
    """
    >>> round(bm25_tf(1, 120), 4)
    1.0
    """
    return tf * (k1 + 1) / (tf + k1 * (1 - b + b * doc_len / avgdl))


def chunks(text: str, max_bytes: int = MAX_CHUNK_BYTES) -> Iterator[str]:
    """Pieces of ``text`` of at most ``max_bytes`` UTF-8 bytes, cut after a newline or 。 when possible.

    >>> list(chunks("ab。cd。ef", max_bytes=7))
    ['ab。', 'cd。ef']
    """
    if len(text.encode("utf-8")) <= max_bytes:
        if text:
            yield text
        return
    start = 0
    size = 0  # bytes of text[start:i]
    cut = -1  # index just after the last newline or 。 in text[start:i]
    for i, ch in enumerate(text):
        width = len(ch.encode("utf-8"))
        while size + width > max_bytes:
            end = cut if cut > start else i
            yield text[start:end]
            size -= len(text[start:end].encode("utf-8"))
            start, cut = end, -1
        size += width
        if ch in "\n。":
            cut = i + 1
    if start < len(text):
        yield text[start:]


class SparseEncoder:
    """Sudachi tokens → BM25-weighted sparse vectors (see the module docstring)."""

    def __init__(self, *, avgdl: float = AVGDL, k1: float = K1, b: float = B, dictionary: str = "core",
                 synonyms: bool = True, syn_weight: float = SYN_WEIGHT) -> None:
        if avgdl <= 0:
            raise ValueError("avgdl must be positive")
        self.avgdl = avgdl
        self.k1 = k1
        self.b = b
        self.synonyms = synonyms
        self.syn_weight = syn_weight
        self._dict_name = dictionary
        self._dictionary: Any = None
        self._dict_lock = threading.Lock()
        self._local = threading.local()

    # ---- tokens -------------------------------------------------------------------------
    def _tokenizer(self) -> Any:
        tok = getattr(self._local, "tokenizer", None)
        if tok is None:
            from sudachipy import Dictionary, SplitMode

            with self._dict_lock:
                if self._dictionary is None:
                    self._dictionary = Dictionary(dict=self._dict_name)
                tok = self._dictionary.create(SplitMode.C)
            self._local.tokenizer = tok
            self._local.mode_a = SplitMode.A
        return tok

    def tokens(self, text: str) -> list[str]:
        """Content tokens of ``text``: mode-C units plus the mode-A parts of compounds.

        >>> enc = SparseEncoder()
        >>> enc.tokens("国土交通省の取締りを強化する。")
        ['国土交通省', '国土', '交通', '省', '取り締まり', '強化']
        """
        return self.features(text)[0]

    def features(self, text: str) -> tuple[list[str], list[str]]:
        """(terms, synonym groups): :meth:`tokens`, and for every content token the
        synonym groups Sudachi's dictionary puts it in, as ``syn:N`` features.

        >>> enc = SparseEncoder()
        >>> enc.features("お年寄り")[0], enc.features("高齢者")[0]
        (['御', '年寄り'], ['高齢者', '高齢', '者'])
        >>> bool(set(enc.features("お年寄り")[1]) & set(enc.features("高齢者")[1]))
        True
        """
        terms: list[str] = []
        groups: list[str] = []
        for m, term, _ in self.morphemes(text):
            terms.append(term)
            own = set(m.synonym_group_ids()) if self.synonyms else set()
            for sub, p in self.parts(m):
                terms.append(sub)
                if self.synonyms:
                    own.update(p.synonym_group_ids())
            groups.extend(f"{SYN_PREFIX}{g}" for g in sorted(own))
        return terms, groups

    def words(self, text: str) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
        """The content words of ``text``, each as (term, its mode-A part terms, its synonym
        group features): what :meth:`features` flattens, kept per word.

        >>> SparseEncoder().words("落とし物")[0][0]
        '落とし物'
        """
        return [(term, tuple(t for t, _ in self.parts(m)),
                 tuple(f"{SYN_PREFIX}{g}" for g in sorted(set(m.synonym_group_ids()))))
                for m, term, _ in self.morphemes(text)]

    def morphemes(self, text: str) -> Iterator[tuple[Any, str, int]]:
        """The content morphemes of ``text`` (split mode C; particles, symbols and light
        words dropped), each with its term and the offset in ``text`` of the chunk its
        ``begin()``/``end()`` count from: the one walk every feature is read from."""
        tok = self._tokenizer()
        base = 0
        for piece in chunks(unify_radicals(text)):  # (官⺠ is 官民; same length, offsets hold)
            for m in tok.tokenize(piece):
                if _dropped(m.part_of_speech()):
                    continue
                term = _term(m.normalized_form())
                if term:
                    yield m, term, base
            base += len(piece)

    def parts(self, m: Any) -> list[tuple[str, Any]]:
        """(term, morpheme) of the mode-A parts of a compound morpheme ([] for a simple one)."""
        split = m.split(self._local.mode_a)
        if len(split) < 2:
            return []
        return [(t, p) for p in split if not _dropped(p.part_of_speech()) and (t := _term(p.normalized_form()))]

    # ---- vectors ------------------------------------------------------------------------
    def encode_document(self, text: str) -> SparseVec:
        terms, groups = self.features(text)
        doc_len = len(terms)
        tf: Counter[int] = Counter(term_index(t) for t in terms + groups)
        return SparseVec.from_dict(
            {i: bm25_tf(c, doc_len, self.avgdl, self.k1, self.b) for i, c in tf.items()}
        )

    def encode_documents(self, texts: Sequence[str]) -> list[SparseVec]:
        return [self.encode_document(t) for t in texts]

    def encode_query(self, text: str, synonyms: bool = True) -> SparseVec:
        """Weight 1.0 per distinct term, ``syn_weight`` per distinct synonym group
        (none with ``synonyms=False``: the query's own words only)."""
        full, words = self.encode_query_and_words(text)
        return full if synonyms else words

    def encode_query_and_words(self, text: str) -> tuple[SparseVec, SparseVec]:
        """:meth:`encode_query` with and without the synonym groups, from one tokenisation."""
        terms, groups = self.features(text)
        words = {term_index(t): 1.0 for t in terms}
        full = {term_index(g): self.syn_weight for g in groups}
        full.update(words)  # a word that is also a group id keeps its own weight
        return SparseVec.from_dict(full), SparseVec.from_dict(words)


def _dropped(pos: Sequence[str]) -> bool:
    return pos[0] in DROP_POS or (len(pos) > 1 and pos[1] in DROP_POS_DETAIL)


def _term(form: str) -> str:
    """Lowercased; empty when the token is only punctuation, symbols or spaces."""
    form = form.strip().lower()
    if not form or all(unicodedata.category(c)[0] in "PSZC" for c in form):
        return ""
    return form
