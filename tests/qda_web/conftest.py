"""Fixtures: a project with one member per role (tests/conftest.py) holding the qda demo."""

from __future__ import annotations

import pytest


@pytest.fixture
def qda_demo(project_with_roles):
    """The qda part of the demo built into the role project: (project, users)."""
    from tillit.apps.core.demo import DemoContext
    from tillit.apps.qda import demo

    project, users = project_with_roles
    demo.build(DemoContext(project, users, lambda _msg: None))
    return project, users
