"""The vocabulary is closed and matches the Turtle; what ingest writes passes SHACL."""

from __future__ import annotations

import re

import pytest
from rdflib import OWL, RDF, Graph, URIRef

from policygraph.graph.namespace import PG
from policygraph.ontology.gazetteer import load_reference, ontology_path, shapes_path


def test_namespace_matches_turtle() -> None:
    g = Graph().parse(ontology_path())
    declared = {
        str(s).removeprefix(str(PG._NS))
        for t in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for s in g.subjects(RDF.type, t)
        if str(s).startswith(str(PG._NS))
    }
    in_code = {str(getattr(PG, n)).removeprefix(str(PG._NS)) for n in PG.__annotations__}
    assert declared == in_code
    with pytest.raises(AttributeError):
        _ = PG.NotAThing
    for term in declared:
        langs = {o.language for o in g.objects(URIRef(str(PG._NS) + term), URIRef("http://www.w3.org/2000/01/rdf-schema#label"))}
        assert {"ja", "en"} <= langs, term


def test_reference_data_is_consistent() -> None:
    entries = load_reference()
    keys = [e.key for e in entries]
    assert len(keys) == len(set(keys)) and len(keys) > 50
    for e in entries:
        assert e.label and e.type in ("Agency", "System", "Law", "Plan", "Program", "Other")
        assert e.parent is None or e.parent in keys
    shapes = shapes_path().read_text(encoding="utf-8")
    pattern = re.search(r'sh:path pg:egovLawId ;[^"]*sh:pattern "([^"]+)"', shapes)
    assert pattern is not None
    for e in entries:  # every id the reference data carries passes the shape a document graph is checked by
        assert e.egov_id is None or re.match(pattern.group(1), e.egov_id), e
    laws = [e for e in entries if e.law_number]
    from policygraph.ingest.extract.gazetteer import egov_law_id, law_number_spans

    assert len(laws) > 100
    for e in laws:
        (_, _, era, kind, year, num), = law_number_spans(f"({e.law_number})")
        computed = egov_law_id(era, year, kind, num)
        if e.egov_id is None:
            continue
        # a member's bill has its house in the id (AC1… 衆議院, AC01… 参議院), which the
        # number does not show: egov_law_id assumes a cabinet bill, the reference data knows
        assert computed is not None and e.egov_id[:5] == computed[:5] and e.egov_id[7:] == computed[7:], e
        assert e.egov_id[5:7] in ("00", "10", "01"), e


@pytest.mark.slow
@pytest.mark.parametrize("name", ["002_612a93dd4efe0060.txt", "003_edaa57c9a9888363.txt"])  # 003: citations
def test_ingested_graph_conforms_to_shapes(service, name: str) -> None:
    from pathlib import Path

    from pyshacl import validate

    from policygraph.graph.build import document_graph
    from policygraph.ingest.pipeline import analyse
    from policygraph.ingest.readers import read_file

    corpus = Path(__file__).parent / "data" / "corpus"
    x = analyse([read_file(corpus / name)], service.analyzer)[0]
    data = document_graph(x, service.iris)
    ok, _, report = validate(data, shacl_graph=Graph().parse(shapes_path()), ont_graph=Graph().parse(ontology_path()),
                             inference="rdfs")
    assert ok, report


@pytest.mark.slow
def test_ingest_refuses_a_graph_that_does_not_conform(service) -> None:
    """Every ingest validates the document graph (the session's corpus ingest passed it);
    a measure whose actor is a system, or a citation of no article, is refused by name."""
    import dataclasses
    from pathlib import Path

    from policygraph.core.errors import NonConformingGraph
    from policygraph.graph.build import document_graph
    from policygraph.graph.validate import check_document, violations
    from policygraph.ingest.pipeline import analyse
    from policygraph.ingest.readers import read_file

    x = analyse([read_file(Path(__file__).parent / "data" / "corpus" / "001_214d2fa169fb0a94.txt")],
                service.analyzer)[0]
    assert violations(document_graph(x, service.iris)) == []
    system = next(e.key for e in x.entities if e.type == "System")
    bad = dataclasses.replace(x, measures=(dataclasses.replace(x.measures[0], actors=(system,)),
                                           *x.measures[1:]))
    with pytest.raises(NonConformingGraph) as err:
        check_document(document_graph(bad, service.iris), x.doc.source)
    assert err.value.source == x.doc.source and "actor" in err.value.detail
