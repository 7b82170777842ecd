"""Fixtures for the survey tests: a small three-language instrument, a survey with a frame,
contact lists, and a real SMTP server on loopback (aiosmtpd)."""

from __future__ import annotations

import csv
import email
import email.policy
import io
import socket
from pathlib import Path

import pytest

#: A small XLSForm (pyxform markdown) in nb, da and en: a reform question that skips a page.
TEST_FORM = (Path(__file__).parent / "data" / "test_form.md").read_text(encoding="utf-8")


@pytest.fixture
def form_bytes() -> bytes:
    return TEST_FORM.encode()


@pytest.fixture
def owner(project_with_roles):
    return project_with_roles[1]["owner"]


@pytest.fixture
def survey(project_with_roles, owner, form_bytes):
    """A draft survey of the test instrument (personal links), no frame."""
    from tillit.apps.surveys import services

    project = project_with_roles[0]
    iv = services.do_import_instrument(project, "test.md", form_bytes, actor=owner)
    return services.do_create_survey(project, "exec", "Executive survey", iv, actor=owner)


@pytest.fixture
def framed(survey, owner):
    """The survey with the frame of all 455 municipalities."""
    from tillit.apps.surveys import services

    services.do_set_frame(survey, actor=owner)
    return survey


def contacts_table(cases, *, languages=None) -> list[list[str]]:
    """Header and one row per case: code, name, e-mail, role, language."""
    rows = [["municipality code", "name", "e-mail", "role", "language"]]
    for c in cases:
        lang = (languages or {}).get(c.municipality_code, "nb" if c.country == "NO" else "da")
        rows.append(
            [
                c.municipality_code,
                f"Test Person {c.municipality_code}",
                f"exec{c.country.lower()}{c.municipality_code}@example.invalid",
                "chief executive",
                lang,
            ]
        )
    return rows


def to_csv(rows: list[list[str]], *, delimiter: str = ",", newline: str = "\n") -> str:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator=newline)
    w.writerows(rows)
    return buf.getvalue()


def to_xlsx(rows: list[list[object]]) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# ----------------------------------------------------------------------------------------------
# a real SMTP server on loopback


class _Collector:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if "reject" in address:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """An aiosmtpd server on 127.0.0.1; Django's SMTP backend is pointed at it."""
    from aiosmtpd.controller import Controller

    handler = _Collector()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    settings.DEFAULT_FROM_EMAIL = "tillit-test@example.invalid"
    try:
        yield handler
    finally:
        controller.stop()
