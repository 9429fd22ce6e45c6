"""After each batch of new documents the catalog is extended by their rows alone, not read
again from the whole store (issue 15), and ends up as a whole reading would have it."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CORPUS = Path(__file__).resolve().parent / "data" / "corpus"


def _as_read(cat: object) -> dict[str, object]:
    c = cat  # a Catalog
    return {"documents": c.documents, "entities": c.entities, "by_key": c.by_key,  # type: ignore[attr-defined]
            "parents": c.parents,  # type: ignore[attr-defined]
            "names": {k: sorted(set(v)) for k, v in c.names.items()}}  # type: ignore[attr-defined]


def test_batches_extend_the_catalog_as_a_whole_reading_would(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              service) -> None:
    from policygraph.core.settings import Settings
    from policygraph.service.catalog import Catalog
    from policygraph.service.service import Service

    svc = Service(Settings(data=tmp_path / "data", ingest_batch_docs=2))
    svc._models["analyzer"] = service.analyzer  # the session's GiNZA, loaded once
    whole_reads = []
    real_load = Catalog.load.__func__  # type: ignore[attr-defined]

    def counted(cls: type[Catalog], store: object, iris: object) -> Catalog:
        whole_reads.append(1)
        return real_load(cls, store, iris)

    try:
        monkeypatch.setattr(Catalog, "load", classmethod(counted))
        results = svc.ingest_paths([CORPUS])  # five documents in batches of 2, 2 and 1
        assert [r["status"] for r in results] == ["added"] * 5
        assert whole_reads == []  # every batch only added documents
        monkeypatch.setattr(Catalog, "load", classmethod(real_load))
        assert _as_read(svc.catalog) == _as_read(Catalog.load(svc.graph, svc.iris))
        assert len(svc.catalog.documents) == 5 and len(svc.catalog.entities) > 50
        # a replaced document may drop names: the store is read again, and agrees
        changed = tmp_path / "changed"
        changed.mkdir()
        first = sorted(CORPUS.iterdir())[0]
        (changed / first.name).write_text(first.read_text(encoding="utf-8")[:3000], encoding="utf-8")
        monkeypatch.setattr(Catalog, "load", classmethod(counted))
        assert [r["status"] for r in svc.ingest_paths([changed / first.name])] == ["replaced"]
        assert whole_reads == [1]
        monkeypatch.setattr(Catalog, "load", classmethod(real_load))
        assert _as_read(svc.catalog) == _as_read(Catalog.load(svc.graph, svc.iris))
        # and lookups answer from it
        assert svc.catalog.lookup("警察庁")
    finally:
        svc.close()


def test_a_batch_that_fails_half_way_is_caught_up_by_the_next(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               service) -> None:
    """A batch that fails after writing a document leaves that document in the stores but
    not in the catalog; the next batch's refresh reads the whole store, so it is found."""
    from policygraph.core.settings import Settings
    from policygraph.service.catalog import Catalog
    from policygraph.service.service import Service
    from policygraph.service.writes import WritePipeline

    files = sorted(CORPUS.iterdir())
    svc = Service(Settings(data=tmp_path / "data", ingest_batch_docs=2))
    svc._models["analyzer"] = service.analyzer
    real = WritePipeline._write_version

    def failing(self: WritePipeline, p: object, dim: int) -> set[str]:  # fault injection
        if p.doc.source == files[3].name:  # type: ignore[attr-defined]
            raise RuntimeError("injected write failure")
        return real(self, p, dim)  # type: ignore[arg-type]

    try:
        svc.ingest_paths(files[:2])
        monkeypatch.setattr(WritePipeline, "_write_version", failing)
        with pytest.raises(RuntimeError, match="injected"):
            svc.ingest_paths(files[2:4])
        monkeypatch.setattr(WritePipeline, "_write_version", real)
        assert files[2].name not in {d["source"] for d in svc.catalog.documents.values()}  # written, unpublished
        svc.ingest_paths(files[4:5])
        sources = {d["source"] for d in svc.catalog.documents.values()}
        assert {files[i].name for i in (0, 1, 2, 4)} <= sources and files[3].name not in sources
        assert _as_read(svc.catalog) == _as_read(Catalog.load(svc.graph, svc.iris))
    finally:
        svc.close()
