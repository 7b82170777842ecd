"""Survey exports: the stored cases turned into the responses :mod:`tillit.interop` writes.

Formats: ``csv`` (codes), ``csv-labels``, ``sav`` (SPSS), ``dta`` (Stata), ``ddi``
(DDI-Codebook 2.5 XML) and ``xlsform`` (the instrument as an XLSForm workbook).

Every export carries the pseudonymous case id, the country and size class of the municipality,
the AAPOR disposition and paradata; it never carries names, e-mail addresses or tokens. With
``include_identity`` (owners only; checked here and recorded in the audit trail by
:func:`tillit.apps.surveys.services.do_log_personal_data_access`) it adds the municipality code,
county, and the contact's name and e-mail address.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Prefetch

from tillit.apps.core.models import Membership
from tillit.apps.core.roles import Role
from tillit.apps.surveys import frames, services
from tillit.apps.surveys.models import Answer, Case, PageVisit, Survey
from tillit.errors import ErrorCode, TillitError

#: Export format -> (interop format, file suffix, content type).
FORMATS: dict[str, tuple[str, str, str]] = {
    "csv": ("csv", ".csv", "text/csv; charset=utf-8"),
    "csv-labels": ("csv_labels", "_labels.csv", "text/csv; charset=utf-8"),
    "sav": ("sav", ".sav", "application/x-spss-sav"),
    "dta": ("dta", ".dta", "application/x-stata-dta"),
    "ddi": ("ddi", "_ddi.xml", "application/xml"),
    "xlsform": (
        "xlsform",
        ".xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    content: bytes


def _frame_columns(include_identity: bool) -> tuple[Any, ...]:
    from tillit.interop.codebook import COUNTRY, MUNICIPALITY_CODE, FrameColumn

    size = FrameColumn(
        "size_class",
        {
            "en": "Municipality size class (inhabitants)",
            "nb": "Kommunestørrelse (innbyggere)",
            "nn": "Kommunestorleik (innbyggjarar)",
            "da": "Kommunestørrelse (indbyggere)",
        },
        "numeric",
        codes={"small": 1, "medium": 2, "large": 3, "city": 4},
        value_labels={
            1: {
                "en": "small (< 5,000)",
                "nb": "liten (< 5 000)",
                "nn": "liten (< 5 000)",
                "da": "lille (< 5.000)",
            },
            2: {
                "en": "medium (5,000-19,999)",
                "nb": "mellomstor (5 000-19 999)",
                "nn": "mellomstor (5 000-19 999)",
                "da": "mellemstor (5.000-19.999)",
            },
            3: {
                "en": "large (20,000-99,999)",
                "nb": "stor (20 000-99 999)",
                "nn": "stor (20 000-99 999)",
                "da": "stor (20.000-99.999)",
            },
            4: {
                "en": "city (100,000 or more)",
                "nb": "by (100 000 eller flere)",
                "nn": "by (100 000 eller fleire)",
                "da": "by (100.000 eller flere)",
            },
        },
        measure="ordinal",
    )
    cols: list[Any] = [COUNTRY, size]
    if include_identity:
        county = FrameColumn(
            "county",
            {
                "en": "County or region",
                "nb": "Fylke eller region",
                "nn": "Fylke eller region",
                "da": "Region",
            },
            "string",
            identifying=True,
        )
        name = FrameColumn(
            "contact_name",
            {
                "en": "Contact name",
                "nb": "Kontaktperson",
                "nn": "Kontaktperson",
                "da": "Kontaktperson",
            },
            "string",
            identifying=True,
        )
        email = FrameColumn(
            "contact_email",
            {"en": "Contact e-mail", "nb": "E-post", "nn": "E-post", "da": "E-mail"},
            "string",
            identifying=True,
        )
        cols += [MUNICIPALITY_CODE, county, name, email]
    return tuple(cols)


def _status(disposition: str) -> str:
    if disposition == Case.Disposition.COMPLETE:
        return "complete"
    if disposition == Case.Disposition.PARTIAL:
        return "partial"
    return "nonresponse"


def responses(
    survey: Survey, instrument: Any, *, include_identity: bool
) -> Iterator[dict[str, Any]]:
    """Every case of the survey in the shape :mod:`tillit.interop.dataset` reads."""
    page_questions = {page.name: {q.name for q in _questions(page)} for page in instrument.pages()}
    qs = (
        Case.objects.filter(survey=survey)
        .order_by("case_id")
        .prefetch_related(
            Prefetch("answers", queryset=Answer.objects.only("case_id", "name", "value")),
            Prefetch("page_visits", queryset=PageVisit.objects.only("case_id", "page", "seconds")),
        )
    )
    if include_identity:
        qs = qs.select_related("contact")
    for case in qs.iterator(chunk_size=500):
        answers = {a.name: a.value for a in case.answers.all()}
        visits = list(case.page_visits.all())
        m = frames.municipality(case.country, case.municipality_code)
        frame: dict[str, Any] = {
            "country": case.country or None,
            "size_class": str(m.size_class) if m else None,
        }
        if include_identity:
            contact = getattr(case, "contact", None)
            frame.update(
                municipality_code=case.municipality_code or None,
                county=m.county_name if m else None,
                contact_name=contact.name if contact else None,
                contact_email=contact.email if contact else None,
            )
        status = _status(case.disposition)
        response: dict[str, Any] = {
            "case_id": case.case_id,
            "answers": answers,
            "status": status,
            "disposition": case.disposition,
            "frame": frame,
            "paradata": {
                "started": case.started_at,
                "completed": case.completed_at,
                "duration_s": sum(v.seconds or 0 for v in visits) or None,
                "language": case.language or None,
                "device": case.device_class or None,
            },
        }
        if status != "complete":
            reached = set(answers)
            for v in visits:
                reached |= page_questions.get(v.page, set())
            response["reached"] = reached
        yield response


def _questions(group: Any) -> Iterator[Any]:
    for child in group.children:
        if hasattr(child, "children"):
            yield from _questions(child)
        else:
            yield child


def _relevance(instrument: Any) -> Callable[[Any], set[str]]:
    """``relevance(answers)``: the questions the skip logic asks, by the instrument engine.

    Only questions under some ``relevant`` expression are evaluated; the rest are always asked.
    """
    from tillit.instruments import engine
    from tillit.interop.dataset import conditional_questions

    everything = {q.name for q in instrument.questions()}
    asked_if = conditional_questions(instrument)
    conditional = [q.name for q in instrument.questions() if q.name in asked_if]

    def relevant(answers: Any) -> set[str]:
        if not answers:
            return everything
        state = engine.relevance(instrument, answers)  # one pass over the form per response
        return everything - {name for name in conditional if not state[name]}

    return relevant


def check_identity_allowed(survey: Survey, actor: AbstractBaseUser | None) -> None:
    """Identity columns are for the project's owners only."""
    role = (
        Membership.objects.filter(project=survey.project_id, user_id=getattr(actor, "pk", None))
        .values_list("role", flat=True)
        .first()
    )
    if role != Role.OWNER:
        raise TillitError(
            "Only an owner of the project may export identity columns.",
            ErrorCode.PERMISSION,
            hint="Export without identity columns, or ask an owner.",
        )


def _xlsform(survey: Survey) -> bytes:
    iv = survey.instrument
    if iv.source_format == "xlsx":
        return bytes(iv.source)
    from tillit.instruments import xlsform

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "form.xlsx"
        xlsform.write_xlsform(services.load_instrument(iv), path)
        return path.read_bytes()


def export(
    survey: Survey,
    fmt: str,
    *,
    language: str | None = None,
    include_identity: bool = False,
    actor: AbstractBaseUser | None = None,
    progress: Callable[[int], Any] | None = None,
) -> ExportFile:
    """Export ``survey`` in ``fmt``; identity columns only for owners, and audited."""
    if fmt not in FORMATS:
        raise TillitError(
            f"Unknown export format {fmt!r}.",
            ErrorCode.USAGE,
            hint="Choose from: " + ", ".join(FORMATS) + ".",
        )
    step = progress or (lambda n: None)
    interop_fmt, suffix, content_type = FORMATS[fmt]
    stem = f"{survey.project.slug}_{survey.slug}".replace("-", "_")
    if survey.is_synthetic:
        stem = "SYNTHETIC_" + stem
    if fmt == "xlsform":
        content = _xlsform(survey)
        step(3)
        return ExportFile(f"{stem}_instrument{suffix}", content_type, content)
    if include_identity:
        check_identity_allowed(survey, actor)
    from tillit.interop.exports import export_survey

    instrument = services.load_instrument(survey.instrument)
    language = language or survey.default_language
    cases = list(responses(survey, instrument, include_identity=include_identity))
    step(1)
    with tempfile.TemporaryDirectory() as tmp:
        paths = export_survey(
            instrument,
            cases,
            tmp,
            language=language,
            formats=(interop_fmt,),
            stem=stem,
            frame_columns=_frame_columns(include_identity),
            include_municipality=include_identity,
            relevance=_relevance(instrument),
            study_title=survey.title + (" (SYNTHETIC DATA)" if survey.is_synthetic else ""),
        )
        step(1)
        content = paths[interop_fmt].read_bytes()
    if include_identity:
        services.do_log_personal_data_access(
            survey, f"export:{fmt}", actor=actor, detail=f"{len(cases)} cases, {language}"
        )
    step(1)
    return ExportFile(Path(paths[interop_fmt]).name, content_type, content)
