"""Names of organisations and systems in white-paper prose: universities, associations,
companies (by their legal form, or a foreign one by 社), prefectures where they act,
a quoted instance of a class (a satellite, an app), observation networks; and a PDF whose
figure labels are printed twice over (read once).

The sentences are constructed; the PDF is a tune-half document of the blind set
(tests/data/blind/split.json)."""

from __future__ import annotations

from pathlib import Path

import pytest
from analysed_text import analyse_text

from policygraph.ingest.pipeline import analyse
from policygraph.ingest.readers import read_file

pytestmark = pytest.mark.slow
BOUSAI = Path(__file__).parent / "data" / "blind" / "docs" / "whitepaper_cao_bousai_r6_tokushu2_ch1.pdf"


@pytest.mark.parametrize(("sentence", "agencies", "systems"), [
    ("米国のOpenAI社やグーグル社が開発した。", ["OpenAI社", "グーグル社"], []),
    ("国立研究開発法人海洋研究開発機構と東北大学が共同で研究し、一般社団法人日本ロボット工業会が協力した。",
     ["国立研究開発法人海洋研究開発機構", "東北大学", "一般社団法人日本ロボット工業会"], []),
    ("日本電気株式会社が受注し、日本商工会議所と日本学術振興会が後援した。",
     ["日本電気株式会社", "日本商工会議所", "日本学術振興会"], []),
    # a prefecture as the source of figures is an organisation; as a place it is not
    ("石川県資料によると、兵庫県北部と石川県能登地方で観測した。", ["石川県"], []),
    ("静止気象衛星「ひまわり9号」が観測し、GNSS観測点と潮位観測所のデータを解析した。",
     [], ["ひまわり9号", "GNSS観測点", "潮位観測所"]),
    # a legal form does not make a law's name an organisation
    ("独立行政法人等情報公開法第五条及び株式会社商工組合中央金庫法による。", [], []),
    # a university's faculty is the university's; 国立大学法人 names no university
    ("東京大学工学部の研究者と国立大学法人の役員が参加した。", ["東京大学"], []),
])
def test_organisations_and_systems_in_prose(service, sentence: str, agencies: list[str], systems: list[str]) -> None:
    doc = service.analyzer.nlp(sentence)
    assert [e.text for e in doc.ents if e.label_ == "PG_Agency"] == agencies
    assert [e.text for e in doc.ents if e.label_ == "PG_System"] == systems


@pytest.mark.parametrize(("sentence", "agencies", "programmes", "systems"), [
    # rooms, a building's parts, a school's divisions and radio stations are not organs
    ("施設の喫煙専用室、集中治療室及びサウナ室の換気を点検する。", [], [], []),
    ("特別支援学校高等部では、主要構造部及び接合部の劣化を確認し、基地局の設置状況を調べる。", [], [], []),
    ("企画調整室と人材政策室が協力し、生活安全部に報告する。", ["企画調整室", "人材政策室", "生活安全部"], [], []),
    # a document number's symbol after a date is not an agency; the agency after the number is
    ("平成30年3月30日保局第323-9号により改正した。", [], [], []),
    ("昭和43年10月2日43化局491により定めた。", [], [], []),
    ("平成23年4月1日付け23検査第1号農林水産省大臣官房検査部長通知による。", ["農林水産省大臣官房検査部"], [], []),
    ("平成21年6月26日課資5-48ほか11課共同で制定した。", [], [], []),
    # a length is not a campaign; kinds listed with ・ are not one name
    ("施行後六月間は従前の例による。", [], [], []),
    ("実地監査・定期検査・講習の見直しを行い、春の全国交通安全運動を実施する。", [], ["全国交通安全運動"], []),
    ("セル・バンク・システムを構築し、ベース・レジストリを整備する。", [], [], ["セル・バンク・システム", "ベース・レジストリ"]),
    # an attachment's label is not part of the name after it
    ("別紙テレビ会議システムの仕様による。", [], [], ["テレビ会議システム"]),
    # courses, funds and allowances are programmes; a head with little before it is a kind
    ("児童福祉司研修を実施し、被災者生活再建支援金と災害援護資金を支給する。", [],
     ["児童福祉司研修", "被災者生活再建支援金", "災害援護資金"], []),
    ("職員研修を行い、連携APIと携帯電話を使う。", [], [], []),
    # radio networks, registers of people, emergency numbers and software (also as spelled
    # ソフトウエア) are systems
    ("防災行政無線及び119番により避難行動要支援者名簿の登録者に伝え、脆弱性検証ソフトウエアを使う。", [], [],
     ["防災行政無線", "119番", "避難行動要支援者名簿", "脆弱性検証ソフトウエア"]),
    # APIs, servers and online services are systems
    ("自己情報取得APIと申請管理サーバを更新し、コンビニ交付サービスを拡充する。", [], [],
     ["自己情報取得API", "申請管理サーバ", "コンビニ交付サービス"]),
    # police and tax offices, weather stations, branches and unions of local governments act;
    # whichever one is competent or nearest names none
    ("美深警察署、旭川地方気象台、上川北部消防事務組合及び名寄河川事務所に通報する。",
     ["美深警察署", "旭川地方気象台", "上川北部消防事務組合", "名寄河川事務所"], [], []),
    ("所轄警察署又は最寄りの交番に届け出る。", [], [], []),  # (警察署, 交番: generic actors)
    ("複数警察署の捜査員が毎月警察署で会議を開く。", [], [], []),
    # a council or a course named by its subject, unquoted; a plan on a subject is any plan
    ("カードと保険証の一体化に関する検討会を開き、猟銃の取扱いに関する講習会を行い、防災に関する計画を作る。",
     ["カードと保険証の一体化に関する検討会"], ["猟銃の取扱いに関する講習会"], []),
])
def test_what_is_not_a_name(service, sentence: str, agencies: list[str], programmes: list[str],
                            systems: list[str]) -> None:
    doc = service.analyzer.nlp(sentence)
    assert [e.text for e in doc.ents if e.label_ == "PG_Agency"] == agencies
    assert [e.text for e in doc.ents if e.label_ == "PG_Program"] == programmes
    assert [e.text for e in doc.ents if e.label_ == "PG_System"] == systems


def test_a_company_with_its_legal_form_abbreviated(service, tmp_path: Path) -> None:
    """(株) before or after the name: the company under its full name, as printed an alias."""
    x = analyse_text(service, tmp_path / "lifeline.txt", "1 東日本電信電話（株）北海道事業部、（株）NTT ドコモ北海道支社"
                     "などの電気通信事業者は、通信を確保する。\n")
    names = {e.label: e.aliases for e in x.entities if e.type == "Agency"}
    assert names["東日本電信電話株式会社北海道事業部"] == ("東日本電信電話(株)北海道事業部",)
    assert "(株)NTT ドコモ北海道支社" in names["NTTドコモ北海道支社"]
    [m] = x.measures
    labels = {e.key: e.label for e in x.entities}
    assert [labels[a] for a in m.actors][:2] == ["東日本電信電話株式会社北海道事業部", "NTTドコモ北海道支社"]


def test_projects_are_programmes(service) -> None:
    doc = service.analyzer.nlp("海洋データ共有プロジェクトを開始し、関連プロジェクトとも連携する。")
    assert [e.text for e in doc.ents if e.label_ == "PG_Program"] == ["海洋データ共有プロジェクト"]


def test_quoted_law_name_before_its_number(service) -> None:
    doc = service.analyzer.nlp("「災害弔慰金の支給等に関する法律」(昭和48年法律第82号)に基づき認定された。")
    assert [e.text for e in doc.ents if e.label_ == "PG_Law"] == ["災害弔慰金の支給等に関する法律"]


def test_legal_form_is_an_alias_of_the_organisation(service, tmp_path: Path) -> None:
    x = analyse_text(service, tmp_path / "kyodo.txt", "1 公益財団法人みどり環境財団は、植樹事業を運営する。\n\n"
                     "2 みどり環境財団は、令和8年度中に報告書を取りまとめる。\n")
    [org] = [e for e in x.entities if e.type == "Agency"]
    assert org.label == "みどり環境財団"
    assert "公益財団法人みどり環境財団" in org.aliases
    assert {m.entity for m in x.mentions} == {org.key}
    assert len(x.mentions) == 2


def test_white_paper_chapter_names_and_doubled_labels(service) -> None:
    from policygraph.ingest.readers.pdf import _DOUBLED

    source = read_file(BOUSAI)
    assert not _DOUBLED.search(source.text)  # 地地震震前前 (overprinted figure labels) read once
    [x] = analyse([source], service.analyzer)
    by_type: dict[str, set[str]] = {}
    for e in x.entities:
        if any(m.entity == e.key for m in x.mentions):
            by_type.setdefault(e.type, set()).add(e.label)
    # a quoted headquarters keeps the year of the disaster it is named after
    assert "令和6年能登半島地震非常災害対策本部" in by_type["Agency"]
    assert {"石川県", "兵庫県", "熊本県"} <= by_type["Agency"]  # 石川県資料, 兵庫県資料: sources
    assert not any(label.endswith(("北部", "北東部", "西部")) for label in by_type["Agency"])
    assert {"だいち2号", "電子基準点", "金沢観測点", "酒田観測点"} <= by_type["System"]
    assert "災害弔慰金の支給等に関する法律" in by_type["Law"]


@pytest.mark.parametrize(("text", "label", "names"), [
    # an inventory of notices as a PDF table reads it: number, kind, title, date, issuer
    ("183\t告示\t公共工事の入札及び契約の適正化を図るための措置に関する指針\t平成13年3月9日閣議決定\t総務省",
     "PG_Plan", ["公共工事の入札及び契約の適正化を図るための措置に関する指針"]),
    ("第405003号\t厚生労働省\t[別添]看護教員に関する講習会\t往訪閲覧", "PG_Program", ["看護教員に関する講習会"]),
    # a chapter of another volume cited by its heading is not a plan
    ("本節については、風水害等災害対策編「第 5 章 第 14 節 輸送計画」を準用する。", "PG_Plan", []),
    # two laws cited with their numbers, side by side: the second starts past 及び
    ("風俗営業等の規制及び業務の適正化等に関する法律（昭和二十三年法律第百二十二号）及び風俗営業等の規制及び業務の適正化等に関する法律施行令"
     "（昭和五十九年政令第三百十九号）の規定に基づき", "PG_Law",
     ["風俗営業等の規制及び業務の適正化等に関する法律", "風俗営業等の規制及び業務の適正化等に関する法律施行令"]),
])
def test_names_start_where_the_cell_or_citation_does(service, text: str, label: str, names: list[str]) -> None:
    doc = service.analyzer.nlp(text)
    assert [e.text for e in doc.ents if e.label_ == label] == names


def test_a_scheme_named_by_its_acronym_and_a_council_by_what_it_decided(service) -> None:
    doc = service.analyzer.nlp("政府安全保障能力強化支援(OSA)を拡充し、人工知能(AI)を活用する。"
                               "令和4年12月16日海上保安能力強化に関する関係閣僚会議決定。")
    assert [e.text for e in doc.ents if e.label_ == "PG_Program"] == ["政府安全保障能力強化支援"]  # (not a field: AI)
    assert [e.text for e in doc.ents if e.label_ == "PG_Agency"] == ["海上保安能力強化に関する関係閣僚会議"]


def test_a_name_used_once_is_a_mention_wherever_it_is_printed(service, tmp_path: Path) -> None:
    """A scheme tagged in quotes (「総合評価方式」) is a mention also in a heading and a plain
    sentence; a society with its legal form abbreviated ((公社)日本技術士会) is the society,
    its form written out an alias; a provisional name keeps its mark as an alias; a plan's
    notice title (…基本的な方針について) has the plan's name as an alias; a unit printed with its
    organisation twice (a form's 神奈川県神奈川県企業庁) is that unit."""
    x = analyse_text(service, tmp_path / "guide.txt",
                     "１ 概要\n発注者は、「総合評価方式」により落札者を決定する。\n\n２ 総合評価方式の手続\n"
                     "総合評価方式では、技術士（(公社)日本技術士会）の資格を評価する。\n"
                     "（仮称）総合評価審査委員会は、意見を述べる。\n"
                     "「公共工事の品質確保の促進に関する施策を総合的に推進するための基本的な方針について」を踏まえる。\n"
                     "３ 様式\n神奈川県企業庁は、神奈川県神奈川県企業庁〇〇所長あての申請書を受理する。\n")
    by_label = {e.label: e for e in x.entities}
    scheme = by_label["総合評価方式"]
    assert len([m for m in x.mentions if m.entity == scheme.key]) == 3
    society = by_label["日本技術士会"]
    assert {"(公社)日本技術士会", "公益社団法人日本技術士会"} <= set(society.aliases)
    assert "(仮称)総合評価審査委員会" in by_label["総合評価審査委員会"].aliases
    plan = by_label["公共工事の品質確保の促進に関する施策を総合的に推進するための基本的な方針について"]
    assert "公共工事の品質確保の促進に関する施策を総合的に推進するための基本的な方針" in plan.aliases
    assert "神奈川県企業庁" in by_label and not [e for e in x.entities if e.label.startswith("神奈川県神奈川県")]


def test_a_definitions_article_gives_its_terms(service, tmp_path: Path) -> None:
    """「法」とは、たばこ事業法（…）をいう。 in a 取扱要領's definitions: 法 is that law wherever it
    stands alone (法第23条), 規則 the ordinance, not the 規則 inside 施行規則."""
    x = analyse_text(service, tmp_path / "youryou.txt",
                     "製造たばこ小売販売業許可等取扱要領\n\n第１章 総則\n 第一 用語の意義\n"
                     " １ 「法」とは、たばこ事業法（昭和59 年法律第68 号）をいう。\n"
                     " ２ 「規則」とは、たばこ事業法施行規則（昭和60 年大蔵省令第５号）をいう。\n"
                     "第２章 許可\n 第一 許可\n  １ 管轄財務局長は、法第23条及び規則第20条の基準により審査する。\n")
    labels = {e.key: e.label for e in x.entities}
    said = [(m.surface, labels[m.entity]) for m in x.mentions if m.surface in ("法", "規則")]
    assert ("法", "たばこ事業法") in said and ("規則", "たばこ事業法施行規則") in said
    assert len([s for s in said if s == ("法", "たばこ事業法")]) == 2  # 「法」 and 法第23条
