"""Converting the project's models to and from :mod:`tillit.interop.refiqda` dataclasses.

Only :mod:`tillit.apps.qda.services` calls the writers here (inside its transaction, with its
audit event). Export keeps every GUID; import stores them, so export, import, export gives the
same project (apart from the project's own name and times).

tillit fields REFI-QDA has no place for (a source's kind, actor type, municipality, consent...,
a case's kind and municipality) travel in the ``Description`` as a last line
``tillit: {json}``, the way :mod:`tillit.interop.refiqda.model` carries a code's concept and
criteria; other tools show that line as part of the description and keep it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import uuid
from collections import defaultdict
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

import tillit
from tillit.apps.core.models import Project
from tillit.apps.qda.models import (
    Case,
    CaseAssignment,
    Code,
    CodeHistory,
    CoderIdentity,
    Coding,
    Memo,
    QdaSet,
    QdaSettings,
    Source,
)
from tillit.errors import ErrorCode, TillitError
from tillit.interop import refiqda as rq

User = get_user_model()
_MARKER = "tillit: "
#: Namespace of GUIDs derived for things that have none of their own yet (users, variables).
GUID_NAMESPACE = uuid.UUID("0b7c9f64-54a7-4f52-8d4b-6a3c1e2f9d10")
SOURCE_EXTRA = (
    "kind",
    "actor_type",
    "organisation",
    "municipality_code",
    "country",
    "language",
    "date",
    "interviewer",
    "consent",
    "is_synthetic",
    "is_pseudonymised",
    "media_type",
    "filename",
)


def join_extra(description: str, extra: dict[str, Any]) -> str:
    extra = {k: v for k, v in extra.items() if v not in ("", None, False)}
    if not extra:
        return description
    line = _MARKER + json.dumps(extra, ensure_ascii=False, sort_keys=True, default=str)
    return f"{description}\n\n{line}" if description else line


def split_extra(text: str) -> tuple[str, dict[str, Any]]:
    head, _, last = (text or "").rpartition("\n")
    if not last.startswith(_MARKER):
        return text or "", {}
    try:
        extra = json.loads(last[len(_MARKER) :])
    except ValueError:
        return text, {}
    if not isinstance(extra, dict):
        return text, {}
    return (head[:-1] if head.endswith("\n") else head), extra


def _guid(value: Any) -> str:
    return str(value).lower()


def _user_guid(project: Project, user: Any, known: dict[int, str]) -> str | None:
    if user is None:
        return None
    if user.pk not in known:
        known[user.pk] = _guid(uuid.uuid5(GUID_NAMESPACE, f"user:{project.slug}:{user.username}"))
    return known[user.pk]


def _variable_type(values: list[Any]) -> str:
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return "Boolean"
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "Integer"
    if present and all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return "Float"
    return "Text"


def _export_value(value: Any, kind: str) -> Any:
    if value is None:
        return None
    try:
        if kind == "Date" and isinstance(value, str):
            return dt.date.fromisoformat(value)
        if kind == "DateTime" and isinstance(value, str):
            return dt.datetime.fromisoformat(value)
        if kind == "Integer":
            return int(value)
        if kind == "Float":
            return float(value)
        if kind == "Boolean":
            return bool(value)
    except (TypeError, ValueError):
        return str(value)
    return value if kind != "Text" else str(value)


def _import_value(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


# ----------------------------------------------------------------------------------------------
# export


def _codes_tree(project: Project) -> tuple[rq.Code, ...]:
    codes = list(Code.objects.filter(project=project).order_by("order", "name", "id"))
    kids: dict[int | None, list[Code]] = defaultdict(list)
    for c in codes:
        kids[c.parent_id].append(c)

    def build(c: Code) -> rq.Code:
        return rq.Code(
            guid=_guid(c.guid),
            name=c.name,
            description=c.description,
            color=c.colour.upper() if c.colour else None,
            is_codable=c.is_codable,
            children=tuple(build(k) for k in kids[c.pk]),
            concept=c.concept_id or None,
            inclusion=c.inclusion,
            exclusion=c.exclusion,
            example=c.example,
        )

    return tuple(build(c) for c in kids[None])


def build_project(project: Project) -> rq.QdaProject:
    """The project as a :class:`~tillit.interop.refiqda.model.QdaProject`."""
    settings = QdaSettings.objects.filter(project=project).first()
    types: dict[str, str] = dict(settings.variable_types) if settings else {}
    var_guids: dict[str, str] = dict((settings.guids if settings else {}).get("variables", {}))
    known = {ci.user_id: _guid(ci.guid) for ci in CoderIdentity.objects.filter(project=project)}
    users: dict[int, Any] = {}

    def uref(user: Any) -> str | None:
        if user is None:
            return None
        users[user.pk] = user
        return _user_guid(project, user, known)

    sources = list(Source.objects.filter(project=project).select_related("created_by"))
    cases = list(Case.objects.filter(project=project))
    # variables: every attribute name of cases and sources
    values: dict[str, list[Any]] = defaultdict(list)
    for obj in [*cases, *sources]:
        for k, v in obj.attributes.items():
            values[k].append(v)
    names = sorted(set(types) | set(values))  # jsonb (PostgreSQL) keeps no key order
    variables = []
    for name in names:
        kind = types.get(name) or _variable_type(values.get(name, []))
        types[name] = kind
        guid = var_guids.get(name) or _guid(uuid.uuid5(GUID_NAMESPACE, f"var:{name}"))
        var_guids[name] = guid
        variables.append(rq.Variable(guid=guid, name=name, type=kind))  # type: ignore[arg-type]

    def var_values(attributes: dict[str, Any]) -> dict[str, Any]:
        return {var_guids[k]: _export_value(v, types[k]) for k, v in attributes.items()}

    source_guid = {s.pk: _guid(s.guid) for s in sources}
    texts = {s.pk: s.text for s in sources}
    rq_sources = [
        rq.TextSource(
            guid=_guid(s.guid),
            name=s.name,
            text=s.text,
            description=join_extra(
                s.description,
                {
                    k: (getattr(s, k).isoformat() if k == "date" and s.date else getattr(s, k))
                    for k in SOURCE_EXTRA
                },
            ),
            user=uref(s.created_by),
            created=s.created_at,
            variables=var_values(s.attributes),
        )
        for s in sources
    ]
    selections: dict[str, rq.Selection] = {}
    codings = []
    for c in (
        Coding.objects.filter(project=project)
        .select_related("code", "coder")
        .order_by("source_id", "start", "end", "id")
    ):
        user = uref(c.coder)
        sel = _guid(c.selection_guid) if c.selection_guid else None
        if sel is not None and sel not in selections:
            selections[sel] = rq.Selection(
                guid=sel,
                source=source_guid[c.source_id],
                start=c.start,
                end=c.end,
                name=_snippet(texts[c.source_id][c.start : c.end]),
                user=user,
                created=c.created_at,
            )
        codings.append(
            rq.Coding(
                guid=_guid(c.guid),
                source=source_guid[c.source_id],
                start=c.start,
                end=c.end,
                code=_guid(c.code.guid),
                user=user,
                created=c.created_at,
                selection=sel,
            )
        )
    rq_cases = []
    for case in cases:
        whole, spans = [], []
        for a in CaseAssignment.objects.filter(case=case).order_by("id"):
            if a.start is None:
                whole.append(source_guid[a.source_id])
                continue
            sel = _guid(a.selection_guid)
            selections.setdefault(
                sel,
                rq.Selection(
                    guid=sel,
                    source=source_guid[a.source_id],
                    start=a.start,
                    end=a.end,
                    name=_snippet(texts[a.source_id][a.start : a.end]),
                ),
            )
            spans.append(sel)
        rq_cases.append(
            rq.Case(
                guid=_guid(case.guid),
                name=case.name,
                description=join_extra(
                    case.description,
                    {"kind": case.kind, "municipality_code": case.municipality_code},
                ),
                variables=var_values(case.attributes),
                sources=tuple(whole),
                selections=tuple(spans),
            )
        )
    notes = []
    for m in (
        Memo.objects.filter(project=project)
        .select_related("author", "code", "source", "coding")
        .order_by("created_at", "id")
    ):
        target: tuple[rq.NoteRef, ...] = ()
        if m.target == Memo.Target.PROJECT:
            target = (rq.NoteRef("project", ""),)
        elif m.code_id:
            target = (rq.NoteRef("code", _guid(m.code.guid)),)
        elif m.source_id:
            target = (rq.NoteRef("source", _guid(m.source.guid)),)
        elif m.coding_id:
            target = (rq.NoteRef("coding", _guid(m.coding.guid)),)
        notes.append(
            rq.Note(
                guid=_guid(m.guid),
                name=m.title,
                text=m.text,
                user=uref(m.author),
                created=m.created_at,
                modified=m.updated_at,
                targets=target,
            )
        )
    sets = [
        rq.Set(
            guid=_guid(s.guid),
            name=s.name,
            description=s.description,
            codes=tuple(_guid(g) for g in s.codes.values_list("guid", flat=True)),
            sources=tuple(_guid(g) for g in s.sources.values_list("guid", flat=True)),
        )
        for s in QdaSet.objects.filter(project=project).prefetch_related("codes", "sources")
    ]
    rq_users = tuple(
        rq.User(guid=_user_guid(project, u, known) or "", name=u.username, id=u.username)
        for u in sorted(users.values(), key=lambda u: u.username)
    )
    return rq.QdaProject(
        name=project.name,
        origin=f"tillit {tillit.__version__}",
        created=project.created_at,
        description=project.description,
        users=rq_users,
        codes=_codes_tree(project),
        variables=tuple(variables),
        cases=tuple(rq_cases),
        sources=tuple(rq_sources),
        selections=tuple(selections.values()),
        codings=tuple(codings),
        notes=tuple(notes),
        sets=tuple(sets),
    ).canonical()


def _snippet(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def export_project(project: Project) -> bytes:
    """The project as ``.qdpx`` bytes (the writer validates against Project.xsd)."""
    buf = io.BytesIO()
    rq.write_qdpx(build_project(project), buf)
    return buf.getvalue()


def build_codebook(project: Project) -> rq.Codebook:
    sets = tuple(
        rq.Set(
            guid=_guid(s.guid),
            name=s.name,
            description=s.description,
            codes=tuple(sorted(_guid(g) for g in s.codes.values_list("guid", flat=True))),
        )
        for s in QdaSet.objects.filter(project=project)
        if s.codes.exists() and not s.sources.exists()
    )
    return rq.Codebook(_codes_tree(project), sets, f"tillit {tillit.__version__}")


def export_codebook(project: Project) -> bytes:
    """The codebook as ``.qdc`` bytes (validated against Codebook.xsd)."""
    buf = io.BytesIO()
    rq.write_qdc(build_codebook(project), buf)
    return buf.getvalue()


# ----------------------------------------------------------------------------------------------
# import


def _aware(value: dt.datetime | None) -> dt.datetime:
    if value is None:
        return timezone.now()
    return value if timezone.is_aware(value) else timezone.make_aware(value, dt.UTC)


def _users(project: Project, p: rq.QdaProject, actor: Any, report: dict[str, Any]) -> dict:
    out: dict[str | None, Any] = {None: actor}
    for u in p.users:
        login = (u.id or u.name or "").strip()[:150] or f"refi-{u.guid[:8]}"
        user = User.objects.filter(username__iexact=login).first()
        if user is None:
            user = User(username=login, is_active=False)
            user.set_unusable_password()
            user.save()
            report["users_created"].append(login)
        CoderIdentity.objects.get_or_create(
            project=project, user=user, defaults={"guid": uuid.UUID(u.guid)}
        )
        out[u.guid] = user
    return out


def _code_fields(code: rq.Code) -> dict[str, Any]:
    from tillit.apps.qda.services import check_concept

    concept = code.concept or ""
    try:
        concept = check_concept(concept)
    except TillitError:
        concept = ""
    return {
        "name": code.name[:200] or "?",
        "description": code.description,
        "inclusion": code.inclusion,
        "exclusion": code.exclusion,
        "example": code.example,
        "colour": (code.color or "#f0c94d").lower()
        if code.color and len(code.color) == 7
        else "#f0c94d",
        "is_codable": code.is_codable,
        "concept_id": concept,
    }


def _import_codes(
    project: Project, codes: tuple[rq.Code, ...], actor: Any, report: dict[str, Any]
) -> dict[str, Code]:
    by_guid: dict[str, Code] = {_guid(c.guid): c for c in Code.objects.filter(project=project)}
    out: dict[str, Code] = {}

    def add(code: rq.Code, parent: Code | None, order: int) -> None:
        fields = _code_fields(code)
        if code.concept and not fields["concept_id"]:
            report["not_represented"].append(
                f"code {code.name!r}: taxonomy concept {code.concept!r} is unknown here"
            )
        existing = by_guid.get(code.guid)
        if existing is not None:
            before = {"name": existing.name, "parent_id": existing.parent_id}
            for k, v in fields.items():
                setattr(existing, k, v)
            existing.parent, existing.order = parent, order
            existing.save()
            report["codes_updated"] += 1
            CodeHistory.objects.create(
                project=project,
                code=existing,
                code_name=existing.name,
                action="edit",
                before=before,
                after={"name": existing.name, "parent_id": existing.parent_id, "import": True},
                actor=actor,
            )
            node = existing
        else:
            node = Code.objects.create(
                project=project,
                guid=uuid.UUID(code.guid),
                parent=parent,
                order=order,
                created_by=actor,
                **fields,
            )
            CodeHistory.objects.create(
                project=project,
                code=node,
                code_name=node.name,
                action="create",
                after={"name": node.name, "import": True},
                actor=actor,
            )
            report["codes"] += 1
        out[code.guid] = node
        for n, child in enumerate(code.children):
            add(child, node, n)

    for n, code in enumerate(codes):
        add(code, None, n)
    return out


def _source_meta(description: str, report: dict[str, Any], name: str) -> dict[str, Any]:
    from tillit.apps.qda import services

    text, extra = split_extra(description)
    meta: dict[str, Any] = {"description": text}
    for k in SOURCE_EXTRA:
        if k in extra:
            meta[k] = extra[k]
    if meta.get("date"):
        try:
            meta["date"] = dt.date.fromisoformat(str(meta["date"]))
        except ValueError:
            report["not_represented"].append(f"source {name!r}: date {meta['date']!r}")
            meta.pop("date")
    for key, choices in (
        ("kind", Source.Kind.values),
        ("actor_type", Source.ActorType.values),
        ("consent", Source.Consent.values),
    ):
        if key in meta and meta[key] not in choices:
            report["not_represented"].append(f"source {name!r}: {key} {meta.pop(key)!r}")
    if meta.get("municipality_code"):
        try:
            meta["municipality_code"], meta["country"] = services.check_municipality(
                str(meta["municipality_code"]), str(meta.get("country") or "")
            )
        except TillitError:
            report["not_represented"].append(
                f"source {name!r}: municipality {meta.pop('municipality_code')!r}"
            )
    return meta


def import_project(project: Project, data: bytes, *, actor: AbstractBaseUser | None) -> dict:
    """Read a .qdpx and add everything tillit can represent to ``project`` (the caller runs
    this in a transaction, so a failure leaves nothing behind)."""
    p = rq.read_qdpx(data)
    actor = actor if actor is not None and actor.pk else None
    report: dict[str, Any] = {
        "name": p.name,
        "origin": p.origin,
        "sources": 0,
        "codes": 0,
        "codes_updated": 0,
        "codings": 0,
        "memos": 0,
        "cases": 0,
        "sets": 0,
        "users_created": [],
        "not_represented": list(p.not_represented),
        "warnings": list(p.warnings),
    }
    clash = Source.objects.filter(
        project=project, guid__in=[uuid.UUID(s.guid) for s in p.sources]
    ).exists()
    if clash:
        raise TillitError(
            "This project holds sources of this file already.",
            ErrorCode.CONFLICT,
            hint="Import the file into a new project, or delete those sources first.",
        )
    if actor is None:
        raise TillitError(
            "An import needs an acting user (codings without a coder are given to them).",
            ErrorCode.USAGE,
            hint="Pass --user NAME.",
        )
    users = _users(project, p, actor, report)
    codes = _import_codes(project, p.codes, actor, report)
    settings, _ = QdaSettings.objects.get_or_create(project=project)
    var_name = {v.guid: v.name for v in p.variables}
    guids = dict(settings.guids)
    guids.setdefault("variables", {})
    for v in p.variables:
        settings.variable_types[v.name] = v.type
        guids["variables"][v.name] = v.guid
        if v.description:
            report["not_represented"].append(f"variable {v.name!r}: its description")
    settings.guids = guids
    settings.save()
    sources: dict[str, Source] = {}
    for s in p.sources:
        meta = _source_meta(s.description, report, s.name)
        source = Source.objects.create(
            project=project,
            guid=uuid.UUID(s.guid),
            name=s.name[:300] or "?",
            text=s.text,
            text_sha256=hashlib.sha256(s.text.encode()).hexdigest(),
            created_by=users.get(s.user) if s.user else None,
            attributes={var_name[g]: _import_value(v) for g, v in s.variables.items()},
            **meta,
        )
        if s.created is not None:
            Source.objects.filter(pk=source.pk).update(created_at=_aware(s.created))
        sources[s.guid] = source
        report["sources"] += 1
    selection = {sel.guid: sel for sel in p.selections}
    codings: dict[str, Coding] = {}
    by_selection: dict[str, list[Coding]] = defaultdict(list)
    seen: set[tuple[Any, ...]] = set()
    rows = []
    for c in p.codings:
        source = sources[c.source]
        coder = users.get(c.user) or actor
        key = (source.pk, c.code, coder.pk, c.start, c.end)
        if key in seen:
            report["warnings"].append(
                f"coding {c.guid}: the same code, coder and span twice; kept once"
            )
            continue
        seen.add(key)
        row = Coding(
            project=project,
            source=source,
            code=codes[c.code],
            coder=coder,
            start=c.start,
            end=c.end,
            guid=uuid.UUID(c.guid),
            selection_guid=uuid.UUID(c.selection) if c.selection else None,
            created_at=_aware(c.created),
        )
        rows.append(row)
        codings[c.guid] = row
        if c.selection:
            by_selection[c.selection].append(row)
    Coding.objects.bulk_create(rows, batch_size=2000)
    report["codings"] = len(rows)
    used_selections = set(by_selection)
    cases_by_name = set(Case.objects.filter(project=project).values_list("name", flat=True))
    for case in p.cases:
        text, extra = split_extra(case.description)
        name = case.name[:200] or "?"
        if name in cases_by_name:
            report["warnings"].append(f"case {name!r} exists; imported as {name} (2)")
            name = f"{name} (2)"
        cases_by_name.add(name)
        kind = extra.get("kind") if extra.get("kind") in Case.Kind.values else "actor"
        row = Case.objects.create(
            project=project,
            guid=uuid.UUID(case.guid),
            name=name,
            description=text,
            kind=kind,
            municipality_code=str(extra.get("municipality_code") or "")[:4],
            attributes={var_name[g]: _import_value(v) for g, v in case.variables.items()},
        )
        for g in case.sources:
            CaseAssignment.objects.create(case=row, source=sources[g])
        for g in case.selections:
            sel = selection[g]
            used_selections.add(g)
            CaseAssignment.objects.create(
                case=row,
                source=sources[sel.source],
                start=sel.start,
                end=sel.end,
                selection_guid=uuid.UUID(g),
            )
        if case.codes:
            report["not_represented"].append(
                f"case {case.name!r}: {len(case.codes)} code(s) applied to the case as a whole"
            )
        report["cases"] += 1
    for note in p.notes:
        links: dict[str, Any] = {}
        target = Memo.Target.FREE
        refs = list(note.targets)
        for ref in refs:
            if ref.kind == "project":
                target, links = Memo.Target.PROJECT, {}
            elif ref.kind == "code" and ref.guid in codes:
                target, links = Memo.Target.CODE, {"code": codes[ref.guid]}
            elif ref.kind == "source" and ref.guid in sources:
                target, links = Memo.Target.SOURCE, {"source": sources[ref.guid]}
            elif ref.kind == "coding" and ref.guid in codings:
                target, links = Memo.Target.CODING, {"coding": codings[ref.guid]}
            elif ref.kind == "selection" and by_selection.get(ref.guid):
                target, links = Memo.Target.CODING, {"coding": by_selection[ref.guid][0]}
                report["warnings"].append(
                    f"note {note.name!r}: attached to the first coding of its selection"
                )
                used_selections.add(ref.guid)
            else:
                report["not_represented"].append(
                    f"note {note.name!r}: attachment to {ref.kind} {ref.guid}"
                )
                continue
            break
        for extra_ref in refs[1:]:
            report["not_represented"].append(
                f"note {note.name!r}: a further attachment to {extra_ref.kind} {extra_ref.guid}"
            )
        if note.description:
            report["not_represented"].append(f"note {note.name!r}: its description")
        text = note.text if note.text.strip() else (note.name or "-")
        Memo.objects.create(
            project=project,
            guid=uuid.UUID(note.guid),
            target=target,
            title=note.name[:300],
            text=text,
            author=users.get(note.user) if note.user else None,
            created_at=_aware(note.created),
            updated_at=_aware(note.modified or note.created),
            **links,
        )
        report["memos"] += 1
    for sel in p.selections:
        if sel.guid not in used_selections:
            report["not_represented"].append(
                f"selection {sel.guid} ({sel.start}-{sel.end}) without codes, cases or notes"
            )
    for s in p.sets:
        row = QdaSet.objects.create(
            project=project, guid=uuid.UUID(s.guid), name=s.name[:200], description=s.description
        )
        row.codes.set([codes[g] for g in s.codes if g in codes])
        row.sources.set([sources[g] for g in s.sources if g in sources])
        if s.notes:
            report["not_represented"].append(f"set {s.name!r}: {len(s.notes)} note member(s)")
        report["sets"] += 1
    if p.description and p.description != project.description:
        report["not_represented"].append("the project's description")
    return report


def import_codebook(project: Project, data: bytes, *, actor: AbstractBaseUser | None) -> dict:
    """Add or update the codes of a .qdc codebook (matched by GUID) and its code sets."""
    book = rq.read_qdc(data)
    actor = actor if actor is not None and actor.pk else None
    report: dict[str, Any] = {"codes": 0, "codes_updated": 0, "sets": 0, "not_represented": []}
    codes = _import_codes(project, book.codes, actor, report)
    for s in book.sets:
        row, _ = QdaSet.objects.get_or_create(
            project=project, guid=uuid.UUID(s.guid), defaults={"name": s.name[:200]}
        )
        row.name, row.description = s.name[:200], s.description
        row.save()
        row.codes.set([codes[g] for g in s.codes if g in codes])
        report["sets"] += 1
    report["added"], report["updated"] = report["codes"], report["codes_updated"]
    return report
