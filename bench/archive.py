"""An archive-sized folder ingest: memory and throughput at 2,000 documents (issue 15).

1. Builds a folder of ``--docs`` documents (default 2,000) from the sample corpus and the
   public documents of tests/data/public: each cut at blank lines into pieces of about
   ``--chars`` characters (default 1,200) under its own title, and repeated as variants
   with other dates (the era years shifted) and another document number, so that every
   file is a different document.
2. Ingests the first 20 of them into a fresh data directory, then all of them into
   another, each in a child process (`policygraph ingest` as a user runs it, off a
   terminal), sampling the memory of the child and its GiNZA worker processes twice a
   second: their summed RSS (which counts the pages the forked workers share with the
   parent twice), their summed PSS (what they really hold) and the child's own RSS.
3. Reports characters/s of each run net of the fixed costs (start-up and loading the
   models, measured by a third run of one document: (characters − its characters) /
   (wall time − its wall time)), the large run's rate over its last tenth, peak RSS, and
   the progress lines' spacing (the longest silence).

Writes bench/results/archive.json.  Run:
  .venv/bin/python bench/archive.py [--docs 2000] [--chars 1200] [--folder DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SOURCES = [ROOT / "tests" / "data" / "corpus", ROOT / "tests" / "data" / "public"]
_ERA_YEAR = re.compile(r"(令和|平成)([0-9０-９]+)年")
_LINE = re.compile(r"ingest (\d+)/(\d+) documents, ([\d,]+) characters read")


def pieces(text: str, target: int) -> list[str]:
    """``text`` cut at blank lines into pieces of about ``target`` characters."""
    out, cur = [], ""
    for block in re.split(r"\n\s*\n", text):
        if cur and len(cur) + len(block) > target:
            out.append(cur)
            cur = ""
        cur = f"{cur}\n\n{block}" if cur else block
    if cur.strip():
        out.append(cur)
    return [p for p in out if len(p.strip()) >= 200]


def variant(text: str, v: int) -> str:
    """The same text with every era year moved on by ``v`` (mod 30) years."""
    def shift(m: re.Match[str]) -> str:
        year = int(m.group(2).translate(str.maketrans("０１２３４５６７８９", "0123456789")))
        return f"{m.group(1)}{(year - 1 + v) % 30 + 1}年"

    return _ERA_YEAR.sub(shift, text)


def build_folder(out: Path, docs: int, chars: int) -> list[Path]:
    from policygraph.ingest.readers import read_file
    from policygraph.service.writes import expand

    base: list[tuple[str, str]] = []
    for f in expand(SOURCES):
        d = read_file(f)
        title = d.text.strip().splitlines()[0][:60]
        base.extend((title, p) for p in pieces(d.text, chars))
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(docs):
        v, k = divmod(i, len(base))
        title, body = base[k]
        path = out / f"doc{i:05d}.txt"
        path.write_text(f"{title}（第{1000 + i}号）\n\n{variant(body, v)}\n", encoding="utf-8")
        files.append(path)
    return files


def _tree_memory(pid: int) -> tuple[int, int, int]:
    """Memory of ``pid`` and all its descendants (from /proc): the sum of their resident
    sizes (the parse workers are forks, so the pages they share with the parent count
    twice), the sum of their proportional set sizes (shared pages split between the
    sharers: what the tree really holds) and the resident size of ``pid`` alone."""
    rss = pss = own = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            r = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) * 1024  # type: ignore[union-attr]
            rollup = Path(f"/proc/{p}/smaps_rollup").read_text()
            pss += int(re.search(r"^Pss:\s+(\d+) kB", rollup, re.M).group(1)) * 1024  # type: ignore[union-attr]
            rss += r
            own = r if p == pid else own
            for task in Path(f"/proc/{p}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, AttributeError):
            continue
    return rss, pss, own


def run(files: list[Path], data: Path) -> dict[str, Any]:
    """`policygraph ingest FILES… --data DATA` in a child process, measured."""
    listing = data.parent / f"{data.name}-files"
    listing.mkdir(parents=True, exist_ok=True)
    for f in files:  # the folder the user points at: links to the chosen files
        (listing / f.name).symlink_to(f)
    cmd = [str(ROOT / ".venv" / "bin" / "policygraph"), "ingest", str(listing), "--data", str(data)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    peak = [0, 0, 0]  # tree RSS, tree PSS, the ingest process's own RSS
    samples: list[tuple[float, int, int]] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            now = _tree_memory(proc.pid)
            for k in range(3):
                peak[k] = max(peak[k], now[k])
            samples.append((round(time.monotonic() - start, 1), now[1], now[2]))
            time.sleep(0.5)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    lines: list[tuple[float, int, int]] = []  # (seconds, documents, characters)
    assert proc.stderr is not None
    for line in proc.stderr:
        m = _LINE.search(line)
        if m:
            lines.append((time.monotonic() - start, int(m.group(1)), int(m.group(3).replace(",", ""))))
    proc.wait()
    done.set()
    t.join()
    if proc.returncode != 0 or not lines:
        raise SystemExit(f"ingest failed ({proc.returncode})")
    wall = time.monotonic() - start
    chars = sum(len(f.read_text(encoding="utf-8")) for f in files)
    gaps = [b[0] - a[0] for a, b in zip(lines, lines[1:], strict=False)]
    tenth = [x for x in lines if x[1] >= 0.9 * len(files)]
    last_rate = None
    if len(tenth) >= 2:
        last_rate = (tenth[-1][2] - tenth[0][2]) / max(tenth[-1][0] - tenth[0][0], 1e-6)
    return {
        "documents": len(files), "characters": chars, "wall_s": round(wall, 1),
        "first_progress_s": round(lines[0][0], 1),
        "chars_per_s": round(chars / wall, 1),
        "chars_per_s_last_tenth": round(last_rate, 1) if last_rate else None,
        "peak_rss_mb": round(peak[0] / 2**20), "peak_pss_mb": round(peak[1] / 2**20),
        "peak_own_rss_mb": round(peak[2] / 2**20), "progress_lines": len(lines),
        "longest_silence_s": round(max(gaps), 1) if gaps else None,
        # (seconds, tree PSS MB, the ingest process's RSS MB)
        "memory_mb_samples": [(s, round(p / 2**20), round(o / 2**20)) for s, p, o in samples[:: max(1, len(samples) // 60)]],
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--chars", type=int, default=1200)
    ap.add_argument("--small", type=int, default=20)
    ap.add_argument("--folder", type=Path)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "archive.json")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="pg-archive-") as tmp:
        work = Path(tmp)
        files = build_folder(args.folder or work / "folder", args.docs, args.chars)
        print(f"{len(files)} documents, {sum(f.stat().st_size for f in files) / 2**20:.1f} MB")
        one = run(files[:1], work / "one")
        print(f"1 document: {one['wall_s']} s (start-up and models)")
        small = run(files[: args.small], work / "small")
        large = run(files, work / "large")
        for r in (small, large):
            r["chars_per_s_net"] = round((r["characters"] - one["characters"]) / (r["wall_s"] - one["wall_s"]), 1)
            print(f"{r['documents']} documents: {r['wall_s']} s, {r['chars_per_s_net']} chars/s net, "
                  f"peak PSS {r['peak_pss_mb']} MB (RSS {r['peak_rss_mb']} MB; the ingest process alone "
                  f"{r['peak_own_rss_mb']} MB), longest silence {r['longest_silence_s']} s")
    result = {"docs": args.docs, "chars_per_doc": args.chars, "one": one, "small": small, "large": large,
              "large_vs_small": round(large["chars_per_s_net"] / small["chars_per_s_net"], 3)}
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")


if __name__ == "__main__":
    main()
