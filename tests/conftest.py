"""Shared fixtures. The suite runs on SQLite by default and on PostgreSQL when DATABASE_URL is
set (.ci/run does both)."""

from __future__ import annotations

import pytest


@pytest.fixture
def make_user(db):
    """Create an account through the service layer."""
    from tillit.apps.core import services

    def _make(username: str, password: str = "correct-horse-battery-9", **kw):
        return services.do_create_user(username, password, **kw)

    return _make


@pytest.fixture
def project_with_roles(db, make_user):
    """A project with one member per role and an outsider; returns (project, users by role)."""
    from tillit.apps.core import services

    users = {r: make_user(r) for r in ("owner", "researcher", "coder", "viewer", "outsider")}
    project = services.do_create_project(name="Trust study", slug="trust", owner=users["owner"])
    for role in ("researcher", "coder", "viewer"):
        services.do_add_member(project, users[role], role, actor=users["owner"])
    return project, users
