"""ExtractedDocument → RDF: one named graph per document, built with rdflib.

Every extracted node points back to the passage it came from (``prov:wasDerivedFrom``)
and carries its character offsets, so any triple can be traced to its source.
Entities are written into the graph of each document that mentions them; the
default graph (queried as the union of the named graphs) merges them.
"""

from __future__ import annotations

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef

from policygraph.core.records import SECTION_SEP, Citation, Deadline, Entity, ExtractedDocument, Measure
from policygraph.graph.iris import Iris
from policygraph.graph.namespace import DCTERMS, ELI, ORG, PG, PROV, SKOS
from policygraph.ontology import ENTITY_CLASSES

ENTITY_CLASS = {type_: PG[local] for local, type_ in ENTITY_CLASSES.items() if local != "GenericActor"}
SEP = SECTION_SEP


def _lit(value: object, dt: URIRef | None = None) -> Literal:
    return Literal(value, datatype=dt) if dt else Literal(value)


def document_graph(x: ExtractedDocument, iris: Iris) -> Graph:
    g = Graph(identifier=URIRef(iris.graph(x.doc.id)))
    doc = URIRef(iris.doc(x.doc.id))
    m = x.meta
    g.add((doc, RDF.type, PG.Document))
    g.add((doc, PG.source, _lit(x.doc.source)))
    g.add((doc, PG.checksum, _lit(x.doc.checksum)))
    g.add((doc, PG.format, _lit(x.doc.format)))
    g.add((doc, DCTERMS.title, Literal(m.title or x.doc.source, lang="ja")))
    if m.doc_type:
        g.add((doc, PG.documentType, _lit(m.doc_type)))
    if m.date:
        g.add((doc, DCTERMS.issued, _lit(m.date, XSD.date)))
    if m.valid_until:
        g.add((doc, PG.validUntil, _lit(m.valid_until, XSD.date)))
    if m.retention:
        g.add((doc, PG.retention, _lit(m.retention)))
    for n in m.numbers:
        g.add((doc, PG.documentNumber, _lit(n)))
    for s in m.issuers:
        g.add((doc, PG.issuerText, _lit(s)))
    for s in m.addressees:
        g.add((doc, PG.addressee, _lit(s)))
    for t in m.cites:
        cited = URIRef(iris.entity("doc-" + _key(t)))
        g.add((doc, PG.cites, cited))
        g.add((cited, RDF.type, PG.Document))
        g.add((cited, DCTERMS.title, Literal(t, lang="ja")))
        if t in m.repeals:
            g.add((doc, PG.repeals, cited))
    _passages(g, x, iris, doc)
    for e in x.entities:
        _entity(g, e, iris)
    for men in x.mentions:
        node = URIRef(iris.mention(men.passage_id, men.start, men.end, men.entity))
        ent = URIRef(iris.entity(men.entity))
        psg = URIRef(iris.passage(men.passage_id))
        _anchored(g, node, PG.Mention, PG.mentionOf, ent, psg, men.surface, men.start, men.end)
        g.add((psg, PG.mentions, ent))
    for c in x.citations:
        _citation(g, c, iris)
    for ms in x.measures:
        _measure(g, ms, iris, doc)
    for r in x.relations:
        g.add((URIRef(iris.entity(r.subject)), PG[r.predicate], URIRef(iris.entity(r.object))))
    return g


def _key(title: str) -> str:
    from policygraph.core.ids import sha

    return sha(title, n=12)


def _passages(g: Graph, x: ExtractedDocument, iris: Iris, doc: URIRef) -> None:
    for s in x.sections:
        if not s.path:
            continue
        node = URIRef(iris.section(x.doc.id, s.path))
        g.add((node, RDF.type, PG.Section))
        g.add((node, PG.inDocument, doc))
        g.add((node, PG.sectionPath, _lit(SEP.join(s.path))))
        g.add((node, PG.sectionMarker, _lit(s.path[-1])))
        if s.title:
            g.add((node, RDFS.label, Literal(s.title, lang="ja")))
        g.add((node, PG.startOffset, _lit(s.start, XSD.integer)))
        g.add((node, PG.endOffset, _lit(s.end, XSD.integer)))
    for p in x.passages:
        node = URIRef(iris.passage(p.id))
        g.add((node, RDF.type, PG.Passage))
        g.add((node, PG.inDocument, doc))
        g.add((node, PG.ordinal, _lit(p.ordinal, XSD.integer)))
        g.add((node, PG.sectionPath, _lit(SEP.join(p.section))))
        if p.heading:
            g.add((node, PG.heading, _lit(p.heading)))
        g.add((node, PG.startOffset, _lit(p.start, XSD.integer)))
        g.add((node, PG.endOffset, _lit(p.end, XSD.integer)))
        g.add((node, PG.text, _lit(p.text)))
        if p.lead:
            g.add((node, PG.leadText, _lit(p.lead)))
        if p.contents:
            g.add((node, PG.tableOfContents, _lit(True, XSD.boolean)))
        page, last = x.doc.page_at(p.start), x.doc.page_at(max(p.start, p.end - 1))
        if page is not None:
            g.add((node, PG.page, _lit(page, XSD.integer)))
        if last is not None and last != page:
            g.add((node, PG.endPage, _lit(last, XSD.integer)))


def _entity(g: Graph, e: Entity, iris: Iris) -> None:
    node = URIRef(iris.entity(e.key))
    g.add((node, RDF.type, PG.GenericActor if e.generic else ENTITY_CLASS.get(e.type, PG.OtherEntity)))
    g.add((node, RDF.type, PG.Entity))
    g.add((node, SKOS.prefLabel, Literal(e.label, lang="ja")))
    g.add((node, PG.entityKey, _lit(e.key)))
    for a in e.aliases:
        g.add((node, SKOS.altLabel, Literal(a, lang="ja")))
    if e.parent:
        g.add((node, ORG.subOrganizationOf, URIRef(iris.entity(e.parent))))
    if e.law_number:
        g.add((node, PG.lawNumber, _lit(e.law_number)))
    if e.egov_id:
        g.add((node, PG.egovLawId, _lit(e.egov_id)))


def _citation(g: Graph, c: Citation, iris: Iris) -> None:
    """The cited article as an ELI subdivision of its law; the citation as a node with
    its passage and offsets, like a mention."""
    law = URIRef(iris.entity(c.law))
    art = URIRef(iris.article(c.law, c.article))
    node = URIRef(iris.citation(c.passage_id, c.start, c.end, c.law, c.article))
    psg = URIRef(iris.passage(c.passage_id))
    g.add((art, RDF.type, ELI.LegalResourceSubdivision))
    g.add((art, ELI.is_part_of, law))
    g.add((art, PG.article, _lit(c.article)))
    _anchored(g, node, PG.Citation, PG.citationOf, art, psg, c.surface, c.start, c.end)
    g.add((psg, PG.citesArticle, art))


def _anchored(g: Graph, node: URIRef, cls: URIRef, of: URIRef, target: URIRef, passage: URIRef,
              surface: str, start: int, end: int) -> None:
    """A node standing for a span of a passage (a mention, a citation) and what it names."""
    g.add((node, RDF.type, cls))
    g.add((node, of, target))
    g.add((node, PG.inPassage, passage))
    g.add((node, PG.surface, _lit(surface)))
    g.add((node, PG.startOffset, _lit(start, XSD.integer)))
    g.add((node, PG.endOffset, _lit(end, XSD.integer)))


def _measure(g: Graph, ms: Measure, iris: Iris, doc: URIRef) -> None:
    node = URIRef(iris.measure(ms.id))
    psg = URIRef(iris.passage(ms.passage_id))
    g.add((node, RDF.type, PG.Measure))
    g.add((node, PG.inDocument, doc))
    g.add((node, PG.inPassage, psg))
    g.add((node, PROV.wasDerivedFrom, psg))
    g.add((node, PG.sectionPath, _lit(SEP.join(ms.section))))
    g.add((node, PG.text, _lit(ms.text)))
    g.add((node, PG.startOffset, _lit(ms.start, XSD.integer)))
    g.add((node, PG.endOffset, _lit(ms.end, XSD.integer)))
    for a in ms.actors:
        g.add((node, PG.actor, URIRef(iris.entity(a))))
    if ms.actor_text:
        g.add((node, PG.actorText, _lit(ms.actor_text)))
    for s in ms.systems:
        g.add((node, PG.system, URIRef(iris.entity(s))))
    for r in ms.related:
        g.add((node, PG.relatedTo, URIRef(iris.entity(r))))
    for i, d in enumerate(ms.deadlines):
        _deadline(g, URIRef(iris.deadline(ms.id, i)), d, node)


def _deadline(g: Graph, node: URIRef, d: Deadline, measure: URIRef) -> None:
    g.add((measure, PG.deadline, node))
    g.add((node, RDF.type, PG.Deadline))
    g.add((node, PG.deadlineKind, _lit(d.kind)))
    g.add((node, PG.verbatim, _lit(d.text)))
    if d.part:
        g.add((node, PG.part, _lit(d.part)))
    if d.start:
        g.add((node, PG.startDate, _lit(d.start, XSD.date)))
    if d.end:
        g.add((node, PG.endDate, _lit(d.end, XSD.date)))
    if d.duration:
        # the ISO 8601 form as a plain string: Virtuoso 7 cannot store xsd:duration literals
        g.add((node, PG.duration, Literal(d.duration)))
    if d.event:
        g.add((node, PG.event, _lit(d.event)))
