"""The reports part of the demo: the default report in nb and en, as HTML and PDF, and a
self-assessment link for municipalities.

Building a report reads the whole survey (several seconds), so the demo records the four
builds as *pending*: each is made on its first download from the reports page (or with
``tillit report build``). The demo itself stays fast.
"""

from __future__ import annotations

from typing import Any

from tillit.apps.reports import services

LANGUAGES = ("nb", "en")
FORMATS = ("html", "pdf")


def build(ctx: Any) -> None:
    owner = ctx.users["owner"]
    for language in LANGUAGES:
        for fmt in FORMATS:
            services.do_build_report(
                ctx.project, language=language, fmt=fmt, actor=owner, lazy=True
            )
    ctx.log("  reports: default report in nb and en (HTML, PDF), built on first download")
