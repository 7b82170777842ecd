"""Writes of the cases module: saving and deleting case matrices and QCA models. Each ``do_*``
runs in one transaction and records one audit event.

Reading (building a matrix, running a QCA, fitting a trust model) lives in
:mod:`tillit.apps.cases.matrix`, :mod:`tillit.apps.cases.qca` and
:mod:`tillit.apps.cases.trust`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from tillit.apps.cases import matrix as mx
from tillit.apps.cases.models import CaseMatrix, QcaModel
from tillit.apps.cases.qca import SetSpec, check_specs
from tillit.apps.core import audit
from tillit.apps.core.models import Project
from tillit.errors import ErrorCode, NotFoundError, TillitError

UNITS = ("municipality", "qda_case")


def _actor(actor: AbstractBaseUser | None) -> AbstractBaseUser | None:
    return actor if actor is not None and actor.pk else None


def _check_columns(columns: Sequence[str]) -> list[str]:
    cols = [c.strip() for c in columns if c and c.strip()]
    if not cols:
        raise TillitError(
            "A case matrix needs at least one column.",
            ErrorCode.INVALID_INPUT,
            hint="Pick columns from the registry, the register, the corpus, the codings or a "
            "survey.",
        )
    for c in cols:
        mx.column_info(c)  # raises for an unknown id
    return list(dict.fromkeys(cols))


@transaction.atomic
def do_save_matrix(
    project: Project,
    *,
    name: str,
    columns: Sequence[str],
    actor: AbstractBaseUser | None,
    unit: str = "municipality",
    rows: dict[str, Any] | None = None,
    description: str = "",
    is_synthetic: bool = False,
) -> CaseMatrix:
    """Create the matrix ``name`` or replace its set-up."""
    name = (name or "").strip()
    if not name:
        raise TillitError("Give the case matrix a name.", ErrorCode.INVALID_INPUT)
    if unit not in UNITS:
        raise TillitError(
            f"Unknown row unit {unit!r}.",
            ErrorCode.INVALID_INPUT,
            hint="Use municipality or qda_case.",
        )
    cols = _check_columns(columns)
    spec = mx.RowSpec.from_dict(rows, unit)
    obj = CaseMatrix.objects.select_for_update().filter(project=project, name=name).first()
    before = None
    if obj is None:
        obj = CaseMatrix(project=project, name=name, created_by=_actor(actor))
    else:
        before = {"unit": obj.unit, "rows": obj.rows, "columns": obj.columns}
    obj.unit, obj.rows, obj.columns = unit, spec.as_dict(), cols
    obj.description = description
    obj.is_synthetic = is_synthetic
    obj.save()
    audit.record(
        actor=actor,
        action="cases.matrix_save",
        obj=obj,
        project=project,
        before=before,
        after={"name": name, "unit": unit, "rows": obj.rows, "columns": cols},
    )
    return obj


@transaction.atomic
def do_delete_matrix(matrix: CaseMatrix, *, actor: AbstractBaseUser | None) -> None:
    """Delete a saved matrix and the QCA models built on it."""
    before = {"name": matrix.name, "columns": matrix.columns, "qca": matrix.qca_models.count()}
    audit.record(
        actor=actor, action="cases.matrix_delete", obj=matrix, project=matrix.project, before=before
    )
    matrix.delete()


@transaction.atomic
def do_save_qca(
    matrix: CaseMatrix,
    *,
    name: str,
    outcome: dict[str, Any],
    conditions: Sequence[dict[str, Any]],
    actor: AbstractBaseUser | None,
    incl_cut: float = 0.8,
    n_cut: int = 1,
    pri_cut: float = 0.0,
    description: str = "",
    is_synthetic: bool = False,
) -> QcaModel:
    """Create the QCA model ``name`` on ``matrix`` or replace its set-up."""
    name = (name or "").strip()
    if not name:
        raise TillitError("Give the QCA model a name.", ErrorCode.INVALID_INPUT)
    out = SetSpec.from_dict(outcome)
    conds = [SetSpec.from_dict(c) for c in conditions]
    check_specs(out, conds)
    unknown = [s.column for s in (out, *conds) if s.column not in matrix.columns]
    if unknown:
        raise TillitError(
            f"Columns not in the matrix {matrix.name!r}: {', '.join(unknown)}.",
            ErrorCode.INVALID_INPUT,
            hint="Add them to the matrix first.",
        )
    if not 0 <= incl_cut <= 1 or not 0 <= pri_cut <= 1 or n_cut < 1:
        raise TillitError(
            "Cuts out of range: the inclusion and PRI cuts lie within 0..1, the frequency cut "
            "is at least 1.",
            ErrorCode.INVALID_INPUT,
        )
    project = matrix.project
    obj = QcaModel.objects.select_for_update().filter(project=project, name=name).first()
    before = None
    if obj is None:
        obj = QcaModel(project=project, name=name, created_by=_actor(actor))
    else:
        before = {"outcome": obj.outcome, "conditions": obj.conditions, "matrix": obj.matrix_id}
    obj.matrix = matrix
    obj.outcome = out.as_dict()
    obj.conditions = [c.as_dict() for c in conds]
    obj.incl_cut, obj.n_cut, obj.pri_cut = float(incl_cut), int(n_cut), float(pri_cut)
    obj.description = description
    obj.is_synthetic = is_synthetic
    obj.save()
    audit.record(
        actor=actor,
        action="cases.qca_save",
        obj=obj,
        project=project,
        before=before,
        after={
            "name": name,
            "matrix": matrix.name,
            "outcome": obj.outcome,
            "conditions": obj.conditions,
        },
    )
    return obj


@transaction.atomic
def do_delete_qca(model: QcaModel, *, actor: AbstractBaseUser | None) -> None:
    audit.record(
        actor=actor,
        action="cases.qca_delete",
        obj=model,
        project=model.project,
        before={"name": model.name, "outcome": model.outcome, "conditions": model.conditions},
    )
    model.delete()


# ----------------------------------------------------------------------------------------------
# reading


def get_matrix(project: Project, name_or_id: str | int) -> CaseMatrix:
    text = str(name_or_id).strip()
    qs = CaseMatrix.objects.filter(project=project)
    obj = qs.filter(pk=int(text)).first() if text.isdigit() else None
    obj = obj or qs.filter(name=text).first()
    if obj is None:
        raise NotFoundError(
            f"Project {project.slug} has no case matrix {text!r}.",
            hint=f"List them with `tillit cases list {project.slug}`.",
        )
    return obj


def get_qca(project: Project, name_or_id: str | int) -> QcaModel:
    text = str(name_or_id).strip()
    qs = QcaModel.objects.filter(project=project).select_related("matrix")
    obj = qs.filter(pk=int(text)).first() if text.isdigit() else None
    obj = obj or qs.filter(name=text).first()
    if obj is None:
        raise NotFoundError(
            f"Project {project.slug} has no QCA model {text!r}.",
            hint=f"List them with `tillit cases list {project.slug}`.",
        )
    return obj


def build_saved(cm: CaseMatrix, *, personal: bool, lang: str = "en", **kw: Any) -> mx.Matrix:
    return mx.build(
        cm.project,
        cm.columns,
        mx.RowSpec.from_dict(cm.rows, cm.unit),
        personal=personal,
        lang=lang,
        **kw,
    )


def uses_personal(columns: Sequence[str]) -> bool:
    return any(c.strip().startswith("survey.") for c in columns)
