"""Shell pages: home, about, projects, members, account. Views are thin: parse, ask access,
call one service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from tillit.apps.core import access, services
from tillit.apps.core.forms import (
    AddMemberForm,
    ChangeRoleForm,
    ProjectCreateForm,
    ProjectSettingsForm,
)
from tillit.apps.core.models import AuditEvent, Membership
from tillit.errors import TillitError


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"nav": "home"})


def about(request: HttpRequest) -> HttpResponse:
    return render(request, "core/about.html", {"nav": "about"})


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    memberships = access.projects_for_user(request.user)
    return render(
        request, "core/project_list.html", {"memberships": memberships, "nav": "projects"}
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    form = ProjectCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.do_create_project(
                name=form.cleaned_data["name"],
                slug=form.cleaned_data["slug"],
                description=form.cleaned_data["description"],
                owner=request.user,
                actor=request.user,
            )
        except TillitError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Project created."))
            return redirect("project-detail", slug=project.slug)
    return render(request, "core/project_form.html", {"form": form, "nav": "projects"})


@login_required
def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug)
    members = Membership.objects.filter(project=pa.project).select_related("user")
    events = AuditEvent.objects.filter(project=pa.project)[:10] if pa.can("edit") else []
    return render(
        request,
        "core/project_detail.html",
        {"pa": pa, "project": pa.project, "members": members, "events": events, "nav": "projects"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_settings(request: HttpRequest, slug: str) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug, need="edit")
    p = pa.project
    initial = {"name": p.name, "description": p.description, "k_threshold": p.k_threshold}
    form = ProjectSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_update_project(p, actor=request.user, **form.cleaned_data)
        except TillitError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("project-detail", slug=p.slug)
    return render(
        request,
        "core/project_settings.html",
        {"pa": pa, "project": p, "form": form, "nav": "projects"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_members(request: HttpRequest, slug: str) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug)
    form = AddMemberForm(request.POST or None)
    if request.method == "POST":
        pa = access.get_project_for_user(request.user, slug, need="manage_members")
        if form.is_valid():
            try:
                services.do_add_member(
                    pa.project,
                    form.cleaned_data["username"],
                    form.cleaned_data["role"],
                    actor=request.user,
                )
            except TillitError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Member added."))
                return redirect("project-members", slug=slug)
    members = Membership.objects.filter(project=pa.project).select_related("user")
    return render(
        request,
        "core/project_members.html",
        {
            "pa": pa,
            "project": pa.project,
            "members": members,
            "form": form,
            "role_form": ChangeRoleForm(),
            "nav": "projects",
        },
    )


@login_required
@require_POST
def member_change(request: HttpRequest, slug: str, user_id: int) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug, need="manage_members")
    target = get_object_or_404(get_user_model(), pk=user_id)
    try:
        if request.POST.get("action") == "remove":
            services.do_remove_member(pa.project, target, actor=request.user)
            messages.success(request, _("Member removed."))
        else:
            form = ChangeRoleForm(request.POST)
            if form.is_valid():
                services.do_change_member_role(
                    pa.project, target, form.cleaned_data["role"], actor=request.user
                )
                messages.success(request, _("Role changed."))
    except TillitError as exc:
        messages.error(request, exc.message)
    return redirect("project-members", slug=slug)


@login_required
def project_audit(request: HttpRequest, slug: str) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug, need="edit")
    events = AuditEvent.objects.filter(project=pa.project).select_related("actor")[:500]
    return render(
        request,
        "core/project_audit.html",
        {"pa": pa, "project": pa.project, "events": events, "nav": "projects"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.do_change_password(
            request.user, form.cleaned_data["new_password1"], actor=request.user
        )
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password has been changed."))
        return redirect("project-list")
    return render(request, "registration/password_change.html", {"form": form})
