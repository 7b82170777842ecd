"""Tags of report templates (the ``report`` library of the sandboxed engine).

* ``{% report_toc %}``: where the table of contents goes;
* ``{% report_table "name" %}``: a prepared table (``tables.name``) with its caption and stamp;
* ``{% report_figure "name" %}``: a prepared figure (``figures.name``): inline SVG, caption,
  stamp and, with ``with_table``, its data table.

Tables and figures are prepared by :mod:`tillit.apps.reports.context` (survey tables already
through the disclosure rules); an unknown name renders a visible note, not an error, so a
template still builds when a project has no data of that kind.
"""

from __future__ import annotations

from typing import Any

from django.template import Library
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from tillit.apps.reports.engine import TOC_MARK

register = Library()
_NUM = mark_safe(' class="num"')
_ROW = mark_safe(' scope="row"')


@register.simple_tag
def report_css() -> SafeString:
    """The report stylesheet (``static/reports/report.css``), inlined: no URL to fetch."""
    from importlib import resources

    css = (
        resources.files("tillit.apps.reports")
        .joinpath("static", "reports", "report.css")
        .read_text(encoding="utf-8")
    )
    return mark_safe(css.replace("</", "<\\/"))  # noqa: S308 (our packaged stylesheet)


@register.simple_tag
def report_toc() -> SafeString:
    return mark_safe(TOC_MARK)  # noqa: S308 (a constant comment)


def _missing(kind: str, name: str) -> SafeString:
    return format_html(
        '<p class="missing">{}</p>',
        _("No %(kind)s “%(name)s” in this project's data.") % {"kind": kind, "name": name},
    )


def table_html(t: dict[str, Any], css: str = "report-table") -> SafeString:
    """A prepared table as HTML (every value escaped; numbers right-aligned)."""
    num = _NUM
    head = "".join(
        str(format_html('<th scope="col"{}>{}</th>', num if c.get("num") else "", c["label"]))
        for c in t["columns"]
    )
    rows = []
    for row in t["rows"]:
        cells = []
        for i, (col, value) in enumerate(zip(t["columns"], row, strict=True)):
            first = i == 0 and t.get("row_headers", True)
            tag, scope = ("th", _ROW) if first else ("td", "")
            cls = num if col.get("num") else ""
            cells.append(str(format_html("<{}{}{}>{}</{}>", tag, scope, cls, value, tag)))
        rows.append("<tr>" + "".join(cells) + "</tr>")
    note = format_html('<p class="table-note">{}</p>', t["note"]) if t.get("note") else ""
    return format_html(
        '<table class="{}"><caption>{}<span class="stamp">{}</span></caption>'
        "<thead><tr>{}</tr></thead><tbody>{}</tbody></table>{}",
        css,
        t["caption"],
        t.get("stamp", ""),
        mark_safe(head),  # noqa: S308 (built with format_html above)
        mark_safe("".join(rows)),  # noqa: S308 (built with format_html above)
        note,
    )


@register.simple_tag(takes_context=True)
def report_table(context: Any, name: str) -> SafeString:
    t = (context.get("tables") or {}).get(name)
    if not t:
        return _missing(_("table"), name)
    return format_html('<div class="table-wrap" id="table-{}">{}</div>', name, table_html(t))


@register.simple_tag(takes_context=True)
def report_figure(context: Any, name: str, with_table: bool = False) -> SafeString:
    f = (context.get("figures") or {}).get(name)
    if not f:
        return _missing(_("figure"), name)
    table = (
        table_html(f["table"], "report-table figure-data") if with_table and f.get("table") else ""
    )
    return format_html(
        '<figure class="report-figure" id="figure-{}">{}<figcaption>{}'
        '<span class="stamp">{}</span></figcaption></figure>{}',
        name,
        mark_safe(f["svg"]),  # noqa: S308 (our own cleaned SVG from tillit.charts)
        f["caption"],
        f.get("stamp", ""),
        table,
    )


@register.filter
def percent(value: Any, digits: int = 1) -> str:
    """``0.624`` -> ``62.4 %`` (in the report's language)."""
    from tillit.apps.reports.context import pct

    try:
        return pct(float(value), int(digits))
    except (TypeError, ValueError):
        return "–"
