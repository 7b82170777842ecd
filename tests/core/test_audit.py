"""Every service write leaves exactly one audit row with who, what, when, before and after."""

import inspect

import pytest

from tillit.apps.core import services
from tillit.apps.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _calls(project, users):
    owner = users["owner"]
    return {
        "do_create_user": lambda: services.do_create_user(
            "fresh", "long-enough-pass-1", actor=owner
        ),
        "do_change_password": lambda: services.do_change_password(
            users["viewer"], "another-long-pass-2", actor=users["viewer"]
        ),
        "do_create_project": lambda: services.do_create_project(name="Second", owner=owner),
        "do_update_project": lambda: services.do_update_project(
            project, actor=owner, name="Renamed", k_threshold=10
        ),
        "do_add_member": lambda: services.do_add_member(
            project, users["outsider"], "viewer", actor=owner
        ),
        "do_change_member_role": lambda: services.do_change_member_role(
            project, users["coder"], "researcher", actor=owner
        ),
        "do_remove_member": lambda: services.do_remove_member(
            project, users["viewer"], actor=owner
        ),
    }


def test_every_service_is_covered_here():
    names = {
        n
        for n, f in inspect.getmembers(services, inspect.isfunction)
        if n.startswith("do_") and f.__module__ == services.__name__
    }
    assert names == set(
        _calls(None, {"owner": None, "viewer": None, "coder": None, "outsider": None})
    )


@pytest.mark.parametrize(
    "name", sorted(_calls(None, {"owner": None, "viewer": None, "coder": None, "outsider": None}))
)
def test_service_writes_one_audit_row(project_with_roles, name):
    project, users = project_with_roles
    before = AuditEvent.objects.count()
    _calls(project, users)[name]()
    assert AuditEvent.objects.count() == before + 1
    ev = AuditEvent.objects.order_by("-id").first()
    assert ev.at is not None
    assert ev.action and ev.object_type
    assert ev.after is not None or ev.before is not None


def test_update_records_before_and_after(project_with_roles):
    project, users = project_with_roles
    services.do_update_project(project, actor=users["owner"], name="Renamed", k_threshold=10)
    ev = AuditEvent.objects.filter(action="project.update").get()
    assert ev.actor == users["owner"] and ev.actor_name == "owner"
    assert ev.before["name"] == "Trust study" and ev.after["name"] == "Renamed"
    assert ev.before["k_threshold"] == 5 and ev.after["k_threshold"] == 10
    assert ev.project == project


def test_password_is_never_in_the_audit_trail(project_with_roles):
    _, users = project_with_roles
    services.do_change_password(users["viewer"], "secret-long-pass-77", actor=users["viewer"])
    for ev in AuditEvent.objects.all():
        assert "secret-long-pass-77" not in str(ev.before) + str(ev.after)


def test_failed_service_leaves_no_row_and_no_change(project_with_roles):
    from tillit.errors import TillitError

    project, users = project_with_roles
    before = AuditEvent.objects.count()
    with pytest.raises(TillitError, match="out of range"):
        services.do_update_project(project, actor=users["owner"], name="X", k_threshold=0)
    project.refresh_from_db()
    assert project.name == "Trust study"
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db(transaction=True)
def test_audit_record_refuses_to_run_outside_a_transaction(project_with_roles):
    from tillit.apps.core import audit

    project, users = project_with_roles
    with pytest.raises(RuntimeError, match="inside a service transaction"):
        audit.record(actor=users["owner"], action="x", obj=project)
