"""同法, 同省, 同校: a mention of the entity of that kind named last, with its articles cited."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from analysed_text import analyse_text

pytestmark = pytest.mark.slow


def test_same_kind_word_mentions_the_last_named(service: Any, tmp_path: Path) -> None:
    x = analyse_text(service, tmp_path / "statute.txt",
                     "第一条　不正アクセス行為の禁止等に関する法律（平成十一年法律第百二十八号）に基づき、"
                     "総務省は指針を定める。\n"
                     "第二条　同法第三条の規定により、同省は、毎年度、報告を公表する。同法人は協力する。\n"
                     "第三条　同法施行令の定めるところにより、共同事業を行う。\n")
    by_key = {e.key: e.label for e in x.entities}
    printed = {(by_key[m.entity], x.doc.text[m.start : m.end]) for m in x.mentions}
    assert ("不正アクセス行為の禁止等に関する法律", "同法") in printed
    assert ("総務省", "同省") in printed
    # 同法人 (the same corporation) and 同法施行令 (another law) are not 同法
    assert sum(1 for _, s in printed if s == "同法") == 1
    assert [(c.law, c.article, c.surface) for c in x.citations if c.surface.startswith("同法")] == [
        ("unauthorized-access-act", "第3条", "同法第三条")]
