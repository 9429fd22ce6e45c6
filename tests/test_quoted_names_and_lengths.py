"""Names typed by how a text uses them, times given as a length, and who acts where a text
says it once (issue 17, stop 27): a quoted name with no head word (「…ネット」に掲載,
「…の日」), a short campaign (…月間), a plan's term printed after its name (…計画（第2期）),
a plan period glossed after the plan's name, a title that looks back on a year, a length
ahead (今後10年程度で), a year in which something is done (2027年に), a month a payment
runs from (…月分から), an opening that owns the items below it, prose that goes on about
its last topic across sections, foreign governments and public hospitals.  Every document
here is constructed; the organisations are real kinds, the names invented."""

from __future__ import annotations

from pathlib import Path

import pytest
from analysed_text import analyse_text, measure_deadline, measure_with

pytestmark = pytest.mark.slow


def _types(x) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {e.label: e.type for e in x.entities}


def test_quoted_names_are_typed_by_their_use(service, tmp_path: Path) -> None:
    """A quoted name that a head word does not type is a system where it is used as a
    service (掲載する, で公開する) and a programme otherwise; a quoted word that is defined,
    answered or fallen under is no name; a head word inside the quotes types its whole
    span (a hiragana start included)."""
    x = analyse_text(service, tmp_path / "doc.txt", "みどり市防災施策の推進について\n\n"
                     "１　市は、避難所の開設状況を「みどり避難マップ」で公開する。\n"
                     "２　市は、防災の手引を令和8年3月までに「くらしのひろば」に掲載する。\n"
                     "３　市は、「まちの減災の日」（9月1日）に合わせて啓発を行う。\n"
                     "４　市は、「ちいさな家の耐震化支援事業」により改修費を補助する。\n"
                     "５　「要支援者」とは、避難に支援を要する者をいう。市は、「法令に基づく場合」に該当するときに限り、名簿を提供する。\n")
    types = _types(x)
    assert types.get("みどり避難マップ") == "System"
    assert types.get("くらしのひろば") == "System"
    assert types.get("まちの減災の日") == "Program"
    assert types.get("ちいさな家の耐震化支援事業") == "Program"
    assert "要支援者" not in types and "法令に基づく場合" not in types


def test_short_campaigns_and_plan_terms(service, tmp_path: Path) -> None:
    """A campaign is named short (緑化月間); a plan's term printed after its name is part
    of the name, an edition is not."""
    x = analyse_text(service, tmp_path / "doc.txt", "令和8年度の取組\n\n"
                     "１　県は、毎年5月の緑化月間に合わせて植樹を行う。\n"
                     "２　県は、みどり県森林整備計画（第2期）に基づき、間伐を進める。\n"
                     "３　県は、みどり県森林活用プラン（令和7年度改定版）により、木材利用を進める。\n")
    types = _types(x)
    assert types.get("緑化月間") == "Program"
    assert types.get("みどり県森林整備計画(第2期)") == "Plan"  # (labels are NFKC)
    assert types.get("みどり県森林活用プラン") == "Plan"


def test_lengths_years_and_months_from(service, tmp_path: Path) -> None:
    """今後10年程度で and …からおおむね5年程度で are relative; 2027年に is that calendar year;
    令和8年10月分から runs from that month on."""
    x = analyse_text(service, tmp_path / "doc.txt", "物流の推進について\n\n"
                     "１　国は、輸送量を今後10年程度で倍増させることを目指す。\n"
                     "２　国は、法改正からおおむね5年程度で、全ての港湾で計画の作成を目指す。\n"
                     "３　国は、2027年に新たな拠点を設置する。\n"
                     "４　国は、令和8年10月分から手当の支給額を増額する。\n")
    assert measure_deadline(measure_with(x, "倍増")) == ("relative", None, None)
    assert measure_with(x, "倍増").deadlines[0].duration == "P10Y"
    assert measure_deadline(measure_with(x, "全ての港湾")) == ("relative", None, None)
    assert measure_deadline(measure_with(x, "拠点を設置")) == ("period", "2027-01-01", "2027-12-31")
    assert measure_deadline(measure_with(x, "手当")) == ("ongoing", "2026-10-01", None)


def test_a_plan_period_glossed_after_its_name_and_a_title_that_looks_back(service, tmp_path: Path) -> None:
    """An evaluation of a fiscal year lends that year to none of the measures it states for
    the future; a plan period glossed after the plan's name (「…計画」（計画期間：…）) applies
    to the measures without a time of their own."""
    x = analyse_text(service, tmp_path / "doc.txt", "令和5年度実施施策に係る政策評価書（事後評価）\n\n"
                     "１　施策の概要\n"
                     "　「第二次みどり推進計画」（計画期間：令和5年度～令和9年度）に基づき、緑地の保全に取り組む。\n\n"
                     "２　今後の取組\n"
                     "　環境省は、地域の担い手の育成に重点的に取り組む。\n")
    assert measure_deadline(measure_with(x, "担い手")) == ("period", "2023-04-01", "2028-03-31")


def _actors(x, m) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.label for e in x.entities if e.key in m.actors]


def test_who_acts_from_an_opening_and_across_a_white_papers_sections(service, tmp_path: Path) -> None:
    """An opening that says the items below are its own (…では、…次の取組を行います) gives
    them its agency; prose goes on about its last topic across sections; a foreign
    government and a prefecture's hospital are agencies."""
    x = analyse_text(service, tmp_path / "notice.txt", "令和8年分の取組について\n\n令和8年1月9日\nみどり庁\n\n"
                     "　みどり庁では、手続のデジタル化を推進しており、本年も次の取組を行います。\n\n"
                     "1　オンライン手続\n　申請画面の入力項目を見直し、令和8年4月から利用可能とします。\n\n"
                     "2　相談\n(1) 各事務所は、相談会場を設けます。\n")
    assert _actors(x, measure_with(x, "入力項目")) == ["みどり庁"]
    assert _actors(x, measure_with(x, "相談会場")) != ["みどり庁"]
    y = analyse_text(service, tmp_path / "paper.txt", "第3章　森林の保全\n\n第1節　担い手の確保\n"
                     "　林野庁では、令和5年度から研修を実施しており、受講者は約500人となっている。\n\n"
                     "第2節　国際協力\n"
                     "　森林の保全に関する協力の一環として、令和8年度から新たな研修を開始する。\n"
                     "　バヌアツ共和国政府は、観測機器の維持管理に必要な人員を確保する。\n"
                     "　山形県立中央病院は、令和8年度から夜間の受入れを開始する。\n")
    assert _actors(y, measure_with(y, "新たな研修")) == ["林野庁"]
    assert _actors(y, measure_with(y, "人員を確保")) == ["バヌアツ共和国政府"]
    assert _actors(y, measure_with(y, "夜間の受入れ")) == ["山形県立中央病院"]


def test_lead_statements_notes_and_more_words_of_time(service, tmp_path: Path) -> None:
    """A statement that only leads into the list below it is no measure, nor is a note that
    explains the text; a fiscal year's season is its months; 順次拡大, 引き続き活用 and
    継続的な改善 are ongoing; 迅速な支給を図る is prompt."""
    x = analyse_text(service, tmp_path / "doc.txt", "みどり県森林活用計画\n\n"
                     "(1)　森林の整備\n　県は、市町村と連携し、次の取組を推進します。\n"
                     "　①　県は、2027年度（令和9年度）秋頃を目途に、森林情報の共有を開始する。\n"
                     "　②　県は、森林クラウドの対象地域を順次拡大する。\n"
                     "　③　県は、みどり相談窓口を引き続き活用し、相談に応じる。\n"
                     "　④　県は、利用者の声を踏まえて継続的な改善を実施する。\n"
                     "　⑤　県は、被災した森林所有者への支援金の迅速な支給を図る。\n"
                     "\n（注）表中の「継続」は、計画期間を通じて実施するものを示す。\n")
    assert not [m for m in x.measures if "次の取組を推進します" in m.text and "①" not in m.text]
    assert not [m for m in x.measures if m.text.lstrip().startswith(("（注）", "(注)"))]
    assert measure_deadline(measure_with(x, "森林情報の共有")) == ("period", "2027-09-01", "2027-11-30")
    assert measure_deadline(measure_with(x, "順次拡大"))[0] == "ongoing"
    assert measure_deadline(measure_with(x, "引き続き活用"))[0] == "ongoing"
    assert measure_deadline(measure_with(x, "継続的な改善"))[0] == "ongoing"
    assert measure_deadline(measure_with(x, "迅速な支給"))[0] == "promptly"


def test_plain_verbs_days_without_a_year_and_within_the_year(service, tmp_path: Path) -> None:
    """A sentence ending in any verb of doing commits (事例集を取りまとめる, 窓口を設ける),
    so a paragraph of two commitments is two measures; a day printed without its year is
    a limit in the document's year; 年度内に is within the year; 年1回以上 is ongoing."""
    x = analyse_text(service, tmp_path / "doc.txt", "みどり市観光推進会議 議事要旨\n\n令和7年5月20日\n\n"
                     "1　今後の進め方\n"
                     "　市は、令和7年度内に事例集を取りまとめる。また、観光案内所に相談窓口を設ける。\n"
                     "　事務局は、6月30日までに中間報告を県へ提出する。\n"
                     "　市は、計画の進捗を年1回以上確認する。\n")
    assert measure_deadline(measure_with(x, "事例集")) == ("fiscal_year", "2025-04-01", "2026-03-31")
    assert "相談窓口" not in measure_with(x, "事例集").text
    assert measure_deadline(measure_with(x, "相談窓口"))[0] in ("unknown", "fiscal_year")
    assert measure_deadline(measure_with(x, "中間報告")) == ("by", None, "2025-06-30")
    assert measure_deadline(measure_with(x, "年1回以上"))[0] == "ongoing"


def test_a_campaigns_period_under_its_heading(service, tmp_path: Path) -> None:
    """A campaign's 実施要綱 gives its period under a heading of that name: measures with no
    time of their own fall in it; a day printed without its year (初日の4月6日に) is that day."""
    x = analyse_text(service, tmp_path / "doc.txt", "令和8年春のみどり安全運動実施要綱\n"
                     "１　期間\n　令和8年4月6日（月）から4月15日（水）までの10日間\n"
                     "２　実施事項\n(1) 県警察は、運動期間中、通学路を中心とした街頭指導を強化する。\n"
                     "(2) 県は、運動初日の4月6日に、出発式を開催する。\n")
    assert measure_deadline(measure_with(x, "街頭指導")) == ("period", "2026-04-06", "2026-04-15")
    assert measure_deadline(measure_with(x, "出発式")) == ("date", "2026-04-06", "2026-04-06")


def test_a_campaigns_days_glossed_after_its_name(service, tmp_path: Path) -> None:
    """The days glossed after a campaign's name (…運動（11月9日から11月15日まで）) are the
    period of what is done on its occasion, in the notice's year."""
    x = analyse_text(service, tmp_path / "doc.txt", "みどり消第12号\n令和7年9月1日\n\n各市町村消防担当課長　殿\n\n"
                     "みどり県防災課長\n\n秋の火災予防の取組について\n\n"
                     "　秋の全国火災予防運動（11月9日から11月15日まで）の機会等を捉えて、住民に対する注意喚起を行うこと。\n")
    assert measure_deadline(measure_with(x, "注意喚起")) == ("period", "2025-11-09", "2025-11-15")


def test_a_period_the_opening_states(service, tmp_path: Path) -> None:
    """An opening that says what the period is (…期間は、…から…までです) sets the period
    the untimed measures below fall in."""
    x = analyse_text(service, tmp_path / "doc.txt", "令和8年分の申告期における取組について\n\n令和9年1月8日\nみどり庁\n\n"
                     "　令和8年分の申告期間は、令和9年2月16日（火）から3月15日（月）までです。\n\n"
                     "1　相談体制\n(1) 各事務所は、相談会場への入場整理券を配付します。\n")
    assert measure_deadline(measure_with(x, "入場整理券")) == ("period", "2027-02-16", "2027-03-15")


def test_the_earlier_of_two_limits_and_a_named_day(service, tmp_path: Path) -> None:
    """…又は令和N年M月D日のいずれか早い日までに is due by that day at the latest; a named day
    glossed with its date (「救急の日」（9月9日）) is that day in the document's year."""
    x = analyse_text(service, tmp_path / "doc.txt", "みどり市救急業務実施計画\n\n令和7年4月1日\nみどり市消防本部\n\n"
                     "1　救急の普及\n(1) 救急課は、「救急の日」（9月9日）の啓発イベントを開催する。\n"
                     "(2) 補助事業者は、事業完了の日から起算して30日を経過した日又は令和8年2月28日のいずれか早い日までに、"
                     "実績報告書を提出しなければならない。\n")
    assert measure_deadline(measure_with(x, "啓発イベント")) == ("date", "2025-09-09", "2025-09-09")
    assert measure_deadline(measure_with(x, "実績報告書")) == ("by", None, "2026-02-28")
