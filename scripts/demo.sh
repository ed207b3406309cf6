#!/usr/bin/env bash
# Quick start, command 1: install shomeisho into .venv and run the service on the embedded default
# (SQLite under ./shomeisho-demo, demo staff, synthetic residents, demo keys; a certificate
# round trip in every format is checked at start). Stop with Ctrl+C.
set -euo pipefail
source "$(dirname "$0")/_venv.sh" ""
cd "$ROOT"
exec shomeisho serve --demo "$@"
