"""SPARQL latency of the README's example queries: embedded Oxigraph vs Virtuoso.

Datasets:
* ``corpus``: the sample corpus graph (an ingested data directory, ``--data``; ingested
  into a temporary one when missing);
* ``synthetic``: ≥ 1 million triples shaped like ours — the corpus's document graphs
  copied N times under new document, passage, mention and measure IRIs, each copy's
  entities drawn from 10 variants of every corpus entity (own IRI, label suffixed), so an
  entity is touched by a few documents, not by all of them; deadlines shifted by 0–4
  fiscal years.

Stores, both through the service's own code path (``graph/store.py``):
* embedded: ``OxigraphStore`` on disk, queries over the union of document graphs;
* Virtuoso (Debian's ``virtuoso-opensource-7-bin``, started on 127.0.0.1 in a temporary
  folder, installed with apt-get when missing): ``SparqlServerStore`` with the graph
  scoping the service uses (our document graphs sent as the protocol dataset).

Queries (README "SPARQL examples"): everything touching an entity (any alias), measures
due in a fiscal year with their actors, measures per agency.  Each: 3 warm-up runs, then
``--runs`` timed runs; p50/p95 in ms.  Target (issue 6): the entity query under 100 ms
p95 on 1M triples, embedded.

Run: .venv/bin/python bench/sparql.py [--data DIR] [--copies 70] [--runs 30] [--no-virtuoso]
Writes bench/results/sparql.json.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
BASE = "http://127.0.0.1:8000"
PG = "https://w3id.org/policygraph/ns#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD_DATE = "http://www.w3.org/2001/XMLSchema#date"
ENTITY = "警察共通基盤"

QUERIES = {
    "entity": """PREFIX pg: <https://w3id.org/policygraph/ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?source ?path WHERE {
  ?e skos:prefLabel|skos:altLabel "%(label)s"@ja .
  ?mention pg:mentionOf ?e ; pg:inPassage ?p .
  ?p pg:sectionPath ?path ; pg:inDocument/pg:source ?source .
}""",
    "fiscal_year": """PREFIX pg: <https://w3id.org/policygraph/ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?text ?actor ?verbatim WHERE {
  ?m a pg:Measure ; pg:text ?text ; pg:deadline ?d .
  ?d pg:deadlineKind "fiscal_year" ; pg:startDate "2026-04-01"^^<http://www.w3.org/2001/XMLSchema#date> ; pg:verbatim ?verbatim .
  OPTIONAL { ?m pg:actor/skos:prefLabel ?actor }
}""",
    "per_agency": """PREFIX pg: <https://w3id.org/policygraph/ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?agency (COUNT(DISTINCT ?m) AS ?measures) WHERE {
  ?m a pg:Measure ; pg:actor ?a .
  ?a skos:prefLabel ?agency .
}
GROUP BY ?agency ORDER BY DESC(?measures)""",
}


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(len(xs) * p))], 2)


def _load_test_module(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"pg_bench_{name}", ROOT / "tests" / f"{name}.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ---- datasets ----------------------------------------------------------------------------------

def corpus_quads(data: Path | None) -> list[ox.Quad]:
    from policygraph.graph.store import OxigraphStore

    if data is None or not (data / "graph").exists():
        data = Path(tempfile.mkdtemp(prefix="pg-bench-sparql-"))
        subprocess.run([str(Path(sys.executable).with_name("policygraph")), "ingest",
                        str(ROOT / "tests" / "data" / "corpus"), "--data", str(data)], check=True)
    st = OxigraphStore(data / "graph")
    quads = [_current(q) for q in st.store.quads_for_pattern(None, None, None, None)]
    st.close()
    return quads


def _current(q: ox.Quad) -> ox.Quad:
    """A data directory written before pg:duration became a plain string: as it is now."""
    o = q.object
    if isinstance(o, ox.Literal) and o.datatype.value == "http://www.w3.org/2001/XMLSchema#duration":
        return ox.Quad(q.subject, q.predicate, ox.Literal(o.value), q.graph_name)
    return q


def _shift_fy(lit: ox.Literal, years: int) -> ox.Literal:
    d = date.fromisoformat(lit.value)
    try:
        d = d.replace(year=d.year + years)
    except ValueError:  # 29 February
        d = d.replace(year=d.year + years, day=28)
    return ox.Literal(d.isoformat(), datatype=ox.NamedNode(XSD_DATE))


def synthetic_quads(quads: list[ox.Quad], copies: int, seed: int = 7) -> Iterator[ox.Quad]:
    """The corpus graphs copied ``copies`` times (see the module docstring)."""
    rng = random.Random(seed)
    ent = f"{BASE}/id/entity/"
    labels = {f"{SKOS}prefLabel", f"{SKOS}altLabel"}
    dates = {f"{PG}startDate", f"{PG}endDate"}
    for c in range(copies):
        variant: dict[str, int] = {}
        shift = rng.randrange(5)

        def iri(t: Any, c: int = c, variant: dict[str, int] = variant) -> Any:
            if not isinstance(t, ox.NamedNode) or not t.value.startswith(f"{BASE}/id/"):
                return t
            if t.value.startswith(ent):
                v = variant.setdefault(t.value, rng.randrange(10))
                return ox.NamedNode(f"{t.value}-v{v}")
            return ox.NamedNode(f"{t.value}-c{c}")

        for q in quads:
            s, p, o = iri(q.subject), q.predicate, iri(q.object)
            if p.value in labels and isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(ent):
                o = ox.Literal(f"{o.value}（{variant[q.subject.value]}）", language="ja")
            elif p.value in dates and isinstance(o, ox.Literal):
                o = _shift_fy(o, shift)
            elif p.value == f"{PG}source":
                o = ox.Literal(f"c{c}-{o.value}")
            yield ox.Quad(s, p, o, iri(q.graph_name))


# ---- stores ------------------------------------------------------------------------------------

def embedded_store(path: Path, quads: Any) -> tuple[Any, float]:
    from policygraph.graph.store import OxigraphStore

    st = OxigraphStore(path)
    t = time.monotonic()
    st.store.bulk_extend(quads)
    st.store.flush()
    st.store.optimize()
    return st, time.monotonic() - t


@contextmanager
def virtuoso(buffers: int = 170_000) -> Iterator[dict[str, Any]]:
    ext = _load_test_module("test_external_stores")
    binary, why = ext._install_virtuoso()
    if binary is None:
        raise SystemExit(f"cannot install Virtuoso: {why}")
    d = Path(tempfile.mkdtemp(prefix="pg-bench-virtuoso-"))
    http_port, sql_port = ext._free_port(), ext._free_port()
    ini = ext.VIRTUOSO_INI.format(d=d, sql_port=sql_port, http_port=http_port)
    ini = ini.replace("NumberOfBuffers = 10000", f"NumberOfBuffers = {buffers}")
    ini = ini.replace("MaxDirtyBuffers = 6000", f"MaxDirtyBuffers = {buffers * 3 // 4}")
    ini = ini.replace("MaxQueryExecutionTime = 10", "MaxQueryExecutionTime = 120")
    (d / "virtuoso.ini").write_text(ini)
    log = d / "stdout.log"
    with log.open("wb") as out:
        proc = subprocess.Popen([binary, "+foreground", "+configfile", str(d / "virtuoso.ini")], cwd=d,
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{http_port}"
        ext._wait_http(f"{url}/sparql", proc, log)
        yield {"sparql_endpoint": f"{url}/sparql", "sparql_update_endpoint": f"{url}/sparql-auth",
               "sparql_user": "dba", "sparql_password": "dba", "sparql_digest": True,
               "sparql_server_timeout_s": 600.0}
    finally:
        ext._stop(proc)


def server_load(st: Any, quads: Any, batch: int = 400) -> float:
    """INSERT DATA per named graph, in batches, through the store's authenticated client."""
    by_graph: dict[str, list[str]] = {}
    for q in quads:
        by_graph.setdefault(q.graph_name.value, []).append(f"{q.subject} {q.predicate} {q.object} .")
    t = time.monotonic()
    for g, lines in by_graph.items():
        for i in range(0, len(lines), batch):
            body = "\n".join(lines[i : i + batch])
            r = st.client.post(st.update_url, data={"update": f"INSERT DATA {{ GRAPH <{g}> {{\n{body}\n}} }}"})
            if r.status_code >= 300:
                raise RuntimeError(f"Virtuoso load failed: {r.status_code} {r.text[:300]}")
    st._graphs = None
    return time.monotonic() - t


# ---- measuring ---------------------------------------------------------------------------------

def measure(st: Any, label: str, runs: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, template in QUERIES.items():
        q = template % {"label": label}
        rows = 0
        times = []
        for i in range(runs + 3):
            t = time.perf_counter()
            o = st.run(q)
            dt = (time.perf_counter() - t) * 1000
            rows = len(o.rows)
            if i >= 3:
                times.append(dt)
        out[name] = {"rows": rows, "p50_ms": pct(times, 0.5), "p95_ms": pct(times, 0.95),
                     "mean_ms": round(statistics.fmean(times), 2)}
        print(f"    {name:<12} rows {rows:>6}  p50 {out[name]['p50_ms']:>8} ms  p95 {out[name]['p95_ms']:>8} ms",  # noqa: T201
              flush=True)
    return out


def main() -> None:  # noqa: PLR0915
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT / "data", help="an ingested data directory (the corpus)")
    ap.add_argument("--copies", type=int, default=70, help="corpus copies in the synthetic graph (70: 1.1M quads)")
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--no-virtuoso", action="store_true")
    args = ap.parse_args()
    from policygraph.core.settings import Settings
    from policygraph.graph.store import open_store

    base = corpus_quads(args.data)
    synth = list(synthetic_quads(base, args.copies))
    datasets = {"corpus": (base, ENTITY), "synthetic": (synth, f"{ENTITY}（3）")}
    results: dict[str, Any] = {"queries": QUERIES, "datasets": {}}
    tmp = Path(tempfile.mkdtemp(prefix="pg-bench-oxigraph-"))
    for name, (quads, label) in datasets.items():
        print(f"{name}: {len(quads):,} quads", flush=True)  # noqa: T201
        entry: dict[str, Any] = {"quads": len(quads), "graphs": len({q.graph_name for q in quads}),
                                 "entity_label": label}
        st, load_s = embedded_store(tmp / name, quads)
        print(f"  embedded Oxigraph (load {load_s:.1f} s)", flush=True)  # noqa: T201
        entry["embedded"] = {"load_s": round(load_s, 1), **measure(st, label, args.runs)}
        st.close()
        results["datasets"][name] = entry
    if not args.no_virtuoso:
        for name, (quads, label) in datasets.items():
            with virtuoso() as ep:
                st = open_store(Settings(base_iri=BASE, **ep))
                load_s = server_load(st, quads)
                print(f"  {name}: Virtuoso (load {load_s:.1f} s over HTTP)", flush=True)  # noqa: T201
                results["datasets"][name]["virtuoso"] = {"load_s": round(load_s, 1), **measure(st, label, args.runs)}
                st.close()
    syn = results["datasets"]["synthetic"]
    results["target"] = {"entity_query_p95_ms_embedded_1M": 100,
                         "measured": syn["embedded"]["entity"]["p95_ms"],
                         "met": syn["quads"] >= 1_000_000 and syn["embedded"]["entity"]["p95_ms"] < 100}
    results["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "pyoxigraph": ox.__version__ if hasattr(ox, "__version__") else None,
                          "note": "2-core VM; other jobs may have shared it; Virtuoso 7 from Debian, 170k buffers"}
    out = ROOT / "bench" / "results" / "sparql.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
    print(f"wrote {out}")  # noqa: T201


if __name__ == "__main__":
    main()
