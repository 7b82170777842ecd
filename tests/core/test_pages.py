"""The shell pages render, carry security headers, and use no external assets."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PUBLIC = ["home", "about", "login", "registry", "taxonomy"]


@pytest.mark.parametrize("name", PUBLIC)
def test_public_pages_render_without_external_assets(client, name):
    r = client.get(reverse(name))
    assert r.status_code == 200
    html = r.content.decode()
    assert '<html lang="en">' in html
    assert 'href="#main"' in html  # skip link
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not url.startswith(("http://", "https://", "//")), url


def test_security_headers(client):
    r = client.get(reverse("home"))
    csp = r.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "same-origin"


def test_no_inline_styles_or_scripts_in_templates():
    """The CSP forbids them; a template that used them would break silently in browsers."""
    from pathlib import Path

    import tillit

    root = Path(tillit.__file__).parent / "apps"
    for tpl in root.rglob("templates/**/*.html"):
        text = tpl.read_text(encoding="utf-8")
        assert "<script>" not in text and "style=" not in text and "<style" not in text, tpl


def test_static_css_is_served(client):
    r = client.get("/static/tillit/css/tillit.css")
    assert r.status_code == 200


def test_admin_requires_staff(client, make_user):
    u = make_user("plain")
    client.force_login(u)
    assert client.get("/admin/").status_code == 302


def test_synthetic_project_is_labelled(client, make_user):
    from tillit.apps.core import services

    u = make_user("owner")
    services.do_create_project(name="Demo", slug="demo", owner=u, is_synthetic=True)
    client.force_login(u)
    html = client.get(reverse("project-detail", args=["demo"])).content.decode()
    assert "Synthetic data" in html
    assert "no real person or municipality answered" in html
    assert "Only the reform register holds real, documented cases" in html
