"""The gazetteer that does the job of GiNZA's NER.

GiNZA's statistical NER misses most agencies and systems (都道府県警察, 警察共通基盤,
切符管理システム) and drops the era from 令和8年度中; it is left out by default
(``Settings.ginza_exclude``: it took 42 % of parse time and changed nothing this
component finds, bench/ginza_components.py).  This spaCy component runs right after the
parser (before ``ner`` when that is kept) and sets ``doc.ents`` from:

* the reference data in ``ontology/reference`` (SKOS pref/alt labels of agencies,
  generic actors, systems, laws, plans) matched on characters, longest first — not on
  tokens, because Sudachi's mode-C tokens cut compounds differently in context;
* patterns over GiNZA's tokens and dependency parse: compounds headed by
  ``システム / 基盤 / プラットフォーム / データベース`` (systems), by ``省 / 庁 / 局 / 課 /
  委員会 / 会議 / 本部 …`` (agencies), law names carrying their number
  ``…法（昭和35年法律第105号）``, and quoted plan titles 「…計画」「…プラン」.

GiNZA's NER then labels the rest around the preset entities, as spaCy's
EntityRuler-before-NER arrangement does.  Entity labels are ``PG_<Type>`` and the
span's ``kb_id_`` holds the reference key when the name is known.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from policygraph.ingest.bullets import BULLETS
from policygraph.ingest.extract.deadlines import numeral
from policygraph.ingest.numerals import KANJI_DIGITS

TYPES = ("Agency", "GenericActor", "System", "Law", "Plan", "Program", "Other")
SYSTEM_HEADS = ("システム", "基盤", "プラットフォーム", "データベース", "ネットワーク", "インフラ", "アプリ", "ポータル",
                # sites and registers are systems too (annotation.md): …カタログサイト, ベース・レジストリ,
                # 原薬等登録原簿, 固定資産課税台帳
                "サイト", "ホームページ", "ウェブページ", "特設ページ", "レジストリ", "原簿", "台帳", "登録簿",
                # observation networks and their stations (GNSS観測点, 電子基準点, 潮位観測所)
                "観測点", "観測所", "観測網", "基準点",
                # software tools (annotation.md), named by what they do: 文書作成支援ツール,
                # 個人認証用アプリケーション, 自己情報取得API, 申請管理サーバ
                "ツール", "ソフトウェア", "ソフトウエア", "アプリケーション", "API", "サーバ", "サーバー", "マーケットプレイス",
                # registers of people and radio networks: 避難行動要支援者名簿, 防災行政無線
                "名簿", "無線",
                # online services named by what they deliver: コンビニ交付サービス, 引越しワンストップサービス
                "オンラインサービス", "ワンストップサービス", "交付サービス")
# (cards and certificates are not: the dev gold counts マイナンバーカード, but not 運転免許証 or
# 巡回連絡カード; a card is a System where the reference data names it)
# equipment and technical services are System too (the ontology's pg:System): compounds
# headed by a device word; a bare katakana device word of 4+ characters (ドローン) is a name
_INSTRUMENTS = ("騒音計", "振動計", "線量計", "地震計", "雨量計", "流量計", "温度計", "照度計", "圧力計")
DEVICE_HEADS = ("カメラ", "ドローン", "ディスプレイ", "アダプタ", "レコーダー", "センサー", "装置", "端末", "ヘリコプター",
                "電話",  # 衛星携帯電話, 災害時優先電話 (携帯電話 alone is a kind: nlp._kind_only)
                # equipment used in operations (annotation.md): 気象レーダー, 危機管理型水位計,
                # 介護ロボット, 自動操舵トラクター, ロボット草刈機, 青色回転灯, 住宅用火災警報器
                "レーダー", "水位計", "ロボット", "トラクター", "トラクタ", "草刈機", "回転灯", "警報器", "探知機",
                # measuring instruments a rule prescribes (騒音計を用いて測定する, 振動レベル計): each
                # names a kind of equipment on its own (bare_device)
                *_INSTRUMENTS, "レベル計", "測定器", "計測器", "検知器")
AGENCY_HEADS = (
    "省", "庁", "局", "課", "係", "室", "委員会", "会議", "本部", "センター", "機構", "研究所", "学校",
    "捜査部", "情報通信部", "公館", "労働局", "チーム", "捜査班", "隊", "協議会", "審議会", "懇談会",
    "部",  # 交通部, 生活安全部 (a prefectural police headquarters' departments); not 内部, 都市部
    # councils and boards that act (デジタル臨時行政調査会, 先進的AI利活用アドバイザリーボード)
    "調査会", "検討会", "研究会", "アドバイザリーボード", "ワーキンググループ", "タスクフォース",
    "部会", "分科会",  # a council's subcommittees (…推進会議行政手続部会)
    # universities, associations, societies, foundations, corporations (any organisation that acts)
    "大学", "協会", "学会", "財団", "連盟", "連合会", "公社", "公庫", "製作所", "株式会社", "工業会", "医師会", "振興会",
    "会議所",
    # offices, stations and branches of an organisation, and unions of local governments:
    # 美深警察署, 旭川地方気象台, …駐在所, 国道事務所, 消防事務組合, 北海道支社, 住民対策班
    "署", "気象台", "事務所", "出張所", "支所", "駐在所", "交番", "組合", "支社", "支店", "班", "裁判所", "検疫所",
    # public institutions named by what they do: 保護観察所, 少年鑑別所, 児童相談所, 保健所,
    # 公共職業安定所, 少年院, 拘置所
    "観察所", "鑑別所", "相談所", "保健所", "安定所", "刑務所", "拘置所", "少年院",
)
PROGRAM_HEADS = ("制度", "スキーム", "月間", "週間", "運動", "キャンペーン", "プログラム", "補助金", "交付金",
                 "事業", "講習", "構想", "プロジェクト", "イニシアティブ", "イニシアチブ",
                 # courses and the funds and allowances a scheme pays (annotation.md: courses,
                 # schemes): 児童福祉司研修, …に関する講習会, 被災者生活再建支援金, 災害援護資金
                 "研修", "講習会", "支援金", "給付金", "助成金", "奨励金", "福祉資金", "援護資金", "手当",
                 # funds, courses, allowances and national events (グリーンイノベーション基金,
                 # ジュニア救命士養成講座, 介護職員等処遇改善加算, 食育推進全国大会)
                 "基金", "講座", "加算", "大会")
# a plan, strategy, guideline or standard named without quotes (包括的データ戦略,
# データ品質管理実践ガイドブック, 情報セキュリティ管理基準); a compound of 6 characters or
# more, so that 基本方針, 実施計画 and the like stay words
PLAN_HEADS = ("計画", "戦略", "方針", "指針", "基準", "規範", "規約", "ガイドライン", "ガイドブック", "ガイダンス",
              "フレームワーク", "工程表", "ロードマップ", "アクションプラン", "プラン", "大綱", "ビジョン", "BCP",
              # packages of measures and handbooks issued as a whole (…に向けた総合対策, 物流革新に向けた
              # 政策パッケージ, 個別避難計画作成の手引き, …設定等に向けたハンドブック)
              "総合対策", "パッケージ", "手引き", "手引", "ハンドブック", "マニュアル")
EXCLUDED_TAILS = ("関係", "教室", "当局", "部隊", "体制", "会議室", "研究室", "本部長", "関係機関", "部署",
                  "内部", "外部", "一部", "細部", "幹部", "大部", "上部", "下部", "都市部", "中心部", "山間部",
                  "沿岸部", "周辺部", "上層部", "首脳部", "中枢部", "先端部", "頭部", "胸部", "腹部", "各部",
                  # a region, not a department: 兵庫県北部, 能登半島北東部, 輪島市西部
                  "北部", "南部", "東部", "西部", "中部", "学部",
                  # rooms, a building's or a ship's parts, a school's divisions and radio stations
                  # are places and things, not organs: 喫煙専用室, 集中治療室, 主要構造部, 特別支援
                  # 学校高等部, 基地局 (an office is …政策室, …対策室; a department 交通部)
                  "喫煙室", "専用室", "手術室", "治療室", "診察室", "処置室", "病室", "浴室", "脱衣室", "サウナ室",
                  "更衣室", "休憩室", "待合室", "控室", "居室", "客室", "応接室", "調理室", "作業室", "機械室",
                  "試験室", "実験室", "測定室", "検査室", "保管室", "熟成室", "再圧室", "環境室", "電算室",
                  "計算機室", "サーバ室", "サーバー室", "コンピュータ室", "コンピューター室",
                  "構造部", "接合部", "開口部", "基礎部", "端部", "機関部", "甲板部",
                  "幼稚部", "小学部", "中学部", "高等部",
                  "基地局", "無線局", "船舶局", "陸上局", "移動局", "固定局", "地球局", "中継局",
                  # how or how often people meet, not a body that meets: ウェブ会議で行う, 国際会議に出席
                  "ウェブ会議", "Web会議", "WEB会議", "テレビ会議", "オンライン会議", "電話会議", "対面会議",
                  "リモート会議", "遠隔会議", "映像会議", "国際会議")
# a compound ending in 法 / 法律 names a law (デジタル社会形成基本法, 行政手続法) unless the
# word is a method (方法, 手法) or a legal notion (違法, 司法), or names no law in particular
LAW_HEADS = ("法律", "法")
# orders, rules and ordinances named as a compound: 関税法施行令, 個人情報保護委員会規則, 個人情報保護条例
ORDER_HEADS = ("施行令", "施行規則", "委員会規則", "省令", "府令", "条例", "協定", "協定書",  # (agreements: annotation.md)
               # a ministry's rules named as a compound (貨物自動車運送事業輸送安全規則); 内部規則,
               # 就業規則 and 文書規程 are kinds (_head_of: 5 characters or more)
               "規則", "規程", "細則")
NOT_LAW_TAILS = ("方法", "手法", "用法", "文法", "製法", "工法", "技法", "療法", "説法", "寸法", "作法", "魔法", "不法",
                 "合法", "違法", "無法", "便法", "司法", "立法", "話法", "論法", "算法", "解法", "戦法", "公法", "私法",
                 "処理法", "解決法", "対処法", "活用法", "利用法", "改善法", "分析法", "測定法", "評価法")
GENERIC_LAWS = frozenset({"改正法", "特別法", "一般法", "関係法", "根拠法", "新法", "旧法", "現行法", "個別法", "基本法",
                          "関係法律", "改正法律", "整備法", "個別法律", "この法律", "同法律"})
# a site word: named only by its owner (政府のウェブサイト, nlp._owned_site)
SITE_WORDS = ("ウェブサイト", "Webサイト", "WEBサイト", "ホームページ", "ウェブページ", "ウエブサイト", "ウエブページ")
GENERIC_SYSTEMS = frozenset({"システム", "業務システム", "情報システム", "新たなシステム", "基盤", "プラットフォーム",
                             "ネットワーク", "データベース", "アプリ", "インフラ", "サイト", *SITE_WORDS,
                             "カタログサイト", "特設サイト"})
_GENERIC_AGENCY_WORDS = frozenset({"部", "課", "局", "室", "本部", "当局", "事務局", "会議", "委員会", "センター",
                                   "部会", "分科会", "作業部会", "専門部会",
                                   "国立大学", "公立大学", "私立大学", "短期大学"})
# deictic prefixes: 当公安委員会 / 貴公安委員会 / 他運転免許課 point at an agency, they do not name one
_BAD_PREFIX = ("各", "同", "当該", "本", "上記", "前記", "次期", "新たな", "その他", "全国", "現行", "既存", "当", "貴", "他",
               "自府", "自省", "自庁", "よう", "ため", "こと", "もの", "第", "それぞれ", "関連", "関係", "効果的", "具体的", "新規",
               # whichever one is nearest or competent: 所轄警察署, 管轄税務署, 最寄りの交番
               "所轄", "管轄", "最寄", "所管", "地元", "複数", "毎月", "毎年", "毎日", "毎週")
# a quoted title of a plan, guideline or notice: 「…計画」, 「…ガイドライン(通則編)」 (a volume's
# name belongs to the title, an edition's 「…統一基準(令和3年度版)」 does not), 「…について」
_PLAN_RE = re.compile(
    r"「([^「」]{4,120}?(?:計画|プラン|方針|戦略|指針|要領|要綱|細則|規程|手引き?|マニュアル|大綱|提要|着眼点|ビジョン|ロードマップ|工程表|対応策|総合対策"
    # a council's recommendations, and principles issued as a whole: 「…に関する提言」,
    # 「…のためのデジタル原則」 (not a practice named as a principle: 「書面・押印・対面原則」)
    r"|提言|答申|(?:ための|に関する|における)[^「」]{0,16}原則"
    r"|ガイドライン|ガイドブック|ガイダンス|基準|規範|留意事項|アクションプラン[0-9]*|について(?:\((?:依命)?通達\))?"
    # an instrument issued with a plan: 「…利活用ルールひな形」 (and _SHEET_RE)
    r"|ひな形|雛形|テンプレート)"
    r"(?:\([^()]{1,30}編\))?)(?:\([^()]{0,40}\))?」"
)
# a checklist issued with a plan, quoted: 「調達チェックシート」, 「高リスク判定シート」
_CHAPTER_RE = re.compile(rf"第 ?[0-9０-９{KANJI_DIGITS}]+ ?[章節編部款]")
_SHEET_RE = re.compile(r"「([^「」]{2,60}?(?:チェックシート|チェックリスト|判定シート))」")
# a notice about a notice: 「「原薬等登録原簿の利用に関する指針について」の一部改正について」
_NESTED_NOTICE_RE = re.compile(r"「((?:[^「」]|「[^「」]{2,120}」){4,200}?について)」")
# a standard named by its code: ISO 8601, JIS X 0301, ISO/IEC 27001
_STANDARD_RE = re.compile(r"(?<![A-Za-z0-9])(?:ISO/IEC|ISO|IEC|JIS(?: [A-Z])?|EN|IEEE) ?[0-9]{3,5}(?:-[0-9]{1,2})?(?![0-9])")
_CITED_NOTICE_RE = re.compile(r"「([^「」]{6,120}?について)」(?=\((?:令和|平成|昭和)[^()]{1,30}付け)")
# a notice's title in a table's cell, the next cell its date and number (an inventory of
# notices: 貨物自動車運送事業輸送安全規則の解釈及び運用について<TAB>平成15年3月10日国自貨…第118号)
_NOTICE_CELL_RE = re.compile(r"(?:^|(?<=\t))([^\t\n「」]{6,160}?について(?:[(（](?:依命)?(?:通達|通知)[)）])?)"
                             r"(?=\t(?:明治|大正|昭和|平成|令和) ?[0-9０-９元]{1,2} ?年 ?[0-9０-９]{1,2} ?月)", re.MULTILINE)
_PROGRAM_RE = re.compile(r"「([^「」]{2,60}?(?:月間|週間|運動|キャンペーン|制度|スキーム|プログラム|構想))」")
# (平成28年個人情報保護委員会規則第3号), (昭和57年法律第 80 号: a PDF's spaced digits)
_LAW_NUM_RE = re.compile(rf"\((明治|大正|昭和|平成|令和) ?(\d+|元|[{KANJI_DIGITS}]+) ?年"
                         rf"(法律|政令|[^\s()年]{{1,14}}?令|[^\s()年]{{1,14}}?規則)"
                         rf"第 ?(\d+|[{KANJI_DIGITS}]+) ?号")


@dataclass(frozen=True)
class Term:
    surface: str
    key: str
    type: str  # one of TYPES
    label: str


def nfkc(s: str) -> str:
    return unicodedata.normalize("NFKC", s)


def _trie_pattern(words: list[str]) -> str:
    """One regular expression that matches the longest of ``words`` at a place, written as
    a trie (each character once: thousands of names cost a branch per character, not a try
    per name).

    >>> re.findall(_trie_pattern(["警察", "警察庁", "総務省"]), "警察庁と警察と総務省")
    ['警察庁', '警察', '総務省']
    """
    trie: dict[str, Any] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict[str, Any]) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        inner = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{inner})?" if "" in node else inner  # (greedy: the longer name first)

    return build(trie)


class Gazetteer:
    """Leftmost-longest character matching of known names."""

    def __init__(self, terms: Iterable[Term], parents: dict[str, str] | None = None) -> None:
        self.terms: dict[str, Term] = {}
        # a reference organ's key → the key of the one it belongs to
        self.parents: dict[str, str] = dict(parents or {})
        for t in terms:
            if len(t.surface) >= 2 and t.surface not in self.terms:
                self.terms[t.surface] = t
        self._re = re.compile(_trie_pattern(list(self.terms))) if self.terms else None

    @classmethod
    def from_reference(cls, entries: Iterable[Any]) -> Gazetteer:
        entries = list(entries)  # (read twice: names, then parents)
        terms = []
        for e in entries:
            type_ = "GenericActor" if getattr(e, "generic", False) else e.type
            english = getattr(e, "label_en", None)
            # (a name in English finds the same entity: Digital Agency, Ministry of Health, Labour and Welfare)
            for s in (e.label, *e.aliases, *([english] if english and " " in english else [])):
                terms.append(Term(nfkc(s), e.key, type_, e.label))
                if e.type == "Agency" and re.search(r"(局|課|部|室|官房|本部)$", s):
                    terms.append(Term(nfkc(s) + "長", e.key, type_, e.label))  # 交通局長 → 交通局
        return cls(terms, {e.key: e.parent for e in entries if getattr(e, "parent", None)})

    def find(self, text: str) -> list[tuple[int, int, Term]]:
        if self._re is None:
            return []
        out = []
        for m in self._re.finditer(text):
            # do not match inside a Latin word (CIS in "CISCO")
            a, b = m.span()
            if _latin_edge(text, a, b):
                continue
            term = self.terms[m.group(0)]
            if term.type == "Law" and term.surface.endswith("法") and text[b : b + 1] == "人":
                continue  # 医療法人, 弁護士法人: a legal form, not 医療法 / 弁護士法
            if term.surface in _WORD_OF_ITS_OWN and _KANJI_AFTER.match(text, b):
                continue  # 閣議決定, 閣議了解: a kind of decision, not the Cabinet meeting (閣議の決定)
            out.append((a, b, term))
        return out

    def lookup(self, surface: str) -> Term | None:
        return self.terms.get(nfkc(surface))

    def juxtaposed(self, text: str) -> bool:
        """Whether ``text`` is known organs written side by side, none part of the one before:
        公正取引委員会通商産業省 (a table cell of two issuers), not 警察庁交通局 (a bureau of it)."""
        found = self.find(text)
        if len(found) < 2 or found[0][0] != 0 or found[-1][1] != len(text):
            return False
        if any(b != a for (_, b, _), (a, _, _) in zip(found, found[1:], strict=False)):
            return False
        if any(t.type != "Agency" for _, _, t in found):
            return False
        return all(y.key != x.key and self.parents.get(y.key) != x.key
                   for (_, _, x), (_, _, y) in zip(found, found[1:], strict=False))


# names that stand for their organ only as a word of their own: 閣議で, 閣議の決定 (the
# Cabinet deciding), not inside a compound (閣議決定, 閣議了解: what kind of decision a
# document is)
_WORD_OF_ITS_OWN = frozenset({"閣議"})
_KANJI_AFTER = re.compile(r"[\u4e00-\u9fff]")


def _latin_edge(text: str, a: int, b: int) -> bool:
    first, last = text[a], text[b - 1]
    before = text[a - 1] if a > 0 else " "
    after = text[b] if b < len(text) else " "
    return (first.isascii() and first.isalnum() and before.isascii() and before.isalnum()) or (
        last.isascii() and last.isalnum() and after.isascii() and after.isalnum()
    )


_SHORT_DIAL_RE = re.compile(r"(?<![0-9A-Za-z#/-])(?<!\]\()#[0-9]{4}(?![0-9A-Za-z-])"
                            # the emergency and service numbers: 110番, 119番, 118番 (not 123番地)
                            r"|(?<![0-9第])1[0-9]{2} ?番(?![0-9地号目手])")


def short_dial_spans(text: str) -> list[tuple[int, int]]:
    """Short dial numbers of public services (#9110 相談窓口, #7119): technical services.

    >>> short_dial_spans("警察相談専用電話(#9110)の周知")
    [(9, 14)]
    >>> short_dial_spans("1.3 課題](#131) 図#12")  # a Markdown anchor, a figure number
    []
    >>> t = "119番通報が集中し、110 番を受理した。東町123番地、第110番"
    >>> [t[a:b] for a, b in short_dial_spans(t)]
    ['119番', '110 番']
    """
    return [m.span() for m in _SHORT_DIAL_RE.finditer(text)]


def bare_device(text: str) -> bool:
    """A device word that names a kind of equipment on its own (ドローン, a measuring
    instrument: 騒音計; not カメラ).

    >>> bare_device("ドローン"), bare_device("騒音計"), bare_device("カメラ"), bare_device("端末")
    (True, True, False, False)
    """
    return text in DEVICE_HEADS and (text in _INSTRUMENTS or len(text) >= 4 and re.fullmatch(r"[ァ-ヶー]+", text) is not None)


def plan_spans(text: str) -> list[tuple[int, int]]:
    """Quoted plan titles: 「オレオレ詐欺等対策プラン」 → the span inside the quotes; a
    notice cited by its title and date (「…の改正について」（令和6年12月6日付け…第4号）).

    >>> t = "「事務処理要領の改正について」(令和6年12月6日付け大通達甲(運免)第4号)により"
    >>> [t[a:b] for a, b in plan_spans(t)]
    ['事務処理要領の改正について']
    >>> t = "「「MFの利用に関する指針について」の一部改正について」及びISO 8601、JIS X 0301、ISO/IEC 27001:2022"
    >>> [t[a:b] for a, b in plan_spans(t)]  # (the longer span wins where they overlap)
    ['「MFの利用に関する指針について」の一部改正について', 'MFの利用に関する指針について', 'ISO 8601', 'JIS X 0301', 'ISO/IEC 27001']
    >>> t = "12\\t通知・通達\\t標準下水道条例について\\t昭和34年11月18日衛発第1108号\\t国土交通省"
    >>> [t[a:b] for a, b in plan_spans(t)]  # a notice's title in an inventory's cell
    ['標準下水道条例について']
    >>> plan_spans("風水害等災害対策編「第 5 章 第 14 節 輸送計画」を準用する")  # a chapter, cited by its heading
    []
    """
    # (not a chapter of a document cited by its heading: 「第 5 章 第 14 節 輸送計画」を準用する)
    spans = [m.span(1) for m in _PLAN_RE.finditer(text) if not _CHAPTER_RE.match(m.group(1))]
    spans += [m.span(1) for m in _CITED_NOTICE_RE.finditer(text) if m.span(1) not in spans]
    spans += [m.span(1) for m in _NOTICE_CELL_RE.finditer(text)]
    spans += [m.span(1) for m in _NESTED_NOTICE_RE.finditer(text) if "「" in m.group(1) and m.span(1) not in spans]
    spans += [m.span(1) for m in _SHEET_RE.finditer(text)]
    spans += [m.span() for m in _STANDARD_RE.finditer(text)]
    return sorted(spans)


_DOMAIN_RE = re.compile(r"(?<![A-Za-z0-9.@/-])(?:[A-Za-z0-9-]+\.)+(?:go\.jp|lg\.jp|ac\.jp|or\.jp|co\.jp|jp|com|org|net|int|gov|eu)"
                        r"(?![A-Za-z0-9-]|\.[A-Za-z0-9])")


def site_spans(text: str) -> list[tuple[int, int]]:
    """A web site named by its domain (Data.go.jp, e-gov.go.jp): a System; not inside a URL or
    an e-mail address.

    >>> t = "Data.go.jpをはじめ、https://www.digital.go.jp/ や info@example.jp"
    >>> [t[a:b] for a, b in site_spans(t)]
    ['Data.go.jp']
    """
    return [m.span() for m in _DOMAIN_RE.finditer(text)
            if not re.search(r"(?:https?:/|www\.)$", text[max(0, m.start() - 8) : m.start()])
            and not text[m.end() : m.end() + 1] == "/"]


# a legal form before an organisation's name: 国立研究開発法人海洋研究開発機構, 株式会社さくら製作所
LEGAL_FORMS = ("国立研究開発法人", "地方独立行政法人", "独立行政法人", "一般社団法人", "公益社団法人", "一般財団法人",
               "公益財団法人", "特定非営利活動法人", "NPO法人", "国立大学法人", "大学共同利用機関法人", "学校法人",
               "社会福祉法人", "医療法人", "株式会社", "有限会社", "合同会社")
_LEGAL_FORM_RE = re.compile("(?:" + "|".join(LEGAL_FORMS) + r")[ \u3000]?")
# what the name after a legal form ends in (機構, 研究所, …銀行); a name of katakana or Latin
# letters (a company: 株式会社メルカリ) needs none.  A legal form before a committee or a
# common noun (国立大学法人評価委員会, 独立行政法人制度, 株式会社設立) names no organisation.
_ORG_END = re.compile(r"(?:機構|研究所|研究機構|研究開発機構|協会|学会|医師会|士会|工業会|振興会|連合会|連盟|財団|センター|大学"
                      r"|学園|銀行|公庫|金庫|製作所|会社|事業団|公団|公社|組合|基金|病院|研究院|機関|局)")
_ORG_RUN = re.compile(r"[A-Za-z0-9\u30a0-\u30fa\u30fc\u4e00-\u9fff々〆ヶ&.\-]{2,40}")
PREFECTURES = ("北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県", "埼玉県",
               "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県", "岐阜県", "静岡県",
               "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県", "岡山県",
               "広島県", "山口県", "徳島県", "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県", "熊本県", "大分県",
               "宮崎県", "鹿児島県", "沖縄県")
# a local government that acts, not the place: the topic of a statement (東京都は、…を派遣する),
# one asked, told or worked with (静岡県に報告する, 県と連携し), a source (石川県資料, 兵庫県によると)
_GOVERNMENT_ACTS = (r"(?=資料|発表|の発表|調べ|の調べ|によると|によれば|知事(?!選)|市長|町長|村長|区長|ホームページ|公表|作成|提供"
                    r"|[はが]、|[はが][^、。]{0,40}?(?:策定|実施|設置|公表|発表|作成|整備|開始|要請|決定|支援)し"
                    r"|に対し|と(?:連携|協力|共同)|(?:へ|に)(?:報告|提出|通知|要請|依頼|届け出)|において(?:は)?、)")
_PREFECTURE_ACTS = re.compile("(?<![\u4e00-\u9fff])(" + "|".join(PREFECTURES) + ")" + _GOVERNMENT_ACTS)
# words ending in a municipality's kind that name none (農村振興計画, 地区防災計画, 中心市街地…)
NOT_A_PLACE = frozenset({"農村", "漁村", "山村", "農山漁村", "都市", "地区", "管区", "特区", "学区", "校区", "選挙区",
                         "特別区", "市町", "町村", "区市", "区町", "各市", "全市", "本市", "当市", "同市", "中核市",
                         "政令市", "指定都市", "城下町", "門前町", "宿場町", "中心市", "新市", "旧市", "旧町", "旧村",
                         "集落地区", "地域区", "行政区", "自治区"})
# a municipality by its name (川崎市は、…; 松江市と連携し): a name of kanji before its kind, not
# a word for municipalities in general (市町村, 被災市町村, 各市, 関係市町村, 近隣の町)
_MUNICIPALITY_ACTS = re.compile("(?<![\u4e00-\u9fff])(?:" + "|".join(PREFECTURES) + r")?([\u4e00-\u9fff]{1,4}?[市区町村])"
                                # or its head acts (横浜市長は、…; 長期 is not a head)
                                + r"(?:長(?=[はがにのをとへや、]|から|及び|又は|並びに|等)|" + _GOVERNMENT_ACTS + ")")
_NOT_A_NAME = re.compile(r"^(?:同|本|当|各|全|他|当該|関係|近隣|周辺|被災|対象|構成|所在|管内|地元|一部|特定|指定|中核|政令|特例"
                         r"|離島|過疎|隣接|市|町|区|村|県|都|府|道|県内|国内|全国|地方|都道府)")
# a prefecture's police (annotation.md: prefectural police are agencies): 神奈川県警察, 大阪府警察本部
_PREFECTURE_POLICE = re.compile("(?<![\u4e00-\u9fff])(?:" + "|".join(PREFECTURES) + r")警察(?:本部)?(?!官|署|職員|庁)")
# a foreign government (annotation.md: foreign bodies are agencies): バヌアツ共和国政府, 米国政府
# (政府 alone, 日本政府 and 我が国政府 are the generic actor)
_FOREIGN_GOVERNMENT = re.compile(r"(?<![\u30a1-\u30fa\u30fc])(?:[\u30a1-\u30fa\u30fc・]{2,20}(?:共和国|王国|連邦|合衆国|国)?"
                                 r"|米国|英国|中国|韓国|豪州|北朝鮮|台湾)政府")
# an organisation named in English (a foreign or international body): Secure World Foundation,
# National Aeronautics and Space Administration, World Health Organization
_ENGLISH_ORG = re.compile(
    r"(?<![A-Za-z])(?:[A-Z][A-Za-z&.'-]*[ ](?:(?:of|for|and|on|the)[ ])?){1,7}"
    r"(?:Foundation|Institute|Agency|Organization|Organisation|Association|Council|Committee|Commission"
    r"|Administration|Authority|Bureau|Ministry|Department|University|Corporation|Federation|Alliance"
    r"|Society|Centre|Center|Laboratory|Office|Union|Forum)(?![A-Za-z])")
# a hospital a prefecture or municipality runs, by its name: 山形県立中央病院, 横浜市立市民病院
_PUBLIC_HOSPITAL = re.compile("(?:" + "|".join(PREFECTURES) + r"|[\u4e00-\u9fff]{1,4}[市町村])立"
                              r"[\u4e00-\u9fff\u30a1-\u30fa\u3041-\u3093ー]{1,12}?病院")
# a name in quotes after the class it belongs to: 気象衛星「ひまわり9号」, スマートフォン用アプリ「…」
_NAMED_INSTANCE_RE = re.compile(r"(?:衛星|コンピュータ|コンピューター|システム|アプリ|サービス|プラットフォーム|サイト|ロボット"
                                r"|探査機|ロケット|データベース|ツール|ソフトウェア|端末|装置)「([^「」、。]{2,30})」")


def organisation_spans(text: str) -> list[tuple[int, int]]:
    """An organisation named with its legal form (the form and the name), and a prefecture
    where it acts (the source of figures, the author of a measure), not where it is a place.

    >>> t = "国立研究開発法人海洋研究開発機構の船舶、石川県資料、石川県能登地方、兵庫県によると"
    >>> [t[a:b] for a, b in organisation_spans(t)]
    ['国立研究開発法人海洋研究開発機構', '石川県', '兵庫県']
    >>> t = "神奈川県警察は、大阪府警察本部の、北海道警察官"
    >>> [t[a:b] for a, b in organisation_spans(t)]
    ['神奈川県警察', '大阪府警察本部']
    >>> t = "バヌアツ共和国政府は、米国政府と、日本政府、山形県立中央病院、県立病院"
    >>> [t[a:b] for a, b in organisation_spans(t)]
    ['バヌアツ共和国政府', '米国政府', '山形県立中央病院']
    >>> t = "Secure World Foundation（SWF）、National Aeronautics and Space Administration、Data Center"
    >>> [t[a:b] for a, b in organisation_spans(t)]
    ['Secure World Foundation', 'National Aeronautics and Space Administration', 'Data Center']
    >>> t = "独立行政法人制度の見直し、国立大学法人評価委員会、株式会社設立、公益社団法人日本医師会から、株式会社メルカリ"
    >>> [t[a:b] for a, b in organisation_spans(t)]
    ['公益社団法人日本医師会', '株式会社メルカリ']
    >>> t = "技術士(公社)日本技術士会、RCCM(一社)建設コンサルタンツ協会、(公社)土木学会50単位/年"
    >>> [t[a:b] for a, b in organisation_spans(t)]
    ['(公社)日本技術士会', '(一社)建設コンサルタンツ協会', '(公社)土木学会']
    """
    spans = []
    for m in _LEGAL_FORM_RE.finditer(text):
        run = _ORG_RUN.match(text, m.end())
        if run is None:
            continue
        name = run.group()
        if re.fullmatch(r"[A-Za-z0-9\u30a0-\u30fa\u30fc&.\-]+", name):
            spans.append((m.start(), run.end()))  # 株式会社メルカリ
            continue
        # the longest part of the run that ends as an organisation's name does (防災科学技術研究所
        # in …研究所資料, 情報処理推進機構 in …機構理事長)
        ends = [e.end() for e in _ORG_END.finditer(name)]
        if ends and not re.search(r"(?:法|法律|令|規則)$|第[0-9一二三四五六七八九十百]+条", name[: ends[-1]]) \
                and not name[ends[-1] :].startswith(("法", "令")):  # 株式会社商工組合中央金庫法: a law
            spans.append((m.start(), m.end() + ends[-1]))
    spans += [m.span(1) for m in _PREFECTURE_ACTS.finditer(text)]
    spans += [m.span(1) for m in _MUNICIPALITY_ACTS.finditer(text)
              if m.group(1) not in NOT_A_PLACE and not _NOT_A_NAME.match(m.group(1)[:-1])
              and m.group(1)[-2] not in "市区町村都道府県"]
    spans += [m.span() for m in _PREFECTURE_POLICE.finditer(text)]
    spans += [m.span() for m in _FOREIGN_GOVERNMENT.finditer(text)]
    spans += [m.span() for m in _ENGLISH_ORG.finditer(text)]
    spans += [m.span() for m in _PUBLIC_HOSPITAL.finditer(text)]
    spans += abbreviated_company_spans(text)
    for m in _ABBREVIATED_LEGAL_RE.finditer(text):  # (公社)日本技術士会
        run = _ORG_RUN.match(text, m.end())
        ends = [e.end() for e in _ORG_END.finditer(run.group())] if run else []
        if ends:
            spans.append((m.start(), m.end() + ends[-1]))
    return sorted(spans)


# a company's legal form abbreviated, before or after its name: (株)NTTドコモ北海道支社,
# 東日本電信電話(株)北海道事業部, ㈱…; a branch or division after it belongs to the name
_ABBREVIATED_FORM = r"(?:\((?:株|有)\)|㈱|㈲)"
_COMPANY_UNIT = r"(?:[\u4e00-\u9fff\u30a0-\u30fa\u30fcA-Za-z0-9]{1,20}?(?:支社|支店|本社|事業部|営業所|支部|本部|センター))?"
_ABBREVIATED_COMPANY_RE = re.compile(
    r"(?:[A-Za-z0-9\u30a0-\u30fa\u30fc\u4e00-\u9fff々&.\-]{2,30}" + _ABBREVIATED_FORM + _COMPANY_UNIT
    + r"|" + _ABBREVIATED_FORM + r" ?(?:[A-Za-z0-9&.\-]+ ?)?[\u30a0-\u30fa\u30fc\u4e00-\u9fff々]{2,20}"
    + r"|" + _ABBREVIATED_FORM + r" ?[A-Za-z0-9&.\-]{2,20})")


def abbreviated_company_spans(text: str) -> list[tuple[int, int]]:
    """A company named with its legal form abbreviated.

    >>> t = "東日本電信電話(株)北海道事業部、(株)NTT ドコモ北海道支社などの電気通信事業者、(株)北海道電力は"
    >>> [t[a:b] for a, b in abbreviated_company_spans(t)]
    ['東日本電信電話(株)北海道事業部', '(株)NTT ドコモ北海道支社', '(株)北海道電力']
    """
    return [m.span() for m in _ABBREVIATED_COMPANY_RE.finditer(text)]


# a legal form abbreviated in parentheses before the name, as lists of societies print it:
# (公社)日本技術士会, (一社)建設コンサルタンツ協会
ABBREVIATED_LEGAL_FORMS = {"公社": "公益社団法人", "一社": "一般社団法人", "公財": "公益財団法人", "一財": "一般財団法人",
                           "独": "独立行政法人", "国研": "国立研究開発法人", "特非": "特定非営利活動法人"}
_ABBREVIATED_LEGAL_RE = re.compile(r"[(（](" + "|".join(ABBREVIATED_LEGAL_FORMS) + r")[)）][ \u3000]?")


def without_legal_form(name: str) -> str:
    """海洋研究開発機構 for 国立研究開発法人海洋研究開発機構 (or (国研)海洋研究開発機構); the name
    itself when it has none.

    >>> without_legal_form("(公社)日本技術士会"), without_legal_form("一般社団法人建設コンサルタンツ協会")
    ('日本技術士会', '建設コンサルタンツ協会')
    """
    short = _ABBREVIATED_LEGAL_RE.match(name)
    if short and len(name) - short.end() >= 2:
        return name[short.end() :]
    for form in LEGAL_FORMS:
        if name.startswith(form) and len(name) - len(form) >= 2:
            return name[len(form) :].lstrip(" \u3000")
    return name


def with_legal_form(name: str) -> str | None:
    """The name with its abbreviated legal form written out: 公益社団法人日本技術士会 for
    (公社)日本技術士会; None when it has no abbreviated form.

    >>> with_legal_form("(一社)建設コンサルタンツ協会"), with_legal_form("土木学会")
    ('一般社団法人建設コンサルタンツ協会', None)
    """
    short = _ABBREVIATED_LEGAL_RE.match(name)
    return ABBREVIATED_LEGAL_FORMS[short.group(1)] + name[short.end() :] if short else None


def named_instance_spans(text: str) -> list[tuple[int, int]]:
    """A system's name in quotes after its class (a satellite, a supercomputer, an app).

    >>> t = "静止気象衛星「ひまわり9号」が観測した、防災アプリ「そなえ」、「本計画」"
    >>> [t[a:b] for a, b in named_instance_spans(t)]
    ['ひまわり9号', 'そなえ']
    """
    return [m.span(1) for m in _NAMED_INSTANCE_RE.finditer(text)]


# a council, group or board named in quotes: 「…の在り方に関するワーキンググループ」
# (a meeting of it, 「第3回…会議」, is the body: the session number is left out)
_QUOTED_BODY_RE = re.compile(r"「(?:第[0-9一二三四五六七八九十百]+回)?([^「」、。\s]{4,60}?(?:ワーキンググループ|ワーキング・グループ|タスクフォース"
                             r"|検討会|研究会|懇談会|審議会|調査会|協議会|委員会|部会|分科会|推進会議|会議|本部))」")


def body_spans(text: str) -> list[tuple[int, int]]:
    """Councils and groups named in quotes: the span inside the quotes.

    >>> t = "「データ活用の在り方に関するワーキンググループ」を設置し、「会議」で、「第3回データ社会推進会議」"
    >>> [t[a:b] for a, b in body_spans(t)]
    ['データ活用の在り方に関するワーキンググループ', 'データ社会推進会議']
    """
    return [m.span(1) for m in _QUOTED_BODY_RE.finditer(text)]


# an officer post given its abbreviation: AI統括責任者(CAIO), 最高情報セキュリティ責任者(CISO)
_POST_RE = re.compile(r"(?<![A-Za-z0-9\u4e00-\u9fff\u30a0-\u30ff])([A-Za-z0-9\u4e00-\u9fff\u30a0-\u30ff]{0,16}(?:統括|最高)"
                      r"[A-Za-z0-9\u4e00-\u9fff\u30a0-\u30ff]{0,12}責任者)(?=\([A-Z][A-Za-z]{1,7}\))")


def post_spans(text: str) -> list[tuple[int, int]]:
    """Officer posts introduced with their abbreviation, which act as organs do.

    >>> t = "各府省に設置するAI統括責任者(CAIO)が総括し、最高情報セキュリティ責任者(CISO)と運用責任者(PM)が確認する"
    >>> [t[a:b] for a, b in post_spans(t)]
    ['AI統括責任者', '最高情報セキュリティ責任者']
    >>> t = "令和4年1月21日各府省情報化統括責任者(CIO)連絡会議決定"
    >>> [t[a:b] for a, b in post_spans(t)]
    ['各府省情報化統括責任者']
    """
    return [(_past_date(text, *m.span(1)), m.end(1)) for m in _POST_RE.finditer(text)]


def _past_date(text: str, a: int, b: int) -> int:
    """Where ``text[a:b]`` goes on past a date before it (the day of a decision, not part
    of what follows)."""
    m = _DATED.match(text, a, b)
    return m.end() if m else a


_DATED = re.compile(r"(?:(?:令和|平成|昭和)?[0-9元]+年)?(?:[0-9]+月)?(?:[0-9]+日)?")


def program_spans(text: str) -> list[tuple[int, int]]:
    """Quoted programme names: 「再配達削減PR月間」 → the span inside the quotes."""
    return [m.span(1) for m in _PROGRAM_RE.finditer(text)]


# a list item that is a programme's name and nothing else (＜主な事業＞ ・新規就農者対策事業,
# ・卒業生のUターン促進事業, ・Wi-Fi環境の整備事業（…）): the whole item is its name, の and all;
# an item that says something (…と連携した学校紹介、入学案内事業。) is not a name
_LISTED_PROGRAMME = re.compile(r"(?m)^[ \u3000]*[\-‐－" + BULLETS + r"][ \u3000]*"
                               r"([^\s。、「」()（）:：]{4,40}?(?:事業|制度|プロジェクト|プログラム))"
                               r"(?:[(（][^()（）\n]{1,40}[)）])?[ \u3000]*$")


def listed_programme_spans(text: str) -> list[tuple[int, int]]:
    r"""Programmes named by a list item of their own.

    >>> t = "＜主な事業＞\n・新規就農者対策事業\n・卒業生のUターン促進事業\n・学校紹介、入学案内事業。\n・高校生の村づくり事業（年2回）"
    >>> [t[a:b] for a, b in listed_programme_spans(t)]
    ['新規就農者対策事業', '卒業生のUターン促進事業', '高校生の村づくり事業']
    """
    return [m.span(1) for m in _LISTED_PROGRAMME.finditer(text)]


# a name in quotes that no head word types: a service used as one (「ねんきんネット」に掲載,
# 「やまがたAEDマップ」で公開, 「横浜市避難ナビ」により) or a named initiative, campaign,
# day or survey (「テレワーク・デイズ」の実施, 「救急の日」, 「しまね観光人材バンク」).  Not a
# word quoted as a word: a definition (「X」とは, 「X」という, 「X」とあるのは), an answer or
# opinion (「…する」と回答), a category a case falls in (「法令に基づく場合」に該当), a
# phrase (…の確保, …復習する), a date, a number, a reference (「第3」), or one of a run of
# quoted slogans (「デジタルファースト」「ワンスオンリー」)
_QUOTED_NAME_RE = re.compile(r"(?<!」)「([^「」、。\n]{3,40})」(?!「)")
_QUOTED_AS_WORD = re.compile(r"(?:と(?!(?:連携|協力|共同|共に|ともに))|に該当|に当たる|に当たら|又は「|及び「|、「|等|など|の語)")
_SERVICE_WORD = re.compile(r"(?:(?<!ター)ネット(?!ワーク)|ナビ|マップ|ポータル|ページ|サイト|コーナー|ヘルプデスク|アプリ|システム|データベース"
                           r"|ダイヤル|チャットボット|Navi|Net|Portal|Map|App)")
_SERVICE_USE = re.compile(r"(?:に(?:掲載|登録|入力|アクセス|ログイン|公開|接続)|へ(?:の)?(?:掲載|登録|入力|アクセス|ログイン)"
                          r"|で(?:公開|公表|発信|配信|提供|確認|閲覧|検索|申請|受け付け|受付)|により(?:公表|公開|提供|発信|配信|周知)"
                          r"|において(?:公開|公表|提供|掲載)|の(?:利用者|ログイン|閲覧|アクセス|画面|機能))")
# one of a run of words quoted in turn: 「リアル」、「デジタル」 / 「フロント」と「バックヤード」
_IN_A_LIST_OF_WORDS = re.compile(r"」(?:、|と|や|・)「")
# what names a time, a field, a class or an event, not a scheme: 「集中改革期間」, 「見直し完了時期」,
# 「終了時刻」, 「学校種別」, 「能登半島地震」, 「見える化」
_NOT_A_NAME_END = re.compile(r"(?:期間|時期|時刻|日時|種別|区分|地震|震災|災害|症|化|頃|欄|項目|率|数|額|番号|型|目的"
                             # a publication (「インターネットトラブル事例集」, 「…リーフレット」)
                             r"|事例集|集|冊子|リーフレット|パンフレット|ポスター|チラシ|教材)$")
_PHRASE_END = re.compile(r"(?:[\u3041-\u3093]|の(?:確保|向上|高度化|推進|強化|実現|充実|促進|改善|防止|削減|拡大|徹底)|問題|課題)$")


def quoted_name_spans(text: str) -> list[tuple[int, int, str]]:
    """Names in quotes typed by their use rather than a head word: (start, end, label),
    PG_System for a service used as one, else PG_Program.  A trailing abbreviation
    (「海洋状況表示システム(海しる)」) is left to the abbreviation reader.

    >>> t = "「ねんきんネット」に掲載し、「救急の日」(9月9日)に、「ふたば」と連携し、「StuDX Style」に掲載する"
    >>> [(t[a:b], label) for a, b, label in quoted_name_spans(t)]
    [('ねんきんネット', 'PG_System'), ('救急の日', 'PG_Program'), ('ふたば', 'PG_Program'), ('StuDX Style', 'PG_System')]
    >>> t = "「個人データ」とは、「法令に基づく場合」に該当し、「家で端末を使って復習する」と、「拡張性の向上」「設計や運用の高度化」、「R7~R8」、「第3 施策」、「継続」"
    >>> quoted_name_spans(t)
    []
    >>> t = "「リアル」、「デジタル」の両面で、「集中改革期間」に、「見える化」を、「① 取組」、「YYYY-MM-DD」、いわゆる「置き配」、「闇バイト」等情報、「トラブル事例集」"
    >>> quoted_name_spans(t)
    []
    """
    out = []
    for m in _QUOTED_NAME_RE.finditer(text):
        name = m.group(1).strip()
        after = text[m.end() : m.end() + 8]
        a, b = m.span(1)
        paren = re.search(r"[(（]", name)
        if paren and paren.start() >= 3:  # 「海洋状況表示システム(海しる)」, 「…戦略(2022年…閣議決定)」
            b = a + paren.start()
            name = name[: paren.start()].rstrip()
        if _QUOTED_AS_WORD.match(after) or _PHRASE_END.search(name) and re.search(r"[\u4e00-\u9fff]", name) \
                or _IN_A_LIST_OF_WORDS.search(text, max(0, m.start() - 2), m.start() + 1) \
                or text[max(0, m.start() - 4) : m.start()].endswith("いわゆる") \
                or re.match(r"(?:第 ?[0-9一二三四五六七八九十]|令和|平成|昭和|R[0-9]|[0-9０-９#~〜～①-⑳]|[A-Z]{4}-)", name) \
                or _NOT_A_NAME_END.search(name) \
                or re.fullmatch(r"[\u4e00-\u9fff]{1,3}", name) or re.search(r"[\s　]{2}|[!?！？…]", name):
            continue
        label = "PG_System" if _SERVICE_WORD.search(name) or _SERVICE_USE.match(after) else "PG_Program"
        out.append((a, b, label))
    return out


# treaties and agreements (annotation.md: Law): …に関する条約, a compound named by its parties
# or subject (日・EU経済連携協定, パリ協定), not a bare kind (労使協定, 租税条約)
_TREATY_RE = re.compile(r"(?<![\u4e00-\u9fff\u30a0-\u30ffー・の])((?:[\u4e00-\u9fff\u30a0-\u30ffー・][\u4e00-\u9fff\u30a0-\u30ffー・の]{1,30}に関する)?"
                        r"[\u4e00-\u9fff\u30a0-\u30ffー・A-Za-z]{0,16}?(?:条約|協定|議定書))(?![\u4e00-\u9fff])")
# a compound named by its parties or place (日・EU, 日米, パリ, TPP), not by its kind
# (相互応援協定, 包括連携協定, 安全保障条約); …に関する協定 is most often a private one
# (時間外労働に関する協定), …に関する条約 / 議定書 a state's
_TREATY_PARTIES = re.compile(r"[\u30a0-\u30ffA-Za-z・]|^日[米英仏独中韓露豪加印伊]")


def treaty_spans(text: str) -> list[tuple[int, int]]:
    """Treaties and agreements by name.

    >>> t = "サイバー犯罪に関する条約に基づき、日・EU経済連携協定、パリ協定、労使協定、本協定、日米地位協定"
    >>> [t[a:b] for a, b in treaty_spans(t)]
    ['サイバー犯罪に関する条約', '日・EU経済連携協定', 'パリ協定', '日米地位協定']
    >>> t = "相互応援協定、包括連携協定、時間外労働に関する協定、安全保障条約"
    >>> [t[a:b] for a, b in treaty_spans(t)]
    []
    """
    out = []
    for m in _TREATY_RE.finditer(text):
        name = m.group(1).lstrip("・")
        if name.startswith(("本", "同", "当該", "各", "上記")):
            continue  # 本協定: a document's own
        about = "に関する" in name
        if (about and name.endswith("協定")) or (not about and not _TREATY_PARTIES.search(name)):
            continue  # 労使協定, 相互応援協定, 時間外労働に関する協定: a kind, or a private agreement
        out.append((m.end(1) - len(name), m.end(1)))
    return out


def law_number_spans(text: str) -> list[tuple[int, int, str, str, int, str]]:
    """Law numbers in parentheses after a name: (start of paren, end, era, kind, year, number).

    >>> [(e, k, y, n) for _, _, e, k, y, n in law_number_spans("道路交通法(昭和35年法律第105号)")]
    [('昭和', '法律', 35, '105')]
    >>> [(e, k, y, n) for _, _, e, k, y, n in law_number_spans("国家行政組織法(昭和二十三年法律第百二十号)")]
    [('昭和', '法律', 23, '120')]
    >>> [(k, n) for _, _, e, k, y, n in law_number_spans("施行規則(平成28年個人情報保護委員会規則第3号)…法律(昭和57年法律第 80 号。")]
    [('個人情報保護委員会規則', '3'), ('法律', '80')]
    """
    out = []
    for m in _LAW_NUM_RE.finditer(text):
        out.append((m.start(), m.end(), m.group(1), m.group(3), numeral(m.group(2)), str(numeral(m.group(4)))))
    return out



ERA_DIGIT = {"明治": 1, "大正": 2, "昭和": 3, "平成": 4, "令和": 5}


def egov_law_id(era: str, year: int, kind: str, number: str) -> str | None:
    """e-Gov law id from a law number, where the scheme is known (法律 AC, 政令 CO).

    >>> egov_law_id("昭和", 35, "法律", "105")
    '335AC0000000105'
    """
    code = {"法律": "AC", "政令": "CO"}.get(kind)
    if code is None or era not in ERA_DIGIT:
        return None
    return f"{ERA_DIGIT[era]}{year:02d}{code}{int(number):010d}"


_SUBCOMMITTEE = re.compile(r"(.{2,}?(?:会議|審議会|調査会|協議会|委員会|分科会))[^会]{0,12}?(?:部会|分科会)$")


def split_hierarchy(name: str) -> list[str]:
    """Cumulative names of an organisational path.

    >>> split_hierarchy("規制改革推進会議行政手続部会"), split_hierarchy("関係省庁連絡会議")
    (['規制改革推進会議', '規制改革推進会議行政手続部会'], ['関係省庁連絡会議'])
    >>> split_hierarchy("交通政策審議会陸上交通分科会自動車部会")
    ['交通政策審議会', '交通政策審議会陸上交通分科会', '交通政策審議会陸上交通分科会自動車部会']

    >>> split_hierarchy("警察庁交通局運転免許課行政処分係")
    ['警察庁', '警察庁交通局', '警察庁交通局運転免許課', '警察庁交通局運転免許課行政処分係']
    >>> split_hierarchy("交通部運転免許課"), split_hierarchy("大分県警察本部交通部")
    (['交通部', '交通部運転免許課'], ['大分県警察本部', '大分県警察本部交通部'])
    """
    sub = _SUBCOMMITTEE.match(name)
    if sub:  # a council's subcommittee: 規制改革推進会議 › 規制改革推進会議行政手続部会
        return [*split_hierarchy(sub.group(1)), name]
    parts = re.findall(r".+?(?:省|庁|局|課|係|室|委員会|本部|部)(?=.|$)", name)
    if "".join(parts) != name or len(parts) < 2:
        return [name]
    for i in range(len(parts) - 2, -1, -1):  # 部 inside a word is no department: 文部|科学省
        if len(parts[i]) <= 2 and parts[i].endswith("部"):
            parts[i : i + 2] = [parts[i] + parts[i + 1]]
    if len(parts) < 2:
        return [name]
    return ["".join(parts[: i + 1]) for i in range(len(parts))]


def good_compound(text: str, head: str) -> bool:
    if len(text) < len(head) + 2 or text in _GENERIC_AGENCY_WORDS:
        return False
    if text.startswith(_BAD_PREFIX) and not (text.startswith("全国") and head in _NATIONWIDE_HEADS):
        return False  # (a campaign or event held nationwide is named so: 全国火災予防運動)
    if re.match(r"^[0-9]+(?:年|月|日|号|条|-)", text):
        return False
    return not re.search(r"[、。「」()\s]", text)


_NATIONWIDE_HEADS = ("運動", "週間", "月間", "キャンペーン", "大会")
