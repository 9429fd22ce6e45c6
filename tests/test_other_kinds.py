"""Documents of kinds the sample corpus lacks (a statute, a cabinet plan in Markdown,
an agency guideline in HTML): sections, agencies, systems, laws and deadlines come out
sensibly.  The documents are constructed in those forms (tests/data/kinds/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from analysed_text import analyse_text as _analyse_text

from policygraph.ingest.pipeline import analyse
from policygraph.ingest.readers import read_file

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


def test_equipment_is_a_system_only_where_a_measure_uses_it(service, tmp_path: Path) -> None:
    x = _analyse_text(service, tmp_path / "equipment.txt",
        "機材の整備について（通達）\n\n1 方針\n"
        "(1) 警察庁は、ドローンの効果的な運用を推進する。\n"
        "(2) 都道府県警察は、防犯カメラ映像の収集を効率化する。\n"
        "(3) 押収されたスマートフォン端末等の解析を円滑化する。\n"
        "(4) 電気通信事業者に対して、着信を拒否する端末（特殊詐欺対策アダプタ等）の普及を要請する。\n")
    systems = _labels(x, "System")
    assert {"ドローン", "特殊詐欺対策アダプタ"} <= systems
    assert not {"防犯カメラ", "スマートフォン端末"} & systems  # named in passing, not deployed
    assert all(m.entity in {e.key for e in x.entities} for m in x.mentions)


def test_roles_and_issuers_in_law_numbers_are_not_units(service, tmp_path: Path) -> None:
    x = _analyse_text(service, tmp_path / "roles.txt",
        "照会の要領について（通達）\n\n1 照会\n"
        "(1) 運転免許課長は、他の都道府県警察の行政処分担当課長に対し、照会を行うこと。\n"
        "(2) 交通部各課は、弁明の機会の付与に関する規則（平成6年国家公安委員会規則第27号）に従い行うこと。\n"
        "(3) 警察庁交通局運転免許課は、国家公安委員会に報告する。\n"
        "(4) 転出先の警察署は、手配登録を行った公安委員会（以下「手配公安委員会」という。）に連絡し、"
        "手配公安委員会は、手配登録を解除する。\n")
    units = {e.label for e in x.entities if e.type == "Agency" and not e.generic}
    roles = {e.label for e in x.entities if e.type == "Agency" and e.generic}
    assert {"行政処分担当課", "交通部各課", "手配公安委員会"} <= roles
    assert not {"行政処分担当課", "交通部各課", "手配公安委員会"} & units
    assert "警察庁交通局運転免許課" in units
    # named once inside a law number (no entity from that) and once as the one reported to
    cited = [m for m in x.mentions if m.surface == "国家公安委員会"]
    assert len(cited) == 1 and x.doc.text[cited[0].end:cited[0].end + 2] == "に報"


def test_collective_definitions_take_their_own_members(service, tmp_path: Path) -> None:
    x = _analyse_text(service, tmp_path / "collectives.txt",
        "体制の見直しについて（通達）\n\n1 体制\n"
        "(1) 都道府県警察並びに管区警察局情報通信部及び都道府県情報通信部（以下「都道府県警察等」という。）"
        "は、連携を強化する。\n"
        "(2) 管区警察局情報通信部及び都道府県情報通信部（以下「地方機関情報通信部」という。）の役割を整理する。\n"
        "(3) 地方機関情報通信部は、都道府県警察等に対する支援を行う。\n")
    by_label = {e.label: e for e in x.entities}
    chiho = by_label["地方機関情報通信部"]
    assert {"管区警察局情報通信部", "都道府県情報通信部"} <= set(chiho.aliases)  # the smaller collective
    assert not {"管区警察局情報通信部", "都道府県情報通信部", "都道府県警察"} & set(by_label["都道府県警察等"].aliases)
    assert "都道府県警察" in by_label  # reference data keeps its own entity
    assert any(m.surface == "都道府県警察" and m.entity == by_label["都道府県警察"].key for m in x.mentions)


def test_units_listed_after_a_full_path_are_units_of_its_bureau(service, tmp_path: Path) -> None:
    text = ("平成26年12月28日付薬食審査発1228第27号厚生労働省医薬食品局審査管理課長通知及び"
            "医薬審発第1552号厚生労働省医薬局審査管理課長・安全対策課長・監視指導・麻薬対策課長通知を参照すること。")
    x = _analyse_text(service, tmp_path / "units.txt", "通知の整理について\n\n1 参照\n(1) " + text + "\n")
    agencies = {e.label: e for e in x.entities if e.type == "Agency"}
    assert {"厚生労働省医薬局安全対策課", "厚生労働省医薬局監視指導・麻薬対策課", "厚生労働省医薬食品局審査管理課"} <= set(agencies)
    assert "安全対策課長" in agencies["厚生労働省医薬局安全対策課"].aliases
    assert not [a for a in agencies if "号" in a or a.startswith("付")]  # no document number glued on
    # the same through GiNZA in two processes (the resolver's hints travel in Doc.user_data)
    from policygraph.ingest.extract.nlp import parse

    docs = parse(service.analyzer.nlp, [text] * 8, processes=2)
    assert "安全対策課長" in [e.text for e in docs[5].ents]
    assert "厚生労働省医薬局" in docs[5].user_data["pg_parent"].values()


def test_a_statute_s_powers_defined_terms_and_review_clauses(service, tmp_path: Path) -> None:
    x = _analyse_text(service, tmp_path / "statute.txt",
        "情報委員会設置法\n\n第一章　総則\n\n（設置）\n第一条　内閣府に、情報委員会（以下「委員会」という。）を置く。\n\n"
        "（権限）\n第二条　委員会は、事業者に対し、必要な指導及び助言をすることができる。\n"
        "２　委員会は、前項の規定による勧告を受けた者が従わなかったときは、その旨を公表することができる。\n\n"
        "（秘密保持義務）\n第三条　委員会の職員は、職務上知ることのできた秘密を漏らしてはならない。\n\n"
        "（検討）\n第四条　政府は、この法律の施行後三年を目途として、この法律の施行の状況について検討を加え、"
        "必要な措置を講ずるものとする。\n")
    texts = {m.text.split("　", 1)[-1][:12]: m for m in x.measures}
    power = next(m for t, m in texts.items() if "必要な指導" in m.text)
    committee = next(e for e in x.entities if e.label == "情報委員会")
    assert committee.key in power.actors  # 委員会 is the term the statute defined for it
    assert any("公表することができる" in m.text for m in x.measures)  # a power
    assert any("漏らしてはならない" in m.text for m in x.measures)  # a prohibition
    review = next(m for m in x.measures if "施行後三年" in m.text)
    assert [(d.kind, d.duration, d.event) for d in review.deadlines] == [("relative", "P3Y", "施行")]
    law = next(e for e in x.entities if e.label == "情報委員会設置法")  # the statute itself
    assert law.type == "Law" and any(m.entity == law.key and m.surface == "この法律" for m in x.mentions)


def test_a_guideline_is_a_plan_named_by_its_title_and_quoted_titles_are_plans(service, tmp_path: Path) -> None:
    x = _analyse_text(service, tmp_path / "guideline.txt",
        "災害時の情報共有体制\n整備ガイドライン\n\n第1 目的\n\n"
        "本ガイドラインは、「個人情報の保護に関する法律についてのガイドライン(通則編)」及び"
        "ISO 22320を踏まえ、報告の手順を定める。\n\n第2 報告\n\n"
        "市町村は、被害の状況を都道府県に報告することが重要です。\n")
    assert x.meta.title == "災害時の情報共有体制整備ガイドライン"
    plans = {e.label: e for e in x.entities if e.type == "Plan"}
    own = plans["災害時の情報共有体制整備ガイドライン"]
    assert any(m.entity == own.key and m.surface == "本ガイドライン" for m in x.mentions)
    assert {"個人情報の保護に関する法律についてのガイドライン(通則編)", "ISO 22320"} <= set(plans)
    assert any("報告することが重要です" in m.text for m in x.measures)  # a recommendation is a measure


def test_plain_commitments_are_measures_whatever_their_verb(service, tmp_path: Path) -> None:
    """A sentence ending in a verb of doing in its plain present tense is a commitment,
    read from the parse (取りまとめる, 講ずる, 深める were not in any list); a past, a state,
    a deeming formula or a full stop inside brackets is not."""
    x = _analyse_text(service, tmp_path / "notice.txt",
                      "災害時の情報共有体制の整備について\n\n"
                      "1 警察庁は、令和9年度中に調査結果を取りまとめる。\n"
                      "2 総務省は、関係機関と連携し、必要な措置を講ずる。\n"
                      "3 外国の関係機関との連携を一層深める。\n"
                      "4 都道府県警察は、令和8年度に訓練を実施した。\n"
                      "5 当該情報は、委員会が保有している。\n"
                      "6 前項の届出は、受理された時に到達したものとみなす。\n")
    texts = {m.text.split()[0]: m for m in x.measures}
    assert {"1", "2", "3"} <= set(texts), [m.text for m in x.measures]
    assert not {"4", "5", "6"} & set(texts), [m.text for m in x.measures]
    first = texts["1"]
    assert first.actors == ("npa",)
    assert [(d.kind, d.start, d.end) for d in first.deadlines] == [("fiscal_year", "2027-04-01", "2028-03-31")]
    assert texts["2"].actors == ("soumu",)


def test_latin_names_used_as_tools_are_systems(service, tmp_path: Path) -> None:
    x = _analyse_text(service, tmp_path / "tools.txt",
                      "データ整備の手引き\n\n1 ツール\n多くの機関がカタログサイトにCKANを利用している。"
                      "データのクレンジングのためのOpenRefineなどの共通的なツールが必要になる。"
                      "集計表はMicrosoft Excelで作成し、PDFで作成した報告書とともに公開する。\n")
    systems = {e.label for e in x.entities if e.type == "System"}
    assert {"CKAN", "OpenRefine", "Microsoft Excel"} <= systems, systems
    assert "PDF" not in systems
