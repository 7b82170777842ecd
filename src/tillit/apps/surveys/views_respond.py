"""Respondent pages: the personal link ``/s/<token>/`` and the open link ``/o/<open_key>/``.

Both run the same page flow; they differ in how the case is found:

* personal: the token in the path (``tokens.case_for_token``; anything else is a 404). The
  256-bit token is itself the secret a forged request would need, so these views need no CSRF
  cookie (a respondent who blocks cookies can still answer);
* open: a signed cookie holding the case id, set when the respondent presses Start (a new case
  per browser, creation rate-limited per address); these views keep Django's CSRF check.

Views parse, call one service, render. Pages are never cached (``Cache-Control: no-store``) so a
shared computer's Back button shows no one else's answers.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import override
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from tillit.apps.surveys import rendering
from tillit.apps.surveys import services_respond as svc
from tillit.apps.surveys.models import Case, Contact, Survey
from tillit.apps.surveys.respond_forms import PageActionForm, sign_visit, submitted_values
from tillit.apps.surveys.tokens import case_for_token
from tillit.instruments.model import Instrument

OPEN_COOKIE = "tillit_open_{pk}"
OPEN_COOKIE_SALT = "tillit.surveys.open-case"
OPEN_COOKIE_AGE_S = 60 * 60 * 24 * 90
#: New open-link cases allowed per client address and survey in one window.
OPEN_CASES_PER_ADDRESS = 30
OPEN_WINDOW_S = 600


@dataclass
class Respondent:
    """One request's respondent: the survey, the case (none yet on an open link's welcome
    page), the instrument and the language shown."""

    kind: str  # "personal" | "open"
    key: str  # the token or the open key
    survey: Survey
    case: Case | None
    instrument: Instrument
    language: str

    def url(self, name: str, **kwargs: object) -> str:
        if self.kind == "personal":
            return reverse(f"respond:{name}", kwargs={"token": self.key, **kwargs})
        return reverse(f"respond:open-{name}", kwargs={"open_key": self.key, **kwargs})

    @property
    def t(self) -> rendering.Chrome:
        return rendering.Chrome(self.language)


# ---------------------------------------------------------------------------------------------
# Finding the respondent
# ---------------------------------------------------------------------------------------------


def _language(request: HttpRequest, instrument: Instrument, *candidates: str) -> str:
    langs = instrument.languages or (instrument.default_language,)
    asked = request.GET.get("lang", "")
    for code in (asked, *candidates, instrument.default_language):
        if code and code in langs:
            return code
    return langs[0]


def _with_language(request: HttpRequest, rs: Respondent) -> Respondent:
    """Apply ``?lang=`` (a switcher link) and remember it on the case."""
    asked = request.GET.get("lang", "")
    if asked and asked in rs.instrument.languages:
        rs.language = asked
        if rs.case is not None and rs.case.language != asked:
            svc.do_set_language(rs.case, asked)
    return rs


def _personal(request: HttpRequest, token: str) -> Respondent:
    case = case_for_token(token)
    if case is None:
        raise _InvalidLinkError
    survey = case.survey
    instrument = svc.instrument_for(survey)
    invited_in = ""
    if not case.language:  # the language of the invitation, until the respondent chooses
        invited_in = Contact.objects.filter(case=case).values_list("language", flat=True).first()
    lang = _language(request, instrument, case.language, invited_in or "", survey.default_language)
    return _with_language(request, Respondent("personal", token, survey, case, instrument, lang))


def _open_survey(open_key: str) -> Survey:
    if not open_key or len(open_key) > 64:
        raise _InvalidLinkError
    survey = Survey.objects.filter(
        open_key=open_key, mode__in=[Survey.Mode.OPEN, Survey.Mode.BOTH]
    ).first()
    if survey is None:
        raise _InvalidLinkError
    return survey


def _open(request: HttpRequest, open_key: str) -> Respondent:
    survey = _open_survey(open_key)
    instrument = svc.instrument_for(survey)
    case = None
    case_id = request.get_signed_cookie(
        OPEN_COOKIE.format(pk=survey.pk), default=None, salt=OPEN_COOKIE_SALT
    )
    if case_id:
        case = Case.objects.filter(survey=survey, case_id=case_id).first()
    lang = _language(request, instrument, case.language if case else "", survey.default_language)
    return _with_language(request, Respondent("open", open_key, survey, case, instrument, lang))


class _InvalidLinkError(Exception):
    """An unknown, malformed or revoked token or open key."""


def _invalid(request: HttpRequest) -> HttpResponse:
    langs = [(code, *rendering.INVALID_LINK[code]) for code in rendering.CHROME_LANGUAGES]
    return render(request, "surveys/respond/invalid.html", {"texts": langs}, status=404)


RespondentView = Callable[..., HttpResponse]


def _respondent_view(kind: str) -> Callable[[RespondentView], RespondentView]:
    """Decorator: find the respondent from the token (``personal``) or the open key and cookie
    (``open``) and pass it to the view; a bad link gets the 404 page. Responses are never cached
    nor indexed; personal-link views are exempt from the CSRF cookie (see the module doc)."""

    def decorate(view: RespondentView) -> RespondentView:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
            key = str(kwargs.pop("token" if kind == "personal" else "open_key"))
            try:
                rs = _personal(request, key) if kind == "personal" else _open(request, key)
            except _InvalidLinkError:
                return _invalid(request)
            response = view(request, rs, *args, **kwargs)
            response.headers["X-Robots-Tag"] = "noindex, nofollow"
            return response

        cached = never_cache(wrapped)
        return csrf_exempt(cached) if kind == "personal" else cached

    return decorate


# ---------------------------------------------------------------------------------------------
# Rendering helpers
# ---------------------------------------------------------------------------------------------


def _context(request: HttpRequest, rs: Respondent, **extra: object) -> dict[str, object]:
    return {
        "rs": rs,
        "t": rs.t,
        "lang": rs.language,
        "languages": rendering.language_choices(rs.instrument),
        "survey_title": rs.survey.title or rs.instrument.title,
        "synthetic": rs.survey.is_synthetic or bool(rs.case and rs.case.is_synthetic),
        "csrf": rs.kind == "open",
        **extra,
    }


def _message(
    request: HttpRequest, rs: Respondent, title: str, body: str, status: int = 200, **extra: object
) -> HttpResponse:
    ctx = _context(request, rs, title=title, body=body, **extra)
    return render(request, "surveys/respond/message.html", ctx, status=status)


def _closed_or_none(request: HttpRequest, rs: Respondent) -> HttpResponse | None:
    """The "not open" page when the survey takes no answers now, else ``None``.

    Closed (status closed, or after ``closes_at``): HTTP 410 Gone. Not yet open (a draft, or
    before ``opens_at``): HTTP 200 with a message and, when known, the opening date.
    """
    state = svc.survey_state(rs.survey)
    if state == "open":
        return None
    t = rs.t
    if state == "closed":
        return _message(request, rs, t.closed_title, t.closed_body, status=410)
    body = t.not_open_body
    if rs.survey.status == Survey.Status.OPEN and rs.survey.opens_at:
        with override(rs.language):
            when = formats.date_format(timezone.localtime(rs.survey.opens_at), "DATE_FORMAT")
        body = rendering.chrome("opens_on", rs.language, date=when) + " " + body
    return _message(request, rs, t.not_open_title, body)


def _progress(rs: Respondent, values: Mapping[str, object], index: int) -> dict[str, object]:
    """ "Page 3 of 8": the page's place among the pages skip logic shows given ``values``."""
    visible = svc.visible_pages(rs.instrument, values)
    position = visible.index(index) + 1 if index in visible else 1
    total = max(len(visible), position)
    text = rendering.chrome("page_of", rs.language, n=position, total=total)
    return {"position": position, "total": total, "text": text}


def _page_url(rs: Respondent, index: int) -> str:
    return rs.url("page", n=index + 1)


def _render_page(
    request: HttpRequest,
    rs: Respondent,
    index: int,
    *,
    result: svc.SaveResult | None = None,
    raw: dict[str, object] | None = None,
    entered: str = "",
) -> HttpResponse:
    """A page with the stored answers, or (``result`` with errors) as it was submitted."""
    assert rs.case is not None
    instrument = rs.instrument
    page = instrument.pages()[index]
    answers = svc.answers_of(rs.case)
    values = {**svc.frame_prefill(instrument, rs.case, answers), **answers}
    if result is not None:
        values = {**values, **result.current}
    view = rendering.page_view(
        instrument,
        page,
        rs.language,
        values,
        svc.relevance(instrument, values),
        errors=result.errors if result is not None else None,
        raw=raw,
        seed=rs.case.case_id,
    )
    progress = _progress(rs, values, index)
    ctx = _context(
        request,
        rs,
        page=view,
        index=index,
        position=progress["position"],
        total=progress["total"],
        page_of=progress["text"],
        is_first=progress["position"] == 1,
        is_last=progress["position"] == progress["total"],
        visit=entered or sign_visit(index, timezone.now()),
        action_url=_page_url(rs, index),
        autosave_url=rs.url("autosave", n=index + 1),
        opt_out_url=rs.url("opt-out") if rs.kind == "personal" else "",
        resume_note=rs.t.resume_note if rs.kind == "personal" else rs.t.open_resume_note,
    )
    return render(request, "surveys/respond/page.html", ctx)


def _allowed_index(rs: Respondent, n: int) -> tuple[int | None, int]:
    """(the requested page's index if the respondent may see it now, the resume page)."""
    assert rs.case is not None
    answers = svc.answers_of(rs.case)
    visible, resume = svc.flow(rs.instrument, answers, started=svc.has_begun(rs.case, answers))
    index = n - 1
    return (index if index in visible and index <= resume else None), resume


# ---------------------------------------------------------------------------------------------
# Views
# ---------------------------------------------------------------------------------------------


def _entry(request: HttpRequest, rs: Respondent) -> HttpResponse:
    """The link itself: where the respondent is sent (or why not)."""
    assert rs.case is not None
    closed = _closed_or_none(request, rs)
    if rs.case.completed_at is not None:
        return _message(request, rs, rs.t.completed_title, rs.t.completed_body)
    if closed is not None:
        return closed
    if rs.case.started_at is None:
        svc.do_start_case(rs.case, rs.language, request.headers.get("User-Agent", ""))
    answers = svc.answers_of(rs.case)
    index = svc.resume_page(rs.instrument, answers, started=svc.has_begun(rs.case, answers))
    suffix = f"?lang={rs.language}" if request.GET.get("lang") else ""
    return redirect(_page_url(rs, index) + suffix)


def _page(request: HttpRequest, rs: Respondent, n: int) -> HttpResponse:
    if rs.case is None:
        return redirect(rs.url("start"))
    if rs.case.completed_at is not None:
        if request.method == "POST":
            return redirect(rs.url("done"))
        return _message(request, rs, rs.t.completed_title, rs.t.completed_body)
    closed = _closed_or_none(request, rs)
    if closed is not None:
        return closed
    if request.method == "POST":
        return _submit(request, rs, n - 1)
    index, resume = _allowed_index(rs, n)
    if index is None:
        return redirect(_page_url(rs, resume))
    if rs.case.started_at is None:
        svc.do_start_case(rs.case, rs.language, request.headers.get("User-Agent", ""))
    return _render_page(request, rs, index)


def _submit(request: HttpRequest, rs: Respondent, index: int) -> HttpResponse:
    """Next, Back or Finish: save the page, then go where the button says."""
    assert rs.case is not None
    pages = rs.instrument.pages()
    if not 0 <= index < len(pages):
        return redirect(rs.url("entry") if rs.kind == "personal" else rs.url("start"))
    form = PageActionForm(request.POST, index)
    submitted = submitted_values(rs.instrument, pages[index], request.POST)
    action = form.chosen
    result = svc.do_save_page(
        rs.case,
        index,
        submitted,
        rs.language,
        form.entered_at,
        partial=action == "back",
        instrument=rs.instrument,
    )
    if result.completed:
        return redirect(rs.url("done"))
    if result.unreachable is not None:
        return redirect(_page_url(rs, result.unreachable))
    if not result.ok:
        return _render_page(
            request, rs, index, result=result, raw=submitted, entered=form.cleaned_visit
        )
    answers = result.current if not result.duplicate else svc.answers_of(rs.case)
    visible = svc.visible_pages(rs.instrument, answers)
    if action == "back":
        earlier = [i for i in visible if i < index]
        return redirect(_page_url(rs, earlier[-1] if earlier else index))
    later = [i for i in visible if i > index]
    if later and action != "finish":
        return redirect(_page_url(rs, later[0]))
    if svc.do_finish_case(rs.case):
        return redirect(rs.url("done"))
    return redirect(_page_url(rs, svc.resume_page(rs.instrument, answers, started=True)))


def _autosave(request: HttpRequest, rs: Respondent, n: int) -> JsonResponse:
    """The optional script's autosave: store the valid values typed so far and say which of
    the page's items the skip logic hides now."""
    if rs.case is None or rs.case.completed_at is not None or svc.survey_state(rs.survey) != "open":
        return JsonResponse({"ok": False, "code": "not_open"}, status=409)
    pages = rs.instrument.pages()
    if not 1 <= n <= len(pages):
        return JsonResponse({"ok": False, "code": "not_found"}, status=404)
    page = pages[n - 1]
    submitted = submitted_values(rs.instrument, page, request.POST)
    result = svc.do_save_page(
        rs.case,
        n - 1,
        submitted,
        rs.language,
        None,
        partial=True,
        record_visit=False,
        instrument=rs.instrument,
    )
    if result.unreachable is not None:
        return JsonResponse({"ok": False, "code": "not_found"}, status=404)
    relevant = svc.relevance(rs.instrument, result.current)
    return JsonResponse(
        {
            "ok": result.ok,
            "hidden": rendering.hidden_items(page, relevant),
            "status": rs.t.saved,
            "progress": _progress(rs, result.current, n - 1),
        }
    )


def _done(request: HttpRequest, rs: Respondent) -> HttpResponse:
    if rs.case is None:
        return redirect(rs.url("start"))
    if rs.case.completed_at is None:
        return redirect(rs.url("entry") if rs.kind == "personal" else rs.url("start"))
    return _message(request, rs, rs.t.thanks_title, rs.t.thanks_body)


# Personal link ------------------------------------------------------------------------------


@_respondent_view("personal")
@require_http_methods(["GET", "HEAD"])
def personal_entry(request: HttpRequest, rs: Respondent) -> HttpResponse:
    return _entry(request, rs)


@_respondent_view("personal")
@require_http_methods(["GET", "HEAD", "POST"])
def personal_page(request: HttpRequest, rs: Respondent, n: int) -> HttpResponse:
    return _page(request, rs, n)


@_respondent_view("personal")
@require_POST
def personal_autosave(request: HttpRequest, rs: Respondent, n: int) -> HttpResponse:
    return _autosave(request, rs, n)


@_respondent_view("personal")
@require_http_methods(["GET", "HEAD"])
def personal_done(request: HttpRequest, rs: Respondent) -> HttpResponse:
    return _done(request, rs)


@_respondent_view("personal")
@require_http_methods(["GET", "HEAD", "POST"])
def personal_opt_out(request: HttpRequest, rs: Respondent) -> HttpResponse:
    """Confirm, then record that the contact declines (no more reminders)."""
    assert rs.case is not None
    t = rs.t
    if request.method == "POST":
        svc.do_opt_out(rs.case)
        return _message(request, rs, t.opt_out_done_title, t.opt_out_done_body)
    return render(
        request,
        "surveys/respond/opt_out.html",
        _context(request, rs, title=t.opt_out_title, back_url=rs.url("entry")),
    )


# Open link ----------------------------------------------------------------------------------


def _client_key(request: HttpRequest, survey: Survey) -> str:
    address = request.META.get("REMOTE_ADDR", "")
    digest = hashlib.sha256(address.encode()).hexdigest()[:24]
    return f"tillit:open-cases:{survey.pk}:{digest}"


def _over_limit(request: HttpRequest, survey: Survey) -> bool:
    key = _client_key(request, survey)
    cache.add(key, 0, OPEN_WINDOW_S)
    try:
        return cache.incr(key) > OPEN_CASES_PER_ADDRESS
    except ValueError:  # expired between add and incr
        cache.set(key, 1, OPEN_WINDOW_S)
        return False


@_respondent_view("open")
@require_http_methods(["GET", "HEAD", "POST"])
def open_start(request: HttpRequest, rs: Respondent) -> HttpResponse:
    """The open link: a welcome page with Start (GET), a new case (POST), or the resumed case
    of this browser."""
    if rs.case is not None:
        return _entry(request, rs)
    closed = _closed_or_none(request, rs)
    if closed is not None:
        return closed
    if request.method != "POST":
        return render(
            request, "surveys/respond/welcome.html", _context(request, rs, title=rs.t.start)
        )
    if _over_limit(request, rs.survey):
        return _message(request, rs, rs.t.too_many_title, rs.t.too_many_body, status=429)
    case = svc.do_create_open_case(rs.survey, rs.language, request.headers.get("User-Agent", ""))
    response = redirect(rs.url("page", n=1))
    response.set_signed_cookie(
        OPEN_COOKIE.format(pk=rs.survey.pk),
        case.case_id,
        salt=OPEN_COOKIE_SALT,
        max_age=OPEN_COOKIE_AGE_S,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
        path=reverse("respond:open-start", kwargs={"open_key": rs.key}),
    )
    return response


@_respondent_view("open")
@require_http_methods(["GET", "HEAD", "POST"])
def open_page(request: HttpRequest, rs: Respondent, n: int) -> HttpResponse:
    return _page(request, rs, n)


@_respondent_view("open")
@require_POST
def open_autosave(request: HttpRequest, rs: Respondent, n: int) -> HttpResponse:
    return _autosave(request, rs, n)


@_respondent_view("open")
@require_http_methods(["GET", "HEAD"])
def open_done(request: HttpRequest, rs: Respondent) -> HttpResponse:
    return _done(request, rs)
