"""Frames: one case per registry municipality; samples are reproducible by seed."""

import re

import pytest

from tillit.apps.surveys import services
from tillit.apps.surveys.models import Case
from tillit.errors import TillitError

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("country", "n"), [("no", 357), ("dk", 98), (None, 455), ("both", 455)])
def test_frame_counts(survey, owner, country, n):
    frame = services.do_set_frame(survey, country=country, actor=owner)
    assert frame["n_cases"] == n == survey.cases.count()
    assert len(set(survey.cases.values_list("case_id", flat=True))) == n


def test_case_ids_are_pseudonymous(survey, owner):
    services.do_set_frame(survey, country="no", actor=owner)
    for case_id in survey.cases.values_list("case_id", flat=True):
        assert re.fullmatch(r"c[a-z2-7]{12}", case_id), case_id


def test_county_frame(survey, owner):
    frame = services.do_set_frame(survey, country="no", county="03", actor=owner)
    assert frame["n_cases"] == 1
    assert survey.cases.get().municipality_code == "0301"
    frame = services.do_set_frame(survey, country="dk", county="1084", actor=owner)
    assert frame["n_cases"] == 29 and set(survey.cases.values_list("country", flat=True)) == {"DK"}


def test_sample_is_reproducible_by_seed(survey, project_with_roles, owner, form_bytes):
    services.do_set_frame(survey, sample_size=50, seed=7, actor=owner)
    first = set(survey.cases.values_list("country", "municipality_code"))
    assert len(first) == 50
    other = services.do_create_survey(
        project_with_roles[0], "other", "Other", survey.instrument, actor=owner
    )
    services.do_set_frame(other, sample_size=50, seed=7, actor=owner)
    assert set(other.cases.values_list("country", "municipality_code")) == first
    services.do_set_frame(other, sample_size=50, seed=8, actor=owner)
    assert set(other.cases.values_list("country", "municipality_code")) != first


def test_sample_without_seed_records_the_seed_it_used(survey, owner):
    frame = services.do_set_frame(survey, country="dk", sample_size=10, actor=owner)
    assert isinstance(frame["seed"], int)
    survey.refresh_from_db()
    assert survey.frame["seed"] == frame["seed"]


def test_reframing_keeps_cases_that_stay(survey, owner):
    services.do_set_frame(survey, country="no", actor=owner)
    oslo = survey.cases.get(municipality_code="0301").case_id
    services.do_set_frame(survey, actor=owner)
    assert survey.cases.count() == 455
    assert survey.cases.get(municipality_code="0301").case_id == oslo


def test_bad_frames_are_refused(survey, owner):
    with pytest.raises(TillitError, match="larger than the frame"):
        services.do_set_frame(survey, country="dk", sample_size=99, actor=owner)
    with pytest.raises(TillitError, match="unknown county"):
        services.do_set_frame(survey, country="no", county="77", actor=owner)
    with pytest.raises(TillitError, match="unknown country"):
        services.do_set_frame(survey, country="se", actor=owner)
    assert survey.cases.count() == 0


def test_frame_is_frozen_once_there_are_answers(framed, owner):
    from django.utils import timezone

    from tillit.apps.surveys.models import Answer

    case = Case.objects.filter(survey=framed).first()
    Answer.objects.create(case=case, name="reform", value="yes", saved_at=timezone.now())
    with pytest.raises(TillitError, match="has answers"):
        services.do_set_frame(framed, country="no", actor=owner)
    assert framed.cases.count() == 455
