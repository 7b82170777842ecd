# Sourced by demo.sh and test.sh: make .venv with Python 3.11+ and install tillit into it.
# Usage: tillit_venv "EXTRAS"   (for example "" or "[test,postgres]")
tillit_venv() {
  local py="${PYTHON:-}" candidate
  if [ -z "$py" ]; then
    for candidate in python3.11 python3.12 python3.13 python3; do
      if command -v "$candidate" >/dev/null 2>&1; then py="$candidate"; break; fi
    done
  fi
  if [ ! -x .venv/bin/python ]; then
    echo "Creating .venv with $py"
    "$py" -m venv .venv
  fi
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".$1"
}
