#!/usr/bin/env bash
# ruff + mypy over the code, as CI runs them.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check .
.venv/bin/mypy
