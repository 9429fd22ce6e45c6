"""A statute's 附則: when it and each amendment take effect.  The day is a dated milestone
(…から施行する is that day, 公布の日から施行する tied to promulgation), the provision names
no actor, an amendment's title with its number names that one amendment, and a ministry's
ordinance (厚生労働省令) is no mention of the ministry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from analysed_text import analyse_text, measure_deadline, measure_with

pytestmark = pytest.mark.slow

_STATUTE = """試験障害予防規則
（平成十七年厚生労働省令第二十一号）

第一章　総則

（事業者の責務）
第一条　事業者は、健康障害を防止するため、必要な措置を講じなければならない。

（報告）
第二条　事業者は、作業の記録を所轄労働基準監督署長に報告しなければならない。

（保存）
第三条　事業者は、記録を四十年間保存しなければならない。

（届出）
第四条　事業者は、計画を届け出なければならない。

附　則　抄

（施行期日）
第一条　この省令は、平成十七年七月一日から施行する。

附　則　（平成一八年八月二日厚生労働省令第一四七号）

この省令は、労働安全衛生法施行令の一部を改正する政令（平成十八年政令第二百五十七号）の施行の日（平成十八年九月一日）から施行する。

附　則　（平成二一年三月三〇日厚生労働省令第三四号）

この省令は、労働安全衛生法施行令の一部を改正する政令（平成二十一年政令第二百九十五号）の施行の日から施行する。

附　則　（令和元年五月七日厚生労働省令第一号）

この省令は、公布の日から施行する。
"""


def test_a_statutes_supplementary_provisions(service: Any, tmp_path: Path) -> None:
    x = analyse_text(service, tmp_path / "kisoku.txt", _STATUTE)
    first = measure_with(x, "平成十七年七月一日から施行する")
    assert first.section == ("附則", "第一条", "1") and measure_deadline(first) == ("date", "2005-07-01", "2005-07-01")
    assert measure_deadline(measure_with(x, "（平成十八年九月一日）から施行する")) == ("date", "2006-09-01", "2006-09-01")
    assert measure_deadline(measure_with(x, "公布の日から施行する")) == ("relative", None, None)
    assert all(not m.actors for m in x.measures if "施行する" in m.text)
    amendments = sorted(e.label for e in x.entities if e.label.startswith("労働安全衛生法施行令の一部を改正する政令"))
    assert amendments == ["労働安全衛生法施行令の一部を改正する政令(平成二十一年政令第二百九十五号)",
                          "労働安全衛生法施行令の一部を改正する政令(平成十八年政令第二百五十七号)"]
    printed = {x.doc.text[m.start : m.end] for m in x.mentions}
    assert not [p for p in printed if p.endswith("省令") or "省令第" in p]
