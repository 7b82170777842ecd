#!/usr/bin/env bash
# Set up tillit in a virtual environment, build the demo project and serve it.
# Usage: bash scripts/demo.sh [tillit demo options, e.g. --port 8001]
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=scripts/_venv.sh
. scripts/_venv.sh
tillit_venv ""
exec .venv/bin/tillit demo "$@"

