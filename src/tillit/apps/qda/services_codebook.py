"""Writes to the codebook: create, edit, move, merge, split and delete codes (each with its
history), the starter codebook from the taxonomy, and REFI-QDA ``.qdc`` import. One
``do_<verb>_<noun>()`` each, in one transaction, with one audit event.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from tillit.apps.core import audit
from tillit.apps.core.models import Project
from tillit.apps.qda.models import (
    Code,
    CodeHistory,
    Coding,
    Memo,
)
from tillit.apps.qda.services import (
    CODE_FIELDS,
    PALETTE,
    _actor_user,
    _check_colour,
    _code_snapshot,
    _history,
    check_concept,
)
from tillit.errors import ErrorCode, NotFoundError, TillitError

# ----------------------------------------------------------------------------------------------
# codebook


def _check_parent(project: Project, parent: Code | None, code: Code | None = None) -> None:
    if parent is None:
        return
    if parent.project_id != project.pk:
        raise TillitError("The parent code belongs to another project.", ErrorCode.INVALID_INPUT)
    node: Code | None = parent
    while node is not None and code is not None:
        if node.pk == code.pk:
            raise TillitError(
                f"Code {code.name!r} cannot move under itself or one of its sub-codes.",
                ErrorCode.INVALID_INPUT,
                hint="Choose a parent outside the code's own branch.",
            )
        node = node.parent


def _check_name(project: Project, name: str, parent: Code | None, exclude: int | None) -> str:
    name = (name or "").strip()
    if not name:
        raise TillitError("A code needs a name.", ErrorCode.INVALID_INPUT)
    siblings = Code.objects.filter(project=project, parent=parent, name__iexact=name)
    if exclude is not None:
        siblings = siblings.exclude(pk=exclude)
    if siblings.exists():
        raise TillitError(
            f"There is already a code {name!r} here.",
            ErrorCode.CONFLICT,
            hint="Choose another name, or merge the two codes.",
        )
    return name[:200]


def _create_code(
    project: Project,
    name: str,
    *,
    actor: AbstractBaseUser | None,
    parent: Code | None = None,
    **fields: Any,
) -> Code:
    _check_parent(project, parent)
    name = _check_name(project, name, parent, None)
    fields = {k: v for k, v in fields.items() if k in CODE_FIELDS or k == "guid"}
    if "colour" in fields:
        fields["colour"] = _check_colour(fields["colour"])
    else:
        n = Code.objects.filter(project=project).count()
        fields["colour"] = PALETTE[n % len(PALETTE)]
    if fields.get("concept_id"):
        fields["concept_id"] = check_concept(fields["concept_id"])
    if "order" not in fields:
        fields["order"] = Code.objects.filter(project=project, parent=parent).count()
    code = Code.objects.create(
        project=project, parent=parent, name=name, created_by=_actor_user(actor), **fields
    )
    _history(code, "create", project=project, actor=actor, name=name, after=_code_snapshot(code))
    return code


@transaction.atomic
def do_create_code(
    project: Project,
    name: str,
    *,
    actor: AbstractBaseUser | None,
    parent: Code | None = None,
    **fields: Any,
) -> Code:
    """Add a code (under ``parent``, or at the top) with description, criteria, example,
    colour and an optional taxonomy concept."""
    code = _create_code(project, name, actor=actor, parent=parent, **fields)
    audit.record(
        actor=actor,
        action="qda.code.create",
        obj=code,
        project=project,
        after=_code_snapshot(code),
    )
    return code


@transaction.atomic
def do_update_code(code: Code, *, actor: AbstractBaseUser | None, **fields: Any) -> Code:
    """Edit a code's name, description, criteria, example, colour, concept or order."""
    code = Code.objects.select_for_update(of=("self",)).select_related("parent").get(pk=code.pk)
    before = _code_snapshot(code)
    for k, v in fields.items():
        if k not in CODE_FIELDS or v is None:
            continue
        if k == "name":
            v = _check_name(code.project, v, code.parent, code.pk)
        elif k == "colour":
            v = _check_colour(v)
        elif k == "concept_id":
            v = check_concept(v)
        setattr(code, k, v)
    code.save()
    after = _code_snapshot(code)
    action = "rename" if before["name"] != after["name"] else "edit"
    _history(
        code, action, project=code.project, actor=actor, name=code.name, before=before, after=after
    )
    audit.record(
        actor=actor,
        action=f"qda.code.{action}",
        obj=code,
        project=code.project,
        before=before,
        after=after,
    )
    return code


@transaction.atomic
def do_move_code(
    code: Code,
    parent: Code | None,
    *,
    actor: AbstractBaseUser | None,
    order: int | None = None,
) -> Code:
    """Move a code (with its sub-codes) under ``parent`` (None: to the top level)."""
    code = Code.objects.select_for_update(of=("self",)).select_related("parent").get(pk=code.pk)
    _check_parent(code.project, parent, code)
    _check_name(code.project, code.name, parent, code.pk)
    before = _code_snapshot(code)
    code.parent = parent
    code.order = (
        order
        if order is not None
        else Code.objects.filter(project=code.project, parent=parent).exclude(pk=code.pk).count()
    )
    code.save()
    after = _code_snapshot(code)
    _history(
        code, "move", project=code.project, actor=actor, name=code.name, before=before, after=after
    )
    audit.record(
        actor=actor,
        action="qda.code.move",
        obj=code,
        project=code.project,
        before=before,
        after=after,
    )
    return code


@transaction.atomic
def do_merge_codes(source: Code, target: Code, *, actor: AbstractBaseUser | None) -> Code:
    """Merge ``source`` into ``target``: its codings, memos and sub-codes move to ``target``
    (a coding both already had is kept once), then ``source`` is deleted."""
    if source.pk == target.pk or source.project_id != target.project_id:
        raise TillitError("Merge two different codes of the same project.", ErrorCode.INVALID_INPUT)
    _check_parent(target.project, target, source)  # target must not lie under source
    project = target.project
    before = {"source": _code_snapshot(source), "target": _code_snapshot(target)}
    existing = set(
        Coding.objects.filter(code=target).values_list("source_id", "coder_id", "start", "end")
    )
    moved = dropped = 0
    for c in Coding.objects.filter(code=source):
        if (c.source_id, c.coder_id, c.start, c.end) in existing:
            Memo.objects.filter(coding=c).update(
                coding=Coding.objects.get(
                    code=target,
                    source_id=c.source_id,
                    coder_id=c.coder_id,
                    start=c.start,
                    end=c.end,
                )
            )
            c.delete()
            dropped += 1
        else:
            Coding.objects.filter(pk=c.pk).update(code=target)
            moved += 1
    Memo.objects.filter(code=source).update(code=target)
    for child in Code.objects.filter(parent=source):
        if Code.objects.filter(parent=target, name__iexact=child.name).exists():
            child.name = f"{child.name} ({source.name})"[:200]
        child.parent = target
        child.save()
    for s in source.sets.all():
        s.codes.add(target)
    after = {"target": _code_snapshot(target), "codings_moved": moved, "duplicates": dropped}
    _history(
        target, "merge", project=project, actor=actor, name=target.name, before=before, after=after
    )
    CodeHistory.objects.filter(code=source).update(code=target)
    source.delete()
    audit.record(
        actor=actor,
        action="qda.code.merge",
        obj=target,
        project=project,
        before=before,
        after=after,
    )
    return target


@transaction.atomic
def do_split_code(
    code: Code,
    names: Sequence[str],
    *,
    actor: AbstractBaseUser | None,
    assign: dict[int, int] | None = None,
) -> list[Code]:
    """Split a code into new sub-codes named ``names``; ``assign`` maps coding ids to the index
    of the new code they move to (codings not named stay on ``code``)."""
    names = [n.strip() for n in names if n and n.strip()]
    if not names:
        raise TillitError(
            "Name at least one new code to split into.",
            ErrorCode.INVALID_INPUT,
            hint="Give one name per line.",
        )
    before = _code_snapshot(code)
    new = [
        _create_code(code.project, n, actor=actor, parent=code, concept_id=code.concept_id)
        for n in names
    ]
    moved = 0
    for coding_id, index in (assign or {}).items():
        if not 0 <= int(index) < len(new):
            raise TillitError(f"Split target {index} does not exist.", ErrorCode.INVALID_INPUT)
        moved += Coding.objects.filter(pk=coding_id, code=code).update(code=new[int(index)])
    after = {"into": [c.name for c in new], "codings_moved": moved}
    _history(
        code, "split", project=code.project, actor=actor, name=code.name, before=before, after=after
    )
    audit.record(
        actor=actor,
        action="qda.code.split",
        obj=code,
        project=code.project,
        before=before,
        after=after,
    )
    return new


@transaction.atomic
def do_delete_code(code: Code, *, actor: AbstractBaseUser | None) -> None:
    """Delete a code without sub-codes, with its codings."""
    if Code.objects.filter(parent=code).exists():
        raise TillitError(
            f"Code {code.name!r} has sub-codes.",
            ErrorCode.CONFLICT,
            hint="Move or delete its sub-codes first, or merge it into another code.",
        )
    before = {**_code_snapshot(code), "codings": code.codings.count()}
    _history(None, "delete", project=code.project, actor=actor, name=code.name, before=before)
    audit.record(
        actor=actor, action="qda.code.delete", obj=code, project=code.project, before=before
    )
    code.delete()


#: The starter codebook: groups of taxonomy concepts (the group's own concept, then the
#: concepts whose codes go under it; a concept id ending in ".*" takes its whole sub-tree).
STARTER_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Problem perceptions", "motive", ("motive.*",)),
    ("Dilemmas and obstacles", "dilemma", ("dilemma.*",)),
    (
        "Professional roles",
        "actor",
        (
            "actor.management.*",
            "actor.frontline_employees",
            "actor.union_representatives",
            "actor.politicians.*",
        ),
    ),
    (
        "Political-administrative steering",
        "",
        (
            "relation.vertical.politicians_administration",
            "motive.detailed_steering",
            "measure.framework_budgeting",
            "measure.dialogue_followup",
            "measure.cocreated_steering",
            "dilemma.political_results",
        ),
    ),
    ("Vertical trust", "relation.vertical", ("relation.vertical.*",)),
    ("Horizontal trust", "relation.horizontal", ("relation.horizontal.*",)),
    ("Institutional and relational trust", "relation.form", ("relation.form.*",)),
)


#: Names of the starter groups in Norwegian Bokmål and Danish (English is the key).
STARTER_TITLES = {
    "Problem perceptions": {"nb": "Problemforståelser", "da": "Problemopfattelser"},
    "Dilemmas and obstacles": {"nb": "Dilemmaer og hindringer", "da": "Dilemmaer og barrierer"},
    "Professional roles": {"nb": "Profesjonelle roller", "da": "Professionelle roller"},
    "Political-administrative steering": {
        "nb": "Politisk-administrativ styring",
        "da": "Politisk-administrativ styring",
    },
    "Vertical trust": {"nb": "Vertikal tillit", "da": "Vertikal tillid"},
    "Horizontal trust": {"nb": "Horisontal tillit", "da": "Horisontal tillid"},
    "Institutional and relational trust": {
        "nb": "Institusjonell og relasjonell tillit",
        "da": "Institutionel og relationel tillid",
    },
}


def starter_codebook(lang: str = "en") -> list[dict[str, Any]]:
    """The starter codebook as ``[{"name", "concept_id", "description", "children": [...]}]``.

    Concepts missing from the installed taxonomy are left out; labels in ``lang``.
    """
    from tillit.taxonomy import load_taxonomy

    tax = load_taxonomy()

    def node(cid: str, deep: bool) -> dict[str, Any]:
        c = tax.get(cid)
        kids = [node(k.id, True) for k in tax.children(cid)] if deep else []
        return {
            "name": c.label(lang),
            "concept_id": c.id,
            "description": c.definition(lang),
            "inclusion": c.note,
            "children": kids,
        }

    groups = []
    for title, group_concept, members in STARTER_GROUPS:
        children = []
        for m in members:
            deep = m.endswith(".*")
            cid = m[:-2] if deep else m
            if cid not in tax:
                continue
            if deep:
                children += [node(k.id, True) for k in tax.children(cid)]
            else:
                children.append(node(cid, False))
        if not children:
            continue
        label = STARTER_TITLES.get(title, {}).get(lang, title)
        description = ""
        if group_concept and group_concept in tax:
            description = tax.get(group_concept).definition(lang)
        groups.append(
            {
                "name": label,
                "concept_id": group_concept if group_concept in tax else "",
                "description": description,
                "inclusion": "",
                "children": children,
            }
        )
    return groups


@transaction.atomic
def do_create_starter_codebook(
    project: Project, *, actor: AbstractBaseUser | None, lang: str = "en"
) -> list[Code]:
    """Add the starter codebook from the taxonomy (problem perceptions, dilemmas and
    obstacles, professional roles, political-administrative steering, vertical, horizontal,
    institutional and relational trust). Groups present already (by name) are skipped."""
    created: list[Code] = []

    def add(spec: dict[str, Any], parent: Code | None) -> None:
        existing = Code.objects.filter(project=project, parent=parent)
        if parent is not None and spec["concept_id"]:
            existing = existing.filter(concept_id=spec["concept_id"])
        else:
            existing = existing.filter(name__iexact=spec["name"])
        code = existing.first()
        if code is None:
            code = _create_code(
                project,
                spec["name"],
                actor=actor,
                parent=parent,
                concept_id=spec["concept_id"],
                description=spec["description"],
                inclusion=spec.get("inclusion", ""),
            )
            created.append(code)
        for child in spec["children"]:
            add(child, code)

    for group in starter_codebook(lang):
        add(group, None)
    audit.record(
        actor=actor,
        action="qda.codebook.starter",
        obj=project,
        project=project,
        after={"codes_created": len(created), "lang": lang},
    )
    return created


@transaction.atomic
def do_import_qdc(
    project: Project, data: bytes, *, actor: AbstractBaseUser | None
) -> dict[str, Any]:
    """Import a REFI-QDA codebook (.qdc): codes whose guid is known are updated, the rest
    added (under their parents). All or nothing."""
    from tillit.apps.qda import refi

    report = refi.import_codebook(project, data, actor=actor)
    audit.record(actor=actor, action="qda.qdc.import", obj=project, project=project, after=report)
    return report


def get_code(project: Project, ref: str | int) -> Code:
    """A code by id, guid or name (names must be unique in the project)."""
    qs = Code.objects.filter(project=project)
    ref = str(ref).strip()
    if ref.isdigit():
        found = qs.filter(pk=int(ref)).first()
        if found:
            return found
    found = None
    try:
        import uuid

        found = qs.filter(guid=uuid.UUID(ref)).first()
    except ValueError:
        pass
    if found:
        return found
    named = list(qs.filter(name__iexact=ref)[:2])
    if len(named) == 1:
        return named[0]
    if named:
        raise TillitError(
            f"Several codes are called {ref!r}.",
            ErrorCode.AMBIGUOUS,
            hint="Name the code by its id (see `tillit qda codes`).",
        )
    raise NotFoundError(
        f"There is no code {ref!r} in project {project.slug}.",
        hint="List the codes with `tillit qda codes`.",
    )
