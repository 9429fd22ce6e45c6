"""Typed errors → RFC 9457 application/problem+json, mapped once here."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from policygraph.core.errors import NotFound, PolicygraphError

PROBLEM = "application/problem+json"


def problem(status: int, title: str, detail: str, instance: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail, "instance": instance, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def typed_problem(exc: PolicygraphError, instance: str) -> JSONResponse:
    """The problem+json answer to one of our typed errors (routes and ASGI middleware alike)."""
    extra: dict[str, Any] = {}
    if isinstance(exc, NotFound) and exc.suggestions:
        extra["suggestions"] = exc.suggestions
    if exc.source:
        extra["source"] = exc.source
    resp = problem(exc.status, exc.title, exc.detail, instance, **extra)
    if exc.status == 401:
        resp.headers["WWW-Authenticate"] = "Bearer"
    return resp


def install(app: FastAPI) -> None:
    @app.exception_handler(PolicygraphError)
    async def _typed(request: Request, exc: PolicygraphError) -> JSONResponse:
        return typed_problem(exc, request.url.path)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": [str(x) for x in e.get("loc", ())], "msg": str(e.get("msg", ""))} for e in exc.errors()]
        detail = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors)
        return problem(422, "Invalid request", detail, request.url.path, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem(exc.status_code, "HTTP error", str(exc.detail), request.url.path)

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:  # noqa: ARG001
        return problem(500, "Internal error", "an internal error occurred; see the server log", request.url.path)
