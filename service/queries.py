"""SPARQL the service runs against the graph store (read side).

A ``#bind`` line is where :func:`graph.store.with_values` binds a template's variables
(``?entity``, ``?doc``) to terms; without ``bind=`` it is a comment and the template
runs over everything."""

from __future__ import annotations

from policygraph.ontology import PG_NS

PREFIXES = f"""PREFIX pg: <{PG_NS}>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
"""

DOCUMENTS = PREFIXES + """
SELECT ?doc ?source ?checksum ?title ?type ?issued ?format ?valid ?retention
       (GROUP_CONCAT(DISTINCT ?num; separator="\\u001f") AS ?numbers)
       (GROUP_CONCAT(DISTINCT ?iss; separator="\\u001f") AS ?issuers)
       (GROUP_CONCAT(DISTINCT ?adr; separator="\\u001f") AS ?addressees)
WHERE {
  ?doc a pg:Document ; pg:source ?source ; pg:checksum ?checksum ; dcterms:title ?title .
  OPTIONAL { ?doc pg:documentType ?type }
  OPTIONAL { ?doc dcterms:issued ?issued }
  OPTIONAL { ?doc pg:format ?format }
  OPTIONAL { ?doc pg:validUntil ?valid }
  OPTIONAL { ?doc pg:retention ?retention }
  OPTIONAL { ?doc pg:documentNumber ?num }
  OPTIONAL { ?doc pg:issuerText ?iss }
  OPTIONAL { ?doc pg:addressee ?adr }
}
GROUP BY ?doc ?source ?checksum ?title ?type ?issued ?format ?valid ?retention
ORDER BY ?source
"""

CITATIONS = PREFIXES + """
SELECT ?doc ?rel ?title WHERE {
  VALUES ?rel { pg:cites pg:repeals }
  ?doc ?rel ?cited . ?cited dcterms:title ?title .
}
"""

ENTITIES = PREFIXES + """
SELECT ?e ?key ?label ?class (GROUP_CONCAT(DISTINCT COALESCE(?alt, ""); separator="\\u001f") AS ?aliases) ?parent
WHERE {
  # within one document's graph: every document graph repeats an entity's triples, and
  # joined over their union the rows multiply with the number of documents (to the power
  # of the patterns); an alias missing from one graph must not blank the others (COALESCE)
  GRAPH ?g {
    ?e a pg:Entity ; pg:entityKey ?key ; skos:prefLabel ?label ; a ?class .
    FILTER(?class != pg:Entity)
    OPTIONAL { ?e skos:altLabel ?alt }
    OPTIONAL { ?e org:subOrganizationOf ?parent }
  }
}
GROUP BY ?e ?key ?label ?class ?parent
"""

# one document's rows of the three above (?doc, ?g bound): a batch's documents merged
# into the catalog without re-reading the store (Catalog.with_documents)
DOCUMENTS_OF = DOCUMENTS.replace("WHERE {\n  ?doc a pg:Document", "WHERE {\n  #bind\n  ?doc a pg:Document", 1)
CITATIONS_OF = CITATIONS.replace("SELECT ?doc ?rel ?title WHERE {\n", "SELECT ?doc ?rel ?title WHERE {\n  #bind\n", 1)
# (?g bound inside its GRAPH pattern: bound before it, Oxigraph reads every graph first)
ENTITIES_OF = ENTITIES.replace("GRAPH ?g {\n", "GRAPH ?g {\n    #bind\n", 1)
if not all("#bind" in q for q in (DOCUMENTS_OF, CITATIONS_OF, ENTITIES_OF)):
    raise RuntimeError("a catalog query no longer has the place its document is bound")

ENTITY_COUNTS = PREFIXES + """
SELECT ?e (COUNT(DISTINCT ?p) AS ?passages) (COUNT(DISTINCT ?doc) AS ?docs) WHERE {
  ?m pg:mentionOf ?e ; pg:inPassage ?p .
  ?p pg:inDocument ?doc .
}
GROUP BY ?e
"""

MENTIONS = PREFIXES + """
SELECT ?p ?doc ?path ?text ?ps ?pe ?surface ?ms ?me WHERE {
  #bind
  ?m pg:mentionOf ?entity ; pg:inPassage ?p ; pg:surface ?surface ;
     pg:startOffset ?ms ; pg:endOffset ?me .
  ?p pg:inDocument ?doc ; pg:sectionPath ?path ; pg:text ?text ;
     pg:startOffset ?ps ; pg:endOffset ?pe .
}
ORDER BY ?doc ?ps ?ms
"""

MEASURES = PREFIXES + """
SELECT ?m ?doc ?path ?text ?start ?end ?passage ?actorText
       (GROUP_CONCAT(DISTINCT STR(?actor); separator=" ") AS ?actors)
       (GROUP_CONCAT(DISTINCT STR(?system); separator=" ") AS ?systems)
       (GROUP_CONCAT(DISTINCT STR(?rel); separator=" ") AS ?related)
WHERE {
  ?m a pg:Measure ; pg:inDocument ?doc ; pg:sectionPath ?path ; pg:text ?text ;
     pg:startOffset ?start ; pg:endOffset ?end ; pg:inPassage ?passage .
  OPTIONAL { ?m pg:actorText ?actorText }
  OPTIONAL { ?m pg:actor ?actor }
  OPTIONAL { ?m pg:system ?system }
  OPTIONAL { ?m pg:relatedTo ?rel }
}
GROUP BY ?m ?doc ?path ?text ?start ?end ?passage ?actorText
ORDER BY ?doc ?start
"""

DEADLINES = PREFIXES + """
SELECT ?m ?d ?kind ?text ?part ?start ?end ?duration ?event WHERE {
  ?m pg:deadline ?d . ?d pg:deadlineKind ?kind ; pg:verbatim ?text .
  OPTIONAL { ?d pg:part ?part }
  OPTIONAL { ?d pg:startDate ?start }
  OPTIONAL { ?d pg:endDate ?end }
  OPTIONAL { ?d pg:duration ?duration }
  OPTIONAL { ?d pg:event ?event }
}
ORDER BY ?m ?d
"""

ARTICLES = PREFIXES + """
SELECT DISTINCT ?art ?article ?c ?surface ?cs ?ce ?p ?doc ?path WHERE {
  #bind
  GRAPH ?g {
    ?art eli:is_part_of ?entity ; pg:article ?article .
    ?c pg:citationOf ?art ; pg:inPassage ?p ; pg:surface ?surface ; pg:startOffset ?cs ; pg:endOffset ?ce .
    ?p pg:inDocument ?doc ; pg:sectionPath ?path .
  }
}
ORDER BY ?doc ?cs
"""

RUNS_ON = PREFIXES + """
SELECT DISTINCT ?s ?o WHERE {
  #bind
  { ?entity pg:runsOn ?o . BIND(?entity AS ?s) } UNION { ?s pg:runsOn ?entity . BIND(?entity AS ?o) }
}
"""

PASSAGE_TEXT = PREFIXES + """
SELECT ?p ?doc ?path ?text ?start ?end ?heading ?page ?endPage WHERE {
  #bind
  ?p a pg:Passage ; pg:inDocument ?doc ; pg:sectionPath ?path ; pg:text ?text ;
     pg:startOffset ?start ; pg:endOffset ?end .
  OPTIONAL { ?p pg:heading ?heading }
  OPTIONAL { ?p pg:page ?page }
  OPTIONAL { ?p pg:endPage ?endPage }
}
ORDER BY ?start
"""

REINDEX_PASSAGES = PREFIXES + """
SELECT ?p ?doc ?source ?checksum ?title ?path ?text ?start ?end ?heading ?lead ?page ?endPage WHERE {
  #bind
  ?p a pg:Passage ; pg:inDocument ?doc ; pg:sectionPath ?path ; pg:text ?text ;
     pg:startOffset ?start ; pg:endOffset ?end .
  ?doc pg:source ?source ; pg:checksum ?checksum ; dcterms:title ?title .
  OPTIONAL { ?p pg:heading ?heading }
  OPTIONAL { ?p pg:leadText ?lead }
  FILTER NOT EXISTS { ?p pg:tableOfContents true }
  OPTIONAL { ?p pg:page ?page }
  OPTIONAL { ?p pg:endPage ?endPage }
}
ORDER BY ?doc ?start
"""

REINDEX_MENTIONS = PREFIXES + """
SELECT ?p ?key ?class (MIN(?s) AS ?first) WHERE {
  #bind
  GRAPH ?g {
    ?m pg:mentionOf ?e ; pg:inPassage ?p ; pg:startOffset ?s . ?e pg:entityKey ?key ; a ?class .
    ?p pg:inDocument ?doc .
  }
  FILTER(?class != pg:Entity)
}
GROUP BY ?doc ?p ?key ?class
ORDER BY ?p ?first
"""

REINDEX_ACTORS = PREFIXES + """
SELECT DISTINCT ?p ?key WHERE {
  #bind
  GRAPH ?g {
    ?ms a pg:Measure ; pg:inPassage ?p ; pg:actor ?e . ?e pg:entityKey ?key .
    ?p pg:inDocument ?doc .
  }
}
"""

REINDEX_DEADLINES = PREFIXES + """
SELECT ?p ?kind ?start ?end WHERE {
  #bind
  ?ms pg:inPassage ?p ; pg:deadline ?d . ?d pg:deadlineKind ?kind .
  ?p pg:inDocument ?doc .
  OPTIONAL { ?d pg:startDate ?start } OPTIONAL { ?d pg:endDate ?end }
}
"""

# every searchable passage (a 目次 block is not indexed) with its document: what the
# index must hold, one point per passage
SEARCHABLE_PASSAGES = PREFIXES + """
SELECT ?p ?doc WHERE {
  ?p a pg:Passage ; pg:inDocument ?doc . FILTER NOT EXISTS { ?p pg:tableOfContents true }
}
"""

# searchable passages (a 目次 block is not indexed), so it matches the index's points
PASSAGE_COUNT = PREFIXES + """
SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a pg:Passage FILTER NOT EXISTS { ?p pg:tableOfContents true } }
"""
