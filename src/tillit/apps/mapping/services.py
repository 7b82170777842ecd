"""Every write to the reform register: one ``do_<verb>_<noun>()`` each, in one transaction, with
one audit event; every change to an initiative also leaves an :class:`InitiativeRevision` (the
history shown on its page).

Values are checked by :mod:`tillit.apps.mapping.checks` (municipalities against the registry,
concept ids against the taxonomy) and a bad one raises a :class:`tillit.errors.TillitError` that
names the field. Callers check permissions through :mod:`tillit.apps.core.access` (pages) or
shell access (CLI). Other apps (the corpus review queue) call :func:`do_create_initiative` and
:func:`do_add_evidence` when a screener confirms a suggested register entry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from tillit.apps.core import audit
from tillit.apps.core.models import Project
from tillit.apps.mapping import checks
from tillit.apps.mapping.models import ContextEvent, Evidence, Initiative, InitiativeRevision
from tillit.errors import ErrorCode, NotFoundError, TillitError

#: A piece of evidence as plain data: kind, ref, start, end, quote, title, url, note.
EvidenceSpec = dict

#: Fields of an initiative that the history records.
FIELDS = (
    "country",
    "municipality_code",
    "title",
    "start_year",
    "start_date",
    "decided_by",
    "scope",
    "sectors",
    "measures",
    "problem_perceptions",
    "status",
    "notes",
)
EDITABLE = tuple(f for f in FIELDS if f != "country")
EVIDENCE_FIELDS = ("kind", "ref", "start", "end", "quote", "title", "url", "note")
EVENT_FIELDS = ("country", "year", "date", "title", "description", "source_url", "source", "kind")

R = InitiativeRevision.Action


def _json(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return list(value)
    return value


def snapshot(initiative: Initiative) -> dict[str, Any]:
    """The recorded fields of an initiative as JSON-safe values."""
    return {f: _json(getattr(initiative, f)) for f in FIELDS}


def evidence_spec(ev: Evidence) -> dict[str, Any]:
    return {f: getattr(ev, f) for f in EVIDENCE_FIELDS}


def _revise(
    initiative: Initiative, action: str, diff: dict[str, Any], actor: AbstractBaseUser | None
) -> InitiativeRevision:
    return InitiativeRevision.objects.create(
        initiative=initiative,
        at=timezone.now(),
        user=actor if actor is not None and actor.pk else None,
        user_name=actor.get_username() if actor is not None else "system",
        action=action,
        diff=diff,
    )


def clean_fields(values: dict[str, Any], *, current: Initiative | None = None) -> dict[str, Any]:
    """Check and normalise initiative fields (only those given); raises a field's error.

    ``municipality_code`` may be a current or old code or, with ``municipality``, a name; the
    result holds ``country`` and the current ``municipality_code``.
    """
    out: dict[str, Any] = {}
    unknown = set(values) - set(FIELDS) - {"municipality"}
    if unknown:
        raise TillitError(
            f"Unknown initiative fields: {', '.join(sorted(unknown))}.",
            ErrorCode.USAGE,
            hint=f"Fields: {', '.join(FIELDS)}.",
        )
    if "start_year" in values or "start_date" in values:
        if "start_date" in values:
            year, date = values.get("start_year"), values["start_date"]
        else:
            year = checks.check_year("start_year", values["start_year"])
            kept = current.start_date if current is not None else None
            date = kept if kept is not None and kept.year == year else None
        out["start_year"], out["start_date"] = checks.check_start(year, date)
    if "municipality_code" in values or "municipality" in values:
        resolved = checks.resolve_municipality(
            values.get("municipality_code"),
            values.get("municipality"),
            values.get("country"),
            out.get("start_year"),
        )
        out["country"] = resolved.municipality.country
        out["municipality_code"] = resolved.municipality.code
    if "title" in values:
        out["title"] = checks.check_text("title", values["title"], checks.MAX_TITLE, True)
    if "decided_by" in values:
        out["decided_by"] = checks.check_choice(
            "decided_by", values["decided_by"], checks.DECIDED_BY, "unknown"
        )
    if "scope" in values:
        out["scope"] = checks.check_choice("scope", values["scope"], ("", *checks.SCOPES))
    for name in checks.CONCEPT_BRANCHES:
        if name in values:
            out[name] = checks.check_concepts(name, values[name])
    if "status" in values:
        out["status"] = checks.check_choice("status", values["status"], checks.STATUSES)
    if "notes" in values:
        out["notes"] = checks.check_text("notes", values["notes"])
    return out


# ----------------------------------------------------------------------------------------------
# initiatives


@transaction.atomic
def do_create_initiative(
    project: Project,
    *,
    municipality_code: str | None,
    title: str,
    actor: AbstractBaseUser | None,
    municipality: str | None = None,
    country: str | None = None,
    start_year: int | None = None,
    start_date: dt.date | str | None = None,
    decided_by: str = "unknown",
    scope: str = "",
    sectors: Iterable[str] | str = (),
    measures: Iterable[str] | str = (),
    problem_perceptions: Iterable[str] | str = (),
    status: str = "suggested",
    notes: str = "",
    evidence: Sequence[EvidenceSpec] = (),
    uid: Any = None,
) -> Initiative:
    """Add an initiative to the register of ``project``, with its evidence.

    ``municipality_code`` is a current or old code (or None with ``municipality``, a name);
    ``sectors``, ``measures`` and ``problem_perceptions`` are taxonomy concept ids (a list, or
    one string separated by ``;``).
    """
    values = clean_fields(
        {
            "municipality_code": municipality_code,
            "municipality": municipality,
            "country": country,
            "title": title,
            "start_year": start_year,
            "start_date": start_date,
            "decided_by": decided_by,
            "scope": scope,
            "sectors": sectors,
            "measures": measures,
            "problem_perceptions": problem_perceptions,
            "status": status,
            "notes": notes,
        }
    )
    specs = [checks.check_evidence(dict(s)) for s in evidence]
    initiative = Initiative(project=project, created_by=_user(actor), **values)
    if uid is not None:
        initiative.uid = uid
    initiative.save()
    for spec in specs:
        Evidence.objects.create(
            project=project, initiative=initiative, created_by=_user(actor), **spec
        )
    after = snapshot(initiative)
    _revise(initiative, R.CREATE, {f: [None, v] for f, v in after.items()} | _ev_diff(specs), actor)
    audit.record(
        actor=actor,
        action="initiative.create",
        obj=initiative,
        project=project,
        after={**after, "uid": str(initiative.uid), "evidence": len(specs)},
    )
    return initiative


def _ev_diff(specs: list[dict[str, Any]]) -> dict[str, Any]:
    return {"evidence": [None, specs]} if specs else {}


def _user(actor: AbstractBaseUser | None) -> AbstractBaseUser | None:
    return actor if actor is not None and actor.pk else None


def _lock(initiative: Initiative) -> Initiative:
    obj = Initiative.objects.select_for_update().get(pk=initiative.pk)
    if obj.deleted_at is not None:
        raise TillitError(
            f"Initiative {obj.pk} ({obj.title}) was deleted.",
            ErrorCode.CONFLICT,
            hint="Its history is kept; create a new initiative instead.",
        )
    return obj


def _apply(obj: Initiative, values: dict[str, Any]) -> dict[str, list[Any]]:
    before = snapshot(obj)
    for name, value in values.items():
        setattr(obj, name, value)
    after = snapshot(obj)
    return {f: [before[f], after[f]] for f in FIELDS if before[f] != after[f]}


@transaction.atomic
def do_update_initiative(
    initiative: Initiative, *, actor: AbstractBaseUser | None, **changes: Any
) -> Initiative:
    """Change fields of an initiative; the history records each field before and after.

    Only the fields given change. A change of status alone is recorded as a status change.
    Nothing is written (no revision, no audit event) when no value differs.
    """
    obj = _lock(initiative)
    values = clean_fields(changes, current=obj)
    diff = _apply(obj, values)
    if not diff:
        return obj
    obj.save()
    action = R.STATUS if set(diff) == {"status"} else R.UPDATE
    _revise(obj, action, diff, actor)
    audit.record(
        actor=actor,
        action="initiative.update",
        obj=obj,
        project=obj.project,
        before={f: d[0] for f, d in diff.items()},
        after={f: d[1] for f, d in diff.items()},
    )
    return obj


@transaction.atomic
def do_delete_initiative(initiative: Initiative, *, actor: AbstractBaseUser | None) -> None:
    """Take an initiative out of the register; the row, its evidence and history are kept."""
    obj = _lock(initiative)
    obj.deleted_at = timezone.now()
    obj.save(update_fields=["deleted_at", "updated_at"])
    _revise(obj, R.DELETE, {}, actor)
    audit.record(
        actor=actor,
        action="initiative.delete",
        obj=obj,
        project=obj.project,
        before={**snapshot(obj), "uid": str(obj.uid)},
    )


@transaction.atomic
def do_add_evidence(
    initiative: Initiative, spec: EvidenceSpec, *, actor: AbstractBaseUser | None
) -> Evidence:
    """Attach one piece of evidence (see ``EvidenceSpec``) to an initiative."""
    obj = _lock(initiative)
    clean = checks.check_evidence(dict(spec))
    ev = Evidence.objects.create(
        project=obj.project, initiative=obj, created_by=_user(actor), **clean
    )
    _revise(obj, R.EVIDENCE_ADD, {"evidence": [None, clean]}, actor)
    audit.record(
        actor=actor,
        action="evidence.add",
        obj=ev,
        project=obj.project,
        after={**clean, "initiative": obj.pk},
    )
    return ev


@transaction.atomic
def do_remove_evidence(evidence: Evidence, *, actor: AbstractBaseUser | None) -> None:
    """Remove one piece of evidence; the initiative's history keeps what it said."""
    ev = Evidence.objects.select_for_update().get(pk=evidence.pk)
    spec = evidence_spec(ev)
    if ev.initiative_id is not None:
        _revise(_lock(ev.initiative), R.EVIDENCE_REMOVE, {"evidence": [spec, None]}, actor)
    audit.record(
        actor=actor,
        action="evidence.remove",
        obj=ev,
        project=ev.project,
        before={**spec, "initiative": ev.initiative_id},
    )
    ev.delete()


# ----------------------------------------------------------------------------------------------
# context events


@transaction.atomic
def do_create_context_event(
    project: Project,
    *,
    country: str,
    title: str,
    actor: AbstractBaseUser | None,
    year: int | None = None,
    date: dt.date | str | None = None,
    description: str = "",
    source_url: str = "",
    source: str = "",
    kind: str = "other",
) -> ContextEvent:
    """Add a national initiative, agreement or milestone (with a year, or a full date)."""
    when = checks.check_date("date", date)
    y = checks.check_year("year", year, first=1900)
    if when is not None:
        if y is not None and y != when.year:
            raise checks.problem("year", y, f"The year {y} differs from the date {when}.")
        y = when.year
    if y is None:
        raise checks.problem("year", "", "A context event needs a year or a date.")
    event = ContextEvent.objects.create(
        project=project,
        country=checks.check_choice("country", country, checks.EVENT_COUNTRIES),
        year=y,
        date=when,
        title=checks.check_text("title", title, checks.MAX_TITLE, required=True),
        description=checks.check_text("description", description),
        source_url=checks.check_url("source_url", source_url),
        source=checks.check_text("source", source, 300),
        kind=checks.check_choice("kind", kind, checks.EVENT_KINDS, "other"),
    )
    audit.record(
        actor=actor,
        action="context_event.create",
        obj=event,
        project=project,
        after={f: _json(getattr(event, f)) for f in EVENT_FIELDS},
    )
    return event


@transaction.atomic
def do_delete_context_event(event: ContextEvent, *, actor: AbstractBaseUser | None) -> None:
    """Remove a context event (the audit trail keeps what it said)."""
    audit.record(
        actor=actor,
        action="context_event.delete",
        obj=event,
        project=event.project,
        before={f: _json(getattr(event, f)) for f in EVENT_FIELDS},
    )
    event.delete()


# ----------------------------------------------------------------------------------------------
# import


@dataclass
class RegisterImport:
    """What an import did (or, with errors, why it did nothing)."""

    n_rows: int = 0
    n_created: int = 0
    n_updated: int = 0
    n_unchanged: int = 0
    n_evidence: int = 0
    n_evidence_existing: int = 0
    warnings: list[str] = field(default_factory=list)
    files: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.n_rows,
            "created": self.n_created,
            "updated": self.n_updated,
            "unchanged": self.n_unchanged,
            "evidence_added": self.n_evidence,
            "evidence_existing": self.n_evidence_existing,
            "warnings": list(self.warnings),
            "files": list(self.files),
        }


def _ev_key(initiative_id: int, spec: dict[str, Any]) -> tuple[Any, ...]:
    return (initiative_id, *(spec[f] for f in EVIDENCE_FIELDS))


@transaction.atomic
def do_import_register(
    project: Project,
    files: Sequence[tuple[str, bytes]],
    *,
    actor: AbstractBaseUser | None,
) -> RegisterImport:
    """Import register rows (and evidence rows) from CSV or XLSX files.

    Every file and row is checked first; if anything is wrong, a :class:`TillitError` lists
    every problem (``errors``: row, column, value, message, hint, file) and nothing changes.
    A row whose ``id`` is an initiative of the project updates it; a row without ``id``, or
    with an id the project does not know, creates one (keeping the id). Evidence already
    attached is not added twice, so importing the same file again changes nothing.
    """
    from tillit.apps.mapping import tables

    parsed = tables.parse_files(files)
    existing = {
        str(i.uid): i for i in Initiative.objects.select_for_update().filter(project=project)
    }
    errors = list(parsed.errors)
    for row in parsed.register:
        old = existing.get(row.uid) if row.uid else None
        if old is not None and old.deleted_at is not None:
            errors.append(
                tables.RowError(
                    row.row,
                    "id",
                    row.uid,
                    "This initiative was deleted.",
                    "Remove the id to create it again as a new initiative.",
                    row.file,
                )
            )
    known = set(existing) | {r.uid for r in parsed.register if r.uid}
    for ev in parsed.evidence:
        if ev.uid not in known:
            errors.append(
                tables.RowError(
                    ev.row,
                    "initiative_id",
                    ev.uid,
                    "No initiative in the register or the file has this id.",
                    "Use the id column of the register export.",
                    ev.file,
                )
            )
    if errors:
        raise tables.import_error(errors)
    result = RegisterImport(
        n_rows=len(parsed.register), warnings=list(parsed.warnings), files=parsed.files
    )
    by_uid: dict[str, Initiative] = dict(existing)
    for row in parsed.register:
        old = by_uid.get(row.uid) if row.uid else None
        if old is None:
            obj = Initiative(project=project, created_by=_user(actor), **row.values)
            if row.uid:
                obj.uid = row.uid
            obj.save()
            by_uid[str(obj.uid)] = obj
            _revise(obj, R.IMPORT, {f: [None, v] for f, v in snapshot(obj).items()}, actor)
            result.n_created += 1
            continue
        diff = _apply(old, row.values)
        if diff:
            old.save()
            _revise(old, R.IMPORT, diff, actor)
            result.n_updated += 1
        else:
            result.n_unchanged += 1
    ids = [i.pk for i in by_uid.values()]
    have = {
        _ev_key(e.initiative_id, evidence_spec(e))
        for e in Evidence.objects.filter(initiative_id__in=ids)
    }
    for ev in parsed.evidence:
        target = by_uid[ev.uid]
        key = _ev_key(target.pk, ev.spec)
        if key in have:
            result.n_evidence_existing += 1
            continue
        have.add(key)
        Evidence.objects.create(
            project=project, initiative=target, created_by=_user(actor), **ev.spec
        )
        _revise(target, R.EVIDENCE_ADD, {"evidence": [None, ev.spec]}, actor)
        result.n_evidence += 1
    audit.record(
        actor=actor,
        action="register.import",
        obj=project,
        project=project,
        after=result.as_dict(),
    )
    return result


# ----------------------------------------------------------------------------------------------
# reading


def initiatives_for(
    project: Project, municipality_code: str | None = None, country: str | None = None
) -> QuerySet[Initiative]:
    """The project's initiatives (not deleted), with their evidence, optionally of one
    municipality (``municipality_code`` as stored: NO 4 digits, DK 3 digits)."""
    qs = Initiative.objects.filter(project=project, deleted_at__isnull=True)
    if municipality_code is not None:
        qs = qs.filter(municipality_code=municipality_code)
    if country is not None:
        qs = qs.filter(country=country.upper())
    return qs.prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("id")))


def get_initiative(project: Project, pk: int | str) -> Initiative:
    """An initiative of ``project`` by number or id (uuid); deleted ones too."""
    qs = Initiative.objects.filter(project=project)
    text = str(pk).strip()
    obj = qs.filter(pk=int(text)).first() if text.isdigit() else None
    if obj is None and not text.isdigit():
        obj = next((i for i in qs.only("pk", "uid") if str(i.uid).startswith(text.lower())), None)
        obj = Initiative.objects.get(pk=obj.pk) if obj is not None and len(text) >= 6 else None
    if obj is None:
        raise NotFoundError(
            f"Project {project.slug} has no initiative {text}.",
            hint=f"List them with `tillit register list {project.slug}`.",
        )
    return obj


def export_tables(project: Project) -> tuple[list[list[str]], list[list[str]]]:
    """The register and evidence tables of ``project`` (header first), as exported."""
    from tillit.apps.mapping import tables

    items = list(initiatives_for(project))
    ev = Evidence.objects.filter(initiative__in=items).select_related("initiative")
    return tables.register_rows(items), tables.evidence_rows(ev)
