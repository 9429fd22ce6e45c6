"""Request body limits, enforced before a route reads anything (pure ASGI middleware).

A body larger than the limit — by its ``Content-Length``, or, for a chunked body, once
the bytes received pass it — is answered ``413`` problem+json and never buffered whole.
Uploads (``POST /api/documents``) may carry ``max_upload_bytes`` plus the multipart
envelope; every other route (SPARQL POSTs, form posts) ``max_body_bytes``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MULTIPART_SLACK = 64 * 1024  # boundaries and part headers around an uploaded file


class BodyTooLarge(Exception):
    pass


class BodyLimit:
    def __init__(self, app: ASGIApp, max_body_bytes: int, max_upload_bytes: int,
                 upload_paths: tuple[str, ...] = ("/api/documents",)) -> None:
        self.app = app
        self.max_body = max_body_bytes
        self.max_upload = max_upload_bytes + MULTIPART_SLACK
        self.upload_paths = upload_paths

    def limit_for(self, scope: Scope) -> int:
        return self.max_upload if scope.get("path") in self.upload_paths else self.max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > limit
            except ValueError:
                await _problem(send, scope, 400, "Bad request", "Content-Length is not a number")
                return
            if too_big:
                await _problem(send, scope, 413, "Request body too large",
                               f"request body of {int(declared)} bytes is over the limit of {limit} bytes")
                return
        received = 0
        started = exceeded = False

        async def counted_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise BodyTooLarge
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if exceeded:  # the app's answer to a body cut short (FastAPI's form parser: 400): ours replaces it
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except Exception:  # BodyTooLarge, or whatever the app made of it
            if not exceeded:
                raise
        if exceeded and not started:
            await _problem(send, scope, 413, "Request body too large",
                           f"request body is over the limit of {limit} bytes")


async def _problem(send: Send, scope: Scope, status: int, title: str, detail: str) -> None:
    body = json.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail,
                       "instance": scope.get("path", "")}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/problem+json"),
                            (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
