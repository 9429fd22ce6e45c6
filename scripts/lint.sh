#!/usr/bin/env bash
# ruff + mypy over the code, as CI runs them.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check .
# the installed package's layout for mypy: policygraph.api = api/, … (see pyproject.toml)
rm -rf .typecheck && mkdir -p .typecheck/policygraph
for part in core ingest ontology graph indexes service api; do ln -s "../../$part" ".typecheck/policygraph/$part"; done
.venv/bin/mypy
