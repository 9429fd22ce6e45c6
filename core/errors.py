"""Typed errors per area.  api/errors.py maps them to RFC 9457 problem+json once."""

from __future__ import annotations


class PolicygraphError(Exception):
    """Base of every error policygraph raises on purpose."""

    status = 500
    title = "Internal error"

    def __init__(self, detail: str, *, source: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.source = source

    def __str__(self) -> str:
        return f"{self.source}: {self.detail}" if self.source else self.detail


class BadInput(PolicygraphError):
    """The caller gave something we cannot accept (CLI exit 2, HTTP 4xx)."""

    status = 400
    title = "Bad input"


class IngestError(BadInput):
    title = "Cannot ingest file"
    status = 422


class UnsupportedFormat(IngestError):
    title = "Unsupported format"
    status = 415


class DecodeError(IngestError):
    title = "Cannot decode file"


class EmptyDocument(IngestError):
    title = "Empty document"


class TooLarge(IngestError):
    title = "File too large"
    status = 413


class NonConformingGraph(IngestError):
    """What ingest extracted from a file does not conform to the SHACL shapes: nothing
    of the batch is written."""

    title = "Extraction does not conform to the shapes"


class NotFound(BadInput):
    status = 404
    title = "Not found"

    def __init__(self, detail: str, *, suggestions: list[str] | None = None) -> None:
        super().__init__(detail)
        self.suggestions = suggestions or []


class QueryError(BadInput):
    title = "Bad SPARQL query"


class QueryRefused(BadInput):
    status = 403
    title = "Query refused"


class Unauthorized(BadInput):
    status = 401
    title = "Unauthorized"


class WritesDisabled(BadInput):
    status = 403
    title = "Writes disabled"


class StoreLocked(PolicygraphError):
    """The data directory is held by another process (a running server)."""

    status = 503
    title = "Data directory in use"


class GraphStoreError(PolicygraphError):
    title = "Graph store error"


class VectorIndexError(PolicygraphError):
    title = "Vector index error"
