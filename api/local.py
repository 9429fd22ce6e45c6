"""The CLI's in-process backend: a Service on the data directory, with a progress bar."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from policygraph.core.settings import Settings
from policygraph.service.service import Service


class LocalService:
    def __init__(self, settings: Settings, repair: bool = False) -> None:
        self.svc = Service(settings, repair=repair)

    def ingest_paths(self, paths: list[Path]) -> list[dict[str, Any]]:
        from policygraph.api.progress import IngestProgress

        progress = IngestProgress()
        try:
            return self.svc.ingest_paths(paths, progress)
        finally:
            progress.close()

    def search(self, q: str, *, limit: int = 10, offset: int = 0, doc: str | None = None,
               agency: str | None = None, system: str | None = None, date_from: str | None = None,
               date_to: str | None = None) -> dict[str, Any]:
        return self.svc.search(q, limit=limit, offset=offset, doc=doc, agency=agency, system=system,
                               date_from=date_from, date_to=date_to)

    def entity_by_name(self, name: str) -> dict[str, Any]:
        return self.svc.entity_by_name(name)

    def measures(self, date_from: str | None, date_to: str | None, agency: str | None,
                 doc: str | None) -> dict[str, Any]:
        return self.svc.measures(date_from, date_to, agency, doc)

    def documents(self) -> dict[str, Any]:
        return self.svc.documents()

    def document(self, doc_id: str) -> dict[str, Any]:
        return self.svc.document(doc_id)

    def sparql(self, query: str, accept: str) -> tuple[str, bytes]:
        return self.svc.sparql(query, accept)

    def check(self, repair: bool = True) -> dict[str, Any]:
        return self.svc.check(repair=repair)

    def reindex(self) -> dict[str, Any]:
        return self.svc.reindex()

    def delete_document(self, doc_id: str) -> dict[str, Any]:
        return self.svc.delete_document(doc_id)

    def export(self, fmt: str) -> bytes:
        return bytes(self.svc.graph.dump(fmt))

    def backup(self, dest: Path) -> dict[str, Any]:
        from policygraph.service.backup import backup

        return backup(self.svc, dest)

    def close(self) -> None:
        self.svc.close()
