"""The sandboxed template engine for report templates a project can edit.

A report template is Django template language, but it runs in an engine of its own, not the
site's:

* ``{% load %}`` accepts only the allowlist :data:`LIBRARIES` (``i18n``, ``l10n``, ``report``);
  ``{% debug %}`` is refused (it would print the context and the loaded modules);
* the only other template it can reach is ``report/base.html`` (an in-memory loader), so
  ``{% include %}`` and ``{% extends %}`` cannot read files;
* it is rendered with a context of prepared, disclosure-checked plain data (dicts, lists,
  strings, numbers: :mod:`tillit.apps.reports.context`), never with model instances, the request,
  the user or settings.

:func:`check` returns the syntax problems of a template with their line numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from django.template import Context, Engine, Library, TemplateSyntaxError

#: ``{% load %}`` allowlist: name -> module.
LIBRARIES = {
    "i18n": "django.templatetags.i18n",
    "l10n": "django.templatetags.l10n",
    "report": "tillit.apps.reports.sandbox_tags",
}
BASE_NAME = "report/base.html"
MAX_TEMPLATE_CHARS = 200_000

register = Library()


@register.tag(name="debug")
def _no_debug(parser: Any, token: Any) -> Any:
    raise TemplateSyntaxError("The {% debug %} tag is not allowed in report templates.")


def package_text(name: str) -> str:
    """A file of ``tillit/apps/reports/report_templates/``."""
    return (
        resources.files("tillit.apps.reports")
        .joinpath("report_templates", name)
        .read_text(encoding="utf-8")
    )


@lru_cache(maxsize=1)
def engine() -> Engine:
    return Engine(
        loaders=[("django.template.loaders.locmem.Loader", {BASE_NAME: package_text("base.html")})],
        libraries=LIBRARIES,
        builtins=["tillit.apps.reports.engine", "tillit.apps.reports.sandbox_tags"],
        debug=True,  # syntax errors carry their line
        autoescape=True,
    )


@dataclass(frozen=True)
class Problem:
    """A problem in a template: the line (1-based, 0 when unknown) and the message."""

    line: int
    message: str
    source_line: str = ""

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


def _problem(exc: Exception, body: str) -> Problem:
    info = getattr(exc, "template_debug", None) or {}
    line = int(info.get("line") or 0)
    lines = body.splitlines()
    source = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    return Problem(line, str(exc), source)


def check(body: str) -> list[Problem]:
    """Syntax problems of ``body`` (empty when it compiles)."""
    if len(body) > MAX_TEMPLATE_CHARS:
        return [Problem(0, f"The template is longer than {MAX_TEMPLATE_CHARS} characters.")]
    if not body.strip():
        return [Problem(0, "The template is empty.")]
    try:
        engine().from_string(body)
    except TemplateSyntaxError as exc:
        return [_problem(exc, body)]
    return []


def render(body: str, context: dict[str, Any]) -> str:
    """Render ``body`` with ``context`` (prepared plain data) and fill in the table of contents."""
    template = engine().from_string(body)
    html = template.render(Context(context, autoescape=True))
    return add_toc(html)


_HEADING = re.compile(r"<h([23])((?:\s[^>]*)?)>(.*?)</h\1>", re.DOTALL | re.IGNORECASE)
_ID = re.compile(r"""\sid=["']([^"']+)["']""")
_TAGS = re.compile(r"<[^>]+>")
TOC_MARK = "<!--report-toc-->"


def add_toc(html: str) -> str:
    """Give every h2/h3 an id and replace the ``<!--report-toc-->`` mark with a linked list
    of them (WeasyPrint adds page numbers with ``target-counter``)."""
    if TOC_MARK not in html:
        return html
    entries: list[tuple[int, str, str]] = []
    counter = 0

    def fix(m: re.Match[str]) -> str:
        nonlocal counter
        level, attrs, inner = int(m.group(1)), m.group(2) or "", m.group(3)
        if 'class="no-toc"' in attrs:
            return m.group(0)
        found = _ID.search(attrs)
        if found:
            ident = found.group(1)
        else:
            counter += 1
            ident = f"sec-{counter}"
            attrs += f' id="{ident}"'
        entries.append((level, ident, _TAGS.sub("", inner).strip()))
        return f"<h{level}{attrs}>{inner}</h{level}>"

    head, _, tail = html.partition(TOC_MARK)
    tail = _HEADING.sub(fix, tail)
    items = []
    for level, ident, text in entries:
        items.append(f'<li class="toc-{level}"><a href="#{ident}">{text}</a></li>')
    return f'{head}<ol class="toc-list">{"".join(items)}</ol>{tail}'
