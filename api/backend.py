"""What the CLI asks of a data directory, whoever holds it: the in-process service
(:class:`api.local.LocalService`) or a running server over HTTP
(:class:`api.remote.RemoteService`).  Both implement this one protocol (mypy checks it),
so every command, suggestions for a mistyped name included, behaves the same either way."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol


class Reads(Protocol):
    """The reads other programs get (the MCP tools): the service itself has them too."""

    def search(self, q: str, *, limit: int = 10, offset: int = 0, doc: str | None = None,
               agency: str | None = None, system: str | None = None, date_from: str | None = None,
               date_to: str | None = None) -> dict[str, Any]: ...

    def entity_by_name(self, name: str) -> dict[str, Any]: ...

    def measures(self, date_from: str | None, date_to: str | None, agency: str | None,
                 doc: str | None) -> dict[str, Any]: ...

    def documents(self) -> dict[str, Any]: ...

    def document(self, doc_id: str) -> dict[str, Any]: ...

    def sparql(self, query: str, accept: str) -> tuple[str, bytes]: ...


class Backend(Reads, Protocol):
    def ingest_paths(self, paths: list[Path]) -> list[dict[str, Any]]: ...

    def check(self, repair: bool = True) -> dict[str, Any]: ...

    def export(self, fmt: str) -> bytes: ...

    def reindex(self) -> dict[str, Any]: ...

    def delete_document(self, doc_id: str) -> dict[str, Any]: ...

    def backup(self, dest: Path) -> dict[str, Any]: ...

    def close(self) -> None: ...
