"""The MCP server through the official SDK's own client, over both transports: streamable
HTTP at ``/mcp`` of the running app, and stdio (``policygraph mcp``).  The tools are listed
with their input schemas, search and entity are called, and every citation they give
is checked against the source file: its offsets give back the quoted text."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from live_server import LiveServer
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from policygraph.api.app import create_app

pytestmark = pytest.mark.slow
CORPUS = Path(__file__).parent / "data" / "corpus"
TOOLS = {"search", "entity", "measures", "documents", "passage", "sparql"}


def _source(doc: dict[str, Any], folder: Path) -> str:
    return (folder / doc["source"]).read_text(encoding="utf-8")


async def _exercise(client: Client, folder: Path) -> dict[str, Any]:
    tools = {t.name: t for t in (await client.list_tools()).tools}
    assert set(tools) == TOOLS, set(tools)
    for t in tools.values():
        assert t.description and len(t.description) > 40, t.name
        assert t.input_schema["type"] == "object"
    assert tools["search"].input_schema["required"] == ["query"]

    r = await client.call_tool("search", {"query": "SNSで犯罪の実行役を集める投稿への対策", "limit": 5})
    assert not r.is_error, r.content
    hits = r.structured_content["hits"]
    assert hits and not r.structured_content["no_good_match"]
    for h in hits:  # the cited offsets give back the quoted passage
        c = h["citation"]
        assert _source(c["document"], folder)[c["start"]:c["end"]] == h["text"], c
        assert c["section"] is not None and c["document"]["iri"].endswith("/id/doc/" + c["document"]["id"])

    r = await client.call_tool("entity", {"name": "警察共通基盤", "max_mentions": 50})
    assert not r.is_error, r.content
    ent = r.structured_content
    assert ent["entity"]["label"] == "警察共通基盤" and ent["mentions"]
    for m in ent["mentions"]:
        c = m["citation"]
        text = _source(c["document"], folder)
        assert text[c["start"]:c["end"]] == m["text"], c
        assert all(s in m["text"] for s in m["surfaces"])

    first = hits[0]["citation"]
    r = await client.call_tool("passage", {"document": first["document"]["id"], "start": first["start"],
                                           "end": first["end"]})
    assert r.structured_content["text"] == hits[0]["text"]

    r = await client.call_tool("sparql", {"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"})
    assert r.is_error and "SERVICE" in r.content[0].text
    r = await client.call_tool("entity", {"name": "警察共通基板"})
    assert r.is_error and "did you mean" in r.content[0].text
    return {"hits": len(hits), "mentions": len(ent["mentions"])}


def test_mcp_over_streamable_http(service: Any, corpus_dir: Path) -> None:
    app = create_app(service.settings, service=service)
    with LiveServer(app) as srv:
        got = asyncio.run(_run(Client(f"{srv.url}/mcp"), corpus_dir))
    assert got["hits"] >= 3 and got["mentions"] >= 3


async def _run(client: Client, folder: Path) -> dict[str, Any]:
    async with client:
        return await _exercise(client, folder)


def test_mcp_over_stdio(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    for name in ("001_214d2fa169fb0a94.txt", "002_612a93dd4efe0060.txt"):
        shutil.copy(CORPUS / name, docs / name)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "POLICYGRAPH_GINZA_PROCESSES": "1"}
    data = tmp_path / "data"
    subprocess.run([sys.executable, "-m", "policygraph.api.cli", "--data", str(data), "ingest", str(docs)],
                   check=True, capture_output=True, env=env, timeout=600)
    params = StdioServerParameters(command=sys.executable,
                                   args=["-m", "policygraph.api.cli", "--data", str(data), "mcp"], env=env)
    got = asyncio.run(_run(Client(params), docs))
    assert got["hits"] >= 3 and got["mentions"] >= 1
