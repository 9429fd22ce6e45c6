"""The HTTP edge's guards, as pure ASGI middleware that run before any route:

* ``HostCheck``: only the configured ``Host`` names are answered (DNS rebinding: a web
  page on another name that resolves to 127.0.0.1 must not read a local instance);
  others get ``421`` problem+json.  ``POLICYGRAPH_ALLOWED_HOSTS`` empty = the bound
  address, the base IRI's host, ``localhost``, ``127.0.0.1`` and ``[::1]``; an entry
  ``*.example.jp`` allows that domain's subdomains, ``*`` turns the check off.
* ``WriteGate``: write routes are authenticated before a byte of their body is read
  (the same ``WriteAuth.check`` the routes' dependency runs again).
* ``SecurityHeaders``: ``Content-Security-Policy`` (``default-src 'self'``, unless the
  response brings its own), ``nosniff``, no referrer, no framing, on every response.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from policygraph.api.errors import problem, typed_problem
from policygraph.api.limits import ASGIApp, Message, Receive, Scope, Send
from policygraph.core.errors import BadInput, PolicygraphError, Unauthorized, WritesDisabled

CSP = ("default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
       "form-action 'self'; frame-ancestors 'none'")
HEADERS = ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
           (b"x-frame-options", b"DENY"))
LOCAL_ONLY = frozenset({"/api/ingest-paths", "/api/backup"})  # they name paths on the server
DOCUMENTS = "/api/documents"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class LocalOnly(BadInput):
    status = 403
    title = "Local token required"


# ---- write authentication -----------------------------------------------------------

def bearer(authorization: str | None) -> str | None:
    """The credentials of ``Authorization: Bearer <key>`` (scheme case-insensitive), else None.

    >>> bearer("bearer abc"), bearer("abc"), bearer("Basic abc"), bearer("Bearer a b")
    ('abc', None, None, None)
    """
    parts = (authorization or "").split()
    return parts[1] if len(parts) == 2 and parts[0].lower() == "bearer" else None


@dataclass(frozen=True)
class WriteAuth:
    """Who may write: the API key (``POLICYGRAPH_API_KEY``, any client) or the per-run
    local token of ``policygraph serve`` (``DATA/server.json``, the CLI beside it).  Routes
    that name server paths (``LOCAL_ONLY``) take the local token only."""

    api_key: str | None
    local_token: str | None

    def check(self, authorization: str | None, *, local_only: bool = False) -> None:
        if local_only and not self.local_token:
            raise LocalOnly("this route is for the `policygraph` command next to the server that runs it")
        if not self.api_key and not self.local_token:
            raise WritesDisabled("write routes are disabled: set POLICYGRAPH_API_KEY to enable them")
        given = bearer(authorization)
        if given is not None:
            is_local = _same(given, self.local_token)
            is_api = _same(given, self.api_key)
            if is_local:
                return
            if is_api and local_only:
                raise LocalOnly("the API key cannot name server paths: this route takes the server's local "
                                "token only (the `policygraph` command next to the server uses it)")
            if is_api:
                return
        raise Unauthorized("a valid 'Authorization: Bearer <key>' header is required")


def _same(given: str, key: str | None) -> bool:
    return key is not None and hmac.compare_digest(given.encode(), key.encode())


def write_route(method: str, path: str) -> Literal["local", "write"] | None:
    """Whether a request is a write (``local``: local token only), before routing.

    >>> [write_route(m, p) for m, p in (("POST", "/api/backup"), ("DELETE", "/api/documents/x"),
    ...                                 ("GET", "/api/documents/x"), ("POST", "/sparql"))]
    ['local', 'write', None, None]
    """
    if method in READ_METHODS:
        return None
    if path in LOCAL_ONLY:
        return "local"
    if path == DOCUMENTS or path.startswith(DOCUMENTS + "/"):
        return "write"
    return None


class WriteGate:
    """Refuses an unauthenticated write (401/403 problem+json) before its body is read."""

    def __init__(self, app: ASGIApp, auth: WriteAuth) -> None:
        self.app = app
        self.auth = auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = write_route(scope.get("method", ""), scope.get("path", "")) if scope["type"] == "http" else None
        if kind is not None:
            try:
                self.auth.check(_header(scope, b"authorization"), local_only=kind == "local")
            except PolicygraphError as e:
                response = typed_problem(e, scope.get("path", ""))
                response.headers["Connection"] = "close"  # the body stays unread
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


# ---- Host ----------------------------------------------------------------------------

def host_name(value: str) -> str | None:
    """The host of a ``Host`` header, lower-case, without the port; None if malformed.

    >>> host_name("LocalHost:8000"), host_name("[::1]:80"), host_name("::1"), host_name("a:b")
    ('localhost', '[::1]', None, None)
    """
    v = value.strip().lower()
    if v.startswith("["):
        end = v.find("]")
        host, port = (v[: end + 1], v[end + 1 :]) if end > 0 else ("", "")
    else:
        host, colon, rest = v.partition(":")
        port = colon + rest
    if not host or (port and not (port.startswith(":") and port[1:].isdigit())):
        return None
    return host.removesuffix(".") or None


def default_hosts(base_iri: str, bound_host: str | None) -> list[str]:
    hosts = ["localhost", "127.0.0.1", "[::1]"]
    base = urlsplit(base_iri).hostname
    return hosts + [h for h in (base, bound_host) if h]


class HostCheck:
    """Answers only requests whose ``Host`` is allowed (421 problem+json otherwise).
    ``/healthz`` stays open to any name (orchestrators probe by address; it says "ok")."""

    def __init__(self, app: ASGIApp, allowed: list[str], exempt: tuple[str, ...] = ("/healthz",)) -> None:
        self.app = app
        names = {_configured(h) for h in allowed}
        self.any = "*" in names
        self.exact = {h for h in names if not h.startswith("*.")}
        self.suffixes = tuple(h[1:] for h in names if h.startswith("*."))
        self.exempt = exempt

    def allows(self, host: str | None) -> bool:
        return self.any or (host is not None and (host in self.exact or host.endswith(self.suffixes)))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or scope.get("path") in self.exempt:
            await self.app(scope, receive, send)
            return
        raw = _header(scope, b"host")
        host = host_name(raw) if raw else None
        if self.allows(host):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        if host is None:
            response = problem(400, "Bad request", "a valid Host header is required", scope.get("path", ""))
        else:
            response = problem(421, "Misdirected request", f"this server does not answer for host {host!r} "
                               "(POLICYGRAPH_ALLOWED_HOSTS)", scope.get("path", ""))
        await response(scope, receive, send)


# ---- response headers -------------------------------------------------------------------

class SecurityHeaders:
    """Adds the CSP (unless the response has its own) and the other hardening headers."""

    def __init__(self, app: ASGIApp, csp: str = CSP) -> None:
        self.app = app
        self.csp = csp.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {k.lower() for k, _ in headers}
                extra = [*HEADERS, (b"content-security-policy", self.csp)]
                headers += [(k, v) for k, v in extra if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _configured(name: str) -> str:
    """A configured host name as ``host_name`` gives it ("::1" → "[::1]", a port dropped)."""
    name = name.strip().lower()
    if name.count(":") > 1 and not name.startswith("["):
        name = f"[{name}]"  # a bare IPv6 address
    return host_name(name) or name


def _header(scope: Scope, name: bytes) -> str | None:
    for k, v in scope.get("headers") or []:
        if k.lower() == name:
            return bytes(v).decode("latin-1")
    return None
