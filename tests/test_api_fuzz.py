"""Fuzz the HTTP API from its own OpenAPI description (schemathesis + hypothesis):
generated requests for every operation against the app over the real ingested corpus
must never get a 5xx, and every error must be problem+json.  The SPARQL routes describe
their query and dataset parameters and bodies, and ``/id/{path}`` its path, so the
generated inputs reach them.  Write routes stay disabled
(no key), so the fuzzer exercises their refusal, not the stores."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

pytestmark = pytest.mark.slow
EXAMPLES = 30  # per operation


def test_no_server_errors_for_any_generated_request(service: Any) -> None:
    from policygraph.api.app import create_app
    from policygraph.core.settings import Settings

    # no api key: writes disabled; schemathesis' ASGI client sends `Host: testserver`
    app = create_app(Settings(data=service.settings.data, allowed_hosts=["testserver"]), service=service)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    bad: list[tuple[Any, ...]] = []
    calls: dict[str, int] = {}
    queries: dict[str, int] = {}  # generated SPARQL queries and /id/ paths that reached the route

    def fuzz(op: Any) -> None:
        name = f"{op.method.upper()} {op.path}"

        @given(case=op.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def run(case: Any) -> None:
            r = case.call()
            calls[name] = calls.get(name, 0) + 1
            if (case.query or {}).get("query") is not None or case.body is not None or "{path}" in name:
                queries[name] = queries.get(name, 0) + 1
            ctype = r.headers.get("content-type", [""])[0]
            if r.status_code >= 500 or (r.status_code >= 400 and not ctype.startswith("application/problem+json")):
                bad.append((name, case.formatted_path, case.query, r.status_code, r.text[:300]))

        run()

    for result in schema.get_all_operations():
        fuzz(result.ok())  # type: ignore[union-attr]  # an Err would raise here: the schema is ours
    assert {"GET /api/search", "GET /sparql", "POST /sparql", "POST /api/documents", "GET /id/{path}"} <= set(calls)
    assert all(n > 0 for n in calls.values()), calls
    assert {"GET /sparql", "POST /sparql", "GET /id/{path}"} <= set(queries), queries
    assert not bad, bad[:10]
