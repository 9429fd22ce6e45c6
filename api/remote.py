"""The CLI's backend when `policygraph serve` holds the data directory: HTTP to it (the
server is found by :func:`policygraph.service.server_file.read_server_file`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from policygraph.core.errors import BadInput, NotFound, PolicygraphError


class RemoteService:
    def __init__(self, url: str, token: str | None) -> None:
        self.url = url.rstrip("/")
        self.client = httpx.Client(base_url=self.url, timeout=600.0,
                                   headers={"Authorization": f"Bearer {token}"} if token else {})

    def alive(self) -> bool:
        try:
            return self.client.get("/healthz", timeout=2.0).status_code == 200
        except httpx.HTTPError:
            return False

    def _get(self, path: str, **params: Any) -> Any:
        r = self.client.get(path, params={k: v for k, v in params.items() if v is not None})
        return _check(r).json()

    def search(self, q: str, *, limit: int = 10, offset: int = 0, doc: str | None = None,
               agency: str | None = None, system: str | None = None, date_from: str | None = None,
               date_to: str | None = None) -> Any:
        return self._get("/api/search", q=q, limit=limit, offset=offset, doc=doc, agency=agency, system=system,
                         **{"from": date_from, "to": date_to})

    def entity_by_name(self, name: str) -> Any:
        found = self._get("/api/entities", q=name, limit=1)
        if not found["entities"]:
            # the entity route's 404 carries the server's suggestions for the name
            try:
                self._get(f"/api/entities/{quote(name, safe='')}")
            except NotFound as e:
                raise NotFound(f"no entity named {name!r}", suggestions=e.suggestions) from None
            raise NotFound(f"no entity named {name!r}")
        ent = found["entities"][0]
        from policygraph.ingest.normalise import compact

        exact = name == ent["id"] or compact(name) in {compact(n) for n in (ent["label"], *ent["aliases"])}
        return {**self._get(f"/api/entities/{quote(ent['id'], safe='')}"), "resolved": {"query": name, "exact": exact}}

    def measures(self, date_from: str | None, date_to: str | None, agency: str | None, doc: str | None) -> Any:
        return self._get("/api/measures", agency=agency, doc=doc, **{"from": date_from, "to": date_to})

    def documents(self) -> Any:
        return self._get("/api/documents")

    def document(self, doc_id: str) -> Any:
        return self._get(f"/api/documents/{quote(doc_id, safe='')}")

    def sparql(self, query: str, accept: str) -> tuple[str, bytes]:
        r = _check(self.client.post("/sparql", data={"query": query}, headers={"Accept": accept}))
        return r.headers.get("content-type", accept), r.content

    def ingest_paths(self, paths: list[Path]) -> list[dict[str, Any]]:
        r = self.client.post("/api/ingest-paths", data={"paths": [str(p.resolve()) for p in paths]})
        return list(_check(r).json()["results"])

    def check(self, repair: bool = True) -> Any:
        raise BadInput(f"stop the server at {self.url} first: check needs the data directory to itself"
                       f" (repair={repair})")

    def export(self, fmt: str) -> bytes:
        return _check(self.client.get("/export", params={"format": fmt})).content

    def reindex(self) -> Any:
        raise BadInput(f"stop the server at {self.url} first: reindex rebuilds the index it holds")

    def delete_document(self, doc_id: str) -> Any:
        return _check(self.client.delete(f"/api/documents/{quote(doc_id, safe='')}")).json()

    def backup(self, dest: Path) -> Any:
        """The server snapshots its own stores (it holds them) into ``dest`` on this machine."""
        return _check(self.client.post("/api/backup", data={"path": str(dest)})).json()

    def close(self) -> None:
        self.client.close()


def _check(r: httpx.Response) -> httpx.Response:
    if r.status_code < 400:
        return r
    try:
        body = r.json()
        detail = body.get("detail") or body.get("title")
    except ValueError:
        body, detail = {}, r.text[:300]
    if r.status_code == 404:
        raise NotFound(str(detail), suggestions=body.get("suggestions"))
    if r.status_code < 500:
        raise BadInput(str(detail))
    raise PolicygraphError(str(detail))
