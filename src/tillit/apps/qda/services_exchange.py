"""Writes that work on whole texts or projects: autocoding (run, then review), pseudonymisation,
and REFI-QDA ``.qdpx`` export and import. One ``do_<verb>_<noun>()`` each, in one transaction,
with one audit event.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from tillit.apps.core import audit
from tillit.apps.core.models import Project
from tillit.apps.qda.models import (
    AutocodeBatch,
    CaseAssignment,
    Code,
    Coding,
    PseudonymKey,
    Source,
    SpeakerSegment,
)
from tillit.apps.qda.services import (
    MAX_QDPX_BYTES,
    SOURCE_META,
    _actor_user,
    _check_may_code,
    _check_span,
    _choice,
    _make_source,
    _source_ref,
)
from tillit.errors import ErrorCode, TillitError

# ----------------------------------------------------------------------------------------------
# autocoding


@transaction.atomic
def do_run_autocode(
    project: Project,
    code: Code,
    method: str,
    pattern: str,
    *,
    actor: AbstractBaseUser | None,
    sources: Iterable[Source] | None = None,
    unit: str = "match",
) -> AutocodeBatch:
    """Find candidate spans for ``code`` by a lexicon concept, a (stemmed) word or a regular
    expression; they wait in a batch for review, nothing is coded yet."""
    from tillit.apps.qda import queries

    _choice(method, AutocodeBatch.Method.choices, "Autocoding method")
    pattern = (pattern or "").strip()
    if not pattern:
        raise TillitError("Give a concept, word or pattern to look for.", ErrorCode.INVALID_INPUT)
    if code.project_id != project.pk:
        raise TillitError("The code belongs to another project.", ErrorCode.INVALID_INPUT)
    chosen = list(sources) if sources is not None else list(Source.objects.filter(project=project))
    proposals = queries.autocode_candidates(chosen, method, pattern, unit=unit)
    batch = AutocodeBatch.objects.create(
        project=project,
        code=code,
        method=method,
        pattern=pattern[:500],
        unit=unit,
        proposals=proposals,
        created_by=_actor_user(actor),
    )
    audit.record(
        actor=actor,
        action="qda.autocode.run",
        obj=batch,
        project=project,
        after={
            "code": code.name,
            "method": method,
            "pattern": pattern[:200],
            "proposals": len(proposals),
            "sources": len(chosen),
        },
    )
    return batch


@transaction.atomic
def do_review_autocode(
    batch: AutocodeBatch,
    accepted: Iterable[int],
    *,
    coder: AbstractBaseUser,
    actor: AbstractBaseUser | None = None,
) -> list[Coding]:
    """Save the accepted proposals (by index) as ``coder``'s codings; the rest are dropped."""
    actor = actor or coder
    batch = AutocodeBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != AutocodeBatch.Status.PENDING:
        raise TillitError("This autocoding batch was reviewed already.", ErrorCode.CONFLICT)
    wanted = sorted({int(i) for i in accepted})
    sources = {
        s.pk: s
        for s in Source.objects.filter(
            project=batch.project, pk__in={p["source"] for p in batch.proposals}
        )
    }
    now = timezone.now()
    out: list[Coding] = []
    for i in wanted:
        if not 0 <= i < len(batch.proposals):
            raise TillitError(f"Proposal {i} does not exist.", ErrorCode.INVALID_INPUT)
        p = batch.proposals[i]
        source = sources.get(p["source"])
        if source is None:
            continue
        _check_span(source, p["start"], p["end"])
        _check_may_code(source, coder)
        c, _ = Coding.objects.get_or_create(
            source=source,
            code=batch.code,
            coder=coder,
            start=p["start"],
            end=p["end"],
            defaults={"project": batch.project, "created_at": now},
        )
        out.append(c)
    batch.status = AutocodeBatch.Status.REVIEWED
    batch.n_accepted = len(out)
    batch.save()
    audit.record(
        actor=actor,
        action="qda.autocode.review",
        obj=batch,
        project=batch.project,
        after={
            "code": batch.code.name,
            "accepted": len(out),
            "rejected": len(batch.proposals) - len(wanted),
            "coder": coder.get_username(),
        },
    )
    return out


# ----------------------------------------------------------------------------------------------
# pseudonymisation


def _pseudonymiser(names: Sequence[str] | dict[str, str], key: dict[str, str] | None) -> Any:
    from tillit.qda.pseudonymise import Pseudonymiser

    if not isinstance(names, dict):
        names = dict.fromkeys(names, "person")
    persons, places, others = [], [], {}
    for name, category in names.items():
        kind = re.sub(r"[^A-Za-z]", "", category or "").upper() or "NAME"
        if kind in {"PERSON", "PERSONS", "NAME"}:
            persons.append(name)
        elif kind in {"PLACE", "PLACES"}:
            places.append(name)
        else:
            others.setdefault(kind, []).append(name)
    return Pseudonymiser(persons, places, others=others, key=key)


def _move_spans(result: Any, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    if not spans:
        return []
    frame = result.map_codings([(0, s, e, 0, "") for s, e in spans], policy="expand")
    return list(zip(frame["start"].tolist(), frame["end"].tolist(), strict=True))


@transaction.atomic
def do_pseudonymise_source(
    source: Source,
    names: Sequence[str] | dict[str, str],
    *,
    actor: AbstractBaseUser | None,
    replace: bool = False,
) -> Source:
    """Replace names and places in a source with stable placeholders such as ``[PERSON-1]``.

    ``names`` lists the names to hide (persons), or maps each to its kind (``{"Kari Nordmann":
    "person", "Bodø": "place", "Fagforbundet": "org"}``). By default a pseudonymised copy is
    made (the original stays); with ``replace=True`` the text is replaced, which is only allowed
    before anything is coded in it. The key (placeholder -> original) is stored apart and only
    owners may read it. Speaker turns and case spans move with the text.
    """
    if not names:
        raise TillitError("List the names to replace.", ErrorCode.INVALID_INPUT)
    existing = PseudonymKey.objects.filter(source=source).first()
    pseudo = _pseudonymiser(names, existing.mapping if existing and replace else None)
    result = pseudo.apply(source.text)
    mapping = dict(pseudo.key)
    new_text = result.text
    before = _source_ref(source)
    segments = list(source.segments.all())
    moved_segments = _move_spans(result, [(g.start, g.end) for g in segments])
    if replace:
        if source.codings.exists():
            raise TillitError(
                f"Source {source.name!r} is coded already; its text cannot be replaced.",
                ErrorCode.CONFLICT,
                hint="Make a pseudonymised copy instead.",
            )
        Source.objects.filter(pk=source.pk).update(
            text=new_text,
            text_sha256=hashlib.sha256(new_text.encode()).hexdigest(),
            is_pseudonymised=True,
        )
        for g, (a, b) in zip(segments, moved_segments, strict=True):
            SpeakerSegment.objects.filter(pk=g.pk).update(start=a, end=b)
        spans = list(source.case_assignments.exclude(start=None))
        for ca, (a, b) in zip(
            spans, _move_spans(result, [(x.start, x.end) for x in spans]), strict=True
        ):
            CaseAssignment.objects.filter(pk=ca.pk).update(start=a, end=b)
        new = Source.objects.get(pk=source.pk)
        PseudonymKey.objects.update_or_create(
            source=new,
            defaults={
                "project": source.project,
                "mapping": mapping,
                "created_by": _actor_user(actor),
            },
        )
    else:
        meta = audit.snapshot(source, SOURCE_META)
        meta["name"] = f"{source.name} (pseudonymised)"[:300]
        meta["date"] = source.date
        new = _make_source(
            source.project,
            new_text,
            actor=actor,
            segments=[
                {
                    "speaker": g.speaker,
                    "start": a,
                    "end": b,
                    "begin_ms": g.begin_ms,
                    "end_ms": g.end_ms,
                }
                for g, (a, b) in zip(segments, moved_segments, strict=True)
            ],
            attributes=dict(source.attributes),
            **meta,
        )
        new.pseudonymised_from = source
        new.is_pseudonymised = True
        new.save()
        new.assigned_coders.set(source.assigned_coders.all())
        PseudonymKey.objects.create(
            project=source.project, source=new, mapping=mapping, created_by=_actor_user(actor)
        )
    audit.record(
        actor=actor,
        action="qda.source.pseudonymise",
        obj=new,
        project=source.project,
        before=before,
        after={
            **_source_ref(new),
            "replaced": replace,
            "placeholders": len(mapping),
            "replacements": len(result.replacements),
        },
    )
    return new


# ----------------------------------------------------------------------------------------------
# REFI-QDA


@transaction.atomic
def do_import_qdpx(
    project: Project, data: bytes, *, actor: AbstractBaseUser | None
) -> dict[str, Any]:
    """Import a REFI-QDA project (.qdpx) into ``project``: all or nothing.

    Returns ``{"sources", "codes", "codings", "memos", "cases", "sets", "users",
    "not_represented": [...]}``.
    """
    from tillit.apps.qda import refi

    if len(data) > MAX_QDPX_BYTES:
        raise TillitError(
            f"The project file is {len(data) / 1e6:.0f} MB; at most "
            f"{MAX_QDPX_BYTES / 1e6:.0f} MB are accepted.",
            ErrorCode.INVALID_INPUT,
        )
    report = refi.import_project(project, data, actor=actor)
    audit.record(actor=actor, action="qda.qdpx.import", obj=project, project=project, after=report)
    return report


@transaction.atomic
def do_export_qdpx(project: Project, *, actor: AbstractBaseUser | None) -> bytes:
    """The project as a REFI-QDA .qdpx (validated against Project.xsd); the export of
    interview text is recorded in the audit trail."""
    from tillit.apps.qda import refi

    data = refi.export_project(project)
    audit.record(
        actor=actor,
        action="qda.qdpx.export",
        obj=project,
        project=project,
        after={"bytes": len(data), "sources": Source.objects.filter(project=project).count()},
    )
    return data
