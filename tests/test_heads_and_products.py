"""Names general to any policy text (annotation.md), on constructed sentences: the Cabinet
and the Diet by the words statutes use for them, the head of a local government as an alias
of it, widely used software and devices as systems, meeting formats that are not bodies,
and equipment named as the means of an act inside a list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from analysed_text import analyse_text

pytestmark = pytest.mark.slow


def _names(service: Any, path: Path, text: str) -> dict[str, tuple[str, set[str]]]:
    """``text`` analysed as a document: each entity's label → (type, the texts its
    mentions print)."""
    x = analyse_text(service, path, text)
    printed: dict[str, set[str]] = {}
    for m in x.mentions:
        printed.setdefault(m.entity, set()).add(x.doc.text[m.start : m.end])
    return {e.label: (e.type, printed.get(e.key, set())) for e in x.entities}


def test_the_cabinet_and_the_diet(service, tmp_path: Path) -> None:
    names = _names(service, tmp_path / "statute.txt",
                   "第五条　内閣は、基本方針の案を作成し、閣議の決定を求めなければならない。\n"
                   "第六条　前条の承認については、両議院の同意を得なければならない。\n")
    assert names["内閣"][0] == "Agency" and {"内閣", "閣議"} <= names["内閣"][1]
    assert names["国会"] == ("Agency", {"両議院"})
    assert "内閣府" not in {t for t, _ in names.values()}


def test_the_head_of_a_local_government_is_an_alias_of_it(service, tmp_path: Path) -> None:
    names = _names(service, tmp_path / "local.txt",
                   "1　東京都は、相談体制を整備する。東京都知事は、毎年度、実施状況を公表する。\n"
                   "2　横浜市は、見守り活動を支援する。横浜市長は、関係団体に協力を求める。\n"
                   "3　横浜市長期計画に基づき、事業を進める。\n")
    assert "東京都知事" not in names and "東京都知事" in names["東京都"][1]
    assert names["横浜市"][0] == "Agency" and any(p.startswith("横浜市") for p in names["横浜市"][1])
    # 長期 after a city's name is not its head: 横浜市長期計画 is a plan, not the mayor's
    assert all("長期" not in p for t, ps in names.values() if t == "Agency" for p in ps)


def test_software_and_devices_in_use_are_systems(service, tmp_path: Path) -> None:
    names = _names(service, tmp_path / "office.txt",
                   "1　職員は、Windowsのパソコン及びiPhoneを業務に使用し、ChatGPT等の生成AIサービスを"
                   "利用する場合は上長の承認を得る。\n"
                   "2　総務課は、Microsoft Excelで台帳を管理し、ZoomやMicrosoft Teamsによるウェブ会議を開催する。\n")
    for product in ("Windows", "iPhone", "ChatGPT", "Microsoft Excel", "Zoom", "Microsoft Teams"):
        assert names[product][0] == "System", product
    # how people meet is not a body that meets
    assert "ウェブ会議" not in names and names["総務課"][0] == "Agency"


def test_equipment_named_as_the_means_of_an_act(service, tmp_path: Path) -> None:
    names = _names(service, tmp_path / "plan.txt",
                   "1　停電に備え、衛星携帯電話などにより、孤立地域の住民との情報連絡体制を確保する。\n"
                   "2　点検は、小型カメラやドローンにより対象を撮影して行う。\n"
                   "3　防犯カメラにより撮影された映像を収集する。\n")
    assert names["衛星携帯電話"][0] == "System"
    assert names["ドローン"][0] == "System"
    assert "防犯カメラ" not in names  # what recorded the footage, not equipment a measure uses


def test_a_list_of_projects_names_programmes(service, tmp_path: Path) -> None:
    """Under a plan's ＜主な事業＞, an item that is a project's name and nothing else is a
    programme by the whole item (の and all); an item that says something is not a name."""
    names = _names(service, tmp_path / "strategy.txt",
                   "① 新規就農者の育成強化\n農業の振興に向け、様々な助成制度を活用します。\n＜主な事業＞\n"
                   "・新規就農者対策事業\n・卒業生のＵターン促進事業\n・Wi-Fi環境の整備事業（公共施設）\n"
                   "・近隣の町と連携した学校紹介、入学案内事業。\n")
    for name in ("新規就農者対策事業", "卒業生のUターン促進事業", "Wi-Fi環境の整備事業"):
        assert names[name][0] == "Program", name
    assert not any(label.startswith("近隣の町") for label in names)  # a statement, not a name


def test_issuers_side_by_side_and_former_ministry_names(service, tmp_path: Path) -> None:
    names = _names(service, tmp_path / "table.txt",
                   "347　適正な電力取引についての指針　平成11年12月20日公正取引委員会通商産業省　"
                   "公正取引委員会、経済産業省\n"
                   "348　平成12年7月14日付厚生省医薬安全局審査管理課長通知を参照すること。\n")
    assert not any(label.startswith("公正取引委員会") and label != "公正取引委員会" for label in names)
    assert names["経済産業省"] == ("Agency", {"経済産業省", "通商産業省"})
    assert "厚生労働省" in names and "厚生省" not in names  # the former name is the ministry that continues it


def test_english_name_and_abbreviation_in_parentheses_are_aliases(service, tmp_path: Path) -> None:
    from analysed_text import analyse_text

    x = analyse_text(service, tmp_path / "gif.txt",
                     "本フレームワークは、正式名を政府相互運用性フレームワーク（Government Interoperability Framework：GIF）"
                     "とする。GIFは、継続的に改善する。データ連携基盤（Data Linkage Platform）を整備する。\n")
    aliases = {e.label: set(e.aliases) for e in x.entities}
    assert {"GIF", "Government Interoperability Framework"} <= aliases["政府相互運用性フレームワーク"]
    assert "Data Linkage Platform" in aliases["データ連携基盤"]


def test_organisations_named_in_english(service, tmp_path: Path) -> None:
    names = _names(service, tmp_path / "intl.txt",
                   "1　Secure World Foundation（SWF）等の民間団体と連携する。\n"
                   "2　Digital Agencyは、ガイドラインを策定する。\n")
    assert names["Secure World Foundation"] == ("Agency", {"Secure World Foundation", "SWF"})
    assert names["デジタル庁"][1] == {"Digital Agency"}  # the reference's English name finds the same organ


def test_a_short_name_the_text_gives_as_such_is_an_alias(service, tmp_path: Path) -> None:
    names = _names(service, tmp_path / "imi.txt",
                   "1　法人番号を中心とする法人番号公表サイト（通称NTA）の機能を拡充する。NTAは、継続的に改善する。\n")
    assert names["法人番号公表サイト"][1] == {"法人番号公表サイト", "NTA"}


def test_a_rule_names_its_law_s_order_and_its_instruments(service, tmp_path: Path) -> None:
    """An order named after its law (…に関する法律施行令) is a law of its own, not the law;
    a measuring instrument a rule prescribes (騒音計を用いて測定する) is equipment in use."""
    names = _names(service, tmp_path / "rule.txt",
                   "第四条　風俗営業等の規制及び業務の適正化等に関する法律施行令（以下「令」という。）第三条の"
                   "状態は、次のとおりとする。\n"
                   "第五条　前条の方法は、計量法第七十一条の条件に合格した騒音計を用いて行う騒音レベルの測定方法とする。\n")
    assert names["風俗営業等の規制及び業務の適正化等に関する法律施行令"][0] == "Law"
    assert "風俗営業等の規制及び業務の適正化等に関する法律" not in names  # (only its order is printed)
    assert names["騒音計"] == ("System", {"騒音計"})



def test_what_is_glued_in_front_of_a_name_is_not_part_of_it(service, tmp_path: Path) -> None:
    """A date in kanji before a rule's issuer (令和七年五月二六日国家公安委員会規則), a formal
    noun ending the phrase before (…をはじめ地域包括支援センター), and an act run together
    with a known organ (横展開デジタル庁, as a table's cells read) are not part of the name."""
    names = _names(service, tmp_path / "glued.txt",
                   "附　則　（令和七年五月二六日国家公安委員会規則第一〇号）\n\nこの規則は、公布の日から施行する。\n\n"
                   "地域の関係機関をはじめ地域包括支援センターと連携する。\n\n各府省への横展開デジタル庁が行う。\n")
    agencies = {label for label, (type_, _) in names.items() if type_ == "Agency"}
    assert {"国家公安委員会", "地域包括支援センター", "デジタル庁"} <= agencies
    assert not [a for a in agencies if a.startswith(("令和", "はじめ", "横展開"))]
