"""Fixtures: the demo survey (455 municipalities, synthetic fieldwork) in a project."""

from __future__ import annotations

from tests.analysis_web.conftest import demo_survey, empty_survey  # noqa: F401 (fixtures)
