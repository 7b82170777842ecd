"""Fixtures for the register tests: a project with one member per role and a small register."""

from __future__ import annotations

import pytest


@pytest.fixture
def project(project_with_roles):
    return project_with_roles[0]


@pytest.fixture
def users(project_with_roles):
    return project_with_roles[1]


@pytest.fixture
def register(project, users):
    """Three initiatives in three municipalities (two active with years, one planned), one
    with two pieces of evidence, and two context events."""
    from tillit.apps.mapping import services

    actor = users["researcher"]
    oslo = services.do_create_initiative(
        project,
        municipality_code="0301",
        title="Tillitsreform i Oslo",
        start_year=2015,
        status="active",
        decided_by="executive",
        scope="whole",
        sectors=["sector.school"],
        measures=["measure.reform_decision", "measure.delegation"],
        problem_perceptions=["motive.npm_critique"],
        notes='Test entry, with a comma, and a "quote".',
        actor=actor,
        evidence=[
            {"kind": "url", "url": "https://example.org/oslo", "title": "Oslo source"},
            {
                "kind": "passage",
                "ref": "a" * 64,
                "start": 10,
                "end": 42,
                "quote": "tillitsbasert styring",
            },
        ],
    )
    cph = services.do_create_initiative(
        project,
        municipality_code="101",
        title="Tillidsreform",
        start_year=2012,
        status="active",
        measures="measure.reporting_reduction; measure.rule_channel",
        actor=actor,
    )
    bergen = services.do_create_initiative(
        project,
        municipality_code="4601",
        title="Tillitsreform i hjemmetjenesten",
        status="planned",
        actor=actor,
    )
    services.do_create_context_event(
        project,
        country="DK",
        date="2013-06-20",
        title="Seven principles",
        kind="agreement",
        actor=actor,
    )
    services.do_create_context_event(
        project, country="NO", year=2021, title="Hurdal platform", kind="platform", actor=actor
    )
    return {"oslo": oslo, "cph": cph, "bergen": bergen}
