"""Ingest and search benchmark on the sample corpus (not a test).

Prints and writes bench/results/ingest_search.json:
* ingest wall time and characters/s for the corpus into a fresh data directory,
* the time GiNZA alone takes to parse the same passages (the ratio is our overhead),
  and the time the embedder alone takes for them,
* search latency p50/p95 over 200 queries from a warm process.

Run: .venv/bin/python bench/ingest_search.py
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from policygraph.core.settings import Settings  # noqa: E402
from policygraph.ingest.pipeline import layout  # noqa: E402
from policygraph.ingest.readers import read_file  # noqa: E402
from policygraph.service.service import Service  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "corpus"
QUERIES = [
    "SNSで犯罪の実行役を集める投稿への対策", "警察共通基盤", "令和8年度中に結論", "税関の検査", "マイナンバーカード",
    "警察学校の集約", "ドローンの運用", "運転免許の行政処分", "特殊詐欺の被害防止", "サイバー事案への対処",
]


def main() -> None:
    files = sorted(CORPUS.glob("*.txt"))
    chars = sum(len(read_file(f).text) for f in files)
    with tempfile.TemporaryDirectory() as tmp:
        svc = Service(Settings(data=Path(tmp)))
        an = svc.analyzer
        _ = svc.embedder
        t0 = time.perf_counter()
        svc.ingest_paths(files)
        ingest_s = time.perf_counter() - t0
        texts = [lay.norm(p.start, p.end) for f in files for lay in [layout(read_file(f))] for p in lay.passages]
        t0 = time.perf_counter()
        list(an.nlp.pipe(texts, n_process=an.processes, batch_size=an.batch_size))
        ginza_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        svc.embedder.embed_passages(texts)
        embed_s = time.perf_counter() - t0
        svc.search(QUERIES[0])
        lat = []
        for i in range(200):
            t0 = time.perf_counter()
            svc.search(QUERIES[i % len(QUERIES)] + ("" if i < 10 else f" {i}"))
            lat.append((time.perf_counter() - t0) * 1000)
        svc.close()
    lat.sort()
    res = {
        "documents": len(files), "characters": chars, "ingest_s": round(ingest_s, 1),
        "ingest_chars_per_s": round(chars / ingest_s), "ginza_only_s": round(ginza_s, 1),
        "overhead_ratio": round(ingest_s / ginza_s, 2), "embed_only_s": round(embed_s, 1),
        "passages": len(texts),
        "search_p50_ms": round(statistics.median(lat), 1), "search_p95_ms": round(lat[int(len(lat) * 0.95)], 1),
    }
    out = ROOT / "bench" / "results" / "ingest_search.json"
    out.write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(res, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
