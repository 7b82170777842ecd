"""Invitations and reminders reach a real SMTP server (aiosmtpd on loopback) in the contact's
language, with a personal link that resolves to the right case; reminders repeat the link;
opted-out, bounced and completed contacts get nothing; a refused recipient does not stop the
rest."""

import re

import pytest
from django.utils import timezone

from tests.surveys.conftest import contacts_table, to_csv
from tillit.apps.surveys import services, tokens
from tillit.apps.surveys.models import Case, Contact, Message
from tillit.errors import TillitError

pytestmark = pytest.mark.django_db

BASE = "https://tillit.example.org"
LINK = re.compile(r"https://tillit\.example\.org/s/([A-Za-z0-9_-]{43})/")


@pytest.fixture
def fieldwork(framed, owner):
    """Four contacts: Oslo (nb), Bergen (nn), Copenhagen (da), Aarhus (en); survey open."""
    cases = [framed.cases.get(municipality_code=c) for c in ("0301", "4601", "101", "751")]
    langs = {"0301": "nb", "4601": "nn", "101": "da", "751": "en"}
    services.do_import_contacts(
        framed, "c.csv", to_csv(contacts_table(cases, languages=langs)).encode(), actor=owner
    )
    services.do_open_survey(framed, actor=owner)
    return framed


def _by_recipient(smtp):
    return {m["To"]: m for m in smtp.messages}


def _link(message):
    body = message.get_body(("plain",)).get_content()
    tokens_found = LINK.findall(body)
    assert tokens_found, body
    assert f"{BASE}/s/{tokens_found[0]}/opt-out/" in body
    return tokens_found[0], body


def test_invitations_arrive_in_each_language_with_working_links(fieldwork, owner, smtp_server):
    result = services.do_send_invitations(fieldwork, actor=owner, base_url=BASE + "/")
    assert (result.n_sent, result.n_failed) == (4, 0)
    got = _by_recipient(smtp_server)
    assert len(got) == 4
    expect = {
        "0301": ("nb", "Invitasjon", "Din personlige lenke"),
        "4601": ("nn", "Invitasjon", "Den personlege lenkja di"),
        "101": ("da", "Invitation", "Dit personlige link"),
        "751": ("en", "Invitation", "Your personal link"),
    }
    for code, (lang, subject, phrase) in expect.items():
        country = "dk" if len(code) == 3 else "no"
        msg = got[f"exec{country}{code}@example.invalid"]
        assert msg["Subject"].startswith(subject) and "Executive survey" in msg["Subject"]
        assert msg["Content-Language"] == lang
        token, body = _link(msg)
        assert phrase in body
        case = tokens.case_for_token(token)
        assert case is not None and case.municipality_code == code
        assert msg["List-Unsubscribe"].strip() == f"<{BASE}/s/{token}/opt-out/>"
    assert Message.objects.filter(kind="invitation", status="sent").count() == 4
    assert not Contact.objects.filter(invited_at__isnull=True).exists()
    assert set(
        Case.objects.filter(contact__isnull=False).values_list("disposition", flat=True)
    ) == {Case.Disposition.NON_CONTACT}


def test_second_round_invites_nobody_twice(fieldwork, owner, smtp_server):
    services.do_send_invitations(fieldwork, actor=owner, base_url=BASE)
    again = services.do_send_invitations(fieldwork, actor=owner, base_url=BASE)
    assert again.n_sent == 0 and len(smtp_server.messages) == 4


def test_reminder_repeats_the_link_and_skips_opt_outs_completes_and_bounces(
    fieldwork, owner, smtp_server
):
    services.do_send_invitations(fieldwork, actor=owner, base_url=BASE)
    first = {m["To"]: _link(m)[0] for m in smtp_server.messages}
    smtp_server.messages.clear()
    now = timezone.now()
    Contact.objects.filter(case__municipality_code="4601").update(opted_out_at=now)
    Case.objects.filter(municipality_code="101").update(completed_at=now)
    services.update_disposition(Case.objects.get(municipality_code="101"))
    services.do_mark_bounced(
        fieldwork, case_id=Case.objects.get(municipality_code="751").case_id, actor=owner
    )
    result = services.do_send_reminders(fieldwork, actor=owner, base_url=BASE)
    assert (result.n_sent, result.n_skipped) == (1, 3)
    (msg,) = smtp_server.messages
    assert msg["To"] == "execno0301@example.invalid"
    assert msg["Subject"].startswith("Påminnelse")
    assert _link(msg)[0] == first[msg["To"]]
    c = Contact.objects.get(case__municipality_code="0301")
    assert c.reminders_sent == 1 and c.last_reminded_at is not None


def test_opted_out_contacts_get_no_invitation(fieldwork, owner, smtp_server):
    Contact.objects.filter(case__municipality_code="0301").update(opted_out_at=timezone.now())
    result = services.do_send_invitations(fieldwork, actor=owner, base_url=BASE)
    assert result.n_sent == 3
    assert "execno0301@example.invalid" not in _by_recipient(smtp_server)


def test_refused_recipient_is_marked_failed_and_the_rest_go_out(fieldwork, owner, smtp_server):
    Contact.objects.filter(case__municipality_code="4601").update(email="reject@example.invalid")
    result = services.do_send_invitations(fieldwork, actor=owner, base_url=BASE)
    assert (result.n_sent, result.n_failed) == (3, 1)
    failed = Message.objects.get(status="failed")
    assert "550" in failed.error or "Refused" in failed.error
    assert Contact.objects.get(case__municipality_code="4601").invited_at is None
    assert len(smtp_server.messages) == 3


def test_unreachable_server_fails_every_message_without_crashing(fieldwork, owner, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 1, 2
    result = services.do_send_invitations(fieldwork, actor=owner, base_url=BASE)
    assert (result.n_sent, result.n_failed) == (0, 4)
    assert Message.objects.filter(status="failed").count() == 4


def test_mail_needs_an_open_survey_and_a_good_base_url(framed, owner, smtp_server):
    with pytest.raises(TillitError, match="not open"):
        services.do_send_invitations(framed, actor=owner, base_url=BASE)
    services.do_open_survey(framed, actor=owner)
    with pytest.raises(TillitError, match="base address"):
        services.do_send_invitations(framed, actor=owner, base_url="javascript:alert(1)")


def test_scheduled_reminder_is_sent_once_when_due(fieldwork, owner, smtp_server):
    import datetime as dt

    services.do_send_invitations(fieldwork, actor=owner, base_url=BASE)
    smtp_server.messages.clear()
    r = services.do_schedule_reminder(
        fieldwork, timezone.now() + dt.timedelta(hours=1), actor=owner
    )
    assert services.do_send_due_reminders(timezone.now(), base_url=BASE) == []
    later = timezone.now() + dt.timedelta(hours=2)
    done = services.do_send_due_reminders(later, base_url=BASE)
    assert [(x.pk, m.n_sent) for x, m in done] == [(r.pk, 4)]
    assert len(smtp_server.messages) == 4
    assert services.do_send_due_reminders(later, base_url=BASE) == []
    r.refresh_from_db()
    assert r.sent_at is not None and r.n_sent == 4
