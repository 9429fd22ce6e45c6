"""What one batch costs as the store grows (issue 15): the same 16 new documents ingested,
in one warmed-up process each, into a copy of a large store (an archive ingest's data
directory, e.g. bench/archive.py's 2,000 documents) and into a store of 20 documents;
and what reloading the catalog (after every batch) costs in each.

Run: .venv/bin/python bench/batch_growth.py --big DATA_DIR --folder ARCHIVE_FOLDER
Writes bench/results/batch-growth.json.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILD = """
import json, sys, time
from pathlib import Path
from policygraph.core.settings import Settings
from policygraph.service.catalog import Catalog
from policygraph.service.service import Service
data, warm, batch = (Path(a) for a in sys.argv[1:4])
svc = Service(Settings(data=data))
svc.ingest_paths([warm])  # models loaded, first write done
t = time.perf_counter()
svc.ingest_paths([batch])
wall = time.perf_counter() - t
loads = []
for _ in range(3):
    t = time.perf_counter()
    Catalog.load(svc.graph, svc.iris)
    loads.append(time.perf_counter() - t)
print(json.dumps({"documents": len(svc.catalog.documents), "batch_s": round(wall, 2),
                  "catalog_load_s": round(min(loads), 3)}))
"""


def _variants(files: list[Path], out: Path, tag: str) -> Path:
    """New documents: the files with a line of their own added (new names, new text)."""
    out.mkdir(parents=True)
    for i, f in enumerate(files):
        (out / f"{tag}{i:03d}.txt").write_text(f.read_text(encoding="utf-8") + f"\n\n追記 {tag} 第{i}号。\n",
                                              encoding="utf-8")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--big", type=Path, required=True, help="a large store's data directory (copied, not changed)")
    ap.add_argument("--folder", type=Path, required=True, help="the archive folder its documents came from")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "batch-growth.json")
    args = ap.parse_args()
    files = sorted(args.folder.glob("*.txt"))
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        batch = _variants(files[:: max(1, len(files) // args.batch)][: args.batch], work / "batch", "new")
        warm = _variants(files[5:6], work / "warm", "warm")
        small_docs = work / "small"
        small_docs.mkdir()
        for f in files[:20]:
            shutil.copy(f, small_docs)
        subprocess.run([sys.executable, "-m", "policygraph.api.cli", "ingest", str(small_docs),
                        "--data", str(work / "small-data")], check=True, capture_output=True)
        shutil.copytree(args.big, work / "big-data")
        runs = {}
        for name in ("small-data", "big-data"):
            out = subprocess.run([sys.executable, "-c", CHILD, str(work / name), str(warm), str(batch)],
                                 check=True, capture_output=True, text=True)
            runs[name.removesuffix("-data")] = json.loads(out.stdout.strip().splitlines()[-1])
    result = {"batch_documents": args.batch, **runs,
              "big_over_small": round(runs["big"]["batch_s"] / runs["small"]["batch_s"], 3)}
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
