#!/usr/bin/env bash
# Quick start, command 1: install shomeisho into .venv and run the main job on the embedded default.
set -euo pipefail
source "$(dirname "$0")/_venv.sh" ""
cd "$ROOT"
exec shomeisho demo "$@"
