"""Fixtures: the demo survey (455 municipalities, synthetic fieldwork) in a project with one
member per role."""

from __future__ import annotations

import pytest


@pytest.fixture
def demo_survey(project_with_roles):
    """The chief-executive survey with synthetic fieldwork, built as ``surveys/demo.py`` does."""
    from tillit.apps.surveys import demo, services, synthetic

    project, users = project_with_roles
    owner = users["owner"]
    filename, data = services.builtin_instrument("chief_executive_2026")
    iv = services.do_import_instrument(project, filename, data, actor=owner)
    survey = services.do_create_survey(
        project, "exec", "Executive survey", iv, "personal", "nb", actor=owner, is_synthetic=True
    )
    services.do_set_frame(survey, actor=owner)
    cases = list(survey.cases.order_by("country", "municipality_code"))
    services.do_import_contacts(survey, "c.csv", demo.contacts_csv(cases), actor=owner)
    frame = [synthetic.FrameCase(c.case_id, c.country, c.municipality_code) for c in cases]
    fieldwork = synthetic.simulate(services.load_instrument(iv), frame, demo.SEED)
    services.do_load_synthetic_fieldwork(survey, fieldwork, actor=owner)
    return survey


@pytest.fixture
def empty_survey(project_with_roles):
    """The chief-executive survey with its frame and no answers yet."""
    from tillit.apps.surveys import services

    project, users = project_with_roles
    filename, data = services.builtin_instrument("chief_executive_2026")
    iv = services.do_import_instrument(project, filename, data, actor=users["owner"])
    survey = services.do_create_survey(project, "draft", "Draft", iv, actor=users["owner"])
    services.do_set_frame(survey, actor=users["owner"])
    return survey
