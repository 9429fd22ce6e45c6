"""Kanji that a PDF's text layer prints as CJK radicals of the same shape (官⺠ for 官民,
⻑ for 長, ⼩ for 小) are read as the kanji by parsing, name matching and search, while the
stored text keeps what the document prints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from analysed_text import analyse_text

from policygraph.core.radicals import unify_radicals
from policygraph.indexes.sparse import SparseEncoder
from policygraph.ingest.normalise import compact, normalise


def test_normalised_text_reads_radicals_as_kanji_and_keeps_offsets() -> None:
    printed = "官⺠協議会の⻑は、⼩規模事業者を支援する。"
    nt = normalise(printed)
    assert nt.text == "官民協議会の長は、小規模事業者を支援する。"
    a = nt.text.index("長")
    assert printed[slice(*nt.original_span(a, a + 1))] == "⻑"
    assert compact("官⺠ 協議会") == compact("官民協議会") == "官民協議会"


def test_search_terms_are_the_same_for_radicals_and_kanji() -> None:
    enc = SparseEncoder()
    assert enc.tokens("官⺠協議会の⼩規模") == enc.tokens("官民協議会の小規模")
    assert enc.encode_document("官⺠協議会").as_dict() == enc.encode_document("官民協議会").as_dict()
    assert unify_radicals("⻄⻘⻝") == "西青食"


@pytest.mark.slow
def test_a_name_printed_with_a_radical_is_the_name(service: Any, tmp_path: Path) -> None:
    x = analyse_text(service, tmp_path / "plan.txt",
                     "1　「サブオービタル飛行に関する官⺠協議会」は、令和7年度中に論点を整理する。"
                     "⻑期的な課題は、同協議会が検討する。\n")
    labels = {e.label for e in x.entities}
    assert "サブオービタル飛行に関する官民協議会" in labels, labels
    assert any("官⺠協議会" in m.text for m in x.measures)  # the document's own characters are what is stored and cited
