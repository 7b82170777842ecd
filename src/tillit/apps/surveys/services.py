"""Every write to surveys: one ``do_<verb>_<noun>()`` each, in one transaction, with one audit
event (before/after). Nothing else writes survey rows, except :func:`update_disposition`, the
automatic disposition rule the respondent services call inside their own transaction.

Services raise :class:`tillit.errors.TillitError` for anything a user can get wrong; callers
check permissions through :mod:`tillit.apps.core.access` (pages) or shell access (CLI).

Audit rows never hold names or e-mail addresses: contacts are counted, cases named by case id.

Sending mail (:func:`do_send_invitations`, :func:`do_send_reminders`) talks to the SMTP server
*before* its transaction, so a slow server never holds the database's write lock while
respondents save answers; the messages, contact updates, dispositions and the audit event are
then written in one transaction.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from importlib import resources
from pathlib import PurePath
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone
from django.utils.text import slugify

from tillit.apps.core import audit
from tillit.apps.core.models import Project
from tillit.apps.surveys import contacts as contacts_mod
from tillit.apps.surveys import frames, mail, tokens
from tillit.apps.surveys.models import (
    Answer,
    Case,
    Contact,
    InstrumentVersion,
    Message,
    PageVisit,
    ScheduledReminder,
    Survey,
)
from tillit.errors import ErrorCode, NotFoundError, TillitError

D = Case.Disposition

#: Largest instrument file accepted.
MAX_INSTRUMENT_BYTES = 10 * 1024 * 1024
INSTRUMENT_FORMATS = ("xlsx", "xls", "md")

#: Instruments that ship with tillit: name -> (title shown, file under tillit/data/instruments).
BUILTIN_INSTRUMENTS = {
    "chief_executive_2026": (
        "Chief executive survey 2026 (tillit)",
        "chief_executive_2026.md",
    ),
}

SURVEY_FIELDS = (
    "slug",
    "title",
    "mode",
    "status",
    "default_language",
    "opens_at",
    "closes_at",
    "instrument_id",
)

#: Survey short names the pages use for themselves.
RESERVED_SLUGS = frozenset({"new", "instruments"})

#: Dispositions that end a case's mailing: no reminders after these.
NO_REMINDER = (D.COMPLETE, D.REFUSAL, D.NOT_ELIGIBLE, D.UNDELIVERABLE)


# ----------------------------------------------------------------------------------------------
# instruments


def builtin_instrument(name: str) -> tuple[str, bytes]:
    """``(file name, bytes)`` of a bundled instrument, e.g. ``chief_executive_2026``."""
    if name not in BUILTIN_INSTRUMENTS:
        raise NotFoundError(
            f"There is no built-in instrument {name!r}.",
            hint="Built-in instruments: " + ", ".join(sorted(BUILTIN_INSTRUMENTS)) + ".",
        )
    filename = BUILTIN_INSTRUMENTS[name][1]
    path = resources.files("tillit") / "data" / "instruments" / filename
    if not path.is_file():
        raise NotFoundError(
            f"The built-in instrument {name!r} is not installed ({filename} is missing).",
            hint="Upload an XLSForm instead.",
        )
    return filename, path.read_bytes()


def builtin_available(name: str) -> bool:
    try:
        builtin_instrument(name)
    except TillitError:
        return False
    return True


def parse_instrument(filename: str, data: bytes) -> Any:
    """Parse an XLSForm (.xlsx, .xls or markdown .md); raises the reader's located error."""
    from tillit.instruments import xlsform

    return xlsform.read_xlsform(data, filename=filename)


@functools.lru_cache(maxsize=32)
def _parse_cached(sha256: str, filename: str, data: bytes) -> Any:
    return parse_instrument(filename, data)


def load_instrument(iv: InstrumentVersion) -> Any:
    """The parsed :class:`tillit.instruments.model.Instrument` of a stored version (cached)."""
    return _parse_cached(iv.sha256, iv.source_name, bytes(iv.source))


def _instrument_format(filename: str) -> str:
    ext = PurePath(filename).suffix.lower().lstrip(".")
    if ext not in INSTRUMENT_FORMATS:
        raise TillitError(
            f"{filename!r} is not an XLSForm file (.xlsx, .xls or .md).",
            ErrorCode.INVALID_INPUT,
            hint="Upload the questionnaire as an XLSForm workbook (.xlsx).",
        )
    return ext


@transaction.atomic
def do_import_instrument(
    project: Project, filename: str, data: bytes, *, actor: AbstractBaseUser | None
) -> InstrumentVersion:
    """Store an XLSForm after parsing it; a bad file raises a located error and stores nothing.

    The same file imported twice into a project gives the existing version.
    """
    fmt = _instrument_format(filename)
    if len(data) > MAX_INSTRUMENT_BYTES:
        raise TillitError(
            f"{filename} is {len(data) / 1e6:.1f} MB; instruments may be at most "
            f"{MAX_INSTRUMENT_BYTES / 1e6:.0f} MB.",
            ErrorCode.INVALID_INPUT,
            hint="An XLSForm holds questions and choices only; remove other sheets and images.",
        )
    instrument = parse_instrument(filename, data)
    sha = hashlib.sha256(data).hexdigest()
    iv = InstrumentVersion.objects.filter(project=project, sha256=sha).first()
    existed = iv is not None
    if iv is None:
        iv = InstrumentVersion.objects.create(
            project=project,
            form_id=str(instrument.form_id)[:100],
            version=str(instrument.version or "")[:50],
            title=str(instrument.title or instrument.form_id)[:300],
            source_name=PurePath(filename).name[:255],
            source_format=fmt,
            source=data,
            sha256=sha,
            created_by=actor if actor is not None and actor.pk else None,
        )
    audit.record(
        actor=actor,
        action="instrument.import",
        obj=iv,
        project=project,
        after={
            **audit.snapshot(iv, ("form_id", "version", "title", "source_name", "sha256")),
            "languages": list(getattr(instrument, "languages", ()) or ()),
            "already_present": existed,
        },
    )
    return iv


# ----------------------------------------------------------------------------------------------
# surveys


def _survey_snapshot(survey: Survey) -> dict[str, Any]:
    return audit.snapshot(survey, SURVEY_FIELDS)


@transaction.atomic
def do_create_survey(
    project: Project,
    slug: str,
    title: str,
    instrument: InstrumentVersion,
    mode: str = Survey.Mode.PERSONAL,
    default_language: str | None = None,
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
    *,
    actor: AbstractBaseUser | None,
    is_synthetic: bool = False,
) -> Survey:
    """Create a survey in draft; an open link key is made when the mode has an open link."""
    title = (title or "").strip()
    if not title:
        raise TillitError("A survey needs a title.", ErrorCode.INVALID_INPUT)
    slug = slugify(slug or title)[:60]
    if not slug:
        raise TillitError(
            f"Cannot make a short name from {title!r}.",
            ErrorCode.INVALID_INPUT,
            hint="Give a short name with letters or digits.",
        )
    if slug in RESERVED_SLUGS:
        raise TillitError(
            f"{slug!r} is a reserved name.", ErrorCode.INVALID_INPUT, hint="Choose another."
        )
    if Survey.objects.filter(project=project, slug=slug).exists():
        raise TillitError(
            f"The project has a survey called {slug!r} already.",
            ErrorCode.CONFLICT,
            hint="Choose another short name.",
        )
    if instrument.project_id != project.pk:
        raise TillitError("The instrument belongs to another project.", ErrorCode.PERMISSION)
    if mode not in Survey.Mode.values:
        raise TillitError(
            f"Unknown mode {mode!r}.",
            ErrorCode.USAGE,
            hint="Use one of: " + ", ".join(Survey.Mode.values) + ".",
        )
    languages = tuple(getattr(load_instrument(instrument), "languages", ()) or ())
    lang = default_language or getattr(load_instrument(instrument), "default_language", "") or "nb"
    if languages and lang not in languages:
        raise TillitError(
            f"The instrument has no {lang!r} text.",
            ErrorCode.INVALID_INPUT,
            hint="Its languages are: " + ", ".join(languages) + ".",
        )
    if opens_at and closes_at and closes_at <= opens_at:
        raise TillitError(
            "The survey would close before it opens.",
            ErrorCode.INVALID_INPUT,
            hint="Choose a closing date after the opening date.",
        )
    survey = Survey.objects.create(
        project=project,
        slug=slug,
        title=title,
        instrument=instrument,
        mode=mode,
        default_language=lang,
        opens_at=opens_at,
        closes_at=closes_at,
        open_key=secrets.token_urlsafe(24) if mode != Survey.Mode.PERSONAL else "",
        is_synthetic=is_synthetic or project.is_synthetic,
    )
    audit.record(
        actor=actor,
        action="survey.create",
        obj=survey,
        project=project,
        after={**_survey_snapshot(survey), "is_synthetic": survey.is_synthetic},
    )
    return survey


def _lock(survey: Survey) -> Survey:
    return Survey.objects.select_for_update().get(pk=survey.pk)


@transaction.atomic
def do_open_survey(
    survey: Survey, *, actor: AbstractBaseUser | None, closes_at: dt.datetime | None = None
) -> Survey:
    """Open a draft or closed survey to respondents (optionally with a new closing time; a
    closing time that has passed is cleared)."""
    survey = _lock(survey)
    before = _survey_snapshot(survey)
    if survey.status == Survey.Status.OPEN:
        raise TillitError(f"The survey {survey.slug!r} is open already.", ErrorCode.CONFLICT)
    if closes_at is not None:
        if closes_at <= timezone.now():
            raise TillitError(
                "The new closing time has passed.",
                ErrorCode.INVALID_INPUT,
                hint="Give a closing time in the future.",
            )
        survey.closes_at = closes_at
    elif survey.closes_at and survey.closes_at <= timezone.now():
        survey.closes_at = None  # reopening: the old closing time no longer applies
    if survey.mode == Survey.Mode.PERSONAL and not survey.cases.exists():
        raise TillitError(
            "The survey has no frame yet, so nobody could answer it.",
            ErrorCode.CONFLICT,
            hint="Set the frame (and import contacts) first.",
        )
    survey.status = Survey.Status.OPEN
    if survey.opens_at is None or survey.opens_at > timezone.now():
        survey.opens_at = timezone.now()
    survey.save(update_fields=["status", "opens_at", "closes_at"])
    audit.record(
        actor=actor,
        action="survey.open",
        obj=survey,
        project=survey.project,
        before=before,
        after=_survey_snapshot(survey),
    )
    return survey


@transaction.atomic
def do_close_survey(survey: Survey, *, actor: AbstractBaseUser | None) -> Survey:
    """Close the survey: no more answers; dispositions are brought up to date."""
    survey = _lock(survey)
    before = _survey_snapshot(survey)
    if survey.status == Survey.Status.CLOSED:
        raise TillitError(f"The survey {survey.slug!r} is closed already.", ErrorCode.CONFLICT)
    survey.status = Survey.Status.CLOSED
    now = timezone.now()
    if survey.closes_at is None or survey.closes_at > now:
        survey.closes_at = now
    survey.save(update_fields=["status", "closes_at"])
    changed = refresh_dispositions(Case.objects.filter(survey=survey))
    audit.record(
        actor=actor,
        action="survey.close",
        obj=survey,
        project=survey.project,
        before=before,
        after={**_survey_snapshot(survey), "dispositions_updated": changed},
    )
    return survey


# ----------------------------------------------------------------------------------------------
# frame


@transaction.atomic
def do_set_frame(
    survey: Survey,
    country: str | None = None,
    county: str | None = None,
    sample_size: int | None = None,
    seed: int | None = None,
    *,
    actor: AbstractBaseUser | None,
) -> dict[str, Any]:
    """Make the frame: one case per registry municipality (a country, both, a county, or a
    simple random sample of those, reproducible by ``seed``).

    Cases of municipalities that stay in the frame keep their case id and contact; the others
    are removed. Refused once anyone has answered or been invited.
    """
    survey = _lock(survey)
    if Answer.objects.filter(case__survey=survey).exists():
        raise TillitError(
            "The survey has answers; its frame can no longer change.",
            ErrorCode.CONFLICT,
            hint="Create a new survey for another frame.",
        )
    if Contact.objects.filter(case__survey=survey, invited_at__isnull=False).exists():
        raise TillitError(
            "Invitations have been sent; the frame can no longer change.",
            ErrorCode.CONFLICT,
            hint="Create a new survey for another frame.",
        )
    wanted_country = frames.parse_frame_country(country)
    members = frames.frame_municipalities(wanted_country, county or None)
    if sample_size is not None:
        if seed is None:
            seed = secrets.randbelow(2**31)
        members = frames.draw_sample(members, sample_size, seed)
    before = dict(survey.frame)
    wanted = {(m.country, m.code) for m in members}
    existing = {(c.country, c.municipality_code): c.pk for c in survey.cases.all()}
    stale = [pk for key, pk in existing.items() if key not in wanted]
    Case.objects.filter(pk__in=stale).delete()
    used: set[str] = set()
    new_cases = []
    for m in members:
        if (m.country, m.code) in existing:
            continue
        case_id = tokens.new_case_id()
        while case_id in used:
            case_id = tokens.new_case_id()
        used.add(case_id)
        new_cases.append(
            Case(
                survey=survey,
                case_id=case_id,
                country=m.country,
                municipality_code=m.code,
                is_synthetic=survey.is_synthetic,
            )
        )
    Case.objects.bulk_create(new_cases, batch_size=500)
    survey.frame = {
        "country": wanted_country,
        "county": county or None,
        "sample_size": sample_size,
        "seed": seed,
        "n_cases": len(members),
        "n_no": sum(m.country == "NO" for m in members),
        "n_dk": sum(m.country == "DK" for m in members),
    }
    survey.save(update_fields=["frame"])
    audit.record(
        actor=actor,
        action="survey.set_frame",
        obj=survey,
        project=survey.project,
        before=before or None,
        after={**survey.frame, "added": len(new_cases), "removed": len(stale)},
    )
    return survey.frame


# ----------------------------------------------------------------------------------------------
# contacts


def _row_error_message(errors: list[contacts_mod.RowError]) -> str:
    rows = sorted({e.row for e in errors})
    shown = ", ".join(str(r) for r in rows[:20]) + (" …" if len(rows) > 20 else "")
    return (
        f"{len(rows)} row(s) of the contact list have errors (rows {shown}); nothing was imported."
    )


@transaction.atomic
def do_import_contacts(
    survey: Survey,
    filename: str,
    data: bytes,
    skip_bad_rows: bool = False,
    *,
    actor: AbstractBaseUser | None,
) -> contacts_mod.ContactImport:
    """Import contacts (CSV or XLSX) for the frame's municipalities.

    Every row is checked; if any is bad, nothing is imported and every problem is raised in
    ``TillitError.errors`` (one dict per problem, with its row number) -- unless
    ``skip_bad_rows``, which imports the good rows and returns the bad ones.
    A municipality's existing contact is updated (its link stays the same).
    """
    survey = _lock(survey)
    cases = {(c.country, c.municipality_code): c for c in survey.cases.all()}
    if not cases:
        raise TillitError(
            "The survey has no frame yet.",
            ErrorCode.CONFLICT,
            hint="Set the frame first; contacts are matched to its municipalities.",
        )
    parsed = contacts_mod.parse_contacts(filename, data, cases.keys())
    if parsed.errors and not skip_bad_rows:
        raise TillitError(
            _row_error_message(parsed.errors),
            ErrorCode.INVALID_INPUT,
            hint="Fix the rows listed, or choose 'skip bad rows' to import only the good ones.",
            errors=[e.as_dict() for e in parsed.errors],
        )
    existing = {c.case_id: c for c in Contact.objects.filter(case__survey=survey)}
    create, update = [], []
    for row in parsed.rows:
        case = cases[(row.country, row.code)]
        contact = existing.get(case.pk)
        if contact is None:
            nonce = tokens.new_nonce()
            contact = Contact(
                case=case,
                token_nonce=nonce,
                token_hash=tokens.token_hash(tokens.derive_token(survey.pk, case.case_id, nonce)),
            )
            create.append(contact)
        else:
            update.append(contact)
        contact.name, contact.email, contact.role = row.name, row.email, row.role
        contact.language = row.language
    Contact.objects.bulk_create(create, batch_size=500)
    Contact.objects.bulk_update(update, ["name", "email", "role", "language"], batch_size=500)
    result = contacts_mod.ContactImport(
        n_rows=parsed.n_rows,
        n_created=len(create),
        n_updated=len(update),
        skipped=parsed.errors,
        encoding=parsed.encoding,
        file_format=parsed.file_format,
    )
    audit.record(
        actor=actor,
        action="survey.import_contacts",
        obj=survey,
        project=survey.project,
        after={
            "file": PurePath(filename).name,
            "sha256": hashlib.sha256(data).hexdigest(),
            "rows": result.n_rows,
            "created": result.n_created,
            "updated": result.n_updated,
            "skipped_rows": sorted({e.row for e in parsed.errors}),
        },
    )
    return result


# ----------------------------------------------------------------------------------------------
# dispositions


def auto_disposition(case: Case, *, answered: bool | None = None) -> str:
    """The automatic AAPOR disposition of a case (ignores ``disposition_manual``).

    complete (1.1) when the respondent submitted the last page; partial (1.2) when at least one
    page was answered; refusal (2.11) when the contact opted out without answering;
    undeliverable (3.19) when the invitation bounced; non-contact (2.20) when invited and
    nothing else happened; unknown (3.10) when not invited.
    """
    if case.completed_at is not None:
        return D.COMPLETE
    if answered is None:
        answered = (
            PageVisit.objects.filter(case=case).exists()
            or Answer.objects.filter(case=case).exists()
        )
    if answered:
        return D.PARTIAL
    contact = Contact.objects.filter(case=case).first()
    if contact is not None:
        if contact.opted_out_at is not None:
            return D.REFUSAL
        if contact.bounced_at is not None:
            return D.UNDELIVERABLE
        if contact.invited_at is not None:
            return D.NON_CONTACT
    return D.UNKNOWN


def update_disposition(case: Case) -> str:
    """Set the case's automatic disposition unless a researcher set it by hand; returns it.

    Called by the respondent services inside their transaction (after a page is saved, a
    questionnaire submitted, an opt-out) and by the mailing services here.
    """
    if case.disposition_manual:
        return case.disposition
    new = auto_disposition(case)
    if new != case.disposition:
        Case.objects.filter(pk=case.pk, disposition_manual=False).update(disposition=new)
        case.disposition = new
    return new


def refresh_dispositions(cases: QuerySet[Case]) -> int:
    """:func:`update_disposition` for many cases at once (one query per disposition that
    changes); returns how many cases changed."""
    answered = Exists(PageVisit.objects.filter(case=OuterRef("pk"))) | Exists(
        Answer.objects.filter(case=OuterRef("pk"))
    )
    rows = (
        cases.filter(disposition_manual=False)
        .annotate(
            answered=answered,
            invited=F("contact__invited_at"),
            opted_out=F("contact__opted_out_at"),
            bounced=F("contact__bounced_at"),
        )
        .values("pk", "disposition", "completed_at", "answered", "invited", "opted_out", "bounced")
    )
    moves: dict[str, list[int]] = {}
    for r in rows:
        if r["completed_at"] is not None:
            new = D.COMPLETE
        elif r["answered"]:
            new = D.PARTIAL
        elif r["opted_out"] is not None:
            new = D.REFUSAL
        elif r["bounced"] is not None:
            new = D.UNDELIVERABLE
        elif r["invited"] is not None:
            new = D.NON_CONTACT
        else:
            new = D.UNKNOWN
        if new != r["disposition"]:
            moves.setdefault(new, []).append(r["pk"])
    for disposition, pks in moves.items():
        for i in range(0, len(pks), 500):
            Case.objects.filter(pk__in=pks[i : i + 500]).update(disposition=disposition)
    return sum(len(v) for v in moves.values())


@transaction.atomic
def do_set_disposition(
    case: Case, disposition: str, *, actor: AbstractBaseUser | None, reason: str = ""
) -> Case:
    """Override a case's disposition by hand (``"auto"`` returns it to the automatic rule)."""
    case = Case.objects.select_for_update().select_related("survey__project").get(pk=case.pk)
    before = {"disposition": case.disposition, "manual": case.disposition_manual}
    if disposition == "auto":
        case.disposition_manual = False
        case.disposition = auto_disposition(case)
    elif disposition in D.values:
        case.disposition = disposition
        case.disposition_manual = True
    else:
        raise TillitError(
            f"Unknown disposition {disposition!r}.",
            ErrorCode.INVALID_INPUT,
            hint="Use an AAPOR code: " + ", ".join(D.values) + ", or 'auto'.",
        )
    case.save(update_fields=["disposition", "disposition_manual"])
    audit.record(
        actor=actor,
        action="case.set_disposition",
        obj=case,
        project=case.survey.project,
        before={"case_id": case.case_id, **before},
        after={
            "case_id": case.case_id,
            "disposition": case.disposition,
            "manual": case.disposition_manual,
            "reason": reason[:500],
        },
    )
    return case


@transaction.atomic
def do_mark_bounced(
    survey: Survey,
    email: str | None = None,
    case_id: str | None = None,
    *,
    actor: AbstractBaseUser | None,
) -> Contact:
    """Mark a contact's invitation undeliverable (by e-mail address or case id)."""
    if bool(email) == bool(case_id):
        raise TillitError(
            "Say which contact bounced: an e-mail address or a case id.", ErrorCode.USAGE
        )
    qs = Contact.objects.select_for_update().select_related("case").filter(case__survey=survey)
    contact = (
        qs.filter(email__iexact=email.strip()).first()
        if email
        else qs.filter(case__case_id=case_id).first()
    )
    if contact is None:
        raise NotFoundError(
            f"No contact of this survey has {'that e-mail address' if email else 'that case id'}.",
            hint="Check the address against the contact list.",
        )
    before = {"case_id": contact.case.case_id, "disposition": contact.case.disposition}
    contact.bounced_at = timezone.now()
    contact.save(update_fields=["bounced_at"])
    last = contact.messages.order_by("-sent_at", "-pk").first()
    if last is not None and last.status == Message.Status.SENT:
        last.status = Message.Status.BOUNCED
        last.save(update_fields=["status"])
    update_disposition(contact.case)
    audit.record(
        actor=actor,
        action="contact.mark_bounced",
        obj=contact,
        project=survey.project,
        before=before,
        after={"case_id": contact.case.case_id, "disposition": contact.case.disposition},
    )
    return contact


@transaction.atomic
def do_log_personal_data_access(
    survey: Survey, purpose: str, *, actor: AbstractBaseUser | None, detail: str = ""
) -> None:
    """Record that someone saw or exported identities (names, e-mails, municipalities)."""
    audit.record(
        actor=actor,
        action="survey.personal_data_access",
        obj=survey,
        project=survey.project,
        after={"purpose": purpose, "detail": detail[:200]},
    )


# ----------------------------------------------------------------------------------------------
# mail


def _require_open(survey: Survey) -> None:
    survey.refresh_from_db(fields=["status"])
    if survey.status != Survey.Status.OPEN:
        raise TillitError(
            f"The survey {survey.slug!r} is not open, so its links would not work.",
            ErrorCode.CONFLICT,
            hint="Open the survey first.",
        )


def _mailable(survey: Survey) -> QuerySet[Contact]:
    return (
        Contact.objects.select_related("case")
        .filter(case__survey=survey, opted_out_at__isnull=True, bounced_at__isnull=True)
        .exclude(email="")
    )


def _record_mailing(
    survey: Survey,
    kind: str,
    outcomes: list[mail.Outcome],
    n_skipped: int,
    actor: AbstractBaseUser | None,
    scheduled: ScheduledReminder | None = None,
) -> mail.Mailing:
    now = timezone.now()
    result = mail.Mailing(kind=kind, n_skipped=n_skipped)
    Message.objects.bulk_create(
        [
            Message(
                contact=o.contact,
                kind=kind,
                status=Message.Status.SENT if o.ok else Message.Status.FAILED,
                language=o.language,
                sent_at=now,
                error=o.error,
            )
            for o in outcomes
        ],
        batch_size=500,
    )
    sent = [o.contact.pk for o in outcomes if o.ok]
    result.n_sent = len(sent)
    result.n_failed = len(outcomes) - len(sent)
    result.failures = [
        {"case_id": o.contact.case.case_id, "error": o.error} for o in outcomes if not o.ok
    ]
    for i in range(0, len(sent), 500):
        chunk = Contact.objects.filter(pk__in=sent[i : i + 500])
        if kind == Message.Kind.INVITATION:
            chunk.update(invited_at=now)
        else:
            chunk.update(reminders_sent=F("reminders_sent") + 1, last_reminded_at=now)
    refresh_dispositions(Case.objects.filter(contact__pk__in=sent))
    if scheduled is not None:
        ScheduledReminder.objects.filter(pk=scheduled.pk).update(sent_at=now, n_sent=len(sent))
    audit.record(
        actor=actor,
        action=f"survey.send_{kind}s",
        obj=survey,
        project=survey.project,
        after={
            **result.as_dict(),
            "failures": result.failures[:50],
            "scheduled_reminder": scheduled.pk if scheduled else None,
        },
    )
    return result


def do_send_invitations(
    survey: Survey, *, actor: AbstractBaseUser | None, base_url: str
) -> mail.Mailing:
    """E-mail every contact not yet invited their personal link, in their language.

    Skips contacts who opted out or bounced, and completed cases. A failed message is recorded
    as failed (the contact stays uninvited, so the next round tries again).
    """
    base = mail.clean_base_url(base_url)
    _require_open(survey)
    everyone = Contact.objects.filter(case__survey=survey, invited_at__isnull=True).count()
    todo = list(
        _mailable(survey).filter(invited_at__isnull=True).exclude(case__disposition__in=NO_REMINDER)
    )
    outcomes = mail.send_all(survey, todo, Message.Kind.INVITATION, base)
    with transaction.atomic():
        return _record_mailing(
            survey, Message.Kind.INVITATION, outcomes, everyone - len(todo), actor
        )


def do_send_reminders(
    survey: Survey,
    *,
    actor: AbstractBaseUser | None,
    base_url: str,
    scheduled: ScheduledReminder | None = None,
) -> mail.Mailing:
    """Remind every invited contact who has not completed (same link as the invitation).

    Skips opt-outs, bounces, completes, refusals and cases marked not eligible.
    """
    base = mail.clean_base_url(base_url)
    _require_open(survey)
    invited = Contact.objects.filter(case__survey=survey, invited_at__isnull=False)
    todo = list(
        _mailable(survey)
        .filter(invited_at__isnull=False)
        .exclude(case__disposition__in=NO_REMINDER)
    )
    outcomes = mail.send_all(survey, todo, Message.Kind.REMINDER, base)
    with transaction.atomic():
        return _record_mailing(
            survey, Message.Kind.REMINDER, outcomes, invited.count() - len(todo), actor, scheduled
        )


@transaction.atomic
def do_schedule_reminder(
    survey: Survey, send_at: dt.datetime, *, actor: AbstractBaseUser | None
) -> ScheduledReminder:
    """Plan a reminder round; `tillit survey send-due` (run from cron) sends it when due."""
    if timezone.is_naive(send_at):
        send_at = timezone.make_aware(send_at)
    if send_at <= timezone.now():
        raise TillitError(
            "The reminder time has passed.",
            ErrorCode.INVALID_INPUT,
            hint="Choose a time in the future, or send reminders now.",
        )
    if survey.status == Survey.Status.CLOSED:
        raise TillitError("The survey is closed.", ErrorCode.CONFLICT)
    if survey.closes_at and send_at >= survey.closes_at:
        raise TillitError(
            "The reminder would go out after the survey closes.",
            ErrorCode.INVALID_INPUT,
            hint=f"Choose a time before {timezone.localtime(survey.closes_at):%Y-%m-%d %H:%M}.",
        )
    r = ScheduledReminder.objects.create(survey=survey, send_at=send_at)
    audit.record(
        actor=actor,
        action="survey.schedule_reminder",
        obj=r,
        project=survey.project,
        after={"survey": survey.slug, "send_at": send_at.isoformat()},
    )
    return r


def do_send_due_reminders(
    now: dt.datetime | None = None, *, base_url: str, actor: AbstractBaseUser | None = None
) -> list[tuple[ScheduledReminder, mail.Mailing]]:
    """Send every scheduled reminder that is due, for open surveys (meant for cron).

    Each due reminder is claimed first (so two overlapping runs never send it twice) and then
    sent by :func:`do_send_reminders`, which writes its audit event.
    """
    base = mail.clean_base_url(base_url)
    now = now or timezone.now()
    due = ScheduledReminder.objects.select_related("survey__project").filter(
        sent_at__isnull=True, send_at__lte=now, survey__status=Survey.Status.OPEN
    )
    done = []
    for r in list(due):
        if not ScheduledReminder.objects.filter(pk=r.pk, sent_at__isnull=True).update(sent_at=now):
            continue  # another run took it
        done.append((r, do_send_reminders(r.survey, actor=actor, base_url=base, scheduled=r)))
    return done


@transaction.atomic
def do_load_synthetic_fieldwork(
    survey: Survey, fieldwork: list[Any], *, actor: AbstractBaseUser | None
) -> dict[str, int]:
    """Store made-up fieldwork (:func:`tillit.apps.surveys.synthetic.simulate`) in a synthetic
    survey: answers, page visits, invitations and reminders, opt-outs, bounces and paradata;
    dispositions then follow the automatic rule and the survey is closed.

    Refused for a survey not marked synthetic, or one that has answers already.
    """
    survey = _lock(survey)
    if not survey.is_synthetic:
        raise TillitError(
            "Synthetic responses go only into a survey marked synthetic.", ErrorCode.CONFLICT
        )
    if Answer.objects.filter(case__survey=survey).exists():
        raise TillitError("The survey has answers already.", ErrorCode.CONFLICT)
    cases = {c.case_id: c for c in survey.cases.select_related("contact")}
    answers, visits, msgs, case_rows, contact_rows = [], [], [], [], []
    for sc in fieldwork:
        case = cases[sc.case_id]
        case.started_at, case.completed_at = sc.started_at, sc.completed_at
        case.last_activity_at = sc.visits[-1].submitted_at if sc.visits else None
        case.language, case.device_class = sc.language, sc.device
        case.current_page, case.is_synthetic = sc.current_page, True
        case_rows.append(case)
        saved = case.last_activity_at or sc.invited_at
        answers += [
            Answer(case=case, name=k, value=v, page=sc.answer_pages.get(k, ""), saved_at=saved)
            for k, v in sc.answers.items()
        ]
        visits += [
            PageVisit(case=case, page=v.page, entered_at=v.entered_at,
                      submitted_at=v.submitted_at, seconds=v.seconds, language=v.language)
            for v in sc.visits
        ]  # fmt: skip
        contact = getattr(case, "contact", None)
        if contact is None:
            continue
        contact.invited_at, contact.reminders_sent = sc.invited_at, len(sc.reminders)
        contact.last_reminded_at = sc.reminders[-1] if sc.reminders else None
        contact.opted_out_at, contact.bounced_at = sc.opted_out_at, sc.bounced_at
        contact_rows.append(contact)
        lang = contact.language
        status = Message.Status.BOUNCED if sc.bounced_at else Message.Status.SENT
        msgs.append(Message(contact=contact, kind=Message.Kind.INVITATION, status=status,
                            language=lang, sent_at=sc.invited_at))  # fmt: skip
        msgs += [
            Message(contact=contact, kind=Message.Kind.REMINDER, status=Message.Status.SENT,
                    language=lang, sent_at=t)
            for t in sc.reminders
        ]  # fmt: skip
    Answer.objects.bulk_create(answers, batch_size=2000)
    PageVisit.objects.bulk_create(visits, batch_size=2000)
    Message.objects.bulk_create(msgs, batch_size=2000)
    Case.objects.bulk_update(
        case_rows,
        ["started_at", "completed_at", "last_activity_at", "language", "device_class",
         "current_page", "is_synthetic"],
        batch_size=500,
    )  # fmt: skip
    Contact.objects.bulk_update(
        contact_rows,
        ["invited_at", "reminders_sent", "last_reminded_at", "opted_out_at", "bounced_at"],
        batch_size=500,
    )
    refresh_dispositions(Case.objects.filter(survey=survey))
    invited = [sc.invited_at for sc in fieldwork if sc.invited_at]
    if invited:
        survey.opens_at = min(invited)
        survey.closes_at = max(
            [v.submitted_at for sc in fieldwork for v in sc.visits] + invited
        ) + dt.timedelta(days=1)
    survey.status = Survey.Status.CLOSED
    survey.save(update_fields=["status", "opens_at", "closes_at"])
    counts = {"cases": len(fieldwork), "answers": len(answers), "page_visits": len(visits),
              "messages": len(msgs)}  # fmt: skip
    audit.record(
        actor=actor,
        action="survey.load_synthetic_fieldwork",
        obj=survey,
        project=survey.project,
        after={**counts, "synthetic": True},
    )
    return counts
