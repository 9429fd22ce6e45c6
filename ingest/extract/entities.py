"""Entities and their mentions from GiNZA parses, resolved to stable keys.

Resolution, in order: a reference (gazetteer) key; for systems, the name without a
trailing ``システム`` and suffix variants of a known system (共通基盤システム →
警察共通基盤); for agencies, the organisational path (警察庁交通局運転免許課 →
警察庁 › 警察庁交通局 › …, each level an entity with ``parent``); parenthesised
abbreviations (特殊詐欺連合捜査班（TAIT）) become aliases.  Unknown names get a key
from their type and canonical label, so the same name in two documents is one entity.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from policygraph.core.ids import entity_key
from policygraph.core.records import Entity, EntityType, Mention
from policygraph.ingest.extract.gazetteer import (
    DEVICE_HEADS,
    PREFECTURES,
    Gazetteer,
    egov_law_id,
    law_number_spans,
    nfkc,
    split_hierarchy,
    with_legal_form,
    without_legal_form,
)
from policygraph.ingest.numerals import KANJI_1_9

GINZA_LABELS: dict[str, EntityType] = {"Law": "Law"}
# 特殊詐欺連合捜査班(TAIT), 共通語彙基盤(通称IMI), 陸域観測技術衛星(ALOS-2)
_ABBR = r"[A-Z][A-Z0-9]{1,9}|[A-Z]{2}[A-Z0-9]{0,8}-[0-9A-Z]{1,3}"
# a name written out in English: two words or more (Government Interoperability Framework)
_ENGLISH = r"[A-Z][A-Za-z0-9&'.-]*(?: (?:of|and|for|the|on|in|[A-Z][A-Za-z0-9&'.-]*)){1,9}"
# what a name is also called, in parentheses after it: an abbreviation, its English name
# with or without the abbreviation, either way round: (GIF), (通称IMI), (GIF:Government
# Interoperability Framework), (Government Interoperability Framework:GIF)
_ABBR_AFTER = re.compile(rf"\((?:通称|略称)?[:：]?「?(?:({_ABBR})」?(?:[:：] ?({_ENGLISH}))?|({_ENGLISH})(?:[:：] ?({_ABBR}))?)\)")
# a device shown in use by a measure: ドローンの運用, ウェアラブルカメラの現場における早期実装,
# 大型X線検査装置の先進的な活用方法, 水中ドローンの導入
# or as the instrument of an act: ドローンにより検査対象を撮影し, 端末を用いて確認する
_DEVICE_VERBS = (r"(?:活用|利活用|運用|導入|配備|整備|実装|配置|普及|開発|研究|検証|増設|更新|更改|調達|貸与|搭載|装備"
                 # what a rule makes its addressee provide or use (局所排気装置…を設けなければならない,
                 # 労働者に呼吸用保護具…を使用させ)
                 r"|供与|実証|設け|使用|備え付け)")
_LISTED_WITH = r"(?:、|・|及び|並びに|や|と|又は)[^、。の]{1,24}?(?:等|など)?"  # (a name each: no の)
_DEVICE_USE = re.compile(r"(?:等|など)?[）)]?(?:"
                         rf"(?:{_LISTED_WITH})?(?:の|を)[^、。]{{0,24}}?{_DEVICE_VERBS}"
                         # at the head of a longer list, put to use itself (高精度カメラ、ドローン、オンライン
                         # 会議システム等を活用した), not a kind of thing it defines (ロボット、AI、IoT等の
                         # 先端技術を活用した農業機械)
                         rf"|(?:{_LISTED_WITH}){{2,4}}を[^、。]{{0,6}}?{_DEVICE_VERBS}"
                         # a means of doing something (カメラやドローンにより検査対象を撮影し, 衛星携帯電話など
                         # により、…との情報連絡体制を確保する), not what it recorded (防犯カメラにより撮影された映像)
                         rf"|(?:{_LISTED_WITH}){{0,4}}(?:により|によって|を用いて|を用い、|を使って|を使用して|を利用して|を活用して)"
                         r"、?(?:(?!され)[^。]){0,30}?"
                         r"(?:撮影|点検|検査|確認|監視|計測|測定|観測|調査|把握|記録|収集|伝達|連絡|通信|送信|配信|診断|通報)"
                         r"(?!され|された|される))")
_FIELD = re.compile(r"(?:コード|番号|名|欄|区分)(?![\u4e00-\u9fff])")
_IN_LAW_NUMBER = re.compile(r"(?:規則|令|告示|訓令|達)第[0-9０-９" + KANJI_1_9 + "十百]+号")
# a role, not a unit: 行政処分担当課(長), 交通部各課
_ROLE = re.compile(r"(?:担当|各)(?:課|係|部|室|隊|班)$"
                   # a class of schools, not one of them (公立学校, 市内全小中学校, 各高等学校)
                   r"|^(?:全|各|市内全?|県内全?|域内の?|管内の?)?(?:公立|国立|私立|市立|県立|都立|町立|村立|全市立)?"
                   r"(?:小・?中学校|小中学校|小学校|中学校|高等学校|高校|特別支援学校|学校)$"
                   # a room or a building of the organ, a count of its stations: not an organ that acts
                   r"|(?:会議室|省議室|講堂|庁舎|本庁|子局)$|^[0-9０-９]+局$")
# a meeting's number or turn before a council's name: 第5回…検討会, 次回協議会
_SESSION = re.compile(r"^(?:第[0-9０-９一二三四五六七八九十]+回|次回|前回|今回)(?=\S{2})")
_ABBR_BEFORE = re.compile(r"([A-Z][A-Z0-9]{1,9})\(([^()]{2,40})\)")
_GENERIC_SYSTEM = re.compile(
    r"(?:共通|情報|データ|システム|共有|基幹|対象|申請|連携元?|連携先|既存|各種|関係|自府省庁?|府省|当該)"
    r"(?:基盤|システム|プラットフォーム|データベース)")


@dataclass
class EntityTable:
    """Entities of one document, keyed, with aliases collected as they are seen."""

    gazetteer: Gazetteer
    reference: dict[str, Any]  # ref key → RefEntry
    entities: dict[str, Entity] = field(default_factory=dict)
    doc_text: str = ""  # the document's normalised text: where a short form may stand for a known name
    # terms the document defines for one entity (以下「委員会」という。): term → entity key
    defined: dict[str, str] = field(default_factory=dict)
    mentioned: set[str] = field(default_factory=set)  # keys with a mention so far (not just a parent)

    def names_in_document(self, key: str) -> bool:
        """Whether the document names the reference entity ``key`` in one of its full forms."""
        ref = self.reference.get(key)
        return ref is not None and (not self.doc_text or any(
            nfkc(n) in self.doc_text for n in (ref.label, *ref.aliases)))

    def from_reference(self, key: str) -> str:
        if key not in self.entities:
            ref = self.reference[key]
            if ref.parent and ref.parent in self.reference:
                self.from_reference(ref.parent)
            self.entities[key] = Entity(
                key=key,
                label=ref.label,
                type=ref.type,
                aliases=tuple(a for a in ref.aliases if a != ref.label),
                parent=ref.parent if ref.parent in self.reference else None,
                law_number=ref.law_number,
                egov_id=ref.egov_id,
                generic=ref.generic,
            )
        return key

    def add(self, type_: EntityType, label: str, *, parent: str | None = None, **extra: Any) -> str:
        term = self.gazetteer.lookup(label)
        if term is not None and term.key in self.reference:
            return self.from_reference(term.key)
        key = entity_key(type_, label)
        old = self.entities.get(key)
        if old is None:
            self.entities[key] = Entity(key=key, label=label, type=type_, parent=parent, **extra)
        elif extra and not old.law_number:
            self.entities[key] = Entity(**{**old.__dict__, **extra})
        return key

    def alias(self, key: str, alias: str) -> None:
        e = self.entities.get(key)
        if e is None or alias == e.label or alias in e.aliases:
            return
        self.entities[key] = Entity(**{**e.__dict__, "aliases": (*e.aliases, alias)})


def resolve(table: EntityTable, label: str, surface: str, kb: str, text: str, end: int) -> str | None:
    """Entity key for one recognised span (``text``/``end`` give its right context)."""
    if kb and kb in table.reference:
        key = table.from_reference(kb)
        if surface not in table.entities[key].label:  # a longer printed form is an alias
            table.alias(key, surface)
        if table.entities[key].type == "Law":
            extra, printed = _law_number_after(text, end)
            if printed and extra["law_number"] == table.entities[key].law_number:  # the curated law's own number
                table.alias(key, printed)
        return key
    kind = label.removeprefix("PG_")
    if label in GINZA_LABELS:
        kind = GINZA_LABELS[label]
        if not re.search(r"(法|法律|令|規則|条例)$", surface) or len(surface) < 3:
            return None
    if kind == "System":
        return _system(table, surface)
    if kind in ("Agency", "GenericActor"):
        return _agency(table, surface)
    if kind == "Law":
        return _law(table, surface, text, end)
    if kind in ("Plan", "Program"):
        key = table.add(kind, surface)  # type: ignore[arg-type]
        about = _ABOUT_A_PLAN.match(surface)
        if about:  # 「…推進するための基本的な方針について」 is the 方針's notice: the 方針 by its name
            table.alias(key, about.group(1))
        return key
    return None


# a plan's title as its notice prints it, …方針について: the plan's name before について
_ABOUT_A_PLAN = re.compile(r"(.{4,}(?:計画|方針|指針|戦略|大綱|要領|要綱|ガイドライン|基準))について$")


def _system(table: EntityTable, surface: str) -> str | None:
    stem = surface[:-4] if surface.endswith("システム") and len(surface) > 6 else surface
    for cand in (surface, stem):
        term = table.gazetteer.lookup(cand)
        if term is not None and term.type == "System":
            key = table.from_reference(term.key)
            table.alias(key, surface)
            return key
    if len(stem) >= 4:
        # a tail of a known name (共通基盤 → 警察共通基盤) stands for it only in a document that
        # also names it in full: elsewhere 共通基盤 is just a common platform
        for surf, term in table.gazetteer.terms.items():
            if (term.type == "System" and surf.endswith(stem) and surf != stem
                    and table.names_in_document(term.key)):
                key = table.from_reference(term.key)
                table.alias(key, surface)
                return key
    if _GENERIC_SYSTEM.fullmatch(surface):
        return None  # 共通基盤, 連携先システム, 対象システム: what a system is for, not its name
    label = stem if stem.endswith(("基盤", "プラットフォーム", "ネットワーク")) else surface
    if re.fullmatch(r"[0-9 ]+番", label):
        label = label.replace(" ", "")  # 119 番 as a PDF spaces it: the number 119番
    key = table.add("System", label)
    table.alias(key, surface)
    return key


def _agency(table: EntityTable, surface: str) -> str:
    # a name as printed with spaces or an abbreviated legal form ((株)NTT ドコモ北海道支社): the
    # organisation under its name written out, as printed an alias
    # (a name in Latin letters keeps its spaces between words: Secure World Foundation)
    squeezed = " ".join(surface.split()) if re.fullmatch(r"[A-Za-z0-9&.,'\- ]+", surface) else "".join(surface.split())
    full = re.sub(r"\(株\)|㈱", "株式会社", re.sub(r"\(有\)|㈲", "有限会社", squeezed))
    if full != surface:
        key = _agency(table, full)
        table.alias(key, surface)
        return key
    bare = without_legal_form(surface)
    if bare != surface:  # 独立行政法人情報処理推進機構, 株式会社…: the organisation under its own name
        key = _agency(table, bare)
        table.alias(key, surface)
        written = with_legal_form(surface)  # ((公社)日本技術士会: 公益社団法人日本技術士会 too)
        if written:
            table.alias(key, written)
        return key
    session = _SESSION.match(surface)
    if session:  # 第5回介護人材確保・定着に関する検討会: the council itself
        key = _agency(table, surface[session.end() :])
        table.alias(key, surface)
        return key
    name = surface[:-1] if surface.endswith("長") and len(surface) > 3 else surface
    if surface.endswith("知事") and surface[:-2] in PREFECTURES:
        name = surface[:-2]  # 東京都知事 heads 東京都 (annotation.md: a head is an alias of its organ)
    if _ROLE.search(name) and table.gazetteer.lookup(name) is None:
        key = table.add("Agency", name, generic=True)
        if surface != name:
            table.alias(key, surface)
        return key
    parent: str | None = None
    key = ""
    for level in split_hierarchy(name):
        key = table.add("Agency", level, parent=parent)
        if level != name and key in table.entities and table.entities[key].label != level:
            table.alias(key, level)
        parent = key
    if surface != table.entities[key].label:
        table.alias(key, surface)
    return key


def _law(table: EntityTable, surface: str, text: str, end: int) -> str:
    amended = re.match(r"改正[前後]?", surface)
    if amended and len(surface) - amended.end() >= 3 and not law_number_spans(text[end : end + 40]):
        # 改正道路交通法, 改正後個人情報保護法: the law as amended (or before), the same law
        key = _law(table, surface[amended.end() :], text, end)
        table.alias(key, surface)
        return key
    extra, printed = _law_number_after(text, end)
    if printed and _AMENDMENT_TITLE.search(surface):
        # …施行令の一部を改正する政令 is the title of every amendment of that order: with its
        # number it names one of them (annotation.md: one entity per real unit)
        key = table.add("Law", f"{surface}({printed})", **extra)
        table.alias(key, printed)
        table.alias(key, surface)  # (as printed; the name alone still finds each amendment)
        return key
    key = table.add("Law", surface, **extra)
    if printed:  # the law's number as printed (平成十五年法律第五十七号) names it too
        table.alias(key, printed)
    return key


_AMENDMENT_TITLE = re.compile(r"(?:の一部|の全部)を改正する(?:法律|政令|省令|府令|内閣府令|規則|条例|告示)$")


def _law_number_after(text: str, end: int) -> tuple[dict[str, Any], str]:
    """The number printed in parentheses right after a law's name: its attributes
    (law_number, egov_id) and the number as printed; also after a closing quote
    (「災害弔慰金の支給等に関する法律」(昭和48年法律第82号)) or on the next line (a statute's
    title over its number)."""
    gap = re.match(r"[」』]?\s{0,3}", text[end : end + 6])
    at = gap.end() if gap else 0
    for paren, close, era, kind, year, num in law_number_spans(text[end : end + 40]):
        # the number alone in the parentheses (or before 。以下…): not 令和3年法律第37号による改正後の…,
        # which is the number of another law
        if paren == at and text[end + close : end + close + 1] in (")", "。", "）"):
            return ({"law_number": f"{era}{year}年{kind}第{num}号", "egov_id": egov_law_id(era, year, kind, num)},
                    "".join(text[end + paren + 1 : end + close].split()))
    return {}, ""


def mentions_in(
    table: EntityTable, doc: Any, passage_id: str, to_original: Any
) -> list[Mention]:
    """Mentions of one parsed passage; ``to_original(a, b)`` maps doc offsets to the source."""
    out = []
    text = doc.text

    def mention(key: str, start: int, end: int) -> None:
        a, b = to_original(start, end)
        out.append(Mention(entity=key, surface=text[start:end], start=a, end=b, passage_id=passage_id))
        table.mentioned.add(key)
        provisional = _PROVISIONAL_BEFORE.search(text, max(0, start - 4), start) or _PROVISIONAL_AFTER.match(text, end)
        if provisional:  # (仮称)総合評価審査委員会: a name not yet final, printed with its mark
            table.alias(key, text[min(start, provisional.start()) : max(end, provisional.end())])

    for ent in doc.ents:
        if not (ent.label_.startswith("PG_") or ent.label_ in GINZA_LABELS):
            continue
        if ent.label_ in ("PG_Agency", "PG_GenericActor") and _IN_LAW_NUMBER.match(text, ent.end_char) and not (
                ent.kb_id_ in table.mentioned or entity_key("Agency", ent.text) in table.mentioned):
            continue  # （平成6年国家公安委員会規則第27号）: the issuer inside a law's number is a mention
            # only of an organ the document names elsewhere (else it would become an entity of its own)
        if ent.label_ == "PG_Agency" and _FIELD.match(text, ent.end_char):
            continue  # 処分登録公安委員会コード: a form's field, not the unit
        owner = doc.user_data.get("pg_parent", {}).get(f"{ent.start_char}:{ent.end_char}")
        key: str | None
        if owner:  # 安全対策課長 listed after 厚生労働省医薬局審査管理課長: a unit of the same bureau
            key = _agency(table, owner + ent.text)
            table.alias(key, ent.text)
        else:
            key = resolve(table, ent.label_, ent.text, ent.kb_id_, text, ent.end_char)
        if key is not None:
            mention(key, ent.start_char, ent.end_char)
    for start, end, label, kb in doc.user_data.get("pg_nested", []):  # names inside a title
        if label != "PG_Law" and _IN_LAW_NUMBER.match(text, end):
            continue
        key = resolve(table, label, text[start:end], kb, text, end)
        if key is not None:
            mention(key, start, end)
    _abbreviations(table, doc, out)
    return out


# a name marked as provisional, before or after it: (仮称)…委員会, …センター(仮称)
_PROVISIONAL_BEFORE = re.compile(r"[(（]仮称[)）]$")
_PROVISIONAL_AFTER = re.compile(r"[(（]仮称[)）]")


def _abbreviations(table: EntityTable, doc: Any, mentions: Iterable[Mention]) -> None:
    """特殊詐欺連合捜査班(TAIT) and T3(匿流ターゲット取締りチーム): aliases both ways."""
    text = doc.text
    by_end = {e.end_char: e for e in doc.ents}
    by_start = {e.start_char: e for e in doc.ents}
    del mentions
    for m in _ABBR_AFTER.finditer(text):
        ent = by_end.get(m.start())
        if ent is not None and ent.label_.startswith("PG_"):
            key = table.gazetteer.lookup(ent.text)
            said = re.match(r"\((?:通称|略称)", m.group())
            if key is not None and said and m.group(1) and key.key in table.entities:
                # 共通語彙基盤（通称IMI）: the text says it is the name's short form
                table.alias(key.key, m.group(1))
                table.defined.setdefault(m.group(1), key.key)
            if key is None:  # a reference entity's names are curated: 国土交通省(PLATEAU) names a project
                k = entity_key(ent.label_.removeprefix("PG_"), ent.text)
                abbr = m.group(1) or m.group(4)
                for name in (abbr, m.group(2) or m.group(3)):
                    if name:
                        table.alias(k, name)
                if k in table.entities and abbr:
                    table.defined.setdefault(abbr, k)  # GIF stands for it in the rest of the document
                    table.defined.setdefault(ent.text, k)  # and so does the name it abbreviates
    for m in _ABBR_BEFORE.finditer(text):
        ent = by_start.get(m.start(2))
        if ent is not None and ent.label_.startswith("PG_"):
            term = table.gazetteer.lookup(ent.text)
            if term is None:
                table.alias(entity_key(ent.label_.removeprefix("PG_"), ent.text), m.group(1))


def drop_incidental_devices(table: EntityTable, mentions: list[Mention], text: str) -> list[Mention]:
    """Equipment is a system of the graph only where a measure deploys or uses it.

    A name headed by a device word (…カメラ, …端末, …装置) that is not in the reference
    data is kept when one of its mentions is followed by its use (ドローンの運用,
    ウェアラブルカメラの活用); otherwise it is an incidental thing the text names
    (防犯カメラ映像の収集, 押収されたスマートフォン端末等の解析, 防犯カメラ、宅配ボックス等の設置)
    and it and its mentions are dropped.
    """
    by_key: dict[str, list[Mention]] = {}
    for m in mentions:
        by_key.setdefault(m.entity, []).append(m)
    drop = set()
    for key, e in table.entities.items():
        if e.type != "System" or key in table.reference or not e.label.endswith(DEVICE_HEADS):
            continue
        if not any(_DEVICE_USE.match("".join(text[m.end : m.end + 120].split())) for m in by_key.get(key, [])):
            drop.add(key)
    for key in drop:
        del table.entities[key]
    return [m for m in mentions if m.entity not in drop]
