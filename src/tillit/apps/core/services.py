"""Every write to the core data: one ``do_<verb>_<noun>()`` each, in one transaction, with one
audit event. Nothing else calls ``.save()`` on a core model.

Services raise :class:`tillit.errors.TillitError` for anything a user can get wrong; the CLI and
the views turn it into a message. Permissions are checked by the caller through
:mod:`tillit.apps.core.access` (views) or by the operator's shell access (CLI).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from tillit.apps.core import audit
from tillit.apps.core.models import Membership, Project
from tillit.apps.core.roles import Role
from tillit.errors import ErrorCode, TillitError

User = get_user_model()

PROJECT_FIELDS = ("slug", "name", "description", "is_synthetic", "k_threshold")
USER_FIELDS = ("username", "email", "is_staff", "is_superuser", "is_active")


def _check_password(password: str, user: AbstractBaseUser | None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise TillitError(
            "The password is too weak: " + " ".join(exc.messages),
            ErrorCode.INVALID_INPUT,
            hint="Choose a longer password (at least 10 characters, not only digits).",
        ) from exc


@transaction.atomic
def do_create_user(
    username: str,
    password: str,
    *,
    email: str = "",
    is_staff: bool = False,
    actor: AbstractBaseUser | None = None,
    check_password: bool = True,
) -> AbstractBaseUser:
    """Create an account. ``is_staff`` accounts may use the Django admin."""
    username = username.strip()
    if not username:
        raise TillitError("A user name is required.", ErrorCode.INVALID_INPUT)
    if User.objects.filter(username__iexact=username).exists():
        raise TillitError(
            f"A user called {username!r} exists already.",
            ErrorCode.CONFLICT,
            hint="Choose another user name, or add the existing user to the project.",
        )
    user = User(username=username, email=email, is_staff=is_staff, is_superuser=is_staff)
    if check_password:
        _check_password(password, user)
    user.set_password(password)
    user.save()
    audit.record(
        actor=actor, action="user.create", obj=user, after=audit.snapshot(user, USER_FIELDS)
    )
    return user


@transaction.atomic
def do_change_password(
    user: AbstractBaseUser, new_password: str, *, actor: AbstractBaseUser | None
) -> None:
    """Set a new password (the audit row records that it changed, never the password)."""
    _check_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit.record(actor=actor, action="user.change_password", obj=user, after={"password": "***"})


@transaction.atomic
def do_create_project(
    *,
    name: str,
    owner: AbstractBaseUser,
    slug: str = "",
    description: str = "",
    is_synthetic: bool = False,
    actor: AbstractBaseUser | None = None,
) -> Project:
    """Create a project with ``owner`` as its first owner."""
    name = name.strip()
    if not name:
        raise TillitError("A project needs a name.", ErrorCode.INVALID_INPUT)
    slug = slugify(slug or name)[:60]
    if not slug:
        raise TillitError(
            f"Cannot make a short name from {name!r}.",
            ErrorCode.INVALID_INPUT,
            hint="Give a short name with letters or digits (--slug).",
        )
    if Project.objects.filter(slug=slug).exists():
        raise TillitError(
            f"A project with the short name {slug!r} exists already.",
            ErrorCode.CONFLICT,
            hint="Choose another short name.",
        )
    project = Project.objects.create(
        slug=slug, name=name, description=description, is_synthetic=is_synthetic
    )
    Membership.objects.create(project=project, user=owner, role=Role.OWNER)
    audit.record(
        actor=actor or owner,
        action="project.create",
        obj=project,
        project=project,
        after={**audit.snapshot(project, PROJECT_FIELDS), "owner": owner.get_username()},
    )
    return project


@transaction.atomic
def do_update_project(
    project: Project,
    *,
    actor: AbstractBaseUser | None,
    name: str | None = None,
    description: str | None = None,
    k_threshold: int | None = None,
) -> Project:
    """Change a project's name, description or minimum cell size."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    before = audit.snapshot(project, PROJECT_FIELDS)
    if name is not None:
        if not name.strip():
            raise TillitError("A project needs a name.", ErrorCode.INVALID_INPUT)
        project.name = name.strip()
    if description is not None:
        project.description = description
    if k_threshold is not None:
        if not 1 <= k_threshold <= 100:
            raise TillitError(
                f"Minimum cell size {k_threshold} is out of range.",
                ErrorCode.INVALID_INPUT,
                hint="Use a whole number from 1 to 100 (5 is the usual rule).",
            )
        project.k_threshold = k_threshold
    project.save()
    after = audit.snapshot(project, PROJECT_FIELDS)
    audit.record(
        actor=actor,
        action="project.update",
        obj=project,
        project=project,
        before=before,
        after=after,
    )
    return project


def _membership_for_change(
    project: Project, user: AbstractBaseUser, *, keeps_owner: bool
) -> Membership:
    """Lock ``user``'s membership for a change; refuse to leave the project without an owner."""
    m = Membership.objects.select_for_update().filter(project=project, user=user).first()
    if m is None:
        raise TillitError(
            f"{user.get_username()} is not a member of {project.slug}.", ErrorCode.NOT_FOUND
        )
    others = Membership.objects.filter(project=project, role=Role.OWNER).exclude(user=user)
    if m.role == Role.OWNER and not keeps_owner and not others.exists():
        raise TillitError(
            "A project must keep at least one owner.",
            ErrorCode.CONFLICT,
            hint="Make another member an owner first.",
        )
    return m


@transaction.atomic
def do_add_member(
    project: Project, user: AbstractBaseUser, role: Role | str, *, actor: AbstractBaseUser | None
) -> Membership:
    """Give ``user`` a role in ``project``."""
    role = Role(role)
    if Membership.objects.filter(project=project, user=user).exists():
        raise TillitError(
            f"{user.get_username()} is already a member of {project.slug}.",
            ErrorCode.CONFLICT,
            hint="Change their role instead.",
        )
    m = Membership.objects.create(project=project, user=user, role=role)
    audit.record(
        actor=actor,
        action="member.add",
        obj=m,
        project=project,
        after={"user": user.get_username(), "role": role.value},
    )
    return m


@transaction.atomic
def do_change_member_role(
    project: Project, user: AbstractBaseUser, role: Role | str, *, actor: AbstractBaseUser | None
) -> Membership:
    """Change a member's role; a project always keeps at least one owner."""
    role = Role(role)
    m = _membership_for_change(project, user, keeps_owner=role == Role.OWNER)
    before = {"user": user.get_username(), "role": m.role}
    m.role = role
    m.save(update_fields=["role"])
    audit.record(
        actor=actor,
        action="member.change_role",
        obj=m,
        project=project,
        before=before,
        after={"user": user.get_username(), "role": role.value},
    )
    return m


@transaction.atomic
def do_remove_member(
    project: Project, user: AbstractBaseUser, *, actor: AbstractBaseUser | None
) -> None:
    """Take a user out of a project; the last owner cannot be removed."""
    m = _membership_for_change(project, user, keeps_owner=False)
    before = {"user": user.get_username(), "role": m.role}
    audit.record(actor=actor, action="member.remove", obj=m, project=project, before=before)
    m.delete()
