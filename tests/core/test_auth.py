"""Accounts: log in and out, Argon2 hashes, throttled log-in, password change through a service."""

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from tillit.apps.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_production_hasher_is_argon2():
    assert django_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_passwords_are_stored_as_argon2(make_user):
    u = make_user("anna")
    assert u.password.startswith("argon2$argon2id$")


def test_login_and_logout(client, make_user):
    make_user("anna", "kommune-tillit-2026")
    r = client.post(reverse("login"), {"username": "anna", "password": "kommune-tillit-2026"})
    assert r.status_code == 302
    assert client.get(reverse("project-list")).status_code == 200
    assert client.get(reverse("logout")).status_code == 405  # logging out needs a POST
    client.post(reverse("logout"))
    assert client.get(reverse("project-list")).status_code == 302


def test_wrong_password_says_what_to_do(client, make_user):
    make_user("anna", "kommune-tillit-2026")
    r = client.post(reverse("login"), {"username": "anna", "password": "wrong"})
    assert r.status_code == 200
    assert "The user name or password is wrong" in r.content.decode()


def test_login_is_throttled_after_five_failures(client, make_user):
    make_user("anna", "kommune-tillit-2026")
    for _ in range(django_settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "anna", "password": "guess"})
    r = client.post(reverse("login"), {"username": "anna", "password": "kommune-tillit-2026"})
    assert r.status_code == 429
    assert "Too many failed log-in attempts" in r.content.decode()
    assert client.get(reverse("project-list")).status_code == 302  # still not logged in


def test_password_change_goes_through_the_service(client, make_user):
    u = make_user("anna", "kommune-tillit-2026")
    client.force_login(u)
    r = client.post(
        reverse("password-change"),
        {
            "old_password": "kommune-tillit-2026",
            "new_password1": "ny-tillitsreform-2027",
            "new_password2": "ny-tillitsreform-2027",
        },
    )
    assert r.status_code == 302
    u.refresh_from_db()
    assert u.check_password("ny-tillitsreform-2027")
    assert AuditEvent.objects.filter(action="user.change_password", object_id=str(u.pk)).exists()
    # Still logged in after the change.
    assert client.get(reverse("project-list")).status_code == 200


def test_weak_new_password_is_refused(client, make_user):
    u = make_user("anna", "kommune-tillit-2026")
    client.force_login(u)
    r = client.post(
        reverse("password-change"),
        {"old_password": "kommune-tillit-2026", "new_password1": "123", "new_password2": "123"},
    )
    assert r.status_code == 200
    u.refresh_from_db()
    assert u.check_password("kommune-tillit-2026")
