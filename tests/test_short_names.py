"""Other names of an entity that a document uses without defining them: a law's number
after its name, a Japanese abbreviation (略称) of a body's name, a Latin abbreviation
given as 通称; and names that class words alone do not give: a council named in quotes,
a device used as the instrument of an act, a Latin name whose functions are extended, a
site named by its owner, a software tool, a prefecture's police.

Every document here is constructed; the names are invented (prefectures apart)."""

from __future__ import annotations

from pathlib import Path

import pytest
from analysed_text import analyse_text

pytestmark = pytest.mark.slow


def _extract(service, tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    return analyse_text(service, tmp_path / "doc.txt", text)


def test_a_law_is_named_by_its_number(service, tmp_path: Path) -> None:
    x = _extract(service, tmp_path, "1 みどり保全推進法（令和二年法律第九十九号）に基づき、計画を定める。\n\n"
                                    "2 「あおぞら観測促進法」(令和3年法律第88号)の規定により報告する。\n")
    laws = {e.label: e for e in x.entities if e.type == "Law"}
    assert "令和二年法律第九十九号" in laws["みどり保全推進法"].aliases
    assert laws["みどり保全推進法"].law_number == "令和2年法律第99号"
    assert "令和3年法律第88号" in laws["あおぞら観測促進法"].aliases


def test_the_number_of_an_amending_law_is_not_the_law_s(service, tmp_path: Path) -> None:
    x = _extract(service, tmp_path, "1 みどり保全推進法（令和3年法律第37号による改正後のもの）に基づき、計画を定める。\n")
    [law] = [e for e in x.entities if e.label == "みどり保全推進法"]
    assert law.aliases == () and law.law_number is None


def test_a_japanese_abbreviation_is_the_body_it_shortens(service, tmp_path: Path) -> None:
    x = _extract(service, tmp_path, "1 ミドリ臨時行政調査会は、令和8年度中に報告書を取りまとめる。\n\n"
                                    "2 ミドリ臨調としても、地方公共団体の取組を支援する。\n\n"
                                    "3 北海産業振興省は、北産省広報により周知する。\n")
    by_label = {e.label: e for e in x.entities if e.type == "Agency"}
    council = by_label["ミドリ臨時行政調査会"]
    assert "ミドリ臨調" in council.aliases
    assert "北産省" in by_label["北海産業振興省"].aliases
    assert "北産省" not in by_label  # merged into the full name, not an agency of its own
    surfaces = [m.surface for m in x.mentions if m.entity == council.key]
    assert surfaces.count("ミドリ臨調") == 1


def test_a_body_that_drops_a_word_is_another_body(service, tmp_path: Path) -> None:
    x = _extract(service, tmp_path, "1 あおば改革推進会議は、令和8年度中に答申する。\n\n"
                                    "2 あおば改革会議の答申を踏まえ、見直しを行う。\n")
    labels = {e.label for e in x.entities if e.type == "Agency"}
    assert {"あおば改革推進会議", "あおば改革会議"} <= labels


def test_latin_abbreviation_given_as_its_common_name(service, tmp_path: Path) -> None:
    x = _extract(service, tmp_path, "1 共通データ連携基盤（通称ZKB）の整備を進める。\n\n2 ZKBの利用者を拡大する。\n")
    [system] = [e for e in x.entities if e.label == "共通データ連携基盤"]
    assert "ZKB" in system.aliases
    assert sum(m.entity == system.key for m in x.mentions) == 2


def test_a_council_named_in_quotes(service) -> None:
    doc = service.analyzer.nlp("「みどり政策形成・評価の在り方に関するワーキンググループ」において議論し、「会議」で報告する。")
    assert [(e.text, e.label_) for e in doc.ents] == [("みどり政策形成・評価の在り方に関するワーキンググループ", "PG_Agency")]


def test_a_subcommittee_of_a_council(service) -> None:
    doc = service.analyzer.nlp("あおば改革推進会議行政手続部会資料によれば、作業部会で議論した。")
    assert [(e.text, e.label_) for e in doc.ents] == [("あおば改革推進会議行政手続部会", "PG_Agency")]


def test_a_device_used_as_an_instrument_is_a_system(service, tmp_path: Path) -> None:
    x = _extract(service, tmp_path, "1 点検は、ドローンにより対象施設を撮影して行う。\n\n"
                                    "2 押収したタブレット端末の台数を集計する。\n")
    systems = {e.label for e in x.entities if e.type == "System"}
    assert "ドローン" in systems
    assert "タブレット端末" not in systems  # named, not used


def test_a_latin_name_whose_functions_are_extended_is_a_system(service) -> None:
    doc = service.analyzer.nlp("別紙のk-NORMの機能拡充等に係る工程表を踏まえ、k-NORMの機能拡充を検討する。")
    # the first names a schedule by its subject (annotation.md: plans named without quotes),
    # with the system inside it; the attachment it is printed in is not part of the name
    assert [(e.text, e.label_) for e in doc.ents] == [("k-NORMの機能拡充等に係る工程表", "PG_Plan"), ("k-NORM", "PG_System")]
    assert [label for _, _, label, _ in doc.user_data["pg_nested"]] == ["PG_System"]


def test_names_differing_by_a_middle_dot_are_one(service, tmp_path: Path) -> None:
    x = _extract(service, tmp_path, "1 みどり・レジストリの整備を進める。\n\n2 みどりレジストリの利用者を拡大する。\n")
    [system] = [e for e in x.entities if e.type == "System"]
    assert system.label == "みどり・レジストリ"
    assert "みどりレジストリ" in system.aliases
    assert sum(m.entity == system.key for m in x.mentions) == 2


def test_a_law_named_inside_a_title_is_mentioned(service, tmp_path: Path) -> None:
    x = _extract(service, tmp_path, "1 「改正みどり保全推進法に基づく届出事項に関する指針について」を参照し、"
                                    "令和8年度中に届出を受理する。\n")
    by_label = {e.label: e for e in x.entities}
    assert by_label["改正みどり保全推進法に基づく届出事項に関する指針について"].type == "Plan"
    law = by_label["みどり保全推進法"]
    assert law.type == "Law" and "改正みどり保全推進法" in law.aliases
    assert [m.surface for m in x.mentions if m.entity == law.key] == ["改正みどり保全推進法"]


def test_a_council_recommendation_in_quotes_is_a_plan(service) -> None:
    doc = service.analyzer.nlp("「あおば時代にふさわしい政策評価の在り方に関する提言」を踏まえ、「構造改革のためのあおば原則」を策定した。")
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("あおば時代にふさわしい政策評価の在り方に関する提言", "PG_Plan"), ("構造改革のためのあおば原則", "PG_Plan")]


def test_an_officer_post_given_its_abbreviation_acts(service, tmp_path: Path) -> None:
    x = _extract(service, tmp_path, "・ 各府省に設置するアオバ統括責任者（ABCO）が、利用ルールを策定。\n"
                                    "・ アオバ統括責任者は、利用状況を把握し、報告する。\n")
    [post] = [e for e in x.entities if e.label == "アオバ統括責任者"]
    assert post.type == "Agency" and "ABCO" in post.aliases
    assert sorted(m.surface for m in x.mentions if m.entity == post.key) == ["ABCO", "アオバ統括責任者", "アオバ統括責任者"]
    assert all(post.key in m.actors for m in x.measures)


def test_the_head_of_a_defined_organ_names_it(service, tmp_path: Path) -> None:
    x = _extract(service, tmp_path, "第一条 内閣府に、みどり保全委員会（以下「委員会」という。）を置く。\n"
                                    "第二条 委員長及び委員は、在任中、政治運動をしてはならない。\n")
    [council] = [e for e in x.entities if e.label == "みどり保全委員会"]
    assert "委員長" in [m.surface for m in x.mentions if m.entity == council.key]
    [duty] = [m for m in x.measures if "政治運動" in m.text]
    assert council.key in duty.actors


def test_bodies_joined_by_to_act_together(service, tmp_path: Path) -> None:
    x = _extract(service, tmp_path, "1 ミドリ庁とアオバ局が連携し、令和8年度中に取組事例を取りまとめる。\n")
    [m] = x.measures
    labels = {e.key: e.label for e in x.entities}
    assert {labels[k] for k in m.actors} >= {"ミドリ庁", "アオバ局"}


def test_the_date_of_a_thing_named_is_no_deadline(service, tmp_path: Path) -> None:
    x = _extract(service, tmp_path, "1 令和6年1月1日にみどり地方で発生した地震について、政府は引き続き被災者支援を行う。\n\n"
                                    "2 令和5年2月15日、みどり庁は指針を改定した。\n")
    first, second = x.measures
    assert [d.kind for d in first.deadlines] == ["ongoing"]
    assert [(d.kind, d.start) for d in second.deadlines] == [("date", "2023-02-15")]


def test_the_subject_of_a_condition_does_not_act(service, tmp_path: Path) -> None:
    x = _extract(service, tmp_path, "第一条 内閣府に、みどり保全委員会（以下「委員会」という。）を置く。\n"
                                    "第二条 委員長の任期が満了した場合において、後任が任命されないときは、内閣総理大臣は、"
                                    "委員長を任命することができる。\n")
    [m] = [m for m in x.measures if "任期が満了" in m.text]
    labels = {e.key: e.label for e in x.entities}
    assert [labels[k] for k in m.actors] == ["内閣総理大臣"]


def test_a_continuing_aspect_is_ongoing_before_the_plan_period(service, tmp_path: Path) -> None:
    x = _extract(service, tmp_path, "1 計画期間\n\n計画期間を令和8年4月から令和11年3月までの3年間とする。\n\n"
                                    "2 取組\n\nみどり庁は、各府省とも連携し、構造改革に取り組んでいく。\n\n"
                                    "みどり庁は、点検リストを整理する。\n")
    by_text = {m.text.strip(): m for m in x.measures}
    ongoing = next(m for t, m in by_text.items() if t.endswith("取り組んでいく。"))
    period = next(m for t, m in by_text.items() if t.endswith("整理する。"))
    assert [(d.kind, d.text) for d in ongoing.deadlines] == [("ongoing", "取り組んでいく")]
    assert [(d.kind, d.start, d.end) for d in period.deadlines] == [("period", "2026-04-01", "2029-03-31")]


@pytest.mark.parametrize(("text", "kind"), [
    ("規制改革を推進していく。", "ongoing"), ("規制改革を推進してまいります。", "ongoing"),
    ("規制改革を推進していくことが重要である。", None), ("取り組んでいく。次に指針を改定する。", None),
])
def test_continuing_aspect_forms(text: str, kind: str | None) -> None:
    from policygraph.ingest.extract.measures import deadlines_of
    assert [d.kind for d in deadlines_of(text)] == ([kind] if kind else [])


def test_sites_tools_and_devices_of_the_annotation_kinds(service, tmp_path: Path) -> None:
    x = _extract(service, tmp_path, "1 みどり庁は、政府のウェブサイトに申請様式を掲載する。各府省のウェブサイトも活用する。\n\n"
                                    "2 みどり庁は、文書作成支援ツールを試行導入する。分析ツールも使う。\n\n"
                                    "3 みどり庁は、大型X線検査装置を増設する。\n")
    systems = {e.label for e in x.entities if e.type == "System"}
    assert {"政府のウェブサイト", "文書作成支援ツール", "大型X線検査装置"} <= systems
    assert not any(s.startswith("各府省") or s == "分析ツール" for s in systems)


def test_a_prefecture_s_police_is_an_agency_that_acts(service, tmp_path: Path) -> None:
    x = _extract(service, tmp_path, "1 神奈川県警察は、相談窓口の周知を図る。\n\n2 北海道警察官の研修を行う。\n")
    agencies = {e.key: e.label for e in x.entities if e.type == "Agency"}
    assert "神奈川県警察" in agencies.values() and not any("警察官" in v for v in agencies.values())
    first = next(m for m in x.measures if "相談窓口" in m.text)
    assert [agencies[k] for k in first.actors] == ["神奈川県警察"]


def test_treaties_and_courses_named_by_who_attends(service, tmp_path: Path) -> None:
    x = _extract(service, tmp_path, "1 政府は、北洋海域の漁業資源の保全に関する条約に基づき、日・ミドリア経済連携協定を適用する。労使協定を締結する。\n\n"
                                    "2 みどり県公安委員会は、違反者講習の受講を命ずる。試験制度を見直す。\n")
    laws = {e.label for e in x.entities if e.type == "Law"}
    programs = {e.label for e in x.entities if e.type == "Program"}
    assert {"北洋海域の漁業資源の保全に関する条約", "日・ミドリア経済連携協定"} <= laws and "労使協定" not in laws
    assert "違反者講習" in programs and "試験制度" not in programs
