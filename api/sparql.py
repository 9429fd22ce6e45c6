"""The SPARQL 1.1 Protocol endpoint at ``/sparql`` (read-only).

* query by ``GET ?query=``, ``POST`` form (``application/x-www-form-urlencoded``) or
  ``POST application/sparql-query`` (UTF-8); ``default-graph-uri`` / ``named-graph-uri``
  (in the URL, or in the form body) set the dataset and override FROM / FROM NAMED;
  without either, the default graph is the union of the document graphs.
* results by ``Accept``: SPARQL JSON (default), XML, CSV, TSV; CONSTRUCT / DESCRIBE as
  Turtle (default), N-Triples, JSON-LD, RDF/XML.
* errors are problem+json: a malformed query 400 with the parser's message; SPARQL
  Update 403 (``update=`` or ``application/sparql-update``); a wrong media type 415;
  another method 405; over ``SPARQL_MAX_RESULTS`` 400; over ``SPARQL_TIMEOUT_S`` 503.
* ``GET /sparql`` with no parameters returns the SPARQL service description (Turtle).

Queries run in ``SPARQL_WORKERS`` worker processes over a read-only snapshot of the
embedded store (:mod:`graph.query_processes`), never on the event loop, so the server
keeps answering other clients while a query runs.  At the time limit the client gets
503 and the worker is killed, whatever step it was in (a big aggregate, a sort).  One
client address may have ``SPARQL_MAX_PER_CLIENT`` queries running at once (429 past
that).  With a SPARQL server as the store, the query goes there with the time limit.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request, Response

from policygraph.core.errors import BadInput, QueryRefused
from policygraph.graph.execute import check_query, execute
from policygraph.graph.query_processes import QueryProcesses, Task
from policygraph.graph.query_text import READ_ONLY
from policygraph.graph.results import content_type
from policygraph.graph.store import Dataset, GraphStore, Limits, QueryTimeout

if TYPE_CHECKING:
    from policygraph.core.settings import Settings
    from policygraph.service.service import Service


class UnsupportedMediaType(BadInput):
    status = 415
    title = "Unsupported media type"


# ---- the protocol request --------------------------------------------------------------------

def _media_type(header: str | None) -> tuple[str, dict[str, str]]:
    if not header:
        return "", {}
    mime, *params = (p.strip() for p in header.split(";"))
    out = {}
    for p in params:
        k, _, v = p.partition("=")
        out[k.strip().lower()] = v.strip().strip('"')
    return mime.lower(), out


def _utf8(data: bytes, what: str, charset: str | None) -> str:
    if charset and charset.lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(f"{what} must be UTF-8 (got charset={charset})")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise BadInput(f"{what} is not valid UTF-8: {e}") from None


async def read_protocol_request(request: Request) -> tuple[str | None, Dataset]:
    """(query, dataset) from a protocol request; query None = a bare GET (service description)."""
    params = list(request.query_params.multi_items())
    if request.method == "POST":
        mime, mparams = _media_type(request.headers.get("content-type"))
        body = await request.body()
        if mime == "application/x-www-form-urlencoded":
            try:
                form = parse_qsl(_utf8(body, "the form", mparams.get("charset")), keep_blank_values=True,
                                 encoding="utf-8", errors="strict")
            except UnicodeDecodeError as e:
                raise BadInput(f"the form is not valid UTF-8: {e}") from None
            params += form
        elif mime == "application/sparql-query":
            params.append(("query", _utf8(body, "the query", mparams.get("charset"))))
        elif mime == "application/sparql-update":
            raise QueryRefused(READ_ONLY)
        else:
            raise UnsupportedMediaType(
                "POST a query as application/sparql-query or application/x-www-form-urlencoded"
                + (f", not {mime}" if mime else " (no Content-Type given)"))
    names = [k for k, _ in params]
    if {"update", "using-graph-uri", "using-named-graph-uri"} & set(names):
        raise QueryRefused(READ_ONLY)
    queries = [v for k, v in params if k == "query"]
    if not params and request.method == "GET":
        return None, Dataset()
    if len(queries) != 1:
        raise BadInput("exactly one 'query' parameter is required" if queries else "missing 'query'")
    if not queries[0].strip():
        raise BadInput("the query is empty")
    dataset = Dataset(tuple(v for k, v in params if k == "default-graph-uri"),
                      tuple(v for k, v in params if k == "named-graph-uri"))
    return queries[0], dataset


def service_description(settings: Settings, endpoint: str) -> str:
    """The SPARQL service description; ``endpoint`` is where this request reached the
    endpoint (so it works on whatever address and port the server runs), not the IRI base."""
    return f"""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix fmt: <http://www.w3.org/ns/formats/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

<{endpoint}> a sd:Service ;
    rdfs:label "policygraph SPARQL endpoint (read-only)" ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage sd:SPARQL11Query ;
    sd:feature sd:UnionDefaultGraph ;
    sd:resultFormat fmt:SPARQL_Results_JSON, fmt:SPARQL_Results_XML, fmt:SPARQL_Results_CSV,
        fmt:SPARQL_Results_TSV, fmt:Turtle, fmt:N-Triples, fmt:JSON-LD, fmt:RDF_XML ;
    rdfs:comment "Default graph: the union of the named graphs, one per document version ({settings.base_iri}/id/graph/{{doc_id}}). Limits: {settings.sparql_timeout_s:g} s, {settings.sparql_max_results} results." .
"""


# ---- the route -------------------------------------------------------------------------------

_GRAPHS = {"type": "array", "items": {"type": "string"}}
_QUERY_DOC = "a SPARQL 1.1 query (SELECT, ASK, CONSTRUCT, DESCRIBE); none: the service description"
# what the route reads from the request itself, described for clients and fuzzers
OPENAPI: dict[str, dict[str, Any]] = {
    "GET": {"parameters": [
        {"name": "query", "in": "query", "required": False, "schema": {"type": "string"}, "description": _QUERY_DOC},
        {"name": "default-graph-uri", "in": "query", "required": False, "schema": _GRAPHS, "explode": True},
        {"name": "named-graph-uri", "in": "query", "required": False, "schema": _GRAPHS, "explode": True},
    ]},
    "POST": {"requestBody": {"required": True, "content": {
        "application/sparql-query": {"schema": {"type": "string"}},
        "application/x-www-form-urlencoded": {"schema": {
            "type": "object", "required": ["query"],
            "properties": {"query": {"type": "string"}, "default-graph-uri": _GRAPHS, "named-graph-uri": _GRAPHS}}},
    }}},
}


class TooManyQueries(BadInput):
    status = 429
    title = "Too many queries"


def install(app: FastAPI, settings: Settings, svc: Callable[[], Service]) -> None:
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, settings.sparql_workers),
                                                 thread_name_prefix="sparql")
    processes = QueryProcesses(settings.sparql_workers)
    app.state.sparql_pool = pool
    app.state.sparql_processes = processes
    app.router.on_startup.append(processes.warm)
    app.router.on_shutdown.append(processes.close)
    running: Counter[str] = Counter()  # queries in flight per client address
    running_lock = threading.Lock()

    def evaluate(graph: GraphStore, query: str, accept: str | None, dataset: Dataset, limits: Limits) -> tuple[str, bytes]:
        """In a worker process over a snapshot when the store has one (it can be killed at
        the time limit); else here (a SPARQL server store: its HTTP read has the limit)."""
        snapshot = getattr(graph, "snapshot", None)
        path = snapshot() if snapshot is not None else None
        if path is None:
            return execute(graph, settings, query, accept, dataset, limits)
        task = Task(str(path), query, dataset.default, dataset.named, f"{settings.base_iri}/sparql",
                    settings.sparql_max_results, accept)
        try:
            return processes.run(task, settings.sparql_timeout_s, limits.start)
        except TimeoutError:
            raise limits.timeout_error() from None

    async def sparql(request: Request) -> Response:
        query, dataset = await read_protocol_request(request)
        if query is None:
            endpoint = str(request.base_url).rstrip("/") + "/sparql"
            return Response(service_description(settings, endpoint), media_type="text/turtle; charset=utf-8")
        check_query(settings, query)
        client = request.client.host if request.client else ""
        with running_lock:
            if running[client] >= settings.sparql_max_per_client:
                raise TooManyQueries(f"at most {settings.sparql_max_per_client} queries at once from one client "
                                     "(POLICYGRAPH_SPARQL_MAX_PER_CLIENT): wait for an answer, then ask again")
            running[client] += 1
        try:
            graph = (await asyncio.to_thread(svc)).graph
            limits = Limits(settings.sparql_timeout_s, settings.sparql_max_results)
            fut = pool.submit(evaluate, graph, query, request.headers.get("accept"), dataset, limits)
            try:
                mime, body = await asyncio.wait_for(asyncio.wrap_future(fut), settings.sparql_timeout_s + 1.0)
            except TimeoutError:
                limits.cancel.set()  # a query in this process stops at its next solution
                fut.cancel()  # or never starts, if it is still queued
                raise QueryTimeout(limits.timeout_error().detail) from None
        finally:
            with running_lock:
                running[client] -= 1
                if not running[client]:
                    del running[client]
        return Response(body, media_type=content_type(mime), headers={"Vary": "Accept"})

    for method in ("GET", "POST"):
        app.add_api_route("/sparql", sparql, methods=[method], tags=["sparql"], response_class=Response,
                          summary=f"SPARQL 1.1 Protocol query by {method} (read-only)",
                          operation_id=f"sparql_{method.lower()}", openapi_extra=OPENAPI[method])
