"""Heading paths as a reader cites them (annotation.md: 第3 › 1 › (2) › ア; a statute's
chapter, article, paragraph, item): statute paragraphs and inserted articles, Roman-numbered
parts, a part after a cover letter's list, a contents list without a 目次 heading, and the
numbers HTML and Word print outside the text (an ``<ol>``'s, a numbered heading style's).

The constructed texts follow the shapes of blind tune-half documents; the HTML and Word
files are tune-half documents of the blind set (tests/data/blind/split.json)."""

from __future__ import annotations

from pathlib import Path

from policygraph.ingest.normalise import normalise
from policygraph.ingest.readers import read_file
from policygraph.ingest.sections import breadcrumb, parse_sections

BLIND = Path(__file__).parent / "data" / "blind" / "docs"


def _paths(text: str) -> list[tuple[str, ...]]:
    return [s.path for s in parse_sections(text, normalise(text))]


def test_statute_paragraphs_and_inserted_articles() -> None:
    text = ("第一章 総則\n(帳簿)\n第二十八条 帳簿には、次に掲げる事項を記載する。\n一 氏名\n二 原因\n"
            "２ 前項の帳簿は、三年間保存しなければならない。\n"
            "第二十八条の二 法第十条の規則で定める。\n２ 前項の。\n第二十八条の三 前条。\n第二十九条 前条。\n")
    assert _paths(text) == [
        ("第一章",),
        # its own line is paragraph 1 (第二十八条第1項), items under it
        ("第一章", "第二十八条", "1"), ("第一章", "第二十八条", "1", "一"), ("第一章", "第二十八条", "1", "二"),
        ("第一章", "第二十八条", "2"),  # (not a child of item 二)
        ("第一章", "第二十八条の二", "1"), ("第一章", "第二十八条の二", "2"),  # an inserted article
        # one paragraph is paragraph 1 too (annotation.md: chapter, article, paragraph, item)
        ("第一章", "第二十八条の三", "1"), ("第一章", "第二十九条", "1"),
    ]
    secs = parse_sections(text, normalise(text))
    assert breadcrumb(secs)[("第一章", "第二十八条", "2")] == "総則 › 帳簿"  # the caption stays the article's


def test_roman_parts_a_contents_list_and_a_cover_letters_list() -> None:
    # a contents list printed without 目次, then the parts again with their text
    text = ("Ⅰ 総合戦略について\nⅡ 基本的な視点\nⅢ 総合戦略\n\nⅠ．総合戦略について\n１ 目的\n本文。\n"
            "Ⅱ．基本的な視点\n(1) 強み\n")
    assert _paths(text) == [(), ("I.",), ("I.", "1"), ("II.",), ("II.", "(1)")]
    # a cover letter's numbered points, then the document's own parts and their items
    text = "1. 趣旨\n2. 概要\n第1 一般的事項\n本文。\n第2 留意点\n1 申請者欄\n2 名称欄\n第3-1 戦略\n1 甲\n第3-2 施策\n"
    assert _paths(text)[2:] == [("第1",), ("第2",), ("第2", "1"), ("第2", "2"), ("第3-1",), ("第3-1", "1"), ("第3-2",)]
    # an excerpt that starts at its third part
    assert _paths("Ⅲ．具体的施策\n(1) 声を上げやすい社会\n① 実態把握\nⅣ 推進体制\n") == [
        ("III.",), ("III.", "(1)"), ("III.", "(1)", "①"), ("IV",)]
    # a contents list whose leaders are dashes, under （目次）
    text = "（目次）\n第1章 基本的考え方 ―――――1\n第2章 成長 ――――6\n\n第1章 基本的考え方\n1. 環境\n第2章 成長\n"
    assert [p for p in _paths(text) if p] == [("第1章",), ("第1章", "1."), ("第2章",)]


def test_an_html_ordered_lists_numbers_are_read() -> None:
    text = read_file(BLIND / "guideline_ppc_kenko_joho_ryuijikou.html").text
    # <ol> › <li> as the page numbers its levels: 1 › (1); items that print their own keep them
    assert "1  事業者が健康情報を取り扱うに当たっての基本的な考え方" in text
    assert "(2) 事業者は、健康情報を取り扱うに当たっては" in text
    paths = _paths(text)
    assert ("第3", "7", "(4)") in paths and ("第3", "1", "(2)") in paths


def test_word_numbering_is_printed_before_its_paragraphs() -> None:
    text = read_file(BLIND / "guideline_digital_gif_ds441_nichiji.docx").text
    # numbered heading styles (%1 / %1.%2) and bullet lists, as Word shows them
    assert "# 1 日付及び曜日" in text and "## 1.2 曜日コード" in text and "# 4 期間" in text
    assert "・YYYY-MM-DD/YYYY-MM-DD" in text
    paths = _paths(text)
    assert ("4",) in paths and ("8", "8.2") in paths


def test_a_running_header_is_not_a_contents_list() -> None:
    # a part's title printed again at the top of each page of it (I.はじめに) keeps the
    # headings between (a contents list is lines of numbers and entries only)
    text = "目次\nI.はじめに ....... 1\n1.概要 ....... 2\n\nI.はじめに\n本文である。\n1.概要\n本文である。\nI.はじめに\n2.対象\n本文である。\n"
    assert [p for p in _paths(text) if p] == [("I.",), ("I.", "1."), ("I.", "2.")]


def test_square_bracket_and_double_circle_labels_head_their_parts() -> None:
    """A plan's sheet labels its parts ［現状と課題］ ［具体的な施策］ ◎施策の目標 ［期待される効果］
    (NFKC makes ［］ ASCII brackets); the last item of a list above a label is no title
    over the parts below it."""
    text = ("Ⅲ．総合戦略\n［現状と課題］\n○人口が減っており、対策が求められます。\n［具体的な施策］\n"
            "① 高校の強化\n中学校を訪問し、生徒の確保を図ります。\n◎施策の目標\n"
            "\t重要業績評価指標\t\t現状値\t\t目標値\t\n新規就農者数\t\t－\t\t５年間で３人\t\n"
            "［期待される施策の主な効果］\n◇高校の魅力向上\n◇生徒の確保\n\n［現状と課題］\n○就業の場が不足しています。\n")
    assert _paths(text) == [
        ("III.",), ("III.", "現状と課題"), ("III.", "具体的な施策"), ("III.", "具体的な施策", "①"),
        ("III.", "施策の目標"), ("III.", "期待される施策の主な効果"),
        ("III.", "現状と課題[2]"),  # (not under ◇生徒の確保, the list's last item)
    ]


def test_a_statutes_subsections_are_levels_of_the_path() -> None:
    """第N款 divides a 節 as 節 divides a 章 (個人情報保護法 第六章 第二節 第一款): chapter ›
    section › subsection › article › paragraph; the next 節 closes it."""
    text = ("第六章 監督\n第二節 監督\n第一款 事業者の監督\n第百四十六条 委員会は、報告を求めることができる。\n"
            "２ 前項の職員は、証明書を携帯する。\n第二款 認定団体の監督\n第百五十二条 委員会は、報告を求める。\n"
            "第三節 雑則\n第百六十条 委員会は、公表する。\n")
    assert _paths(text) == [
        ("第六章",), ("第六章", "第二節"), ("第六章", "第二節", "第一款"),
        ("第六章", "第二節", "第一款", "第百四十六条", "1"), ("第六章", "第二節", "第一款", "第百四十六条", "2"),
        ("第六章", "第二節", "第二款"), ("第六章", "第二節", "第二款", "第百五十二条", "1"),
        ("第六章", "第三節"), ("第六章", "第三節", "第百六十条", "1"),
    ]


def test_a_parenthesised_topic_over_prose_heads_its_paragraphs() -> None:
    """A basic policy titles the paragraphs under a numbered heading with a topic in
    parentheses (（防災体制の抜本的強化）); the next topic or number ends it. A statute's
    caption stays no level, also over a 附則's unnumbered text, and a note in parentheses
    (a decision's date) or a parenthesis wrapped onto its own line is no topic."""
    text = ("１．国民の安心・安全の確保\n\n（１）防災・減災の推進\n\n国民の生命を守るため、危機管理体制の強化に取り組む。\n\n"
            "（防災体制の抜本的強化）\n人命最優先の防災立国を実現するため、防災庁を2026年度中に設置する。\n\n"
            "（国土強靱化の推進）\n気候変動に対応し、国土強靱化を進める。\n"
            "（令和７年６月13日閣議決定）\n次の計画を定め、これを推進する。\n"
            "（２）治安の確保\n犯罪対策を進め、\n（別記）\nに定める措置を講ずる。\n")
    assert _paths(text) == [
        ("1.",), ("1.", "(1)"), ("1.", "(1)", "防災体制の抜本的強化"), ("1.", "(1)", "国土強靱化の推進"), ("1.", "(2)"),
    ]
    statute = ("第一条 この規則は、法の施行に関し必要な事項を定める。\n\n附 則\n\n（施行期日）\n\n"
               "この規則は、公布の日から施行する。\n\n（経過措置）\n\n１ この規則の施行前にした行為については、なお従前の例による。\n")
    assert _paths(statute) == [("第一条", "1"), ("附則",), ("附則", "1")]


def test_a_footnote_number_is_no_heading_of_its_level() -> None:
    """A page's footnote (3 2017 年, 国立社会保障…) printed between 2. and 3. is not the
    part its number would continue: the level's numbers print a full stop."""
    text = ("１．はじめに\n本文。\n２．基本的な考え方\n人口は減少する。\n\n3 2017 年, 国立社会保障・人口問題研究所「日本の将来推計人口」\n\n"
            "柔軟に改定することとする。\n３．アナログ規制の見直し\n見直しを進める。\n")
    assert [p for p in _paths(text) if p] == [("1.",), ("2.",), ("3.",)]


def test_page_headers_of_a_local_plan_are_no_chapters() -> None:
    """A municipal plan's PDF prints a chapter's name atop its pages, and sometimes the
    wrong one: over the contents page, over the first page of 第1章, and in the middle of
    a sentence that a page break cut. Its contents list pads page numbers with spaces,
    and sets 第2 節 apart from its number."""
    text = ("村地域防災計画\n\n第２章 災害予防計画\n\n〔目 次〕\n第１章 総 則                       231\n"
            " 第１節 計画策定の目的                231\n 第２節 計画の構成                 231\n"
            "第２章 災害予防計画                   234\n 第１節 住民の心構え                 234\n\n"
            "第２章 災害予防計画\n\n第１章 総 則\n\n第１節 計画策定の目的\n\nこの計画は、村の防災に関し必要な事項を定める。\n"
            "第２節 計画の構成\n村、道及び防災関係機関は、地域並びに住民の生命、身体及び財産を地震による災害から\n\n"
            "第２章 災害予防計画\n保護するため、防災に関する事務を処理する。\n"
            "第２章 災害予防計画\n\n第１節 住民の心構え\n住民は、平常時から備える。\n"
            "第２章 災害予防計画\n第2 節 火災予防計画\n火災を予防する。\n")
    assert [p for p in _paths(text) if p] == [
        ("第1章",), ("第1章", "第1節"), ("第1章", "第2節"), ("第2章",), ("第2章", "第1節"), ("第2章", "第2節"),
    ]


def test_a_kana_level_numbered_in_iroha_order() -> None:
    """A 取扱要領 numbers a level イ, ロ, ハ (the older order of 法令 and 通達), not ア, イ, ウ:
    イ opens the level and ロ follows it."""
    text = ("第１章  許可\n  第一  許可の基準\n    １  基準\n⑴ 第一号関係\n① 購入に不便な場所\n場所である場合。\n"
            "② 距離基準\nイ 距離基準の原則\n距離に達していない場合。\nロ 距離基準の特例\n"
            "⒜ 特定小売販売業の場合\n基準を満たしているものとみなす。\nハ その他\n測定しない。\n")
    assert [p for p in _paths(text) if p][-5:] == [
        ("第1章", "第一", "1", "(1)", "②"), ("第1章", "第一", "1", "(1)", "②", "イ"),
        ("第1章", "第一", "1", "(1)", "②", "ロ"), ("第1章", "第一", "1", "(1)", "②", "ロ", "(a)"),
        ("第1章", "第一", "1", "(1)", "②", "ハ"),
    ]
