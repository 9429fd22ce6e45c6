"""Tables: a PDF's ruled tables are read as rows of cells, and a table row is a unit
whose columns say when it falls due and who acts (a roadmap's fiscal-year columns, a
list's 所管省庁 and 見直し完了時期); slides' symbol-font bullets and noun-ended items;
law names cut at the right place in a statute's amending provisions; tables a PDF's text
layer dumps as lines of cells apart by spaces.

The PDFs are the blind set's tune-half documents (tests/data/blind/split.json); the
roadmap tables are constructed in HTML, the form the HTML reader gives as tab-separated
rows like the PDF reader's."""

from __future__ import annotations

from pathlib import Path

import pytest
from analysed_text import analyse_text, measure_deadline, measure_with

from policygraph.ingest.extract.tables import (
    actor_cells,
    blocks,
    column_fiscal_year,
    rows,
    target_row,
    time_cells,
)
from policygraph.ingest.pipeline import analyse
from policygraph.ingest.readers import read_file

pytestmark = pytest.mark.slow
BLIND = Path(__file__).parent / "data" / "blind" / "docs"
FORM = BLIND / "jimurenraku_mhlw_mf_saibou_sakusei_youryou_h25.pdf"
SLIDES = BLIND / "slides_digital_seisei_ai_chotatsu_guideline_gaiyou.pdf"


def test_pdf_page_in_a_custom_encoded_font_is_read_with_pdfplumber() -> None:
    """A white-paper section whose headings are set in a custom-encoded display face:
    pypdf decodes them into Sinhala/Armenian/Thai letters; the page is read with
    pdfplumber instead, which decodes the same glyphs as Japanese (SOURCES.md notes
    the font; the section's printed title is its 第1節)."""
    import pypdf

    from policygraph.ingest.readers.pdf import _GARBLED

    path = BLIND / "whitepaper_soumu_joho_tsushin_r6_ch4s1.pdf"
    first = pypdf.PdfReader(path).pages[0].extract_text()
    assert len(_GARBLED.findall(first)) > 20  # the case this is about
    text = read_file(path).text
    assert not _GARBLED.search(text)
    assert "AIの進化に伴う課題と現状の取組" in "".join(text.split())
    # no page lost characters: the section is as long as pypdf's reading
    plain = "".join("".join((p.extract_text() or "").split()) for p in pypdf.PdfReader(path).pages)
    assert abs(len("".join(text.split())) - len(plain)) < 0.1 * len(plain)


def test_pdf_text_overprinted_four_times_is_read_once() -> None:
    """A village plan whose headings and table labels are overprinted four times to look
    bold: pypdf gives each character or each phrase four times (重重重重要要要要,
    具体的な施策具体的な施策具体的な施策具体的な施策); such a page is read with pdfplumber's
    dedupe_chars, once (a tune-half document of the blind set)."""
    import pypdf

    path = BLIND / "plan_otoineppu_sogo_senryaku.pdf"
    raw = "".join(p.extract_text() or "" for p in pypdf.PdfReader(path).pages)
    assert "具体的な施策具体的な施策具体的な施策" in raw and "森森森森とととと" in raw  # the case this is about
    text = read_file(path).text
    assert "具体的な施策具体的な施策" not in text and "重重" not in text
    assert "重要業績評価指標" in text
    assert "・新規就農者対策事業\n" in text  # a list item under ＜主な事業＞, whole on its line


def test_pdf_table_rows_keep_their_columns() -> None:
    text = read_file(FORM).text
    lines = text.split("\n")
    # 添付資料一覧: the header and each row, a line of cells in column order
    assert "添付する資料\t細胞\t培地/培地添加物、その他の細胞加工用原材料等" in lines
    assert "起源及び由来、選択理由\t○\t△" in lines
    assert "凍結及び融解操作に伴う安定性\t△\t×" in lines
    # a cell's wrapped lines are one (人細胞組織製品(ヒトに由来する…), not two lines
    assert any(ln.startswith("（1）人細胞組織製品（ヒトに由来する原料又は材料") and "\t（1）採取は医療機関の手術室" in ln
               for ln in lines)
    # the text around the tables stays, in page order
    assert text.index("（別紙）添付資料一覧") < text.index("添付する資料\t細胞") < text.index("○…添付が必要となる資料")


def test_text_after_a_table_keeps_its_statements() -> None:
    from policygraph.ingest.extract.measures import units
    from policygraph.ingest.sections import parse_sections

    text = "# 計画\n\n## 1 工程\n\n取組\t担当\n窓口\t総務省\n\n警察庁は、対策を推進する。\n\n総務省は、指針を策定する。\n"
    got = [(text[u.start : u.end], u.row is not None) for u in units(text, parse_sections(text)) if u.section.path]
    assert got == [("窓口\t総務省", True), ("警察庁は、対策を推進する。", False), ("総務省は、指針を策定する。", False)]


def test_table_rows_and_headers() -> None:
    text = "前文\n施策\t担当府省\t令和7年度\t令和8年度\n相談窓口の設置\t総務省\t○\t\n1\t2\t3\t4\n本文"
    [(a, b)] = blocks(text, 0, len(text))
    assert text[a:b].startswith("施策\t") and text[a:b].endswith("3\t4")
    got = rows(text, 0, len(text))
    assert [text[r.start : r.end] for r in got] == ["相談窓口の設置\t総務省\t○\t", "1\t2\t3\t4"]
    assert got[0].headers == ("施策", "担当府省", "令和7年度", "令和8年度")
    assert column_fiscal_year("令和9年度以降") == (2027, True)


def test_a_header_cell_with_a_note_is_still_a_label() -> None:
    t = ("No.\t題名\t所管省庁名\t実施時期※「令和７年度中」とあるものには、既に試行を始めたものを含む。\n"
         "1\tみどり講習の運用について\tみどり庁\t令和６年６月まで\n")
    [row] = rows(t, 0, len(t))
    assert [t[a:b] for a, b in time_cells(row)] == ["令和６年６月まで"]
    assert [t[a:b] for a, b in actor_cells(row)] == ["みどり庁"]


def test_roadmap_columns_give_deadline_and_actor(service, tmp_path: Path) -> None:
    html = """<html><body><main>
<h1>デジタル手続の推進に関する工程表</h1>
<h2>1 工程</h2>
<table>
<tr><th>取組</th><th>担当府省</th><th>令和7年度</th><th>令和8年度</th><th>令和9年度以降</th></tr>
<tr><td>申請手続のオンライン化</td><td>総務省</td><td>システム改修</td><td></td><td></td></tr>
<tr><td>相談窓口のデジタル化</td><td>厚生労働省</td><td>○</td><td>○</td><td></td></tr>
<tr><td>電子納付の拡大</td><td>デジタル庁</td><td></td><td>順次拡大</td><td>継続</td></tr>
</table>
<h2>2 見直し状況</h2>
<table>
<tr><th>No.</th><th>法令名</th><th>所管省庁名</th><th>見直しの状況（※「未了」のものは新たな見直し完了時期を設定）</th><th>見直し完了時期</th></tr>
<tr><td>1</td><td>道路交通法</td><td>警察庁</td><td>令和5年3月、通達を発出した。</td><td>令和４年度１月～３月</td></tr>
</table>
</main></body></html>"""
    x = analyse_text(service, tmp_path / "roadmap.html", html)
    labels = {e.key: e.label for e in x.entities}

    def measure(word: str):
        [m] = [m for m in x.measures if word in m.text]
        return m, [labels[a] for a in m.actors], [(d.kind, d.start, d.end) for d in m.deadlines]

    m, actors, deadlines = measure("申請手続のオンライン化")
    assert actors == ["総務省"] and deadlines == [("fiscal_year", "2025-04-01", "2026-03-31")]
    assert m.section == ("1",)
    _, actors, deadlines = measure("相談窓口のデジタル化")
    assert actors == ["厚生労働省"] and deadlines == [("period", "2025-04-01", "2027-03-31")]
    _, actors, deadlines = measure("電子納付の拡大")
    assert actors == ["デジタル庁"] and deadlines == [("ongoing", "2026-04-01", None)]
    # the time column, not the date of what was reported done in another column
    _, actors, deadlines = measure("道路交通法")
    assert actors == ["警察庁"] and deadlines == [("period", "2023-01-01", "2023-03-31")]
    # a header row is not a measure
    assert not [m for m in x.measures if "担当府省" in m.text or "所管省庁名" in m.text]


def test_slides_symbol_bullets_and_noun_endings(service) -> None:
    doc = read_file(SLIDES)
    # Wingdings bullets (a private-use character in the text layer) are list bullets
    assert "・ 各府省に新たに設置するAI統括責任者（CAIO）が" in doc.text
    assert not any("\ue000" <= ch <= "\uf8ff" for ch in doc.text)
    [x] = analyse([doc], service.analyzer)
    texts = [m.text for m in x.measures]
    # …リスク管理を総括。 / …ルールを策定・周知。: what the slide says is done, as measures
    assert any("リスク管理を総括" in t for t in texts)
    assert any("利活用ルールを策定・周知" in t for t in texts)
    # a heading ending in a noun is not one (（２）政府における生成AIの推進・ガバナンス体制の構築)
    assert not any(t.strip() == "（２）政府における生成AIの推進・ガバナンス体制の構築" for t in texts)
    # 適用開始時期：令和７年５月に運用開始: the guideline's standing rules run from then
    [cio] = [m for m in x.measures if "リスク管理を総括" in m.text or "利用ルールを策定。" in m.text][-1:]
    assert [(d.kind, d.start) for d in cio.deadlines] == [("ongoing", "2025-05-01")]
    # the board is one agency: its short name (アドバイザリーボード), and its name broken at
    # a line end (…ア / ドバイザリーボード), are not agencies of their own
    boards = [e.label for e in x.entities if e.type == "Agency" and e.label.endswith("ボード")]
    assert boards == ["先進的AI利活用アドバイザリーボード"]
    assert "調達チェックシート" in {e.label for e in x.entities if e.type == "Plan"}


def test_slide_deck_glyph_bullets_and_reported_actions(service) -> None:
    """A ministry's summary deck made in PowerPoint (a tune-half document of the blind
    set): its bullets are glyphs of their own (◼, ⚫, ➢), kept as printed and read as
    bullets, so each item is a unit; an item that ends on a verb's stem after its object
    (…投資戦略をとりまとめ。), on a verbal noun after its goal (…第213回国会に提出。) or on
    an activity under way (…の促進を図っている。) is a measure."""
    doc = read_file(BLIND / "whitepaper_env_kankyo_hakusho_r6_youyaku.pdf")
    assert "◼ 2023年12月" in doc.text and "⚫ また、2023年10月から" in doc.text
    [x] = analyse([doc], service.analyzer)
    texts = [m.text for m in x.measures]
    [strategy] = [t for t in texts if "分野別投資戦略をとりまとめ" in t]
    assert strategy.startswith("◼ 2023年12月") and "2024年2月" not in strategy  # one item, not the next
    assert any(t.rstrip().endswith("第213回国会に提出。") for t in texts)
    [promoted] = [m for m in x.measures if "行動変容の促進を図っている" in m.text]
    assert [(d.kind, d.start) for d in promoted.deadlines] == [("ongoing", "2023-10-01")]


@pytest.mark.parametrize(("sentence", "law"), [
    ("第十七条中農林中央金庫法第五十四条第三項の改正規定", "農林中央金庫法"),
    ("第十条中長期信用銀行法第十三条の二第一項の改正規定", "長期信用銀行法"),
    ("第十二条中銀行法第十六条の二第一項の改正規定", "銀行法"),
    ("第五十五条(がん登録等の推進に関する法律(平成二十五年法律第百十一号)の一部改正)", "がん登録等の推進に関する法律"),
    ("「デジタル社会の形成を図るための関係法律の整備に関する法律(令和三年法律第三十七号)」による。",
     "デジタル社会の形成を図るための関係法律の整備に関する法律"),
    ("地方独立行政法人のうち地方独立行政法人法第二十一条第一号に掲げる業務", "地方独立行政法人法"),
])
def test_law_names_in_amending_provisions(service, sentence: str, law: str) -> None:
    doc = service.analyzer.nlp(sentence)
    assert [e.text for e in doc.ents if e.label_ == "PG_Law"] == [law]


def test_article_split_keeps_a_root(service) -> None:
    """第十条中 alone: the split token was the sentence's root; the parse stays a tree."""
    for text in ("第十条中", "第十七条中農林中央金庫法"):
        doc = service.analyzer.nlp(text)
        roots = [t for t in doc if t.head == t]
        assert roots and all(len(list(t.subtree)) <= len(doc) for t in doc)


def test_amended_law_is_the_same_law(service, tmp_path: Path) -> None:
    x = analyse_text(service, tmp_path / "amend.txt",
                 "第一条 個人情報保護法は、次のとおりとする。\n\n"
                 "第二条 第五十条改正後個人情報保護法第二十七条第二項の規定により届け出なければならない。\n")
    laws = [e for e in x.entities if e.type == "Law"]
    assert [e.label for e in laws] == ["個人情報の保護に関する法律"]
    assert "改正後個人情報保護法" in laws[0].aliases


def test_numbered_agencies_in_a_cell(service) -> None:
    doc = service.analyzer.nlp("所管は①財務省、②国税庁、③④警察庁である。")
    assert [e.text for e in doc.ents if e.label_ == "PG_Agency"] == ["財務省", "国税庁", "警察庁"]


def test_tables_dumped_as_text_are_read_by_their_columns(service, tmp_path: Path) -> None:
    """A PDF's text layer dumps a roadmap as lines of cells apart by wide spaces, the first
    cell wrapped onto the next line: each item is a measure whose actor is its 担当 cell
    and whose deadline its milestone's (●) column gives, carried on by arrows; a table of
    who and when spaced by single spaces reads its 主体 and 時期 cells."""
    x = analyse_text(service, tmp_path / "roadmap.txt", "みどり技術の普及に向けた工程表\n\n令和7年3月\nみどり庁\n\n"
                 "　みどり庁は、下表の工程に沿って施策を講ずる。\n"
                 "　（●：実施・開始時期　→：継続実施）\n\n"
                 "取組事項　担当　令和7年度　令和8年度　令和9年度　令和10年度以降\n\n"
                 "1　普及の推進\n"
                 "(1)技術認定制度の　普及推進課　●認定開始　→　→　→\n"
                 "　運用\n"
                 "(2)栽培体系の　研究調整課　品目別に検討　●策定・公表\n"
                 "　マニュアルの策定\n"
                 "(3)データ基盤の整備　情報政策課　要件定義　開発　●運用開始\n\n"
                 "【参考】数値目標\n　2030年までに、普及率を5割とする。\n")
    assert measure_deadline(measure_with(x, "●認定開始")) == ("ongoing", "2025-04-01", None)
    assert measure_deadline(measure_with(x, "●策定・公表")) == ("fiscal_year", "2026-04-01", "2027-03-31")
    assert measure_deadline(measure_with(x, "●運用開始")) == ("fiscal_year", "2027-04-01", "2028-03-31")
    m = measure_with(x, "●認定開始")
    assert [e.label for e in x.entities if e.key in m.actors] == ["普及推進課"] and "運用" in m.text
    y = analyse_text(service, tmp_path / "plan.txt", "みどり県観光アクションプラン\n\n"
                 "プロジェクト1　誘客の強化\n取組 主体 時期\n"
                 "①旅行博への 県（観光振興課） R7～R8\n　出展\n"
                 "②観光案内板 市町村 随時\n　の整備\n"
                 "※　時期欄の「随時」は必要に応じて実施するものを示す。\n")
    assert measure_deadline(measure_with(y, "旅行博")) == ("period", "2025-04-01", "2027-03-31")
    assert measure_deadline(measure_with(y, "観光案内板")) == ("ongoing", None, None)


ROADMAP = BLIND / "roadmap_cao_uchu_kihon_keikaku_kouteihyou_r6.pdf"


def _pages(path: Path, numbers: list[int]) -> bytes:
    """A PDF of some pages of ``path`` (0-based), as pypdf writes them."""
    import io

    import pypdf

    reader, writer = pypdf.PdfReader(path), pypdf.PdfWriter()
    for n in numbers:
        writer.add_page(reader.pages[n])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_roadmap_text_over_its_year_grid_is_not_cut_at_the_grid() -> None:
    """The 宇宙基本計画工程表 prints its items over a grid of year columns: a line of text
    runs on across the columns' edges.  Cut at each edge, its lines interleaved (・スペースポ
    科学省、経済産 / ートや、次世代業省…), which made agencies of スペースポ科学省; read as
    one, each item is whole, with its agencies (a tune-half document of the blind set)."""
    from policygraph.ingest.readers import read_bytes

    text = read_bytes(_pages(ROADMAP, [12, 50]), "roadmap.pdf").text
    flat = "".join(text.split())
    assert "スペースポ科学省" not in flat and "次世代業省" not in flat
    assert "射場・スペースポートや、次世代技術の実験場整備に関する必要な対応の実施" in flat
    assert "[内閣府、文部科学省、経済産業省、国土交通省、防衛省等]" in flat
    # a caption over two cells of a white paper's figure is one line too
    assert any(ln.startswith("図表1-1 令和2年12月から令和5年12月までの能登地方における月別最大震度別地震回数")
               for ln in read_bytes(_pages(BLIND / "whitepaper_cao_bousai_r6_tokushu2_ch1.pdf", [2]), "w.pdf")
               .text.split("\n"))


def test_roadmap_bars_give_the_years_an_item_runs(service) -> None:
    """Where a roadmap draws an item's years as a bar (a filled arrow over the year
    columns) and prints no date, the columns the bar runs through are its years (→ in
    the cells), as a reader of the page sees them: to the last column (令和15年度以降) it
    runs on; a bar that stops in 令和7年度 is a period; a bar drawn inside a group's box
    counts, not the box.  The bar's bracket of agencies names who acts."""
    from policygraph.ingest.readers import read_bytes

    doc = read_bytes(_pages(ROADMAP, [50, 52]), "roadmap.pdf")
    lines = doc.text.split("\n")
    [centre] = [ln for ln in lines if "官民共創推進系開発センターの整備" in ln]
    assert centre.split("\t")[2:5] == ["→", "→", ""]  # 令和5年度 (its label), 6, 7; not 8
    [x] = analyse([doc], service.analyzer)
    labels = {e.key: e.label for e in x.entities}

    def measure(words: str):
        [m] = [m for m in x.measures if words in "".join(m.text.split())]
        return [(d.kind, d.start, d.end) for d in m.deadlines], [labels[a] for a in m.actors]

    assert measure("官民共創推進系開発センターの整備")[0] == [("period", "2023-04-01", "2026-03-31")]
    assert measure("宇宙輸送事業の実現・競争力強化に必要な技術研究等")[0] == [("ongoing", "2023-04-01", None)]
    assert measure("②低コスト化の実現を目指した技術開発")[0] == [("period", "2023-04-01", "2028-03-31")]
    deadlines, actors = measure("ＬＴＳガイドラインの普及推進")
    assert deadlines == [("ongoing", "2023-04-01", None)] and actors == ["内閣府", "外務省", "文部科学省"]


def test_a_header_of_two_lines_and_a_table_of_targets() -> None:
    """A KPI table: its header's second line notes each column's year (a PDF's merged cells
    put the labels one column right of the values); each row sets a target, a
    commitment of the plan (annotation.md), whose year is the target column's."""
    t = ("\t重要業績評価指標\t\t\t現状値\t\t\t目標値\t\n\t（ＫＰＩ）\t\t\t（2014年度）\t\t\t（2019年度）\t\n"
         "新規就農者数\t\t\t－\t\t\t５年間で３人\t\t\n")
    [row] = rows(t, 0, len(t))
    assert t[row.start : row.end].startswith("新規就農者数")
    assert [h for h in row.headers if h] == ["重要業績評価指標(KPI)", "現状値(2014年度)", "目標値(2019年度)"]
    assert target_row(row, t) == "目標値(2019年度)"
    plain = "項目\t担当\n窓口の設置\t総務省\n"
    assert all(target_row(r, plain) is None for r in rows(plain, 0, len(plain)))


def test_kpi_rows_of_a_plan_are_measures_due_in_the_target_year(service, tmp_path: Path) -> None:
    x = analyse_text(service, tmp_path / "plan.txt", (
        "第1 施策\n1 就農の支援\n新規就農者の育成を支援します。\n◎施策の目標\n"
        "\t重要業績評価指標\t\t\t現状値\t\t\t目標値\t\n\t（ＫＰＩ）\t\t\t（2014年度）\t\t\t（2019年度）\t\n"
        "新規就農者数\t\t\t－\t\t\t５年間で３人\t\t\n農業後継者数\t\t\t１人\t\t\t年２人\t\t\n"))
    for words in ("新規就農者数", "農業後継者数"):
        assert measure_deadline(measure_with(x, words)) == ("fiscal_year", "2019-04-01", "2020-03-31")
    assert not [m for m in x.measures if "ＫＰＩ" in m.text or "KPI" in m.text]


def test_an_action_plan_table_gives_each_row_its_actors_deadline_and_number(service) -> None:
    """An action plan printed as a ruled table (項目 · 行動内容 · 期限 · 担当府省庁等) under
    shaded group rows: the shading is no roadmap's bar (no → in the text), each header
    label heads its column though the PDF draws it one grid line off, a season in the 期限
    column is the end the row is due by, 実施中 is a continuing activity, the 担当 column
    names who acts, and the row's number ends its heading path (１．… › (1))."""
    doc = read_file(BLIND / "plan_mof_aml_cft_cpf_koudou_keikaku.pdf")
    assert "→" not in doc.text
    [x] = analyse([doc], service.analyzer)
    names = {e.key: e.label for e in x.entities}
    first = measure_with(x, "犯罪収益移転危険度調査書を刷新する")
    assert first.section[-1] == "(1)" and len(first.section) == 2
    assert measure_deadline(first) == ("by", None, "2021-12-31")  # 令和3年末
    assert {"警察庁", "財務省", "金融庁", "法務省", "外務省"} <= {names[a] for a in first.actors}
    assert measure_deadline(measure_with(x, "国の政策を策定する。")) == ("by", None, "2022-05-31")  # 令和4年春
    assert measure_deadline(measure_with(x, "国境での現金の差し止め")) == ("ongoing", None, None)  # 実施中
    assert {names[a] for a in measure_with(x, "国境での現金の差し止め").actors} == {"財務省"}


def test_a_time_in_a_clause_that_qualifies_a_noun_is_not_the_sentences(service, tmp_path: Path) -> None:
    """2030年度までに…を実現する地域を2025年度までに選定する: 2030 times what the regions
    are to achieve, the selection is due in 2025; alone, a time in such a clause stays."""
    x = analyse_text(service, tmp_path / "plan.txt",
                     "１．地域の脱炭素\n（１）先行地域\n"
                     "・2030年度までに民生部門の電力消費に伴うCO2排出の実質ゼロを実現する地域を、2025年度までに少なくとも100か所選定する。\n"
                     "・2030年度までに脱炭素を実現する地域の取組を支援する。\n")
    assert measure_deadline(measure_with(x, "100か所選定")) == ("by", None, "2026-03-31")
    assert measure_deadline(measure_with(x, "地域の取組を支援")) == ("by", None, "2031-03-31")
