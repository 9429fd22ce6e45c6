"""The graph store: embedded Oxigraph on disk by default, a SPARQL 1.1 server by setting.

Both keep one named graph per document, replaced whole in one SPARQL update
(``DROP SILENT GRAPH …; INSERT DATA {…}``), which Oxigraph and SPARQL servers apply
atomically: a reader sees the old version or the new one, never a mix.  Queries run
over the union of the named graphs.

The embedded store is RocksDB-backed and locks its folder: a second process that
opens it gets :class:`core.errors.StoreLocked` naming the folder (the CLI then talks
to the server that holds it).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from rdflib import Graph

from core.errors import GraphStoreError, QueryError, QueryRefused, StoreLocked

RESULT_FORMATS = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/n-quads": "nquads",
    "application/trig": "trig",
}
_UPDATE_WORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD")


def _ntriples(g: Graph) -> str:
    return g.serialize(format="nt")


def replace_update(graph_iri: str, g: Graph | None) -> str:
    """The single SPARQL update that swaps a document's graph."""
    drop = f"DROP SILENT GRAPH <{graph_iri}>"
    if g is None or len(g) == 0:
        return drop
    return f"{drop} ;\nINSERT DATA {{ GRAPH <{graph_iri}> {{\n{_ntriples(g)}\n}} }}"


class GraphStore(Protocol):
    def replace_document(self, graph_iri: str, g: Graph | None) -> None: ...
    def select(self, query: str) -> list[dict[str, Any]]: ...
    def ask(self, query: str) -> bool: ...
    def raw_query(self, query: str, accept: str) -> tuple[str, bytes]: ...
    def triple_count(self) -> int: ...
    def dump(self, fmt: str) -> bytes: ...
    def close(self) -> None: ...


def check_read_only(query: str) -> None:
    """Refuse SPARQL Update on read-only routes (the parser decides what the query is)."""
    import pyoxigraph as ox

    try:
        ox.Store().query(query)  # parse + run on an empty in-memory store: cheap
    except SyntaxError as e:
        try:
            ox.Store().update(query)
        except SyntaxError:
            raise QueryError(str(e)) from None
        raise QueryRefused("SPARQL Update is not allowed on this endpoint") from None
    except (ValueError, OSError) as e:
        raise QueryError(str(e)) from None


class OxigraphStore:
    """Embedded, on-disk Oxigraph (RocksDB)."""

    def __init__(self, path: Path | None) -> None:
        import pyoxigraph as ox

        self._ox = ox
        try:
            if path is None:
                self.store = ox.Store()
            else:
                path.mkdir(parents=True, exist_ok=True)
                self.store = ox.Store(str(path))
        except OSError as e:
            if "lock" in str(e).lower():
                raise StoreLocked(f"the graph store is in use by another process ({e})", source=str(path)) from e
            raise GraphStoreError(str(e), source=str(path)) from e
        self._write = threading.Lock()

    def rdflib_dataset(self) -> Any:
        """The same store through rdflib's API (oxrdflib)."""
        from oxrdflib import OxigraphStore as RdflibStore
        from rdflib import Dataset

        return Dataset(store=RdflibStore(store=self.store))

    def replace_document(self, graph_iri: str, g: Graph | None) -> None:
        with self._write:
            try:
                self.store.update(replace_update(graph_iri, g))
            except (SyntaxError, OSError, ValueError) as e:
                raise GraphStoreError(str(e), source=graph_iri) from e

    def _query(self, query: str) -> Any:
        try:
            return self.store.query(query, use_default_graph_as_union=True)
        except SyntaxError as e:
            raise QueryError(str(e)) from e
        except (OSError, ValueError, RuntimeError) as e:
            raise QueryError(str(e)) from e

    def select(self, query: str) -> list[dict[str, Any]]:
        res = self._query(query)
        names = [v.value for v in res.variables]
        out = []
        for sol in res:
            row: dict[str, Any] = {}
            for n in names:
                t = sol[n]
                row[n] = None if t is None else _py(t)
            out.append(row)
        return out

    def ask(self, query: str) -> bool:
        return bool(self._query(query))

    def raw_query(self, query: str, accept: str) -> tuple[str, bytes]:
        ox = self._ox
        res = self._query(query)
        if isinstance(res, ox.QueryTriples):
            mime = accept if accept in GRAPH_FORMATS and accept not in ("application/n-quads", "application/trig") else "text/turtle"
            if mime == "application/ld+json":
                g = Graph()
                g.parse(data=res.serialize(format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")
                return mime, g.serialize(format="json-ld").encode()
            fmt = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES}[mime]
            return mime, res.serialize(format=fmt)
        mime = accept if accept in RESULT_FORMATS else "application/sparql-results+json"
        fmt = {
            "json": ox.QueryResultsFormat.JSON,
            "xml": ox.QueryResultsFormat.XML,
            "csv": ox.QueryResultsFormat.CSV,
            "tsv": ox.QueryResultsFormat.TSV,
        }[RESULT_FORMATS[mime]]
        return mime, res.serialize(format=fmt)

    def triple_count(self) -> int:
        return len(self.store)

    def dump(self, fmt: str) -> bytes:
        ox = self._ox
        if fmt in ("nquads", "trig"):
            f = ox.RdfFormat.N_QUADS if fmt == "nquads" else ox.RdfFormat.TRIG
            return bytes(self.store.dump(format=f) or b"")
        g = Graph()
        data = self.store.dump(format=ox.RdfFormat.N_QUADS) or b""
        from rdflib import Dataset

        ds = Dataset()
        ds.parse(data=data.decode(), format="nquads")
        for s, p, o, _c in ds.quads((None, None, None, None)):
            g.add((s, p, o))
        return g.serialize(format="json-ld" if fmt == "jsonld" else fmt).encode()

    def flush(self) -> None:
        self.store.flush()

    def close(self) -> None:
        try:
            self.store.flush()
        finally:
            del self.store


def _py(term: Any) -> Any:
    """A pyoxigraph term as a plain Python value (IRIs and literals as str, numbers as int)."""
    import pyoxigraph as ox

    if isinstance(term, ox.Literal):
        dt = term.datatype.value if term.datatype else ""
        if dt.endswith("#integer") or dt.endswith("#int") or dt.endswith("#long"):
            return int(term.value)
        return term.value
    return term.value


class SparqlServerStore:
    """An external SPARQL 1.1 store (query + update endpoints, optional credentials).

    Queries are scoped to our named graphs by ``FROM``-free union semantics of the
    server where available; for servers whose default graph includes system graphs
    (Virtuoso) set ``graph_prefix`` so selects are rewritten with ``FROM`` clauses.
    """

    def __init__(self, query_url: str, update_url: str | None, user: str | None = None,
                 password: str | None = None, digest: bool = False, timeout: float = 30.0) -> None:
        import httpx

        auth: Any = None
        if user and password:
            auth = httpx.DigestAuth(user, password) if digest else httpx.BasicAuth(user, password)
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.client = httpx.Client(timeout=timeout, auth=auth)

    def replace_document(self, graph_iri: str, g: Graph | None) -> None:
        r = self.client.post(self.update_url, data={"update": replace_update(graph_iri, g)})
        if r.status_code >= 300:
            raise GraphStoreError(f"update failed: HTTP {r.status_code} {r.text[:300]}", source=self.update_url)

    def raw_query(self, query: str, accept: str) -> tuple[str, bytes]:
        r = self.client.post(self.query_url, data={"query": query}, headers={"Accept": accept})
        if r.status_code == 400:
            raise QueryError(r.text[:500])
        if r.status_code >= 300:
            raise GraphStoreError(f"query failed: HTTP {r.status_code} {r.text[:300]}", source=self.query_url)
        return r.headers.get("content-type", accept).split(";")[0], r.content

    def _json(self, query: str) -> Any:
        _, body = self.raw_query(query, "application/sparql-results+json")
        return json.loads(body)

    def select(self, query: str) -> list[dict[str, Any]]:
        data = self._json(query)
        return [{k: _json_value(v) for k, v in b.items()} for b in data["results"]["bindings"]]

    def ask(self, query: str) -> bool:
        return bool(self._json(query).get("boolean"))

    def triple_count(self) -> int:
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(rows[0]["n"]) if rows else 0

    def dump(self, fmt: str) -> bytes:
        _, body = self.raw_query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }", "application/n-triples")
        g = Graph()
        g.parse(data=body.decode(), format="nt")
        return g.serialize(format="json-ld" if fmt == "jsonld" else fmt).encode()

    def close(self) -> None:
        self.client.close()


def _json_value(v: dict[str, str]) -> Any:
    dt = v.get("datatype", "")
    if dt.endswith("#integer") or dt.endswith("#int"):
        return int(v["value"])
    return v["value"]


def iter_graph_rows(rows: list[dict[str, Any]], key: str) -> Iterator[Any]:
    for r in rows:
        if r.get(key) is not None:
            yield r[key]
