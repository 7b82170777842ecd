"""Self-assessment services: create a self-assessment (a subset of a survey's rating items
behind an anonymous link), take a municipality's submission, and compare it with the
national and size-class aggregates of the project's survey, within the disclosure rules.

Aggregates come from :func:`tillit.apps.observatory.indicators.indicator_table`: design-based
means per country and per size class within a country, protected by primary and secondary
suppression (a group of fewer than ``k`` respondents, or one that would reveal such a group,
has no numbers). The municipality's own answers are shown only on its own feedback page.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from tillit.apps.core import audit
from tillit.apps.core.models import Project
from tillit.apps.selfassess.models import SelfAssessment, Submission
from tillit.apps.surveys.models import Survey
from tillit.errors import ErrorCode, NotFoundError, TillitError
from tillit.instruments.model import Instrument, Question, text

#: Concept prefixes of the default subset: vertical, horizontal and institutional/interpersonal
#: trust (the instrument's trust-governance core).
DEFAULT_CONCEPTS = ("relation.vertical", "relation.horizontal", "relation.form")
#: ... asked as trust ratings (0-10) or agreement (1-5), not as perceived effects.
DEFAULT_LISTS = ("trust", "agree")
DONT_KNOW = "dk"


# ----------------------------------------------------------------------------------------------
# items


@dataclass(frozen=True)
class ItemInfo:
    name: str
    label: str
    section: str
    choices: tuple[tuple[str, str], ...]  # (choice name, label)
    concepts: tuple[str, ...]
    list_name: str = ""


def instrument_of(survey: Survey) -> Instrument:
    from tillit.apps.surveys.services import load_instrument

    return load_instrument(survey.instrument)


def _numeric(name: str) -> bool:
    try:
        float(name)
    except ValueError:
        return False
    return True


def eligible_items(instrument: Instrument, language: str) -> list[ItemInfo]:
    """Rating items (single choice on a numeric scale) in questionnaire order."""
    out = []
    for item, parents in instrument.walk():
        if not isinstance(item, Question) or item.type != "select_one" or not item.list_name:
            continue
        choices = instrument.choice_lists[item.list_name].choices
        scale = [c for c in choices if _numeric(c.name)]
        if len(scale) < 3:
            continue
        lang = instrument.default_language
        section = text(parents[-1].labels, language, lang) if parents else ""
        out.append(
            ItemInfo(
                item.name,
                text(item.labels, language, lang),
                section,
                tuple((c.name, text(c.labels, language, lang)) for c in choices),
                tuple(item.concepts),
                item.list_name,
            )
        )
    return out


def default_items(instrument: Instrument) -> list[str]:
    return [
        i.name
        for i in eligible_items(instrument, instrument.default_language)
        if any(c.startswith(DEFAULT_CONCEPTS) for c in i.concepts) and i.list_name in DEFAULT_LISTS
    ]


def items_of(assessment: SelfAssessment, language: str) -> list[ItemInfo]:
    known = {i.name: i for i in eligible_items(instrument_of(assessment.survey), language)}
    return [known[n] for n in assessment.items if n in known]


# ----------------------------------------------------------------------------------------------
# writes


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def do_create_selfassessment(
    project: Project,
    survey: Survey,
    title: str,
    *,
    items: list[str] | None = None,
    country: str = "",
    municipality_code: str = "",
    actor: AbstractBaseUser | None,
) -> SelfAssessment:
    """A self-assessment of ``items`` (default: the trust items) of ``survey``'s instrument."""
    if survey.project_id != project.pk:
        raise TillitError("The survey belongs to another project.", code=ErrorCode.PERMISSION)
    instrument = instrument_of(survey)
    allowed = [i.name for i in eligible_items(instrument, instrument.default_language)]
    chosen = list(items) if items else default_items(instrument)
    unknown = [n for n in chosen if n not in allowed]
    if unknown or not chosen:
        raise TillitError(
            f"Not rating items of the instrument: {', '.join(unknown) or '(none chosen)'}.",
            code=ErrorCode.INVALID_INPUT,
            hint="Choose single-choice items on a numeric scale.",
        )
    chosen = [n for n in allowed if n in chosen]  # questionnaire order
    if municipality_code:
        _municipality(country, municipality_code)
    with transaction.atomic():
        sa = SelfAssessment.objects.create(
            project=project, survey=survey, title=title, items=chosen,
            key=secrets.token_urlsafe(18), country=country, municipality_code=municipality_code,
            created_by=actor if actor is not None and actor.pk else None,
        )  # fmt: skip
        audit.record(
            actor=actor,
            action="selfassess.create",
            obj=sa,
            project=project,
            after={"title": title, "survey": survey.slug, "items": chosen,
                   "bound": f"{country}{municipality_code}"},
        )  # fmt: skip
    return sa


def do_close_selfassessment(
    assessment: SelfAssessment, *, is_open: bool, actor: AbstractBaseUser | None
) -> SelfAssessment:
    with transaction.atomic():
        before = {"is_open": assessment.is_open}
        assessment.is_open = is_open
        assessment.save(update_fields=["is_open"])
        audit.record(
            actor=actor, action="selfassess.open" if is_open else "selfassess.close",
            obj=assessment, project=assessment.project, before=before, after={"is_open": is_open},
        )  # fmt: skip
    return assessment


def _municipality(country: str, code: str) -> Any:
    from tillit.apps.surveys.frames import municipality

    m = municipality(country, code)
    if m is None:
        raise TillitError(
            f"There is no municipality {country} {code} in the registry.",
            code=ErrorCode.INVALID_INPUT,
            hint="Choose your municipality from the list.",
        )
    return m


def do_submit(
    assessment: SelfAssessment,
    *,
    country: str,
    municipality_code: str,
    answers: dict[str, str],
    language: str,
) -> tuple[Submission, str]:
    """Store a municipality's answers; returns the submission and its feedback token (shown
    once, in the link; only its hash is kept). The audit event names no municipality."""
    if not assessment.is_open:
        raise TillitError("This self-assessment is closed.", code=ErrorCode.CONFLICT)
    if assessment.municipality_code:
        country, municipality_code = assessment.country, assessment.municipality_code
    m = _municipality(country, municipality_code)
    allowed = {i.name: {c for c, _ in i.choices} for i in items_of(assessment, language)}
    clean = {k: v for k, v in answers.items() if k in allowed and v in allowed[k]}
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        sub = Submission.objects.create(
            assessment=assessment, token_hash=_token_hash(token), country=m.country,
            municipality_code=m.code, size_class=str(m.size_class), answers=clean,
            language=language,
        )  # fmt: skip
        # project=None: a submission is not survey data, so it leaves the data version alone.
        audit.record(
            actor=None,
            action="selfassess.submit",
            obj=sub,
            after={"assessment": assessment.pk, "n_answers": len(clean)},
        )
    return sub, token


# ----------------------------------------------------------------------------------------------
# reads


def open_assessment(key: str) -> SelfAssessment:
    sa = SelfAssessment.objects.select_related("project", "survey").filter(key=key).first()
    if sa is None:
        raise NotFoundError("No such self-assessment.")
    return sa


def submission_for(assessment: SelfAssessment, token: str) -> Submission:
    """The submission whose feedback token is ``token`` (constant-time compare)."""
    h = _token_hash(token)
    sub = Submission.objects.filter(assessment=assessment, token_hash=h).first()
    if sub is None or not hmac.compare_digest(sub.token_hash, h):
        raise NotFoundError("No such submission.")
    return sub


def links_for(request: Any, project: Project) -> list[dict[str, Any]]:
    """The project's self-assessment links with the number of submissions (never their
    answers)."""
    from django.db.models import Count

    out = []
    for sa in SelfAssessment.objects.filter(project=project).annotate(n=Count("submissions")):
        path = reverse("selfassess-respond:start", args=[sa.key])
        out.append(
            {
                "title": sa.title,
                "url": request.build_absolute_uri(path) if request is not None else path,
                "n_submissions": sa.n,
                "is_open": sa.is_open,
                "bound": f"{sa.country} {sa.municipality_code}".strip(),
                "pk": sa.pk,
            }
        )
    return out


# ----------------------------------------------------------------------------------------------
# feedback

_LOCK = threading.Lock()
_AGGREGATES: OrderedDict[tuple[Any, ...], dict[tuple[str, str, str], dict[str, Any]]] = (
    OrderedDict()
)


def _survey_key(survey: Survey, language: str, k: int) -> tuple[Any, ...]:
    from django.db.models import Count, Max

    from tillit.apps.surveys.models import Answer, Case

    a = Answer.objects.filter(case__survey=survey).aggregate(n=Count("id"), m=Max("saved_at"))
    c = Case.objects.filter(survey=survey).aggregate(m=Max("last_activity_at"))
    d = tuple(
        Case.objects.filter(survey=survey)
        .values_list("disposition")
        .annotate(n=Count("id"))
        .order_by("disposition")
    )
    return (survey.pk, language, k, a["n"], a["m"], c["m"], d)


def aggregates(
    assessment: SelfAssessment, language: str
) -> dict[tuple[str, str, str], dict[str, Any]]:
    """``{(item, country, size class or ""): {"mean", "n", "ci_low", "ci_high"}}`` of the
    survey's respondents; groups hidden by disclosure control are left out."""
    from tillit.apps.observatory.indicators import indicator_table
    from tillit.apps.reports.figures_bridge import survey_data

    project = assessment.project
    k = int(project.k_threshold)
    key = (*_survey_key(assessment.survey, language, k), tuple(assessment.items))
    with _LOCK:
        if key in _AGGREGATES:
            return _AGGREGATES[key]
    sd = survey_data(project, assessment.survey, language)
    known = {i.name for i in sd.items}
    out: dict[tuple[str, str, str], dict[str, Any]] = {}
    for name in assessment.items:
        if name not in known:
            continue
        t = indicator_table(sd, name, k)
        for r in t.itertuples(index=False):
            if r.suppressed or r.level == "county":
                continue
            group = r.group if r.level == "size_class" else ""
            out[(name, r.country, group)] = {
                "mean": float(r.mean),
                "n": int(r.n),
                "ci_low": float(r.ci_low),
                "ci_high": float(r.ci_high),
            }
    with _LOCK:
        _AGGREGATES[key] = out
        while len(_AGGREGATES) > 16:
            _AGGREGATES.popitem(last=False)
    return out


def _x(value: float | None, scale: list[float], width: float = 200.0) -> float | None:
    """Position of ``value`` on a ``width``-pixel axis of the item's scale (for the dot chart)."""
    if value is None:
        return None
    lo, hi = min(scale), max(scale)
    return round(6 + (width - 12) * (value - lo) / (hi - lo), 1) if hi > lo else None


def _marks(
    own: float | None, nat: dict[str, Any] | None, size: dict[str, Any] | None, scale: list[float]
) -> dict[str, Any]:
    """SVG coordinates of the dot chart: own answer (circle), national mean (triangle),
    size-class mean (square)."""
    o = _x(own, scale)
    n = _x(nat["mean"] if nat else None, scale)
    s = _x(size["mean"] if size else None, scale)
    return {
        "own": o,
        "national": f"{n},3 {n + 5:.1f},14 {n - 5:.1f},14" if n is not None else None,
        "size": round(s - 4, 1) if s is not None else None,
    }


def feedback(submission: Submission, language: str) -> dict[str, Any]:
    """The rows of a feedback page: the municipality's answer beside the national and
    size-class means (None where there is no disclosable aggregate)."""
    from tillit.apps.reports.context import size_class_name

    sa = submission.assessment
    agg = aggregates(sa, language)
    m = _municipality(submission.country, submission.municipality_code)
    rows = []
    for it in items_of(sa, language):
        value = submission.answers.get(it.name)
        labels = dict(it.choices)
        own = float(value) if value is not None and _numeric(value) else None
        nat = agg.get((it.name, submission.country, ""))
        size = agg.get((it.name, submission.country, submission.size_class))
        scale = [float(c) for c, _ in it.choices if _numeric(c)]
        rows.append(
            {
                "name": it.name,
                "section": it.section,
                "label": it.label,
                "answer": labels.get(value, "") if value else "",
                "own": own,
                "national": nat,
                "size": size,
                "scale_min": min(scale),
                "scale_max": max(scale),
                "diff_national": own - nat["mean"] if own is not None and nat else None,
                "x": _marks(own, nat, size, scale),
            }
        )
    country_names = {"NO": _("Norway"), "DK": _("Denmark")}
    return {
        "assessment": sa,
        "municipality": m.name,
        "country": country_names.get(submission.country, submission.country),
        "size_class": size_class_name(submission.size_class),
        "k": int(sa.project.k_threshold),
        "rows": rows,
        "n_compared": sum(1 for r in rows if r["national"]),
        "synthetic": bool(sa.project.is_synthetic or sa.survey.is_synthetic),
    }


def _pdf_stylesheet(report_css: str) -> Any:
    """The PDF's ``<style>`` element: the report stylesheet and the self-assessment one (the
    PDF's HTML goes to WeasyPrint only, so there is no Content-Security-Policy to meet)."""
    from importlib import resources

    from django.utils.html import format_html

    own = (
        resources.files("tillit.apps.selfassess")
        .joinpath("static", "selfassess", "selfassess.css")
        .read_text(encoding="utf-8")
    )
    return format_html("<{}>{}\n{}</{}>", "style", report_css, own.replace("</", "<\\/"), "style")


def feedback_pdf(submission: Submission, language: str) -> bytes:
    """The feedback as a PDF (WeasyPrint), the same content as the page."""
    from django.template.loader import render_to_string
    from django.utils import timezone
    from django.utils.translation import override

    from tillit.apps.reports.sandbox_tags import report_css
    from tillit.apps.reports.services import html_to_pdf

    with override(language):
        ctx = feedback(submission, language)
        html = render_to_string(
            "selfassess/feedback_pdf.html",
            {
                **ctx,
                "stylesheet": _pdf_stylesheet(report_css()),
                "lang": language,
                "date": timezone.localdate(),
            },
        )
    return html_to_pdf(html)[0]
