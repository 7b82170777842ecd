"""Project roles and what each may do: the only place where permissions are decided.

Views and services ask :mod:`tillit.apps.core.access`, which asks these methods.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """A member's role in one project, from most to least powerful."""

    OWNER = "owner", _("Owner")
    RESEARCHER = "researcher", _("Researcher")
    CODER = "coder", _("Coder")
    VIEWER = "viewer", _("Viewer")

    @property
    def rank(self) -> int:
        return {"owner": 4, "researcher": 3, "coder": 2, "viewer": 1}[self.value]

    def can_view(self) -> bool:
        return True

    def can_code(self) -> bool:
        """Apply codes, write memos (qualitative work)."""
        return self.rank >= Role.CODER.rank

    def can_edit(self) -> bool:
        """Change project content: instruments, register, sources, settings."""
        return self.rank >= Role.RESEARCHER.rank

    def can_see_personal_data(self) -> bool:
        """See identities (names, e-mails, tokens) and non-pseudonymous exports."""
        return self.rank >= Role.RESEARCHER.rank

    def can_manage_members(self) -> bool:
        return self is Role.OWNER

    def can_delete_project(self) -> bool:
        return self is Role.OWNER

    def can_publish(self) -> bool:
        """Publish the project's public site and open data (observatory)."""
        return self is Role.OWNER


#: Permission names accepted by ``access.get_project_for_user(..., need=...)``.
PERMISSIONS = {
    "view": Role.can_view,
    "code": Role.can_code,
    "edit": Role.can_edit,
    "personal_data": Role.can_see_personal_data,
    "manage_members": Role.can_manage_members,
    "delete": Role.can_delete_project,
    "publish": Role.can_publish,
}
