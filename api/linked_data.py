"""Linked data: every IRI the graph mints dereferences here, and so does the vocabulary.

``GET /id/{path}`` answers for ``{base}/id/{path}`` (``base`` = ``POLICYGRAPH_BASE_IRI``):

* ``Accept: text/html`` (browsers) → ``303 See Other`` to the web UI's page for it: an
  entity's page (``/#/entity/{key}``), a document's page (``/#/doc/{id}``), scrolled to the
  passage, measure or mention (``?at=start-end``); anything else → a search for its label;
* ``text/turtle`` (the default), ``application/ld+json``, ``application/n-triples`` or
  ``application/rdf+xml`` → the resource's description: every triple with it as subject,
  over the union of the document graphs.  A named graph IRI (``/id/graph/{doc_id}``)
  gives the whole graph it names — one document version, the provenance of its triples.

Every format carries the same triples (one CONSTRUCT, serialised per ``Accept``), with
``Vary: Accept``.  An IRI with no triples is 404.

``GET /ns`` serves the vocabulary ``https://w3id.org/policygraph/ns#`` from
``ontology/policygraph.ttl``: Turtle (default), JSON-LD, N-Triples, RDF/XML, or an HTML
summary for browsers (classes and properties with their Japanese and English labels).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pyoxigraph as ox
from fastapi import FastAPI, Request, Response
from fastapi.responses import RedirectResponse

from policygraph.core.errors import NotFound
from policygraph.graph.iris import local_kind
from policygraph.graph.results import GRAPH_TYPES, content_type, negotiate, serialize_triples
from policygraph.graph.store import BIND_HERE, GraphStore, Limits, named_node
from policygraph.ontology import PG_NS

if TYPE_CHECKING:
    from policygraph.core.settings import Settings
    from policygraph.service.service import Service

HTML = "text/html"
PG = PG_NS
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
# ?r is bound to the resource (a term, never text pasted into the query)
LABEL_QUERY = """SELECT ?label WHERE {
  #bind
  { ?r <http://www.w3.org/2004/02/skos/core#prefLabel>|<http://purl.org/dc/terms/title>|<http://www.w3.org/2000/01/rdf-schema#label> ?label }
  UNION { ?r <https://w3id.org/policygraph/ns#heading> ?label }
  UNION { ?r <https://w3id.org/policygraph/ns#verbatim> ?label }
  UNION { ?r <https://w3id.org/policygraph/ns#text> ?label }
} LIMIT 1"""
PLACE_QUERY = """SELECT ?doc ?s ?e WHERE {
  #bind
  { ?r <https://w3id.org/policygraph/ns#inDocument> ?doc }
  UNION { ?r <https://w3id.org/policygraph/ns#inPassage>/<https://w3id.org/policygraph/ns#inDocument> ?doc }
  OPTIONAL { ?r <https://w3id.org/policygraph/ns#startOffset> ?s ; <https://w3id.org/policygraph/ns#endOffset> ?e }
} LIMIT 1"""
DESCRIBE_QUERY = f"CONSTRUCT {{ ?r ?p ?o }} WHERE {{ {BIND_HERE} ?r ?p ?o }}"


def negotiate_ld(accept: str | None) -> str:
    """HTML only when the client prefers it (browsers); RDF otherwise, Turtle by default."""
    if not accept:
        return GRAPH_TYPES[0]
    return negotiate(accept, "graph", offered=(GRAPH_TYPES[0], HTML, *GRAPH_TYPES[1:]))


def describe(graph: GraphStore, iri: str, kind: str, limits: Limits) -> list[Any]:
    """Every triple with the resource as subject; a named graph: every triple in it."""
    if kind == "graph":
        return list(graph.graph_triples(iri, limits))
    return list(graph.run(DESCRIBE_QUERY, limits=limits, bind={"r": named_node(iri)}).triples)


def ui_target(graph: GraphStore, iri: str, local: str) -> str:
    """The web UI page for one of our IRIs: an entity's page, a document's page (scrolled to
    the passage, measure or mention), else a search for the resource's label."""
    kind, _, rest = local.partition("/")
    if kind == "entity":
        return f"/#/entity/{quote(rest, safe='')}"
    if kind in ("doc", "graph"):
        return f"/#/doc/{quote(rest, safe='')}"
    base = iri[: len(iri) - len(local)]
    place = iri.split("/deadline/", 1)[0] if kind == "measure" else iri  # a deadline: its measure
    rows = graph.select(PLACE_QUERY, bind={"r": named_node(place)})
    if rows and str(rows[0].get("doc", "")).startswith(base + "doc/"):
        doc_id = str(rows[0]["doc"])[len(base) + 4 :]
        at = f"?at={rows[0]['s']}-{rows[0]['e']}" if rows[0].get("s") is not None else ""
        return f"/#/doc/{quote(doc_id, safe='')}{at}"
    label = ""
    rows = graph.select(LABEL_QUERY, bind={"r": named_node(iri)})
    if rows and rows[0].get("label"):
        label = " ".join(str(rows[0]["label"]).split())[:80]
    return f"/?iri={quote(iri, safe='')}" + (f"#q={quote(label, safe='')}" if label else "")


@lru_cache(maxsize=1)
def _vocabulary() -> tuple[bytes, list[Any]]:
    from policygraph.ontology.gazetteer import ontology_path

    data = ontology_path().read_bytes()
    triples = [q.triple for q in ox.parse(data, format=ox.RdfFormat.TURTLE)]
    return data, triples


def vocabulary_html(triples: list[Any]) -> str:
    """A one-page summary of the vocabulary: each class and property with labels, comment, domain, range."""
    by_subject: dict[str, dict[str, list[Any]]] = {}
    for t in triples:
        if isinstance(t.subject, ox.NamedNode):
            by_subject.setdefault(t.subject.value, {}).setdefault(t.predicate.value, []).append(t.object)

    def labels(props: dict[str, list[Any]], p: str) -> str:
        vals = props.get(p, [])
        return " / ".join(html.escape(v.value) for v in sorted(vals, key=lambda v: getattr(v, "language", "") or ""))

    def short(term: Any) -> str:
        v = term.value
        return html.escape("pg:" + v[len(PG):] if v.startswith(PG) else v)

    sections = []
    for title, cls in (("Classes", OWL + "Class"), ("Object properties", OWL + "ObjectProperty"),
                       ("Datatype properties", OWL + "DatatypeProperty")):
        rows = []
        for s, props in sorted(by_subject.items()):
            if not s.startswith(PG) or not any(getattr(o, "value", "") == cls for o in
                                               props.get("http://www.w3.org/1999/02/22-rdf-syntax-ns#type", [])):
                continue
            name = s[len(PG):]
            extra = []
            for p, what in ((RDFS + "subClassOf", "⊂"), (RDFS + "subPropertyOf", "⊂"), (RDFS + "domain", "domain"),
                            (RDFS + "range", "range")):
                extra += [f"{what} {short(o)}" for o in props.get(p, [])]
            rows.append(f'<tr id="{html.escape(name)}"><td><code>pg:{html.escape(name)}</code></td>'
                        f"<td>{labels(props, RDFS + 'label')}</td><td>{labels(props, RDFS + 'comment')}</td>"
                        f"<td>{'<br>'.join(extra)}</td></tr>")
        sections.append(f"<h2>{title} ({len(rows)})</h2><table><tr><th>term</th><th>label</th><th>comment</th>"
                        f"<th>relations</th></tr>{''.join(rows)}</table>")
    onto = by_subject.get(PG, {})
    return f"""<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>policygraph vocabulary</title>
<link rel="stylesheet" href="/static/vocabulary.css"></head>
<body><h1>{labels(onto, RDFS + 'label')}</h1>
<p><code>{PG}</code> — {labels(onto, RDFS + 'comment')}</p>
<p>Also as <a href="?format=turtle">Turtle</a> (<code>Accept: text/turtle</code>) and JSON-LD
(<code>Accept: application/ld+json</code>).</p>
{''.join(sections)}
</body></html>
"""


_FORMAT_PARAM = {"turtle": "text/turtle", "ttl": "text/turtle", "jsonld": "application/ld+json",
                 "nt": "application/n-triples", "rdfxml": "application/rdf+xml", "html": HTML}


def install(app: FastAPI, settings: Settings, svc: Callable[[], Service]) -> None:
    base = settings.base_iri.rstrip("/")

    def dereference(request: Request, path: str) -> Response:
        iri = f"{base}/id/{path}"
        kind = local_kind(path)
        if kind is None:  # not one of the shapes the IRI scheme mints
            raise NotFound(f"no resource {iri}")
        s = svc()
        mime = negotiate_ld(request.headers.get("accept"))
        triples = describe(s.graph, iri, kind, Limits(settings.sparql_timeout_s, settings.sparql_max_results))
        if not triples:
            raise NotFound(f"no resource {iri}")
        vary = {"Vary": "Accept"}
        if mime == HTML:
            return RedirectResponse(ui_target(s.graph, iri, path), status_code=303, headers=vary)
        return Response(serialize_triples(triples, mime), media_type=content_type(mime), headers=vary)

    def vocabulary(request: Request, format: str | None = None) -> Response:  # noqa: A002
        data, triples = _vocabulary()
        mime = _FORMAT_PARAM.get(format or "") or negotiate_ld(request.headers.get("accept"))
        vary = {"Vary": "Accept"}
        if mime == HTML:
            return Response(vocabulary_html(triples), media_type="text/html; charset=utf-8", headers=vary)
        body = data if mime == "text/turtle" else serialize_triples(triples, mime)
        return Response(body, media_type=content_type(mime), headers=vary)

    for path, fn, summary in (("/id/{path:path}", dereference, "dereference a minted IRI"),
                              ("/ns", vocabulary, "the policygraph vocabulary")):
        app.add_api_route(path, fn, methods=["GET"], tags=["linked data"], summary=summary, response_class=Response)
        app.add_api_route(path, fn, methods=["HEAD"], response_class=Response, include_in_schema=False)
