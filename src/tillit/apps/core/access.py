"""Access decisions: the only way a view or command gets a project.

* a non-member (or an anonymous user) gets 404, so a project's existence is not revealed;
* a member whose role lacks the permission gets 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from tillit.apps.core.models import Membership, Project
from tillit.apps.core.roles import PERMISSIONS, Role


@dataclass(frozen=True)
class ProjectAccess:
    """A project together with the requesting user's role in it."""

    project: Project
    role: Role

    def can(self, need: str) -> bool:
        return PERMISSIONS[need](self.role)


def role_in(user: AbstractBaseUser | AnonymousUser, project: Project) -> Role | None:
    if not user.is_authenticated:
        return None
    m = Membership.objects.filter(project=project, user_id=user.pk).only("role").first()
    return Role(m.role) if m else None


def get_project_for_user(
    user: AbstractBaseUser | AnonymousUser, slug: str, need: str = "view"
) -> ProjectAccess:
    """Return the project ``slug`` with the user's role, or raise 404 / 403."""
    if need not in PERMISSIONS:
        raise ValueError(f"need={need!r}; allowed: {sorted(PERMISSIONS)}")
    if not user.is_authenticated:
        raise Http404("No such project.")
    m = (
        Membership.objects.select_related("project")
        .filter(project__slug=slug, user_id=user.pk)
        .first()
    )
    if m is None:
        raise Http404("No such project.")
    access = ProjectAccess(m.project, Role(m.role))
    if not access.can(need):
        raise PermissionDenied(f"Your role ({m.role}) does not allow this.")
    return access


def projects_for_user(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Membership]:
    """The user's memberships, with their projects, for list pages."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return (
        Membership.objects.select_related("project")
        .filter(user_id=user.pk)
        .order_by("project__name")
    )
