"""Every survey service writes exactly one audit row (like tests/core/test_audit.py), audit rows
hold no personal data, and failing services change nothing."""

import datetime as dt
import inspect

import pytest
from django.utils import timezone

from tests.surveys.conftest import TEST_FORM, contacts_table, to_csv
from tillit.apps.core.models import AuditEvent
from tillit.apps.surveys import services, synthetic
from tillit.apps.surveys.models import Case, InstrumentVersion, Survey
from tillit.errors import TillitError

pytestmark = pytest.mark.django_db

BASE = "https://tillit.example.org"


def _fieldwork(survey, owner):
    services.do_set_frame(survey, country="no", county="03", actor=owner)
    data = to_csv(contacts_table(list(survey.cases.all()))).encode()
    services.do_import_contacts(survey, "c.csv", data, actor=owner)
    services.do_open_survey(survey, actor=owner)
    services.do_send_invitations(survey, actor=owner, base_url=BASE)


def _calls(survey, owner):
    """Each service, called on a survey in the state it needs (set up before counting)."""

    def setup_open():
        _fieldwork(survey, owner)

    def setup_due():
        _fieldwork(survey, owner)
        r = services.do_schedule_reminder(
            survey, timezone.now() + dt.timedelta(hours=1), actor=owner
        )
        return r

    return {
        "do_import_instrument": (
            None,
            lambda: services.do_import_instrument(
                survey.project, "t2.md", TEST_FORM.replace("| 1 |", "| 2 |").encode(), actor=owner
            ),
        ),
        "do_create_survey": (
            None,
            lambda: services.do_create_survey(
                survey.project, "s2", "Second", survey.instrument, mode="both", actor=owner
            ),
        ),
        "do_set_frame": (None, lambda: services.do_set_frame(survey, country="dk", actor=owner)),
        "do_import_contacts": (
            lambda: services.do_set_frame(survey, country="no", county="03", actor=owner),
            lambda: services.do_import_contacts(
                survey,
                "c.csv",
                to_csv(contacts_table(list(survey.cases.all()))).encode(),
                actor=owner,
            ),
        ),
        "do_open_survey": (
            lambda: services.do_set_frame(survey, country="no", county="03", actor=owner),
            lambda: services.do_open_survey(survey, actor=owner),
        ),
        "do_close_survey": (None, lambda: services.do_close_survey(survey, actor=owner)),
        "do_send_invitations": (
            lambda: (
                services.do_set_frame(survey, country="no", county="03", actor=owner),
                services.do_import_contacts(
                    survey,
                    "c.csv",
                    to_csv(contacts_table(list(survey.cases.all()))).encode(),
                    actor=owner,
                ),
                services.do_open_survey(survey, actor=owner),
            ),
            lambda: services.do_send_invitations(survey, actor=owner, base_url=BASE),
        ),
        "do_send_reminders": (
            setup_open,
            lambda: services.do_send_reminders(survey, actor=owner, base_url=BASE),
        ),
        "do_schedule_reminder": (
            None,
            lambda: services.do_schedule_reminder(
                survey, timezone.now() + dt.timedelta(days=1), actor=owner
            ),
        ),
        "do_send_due_reminders": (
            setup_due,
            lambda: services.do_send_due_reminders(
                timezone.now() + dt.timedelta(hours=2), base_url=BASE
            ),
        ),
        "do_mark_bounced": (
            setup_open,
            lambda: services.do_mark_bounced(
                survey, email="execno0301@example.invalid", actor=owner
            ),
        ),
        "do_set_disposition": (
            lambda: services.do_set_frame(survey, country="no", county="03", actor=owner),
            lambda: services.do_set_disposition(
                survey.cases.get(), Case.Disposition.NOT_ELIGIBLE, actor=owner, reason="retired"
            ),
        ),
        "do_load_synthetic_fieldwork": (
            lambda: (
                Survey.objects.filter(pk=survey.pk).update(is_synthetic=True),
                services.do_set_frame(survey, country="no", county="03", actor=owner),
            ),
            lambda: services.do_load_synthetic_fieldwork(
                survey,
                synthetic.simulate(
                    services.load_instrument(survey.instrument),
                    [
                        synthetic.FrameCase(c.case_id, c.country, c.municipality_code)
                        for c in survey.cases.all()
                    ],
                ),
                actor=owner,
            ),
        ),
        "do_log_personal_data_access": (
            None,
            lambda: services.do_log_personal_data_access(survey, "view", actor=owner),
        ),
    }


def test_every_service_is_covered_here():
    names = {
        n
        for n, f in inspect.getmembers(services, inspect.isfunction)
        if n.startswith("do_") and f.__module__ == services.__name__
    }
    assert names == set(_calls(None, None))


@pytest.mark.parametrize("name", sorted(_calls(None, None)))
def test_service_writes_one_audit_row(survey, owner, smtp_server, name):
    setup, call = _calls(survey, owner)[name]
    if setup:
        setup()
    before = AuditEvent.objects.count()
    call()
    assert AuditEvent.objects.count() == before + 1
    ev = AuditEvent.objects.order_by("-id").first()
    assert ev.at is not None and ev.action and ev.object_type
    assert ev.after is not None or ev.before is not None
    assert ev.project == survey.project
    text = str(ev.before) + str(ev.after)
    assert "@example.invalid" not in text and "Test Person" not in text


def test_manual_disposition_records_before_after_and_reason(framed, owner):
    case = framed.cases.first()
    services.do_set_disposition(case, "4.10", actor=owner, reason="municipality merged")
    ev = AuditEvent.objects.filter(action="case.set_disposition").get()
    assert ev.before["disposition"] == "3.10" and ev.after["disposition"] == "4.10"
    assert ev.after["reason"] == "municipality merged" and ev.after["manual"] is True
    assert ev.actor == owner


def test_bad_instrument_stores_nothing(project_with_roles, owner):
    before = (InstrumentVersion.objects.count(), AuditEvent.objects.count())
    with pytest.raises(TillitError):
        services.do_import_instrument(project_with_roles[0], "bad.md", b"| nonsense |", actor=owner)
    with pytest.raises(TillitError, match="not an XLSForm"):
        services.do_import_instrument(project_with_roles[0], "x.pdf", b"%PDF", actor=owner)
    assert (InstrumentVersion.objects.count(), AuditEvent.objects.count()) == before


def test_same_instrument_twice_gives_the_same_version(survey, owner, form_bytes):
    again = services.do_import_instrument(survey.project, "copy.md", form_bytes, actor=owner)
    assert again == survey.instrument
    assert survey.instrument.sha256 and survey.instrument.form_id == "test_survey"


def test_create_survey_checks(survey, owner):
    p, iv = survey.project, survey.instrument
    with pytest.raises(TillitError, match="already"):
        services.do_create_survey(p, "exec", "Again", iv, actor=owner)
    with pytest.raises(TillitError, match="no 'sv' text"):
        services.do_create_survey(p, "sv", "Swedish", iv, default_language="sv", actor=owner)
    now = timezone.now()
    with pytest.raises(TillitError, match="close before it opens"):
        services.do_create_survey(
            p, "d", "Dates", iv, opens_at=now, closes_at=now - dt.timedelta(days=1), actor=owner
        )
    s = services.do_create_survey(p, "o", "Open link", iv, mode="open", actor=owner)
    assert len(s.open_key) >= 32 and survey.open_key == ""
    assert Survey.objects.filter(project=p).count() == 2


def test_open_and_close(framed, owner):
    with pytest.raises(TillitError, match="closed already"):
        services.do_close_survey(services.do_close_survey(framed, actor=owner), actor=owner)
    s = services.do_open_survey(framed, actor=owner)
    assert s.status == "open"
    with pytest.raises(TillitError, match="open already"):
        services.do_open_survey(s, actor=owner)


def test_personal_survey_without_frame_cannot_open(survey, owner):
    with pytest.raises(TillitError, match="no frame"):
        services.do_open_survey(survey, actor=owner)
