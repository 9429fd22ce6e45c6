"""Attacks on the graph's read side, performed through the public interface: SPARQL
injection through ``/id/{path}``, federated queries (SERVICE) that slip past the
read-only check, and what they could reach.  A listener on loopback stands for the
internal URL an attacker would make the server fetch: it must never be called."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyoxigraph as ox
import pytest
import sample_graph as sample
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from live_server import LiveServer

from policygraph.api.app import create_app
from policygraph.api.cli import main
from policygraph.core.errors import QueryRefused
from policygraph.core.settings import Settings
from policygraph.graph.query_text import check_read_only
from policygraph.graph.store import OxigraphStore
from policygraph.service.service import Service

BASE = "http://127.0.0.1:8000"


class Listener:
    """A TCP listener on loopback that counts the connections it is sent."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.hits += 1
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                         b"Content-Length: 58\r\n\r\n"
                         b'{"head":{"vars":["x"]},"results":{"bindings":[{}]}}      ')
            conn.close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    lst = Listener()
    yield lst
    lst.sock.close()


@pytest.fixture(scope="module")
def app_svc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Service, OxigraphStore]]:
    store = OxigraphStore(None)
    sample.load_into(store, BASE)
    s = Settings(data=tmp_path_factory.mktemp("sec-sparql"), base_iri=BASE)
    svc = Service(s, graph=store)
    yield TestClient(create_app(s, svc), base_url="http://127.0.0.1"), svc, store
    svc.close()


@pytest.fixture(scope="module")
def client(app_svc: tuple[TestClient, Service, OxigraphStore]) -> TestClient:
    return app_svc[0]


def _federated(url: str) -> list[str]:
    """SERVICE written every way the grammar (and Oxigraph's parser) accepts it."""
    body = "{ ?x ?y ?z }"
    return [
        f"SELECT * WHERE {{ SERVICE <{url}> {body} }}",
        f"SELECT * WHERE {{ {{}} .SERVICE <{url}> {body} }}",  # a keyword after a dot
        f"SELECT * WHERE {{ ?a ?b ?c OPTIONAL{{}}SERVICE <{url}> {body} }}",
        f"SELECT * WHERE {{ ?a ?b 1.SERVICE <{url}> {body} }}",
        f'SELECT * WHERE {{ ?s ?p "x"@en.SERVICE <{url}> {body} }}',
        f"PREFIX : <{url}#> SELECT * WHERE {{ SERVICE:x {body} }}",  # Oxigraph: SERVICE + the IRI :x
        f"PREFIX s: <{url}#> SELECT * WHERE {{ SERVICE s:x {body} }}",
        f"SELECT * WHERE {{ SERVICE<{url}>{body} }}",
        f"SELECT * WHERE {{ service silent <{url}> {body} }}",
        f"SELECT * WHERE {{ SERVICE#comment\n<{url}> {body} }}",
        f"BASE <{url}> SELECT * WHERE {{ SERVICE <> {body} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {body} }}",
        f"ASK {{ {{ SELECT * WHERE {{ SERVICE <{url}> {body} }} }} }}",
        f"CONSTRUCT {{ ?x ?y ?z }} WHERE {{ SERVICE <{url}> {body} }}",
    ]


def test_the_listener_is_reachable_by_an_unchecked_store(listener: Listener) -> None:
    """The attack is real: the embedded store itself fetches a SERVICE IRI, so only our
    check stands between a client and our network."""
    before = listener.hits
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://a/s"), ox.NamedNode("http://a/p"), ox.Literal("o")))
    with contextlib.suppress(RuntimeError, OSError):  # whatever it made of the answer
        list(store.query(f"SELECT * WHERE {{ ?s ?p ?o SERVICE <{listener.url}> {{ ?x ?y ?z }} }}",
                         use_default_graph_as_union=True))
    assert listener.hits > before


def test_sparql_refuses_every_spelling_of_service(client: TestClient, listener: Listener) -> None:
    before = listener.hits
    for q in _federated(listener.url):
        for r in (client.get("/sparql", params={"query": q}),
                  client.post("/sparql", content=q.encode(), headers={"Content-Type": "application/sparql-query"}),
                  client.post("/sparql", data={"query": q})):
            assert r.status_code == 403, (q, r.status_code, r.text)
            assert r.headers["content-type"].startswith("application/problem+json")
            assert "SERVICE" in r.json()["detail"]
    assert listener.hits == before


def test_cli_sparql_refuses_service(tmp_path: Path, listener: Listener, capsys: pytest.CaptureFixture[str]) -> None:
    before = listener.hits
    for q in _federated(listener.url):
        assert main(["--data", str(tmp_path / "d"), "sparql", q]) == 2, q
        assert "SERVICE" in capsys.readouterr().err
    assert listener.hits == before


_SEPARATORS = st.sampled_from([" ", "\n", "\t", ".", "{}", "{} .", ";", "#c\n", "}", "OPTIONAL{}", "1.", '"x".',
                               '"x"@en.', "?v.", "<x:y>", "FILTER(true)"])


@settings(max_examples=300, deadline=None, database=None)
@given(before=_SEPARATORS, after=st.sampled_from([" ", "", "\n", "#c\n", " SILENT "]),
       spelling=st.sampled_from(["SERVICE", "service", "Service", "sErViCe"]),
       target=st.sampled_from(["<http://127.0.0.1:9/x>", "?u", ":x", "p:x", "<>"]))
def test_no_separator_hides_service(before: str, after: str, spelling: str, target: str) -> None:
    """Wherever SERVICE stands and whatever precedes it, the check sees it."""
    q = f"PREFIX : <http://127.0.0.1:9/> PREFIX p: <http://127.0.0.1:9/> SELECT * WHERE {{ ?s ?p ?o {before}{spelling}{after}{target} {{ ?x ?y ?z }} }}"
    with pytest.raises(QueryRefused):
        check_read_only(q)


@pytest.mark.parametrize("q", [
    'PREFIX ex: <http://e/> SELECT ?service WHERE { ?service ex:serviceType "SERVICE" } # SERVICE <http://x>',
    "PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:a.service ?o }",
    "SELECT * WHERE { ?s <http://e/SERVICE> ?o }",
])
def test_service_as_a_name_is_not_refused(q: str) -> None:
    assert check_read_only(q).form == "SELECT"


# ---- /id/{path}: IRIs are bound terms, the path one of the scheme's shapes ---------------

INJECTION = "entity/x> ?p ?o . ?s ?q ?v } WHERE { ?s ?q ?v } #"


def test_id_path_injection_returns_nothing(client: TestClient, listener: Listener) -> None:
    before = listener.hits
    attacks = [
        INJECTION,
        f"entity/x> ?p ?o }} WHERE {{ SERVICE <{listener.url}> {{ ?x ?y ?z }} }} #",
        "entity/x> ?p ?o } WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } #",  # a cross product
        "measure/x> ?p ?o } WHERE { ?s ?q ?v } #",
        "graph/a b",
        "doc/x\x00",
        "passage/x\\u003E",
    ]
    for path in attacks:
        for accept in ("text/turtle", "text/html", "application/ld+json"):
            r = client.get("/id/" + quote(path, safe="/"), headers={"Accept": accept}, follow_redirects=False)
            assert r.status_code == 404, (path, accept, r.status_code, r.text[:200])
            assert r.headers["content-type"].startswith("application/problem+json")
            assert len(r.content) < 2000
    for raw in ("/id/graph/%2E%2E", "/id/doc/%2e", "/id/entity/a%2Fb%3E"):  # sent as written
        assert client.get(raw).status_code == 404, raw
    assert listener.hits == before


def test_minted_iris_still_dereference(app_svc: tuple[TestClient, Service, OxigraphStore]) -> None:
    client, svc, _ = app_svc
    iris = [r["s"] for r in svc.graph.select("SELECT DISTINCT ?s WHERE { ?s ?p ?o }")
            if str(r["s"]).startswith(BASE + "/id/")]
    assert len(iris) > 20
    for iri in iris:
        r = client.get(iri[len(BASE):], headers={"Accept": "application/n-triples"})
        assert r.status_code == 200, (iri, r.text[:200])
        assert iri in r.text
    graphs = {str(r["g"]) for r in svc.graph.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    for g in graphs:
        r = client.get(g[len(BASE):], headers={"Accept": "application/n-triples"})
        assert r.status_code == 200 and r.text.count("\n") > 10, g


def test_dereference_has_the_endpoint_result_cap(tmp_path: Path) -> None:
    store = OxigraphStore(None)
    sample.load_into(store, BASE)
    s = Settings(data=tmp_path, base_iri=BASE, sparql_max_results=5)
    svc = Service(s, graph=store)
    c = TestClient(create_app(s, svc), base_url="http://127.0.0.1")
    g = next(str(r["g"]) for r in svc.graph.select("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"))
    r = c.get(g[len(BASE):])
    assert r.status_code == 400 and r.json()["title"] == "Result limit exceeded"


def test_store_reads_bind_iris_as_terms(app_svc: tuple[TestClient, Service, OxigraphStore]) -> None:
    """The service's own parameterised reads take the IRI as a term: text that would
    close the IRI and open a pattern is refused as not an IRI, never run."""
    from policygraph.core.errors import BadInput

    _, svc, _ = app_svc
    with pytest.raises(BadInput):
        svc.graph.graph_triples(f"{BASE}/id/graph/x> ?p ?o . ?s ?q ?v")
    with pytest.raises(BadInput):
        svc.writes.graph_rows(f"{BASE}/id/doc/x> ?p ?o")
    assert svc.entities()["total"] > 0
    first: Any = svc.entities()["entities"][0]
    assert svc.entity(first["id"])["entity"]["id"] == first["id"]


# ---- runaway queries: evaluated where they can be stopped ------------------------------------

CROSS4_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def _disk_app(tmp_path: Path, **kw: Any) -> tuple[Any, Service]:
    store = OxigraphStore(tmp_path / "graph")
    sample.load_into(store, BASE)
    s = Settings(data=tmp_path, base_iri=BASE, **kw)
    svc = Service(s, graph=store)
    return create_app(s, svc), svc


def test_uninterruptible_queries_are_killed_at_the_limit(tmp_path: Path) -> None:
    import time

    import httpx

    app, svc = _disk_app(tmp_path, sparql_timeout_s=1.5, sparql_workers=4, sparql_max_per_client=8)
    with LiveServer(app) as srv, httpx.Client(base_url=srv.url, timeout=60) as c:
        r = c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert r.status_code == 200 and r.json()["boolean"] is True, r.text  # workers up
        time.sleep(3)
        statuses: list[tuple[int, float]] = []

        def runaway() -> None:
            t0 = time.monotonic()
            with httpx.Client(base_url=srv.url, timeout=60) as own:
                statuses.append((own.get("/sparql", params={"query": CROSS4_COUNT}).status_code,
                                 time.monotonic() - t0))

        threads = [threading.Thread(target=runaway) for _ in range(4)]  # every worker busy
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert [s for s, _ in statuses] == [503] * 4, statuses
        assert all(took < 5 for _, took in statuses), statuses
        # the workers were killed, not left computing: the endpoint answers at once
        t0 = time.monotonic()
        r = c.get("/sparql", params={"query": "ASK {}"})
        assert r.status_code == 200 and time.monotonic() - t0 < 3, r.text
        assert app.state.sparql_processes.killed == 4
        assert c.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"}).status_code == 200
    svc.close()


def test_one_client_has_a_bounded_number_of_queries(tmp_path: Path) -> None:
    import time

    import httpx

    app, svc = _disk_app(tmp_path, sparql_timeout_s=2.0, sparql_workers=2, sparql_max_per_client=1)
    with LiveServer(app) as srv, httpx.Client(base_url=srv.url, timeout=60) as c:
        assert c.get("/sparql", params={"query": "ASK {}"}).status_code == 200
        first: list[int] = []
        th = threading.Thread(target=lambda: first.append(
            httpx.get(f"{srv.url}/sparql", params={"query": CROSS4_COUNT}, timeout=60).status_code))
        th.start()
        time.sleep(0.5)
        r = c.get("/sparql", params={"query": "ASK {}"})
        assert r.status_code == 429 and r.headers["content-type"].startswith("application/problem+json"), r.text
        th.join(60)
        assert first == [503]
        assert c.get("/sparql", params={"query": "ASK {}"}).status_code == 200


def test_queries_see_every_write(tmp_path: Path) -> None:
    """The snapshot the workers read is made again after a write."""
    app, svc = _disk_app(tmp_path)
    c = TestClient(app, base_url="http://127.0.0.1")
    q = {"query": "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"}
    before = int(c.get("/sparql", params=q).json()["results"]["bindings"][0]["n"]["value"])
    svc.graph.replace_document(f"{BASE}/id/graph/extra", None)  # a no-op write …
    from rdflib import Graph, Literal, URIRef

    g = Graph()
    g.add((URIRef(f"{BASE}/id/doc/extra"), URIRef("http://purl.org/dc/terms/title"), Literal("x")))
    svc.graph.replace_document(f"{BASE}/id/graph/extra", g)  # … and a real one
    after = int(c.get("/sparql", params=q).json()["results"]["bindings"][0]["n"]["value"])
    assert after == before + 1
    svc.close()
