"""AAPOR dispositions: the automatic rule and the audited manual override."""

import pytest
from django.utils import timezone

from tests.surveys.conftest import contacts_table, to_csv
from tillit.apps.surveys import services
from tillit.apps.surveys.models import Answer, Case, Contact, PageVisit

pytestmark = pytest.mark.django_db
D = Case.Disposition


@pytest.fixture
def cases(framed, owner):
    cs = list(framed.cases.filter(country="NO").order_by("municipality_code")[:6])
    services.do_import_contacts(framed, "c.csv", to_csv(contacts_table(cs)).encode(), actor=owner)
    return cs


def _answer(case, page="p1"):
    now = timezone.now()
    Answer.objects.create(case=case, name="reform", value="yes", page=page, saved_at=now)
    PageVisit.objects.create(case=case, page=page, submitted_at=now)


def test_automatic_rule(cases):
    now = timezone.now()
    not_invited, invited, partial, complete, bounced, opted_out = cases
    Contact.objects.filter(case__in=cases[1:]).update(invited_at=now)
    _answer(partial)
    _answer(complete)
    Case.objects.filter(pk=complete.pk).update(completed_at=now)
    Contact.objects.filter(case=bounced).update(bounced_at=now)
    Contact.objects.filter(case=opted_out).update(opted_out_at=now)
    got = {}
    for c in cases:
        c.refresh_from_db()
        got[c.pk] = services.update_disposition(c)
    assert got == {
        not_invited.pk: D.UNKNOWN,
        invited.pk: D.NON_CONTACT,
        partial.pk: D.PARTIAL,
        complete.pk: D.COMPLETE,
        bounced.pk: D.UNDELIVERABLE,
        opted_out.pk: D.REFUSAL,
    }
    assert Case.objects.get(pk=partial.pk).disposition == D.PARTIAL


def test_bulk_refresh_agrees_with_the_single_rule(cases):
    now = timezone.now()
    Contact.objects.filter(case__in=cases[1:]).update(invited_at=now)
    _answer(cases[2])
    Contact.objects.filter(case=cases[4]).update(bounced_at=now)
    changed = services.refresh_dispositions(Case.objects.filter(pk__in=[c.pk for c in cases]))
    assert changed == 5
    for c in cases:
        c.refresh_from_db()
        assert c.disposition == services.auto_disposition(c)


def test_manual_override_sticks_until_returned_to_auto(cases, owner):
    case = cases[0]
    services.do_set_disposition(case, D.NOT_ELIGIBLE, actor=owner, reason="vacant post")
    case.refresh_from_db()
    assert case.disposition == D.NOT_ELIGIBLE and case.disposition_manual
    _answer(case)
    assert services.update_disposition(case) == D.NOT_ELIGIBLE
    services.refresh_dispositions(Case.objects.filter(pk=case.pk))
    case.refresh_from_db()
    assert case.disposition == D.NOT_ELIGIBLE
    services.do_set_disposition(case, "auto", actor=owner)
    case.refresh_from_db()
    assert case.disposition == D.PARTIAL and not case.disposition_manual


def test_unknown_disposition_is_refused(cases, owner):
    from tillit.errors import TillitError

    with pytest.raises(TillitError, match="Unknown disposition"):
        services.do_set_disposition(cases[0], "9.99", actor=owner)


def test_close_brings_dispositions_up_to_date(framed, cases, owner):
    Contact.objects.filter(case__in=cases).update(invited_at=timezone.now())
    services.do_close_survey(framed, actor=owner)
    assert Case.objects.filter(pk__in=[c.pk for c in cases], disposition=D.NON_CONTACT).count() == 6
