"""Documents of kinds the sample corpus lacks (a statute, a cabinet plan in Markdown,
an agency guideline in HTML): sections, agencies, systems, laws and deadlines come out
sensibly.  The documents are constructed in those forms (tests/data/kinds/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.pipeline import analyse
from ingest.readers import read_file

pytestmark = pytest.mark.slow
KINDS = Path(__file__).parent / "data" / "kinds"


@pytest.fixture(scope="module")
def extracted(service):  # the session service has GiNZA loaded
    docs = [read_file(f) for f in sorted(KINDS.glob("*_form.*"))]
    return {x.doc.source: x for x in analyse(docs, service.analyzer)}


def _labels(x, type_):
    return {e.label for e in x.entities if e.type == type_}


def test_statute(extracted) -> None:
    x = extracted["statute_form.txt"]
    paths = [s.path for s in x.sections]
    assert ("第二章", "第三条", "2") in paths and ("附則",) in paths
    assert {"デジタル庁", "総務省", "内閣府"} <= _labels(x, "Agency")
    law = next(e for e in x.entities if e.label == "個人情報の保護に関する法律")
    assert law.egov_id == "415AC0000000057"
    ds = [d for m in x.measures for d in m.deadlines]
    assert any(d.kind == "by" and d.end == "2028-03-31" for d in ds)  # 令和九年度末までに


def test_cabinet_plan(extracted) -> None:
    x = extracted["cabinet_plan_form.md"]
    assert x.meta.title.startswith("地域の防犯力強化に向けた行動計画")
    agencies = _labels(x, "Agency")
    assert {"警察庁", "文部科学省", "国土交通省", "経済産業省"} <= agencies  # short names resolved
    by_path = {m.section: m for m in x.measures}
    m = by_path[("第2", "1", "(2)")]
    assert m.actors and (m.deadlines[0].kind, m.deadlines[0].end) == ("by", "2027-03-31")
    assert by_path[("第2", "2", "(1)")].deadlines[0].kind == "ongoing"
    assert by_path[("第2", "2", "(2)")].deadlines[0].kind == "promptly"


def test_guideline_html(extracted) -> None:
    x = extracted["guideline_form.html"]
    assert "tracking" not in x.doc.text and "お問い合わせ先" not in x.doc.text
    assert {"警察共通基盤"} <= _labels(x, "System")
    assert any(e.label == "遺失物管理システム" for e in x.entities)
    rel = [d for m in x.measures for d in m.deadlines if d.kind == "relative"]
    assert rel and rel[0].duration == "P3D"
