"""Editing report templates: syntax errors with their line, the {% load %} allowlist, no
access to settings or personal data, history and audit, and the edit page."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

GOOD = """{% extends "report/base.html" %}{% load i18n report %}
{% block summary %}<h2>Short</h2><p>{{ project.name }}: k = {{ project.k }}</p>{% endblock %}
"""


def test_syntax_error_is_located():
    from tillit.apps.reports import engine

    body = 'line one\n{% extends "report/base.html" %}\n{% block summary %}\n{% if x %}\n'
    problems = engine.check(body)
    assert problems and problems[0].line >= 3
    problems = engine.check("a\nb\n{{ x|nosuchfilter }}\n")
    assert problems[0].line == 3 and "nosuchfilter" in problems[0].message


@pytest.mark.parametrize(
    "body",
    [
        "{% load static %}",
        "{% load admin_urls %}",
        "{% load report_tags_that_do_not_exist %}",
        "{% debug %}",
    ],
)
def test_forbidden_tags(body):
    from tillit.apps.reports import engine

    assert engine.check(body), body


def test_allowed_libraries_compile():
    from tillit.apps.reports import engine, services

    assert engine.check(GOOD) == []
    assert engine.check("{% load i18n l10n report %}{% translate 'Methods' %}") == []
    for lang in ("nb", "da", "en"):
        assert engine.check(services.default_body(lang)) == [], lang


def test_templates_cannot_reach_settings_or_files(settings):
    from django.template import TemplateDoesNotExist

    from tillit.apps.reports import engine

    settings.SECRET_KEY = "very-secret-value-for-this-test"
    out = engine.render(
        "{{ settings.SECRET_KEY }}{{ request.user }}{{ user }}[{{ project.name }}]",
        {"project": {"name": "P"}},
    )
    assert "very-secret" not in out and out.endswith("[P]")
    assert "underscores" in engine.check("{{ project.name.__class__.__mro__ }}")[0].message
    with pytest.raises(TemplateDoesNotExist):
        engine.render('{% include "core/base.html" %}', {})


def test_save_validates_keeps_history_and_audits(project_with_roles):
    from tillit.apps.core.models import AuditEvent
    from tillit.apps.reports import services
    from tillit.apps.reports.models import ReportTemplate

    project, users = project_with_roles
    t = services.do_save_template(project, "short", "en", GOOD, actor=users["owner"])
    t = services.do_save_template(project, "short", "en", GOOD + "\n", actor=users["owner"])
    assert t.version == 2 and t.versions.count() == 2
    assert AuditEvent.objects.filter(action="report.template_edit", project=project).count() == 2
    with pytest.raises(services.ReportTemplateError) as err:
        services.do_save_template(
            project, "short", "en", GOOD + "{% load static %}", actor=users["owner"]
        )
    assert err.value.errors[0]["line"] == 3
    assert ReportTemplate.objects.get(project=project, name="short").version == 2
    html = services.render_html(project, t.body, "en")
    assert "<h2 id=" not in html or "Short" in html
    assert "Trust study: k = 5" in html


def test_edit_page_shows_errors_and_previews(project_with_roles, client):
    project, users = project_with_roles
    url = f"/p/{project.slug}/reports/templates/default/en/"
    client.force_login(users["viewer"])
    assert client.get(url).status_code == 200
    assert client.post(url, {"body": GOOD, "save": "1"}).status_code == 403
    client.force_login(users["researcher"])
    bad = GOOD + "{% block results %}{% for x in y %}{% endblock %}"
    r = client.post(url, {"body": bad, "save": "1"})
    assert r.status_code == 200 and "Line 3" in r.content.decode()
    r = client.post(url, {"body": GOOD, "preview": "1"})
    assert r.status_code == 200 and b"Trust study: k = 5" in r.content
    assert "sandbox" in r.headers["Content-Security-Policy"]
    r = client.post(url, {"body": GOOD, "save": "1"})
    assert r.status_code == 302
    assert "1" in client.get(url).content.decode()
    client.force_login(users["outsider"])
    assert client.get(url).status_code == 404
