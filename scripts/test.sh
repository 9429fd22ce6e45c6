#!/usr/bin/env bash
# The README's test command: set up, lint, run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
bash scripts/lint.sh
.venv/bin/python -m pytest -q "$@"
