"""Ingest and search benchmark on the sample corpus (not a test).

Prints and writes bench/results/ingest_search.json:
* ingest wall time and characters/s for the corpus into a fresh data directory,
* the time GiNZA alone takes to parse the same passages (the ratio is our overhead),
  and the time the embedder alone takes for them,
* search latency p50/p95 over 200 queries from a warm process,
* and, as issue 15 defines its targets, the corpus ingested as a user runs it (``policygraph
  ingest`` in a fresh process, models loaded there) against GiNZA alone as a user runs it
  (``spacy.load("ja_ginza")``, every component, in a fresh process) on the same passages,
  in the same run.

Run: .venv/bin/python bench/ingest_search.py
"""

from __future__ import annotations

import json
import statistics
import subprocess
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


GINZA_ALONE = """
import sys, spacy
texts = [line.rstrip("\\n").replace("\\x1f", "\\n") for line in open(sys.argv[1], encoding="utf-8")]
nlp = spacy.load("ja_ginza")
for _ in nlp.pipe(texts, batch_size=32):
    pass
"""


def wall(cmd: list[str]) -> float:
    """Seconds a fresh process takes, start to exit (its output thrown away)."""
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def as_a_user_runs_it(files: list[Path], texts: list[str], chars: int, tmp: Path) -> dict[str, float]:
    """Issue 15's measure: ``policygraph ingest`` of the corpus in a fresh process (model
    loading included) against GiNZA alone, also loaded in a fresh process, on the passages."""
    passages = tmp / "passages.txt"
    passages.write_text("".join(t.replace("\n", "\x1f") + "\n" for t in texts), encoding="utf-8")
    cli = [sys.executable, "-m", "policygraph.api.cli", "--data", str(tmp / "cli"), "ingest", *map(str, files)]
    ingest_s = wall(cli)
    ginza_s = wall([sys.executable, "-c", GINZA_ALONE, str(passages)])
    return {"cli_ingest_s": round(ingest_s, 1), "cli_chars_per_s": round(chars / ingest_s),
            "ginza_alone_loaded_s": round(ginza_s, 1), "cli_ratio": round(ingest_s / ginza_s, 2)}


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
        user = as_a_user_runs_it(files, texts, chars, Path(tmp))
    lat.sort()
    res = {
        "documents": len(files), "characters": chars, "ingest_s": round(ingest_s, 1),
        "ingest_chars_per_s": round(chars / ingest_s), "ginza_only_s": round(ginza_s, 1),
        "overhead_ratio": round(ingest_s / ginza_s, 2), "embed_only_s": round(embed_s, 1),
        "passages": len(texts),
        "search_p50_ms": round(statistics.median(lat), 1), "search_p95_ms": round(lat[int(len(lat) * 0.95)], 1),
        "as_a_user_runs_it": user,
    }
    out = ROOT / "bench" / "results" / "ingest_search.json"
    out.write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(res, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
