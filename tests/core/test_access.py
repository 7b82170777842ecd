"""Roles decided in one place: non-members get 404, read-only roles get 403 on writes."""

import pytest
from django.urls import reverse

from tillit.apps.core.models import AuditEvent, Membership, Project
from tillit.apps.core.roles import PERMISSIONS, Role

pytestmark = pytest.mark.django_db


def test_role_matrix():
    allowed = {need: {r.value for r in Role if check(r)} for need, check in PERMISSIONS.items()}
    assert allowed["view"] == {"owner", "researcher", "coder", "viewer"}
    assert allowed["code"] == {"owner", "researcher", "coder"}
    assert allowed["edit"] == {"owner", "researcher"}
    assert allowed["personal_data"] == {"owner", "researcher"}
    assert allowed["manage_members"] == {"owner"}


@pytest.mark.parametrize(
    "name", ["project-detail", "project-members", "project-settings", "project-audit"]
)
def test_non_member_gets_404(client, project_with_roles, name):
    project, users = project_with_roles
    client.force_login(users["outsider"])
    assert client.get(reverse(name, args=[project.slug])).status_code == 404
    # The same answer as for a project that does not exist: existence is not revealed.
    assert client.get(reverse(name, args=["no-such-project"])).status_code == 404


def test_anonymous_is_sent_to_login(client, project_with_roles):
    project, _ = project_with_roles
    r = client.get(reverse("project-detail", args=[project.slug]))
    assert r.status_code == 302
    assert r.url.startswith(reverse("login"))


def test_viewer_can_read_but_not_write(client, project_with_roles):
    project, users = project_with_roles
    client.force_login(users["viewer"])
    assert client.get(reverse("project-detail", args=[project.slug])).status_code == 200
    assert client.get(reverse("project-members", args=[project.slug])).status_code == 200
    n_events = AuditEvent.objects.count()
    r = client.post(
        reverse("project-settings", args=[project.slug]),
        {"name": "Hijacked", "description": "", "k_threshold": 1},
    )
    assert r.status_code == 403
    r = client.post(
        reverse("project-members", args=[project.slug]), {"username": "outsider", "role": "owner"}
    )
    assert r.status_code == 403
    r = client.post(
        reverse("member-change", args=[project.slug, users["owner"].pk]), {"action": "remove"}
    )
    assert r.status_code == 403
    project.refresh_from_db()
    assert project.name == "Trust study"
    assert project.k_threshold == 5
    assert not Membership.objects.filter(project=project, user=users["outsider"]).exists()
    assert Membership.objects.filter(project=project, user=users["owner"]).exists()
    assert AuditEvent.objects.count() == n_events


def test_coder_cannot_change_settings_researcher_can(client, project_with_roles):
    project, users = project_with_roles
    data = {"name": "Trust study 2", "description": "Wave 2", "k_threshold": 7}
    client.force_login(users["coder"])
    assert client.post(reverse("project-settings", args=[project.slug]), data).status_code == 403
    client.force_login(users["researcher"])
    r = client.post(reverse("project-settings", args=[project.slug]), data)
    assert r.status_code == 302
    project.refresh_from_db()
    assert (project.name, project.k_threshold) == ("Trust study 2", 7)


def test_owner_manages_members_from_the_page(client, project_with_roles):
    project, users = project_with_roles
    client.force_login(users["owner"])
    r = client.post(
        reverse("project-members", args=[project.slug]), {"username": "OUTSIDER", "role": "coder"}
    )
    assert r.status_code == 302
    assert Membership.objects.get(project=project, user=users["outsider"]).role == "coder"
    client.post(
        reverse("member-change", args=[project.slug, users["outsider"].pk]),
        {"action": "role", "role": "researcher"},
    )
    assert Membership.objects.get(project=project, user=users["outsider"]).role == "researcher"
    client.post(
        reverse("member-change", args=[project.slug, users["outsider"].pk]), {"action": "remove"}
    )
    assert not Membership.objects.filter(project=project, user=users["outsider"]).exists()


def test_last_owner_cannot_leave(client, project_with_roles):
    project, users = project_with_roles
    client.force_login(users["owner"])
    r = client.post(
        reverse("member-change", args=[project.slug, users["owner"].pk]),
        {"action": "remove"},
        follow=True,
    )
    assert "at least one owner" in r.content.decode()
    assert Membership.objects.filter(project=project, user=users["owner"], role="owner").exists()


def test_unknown_member_name_is_a_form_error(client, project_with_roles):
    project, users = project_with_roles
    client.force_login(users["owner"])
    r = client.post(
        reverse("project-members", args=[project.slug]), {"username": "nobody", "role": "viewer"}
    )
    assert r.status_code == 200
    assert "There is no user called nobody" in r.content.decode()


def test_project_list_shows_only_own_projects(
    client, project_with_roles, make_user, django_assert_max_num_queries
):
    from tillit.apps.core import services

    _, users = project_with_roles
    other = make_user("other")
    for i in range(5):
        services.do_create_project(name=f"Other {i}", owner=other)
    client.force_login(users["viewer"])
    with django_assert_max_num_queries(6):
        r = client.get(reverse("project-list"))
    body = r.content.decode()
    assert "Trust study" in body
    assert "Other 0" not in body
    assert Project.objects.count() == 6


def test_any_user_can_create_a_project_and_owns_it(client, make_user):
    u = make_user("newcomer")
    client.force_login(u)
    r = client.post(
        reverse("project-create"), {"name": "Kommunestudie", "slug": "", "description": ""}
    )
    assert r.status_code == 302
    p = Project.objects.get(slug="kommunestudie")
    assert Membership.objects.get(project=p, user=u).role == "owner"
