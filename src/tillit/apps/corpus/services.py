"""Every write to the corpus: one ``do_<verb>_<noun>()`` each, in one transaction, with one audit
event. Nothing else calls ``.save()`` on a corpus model.

Batch work is built from these: an import commits each document on its own (a crash loses nothing
already done, a re-run skips what is there), a screening run commits a batch of documents at a
time with its progress. The drivers live in :mod:`tillit.apps.corpus.importing` and
:mod:`tillit.apps.corpus.screening`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from tillit import registry
from tillit.apps.core import audit
from tillit.apps.core.models import Project
from tillit.apps.corpus.models import (
    DocType,
    Document,
    Evaluation,
    Label,
    Original,
    Passage,
    PassageScore,
    ScreeningRun,
    Suggestion,
)
from tillit.errors import ErrorCode, NotFoundError, TillitError

DOCUMENT_FIELDS = (
    "sha256",
    "filename",
    "media_type",
    "municipality_code",
    "date",
    "doc_type",
    "source_url",
    "title",
    "lang",
    "status",
    "flag_reason",
    "size",
    "synthetic",
)
#: The concept whose evidence makes a municipality without an initiative a suggestion (the core
#: concept of document screening: any explicit reference to a trust reform or trust-based
#: steering).
SUGGESTION_CONCEPT = "measure.trust_reform"
#: A passage is evidence for a concept from this lexicon score on (one full-weight term; see
#: :data:`tillit.text.screen.CANDIDATE_SCORE`).
EVIDENCE_SCORE = 0.5


# ----------------------------------------------------------------------------------------------
# metadata checks (shared by the web form, the CLI and manifests)


def clean_municipality(value: str | None) -> str:
    """A current municipality code from a code or an unambiguous name ("" stays "")."""
    value = (value or "").strip()
    if not value:
        return ""
    try:
        return registry.get(value).code
    except (TillitError, ValueError, LookupError):
        pass
    found = registry.find(value)
    if len(found) == 1:
        return found[0].code
    where = "several municipalities" if found else "no current municipality"
    raise TillitError(
        f"Municipality {value!r} matches {where}.",
        ErrorCode.INVALID_INPUT,
        hint="Give the municipality code (e.g. 4601 for Bergen, 751 for Aarhus); "
        "look it up with `tillit registry find NAME`.",
    )


def clean_date(value: str | dt.date | None) -> dt.date | None:
    """A date from ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` (the first day of the period)."""
    if value is None or isinstance(value, dt.date):
        return value
    text = value.strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%Y-%m", "%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise TillitError(
        f"Date {value!r} is not a date.",
        ErrorCode.INVALID_INPUT,
        hint="Write it as 2024-03-15, 2024-03 or 2024.",
    )


def clean_doc_type(value: str | None) -> str:
    text = (value or "").strip().lower().replace("-", "_").replace(" ", "_")
    if not text:
        return "other"
    if text not in DocType.values:
        raise TillitError(
            f"Document type {value!r} is unknown.",
            ErrorCode.INVALID_INPUT,
            hint=f"Use one of: {', '.join(DocType.values)}.",
        )
    return text


@dataclass
class Metadata:
    """What a person tells about a document (checked by :meth:`checked`)."""

    municipality: str = ""
    date: str | dt.date | None = None
    doc_type: str = ""
    title: str = ""
    source_url: str = ""

    def checked(self) -> dict[str, Any]:
        return {
            "municipality_code": clean_municipality(self.municipality),
            "date": clean_date(self.date),
            "doc_type": clean_doc_type(self.doc_type),
            "title": (self.title or "").strip()[:500],
            "source_url": (self.source_url or "").strip()[:2000],
        }

    def merged(self, other: Metadata | None) -> Metadata:
        """Fields of ``other`` where given, else ours."""
        if other is None:
            return self
        return Metadata(
            **{k: v if v not in (None, "") else getattr(self, k) for k, v in asdict(other).items()}
        )


# ----------------------------------------------------------------------------------------------
# import


@dataclass
class ImportOutcome:
    """What happened to one item of an import batch."""

    name: str
    status: str  # "imported" | "flagged" | "duplicate" | "failed"
    sha256: str = ""
    document_id: int | None = None
    reason: str = ""
    message: str = ""
    lang: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if k != "extra"} | self.extra


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _duplicate(project: Project, sha: str, name: str) -> ImportOutcome | None:
    existing = Document.objects.filter(project=project, sha256=sha).only("id", "title").first()
    if existing is None:
        return None
    return ImportOutcome(
        name,
        "duplicate",
        sha,
        existing.pk,
        message=f"The same content is already in the corpus as document {existing.pk}.",
    )


@transaction.atomic
def do_import_document(
    project: Project,
    *,
    filename: str,
    data: bytes,
    actor: AbstractBaseUser | None,
    meta: Metadata | None = None,
    media_type: str | None = None,
    synthetic: bool = False,
    ocr: bool = False,
    limits: Any = None,
    flag: tuple[str, str] | None = None,
    sha256: str | None = None,
    size: int | None = None,
) -> ImportOutcome:
    """Store one document: extract and normalise its text, identify its language, keep the bytes.

    A document whose extraction fails is stored as ``flagged`` with the reason; one whose content
    is already in the project is reported as ``duplicate`` and not stored again. ``flag`` (reason,
    message) stores a flagged document without extracting (a file refused before reading, with
    its ``sha256`` and ``size`` given).
    """
    from tillit.text.extract import ExtractionError, Limits, extract, sniff_media_type

    fields = (meta or Metadata()).checked()
    sha = sha256 or sha256_of(data)
    dup = _duplicate(project, sha, filename or fields["source_url"])
    if dup is not None:
        return dup
    limits = limits or Limits()
    doc = Document(
        project=project,
        sha256=sha,
        filename=filename[:500],
        size=len(data) if size is None else size,
        synthetic=synthetic,
        imported_by=actor if actor is not None and actor.pk else None,
        **fields,
    )
    if flag is not None:
        doc.status, doc.flag_reason, doc.flag_message = Document.Status.FLAGGED, *flag
    else:
        try:
            doc.media_type = media_type or sniff_media_type(data, filename)
            ex = extract(data, filename, media_type=media_type, ocr=ocr, limits=limits)
        except ExtractionError as exc:
            doc.status = Document.Status.FLAGGED
            doc.flag_reason = exc.reason
            doc.flag_message = f"{exc.message} {exc.hint}".strip()
        except Exception as exc:  # a reader's bug must not stop a batch
            doc.status, doc.flag_reason = Document.Status.FLAGGED, "error"
            doc.flag_message = (
                f"{filename}: unexpected error while reading ({type(exc).__name__}: {exc}). "
                "Please report it with the file."
            )
        else:
            _fill_text(doc, ex)
    doc.save()
    Original.objects.create(document=doc, data=data)
    audit.record(
        actor=actor,
        action="document.import",
        obj=doc,
        project=project,
        after=audit.snapshot(doc, DOCUMENT_FIELDS),
    )
    status = "flagged" if doc.status == Document.Status.FLAGGED else "imported"
    return ImportOutcome(
        filename or doc.source_url,
        status,
        sha,
        doc.pk,
        reason=doc.flag_reason,
        message=doc.flag_message,
        lang=doc.lang,
    )


def _fill_text(doc: Document, ex: Any) -> None:
    from tillit.text.langid import identify

    doc.media_type = ex.media_type or doc.media_type
    doc.text = ex.text
    doc.pages = ex.pages
    if not doc.title and ex.title:
        doc.title = ex.title.strip()[:500]
    guess = identify(ex.text[:20000])
    doc.lang, doc.lang_confidence = guess.lang, guess.confidence


@transaction.atomic
def do_reextract_document(
    document: Document, *, actor: AbstractBaseUser | None, ocr: bool = True
) -> Document:
    """Extract a document again from its kept bytes (for example with OCR); clears its screening."""
    from tillit.text.extract import ExtractionError, extract

    doc = Document.objects.select_for_update().get(pk=document.pk)
    data = bytes(Original.objects.get(document=doc).data)
    if not data:
        raise TillitError(
            f"Document {doc.pk} has no stored bytes ({doc.flag_reason}).",
            ErrorCode.CONFLICT,
            hint="Import the file again after fixing it.",
        )
    before = audit.snapshot(doc, DOCUMENT_FIELDS)
    try:
        ex = extract(data, doc.filename, ocr=ocr)
    except ExtractionError as exc:
        doc.status, doc.flag_reason = Document.Status.FLAGGED, exc.reason
        doc.flag_message = f"{exc.message} {exc.hint}".strip()
        doc.text = ""
    else:
        doc.status, doc.flag_reason, doc.flag_message = Document.Status.OK, "", ""
        _fill_text(doc, ex)
    doc.screened_version = ""
    doc.passages.all().delete()
    doc.save()
    audit.record(
        actor=actor,
        action="document.reextract",
        obj=doc,
        project=doc.project,
        before=before,
        after=audit.snapshot(doc, DOCUMENT_FIELDS),
    )
    return doc


@transaction.atomic
def do_update_document(
    document: Document, meta: Metadata, *, actor: AbstractBaseUser | None
) -> Document:
    """Change a document's metadata (municipality, date, type, title, source address)."""
    doc = Document.objects.select_for_update().get(pk=document.pk)
    before = audit.snapshot(doc, DOCUMENT_FIELDS)
    for k, v in meta.checked().items():
        setattr(doc, k, v)
    doc.save()
    audit.record(
        actor=actor,
        action="document.update",
        obj=doc,
        project=doc.project,
        before=before,
        after=audit.snapshot(doc, DOCUMENT_FIELDS),
    )
    return doc


# ----------------------------------------------------------------------------------------------
# screening


@transaction.atomic
def do_start_screening(
    project: Project,
    *,
    lexicon_version: str,
    total: int,
    actor: AbstractBaseUser | None,
    scheduler: str = "",
    skipped: int = 0,
) -> ScreeningRun:
    """Open a screening run (a job whose progress pages and the CLI show). A run of the project
    still marked running (its process was killed) is closed as failed."""
    stale = ScreeningRun.objects.filter(project=project, state=ScreeningRun.State.RUNNING)
    stale.update(
        state=ScreeningRun.State.FAILED,
        finished_at=timezone.now(),
        error="Interrupted: the run stopped without finishing (a newer run took over).",
    )
    run = ScreeningRun.objects.create(
        project=project,
        lexicon_version=lexicon_version,
        total=total,
        skipped=skipped,
        scheduler=scheduler,
        started_by=actor if actor is not None and actor.pk else None,
    )
    audit.record(
        actor=actor,
        action="screening.start",
        obj=run,
        project=project,
        after={"lexicon_version": lexicon_version, "total": total, "scheduler": scheduler},
    )
    return run


@dataclass(frozen=True)
class PassageResult:
    """One passage's screening, in the form both the in-process and the Dask path produce."""

    index: int
    start: int
    end: int
    lang: str
    lang_confidence: float | None
    #: concept -> (score, [{"term", "lang", "start", "end"}, ...])
    scores: dict[str, tuple[float, list[dict[str, Any]]]]


@transaction.atomic
def do_store_screening(
    run: ScreeningRun,
    results: Sequence[tuple[int, str, Sequence[PassageResult]]],
    *,
    actor: AbstractBaseUser | None,
) -> ScreeningRun:
    """Store the screening of a batch of documents: ``(document id, document language, passages)``.

    Passages whose offsets did not change are kept (with their labels); their scores are replaced.
    The run's progress advances by the number of documents.
    """
    run = ScreeningRun.objects.select_for_update().get(pk=run.pk)
    doc_ids = [r[0] for r in results]
    docs = {
        d.pk: d
        for d in Document.objects.filter(pk__in=doc_ids, project_id=run.project_id).only(
            "id", "lang", "screened_version"
        )
    }
    existing: dict[tuple[int, int], Passage] = {
        (p.document_id, p.index): p for p in Passage.objects.filter(document_id__in=doc_ids)
    }
    PassageScore.objects.filter(passage__document_id__in=doc_ids).delete()
    keep: set[int] = set()
    new: list[Passage] = []
    for doc_id, _lang, passages in results:
        for pr in passages:
            old = existing.get((doc_id, pr.index))
            if old is not None and (old.start, old.end) == (pr.start, pr.end):
                keep.add(old.pk)
                if (old.lang, old.lang_confidence) != (pr.lang, pr.lang_confidence):
                    old.lang, old.lang_confidence = pr.lang, pr.lang_confidence
                    old.save(update_fields=["lang", "lang_confidence"])
                continue
            new.append(
                Passage(
                    document_id=doc_id,
                    index=pr.index,
                    start=pr.start,
                    end=pr.end,
                    lang=pr.lang,
                    lang_confidence=pr.lang_confidence,
                )
            )
    # A passage that no longer scores goes, unless people labelled it and no new passage takes
    # its place (labels are human work; the offsets still point into the same text).
    new_keys = {(p.document_id, p.index) for p in new}
    labelled = set(
        Label.objects.filter(passage__document_id__in=doc_ids).values_list("passage_id", flat=True)
    )
    stale = [
        p.pk
        for key, p in existing.items()
        if p.pk not in keep and (p.pk not in labelled or key in new_keys)
    ]
    Passage.objects.filter(pk__in=stale).delete()
    Passage.objects.bulk_create(new, batch_size=1000)
    by_key = {
        (p.document_id, p.index): p.pk
        for p in Passage.objects.filter(document_id__in=doc_ids).only("id", "document_id", "index")
    }
    scores = [
        PassageScore(
            passage_id=by_key[(doc_id, pr.index)], concept=concept, score=score, terms=terms
        )
        for doc_id, _lang, passages in results
        for pr in passages
        for concept, (score, terms) in sorted(pr.scores.items())
    ]
    PassageScore.objects.bulk_create(scores, batch_size=2000)
    for doc_id, lang, _ in results:
        doc = docs[doc_id]
        doc.screened_version = run.lexicon_version
        if lang and not doc.lang:
            doc.lang = lang
    Document.objects.bulk_update(list(docs.values()), ["screened_version", "lang"])
    run.done += len(results)
    run.n_passages += sum(len(r[2]) for r in results)
    run.n_scores += len(scores)
    run.save(update_fields=["done", "n_passages", "n_scores"])
    audit.record(
        actor=actor,
        action="screening.store",
        obj=run,
        project=run.project,
        after={"documents": len(results), "scores": len(scores), "done": run.done},
    )
    return run


@transaction.atomic
def do_finish_screening(
    run: ScreeningRun, *, actor: AbstractBaseUser | None, error: str = ""
) -> ScreeningRun:
    """Close a run as done, or as failed with the error (a new run resumes the rest)."""
    run = ScreeningRun.objects.select_for_update().get(pk=run.pk)
    run.state = ScreeningRun.State.FAILED if error else ScreeningRun.State.DONE
    run.error = error
    run.finished_at = timezone.now()
    run.save(update_fields=["state", "error", "finished_at"])
    audit.record(
        actor=actor,
        action="screening.finish",
        obj=run,
        project=run.project,
        after={"state": run.state, "done": run.done, "total": run.total, "error": error},
    )
    return run


# ----------------------------------------------------------------------------------------------
# labels


def _check_concept(concept: str) -> str:
    from tillit.taxonomy import load_taxonomy

    if concept not in load_taxonomy().concepts:
        raise TillitError(
            f"Concept {concept!r} is not in the taxonomy.",
            ErrorCode.INVALID_INPUT,
            hint="See the concepts with `tillit taxonomy list`.",
        )
    return concept


@transaction.atomic
def do_label_passage(
    passage: Passage,
    concept: str,
    decision: str,
    *,
    screener: AbstractBaseUser,
    actor: AbstractBaseUser | None = None,
) -> Label:
    """Record a screener's accept/reject of ``passage`` as evidence for ``concept``.

    A new decision by the same screener supersedes the previous one (kept as history).
    """
    _check_concept(concept)
    if decision not in Label.Decision.values:
        raise TillitError(
            f"Decision {decision!r} is unknown.",
            ErrorCode.INVALID_INPUT,
            hint="Use accept or reject.",
        )
    previous = (
        Label.objects.select_for_update()
        .filter(passage=passage, concept=concept, screener=screener, current=True)
        .first()
    )
    if previous is not None:
        previous.current = False
        previous.save(update_fields=["current"])
    label = Label.objects.create(
        passage=passage, concept=concept, decision=decision, screener=screener
    )
    audit.record(
        actor=actor or screener,
        action="label.relabel" if previous else "label.create",
        obj=label,
        project=passage.document.project,
        before={"decision": previous.decision} if previous else None,
        after={
            "passage": passage.pk,
            "concept": concept,
            "decision": decision,
            "screener": screener.get_username(),
        },
    )
    return label


@transaction.atomic
def do_relabel_passage(
    passage: Passage, from_concept: str, to_concept: str, *, screener: AbstractBaseUser
) -> Label:
    """The passage is evidence for ``to_concept`` rather than ``from_concept``: one reject and one
    accept, recorded as one event."""
    _check_concept(to_concept)
    rows = []
    for concept, decision in ((from_concept, "reject"), (to_concept, "accept")):
        prev = Label.objects.filter(
            passage=passage, concept=concept, screener=screener, current=True
        )
        prev.update(current=False)
        rows.append(
            Label.objects.create(
                passage=passage, concept=concept, decision=decision, screener=screener
            )
        )
    audit.record(
        actor=screener,
        action="label.relabel",
        obj=rows[1],
        project=passage.document.project,
        before={"concept": from_concept},
        after={"passage": passage.pk, "concept": to_concept, "screener": screener.get_username()},
    )
    return rows[1]


# ----------------------------------------------------------------------------------------------
# classifier evaluation


@transaction.atomic
def do_record_evaluation(
    project: Project,
    rows: list[dict[str, Any]],
    *,
    n_labelled: int,
    folds: int,
    actor: AbstractBaseUser | None,
) -> Evaluation:
    """Keep a cross-validated evaluation of the classifier (shown on the classifier page)."""
    ev = Evaluation.objects.create(
        project=project,
        rows=rows,
        n_labelled=n_labelled,
        folds=folds,
        created_by=actor if actor is not None and actor.pk else None,
    )
    audit.record(
        actor=actor,
        action="classifier.evaluate",
        obj=ev,
        project=project,
        after={"n_labelled": n_labelled, "folds": folds, "concepts": len(rows)},
    )
    return ev


# ----------------------------------------------------------------------------------------------
# suggestions


def evidence_passages(
    project: Project, concept: str, municipality_code: str | None = None
) -> Iterable[Passage]:
    """Passages with lexicon evidence for ``concept`` that no screener's current label rejects
    (unless another accepts it)."""
    qs = Passage.objects.filter(
        document__project=project,
        document__status=Document.Status.OK,
        scores__concept=concept,
        scores__score__gte=EVIDENCE_SCORE,
    )
    if municipality_code is not None:
        qs = qs.filter(document__municipality_code=municipality_code)
    rejected = set(
        Label.objects.filter(
            passage__document__project=project, concept=concept, current=True, decision="reject"
        ).values_list("passage_id", flat=True)
    )
    accepted = set(
        Label.objects.filter(
            passage__document__project=project, concept=concept, current=True, decision="accept"
        ).values_list("passage_id", flat=True)
    )
    rows = qs.select_related("document").only(
        "id", "index", "start", "end", "document_id", "document__municipality_code"
    )
    return [
        p for p in rows.order_by("document_id", "index") if p.pk not in rejected or p.pk in accepted
    ]


def _has_initiative(project: Project, code: str) -> bool:
    try:
        from tillit.apps.mapping.services import initiatives_for
    except ImportError:  # the register app is not there (yet): every municipality lacks one
        return False
    return initiatives_for(project, code).exists()


@transaction.atomic
def do_refresh_suggestions(
    project: Project, *, actor: AbstractBaseUser | None, concept: str = SUGGESTION_CONCEPT
) -> list[Suggestion]:
    """Suggest a register entry for each municipality with evidence for ``concept`` and no
    initiative in the register; an open suggestion gets the new evidence added. Returns the new
    suggestions."""
    by_code: dict[str, list[Passage]] = {}
    for p in evidence_passages(project, concept):
        if p.document.municipality_code:
            by_code.setdefault(p.document.municipality_code, []).append(p)
    created = []
    for code, passages in sorted(by_code.items()):
        if _has_initiative(project, code):
            continue
        existing = Suggestion.objects.filter(project=project, municipality_code=code).first()
        if existing is None:
            s = Suggestion.objects.create(
                project=project, municipality_code=code, concepts=[concept]
            )
            created.append(s)
        elif existing.state != Suggestion.State.OPEN:
            continue
        else:
            s = existing
        s.passages.add(*passages)
    audit.record(
        actor=actor,
        action="suggestion.refresh",
        obj=project,
        project=project,
        after={"created": [s.municipality_code for s in created], "concept": concept},
    )
    return created


def _open_suggestion(suggestion: Suggestion) -> Suggestion:
    s = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if s.state != Suggestion.State.OPEN:
        raise TillitError(
            f"The suggestion for {s.municipality_code} is already {s.state}.",
            ErrorCode.CONFLICT,
            hint="Reload the suggestions page.",
        )
    return s


def evidence_spec(passage: Passage) -> dict[str, Any]:
    """The register's evidence record for a passage (kind "passage", ref = document sha256)."""
    doc = passage.document
    quote = doc.text[passage.start : passage.end]
    return {
        "kind": "passage",
        "ref": doc.sha256,
        "start": passage.start,
        "end": passage.end,
        "quote": quote[:2000],
        "title": doc.display_title[:300],
        "url": doc.source_url,
        "note": "",
    }


@transaction.atomic
def do_confirm_suggestion(
    suggestion: Suggestion, *, actor: AbstractBaseUser, title: str = "", note: str = ""
) -> Suggestion:
    """A reviewer confirms: the register gets an initiative with the passages as evidence."""
    from tillit.apps.mapping.services import do_create_initiative

    s = _open_suggestion(suggestion)
    passages = list(s.passages.select_related("document").order_by("document_id", "index"))
    years = [p.document.date.year for p in passages if p.document.date]
    m = registry.get(s.municipality_code)
    initiative = do_create_initiative(
        s.project,
        municipality_code=m.code,
        country=m.country,
        title=title or f"Trust reform in {m.name} (from screened documents)",
        actor=actor,
        start_year=min(years) if years else None,
        measures=[c for c in s.concepts if c.startswith("measure.")],
        notes=note,
        evidence=[evidence_spec(p) for p in passages],
    )
    s.state, s.initiative_id = Suggestion.State.CONFIRMED, initiative.pk
    s.decided_at, s.decided_by, s.note = timezone.now(), actor, note
    s.save()
    audit.record(
        actor=actor,
        action="suggestion.confirm",
        obj=s,
        project=s.project,
        after={"municipality_code": s.municipality_code, "initiative": initiative.pk},
    )
    return s


@transaction.atomic
def do_reject_suggestion(
    suggestion: Suggestion, *, actor: AbstractBaseUser, note: str = ""
) -> Suggestion:
    """A reviewer rejects: the municipality is not suggested again for this evidence."""
    s = _open_suggestion(suggestion)
    s.state, s.decided_at, s.decided_by, s.note = (
        Suggestion.State.REJECTED,
        timezone.now(),
        actor,
        note,
    )
    s.save()
    audit.record(
        actor=actor,
        action="suggestion.reject",
        obj=s,
        project=s.project,
        after={"municipality_code": s.municipality_code, "note": note},
    )
    return s


def get_document(project: Project, sha256: str) -> Document:
    doc = Document.objects.filter(project=project, sha256=sha256.lower()).first()
    if doc is None:
        raise NotFoundError(
            f"Project {project.slug!r} has no document {sha256[:12]}….",
            hint="List the documents with `tillit corpus list PROJECT`.",
        )
    return doc
