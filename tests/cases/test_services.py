"""Writes of the cases module: every do_* leaves one audit row; bad set-ups change nothing."""

from __future__ import annotations

import inspect

import pytest

from tillit.apps.cases import services
from tillit.apps.cases.models import CaseMatrix, QcaModel
from tillit.apps.core.models import AuditEvent
from tillit.errors import TillitError

pytestmark = pytest.mark.django_db

OUTCOME = {"column": "register.adopted", "name": "ADOPT"}
CONDS = [{"column": "registry.dk", "name": "DK", "direction": "1"}]


def _matrix(project, owner, name="M"):
    return services.do_save_matrix(
        project, name=name, columns=["registry.dk", "register.adopted"], actor=owner
    )


def _calls(project, users):
    owner = users["owner"]
    return {
        "do_save_matrix": lambda: _matrix(project, owner, "Fresh"),
        "do_delete_matrix": lambda: services.do_delete_matrix(
            CaseMatrix.objects.get(name="M"), actor=owner
        ),
        "do_save_qca": lambda: services.do_save_qca(
            CaseMatrix.objects.get(name="M"),
            name="Q",
            outcome=OUTCOME,
            conditions=CONDS,
            actor=owner,
        ),
        "do_delete_qca": lambda: services.do_delete_qca(
            QcaModel.objects.get(name="Q0"), actor=owner
        ),
    }


def test_every_service_is_covered():
    names = {
        n
        for n, f in inspect.getmembers(services, inspect.isfunction)
        if n.startswith("do_") and f.__module__ == services.__name__
    }
    assert names == set(_calls(None, {"owner": None}))


@pytest.mark.parametrize("name", sorted(_calls(None, {"owner": None})))
def test_service_writes_one_audit_row(project_with_roles, name):
    project, users = project_with_roles
    m = _matrix(project, users["owner"])
    services.do_save_qca(m, name="Q0", outcome=OUTCOME, conditions=CONDS, actor=users["owner"])
    before = AuditEvent.objects.count()
    _calls(project, users)[name]()
    assert AuditEvent.objects.count() == before + 1
    ev = AuditEvent.objects.order_by("-id").first()
    assert ev.action.startswith("cases.") and ev.project == project
    assert ev.actor == users["owner"]


def test_saving_again_replaces_the_set_up(project_with_roles):
    project, users = project_with_roles
    m = _matrix(project, users["owner"])
    again = services.do_save_matrix(
        project,
        name="M",
        columns=["registry.population"],
        actor=users["owner"],
        rows={"countries": ["NO"], "codes": ["Bergen"]},
    )
    assert again.pk == m.pk and again.columns == ["registry.population"]
    assert again.rows["codes"] == ["NO:4601"]
    ev = AuditEvent.objects.filter(action="cases.matrix_save").order_by("-id").first()
    assert ev.before["columns"] == ["registry.dk", "register.adopted"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"columns": []}, "at least one column"),
        ({"columns": ["register.nope"]}, "Unknown case-matrix column"),
        ({"columns": ["registry.dk"], "unit": "planets"}, "Unknown row unit"),
        ({"columns": ["registry.dk"], "rows": {"codes": ["Atlantis"]}}, "not a current"),
        ({"columns": ["registry.dk"], "name": " "}, "Give the case matrix a name"),
    ],
)
def test_bad_matrix_set_ups_change_nothing(project_with_roles, kwargs, message):
    project, users = project_with_roles
    before = AuditEvent.objects.count()
    args = {"name": "X", "actor": users["owner"], **kwargs}
    with pytest.raises(TillitError) as exc:
        services.do_save_matrix(project, **args)
    assert message in exc.value.message
    assert not CaseMatrix.objects.exists() and AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("outcome", "conditions", "message"),
    [
        (OUTCOME, [], "at least one condition"),
        (OUTCOME, [{"column": "registry.dk", "name": "1X"}], "not allowed"),
        (OUTCOME, [{"column": "registry.dk", "name": "ADOPT"}], "must differ"),
        (OUTCOME, [{"column": "registry.population", "name": "POP"}], "not in the matrix"),
        (OUTCOME, [{"column": "registry.dk", "name": "DK", "type": "magic"}], "calibration"),
    ],
)
def test_bad_qca_set_ups_change_nothing(project_with_roles, outcome, conditions, message):
    project, users = project_with_roles
    m = _matrix(project, users["owner"])
    with pytest.raises(TillitError) as exc:
        services.do_save_qca(
            m, name="Q", outcome=outcome, conditions=conditions, actor=users["owner"]
        )
    assert message in exc.value.message
    assert not QcaModel.objects.exists()
