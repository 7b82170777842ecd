#!/usr/bin/env bash
# Set up tillit in a virtual environment and run every check: lint, types, the whole test suite.
# Usage: bash scripts/test.sh [pytest arguments]
# Runs on SQLite; set DATABASE_URL=postgres://USER@HOST:PORT/NAME to run the suite on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1; then PY="$candidate"; break; fi
  done
fi
if [ ! -x .venv/bin/python ]; then
  echo "Creating .venv with $PY"
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test,postgres]"

if [ "${TILLIT_SKIP_LINT:-0}" != "1" ]; then
  echo "== ruff (lint and format) =="
  .venv/bin/ruff check src tests benchmarks
  .venv/bin/ruff format --check src tests benchmarks
  echo "== mypy (pure library) =="
  .venv/bin/mypy
fi

echo "== pytest on ${DATABASE_URL:+PostgreSQL}${DATABASE_URL:-SQLite} =="
set +e
.venv/bin/pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests (exit 5): treating as success, but this suite should have tests." >&2
  exit 0
fi
exit "$status"
