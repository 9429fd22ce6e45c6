"""Real public documents of kinds the sample corpus lacks (tests/data/public/README.md):
two statutes as e-Gov law XML, a cabinet plan, an agency guideline, a 告示 and a budget
request.  Nothing in the code knows them; these tests check that what an analyst would
expect comes out: the structure as printed, the agencies, systems and laws named, the
deadlines — and none of the noise such documents invite (Markdown anchors read as
systems, a law's number read as a law, 共通基盤 taken for the police platform)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policygraph.core.errors import IngestError, UnsupportedFormat
from policygraph.ingest.pipeline import analyse
from policygraph.ingest.readers import read_bytes, read_file

PUBLIC = Path(__file__).parent / "data" / "public"
BLIND = Path(__file__).parent / "data" / "blind" / "docs"


@pytest.fixture(scope="module")
def extracted(service):  # the session service has GiNZA loaded
    docs = [read_file(f) for f in sorted(PUBLIC.iterdir()) if f.name != "README.md"]
    return {x.doc.source: x for x in analyse(docs, service.analyzer)}


def _labels(x, type_, generic=None):
    return {e.label for e in x.entities if e.type == type_ and (generic is None or e.generic == generic)}


def _paths(x):
    return {s.path: s for s in x.sections}


def _deadlines(x):
    return [d for m in x.measures for d in m.deadlines]


@pytest.mark.slow
def test_statute_from_egov_xml(extracted) -> None:
    x = extracted["gyosei_tetsuzuki_hou.egov.xml"]
    assert x.doc.format == "egov-xml"
    assert (x.meta.title, x.meta.doc_type, x.meta.numbers[:1]) == ("行政手続法", "法令", ("平成五年法律第八十八号",))
    paths = _paths(x)
    # the caption printed above the article; its own line is paragraph 1 (第一条第1項), a ２ follows
    assert paths[("第一章", "第一条", "1")].title == "目的等" and ("第一章", "第一条", "2") in paths
    assert ("第一章", "第二条", "1", "一") in paths and ("第三章", "第二節") in paths and ("附則",) in paths
    assert sum(1 for p in paths if p == ("第一章",)) == 1  # the 目次 is not a second chapter 1
    laws = {e.label: e for e in x.entities if e.type == "Law"}
    assert laws["国家行政組織法"].egov_id == "323AC0000000120"  # kanji numerals: 昭和二十三年法律第百二十号
    assert laws["内閣府設置法"].egov_id == "411AC0000000089"
    assert laws["行政不服審査法"].egov_id == "426AC0000000068"
    assert not [n for n in laws if re.match(r"(?:明治|大正|昭和|平成|令和)", n)]  # a number is not a name
    assert "行政庁" in _labels(x, "Agency", generic=True)
    duties = [m for m in x.measures if m.section[:2] == ("第二章", "第七条")]
    assert duties and any(d.kind == "promptly" for m in duties for d in m.deadlines)  # 遅滞なく


@pytest.mark.slow
def test_every_section_path_is_unique_and_graphs_conform(extracted, service) -> None:
    from pyshacl import validate
    from rdflib import Graph

    from policygraph.graph.build import document_graph
    from policygraph.ontology.gazetteer import ontology_path, shapes_path

    for name, x in extracted.items():
        paths = [s.path for s in x.sections if s.path]
        assert len(paths) == len(set(paths)), name  # a section IRI per section
    statute = extracted["fusei_access_kinshi_hou.egov.xml"]
    assert ("附則(平成一一年一二月二二日法律第一六〇号)", "第一条", "1") in _paths(statute)  # an amendment's own 附則
    ok, _, report = validate(document_graph(statute, service.iris), shacl_graph=Graph().parse(shapes_path()),
                             ont_graph=Graph().parse(ontology_path()), inference="rdfs")
    assert ok, report


@pytest.mark.slow
def test_statute_from_the_egov_api_response(extracted) -> None:
    x = extracted["fusei_access_kinshi_hou.egov.xml"]
    assert x.meta.title == "不正アクセス行為の禁止等に関する法律"
    assert x.meta.numbers[:1] == ("平成十一年法律第百二十八号",)
    assert ("第二条", "4", "一") in _paths(x)
    assert {"国家公安委員会"} <= _labels(x, "Agency") and "都道府県公安委員会" in _labels(x, "Agency", generic=True)
    police_law = next(e for e in x.entities if e.label == "警察法")
    assert police_law.egov_id == "329AC0000000162"
    actors = [m.actor_text for m in x.measures if m.actor_text]
    assert "第三条の規定に違反した者" in actors  # its article number (第十一条) is not part of it
    assert not [a for a in actors if re.match(r"(?:第[一二三四五六七八九十]+条|[0-9]+)\s", a)]


@pytest.mark.slow
def test_cabinet_plan(extracted) -> None:
    x = extracted["base_registry_seibi_kaizen_keikaku_2025.md"]
    assert x.meta.title.startswith("公的基礎情報データベース") and x.meta.doc_type == "計画"
    assert x.meta.date == "2025-06-13"
    tops = [s.path[0] for s in x.sections if len(s.path) == 1]
    assert [t for t in tops if t.startswith("第")] == ["第1", "第2", "第3", "第4", "第5", "第6"]  # not eaten by 目次
    assert ("第3", "1.", "(2)", "①", "ア") in _paths(x)
    assert {"デジタル庁", "法務省", "国税庁"} <= _labels(x, "Agency")
    assert {"デジタル社会形成基本法", "不動産登記法"} <= _labels(x, "Law")  # named without their numbers
    assert "警察共通基盤" not in _labels(x, "System")  # サービスの共通基盤 is not the police platform
    assert "法人ベース・レジストリ・システム" in _labels(x, "System")
    ds = _deadlines(x)
    assert any(d.kind == "fiscal_year" and (d.start, d.end) == ("2025-04-01", "2026-03-31") for d in ds)
    assert any(d.kind == "by" and d.end == "2030-03-31" for d in ds)  # 令和11年度まで


@pytest.mark.slow
def test_agency_guideline_in_markdown(extracted) -> None:
    x = extracted["ds465-1_datamanagement_guidebook_intro.md"]
    assert x.meta.title.startswith("データマネジメント実践ガイドブック") and "omit" not in x.meta.title
    assert x.meta.date == "2022-03-31"
    paths = _paths(x)
    assert paths[("1.", "1.3.", "1.3.1.")].title == "オープンデータの推進"  # dotted numbers nest
    assert ("2.", "2.2.", "2.2.3.") in paths
    systems, agencies = _labels(x, "System"), _labels(x, "Agency")
    assert not [s for s in systems if s.startswith("#")]  # Markdown anchors (#131) are not short dials
    assert not [a for a in agencies if re.match(r"[0-9]|よう", a)]  # nor link targets (#16-府省庁…)
    assert {"デジタル庁", "環境省"} <= agencies and "府省庁" in _labels(x, "Agency", generic=True)
    assert "デジタル社会の実現に向けた重点計画" in _labels(x, "Plan")
    assert not [d for d in _deadlines(x) if "導入編" in d.text]  # 【導入編について】 is a label, not a deadline


@pytest.mark.slow
def test_notice_and_budget_request(extracted) -> None:
    kokuji = extracted["base_registry_shitei_kokuji_r5.md"]
    assert kokuji.meta.date == "2023-07-07" and ("三",) in _paths(kokuji)
    assert {"デジタル庁", "法務省", "国税庁"} <= _labels(kokuji, "Agency")
    budget = extracted["digital_cho_r4_gaisan_yokyu.md"]
    titles = {s.title for s in budget.sections}
    assert "デジタル庁の運営に関する経費" in titles and "デジタル庁" in _labels(budget, "Agency")
    assert "マイナンバーカード" in _labels(budget, "System")


def test_egov_xml_reader_refuses_what_is_not_a_law() -> None:
    with pytest.raises(UnsupportedFormat):
        read_bytes(b'<?xml version="1.0"?><rss><channel/></rss>', "feed.xml")
    bomb = (b'<?xml version="1.0"?><!DOCTYPE Law [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b"<Law><LawNum>x</LawNum><LawBody><LawTitle>&b;</LawTitle></LawBody></Law>")
    with pytest.raises(UnsupportedFormat):
        read_bytes(bomb, "bomb.xml")
    with pytest.raises(IngestError):
        read_bytes(b'<?xml version="1.0"?><Law><LawBody><LawTitle>x</LawTitle>', "cut.xml")


def test_egov_xml_reader_renders_the_printed_layout() -> None:
    xml = ('<?xml version="1.0" encoding="UTF-8"?><Law Era="Reiwa" Num="1" Year="01"><LawNum>令和元年法律第一号</LawNum>'
           "<LawBody><LawTitle>試験法</LawTitle><MainProvision><Chapter Num=\"1\"><ChapterTitle>第一章　総則</ChapterTitle>"
           "<Article Num=\"1\"><ArticleCaption>（目的）</ArticleCaption><ArticleTitle>第一条</ArticleTitle>"
           "<Paragraph Num=\"1\"><ParagraphNum/><ParagraphSentence><Sentence>この法律は、<Ruby>試<Rt>し</Rt></Ruby>験を定める。"
           "</Sentence></ParagraphSentence></Paragraph><Paragraph Num=\"2\"><ParagraphNum>２</ParagraphNum>"
           "<ParagraphSentence><Sentence>国は、次に掲げる事項を行う。</Sentence></ParagraphSentence>"
           "<Item Num=\"1\"><ItemTitle>一</ItemTitle><ItemSentence><Sentence>調査</Sentence></ItemSentence></Item>"
           "</Paragraph></Article></Chapter></MainProvision>"
           "<SupplProvision><SupplProvisionLabel>附　則</SupplProvisionLabel><Paragraph Num=\"1\"><ParagraphNum/>"
           "<ParagraphSentence><Sentence>この法律は、公布の日から施行する。</Sentence></ParagraphSentence></Paragraph>"
           "</SupplProvision></LawBody></Law>")
    doc = read_bytes(xml.encode(), "shiken.xml")
    assert doc.format == "egov-xml"
    assert doc.text.splitlines() == [
        "試験法", "（令和元年法律第一号）", "", "第一章　総則", "", "（目的）", "第一条　この法律は、試験を定める。",
        "２　国は、次に掲げる事項を行う。", "一　調査", "", "附　則", "", "この法律は、公布の日から施行する。"]


def test_egov_api_v2_response_is_read_as_its_law(tmp_path: Path) -> None:
    """法令API version 2 answers ``<law_data_response>``: law and revision info, a list of
    attached files (kilobytes of it before the law), then ``<law_full_text><Law>``."""
    from policygraph.service.writes import expand

    law = (PUBLIC / "fusei_access_kinshi_hou.egov.xml").read_text(encoding="utf-8")
    law = law[law.index("<Law ") : law.rindex("</Law>") + len("</Law>")]
    files = "".join(f"<attached_file><src>./pict/{i:04d}.pdf</src></attached_file>" for i in range(120))
    v2 = (f"<law_data_response><attached_files_info><attached_files>{files}</attached_files></attached_files_info>"
          "<law_info><law_num>平成十一年法律第百二十八号</law_num></law_info>"
          f"<revision_info><law_title>不正アクセス行為の禁止等に関する法律</law_title></revision_info>"
          f"<law_full_text>{law}</law_full_text></law_data_response>")
    assert v2.index("<Law ") > 4096
    plain = read_bytes((PUBLIC / "fusei_access_kinshi_hou.egov.xml").read_bytes(), "a.xml")
    doc = read_bytes(v2.encode(), "b.xml")
    assert doc.format == "egov-xml" and doc.text == plain.text
    (tmp_path / "law_v2.xml").write_text(v2, encoding="utf-8")
    assert [p.name for p in expand([tmp_path])] == ["law_v2.xml"]


def test_folder_ingest_takes_law_xml_and_leaves_other_xml(tmp_path: Path) -> None:
    from policygraph.service.writes import expand

    (tmp_path / "law.xml").write_bytes((PUBLIC / "fusei_access_kinshi_hou.egov.xml").read_bytes())
    (tmp_path / "settings.xml").write_text('<?xml version="1.0"?><config/>', encoding="utf-8")
    assert [p.name for p in expand([tmp_path])] == ["law.xml"]


def test_egov_law_page_in_html_is_read_whole() -> None:
    """e-Gov's HTML page of a law (the tune half's 風営法施行規則): its number, title, 制定文,
    目次, 本則, every 附則 and 別記, as the e-Gov XML reader gives them; the 本則 alone
    (#MainProvision) left out 30,000 characters of 附則."""
    text = read_file(BLIND / "statute_npsc_fueiho_shikou_kisoku.html").text
    head = text[:400]
    assert "昭和六十年国家公安委員会規則第一号" in head and "風俗営業等の規制及び業務の適正化等に関する法律施行規則" in head
    assert text.index("を次のように定める。") < text.index("目次") < text.index("（許可申請書等の提出）")
    assert text.count("附 則") >= 100  # the original and every amending rule's (附\u3000則, spaces closed)
    assert "別記様式第４９号（第１０９条関係）" in text

