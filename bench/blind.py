"""The blind evaluation set (tests/data/blind/): extraction and retrieval on public
documents nobody tuned for, per half.

The documents were gathered, annotated (one gold file per document, following
../shared/docs/annotation.md) and given queries by helpers who saw only the documents;
``split.json`` fixed the tune and check halves before anything was scored.  The check half
is scored at most once per stop and its misses are never written: for it this script
prints and stores the figures only.  The tune half's misses are written, to study.

Run: .venv/bin/python bench/blind.py --half tune|check [--data DIR]
(an empty data directory is filled first with the sample corpus and the blind documents)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
BLIND = ROOT / "tests" / "data" / "blind"

from extraction import evaluate  # noqa: E402
from retrieval import score  # noqa: E402


def gold_of(half: str, only: list[str] | None = None) -> dict[str, Any]:
    """The gold files of one half as one gold document (entity and measure ids made unique
    per file; an entity is one per file, as each file was annotated on its own);
    ``only``: just these documents of it."""
    split = json.loads((BLIND / "split.json").read_text(encoding="utf-8"))
    merged: dict[str, Any] = {"documents_covered": [], "documents": [], "entities": [], "measures": []}
    for doc in split[half]:
        if only is not None and doc not in only:
            continue
        g = json.loads((BLIND / "gold" / f"{Path(doc).stem}.json").read_text(encoding="utf-8"))
        prefix = Path(doc).stem[:12] + ":"
        merged["documents_covered"].append(doc)
        merged["documents"].extend(g.get("documents", []))
        for e in g["entities"]:
            merged["entities"].append({**e, "id": prefix + e["id"]})
        for m in g["measures"]:
            merged["measures"].append({**m, "id": prefix + m["id"],
                                       "actors": [prefix + a for a in m.get("actors", [])]})
    return merged


# earlier states of the set, scored in the same run so that a stop's figures compare with
# the last stops' on the same documents: how many documents each half had (split.json's
# order) and how many queries the file had (new ones are appended); older stops' figures
# are in docs/benchmarks.md
EARLIER = {"stop37": ({"tune": 19, "check": 21}, 399), "stop38": ({"tune": 20, "check": 22}, 421)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--half", choices=["tune", "check"], required=True)
    ap.add_argument("--data", default="/tmp/pg-blind")
    args = ap.parse_args()
    from policygraph.core.settings import Settings
    from policygraph.service.service import Service

    svc = Service(Settings(data=Path(args.data)))
    if not svc.versions():
        svc.ingest_paths([ROOT / "tests" / "data" / "corpus", BLIND / "docs"])
    gold = gold_of(args.half)
    ext = evaluate(svc, gold)
    split = json.loads((BLIND / "split.json").read_text(encoding="utf-8"))
    every = json.loads((BLIND / "queries" / "blind-queries.json").read_text(encoding="utf-8"))["queries"]
    queries = [q for q in every if q["half"] == args.half]
    retrieval = {"all": score(svc, queries, {"mode": "hybrid", "graph": True})}
    for kind in sorted({q["kind"] for q in queries if q["expect"]}):
        retrieval[kind] = score(svc, [q for q in queries if q["kind"] == kind], {"mode": "hybrid", "graph": True})
    ext_earlier = {}
    for stop, (n_docs, n_queries) in EARLIER.items():
        earlier = split[args.half][: n_docs[args.half]]
        if len(earlier) < len(split[args.half]):
            ext_earlier[stop] = evaluate(svc, gold_of(args.half, earlier))
        queries_earlier = [q for q in every[:n_queries] if q["half"] == args.half]
        if len(queries_earlier) < len(queries):
            retrieval[f"queries_of_{stop}"] = score(svc, queries_earlier, {"mode": "hybrid", "graph": True})
    svc.close()
    figures = {k: v for k, v in ext.items() if not isinstance(v, (list, dict)) or k == "entity_types"}
    for stop, e in ext_earlier.items():
        figures[f"documents_of_{stop}"] = {k: v for k, v in e.items() if not isinstance(v, (list, dict)) or k == "entity_types"}
    out: dict[str, Any] = {"half": args.half, "documents": gold["documents_covered"],
                           "extraction": figures, "retrieval": retrieval}
    if args.half == "tune":  # misses only for the half that may be studied
        out["tune_misses"] = {k: v for k, v in ext.items() if k not in figures}
    print(json.dumps({"extraction": figures, "retrieval": retrieval}, ensure_ascii=False, indent=1))
    (ROOT / "bench" / "results" / f"blind-{args.half}.json").write_text(
        json.dumps(out, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
