"""Article citations of laws and systems that run on a platform, on the sample corpus:
extracted, in the graph (ELI subdivisions, pg:Citation nodes valid against the shapes),
on the entity API and in SPARQL."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.slow


def test_law_articles_are_cited_with_their_passages(service) -> None:
    d = service.entity_by_name("道路交通法")
    arts = {a["article"]: a for a in d["articles"]}
    # 法第109条: the short term 003 defines for the law (道路交通法（昭和35年法律第105号。以下「法」という。）)
    [c] = arts["第109条"]["citations"]
    assert c["surface"] == "法第109条" and c["document"]["source"].startswith("003_")
    assert {"第103条第3項", "第107条の5第9項"} <= set(arts)
    assert arts["第103条第3項"]["iri"].endswith("/article/103/paragraph/3")
    # the term's use is a mention of the law too
    assert any(s["surface"] == "法" for m in d["mentions"] for s in m["surfaces"])
    law = service.entity_by_name("行政不服審査法")
    assert [a["article"] for a in law["articles"]] == ["第82条"]  # （平成26年法律第68号）第82条


def test_systems_that_run_on_a_platform(service) -> None:
    related = {(r["label"], r["relation"]) for r in service.entity_by_name("警察共通基盤")["related"]}
    assert {("運転者管理システム", "hostsSystem"), ("遺失物管理システム", "hostsSystem")} <= related
    own = {(r["label"], r["relation"]) for r in service.entity_by_name("運転者管理システム")["related"]}
    assert ("警察共通基盤", "runsOn") in own
    assert "警察共通基盤" not in service.entity_by_name("運転者管理システム")["entity"]["aliases"]  # distinct


def test_citations_and_relations_in_sparql(service) -> None:
    q = """PREFIX pg: <https://w3id.org/policygraph/ns#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?law ?article WHERE {
  ?c a pg:Citation ; pg:citationOf ?a . ?a eli:is_part_of/skos:prefLabel ?law ; pg:article ?article .
  FILTER(?article = "第109条") }"""
    _, body = service.sparql(q, "application/sparql-results+json")
    rows = json.loads(body)["results"]["bindings"]
    assert [(r["law"]["value"], r["article"]["value"]) for r in rows] == [("道路交通法", "第109条")]
    q2 = """PREFIX pg: <https://w3id.org/policygraph/ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?s WHERE { ?x pg:runsOn ?p . ?p skos:prefLabel "警察共通基盤"@ja . ?x skos:prefLabel ?s }"""
    _, body = service.sparql(q2, "application/sparql-results+json")
    assert "運転者管理システム" in {r["s"]["value"] for r in json.loads(body)["results"]["bindings"]}
