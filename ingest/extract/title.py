"""The document itself as an entity: a guideline, plan or procedure is a Plan of the graph
whose canonical name is its title (annotation.md: guidelines issued as a whole are Plans),
and the document names it wherever it says 本指針 / この留意事項 / 本書; a statute is its
Law, named by この法律 / この条例.

Only titles that end in a word of that kind count (…指針, …ガイドライン(通則編), …作成要領
について): a notice about something else (…の改正について(通知)) or a statute is not a plan.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from policygraph.core.records import DocumentMeta, Mention, Passage
from policygraph.ingest.extract.entities import EntityTable
from policygraph.ingest.extract.gazetteer import PLAN_HEADS

# the kind word a plan's title ends in; 編 and 版 close the title of one volume or edition
_KIND = (*PLAN_HEADS, "要領", "要綱", "留意事項", "手引", "手引き", "マニュアル", "実施計画", "全体編")
# …について(通知), …について(概要): a notice of the plan, a summary of it
_TAIL = re.compile(r"(?:について)?(?:\((?:依命)?(?:通達|通知|事務連絡|示達|訓令)\)|\((?:概要|案|本文|要旨)\))?"
                   # an excerpt's mark, or the issuer after the title: …(抜粋), …(抄), …工程(総務省消防庁)
                   r"(?:\s*[(（](?:抜粋|抄|抄録)[)）]|\s*[(（][^()（）]{1,16}(?:省|庁|府|局|本部|委員会|会議)[)）])?$")
_VOLUME = re.compile(r"\s*[(（][^()（）]{1,20}[編版][)）]$")


def plan_title(meta: DocumentMeta) -> tuple[str, str] | None:
    """(canonical name, the kind word) when the document's title names a plan or guideline.

    >>> from policygraph.core.records import DocumentMeta as M
    >>> plan_title(M("細胞・組織加工医薬品等に係る資料の作成要領について"))
    ('細胞・組織加工医薬品等に係る資料の作成要領', '要領')
    >>> plan_title(M("個人情報の保護に関する法律についてのガイドライン(通則編)"))
    ('個人情報の保護に関する法律についてのガイドライン(通則編)', 'ガイドライン')
    >>> plan_title(M("デジタル社会推進実践ガイドブックDS-441コアデータパーツ日付及び時刻"))[1]
    'ガイドブック'
    >>> plan_title(M("生成AIの調達・利活用に係るガイドラインについて(概要)"))
    ('生成AIの調達・利活用に係るガイドライン', 'ガイドライン')
    >>> plan_title(M("みどりの推進に関する基本方針(抜粋)")), plan_title(M("みどり基盤の整備に係る工程表(総務省消防庁)"))[0]
    (('みどりの推進に関する基本方針', '方針'), 'みどり基盤の整備に係る工程表')
    >>> plan_title(M("事務処理要領の改正について(通達)")) is None, plan_title(M("道路交通法")) is None
    (True, True)
    """
    title = meta.title.strip()
    if not title or len(title) > 120:
        return None
    name = _TAIL.sub("", title).strip()
    core = _VOLUME.sub("", name)
    kind = next((k for k in sorted(_KIND, key=len, reverse=True) if core.endswith(k)), None)
    series = re.search(r"(ガイドブック|ガイドライン)\s?[A-Z]{1,4}[- ]?[0-9][0-9-]*", core)
    if kind is None and series:  # one volume of a numbered series: …実践ガイドブックDS-441コアデータパーツ
        kind = series.group(1)
    if kind is None or len(core) < len(kind) + 4:
        return None
    if re.search(r"(?:の|を)(?:改正|一部改正|廃止|制定|施行|送付|周知)$", core.removesuffix(kind)):
        return None
    return name, kind


_STATUTE = re.compile(r"(?:法律|法|条例|規則|政令|省令|府令)$")
# how a document refers to itself
_SELF_PLAN = "本書|本文書|本資料|本ガイドブック|本ガイドライン|本指針|本基準|本標準|本要領|本計画|本方針"
_SELF_LAW = {"法律": "この法律|本法", "法": "この法律|本法", "条例": "この条例|本条例", "規則": "この規則",
             "政令": "この政令", "省令": "この省令", "府令": "この府令"}


def statute_title(meta: DocumentMeta) -> tuple[str, str] | None:
    """(name, how it calls itself) when the document is a statute, ordinance or order.

    >>> from policygraph.core.records import DocumentMeta as M
    >>> statute_title(M("個人情報の保護に関する法律", doc_type="法令"))
    ('個人情報の保護に関する法律', 'この法律|本法')
    """
    title = re.sub(r"\s*[(（](?:抄|抄録|抜粋)[)）]$", "", meta.title)  # an excerpt of it (…条例(抄))
    m = _STATUTE.search(title)
    if meta.doc_type != "法令" or m is None or len(title) > 80:
        return None
    return title, _SELF_LAW[m.group(0)]


def title_mentions(
    meta: DocumentMeta,
    table: EntityTable,
    norm_text: str,
    passages: Sequence[Passage],
    original_span: Callable[[int, int], tuple[int, int]],
) -> list[Mention]:
    """The document's own plan entity (when :func:`plan_title` finds one) and its mentions:
    the title where it is printed, and 本X / このX (X its kind word) in the text."""
    found = plan_title(meta)
    statute = statute_title(meta) if found is None else None
    if found is not None:
        name, kind = found
        key = table.add("Plan", name)
        # 本作成要領 (kind 要領), この留意事項, 本書
        self_ref = rf"(?:本|この|当該)[^\s、。「」()]{{0,4}}?{re.escape(kind)}|{_SELF_PLAN}"
    elif statute is not None:
        name, self_ref = statute
        key = table.add("Law", name)
    else:
        return []
    if meta.title != name:
        table.alias(key, meta.title)
    spans: list[tuple[int, int, str]] = []
    at = norm_text.find(name)
    if at < 0:
        at = norm_text.find(name[:12])
        if at >= 0:
            spans.append((at, at + 12, name[:12]))
    else:
        spans.append((at, at + len(name), name))
    for m in re.finditer(self_ref, norm_text):
        spans.append((m.start(), m.end(), m.group(0)))
    out = []
    for a, b, surface in spans:
        oa, ob = original_span(a, b)
        p = next((p for p in passages if p.start <= oa < p.end), None)
        # この法律 in the supplementary provisions of an amending act (附則（平成27年…法律第65号）)
        # is that act
        if p is not None and not (statute and any(re.match(r"附\s*則\s*[(（]", x) for x in p.section)):
            out.append(Mention(entity=key, surface=surface, start=oa, end=ob, passage_id=p.id))
    return out
