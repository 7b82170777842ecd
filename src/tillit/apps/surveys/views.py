"""Researcher pages of surveys: instruments, surveys, frame, contacts, mail, progress, cases and
exports. Views are thin: a form parses, :mod:`tillit.apps.core.access` decides (404 for
non-members, 403 for a role without the right), one service writes, a template renders."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tillit.apps.core import access
from tillit.apps.core.access import ProjectAccess
from tillit.apps.surveys import exports, frames, services
from tillit.apps.surveys.forms import (
    UPLOAD,
    ContactsForm,
    DispositionForm,
    ExportForm,
    FrameForm,
    InstrumentUploadForm,
    MailForm,
    ScheduleForm,
    SurveyCreateForm,
)
from tillit.apps.surveys.models import Case, Contact, InstrumentVersion, Message, Survey
from tillit.errors import TillitError
from tillit.instruments.model import Group, Question, text

BUILTIN = "builtin:chief_executive_2026"


def get_survey_for_user(
    user: Any, slug: str, survey_slug: str, need: str = "view"
) -> tuple[ProjectAccess, Survey]:
    """The survey with the user's access to its project (404 / 403 as for projects)."""
    pa = access.get_project_for_user(user, slug, need=need)
    survey = get_object_or_404(
        Survey.objects.select_related("instrument", "project"), project=pa.project, slug=survey_slug
    )
    return pa, survey


def _render(request: HttpRequest, template: str, pa: ProjectAccess, **ctx: Any) -> HttpResponse:
    survey = ctx.get("survey")
    synthetic = pa.project.is_synthetic or bool(survey and survey.is_synthetic)
    base = {"pa": pa, "project": pa.project, "nav": "projects", "synthetic": synthetic}
    return render(request, template, {**base, **ctx})


def _need(request: HttpRequest) -> str:
    return "edit" if request.method == "POST" else "view"


def _upload(form_file: Any) -> tuple[str, bytes]:
    return form_file.name, form_file.read()


# ----------------------------------------------------------------------------------------------
# surveys and instruments


@login_required
def survey_list(request: HttpRequest, slug: str) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug)
    surveys = (
        Survey.objects.filter(project=pa.project)
        .select_related("instrument")
        .annotate(
            n_cases=Count("cases"),
            n_complete=Count("cases", filter=Q(cases__disposition=Case.Disposition.COMPLETE)),
        )
        .order_by("-created_at")
    )
    return _render(request, "surveys/survey_list.html", pa, surveys=surveys)


def _instrument_choices(project: Any) -> list[tuple[str, str]]:
    choices = [
        (str(iv.pk), f"{iv.title} ({iv.form_id} {iv.version}, {iv.source_name})")
        for iv in InstrumentVersion.objects.filter(project=project).defer("source")
    ]
    if services.builtin_available("chief_executive_2026"):
        choices.insert(0, (BUILTIN, _("Chief executive survey 2026 (tillit)")))
    return choices


def _instrument_from_form(pa: ProjectAccess, data: dict[str, Any], user: Any) -> InstrumentVersion:
    choice = data["instrument"]
    if choice == UPLOAD:
        filename, content = _upload(data["file"])
    elif choice == BUILTIN:
        filename, content = services.builtin_instrument("chief_executive_2026")
    else:
        return get_object_or_404(InstrumentVersion, project=pa.project, pk=choice)
    return services.do_import_instrument(pa.project, filename, content, actor=user)


@login_required
@require_http_methods(["GET", "POST"])
def survey_create(request: HttpRequest, slug: str) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug, need="edit")
    form = SurveyCreateForm(
        request.POST or None, request.FILES or None, instruments=_instrument_choices(pa.project)
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            iv = _instrument_from_form(pa, d, request.user)
            survey = services.do_create_survey(
                pa.project,
                d["slug"],
                d["title"],
                iv,
                d["mode"],
                d["default_language"] or None,
                d["opens_at"],
                d["closes_at"],
                actor=request.user,
            )
        except TillitError as exc:
            form.add_error(None, f"{exc.message} {exc.hint}".strip())
        else:
            messages.success(request, _("Survey created. Next: set its frame."))
            return redirect("surveys:frame", slug=slug, survey_slug=survey.slug)
    return _render(request, "surveys/survey_create.html", pa, form=form)


@login_required
@require_http_methods(["GET", "POST"])
def instrument_list(request: HttpRequest, slug: str) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug, need=_need(request))
    form = InstrumentUploadForm(request.POST or None, request.FILES or None)
    errors: list[dict[str, Any]] = []
    if request.method == "POST" and form.is_valid():
        try:
            iv = services.do_import_instrument(
                pa.project, *_upload(form.cleaned_data["file"]), actor=request.user
            )
        except TillitError as exc:
            form.add_error(None, f"{exc.message} {exc.hint}".strip())
            errors = exc.errors
        else:
            messages.success(request, _("Instrument imported."))
            return redirect("surveys:instrument-preview", slug=slug, pk=iv.pk)
    instruments = InstrumentVersion.objects.filter(project=pa.project).defer("source")
    return _render(
        request,
        "surveys/instrument_list.html",
        pa,
        form=form,
        instruments=instruments,
        errors=errors,
    )


def _item_rows(items: tuple[Any, ...], lang: str, default: str, depth: int = 0) -> list[dict]:
    rows: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, Group):
            rows.append(
                {
                    "group": True,
                    "depth": depth,
                    "name": item.name,
                    "label": text(item.labels, lang, default),
                    "relevant": item.relevant,
                    "appearance": item.appearance,
                }
            )
            rows += _item_rows(item.children, lang, default, depth + 1)
            continue
        q: Question = item
        rows.append(
            {
                "group": False,
                "depth": depth,
                "q": q,
                "label": text(q.labels, lang, default),
                "hint": text(q.hints, lang, default),
                "choices": [],
                "constraint_message": text(q.constraint_messages, lang, default),
            }
        )
    return rows


def _preview_pages(instrument: Any, lang: str) -> list[dict[str, Any]]:
    default = instrument.default_language
    pages = []
    for page in instrument.pages():
        rows = _item_rows(page.children, lang, default)
        for row in rows:
            q = row.get("q")
            if q is not None and q.list_name in instrument.choice_lists:
                row["choices"] = [
                    (c.name, text(c.labels, lang, default))
                    for c in instrument.choice_lists[q.list_name].choices
                ]
        pages.append(
            {
                "name": page.name,
                "label": text(page.labels, lang, default),
                "relevant": page.relevant,
                "rows": rows,
            }
        )
    return pages


@login_required
def instrument_preview(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug)
    iv = get_object_or_404(InstrumentVersion, project=pa.project, pk=pk)
    instrument = services.load_instrument(iv)
    lang = request.GET.get("lang") or instrument.default_language
    if lang not in instrument.languages:
        lang = instrument.default_language
    return _render(
        request,
        "surveys/instrument_preview.html",
        pa,
        iv=iv,
        instrument=instrument,
        lang=lang,
        pages=_preview_pages(instrument, lang),
    )


# ----------------------------------------------------------------------------------------------
# one survey


@login_required
def survey_detail(request: HttpRequest, slug: str, survey_slug: str) -> HttpResponse:
    pa, survey = get_survey_for_user(request.user, slug, survey_slug)
    counts = frames.survey_counts(survey)
    return _render(
        request, "surveys/survey_detail.html", pa, survey=survey, counts=counts, tab="overview"
    )


@login_required
@require_POST
def survey_status(request: HttpRequest, slug: str, survey_slug: str) -> HttpResponse:
    _pa, survey = get_survey_for_user(request.user, slug, survey_slug, need="edit")
    action = request.POST.get("action")
    try:
        if action == "open":
            services.do_open_survey(survey, actor=request.user)
            messages.success(request, _("The survey is open."))
        elif action == "close":
            services.do_close_survey(survey, actor=request.user)
            messages.success(request, _("The survey is closed."))
    except TillitError as exc:
        messages.error(request, f"{exc.message} {exc.hint}".strip())
    return redirect("surveys:detail", slug=slug, survey_slug=survey_slug)


@login_required
@require_http_methods(["GET", "POST"])
def survey_frame(request: HttpRequest, slug: str, survey_slug: str) -> HttpResponse:
    pa, survey = get_survey_for_user(request.user, slug, survey_slug, need=_need(request))
    initial = {
        "country": (survey.frame.get("country") or "both").lower(),
        "county": survey.frame.get("county") or "",
        "sample_size": survey.frame.get("sample_size"),
        "seed": survey.frame.get("seed"),
    }
    form = FrameForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.do_set_frame(
                survey,
                d["country"],
                d["county"] or None,
                d["sample_size"],
                d["seed"],
                actor=request.user,
            )
        except TillitError as exc:
            form.add_error(None, f"{exc.message} {exc.hint}".strip())
        else:
            messages.success(request, _("Frame saved."))
            return redirect("surveys:frame", slug=slug, survey_slug=survey_slug)
    prog = frames.progress(survey)
    return _render(
        request, "surveys/survey_frame.html", pa, survey=survey, form=form, prog=prog, tab="frame"
    )


@login_required
@require_http_methods(["GET", "POST"])
def survey_contacts(request: HttpRequest, slug: str, survey_slug: str) -> HttpResponse:
    pa, survey = get_survey_for_user(request.user, slug, survey_slug, need=_need(request))
    form = ContactsForm(request.POST or None, request.FILES or None)
    errors: list[dict[str, Any]] = []
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            result = services.do_import_contacts(
                survey,
                *_upload(form.cleaned_data["file"]),
                form.cleaned_data["skip_bad_rows"],
                actor=request.user,
            )
        except TillitError as exc:
            form.add_error(None, f"{exc.message} {exc.hint}".strip())
            errors = exc.errors
        else:
            messages.success(request, _("Contacts imported."))
            errors = [e.as_dict() for e in result.skipped]
    n_contacts = Contact.objects.filter(case__survey=survey).count()
    return _render(
        request,
        "surveys/survey_contacts.html",
        pa,
        survey=survey,
        form=form,
        errors=errors,
        result=result,
        n_contacts=n_contacts,
        tab="contacts",
    )


def _mail_action(request: HttpRequest, survey: Survey, action: str, form: Any) -> bool:
    """Run the posted mail action if its form is valid; True when it ran."""
    if not form.is_valid():
        return False
    if action == "schedule":
        services.do_schedule_reminder(survey, form.cleaned_data["send_at"], actor=request.user)
        messages.success(request, _("Reminder scheduled."))
        return True
    send = services.do_send_invitations if action == "invite" else services.do_send_reminders
    r = send(survey, actor=request.user, base_url=form.cleaned_data["base_url"])
    counts = {"sent": r.n_sent, "failed": r.n_failed, "skipped": r.n_skipped}
    messages.success(request, _("Sent %(sent)d, failed %(failed)d, skipped %(skipped)d.") % counts)
    return True


@login_required
@require_http_methods(["GET", "POST"])
def survey_mail(request: HttpRequest, slug: str, survey_slug: str) -> HttpResponse:
    pa, survey = get_survey_for_user(request.user, slug, survey_slug, need=_need(request))
    action = request.POST.get("action", "")
    base = request.build_absolute_uri("/").rstrip("/")
    mail_form = MailForm(
        request.POST if action in ("invite", "remind") else None, initial={"base_url": base}
    )
    schedule_form = ScheduleForm(request.POST if action == "schedule" else None)
    if request.method == "POST" and action in ("invite", "remind", "schedule"):
        form = schedule_form if action == "schedule" else mail_form
        try:
            if _mail_action(request, survey, action, form):
                return redirect("surveys:mail", slug=slug, survey_slug=survey_slug)
        except TillitError as exc:
            messages.error(request, f"{exc.message} {exc.hint}".strip())
    sent = Message.objects.filter(contact__case__survey=survey).values("kind", "status")
    return _render(
        request,
        "surveys/survey_mail.html",
        pa,
        survey=survey,
        mail_form=mail_form,
        schedule_form=schedule_form,
        sent=sent.annotate(n=Count("id")).order_by("kind", "status"),
        reminders=frames.pending_reminders(survey),
        tab="mail",
    )


def _chart(prog: frames.Progress, survey: Survey) -> str:
    from django.utils.safestring import mark_safe

    from tillit.charts import render_svg

    if not prog.by_country:
        return ""
    labels = {
        "invited": _("invited"),
        "opened": _("opened"),
        "partial": _("partial"),
        "complete": _("complete"),
        "cases": _("cases"),
    }
    title = _("Cases invited, opened, partial and complete by country")
    spec = frames.progress_chart_spec(prog, labels, title)
    return mark_safe(render_svg(spec, title=title))  # noqa: S308 (our own cleaned SVG)


@login_required
def survey_progress(request: HttpRequest, slug: str, survey_slug: str) -> HttpResponse:
    pa, survey = get_survey_for_user(request.user, slug, survey_slug)
    prog = frames.progress(survey)
    return _render(
        request,
        "surveys/survey_progress.html",
        pa,
        survey=survey,
        prog=prog,
        chart=_chart(prog, survey),
        tab="progress",
    )


@login_required
def case_list(request: HttpRequest, slug: str, survey_slug: str) -> HttpResponse:
    identity = request.GET.get("identity") == "1"
    pa, survey = get_survey_for_user(
        request.user, slug, survey_slug, need="personal_data" if identity else "view"
    )
    cases = Case.objects.filter(survey=survey).order_by("case_id")
    if identity:
        cases = cases.select_related("contact")
        services.do_log_personal_data_access(survey, "view:cases", actor=request.user)
    rows = [{"case": c, "m": frames.municipality(c.country, c.municipality_code)} for c in cases]
    return _render(
        request,
        "surveys/case_list.html",
        pa,
        survey=survey,
        rows=rows,
        identity=identity,
        tab="cases",
    )


@login_required
@require_http_methods(["GET", "POST"])
def case_detail(request: HttpRequest, slug: str, survey_slug: str, case_id: str) -> HttpResponse:
    pa, survey = get_survey_for_user(request.user, slug, survey_slug, need=_need(request))
    case = get_object_or_404(Case, survey=survey, case_id=case_id)
    form = DispositionForm(request.POST or None, initial={"disposition": case.disposition})
    if request.method == "POST" and form.is_valid():
        try:
            services.do_set_disposition(
                case,
                form.cleaned_data["disposition"],
                actor=request.user,
                reason=form.cleaned_data["reason"],
            )
        except TillitError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Disposition saved."))
            return redirect("surveys:case", slug=slug, survey_slug=survey_slug, case_id=case_id)
    visits = case.page_visits.all()
    return _render(
        request,
        "surveys/case_detail.html",
        pa,
        survey=survey,
        case=case,
        form=form,
        visits=visits,
        n_answers=case.answers.count(),
        tab="cases",
    )


@login_required
@require_http_methods(["GET", "POST"])
def survey_exports(request: HttpRequest, slug: str, survey_slug: str) -> HttpResponse:
    pa, survey = get_survey_for_user(request.user, slug, survey_slug)
    form = ExportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            f = exports.export(
                survey,
                d["format"],
                language=d["language"] or None,
                include_identity=d["include_identity"],
                actor=request.user,
            )
        except TillitError as exc:
            if exc.code == "permission":
                from django.core.exceptions import PermissionDenied

                raise PermissionDenied(exc.message) from exc
            form.add_error(None, f"{exc.message} {exc.hint}".strip())
        else:
            response = HttpResponse(f.content, content_type=f.content_type)
            response["Content-Disposition"] = f'attachment; filename="{f.filename}"'
            return response
    return _render(
        request, "surveys/survey_exports.html", pa, survey=survey, form=form, tab="exports"
    )
