"""Interface languages: nb complete, nn and da at least for the shell, catalogues compiled."""

import gettext
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.urls import reverse

import tillit

LOCALE = Path(tillit.__file__).parent / "apps" / "core" / "locale"
SHELL_TEMPLATE = Path(tillit.__file__).parent / "apps" / "core" / "templates" / "core" / "base.html"


def _po(lang: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("lang", ["nb", "nn", "da"])
def test_compiled_catalogue_matches_po(lang):
    po = _po(lang)
    with open(LOCALE / lang / "LC_MESSAGES" / "django.mo", "rb") as f:
        mo = gettext.GNUTranslations(f)
    for entry in po.translated_entries():
        if entry.msgid_plural:
            continue
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        assert mo._catalog.get(key) == entry.msgstr, (
            f"{lang}: django.mo is older than django.po; run scripts/messages.sh"
        )


def test_bokmal_is_complete():
    po = _po("nb")
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []


@pytest.mark.parametrize("lang", ["nn", "da"])
def test_shell_is_translated(lang):
    import re

    text = SHELL_TEMPLATE.read_text(encoding="utf-8")
    shell_ids = set(re.findall(r'{% translate "([^"]+)" %}', text))
    shell_ids |= set(re.findall(r"{% translate '([^']+)' %}", text))
    translated = {e.msgid for e in _po(lang).translated_entries()}
    assert shell_ids and shell_ids <= translated, sorted(shell_ids - translated)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext")
def test_every_source_string_has_a_bokmal_translation(tmp_path):
    """Extract messages from a copy of the source: nothing may be new or untranslated in nb."""
    src = Path(tillit.__file__).parent
    copy = tmp_path / "tillit"
    shutil.copytree(src, copy, ignore=shutil.ignore_patterns("__pycache__", "data", "*.mo"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tillit.web.settings",
        "TILLIT_LOCALE_DIR": str(copy / "apps" / "core" / "locale"),
    }
    env.pop("TILLIT_DIR", None)
    django_admin = [sys.executable, "-m", "django"]
    proc = subprocess.run(
        [
            *django_admin,
            "makemessages",
            "-l",
            "nb",
            "--no-obsolete",
            "--no-location",
            "--ignore",
            "*/migrations/*",
        ],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    po = polib.pofile(str(copy / "apps" / "core" / "locale" / "nb" / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in po.untranslated_entries() + po.fuzzy_entries()]
    assert missing == [], f"untranslated in nb (run scripts/messages.sh and translate): {missing}"


@pytest.mark.django_db
def test_switching_language_changes_the_page(client):
    r = client.post(reverse("set_language"), {"language": "nb", "next": "/"})
    assert r.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="nb">' in html
    assert "Kommuner" in html
    client.post(reverse("set_language"), {"language": "da", "next": "/"})
    html = client.get("/").content.decode()
    assert '<html lang="da">' in html
    assert "Kommuner" in html and "Log ind" in html
    client.post(reverse("set_language"), {"language": "nn", "next": "/"})
    assert "Logg inn" in client.get("/").content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Municipalities" in client.get("/").content.decode()
