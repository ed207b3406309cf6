#!/usr/bin/env bash
# Quick start, command 2: the whole test suite: lint, format, types, architecture, tests.
set -euo pipefail
source "$(dirname "$0")/_venv.sh" dev
cd "$ROOT"
echo "== ruff (lint and format)"
ruff check src tests benchmarks
ruff format --check src tests benchmarks
echo "== mypy (strict)"
mypy
echo "== import contracts"
lint-imports
echo "== pytest"
pytest "$@"
