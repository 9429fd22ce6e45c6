"""Extraction on the invented mini documents (tests/data/mini/, not a test).

Helpers who saw only ``annotation.md`` wrote short excerpts in the manner of many kinds of
government document (notices, plans, roadmaps as text, statutes, budget requests, local
plans) and annotated them: every measure with its named actors, generic actor and
deadline, and every named entity with its printed forms.  Set A varies how time is
given, set B who acts and how things are named.  Odd-numbered documents are the tune
half, even-numbered ones the check half (``tests/data/mini/split.md``, fixed before any
arrived); the check half is scored at most once per stop and its misses are not read.

Each document is written to a ``.txt`` file and analysed as an ingest analyses it
(``ingest.pipeline.analyse``: reading, layout, GiNZA, extraction; no store).  Scored:

* measures: recall (a gold snippet inside an extracted measure's text) and precision
  (an extracted measure holding some gold snippet);
* deadline exact: kind, start and end of the measure's latest dated deadline, over the
  gold measures found;
* actor found: one of the gold's named actors among the measure's actors (a printed
  form of the gold organ equal to a name of the extracted one); actors exact: the same
  set; actor_text: the gold's generic actor printed in the measure's ``actor_text``;
* entities by type: recall (a printed form among the names of an extracted entity) and
  precision (an extracted entity with a name among the gold's printed forms), as
  ``bench/extraction.py`` counts them: only entities the document mentions, generic
  actors (都道府県, 関係省庁) apart on a GenericActor line.

Run: .venv/bin/python bench/mini.py --half tune|check [--show]   (--show prints the
misses: for the tune half only)
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from extraction import measure_level, norm  # noqa: E402

from policygraph.core.settings import Settings  # noqa: E402
from policygraph.ingest.pipeline import analyse  # noqa: E402
from policygraph.ingest.readers import read_file  # noqa: E402
from policygraph.service.service import Service  # noqa: E402

MINI = ROOT / "tests" / "data" / "mini"


def in_half(doc_id: str, half: str) -> bool:
    """Odd-numbered documents are the tune half, even-numbered ones the check half."""
    return (int(doc_id.rsplit("-", 1)[1]) % 2 == 1) == (half == "tune")


def score_doc(doc: dict[str, Any], x: Any, c: Counter[str], misses: list[str]) -> None:  # noqa: C901
    names: dict[str, set[str]] = {e.key: {norm(n) for n in (e.label, *e.aliases)} for e in x.entities}
    # scored as bench/extraction.py scores them: only entities the document mentions (not a
    # parent organ known from reference data alone), generic actors on a line of their own
    mentioned = {m.entity for m in x.mentions}
    types = {e.key: "GenericActor" if e.generic else e.type for e in x.entities}
    gold_forms = [{norm(p) for p in (ge["label"], *ge["printed"])} for ge in doc["entities"]]
    # entities
    for ge, forms in zip(doc["entities"], gold_forms, strict=True):
        t = ge["type"]
        c[f"{t}.gold"] += 1
        if any(forms & ns for ns in names.values()):
            c[f"{t}.found"] += 1
        else:
            misses.append(f"  entity missed {t} {ge['label']} {ge['printed']}")
    for k, ns in names.items():
        if k not in mentioned:
            continue
        c[f"{types[k]}.got"] += 1
        if any(ns & forms for forms in gold_forms):
            c[f"{types[k]}.right"] += 1
        elif types[k] != "GenericActor":
            misses.append(f"  entity extra {types[k]} {sorted(ns)}")
    # measures
    gold_snips = [norm(gm["snippet"]) for gm in doc["measures"]]
    c["measures.got"] += len(x.measures)
    c["measures.right"] += sum(any(s in norm(m.text) for s in gold_snips) for m in x.measures)
    for m in x.measures:
        if not any(s in norm(m.text) for s in gold_snips):
            misses.append(f"  measure extra {m.text[:60]!r}")
    for gm, sn in zip(doc["measures"], gold_snips, strict=True):
        c["measures.gold"] += 1
        found = [m for m in x.measures if sn in norm(m.text)]
        if not found:
            misses.append(f"  measure missed {gm['snippet']!r}")
            continue
        c["measures.found"] += 1
        m = found[0]
        gd = gm["deadline"]
        want = (gd["kind"], gd.get("start"), gd.get("end"))
        got = measure_level([d.__dict__ for d in m.deadlines])
        c["deadline.gold"] += 1
        if got == want:
            c["deadline.exact"] += 1
        else:
            misses.append(f"  deadline {gm['snippet'][:30]!r} [{gm['deadline_text']}] want {want} got {got}")
        got_names = [names.get(a, set()) for a in m.actors]
        want_names = [{norm(gm_a)} | next((f for f in gold_forms if norm(gm_a) in f), set())
                      for gm_a in gm["actors"]]
        if gm["actors"]:
            c["actor.gold"] += 1
            if any(w & g for w in want_names for g in got_names):
                c["actor.found"] += 1
            else:
                misses.append(f"  actor {gm['snippet'][:30]!r} want {gm['actors']} got "
                              f"{[sorted(g)[0] if g else '?' for g in got_names]} / {m.actor_text!r}")
        c["actors.gold"] += 1
        exact = len(want_names) == len(got_names) and all(any(w & g for g in got_names) for w in want_names)
        c["actors.exact"] += exact
        if gm["actor_text"]:
            c["actor_text.gold"] += 1
            if m.actor_text and norm(gm["actor_text"]) in norm(m.actor_text):
                c["actor_text.found"] += 1
            else:
                misses.append(f"  actor_text {gm['snippet'][:30]!r} want {gm['actor_text']!r} got {m.actor_text!r}")


def ratio(c: Counter[str], a: str, b: str) -> float | None:
    return round(c[a] / c[b], 3) if c[b] else None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--half", choices=["tune", "check"], required=True)
    ap.add_argument("--show", action="store_true", help="print the misses (tune half only)")
    args = ap.parse_args()
    if args.show and args.half == "check":
        ap.error("the check half's misses are not read")
    docs = [d for f in sorted(MINI.glob("set-*.json")) for d in json.loads(f.read_text(encoding="utf-8"))["docs"]
            if in_half(d["id"], args.half)]
    svc = Service(Settings(data=Path(tempfile.mkdtemp(prefix="pgmini"))))
    c: Counter[str] = Counter()
    by_set: dict[str, Counter[str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for doc in docs:
            path = Path(tmp) / f"{doc['id']}.txt"
            path.write_text(doc["text"] + "\n", encoding="utf-8")
            [x] = analyse([read_file(path)], svc.analyzer)
            misses: list[str] = []
            sc: Counter[str] = Counter()
            score_doc(doc, x, sc, misses)
            c.update(sc)
            by_set.setdefault(doc["id"].split("-")[0], Counter()).update(sc)
            if args.show and misses:
                print(doc["id"], doc.get("genre", ""), *misses, sep="\n", flush=True)
    svc.close()

    def figures(k: Counter[str]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "measure_recall": ratio(k, "measures.found", "measures.gold"),
            "measure_precision": ratio(k, "measures.right", "measures.got"),
            "deadline_exact": ratio(k, "deadline.exact", "deadline.gold"),
            "actor_found": ratio(k, "actor.found", "actor.gold"),
            "actors_exact": ratio(k, "actors.exact", "actors.gold"),
            "actor_text": ratio(k, "actor_text.found", "actor_text.gold"),
            "measures": k["measures.gold"],
        }
        for t in ("Agency", "System", "Law", "Plan", "Program", "GenericActor"):
            out[t] = {"recall": ratio(k, f"{t}.found", f"{t}.gold"), "precision": ratio(k, f"{t}.right", f"{t}.got"),
                      "gold": k[f"{t}.gold"]}
        return out

    res = {"half": args.half, "documents": len(docs), "all": figures(c),
           **{f"set_{s}": figures(k) for s, k in sorted(by_set.items())}}
    (ROOT / "bench" / "results" / f"mini-{args.half}.json").write_text(
        json.dumps(res, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(res, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
