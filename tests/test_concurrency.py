"""Searches keep answering while a new version of a document is ingested, and every
answer is wholly the old version or wholly the new one — never a mix, never an error,
never a gap where the document has no hits — until the new version is complete; then
only the new one.  Real components throughout (GiNZA, the embedder, Qdrant Edge,
Oxigraph).

The changed document is written first in a batch with a second, longer new document,
so there is a long stretch (the second document's embedding and writes) between the
first one's swap and the end of the batch: a reader must see one whole version of the
first document all through it."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from policygraph.core.settings import Settings
from policygraph.service.service import Service

pytestmark = pytest.mark.slow

DOC = "system_plan"

HEAD = """情報システム更新計画について（通達）

1 趣旨
警察庁は、令和8年度中に運転者管理システムを更新し、警察共通基盤へ移行する。
都道府県警察は、現行システムの利用状況を毎月報告する。
"""
# the new version keeps section 1 as it was (a passage both versions share, one point)
# and changes the rest
V1 = HEAD + """
2 留意事項
(1) 旧システムの停止は段階的に行う。
(2) 旧システムの記録は五年間保存する。
"""
V2 = HEAD + """
2 留意事項
(1) 新システムの運用は令和10年4月1日に開始する。
(2) 移行後のシステム監査を毎年行う。
(3) 職員への研修を継続的に実施する。
""" + "".join(  # long enough that many searches run while it is parsed, embedded and written
    f"\n{n} 移行作業 その{n}\n(1) 都道府県警察は、第{n}段階の移行作業を令和{8 + n % 3}年度中に完了する。\n"
    f"(2) 警察庁は、第{n}段階の移行結果を検証し、必要な改修を行う。\n" for n in range(3, 40))

# a second, new document in the same batch, written after the changed one
OTHER = "交通安全施設の点検について（通達）\n" + "".join(
    f"\n{n} 点検 その{n}\n(1) 都道府県警察は、第{n}地区の信号機を令和{8 + n % 2}年度中に点検する。\n"
    f"(2) 道路管理者と連携し、第{n}地区の標識の視認性を確認する。\n" for n in range(1, 60))

QUERY = "運転者管理システムの更新と移行"


def _version(hits: list[dict[str, Any]]) -> str:
    """'old', 'new' or 'either' (text the two versions share at the same offsets);
    fails on a hit that is in neither version or an answer mixing both."""
    kinds = set()
    for h in hits:
        assert h["document"]["id"] == DOC, h
        old = V1[h["start"]:h["end"]] == h["text"]
        new = V2[h["start"]:h["end"]] == h["text"]
        assert old or new, f"a hit in neither version: {h}"
        if old != new:
            kinds.add("old" if old else "new")
    assert len(kinds) <= 1, f"one answer mixes versions: {hits}"
    return kinds.pop() if kinds else "either"


def _spans(hits: list[dict[str, Any]]) -> frozenset[tuple[int, int]]:
    return frozenset((h["start"], h["end"]) for h in hits)


def test_searches_answer_during_an_ingest_with_one_version_at_a_time(tmp_path: Path) -> None:
    svc = Service(Settings(data=tmp_path / "data", ginza_processes=1))
    docs = tmp_path / "in"
    docs.mkdir()
    f, other = docs / f"{DOC}.txt", docs / "signal_check.txt"
    f.write_text(V1, encoding="utf-8")
    other.write_text(OTHER, encoding="utf-8")
    try:
        [r1] = svc.ingest_paths([f])
        assert r1["status"] == "added" and r1["id"] == DOC
        # limit 100 with a doc filter: every passage of the version readers see
        first = svc.search(QUERY, doc=DOC, limit=100)["hits"]
        assert first and _version(first) == "old"
        old_spans = _spans(first)

        f.write_text(V2, encoding="utf-8")
        result: dict[str, Any] = {}

        def ingest() -> None:
            try:
                result["r"] = svc.ingest_paths([f, other])
            except Exception as e:  # noqa: BLE001 - reported by the main thread
                result["error"] = e

        seen: list[tuple[str, frozenset[tuple[int, int]]]] = []
        errors: list[Exception] = []
        empty = 0
        t = threading.Thread(target=ingest)
        t0 = time.monotonic()
        t.start()
        while t.is_alive():
            try:
                hits = svc.search(QUERY, doc=DOC, limit=100)["hits"]
                # unfiltered too: the other document's hits may come and go, ours never mix
                whole = [h for h in svc.search(QUERY, limit=20)["hits"] if h["document"]["id"] == DOC]
            except Exception as e:  # noqa: BLE001 - any error fails the test below
                errors.append(e)
                continue
            if not hits:
                empty += 1
                continue
            seen.append((_version(hits), _spans(hits)))
            if whole:
                _version(whole)
            time.sleep(0.02)
        t.join()
        took = time.monotonic() - t0
        assert "error" not in result, result.get("error")
        assert not errors, errors[:3]
        after = svc.search(QUERY, doc=DOC, limit=100)["hits"]
        assert after and _version(after) == "new"
        new_spans = _spans(after)
        kinds = [k for k, _ in seen]
        partial = sum(1 for _, sp in seen if sp not in (old_spans, new_spans))
        print(f"\n{len(seen) + empty} searches during a {took:.1f} s ingest: {kinds.count('old')} old, "
              f"{kinds.count('new')} new, {empty} without a hit, {partial} with part of a version "
              f"(the shared passage hidden between its re-tagging and the switch)")
        assert empty == 0, f"{empty} searches found nothing of {DOC} while its new version was written"
        assert len(seen) >= 10, "too few searches ran during the ingest"
        # old answers only ever come before new ones, and every new answer is whole
        if "new" in kinds:
            assert "old" not in kinds[kinds.index("new"):], kinds
        assert all(sp == new_spans for k, sp in seen if k == "new")
        assert [(r["id"], r["status"]) for r in result["r"]] == [(DOC, "replaced"), ("signal_check", "added")]
        assert svc.index.all_doc_versions()[DOC] == {svc.versions()[DOC]}  # the old points are gone
        assert svc.check(repair=False)["ok"]
    finally:
        svc.close()
