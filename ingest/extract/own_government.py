"""A local government's document calls itself and its prefecture by their kind alone.

音威子府村地域防災計画 says 村は…, 村長は…, 村災害対策本部, and 道 or 知事 for 北海道; a
city's plan says 市, 本市, 市長, 県; a prefecture's ordinance 県, 知事.  These are
abbreviations the document defines for itself by being that government's (annotation.md:
they resolve only inside that document), so they become terms the document defines
(``EntityTable.defined``) for the government its title names, and its prefecture: the one
the title prints, else the one the text names most (北海道 for 道).

>>> own_government("音威子府村地域防災計画", "北海道地域防災計画に基づき、村は道と連携する。")
('音威子府村', '北海道')
>>> own_government("東京都個人情報保護条例", "知事は…")
(None, '東京都')
>>> own_government("横浜市防災計画", "神奈川県と連携し、県は…。神奈川県知事")
('横浜市', '神奈川県')
>>> own_government("市町村地域防災計画作成指針", "…"), own_government("警察庁の方針", "…")
((None, None), (None, None))
>>> own_government("中心市街地活性化基本計画", "…"), own_government("農村振興計画", "…"), own_government("都市再生方針", "…")
((None, None), (None, None), (None, None))
>>> own_government("市川市総合計画", "千葉県"), own_government("第２次松江市総合計画", "島根県")
(('市川市', '千葉県'), ('松江市', '島根県'))
>>> own_government("令和7年度 川崎市と事業者との連携", "…"), own_government("令和７年春の運動福岡県実施要綱", "…")
(('川崎市', None), (None, '福岡県'))
>>> own_government("第４章　重点施策", "本県は、…「高知県省エネ補助金」を交付する。県は、…")
(None, '高知県')
"""

from __future__ import annotations

import re
from collections import Counter
from types import SimpleNamespace
from typing import Any

from policygraph.ingest.extract.aliases import defined_term_spans
from policygraph.ingest.extract.gazetteer import NOT_A_PLACE, PREFECTURES

_KIND = "都道府県市区町村"
_PREFECTURE = "|".join(PREFECTURES)
# (a plan's edition before the name: 第2次松江市総合計画)
_OWN = re.compile(rf"^(?:第[0-9０-９一二三四五六七八九十]+[次期]\s*)?(?P<pref>{_PREFECTURE})?(?P<muni>[^\s\d「」()・]{{1,5}}?[市区町村])?")
_PREFECTURE_IN_TEXT = re.compile(_PREFECTURE)
# how a prefecture's document calls itself
_OWN_PREFECTURE = re.compile(r"(?<![\u4e00-\u9fff])(?:本|当)県(?![\u4e00-\u9fff]{0,1}(?:民|内|外|産|立))")
# a title's year before the government's name (令和7年度 川崎市…, 2025年度 …)
_YEAR_FIRST = re.compile(r"^(?:(?:令和|平成)\s*(?:[0-9０-９]{1,2}|元|[一二三四五六七八九十]{1,3})|[0-9０-９]{4})\s*年度?\s*")
# what follows 市/町/村/道 inside a word (市街地, 市場, 町内, 村落, 道路): not the kind word alone
# (市立, 都立 are the government's own: 都立病院 is 東京都立病院)
_INSIDE_A_WORD = "街場民内域政営外議道税落並有路"


def _kind_alone(after: str) -> bool:
    """Whether a kind word (市, 村, 道) followed by ``after`` stands alone, not as the
    first character of another word or kind (市街地, 道路, 市町村).

    >>> _kind_alone("災害対策本部"), _kind_alone("立病院"), _kind_alone("路管理課"), _kind_alone("町村")
    (True, True, False, False)
    """
    return after[:1] not in _KIND + _INSIDE_A_WORD


def own_government(title: str, text: str) -> tuple[str | None, str | None]:
    """(the municipality, the prefecture) a document's title says it is by, the prefecture
    read from the text when the title does not print it (None: not a local government's).
    The title may open with its year (令和7年度 川崎市…), and a prefecture may stand
    anywhere in it (令和7年春の全国交通安全運動福岡県実施要綱)."""
    title = _YEAR_FIRST.sub("", title.strip())
    m = _OWN.match(title)
    if m is None or not (m["pref"] or m["muni"]) or m.end() >= len(title):
        inside = _PREFECTURE_IN_TEXT.search(title)
        if inside and inside.end() < len(title):
            return None, inside.group(0)
        if _OWN_PREFECTURE.search(text):  # (an excerpt without its title that says 本県: the
            named = Counter(_PREFECTURE_IN_TEXT.findall(text))  # prefecture it names most)
            return None, named.most_common(1)[0][0] if named else None
        return None, None
    muni, pref = m["muni"], m["pref"]
    if muni and (muni in NOT_A_PLACE or not _kind_alone(title[m.end():])):
        muni = None
        if not pref:
            return None, None
    if pref is None:
        named = Counter(_PREFECTURE_IN_TEXT.findall(text))
        pref = named.most_common(1)[0][0] if named else None
    return muni, pref


def own_terms(muni: str | None, pref: str | None) -> dict[str, str]:
    """term → the government it names in that government's document: the municipality's
    kind (村, 本村, 当村, 村長), the prefecture's (道, 県知事, 知事; 本県 in its own)."""
    out: dict[str, str] = {}
    if muni:
        k = muni[-1]
        out.update({k: muni, f"本{k}": muni, f"当{k}": muni, f"{k}長": muni})
    if pref:
        p = pref[-1]
        out.update({p: pref, f"{p}知事": pref, "知事": pref})
        if not muni:
            out.update({f"本{p}": pref, f"当{p}": pref})
    return out


def define_own(title: str, text: str, table: Any) -> dict[str, str]:
    """Add the terms of :func:`own_terms` the text uses to the document's defined terms,
    with the governments as agencies.  Returns the merges (old key → new key) that name in
    full a unit printed with the kind alone: 村災害対策本部 → 音威子府村災害対策本部,
    道公安委員会 → 北海道公安委員会 (the short form an alias)."""
    muni, pref = own_government(title, text)
    _define_terms(own_terms(muni, pref), text, table)
    merges: dict[str, str] = {}
    for full in (g for g in (muni, pref) if g):
        short = full[-1]
        for key, e in list(table.entities.items()):
            if (e.type == "Agency" and not e.generic and e.label.startswith(short) and len(e.label) > 3
                    and _kind_alone(e.label[1:]) and not e.label.startswith(full)):
                new = table.add("Agency", full + e.label[1:])
                if new != key:
                    merges[key] = new
    return merges


# how a ministry's or agency's notice calls its issuer (当省は、…を取りまとめる)
_SELF_ORGAN = {"省": ("当省", "本省"), "庁": ("当庁",)}
_ISSUER_ORGAN = re.compile(r"^([^\s、。()]{1,12}?[省庁])")


def issuer_terms(issuers: tuple[str, ...] | list[str]) -> dict[str, str]:
    """term → the organ that issues the document: 当省 / 本省 for its ministry, 当庁 for its
    agency, read from the issuer lines (農林水産省消費・安全局長 → 農林水産省).

    >>> issuer_terms(["農林水産省消費・安全局長"]), issuer_terms(["消防庁予防課長"])
    ({'当省': '農林水産省', '本省': '農林水産省'}, {'当庁': '消防庁'})
    """
    for issuer in issuers:
        m = _ISSUER_ORGAN.match(issuer.replace(" ", "").replace("\u3000", ""))
        if m:
            organ = m.group(1)
            return dict.fromkeys(_SELF_ORGAN[organ[-1]], organ)
    return {}


def define_issuer(issuers: tuple[str, ...] | list[str], text: str, table: Any) -> None:
    """Add the terms of :func:`issuer_terms` the text uses to the document's defined terms."""
    _define_terms(issuer_terms(issuers), text, table)


def _define_terms(terms: dict[str, str], text: str, table: Any) -> None:
    """Each term the text uses standing alone, not yet defined, as a defined term of the
    agency it names."""
    for term, name in terms.items():
        if term not in table.defined and defined_term_spans(text, SimpleNamespace(defined={term: ""}), []):
            table.defined[term] = table.add("Agency", name)
