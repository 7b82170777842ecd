"""Trust model pages: CFA of a survey's trust scales, a structural model typed in lavaan syntax,
and trust maps per country. Only aggregate results are shown, from at least ``k`` respondents
(the project's disclosure threshold), so every member may see them.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from tillit.apps.cases import trust
from tillit.apps.cases.views import _lang, _render
from tillit.apps.core import access
from tillit.apps.surveys.models import Survey
from tillit.errors import TillitError

SCALE_LABELS = {
    "vertical": gettext_noop("Vertical trust"),
    "horizontal": gettext_noop("Horizontal trust"),
    "institutional": gettext_noop("Institutional trust"),
    "interpersonal": gettext_noop("Interpersonal trust"),
}


def _records(frame: Any) -> list[dict[str, Any]]:
    return frame.to_dict("records") if frame is not None and len(frame) else []


@login_required
def models_page(request: HttpRequest, slug: str) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug)
    surveys = list(Survey.objects.filter(project=pa.project).order_by("slug"))
    ctx: dict[str, Any] = {
        "surveys": surveys,
        "available": trust.sem_available(),
        "maps_available": trust.trustmap_available(),
    }
    survey = None
    g = request.GET
    if g.get("survey"):
        survey = get_object_or_404(Survey, project=pa.project, slug=g["survey"])
    elif surveys:
        survey = surveys[0]
    ctx["survey"] = survey
    if survey is None or not ctx["available"]:
        return _render(request, "cases/models.html", pa, **ctx)
    k = int(pa.project.k_threshold)
    st = trust.load(survey, _lang(request))
    country = g.get("country") if g.get("country") in trust.COUNTRIES else ""
    chosen = [s for s in g.getlist("scale") if s in st.scales] or list(st.scales)[:2]
    data = trust.subset(st, country or None)
    ctx.update(
        st=st,
        country=country,
        countries=trust.COUNTRIES,
        scales=[
            {"name": s, "items": items, "chosen": s in chosen} for s, items in st.scales.items()
        ],
        synthetic=st.synthetic,
        k=k,
    )
    # CFA of the chosen scales
    try:
        syntax = trust.cfa_syntax(st, chosen)
        ctx["cfa_syntax"] = syntax
        res = trust.fit(syntax, data, kind="cfa", k=k, std_lv=g.get("std_lv") == "1")
        ctx["cfa"] = {
            "fit": trust.fit_rows(res),
            "loadings": _records(trust.loadings(res)),
            "reliability": _records(res.reliability),
            "warnings": list(res.warnings),
        }
    except TillitError as exc:
        ctx["cfa_error"] = f"{exc.message} {exc.hint}".strip()
    # structural model typed by the user
    default_sem = ""
    if "vertical" in st.scales and "horizontal" in st.scales:
        default_sem = trust.cfa_syntax(st, ["vertical", "horizontal"]) + "\nhorizontal ~ vertical"
    model = g.get("model", "").strip()
    ctx["sem_model"] = model or default_sem
    if model:
        try:
            res = trust.fit(model, data, kind="sem", k=k)
            p = res.parameters
            ctx["sem"] = {
                "fit": trust.fit_rows(res),
                "parameters": _records(p[p["op"].isin(["=~", "~"])]),
                "warnings": list(res.warnings),
            }
        except TillitError as exc:
            ctx["sem_error"] = f"{exc.message} {exc.hint}".strip()
    return _render(request, "cases/models.html", pa, **ctx)


@login_required
def trustmap_svg(request: HttpRequest, slug: str, survey_slug: str, country: str) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug)
    survey = get_object_or_404(Survey, project=pa.project, slug=survey_slug)
    if country not in (*trust.COUNTRIES, "all") or not trust.trustmap_available():
        raise Http404("No such map.")
    st = trust.load(survey, _lang(request))
    title = _("Trust between actor groups: %(country)s") % {"country": country}
    if st.synthetic:
        title = "SYNTHETIC " + title
    try:
        svg = trust.trustmap_svg(
            st, None if country == "all" else country, k=int(pa.project.k_threshold), title=title
        )
    except TillitError as exc:
        raise Http404(exc.message) from exc
    return HttpResponse(mark_safe(svg), content_type="image/svg+xml")  # noqa: S308
