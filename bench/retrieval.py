"""Retrieval quality on a dev query set (default ../shared/eval/dev-queries.json).

For each method — dense only, sparse only, hybrid (RRF in Qdrant), hybrid + graph —
prints recall@5, recall@10, MRR@10 and the share of queries flagged no_good_match, and
writes bench/results/retrieval.json.  Matching rule of the dev set: a hit answers an
expected item when hit.document.source == doc and the snippet is a substring of the
hit text, both NFKC-normalised with all whitespace removed.

Run: .venv/bin/python bench/retrieval.py [--data DIR] [--ingest PATH ...] [--out FILE] [QUERIES.json ...]

An empty data directory is filled first with --ingest's files or folders (default: the
sample corpus). The held-out set over other kinds of documents:

  .venv/bin/python bench/retrieval.py --data /tmp/pg-heldout --out bench/results/retrieval-heldout.json \
      --ingest tests/data/corpus tests/data/public/[bd]*.md tests/data/public/*.xml -- tests/data/heldout-queries.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from extraction import norm  # noqa: E402  (the scorer's one matching rule)

METHODS = {
    "dense": {"mode": "dense", "graph": False},
    "sparse": {"mode": "sparse", "graph": False},
    "hybrid": {"mode": "hybrid", "graph": False},
    "hybrid+graph": {"mode": "hybrid", "graph": True},
}


def score(svc: Any, queries: list[dict[str, Any]], method: dict[str, Any]) -> dict[str, float]:
    r5 = r10 = mrr = 0.0
    pos = [q for q in queries if q.get("expect")]
    neg = [q for q in queries if not q.get("expect")]
    flagged_pos = flagged_neg = flagged_right = 0
    for q in queries:
        res = svc.search(q["text"], limit=10, **method)
        hits = res["hits"]
        if not q.get("expect"):
            flagged_neg += res["no_good_match"]
            continue
        flagged_pos += res["no_good_match"]
        exp = [(e["doc"], norm(e["snippet"])) for e in q["expect"]]
        found5, found10, first = set(), set(), None
        for rank, h in enumerate(hits, 1):
            t = norm(h["text"])
            for i, (doc, snip) in enumerate(exp):
                if h["document"]["source"] == doc and snip in t:
                    found10.add(i)
                    if rank <= 5:
                        found5.add(i)
                    first = first or rank
        flagged_right += bool(res["no_good_match"] and first and first <= 3)
        r5 += len(found5) / len(exp)
        r10 += len(found10) / len(exp)
        mrr += 1.0 / first if first else 0.0
    n = max(len(pos), 1)
    return {
        "recall@5": round(r5 / n, 3), "recall@10": round(r10 / n, 3), "mrr@10": round(mrr / n, 3),
        "positives_flagged": flagged_pos, "negatives_flagged": f"{flagged_neg}/{len(neg)}",
        # 該当なし over a right answer in the top 3: must be 0
        "flagged_with_right_in_top3": flagged_right,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(ROOT / "data"))
    ap.add_argument("--ingest", nargs="+", type=Path, default=[ROOT / "tests" / "data" / "corpus"],
                    help="what an empty data directory is filled with first")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "retrieval.json")
    ap.add_argument("files", nargs="*", default=[str(ROOT.parent / "shared" / "eval" / "dev-queries.json")])
    args = ap.parse_args()
    from policygraph.core.settings import Settings
    from policygraph.service.service import Service

    svc = Service(Settings(data=Path(args.data)))
    if not svc.versions():
        svc.ingest_paths(args.ingest)
    queries: list[dict[str, Any]] = []
    for f in args.files:
        queries.extend(json.loads(Path(f).read_text(encoding="utf-8"))["queries"])
    table = {name: score(svc, queries, m) for name, m in METHODS.items()}
    docs = sorted(svc.versions())
    svc.close()
    print(f"{len(queries)} queries")
    print(f"{'method':<14}{'R@5':>7}{'R@10':>7}{'MRR@10':>8}  pos flagged  neg flagged")
    for name, r in table.items():
        print(f"{name:<14}{r['recall@5']:>7}{r['recall@10']:>7}{r['mrr@10']:>8}  {r['positives_flagged']:>11}  {r['negatives_flagged']:>11}")
    out = args.out
    out.write_text(json.dumps({"queries": len(queries), "files": [Path(f).name for f in args.files],
                               "documents": docs, "methods": table}, ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    main()
