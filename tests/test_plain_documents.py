"""Documents laid out plainly, as short notices and excerpts are (issue 17, stop 25): no
blank lines between a notice's header and its text, no heading at all, an excerpt that
starts at 第2章 or skips articles, a list under a lead sentence that sets its year, a
generic actor as printed, a local government by its name.  Every document here is
constructed; the organisations are real kinds, the plans and names invented."""

from __future__ import annotations

from pathlib import Path

import pytest
from analysed_text import analyse_text, measure_deadline, measure_with

pytestmark = pytest.mark.slow


def _extract(service, tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    return analyse_text(service, tmp_path / "doc.txt", text)


_measure = measure_with


_deadline = measure_deadline


def test_a_notice_without_blank_lines(service, tmp_path: Path) -> None:
    """The header (number, date, addressee, issuer, title) is no part of the request under
    it, and its date is no deadline; each request after it is a measure of its own."""
    x = _extract(service, tmp_path, "みどり第１２号\n令和７年６月10日\n各都道府県みどり主管部（局）御中\n"
                 "みどり庁みどり推進課長\nみどり対策の推進について（依頼）\n"
                 "　みどり庁では、みどり対策を速やかに進めるよう求めることとしている。\n"
                 "ついては、各都道府県におかれては、管内市町村に対し、本件の周知をお願いする。\n"
                 "また、令和７年７月31日までに、実施状況を別添様式により報告されたい。\n")
    first = _measure(x, "速やかに進める")
    assert "御中" not in first.text and "令和７年６月10日" not in first.text
    assert _deadline(first)[0] == "promptly"
    assert _deadline(_measure(x, "実施状況を")) == ("by", None, "2025-07-31")
    assert "周知をお願い" not in _measure(x, "実施状況を").text


def test_a_document_with_no_heading_is_all_body(service, tmp_path: Path) -> None:
    """Without a heading nothing is a preamble: plain commitments and list items are
    measures, and the lead sentence's actor and year apply to the items under it."""
    x = _extract(service, tmp_path, "みどり庁の取組\nみどり庁は、令和8年度において次の取組を行う。\n"
                 "・相談窓口の周知のため、SNS等を活用した広報を実施する。\n"
                 "・市町村の相談体制の整備を支援する。\n")
    for words in ("SNS等を活用", "相談体制の整備"):
        m = _measure(x, words)
        assert [e.label for e in x.entities if e.key in m.actors] == ["みどり庁"]
        assert _deadline(m) == ("fiscal_year", "2026-04-01", "2027-03-31")


def test_a_clause_the_items_go_on_gives_them_its_year(service, tmp_path: Path) -> None:
    """令和７年度は、 over a list: the sentence goes on in each item, and its year is theirs
    (a plan's 【目標及び達成の期間】, as the 孤独・孤立 plan of the blind tune half prints it)."""
    x = _extract(service, tmp_path, "みどり対策の推進\n【目標及び達成の期間】\n令和７年度は、\n"
                 "・みどり活動のデジタル化により活動の充実強化を図る。\n"
                 "・みどり会の活動の担い手の確保を図る。\n")
    for words in ("デジタル化により", "担い手の確保"):
        assert _deadline(_measure(x, words)) == ("fiscal_year", "2025-04-01", "2026-03-31")


def test_a_label_line_heads_the_items_after_it(service, tmp_path: Path) -> None:
    """【令和９年度】 between two items belongs to the one after it, not to the one above."""
    x = _extract(service, tmp_path, "みどり基盤の整備に係る工程\n【令和８年度】\n"
                 "・みどり庁は、令和８年12月に基盤の標準仕様を策定する。\n【令和９年度】\n"
                 "・みどり庁は、標準仕様に準拠した基盤の導入を支援する。\n")
    first = _measure(x, "標準仕様を策定")
    assert "【令和９年度】" not in first.text
    assert _deadline(first) == ("date", "2026-12-01", "2026-12-31")  # a month a plan sets
    assert _measure(x, "導入を支援")


def test_an_excerpt_keeps_its_chapters_and_articles(service, tmp_path: Path) -> None:
    """An excerpt (抄) starting at 第２章, and a statute's articles printed with gaps, are
    headings; an article's caption is its own, not the end of the article above."""
    x = _extract(service, tmp_path, "みどり市地域防災計画（抄）\n第２章　災害予防計画\n第５節　防災訓練等\n"
                 "１　市は、令和８年度末までに、避難所運営マニュアルの見直しを完了する。\n"
                 "第３章　災害応急対策計画\n第２節　情報の収集\n"
                 "１　市は、災害が発生したときは、直ちに災害対策本部を設置する。\n")
    assert _measure(x, "マニュアルの見直し").section == ("第2章", "第5節", "1")
    drill = _measure(x, "直ちに災害対策本部")
    assert drill.section == ("第3章", "第2節", "1") and _deadline(drill)[0] == "promptly"
    x = _extract(service, tmp_path, "みどり市空家等の管理に関する条例（抄）\n（責務）\n"
                 "第３条　所有者等は、適切な管理に努めなければならない。\n（計画）\n"
                 "第５条　市長は、空家等対策計画を定めなければならない。\n")
    duty = _measure(x, "適切な管理")
    assert duty.section == ("第3条", "1") and "（計画）" not in duty.text
    assert _measure(x, "対策計画を定め").section == ("第5条", "1")


def test_a_generic_actor_as_printed(service, tmp_path: Path) -> None:
    """annotation.md: a generic actor is the measure's actor_text (各府省, 地方公共団体); a
    named collective (都道府県警察) is an entity and no actor_text."""
    x = _extract(service, tmp_path, "みどりの推進に関する方針\n1 今後の取組\n"
                 "(1) 各府省は、職員の実施状況を毎年度公表する。\n"
                 "(2) 国及び地方公共団体は、みどりの普及に努めるものとする。\n"
                 "(3) 都道府県警察は、みどりに関する相談に応じる。\n")
    assert _measure(x, "実施状況").actor_text == "各府省"
    assert _measure(x, "普及に努める").actor_text == "国及び地方公共団体"
    police = _measure(x, "相談に応じる")
    assert police.actor_text is None and [e.label for e in x.entities if e.key in police.actors] == ["都道府県警察"]


def test_a_local_government_by_its_name(service, tmp_path: Path) -> None:
    """A prefecture or city that acts (the topic, one reported to, one worked with) is an
    agency; the same word as a place or a kind of government is not."""
    x = _extract(service, tmp_path, "みどり対策について\n1 東京都は、東京都みどりセンターの職員を派遣する。\n"
                 "2 川崎市は、事業者との合同訓練を実施する。\n3 被害情報は、遅滞なく静岡県に報告する。\n"
                 "4 市町村は、計画を作成する。\n")
    agencies = {e.label for e in x.entities if e.type == "Agency" and not e.generic}
    assert {"東京都", "川崎市", "静岡県"} <= agencies and "市町村" not in agencies
    assert [e.label for e in x.entities if e.key in _measure(x, "合同訓練").actors] == ["川崎市"]


@pytest.mark.parametrize(("sentence", "dated", "want"), [
    ("みどり庁は、令和６年９月30日を期限として、結果を報告すること。", None, ("by", None, "2024-09-30")),
    ("市区町村は、令和８年１月以後、電子的に処理するものとする。", None, ("ongoing", "2026-01-01", None)),
    ("みどり庁は、令和７年度から５か年で設備の更新を進める。", None, ("period", "2025-04-01", "2030-03-31")),
    ("市長は、その５日前までに、所有者に通知しなければならない。", None, ("relative", None, None)),
    ("みどり庁は、本指針を随時改定する。", None, ("ongoing", None, None)),
    ("都道府県は、本年10月末までに立入検査を完了すること。", "令和7年4月1日", ("by", None, "2025-10-31")),
    ("みどり庁は、年度末までに状況を取りまとめる。", "令和7年2月14日", ("by", None, "2025-03-31")),
    ("労働局は、施行日（令和７年４月１日）以降、相談に助言を行うこと。", None, ("ongoing", "2025-04-01", None)),
])
def test_time_words_of_notices(service, tmp_path: Path, sentence: str, dated: str | None,
                               want: tuple[str, str | None, str | None]) -> None:
    head = f"{dated}\nみどり庁長官\nみどり対策について（通知）\n" if dated else "みどり対策について\n"
    x = _extract(service, tmp_path, f"{head}1 {sentence}\n")
    assert _deadline(_measure(x, sentence[6:16])) == want


def test_each_item_of_a_roadmap_row_is_a_measure(service, tmp_path: Path) -> None:
    """annotation.md: a roadmap cell is a measure, its deadline its column's year; a dash
    is an empty column (the row's one item takes that item's year alone)."""
    x = _extract(service, tmp_path, "みどり対策の工程表\n"
                 "施策\t担当\t令和６年度\t令和７年度\t令和８年度以降\n"
                 "区域図の充実\tみどり庁\t中小河川における区域図の作成\t内水区域図の作成に対する技術的支援\t―\n"
                 "避難体制の強化\t総務省\t―\t要配慮者利用施設における計画の作成促進\t―\n")
    first, second = _measure(x, "中小河川における"), _measure(x, "内水区域図")
    assert first.text == "中小河川における区域図の作成"
    assert _deadline(first) == ("fiscal_year", "2024-04-01", "2025-03-31")
    assert _deadline(second) == ("fiscal_year", "2025-04-01", "2026-03-31")
    assert [e.label for e in x.entities if e.key in first.actors] == ["みどり庁"]
    assert _deadline(_measure(x, "避難体制の強化")) == ("fiscal_year", "2025-04-01", "2026-03-31")


def test_a_notice_s_issuer_and_addressee(service, tmp_path: Path) -> None:
    """A notice printed without blank lines still has its addressee and issuer apart; it
    calls its issuing ministry 当省; a request to 各都道府県におかれては is theirs to act on."""
    x = _extract(service, tmp_path, "７みどり第２８号\n令和７年９月２日\n各都道府県知事　殿\n"
                 "農林水産省みどり局長\nみどり対策の徹底について\n"
                 "１　当省は、本年秋頃を目途に全国の状況を取りまとめ、公表する。\n"
                 "２　各都道府県におかれては、管内の関係者に本件を周知願いたい。\n")
    assert x.meta.addressees == ("各都道府県知事",) and x.meta.issuers == ("農林水産省みどり局長",)
    ours = _measure(x, "全国の状況")
    assert [e.label for e in x.entities if e.key in ours.actors] == ["農林水産省"]
    assert _deadline(ours) == ("period", "2025-09-01", "2025-11-30")
    assert _measure(x, "周知願いたい").actor_text == "各都道府県"


def test_a_preface_that_gives_every_item_one_actor(service, tmp_path: Path) -> None:
    """本プランに掲げる取組は、Xが…と連携して実施する / 以下は、Xが…要求する事項である."""
    x = _extract(service, tmp_path, "みどり市教育委員会　みどりプラン\n"
                 "　本プランに掲げる取組は、みどり市教育委員会が各学校と連携して実施する。\n"
                 "１　令和７年度に実施する取組\n（１）全ての市立学校に校務支援システムを導入する。\n")
    assert [e.label for e in x.entities if e.key in _measure(x, "校務支援").actors] == ["みどり市教育委員会"]
    x = _extract(service, tmp_path, "令和７年度　警察庁予算概算要求の重点事項\n"
                 "　以下は、警察庁が令和７年度予算として要求する事項である。\n"
                 "１　交通安全対策の推進\n・老朽化した信号機の更新を計画的に進める。\n")
    assert [e.label for e in x.entities if e.key in _measure(x, "信号機").actors] == ["警察庁"]


def test_a_campaign_held_nationwide_is_named(service, tmp_path: Path) -> None:
    x = _extract(service, tmp_path, "みどり対策について\n1 消防本部は、全国火災予防運動の期間中に広報を実施する。\n")
    assert "全国火災予防運動" in {e.label for e in x.entities if e.type == "Program"}


def test_a_plan_s_period_on_a_line_of_its_own(service, tmp_path: Path) -> None:
    """計画期間（2024～2028年度） under the title: the measures that state no time fall in it."""
    x = _extract(service, tmp_path, "第２次みどり市総合計画\n計画期間（2024～2028年度）\n"
                 "施策１　子育て支援の充実\n(1) 市内の保育所に就職した保育士の奨学金の返還を支援する。\n")
    assert _deadline(_measure(x, "奨学金の返還")) == ("period", "2024-04-01", "2029-03-31")


def test_a_plans_list_of_projects_and_a_rule_over_its_forms(service, tmp_path: Path) -> None:
    """Items under ＜主な事業＞ are what the plan will do, also when they only name a project;
    a rule over the list of its forms (…次のとおりとします。 / ・YYYY-MM-DD) is a measure too;
    a decision's date printed inside a sentence (a footnote at a page break) is no deadline."""
    x = _extract(service, tmp_path, "１ 交流の拡大\n旭川に加え、東京での作品展示により生徒の確保につなげます。\n"
                 "＜主な事業＞\n・学校紹介DVDの制作事業\n・家族滞在体験型事業\n"
                 "２ 期間の表記\n期間の開始日と終了日を「/」でつないで、次のとおりとします。\n・YYYY-MM-DD/YYYY-MM-DD\n"
                 "３ 防災\n流域治水の加速化・深化136、森林整備等を推進する。経済発展の基\n \n"
                 "135 令和７年６月６日閣議決定。 \n\n盤となる交通の整備を進める。\n")
    assert _measure(x, "家族滞在体験型事業") and _measure(x, "学校紹介DVDの制作事業")
    assert _measure(x, "次のとおりとします")
    assert _deadline(_measure(x, "流域治水")) == ("ongoing", None, None)


def test_a_sentence_that_only_leads_into_the_items_is_none(service, tmp_path: Path) -> None:
    """Under a titled part (Ⅰ 趣旨), …は、2025年度において以下の取組を実施する。 leads into the
    items below; they are the measures, it is not one."""
    x = _extract(service, tmp_path, "Ⅰ　趣旨\n　対策必要箇所が残っている。\n　このため、関係府省庁は、2025年度において以下の取組を実施する。\n\n"
                 "Ⅱ　府省庁別の取組\n１．こども家庭庁\n（１）連絡会議を年2回開催し、各府省庁の取組の進捗状況を確認する。\n")
    assert not [m for m in x.measures if "以下の取組を実施する" in m.text]
    assert _measure(x, "進捗状況を確認する")


def test_a_rulebook_s_grounds_powers_and_rules_of_what_is_not_done(service, tmp_path: Path) -> None:
    """A 取扱要領 is read as a statute is: each ground under …次の基準の一に該当する場合は、
    許可しない。 is a measure, and so are its powers (…できる), its rules of what is not done
    (…測定しない) and what it deems met (…とみなす); an appended rule's own 附則 (本要領は、…から
    適用する) does not date a guideline's standing rules."""
    x = _extract(service, tmp_path, "製造たばこ小売販売業許可等取扱要領\n\n第１章  許可\n  第一  許可の基準\n"
                 "    １  基準\n     申請が次の基準の一に該当する場合は、許可しない。\n"
                 "      ①  予定営業所に売場を設ける予定がない場合\n      ②  予定営業所の使用の権利を有しない場合\n"
                 "    ２  特例\n      ⑴  休業店である場合は、当該休業店との距離は測定しない。\n"
                 "      ⑵  特定小売販売業の申請の場合は、距離基準を満たしているものとみなす。\n"
                 "      ⑶  誓約書をもってこれに代えることができる。\n")
    for words in ("売場を設ける予定がない場合", "使用の権利を有しない場合", "距離は測定しない",
                  "満たしているものとみなす", "これに代えることができる"):
        assert _measure(x, words)
    guideline = _extract(service, tmp_path, "運用ガイドライン\n令和６年６月\n\n１ 基本的事項\n発注者は、評価項目を設定する。\n"
                         "２ 評価\n" + "技術資料は、あらかじめ定められた評価項目に基づき評価する。\n" * 8 +
                         "\n＜参考資料＞\n実施要領\n附則\n本要領は、令和５年４月１日から適用する。\n")
    assert _deadline(_measure(guideline, "評価項目を設定する")) == ("ongoing", None, None)
