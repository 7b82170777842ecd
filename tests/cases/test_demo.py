"""The cases part of the demo: saved SYNTHETIC matrices and QCA models of reform adoption that
run on the register, corpus and qda parts of the demo."""

from __future__ import annotations

import pytest

from tillit.apps.cases import demo, services
from tillit.apps.cases import qca as qcas
from tillit.apps.cases.models import CaseMatrix, QcaModel
from tillit.apps.core.demo import DemoContext

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_project(project_with_roles):
    from tillit.apps.corpus import demo as corpus_demo
    from tillit.apps.mapping import demo as mapping_demo

    project, users = project_with_roles
    ctx = DemoContext(project, users, log=lambda _: None)
    mapping_demo.build(ctx)
    corpus_demo.build(ctx)
    demo.build(ctx)
    return project, users


def test_demo_set_ups_are_labelled_synthetic(demo_project):
    project, _users = demo_project
    assert CaseMatrix.objects.filter(project=project).count() == 2
    assert QcaModel.objects.filter(project=project).count() == 3
    for obj in [*CaseMatrix.objects.all(), *QcaModel.objects.all()]:
        assert obj.is_synthetic and obj.name.startswith("SYNTHETIC")
        assert "real register entries" in obj.description
    survey_matrix = services.get_matrix(project, demo.MATRIX_SURVEY)
    assert services.uses_personal(survey_matrix.columns)
    assert not services.uses_personal(services.get_matrix(project, demo.MATRIX).columns)


def test_demo_qca_of_reform_adoption_runs(demo_project):
    project, _users = demo_project
    q = services.get_qca(project, demo.QCA)
    m = services.build_saved(q.matrix, personal=False)
    assert len(m.rows) >= 20  # the register's and the corpus' municipalities
    result = qcas.run(
        m,
        qcas.SetSpec.from_dict(q.outcome),
        [qcas.SetSpec.from_dict(c) for c in q.conditions],
        incl_cut=q.incl_cut,
        n_cut=q.n_cut,
        pri_cut=q.pri_cut,
    )
    assert set(result.solutions) == {"conservative", "parsimonious", "intermediate"}
    assert not result.errors
    assert result.solutions["parsimonious"].formulas
