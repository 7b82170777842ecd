"""Report services: template edits (validated, with history) and report builds (HTML and PDF),
each in one transaction with one audit event.

Building reads the project through :func:`tillit.apps.reports.context.build` (prepared,
disclosure-checked data) and renders it with the sandboxed engine
(:mod:`tillit.apps.reports.engine`); PDF is made from the same HTML by WeasyPrint.
"""

from __future__ import annotations

import hashlib
import io
import time
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import override

import tillit
from tillit.apps.core import audit
from tillit.apps.core.models import Project
from tillit.apps.reports import engine
from tillit.apps.reports.models import LANGUAGES, ReportBuild, ReportTemplate, ReportTemplateVersion
from tillit.errors import ErrorCode, NotFoundError, TillitError

DEFAULT_NAME = "default"
LANGUAGE_CODES = tuple(code for code, _ in LANGUAGES)
FORMATS = ("html", "pdf")


class ReportTemplateError(TillitError):
    """A report template that does not compile (``errors``: ``{"line", "message"}``)."""

    def __init__(self, problems: list[engine.Problem], name: str = "") -> None:
        first = problems[0]
        where = f"{name}, line {first.line}" if first.line else name or "the template"
        super().__init__(
            f"The report template has an error ({where}): {first.message}",
            code=ErrorCode.INVALID_INPUT,
            hint="Fix the line shown; only the tag libraries i18n, l10n and report can be loaded.",
            errors=[
                {"line": p.line, "message": p.message, "source": p.source_line} for p in problems
            ],
        )
        self.problems = problems


def check_language(language: str) -> str:
    if language not in LANGUAGE_CODES:
        raise TillitError(
            f"Reports are made in {', '.join(LANGUAGE_CODES)}, not {language!r}.",
            code=ErrorCode.USAGE,
            hint="Choose --lang nb, da or en.",
        )
    return language


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise TillitError(f"Reports are built as html or pdf, not {fmt!r}.", code=ErrorCode.USAGE)
    return fmt


def default_body(language: str) -> str:
    """The packaged default template in ``language``."""
    return engine.package_text(f"default_{check_language(language)}.html")


def template_body(project: Project, name: str, language: str) -> tuple[str, int]:
    """The text and version of a project's template (version 0: the packaged default)."""
    t = ReportTemplate.objects.filter(project=project, name=name, language=language).first()
    if t is not None:
        return t.body, t.version
    if name == DEFAULT_NAME:
        return default_body(language), 0
    raise NotFoundError(
        f"The project has no report template {name!r} in {language}.",
        hint="List the templates on the reports page, or leave out --template for the default.",
    )


def templates_of(project: Project) -> list[dict[str, Any]]:
    """Every template of the project per language (the default included when not edited)."""
    stored = {(t.name, t.language): t for t in ReportTemplate.objects.filter(project=project)}
    names = sorted({DEFAULT_NAME} | {n for n, _ in stored})
    out = []
    for name in names:
        for lang in LANGUAGE_CODES:
            t = stored.get((name, lang))
            if t is None and name != DEFAULT_NAME:
                continue
            out.append(
                {
                    "name": name,
                    "language": lang,
                    "version": t.version if t else 0,
                    "edited": t is not None,
                    "updated_at": t.updated_at if t else None,
                }
            )
    return out


# ----------------------------------------------------------------------------------------------
# editing


def validate(body: str, name: str = "") -> None:
    """Raise :class:`ReportTemplateError` when ``body`` does not compile."""
    problems = engine.check(body)
    if problems:
        raise ReportTemplateError(problems, name)


def do_save_template(
    project: Project, name: str, language: str, body: str, *, actor: AbstractBaseUser | None
) -> ReportTemplate:
    """Save a new version of a template (validated first: a broken template is never saved)."""
    check_language(language)
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    validate(body, f"{name} ({language})")
    with transaction.atomic():
        t = (
            ReportTemplate.objects.select_for_update()
            .filter(project=project, name=name, language=language)
            .first()
        )
        before = None
        if t is None:
            t = ReportTemplate.objects.create(
                project=project, name=name, language=language, body=body, version=1,
                updated_by=actor if actor is not None and actor.pk else None,
            )  # fmt: skip
        else:
            before = {"version": t.version, "sha256": _sha(t.body)}
            t.version += 1
            t.body = body
            t.updated_by = actor if actor is not None and actor.pk else None
            t.save(update_fields=["version", "body", "updated_by", "updated_at"])
        ReportTemplateVersion.objects.create(
            template=t, version=t.version, body=body, created_by=t.updated_by
        )
        audit.record(
            actor=actor,
            action="report.template_edit",
            obj=t,
            project=project,
            before=before,
            after={"name": name, "language": language, "version": t.version, "sha256": _sha(body)},
        )
    return t


def _sha(text: str | bytes) -> str:
    data = text.encode() if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()


# ----------------------------------------------------------------------------------------------
# building


def render_html(project: Project, body: str, language: str) -> str:
    """Render ``body`` for ``project`` in ``language`` (self-contained HTML)."""
    from django.template import TemplateDoesNotExist, TemplateSyntaxError

    from tillit.apps.reports import context

    with override(language):
        ctx = context.build(project, language)
        try:
            return engine.render(body, ctx)
        except (TemplateSyntaxError, TemplateDoesNotExist) as exc:
            raise ReportTemplateError([engine.Problem(0, f"{type(exc).__name__}: {exc}")]) from exc


def html_to_pdf(html: str) -> tuple[bytes, int]:
    """PDF bytes and page count of a report's HTML (WeasyPrint; no URL is fetched)."""
    import weasyprint

    def no_fetch(url: str, *args: Any, **kw: Any) -> Any:
        raise ValueError(f"reports fetch nothing: {url}")

    doc = weasyprint.HTML(string=html, url_fetcher=no_fetch, base_url=".").render()
    buf = io.BytesIO()
    doc.write_pdf(buf)
    return buf.getvalue(), len(doc.pages)


def build_bytes(
    project: Project, *, template: str = DEFAULT_NAME, language: str = "nb", fmt: str = "html"
) -> tuple[bytes, dict[str, Any]]:
    """The report as bytes with facts about the build (no database write)."""
    check_language(language)
    check_format(fmt)
    body, version = template_body(project, template, language)
    validate(body, f"{template} ({language})")
    start = time.perf_counter()
    html = render_html(project, body, language)
    pages = None
    if fmt == "pdf":
        content, pages = html_to_pdf(html)
    else:
        content = html.encode("utf-8")
    from tillit.apps.reports.figures_bridge import data_version

    return content, {
        "template_version": version,
        "pages": pages,
        "seconds": time.perf_counter() - start,
        "data_version": data_version(project),
    }


def do_build_report(
    project: Project,
    *,
    template: str = DEFAULT_NAME,
    language: str = "nb",
    fmt: str = "html",
    actor: AbstractBaseUser | None,
    lazy: bool = False,
) -> ReportBuild:
    """Build a report and keep it as a :class:`ReportBuild`; with ``lazy`` only record a
    pending build (made on first download by :func:`do_finish_build`)."""
    check_language(language)
    check_format(fmt)
    template_body(project, template, language)  # the template exists
    if lazy:
        with transaction.atomic():
            b = ReportBuild.objects.create(
                project=project, template_name=template, language=language, format=fmt,
                state=ReportBuild.State.PENDING, tillit_version=tillit.__version__,
                built_by=actor if actor is not None and actor.pk else None,
            )  # fmt: skip
            audit.record(
                actor=actor,
                action="report.build_requested",
                obj=b,
                project=project,
                after={"template": template, "language": language, "format": fmt},
            )
        return b
    content, facts = build_bytes(project, template=template, language=language, fmt=fmt)
    with transaction.atomic():
        b = ReportBuild.objects.create(
            project=project, template_name=template, language=language, format=fmt,
            built_by=actor if actor is not None and actor.pk else None,
        )  # fmt: skip
        _store(b, content, facts)
        audit.record(actor=actor, action="report.build", obj=b, project=project, after=_facts(b))
    return b


def do_finish_build(build: ReportBuild, *, actor: AbstractBaseUser | None) -> ReportBuild:
    """Make a pending (lazy) build now."""
    if build.state == ReportBuild.State.DONE:
        return build
    content, facts = build_bytes(
        build.project, template=build.template_name, language=build.language, fmt=build.format
    )
    with transaction.atomic():
        b = ReportBuild.objects.select_for_update().get(pk=build.pk)
        if b.state == ReportBuild.State.DONE:
            return b
        _store(b, content, facts)
        audit.record(actor=actor, action="report.build", obj=b, project=b.project, after=_facts(b))
    return b


def _store(b: ReportBuild, content: bytes, facts: dict[str, Any]) -> None:
    b.content = content
    b.size = len(content)
    b.sha256 = _sha(content)
    b.pages = facts["pages"]
    b.seconds = facts["seconds"]
    b.template_version = facts["template_version"]
    b.data_version = facts["data_version"]
    b.tillit_version = tillit.__version__
    b.state = ReportBuild.State.DONE
    b.built_at = timezone.now()
    b.save()


def _facts(b: ReportBuild) -> dict[str, Any]:
    return {
        "template": b.template_name,
        "template_version": b.template_version,
        "language": b.language,
        "format": b.format,
        "data_version": b.data_version,
        "tillit_version": b.tillit_version,
        "size": b.size,
        "sha256": b.sha256,
        "pages": b.pages,
    }
