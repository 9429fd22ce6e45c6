"""policygraph for other programs: a Model Context Protocol server (the official Python SDK).

``policygraph mcp`` serves it over stdio (against the data directory, or the server that
holds it); ``policygraph serve`` mounts it over streamable HTTP at ``/mcp``, open like
the other read routes (every tool only reads).  Every answer keeps its citations: the
document (id, file, title, IRI), the section path, the character offsets into the
original file and, where there is one, the IRI of what was found, so a tool using it can
quote the exact source passage.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError

from policygraph.api.backend import Reads
from policygraph.core.errors import PolicygraphError

INSTRUCTIONS = (
    "Japanese government policy documents (通達, plans, roadmaps, statutes) as a knowledge graph. "
    "Use `search` to find the passages that answer a question, `entity` for everything about an "
    "agency, system, law or plan (aliases, mentions, measures, related entities), `measures` for "
    "what must be done and when (by date window and agency), `documents` for what is ingested, "
    "`passage` to read a document's text at offsets, and `sparql` for questions across the graph. "
    "Quote the passage text and cite document, section and offsets."
)


def _hit(h: dict[str, Any]) -> dict[str, Any]:
    """A search hit with its citation."""
    return {
        "rank": h["rank"],
        "text": h["text"][h.get("lead", 0):],
        "citation": {"document": h["document"], "section": h["section"], "start": h["start"] + h.get("lead", 0),
                     "end": h["end"]},
        "entities": [e["label"] for e in h.get("entities", [])],
        "deadlines": [d["text"] for d in h.get("deadlines", [])],
    }


def build_server(backend: Callable[[], Reads]) -> MCPServer:
    """The MCP server over a backend (the service in process, or a running server)."""
    server = MCPServer(name="policygraph", instructions=INSTRUCTIONS)

    async def call(fn: Callable[[], Any]) -> Any:
        """Off the event loop; a refusal (bad input, no such entity, a query refused) is
        the tool's error, with its reason and any suggestions, as the API's problem+json."""
        try:
            return await anyio.to_thread.run_sync(fn)
        except PolicygraphError as e:
            hint = getattr(e, "suggestions", None)
            raise ToolError(f"{e.title}: {e}" + (f" (did you mean: {', '.join(hint)})" if hint else "")) from None

    @server.tool(description="Find the passages of the ingested policy documents that answer a question "
                             "(Japanese; hybrid semantic + keyword search, entity- and date-aware). "
                             "Each hit is the passage text with its citation: document, section path, "
                             "character offsets. Filters: a document id, an agency or system name, a "
                             "deadline window (ISO dates). no_good_match means the corpus likely has no answer.")
    async def search(query: str, limit: int = 10, document: str | None = None, agency: str | None = None,
                     system: str | None = None, date_from: str | None = None,
                     date_to: str | None = None) -> dict[str, Any]:
        res = await call(lambda: backend().search(query, limit=max(1, min(limit, 50)), doc=document, agency=agency,
                                                  system=system, date_from=date_from, date_to=date_to))
        return {"query": res["query"], "no_good_match": res["no_good_match"], "hits": [_hit(h) for h in res["hits"]]}

    @server.tool(description="Everything about one agency, system, law, plan or programme, by name or alias "
                             "(e.g. 警察共通基盤, 総務省, 道路交通法): its aliases, every passage that mentions it "
                             "(with citations), the measures it acts in, related entities and, for a law, "
                             "the articles cited.")
    async def entity(name: str, max_mentions: int = 20) -> dict[str, Any]:
        r = await call(lambda: backend().entity_by_name(name))
        mentions = [{"text": m["text"], "surfaces": [s["surface"] for s in m["surfaces"]],
                     "citation": {"document": m["document"], "section": m["section"], "start": m["start"],
                                  "end": m["end"], "passage": m["passage"]}}
                    for m in r["mentions"][: max(1, max_mentions)]]
        return {"entity": r["entity"], "mentions": mentions, "mentions_total": len(r["mentions"]),
                "measures": [_measure(m) for m in r["measures"]], "related": r["related"],
                "articles": r.get("articles", [])}

    @server.tool(description="Measures (施策: what must be done), each with its actors, its deadlines "
                             "(kind, dates, the words) and its citation. Filter by a deadline window "
                             "(ISO dates: date_from=2026-04-01, date_to=2027-03-31 is 令和8年度), by an "
                             "agency's name, or by a document id.")
    async def measures(date_from: str | None = None, date_to: str | None = None, agency: str | None = None,
                       document: str | None = None, limit: int = 50) -> dict[str, Any]:
        r = await call(lambda: backend().measures(date_from, date_to, agency, document))
        return {"total": r["total"], "measures": [_measure(m) for m in r["measures"][: max(1, limit)]]}

    @server.tool(description="The ingested documents: id, file, title, type, date, issuers.")
    async def documents() -> dict[str, Any]:
        r = await call(lambda: backend().documents())
        return {"total": r["total"], "documents": r["documents"]}

    @server.tool(description="Read a document's original text between two character offsets (as cited by "
                             "search, entity and measures), with the sections it spans. At most 5,000 characters.")
    async def passage(document: str, start: int, end: int) -> dict[str, Any]:
        d = await call(lambda: backend().document(document))
        end = min(end, start + 5000)
        parts = [p for p in d["passages"] if p["start"] < end and p["end"] > start]
        text = "".join(p["text"][max(0, start - p["start"]): max(0, end - p["start"])] for p in parts)
        return {"text": text, "citation": {"document": {k: d.get(k) for k in ("id", "iri", "title", "source")},
                                           "start": start, "end": start + len(text),
                                           "sections": [p["section"] for p in parts]}}

    @server.tool(description="Run a read-only SPARQL 1.1 query over the graph (union of the document graphs; "
                             "PREFIX pg: <https://w3id.org/policygraph/ns#>). Classes pg:Measure, pg:Agency, "
                             "pg:System, pg:Law, pg:Plan, pg:Passage; the answer is SPARQL JSON results. "
                             "Updates and SERVICE are refused; time and result limits apply.")
    async def sparql(query: str) -> dict[str, Any]:
        import json

        _, body = await call(lambda: backend().sparql(query, "application/sparql-results+json"))
        result: dict[str, Any] = json.loads(body)
        return result

    return server


def _measure(m: dict[str, Any]) -> dict[str, Any]:
    return {
        "text": m["text"], "actors": [a["label"] for a in m["actors"]], "actor_text": m.get("actor_text"),
        "deadlines": [{k: d.get(k) for k in ("kind", "start", "end", "text")} for d in m["deadlines"]],
        "citation": {"document": m["document"], "section": m["section"], "start": m["start"], "end": m["end"],
                     "iri": m["iri"]},
    }
