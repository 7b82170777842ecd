"""Fixtures: a project with the demo survey (455 municipalities, synthetic fieldwork)."""

from __future__ import annotations

import pytest

from tests.analysis_web.conftest import demo_survey, empty_survey  # noqa: F401 (fixtures)


@pytest.fixture
def demo_project(demo_survey):  # noqa: F811 (the fixture above)
    return demo_survey.project
