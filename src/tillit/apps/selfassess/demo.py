"""The self-assessment part of the demo: one open link over the trust items of the synthetic
chief executive survey (the comparison figures are synthetic, and the pages say so)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from tillit.apps.selfassess import services
from tillit.apps.surveys.models import Survey

TITLE = "SYNTHETIC: Trust in your municipality, a self-assessment"


def build(ctx: Any) -> None:
    survey = Survey.objects.filter(project=ctx.project).order_by("created_at").first()
    if survey is None:
        return
    sa = services.do_create_selfassessment(ctx.project, survey, TITLE, actor=ctx.users["owner"])
    path = reverse("selfassess-respond:start", args=[sa.key])
    ctx.log(f"  self-assessment link: {path} ({len(sa.items)} items)")
    ctx.notes.append(f"Self-assessment for municipalities: {path}")
