"""Access to qualitative data, on top of :mod:`tillit.apps.core.access`.

* viewers read, coders code, researchers and owners edit the codebook and import;
* when the project's setting "coders see assigned sources only" is on, coders and viewers see
  (and code) only the sources assigned to them; other sources answer 404;
* pseudonym keys are for owners only;
* non-members get 404 (core access).
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from tillit.apps.core import access
from tillit.apps.core.access import ProjectAccess
from tillit.apps.core.models import Project
from tillit.apps.core.roles import Role
from tillit.apps.qda.models import QdaSettings, Source


def settings_for(project: Project) -> QdaSettings:
    """The project's qda settings (defaults when none were saved)."""
    found = QdaSettings.objects.filter(project=project).first()
    return found if found is not None else QdaSettings(project=project)


def get_project(user: Any, slug: str, need: str = "view") -> ProjectAccess:
    """The project with the user's role; 404 for non-members, 403 for a missing right."""
    return access.get_project_for_user(user, slug, need=need)


def restricted(pa: ProjectAccess) -> bool:
    """True when this member sees only the sources assigned to them."""
    return pa.role.rank < Role.RESEARCHER.rank and settings_for(pa.project).assigned_only


def visible_sources(pa: ProjectAccess, user: Any) -> QuerySet[Source]:
    """The sources this member may read (and, with the code right, code)."""
    qs = Source.objects.filter(project=pa.project)
    if restricted(pa):
        qs = qs.filter(assigned_coders=user)
    return qs


def get_source(pa: ProjectAccess, user: Any, source_id: int) -> Source:
    """One source the member may see, else 404 (its existence is not revealed)."""
    source = visible_sources(pa, user).filter(pk=source_id).first()
    if source is None:
        raise Http404("No such source.")
    return source


def can_see_pseudonym_keys(pa: ProjectAccess) -> bool:
    return pa.role is Role.OWNER


def can_edit_codebook(pa: ProjectAccess) -> bool:
    return pa.role.can_edit()


def can_code(pa: ProjectAccess) -> bool:
    return pa.role.can_code()


def need_for(request: Any, write: str = "edit") -> str:
    """The permission a request needs: ``write`` for POST, ``view`` otherwise."""
    return write if request.method == "POST" else "view"
