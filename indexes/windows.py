"""A long passage's tail as windows of sentences, each embedded as a vector of its own.

The embedding model reads 512 tokens; a passage past them (a statute's long article, a
plan's section with its list) was embedded from its beginning only, so a question
answered near its end never reached it by the dense list.  Each such passage also gets
one vector per window of its later sentences (the title and heading first, then
sentences up to :data:`WINDOW_TOKENS` tokens), kept in the index's ``tails`` field (a
multi-vector field: Qdrant's MAX_SIM gives a query's cosine with the nearest window).  A
dense search (``mode="dense"``) asks ``dense`` and ``tails`` at once and scores each
passage by the better of the two (:func:`indexes.base.best_of`); the hybrid prefetch,
which fuses inside Qdrant, asks ``dense`` alone.  The passage's own vector covers its
first 512 tokens, so the first window is not embedded again.

Measured on the blind tune set (docs/retrieval.md, stops 29 and 30): windows of about
400 tokens did best (256 and 480 less well); dev and held-out unchanged.  Scoring every
dense search by the best vector, the filtered hybrid ones included (one multi-vector
``dense`` field), did less well on the deadline questions (MRR@10 0.771 against 0.802);
averaging a passage's windows into one vector lost on held-out (stop 28).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

WINDOW_TOKENS = 400  # a window: the title and heading, then sentences up to this many tokens
_SENTENCE_END = re.compile(r"(?<=[。\n])")


def sentences(text: str) -> list[str]:
    """``text`` cut after every 。 and line break, nothing dropped.

    >>> sentences("一。二\\n三")
    ['一。', '二\\n', '三']
    """
    return [s for s in _SENTENCE_END.split(text) if s]


def pack(lengths: Sequence[int], budget: int) -> list[tuple[int, int]]:
    """Consecutive runs ``[i, j)`` of items whose lengths sum to at most ``budget``, in
    order and covering every item; an item longer than the budget is a run of its own.

    >>> pack([3, 3, 3, 9, 1], 6)
    [(0, 2), (2, 3), (3, 4), (4, 5)]
    """
    runs: list[tuple[int, int]] = []
    start, used = 0, 0
    for i, n in enumerate(lengths):
        if i > start and used + n > budget:
            runs.append((start, i))
            start, used = i, 0
        used += n
    if start < len(lengths):
        runs.append((start, len(lengths)))
    return runs


def cut_long(parts: list[str], lengths: list[int], budget: int) -> tuple[list[str], list[int]]:
    """Each part longer than ``budget`` (a table row, a list with no 。) cut into equal
    runs of characters that fit it, their lengths estimated pro rata.

    >>> cut_long(["ab", "cdefgh"], [2, 6], 3)
    (['ab', 'cde', 'fgh'], [2, 3, 3])
    """
    out, lens = [], []
    for part, n in zip(parts, lengths, strict=True):
        pieces = -(-n // budget)  # ceil
        if pieces <= 1 or len(part) < 2:
            out.append(part)
            lens.append(n)
            continue
        size = -(-len(part) // pieces)
        for i in range(0, len(part), size):
            out.append(part[i : i + size])
            lens.append(-(-n * len(out[-1]) // len(part)))
    return out, lens


def tail_windows(head: str, text: str, count: Callable[[list[str]], list[int]],
                 window: int = WINDOW_TOKENS) -> list[str]:
    """The texts to embed for ``text``'s tail: ``head`` (title and heading) and each window
    of its sentences after the first, as :func:`pack` cuts them at ``window`` tokens
    (``count`` gives each text's tokens; a sentence longer than a window is cut, see
    :func:`cut_long`).  Empty when the text fits one window."""
    parts = sentences(text)
    if not parts:
        return []
    head_tokens, *lengths = count([head, *parts]) if head else [0, *count(parts)]
    budget = max(1, window - head_tokens - (1 if head else 0))  # (the line break after the head)
    parts, lengths = cut_long(parts, lengths, budget)
    runs = pack(lengths, budget)
    return ["\n".join(p for p in (head, "".join(parts[i:j])) if p) for i, j in runs[1:]]
