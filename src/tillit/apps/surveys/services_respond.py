"""Respondent writes: start a case, save a page, finish, choose a language, opt out.

Every ``do_*`` here runs in one transaction and locks the case row first
(``select_for_update``; on SQLite the connection opens ``BEGIN IMMEDIATE`` transactions, which
serialise writers the same way), so two submissions for the same case never interleave. On a
SQLite file, respondent writes also queue on a lock file (:func:`_write_lock`), so a burst of
submissions waits in line instead of polling SQLite's busy handler.

Answers are data, not administrative changes, so saving a page writes no audit event; the
disposition a page changes automatically is stored on the case. Opting out changes the identity
store (``Contact.opted_out_at``) and is audited.

The flow rules (which pages are visible, where a returning respondent resumes, when a case is
complete) are pure functions of the instrument and the stored answers, recomputed on every
request; nothing the browser sends decides them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import functools
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from tillit.apps.core import audit
from tillit.apps.surveys import services
from tillit.apps.surveys.models import Answer, Case, Contact, InstrumentVersion, PageVisit, Survey
from tillit.apps.surveys.tokens import new_case_id
from tillit.instruments import engine
from tillit.instruments.engine import page_questions
from tillit.instruments.model import Group, Instrument

P = ParamSpec("P")
R = TypeVar("R")

#: Question types that take an answer (notes are read, calculations are computed).
INPUT_TYPES = frozenset(
    {"text", "integer", "decimal", "date", "select_one", "select_multiple", "rank"}
)


_instruments: dict[int, Instrument] = {}
_INSTRUMENT_CACHE_SIZE = 32


def instrument_for(survey: Survey) -> Instrument:
    """The parsed instrument of ``survey``, parsed once per process and version.

    A stored instrument version never changes, so the cache is keyed by its primary key and no
    query is needed once a version has been seen; saving a version (a new row, which in tests
    may reuse a rolled-back key) drops its entry.
    """
    cached = _instruments.get(survey.instrument_id)
    if cached is not None:
        return cached
    instrument = services.load_instrument(survey.instrument)
    if len(_instruments) >= _INSTRUMENT_CACHE_SIZE:
        _instruments.pop(next(iter(_instruments)))
    _instruments[survey.instrument_id] = instrument
    return instrument


@receiver(post_save, sender=InstrumentVersion)
def _forget_instrument(sender: type, instance: InstrumentVersion, **kwargs: Any) -> None:
    _instruments.pop(instance.pk, None)


def answers_of(case: Case) -> dict[str, Any]:
    """The stored answers of ``case`` by question name."""
    return dict(Answer.objects.filter(case=case).values_list("name", "value"))


#: Questions filled in from the frame when unanswered: question name -> Case field.
FRAME_PREFILL = {"country": "country", "municipality_code": "municipality_code"}


def frame_prefill(instrument: Instrument, case: Case, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Starting values from the frame for unanswered questions named like a frame field
    (``country`` -> ``NO``/``DK``, ``municipality_code``); shown on the page, stored only when
    the respondent submits it."""
    names = {q.name for q in instrument.questions()}
    return {
        name: getattr(case, attr)
        for name, attr in FRAME_PREFILL.items()
        if name in names and name not in answers and getattr(case, attr)
    }


def visible_pages(instrument: Instrument, answers: Mapping[str, Any]) -> list[int]:
    """Indices (into ``instrument.pages()``) of the pages the skip logic shows."""
    names = {p.name for p in engine.visible_pages(instrument, answers)}
    return [i for i, p in enumerate(instrument.pages()) if p.name in names]


def relevance(instrument: Instrument, answers: Mapping[str, Any]) -> dict[str, bool]:
    """Whether each question and group (by name) is asked: the engine's one-pass rule."""
    return engine.relevance(instrument, answers)


def page_is_answered(page: Group, answers: Mapping[str, Any], rel: Mapping[str, bool]) -> bool:
    """Every asked question on the page that takes an answer has a stored answer row
    (``None`` counts: the respondent saw the question and left it blank)."""
    return all(
        q.name in answers for q in page_questions(page) if q.type in INPUT_TYPES and rel.get(q.name)
    )


def flow(
    instrument: Instrument, answers: Mapping[str, Any], *, started: bool
) -> tuple[list[int], int]:
    """The visible pages (indices) and where a respondent resumes: the first visible page with
    an unanswered question (the first page for one who has not begun), else the last one.
    A respondent may open any visible page up to the resume page, never one beyond it."""
    visible = visible_pages(instrument, answers)
    if not visible:
        return visible, 0
    if not started:
        return visible, visible[0]
    pages = instrument.pages()
    rel = relevance(instrument, answers)
    for i in visible:
        if not page_is_answered(pages[i], answers, rel):
            return visible, i
    return visible, visible[-1]


def resume_page(instrument: Instrument, answers: Mapping[str, Any], *, started: bool) -> int:
    """Where a respondent lands (see :func:`flow`)."""
    return flow(instrument, answers, started=started)[1]


def has_begun(case: Case, answers: Mapping[str, Any]) -> bool:
    """Whether the respondent has answered or submitted anything yet."""
    return bool(answers) or PageVisit.objects.filter(case=case).exists()


def survey_state(survey: Survey, now: dt.datetime | None = None) -> str:
    """``"open"``, ``"not_yet"`` (draft, or before ``opens_at``) or ``"closed"``."""
    now = now or timezone.now()
    if survey.status == Survey.Status.CLOSED or (survey.closes_at and now >= survey.closes_at):
        return "closed"
    if survey.status != Survey.Status.OPEN or (survey.opens_at and now < survey.opens_at):
        return "not_yet"
    return "open"


_PHONE = re.compile(r"iPhone|iPod|Windows Phone|Android.*Mobile|Mobile.*Firefox|Mobi", re.I)
_TABLET = re.compile(r"iPad|Tablet|Android(?!.*Mobile)|Silk|Kindle|PlayBook", re.I)


def device_class(user_agent: str) -> str:
    """``phone``, ``tablet`` or ``desktop`` from a User-Agent header (``""`` when empty)."""
    if not user_agent:
        return ""
    if _TABLET.search(user_agent):
        return "tablet"
    if _PHONE.search(user_agent):
        return "phone"
    return "desktop"


# ---------------------------------------------------------------------------------------------
# Services
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SaveResult:
    """What happened to a page submission."""

    ok: bool
    errors: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Any] = field(default_factory=dict)  # the cleaned values of the page
    duplicate: bool = False  # the same submission was stored before; nothing changed
    completed: bool = False  # the case was completed already; nothing changed
    #: the page is beyond where the respondent may go: the index of the resume page
    unreachable: int | None = None
    #: the answers as the page stands: after a save, what is stored; with errors, the stored
    #: answers with the typed values (what skip logic and the page shown again go by)
    current: Mapping[str, Any] = field(default_factory=dict)


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


def _copy_state(src: Case, dst: Case) -> None:
    for f in (
        "disposition",
        "started_at",
        "completed_at",
        "last_activity_at",
        "language",
        "device_class",
        "current_page",
    ):
        setattr(dst, f, getattr(src, f))


@contextlib.contextmanager
def _write_lock() -> Iterator[None]:
    """On a SQLite file, queue this process's and other processes' respondent writes on an
    exclusive lock file (the kernel wakes the next writer at once) instead of leaving them to
    SQLite's busy handler, which polls with sleeps of up to 100 ms. PostgreSQL queues on the
    case row's lock by itself."""
    conn = transaction.get_connection()
    if conn.vendor != "sqlite" or conn.is_in_memory_db() or conn.in_atomic_block:
        yield
        return
    fd = os.open(f"{conn.settings_dict['NAME']}.respond-lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _respondent_write(fn: Callable[P, R]) -> Callable[P, R]:
    """A respondent service: the write lock (see :func:`_write_lock`), then one transaction."""

    @functools.wraps(fn)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> R:
        with _write_lock(), transaction.atomic():
            return fn(*args, **kwargs)

    return wrapped


@_respondent_write
def do_start_case(case: Case, language: str, user_agent: str) -> Case:
    """Record the first visit: start time, language and device class (once)."""
    locked = _locked(case)
    if locked.started_at is None:
        locked.started_at = timezone.now()
        locked.last_activity_at = locked.started_at
        locked.language = language or locked.language
        locked.device_class = device_class(user_agent)
        locked.save(update_fields=["started_at", "last_activity_at", "language", "device_class"])
    _copy_state(locked, case)
    return case


@_respondent_write
def do_create_open_case(survey: Survey, language: str, user_agent: str) -> Case:
    """A new case for a respondent of the open link, started now."""
    now = timezone.now()
    for _ in range(5):
        case_id = new_case_id()
        if not Case.objects.filter(case_id=case_id).exists():
            break
    return Case.objects.create(
        survey=survey,
        case_id=case_id,
        started_at=now,
        last_activity_at=now,
        language=language,
        device_class=device_class(user_agent),
        is_synthetic=survey.is_synthetic,
    )


@_respondent_write
def do_set_language(case: Case, language: str) -> Case:
    """Remember the language the respondent chose (not once the case is complete)."""
    locked = _locked(case)
    if locked.completed_at is None and locked.language != language:
        locked.language = language
        locked.save(update_fields=["language"])
    _copy_state(locked, case)
    return case


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == ()


@dataclass
class _Plan:
    """What a page submission will write, worked out from the answers it was checked against."""

    answers: Mapping[str, Any]  # the stored answers the plan was made from
    result: SaveResult  # returned as it is when ``kept`` is None (errors, unreachable page)
    page: Group | None = None
    kept: dict[str, Any] | None = None  # the answers to store
    resume: int = 0


def _plan(
    case: Case,
    instrument: Instrument,
    answers: Mapping[str, Any],
    page_index: int,
    submitted: Mapping[str, Any],
    language: str,
    partial: bool,
) -> _Plan:
    visible, resume = flow(instrument, answers, started=has_begun(case, answers))
    if page_index not in visible or page_index > resume:
        return _Plan(answers, SaveResult(ok=False, unreachable=resume))
    page = instrument.pages()[page_index]
    result = engine.check_page(instrument, page, submitted, answers, language)
    errors = dict(result.errors)
    cleaned = {k: to_json(v) for k, v in result.values.items()}
    if errors and not partial:
        current = {k: to_json(v) for k, v in result.apply(answers).items()}
        return _Plan(answers, SaveResult(ok=False, errors=errors, values=cleaned, current=current))
    if partial:
        # keep what was there; add the valid, non-empty values; drop what skip logic now hides
        cleaned = {k: v for k, v in cleaned.items() if k not in errors and not _empty(v)}
        merged = {k: v for k, v in answers.items() if k not in result.irrelevant}
        merged.update(cleaned)
    else:
        merged = result.apply(answers)
        merged.update(cleaned)
        for name in result.blank:
            merged[name] = None  # seen and left blank
    kept = {k: to_json(v) for k, v in engine.clean_answers(instrument, merged).items()}
    saved = SaveResult(ok=True, errors=errors if partial else {}, values=cleaned, current=kept)
    return _Plan(answers, saved, page, kept, resume_page(instrument, kept, started=True))


def do_save_page(
    case: Case,
    page_index: int,
    submitted: Mapping[str, Any],
    language: str,
    entered_at: dt.datetime | None,
    *,
    partial: bool = False,
    record_visit: bool = True,
    instrument: Instrument | None = None,
) -> SaveResult:
    """Check one page and store its answers.

    Full save (Next, Finish): on any error nothing is stored and the errors (by question name,
    in ``language``) are returned; otherwise every relevant question of the page gets an answer
    row (``None`` when left blank), answers that became irrelevant anywhere are deleted, a
    :class:`PageVisit` with the seconds since ``entered_at`` is added and the case's current
    page (where the respondent would resume), activity time and disposition are updated.

    Partial save (Back, autosave): the valid, non-empty values are stored and the rest is left
    as it was; errors are returned but block nothing.

    A page beyond where the respondent may go (see :func:`flow`) stores nothing and returns
    ``unreachable``. A submission whose ``entered_at`` matches a stored visit of the same page,
    with the same values, is a double submit: nothing changes and ``duplicate`` is set.

    The checks run before the write transaction, against the answers read then; the
    transaction locks the case and, if the case was written to since ``case`` was read (its
    ``last_activity_at`` moved), reads the answers again and redoes the checks. The outcome is
    that of checking under the lock, while the lock is held only for the writes.
    """
    instrument = instrument or instrument_for(case.survey)
    plan = _plan(case, instrument, answers_of(case), page_index, submitted, language, partial)
    if plan.kept is None:  # errors or a page out of reach: nothing to write
        if case.completed_at is not None:
            return SaveResult(ok=False, completed=True)
        return plan.result
    with _write_lock(), transaction.atomic():
        locked = _locked(case)
        if locked.completed_at is not None:
            _copy_state(locked, case)
            return SaveResult(ok=False, completed=True)
        answers = plan.answers
        if locked.last_activity_at != case.last_activity_at:
            # written since ``case`` was read (every answer write moves last_activity_at, in
            # the same transaction): check again against what is stored now
            answers = answers_of(locked)
            plan = _plan(locked, instrument, answers, page_index, submitted, language, partial)
        if plan.kept is None or plan.page is None:
            _copy_state(locked, case)
            return plan.result
        if (
            not partial
            and record_visit
            and entered_at is not None
            and _is_duplicate(locked, plan.page, entered_at, plan.result.values, answers)
        ):
            _copy_state(locked, case)
            return SaveResult(
                ok=True, values=plan.result.values, duplicate=True, current=dict(answers)
            )
        now = timezone.now()
        _write_answers(locked, plan.page, answers, plan.kept, now)
        if record_visit:
            seconds = (now - entered_at).total_seconds() if entered_at else None
            PageVisit.objects.create(
                case=locked,
                page=plan.page.name,
                entered_at=entered_at,
                submitted_at=now,
                seconds=seconds if seconds is None or seconds >= 0 else None,
                language=language,
            )
        locked.last_activity_at = now
        locked.started_at = locked.started_at or now
        locked.language = language or locked.language
        locked.current_page = plan.resume
        if (plan.kept or record_visit) and not locked.disposition_manual:
            # the researcher side's rule (services.auto_disposition), told that the case answered
            locked.disposition = services.auto_disposition(locked, answered=True)
        locked.save(
            update_fields=[
                "last_activity_at",
                "started_at",
                "language",
                "current_page",
                "disposition",
            ]
        )
        _copy_state(locked, case)
    return plan.result


def to_json(value: Any) -> Any:
    """An engine value as stored in :attr:`Answer.value` (dates as ``YYYY-MM-DD``)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _is_duplicate(
    case: Case,
    page: Group,
    entered_at: dt.datetime,
    cleaned: Mapping[str, Any],
    answers: Mapping[str, Any],
) -> bool:
    if not PageVisit.objects.filter(case=case, page=page.name, entered_at=entered_at).exists():
        return False
    return all(answers.get(k) == v for k, v in cleaned.items() if not _empty(v))


def _write_answers(
    case: Case,
    page: Group,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    now: dt.datetime,
) -> None:
    """Upsert the answers that changed or are new (one statement, on the one-answer-per-item
    constraint), delete the ones that went away."""
    gone = [k for k in before if k not in after]
    if gone:
        Answer.objects.filter(case=case, name__in=gone).delete()
    changed = [
        Answer(case=case, name=k, value=v, page=page.name, saved_at=now)
        for k, v in after.items()
        if k not in before or before[k] != v
    ]
    if changed:
        Answer.objects.bulk_create(
            changed,
            update_conflicts=True,
            unique_fields=["case", "name"],
            update_fields=["value", "page", "saved_at"],
        )


@_respondent_write
def do_finish_case(case: Case) -> bool:
    """Mark the case complete when every visible page is answered; ``False`` (and nothing
    changed) when a page is still unanswered. Finishing twice changes nothing."""
    locked = _locked(case)
    if locked.completed_at is not None:
        _copy_state(locked, case)
        return True
    instrument = instrument_for(case.survey)
    answers = answers_of(locked)
    rel = relevance(instrument, answers)
    pages = instrument.pages()
    if not all(
        page_is_answered(pages[i], answers, rel) for i in visible_pages(instrument, answers)
    ):
        _copy_state(locked, case)
        return False
    now = timezone.now()
    locked.completed_at = now
    locked.last_activity_at = now
    if not locked.disposition_manual:
        locked.disposition = services.auto_disposition(locked, answered=True)
    locked.save(update_fields=["completed_at", "last_activity_at", "disposition"])
    _copy_state(locked, case)
    return True


@_respondent_write
def do_opt_out(case: Case) -> Case:
    """The contact declines: no more reminders (``Contact.opted_out_at``), and the case becomes
    a refusal unless it has answers. Audited, because it changes the identity store."""
    locked = _locked(case)
    contact = Contact.objects.select_for_update().filter(case=locked).first()
    if contact is not None and contact.opted_out_at is None:
        before = audit.snapshot(contact, ("opted_out_at",))
        contact.opted_out_at = timezone.now()
        contact.save(update_fields=["opted_out_at"])
        before["disposition"] = locked.disposition
        services.update_disposition(locked)
        audit.record(
            actor=None,
            action="contact.opt_out",
            obj=locked,
            project=locked.survey.project,
            before=before,
            after={
                **audit.snapshot(contact, ("opted_out_at",)),
                "disposition": locked.disposition,
            },
        )
    _copy_state(locked, case)
    return case
