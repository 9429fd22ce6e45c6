"""The HTTP edge against the attacks of the security review, through the public
interface: server paths named with the remote key, DNS rebinding, writes whose body is
read before the key is checked, a bare key, a chunked oversized upload, a NUL in a
static name, Swagger UI from a CDN, and a ``javascript:`` IRI in the SPARQL table (in
Debian's chromium).  Each app is a Service over an empty data directory: no ingest."""

from __future__ import annotations

import base64
import hashlib
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient
from live_server import LiveServer
from pydantic import SecretStr

from policygraph.api.app import STATIC, create_app
from policygraph.core.settings import Settings
from policygraph.service.service import Service

KEY, TOKEN = "remote-api-key", "local-run-token"
LOCAL = "http://127.0.0.1"
BOUNDARY = "pgboundary"



@pytest.fixture(scope="module")
def svc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    settings = Settings(data=tmp_path_factory.mktemp("sec"), api_key=SecretStr(KEY), max_upload_bytes=10_000)
    s = Service(settings)
    yield s
    s.close()


@pytest.fixture(scope="module")
def client(svc: Service) -> TestClient:
    """As `policygraph serve` builds it: the API key and a local token."""
    return TestClient(create_app(svc.settings, svc, local_token=TOKEN), base_url=LOCAL)


def _problem(r: httpx.Response, status: int) -> dict[str, Any]:
    assert r.status_code == status, (r.status_code, r.text[:300])
    assert r.headers["content-type"] == "application/problem+json", r.headers
    body = r.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return dict(body)


def _bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


# ---- 3: routes that name server paths take the local token only --------------------

def test_the_api_key_cannot_ingest_server_files(client: TestClient, svc: Service, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("警察庁は、令和8年度中に検討する。\n", encoding="utf-8")
    secret.chmod(0o600)
    for paths in (["/etc/passwd"], [str(secret)]):
        body = _problem(client.post("/api/ingest-paths", data={"paths": paths}, headers=_bearer(KEY)), 403)
        assert "local token" in body["detail"]
    assert svc.documents()["total"] == 0
    _problem(client.get("/api/documents/passwd"), 404)
    _problem(client.get("/api/documents/secret"), 404)
    _problem(client.post("/api/ingest-paths", data={"paths": ["/etc/passwd"]}), 401)
    _problem(client.post("/api/ingest-paths", data={"paths": ["/etc/passwd"]}, headers=_bearer("wrong")), 401)
    # the local token passes (a missing path: refused by the route, no ingest)
    r = client.post("/api/ingest-paths", data={"paths": [str(tmp_path / "none")]}, headers=_bearer(TOKEN))
    assert _problem(r, 400)["detail"].startswith("no such file")


def test_the_api_key_cannot_write_a_backup_anywhere(client: TestClient, tmp_path: Path) -> None:
    dest = tmp_path / "anywhere" / "x.tar.gz"
    dest.parent.mkdir()
    _problem(client.post("/api/backup", data={"path": str(dest)}, headers=_bearer(KEY)), 403)
    _problem(client.post("/api/backup", data={"path": str(dest)}), 401)
    assert list(dest.parent.iterdir()) == []


def test_without_a_local_token_the_path_routes_are_off(svc: Service, tmp_path: Path) -> None:
    c = TestClient(create_app(svc.settings, svc), base_url=LOCAL)
    _problem(c.post("/api/backup", data={"path": str(tmp_path / "x.tar.gz")}, headers=_bearer(KEY)), 403)
    _problem(c.post("/api/ingest-paths", data={"paths": ["/etc/passwd"]}, headers=_bearer(KEY)), 403)
    assert not (tmp_path / "x.tar.gz").exists() and svc.documents()["total"] == 0


def test_document_writes_take_either_key(client: TestClient) -> None:
    for key in (KEY, TOKEN):  # past the key check: the route's own 404
        assert _problem(client.delete("/api/documents/nothing", headers=_bearer(key)), 404)["title"] == "Not found"
    _problem(client.delete("/api/documents/nothing"), 401)


# ---- 14: the scheme, and authentication before the body --------------------------

@pytest.mark.parametrize("header", [KEY, f"Basic {KEY}", f"Bearer{KEY}", f"Bearer {KEY} x", f"Token {KEY}"])
def test_a_key_without_the_bearer_scheme_is_refused(client: TestClient, header: str) -> None:
    r = client.delete("/api/documents/nothing", headers={"Authorization": header})
    _problem(r, 401)
    assert r.headers["www-authenticate"] == "Bearer"


def test_the_bearer_scheme_is_case_insensitive(client: TestClient) -> None:
    _problem(client.delete("/api/documents/nothing", headers={"Authorization": f"bearer {KEY}"}), 404)


def _multipart(consumed: list[int], size: int, chunk: int = 4096) -> Iterator[bytes]:
    """A chunked multipart upload that records how much of it was taken."""
    head = (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n'
            "Content-Type: text/plain\r\n\r\n").encode()
    consumed.append(len(head))
    yield head
    for _ in range(size // chunk):
        consumed.append(chunk)
        yield b"x" * chunk
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


@pytest.mark.parametrize(("path", "header"), [
    ("/api/documents", None), ("/api/documents", "Bearer wrong"), ("/api/documents", KEY),
    ("/api/ingest-paths", f"Bearer {KEY}"), ("/api/backup", None)])
def test_writes_are_refused_before_the_body_is_read(client: TestClient, path: str, header: str | None) -> None:
    consumed: list[int] = []
    headers = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    if header:
        headers["Authorization"] = header
    r = client.post(path, content=_multipart(consumed, 5000), headers=headers)
    assert r.status_code in (401, 403), r.text
    assert consumed == [], "the body was read before the refusal"


def test_a_20_mb_upload_without_key_is_refused_before_it_is_sent(tmp_path: Path) -> None:
    """Over real HTTP: the headers announce 20 MB, one kB follows, the 401 comes at once
    (before the fix the server waited for the whole body, to parse it)."""
    settings = Settings(data=tmp_path, api_key=SecretStr(KEY))  # the default 20 MiB upload limit
    svc = Service(settings)
    try:
        with LiveServer(create_app(settings, svc)) as srv, \
                socket.create_connection(("127.0.0.1", srv.port), timeout=5) as sock:
            sock.sendall(f"POST /api/documents HTTP/1.1\r\nHost: 127.0.0.1:{srv.port}\r\n"
                         f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
                         f"Content-Length: {20_000_000}\r\n\r\n".encode() + next(_multipart([], 0)) + b"x" * 1024)
            answer = b""
            while b"\r\n\r\n" not in answer:
                part = sock.recv(65536)  # socket.timeout (5 s) if the server waits for the body
                assert part, answer
                answer += part
        assert answer.startswith(b"HTTP/1.1 401 "), answer[:200]
        assert b"application/problem+json" in answer.lower()
    finally:
        svc.close()


def test_a_chunked_oversized_upload_is_413(client: TestClient, svc: Service) -> None:
    consumed: list[int] = []
    r = client.post("/api/documents", content=_multipart(consumed, 200_000), headers={
        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}", **_bearer(KEY)})
    assert "content-length" not in r.request.headers and r.request.headers["transfer-encoding"] == "chunked"
    assert "bytes" in _problem(r, 413)["detail"]
    assert svc.documents()["total"] == 0


# ---- 12: Host -------------------------------------------------------------------------

@pytest.mark.parametrize("host", ["rebind.attacker.example", "rebind.attacker.example:8000", "testserver",
                                  "127.0.0.1.attacker.example", "localhost.attacker.example", "0.0.0.0:8000"])
def test_other_host_names_are_misdirected(client: TestClient, host: str) -> None:
    for path in ("/api/info", "/", "/sparql?query=ASK%7B%7D", "/export"):
        _problem(client.get(path, headers={"Host": host}), 421)


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "127.0.0.1:1234", "[::1]:8000", "LOCALHOST."])
def test_the_local_names_are_answered(client: TestClient, host: str) -> None:
    assert client.get("/api/info", headers={"Host": host}).status_code == 200


def test_a_missing_host_is_a_bad_request(client: TestClient) -> None:
    _problem(client.get("/api/info", headers={"Host": ""}), 400)
    _problem(client.get("/api/info", headers={"Host": "a:b:c:d"}), 400)


def test_base_iri_bound_address_and_configured_hosts(svc: Service) -> None:
    s = svc.settings.model_copy(update={"base_iri": "https://policy.example.jp"})
    c = TestClient(create_app(s, svc, bound_host="0.0.0.0"), base_url=LOCAL)
    for host, status in (("policy.example.jp", 200), ("0.0.0.0:8000", 200), ("localhost", 200),
                         ("other.example.jp", 421)):
        assert c.get("/api/info", headers={"Host": host}).status_code == status, host
    s = svc.settings.model_copy(update={"allowed_hosts": ["api.example.org", "*.example.net"]})
    c = TestClient(create_app(s, svc), base_url=LOCAL)
    for host, status in (("api.example.org", 200), ("a.b.example.net", 200), ("example.net", 421),
                         ("localhost", 421)):  # configured: the defaults are replaced
        assert c.get("/api/info", headers={"Host": host}).status_code == status, host
    s = svc.settings.model_copy(update={"allowed_hosts": ["*"]})
    assert TestClient(create_app(s, svc)).get("/api/info").status_code == 200  # "*": no check


def test_healthz_answers_any_host(client: TestClient) -> None:
    assert client.get("/healthz", headers={"Host": "10.0.0.7:8000"}).json() == {"status": "ok"}


def test_dns_rebinding_over_real_http(svc: Service) -> None:
    with LiveServer(create_app(svc.settings, svc)) as srv:
        r = httpx.get(f"{srv.url}/api/documents", headers={"Host": f"rebind.attacker.example:{srv.port}"})
        _problem(r, 421)
        assert httpx.get(f"{srv.url}/api/documents").status_code == 200


# ---- 6 and 17: response headers, CSP-clean pages, Swagger UI without a CDN -------------

def test_security_headers_on_every_response(client: TestClient) -> None:
    for path in ("/", "/static/app.js", "/static/app.css", "/api/info", "/sparql?query=ASK%7B%7D", "/nothing",
                 "/docs", "/docs/assets/swagger-ui.css", "/openapi.json", "/healthz"):
        r = client.get(path)
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert r.headers["x-frame-options"] == "DENY" and r.headers["referrer-policy"] == "no-referrer", path
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe" not in csp, (path, csp)
    assert client.get("/").headers["content-type"].startswith("text/html")
    assert client.get("/static/app.js").headers["content-type"].startswith("text/javascript")


def test_the_ui_has_no_inline_script_or_style() -> None:
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    assert all("src=" in tag for tag in re.findall(r"<script\b[^>]*>", html)), "inline script"
    assert not re.search(r"<style\b|\sstyle=|\son[a-z]+=", html, flags=re.I)
    for js in STATIC.glob("*.js"):  # a style attribute is refused by the CSP: el(…, {style: {…}})
        assert not re.search(r"""style:\s*[`"']|\.(?:inner|outer)HTML\s*=|insertAdjacentHTML|\beval\(""", js.read_text(encoding="utf-8")), js.name


def test_swagger_ui_is_served_by_the_app(client: TestClient) -> None:
    r = client.get("/docs")
    assert r.status_code == 200
    html = r.text
    urls = re.findall(r"""(?:src|href)=["']([^"']+)""", html)
    assert urls and all(u.startswith("/docs/assets/") for u in urls), urls
    assert "cdn" not in html and "http" not in html.replace("http-equiv", "")
    for u in urls:
        assert client.get(u).status_code == 200, u
    # the one inline script is allowed by its hash; nothing else inline
    csp = r.headers["content-security-policy"]
    assert "unsafe-inline" not in csp
    for script in re.findall(r"<script>(.*?)</script>", html, flags=re.S):
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp
    _problem(client.get("/docs/assets/..%2F..%2F__init__.py"), 404)
    _problem(client.get("/docs/assets/index.html"), 404)


# ---- 13: static names --------------------------------------------------------------------

@pytest.mark.parametrize("name", ["x%00", "app.js%00", "%00", "%2e%2e", "..%2Fapp.py", "..%2F..%2Fpyproject.toml",
                                  ".%2Fapp.js", "%2Fetc%2Fpasswd", "%5C..%5Capp.py", "nothing.js", "app.js%20",
                                  "APP.JS", "%C0%AE%C0%AE", "app.js%3A%3A%24DATA"])
def test_static_serves_our_files_only(client: TestClient, name: str) -> None:
    _problem(client.get(f"/static/{name}"), 404)


def test_static_files_are_served(client: TestClient) -> None:
    for p in STATIC.iterdir():
        if p.is_file():  # static/vendor/ is served under its own route (tests/test_ui_ecosystem.py)
            assert client.get(f"/static/{p.name}").content == p.read_bytes()


# ---- 6: the SPARQL results table in a real browser ---------------------------------------

@pytest.fixture(scope="module")
def live(svc: Service) -> Iterator[Any]:
    with LiveServer(create_app(svc.settings, svc, local_token=TOKEN)) as srv:
        yield srv


@pytest.fixture
def page(browser: Any, live: Any) -> Iterator[tuple[Any, list[str], list[str]]]:
    """A page on the live app; collects console errors (CSP refusals among them), dialogs
    and every URL the page requested."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP", base_url=live.url)
    pg = ctx.new_page()
    errors: list[str] = []
    requests: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("dialog", lambda d: (errors.append(f"dialog: {d.message}"), d.dismiss()))
    pg.on("request", lambda r: requests.append(r.url))
    pg.set_default_timeout(30_000)
    yield pg, errors, requests
    ctx.close()


SPARQL_XSS = """SELECT ?js ?upper ?data ?web ?ours WHERE {
  BIND(IRI("javascript:alert(document.domain)") AS ?js)
  BIND(IRI("JavaScript:alert(1)") AS ?upper)
  BIND(IRI("data:text/html,%3Cscript%3Ealert(1)%3C/script%3E") AS ?data)
  BIND(IRI("https://example.org/page") AS ?web)
  BIND(IRI("http://127.0.0.1:8000/id/entity/npa") AS ?ours)
}"""


@pytest.mark.integration
def test_a_shared_sparql_link_with_a_javascript_iri_runs_no_script(page: Any) -> None:
    pg, errors, _ = page
    pg.goto(f"/#/sparql?query={quote(SPARQL_XSS)}")  # runs by itself, as a shared link does
    row = pg.locator(".yasgui .tabPanel.active .yasr tbody tr").first
    row.wait_for()
    cells = row.locator("td")
    assert cells.count() == 6  # YASR's row number, then the five
    for i, iri in enumerate(("javascript:alert(document.domain)", "JavaScript:alert(1)",
                             "data:text/html,%3Cscript%3Ealert(1)%3C/script%3E"), start=1):
        assert iri in cells.nth(i).inner_text()  # shown as text …
        assert cells.nth(i).locator("a[href]").count() == 0  # … not as a link
        cells.nth(i).click()
    assert pg.locator("a[href^='javascript:' i], a[href^='data:' i]").count() == 0
    assert cells.nth(4).locator("a").get_attribute("href") == "https://example.org/page"  # http(s) still links
    assert cells.nth(5).locator("a").get_attribute("href") == "#/entity/npa"  # ours: its UI page
    assert pg.evaluate("() => location.protocol") == "http:"
    assert not errors, errors


@pytest.mark.integration
def test_ui_pages_run_under_the_csp(page: Any, live: Any) -> None:
    pg, errors, requests = page
    for route, ready in (("/", "#q"), ("/#/timeline", "h1"), ("/#/docs", "h1"), ("/#/entities", "h1"),
                         ("/#/sparql", ".yasqe .CodeMirror")):
        pg.goto(route)
        pg.wait_for_selector(ready)
    pg.locator(".yasgui .tabPanel.active").get_by_role("button", name="実行").click()
    pg.wait_for_selector(".yasgui .tabPanel.active .yasr tbody tr, .yasgui .tabPanel.active .yasr .errorResult")
    assert not errors, errors  # a CSP refusal is a console error
    assert all(u.startswith(live.url) or u.startswith("data:") for u in requests), requests


@pytest.mark.integration
def test_swagger_ui_renders_from_the_app_alone(page: Any, live: Any) -> None:
    pg, errors, requests = page
    pg.goto("/docs")
    pg.wait_for_selector(".swagger-ui .opblock")
    assert "/api/search" in pg.locator(".swagger-ui").inner_text()
    assert all(u.startswith(live.url) or u.startswith("data:") for u in requests), requests
    assert not errors, errors
