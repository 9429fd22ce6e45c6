"""What each GiNZA component costs, and what extraction loses without it (issue 15).

1. Times the tokenizer and each pipeline component on the passages of the documents
   (one process, components run one after the other over the same docs, 3 rounds).
2. For each set of components to leave out, analyses the same documents and compares
   everything extraction produces (entities, mentions, measures with actors and
   deadlines, citations) with the full pipeline's, document by document.

Writes bench/results/ginza_components.json.  Run:
  .venv/bin/python bench/ginza_components.py [FILES_OR_FOLDERS ...]
(default: the sample corpus, tests/data/public, tests/data/kinds and the blind set's tune
half — never its check half).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CANDIDATES: list[list[str]] = [["bunsetu_recognizer"], ["morphologizer"], ["ner", "bunsetu_recognizer"],
                               ["ner", "bunsetu_recognizer", "compound_splitter"]]


def default_files() -> list[Path]:
    blind = ROOT / "tests" / "data" / "blind"
    tune = json.loads((blind / "split.json").read_text(encoding="utf-8"))["tune"]
    return [ROOT / "tests" / "data" / "corpus", ROOT / "tests" / "data" / "public", ROOT / "tests" / "data" / "kinds",
            *(blind / "docs" / name for name in tune)]


def extraction_of(x: Any) -> str:
    """Everything extraction produced for one document, as canonical JSON."""
    return json.dumps({"entities": [asdict(e) for e in x.entities], "mentions": [asdict(m) for m in x.mentions],
                       "measures": [asdict(m) for m in x.measures]}, ensure_ascii=False, sort_keys=True, default=str)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("paths", nargs="*", type=Path)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "ginza_components.json")
    args = ap.parse_args()
    from policygraph.ingest.pipeline import analyse, layout, load_analyzer
    from policygraph.ingest.readers import read_file
    from policygraph.service.writes import expand

    docs = [read_file(f) for f in expand(args.paths or default_files())]
    texts = [lay.norm(p.start, p.end) for lay in map(layout, docs) for p in lay.passages]
    chars = sum(map(len, texts))
    print(f"{len(docs)} documents, {len(texts)} passages, {chars:,} characters")

    full = load_analyzer(processes=1, exclude=())
    nlp = full.nlp
    cost: dict[str, float] = {"tokenizer": 0.0, **dict.fromkeys(nlp.pipe_names, 0.0)}
    for _ in range(args.rounds):
        t = time.perf_counter()
        parsed = [nlp.make_doc(x) for x in texts]
        cost["tokenizer"] += time.perf_counter() - t
        for name, proc in nlp.pipeline:
            t = time.perf_counter()
            parsed = list(proc.pipe(parsed, batch_size=32)) if hasattr(proc, "pipe") else [proc(d) for d in parsed]
            cost[name] += time.perf_counter() - t
    total = sum(cost.values())
    shares = {k: {"s_per_round": round(v / args.rounds, 2), "share": round(v / total, 3)} for k, v in cost.items()}
    for k, v in shares.items():
        print(f"{k:<20}{v['s_per_round']:>8.2f} s {v['share']:>7.1%}")

    base = {x.doc.id: extraction_of(x) for x in analyse(docs, full)}
    outcomes = []
    for exclude in CANDIDATES:
        an = load_analyzer(processes=1, exclude=exclude)
        t = time.perf_counter()
        got = {x.doc.id: (extraction_of(x), x) for x in analyse(docs, an)}
        elapsed = time.perf_counter() - t
        differ = sorted(d for d in base if got[d][0] != base[d])
        outcomes.append({"exclude": exclude, "analyse_s": round(elapsed, 1), "documents_that_differ": differ,
                         "identical": not differ})
        print(f"without {'+'.join(exclude):<45} analyse {elapsed:6.1f} s  "
              f"{'identical' if not differ else f'{len(differ)} documents differ: ' + ', '.join(differ)}")
    t = time.perf_counter()
    analyse(docs, full)
    full_s = time.perf_counter() - t
    print(f"full pipeline                                         analyse {full_s:6.1f} s")
    args.out.write_text(json.dumps({
        "documents": len(docs), "passages": len(texts), "characters": chars, "rounds": args.rounds,
        "components": shares, "full_analyse_s": round(full_s, 1), "without": outcomes,
    }, ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    main()
