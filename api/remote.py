"""The CLI's backend when `policygraph serve` holds the data directory: HTTP to it.

``DATA/server.json`` (written by ``serve``, mode 0600) names the server's address, pid,
per-run token and the data directory it holds.  :func:`read_server_file` accepts it only
if that directory is ``DATA`` itself and the pid is alive: a file copied from another
data directory, or left by a server that is gone, must not send commands (with a
token) to whatever answers at its address.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from policygraph.core.errors import BadInput, NotFound, PolicygraphError

SERVER_FILE = "server.json"


def read_server_file(data: Path) -> tuple[dict[str, Any] | None, str | None]:
    """``DATA/server.json`` if it is this directory's server's; else ``None`` and, when
    there is a file, why it was ignored."""
    path = Path(data) / SERVER_FILE
    try:
        info = json.loads(path.read_text())
    except FileNotFoundError:
        return None, None
    except (OSError, ValueError) as e:
        return None, f"ignoring {path}: unreadable ({e})"
    if not isinstance(info, dict) or not isinstance(info.get("url"), str):
        return None, f"ignoring {path}: not a server file"
    recorded = info.get("data")
    if not isinstance(recorded, str) or not _same_dir(recorded, Path(data)):
        return None, (f"ignoring {path}: it was written by the server of another data directory "
                      f"({recorded or 'none recorded'})")
    pid = info.get("pid")
    if not _alive(pid):
        return None, f"ignoring {path}: its server (pid {pid}) is not running"
    return info, None


def _same_dir(recorded: str, data: Path) -> bool:
    try:
        return os.path.samefile(recorded, data)
    except (OSError, ValueError):
        return False


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:  # 0 and -1 would mean a group
        return False
    try:
        os.kill(pid, 0)
    except PermissionError:
        return True  # another user's process
    except (OSError, OverflowError):
        return False
    return True


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

    def search(self, q: str, *, limit: int = 10, doc: str | None = None, agency: str | None = None,
               system: str | None = None, date_from: str | None = None, date_to: str | None = None) -> Any:
        return self._get("/api/search", q=q, limit=limit, doc=doc, agency=agency, system=system,
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
        return self._get(f"/api/entities/{quote(found['entities'][0]['id'], safe='')}")

    def measures(self, date_from: str | None, date_to: str | None, agency: str | None, doc: str | None) -> Any:
        return self._get("/api/measures", agency=agency, doc=doc, **{"from": date_from, "to": date_to})

    def documents(self) -> Any:
        return self._get("/api/documents")

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
