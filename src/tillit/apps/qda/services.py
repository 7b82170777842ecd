"""Every write to qualitative data: one ``do_<verb>_<noun>()`` each, in one transaction, with one
audit event. Nothing else writes qda rows.

Audit rows name sources by id and name and codes by name; they never copy interview text or the
pseudonym key. Callers check permissions through :mod:`tillit.apps.qda.access` (pages) or shell
access (CLI); services check what depends on the data (a coder restricted to assigned sources).

This module holds settings, sources, coding, memos and cases, and the helpers the other two
service modules share: :mod:`~tillit.apps.qda.services_codebook` (codes, starter codebook,
``.qdc`` import) and :mod:`~tillit.apps.qda.services_exchange` (autocoding, pseudonymisation,
REFI-QDA ``.qdpx``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from pathlib import PurePath
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from tillit import registry
from tillit.apps.core import audit
from tillit.apps.core.models import Membership, Project
from tillit.apps.core.roles import Role
from tillit.apps.qda.models import (
    Case,
    CaseAssignment,
    Code,
    CodeHistory,
    Coding,
    Memo,
    QdaSettings,
    Source,
    SpeakerSegment,
)
from tillit.errors import ErrorCode, TillitError

#: Largest source file accepted from a page or the CLI.
MAX_SOURCE_BYTES = 50 * 1024 * 1024
#: Largest REFI-QDA project accepted.
MAX_QDPX_BYTES = 200 * 1024 * 1024
TRANSCRIPT_EXTENSIONS = (".vtt", ".srt")
SOURCE_EXTENSIONS = (".txt", ".md", ".docx", ".odt", ".pdf", ".html", ".htm", ".vtt", ".srt")
SOURCE_META = (
    "name",
    "kind",
    "actor_type",
    "organisation",
    "municipality_code",
    "country",
    "language",
    "date",
    "interviewer",
    "consent",
    "description",
    "is_synthetic",
)
CODE_FIELDS = (
    "name",
    "description",
    "inclusion",
    "exclusion",
    "example",
    "colour",
    "concept_id",
    "order",
    "is_codable",
)
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
#: Colours given to new codes in turn (readable behind dark text).
PALETTE = (
    "#f0c94d",
    "#8fd1a4",
    "#9cc3f0",
    "#f2a5a0",
    "#c9b3ec",
    "#f5c28c",
    "#a8e0e0",
    "#d9d98c",
    "#e6b3cc",
    "#b8c7a3",
)


# ----------------------------------------------------------------------------------------------
# helpers


def _actor_user(actor: AbstractBaseUser | None) -> AbstractBaseUser | None:
    return actor if actor is not None and actor.pk else None


def _source_ref(source: Source) -> dict[str, Any]:
    return {"source_id": source.pk, "source": source.name}


def _code_snapshot(code: Code) -> dict[str, Any]:
    snap = audit.snapshot(code, CODE_FIELDS)
    snap["parent"] = code.parent.name if code.parent_id and code.parent else None
    snap["parent_id"] = code.parent_id
    return snap


def _history(
    code: Code | None,
    action: str,
    *,
    project: Project,
    actor: AbstractBaseUser | None,
    name: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    CodeHistory.objects.create(
        project=project,
        code=code,
        code_name=name[:200],
        action=action,
        before=before,
        after=after,
        actor=_actor_user(actor),
    )


def check_municipality(code: str, country: str = "") -> tuple[str, str]:
    """``(code, country)`` for a registry municipality code; raises a located error."""
    code = (code or "").strip()
    if not code:
        return "", country
    try:
        m = registry.get(code, country=country or None)
    except TillitError as exc:
        raise TillitError(
            f"{code!r} is not a municipality code in the registry.",
            ErrorCode.INVALID_INPUT,
            hint="Use a 4-digit Norwegian (e.g. 0301) or 3-digit Danish (e.g. 101) code; "
            "search with `tillit registry search NAME`.",
        ) from exc
    return m.code, m.country


def check_concept(concept_id: str) -> str:
    """A taxonomy concept id, or raise with suggestions."""
    concept_id = (concept_id or "").strip()
    if not concept_id:
        return ""
    from tillit.taxonomy import load_taxonomy

    load_taxonomy().get(concept_id)  # raises NotFoundError with close ids
    return concept_id


def _check_colour(colour: str) -> str:
    if not _COLOUR.match(colour or ""):
        raise TillitError(
            f"Colour {colour!r} is not of the form #RRGGBB.",
            ErrorCode.INVALID_INPUT,
            hint="Give six hexadecimal digits, for example #f0c94d.",
        )
    return colour.lower()


def _choice(value: str, choices: Any, what: str) -> str:
    allowed = [c for c, _ in choices]
    if value not in allowed:
        raise TillitError(
            f"{what} {value!r} is not one of {', '.join(allowed)}.",
            ErrorCode.INVALID_INPUT,
            hint=f"Choose one of {', '.join(allowed)}.",
        )
    return value


def settings_row(project: Project) -> QdaSettings:
    row, _ = QdaSettings.objects.get_or_create(project=project)
    return row


def is_restricted(project: Project, user: AbstractBaseUser | None) -> bool:
    """True when ``user`` may code only the sources assigned to them."""
    if user is None or not user.pk:
        return False
    m = Membership.objects.filter(project=project, user_id=user.pk).first()
    if m is None or Role(m.role).rank >= Role.RESEARCHER.rank:
        return False
    return QdaSettings.objects.filter(project=project, assigned_only=True).exists()


def _check_may_code(source: Source, coder: AbstractBaseUser) -> None:
    if (
        is_restricted(source.project, coder)
        and not source.assigned_coders.filter(pk=coder.pk).exists()
    ):
        raise TillitError(
            f"{coder.get_username()} is not assigned to source {source.name!r}.",
            ErrorCode.PERMISSION,
            hint="Ask a researcher to assign the source to you.",
        )


# ----------------------------------------------------------------------------------------------
# settings


@transaction.atomic
def do_update_settings(
    project: Project, *, actor: AbstractBaseUser | None, assigned_only: bool | None = None
) -> QdaSettings:
    """Change the project's qda settings (e.g. coders see only their assigned sources)."""
    row = settings_row(project)
    before = {"assigned_only": row.assigned_only}
    if assigned_only is not None:
        row.assigned_only = bool(assigned_only)
    row.save()
    audit.record(
        actor=actor,
        action="qda.settings.update",
        obj=row,
        project=project,
        before=before,
        after={"assigned_only": row.assigned_only},
    )
    return row


# ----------------------------------------------------------------------------------------------
# sources


def _clean_meta(meta: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in meta.items() if k in SOURCE_META and v is not None}
    if "kind" in out:
        _choice(out["kind"], Source.Kind.choices, "Source kind")
    if out.get("actor_type"):
        _choice(out["actor_type"], Source.ActorType.choices, "Actor type")
    if "consent" in out:
        _choice(out["consent"], Source.Consent.choices, "Consent status")
    if out.get("municipality_code"):
        out["municipality_code"], country = check_municipality(
            out["municipality_code"], out.get("country", "")
        )
        out["country"] = country
    if "country" in out:
        out["country"] = (out["country"] or "").upper()[:2]
    if "name" in out:
        out["name"] = str(out["name"]).strip()[:300]
    return out


def _make_source(
    project: Project,
    text: str,
    *,
    actor: AbstractBaseUser | None,
    segments: Sequence[dict[str, Any]] = (),
    **meta: Any,
) -> Source:
    from tillit.text.normalize import normalize

    text = normalize(text)
    if not text.strip():
        raise TillitError(
            f"Source {meta.get('name', '')!r} has no text.",
            ErrorCode.INVALID_INPUT,
            hint="Check that the file holds text (a scanned PDF needs OCR first).",
        )
    clean = _clean_meta(meta)
    if not clean.get("name"):
        raise TillitError("A source needs a name.", ErrorCode.INVALID_INPUT)
    extra = {k: meta[k] for k in ("media_type", "filename", "guid", "attributes") if k in meta}
    source = Source.objects.create(
        project=project,
        text=text,
        text_sha256=hashlib.sha256(text.encode()).hexdigest(),
        created_by=_actor_user(actor),
        **clean,
        **extra,
    )
    rows = []
    for n, seg in enumerate(segments):
        start, end = int(seg["start"]), int(seg["end"])
        if not 0 <= start <= end <= len(text):
            raise TillitError(
                f"Speaker segment {n + 1} ({start}-{end}) lies outside the text.",
                ErrorCode.INVALID_INPUT,
            )
        rows.append(
            SpeakerSegment(
                source=source,
                order=n,
                speaker=str(seg.get("speaker") or "")[:200],
                start=start,
                end=end,
                begin_ms=seg.get("begin_ms"),
                end_ms=seg.get("end_ms"),
            )
        )
    SpeakerSegment.objects.bulk_create(rows)
    return source


def _source_after(source: Source) -> dict[str, Any]:
    return {
        **audit.snapshot(source, (*SOURCE_META, "media_type", "filename", "text_sha256")),
        "length": len(source.text),
        "guid": str(source.guid),
    }


@transaction.atomic
def do_create_source(
    project: Project,
    name: str,
    text: str,
    *,
    actor: AbstractBaseUser | None,
    segments: Sequence[dict[str, Any]] = (),
    **meta: Any,
) -> Source:
    """A source from text (normalised here: NFC, ``\\n`` line ends), with its metadata.

    ``segments`` are speaker turns ``{"speaker", "start", "end", "begin_ms", "end_ms"}`` with
    offsets into the normalised text.
    """
    source = _make_source(project, text, actor=actor, segments=segments, name=name, **meta)
    audit.record(
        actor=actor,
        action="qda.source.create",
        obj=source,
        project=project,
        after=_source_after(source),
    )
    return source


def _decode(data: bytes, filename: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise TillitError(
            f"{filename}: the text encoding could not be recognised.",
            ErrorCode.INVALID_INPUT,
            hint="Save the file as UTF-8 and import it again.",
        )
    return str(best)


def read_source_file(filename: str, data: bytes, *, transcript: bool = False) -> dict[str, Any]:
    """``{"text", "segments", "media_type", "title", "warnings"}`` of an uploaded file.

    TXT, Markdown, DOCX, ODT, PDF and HTML go through :func:`tillit.text.extract.extract`;
    VTT and SRT subtitles (and, with ``transcript=True``, "Speaker: text" turns in a text file)
    through :mod:`tillit.qda.transcripts`, keeping the speaker turns as segments.
    """
    if len(data) > MAX_SOURCE_BYTES:
        raise TillitError(
            f"{filename} is {len(data) / 1e6:.1f} MB; sources may be at most "
            f"{MAX_SOURCE_BYTES / 1e6:.0f} MB.",
            ErrorCode.INVALID_INPUT,
            hint="Split the file, or import its text only.",
        )
    ext = PurePath(filename).suffix.lower()
    if ext not in SOURCE_EXTENSIONS:
        raise TillitError(
            f"{filename!r}: tillit cannot read {ext or 'files without an extension'} files.",
            ErrorCode.INVALID_INPUT,
            hint="Import " + ", ".join(SOURCE_EXTENSIONS) + " files.",
        )
    if ext in TRANSCRIPT_EXTENSIONS or transcript:
        import tillit.qda.transcripts as transcripts

        fmt = {".vtt": "vtt", ".srt": "srt"}.get(ext, "turns")
        tr = transcripts.parse_transcript(_decode(data, filename), fmt)  # type: ignore[arg-type]
        return {
            "text": tr.text,
            "segments": [
                {
                    "speaker": t.speaker or "",
                    "start": t.start,
                    "end": t.end,
                    "begin_ms": None if t.media_start is None else round(t.media_start * 1000),
                    "end_ms": None if t.media_end is None else round(t.media_end * 1000),
                }
                for t in tr.segments
            ],
            "media_type": "text/vtt" if ext == ".vtt" else "text/plain",
            "title": None,
            "warnings": [],
        }
    from tillit.text.extract import extract

    ex = extract(data, filename)
    return {
        "text": ex.text,
        "segments": [],
        "media_type": ex.media_type,
        "title": ex.title,
        "warnings": list(ex.warnings),
    }


@transaction.atomic
def do_import_source(
    project: Project,
    filename: str,
    data: bytes,
    *,
    actor: AbstractBaseUser | None,
    transcript: bool = False,
    **meta: Any,
) -> Source:
    """Import a file as a source (see :func:`read_source_file`); a bad file stores nothing."""
    read = read_source_file(filename, data, transcript=transcript)
    name = meta.pop("name", None) or read["title"] or PurePath(filename).stem
    source = _make_source(
        project,
        read["text"],
        actor=actor,
        segments=read["segments"],
        name=name,
        media_type=read["media_type"][:100],
        filename=PurePath(filename).name[:300],
        **meta,
    )
    audit.record(
        actor=actor,
        action="qda.source.import",
        obj=source,
        project=project,
        after={
            **_source_after(source),
            "bytes": len(data),
            "segments": len(read["segments"]),
            "warnings": read["warnings"][:20],
        },
    )
    return source


@transaction.atomic
def do_update_source(source: Source, *, actor: AbstractBaseUser | None, **meta: Any) -> Source:
    """Change a source's metadata; its text never changes (see :class:`Source`)."""
    if "text" in meta:
        raise TillitError(
            f"The text of source {source.name!r} cannot change after import.",
            ErrorCode.CONFLICT,
            hint="Import the new text as a new source.",
        )
    source = Source.objects.select_for_update().get(pk=source.pk)
    before = audit.snapshot(source, SOURCE_META)
    for k, v in _clean_meta(meta).items():
        setattr(source, k, v)
    if not source.name:
        raise TillitError("A source needs a name.", ErrorCode.INVALID_INPUT)
    source.save()
    audit.record(
        actor=actor,
        action="qda.source.update",
        obj=source,
        project=source.project,
        before=before,
        after=audit.snapshot(source, SOURCE_META),
    )
    return source


@transaction.atomic
def do_assign_coders(
    source: Source, coders: Iterable[AbstractBaseUser], *, actor: AbstractBaseUser | None
) -> Source:
    """Set the coders a source is assigned to (members of the project only)."""
    coders = list(coders)
    members = set(
        Membership.objects.filter(project=source.project_id).values_list("user_id", flat=True)
    )
    for u in coders:
        if u.pk not in members:
            raise TillitError(
                f"{u.get_username()} is not a member of the project.",
                ErrorCode.INVALID_INPUT,
                hint="Add them to the project first.",
            )
    before = sorted(source.assigned_coders.values_list("username", flat=True))
    source.assigned_coders.set(coders)
    audit.record(
        actor=actor,
        action="qda.source.assign",
        obj=source,
        project=source.project,
        before={"coders": before},
        after={"coders": sorted(u.get_username() for u in coders)},
    )
    return source


@transaction.atomic
def do_delete_source(source: Source, *, actor: AbstractBaseUser | None) -> None:
    """Delete a source with its codings, memos and case assignments."""
    before = {**_source_ref(source), "codings": source.codings.count()}
    audit.record(
        actor=actor, action="qda.source.delete", obj=source, project=source.project, before=before
    )
    source.delete()


# ----------------------------------------------------------------------------------------------
# coding


def _check_span(source: Source, start: int, end: int) -> None:
    n = len(source.text)
    if not (isinstance(start, int) and isinstance(end, int)) or not 0 <= start < end <= n:
        raise TillitError(
            f"The span {start}-{end} is not inside source {source.name!r} (length {n}).",
            ErrorCode.INVALID_INPUT,
            hint="Positions are Unicode code points, 0-based, end-exclusive, start < end.",
        )


@transaction.atomic
def do_add_coding(
    source: Source,
    codes: Sequence[Code],
    start: int,
    end: int,
    *,
    coder: AbstractBaseUser,
    actor: AbstractBaseUser | None = None,
) -> list[Coding]:
    """Apply one or several codes to ``source.text[start:end]`` as ``coder``'s codings.

    A coding the coder already has (same code and span) is returned, not doubled.
    """
    actor = actor or coder
    if not codes:
        raise TillitError("Choose at least one code.", ErrorCode.INVALID_INPUT)
    _check_span(source, start, end)
    _check_may_code(source, coder)
    now = timezone.now()
    out: list[Coding] = []
    created = []
    for code in codes:
        if code.project_id != source.project_id:
            raise TillitError("The code belongs to another project.", ErrorCode.INVALID_INPUT)
        if not code.is_codable:
            raise TillitError(
                f"Code {code.name!r} is a category and cannot be applied.",
                ErrorCode.INVALID_INPUT,
                hint="Choose one of its sub-codes.",
            )
        c, was_new = Coding.objects.get_or_create(
            source=source,
            code=code,
            coder=coder,
            start=start,
            end=end,
            defaults={"project_id": source.project_id, "created_at": now},
        )
        out.append(c)
        if was_new:
            created.append(code.name)
    audit.record(
        actor=actor,
        action="qda.coding.add",
        obj=out[0],
        project=source.project,
        after={
            **_source_ref(source),
            "start": start,
            "end": end,
            "codes": [c.name for c in codes],
            "new": created,
            "coder": coder.get_username(),
        },
    )
    return out


@transaction.atomic
def do_remove_coding(coding: Coding, *, actor: AbstractBaseUser | None) -> None:
    """Remove one coding (and the memos written on it)."""
    before = {
        **_source_ref(coding.source),
        "code": coding.code.name,
        "start": coding.start,
        "end": coding.end,
        "coder": coding.coder.get_username(),
    }
    audit.record(
        actor=actor,
        action="qda.coding.remove",
        obj=coding,
        project=coding.source.project,
        before=before,
    )
    coding.delete()


# ----------------------------------------------------------------------------------------------
# memos


@transaction.atomic
def do_save_memo(
    project: Project,
    text: str,
    *,
    actor: AbstractBaseUser | None,
    title: str = "",
    target: Code | Coding | Source | None = None,
    memo: Memo | None = None,
) -> Memo:
    """Write a new memo on the project, a code, a coding or a source, or change ``memo``."""
    text = (text or "").strip()
    if not text:
        raise TillitError("A memo needs some text.", ErrorCode.INVALID_INPUT)
    now = timezone.now()
    if memo is not None:
        memo = Memo.objects.select_for_update().get(pk=memo.pk, project=project)
        before = {"title": memo.title, "length": len(memo.text)}
        memo.text, memo.title, memo.updated_at = text, title.strip()[:300], now
        memo.save()
        action = "qda.memo.update"
    else:
        before = None
        kind = Memo.Target.PROJECT
        links: dict[str, Any] = {}
        if isinstance(target, Code):
            kind, links = Memo.Target.CODE, {"code": target}
        elif isinstance(target, Coding):
            kind, links = Memo.Target.CODING, {"coding": target}
        elif isinstance(target, Source):
            kind, links = Memo.Target.SOURCE, {"source": target}
        for obj in links.values():
            if obj.project_id != project.pk:
                raise TillitError("The memo's target is in another project.")
        memo = Memo.objects.create(
            project=project,
            target=kind,
            title=title.strip()[:300],
            text=text,
            author=_actor_user(actor),
            created_at=now,
            updated_at=now,
            **links,
        )
        action = "qda.memo.create"
    audit.record(
        actor=actor,
        action=action,
        obj=memo,
        project=project,
        before=before,
        after={"target": memo.target, "title": memo.title, "length": len(memo.text)},
    )
    return memo


@transaction.atomic
def do_delete_memo(memo: Memo, *, actor: AbstractBaseUser | None) -> None:
    before = {"target": memo.target, "title": memo.title, "length": len(memo.text)}
    audit.record(
        actor=actor, action="qda.memo.delete", obj=memo, project=memo.project, before=before
    )
    memo.delete()


# ----------------------------------------------------------------------------------------------
# cases


def _clean_attributes(attributes: dict[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in (attributes or {}).items():
        key = str(k).strip()[:100]
        if not key:
            continue
        if not isinstance(v, str | int | float | bool) and v is not None:
            v = str(v)
        out[key] = v
    return out


@transaction.atomic
def do_save_case(
    project: Project,
    name: str,
    *,
    actor: AbstractBaseUser | None,
    kind: str = Case.Kind.MUNICIPALITY,
    municipality_code: str = "",
    description: str = "",
    attributes: dict[str, Any] | None = None,
    case: Case | None = None,
) -> Case:
    """Create a case (a municipality, an actor) with attributes, or change ``case``."""
    name = (name or "").strip()[:200]
    if not name:
        raise TillitError("A case needs a name.", ErrorCode.INVALID_INPUT)
    _choice(kind, Case.Kind.choices, "Case kind")
    code = check_municipality(municipality_code)[0] if municipality_code else ""
    clash = Case.objects.filter(project=project, name__iexact=name)
    if case is not None:
        clash = clash.exclude(pk=case.pk)
    if clash.exists():
        raise TillitError(f"There is already a case {name!r}.", ErrorCode.CONFLICT)
    before = None
    if case is None:
        case = Case(project=project)
    else:
        before = audit.snapshot(case, ("name", "kind", "municipality_code"))
        before["attributes"] = dict(case.attributes)
    case.name, case.kind, case.municipality_code = name, kind, code
    case.description = description
    case.attributes = _clean_attributes(attributes)
    case.save()
    after = audit.snapshot(case, ("name", "kind", "municipality_code"))
    after["attributes"] = dict(case.attributes)
    audit.record(
        actor=actor,
        action="qda.case.save",
        obj=case,
        project=project,
        before=before,
        after=after,
    )
    return case


@transaction.atomic
def do_assign_case(
    case: Case,
    source: Source,
    *,
    actor: AbstractBaseUser | None,
    start: int | None = None,
    end: int | None = None,
) -> CaseAssignment:
    """Put a whole source (no span) or a span of it into a case."""
    if case.project_id != source.project_id:
        raise TillitError("The case and the source are in different projects.")
    if (start is None) != (end is None):
        raise TillitError("Give both start and end, or neither.", ErrorCode.INVALID_INPUT)
    if start is not None and end is not None:
        _check_span(source, start, end)
    a, _ = CaseAssignment.objects.get_or_create(case=case, source=source, start=start, end=end)
    audit.record(
        actor=actor,
        action="qda.case.assign",
        obj=a,
        project=case.project,
        after={"case": case.name, **_source_ref(source), "start": start, "end": end},
    )
    return a


@transaction.atomic
def do_unassign_case(assignment: CaseAssignment, *, actor: AbstractBaseUser | None) -> None:
    before = {
        "case": assignment.case.name,
        **_source_ref(assignment.source),
        "start": assignment.start,
        "end": assignment.end,
    }
    audit.record(
        actor=actor,
        action="qda.case.unassign",
        obj=assignment,
        project=assignment.case.project,
        before=before,
    )
    assignment.delete()


@transaction.atomic
def do_delete_case(case: Case, *, actor: AbstractBaseUser | None) -> None:
    before = {"name": case.name, "assignments": case.assignments.count()}
    audit.record(
        actor=actor, action="qda.case.delete", obj=case, project=case.project, before=before
    )
    case.delete()
