"""Load GiNZA once, with sentence starts at line breaks set before its parser and the
gazetteer component in front of its NER."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from spacy.tokens import Span

from policygraph.core.settings import GINZA_EXCLUDE
from policygraph.ingest.bullets import BULLETS
from policygraph.ingest.extract.gazetteer import (
    AGENCY_HEADS,
    DEVICE_HEADS,
    EXCLUDED_TAILS,
    GENERIC_LAWS,
    GENERIC_SYSTEMS,
    LAW_HEADS,
    NOT_LAW_TAILS,
    ORDER_HEADS,
    PLAN_HEADS,
    PROGRAM_HEADS,
    SITE_WORDS,
    SYSTEM_HEADS,
    Gazetteer,
    bare_device,
    body_spans,
    good_compound,
    law_number_spans,
    listed_programme_spans,
    named_instance_spans,
    organisation_spans,
    plan_spans,
    post_spans,
    program_spans,
    quoted_name_spans,
    short_dial_spans,
    site_spans,
    split_hierarchy,
    treaty_spans,
)
from policygraph.ingest.numerals import KANJI_0_9

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

_NOUNISH = {"NOUN", "PROPN", "NUM"}
# what can stand glued in front of a name and is not part of it: a date (令和6年12月6日付け),
# a document number (付薬食審査発1228第27号, 医薬審発第1552号, 30経営第1044号 before 厚生労働省…課)
_DATE_PREFIX = re.compile(rf"^(?:(?:令和|平成|昭和)?[0-9０-９元{KANJI_0_9}十]+年(?:[0-9０-９{KANJI_0_9}十]+月)?(?:[0-9０-９{KANJI_0_9}十]+日)?(?:付け?)?"
                          # (a month and day, as statutes print a date in kanji: 七月三日国家公安委員会規則)
                          rf"|[0-9０-９{KANJI_0_9}十]+月[0-9０-９{KANJI_0_9}十]+日(?:付け?)?"
                          r"|付?[0-9]{0,4}[^\s0-9]{0,8}?発?[0-9]*第[0-9]+号|号"
                          # an article that amends or cites the name: 附則第四十四条中登録免許税法
                          rf"|(?:附則)?(?:第[0-9{KANJI_0_9}十百千]+[条項号](?:の[0-9{KANJI_0_9}十]+)?)+中?)")
# where a law's name, read backwards from its number, must stop: punctuation or a space (二 皇室典範),
# a topic or case particle, not a name's first kana (がん登録等の推進に関する法律), を only
# where it does not belong to the name (…の一部を改正する法律, …の形成を図るための…法律), 行為で…,
# …に関し, a clause that qualifies it (第二条第一項に規定する…)
_LAW_STOP = re.compile(r"[、。「」『』()\s]|(?<=[^\s、。「」『』()])[はがで](?=[^\s])"
                       r"|(?<=[^\s])を(?!改正|[^、。()]{0,20}?(?:ための|する法律))|(?<=関)し(?!て)"
                       r"|(?<=規定す)る|(?<=定め)る|(?<=準用す)る|(?<=係)る|(?<=によ)る|(?<=におけ)る|(?<=並び)に"
                       r"|(?<=[条項号])中")  # 附則第四十四条中登録免許税法: the article that amends it
_ENCLOSED = re.compile(r"[\u2460-\u24ff\u2776-\u2793\u3251-\u325f\u32b1-\u32bf]+")  # ① ⑳ ❶ ㉑
_REGISTERED = False
_NUMBERED = re.compile(r"^(?:明治|大正|昭和|平成|令和|[0-9" + KANJI_0_9 + "十])")


def _register() -> None:
    """Register the spaCy factory (once per process, lazily: spaCy is heavy)."""
    global _REGISTERED
    if _REGISTERED:
        return
    from spacy.language import Language

    @Language.factory("pg_gazetteer", default_config={})
    def _make(nlp: Language, name: str) -> GazetteerComponent:  # noqa: ARG001
        return GazetteerComponent(Gazetteer([]))

    Language.component("pg_line_breaks", func=line_breaks)

    _REGISTERED = True


# an order made under a law, named after it (…法施行令, …法施行規則, 民法施行法)
_ORDER_OF_LAW = re.compile(r"施行(?:令|規則|細則|法)")


class GazetteerComponent:
    """Presets doc.ents from the gazetteer and token patterns (see gazetteer.py)."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer

    def __call__(self, doc: Doc) -> Doc:
        from spacy.util import filter_spans

        _split_article_naka(doc)
        text = doc.text
        spans: list[Span] = []
        for a, b, term in self.gazetteer.find(text):
            if term.type == "Agency" and text[b : b + 1] == "令":
                continue  # 厚生労働省令, 内閣府令: a kind of ordinance, not the ministry
            order = _ORDER_OF_LAW.match(text, b) if term.type == "Law" else None
            if order:  # 風俗営業等の…に関する法律施行令: the law's order, a law of its own
                span = doc.char_span(a, order.end(), label="PG_Law", alignment_mode="expand")
                if span is not None:
                    spans.append(span)
                continue
            # token-aligned: a name inside a longer token takes the whole token
            span = doc.char_span(a, b, label=f"PG_{term.type}", kb_id=term.key, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        spans.extend(self._laws(doc))
        for finder, label in ((plan_spans, "PG_Plan"), (program_spans, "PG_Program"),
                              (listed_programme_spans, "PG_Program"), (short_dial_spans, "PG_System"),
                              (site_spans, "PG_System"), (organisation_spans, "PG_Agency"),
                              (named_instance_spans, "PG_System"), (body_spans, "PG_Agency"),
                              (post_spans, "PG_Agency"), (treaty_spans, "PG_Law")):
            for a, b in finder(text):
                span = doc.char_span(a, b, label=label, alignment_mode="expand")
                if span is not None:
                    spans.append(span)
        spans.extend(self._compounds(doc))
        spans.extend(_quoted_names(doc))
        spans.extend(_appositions(doc, spans))
        spans.extend(_tools(doc, spans))
        doc.ents = filter_spans([_with_term(doc, sp) for sp in spans])
        _nested_in_titles(doc, spans)
        return doc

    def _laws(self, doc: Doc) -> list[Span]:
        out = []
        text = doc.text
        for paren, _end, *_ in law_number_spans(text):
            quoted = re.search(r"「([^「」]{2,80}?(?:法|法律|令|規則|条例))」$", text[max(0, paren - 84) : paren])
            if quoted:  # 「災害弔慰金の支給等に関する法律」（昭和48年法律第82号）: the name in the quotes
                span = doc.char_span(paren - 1 - len(quoted.group(1)), paren - 1, label="PG_Law",
                                     alignment_mode="expand")
                if span is not None:
                    out.append(span)
                continue
            a = paren
            while a > 0 and not _LAW_STOP.match(text, a - 1):
                a -= 1
            short = re.match(r"[^\s]{1,2}(?:及び|並びに)", text[a:paren])  # 法及び道路交通法の…規則: 法 is another law
            if short:
                a += short.end()
            # after another law's number: （…号）及び風俗営業等の…施行令（…）, not a name of its own
            # when the number ends it: （…号）等の一部を改正する法律 (the other law's amending act)
            joined = re.match(r"及び|並びに|又は|若しくは", text[a:paren])
            if joined:
                a += joined.end()
            elif text.startswith(("等の", "の"), a):
                continue
            if paren - a >= 2:
                span = doc.char_span(a, paren, label="PG_Law", alignment_mode="contract")
                if span is not None:
                    out.append(span)
        return out

    def _compounds(self, doc: Doc) -> list[Span]:
        """Noun compounds headed by a system / agency / programme word.

        Runs of nominal tokens are cut at the last token where the text so far ends
        with a head word (so multi-token heads such as 捜査班 count); a bare generic
        head (業務システム, 新たなシステム) takes its modifying clause from the parse.
        """
        out: list[Span] = []
        i = 0
        n = len(doc)
        while i < n:
            if not _joins(doc[i]):
                i += 1
                continue
            j = i
            # a run stops at a space: 名称 独立行政法人…機構, 審査管理課長 安全対策課長
            while j + 1 < n and _joins(doc[j + 1]) and not doc[j].whitespace_:
                j += 1
            found = self._cut_run(doc, i, j)
            out.extend(found or _defined_by_acronym(doc, i, j))
            i = j + 1
        return out

    def _past_a_glued_act(self, doc: Doc, start: int, k: int) -> int:
        """Where a known organ's name starts in a compound that glues an act in front of it
        (推進デジタル庁, 横展開デジタル庁: a table's cells run together); else ``start`` (a
        longer name of its own: 地方厚生局, 消費者庁長官)."""
        for s in range(start + 1, k + 1):
            term = self.gazetteer.lookup(doc[s : k + 1].text)
            if term is not None and term.type == "Agency":
                return s if _verbal_noun(doc[s - 1]) else start
        return start

    def _cut_run(self, doc: Doc, i: int, j: int) -> list[Span]:
        for k in range(j, i - 1, -1):
            text = doc[i : k + 1].text
            label, head = _head_of(text)
            if label is None or head is None:
                continue
            cut = _name_start(doc, i, k)
            if cut is None:
                return []
            start, dated = cut
            start = self._past_a_glued_act(doc, start, k) if label == "PG_Agency" else start
            span = doc[start : k + 1]
            if label == "PG_Agency" and _number_symbol(doc, span, dated):
                return []
            if label == "PG_Law" and k != j and doc[k + 1].text.startswith("案"):
                return []  # デジタル監視法案: a bill, not a law (関税法施行令第3条 is the order)
            if label == "PG_System" and span.text in GENERIC_SYSTEMS:
                named = _generic_system(doc, start, k, span.text)
                return [named] if named is not None else []
            if label == "PG_Agency" and span.text.startswith("関係") and head in ("会議", "本部", "協議会"):
                # 外国人の受入れ・…に関する関係閣僚会議; …に関する関係閣僚会議決定 (what it decided:
                # the clause hangs on 決定), without the decision's date
                clause = _clause(doc, k) or (_clause(doc, j) if j > k else None)
                council = _name_start(doc, clause.start, k) if clause else None
                return [Span(doc, council[0], k + 1, label=label)] if council else []
            if label == "PG_Agency" and self.gazetteer.juxtaposed(span.text):
                return []  # 公正取引委員会通商産業省: two issuers side by side, each found on its own
            if label == "PG_Agency" and re.match(r"^[^・]+(?:省|庁|局|令|会議|本部|委員会)・", span.text):
                return []  # 警察庁・総務省, 主務省令・法務省…: a list, each found on its own
            if label == "PG_Agency" and "・" in span.text:
                listed = _agency_list(doc, start, k)
                if listed:
                    return listed
            if span.text in _NAMED_BY_SUBJECT and re.search(r"(?:に関する|に係る|のための|に向けた)$", doc.text[: span.start_char]):
                clause = _clause(doc, k, aimed=True)  # クロスボウの取扱いに関する講習会, …の利用に関する指針
                return [Span(doc, clause.start, clause.end, label=label)] if clause else []
            if _kind_only(label, head, span.text):
                return []
            if good_compound(span.text, head) or bare_device(span.text):
                sp = doc[start : k + 1]
                return [Span(doc, sp.start, sp.end, label=label)]
            return []
        return []


# an acronym defined in parentheses after a name: 政府安全保障能力強化支援(OSA), 女性・平和・安全保障(WPS)
_ACRONYM_AFTER = re.compile(r"[(（](?:通称|略称)?[:：]?[A-Z][A-Z0-9]*[A-Z][A-Z0-9]*(?:-[A-Z0-9]{1,6})?[)）]")


def _defined_by_acronym(doc: Doc, i: int, j: int) -> list[Span]:
    """A compound no head word types, named by the acronym defined after it, that names
    an activity (its last word a verbal noun: …支援, …援助, …把握): a scheme or initiative
    (annotation.md: Program) of at least 6 characters; not a field, a substance or a
    measure's unit (人工知能(AI), 液化天然ガス(LNG), 重要業績評価指標(KPI))."""
    if not _verbal_noun(doc[j]) or not _ACRONYM_AFTER.match(doc.text, doc[j].idx + len(doc[j])):
        return []
    cut = _name_start(doc, i, j)
    if cut is None:
        return []
    span = doc[cut[0] : j + 1]
    if len(span.text) < 6 or span.text.startswith(("・", "-")) or not re.match(r"[\u4e00-\u9fff\u30a0-\u30ff]", span.text):
        return []
    return [Span(doc, span.start, span.end, label="PG_Program")]


def _verbal_noun(tok: Any) -> bool:
    """A noun that names an act (推進, 横展開: Sudachi's サ変可能), not a place or a body."""
    return "サ変可能" in tok.tag_ and tok.pos_ == "NOUN"


def _name_start(doc: Doc, i: int, k: int) -> tuple[int, bool] | None:
    """Where a name ending at token ``k`` of the run starting at ``i`` starts, past what
    stands glued in front of it and is not part of it; and whether a date was cut (None:
    nothing is left)."""
    start = i
    # a separator, a formal noun ending the phrase before (…法人のうち地方独立行政法人法),
    # an attachment's label (別紙テレビ会議システム)
    while start < k and (doc[start].text in ("・", "-", "うち", "ほか", "とき", "場合", "別紙", "別添", "別記",
                                             # formal nouns ending a phrase (…をはじめ, そのまま, …のため)
                                             "はじめ", "まま", "ため", "もの", "こと", "ところ", "など")
                         or _ENCLOSED.fullmatch(doc[start].text)):
        start += 1  # …, or an item's number (①財務省, ③④警察庁)
    # the tail of a dotted date (2020.11.10マイナンバー制度) is not part of the name
    while (start < k and re.fullmatch(r"[0-9]+", doc[start].text) and doc[start].idx >= 1
           and doc.text[doc[start].idx - 1] in "./"):
        start += 1
    # a date, then a document number (平成26年12月28日付薬食審査発1228第27号厚生労働省…)
    dated = False
    while (m := _DATE_PREFIX.match(doc[start : k + 1].text)) and not _named_year(doc, start, k, m.group()):
        span0 = doc.char_span(doc[start].idx + m.end(), doc[k].idx + len(doc[k]), alignment_mode="contract")
        if span0 is None or len(span0) == 0:
            return None
        start = span0.start
        dated = True
    return start, dated


_LATIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[./&-][A-Za-z0-9]+)*")
# what a Latin name placed after it is an instance of: 認証システムであるgBizID,
# 国際標準化団体のW3C, オープンソースのソフトウェアであるCKAN
_CLASS_WORDS: tuple[tuple[str, str, bool], ...] = (
    # (head, label, also after の)
    ("システム", "PG_System", False), ("サービス", "PG_System", False), ("プラットフォーム", "PG_System", False),
    ("サイト", "PG_System", False), ("ソフトウェア", "PG_System", True), ("ソフトウエア", "PG_System", True), ("ツール", "PG_System", True),
    ("アプリ", "PG_System", False), ("データベース", "PG_System", False),
    ("団体", "PG_Agency", True), ("機関", "PG_Agency", True), ("組織", "PG_Agency", False), ("法人", "PG_Agency", False),
)


# what follows a Latin name that is used as a tool: …を利用, …で作成, …や…などの共通的なツール
_TOOL_USE = re.compile(r"(?:\[\^?[0-9]+\])?(?:を(?:利用|使用|活用|用い|使い|使っ|導入|採用)|で作成"
                       r"|(?:や|、|及び|と)[^。]{0,40}?(?:など|等)の[^。]{0,12}?(?:ツール|ソフトウ[ェエ]ア|アプリケーション|アプリ|ライブラリ)"
                       r"|(?:など|等)の[^。、]{0,12}?(?:ツール|ソフトウ[ェエ]ア|アプリケーション|アプリ|ライブラリ)"
                       r"|の?(?:ツール|ソフトウ[ェエ]ア|ライブラリ)"
                       # a name whose functions are extended or that is modified: e-LAWSの機能拡充
                       r"|の(?:機能(?:拡充|追加)|改修|更改|ログイン))")  # (機能強化 is said of organisations too)


# a file format is not a tool (PDFで作成, CSVを利用)
_FILE_FORMAT = re.compile(r"(?i)pdf|csv|tsv|xml|json|html?|rdf|xlsx?|docx?|pptx?|txt|zip|png|jpe?g|gif|svg|odt|ods")


# 第十七条中農林中央金庫法: "in article 17, the 農林中央金庫法…" (a statute's amending
# provisions); Sudachi reads 中農 / 中銀 / 中長期 as one word across the boundary
_ARTICLE_END = re.compile(r"(?:第[0-9" + KANJI_0_9 + r"十百千]+[条項号](?:の[0-9" + KANJI_0_9 + r"十]+)*|附則)$")


def _split_article_naka(doc: Doc) -> None:
    """Split a token 中X that follows an article reference into 中 and X, so that the name
    after it starts on a token of its own."""
    cut = [t for t in doc[1:] if len(t) > 1 and t.text[0] == "中" and not t.nbor(-1).whitespace_
           and _ARTICLE_END.search(doc.text[max(0, t.idx - 16) : t.idx])
           and _nominal_tag(t.tag_)]
    if not cut:
        return
    with doc.retokenize() as r:
        for t in cut:
            rest = t.text[1:]
            # (a root keeps its place: the second part, not a cycle through the first)
            r.split(t, ["中", rest], heads=[(t, 1), (t, 1) if t.head == t else t.head],
                    attrs={"TAG": ["名詞-普通名詞-副詞可能", "名詞-普通名詞-一般"], "POS": ["NOUN", t.pos_],
                           "LEMMA": ["中", rest], "NORM": ["中", rest], "DEP": ["compound", t.dep_]})


def _latin_run(doc: Doc, i: int, taken: set[int], spaced: bool = False) -> int:
    """The end of the Latin name starting at token ``i`` (Sudachi cuts W3C into W / 3 / C);
    ``spaced``: capitalised words after a space belong to it (Microsoft Excel)."""
    j = i + 1
    while j < len(doc) and j not in taken and doc[j].text.isascii() and re.fullmatch(r"[A-Za-z0-9./&-]+", doc[j].text) \
            and (not doc[j - 1].whitespace_ or (spaced and doc[j].text[:1].isupper())):
        j += 1
    return j


def _tools(doc: Doc, spans: list[Span]) -> list[Span]:
    """A Latin name used as a tool is a system (annotation.md: software tools):
    ``…オープンソースのであるCKANを利用しています``, ``クレンジングのためのOpenRefineや…
    バリデータなどの共通的なツール``, ``Microsoft Excelで作成``.  Only where nothing else
    (the reference data, a definition) has labelled the name; inside a title (…の機能拡充等に係る
    工程表) it is a name nested in the title."""
    taken = {t for sp in spans if sp.label_ not in ("PG_Plan", "PG_Program") for t in range(sp.start, sp.end)}
    out = []
    text = doc.text
    i = 0
    while i < len(doc):
        tok = doc[i]
        if i in taken or not tok.text.isascii() or not tok.text[:1].isalpha() or (
                i > 0 and not doc[i - 1].whitespace_ and doc[i - 1].text.isascii() and doc[i - 1].text[-1:].isalnum()):
            i += 1
            continue
        j = _latin_run(doc, i, taken, spaced=True)
        name = doc[i:j].text
        end = doc[j - 1].idx + len(doc[j - 1].text)
        if len(name) >= 3 and re.fullmatch(r"[A-Za-z][A-Za-z0-9 ]*(?:[./&-][A-Za-z0-9]+)*", name) \
                and not _FILE_FORMAT.fullmatch(name) and _TOOL_USE.match(text, end):
            out.append(Span(doc, i, j, label="PG_System"))
        i = j
    return out


# a plan's term printed after its name is part of it: 国土強靱化地域計画(第2期), 第3次…プラン(第2次)
# (an edition, (令和7年度改定版), is not)
_PLAN_TERM = re.compile(r"[(（]第[0-9一二三四五六七八九十]{1,3}[期次][)）]")


def _with_term(doc: Doc, span: Span) -> Span:
    """A plan's span with the term printed after its name."""
    if span.label_ != "PG_Plan":
        return span
    m = _PLAN_TERM.match(doc.text, span.end_char)
    if m is None:
        return span
    wider = doc.char_span(span.start_char, m.end(), label=span.label_, kb_id=span.kb_id_, alignment_mode="expand")
    return wider if wider is not None else span


def _quoted_names(doc: Doc) -> list[Span]:
    """Names in quotes (gazetteer.quoted_name_spans): a name whose head word types it
    (「持続可能な観光地域づくり先導モデル事業」) keeps that type over its whole quoted span; a
    kind word in quotes (「関係機関」, 「情報システム」) names nothing."""
    out = []
    for a, b, label in quoted_name_spans(doc.text):
        name = doc.text[a:b]
        if name.endswith(EXCLUDED_TAILS) or name in GENERIC_SYSTEMS:
            continue
        span = doc.char_span(a, b, alignment_mode="expand")
        if span is None or len(span) == 1 and span[0].tag_.startswith("名詞-普通名詞") \
                and re.fullmatch(r"[\u30a1-\u30fa\u30fc]+", name):
            continue  # 「データ」, 「セキュリティ」: a common word in quotes
        # (an edition's year or version after the head: 「AI戦略 2022」 is a strategy)
        head_label, head = _head_of(re.sub(r"[\s　]*(?:(?:19|20)[0-9]{2}|[Vv]er\.?[0-9.]+)$", "", name))
        if head_label is not None and head is not None:
            if _kind_only(head_label, head, name):
                continue
            label = head_label
        out.append(Span(doc, span.start, span.end, label=label))
    return out


def _appositions(doc: Doc, spans: list[Span]) -> list[Span]:
    """A Latin name in apposition to a class word names an instance of that class:
    ``…認証システムであるgBizID`` (a system), ``国際標準化団体のW3C`` (an organisation).
    Only where nothing else has labelled the name."""
    taken = {t for sp in spans for t in range(sp.start, sp.end)}
    out = []
    for tok in doc:
        i = tok.i
        if i < 2 or i in taken or not tok.text.isascii() or not tok.text[:1].isalpha():
            continue
        if doc[i - 2].text == "で" and doc[i - 1].lemma_ == "ある" and i >= 3:
            before, after_no = doc[i - 3], False
        elif doc[i - 1].text == "の":
            before, after_no = doc[i - 2], True
        else:
            continue
        j = _latin_run(doc, i, taken)
        name = doc[i:j].text
        if len(name) < 3 or not _LATIN_NAME.fullmatch(name):
            continue
        for head, label, with_no in _CLASS_WORDS:
            if before.text.endswith(head) and (with_no or not after_no):
                out.append(Span(doc, i, j, label=label))
                break
    return out


_UNIT_END = re.compile(r"(?:課|室|係|局|部|班|隊|センター)(?:長)?$")


def _agency_list(doc: Doc, start: int, k: int) -> list[Span]:
    """Units listed with ・ that share the first one's organisation: 厚生労働省医薬局審査管理課長・
    安全対策課長・監視指導・麻薬対策課長 → three divisions of 厚生労働省医薬局 (a piece that does not
    end in a unit word, 監視指導, belongs to the next).  Each later unit is recorded in the doc's
    ``pg_parent`` user data with the organisation it belongs to, for the resolver; units of no
    named organisation (交通部・生活安全部) are each their own.  [] when the run is not a list of units."""
    groups: list[tuple[int, int]] = []
    a = start
    for t in range(start, k + 1):
        if doc[t].text == "・" or t == k:
            b = t if doc[t].text == "・" else t + 1
            if b > a and _UNIT_END.search(doc[a:b].text):
                groups.append((a, b))
                a = t + 1
            elif doc[t].text == "・" and t + 1 <= k:
                continue  # 監視指導・麻薬対策課: one unit's name
    if len(groups) < 2 or a <= k:
        return []
    first = doc[groups[0][0] : groups[0][1]].text
    levels = split_hierarchy(first.removesuffix("長"))
    owner = levels[-2] if len(levels) >= 2 else ""
    # string keys: user_data goes through msgpack when GiNZA parses in several processes
    parents: dict[str, str] = doc.user_data.setdefault("pg_parent", {})
    spans = []
    for a, b in groups:
        sp = Span(doc, a, b, label="PG_Agency")
        if owner and a != groups[0][0] and not sp.text.startswith(owner):
            parents[f"{sp.start_char}:{sp.end_char}"] = owner
        spans.append(sp)
    return spans


def _nested_in_titles(doc: Doc, spans: list[Span]) -> None:
    """Laws, agencies, systems and programmes named inside a title (「改正薬事法に基づく…指針について」,
    「道路交通法の一部改正について」, …管理者講習の運用について): ``doc.ents`` holds the title, and the names within it
    go to ``doc.user_data["pg_nested"]`` as [start_char, end_char, label, kb_id], mentions
    too (:func:`policygraph.ingest.extract.entities.mentions_in`)."""
    from spacy.util import filter_spans

    titles = [(e.start_char, e.end_char) for e in doc.ents if e.label_ in ("PG_Plan", "PG_Program")]
    if not titles:
        return
    kept = {(e.start_char, e.end_char) for e in doc.ents}
    inner = filter_spans([sp for sp in spans if sp.label_ in ("PG_Law", "PG_Agency", "PG_System", "PG_Program")
                          and (sp.start_char, sp.end_char) not in kept
                          and any(a <= sp.start_char and sp.end_char <= b and (a, b) != (sp.start_char, sp.end_char)
                                  for a, b in titles)])
    if inner:  # (lists: user_data goes through msgpack when GiNZA parses in several processes)
        doc.user_data["pg_nested"] = [[sp.start_char, sp.end_char, sp.label_, sp.kb_id_] for sp in inner]


def _nominal_tag(tag: str) -> bool:
    return tag.startswith(("名詞", "接頭辞", "接尾辞-名詞的"))


def _joins(tok: Token) -> bool:
    """Part of a noun compound, by Sudachi's tags (set by the tokenizer, before NER)."""
    if _nominal_tag(tok.tag_) or tok.text in ("・", "-"):
        return True
    # a na-adjective stem glued to what follows is part of the compound (サイバー特別捜査部)
    if tok.tag_.startswith("形状詞") and tok.i + 1 < len(tok.doc):
        nxt = tok.nbor().tag_
        return _nominal_tag(nxt) or nxt.startswith("形状詞")
    return False


def _named_year(doc: Doc, start: int, k: int, prefix: str) -> bool:
    """A bare year that begins a quoted name is part of it: 「令和6年能登半島地震非常災害対策本部」
    names the headquarters of the 令和6年 earthquake (a dated prefix, 令和6年4月1日付け…, is cut)."""
    a, b = doc[start].idx, doc[k].idx + len(doc[k])
    return (re.fullmatch(r"(?:令和|平成|昭和)?[0-9元]+年", prefix) is not None and a > 0 and doc.text[a - 1] == "「"
            and doc.text[b : b + 1] == "」")


# a foreign or private company named by its name and 社: OpenAI社, グーグル社 (not 会社, 各社, 同社)
_COMPANY = re.compile(r"(?:[A-Za-z][A-Za-z0-9.&\-]{2,}|(?<![ァ-ヶー])(?!(?:システム|テレビ|メディア|ゲーム|ソフト|サービス)社)[ァ-ヶー・]{2,})社$")


def _head_of(text: str) -> tuple[str | None, str | None]:
    if text.endswith(EXCLUDED_TAILS):
        return None, None
    if _COMPANY.search(text):
        return "PG_Agency", "社"
    if text.endswith("年金基金") and len(text) >= 6:
        return "PG_Agency", "基金"  # 国民年金基金, 農業者年金基金: bodies, not funds (…支援基金)
    if text in ("協定", "協定書"):
        return "PG_Law", "令"  # named only by its subject (…に関する協定: _NAMED_BY_SUBJECT)
    if text.endswith(("協定", "協定書")) and "・" in text:
        return None, None  # 条約・協定: kinds listed
    if text.endswith(ORDER_HEADS) and len(text) >= 5 and not _NUMBERED.match(text):
        # 都道府県公安委員会規則, 市町村の条例: a kind of rule every prefecture makes, not a named one
        return (None, None) if text.startswith(("都道府県", "市町村", "各", "同", "当該")) else ("PG_Law", "令")
    if text.endswith(LAW_HEADS):
        if text.endswith(NOT_LAW_TAILS) or text in GENERIC_LAWS or len(text) < 4 or _NUMBERED.match(text):
            return None, None  # 平成十一年法律(第百二十八号): a law's number, not its name
        return "PG_Law", "法"
    for heads, label in ((SYSTEM_HEADS, "PG_System"), (DEVICE_HEADS, "PG_System"), (PROGRAM_HEADS, "PG_Program"),
                         (PLAN_HEADS, "PG_Plan"), (AGENCY_HEADS, "PG_Agency")):
        for h in heads:
            if text.endswith(h):
                return label, h
    return None, None


# whose site: the government, a ministry, agency, council or body, a local government
_SITE_OWNER = re.compile(r"政府|.{1,24}(?:省|庁|委員会|本部|機構|センター|警察|局|[都道府県市区町村])")
# heads that name a thing only with at least 4 characters of what it is for (分析ツール,
# 連携API and 携帯電話 are kinds; 文書作成支援ツール, 自己情報取得API and 衛星携帯電話 name one)
_TOOL_HEADS = ("ツール", "ソフトウェア", "ソフトウエア", "アプリケーション", "API", "サーバ", "サーバー", "電話", "無線")
# offices, teams and unions are named by at least 3 characters before the head (名寄河川事務所,
# 住民対策班, 美深警察署; 福祉事務所, 評価班 and 税務署 are kinds), and a union by more than its
# kind (上川北部消防事務組合; 健康保険組合, 事業協同組合 and 労働組合 are kinds of body)
_OFFICE_HEADS = ("署", "班", "事務所", "出張所", "支所", "組合")
_UNION_KINDS = ("協同組合", "共済組合", "保険組合", "健保組合", "労働組合", "管理組合", "協業組合", "対象組合")
_GENERIC_OWNER = ("各", "関係", "当該", "同", "本", "他", "自", "上記", "前記", "所管", "所轄")


def _number_symbol(doc: Doc, span: Span, dated: bool) -> bool:
    """An agency-like word that is a document number's symbol: 平成30年3月30日保局第323-9号,
    昭和43年10月2日43化局491, 平成21年6月26日課資5-48ほか11課共同 (after a date, or starting
    with digits, and followed by the number; or a number range inside it)."""
    text = span.text
    if re.search(r"[0-9][-－][0-9]", text):
        return True
    return (dated or text[:1].isdigit()) and re.match(r"第?[0-9]", doc.text[span.end_char : span.end_char + 2]) is not None


def _kind_only(label: str, head: str, text: str) -> bool:
    """A compound too short to name one thing: 試験制度, 実施計画 (a programme or plan
    under 6 characters, but a course named by who attends it: 違反者講習, and a campaign:
    食育月間), 分析ツール (a
    tool named by less than 4 characters of purpose; 文書作成支援ツール names one)."""
    if "・" in text and text.rsplit("・", 1)[1] == head and not re.fullmatch(r"[ァ-ヶー]+", head):
        return True  # 実地監査・定期検査・講習, 定員・機構: kinds listed (ベース・レジストリ is one word)
    if head in _TOOL_HEADS:
        return len(text) < len(head) + 4
    if head in _OFFICE_HEADS:
        return len(text) < len(head) + 3 or text.endswith(_UNION_KINDS)
    if re.fullmatch(r".{1,4}者講習", text):
        return False  # 違反者講習, 高齢者講習: a course named by who attends it
    if head in ("月間", "週間") and re.search(rf"[0-9{KANJI_0_9}十]{head}$", text):
        return True  # 施行後六月間, 2週間: a length, not a campaign
    if head in ("月間", "週間", "キャンペーン"):
        return False  # a campaign is named short (食育月間, 愛鳥週間)
    if label == "PG_Law" and re.fullmatch(r"[^\s]{1,12}?(?:省|府|庁)令", text):
        return True  # 厚生労働省令で定める: some ordinance of that ministry, a kind of law
    return label in ("PG_Program", "PG_Plan") and len(text) < 6


def _generic_system(doc: Doc, start: int, k: int, word: str) -> Span | None:
    """What names a system whose head alone is a class word (システム, ウェブサイト): its
    owner (政府のウェブサイト, 警察庁のホームページ) or a clause that describes it."""
    if word.endswith(SITE_WORDS):
        return _owned_site(doc, start, k)
    clause = _clause(doc, k) if word.endswith("システム") else None
    return Span(doc, clause.start, clause.end, label="PG_System") if clause else None


def _owned_site(doc: Doc, start: int, k: int) -> Span | None:
    """A site named by its owner (annotation.md: 政府のウェブサイト): …の + a site word, after
    the government, an organisation or a local government, not a generic one (各府省の)."""
    if start < 2 or doc[start - 1].text != "の":
        return None
    i = start - 1
    while i > 0 and doc[i - 1].pos_ in ("NOUN", "PROPN") and not doc[i - 1].whitespace_ and len(doc[i - 1 : start - 1].text) < 24:
        i -= 1
    owner = doc[i : start - 1].text
    if i == start - 1 or owner.startswith(_GENERIC_OWNER) or not _SITE_OWNER.fullmatch(owner):
        return None
    return Span(doc, i, k + 1, label="PG_System")


# councils, courses, guidelines and schedules named by their subject alone (annotation.md: also
# when named without quotes): …の一体化に関する検討会, …の取扱いに関する講習会, …の利用に関する指針,
# e-LAWSの機能拡充等に係る工程表 (not 計画 or 方針: 防災に関する計画 is any plan on the subject)
_NAMED_BY_SUBJECT = frozenset({"検討会", "研究会", "協議会", "懇談会", "有識者会議", "講習会", "研修会", "指針",
                               "ガイドライン", "工程表", "ロードマップ", "要領", "マニュアル",
                               # 踏切道の改良に関する取組方針, …の強化に向けた総合対策, …に関する協定
                               "取組方針", "基本方針", "総合対策", "政策パッケージ", "対策パッケージ", "手引き",
                               "ハンドブック", "協定", "関係閣僚会議", "連絡会議", "関係府省庁連絡会議"})


# what makes a modifying clause a description that names a system (…を行うための, …している, …に関する)
_DESCRIBES = re.compile(r"ための|している|に関する|に係る")


def _clause(doc: Doc, k: int, aimed: bool = False) -> Span | None:
    """The modifying clause of a generic head: 遺失物関係手続をオンラインで行うための新たなシステム;
    ``aimed``: a clause of aim names it too (…の強化に向けた総合対策), as it does a plan or a
    council named by its subject, not a system."""
    tok = doc[k]
    left = tok.left_edge.i
    # a table's cells (183<TAB>告示<TAB>公共工事の…に関する指針): the name is the last cell's
    cell = doc.text.rfind("\t", doc[left].idx, tok.idx)
    if cell >= 0:
        start = doc.char_span(cell + 1, tok.idx + len(tok), alignment_mode="contract")
        if start is None:
            return None
        left = start.start
    # a label printed before it: [別添]看護教員に関する講習会, 【別紙1】…
    label = re.match(r"[\[［【〔(（](?:別紙|別添|別記|別表|参考)[0-9０-９]*[\]］】〕)）]", doc.text[doc[left].idx : tok.idx])
    if label:
        start = doc.char_span(doc[left].idx + label.end(), tok.idx + len(tok), alignment_mode="contract")
        if start is None:
            return None
        left = start.start
    span = doc[left : k + 1]
    if left == k or not 8 <= len(span.text) <= 60 or re.search(r"[、。「」()\n]", span.text):
        return None
    if span.text.startswith(("及び", "その", "この", "当該", "我が国", "各", "これ", "それ", "上記", "前記", "同", "本件")):
        return None
    if re.match(r"(?:別紙|別添|別記|別表)[0-9]*の", span.text):  # 別紙のk-NORMの…工程表: where it is printed
        left = next(t.i for t in span if t.text == "の") + 1
        span = doc[left : k + 1]
    if not (_DESCRIBES.search(span.text) or (aimed and "に向けた" in span.text)):
        return None  # 警察庁が整備する情報システム: a description, not a name
    # 遺失届の提出等の遺失物関係手続を…システム: what comes before 等の only exemplifies the
    # noun after it, so the name starts there
    for i in range(k - 1, left, -1):
        if doc[i].text == "の" and doc[i - 1].text == "等" and i + 1 < k:
            rest = doc[i + 1 : k + 1]
            if len(rest.text) >= 8 and _DESCRIBES.search(rest.text):
                return rest
            break
    return span


def line_breaks(doc: Doc) -> Doc:
    """A line break ends a sentence after a full stop or a closing bracket, before an
    article or a bullet, and a blank line after a heading-like line (short, with no
    comma or full stop): a heading, an article's caption or a list item above a statement
    is not parsed as part of it, while a line wrapped inside a sentence (a PDF's, a narrow
    column's, a page break's blank line) still runs on.  Before the parser, which keeps
    the sentence starts it is given; the start is set on the line break itself (set on
    the word after it, the parser cuts the next words into one-word sentences)."""
    text = doc.text
    for i in range(1, len(doc) - 1):
        tok = doc[i]
        if not tok.text.isspace() or "\n" not in tok.text:
            continue
        line = text[text.rfind("\n", 0, tok.idx) + 1 : tok.idx].strip()
        heading = (tok.text.count("\n") >= 2 and 0 < len(line) <= HEADING_LINE
                   and not re.search(r"[、。,]", line))
        if heading or line[-1:] in _ENDS_LINE or _LINE_LEAD.match(doc[i + 1].text):
            tok.is_sent_start = True
    return doc


HEADING_LINE = 25  # characters: a longer line without a full stop is a wrapped sentence
_ENDS_LINE = frozenset("。）)」】〕")
_LINE_LEAD = re.compile(r"^(?:第[0-9" + KANJI_0_9 + "十百千]*$|[※\\-" + BULLETS + "]|[①-⓿])")


def load_nlp(model: str, gazetteer: Gazetteer, exclude: Iterable[str] = GINZA_EXCLUDE) -> Language:
    """GiNZA without the components in ``exclude``, with ``pg_line_breaks`` right before
    the parser (:func:`line_breaks`) and ``pg_gazetteer`` right after it (so before
    ``ner``, whose entities only fill the gaps it leaves)."""
    import spacy

    _register()
    nlp = spacy.load(model, exclude=list(exclude))
    nlp.add_pipe("pg_line_breaks", before="parser")
    comp = nlp.add_pipe("pg_gazetteer", after="parser")
    comp.gazetteer = gazetteer  # type: ignore[attr-defined]
    return nlp


def parse(nlp: Language, texts: list[str], *, processes: int = 1, batch_size: int = 32,
          started: Callable[[], None] | None = None) -> list[Any]:
    """Parse texts with GiNZA, in parallel when asked (order is kept).  ``started()`` is
    called once, when the first text comes back parsed: the parse's worker processes are
    forked by then, so a thread it starts (loading a model beside the parse) is never
    forked half-way."""
    if processes > 1 and len(texts) >= 8:
        docs = nlp.pipe(texts, n_process=processes, batch_size=batch_size)
    else:
        docs = nlp.pipe(texts, batch_size=batch_size)
    out: list[Any] = []
    for doc in docs:
        if not out and started is not None:
            started()
        out.append(doc)
    return out
