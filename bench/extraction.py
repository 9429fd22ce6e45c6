"""Extraction quality against a gold file shaped like ../shared/eval/dev-gold.json.

Prints precision/recall per entity type, alias-merge rate, mention recall, measure
recall and exact deadline match, and writes bench/results/extraction.json.

* Generic actors (都道府県警察, 関係省庁, 警察署 …) are their own kind (issue 3): their
  precision is reported on a GenericActor line, apart from named agencies; a gold
  agency they match still counts for agency recall.
* An entity matches a gold entity when one of its names (label or alias, NFKC, no
  whitespace) equals one of the gold entity's names (label, aliases, local aliases).
  Only predicted entities mentioned in the gold file's documents are scored.
* Alias merge: for each gold entity with two or more names, the share of its names
  that resolve to one and the same predicted entity (catalog lookup).
* Mention recall: a gold mention is found when a predicted mention of the matched
  entity is in a passage of that document containing the snippet.
* Measure recall: a predicted measure of the document contains the gold snippet.
* Deadline exact match: (kind, start, end) of the matched measure's measure-level
  deadline — the latest dated one when there are several, as the gold convention says.
* Actor found: of the gold measures that name an actor (and are found), the share whose
  predicted measure names one of those actors (by any of the gold entity's names).

Run: .venv/bin/python bench/extraction.py [--data DIR] [GOLD.json]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def norm(s: str) -> str:
    # (a bullet drawn from a symbol font is a private-use character in a PDF's text layer,
    # which the reader prints as the bullet ・ it shows: a snippet copied with it still matches)
    return "".join(_PRIVATE_USE.sub("・", unicodedata.normalize("NFKC", s)).split())


_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")


def _marker(s: str) -> str:
    """A heading marker as compared: NFKC, no spaces, no trailing full stop (1. = 1); of a
    heading given with its title (３．アナログ規制の見直し, as some annotators write the path)
    the marker alone, as the section reader prints it (annotation.md: 第3 › 1 › (2) › ア)."""
    from policygraph.ingest.sections import _match_marker

    found = _match_marker(unicodedata.normalize("NFKC", s).strip())
    return norm(found[2] if found else s).rstrip(".")


def measure_level(deadlines: list[dict[str, Any]]) -> tuple[Any, Any, Any] | None:
    if not deadlines:
        return None
    dated = [d for d in deadlines if d.get("end") or d.get("start")]
    if dated:
        d = max(dated, key=lambda d: d.get("end") or d.get("start") or "")
    else:
        d = deadlines[0]
    return (d["kind"], d.get("start"), d.get("end"))


def evaluate(svc: Any, gold: dict[str, Any]) -> dict[str, Any]:  # noqa: C901
    docs = set(gold["documents_covered"])
    cat = svc.catalog
    details = {}
    for iri, e in cat.entities.items():
        d = svc.entity(e["id"])
        srcs = {m["document"]["source"] for m in d["mentions"]}
        if srcs & docs:
            details[iri] = (e, d)
    names: dict[str, set[str]] = {}
    for iri, (e, _) in details.items():
        for n in (e["label"], *e["aliases"]):
            names.setdefault(norm(n), set()).add(iri)
    per_type: dict[str, Counter[str]] = {}
    matched_pred: set[str] = set()
    gold_match: dict[str, set[str]] = {}
    for g in gold["entities"]:
        gnames = {norm(n) for n in [g["label"], *g.get("aliases", []), *[a["alias"] for a in g.get("local_aliases", [])]]}
        hit = set().union(*(names.get(n, set()) for n in gnames))
        gold_match[g["id"]] = hit
        c = per_type.setdefault(g["type"], Counter())
        c["gold"] += 1
        if hit:
            c["found"] += 1
            matched_pred |= hit
    unmatched: dict[str, list[str]] = {}
    for iri, (e, _) in details.items():
        # generic actors (都道府県警察, 関係省庁) are their own kind: scored apart from named agencies
        kind = "GenericActor" if e.get("generic") else e["type"]
        c = per_type.setdefault(kind, Counter())
        c["pred"] += 1
        c["pred_ok"] += iri in matched_pred
        if iri not in matched_pred and kind != "GenericActor":
            unmatched.setdefault(kind, []).append(e["label"])
    types = {t: {"recall": round(c["found"] / c["gold"], 3) if c["gold"] else None,
                 "precision": round(c["pred_ok"] / c["pred"], 3) if c["pred"] else None,
                 "gold": c["gold"], "predicted": c["pred"]} for t, c in sorted(per_type.items())}
    merged = total = 0
    unmerged = []
    for g in gold["entities"]:
        gn = list(dict.fromkeys([g["label"], *g.get("aliases", [])]))
        if len(gn) < 2:
            continue
        targets = [tuple(cat.lookup(n)[:1]) for n in gn]
        total += 1
        ok = len(set(targets)) == 1 and targets[0] != ()
        merged += ok
        if not ok:
            unmerged.append(g["label"])
    m_found = m_total = 0
    for g in gold["entities"]:
        for men in g.get("mentions", []):
            m_total += 1
            snip = norm(men["snippet"])
            ok = False
            for iri in gold_match[g["id"]]:
                _, d = details[iri]
                if any(m["document"]["source"] == men["doc"] and snip in norm(m["text"]) for m in d["mentions"]):
                    ok = True
            m_found += ok
    measures = svc.measure_list()
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for m in measures:
        by_doc.setdefault(m["document"]["source"], []).append(m)
    meas_found = path_ok = dl_ok = dl_total = 0
    misses: list[str] = []
    dl_wrong: list[dict[str, Any]] = []
    for gm in gold["measures"]:
        snip = norm(gm["snippet"])
        cands = [m for m in by_doc.get(gm["doc"], []) if snip in norm(m["text"])]
        if not cands:
            misses.append(gm["id"])
            continue
        meas_found += 1
        m = cands[0]
        path_ok += [_marker(x) for x in m["section"][: len(gm["heading_path"])]] == [_marker(x) for x in gm["heading_path"]]
        if gm.get("deadline"):
            dl_total += 1
            gd = gm["deadline"]
            got = measure_level(m["deadlines"])
            want = (gd["kind"], gd.get("start"), gd.get("end"))
            dl_ok += got == want
            if got != want:
                dl_wrong.append({"measure": gm["id"], "gold": list(want), "got": list(got) if got else None})
    actors, actor_misses = actor_found(svc, gold)
    return {
        "entity_types": types,
        "actor_found": actors,
        "alias_merge": round(merged / total, 3) if total else None,
        "mention_recall": round(m_found / m_total, 3) if m_total else None,
        "measure_recall": round(meas_found / len(gold["measures"]), 3),
        "measure_path_match": round(path_ok / max(meas_found, 1), 3),
        "deadline_exact": round(dl_ok / dl_total, 3) if dl_total else None,
        "measure_misses": misses,
        # what the figures above count against: to read, not to tune to
        "gold_entities_missed": sorted(g["label"] for g in gold["entities"] if not gold_match[g["id"]]),
        "predicted_unmatched": {k: sorted(v) for k, v in sorted(unmatched.items())},
        "aliases_not_merged": unmerged,
        "deadlines_differing": dl_wrong,
        "actor_misses": actor_misses,
    }


def actor_found(svc: Any, gold: dict[str, Any]) -> tuple[float | None, list[str]]:
    """Of the gold measures naming an actor (and found), the share whose predicted measure
    names one of those actors (by any of the gold entity's names)."""
    names = {e["id"]: {norm(n) for n in [e["label"], *e.get("aliases", []),
                                         *[a["alias"] for a in e.get("local_aliases", [])]]}
             for e in gold["entities"]}
    by_doc: dict[str, list[dict[str, Any]]] = {}
    for m in svc.measure_list():
        by_doc.setdefault(m["document"]["source"], []).append(m)
    cat = svc.catalog
    ok = total = 0
    misses = []
    for gm in gold["measures"]:
        if not gm.get("actors"):
            continue
        snip = norm(gm["snippet"])
        cands = [m for m in by_doc.get(gm["doc"], []) if snip in norm(m["text"])]
        if not cands:
            continue
        total += 1
        want = set().union(*(names.get(a, set()) for a in gm["actors"]))
        got = set()
        for a in cands[0]["actors"]:
            e = cat.entities.get(a["iri"])
            if e:
                got |= {norm(n) for n in (e["label"], *e["aliases"])}
        if want & got:
            ok += 1
        else:
            misses.append(gm["id"])
    return (round(ok / total, 3) if total else None), misses


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(ROOT / "data"))
    ap.add_argument("gold", nargs="?", default=str(ROOT.parent / "shared" / "eval" / "dev-gold.json"))
    args = ap.parse_args()
    from policygraph.core.settings import Settings
    from policygraph.service.service import Service

    svc = Service(Settings(data=Path(args.data)))
    if not svc.versions():
        svc.ingest_paths([ROOT / "tests" / "data" / "corpus"])
    res = evaluate(svc, json.loads(Path(args.gold).read_text(encoding="utf-8")))
    svc.close()
    for t, r in res["entity_types"].items():
        print(f"{t:<8} recall {r['recall']}  precision {r['precision']}  (gold {r['gold']}, predicted {r['predicted']})")
    for k in ("alias_merge", "mention_recall", "measure_recall", "measure_path_match", "deadline_exact", "actor_found"):
        print(f"{k:<20} {res[k]}")
    gold_name = Path(args.gold).stem
    out = ROOT / "bench" / "results" / ("extraction.json" if gold_name == "dev-gold" else f"extraction-{gold_name}.json")
    out.write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    main()
