"""The FastAPI application: JSON API, SPARQL 1.1 protocol, linked-data IRIs, web UI."""


import hmac
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, File, Form, Header, Query, Response, UploadFile
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse

from api import errors
from api.service import Service
from core.errors import BadInput, NotFound, TooLarge, Unauthorized, WritesDisabled
from core.settings import Settings

STATIC = Path(__file__).parent / "static"


def create_app(  # noqa: C901 - one closure per route
    settings: Settings, service: Service | None = None, local_token: str | None = None
) -> FastAPI:
    app = FastAPI(title="policygraph", version="0.1.0",
                  description="Knowledge graph and semantic search over Japanese government policy documents")
    errors.install(app)
    from api.limits import BodyLimit

    app.add_middleware(BodyLimit, max_body_bytes=settings.max_body_bytes,
                       max_upload_bytes=settings.max_upload_bytes)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"])
    holder: dict[str, Service] = {}

    def svc() -> Service:
        if "s" not in holder:
            holder["s"] = service or Service(settings)
        return holder["s"]

    app.state.service = svc
    Svc = Annotated[Service, Depends(svc)]

    def writer(authorization: Annotated[str | None, Header()] = None) -> None:
        keys = [k for k in (settings.api_key.get_secret_value() if settings.api_key else None, local_token) if k]
        if not keys:
            raise WritesDisabled("write routes are disabled: set POLICYGRAPH_API_KEY to enable them")
        given = (authorization or "").removeprefix("Bearer ").strip()
        if not given or not any(hmac.compare_digest(given.encode(), k.encode()) for k in keys):
            raise Unauthorized("a valid 'Authorization: Bearer <key>' header is required")

    Writer = Annotated[None, Depends(writer)]

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/info")
    def api_info(s: Svc) -> dict[str, Any]:
        """What the UI shows on its first page: the base IRI and how much is ingested."""
        return s.info()

    @app.get("/api/search")
    def search(s: Svc, q: str, limit: Annotated[int, Query(ge=1, le=100)] = 10, doc: str | None = None,
               agency: str | None = None, system: str | None = None,
               from_: Annotated[str | None, Query(alias="from")] = None,
               to: str | None = None) -> dict[str, Any]:
        return s.search(q, limit=limit, doc=doc, agency=agency, system=system,
                        date_from=_date(from_), date_to=_date(to))

    @app.get("/api/entities")
    def entities(s: Svc, q: str | None = None, type: str | None = None,  # noqa: A002
                 limit: Annotated[int, Query(ge=1, le=10000)] = 100,
                 offset: Annotated[int, Query(ge=0)] = 0) -> dict[str, Any]:
        return s.entities(q, type, limit, offset)

    @app.get("/api/entities/{entity_id}")
    def entity(s: Svc, entity_id: str) -> dict[str, Any]:
        return s.entity(entity_id)

    @app.get("/api/measures")
    def measures(s: Svc, from_: Annotated[str | None, Query(alias="from")] = None, to: str | None = None,
                 agency: str | None = None, doc: str | None = None,
                 limit: Annotated[int, Query(ge=1, le=10000)] = 1000,
                 offset: Annotated[int, Query(ge=0)] = 0) -> dict[str, Any]:
        return s.measures(_date(from_), _date(to), agency, doc, limit, offset)

    @app.get("/api/documents")
    def documents(s: Svc, limit: Annotated[int, Query(ge=1, le=10000)] = 1000,
                  offset: Annotated[int, Query(ge=0)] = 0) -> dict[str, Any]:
        d = s.documents()
        return {"documents": d["documents"][offset : offset + limit], "total": d["total"]}

    @app.get("/api/documents/{doc_id}")
    def document(s: Svc, doc_id: str) -> dict[str, Any]:
        return s.document(doc_id)

    @app.post("/api/documents", status_code=201)
    def upload(s: Svc, _w: Writer, file: Annotated[UploadFile, File()]) -> dict[str, Any]:
        from ingest.readers import read_bytes

        data = file.file.read(settings.max_upload_bytes + 1)
        if len(data) > settings.max_upload_bytes:
            raise TooLarge(f"larger than {settings.max_upload_bytes} bytes", source=file.filename)
        doc = read_bytes(data, file.filename or "upload", max_bytes=settings.max_upload_bytes)
        return {"results": s.ingest_documents([doc])}

    @app.delete("/api/documents/{doc_id}")
    def delete(s: Svc, _w: Writer, doc_id: str) -> dict[str, Any]:
        return s.delete_document(doc_id)

    @app.post("/api/ingest-paths", include_in_schema=False)
    def ingest_paths(s: Svc, _w: Writer, paths: Annotated[list[str], Form()]) -> dict[str, Any]:
        return {"results": s.ingest_paths([Path(p) for p in paths])}

    @app.post("/api/backup", include_in_schema=False)
    def backup(s: Svc, _w: Writer, path: Annotated[str, Form()]) -> dict[str, Any]:
        from api.backup import backup as write_backup

        return write_backup(s, Path(path))

    from api import linked_data, sparql

    sparql.install(app, settings, svc)
    linked_data.install(app, settings, svc)

    @app.get("/export")
    def export(s: Svc, format: str = "turtle") -> Response:  # noqa: A002
        from graph.results import EXPORT_TYPES as mimes

        if format not in mimes:
            raise BadInput(f"format must be one of {sorted(mimes)}")
        return Response(s.graph.dump(format), media_type=mimes[format])

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> FileResponse:
        path = (STATIC / name).resolve()
        if path.parent != STATIC.resolve() or not path.is_file():
            raise NotFound(f"no static file {name!r}")
        return FileResponse(path)

    return app


def _date(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    from datetime import date

    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise BadInput(f"not an ISO date: {value!r}") from None


def json_response(data: Any) -> JSONResponse:
    return JSONResponse(data)
