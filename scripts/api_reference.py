"""Write docs/api.md, the HTTP API reference, from the OpenAPI description the app serves.

    .venv/bin/python scripts/api_reference.py           # rewrite docs/api.md
    .venv/bin/python scripts/api_reference.py --check   # exit 1 when docs/api.md is out of date

The app is built over an empty temporary data directory: creating it opens no store and
loads no model (the service is made on the first request), so this takes about a second.
``tests/test_api_reference.py`` fails while docs/api.md differs from what this writes.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "api.md"
COMMAND = ".venv/bin/python scripts/api_reference.py"


def openapi() -> dict[str, Any]:
    """The OpenAPI description ``policygraph serve`` answers at ``/openapi.json``."""
    from policygraph.api.app import create_app
    from policygraph.core.settings import Settings

    with tempfile.TemporaryDirectory(prefix="policygraph-api-reference-") as tmp:
        app = create_app(Settings(data=Path(tmp)))
        spec: dict[str, Any] = app.openapi()
    return spec


# ---- rendering -------------------------------------------------------------------------------

def _cell(text: Any) -> str:
    """Text for one Markdown table cell: one line, pipes escaped.

    >>> print(_cell("a | b" + chr(10) + " c"))
    a \\| b c
    """
    return " ".join(str(text).split()).replace("|", "\\|")


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return schema
    node: Any = spec
    for part in ref[2:].split("/"):
        node = node.get(part, {}) if isinstance(node, dict) else {}
    return node if isinstance(node, dict) else {}


def _type(spec: dict[str, Any], schema: dict[str, Any]) -> str:
    """A schema as a short phrase: ``integer (1–100, default 10)``, ``array of string``.

    >>> _type({}, {"anyOf": [{"type": "string"}, {"type": "null"}]})
    'string'
    >>> _type({}, {"type": "integer", "minimum": 1, "maximum": 100, "default": 10})
    'integer (1–100, default 10)'
    """
    schema = _resolve(spec, schema)
    variants = schema.get("anyOf") or schema.get("oneOf")
    if variants:
        kinds = [_type(spec, v) for v in variants if v.get("type") != "null"]
        base = " or ".join(dict.fromkeys(kinds)) or "null"
    elif schema.get("type") == "array":
        base = "array of " + _type(spec, schema.get("items", {}))
    else:
        base = str(schema.get("type") or schema.get("title") or "any")
        detail = schema.get("format") or schema.get("contentMediaType")
        if detail:
            base += f" ({detail})"
    notes = []
    if "enum" in schema:
        notes.append("one of " + ", ".join(f"`{v}`" for v in schema["enum"]))
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None:
        notes.append(f"{low}–{high}")
    elif low is not None:
        notes.append(f"≥ {low}")
    elif high is not None:
        notes.append(f"≤ {high}")
    if "default" in schema and schema["default"] is not None:
        notes.append(f"default {schema['default']}")
    return base + (f" ({', '.join(notes)})" if notes else "")


def _parameters(spec: dict[str, Any], params: list[dict[str, Any]]) -> list[str]:
    if not params:
        return ["Parameters: none.", ""]
    out = ["Parameters:", "", "| name | in | required | type | description |", "|---|---|---|---|---|"]
    for p in params:
        schema = p.get("schema", {})
        desc = p.get("description") or _resolve(spec, schema).get("description") or ""
        out.append(f"| `{p['name']}` | {p.get('in', '')} | {'yes' if p.get('required') else 'no'} "
                   f"| {_cell(_type(spec, schema))} | {_cell(desc) or '—'} |")
    return [*out, ""]


def _request_body(spec: dict[str, Any], body: dict[str, Any] | None) -> list[str]:
    if not body:
        return []
    required = "required" if body.get("required") else "optional"
    out = [f"Request body ({required}):", ""]
    for media, content in body.get("content", {}).items():
        schema = _resolve(spec, content.get("schema", {}))
        props = schema.get("properties") or {}
        if props:
            needed = set(schema.get("required", []))
            fields = ", ".join(f"`{name}` ({_type(spec, s)}{', required' if name in needed else ''})"
                               for name, s in props.items())
            out.append(f"* `{media}`: {fields}")
        else:
            out.append(f"* `{media}`: {_type(spec, schema)}")
    return [*out, ""]


def _responses(responses: dict[str, Any]) -> list[str]:
    out = ["Responses:", "", "| status | description | media types |", "|---|---|---|"]
    for status, r in responses.items():
        media = ", ".join(f"`{m}`" for m in r.get("content", {})) or "not declared"
        out.append(f"| {status} | {_cell(r.get('description', ''))} | {media} |")
    return [*out, ""]


def _operations(spec: dict[str, Any]) -> Iterable[tuple[str, str, dict[str, Any]]]:
    for path, item in spec.get("paths", {}).items():
        for method, op in item.items():
            if isinstance(op, dict) and method in ("get", "put", "post", "delete", "patch", "head", "options"):
                yield path, method.upper(), op


def render(spec: dict[str, Any]) -> str:
    """docs/api.md for an OpenAPI description."""
    info = spec.get("info", {})
    ops = list(_operations(spec))
    lines = [
        "# HTTP API reference",
        "",
        f"{info.get('title', 'policygraph')} {info.get('version', '')} — {info.get('description', '')}".rstrip(" —"),
        "",
        f"Generated from the OpenAPI {spec.get('openapi', '')} description that `policygraph serve` answers at",
        "`/openapi.json` (browsable on a running server at `/docs` and `/redoc`). Do not edit it by hand:",
        f"after changing a route, run `{COMMAND}`; `tests/test_api_reference.py`",
        "fails while this file differs from the served description.",
        "",
        "Every error is answered as RFC 9457 `application/problem+json` (`api/errors.py`), whatever media",
        "type a Responses table below lists for it. Usage, examples and the write key are in the",
        "[README](../README.md#http-api); the interface contract is [interface.md](interface.md).",
        "",
        "| method | path | summary |",
        "|---|---|---|",
        *(f"| {m} | `{p}` | {_cell(op.get('summary', ''))} |" for p, m, op in ops),
        "",
    ]
    for path, method, op in ops:
        lines += [f"## `{method} {path}`", ""]
        if op.get("summary"):
            lines += [f"**{op['summary']}**" + (" (deprecated)" if op.get("deprecated") else ""), ""]
        if op.get("description"):
            lines += [op["description"].strip(), ""]
        if op.get("tags"):
            lines += ["Tags: " + ", ".join(op["tags"]) + ".", ""]
        lines += _parameters(spec, op.get("parameters", []))
        lines += _request_body(spec, op.get("requestBody"))
        lines += _responses(op.get("responses", {}))
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="only check that docs/api.md is current")
    args = parser.parse_args(argv)
    text = render(openapi())
    current = OUT.read_text(encoding="utf-8") if OUT.is_file() else None
    if args.check:
        if current != text:
            sys.stderr.write(f"{OUT.relative_to(ROOT)} is out of date: run `{COMMAND}`\n")
            return 1
        return 0
    if current != text:
        OUT.write_text(text, encoding="utf-8")
        sys.stderr.write(f"wrote {OUT.relative_to(ROOT)}\n")
    else:
        sys.stderr.write(f"{OUT.relative_to(ROOT)} is current\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
