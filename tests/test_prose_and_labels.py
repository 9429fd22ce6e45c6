"""Who acts and when, where the text says it only once (issue 17, stop 26): prose whose
subject is set by one sentence and continued by the next, reports beside commitments,
labelled items (警察庁・総務省：…, a bracketed organ over a numbered list), a notice's
addressee, the title's fiscal year, a plan that schedules its measures against a rulebook
that does not, time columns, generic actors printed in a compound noun.  Every document
here is constructed; the organisations are real kinds, the plans and names invented."""

from __future__ import annotations

from pathlib import Path

import pytest
from analysed_text import analyse_text, measure_deadline, measure_with

pytestmark = pytest.mark.slow


def _extract(service, tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    return analyse_text(service, tmp_path / "doc.txt", text)


_measure = measure_with


def _actors(x, m) -> list[str]:  # type: ignore[no-untyped-def]
    return [e.label for e in x.entities if e.key in m.actors]


_deadline = measure_deadline


def test_prose_continues_its_subject_and_reports_set_no_deadline(service, tmp_path: Path) -> None:
    """A white paper's paragraphs: a report (令和5年度に…を選定した) is no measure and its
    year no deadline of the commitment beside it; a sentence with no subject acts for the
    organ the section last made its topic; an indented line is a new paragraph."""
    x = _extract(service, tmp_path, "第２節　みどり地域の推進\n\n"
                 "　みどり庁では、令和5年度にモデル地域を26件選定した。今後も、引き続き募集を行う。\n"
                 "　選定された地域に対しては、交付金により設備の導入等を継続的に支援する。\n"
                 "　また、地方事務所の体制を整え、関係機関との連携を強化していく。\n")
    m = _measure(x, "引き続き募集")
    assert _actors(x, m) == ["みどり庁"] and _deadline(m) == ("ongoing", None, None)
    for words in ("継続的に支援", "連携を強化"):
        assert _actors(x, _measure(x, words)) == ["みどり庁"]
    assert not [m for m in x.measures if "26件選定した" in m.text and "継続的に支援" in m.text]


def test_labelled_items_name_their_actors(service, tmp_path: Path) -> None:
    """警察庁・総務省：… and a bracketed organ over a numbered list (（独立行政法人…）/ ①…)
    say who carries out the items; a name glossed before its は (…（以下「機構」という。）は)
    is the topic."""
    x = _extract(service, tmp_path, "第3章　関係機関の取組\n"
                 "・警察庁・総務省：令和7年度中に、犯行に利用された電話番号の利用停止の対象を拡大する。\n"
                 "・金融庁：高額振込の制限の在り方を検討し、令和8年6月を目途に結論を得る。\n"
                 "（独立行政法人国際協力機構）\n"
                 "① 防災分野の研修を毎年度実施する。\n"
                 "② 各国の防災計画の策定を支援する。\n"
                 "（独立行政法人日本貿易振興機構）\n"
                 "① 中小企業の海外展開を支援する。\n")
    assert sorted(_actors(x, _measure(x, "利用停止"))) == ["総務省", "警察庁"]
    m = _measure(x, "結論を得る")  # (…結論を得る。: a commitment; 令和8年6月を目途に: its month)
    assert _actors(x, m) == ["金融庁"] and _deadline(m) == ("date", "2026-06-01", "2026-06-30")
    assert "国際協力機構" in _actors(x, _measure(x, "各国の防災計画"))[0]
    assert "日本貿易振興機構" in _actors(x, _measure(x, "海外展開"))[0]
    y = _extract(service, tmp_path, "第5章　年金事業\n(1) 日本年金機構（以下「機構」という。）は、"
                 "令和8年度末までに、電子申請の利用率を80％以上とすることを目指す。\n")
    assert _actors(y, _measure(y, "電子申請")) == ["日本年金機構"]


def test_a_notice_s_addressee_carries_out_its_instructions(service, tmp_path: Path) -> None:
    """Items of 記 that name no one are the addressee's to do: the one the opening request
    turns to (…においては、…推進されたい), else the addressee lines (…殿)."""
    x = _extract(service, tmp_path, "みどり第61号\n令和7年3月14日\n\n各道府県警察本部長　殿\n\n"
                 "みどり庁生活安全局長\n\n詐欺対策の一層の推進について（通達）\n\n"
                 "　各都道府県警察においては、下記の事項に留意し、本対策を一層強力に推進されたい。\n\n記\n\n"
                 "1　金融機関と連携し、不自然な振込を行おうとする者への声掛けを要請すること。\n"
                 "2　犯罪利用口座の凍結を金融機関に遅滞なく要請すること。\n")
    for words in ("声掛け", "口座の凍結"):
        assert _actors(x, _measure(x, words)) == ["都道府県警察"]


def test_the_title_s_year_and_a_schedule_s_untimed_items(service, tmp_path: Path) -> None:
    """An annual plan's title year applies to its untimed items; in a plan that schedules its
    measures, an untimed one-off item is ``unknown`` and a continuing one ``ongoing``; in a
    rulebook (nothing dated) an untimed duty stays ``ongoing``."""
    x = _extract(service, tmp_path, "みどり市消防本部\n令和7年度救急業務実施計画\n\n"
                 "1　普及啓発\n(1) 市内の医療機関にポスターを掲示する。\n")
    assert _deadline(_measure(x, "ポスター")) == ("fiscal_year", "2025-04-01", "2026-03-31")
    y = _extract(service, tmp_path, "みどり推進計画\n\n1　取組\n"
                 "(1) みどり庁は、令和8年度までに新たな指針を策定する。\n"
                 "(2) みどり庁は、令和9年度中に調査を行う。\n"
                 "(3) みどり庁は、相談窓口を一元化する仕組みを構築する。\n"
                 "(4) みどり庁は、官民の情報の相互流通を推進する。\n")
    assert _deadline(_measure(y, "仕組みを構築")) == ("unknown", None, None)
    assert _deadline(_measure(y, "相互流通")) == ("ongoing", None, None)
    z = _extract(service, tmp_path, "みどり情報取扱規程\n\n1　管理\n(1) 管理者は、台帳を整備し、適切に管理するものとする。\n"
                 "(2) 管理者は、利用状況を把握する。\n")
    assert _deadline(_measure(z, "利用状況")) == ("ongoing", None, None)


def test_a_time_column_and_a_compound_generic_actor(service, tmp_path: Path) -> None:
    """A time column's bare R8 is that fiscal year and 継続 ongoing; a generic actor is
    printed as the whole word it stands in (補助事業者, not 事業者)."""
    x = _extract(service, tmp_path, "別表　重点推進事業一覧\n\nNo.\t事業名\t事業概要\t担当課\t実施時期\n"
                 "1\t防災行政無線のデジタル化\t屋外拡声子局の更新\t危機管理課\tR8\n"
                 "2\t木造住宅耐震改修費補助\t住宅の改修費を補助\t建築指導課\t継続\n")
    assert _deadline(_measure(x, "屋外拡声子局")) == ("fiscal_year", "2026-04-01", "2027-03-31")
    assert _deadline(_measure(x, "改修費を補助")) == ("ongoing", None, None)
    y = _extract(service, tmp_path, "みどり補助金交付要綱\n\n（実績報告）\n第8条　補助事業者は、事業完了後、"
                 "実績報告書を知事に提出しなければならない。\n")
    assert _measure(y, "実績報告書").actor_text == "補助事業者"


def test_names_of_equipment_funds_packages_and_agreements(service, tmp_path: Path) -> None:
    """Equipment used in operations is a System (気象レーダー, 危機管理型水位計); a fund or a
    course a Program (みどり推進基金, ジュニア救命士養成講座) but a pension fund a body;
    a package of measures or a handbook issued whole a Plan, named by its clause of aim too;
    an agreement a Law."""
    x = _extract(service, tmp_path, "1　取組\n"
                 "(1) みどり庁は、気象レーダーと危機管理型水位計を更新する。\n"
                 "(2) みどり庁は、みどり推進基金によりジュニア救命士養成講座を支援する。\n"
                 "(3) 国民年金基金は、加入者への周知を行う。\n"
                 "(4) みどり庁は、子供の安全の強化に向けた総合対策に基づき、みどり防災ハンドブックを改訂する。\n"
                 "(5) みどり市は、災害時における物資供給に関する協定に基づき、物資を調達する。\n")
    types = {e.label: e.type for e in x.entities}
    assert types.get("気象レーダー") == "System" and types.get("危機管理型水位計") == "System"
    assert types.get("みどり推進基金") == "Program" and types.get("ジュニア救命士養成講座") == "Program"
    assert types.get("国民年金基金") == "Agency"
    assert types.get("子供の安全の強化に向けた総合対策") == "Plan" and types.get("みどり防災ハンドブック") == "Plan"
    assert types.get("災害時における物資供給に関する協定") == "Law"


def test_a_board_of_education_collective_and_a_heading_number_before_a_day_word(service, tmp_path: Path) -> None:
    """各都道府県教育委員会 is one named collective (as 都道府県警察 is), not 都道府県 and a
    board; a heading's number before 日本… (3　日本語教育の推進) stays a heading, not a day."""
    x = _extract(service, tmp_path, "みどり実施計画\n\n1　相談体制\n(1) みどり庁は、相談窓口を拡充する。\n\n"
                 "2　就労環境\n(1) みどり庁は、事業所への説明会を開催する。\n\n"
                 "3\u3000日本語教育の推進\n(1) 各都道府県教育委員会は、日本語指導支援員を派遣する。\n")
    m = _measure(x, "日本語指導支援員")
    assert _actors(x, m) == ["都道府県教育委員会"]
    assert "説明会" not in m.text and m.section[0] == "3"


def test_a_plans_measure_sheets_tagged_with_the_ministry_in_charge(service, tmp_path: Path) -> None:
    """A plan's sheet per measure: ● title【所管府省庁】 over ＜施策の概要＞, ＜今後の取組方針＞,
    【目標及び達成の期間】 paragraphs.  Each label heads its paragraph (what is done now and
    what is lacking are no commitments), and every commitment on the sheet is the tagged
    ministries'."""
    x = _extract(service, tmp_path,
                 "（１）声を上げやすい社会とする\n①実態の把握\n\n"
                 "● 実態の把握【内閣府】\n\n＜施策の概要＞\n孤独・孤立の実態を把握し、調査を行っている。\n\n"
                 "＜課題＞\n全国調査を継続的に実施し、調査方法の見直しを継続的に行う必要がある。\n\n"
                 "＜今後の取組方針＞\n全国調査を着実に実施するとともに、調査方法の改善等を継続的に行う。\n\n"
                 "【目標及び達成の期間】\n令和７年度は、引き続き全国調査を実施し、データの蓄積を図る。\n\n"
                 "● 相談支援の推進【厚生労働省、こども家庭庁】\n\n＜今後の取組方針＞\n相談窓口の周知を図る。\n\n"
                 "● 保護司による支援【法務省】\n\n＜今後の取組方針＞\n更生保護サポートセンターは、関係機関と協力し、"
                 "地域の拠点として有効活用していく。\n")
    m = _measure(x, "調査方法の改善等")
    assert _actors(x, m) == ["内閣府"] and "今後の取組方針" in m.section
    assert _actors(x, _measure(x, "データの蓄積")) == ["内閣府"]
    assert _deadline(_measure(x, "データの蓄積")) == ("fiscal_year", "2025-04-01", "2026-03-31")
    assert sorted(_actors(x, _measure(x, "周知を図る"))) == ["こども家庭庁", "厚生労働省"]
    assert not [m for m in x.measures if "調査を行っている" in m.text or "行う必要がある" in m.text]
    # the tagged ministry acts also where the sentence is about someone else
    assert "法務省" in _actors(x, _measure(x, "有効活用していく"))


def test_a_numbered_item_of_several_actors_is_a_measure_each(service, tmp_path: Path) -> None:
    """A municipal disaster plan's numbered item whose paragraphs commit different actors
    (防災関係機関は… / 県は…) is a measure per commitment, each with its own actor; an item
    that goes on for one actor, or whose closing bracket schedules it whole, stays one."""
    x = _extract(service, tmp_path, "第１　情報の収集\n\n"
                 "１　防災関係機関は、災害情報等を収集し、相互に交換するものとする。\n"
                 "　県は、防災行政無線などにより、災害情報等の収集・伝達を行う。\n\n"
                 "２　消防庁は、情報の共有を図る。また、連絡体制を整備する。\n\n"
                 "３　警察庁は、指針を改定する。都道府県警察は、指針に沿って運用する。【令和9年度中に結論】\n")
    collect, relay = _measure(x, "相互に交換する"), _measure(x, "収集・伝達を行う")
    assert collect is not relay and "県は" not in collect.text
    assert collect.actor_text == "防災関係機関"
    assert [m for m in x.measures if "連絡体制を整備" in m.text] == [_measure(x, "情報の共有を図る")]
    assert _measure(x, "指針を改定") is _measure(x, "指針に沿って運用") and _deadline(_measure(x, "指針を改定"))[0] == "fiscal_year"
