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

Queries run on a small thread pool (``SPARQL_WORKERS``), never on the event loop, so the
server keeps answering other clients while a query runs.  At the time limit the client
gets 503 at once and the query is told to stop; it stops at its next solution (the
embedded store cannot interrupt one evaluation step, such as a big aggregate: that step
finishes in its worker thread and its result is dropped).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request, Response

from core.errors import BadInput, QueryRefused
from graph.results import content_type, negotiate, serialize
from graph.store import Dataset, Limits, QueryTimeout, check_read_only

if TYPE_CHECKING:
    from api.service import Service
    from core.settings import Settings

READ_ONLY = "SPARQL Update is not allowed on this endpoint (it is read-only)"


class UnsupportedMediaType(BadInput):
    status = 415
    title = "Unsupported media type"


def execute(graph: Any, settings: Settings, query: str, accept: str | None,
            dataset: Dataset = Dataset(), limits: Limits | None = None) -> tuple[str, bytes]:
    """Run one read-only query with the settings' limits; (media type, body)."""
    if len(query) > settings.sparql_max_query_chars:
        raise BadInput(f"query longer than {settings.sparql_max_query_chars} characters (POLICYGRAPH_SPARQL_MAX_QUERY_CHARS)")
    check_read_only(query)
    limits = limits or Limits(settings.sparql_timeout_s, settings.sparql_max_results)
    outcome = graph.run(query, dataset=dataset, limits=limits, base_iri=f"{settings.base_iri}/sparql")
    mime = negotiate(accept, outcome.kind)
    return mime, serialize(outcome, mime)


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


def service_description(settings: Settings) -> str:
    endpoint = f"{settings.base_iri}/sparql"
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

def install(app: FastAPI, settings: Settings, svc: Callable[[], Service]) -> None:
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, settings.sparql_workers),
                                                 thread_name_prefix="sparql")
    app.state.sparql_pool = pool

    async def sparql(request: Request) -> Response:
        query, dataset = await read_protocol_request(request)
        if query is None:
            return Response(service_description(settings), media_type="text/turtle; charset=utf-8")
        check_read_only(query)
        graph = (await asyncio.to_thread(svc)).graph
        limits = Limits(settings.sparql_timeout_s, settings.sparql_max_results)
        fut = pool.submit(execute, graph, settings, query, request.headers.get("accept"), dataset, limits)
        try:
            mime, body = await asyncio.wait_for(asyncio.wrap_future(fut), settings.sparql_timeout_s)
        except TimeoutError:
            limits.cancel.set()  # the worker stops at its next solution
            fut.cancel()  # or never starts, if it is still queued
            raise QueryTimeout(limits.timeout_error().detail) from None
        return Response(body, media_type=content_type(mime), headers={"Vary": "Accept"})

    for method in ("GET", "POST"):
        app.add_api_route("/sparql", sparql, methods=[method], tags=["sparql"], response_class=Response,
                          summary=f"SPARQL 1.1 Protocol query by {method} (read-only)",
                          operation_id=f"sparql_{method.lower()}")
