#!/usr/bin/env bash
# Update the message catalogues (nb, nn, da) from the source, then compile them.
# Needs GNU gettext (Debian: apt-get install gettext).
set -euo pipefail
cd "$(dirname "$0")/../src/tillit"
export DJANGO_SETTINGS_MODULE=tillit.web.settings
../../.venv/bin/django-admin makemessages --no-obsolete --no-location \
  -l nb -l nn -l da --ignore "data/*" --ignore "*/migrations/*"
../../.venv/bin/django-admin compilemessages --ignore ".venv"
