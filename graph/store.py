"""The graph store: embedded Oxigraph on disk by default, a SPARQL 1.1 server by setting.

Both keep one named graph per document version, ``{base}/id/graph/{doc_id}``, replaced
whole by one SPARQL update (``DROP SILENT GRAPH …; INSERT DATA {…}``), which Oxigraph
applies atomically: a reader sees the old version or the new one, never a mix.
Queries that name no dataset run over the union of our named graphs.

* :class:`OxigraphStore` — embedded, RocksDB-backed; locks its folder (a second process
  gets :class:`core.errors.StoreLocked` naming it; the CLI then talks to the server).
* :class:`SparqlServerStore` — any SPARQL 1.1 Protocol server (query + update endpoints,
  Basic or Digest credentials).  A server's default graph is its own business (Oxigraph
  server: an empty default graph; Virtuoso: its system graphs), so a query that names
  no dataset is scoped to our graphs *by the protocol*: it is sent with one
  ``default-graph-uri`` and one ``named-graph-uri`` per document graph (the named graphs
  whose IRI starts with ``{base}/id/graph/`` and that hold a ``pg:Document``).  The
  default graph is then their merge — the same union the embedded store queries —
  and ``GRAPH ?g`` ranges over our graphs only, whatever else the server holds.

:meth:`run` is the one query entry point of the SPARQL protocol: it honours a
protocol dataset, a time limit and a result cap (checked at every solution, so a
streaming query stops as soon as either is crossed).
"""

from __future__ import annotations

import re
import shutil
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import pyoxigraph as ox
from rdflib import Graph

from policygraph.core.errors import BadInput, GraphStoreError, QueryError, QueryRefused, StoreLocked
from policygraph.graph.query_text import READ_ONLY, check_read_only, has_base, query_shape
from policygraph.graph.results import (
    EXPORT_TYPES,
    QueryOutcome,
    py_value,
    serialize_export,
)

if TYPE_CHECKING:
    from policygraph.core.settings import Settings

PG_DOCUMENT = "https://w3id.org/policygraph/ns#Document"


class QueryTimeout(GraphStoreError):
    status = 503
    title = "Query time limit"


class ResultTooLarge(BadInput):
    status = 400
    title = "Result limit exceeded"


# ---- datasets and limits ---------------------------------------------------------------------

@dataclass(frozen=True)
class Dataset:
    """A protocol dataset (``default-graph-uri`` / ``named-graph-uri``); empty = not given."""

    default: tuple[str, ...] = ()
    named: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.default or self.named)


@dataclass
class Limits:
    """A time limit and a result cap for one query; ``cancel`` stops it from outside."""

    timeout_s: float | None = None
    max_results: int | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    start: float = field(default_factory=time.monotonic)

    def remaining(self) -> float | None:
        if self.timeout_s is None:
            return None
        return max(0.001, self.timeout_s - (time.monotonic() - self.start))

    def check(self, n: int) -> None:
        if self.cancel.is_set() or (self.timeout_s is not None and time.monotonic() - self.start > self.timeout_s):
            raise self.timeout_error()
        if self.max_results is not None and n > self.max_results:
            raise ResultTooLarge(
                f"the result has more than {self.max_results} rows/triples (POLICYGRAPH_SPARQL_MAX_RESULTS); "
                "narrow the query or page through it with LIMIT/OFFSET")

    def timeout_error(self) -> QueryTimeout:
        return QueryTimeout(f"the query exceeded the {self.timeout_s:g} s time limit (POLICYGRAPH_SPARQL_TIMEOUT_S)")


NO_LIMITS = Limits()

BIND_HERE = "#bind\n"  # a comment in a query template: where with_values puts the VALUES block
Term = ox.NamedNode | ox.Literal
Bindings = Mapping[str, Term]
_VAR_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def with_values(query: str, bind: Bindings | None) -> str:
    """``query`` with variables bound by a ``VALUES`` block, put where the template has
    :data:`BIND_HERE` (first in the pattern: every store evaluates it as a constraint;
    a trailing VALUES is joined after grouping, and Virtuoso takes one on a SELECT only
    when it projects the variable).

    Values are terms pyoxigraph built, and so validated (a ``NamedNode`` is an absolute
    IRI with no ``>``, space or brace), written in their N-Triples form: whatever string
    a caller had, it can only ever become one term, never query text.

    >>> with_values("SELECT ?o { #bind\\n ?s ?p ?o }", {"s": ox.NamedNode("http://x/a")})
    'SELECT ?o { VALUES (?s) { (<http://x/a>) }\\n ?s ?p ?o }'
    """
    if not bind:
        return query
    for name, term in bind.items():
        if not _VAR_NAME.fullmatch(name) or not isinstance(term, ox.NamedNode | ox.Literal):
            raise TypeError(f"cannot bind ?{name} to {term!r}")
    names = " ".join(f"?{n}" for n in bind)
    if BIND_HERE not in query:
        raise ValueError("a query with bound variables marks where they are bound with #bind")
    block = f"VALUES ({names}) {{ ({' '.join(str(t) for t in bind.values())}) }}"
    return query.replace(BIND_HERE, block + "\n", 1)


def named_node(iri: str) -> ox.NamedNode:
    """An IRI a client gave, as a term (``BadInput`` when it is not an absolute IRI)."""
    try:
        return ox.NamedNode(iri)
    except ValueError as e:
        raise BadInput(f"not an absolute IRI: {e}") from None


def _named(iris: Iterable[str]) -> list[ox.NamedNode]:
    return [named_node(i) for i in iris]


def _collect(kind: str, items: Iterator[Any], limits: Limits, variables: list[str] | None = None) -> QueryOutcome:
    """Drain a result iterator into an outcome, checking the limits at every item."""
    if kind == "solutions":
        names = variables or []
        rows: list[dict[str, Any]] = []
        for sol in items:
            rows.append({n: t for n in names if (t := sol[n]) is not None})
            limits.check(len(rows))
        return QueryOutcome("solutions", variables=names, rows=rows)
    triples: list[Any] = []
    for t in items:
        triples.append(t.triple if isinstance(t, ox.Quad) else t)
        limits.check(len(triples))
    return QueryOutcome("graph", triples=triples)


# ---- the stores ------------------------------------------------------------------------------

def replace_update(graph_iri: str, g: Graph | None) -> str:
    """The single SPARQL update that swaps a document's graph."""
    node = named_node(graph_iri)  # an absolute IRI, written by pyoxigraph
    drop = f"DROP SILENT GRAPH {node}"
    if g is None or len(g) == 0:
        return drop
    return f"{drop} ;\nINSERT DATA {{ GRAPH {node} {{\n{g.serialize(format='nt')}\n}} }}"


class GraphStore(Protocol):
    def replace_document(self, graph_iri: str, g: Graph | None) -> None: ...
    def run(self, query: str, dataset: Dataset = ..., limits: Limits = ..., base_iri: str | None = None,
            bind: Bindings | None = None) -> QueryOutcome: ...
    def select(self, query: str, bind: Bindings | None = None) -> list[dict[str, Any]]: ...
    def ask(self, query: str) -> bool: ...
    def graph_triples(self, graph_iri: str, limits: Limits = ...) -> list[Any]: ...
    def triple_count(self) -> int: ...
    def dump(self, fmt: str) -> bytes: ...
    def flush(self) -> None:
        """Write what the store buffers in memory to disk (an embedded store's RocksDB
        memtables: without it they grew by 24 MB every 100 documents)."""
        ...
    def close(self) -> None: ...


class _Common:
    """What both stores derive from :meth:`run`."""

    def run(self, query: str, dataset: Dataset = Dataset(), limits: Limits = NO_LIMITS,
            base_iri: str | None = None, bind: Bindings | None = None) -> QueryOutcome:
        raise NotImplementedError

    def graph_triples(self, graph_iri: str, limits: Limits = NO_LIMITS) -> list[Any]:
        """Every triple of one named graph (the limits as for a query)."""
        q = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {BIND_HERE} GRAPH ?g {{ ?s ?p ?o }} }}"
        return self.run(q, limits=limits, bind={"g": named_node(graph_iri)}).triples

    def ask(self, query: str) -> bool:
        return self.run(query).boolean


class OxigraphStore(_Common):
    """Embedded, on-disk Oxigraph (RocksDB); ``path=None`` keeps it in memory (tests)."""

    def __init__(self, path: Path | None, *, read_only: bool = False) -> None:
        self.path = path
        self._read_only = read_only
        try:
            if path is None:
                self.store = ox.Store()
            elif read_only:
                self.store = ox.Store.read_only(str(path))
            else:
                path.mkdir(parents=True, exist_ok=True)
                self.store = ox.Store(str(path))
        except OSError as e:
            if "lock" in str(e).lower():
                raise StoreLocked(f"the graph store is in use by another process ({e})", source=str(path)) from e
            raise GraphStoreError(str(e), source=str(path)) from e
        self._write = threading.Lock()
        self._generation = 0  # writes so far; a snapshot is made again after one
        self._snapshots: list[tuple[int, Path]] = []
        self._snapshot_lock = threading.Lock()
        if path is not None and not read_only:
            shutil.rmtree(self._snapshot_root(), ignore_errors=True)  # a previous process's

    @classmethod
    def open_read_only(cls, path: str | Path) -> OxigraphStore:
        """A store no process writes (a :meth:`snapshot`), opened read-only."""
        return cls(Path(path), read_only=True)

    def _snapshot_root(self) -> Path:
        assert self.path is not None
        return self.path.parent / ".graph-snapshots"

    def snapshot(self) -> Path | None:
        """A read-only copy of the store as it is now, for query processes: a RocksDB
        checkpoint (hard links, so cheap), made again only after a write.  The two newest
        are kept (a worker may still be reading the older one).  None in memory."""
        if self.path is None:
            return None
        with self._snapshot_lock:
            generation = self._generation
            if self._snapshots and self._snapshots[-1][0] == generation:
                return self._snapshots[-1][1]
            root = self._snapshot_root()
            root.mkdir(parents=True, exist_ok=True)
            dest = root / f"{generation}-{time.monotonic_ns()}"
            try:
                self.store.backup(str(dest))
            except OSError as e:
                raise GraphStoreError(f"cannot snapshot the store for queries: {e}", source=str(dest)) from e
            self._snapshots.append((generation, dest))
            for _, old in self._snapshots[:-2]:
                shutil.rmtree(old, ignore_errors=True)
            self._snapshots = self._snapshots[-2:]
            return dest

    def replace_document(self, graph_iri: str, g: Graph | None) -> None:
        with self._write:
            try:
                self.store.update(replace_update(graph_iri, g))
            except (SyntaxError, OSError, ValueError) as e:
                raise GraphStoreError(str(e), source=graph_iri) from e
            finally:
                self._generation += 1

    def _query(self, query: str, **kw: Any) -> Any:
        try:
            return self.store.query(query, **kw)
        except SyntaxError as e:
            if query_shape(query).form == "UPDATE":
                raise QueryRefused(READ_ONLY) from None
            raise QueryError(str(e)) from None
        except (OSError, ValueError, RuntimeError) as e:
            raise QueryError(str(e)) from None

    def run(self, query: str, dataset: Dataset = Dataset(), limits: Limits = NO_LIMITS,
            base_iri: str | None = None, bind: Bindings | None = None) -> QueryOutcome:
        query = with_values(query, bind)
        kw: dict[str, Any] = {"base_iri": base_iri}
        if dataset:
            # the protocol dataset replaces FROM / FROM NAMED (SPARQL 1.1 Protocol §2.1.4)
            kw["default_graph"] = _named(dataset.default)
            kw["named_graphs"] = _named(dataset.named)
        elif not query_shape(query).has_dataset:
            kw["use_default_graph_as_union"] = True
        res = self._query(query, **kw)
        # pyoxigraph's result iterators must be dropped on the thread that made them: an
        # error must not carry them (in its traceback) to the thread that reports it
        err: Exception | None = None
        try:
            if isinstance(res, ox.QueryBoolean):
                limits.check(0)
                return QueryOutcome("boolean", boolean=bool(res))
            if isinstance(res, ox.QuerySolutions):
                return _collect("solutions", iter(res), limits, [v.value for v in res.variables])
            return _collect("graph", iter(res), limits)
        except (OSError, ValueError, RuntimeError) as e:
            err = QueryError(str(e))
        except (QueryTimeout, ResultTooLarge) as e:
            err = e.with_traceback(None)
        finally:
            del res
        raise err

    def select(self, query: str, bind: Bindings | None = None) -> list[dict[str, Any]]:
        res = self._query(with_values(query, bind), use_default_graph_as_union=True)
        names = [v.value for v in res.variables]
        return [{n: None if (t := sol[n]) is None else py_value(t) for n in names} for sol in res]

    def triple_count(self) -> int:
        return len(self.store)

    def dump(self, fmt: str) -> bytes:
        return serialize_export(list(self.store.quads_for_pattern(None, None, None, None)), fmt)

    def flush(self) -> None:
        self.store.flush()

    def close(self) -> None:
        try:
            if self.path is not None and not self._read_only:
                self.store.flush()
                shutil.rmtree(self._snapshot_root(), ignore_errors=True)
        finally:
            del self.store


_RESULT_PARSERS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "application/xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_RDF_PARSERS = {
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES,
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/x-turtle": ox.RdfFormat.TURTLE,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}
_RESULTS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.8"
_RDF_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"


class SparqlServerStore(_Common):
    """An external SPARQL 1.1 store (query + update endpoints, optional credentials).

    ``graph_prefix`` (``{base}/id/graph/``) turns on the scoping described in the module
    docstring; ``digest`` sends the credentials by HTTP Digest (Virtuoso's
    ``/sparql-auth``) instead of Basic.
    """

    GRAPHS_TTL_S = 5.0

    def __init__(self, query_url: str, update_url: str | None, user: str | None = None,
                 password: str | None = None, digest: bool = False, timeout: float = 60.0,
                 graph_prefix: str | None = None) -> None:
        import httpx

        auth: Any = None
        if user and password:
            auth = httpx.DigestAuth(user, password) if digest else httpx.BasicAuth(user, password)
        self.query_url = query_url
        self.update_url = update_url or query_url
        self.graph_prefix = graph_prefix
        self.timeout = timeout
        self.client = httpx.Client(timeout=timeout, auth=auth)
        self._graphs: tuple[float, list[str]] | None = None
        self._graphs_lock = threading.Lock()

    # ---- writes
    def replace_document(self, graph_iri: str, g: Graph | None) -> None:
        import httpx

        try:
            r = self.client.post(self.update_url, data={"update": replace_update(graph_iri, g)})
        except httpx.HTTPError as e:
            raise GraphStoreError(f"update failed: {e}", source=self.update_url) from e
        finally:
            self._graphs = None
        if r.status_code >= 300:
            raise GraphStoreError(f"update failed: HTTP {r.status_code} {r.text[:300]}", source=self.update_url)

    # ---- scoping
    def document_graphs(self, fresh: bool = False) -> list[str]:
        """Our named graphs on the server (cached for a few seconds; a write clears the cache)."""
        if self.graph_prefix is None:
            return []
        with self._graphs_lock:
            now = time.monotonic()
            if not fresh and self._graphs is not None and now - self._graphs[0] < self.GRAPHS_TTL_S:
                return self._graphs[1]
            q = (f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?d a <{PG_DOCUMENT}> }} "
                 f"FILTER(STRSTARTS(STR(?g), {ox.Literal(self.graph_prefix)})) }}")
            o = self._send(q, "SELECT", [], NO_LIMITS)
            graphs = sorted(str(r["g"].value) for r in o.rows if "g" in r)
            self._graphs = (now, graphs)
            return graphs

    def _dataset_params(self, query: str, dataset: Dataset) -> list[tuple[str, str]]:
        if dataset:
            return [("default-graph-uri", g) for g in dataset.default] + [("named-graph-uri", g) for g in dataset.named]
        if self.graph_prefix is None or query_shape(query).has_dataset:
            return []
        # no graph yet: name the (empty) prefix itself, so the server's own default graph stays out
        graphs = self.document_graphs() or [self.graph_prefix]
        return [("default-graph-uri", g) for g in graphs] + [("named-graph-uri", g) for g in graphs]

    # ---- reads
    def _send(self, query: str, form: str, params: list[tuple[str, str]], limits: Limits) -> QueryOutcome:
        import httpx

        graph_form = form in ("CONSTRUCT", "DESCRIBE")
        timeout = limits.remaining() or self.timeout
        try:
            body: dict[str, list[str]] = {"query": [query]}
            for k, v in params:
                body.setdefault(k, []).append(v)
            r = self.client.post(self.query_url, data=body,
                                 headers={"Accept": _RDF_ACCEPT if graph_form else _RESULTS_ACCEPT}, timeout=timeout)
        except httpx.TimeoutException:
            raise limits.timeout_error() if limits.timeout_s else GraphStoreError(
                f"no answer within {timeout:g} s", source=self.query_url) from None
        except httpx.HTTPError as e:
            raise GraphStoreError(f"query failed: {e}", source=self.query_url) from e
        if r.status_code == 400:
            raise QueryError(r.text[:1000].strip())
        if r.status_code >= 300:
            raise GraphStoreError(f"query failed: HTTP {r.status_code} {r.text[:300]}", source=self.query_url)
        ctype = r.headers.get("content-type", "").split(";")[0].strip().lower()
        try:
            if ctype in _RDF_PARSERS and ctype not in _RESULT_PARSERS:
                return _collect("graph", ox.parse(r.content, format=_RDF_PARSERS[ctype]), limits)
            res = ox.parse_query_results(r.content, format=_RESULT_PARSERS.get(ctype, ox.QueryResultsFormat.JSON))
        except (SyntaxError, ValueError) as e:
            raise GraphStoreError(f"unreadable answer ({ctype}): {e}", source=self.query_url) from None
        if isinstance(res, ox.QueryBoolean):
            return QueryOutcome("boolean", boolean=bool(res))
        out = _collect("solutions", iter(res), limits, [v.value for v in res.variables])
        if form == "ASK":
            # Virtuoso 7.2 answers ASK as a one-column SELECT (__ASK_RETVAL 1, or no row)
            return QueryOutcome("boolean", boolean=any(py_value(v) not in (0, "0", "false")
                                                       for r in out.rows for v in r.values()))
        return out

    def run(self, query: str, dataset: Dataset = Dataset(), limits: Limits = NO_LIMITS,
            base_iri: str | None = None, bind: Bindings | None = None) -> QueryOutcome:
        query = with_values(query, bind)
        shape = check_read_only(query)  # the query endpoint of some servers runs updates too
        if not shape.form:
            # not a SPARQL 1.1 query form: never pass vendor extensions (Virtuoso's DEFINE …) on
            raise QueryError("not a SPARQL query: it must start with SELECT, ASK, CONSTRUCT or DESCRIBE "
                             "(after BASE / PREFIX)")
        if base_iri and not has_base(query):
            query = f"BASE <{base_iri}>\n{query}"
        return self._send(query, shape.form, self._dataset_params(query, dataset), limits)

    def select(self, query: str, bind: Bindings | None = None) -> list[dict[str, Any]]:
        o = self.run(query, bind=bind)
        return [{v: None if (t := r.get(v)) is None else py_value(t) for v in o.variables} for r in o.rows]

    def graph_triples(self, graph_iri: str, limits: Limits = NO_LIMITS) -> list[Any]:
        q = with_values(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {BIND_HERE} GRAPH ?g {{ ?s ?p ?o }} }}",
                        {"g": named_node(graph_iri)})
        return self._send(q, "CONSTRUCT", [("named-graph-uri", graph_iri)], limits).triples

    def triple_count(self) -> int:
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(rows[0]["n"]) if rows else 0

    def dump(self, fmt: str) -> bytes:
        if fmt not in EXPORT_TYPES:
            raise BadInput(f"unknown export format {fmt!r}")
        quads: list[Any] = []
        for g in self.document_graphs(fresh=True):
            node = ox.NamedNode(g)
            quads.extend(ox.Quad(t.subject, t.predicate, t.object, node) for t in self.graph_triples(g))
        return serialize_export(quads, fmt)

    def flush(self) -> None:
        """Nothing to do: the server holds what it was sent."""

    def close(self) -> None:
        self.client.close()


def open_store(settings: Settings) -> OxigraphStore | SparqlServerStore:
    """The store the settings name: a SPARQL server when ``SPARQL_ENDPOINT`` is set, else embedded."""
    if settings.sparql_endpoint:
        pw = settings.sparql_password.get_secret_value() if settings.sparql_password else None
        prefix = f"{settings.base_iri.rstrip('/')}/id/graph/" if settings.sparql_scope_graphs else None
        return SparqlServerStore(settings.sparql_endpoint, settings.sparql_update_endpoint, settings.sparql_user, pw,
                                 digest=settings.sparql_digest, timeout=settings.sparql_server_timeout_s,
                                 graph_prefix=prefix)
    return OxigraphStore(settings.graph_path)
