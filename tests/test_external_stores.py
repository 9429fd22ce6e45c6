"""The same graph on two real SPARQL 1.1 servers: congruence with the embedded store.

The test setup installs and starts, on 127.0.0.1 in temporary folders:

* **Oxigraph server** from PyPI (``pip install oxigraph``; ``oxigraph serve``), endpoints
  ``/query`` and ``/update``;
* **Virtuoso** from Debian (``apt-get install virtuoso-opensource-7-bin``), with a
  generated ``virtuoso.ini``; queries at ``/sparql``, updates at ``/sparql-auth`` with
  HTTP Digest credentials (``POLICYGRAPH_SPARQL_DIGEST=true``).

A server is skipped (with the reason) only when it cannot be installed here.

The documents — the two hand-made ones of tests/sample_graph.py and one corpus file
through the real pipeline (GiNZA, once) — are written by ``replace_document`` to the
embedded store and to the server, and the answers must agree: counts per class, entity
labels, deadlines, every document graph triple for triple, the export, the service's
JSON (documents, entities, every entity, measures, every document) and the HTTP API
(/sparql, /id/…, /export) running on the server store.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sample_graph as sample
from fastapi.testclient import TestClient
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

from policygraph.api.app import create_app
from policygraph.core.records import ExtractedDocument
from policygraph.core.settings import Settings
from policygraph.graph.build import document_graph
from policygraph.graph.iris import Iris
from policygraph.graph.store import Limits, OxigraphStore, QueryTimeout, SparqlServerStore, open_store
from policygraph.service.service import Service

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parent.parent
BASE = "http://pg.test"
PG = "https://w3id.org/policygraph/ns#"
CORPUS_FILE = ROOT / "tests" / "data" / "corpus" / "001_214d2fa169fb0a94.txt"
TIMINGS: dict[str, str] = {}





def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_http(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited ({proc.returncode}):\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"no answer from {url} within {timeout:g} s:\n{log.read_text(errors='replace')[-3000:]}")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)


# ---- servers ---------------------------------------------------------------------------------

def _oxigraph_binary() -> Path | None:
    for cand in (Path(sys.executable).parent / "oxigraph", shutil.which("oxigraph")):
        if cand and Path(cand).is_file():
            return Path(cand)
    return None


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    t0 = time.monotonic()
    binary = _oxigraph_binary()
    if binary is None:
        p = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "oxigraph"], capture_output=True, text=True,
                           timeout=900)
        binary = _oxigraph_binary()
        if binary is None:
            pytest.skip(f"cannot install the oxigraph server from PyPI: {p.stderr[-500:]}")
    installed = time.monotonic() - t0
    d = tmp_path_factory.mktemp("oxigraph-server")
    port = _free_port()
    log = d / "server.log"
    t1 = time.monotonic()
    with log.open("wb") as out:
        proc = subprocess.Popen([str(binary), "serve", "--location", str(d / "db"), "--bind", f"127.0.0.1:{port}",
                                 "--timeout-s", "10"], stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_http(f"{url}/query", proc, log)
        TIMINGS["oxigraph"] = f"install/check {installed:.1f} s, start {time.monotonic() - t1:.1f} s"
        yield {"sparql_endpoint": f"{url}/query", "sparql_update_endpoint": f"{url}/update"}
    finally:
        _stop(proc)


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {d}/virtuoso.db
ErrorLogFile = {d}/virtuoso.log
LockFile = {d}/virtuoso.lck
TransactionFile = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
ServerThreads = 8
CheckpointInterval = 60
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
DirsAllowed = ., {d}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {d}
MaxClientConnections = 4
ServerThreads = 4

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 10
"""


def _install_virtuoso() -> tuple[str | None, str]:
    binary = shutil.which("virtuoso-t")
    if binary:
        return binary, ""
    if not shutil.which("apt-get") or os.geteuid() != 0:
        return None, "virtuoso-t is not installed and apt-get (as root) is not available"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    out = ""
    for cmd in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "virtuoso-opensource-7-bin"]):
        try:
            p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
        except subprocess.TimeoutExpired:
            return None, f"{' '.join(cmd)} timed out"
        out = p.stdout[-300:] + p.stderr[-700:]
        if p.returncode != 0:
            return None, f"{' '.join(cmd)} failed: {out}"
    return shutil.which("virtuoso-t"), out


@pytest.fixture(scope="module")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    t0 = time.monotonic()
    binary, why = _install_virtuoso()
    if binary is None:
        pytest.skip(f"cannot install Virtuoso from Debian: {why}")
    installed = time.monotonic() - t0
    d = tmp_path_factory.mktemp("virtuoso")
    http_port, sql_port = _free_port(), _free_port()
    ini = d / "virtuoso.ini"
    ini.write_text(VIRTUOSO_INI.format(d=d, sql_port=sql_port, http_port=http_port))
    log = d / "stdout.log"
    t1 = time.monotonic()
    with log.open("wb") as out:
        proc = subprocess.Popen([binary, "+foreground", "+configfile", str(ini)], cwd=d, stdout=out,
                                stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{http_port}"
        _wait_http(f"{url}/sparql", proc, log)
        TIMINGS["virtuoso"] = f"install/check {installed:.1f} s, start {time.monotonic() - t1:.1f} s"
        # a fresh database's administrator; on loopback, in a temporary folder
        yield {"sparql_endpoint": f"{url}/sparql", "sparql_update_endpoint": f"{url}/sparql-auth",
               "sparql_user": "dba", "sparql_password": "dba", "sparql_digest": True}
    finally:
        _stop(proc)


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def server(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    return request.param, request.getfixturevalue(f"{request.param}_server")


# ---- the documents and both stores -------------------------------------------------------------

@pytest.fixture(scope="module")
def documents() -> list[ExtractedDocument]:
    """The hand-made documents and one corpus file through the real pipeline (GiNZA), once."""
    from policygraph.ingest.pipeline import analyse, load_analyzer
    from policygraph.ingest.readers import read_file

    t = time.monotonic()
    x = analyse([read_file(CORPUS_FILE)], load_analyzer("ja_ginza", 1, 32))[0]
    TIMINGS["ginza"] = f"{time.monotonic() - t:.1f} s for {CORPUS_FILE.name}"
    assert x.measures and x.entities
    return [*sample.sample_documents(), x]


def _write(store: Any, docs: list[ExtractedDocument]) -> None:
    iris = Iris(BASE)
    for x in docs:
        store.replace_document(iris.graph(x.doc.id), document_graph(x, iris))


@pytest.fixture(scope="module")
def embedded(documents: list[ExtractedDocument]) -> OxigraphStore:
    st = OxigraphStore(None)
    _write(st, documents)
    return st


@pytest.fixture(scope="module")
def remote(server: tuple[str, dict[str, Any]], documents: list[ExtractedDocument]) -> Iterator[SparqlServerStore]:
    name, endpoints = server
    st = open_store(Settings(base_iri=BASE, **endpoints))
    assert isinstance(st, SparqlServerStore)
    t = time.monotonic()
    _write(st, documents)
    TIMINGS[f"{name} write"] = f"{time.monotonic() - t:.2f} s for {len(documents)} documents"
    yield st
    st.close()


@pytest.fixture(scope="module")
def report(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    reporter = request.config.pluginmanager.getplugin("terminalreporter")
    capture = request.config.pluginmanager.getplugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("\n" + "; ".join(f"{k}: {v}" for k, v in sorted(TIMINGS.items())))


# ---- congruence --------------------------------------------------------------------------------

SKOS = "http://www.w3.org/2004/02/skos/core#"
PFX = f"PREFIX pg: <{PG}> PREFIX skos: <{SKOS}> PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
QUERIES = {
    "count per class": "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c",
    "entity labels": PFX + "SELECT ?e ?label ?alt WHERE { ?e a pg:Entity ; skos:prefLabel ?label "
                           "OPTIONAL { ?e skos:altLabel ?alt } }",
    "deadlines": PFX + "SELECT ?m ?kind ?verbatim ?start ?end ?part WHERE { ?m pg:deadline ?d . "
                       "?d pg:deadlineKind ?kind ; pg:verbatim ?verbatim OPTIONAL { ?d pg:startDate ?start } "
                       "OPTIONAL { ?d pg:endDate ?end } OPTIONAL { ?d pg:part ?part } }",
    "measures due in R8": PFX + "SELECT DISTINCT ?m WHERE { ?m pg:deadline ?d . ?d pg:startDate ?s ; pg:endDate ?e "
                                'FILTER(?s <= "2027-03-31"^^xsd:date && ?e >= "2026-04-01"^^xsd:date) }',
    "mentions per entity": PFX + "SELECT ?e (COUNT(?m) AS ?n) WHERE { ?m pg:mentionOf ?e } GROUP BY ?e",
    "all quads": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
    "union (bag)": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "offsets": PFX + "SELECT ?p ?start ?end WHERE { ?p a pg:Passage ; pg:startOffset ?start ; pg:endOffset ?end }",
}


def _rows(store: Any, q: str) -> list[str]:
    return sorted(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in store.select(q))


@pytest.mark.parametrize("what", list(QUERIES))
def test_same_answers(embedded: OxigraphStore, remote: SparqlServerStore, what: str, report: None) -> None:
    ref = _rows(embedded, QUERIES[what])
    assert ref, what
    assert _rows(remote, QUERIES[what]) == ref


def test_catalog_by_documents_matches_a_whole_reading(embedded: OxigraphStore, remote: SparqlServerStore) -> None:
    """The catalog a batch extends document by document (its bound queries) is the one a
    whole reading gives, on the server as embedded."""
    from policygraph.service.catalog import Catalog

    iris = Iris(BASE)
    for store in (embedded, remote):
        whole = Catalog.load(store, iris)
        ids = [d["id"] for d in whole.documents.values()]
        # one document first, then the others merged onto the entities it already has
        by_doc = Catalog().with_documents(store, iris, ids[:1]).with_documents(store, iris, ids[1:])
        assert len(ids) >= 3 and len(whole.entities) > 10
        for part in ("documents", "entities", "by_key", "parents"):
            assert getattr(by_doc, part) == getattr(whole, part), part
        assert {k: set(v) for k, v in by_doc.names.items()} == {k: set(v) for k, v in whole.names.items()}


def test_same_graphs_and_export(embedded: OxigraphStore, remote: SparqlServerStore,
                                documents: list[ExtractedDocument]) -> None:
    iris = Iris(BASE)
    assert remote.document_graphs(fresh=True) == sorted(iris.graph(x.doc.id) for x in documents)
    for x in documents:
        g = iris.graph(x.doc.id)
        assert set(remote.graph_triples(g)) == set(embedded.graph_triples(g)), g
    assert remote.triple_count() == embedded.triple_count()
    assert sorted(remote.dump("nquads").splitlines()) == sorted(embedded.dump("nquads").splitlines())
    a = Graph().parse(data=remote.dump("turtle"), format="turtle")
    assert len(a) > 0 and isomorphic(a, Graph().parse(data=embedded.dump("turtle"), format="turtle"))
    ds = Dataset().parse(data=remote.dump("jsonld"), format="json-ld")
    assert len(list(ds.quads((None, None, None, None)))) == embedded.triple_count()


def test_queries_see_only_our_graphs(server: tuple[str, dict[str, Any]], embedded: OxigraphStore,
                                     remote: SparqlServerStore) -> None:
    """A foreign graph on the server (and Virtuoso's system graphs) stays out of our answers."""
    foreign = "http://example.org/foreign"
    auth: Any = None
    ep = server[1]
    if ep.get("sparql_user"):
        auth = httpx.DigestAuth(ep["sparql_user"], ep["sparql_password"])
    r = httpx.post(ep["sparql_update_endpoint"], auth=auth, timeout=30,
                   data={"update": f"INSERT DATA {{ GRAPH <{foreign}> {{ <{foreign}#x> a <{PG}Measure> }} }}"})
    assert r.status_code < 300, r.text
    try:
        q = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?s a <{PG}Measure> }}"
        assert remote.select(q) == embedded.select(q)
        assert remote.select(QUERIES["union (bag)"]) == embedded.select(QUERIES["union (bag)"])
        g = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
        assert sorted(r["g"] for r in remote.select(g)) == sorted(r["g"] for r in embedded.select(g))
        # a query that names its dataset is passed as it is
        assert remote.select(f"SELECT ?s FROM <{foreign}> WHERE {{ ?s ?p ?o }}") == [{"s": f"{foreign}#x"}]
    finally:
        httpx.post(ep["sparql_update_endpoint"], auth=auth, timeout=30, data={"update": f"DROP SILENT GRAPH <{foreign}>"})


def _norm(o: Any, key: str | None = None) -> Any:
    """The service's JSON with its unordered collections sorted (GROUP_CONCAT order is up to the store)."""
    if isinstance(o, dict):
        return {k: _norm(v, k) for k, v in o.items()}
    if isinstance(o, list):
        items = [_norm(v) for v in o]
        if key in ("actors", "systems", "related", "aliases", "entities"):
            items.sort(key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
        return items
    return o


def _service_json(svc: Service) -> dict[str, Any]:
    ents = svc.entities(limit=10000)["entities"]
    docs = svc.documents()["documents"]
    return {
        "documents": svc.documents(),
        "entities": svc.entities(limit=10000),
        "entity": {e["id"]: svc.entity(e["id"]) for e in ents},
        "measures": svc.measures(),
        "measures R8": svc.measures("2026-04-01", "2027-03-31"),
        "measures npa": svc.measures(agency="警察庁"),
        "document": {d["id"]: svc.document(d["id"]) for d in docs},
    }


@pytest.fixture(scope="module")
def services(tmp_path_factory: pytest.TempPathFactory, embedded: OxigraphStore,
             remote: SparqlServerStore) -> Iterator[tuple[Service, Service]]:
    s1 = Service(Settings(data=tmp_path_factory.mktemp("svc-embedded"), base_iri=BASE), graph=embedded)
    s2 = Service(Settings(data=tmp_path_factory.mktemp("svc-remote"), base_iri=BASE), graph=remote)
    yield s1, s2
    s1.index.close()
    s2.index.close()


def test_same_service_json(services: tuple[Service, Service]) -> None:
    a, b = (_service_json(s) for s in services)
    assert len(a["entity"]) > 30 and a["measures"]["total"] > 10
    for k in a:
        assert _norm(b[k]) == _norm(a[k]), k


def test_same_http_answers(services: tuple[Service, Service], embedded: OxigraphStore) -> None:
    c1, c2 = (TestClient(create_app(s.settings, s), base_url="http://127.0.0.1") for s in services)
    q = f"PREFIX pg: <{PG}> SELECT ?m ?t WHERE {{ ?m a pg:Measure ; pg:text ?t }} ORDER BY ?m"
    for accept in ("application/sparql-results+json", "text/csv", "text/tab-separated-values"):
        r1 = c1.get("/sparql", params={"query": q}, headers={"Accept": accept})
        r2 = c2.post("/sparql", data={"query": q}, headers={"Accept": accept})
        assert r1.status_code == r2.status_code == 200
        assert r1.content == r2.content, accept
    c = f"CONSTRUCT {{ ?e ?p ?o }} WHERE {{ ?e a <{PG}System> ; ?p ?o }}"
    g1 = Graph().parse(data=c1.post("/sparql", data={"query": c}).text, format="turtle")
    g2 = Graph().parse(data=c2.post("/sparql", data={"query": c}).text, format="turtle")
    assert len(g1) > 10 and isomorphic(g1, g2)
    for path in ("/id/entity/npa", "/id/entity/system-kiban", "/id/doc/sample-a", "/id/graph/sample-b"):
        t1 = Graph().parse(data=c1.get(path).text, format="turtle")
        t2 = Graph().parse(data=c2.get(path).text, format="turtle")
        assert len(t1) > 0 and isomorphic(t1, t2), path
    assert c2.get("/id/entity/npa", headers={"Accept": "text/html"}, follow_redirects=False).status_code == 303
    assert sorted(c2.get("/export", params={"format": "nquads"}).content.splitlines()) == sorted(
        embedded.dump("nquads").splitlines())
    assert c2.get("/sparql", params={"query": "DROP ALL"}).status_code == 403
    # vendor extensions are not passed on (Virtuoso's DEFINE pragmas can fetch URLs)
    r = c2.get("/sparql", params={"query": "DEFINE get:soft \"soft\" SELECT * FROM <http://127.0.0.1:1/> { ?s ?p ?o }"})
    assert r.status_code == 400 and "not a SPARQL query" in r.json()["detail"]


def test_ask(embedded: OxigraphStore, remote: SparqlServerStore) -> None:
    for q, expected in ((f"ASK {{ ?s a <{PG}Measure> }}", True), (f"ASK {{ ?s a <{PG}Nothing> }}", False),
                        (f"ASK {{ <{BASE}/id/entity/npa> <http://www.w3.org/2004/02/skos/core#prefLabel> \"警察庁\"@ja }}",
                         True)):
        assert embedded.ask(q) is expected
        assert remote.ask(q) is expected, q


def test_time_limit_on_the_server(remote: SparqlServerStore) -> None:
    heavy = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f FILTER(CONTAINS(STR(?c), STR(?f))) }")
    t = time.monotonic()
    with pytest.raises(QueryTimeout):
        remote.run(heavy, limits=Limits(timeout_s=0.5))
    assert time.monotonic() - t < 3
    # the client is still usable at once
    assert remote.ask(f"ASK {{ ?s a <{PG}Measure> }}") is True


def test_rewrite_and_delete_are_congruent(embedded: OxigraphStore, remote: SparqlServerStore,
                                          documents: list[ExtractedDocument]) -> None:
    iris = Iris(BASE)
    x = documents[1]
    for st in (embedded, remote):
        n = st.triple_count()
        st.replace_document(iris.graph(x.doc.id), document_graph(x, iris))  # the same version again
        assert st.triple_count() == n
        st.replace_document(iris.graph(x.doc.id), None)
    assert remote.triple_count() == embedded.triple_count()
    assert iris.graph(x.doc.id) not in remote.document_graphs()
    for st in (embedded, remote):
        st.replace_document(iris.graph(x.doc.id), document_graph(x, iris))
    assert sorted(remote.dump("nquads").splitlines()) == sorted(embedded.dump("nquads").splitlines())


def test_settings_wire_digest_and_scoping(server: tuple[str, dict[str, Any]]) -> None:
    name, ep = server
    st = open_store(Settings(base_iri=BASE, **ep))
    assert isinstance(st, SparqlServerStore)
    assert st.graph_prefix == f"{BASE}/id/graph/"
    assert isinstance(st.client.auth, httpx.DigestAuth) == (name == "virtuoso")
    if name == "virtuoso":
        # without Digest the update endpoint refuses the write
        basic = SparqlServerStore(ep["sparql_endpoint"], ep["sparql_update_endpoint"], ep["sparql_user"],
                                  ep["sparql_password"], digest=False, graph_prefix=st.graph_prefix)
        from policygraph.core.errors import GraphStoreError

        with pytest.raises(GraphStoreError):
            basic.replace_document(f"{BASE}/id/graph/never", None)
        basic.close()
    st.close()
