"""The `policygraph` command line.

Process model: a data directory belongs to one process at a time (both embedded
stores lock it).  ``policygraph serve`` holds it and writes ``DATA/server.json``
(address, pid, a per-run local token and the data directory; a new file, mode 0600,
every start).  Every other command first looks for that file: if it records this
very directory and a live pid, and the server answers, the command is sent to it over
HTTP; otherwise (a file copied from elsewhere or left by a dead server is ignored, with
a note on stderr) the command opens the data directory itself.  If another process
holds the directory without a server file, the command fails with exit 2 naming it.

Exit codes: 0 success, 2 bad input (one-line reason on stderr), 1 internal error.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policygraph.core.records import SECTION_SEP

if TYPE_CHECKING:
    from policygraph.api.backend import Backend
    from policygraph.core.settings import Settings


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="policygraph", description=__doc__.split("\n")[0] if __doc__ else None)
    p.add_argument("--data", help="data directory (default: $POLICYGRAPH_DATA or ./data)")
    sub = p.add_subparsers(dest="cmd", required=True)

    def cmd(name: str, help_: str) -> argparse.ArgumentParser:
        c = sub.add_parser(name, help=help_)
        c.add_argument("--data", default=argparse.SUPPRESS, help="data directory")
        return c

    c = cmd("ingest", "ingest files or folders (.txt .md .html .pdf .docx, e-Gov law .xml)")
    c.add_argument("paths", nargs="+", type=Path)
    c.add_argument("--json", action="store_true")
    c = cmd("search", "hybrid semantic search over passages")
    c.add_argument("query")
    c.add_argument("--limit", type=int, default=10)
    c.add_argument("--doc")
    c.add_argument("--agency")
    c.add_argument("--system")
    c.add_argument("--from", dest="date_from")
    c.add_argument("--to", dest="date_to")
    c.add_argument("--json", action="store_true")
    c = cmd("entity", "resolve a name or alias to an entity and list everything touching it")
    c.add_argument("name")
    c.add_argument("--json", action="store_true")
    c = cmd("measures", "measures whose deadline interval overlaps [from, to]")
    c.add_argument("--from", dest="date_from")
    c.add_argument("--to", dest="date_to")
    c.add_argument("--agency")
    c.add_argument("--doc")
    c.add_argument("--json", action="store_true")
    c = cmd("documents", "the ingested documents with their metadata")
    c.add_argument("--json", action="store_true")
    c = cmd("sparql", "run a read-only SPARQL query")
    c.add_argument("query")
    c.add_argument("--format", default="json", choices=["json", "xml", "csv", "tsv", "turtle", "ntriples", "jsonld"])
    c = cmd("serve", "API + SPARQL endpoint + web UI")
    c.add_argument("--host", default="127.0.0.1")
    c.add_argument("--port", type=int, default=8000)
    cmd("mcp", "serve the Model Context Protocol over stdio (tools: search, entity, measures, documents, "
               "passage, sparql) for other programs; next to a running server it asks the server")
    c = cmd("check", "verify the data directory (graph <-> index agreement) and repair what a crash left")
    c.add_argument("--no-repair", action="store_true")
    c = cmd("export", "export the whole graph")
    c.add_argument("--format", default="turtle", choices=["turtle", "nquads", "jsonld"])
    c = cmd("reindex", "re-embed every passage with the configured embedding model (no re-parsing)")
    c = cmd("delete", "remove a document from the graph and the index")
    c.add_argument("doc_id")
    c = cmd("backup", "write a consistent snapshot of both stores to one .tar.gz (works next to a running server)")
    c.add_argument("dest", type=Path)
    c = cmd("restore", "restore a backup into the data directory, then check it")
    c.add_argument("src", type=Path)
    c.add_argument("--force", action="store_true", help="replace the stores already in the data directory")
    return p


# commands that write: opened in-process, they first put right what a crash left (reads change nothing)
WRITES = frozenset({"ingest", "delete", "reindex"})
# commands that only read: pointed at a directory without data they say so (exit 2), creating nothing
READS = frozenset({"search", "entity", "measures", "documents", "sparql", "export", "check", "mcp"})
FORMATS = {
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
    "csv": "text/csv", "tsv": "text/tab-separated-values", "turtle": "text/turtle",
    "ntriples": "application/n-triples", "jsonld": "application/ld+json",
}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from policygraph.core.errors import BadInput, PolicygraphError, StoreLocked

    try:
        return _run(args)
    except (BadInput, StoreLocked) as e:
        print(f"policygraph: {e}", file=sys.stderr)
        suggestions = getattr(e, "suggestions", None)
        if suggestions:
            print("did you mean: " + ", ".join(suggestions), file=sys.stderr)
        return 2
    except PolicygraphError as e:
        print(f"policygraph: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `policygraph search … | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _settings(args: argparse.Namespace) -> Any:
    from policygraph.core.settings import get_settings

    return get_settings(args.data or os.environ.get("POLICYGRAPH_DATA"))


def _run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if args.cmd == "serve":
        return _serve(settings, args.host, args.port)
    if args.cmd == "restore":
        return _restore(settings, args.src, args.force)
    if args.cmd == "backup":
        _backup_preflight(settings, args.dest)
    if args.cmd == "sparql":  # an update or SERVICE is refused before anything opens
        from policygraph.graph.query_text import check_read_only

        check_read_only(args.query)
    backend = _backend(settings, repair=args.cmd in WRITES, reads_only=args.cmd in READS)
    try:
        return _dispatch(backend, args)
    finally:
        backend.close()


def _dispatch(b: Backend, args: argparse.Namespace) -> int:
    if args.cmd == "mcp":
        from policygraph.api.mcp import build_server

        build_server(lambda: b).run("stdio")
        return 0
    if args.cmd == "ingest":
        results = b.ingest_paths(args.paths)
        _report_ingest(results, args.json)
        return 2 if any(r["status"] == "error" for r in results) else 0
    if args.cmd == "search":
        res = b.search(args.query, limit=args.limit, doc=args.doc, agency=args.agency, system=args.system,
                       date_from=args.date_from, date_to=args.date_to)
        _out(res, args.json, _fmt_search)
    elif args.cmd == "entity":
        _out(b.entity_by_name(args.name), args.json, _fmt_entity)
    elif args.cmd == "measures":
        _out(b.measures(args.date_from, args.date_to, args.agency, args.doc), args.json, _fmt_measures)
    elif args.cmd == "documents":
        _out(b.documents(), args.json, _fmt_documents)
    elif args.cmd == "sparql":
        _, body = b.sparql(args.query, FORMATS[args.format])
        sys.stdout.write(body.decode("utf-8"))
        if not body.endswith(b"\n"):
            sys.stdout.write("\n")
    elif args.cmd == "check":
        res = b.check(repair=not args.no_repair)
        print(json.dumps(res, ensure_ascii=False, indent=2))
        return 0 if res["ok"] else 1
    elif args.cmd == "export":
        sys.stdout.write(b.export(args.format).decode("utf-8"))
    elif args.cmd == "reindex":
        print(json.dumps(b.reindex(), ensure_ascii=False))
    elif args.cmd == "delete":
        print(json.dumps(b.delete_document(args.doc_id), ensure_ascii=False))
    elif args.cmd == "backup":
        # through a running server the server writes it (it holds the stores) and keeps answering
        # absolute for the server, but a link at DEST itself is not followed (backup refuses it)
        print(json.dumps(b.backup(args.dest.parent.resolve() / args.dest.name), ensure_ascii=False, indent=2))
    return 0


def _backup_preflight(settings: Settings, dest: Path) -> None:
    """What can be refused before opening the stores or asking a server."""
    from policygraph.core.errors import BadInput
    from policygraph.service import backup

    backup.refuse_external(settings)
    if not settings.graph_path.is_dir():
        raise BadInput(f"nothing to back up: {settings.data} holds no stores (use --data DIR)")
    if os.path.lexists(dest):  # a dangling symlink too
        raise BadInput(f"{dest} exists: choose a new file name")


def _restore(settings: Settings, src: Path, force: bool) -> int:
    """Unpack a backup, check it against its manifest, and only then put it in place of
    the data directory's stores (exit 1, the stores untouched, when they disagree)."""
    from policygraph.service import backup

    backup.refuse_external(settings, "restore")
    res = backup.restore(src, settings.data, force, settings=settings)
    print(json.dumps(res, ensure_ascii=False, indent=2))
    if not res["ok"]:
        print(f"policygraph: {res['reason']}", file=sys.stderr)
        return 1
    return 0


def _out(data: Any, as_json: bool, fmt: Any) -> None:
    if as_json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(fmt(data))


def _fmt_search(r: dict[str, Any]) -> str:
    lines = [f"「{r['query']}」" + ("  (no good match)" if r["no_good_match"] else "")]
    for h in r["hits"]:
        sec = SECTION_SEP.join(h["section"]) or "-"
        lines.append(f"{h['rank']:>2}. [{h['document']['source']} {sec} @{h['start']}-{h['end']}] {h['score']:.4f}")
        lines.append("    " + h["text"][h.get("lead", 0):].replace("\n", " ")[:160])  # the passage, after its lead-in
    return "\n".join(lines)


def _fmt_entity(r: dict[str, Any]) -> str:
    e = r["entity"]
    lines = [f"{e['label']} ({e['type']}) id={e['id']}", "aliases: " + ", ".join(e["aliases"])]
    lines.append(f"mentions: {len(r['mentions'])}")
    for m in r["mentions"]:
        lines.append(f"  {m['document']['source']} {SECTION_SEP.join(m['section']) or '-'} @{m['start']}-{m['end']}")
    lines.append(f"measures: {len(r['measures'])}")
    lines.extend(f"  related: {x['label']} ({x['type']}, {x['relation']})" for x in r["related"])
    for a in r.get("articles", []):
        where = ", ".join(f"{c['document']['source']} @{c['start']}-{c['end']}" for c in a["citations"])
        lines.append(f"  article: {a['article']} ({len(a['citations'])}: {where})")
    return "\n".join(lines)


def _fmt_measures(r: dict[str, Any]) -> str:
    lines = [f"{r['total']} measures"]
    for m in r["measures"]:
        dl = "; ".join(f"{d['kind']} {d['start'] or ''}..{d['end'] or ''} {d['text']}" for d in m["deadlines"])
        actors = ", ".join(a["label"] for a in m["actors"]) or (m.get("actor_text") or "-")
        lines.append(f"- [{m['document']['source']} {SECTION_SEP.join(m['section'])}] {actors}: {dl}")
    return "\n".join(lines)


def _fmt_documents(r: dict[str, Any]) -> str:
    return "\n".join(f"{d['id']}\t{d.get('type') or '-'}\t{d.get('date') or '-'}\t{d['title']}" for d in r["documents"])


def _report_ingest(results: list[dict[str, Any]], as_json: bool) -> None:
    if as_json:
        print(json.dumps({"results": results}, ensure_ascii=False, indent=2))
        return
    for r in results:
        if r["status"] == "error":
            print(f"policygraph: {r['source']}: {r['reason']}", file=sys.stderr)
        else:
            extra = "" if r["status"] == "unchanged" else (
                f" ({r['passages']} passages, {r['entities']} entities, {r['measures']} measures)")
            print(f"{r['status']:>9}  {r['source']}{extra}")


# ---- backends ------------------------------------------------------------------------

def _backend(settings: Settings, repair: bool = False, reads_only: bool = False) -> Backend:
    info = _server_info(settings.data)
    if info is not None:
        from policygraph.api.remote import RemoteService

        remote = RemoteService(info["url"], info.get("token"))
        if remote.alive():
            return remote
    if reads_only:
        _require_data(settings)
    from policygraph.api.local import LocalService

    return LocalService(settings, repair=repair)


def _require_data(settings: Settings) -> None:
    """A command that reads needs a data directory with stores in it: a mistyped --data
    must not open (and so create) an empty store and answer "nothing found"."""
    from policygraph.core.errors import BadInput

    if settings.sparql_endpoint:  # the graph is on a SPARQL server
        return
    if not (settings.graph_path / "CURRENT").is_file():  # RocksDB's marker of a store
        raise BadInput(f"{settings.data} holds no policygraph data (no graph store in it): "
                       "give the data directory with --data or POLICYGRAPH_DATA, or ingest into it first")


def _server_info(data: Path) -> dict[str, Any] | None:
    from policygraph.service.server_file import read_server_file

    info, ignored = read_server_file(data)
    if ignored:
        print(f"policygraph: {ignored}", file=sys.stderr)
    return info


def _serve(settings: Settings, host: str, port: int) -> int:
    import uvicorn

    from policygraph.api.app import create_app
    from policygraph.service.service import Service

    service = Service(settings, repair=True)  # takes the data directory (or fails naming its holder)
    service.warm()  # models load in the background while the server starts answering
    token = secrets.token_urlsafe(32)
    data = Path(settings.data).resolve()
    info = _write_server_file(data, {"url": f"http://{host}:{port}", "pid": os.getpid(), "token": token,
                                     "data": str(data)})
    # uvicorn re-raises SIGTERM after its graceful shutdown; with a Python-level handler
    # that becomes SystemExit here, so the finally below still removes the server file
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        print(f"policygraph: serving {settings.data} on http://{host}:{port}", file=sys.stderr)
        uvicorn.run(create_app(settings, service, local_token=token, bound_host=host), host=host, port=port, log_level="info")
    finally:
        info.unlink(missing_ok=True)
        service.close()
    return 0


def _write_server_file(data: Path, info: dict[str, Any]) -> Path:
    """A new file, mode 0600, renamed over ``DATA/server.json``: whatever was there before
    (a file readable by others, a symlink) neither keeps its mode nor receives the token."""
    from policygraph.service.server_file import SERVER_FILE

    path = data / SERVER_FILE
    tmp = data / f".{SERVER_FILE}.{secrets.token_hex(8)}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    try:
        with os.fdopen(fd, "w") as f:
            os.fchmod(f.fileno(), 0o600)
            json.dump(info, f)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return path


if __name__ == "__main__":
    raise SystemExit(main())
