"""Self-assessment pages.

* Project pages (members): create a self-assessment and get its link; counts of submissions
  only, never a municipality's answers.
* Respondent pages (no log-in): the questionnaire at ``/sa/<key>/``; after submitting, the
  respondent is sent to the feedback page at ``/sa/<key>/r/<token>/``, which only the holder of
  that link can open (the token is not stored, only its hash), with a PDF of the same.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tillit.apps.core import access
from tillit.apps.selfassess import services
from tillit.apps.selfassess.forms import CreateForm, SubmitForm
from tillit.apps.selfassess.models import SelfAssessment
from tillit.apps.surveys.models import Survey
from tillit.errors import NotFoundError, TillitError

PRIVATE = "no-store"


def _language() -> str:
    lang = (get_language() or "nb")[:2]
    return lang if lang in ("nb", "nn", "da", "en") else "en"


def _countries(survey: Survey | None) -> list[str]:
    if survey is None:
        return ["NO", "DK"]
    have = set(survey.cases.values_list("country", flat=True).distinct())
    return [c for c in ("NO", "DK") if c in have] or ["NO", "DK"]


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest, slug: str) -> HttpResponse:
    need = "edit" if request.method == "POST" else "view"
    pa = access.get_project_for_user(request.user, slug, need=need)
    surveys = list(Survey.objects.filter(project=pa.project).select_related("instrument"))
    first = surveys[0] if surveys else None
    items = (
        [(i.name, f"{i.section}: {i.label}") for i in services.eligible_items(
            services.instrument_of(first), _language())]
        if first else []
    )  # fmt: skip
    form = CreateForm(
        request.POST or None,
        surveys=[(str(s.pk), s.title) for s in surveys],
        items=items,
        countries=_countries(first),
        initial={"items": services.default_items(services.instrument_of(first)) if first else []},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        survey = get_object_or_404(Survey, project=pa.project, pk=int(d["survey"]))
        country, _sep, code = (d.get("municipality") or ":").partition(":")
        try:
            services.do_create_selfassessment(
                pa.project, survey, d["title"], items=d["items"] or None,
                country=country, municipality_code=code, actor=request.user,
            )  # fmt: skip
        except TillitError as exc:
            form.add_error(None, f"{exc.message} {exc.hint}".strip())
        else:
            messages.success(request, _("The self-assessment is ready. Share its link."))
            return redirect("selfassess:index", slug)
    return render(
        request,
        "selfassess/index.html",
        {
            "nav": "projects",
            "pa": pa,
            "project": pa.project,
            "links": services.links_for(request, pa.project),
            "form": form,
            "has_survey": first is not None,
        },
    )


@login_required
@require_POST
def toggle(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug, need="edit")
    sa = get_object_or_404(SelfAssessment, project=pa.project, pk=pk)
    services.do_close_selfassessment(sa, is_open=not sa.is_open, actor=request.user)
    return redirect("selfassess:index", slug)


def _assessment(key: str) -> SelfAssessment:
    try:
        return services.open_assessment(key)
    except NotFoundError:
        raise Http404("No such self-assessment.") from None


def _private(response: HttpResponse) -> HttpResponse:
    response.headers["Cache-Control"] = PRIVATE
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, key: str) -> HttpResponse:
    """The questionnaire of a self-assessment link (anonymous)."""
    sa = _assessment(key)
    lang = _language()
    items = services.items_of(sa, lang)
    bound = bool(sa.municipality_code)
    form = SubmitForm(
        request.POST or None, items=items, countries=_countries(sa.survey), bound=bound
    )
    if request.method == "POST" and sa.is_open and form.is_valid():
        country, code = form.municipality()
        try:
            _sub, token = services.do_submit(
                sa, country=country, municipality_code=code, answers=form.answers(), language=lang
            )
        except TillitError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("selfassess-respond:feedback", key, token)
    sections: list[tuple[str, list[Any]]] = []
    for it in items:
        field = form[f"q_{it.name}"]
        if not sections or sections[-1][0] != it.section:
            sections.append((it.section, []))
        sections[-1][1].append(field)
    bound_name = ""
    if bound:
        from tillit.apps.surveys.frames import municipality

        m = municipality(sa.country, sa.municipality_code)
        bound_name = m.name if m else sa.municipality_code
    return _private(
        render(
            request,
            "selfassess/start.html",
            {
                "sa": sa,
                "form": form,
                "sections": sections,
                "bound_name": bound_name,
                "synthetic": sa.project.is_synthetic or sa.survey.is_synthetic,
                "k": sa.project.k_threshold,
            },
        )
    )


def _submission(key: str, token: str) -> Any:
    sa = _assessment(key)
    try:
        return services.submission_for(sa, token)
    except NotFoundError:
        raise Http404("No such submission.") from None


def feedback(request: HttpRequest, key: str, token: str) -> HttpResponse:
    """The municipality's own answers beside the national and size-class means."""
    sub = _submission(key, token)
    ctx = services.feedback(sub, _language())
    return _private(
        render(request, "selfassess/feedback.html", {**ctx, "key": key, "token": token})
    )


def feedback_pdf(request: HttpRequest, key: str, token: str) -> HttpResponse:
    sub = _submission(key, token)
    pdf = services.feedback_pdf(sub, _language())
    response = HttpResponse(pdf, content_type="application/pdf")
    response.headers["Content-Disposition"] = 'attachment; filename="self-assessment.pdf"'
    return _private(response)
