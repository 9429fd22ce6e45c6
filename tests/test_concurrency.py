"""Searches keep answering while a new version of a document is ingested, and every
answer is wholly the old version or wholly the new one — never a mix, never an error —
until the new version is complete; then only the new one.  Real components throughout
(GiNZA, the embedder, Qdrant Edge, Oxigraph)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from api.service import Service
from core.settings import Settings

pytestmark = pytest.mark.slow

V1 = """情報システム更新計画について（通達）

1 趣旨
警察庁は、令和8年度中に旧来の運転者管理システムを更新する。
都道府県警察は、旧システムの利用状況を毎月報告する。

2 留意事項
(1) 旧システムの停止は段階的に行う。
(2) 旧システムの記録は五年間保存する。
"""

V2 = """情報システム更新計画について（通達）

1 趣旨
警察庁は、令和9年度中に運転者管理システムを警察共通基盤へ移行する。
都道府県警察は、新システムへの移行計画を速やかに提出する。

2 留意事項
(1) 新システムの運用は令和10年4月1日に開始する。
(2) 移行後のシステム監査を毎年行う。
(3) 職員への研修を継続的に実施する。
""" + "".join(  # long enough that many searches run while it is parsed, embedded and written
    f"\n{n} 移行作業 その{n}\n(1) 都道府県警察は、第{n}段階の移行作業を令和{8 + n % 3}年度中に完了する。\n"
    f"(2) 警察庁は、第{n}段階の移行結果を検証し、必要な改修を行う。\n" for n in range(3, 60))


def test_searches_answer_during_an_ingest_with_one_version_at_a_time(tmp_path: Path) -> None:
    svc = Service(Settings(data=tmp_path / "data", ginza_processes=1))
    docs = tmp_path / "in"
    docs.mkdir()
    f = docs / "system_plan.txt"
    f.write_text(V1, encoding="utf-8")
    try:
        [r1] = svc.ingest_paths([f])
        assert r1["status"] == "added"
        query = "運転者管理システムの更新と移行"
        first = svc.search(query)["hits"]
        assert first and all(V1[h["start"]:h["end"]] == h["text"] for h in first)

        f.write_text(V2, encoding="utf-8")
        result: dict[str, object] = {}

        def ingest() -> None:
            try:
                result["r"] = svc.ingest_paths([f])
            except Exception as e:  # noqa: BLE001 - reported by the main thread
                result["error"] = e

        t = threading.Thread(target=ingest)
        t.start()
        seen: list[str] = []
        errors: list[Exception] = []
        while t.is_alive():
            try:
                hits = svc.search(query)["hits"]
            except Exception as e:  # noqa: BLE001 - any error fails the test below
                errors.append(e)
                continue
            kinds = set()
            for h in hits:
                old = V1[h["start"]:h["end"]] == h["text"]
                new = V2[h["start"]:h["end"]] == h["text"]
                assert old or new, h
                kinds.add("old" if old and not new else "new" if new and not old else "either")
            kinds.discard("either")
            assert len(kinds) <= 1, f"one answer mixes versions: {hits}"
            seen.append(kinds.pop() if kinds else "either")
            time.sleep(0.01)
        t.join()
        assert "error" not in result, result.get("error")
        assert not errors, errors[:3]
        assert seen, "no search ran during the ingest"
        print(f"searches during the ingest: {len(seen)} ({seen.count('old')} old, {seen.count('new')} new)")
        # old answers can only come before new ones
        assert "old" not in seen[seen.index("new"):] if "new" in seen else True, seen
        assert [r["status"] for r in result["r"]] == ["replaced"]  # type: ignore[index]
        after = svc.search(query)["hits"]
        assert after and all(V2[h["start"]:h["end"]] == h["text"] for h in after)
        assert svc.check(repair=False)["ok"]
    finally:
        svc.close()
