"""SPARQL results as values, their serialisations and media-type negotiation.

A query gives a :class:`QueryOutcome`: solutions (variables + rows of pyoxigraph terms),
a boolean, or triples.  Both graph stores (embedded Oxigraph and an external SPARQL
server) produce the same outcome, so the protocol layer serialises one way whatever
the store:

* solutions → SPARQL 1.1 Query Results JSON, XML, CSV or TSV;
* boolean → JSON or XML;
* triples (CONSTRUCT / DESCRIBE) → Turtle, N-Triples, JSON-LD or RDF/XML.

>>> import pyoxigraph as ox
>>> o = QueryOutcome("solutions", variables=["x"], rows=[{"x": ox.Literal("警察庁", language="ja")}])
>>> serialize(o, "text/tab-separated-values").decode()
'?x\\n"警察庁"@ja\\n'
>>> negotiate("text/csv;q=0.5, application/sparql-results+xml", "solutions")
'application/sparql-results+xml'
>>> negotiate("text/html,application/xhtml+xml,*/*;q=0.8", "graph")
'text/turtle'
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from policygraph.ontology import PG_NS

Kind = Literal["solutions", "boolean", "graph"]
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

# Media types offered per kind of result, the first being the default.
SOLUTION_TYPES = ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                  "text/tab-separated-values")
BOOLEAN_TYPES = ("application/sparql-results+json", "application/sparql-results+xml")
GRAPH_TYPES = ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml")
OFFERED: dict[str, tuple[str, ...]] = {"solutions": SOLUTION_TYPES, "boolean": BOOLEAN_TYPES, "graph": GRAPH_TYPES}
# Common synonyms clients send; the response carries the canonical type.
ALIASES: dict[str, dict[str, str]] = {
    "solutions": {"application/json": SOLUTION_TYPES[0], "application/xml": SOLUTION_TYPES[1],
                  "text/xml": SOLUTION_TYPES[1]},
    "boolean": {"application/json": BOOLEAN_TYPES[0], "application/xml": BOOLEAN_TYPES[1],
                "text/xml": BOOLEAN_TYPES[1]},
    "graph": {"application/json": "application/ld+json", "application/xml": "application/rdf+xml",
              "text/xml": "application/rdf+xml", "text/plain": "application/n-triples",
              "application/x-turtle": "text/turtle"},
}
RDF_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
PREFIXES = {
    "pg": PG_NS,
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": XSD,
}


@dataclass
class QueryOutcome:
    kind: Kind
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)  # variable → pyoxigraph term (unbound: absent)
    boolean: bool = False
    triples: list[Any] = field(default_factory=list)  # pyoxigraph Triples


# ---- negotiation ---------------------------------------------------------------------------

def parse_accept(accept: str) -> list[tuple[str, float]]:
    """``Accept`` as (media range, q) pairs in the order given; malformed q values count as 1."""
    out: list[tuple[str, float]] = []
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        mime = fields[0].lower()
        if not mime:
            continue
        q = 1.0
        for f in fields[1:]:
            k, _, v = f.partition("=")
            if k.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(v)))
                except ValueError:
                    q = 1.0
        out.append((mime, q))
    return out


def _quality(offer: str, aliases: dict[str, str], ranges: list[tuple[str, float]]) -> tuple[float, int, int]:
    """(q, specificity, -position) of the most specific range in Accept that covers ``offer``."""
    best: tuple[float, int, int] = (-1.0, -1, 0)
    main = offer.split("/")[0]
    for pos, (rng, q) in enumerate(ranges):
        if rng == offer or aliases.get(rng) == offer:
            spec = 3
        elif rng == f"{main}/*":
            spec = 2
        elif rng == "*/*":
            spec = 1
        else:
            continue
        if spec > best[1]:
            best = (q, spec, -pos)
    return best


def negotiate(accept: str | None, kind: str, offered: tuple[str, ...] | None = None) -> str:
    """The best offered media type for ``kind`` under ``accept``; the default when nothing fits.

    Lenient on purpose: a client that accepts nothing we make gets the default type rather
    than 406 (RFC 9110 allows either), so the CLI and odd clients always get an answer.
    """
    offers = offered or OFFERED[kind]
    ranges = parse_accept(accept or "")
    if not ranges:
        return offers[0]
    aliases = ALIASES.get(kind, {})
    scored = []
    for i, offer in enumerate(offers):
        q, spec, pos = _quality(offer, aliases, ranges)
        if q > 0:
            # client's q first, then the client's order for explicit types, then ours
            scored.append((q, pos if spec == 3 else -1000, -i, offer))
    return max(scored)[3] if scored else offers[0]


# ---- terms ---------------------------------------------------------------------------------

def term_json(t: Any) -> dict[str, Any]:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        d: dict[str, Any] = {"type": "literal", "value": t.value}
        if t.language:
            d["xml:lang"] = t.language
        elif t.datatype.value not in (XSD_STRING, RDF_LANG_STRING):
            d["datatype"] = t.datatype.value
        return d
    if isinstance(t, ox.Triple):
        return {"type": "triple", "value": {"subject": term_json(t.subject), "predicate": term_json(t.predicate),
                                            "object": term_json(t.object)}}
    raise TypeError(f"not an RDF term: {t!r}")


def py_value(t: Any) -> Any:
    """A term as a plain Python value: integers as int, everything else as its lexical form / IRI."""
    if isinstance(t, ox.Literal):
        dt = t.datatype.value
        if dt in (XSD + "integer", XSD + "int", XSD + "long"):
            try:
                return int(t.value)
            except ValueError:
                return t.value
        return t.value
    if isinstance(t, ox.Triple):
        return str(t)
    return t.value


def _xml_term(t: Any) -> str:
    if isinstance(t, ox.NamedNode):
        return f"<uri>{escape(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{escape(t.value)}</bnode>"
    if isinstance(t, ox.Literal):
        if t.language:
            return f"<literal xml:lang={quoteattr(t.language)}>{escape(t.value)}</literal>"
        if t.datatype.value not in (XSD_STRING, RDF_LANG_STRING):
            return f"<literal datatype={quoteattr(t.datatype.value)}>{escape(t.value)}</literal>"
        return f"<literal>{escape(t.value)}</literal>"
    if isinstance(t, ox.Triple):
        return (f"<triple><subject>{_xml_term(t.subject)}</subject><predicate>{_xml_term(t.predicate)}"
                f"</predicate><object>{_xml_term(t.object)}</object></triple>")
    raise TypeError(f"not an RDF term: {t!r}")


def _csv_cell(t: Any) -> str:
    if t is None:
        return ""
    if isinstance(t, ox.BlankNode):
        v = f"_:{t.value}"
    elif isinstance(t, ox.Triple):
        v = str(t)
    else:
        v = t.value
    if any(c in v for c in ',"\r\n'):
        v = '"' + v.replace('"', '""') + '"'
    return str(v)


def _tsv_cell(t: Any) -> str:
    if t is None:
        return ""
    return str(t).replace("\t", "\\t")  # pyoxigraph prints terms in N-Triples syntax


# ---- serialisation -------------------------------------------------------------------------

def serialize(o: QueryOutcome, mime: str) -> bytes:
    if o.kind == "graph":
        return serialize_triples(o.triples, mime)
    if mime == "application/sparql-results+json":
        if o.kind == "boolean":
            data: dict[str, Any] = {"head": {}, "boolean": o.boolean}
        else:
            data = {"head": {"vars": o.variables},
                    "results": {"bindings": [{k: term_json(v) for k, v in r.items()} for r in o.rows]}}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    if mime == "application/sparql-results+xml":
        parts = ['<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
        if o.kind == "boolean":
            parts.append(f"<head/><boolean>{'true' if o.boolean else 'false'}</boolean>")
        else:
            parts.append("<head>" + "".join(f"<variable name={quoteattr(v)}/>" for v in o.variables) + "</head>")
            parts.append("<results>")
            for r in o.rows:
                parts.append("<result>" + "".join(
                    f"<binding name={quoteattr(k)}>{_xml_term(v)}</binding>" for k, v in r.items()) + "</result>")
            parts.append("</results>")
        parts.append("</sparql>\n")
        return "\n".join(parts).encode()
    if mime == "text/csv":
        lines = [",".join(o.variables)] + [",".join(_csv_cell(r.get(v)) for v in o.variables) for r in o.rows]
        return ("\r\n".join(lines) + "\r\n").encode()
    if mime == "text/tab-separated-values":
        lines = ["\t".join("?" + v for v in o.variables)]
        lines += ["\t".join(_tsv_cell(r.get(v)) for v in o.variables) for r in o.rows]
        return ("\n".join(lines) + "\n").encode()
    raise ValueError(f"cannot serialise {o.kind} as {mime}")


def serialize_triples(triples: list[Any], mime: str) -> bytes:
    fmt = RDF_FORMATS[mime]
    prefixes = PREFIXES if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    return bytes(ox.serialize(triples, format=fmt, prefixes=prefixes) or b"")


def content_type(mime: str) -> str:
    """The Content-Type header for a media type (text types say their charset)."""
    return f"{mime}; charset=utf-8" if mime.startswith("text/") else mime


# ---- whole-graph export --------------------------------------------------------------------

EXPORT_TYPES = {"turtle": "text/turtle", "nquads": "application/n-quads", "trig": "application/trig",
                "jsonld": "application/ld+json", "ntriples": "application/n-triples"}


def serialize_export(quads: list[Any], fmt: str) -> bytes:
    """Quads of every document graph as one export.

    ``nquads``, ``trig`` and ``jsonld`` keep the named graphs (one per document version:
    the provenance of every triple); ``turtle`` and ``ntriples`` give their merge.
    """
    if fmt == "nquads":
        return bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS) or b"")
    if fmt == "trig":
        return bytes(ox.serialize(quads, format=ox.RdfFormat.TRIG, prefixes=PREFIXES) or b"")
    if fmt == "jsonld":
        return bytes(ox.serialize(quads, format=ox.RdfFormat.JSON_LD) or b"")
    if fmt in ("turtle", "ntriples"):
        triples = list(dict.fromkeys(q.triple for q in quads))
        mime = "text/turtle" if fmt == "turtle" else "application/n-triples"
        return serialize_triples(triples, mime)
    raise ValueError(f"unknown export format {fmt!r}; one of {sorted(EXPORT_TYPES)}")
