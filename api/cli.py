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


DATE_HELP = "an ISO date (2026-04-01) or 令和8年度, R8, FY2026, 2026年度, 2026年4月, 令和8年"
TABLE_HELP = "write a table instead of text: csv (UTF-8 with BOM, opens in Excel) or xlsx (needs --out)"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="policygraph", description=__doc__.split("\n")[0] if __doc__ else None)
    p.add_argument("--data", help="data directory (default: $POLICYGRAPH_DATA or ./data)")
    sub = p.add_subparsers(dest="cmd", required=True, metavar="COMMAND")

    def cmd(name: str, help_: str) -> argparse.ArgumentParser:
        c = sub.add_parser(name, help=help_, description=help_)
        c.add_argument("--data", default=argparse.SUPPRESS, help="data directory (default: $POLICYGRAPH_DATA or ./data)")
        return c

    def as_json(c: argparse.ArgumentParser) -> None:
        c.add_argument("--json", action="store_true", help="print the answer as JSON (the API's shape)")

    def table(c: argparse.ArgumentParser) -> None:
        c.add_argument("--format", dest="table", choices=["csv", "xlsx"], help=TABLE_HELP)
        c.add_argument("--out", type=Path, help="file to write the table to (default: standard output, csv only)")

    c = cmd("ingest", "ingest files or folders (.txt .md .html .pdf .docx, e-Gov law .xml)")
    c.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="a file or a folder (read recursively)")
    c.add_argument("--cluster", metavar="ADDRESS",
                   help="parse and embed on a Ray cluster: host:port as `ray start --head` prints it, or "
                        "ray://host:10001 (default: $POLICYGRAPH_CLUSTER_ADDRESS, else in this process); "
                        "this process still reads the files and writes the stores")
    as_json(c)
    c = cmd("search", "hybrid semantic search over passages")
    c.add_argument("query", help="a question or words, in Japanese (e.g. SNSで実行犯を募集する投稿への対策)")
    c.add_argument("--limit", type=int, default=10, help="hits to show (1-100, default 10)")
    c.add_argument("--offset", type=int, default=0, help="hits to skip, for the next page (default 0)")
    c.add_argument("--doc", help="only this document (its id or file name)")
    c.add_argument("--agency", help="only passages naming this agency (a name, alias or entity id)")
    c.add_argument("--system", help="only passages naming this system (a name, alias or entity id)")
    c.add_argument("--from", dest="date_from", help="only passages with a deadline on or after this: " + DATE_HELP)
    c.add_argument("--to", dest="date_to", help="only passages with a deadline on or before this: " + DATE_HELP)
    as_json(c)
    table(c)
    c = cmd("entity", "resolve a name or alias to an entity and list everything touching it")
    c.add_argument("name", help="an agency, system, law, plan or programme: its name, an alias or its id")
    as_json(c)
    table(c)
    c = cmd("measures", "measures whose deadline interval overlaps [from, to]")
    c.add_argument("--from", dest="date_from", help="window start: " + DATE_HELP)
    c.add_argument("--to", dest="date_to", help="window end: " + DATE_HELP)
    c.add_argument("--agency", help="only measures this agency acts in (a name, alias or entity id)")
    c.add_argument("--doc", help="only this document (its id or file name)")
    as_json(c)
    table(c)
    c = cmd("documents", "the ingested documents with their metadata")
    as_json(c)
    c = cmd("sparql", "run a read-only SPARQL query")
    c.add_argument("query", help="a SPARQL SELECT, ASK, CONSTRUCT or DESCRIBE query (no updates, no SERVICE)")
    c.add_argument("--format", default=None, choices=["table", "json", "xml", "csv", "tsv", "turtle", "ntriples", "jsonld"],
                   help="answer format (default: a table on a terminal, else JSON); "
                        "turtle/ntriples/jsonld for CONSTRUCT and DESCRIBE")
    c = cmd("serve", "API + SPARQL endpoint + web UI")
    c.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    c.add_argument("--port", type=int, default=8000, help="port to listen on (default 8000)")
    cmd("mcp", "serve the Model Context Protocol over stdio (tools: search, entity, measures, documents, "
               "passage, sparql) for other programs; next to a running server it asks the server")
    c = cmd("check", "verify the data directory (graph <-> index agreement) and repair what a crash left")
    c.add_argument("--no-repair", action="store_true", help="only report what disagrees; change nothing")
    c = cmd("export", "export the whole graph")
    c.add_argument("--format", default="turtle", choices=["turtle", "nquads", "jsonld"],
                   help="RDF serialisation (default turtle)")
    c = cmd("reindex", "re-embed every passage with the configured embedding model (no re-parsing)")
    c = cmd("delete", "remove a document from the graph and the index")
    c.add_argument("doc_id", help="the document's id (see `policygraph documents`)")
    c = cmd("backup", "write a consistent snapshot of both stores to one .tar.gz (works next to a running server)")
    c.add_argument("dest", type=Path, help="the .tar.gz file to write (must not exist)")
    c = cmd("restore", "restore a backup into the data directory, then check it")
    c.add_argument("src", type=Path, help="a .tar.gz written by `policygraph backup`")
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
    if getattr(args, "cluster", None):  # ingest --cluster wins over POLICYGRAPH_CLUSTER_ADDRESS
        settings = settings.model_copy(update={"cluster_address": args.cluster})
    if args.cmd == "serve":
        return _serve(settings, args.host, args.port)
    if args.cmd == "restore":
        return _restore(settings, args.src, args.force)
    if args.cmd == "backup":
        _backup_preflight(settings, args.dest)
    if hasattr(args, "date_from"):  # 令和8年度, R8, FY2026 … → ISO, refused before anything opens
        from policygraph.core.dates import parse_bound

        args.date_from, args.date_to = parse_bound(args.date_from, "from"), parse_bound(args.date_to, "to")
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
        from policygraph.api.remote import RemoteService

        if args.cluster and isinstance(b, RemoteService):  # a server holds the directory: it ingests
            from policygraph.core.errors import BadInput

            raise BadInput("--cluster: a server holds this data directory and ingests through its own settings "
                           "(start it with POLICYGRAPH_CLUSTER_ADDRESS), or stop it first")
        results = b.ingest_paths(args.paths)
        _report_ingest(results, args.json)
        return 2 if any(r["status"] == "error" for r in results) else 0
    if args.cmd == "search":
        res = b.search(args.query, limit=args.limit, offset=args.offset, doc=args.doc, agency=args.agency,
                       system=args.system, date_from=args.date_from, date_to=args.date_to)
        _out(res, args, _fmt_search, "search")
    elif args.cmd == "entity":
        res = b.entity_by_name(args.name)
        resolved = res.get("resolved") or {}
        if resolved and not resolved.get("exact"):
            print(f"policygraph: {args.name} → {res['entity']['label']} (closest name)", file=sys.stderr)
        _out(res, args, _fmt_entity, "entity")
    elif args.cmd == "measures":
        _out(b.measures(args.date_from, args.date_to, args.agency, args.doc), args, _fmt_measures, "measures")
    elif args.cmd == "documents":
        _out(b.documents(), args, _fmt_documents)
    elif args.cmd == "sparql":
        _sparql(b, args.query, args.format)
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


def _out(data: Any, args: argparse.Namespace, fmt: Any, kind: str | None = None) -> None:
    """The answer as JSON (--json), as a CSV/xlsx table (--format, --out), or as text."""
    table = getattr(args, "table", None)
    out: Path | None = getattr(args, "out", None)
    if table and kind:
        from policygraph.service import export

        if table == "xlsx" and out is None:
            from policygraph.core.errors import BadInput

            raise BadInput("--format xlsx needs --out FILE")
        rows = export.TABLES[kind](data)
        body = export.render(rows, table, title=kind)
        if out is not None:
            out.write_bytes(body)
            print(f"policygraph: wrote {out} ({len(rows[1])} rows)", file=sys.stderr)
        else:
            sys.stdout.buffer.write(body)
            sys.stdout.flush()
    elif getattr(args, "json", False):
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(fmt(data))


def _sparql(b: Backend, query: str, fmt: str | None) -> None:
    """A SELECT/ASK as an aligned table on a terminal (or ``--format table``), else the
    protocol's format; JSON results are indented."""
    fmt = fmt or ("table" if sys.stdout.isatty() else "json")
    if fmt == "table":
        media, body = b.sparql(query, FORMATS["json"] + ", text/turtle;q=0.9")
        if "json" not in media:  # CONSTRUCT / DESCRIBE answer RDF
            sys.stdout.write(body.decode("utf-8"))
            return
        print(_fmt_table(json.loads(body)))
        return
    _, body = b.sparql(query, FORMATS[fmt])
    if fmt == "json":
        try:
            body = (json.dumps(json.loads(body), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        except ValueError:
            pass
    sys.stdout.write(body.decode("utf-8"))
    if not body.endswith(b"\n"):
        sys.stdout.write("\n")


def _fmt_table(res: dict[str, Any]) -> str:
    """SPARQL JSON results as an aligned text table (wide characters count double)."""
    import unicodedata

    if "boolean" in res:
        return "true" if res["boolean"] else "false"
    cols = res["head"]["vars"]
    rows = [[(b.get(c) or {}).get("value", "") for c in cols] for b in res["results"]["bindings"]]
    rows = [[v.replace("\n", " ")[:80] for v in r] for r in rows]

    def width(t: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in t)

    widths = [max([width(c), *(width(r[i]) for r in rows)]) for i, c in enumerate(cols)]

    def line(cells: list[str]) -> str:
        return "  ".join(c + " " * (w - width(c)) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(cols), line(["-" * w for w in widths]), *(line(r) for r in rows)]
    out.append(f"({len(rows)} rows)")
    return "\n".join(out)


def _fmt_search(r: dict[str, Any]) -> str:
    hits = r["hits"]
    total = r.get("total", len(hits))
    first = r.get("offset", 0) + 1
    head = f"「{r['query']}」 {total} 件"
    if hits:
        head += f"（{first}–{first + len(hits) - 1} 件目）"
    if r["no_good_match"]:
        head += "\n該当なし: この質問に十分に答える箇所は見つかりませんでした（参考に近い箇所を表示）"
    lines = [head]
    for h in hits:
        doc = h["document"]
        lines.append("")
        lines.append(f"{h['rank']:>2}. {doc.get('title') or doc['source']}")
        lines.append(f"    {SECTION_SEP.join(h['section']) or '-'}  ({doc['source']} {h['start'] + h.get('lead', 0)}–{h['end']})")
        lines.append("    " + _answer(h))
    return "\n".join(lines)


def _answer(h: dict[str, Any], width: int = 200) -> str:
    """The hit's best sentence or item, with the query's words in 【】 when not on a
    terminal and in bold on one."""
    best = h.get("best") or {"start": h["start"] + h.get("lead", 0), "end": h["end"]}
    s, e = best["start"], best["end"]
    text = h["text"]
    tty = sys.stdout.isatty()
    on, off = ("\033[1m", "\033[0m") if tty else ("【", "】")
    out, pos = [], s
    for a, b in h.get("highlights", []):
        if a >= s and b <= e and a >= pos:
            out += [text[pos - h["start"]: a - h["start"]], on, text[a - h["start"]: b - h["start"]], off]
            pos = b
    out.append(text[pos - h["start"]: e - h["start"]])
    from policygraph.service.answer import plain

    flat = " ".join(plain("".join(out)).split())
    return flat if len(flat) <= width else flat[:width] + "…"


def _fmt_entity(r: dict[str, Any]) -> str:
    e = r["entity"]
    lines = [f"{e['label']}（{e['type']}）  id={e['id']}"]
    if e["aliases"]:
        lines.append("別名: " + "、".join(e["aliases"]))
    lines.append(f"言及 {len(r['mentions'])} 箇所・施策 {len(r['measures'])} 件")
    if r["mentions"]:
        lines.append("")
        lines.append("言及:")
    for m in r["mentions"]:
        lines.append(f"  - {m['document'].get('title') or m['document']['source']}  {SECTION_SEP.join(m['section']) or '-'}")
        lines.append(f"    {_around(m)}")
    if r["measures"]:
        lines.append("")
        lines.append("施策:")
    lines.extend(_fmt_measure(m) for m in r["measures"])
    if r["related"]:
        lines.append("")
        lines.append("関連: " + "、".join(f"{x['label']}（{x['relation']}）" for x in r["related"]))
    for a in r.get("articles", []):
        where = ", ".join(f"{c['document']['source']} {c['start']}–{c['end']}" for c in a["citations"])
        lines.append(f"  条文: {a['article']} ({len(a['citations'])}: {where})")
    return "\n".join(lines)


def _around(m: dict[str, Any], context: int = 50) -> str:
    """The sentence around a mention's first surface in its passage."""
    text = m["text"]
    surfaces = m.get("surfaces") or []
    if not surfaces:
        return " ".join(text.split())[: 2 * context]
    at = max(0, surfaces[0]["start"] - m["start"])
    lo = max(text.rfind("。", 0, at) + 1, at - context, 0)
    hi = text.find("。", at)
    hi = min(hi + 1 if hi >= 0 else len(text), at + context + len(surfaces[0]["surface"]))
    from policygraph.service.answer import plain

    return ("…" if lo > 0 else "") + " ".join(plain(text[lo:hi]).split()) + ("…" if hi < len(text) else "")


def _fmt_measure(m: dict[str, Any]) -> str:
    actors = "、".join(a["label"] for a in m["actors"]) or (m.get("actor_text") or "主体の記載なし")
    dl = "；".join(f"{d['text']}（{_kind(d)}）" for d in m["deadlines"]) or "期限の記載なし"
    text = " ".join(m["text"].split())
    text = text if len(text) <= 200 else text[:200] + "…"
    doc = m["document"].get("title") or m["document"]["source"]
    return (f"  - {text}\n    主体: {actors}  期限: {dl}\n"
            f"    {doc}  {SECTION_SEP.join(m['section']) or '-'}")


def _kind(d: dict[str, Any]) -> str:
    span = f" {d['start'] or ''}〜{d['end'] or ''}" if d.get("start") or d.get("end") else ""
    return f"{d['kind']}{span}"


def _fmt_measures(r: dict[str, Any]) -> str:
    lines = [f"{r['total']} 件の施策"]
    lines.extend(_fmt_measure(m) for m in r["measures"])
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
    note = base_mismatch(settings.base_iri, host, port)
    if note:
        print(f"policygraph: {note}", file=sys.stderr)
    try:
        print(f"policygraph: serving {settings.data} on http://{host}:{port}", file=sys.stderr)
        uvicorn.run(create_app(settings, service, local_token=token, bound_host=host), host=host, port=port, log_level="info")
    finally:
        info.unlink(missing_ok=True)
        service.close()
    return 0


def base_mismatch(base_iri: str, host: str, port: int) -> str | None:
    """A warning when the graph's IRIs (``base_iri``, fixed into the graph at ingest) name
    another address than the one ``serve`` binds; None when they agree.

    >>> base_mismatch("http://127.0.0.1:8000", "127.0.0.1", 8000) is None
    True
    >>> "8001" in (base_mismatch("http://127.0.0.1:8000", "127.0.0.1", 8001) or "")
    True
    """
    from urllib.parse import urlsplit

    u = urlsplit(base_iri)
    base_port = u.port or (443 if u.scheme == "https" else 80)
    wildcard = host in ("0.0.0.0", "::", "")
    if base_port == port and (wildcard or u.hostname in (host, "localhost" if host == "127.0.0.1" else host)):
        return None
    return (f"the graph's IRIs name {base_iri} (POLICYGRAPH_BASE_IRI, fixed into the graph at ingest) but this "
            f"server answers on http://{host}:{port}: the web UI and /sparql link to this server, but fetching an "
            f"IRI itself goes to {base_iri}. To make IRIs resolve here, serve on that address (or put a proxy "
            "there), or set POLICYGRAPH_BASE_IRI before ingesting.")


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
