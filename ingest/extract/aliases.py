"""Within-document alias resolution, after every mention is known.

* Suffix variants of organisational paths: when a document names
  関東管区警察局サイバー特別捜査部 and elsewhere just サイバー特別捜査部, the short form is
  the same unit (only if exactly one path in the document ends with it).
* Definitions: ``X（以下「Y」という。）`` — Y names X.  When X is several entities joined
  by 及び / 並びに / ・ / 、 (管区警察局情報通信部及び都道府県情報通信部（以下「地方機関
  情報通信部」という。）), Y is one entity of that kind whose aliases are the parts.
  Short defined terms (法, 府令: two characters or fewer) stay local: they are not
  added as names, since elsewhere they mean something else.
"""

from __future__ import annotations

import re
from typing import Any

from policygraph.core.ids import entity_key
from policygraph.core.records import Entity, Mention

# （以下「委員会」という。）, and after a number in the same parentheses: （平成28年…告示第6号。以下「ガイドライン」という。）
_DEFINITION = re.compile(r"\((?:[^()「」]{0,60}?[。、])?以下「([^」]{1,40})」(?:と|という)[^)]{0,6}\)")
_JOINERS = re.compile(r"^(?:及び|並びに|・|、|又は)$")
# a definitions article's entry: 「法」とは、たばこ事業法（昭和59年法律第68号）をいう。 (the name, then
# its number in parentheses, then をいう)
_TERM_IS = re.compile(r"「([^「」]{1,12})」とは、\s*")
_IS_THAT = re.compile(r"\s*(?:\([^()]{1,60}\))?\s*をいう")


def short_title_merges(entities: dict[str, Entity]) -> dict[str, str]:
    """old key → key of the one plan or programme of the document whose full title ends
    with its label (緊急対策プラン of SNSで…に関する緊急対策プラン), wherever either is printed.

    >>> E = lambda k, label: Entity(k, label, "Plan")
    >>> short_title_merges({"a": E("a", "緊急対策プラン"), "b": E("b", "SNSで…に関する緊急対策プラン")})
    {'a': 'b'}
    >>> short_title_merges({"a": E("a", "緊急対策プラン"), "b": E("b", "X緊急対策プラン"), "c": E("c", "Y緊急対策プラン")})
    {}
    """
    out = {}
    for k, e in entities.items():
        if e.type not in ("Plan", "Program"):
            continue
        longer = [j for j, f in entities.items() if j != k and f.type == e.type and f.label != e.label
                  and f.label.endswith(e.label)]
        if len(longer) == 1:
            out[k] = longer[0]
    return out


def suffix_merges(entities: dict[str, Entity]) -> dict[str, str]:
    """old key → key of the organisational path it abbreviates.

    >>> E = lambda k, label, parent=None, aliases=(): Entity(k, label, "Agency", aliases, parent)
    >>> ents = {k: e for k, e in [("npa", E("npa", "警察庁")), ("kc", E("kc", "警察庁交通局", "npa")),
    ...         ("mk", E("mk", "警察庁交通局運転免許課", "kc")), ("bare", E("bare", "運転免許課"))]}
    >>> suffix_merges(ents)
    {'bare': 'mk'}
    >>> ents["pref"] = E("pref", "交通部運転免許課", aliases=("運転免許課",))  # the document's own unit
    >>> suffix_merges(ents)
    {}
    """
    by_label = {e.label: k for k, e in entities.items()}
    suffixes: dict[str, list[str]] = {}
    for k, e in entities.items():
        if e.type != "Agency" or not e.parent or e.parent not in entities:
            continue
        parent = entities[e.parent].label
        if e.label.startswith(parent) and len(e.label) - len(parent) >= 3 and not e.label.startswith(parent, len(parent)):
            # (the organisation printed twice, 神奈川県神奈川県企業庁, is a misprint: misprint_merges)
            suffixes.setdefault(e.label[len(parent) :], []).append(k)
    out = {}
    for short, keys in suffixes.items():
        if len(keys) == 1 and short in by_label and by_label[short] != keys[0]:
            # ambiguous when another unit of the document is also called so: 003 names the
            # prefecture's 交通部運転免許課（以下「運転免許課」という。） and the national
            # 警察庁交通局運転免許課; the bare 運転免許課 is not the national one there
            others = [e for k, e in entities.items() if k not in (keys[0], by_label[short]) and e.type == "Agency"
                      and (short in e.aliases or (e.label.endswith(short) and e.label != short))
                      and not entities[keys[0]].label.endswith(e.label)]
            if not others:
                out[by_label[short]] = keys[0]
    return out


def misprint_merges(entities: dict[str, Entity]) -> dict[str, str]:
    """A unit whose name is another unit's with one character printed twice
    (生活安全全部地域課 beside 生活安全部地域課) is that unit.

    >>> E = lambda k, label: Entity(k, label, "Agency")
    >>> misprint_merges({"a": E("a", "生活安全部地域課"), "b": E("b", "生活安全全部地域課"), "c": E("c", "警察庁")})
    {'b': 'a'}

    So is a unit whose organisation is printed twice (a form's 神奈川県神奈川県企業庁〇〇所長 殿).

    >>> misprint_merges({"a": E("a", "神奈川県企業庁"), "b": E("b", "神奈川県神奈川県企業庁")})
    {'b': 'a'}
    """
    by_label = {e.label: k for k, e in entities.items() if e.type == "Agency"}
    out = {}
    for k, e in entities.items():
        if e.type != "Agency" or len(e.label) < 5:
            continue
        twice = next((by_label[e.label[i:]] for i in range(2, len(e.label) // 2 + 1)
                      if e.label.startswith(e.label[:i], i) and e.label[i:] in by_label), None)
        if twice is not None and twice != k:
            out[k] = twice
            continue
        for i in range(1, len(e.label)):
            if e.label[i] == e.label[i - 1]:
                other = by_label.get(e.label[:i] + e.label[i + 1 :])
                if other is not None and other != k:
                    out[k] = other
                    break
    return out


def variant_key(name: str) -> str:
    """A name without its middle dots and spaces: ベース・レジストリ and ベースレジストリ
    are printed forms of one name."""
    return re.sub(r"[・･\s]", "", name)


def variant_merges(entities: dict[str, Entity], reference: Any = ()) -> dict[str, str]:
    """Entities of one type whose names differ only by middle dots or spaces are one: the
    reference entity if one of them is, else the one whose name has the dots.

    >>> E = lambda k, label: Entity(k, label, "System")
    >>> variant_merges({"a": E("a", "ベースレジストリ"), "b": E("b", "ベース・レジストリ"), "c": E("c", "ベース")})
    {'a': 'b'}
    """
    groups: dict[tuple[str, str], list[str]] = {}
    for k, e in entities.items():
        groups.setdefault((e.type, variant_key(e.label)), []).append(k)
    out = {}
    for keys in groups.values():
        if len(keys) < 2:
            continue
        keep = max(keys, key=lambda k: (k in reference, len(entities[k].label)))
        out.update({k: keep for k in keys if k != keep and k not in reference})
    return out


def tail_merges(entities: dict[str, Entity]) -> dict[str, str]:
    """A name of six characters or more that ends the one longer name of the same type in
    the document stands for it there (アドバイザリーボード for 先進的AI利活用アドバイザリー
    ボード, a PDF's ドバイザリーボード broken off at a line end).  Entities of the reference
    data, a tail that several longer names share and the units of an organisational path
    (:func:`suffix_merges` weighs those) are left alone.

    >>> E = lambda k, label, t="Agency": Entity(k, label, t)
    >>> ents = {k: e for k, e in [("agency-1", E("agency-1", "先進的AI利活用アドバイザリーボード")),
    ...         ("agency-2", E("agency-2", "アドバイザリーボード")), ("plan-3", E("plan-3", "調達チェックシート", "Plan")),
    ...         ("plan-4", E("plan-4", "チェックシート", "Plan"))]}
    >>> tail_merges(ents)
    {'agency-2': 'agency-1', 'plan-4': 'plan-3'}
    """
    out = {}
    for k, e in entities.items():
        if e.type not in ("Agency", "Plan", "Program", "System") or len(e.label) < 6 or not k.startswith(f"{e.type.lower()}-"):
            continue
        longer = [j for j, o in entities.items()
                  if j != k and o.type == e.type and len(o.label) > len(e.label) and o.label.endswith(e.label)
                  and not (o.parent or e.parent)  # units of an organisation: suffix_merges decides
                  and o.label[-len(e.label) - 1] not in "・、,/／"]  # not the last of a list (…インシデント・生成AIシステム)
        if len(longer) == 1:
            out[k] = longer[0]
    return out


_KANJI = re.compile(r"[\u4e00-\u9fff々]")
# the characters of a name: kanji, katakana, Latin letters, digits (and 々 in a word)
_NAME_CLASS = "\u4e00-\u9fff\u30a0-\u30ffA-Za-z0-9"
_WORD_CHAR = re.compile(f"[々{_NAME_CLASS}]")
_NAME_ONLY = re.compile(f"[々{_NAME_CLASS}]+")


def abbreviates(word: str, name: str) -> bool:
    """``word`` is ``name`` shortened as Japanese names are (略称): the name's characters in
    order, starting with its first and ending in its last word, every kanji taken alone (the
    first of a word: 通商|産業|省 → 通産省), katakana and Latin words kept whole.  Dropping a
    whole kanji word (規制改革|推進|会議 → 規制改革会議) names another body, not this one.

    >>> abbreviates("通産省", "通商産業省"), abbreviates("デジタル臨調", "デジタル臨時行政調査会")
    (True, True)
    >>> abbreviates("個情委", "個人情報保護委員会"), abbreviates("公取委", "公正取引委員会")
    (True, True)
    >>> abbreviates("規制改革会議", "規制改革推進会議"), abbreviates("国会", "国家公安委員会")
    (False, False)
    >>> abbreviates("警察庁", "警察庁交通局"), abbreviates("デジタル社会", "デジタル社会推進会議")
    (False, False)
    >>> abbreviates("デ臨調", "デジタル臨時行政調査会"), abbreviates("働き方", "働き方改革推進会議")
    (False, False)
    >>> abbreviates("農産局", "農林水産技術会議事務局")
    False
    """
    if len(word) < 3 or len(word) > len(name) - 2 or word[0] != name[0] or not _NAME_ONLY.fullmatch(word):
        return False  # (hiragana is no part of an abbreviation: 働き方 is a word, not a name)
    if len(word) <= 4 and word[-1] in "局課部室係班署":
        return False  # 農産局, 経営局: a bureau's own short name, not 農林水産技術会議事務局 shortened
    pos = []
    at = -1
    for ch in word:
        at = name.find(ch, at + 1)
        if at < 0:
            return False
        pos.append(at)
    if pos[-1] < len(name) - 3:
        return False  # the head (省, 委員会, 調査会) is kept by its first character at least
    runs: list[list[int]] = [[pos[0]]]
    for p in pos[1:]:
        if p == runs[-1][-1] + 1 and bool(_KANJI.match(name[p])) == bool(_KANJI.match(name[p - 1])):
            runs[-1].append(p)
        else:
            runs.append([p])
    kanji_runs = [r for r in runs if _KANJI.match(name[r[0]])]
    if any(len(r) > 1 for r in kanji_runs) or len(kanji_runs) < 2:
        return False
    for r in runs:  # a katakana or Latin word is kept whole: デジタル, not デ
        if not _KANJI.match(name[r[0]]) and not (
                (r[0] == 0 or _KANJI.match(name[r[0] - 1])) and (r[-1] + 1 == len(name) or _KANJI.match(name[r[-1] + 1]))):
            return False
    return len(runs) > 1


def abbreviation_spans(text: str, name: str) -> set[str]:
    """Words of ``text`` that abbreviate ``name`` (:func:`abbreviates`), standing as words:
    not inside a longer katakana or kanji word, except a head (通産省広報).

    >>> sorted(abbreviation_spans("デジタル臨調としても支援し、デジタル臨調における作業", "デジタル臨時行政調査会"))
    ['デジタル臨調']
    >>> sorted(abbreviation_spans("（平成８年１月３０日通産省広報）", "通商産業省"))
    ['通産省']
    """
    out: set[str] = set()
    first = name[0]
    for m in re.finditer(re.escape(first), text):
        a = m.start()
        if a > 0 and _WORD_CHAR.match(text[a - 1]) and not _KANJI.match(first):
            continue  # inside a longer katakana or Latin word (kanji words run together: 日通産省)
        at, b = 0, a + 1
        while b < len(text) and b - a < min(len(name), 10):
            nxt = name.find(text[b], at + 1)
            if nxt < 0:
                break
            at, b = nxt, b + 1
        # the longest prefix of the run that abbreviates the name and ends a word or in the
        # name's own head
        for end in range(b, a + 2, -1):
            word = text[a:end]
            if abbreviates(word, name) and (
                    end >= len(text) or not _WORD_CHAR.match(text[end]) or name.endswith(word[-1])):
                out.add(word)
                break
    return out


def abbreviation_merges(entities: dict[str, Entity], text: str, table: Any) -> dict[str, str]:
    """A word of the document that abbreviates the name of one of its bodies (:func:`abbreviates`):
    デジタル臨調 for デジタル臨時行政調査会, 通産省 for 通商産業省.  An entity of that
    name joins the full one (old key → new key); otherwise the word becomes an alias and
    a defined term, so that its uses are mentions.  A word that abbreviates two of the
    document's names is left alone."""
    found: dict[str, list[str]] = {}
    for k, e in entities.items():
        # bodies (a plan's or a programme's words are as often ordinary words: 働き方), with
        # names short enough to be shortened
        if e.type != "Agency" or not 5 <= len(e.label) <= 25 or e.generic:
            continue
        for word in abbreviation_spans(text, e.label):
            found.setdefault(word, []).append(k)
    out: dict[str, str] = {}
    by_label = {e.label: k for k, e in entities.items()}
    for word, keys in found.items():
        if len(set(keys)) != 1:
            continue
        key = keys[0]
        own = by_label.get(word)
        if own is not None and own != key:
            if own not in table.reference and entities[own].type == entities[key].type:
                out[own] = key
            continue
        if own is None:
            table.alias(key, word)
            table.defined.setdefault(word, key)
    return out


def definition_merges(docs: list[Any],
                      table: Any) -> dict[str, str]:
    """Defined terms: entities named by Y become (or join) the entity Y.

    A collective (A及びB（以下「C」という。）) takes its members in as aliases, except
    entities of the reference data (都道府県警察 stays itself in
    都道府県警察並びに…（以下「都道府県警察等」）); a member two collectives name goes to
    the smaller one (管区警察局情報通信部 to 地方機関情報通信部, not to 都道府県警察等)."""
    collectives: list[tuple[str, list[str]]] = []
    for doc in docs:
        ents = sorted((e for e in doc.ents if e.label_.startswith("PG_")), key=lambda e: e.start_char)
        _role_definitions(doc.text, ents, table)
        _term_is_name(doc.text, ents, table)
        for m in _DEFINITION.finditer(doc.text):
            term = m.group(1)
            end = m.start()
            quoted = doc.text[end - 1 : end] in ("」", "』")
            if quoted:
                end -= 1  # 「デジタル臨時行政調査会」（以下「調査会」という。）: the name in quotes
            run = _run_before(doc.text, ents, end)
            if quoted and run and not (len(run) == 1 and _one_quoted(doc.text, run[0].start_char)):
                continue  # 「A」及び「B」（以下「C」という。）: not one quoted name
            if not run:
                continue
            keys = [k for k in (_key_of(table, e) for e in run) if k]
            if not keys:
                continue
            if len(keys) == 1:
                one = table.entities.get(keys[0])
                if one is not None and one.type == "Agency" and _ROLE_CLAUSE.search(
                        doc.text[max(0, run[0].start_char - 8) : run[0].start_char]):
                    _mark_role(table, term)  # 手配登録を行った公安委員会（以下「手配公安委員会」）: a role
                    continue
                if len(term) > 2:
                    table.alias(keys[0], term)
                table.defined.setdefault(term, keys[0])
                continue
            if table.entities.get(keys[0]) is None or len(term) <= 2:
                continue
            collectives.append((term, list(dict.fromkeys(keys))))
    return _collect(collectives, table)


def _term_is_name(text: str, ents: list[Any], table: Any) -> None:
    """A term a definitions article gives for a name (「法」とは、たばこ事業法（…）をいう。, 「令」とは、
    …施行令（…）をいう。): the document's own term for that entity, a mention wherever it
    stands alone (:func:`defined_term_spans`: 法第23条 is the law's article)."""
    by_start = {e.start_char: e for e in ents}
    for m in _TERM_IS.finditer(text):
        ent = by_start.get(m.end())
        if ent is None or not _IS_THAT.match(text, ent.end_char):
            continue
        key = _key_of(table, ent)
        if key is None or m.group(1) in table.defined:
            continue
        if len(m.group(1)) > 2:
            table.alias(key, m.group(1))
        table.defined[m.group(1)] = key


# a secretariat named by its organ: 事務局（…市都市政策課）から…, 事務局：…省…局、…
_SECRETARIAT = re.compile(r"事務局[ \t\u3000]*[（(:：][ \t\u3000]*")
# a notice's sender, the line after its addressee lines (…殿 / …御中): 消防庁予防課長
_ADDRESSEE_END = re.compile(r"(?:殿|御中)[ \t\u3000]*\n(?:[ \t\u3000]*\n)*[ \t\u3000]*([^\n]{2,60}?)[ \t\u3000]*(?:\n|$)")
_UNIT_WORDS = ("センター", "本部", "課", "室", "局", "部", "庁", "省", "所")


def _role_definitions(text: str, ents: list[Any], table: Any) -> None:
    """Words a document uses for an organ it names once: 事務局 for the organ glossed after
    it (事務局（…課）, 事務局：…局), and 当課 / 当庁 / 当省 for the notice's sender (the line
    after its addressee: 消防庁予防課長 → 当課, and 当庁 for 消防庁)."""
    for m in _SECRETARIAT.finditer(text):
        first = next((e for e in ents if e.start_char == m.end()), None)
        key = _key_of(table, first) if first is not None else None
        if key and table.entities[key].type == "Agency":
            table.defined.setdefault("事務局", key)
    sender = _ADDRESSEE_END.search(text)
    if sender is None:
        return
    line = sender.group(1)
    inside = [e for e in ents if sender.start(1) <= e.start_char and e.end_char <= sender.end(1)]
    if len(inside) != 1 or re.sub(r"(?:の)?長$|[ \t\u3000]", "", line) != inside[0].text:
        return
    key = _key_of(table, inside[0])
    if not key or table.entities[key].type != "Agency":
        return
    label = inside[0].text
    for unit in _UNIT_WORDS:
        at = label.rfind(unit)
        if at < 0:
            continue
        if at + len(unit) == len(label):
            table.defined.setdefault("当" + unit, key)
            continue
        parent = _key_of_name(table, label[: at + len(unit)], "Agency")  # 当庁 in a notice of 消防庁予防課
        if parent:
            table.defined.setdefault("当" + unit, parent)


def _key_of_name(table: Any, name: str, type_: str | None = None) -> str | None:
    """The key of the entity (of ``type_``, when given) that ``name`` is the label or an
    alias of."""
    for k, e in table.entities.items():
        if (type_ is None or e.type == type_) and (name == e.label or name in e.aliases):
            return str(k)
    return None


def _collect(collectives: list[tuple[str, list[str]]], table: Any) -> dict[str, str]:
    """Member key → collective key, each member with the smallest collective naming it."""
    out: dict[str, str] = {}
    owner: dict[str, int] = {}
    for n, (_, keys) in enumerate(collectives):
        for k in keys:
            if k not in table.reference and (k not in owner or len(keys) < len(collectives[owner[k]][1])):
                owner[k] = n
    for n, (term, keys) in enumerate(collectives):
        first = table.entities[keys[0]]
        new = entity_key(first.type, term)
        mine = [k for k in keys if owner.get(k) == n]
        if new not in table.entities:
            table.entities[new] = Entity(key=new, label=term, type=first.type,
                                         aliases=tuple(table.entities[k].label for k in mine if k in table.entities))
        for k in mine:
            out[k] = new
    return out


# a verb clause right before the defined unit: the term names whichever unit plays a role
_ROLE_CLAUSE = re.compile(r"(?:した|行った|受けた|する|される|された|している|を管轄する)$")


def _mark_role(table: Any, term: str) -> None:
    key = entity_key("Agency", term)
    e = table.entities.get(key)
    if e is not None and not e.generic and key not in table.reference:
        table.entities[key] = Entity(**{**e.__dict__, "generic": True, "parent": None})


def _run_before(text: str, ents: list[Any], end: int) -> list[Any]:
    """Entities ending right before ``end``, joined by 及び/並びに/・/、."""
    run: list[Any] = []
    pos = end
    for e in reversed(ents):
        if e.end_char > pos:
            continue
        gap = text[e.end_char : pos]
        if gap and not _JOINERS.match(gap):
            break
        if not gap and run:
            break
        run.insert(0, e)
        pos = e.start_char
    return run


def _one_quoted(text: str, start: int) -> bool:
    """The name at ``start`` opens its quotes, and no other quoted name is joined to them
    (「A」及び「B」: the term names both; 「A」（…）及び「B」（以下…）: A has its own)."""
    return text[start - 1 : start] in ("「", "『") and not re.search(r"[」』](?:及び|並びに|又は|、|・)$",
                                                                 text[max(0, start - 6) : start - 1])


def _key_of(table: Any, ent: Any) -> str | None:
    if ent.kb_id_ and ent.kb_id_ in table.entities:
        return str(ent.kb_id_)
    return _key_of_name(table, ent.text)


_ARTICLE_AFTER = re.compile(r"第[0-9０-９一二三四五六七八九十百]+条")
_NAME_CHAR = re.compile(f"[{_NAME_CLASS}]")


def defined_term_spans(text: str, table: Any, taken: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Where a passage's text uses a term the document defined for one entity (委員会 for
    個人情報保護委員会 after （以下「委員会」という。）): (start, end, key), the term standing
    as a word of its own — not inside a longer name (公安委員会, 委員会規則) nor where a
    mention already is.

    >>> from types import SimpleNamespace as NS
    >>> t = "委員会は、公安委員会及び委員会規則を定める。委員会の委員長"
    >>> [(a, b, k) for a, b, k in defined_term_spans(t, NS(defined={"委員会": "ppc"}), [])]  # and its head
    [(0, 3, 'ppc'), (22, 25, 'ppc'), (26, 29, 'ppc')]
    >>> [t[a:b] for t in ["法第19条に規定する方法"] for a, b, _ in defined_term_spans(t, NS(defined={"法": "k"}), [])]
    ['法']
    >>> [t[a:b] for t in ["委員長及び委員は"] for a, b, _ in defined_term_spans(t, NS(defined={"委員会": "k"}), [])]
    ['委員長']
    """
    out: list[tuple[int, int, str]] = []
    terms = dict(table.defined)
    for term, key in table.defined.items():  # the head of a defined organ names it (annotation.md)
        if term == "委員会":
            terms.setdefault("委員長", key)
        elif term.endswith(("事務局", "本部", "センター", "機構")):
            terms.setdefault(term + "長", key)  # 事務局 → 事務局長
    for term, key in sorted(terms.items(), key=lambda kv: -len(kv[0])):
        for m in re.finditer(re.escape(term), text):
            a, b = m.span()
            if (a > 0 and _NAME_CHAR.match(text[a - 1])) or (
                    b < len(text) and _NAME_CHAR.match(text[b]) and text[b] != "等"
                    and not _ARTICLE_AFTER.match(text, b) and not text.startswith(("及び", "並びに", "又は"), b)):
                continue  # inside a longer name; but 法第19条 is the defined 法 and its article
            if any(x < b and a < y for x, y in taken) or any(x < b and a < y for x, y, _ in out):
                continue
            if term == "道" and text.startswith(("の駅", "のり"), b):
                continue  # 道の駅, 道のり: not the prefecture (own_government)
            out.append((a, b, key))
    return sorted(out)


def apply(mapping: dict[str, str], table: Any, mentions: list[Mention]) -> list[Mention]:
    """Rewrite mentions to the merged keys; fold the merged entities' names into aliases."""
    if not mapping:
        return mentions
    for old, new in mapping.items():
        e = table.entities.get(old)
        if e is not None and new in table.entities and old != new:
            for name in (e.label, *e.aliases):
                table.alias(new, name)
            del table.entities[old]
    return [Mention(mapping.get(m.entity, m.entity), m.surface, m.start, m.end, m.passage_id) for m in mentions]
