#!/usr/bin/env bash
# Set up tillit in a virtual environment and run every check: lint, types, the whole test suite.
# Usage: bash scripts/test.sh [pytest arguments]
# Runs on SQLite; set DATABASE_URL=postgres://USER@HOST:PORT/NAME to run the suite on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/_venv.sh
. scripts/_venv.sh
tillit_venv "[test,postgres]"

if [ "${TILLIT_SKIP_LINT:-0}" != "1" ]; then
  echo "== ruff (lint and format) =="
  .venv/bin/ruff check src tests benchmarks
  .venv/bin/ruff format --check src tests benchmarks
  echo "== mypy (pure library) =="
  .venv/bin/mypy
fi

if [ -n "${DATABASE_URL:-}" ]; then engine=PostgreSQL; else engine=SQLite; fi
echo "== pytest on $engine =="
set +e
.venv/bin/pytest "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests (exit 5): treating as success, but this suite should have tests." >&2
  exit 0
fi
exit "$status"
