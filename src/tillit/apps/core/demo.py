"""The demo's core part: accounts for each role and a clearly labelled synthetic project.

``tillit demo`` calls :func:`build` and then the ``build(ctx)`` function of every other app that
has a ``demo`` module, in INSTALLED_APPS order, so each module adds its part of the demo.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser

from tillit.apps.core import services
from tillit.apps.core.models import Project

DEMO_PASSWORD = "tillit-demo"  # noqa: S105 (printed on purpose: demo accounts only)
DEMO_ROLES = ("owner", "researcher", "coder", "viewer")
DEMO_SLUG = "synthetic-demo"
DEMO_NAME = "SYNTHETIC: Trust reform in Nordic municipalities (demo study)"
DEMO_DESCRIPTION = (
    "This is a made-up study for demonstration and teaching. Every survey answer, interview, "
    "field note, council document and coding in it is synthetic: no real person or municipality "
    "took part. The municipality registry it uses is real (SSB, Kartverket, DST, DAGI), and so are "
    "the reform register's entries: documented cases, each with its source."
)


@dataclass
class DemoContext:
    project: Project
    users: dict[str, AbstractBaseUser]
    log: Callable[[str], None]
    notes: list[str] = field(default_factory=list)


def build(log: Callable[[str], None] = print) -> DemoContext:
    users = {
        role: services.do_create_user(
            role,
            DEMO_PASSWORD,
            email=f"{role}@demo.invalid",
            check_password=False,
            is_staff=role == "owner",
        )
        for role in DEMO_ROLES
    }
    users["outsider"] = services.do_create_user(
        "outsider", DEMO_PASSWORD, email="outsider@demo.invalid", check_password=False
    )
    project = services.do_create_project(
        name=DEMO_NAME,
        slug=DEMO_SLUG,
        description=DEMO_DESCRIPTION,
        is_synthetic=True,
        owner=users["owner"],
        actor=users["owner"],
    )
    for role in DEMO_ROLES[1:]:
        services.do_add_member(project, users[role], role, actor=users["owner"])
    ctx = DemoContext(project, users, log)
    for app in apps.get_app_configs():
        if not app.name.startswith("tillit.apps.") or app.label == "core":
            continue
        try:
            module: Any = importlib.import_module(f"{app.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{app.name}.demo":
                raise
            continue
        log(f"Adding the {app.label} part of the demo")
        module.build(ctx)
    return ctx
