"""SHACL validation of a document's graph before it is written (ontology/shapes.ttl).

Run on every ingest: a graph that does not conform (a measure whose actor is not an
agency, a passage without offsets, a citation of no article) is refused with the first
violations named, before either store changes.  The ontology is given to pyshacl as the
ontology graph, so ``sh:class pg:Agency`` accepts a pg:GenericActor through
rdfs:subClassOf; no other inference is run (about 0.3 s for the corpus's largest document).
"""

from __future__ import annotations

import threading
from typing import Any

from policygraph.core.errors import NonConformingGraph

_LOCK = threading.Lock()
_GRAPHS: tuple[Any, Any] | None = None
MAX_REPORTED = 3


def _shapes() -> tuple[Any, Any]:
    global _GRAPHS
    with _LOCK:
        if _GRAPHS is None:
            from rdflib import Graph

            from policygraph.ontology.gazetteer import ontology_path, shapes_path

            _GRAPHS = (Graph().parse(shapes_path()), Graph().parse(ontology_path()))
        return _GRAPHS


def violations(g: Any) -> list[str]:
    """One line per violation (focus node, path, message), empty when ``g`` conforms."""
    from pyshacl import validate
    from rdflib import Namespace

    sh = Namespace("http://www.w3.org/ns/shacl#")
    shapes, ontology = _shapes()
    ok, report, _ = validate(g, shacl_graph=shapes, ont_graph=ontology, inference="none")
    if ok:
        return []
    out = []
    for r in report.subjects(predicate=sh.resultSeverity):
        focus, path, msg = (report.value(r, sh.focusNode), report.value(r, sh.resultPath),
                            report.value(r, sh.resultMessage))
        out.append(f"{focus} {path}: {msg}")
    return sorted(out)


def check_document(g: Any, source: str) -> None:
    """Raise :class:`NonConformingGraph` naming ``source`` when ``g`` does not conform."""
    found = violations(g)
    if found:
        more = f" (and {len(found) - MAX_REPORTED} more)" if len(found) > MAX_REPORTED else ""
        raise NonConformingGraph("; ".join(found[:MAX_REPORTED]) + more, source=source)
