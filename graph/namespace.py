"""The policygraph vocabulary as a closed rdflib namespace (a typo fails loudly),
checked against ontology/policygraph.ttl by tests/test_ontology.py."""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS, TIME, XSD, DefinedNamespace

from policygraph.ontology import PG_NS, REF_NS

ELI = Namespace("http://data.europa.eu/eli/ontology#")
REF = Namespace(REF_NS)

__all__ = ["DCTERMS", "ELI", "ORG", "PG", "PROV", "RDF", "RDFS", "REF", "SKOS", "TIME", "XSD"]


class PG(DefinedNamespace):
    _NS = Namespace(PG_NS)
    _fail = True

    # classes
    Document: URIRef
    Section: URIRef
    Passage: URIRef
    Measure: URIRef
    Entity: URIRef
    Agency: URIRef
    GenericActor: URIRef
    System: URIRef
    Law: URIRef
    Plan: URIRef
    Program: URIRef
    OtherEntity: URIRef
    Mention: URIRef
    Citation: URIRef
    Deadline: URIRef
    # document
    source: URIRef
    checksum: URIRef
    format: URIRef
    documentType: URIRef
    documentNumber: URIRef
    issuedBy: URIRef
    issuerText: URIRef
    addressee: URIRef
    retention: URIRef
    validUntil: URIRef
    cites: URIRef
    repeals: URIRef
    ordinal: URIRef
    page: URIRef
    endPage: URIRef
    # structure
    inDocument: URIRef
    section: URIRef
    sectionPath: URIRef
    sectionMarker: URIRef
    heading: URIRef
    startOffset: URIRef
    endOffset: URIRef
    text: URIRef
    leadText: URIRef
    tableOfContents: URIRef
    inPassage: URIRef
    # entities
    mentions: URIRef
    mentionOf: URIRef
    citationOf: URIRef
    citesArticle: URIRef
    article: URIRef
    surface: URIRef
    lawNumber: URIRef
    egovLawId: URIRef
    runsOn: URIRef
    partOf: URIRef
    relatedTo: URIRef
    entityKey: URIRef
    # measures
    actor: URIRef
    actorText: URIRef
    system: URIRef
    deadline: URIRef
    part: URIRef
    deadlineKind: URIRef
    verbatim: URIRef
    startDate: URIRef
    endDate: URIRef
    duration: URIRef
    event: URIRef
