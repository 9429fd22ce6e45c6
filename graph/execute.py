"""One read-only query with the public endpoint's rules and limits, wherever it comes
from: ``/sparql``, the CLI's ``sparql``, the service's own callers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from policygraph.core.errors import BadInput
from policygraph.graph.query_text import check_read_only
from policygraph.graph.results import negotiate, serialize
from policygraph.graph.store import Dataset, GraphStore, Limits

if TYPE_CHECKING:
    from policygraph.core.settings import Settings


def check_query(settings: Settings, query: str) -> None:
    """What every query must pass before it is evaluated: its length, read-only, no SERVICE."""
    if len(query) > settings.sparql_max_query_chars:
        raise BadInput(f"query longer than {settings.sparql_max_query_chars} characters (POLICYGRAPH_SPARQL_MAX_QUERY_CHARS)")
    check_read_only(query)


def execute(graph: GraphStore, settings: Settings, query: str, accept: str | None,
            dataset: Dataset = Dataset(), limits: Limits | None = None) -> tuple[str, bytes]:
    """Run one read-only query with the settings' limits; (media type, body)."""
    check_query(settings, query)
    limits = limits or Limits(settings.sparql_timeout_s, settings.sparql_max_results)
    return answer(graph, query, accept, dataset, limits, f"{settings.base_iri}/sparql")


def answer(graph: GraphStore, query: str, accept: str | None, dataset: Dataset, limits: Limits,
           base_iri: str | None) -> tuple[str, bytes]:
    """Evaluate a checked query and serialise it for ``accept``: (media type, body).  Here
    or in a query process (:mod:`policygraph.graph.query_processes`)."""
    outcome = graph.run(query, dataset=dataset, limits=limits, base_iri=base_iri)
    mime = negotiate(accept, outcome.kind)
    return mime, serialize(outcome, mime)
