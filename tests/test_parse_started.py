"""``nlp.parse(..., started=...)``: called once, when the first text is back parsed, by
which time a parallel parse has forked its workers (the write pipeline loads the embedder
in a thread from there, beside the parse: a thread must not be running while a process
forks).  Real GiNZA, in two processes and in one."""

from __future__ import annotations

import multiprocessing
from typing import Any

from policygraph.ingest.extract.nlp import parse

TEXTS = [f"警察庁は、令和{n}年度中に調査結果を取りまとめる。" for n in range(1, 9)]


def test_started_comes_once_after_the_workers_are_forked(service: Any) -> None:
    calls: list[int] = []
    docs = parse(service.analyzer.nlp, TEXTS, processes=2, started=lambda: calls.append(
        len(multiprocessing.active_children())))
    assert len(docs) == len(TEXTS) and docs[3].text == TEXTS[3]
    assert len(calls) == 1 and calls[0] >= 2  # both parse workers were alive when it came


def test_started_in_one_process_and_not_for_nothing(service: Any) -> None:
    calls: list[str] = []
    docs = parse(service.analyzer.nlp, TEXTS[:2], started=lambda: calls.append("started"))
    assert [d.text for d in docs] == TEXTS[:2] and calls == ["started"]
    assert parse(service.analyzer.nlp, [], started=lambda: calls.append("again")) == [] and calls == ["started"]
