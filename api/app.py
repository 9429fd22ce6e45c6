"""The FastAPI application: JSON API, SPARQL 1.1 protocol, linked-data IRIs, web UI."""


import base64
import hashlib
import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, File, Form, Header, Query, Response, UploadFile
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, HTMLResponse

from policygraph.api import errors
from policygraph.api.jobs import Jobs, Upload
from policygraph.core.dates import Side, parse_bound
from policygraph.core.errors import BadInput, NotFound, TooLarge
from policygraph.core.records import SourceDocument
from policygraph.core.settings import Settings
from policygraph.service.service import Service

STATIC = Path(__file__).parent / "static"
VENDOR = STATIC / "vendor"
MEDIA_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
               ".html": "text/html; charset=utf-8", ".png": "image/png"}
TABLE_RESPONSES: dict[int | str, dict[str, Any]] = {200: {"content": {
    "text/csv": {"schema": {"type": "string"}},
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {"schema": {"type": "string", "format": "binary"}},
}, "description": "JSON; CSV (UTF-8 with BOM) for `format=csv` or `Accept: text/csv`; Excel for `format=xlsx`"}}
SWAGGER_ASSETS = ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png")


def create_app(  # noqa: C901 - one closure per route
    settings: Settings, service: Service | None = None, local_token: str | None = None,
    bound_host: str | None = None,
) -> FastAPI:
    """The app.  ``local_token``: the per-run token of ``policygraph serve`` (its CLI's key,
    the only one for routes that name server paths); ``bound_host``: the address it binds
    (answered as a ``Host`` besides the defaults, see ``api/security.py``)."""
    app = FastAPI(title="policygraph", version="0.1.0", docs_url=None, redoc_url=None,
                  description="Knowledge graph and semantic search over Japanese government policy documents")
    errors.install(app)
    from policygraph.api.limits import BodyLimit
    from policygraph.api.security import HostCheck, SecurityHeaders, WriteAuth, WriteGate, default_hosts

    auth = WriteAuth(settings.api_key.get_secret_value() if settings.api_key else None, local_token)
    # the last added runs first: headers on every answer → Host → CORS → write auth → body limit
    app.add_middleware(BodyLimit, max_body_bytes=settings.max_body_bytes,
                       max_upload_bytes=settings.max_upload_bytes)
    app.add_middleware(WriteGate, auth=auth)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"])
    app.add_middleware(HostCheck, allowed=settings.allowed_hosts or default_hosts(settings.base_iri, bound_host))
    app.add_middleware(SecurityHeaders)
    holder: dict[str, Service] = {}

    def svc() -> Service:
        if "s" not in holder:
            holder["s"] = service or Service(settings, repair=True)
        return holder["s"]

    app.state.service = svc
    Svc = Annotated[Service, Depends(svc)]

    def writer(authorization: Annotated[str | None, Header()] = None) -> None:
        auth.check(authorization)  # WriteGate checked it before the body was read; again here

    def local_writer(authorization: Annotated[str | None, Header()] = None) -> None:
        auth.check(authorization, local_only=True)

    Writer = Annotated[None, Depends(writer)]
    LocalWriter = Annotated[None, Depends(local_writer)]

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/info")
    def api_info(s: Svc) -> dict[str, Any]:
        """What the UI shows on its first page: the base IRI and how much is ingested."""
        return s.info()

    @app.get("/api/search", responses=TABLE_RESPONSES)
    def search(s: Svc, q: str, limit: Annotated[int, Query(ge=1, le=100)] = 10,
               offset: Annotated[int, Query(ge=0)] = 0, doc: str | None = None,
               agency: str | None = None, system: str | None = None,
               from_: Annotated[str | None, Query(alias="from")] = None,
               to: str | None = None, format: str | None = None,  # noqa: A002
               sort: Annotated[str, Query(description="relevance (default), date (earliest deadline first) "
                                          "or document (document order)")] = "relevance",
               accept: Annotated[str | None, Header()] = None) -> Any:
        res = s.search(q, limit=limit, offset=offset, doc=doc, agency=agency, system=system,
                       date_from=_date(from_), date_to=_date(to, "to"), sort=sort)
        return _table(res, format, accept, "search", f"search-{q}")

    @app.get("/api/entities", responses=TABLE_RESPONSES)
    def entities(s: Svc, q: str | None = None, type: str | None = None,  # noqa: A002
                 limit: Annotated[int, Query(ge=1, le=10000)] = 100,
                 offset: Annotated[int, Query(ge=0)] = 0, format: str | None = None,  # noqa: A002
                 accept: Annotated[str | None, Header()] = None) -> Any:
        return _table(s.entities(q, type, limit, offset), format, accept, "entities", "entities")

    @app.get("/api/entities/{entity_id}", responses=TABLE_RESPONSES)
    def entity(s: Svc, entity_id: str, format: str | None = None,  # noqa: A002
               accept: Annotated[str | None, Header()] = None) -> Any:
        res = s.entity(entity_id)
        return _table(res, format, accept, "entity", f"entity-{res['entity']['label']}")

    @app.get("/api/measures", responses=TABLE_RESPONSES)
    def measures(s: Svc, from_: Annotated[str | None, Query(alias="from")] = None, to: str | None = None,
                 agency: str | None = None, doc: str | None = None,
                 limit: Annotated[int, Query(ge=1, le=10000)] = 1000,
                 offset: Annotated[int, Query(ge=0)] = 0, format: str | None = None,  # noqa: A002
                 accept: Annotated[str | None, Header()] = None) -> Any:
        return _table(s.measures(_date(from_), _date(to, "to"), agency, doc, limit, offset), format, accept,
                      "measures", "measures")

    @app.get("/api/documents")
    def documents(s: Svc, limit: Annotated[int, Query(ge=1, le=10000)] = 1000,
                  offset: Annotated[int, Query(ge=0)] = 0) -> dict[str, Any]:
        d = s.documents()
        return {"documents": d["documents"][offset : offset + limit], "total": d["total"]}

    @app.get("/api/documents/{doc_id}")
    def document(s: Svc, doc_id: str) -> dict[str, Any]:
        return s.document(doc_id)

    def read_upload(u: Upload) -> SourceDocument:
        from policygraph.ingest.readers import read_bytes

        return read_bytes(u.data, u.name, max_bytes=settings.max_upload_bytes, max_chars=settings.max_document_chars)

    jobs: dict[str, Jobs] = {}

    def upload_jobs() -> Jobs:
        if "j" not in jobs:
            jobs["j"] = Jobs(svc().ingest_documents, read_upload)
        return jobs["j"]

    @app.post("/api/documents", status_code=201, responses={202: {"description": "an upload job (`wait=false`)"}})
    def upload(s: Svc, _w: Writer, response: Response, file: Annotated[list[UploadFile], File()],
               wait: Annotated[bool, Query(description="false: answer 202 at once with a job to poll")] = True,
               prefer: Annotated[str | None, Header()] = None) -> dict[str, Any]:
        """Ingest one or more files (form field ``file``, repeated).  By default the answer
        comes when they are written; with ``wait=false`` (or ``Prefer: respond-async``) it
        is ``202`` with a job, polled at ``/api/jobs/{id}`` (its ``Location``)."""
        uploads = []
        for f in file:
            data = f.file.read(settings.max_upload_bytes + 1)
            if len(data) > settings.max_upload_bytes:
                raise TooLarge(f"larger than {settings.max_upload_bytes} bytes", source=f.filename)
            uploads.append(Upload(f.filename or "upload", data))
        if not wait or (prefer and "respond-async" in prefer.lower()):
            job = upload_jobs().submit(uploads)
            response.status_code = 202
            response.headers["Location"] = f"/api/jobs/{job.id}"
            return job.view()
        docs = [read_upload(u) for u in uploads]
        return {"results": s.ingest_documents(docs)}

    @app.get("/api/jobs")
    def list_jobs(_w: Writer) -> dict[str, Any]:
        """Upload jobs, newest first (kept in the server's memory)."""
        views = [j.view() for j in upload_jobs().all()]
        return {"jobs": views, "total": len(views)}

    @app.get("/api/jobs/{job_id}")
    def get_job(_w: Writer, job_id: str) -> dict[str, Any]:
        """An upload job: ``state`` (queued, running, done, failed), ``progress`` (stage,
        done, total), ``counts`` and each file's ``results``; ``error`` when it failed."""
        return upload_jobs().get(job_id).view()

    @app.delete("/api/documents/{doc_id}")
    def delete(s: Svc, _w: Writer, doc_id: str) -> dict[str, Any]:
        return s.delete_document(doc_id)

    @app.post("/api/ingest-paths", include_in_schema=False)
    def ingest_paths(s: Svc, _w: LocalWriter, paths: Annotated[list[str], Form()]) -> dict[str, Any]:
        return {"results": s.ingest_paths([Path(p) for p in paths])}

    @app.post("/api/backup", include_in_schema=False)
    def backup(s: Svc, _w: LocalWriter, path: Annotated[str, Form()]) -> dict[str, Any]:
        from policygraph.service.backup import backup as write_backup

        return write_backup(s, Path(path))

    from policygraph.api import linked_data, sparql

    sparql.install(app, settings, svc)
    linked_data.install(app, settings, svc)
    _install_mcp(app, svc)

    @app.get("/export")
    def export(s: Svc, format: str = "turtle") -> Response:  # noqa: A002
        from policygraph.graph.results import EXPORT_TYPES as mimes

        if format not in mimes:
            raise BadInput(f"format must be one of {sorted(mimes)}")
        return Response(s.graph.dump(format), media_type=mimes[format])

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type=MEDIA_TYPES[".html"])

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> FileResponse:
        # only a name listed in the folder: no path is built from what the client sent
        files = {p.name: p for p in STATIC.iterdir() if p.is_file() and not p.name.startswith(".")}
        if name not in files:
            raise NotFound(f"no static file {name!r}")
        return FileResponse(files[name], media_type=MEDIA_TYPES.get(files[name].suffix))

    @app.get("/static/vendor/{path:path}", include_in_schema=False)
    def vendor(path: str) -> FileResponse:
        # the vendored browser bundles (static/vendor/README.md): a key into the files found
        # there, never a path built from what the client sent
        files = {p.relative_to(VENDOR).as_posix(): p for p in VENDOR.rglob("*")
                 if p.is_file() and p.suffix in MEDIA_TYPES}
        if path not in files:
            raise NotFound(f"no static file {path!r}")
        return FileResponse(files[path], media_type=MEDIA_TYPES[files[path].suffix])

    _install_docs(app)
    _install_redoc(app)
    return app


def _install_docs(app: FastAPI) -> None:
    """``/docs``: Swagger UI from the ``swagger-ui-bundle-v2`` package, nothing from a CDN;
    its one inline script is allowed by its hash (the page's own CSP)."""
    from fastapi.openapi.docs import get_swagger_ui_html

    page = get_swagger_ui_html(
        openapi_url=app.openapi_url or "/openapi.json", title=f"{app.title} — API",
        swagger_js_url="/docs/assets/swagger-ui-bundle.js", swagger_css_url="/docs/assets/swagger-ui.css",
        swagger_favicon_url="/docs/assets/favicon-32x32.png",
        swagger_ui_parameters={"validatorUrl": None})  # no badge from validator.swagger.io
    html = bytes(page.body).decode()
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
                      for s in re.findall(r"<script>(.*?)</script>", html, flags=re.S))
    csp = (f"default-src 'self'; script-src 'self' {hashes}; img-src 'self' data:; object-src 'none'; "
           "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(html, headers={"Content-Security-Policy": csp})

    @app.get("/docs/assets/{name}", include_in_schema=False)
    def docs_asset(name: str) -> FileResponse:
        if name not in SWAGGER_ASSETS:
            raise NotFound(f"no file {name!r}")
        from swagger_ui_bundle import swagger_ui_path

        path = Path(str(swagger_ui_path)) / name
        return FileResponse(path, media_type=MEDIA_TYPES.get(path.suffix))


def _install_redoc(app: FastAPI) -> None:
    """``/redoc``: ReDoc's standalone bundle (npm ``redoc``, ``static/vendor/redoc``), nothing
    from elsewhere.  The page's own CSP: its one inline module (it starts ReDoc with telemetry
    off and keeps the attribution badge from fetching its logo from cdn.redoc.ly) by hash;
    ReDoc's styled-components rules by a nonce new on every response, which they read from
    the ``csp-nonce`` meta tag; the icon font the bundle carries as a ``data:`` URI.  No web
    fonts: ReDoc draws with the system's."""
    import secrets

    # React sets an <img>'s src both as an attribute and as a property: the badge's logo is
    # refused on both ways in, before the browser would try (and the CSP refuse) to load it
    start = ('const cdn = (url) => String(url).startsWith("https://cdn.redoc.ly/");\n'
             'const src = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");\n'
             'Object.defineProperty(HTMLImageElement.prototype, "src", { ...src, set(url) { if (!cdn(url)) src.set.call(this, url); } });\n'
             'const setAttribute = Element.prototype.setAttribute;\n'
             'Element.prototype.setAttribute = function (name, value) {\n'
             '  if (!(this instanceof HTMLImageElement && name === "src" && cdn(value))) setAttribute.call(this, name, value);\n'
             '};\n'
             'const { init } = await import("/static/vendor/redoc/redoc.standalone.js");\n'
             f'init("{app.openapi_url or "/openapi.json"}", {{ disableTelemetry: true }}, document.getElementById("redoc"));')
    digest = base64.b64encode(hashlib.sha256(start.encode()).digest()).decode()

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> HTMLResponse:
        nonce = secrets.token_urlsafe(18)
        html = (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                f'<title>{app.title} — API</title><link rel="icon" href="/docs/assets/favicon-32x32.png">'
                f'<meta property="csp-nonce" nonce="{nonce}">'
                f'<style nonce="{nonce}">body {{ margin: 0; }} img[alt="redocly logo"] {{ display: none; }}</style>'
                f'</head><body><div id="redoc"></div><script type="module">{start}</script></body></html>')
        csp = (f"default-src 'self'; script-src 'self' 'sha256-{digest}'; style-src 'self' 'nonce-{nonce}'; "
               "font-src 'self' data:; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
               "form-action 'self'; frame-ancestors 'none'")
        return HTMLResponse(html, headers={"Content-Security-Policy": csp, "Cache-Control": "no-store"})


def _date(value: str | None, side: Side = "from") -> str | None:
    """A window end as typed: an ISO date or 令和8年度 / R8 / FY2026 / 2026年度 … (core.dates)."""
    return parse_bound(value, side)


def _table(res: dict[str, Any], fmt: str | None, accept: str | None, kind: str, name: str) -> Any:
    """``res`` as JSON, or as a CSV / xlsx download (``format=``, or ``Accept: text/csv``)."""
    from policygraph.service import export

    if fmt in (None, "", "json"):
        if fmt is None and accept and "text/csv" in accept and "application/json" not in accept:
            fmt = "csv"
        else:
            return res
    if fmt not in export.TABLE_FORMATS:
        raise BadInput(f"format must be json, csv or xlsx, got {fmt!r}")
    body = export.render(export.TABLES[kind](res), fmt, title=kind)
    filename = f"{name}.{fmt}"
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", filename)
    from urllib.parse import quote

    return Response(body, media_type=export.MEDIA_TYPES[fmt], headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"})


def _install_mcp(app: FastAPI, svc: Callable[[], Service]) -> None:
    """The MCP server over streamable HTTP at ``/mcp`` (stateless, JSON answers), open like
    the other read routes; its session manager runs for the app's lifetime."""
    from contextlib import asynccontextmanager

    from mcp.server.transport_security import TransportSecuritySettings

    from policygraph.api.mcp import build_server

    server = build_server(svc)
    mcp_app = server.streamable_http_app(
        streamable_http_path="/mcp", stateless_http=True, json_response=True,
        # the Host check is the app's own (api/security.py), for every route alike
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False))
    app.router.routes.extend(mcp_app.routes)
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: Any) -> AsyncIterator[None]:
        async with server.session_manager.run(), inner(a):
            yield

    app.router.lifespan_context = lifespan
