"""Report pages: list templates and builds, edit a template with preview, build and download.

Views are thin: access from :mod:`tillit.apps.core.access`, writes through
:mod:`tillit.apps.reports.services`. A report (and a preview) is served with a Content-Security-
Policy of its own: inline styles only, no scripts, sandboxed.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tillit.apps.core import access
from tillit.apps.core.access import ProjectAccess
from tillit.apps.reports import services
from tillit.apps.reports.forms import BuildForm, NewTemplateForm, TemplateForm
from tillit.apps.reports.models import ReportBuild
from tillit.errors import TillitError

REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"
CONTENT_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


def _render(request: HttpRequest, template: str, pa: ProjectAccess, **ctx: Any) -> HttpResponse:
    return render(request, template, {"nav": "projects", "pa": pa, "project": pa.project, **ctx})


def _names(pa: ProjectAccess) -> list[str]:
    return sorted({t["name"] for t in services.templates_of(pa.project)})


def _selfassess_links(request: HttpRequest, pa: ProjectAccess) -> list[dict[str, Any]]:
    from tillit.apps.selfassess import services as sa

    return sa.links_for(request, pa.project)


@login_required
def index(request: HttpRequest, slug: str) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug)
    builds = ReportBuild.objects.filter(project=pa.project).defer("content")[:30]
    return _render(
        request,
        "reports/index.html",
        pa,
        templates=services.templates_of(pa.project),
        builds=builds,
        form=BuildForm(names=_names(pa), initial={"language": "nb", "format": "pdf"}),
        new_form=NewTemplateForm(),
        selfassess=_selfassess_links(request, pa),
    )


@login_required
@require_POST
def build(request: HttpRequest, slug: str) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug, need="edit")
    form = BuildForm(request.POST, names=_names(pa))
    if not form.is_valid():
        messages.error(request, _("Choose a template, a language and a format."))
        return redirect("reports:index", slug)
    d = form.cleaned_data
    try:
        b = services.do_build_report(
            pa.project, template=d["template"], language=d["language"], fmt=d["format"],
            actor=request.user,
        )  # fmt: skip
    except TillitError as exc:
        messages.error(request, f"{exc.message} {exc.hint}".strip())
        return redirect("reports:index", slug)
    messages.success(request, _("The report is built."))
    return redirect("reports:download", slug, b.pk)


def report_response(content: bytes, fmt: str, filename: str, *, inline: bool) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPES[fmt])
    response.headers["Content-Security-Policy"] = REPORT_CSP
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


@login_required
def download(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A built report; a pending (lazy) build is made now, on its first download."""
    pa = access.get_project_for_user(request.user, slug)
    b = get_object_or_404(ReportBuild, project=pa.project, pk=pk)
    if b.state != ReportBuild.State.DONE:
        b = services.do_finish_build(b, actor=request.user)
    return report_response(bytes(b.content), b.format, b.filename, inline=b.format == "html")


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, slug: str, name: str, language: str) -> HttpResponse:
    """Edit a template; "Preview" renders the text in the form without saving it."""
    need = "edit" if request.method == "POST" else "view"
    pa = access.get_project_for_user(request.user, slug, need=need)
    if language not in services.LANGUAGE_CODES:
        raise Http404("No such language.")
    try:
        body, version = services.template_body(pa.project, name, language)
    except TillitError:
        if request.method != "POST":
            raise Http404("No such template.") from None
        body, version = services.default_body(language), 0
    form = TemplateForm(request.POST or None, initial={"body": body})
    problems: list[Any] = []
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["body"]
        try:
            if "preview" in request.POST:
                services.validate(text, name)
                html = services.render_html(pa.project, text, language)
                return report_response(html.encode(), "html", "preview.html", inline=True)
            services.do_save_template(pa.project, name, language, text, actor=request.user)
            messages.success(request, _("The template is saved."))
            return redirect("reports:edit", slug, name, language)
        except services.ReportTemplateError as exc:
            problems = exc.problems
            form.add_error("body", exc.message)
    return _render(
        request,
        "reports/edit.html",
        pa,
        form=form,
        name=name,
        language=language,
        version=version,
        problems=problems,
        history=_history(pa, name, language),
    )


def _history(pa: ProjectAccess, name: str, language: str) -> list[Any]:
    from tillit.apps.reports.models import ReportTemplateVersion

    return list(
        ReportTemplateVersion.objects.filter(
            template__project=pa.project, template__name=name, template__language=language
        )
        .select_related("created_by")
        .defer("body")[:20]
    )


@login_required
@require_POST
def new_template(request: HttpRequest, slug: str) -> HttpResponse:
    """A new template, starting from the default text in its language."""
    pa = access.get_project_for_user(request.user, slug, need="edit")
    form = NewTemplateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A template name is letters, digits and hyphens."))
        return redirect("reports:index", slug)
    name, language = form.cleaned_data["name"], form.cleaned_data["language"]
    exists = any(
        t["name"] == name and t["language"] == language and t["edited"]
        for t in services.templates_of(pa.project)
    )
    if not exists:
        services.do_save_template(
            pa.project, name, language, services.default_body(language), actor=request.user
        )
    return redirect("reports:edit", slug, name, language)
