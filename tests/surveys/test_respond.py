"""Respondent pages through the Django test client: links, page flow with skip logic in nb and
da, validation in the respondent's language, save and resume, back, double submit, completion,
opt-out, the open link, paradata and dispositions."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.surveys.test_respond_support import (
    hidden_inputs,
    make_case,
    make_survey,
    text_of,
    use_instruments,
)
from tillit.apps.core.models import AuditEvent
from tillit.apps.surveys import services_respond as svc
from tillit.apps.surveys.models import Answer, Case, Contact, PageVisit, Survey

pytestmark = pytest.mark.django_db

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1"
)
DESKTOP = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"


@pytest.fixture
def project(project_with_roles, monkeypatch):
    use_instruments(monkeypatch)
    return project_with_roles[0]


@pytest.fixture
def rsurvey(project):
    return make_survey(project)


@pytest.fixture
def respondent(rsurvey):
    return make_case(rsurvey)


def url(token: str, rest: str = "") -> str:
    return f"/s/{token}/{rest}"


def open_page(client, token: str, n: int, **headers):
    r = client.get(url(token, f"p/{n}/"), **headers)
    assert r.status_code == 200, (r.status_code, r.get("Location"))
    return r.content.decode()


def submit(client, token: str, n: int, data: dict, action: str = "next", page: str | None = None):
    page = page if page is not None else open_page(client, token, n)
    payload = {**hidden_inputs(page), **data, "action": action}
    return client.post(url(token, f"p/{n}/"), payload)


def answers(case) -> dict:
    return dict(Answer.objects.filter(case=case).values_list("name", "value"))


# ---------------------------------------------------------------------------------------------
# links


def test_unknown_malformed_and_tampered_tokens_get_404(client, respondent):
    _, token = respondent
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in ("x" * 43, "short", tampered, token + "x", "%00" * 10):
        r = client.get(url(bad))
        assert r.status_code == 404, bad
        assert "Lenken er ikke gyldig" in r.content.decode()
    for bad in (tampered, "short"):
        assert client.post(url(bad, "p/1/"), {"adopted": "yes"}).status_code == 404
        assert client.get(url(bad, "opt-out/")).status_code == 404
    assert not Answer.objects.exists()


def test_revoked_token_gets_404(client, respondent):
    case, token = respondent
    Contact.objects.filter(case=case).update(token_nonce="0" * 32)
    assert client.get(url(token)).status_code == 404


def test_closed_survey_says_so_with_410(client, rsurvey, respondent):
    _, token = respondent
    Survey.objects.filter(pk=rsurvey.pk).update(status=Survey.Status.CLOSED)
    r = client.get(url(token))
    assert r.status_code == 410
    assert "Undersøkelsen er stengt" in r.content.decode()
    r = client.post(url(token, "p/1/"), {"adopted": "no", "action": "next"})
    assert r.status_code == 410
    assert not Answer.objects.exists()


def test_survey_past_its_closing_time_is_closed(client, rsurvey, respondent):
    _, token = respondent
    Survey.objects.filter(pk=rsurvey.pk).update(closes_at=timezone.now() - dt.timedelta(hours=1))
    assert client.get(url(token)).status_code == 410


def test_not_yet_open_survey_says_when(client, rsurvey, respondent):
    case, token = respondent
    Survey.objects.filter(pk=rsurvey.pk).update(opens_at=timezone.now() + dt.timedelta(days=3))
    r = client.get(url(token))
    assert r.status_code == 200
    text = text_of(r.content.decode())
    assert "Undersøkelsen er ikke åpnet ennå" in text and "Den åpner" in text
    Survey.objects.filter(pk=rsurvey.pk).update(status=Survey.Status.DRAFT, opens_at=None)
    r = client.get(url(token) + "?lang=da")
    assert "Undersøgelsen er ikke åbnet endnu" in r.content.decode()
    case.refresh_from_db()
    assert case.started_at is None


# ---------------------------------------------------------------------------------------------
# the page flow


def test_walk_through_in_nb_skips_the_reform_page(client, respondent):
    case, token = respondent
    r = client.get(url(token), HTTP_USER_AGENT=DESKTOP)
    assert r.status_code == 302 and r["Location"] == url(token, "p/1/")
    page = open_page(client, token, 1)
    assert '<html lang="nb">' in page
    # the reform page is not counted until "yes" makes it apply
    assert "Side 1 av 2" in page and '<progress max="2" value="1"' in page
    assert "Har kommunen innført tillitsreform?" in page and "Neste" in page
    assert 'inputmode="numeric"' in page
    r = submit(client, token, 1, {"adopted": "no"}, page=page)
    assert r.status_code == 302 and r["Location"] == url(token, "p/3/")
    page = open_page(client, token, 3)
    assert "Side 2 av 2" in page and "Send inn" in page and "Tilbake" in page
    assert 'inputmode="decimal"' in page and 'type="date"' in page and "<textarea" in page
    r = submit(client, token, 3, {"years": "7", "share": "0.5", "start_date": "2020-01-31"})
    assert r.status_code == 302 and r["Location"] == url(token, "done/")
    done = client.get(r["Location"]).content.decode()
    assert "Takk for svarene!" in done
    case.refresh_from_db()
    assert case.completed_at is not None
    assert case.disposition == Case.Disposition.COMPLETE
    got = answers(case)
    assert got["adopted"] == "no" and "sectors" not in got and "tr_pol" not in got
    assert got["comment"] is None  # seen and left blank
    assert case.language == "nb" and case.device_class == "desktop"


def test_walk_through_in_da_shows_the_reform_page(client, rsurvey):
    case, token = make_case(rsurvey, country="DK", language="da")
    client.get(url(token))
    page = open_page(client, token, 1)
    assert '<html lang="da">' in page and "Side 1 af 2" in page and "Næste" in page
    assert "Har kommunen indført tillidsreform?" in page
    r = submit(client, token, 1, {"adopted": "yes", "adopted_year": "2019"}, page=page)
    assert r["Location"] == url(token, "p/2/")
    page = open_page(client, token, 2)
    assert "Side 2 af 3" in page and "Tilbage" in page
    # the matrix: a table with column and row headers, radios named by both
    assert '<th scope="col"' in page and '<th scope="row"' in page
    assert 'aria-labelledby="q-tr_pol-label q-trust-col1"' in page
    assert "Andet, angiv" in page  # the "other" text of sectors
    data = {
        "sectors": ["school", "other"],
        "sectors_other": "",
        "tr_pol": "4",
        "tr_adm": "5",
        "priorities__rank1": "cost",
        "priorities__rank2": "quality",
    }
    page = submit(client, token, 2, data, page=page).content.decode()
    assert "Rangér alle svarmulighederne" in page  # a ranking must be complete
    assert 'href="#q-sectors-other"' in page  # "other" ticked without saying what
    assert 'id="q-sectors-other-error"' in page and "Uddyb venligst" in page
    data.update(sectors_other="Kultur", priorities__rank3="staff")
    r = submit(client, token, 2, data, page=page)
    assert r["Location"] == url(token, "p/3/")
    assert "Side 3 af 3" in open_page(client, token, 3)
    r = submit(client, token, 3, {"years": "12"}, action="finish")
    assert r["Location"] == url(token, "done/")
    assert "Tak for dine svar!" in client.get(r["Location"]).content.decode()
    got = answers(case)
    assert got["adopted_year"] == 2019
    assert sorted(got["sectors"]) == ["other", "school"] and got["sectors_other"] == "Kultur"
    assert got["tr_pol"] == "4" and got["priorities"][:2] == ["cost", "quality"]


def test_validation_messages_in_nb_and_da(client, rsurvey):
    _, token_nb = make_case(rsurvey, language="nb")
    r = submit(client, token_nb, 1, {})
    assert r.status_code == 200
    page = r.content.decode()
    assert 'role="alert"' in page and "Se over svarene dine" in page
    assert 'href="#q-adopted-yes"' in page  # the summary links to the first radio
    assert page.count("Svar ja eller nei.") == 2  # in the summary and next to the field
    assert 'aria-invalid="true"' in page and "<title>Feil:" in page
    r = submit(client, token_nb, 1, {"adopted": "yes", "adopted_year": "1900"})
    page = r.content.decode()
    assert "Skriv et årstall mellom 1990 og 2026." in page
    assert 'value="1900"' in page  # what was typed is shown again
    assert not Answer.objects.exists()

    _, token_da = make_case(rsurvey, language="da")
    page = submit(client, token_da, 1, {}).content.decode()
    assert "Se dine svar igennem" in page and "Svar ja eller nej." in page
    page = submit(client, token_da, 1, {"adopted": "yes", "adopted_year": "1900"}).content.decode()
    assert "Skriv et årstal mellem 1990 og 2026." in page
    # the engine's own message for a required question without a message of its own
    submit(client, token_da, 1, {"adopted": "no"})
    page = submit(client, token_da, 3, {"years": ""}).content.decode()
    assert 'id="q-years-error"' in page and "Please" not in page


def test_leave_and_resume_lands_on_first_unanswered_page_prefilled(client, respondent):
    _, token = respondent
    client.get(url(token))
    submit(client, token, 1, {"adopted": "yes", "adopted_year": "2018"})
    client.cookies.clear()
    r = client.get(url(token))
    assert r["Location"] == url(token, "p/2/")
    page = open_page(client, token, 1)
    assert 'value="2018"' in page
    assert 'id="q-adopted-yes" name="adopted" value="yes" checked' in page


def test_pages_ahead_of_the_respondent_redirect_back(client, respondent):
    _, token = respondent
    client.get(url(token))
    r = client.get(url(token, "p/3/"))
    assert r.status_code == 302 and r["Location"] == url(token, "p/1/")
    assert client.get(url(token, "p/99/"))["Location"] == url(token, "p/1/")


def test_back_keeps_what_was_typed(client, respondent):
    case, token = respondent
    client.get(url(token))
    submit(client, token, 1, {"adopted": "yes", "adopted_year": "2020"})
    r = submit(client, token, 2, {"tr_pol": "2", "sectors": ["care"]}, action="back")
    assert r.status_code == 302 and r["Location"] == url(token, "p/1/")
    page = open_page(client, token, 1)
    assert 'value="2020"' in page
    page = open_page(client, token, 2)
    assert (
        'name="tr_pol" value="2"' in page
        and "checked" in page.split('name="tr_pol" value="2"')[1][:80]
    )
    assert answers(case)["sectors"] == ["care"]


def test_back_with_errors_does_not_block(client, respondent):
    case, token = respondent
    submit(client, token, 1, {"adopted": "no"})
    r = submit(client, token, 3, {"years": "999"}, action="back")
    assert r.status_code == 302 and r["Location"] == url(token, "p/1/")
    assert "years" not in answers(case)


def test_changing_an_answer_drops_answers_that_no_longer_apply(client, respondent):
    case, token = respondent
    submit(client, token, 1, {"adopted": "yes", "adopted_year": "2020"})
    submit(client, token, 2, {"tr_pol": "3", "sectors": ["school"]})
    assert {"tr_pol", "sectors", "adopted_year"} <= set(answers(case))
    r = submit(client, token, 1, {"adopted": "no", "adopted_year": "2020"})
    assert r["Location"] == url(token, "p/3/")
    got = answers(case)
    assert got["adopted"] == "no"
    assert not {"tr_pol", "sectors", "adopted_year", "priorities"} & set(got)


def test_double_submit_stores_one_answer_set(client, respondent):
    case, token = respondent
    page = open_page(client, token, 1)
    data = {"adopted": "yes", "adopted_year": "2015"}
    first = submit(client, token, 1, data, page=page)
    second = submit(client, token, 1, data, page=page)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Answer.objects.filter(case=case, name="adopted").count() == 1
    assert PageVisit.objects.filter(case=case, page="intro").count() == 1
    # the same stamp with other values is a real change, not a duplicate
    submit(client, token, 1, {"adopted": "yes", "adopted_year": "2016"}, page=page)
    assert answers(case)["adopted_year"] == 2016


def test_double_finish_and_completed_case_cannot_answer_again(client, respondent):
    case, token = respondent
    submit(client, token, 1, {"adopted": "no"})
    page = open_page(client, token, 3)
    r1 = submit(client, token, 3, {"years": "3"}, action="finish", page=page)
    r2 = submit(client, token, 3, {"years": "4"}, action="finish", page=page)
    assert r1["Location"] == r2["Location"] == url(token, "done/")
    assert answers(case)["years"] == 3
    r = client.get(url(token))
    assert r.status_code == 200 and "Du har allerede svart" in r.content.decode()
    r = client.get(url(token, "p/1/"))
    assert "Du har allerede svart" in r.content.decode()
    client.post(url(token, "p/1/"), {"adopted": "yes", "action": "next"})
    assert answers(case)["adopted"] == "no"


def test_finish_requires_every_visible_page(client, respondent):
    case, token = respondent
    submit(client, token, 1, {"adopted": "no"})
    # a forged Finish on page 1 with pages left: no completion, sent to the unanswered page
    r = submit(client, token, 1, {"adopted": "no"}, action="finish")
    assert r["Location"] == url(token, "p/3/")
    case.refresh_from_db()
    assert case.completed_at is None


def test_language_switch_is_remembered(client, respondent):
    case, token = respondent
    page = client.get(url(token, "p/1/") + "?lang=da").content.decode()
    assert '<html lang="da">' in page and "Næste" in page
    assert 'lang="nb"' in page and "Norsk bokmål" in page  # the switcher offers the others
    case.refresh_from_db()
    assert case.language == "da"
    page = open_page(client, token, 1)
    assert '<html lang="da">' in page
    page = client.get(url(token, "p/1/") + "?lang=nn").content.decode()
    assert "Side 1 av 2" in page and "Kva år?" in page
    page = client.get(url(token, "p/1/") + "?lang=xx").content.decode()
    assert '<html lang="nn">' in page


def test_synthetic_banner(client, project):
    survey = make_survey(project, is_synthetic=True)
    _, token = make_case(survey)
    page = open_page(client, token, 1)
    assert "Syntetisk undersøkelse" in page


def test_pages_are_not_cached_and_not_indexed(client, respondent):
    _, token = respondent
    r = client.get(url(token, "p/1/"))
    assert "no-store" in r["Cache-Control"]
    assert "noindex" in r["X-Robots-Tag"]
    assert "<script" in r.content.decode() and "respond.js" in r.content.decode()
    assert "<style" not in r.content.decode() and " style=" not in r.content.decode()


# ---------------------------------------------------------------------------------------------
# paradata and dispositions


def test_paradata_seconds_language_device(client, rsurvey):
    case, token = make_case(rsurvey, language="da")
    client.get(url(token), HTTP_USER_AGENT=IPHONE)
    submit(client, token, 1, {"adopted": "no"})
    case.refresh_from_db()
    assert case.started_at is not None and case.device_class == "phone"
    visit = PageVisit.objects.get(case=case)
    assert visit.page == "intro" and visit.language == "da"
    assert visit.seconds is not None and 0 <= visit.seconds < 60
    assert visit.entered_at <= visit.submitted_at


def test_device_classes():
    assert svc.device_class(IPHONE) == "phone"
    assert svc.device_class(DESKTOP) == "desktop"
    ipad = "Mozilla/5.0 (iPad; CPU OS 16_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"
    assert svc.device_class(ipad) == "tablet"
    tab = "Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 Chrome/120 Safari/537.36"
    assert svc.device_class(tab) == "tablet"
    phone = "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 Chrome/120 Mobile Safari"
    assert svc.device_class(phone) == "phone"
    assert svc.device_class("") == ""


def test_disposition_moves_from_partial_to_complete(client, respondent):
    case, token = respondent
    submit(client, token, 1, {"adopted": "no"})
    case.refresh_from_db()
    assert case.disposition == Case.Disposition.PARTIAL and case.current_page == 2
    submit(client, token, 3, {"years": "1"}, action="finish")
    case.refresh_from_db()
    assert case.disposition == Case.Disposition.COMPLETE


def test_manual_disposition_is_not_overwritten(client, respondent):
    case, token = respondent
    Case.objects.filter(pk=case.pk).update(
        disposition=Case.Disposition.NOT_ELIGIBLE, disposition_manual=True
    )
    submit(client, token, 1, {"adopted": "no"})
    case.refresh_from_db()
    assert case.disposition == Case.Disposition.NOT_ELIGIBLE


# ---------------------------------------------------------------------------------------------
# opt-out


def test_opt_out_confirms_then_records_a_refusal(client, respondent):
    case, token = respondent
    r = client.get(url(token, "opt-out/"))
    assert r.status_code == 200 and "Bekreft avmelding" in r.content.decode()
    assert Contact.objects.get(case=case).opted_out_at is None
    r = client.post(url(token, "opt-out/"))
    assert r.status_code == 200 and "Du er meldt av" in r.content.decode()
    contact = Contact.objects.get(case=case)
    case.refresh_from_db()
    assert contact.opted_out_at is not None
    assert case.disposition == Case.Disposition.REFUSAL
    ev = AuditEvent.objects.get(action="contact.opt_out")
    assert ev.actor is None and ev.object_id == str(case.pk)
    assert "test@example.invalid" not in str(ev.before) + str(ev.after)
    client.post(url(token, "opt-out/"))  # twice: one event
    assert AuditEvent.objects.filter(action="contact.opt_out").count() == 1


def test_opt_out_after_answering_stays_partial(client, respondent):
    case, token = respondent
    submit(client, token, 1, {"adopted": "no"})
    client.post(url(token, "opt-out/"))
    case.refresh_from_db()
    assert Contact.objects.get(case=case).opted_out_at is not None
    assert case.disposition == Case.Disposition.PARTIAL


# ---------------------------------------------------------------------------------------------
# the open link


def test_open_link_creates_one_case_and_resumes_by_cookie(client, rsurvey):
    base = f"/o/{rsurvey.open_key}/"
    r = client.get(base)
    assert r.status_code == 200 and "Start undersøkelsen" in r.content.decode()
    assert not Case.objects.exists()  # a GET (a link preview) creates nothing
    r = client.post(base, {**hidden_inputs(r.content.decode())}, HTTP_USER_AGENT=IPHONE)
    assert r.status_code == 302 and r["Location"] == base + "p/1/"
    case = Case.objects.get()
    assert case.device_class == "phone" and case.started_at is not None
    page = client.get(base + "p/1/").content.decode()
    assert "Side 1 av 2" in page
    r = client.post(base + "p/1/", {**hidden_inputs(page), "adopted": "no", "action": "next"})
    assert r["Location"] == base + "p/3/"
    r = client.get(base)
    assert r.status_code == 302 and r["Location"] == base + "p/3/"
    assert Case.objects.count() == 1
    assert answers(case) == {"adopted": "no"}


def test_open_link_without_cookie_starts_over_and_bad_keys_404(client, rsurvey):
    base = f"/o/{rsurvey.open_key}/"
    assert client.get(base + "p/1/")["Location"] == base
    assert client.get("/o/not-a-key/").status_code == 404
    Survey.objects.filter(pk=rsurvey.pk).update(mode=Survey.Mode.PERSONAL)
    assert client.get(base).status_code == 404


def test_open_link_keeps_csrf(rsurvey):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    base = f"/o/{rsurvey.open_key}/"
    assert c.post(base).status_code == 403
    page = c.get(base).content.decode()
    assert c.post(base, hidden_inputs(page)).status_code == 302


def test_open_link_creation_is_rate_limited(client, rsurvey, settings):
    from django.core.cache import cache

    cache.clear()
    from tillit.apps.surveys import views_respond

    base = f"/o/{rsurvey.open_key}/"
    for _ in range(views_respond.OPEN_CASES_PER_ADDRESS):
        client.cookies.clear()
        assert client.post(base).status_code == 302
    client.cookies.clear()
    r = client.post(base)
    assert r.status_code == 429
    assert Case.objects.count() == views_respond.OPEN_CASES_PER_ADDRESS
    cache.clear()


# ---------------------------------------------------------------------------------------------
# autosave (the optional script)


def test_autosave_stores_valid_values_and_reports_hidden_items(client, respondent):
    case, token = respondent
    open_page(client, token, 1)
    r = client.post(url(token, "p/1/autosave/"), {"adopted": "no", "adopted_year": ""})
    body = r.json()
    assert body["ok"] is True and body["hidden"] == ["adopted_year"]
    assert answers(case) == {"adopted": "no"}
    assert not PageVisit.objects.filter(case=case).exists()
    assert body["progress"] == {"position": 1, "total": 2, "text": "Side 1 av 2"}
    body = client.post(url(token, "p/1/autosave/"), {"adopted": "yes"}).json()
    assert body["hidden"] == []
    assert body["progress"]["text"] == "Side 1 av 3"  # "yes" brings the reform page in
    body = client.post(url(token, "p/1/autosave/"), {"adopted": "yes", "adopted_year": "1"}).json()
    assert "adopted_year" not in answers(case)  # invalid values are not autosaved


def test_same_page_conditional_items_are_rendered_for_no_script(client, respondent):
    _, token = respondent
    page = open_page(client, token, 1)
    # adopted_year depends on a question on the same page: present, marked for the script
    assert 'data-item="adopted_year" data-irrelevant' in page
    assert "Bare hvis det passer med svaret ditt over." in page


def test_a_write_between_the_checks_and_the_lock_is_seen(respondent, monkeypatch):
    """The checks run before the write lock; a write for the same case that slips in between
    makes the service check again under the lock (a stale plan would leave adopted_year)."""
    case, _ = respondent
    real, calls = svc._plan, []

    def plan(*args, **kwargs):
        result = real(*args, **kwargs)
        calls.append(1)
        if len(calls) == 1:  # another request for the same case, right now
            other = Case.objects.get(pk=case.pk)
            svc.do_save_page(other, 0, {"adopted": "yes", "adopted_year": "2001"}, "nb", None)
        return result

    monkeypatch.setattr(svc, "_plan", plan)
    stale = Case.objects.get(pk=case.pk)
    result = svc.do_save_page(stale, 0, {"adopted": "no", "adopted_year": "2001"}, "nb", None)
    assert result.ok
    assert answers(case) == {"adopted": "no"}
