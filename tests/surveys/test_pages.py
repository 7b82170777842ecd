"""Researcher pages: permissions (404 non-members, 403 viewers on writes), the flow from an
uploaded instrument to progress numbers, identity views audited, exports that open."""

import io
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.surveys.conftest import contacts_table, to_csv
from tillit.apps.core.models import AuditEvent
from tillit.apps.surveys import services
from tillit.apps.surveys.models import Case, Contact, Survey

pytestmark = pytest.mark.django_db


def _url(name, survey=None, **kw):
    args = {"slug": "trust", **kw}
    if survey is not None:
        args["survey_slug"] = survey.slug
    return reverse(f"surveys:{name}", kwargs=args)


def _login(client, users, role):
    client.force_login(users[role])
    return client


PAGES = ["detail", "frame", "contacts", "mail", "progress", "cases", "exports"]


@pytest.mark.parametrize("name", PAGES)
def test_outsiders_get_404_and_members_can_read(client, project_with_roles, framed, name):
    _, users = project_with_roles
    assert _login(client, users, "outsider").get(_url(name, framed)).status_code == 404
    assert _login(client, users, "viewer").get(_url(name, framed)).status_code == 200


def test_anonymous_is_sent_to_login(client, framed):
    r = client.get(_url("detail", framed))
    assert r.status_code == 302 and "/accounts/login/" in r["Location"]


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("status", {"action": "open"}),
        ("frame", {"country": "no"}),
        ("contacts", {}),
        ("mail", {"action": "invite", "base_url": "https://x.example.org"}),
    ],
)
def test_viewers_get_403_on_writes(client, project_with_roles, framed, name, data):
    _, users = project_with_roles
    _login(client, users, "viewer")
    assert client.post(_url(name, framed), data).status_code == 403
    assert client.post(_url("create"), {"title": "x"}).status_code == 403
    case = framed.cases.first()
    r = client.post(_url("case", framed, case_id=case.case_id), {"disposition": "4.10"})
    assert r.status_code == 403
    assert Survey.objects.get(pk=framed.pk).status == "draft"


def test_flow_upload_create_frame_contacts_progress(client, project_with_roles, form_bytes):
    project, users = project_with_roles
    _login(client, users, "researcher")
    r = client.post(_url("instruments"), {"file": SimpleUploadedFile("form.md", form_bytes)})
    assert r.status_code == 302
    iv = project.instruments.get()
    r = client.get(r["Location"] + "?lang=da")
    html = r.content.decode()
    assert "Har kommunen en tillidsreform?" in html and "Ja" in html and "Nej" in html
    assert "${reform} = &#x27;yes&#x27;" in html  # skip logic shown as text
    r = client.get(_url("instrument-preview", pk=iv.pk) + "?lang=en")
    assert "Think of the whole municipality." in r.content.decode()

    r = client.post(
        _url("create"),
        {"title": "Chief executives", "slug": "ce", "instrument": str(iv.pk), "mode": "personal"},
    )
    assert r.status_code == 302, r.content.decode()
    survey = Survey.objects.get(slug="ce")
    r = client.post(_url("frame", survey), {"country": "both"})
    assert r.status_code == 302 and survey.cases.count() == 455

    cases = list(survey.cases.filter(country="NO").order_by("municipality_code")[:3])
    good = to_csv(contacts_table(cases)).encode()
    bad = good + b"9999,Nobody,not-mail,,\n"
    r = client.post(_url("contacts", survey), {"file": SimpleUploadedFile("c.csv", bad)})
    html = r.content.decode()
    assert r.status_code == 200 and "nothing was imported" in html
    assert '<td class="num">5</td>' in html and Contact.objects.count() == 0
    r = client.post(_url("contacts", survey), {"file": SimpleUploadedFile("c.csv", good)})
    assert Contact.objects.count() == 3

    now = timezone.now()
    Contact.objects.update(invited_at=now)
    Case.objects.filter(pk=cases[0].pk).update(completed_at=now, started_at=now)
    Case.objects.filter(pk=cases[1].pk).update(started_at=now)
    services.refresh_dispositions(Case.objects.all())
    r = client.get(_url("progress", survey))
    html = r.content.decode()
    assert r.status_code == 200 and "<svg" in html
    prog = r.context["prog"]
    assert (prog.total.n_cases, prog.total.n_invited, prog.total.n_opened) == (455, 3, 2)
    assert prog.total.n_complete == 1 and prog.total.rr1 == pytest.approx(1 / 455)
    no = next(t for t in prog.by_country if t.key == "NO")
    assert (no.n_cases, no.n_complete) == (357, 1)
    assert {t.key for t in prog.by_size_class} == {"small", "medium", "large", "city"}
    assert len(prog.by_county) == 15 + 5


def test_create_survey_with_the_builtin_instrument(client, project_with_roles):
    _, users = project_with_roles
    _login(client, users, "owner")
    r = client.get(_url("create"))
    assert "Chief executive survey 2026 (tillit)" in r.content.decode()
    r = client.post(
        _url("create"),
        {"title": "CE", "slug": "ce", "instrument": "builtin:chief_executive_2026", "mode": "both"},
    )
    assert r.status_code == 302
    s = Survey.objects.get(slug="ce")
    assert s.instrument.form_id == "chief_executive_2026" and s.open_key


def test_bad_instrument_upload_lists_located_errors(client, project_with_roles):
    _, users = project_with_roles
    _login(client, users, "researcher")
    bad = b"| survey |\n| | type | name | label |\n| | select_one nolist | q | Q? |\n"
    r = client.post(_url("instruments"), {"file": SimpleUploadedFile("bad.md", bad)})
    assert r.status_code == 200 and "survey" in r.content.decode()
    assert not project_with_roles[0].instruments.exists()


def test_case_list_hides_identity_and_audits_when_shown(client, project_with_roles, framed):
    _, users = project_with_roles
    cases = list(framed.cases.filter(country="NO").order_by("municipality_code")[:2])
    services.do_import_contacts(
        framed, "c.csv", to_csv(contacts_table(cases)).encode(), actor=users["owner"]
    )
    _login(client, users, "viewer")
    html = client.get(_url("cases", framed)).content.decode()
    assert cases[0].case_id in html and "Test Person" not in html and "Oslo" not in html
    assert client.get(_url("cases", framed) + "?identity=1").status_code == 403
    _login(client, users, "researcher")
    before = AuditEvent.objects.filter(action="survey.personal_data_access").count()
    html = client.get(_url("cases", framed) + "?identity=1").content.decode()
    assert "Test Person 0301" in html and "Oslo" in html
    assert AuditEvent.objects.filter(action="survey.personal_data_access").count() == before + 1


def test_manual_disposition_form(client, project_with_roles, framed):
    _, users = project_with_roles
    _login(client, users, "researcher")
    case = framed.cases.first()
    r = client.post(
        _url("case", framed, case_id=case.case_id), {"disposition": "4.10", "reason": "vacant"}
    )
    assert r.status_code == 302
    case.refresh_from_db()
    assert case.disposition == "4.10" and case.disposition_manual
    ev = AuditEvent.objects.get(action="case.set_disposition")
    assert ev.after["reason"] == "vacant" and ev.actor == users["researcher"]


def test_open_close_and_mail_pages(client, project_with_roles, framed, smtp_server):
    _, users = project_with_roles
    cases = list(framed.cases.filter(country="DK").order_by("municipality_code")[:2])
    services.do_import_contacts(
        framed, "c.csv", to_csv(contacts_table(cases)).encode(), actor=users["owner"]
    )
    _login(client, users, "researcher")
    client.post(_url("status", framed), {"action": "open"})
    assert Survey.objects.get(pk=framed.pk).status == "open"
    r = client.post(_url("mail", framed), {"action": "invite", "base_url": "https://x.example.org"})
    assert r.status_code == 302 and len(smtp_server.messages) == 2
    r = client.post(_url("mail", framed), {"action": "schedule", "send_at": "2099-01-01T09:00"})
    assert r.status_code == 302 and framed.reminders.count() == 1
    client.post(_url("status", framed), {"action": "close"})
    assert Survey.objects.get(pk=framed.pk).status == "closed"


def test_synthetic_survey_is_labelled_on_every_page(client, project_with_roles, framed):
    _, users = project_with_roles
    Survey.objects.filter(pk=framed.pk).update(is_synthetic=True)
    _login(client, users, "viewer")
    for name in PAGES:
        html = client.get(_url(name, framed)).content.decode()
        assert "SYNTHETIC DATA" in html, name


@pytest.mark.parametrize("fmt", ["csv", "csv-labels", "sav", "dta", "ddi", "xlsform"])
def test_exports_download_and_open(client, project_with_roles, framed, fmt):
    import pyreadstat

    _, users = project_with_roles
    _answered(framed)
    _login(client, users, "viewer")
    r = client.post(_url("exports", framed), {"format": fmt})
    assert r.status_code == 200, r.content[:500]
    assert "attachment" in r["Content-Disposition"]
    data = b"".join(r.streaming_content) if r.streaming else r.content
    if fmt in ("sav", "dta"):
        path = f"/tmp/tillit-test-export-{framed.pk}.{fmt}"
        with open(path, "wb") as f:
            f.write(data)
        read = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
        df, meta = read(path)
        assert len(df) == 455
        assert "reform" in df.columns and meta.column_names_to_labels["reform"]
        assert "municipality_code" not in df.columns and "contact_email" not in df.columns
        row = df[df.case_id == _answered.case_id].iloc[0]
        assert row["reform"] == 1
    elif fmt.startswith("csv"):
        text = data.decode("utf-8-sig")
        assert text.startswith("case_id") and "Test Person" not in text
    elif fmt == "ddi":
        from lxml import etree

        root = etree.fromstring(data)
        assert root.tag.endswith("codeBook")
    else:
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(data))
        assert "survey" in wb.sheetnames


def _answered(survey):
    from tillit.apps.surveys.models import Answer, PageVisit

    case = survey.cases.order_by("case_id").first()
    now = timezone.now()
    Answer.objects.create(case=case, name="reform", value="yes", page="p1", saved_at=now)
    PageVisit.objects.create(case=case, page="p1", submitted_at=now, seconds=12)
    services.update_disposition(case)
    _answered.case_id = case.case_id


def test_identity_export_is_for_owners_and_audited(client, project_with_roles, framed):
    _, users = project_with_roles
    cases = list(framed.cases.filter(country="NO").order_by("municipality_code")[:1])
    services.do_import_contacts(
        framed, "c.csv", to_csv(contacts_table(cases)).encode(), actor=users["owner"]
    )
    _login(client, users, "researcher")
    r = client.post(_url("exports", framed), {"format": "csv", "include_identity": "on"})
    assert r.status_code == 403
    _login(client, users, "owner")
    before = AuditEvent.objects.filter(action="survey.personal_data_access").count()
    r = client.post(_url("exports", framed), {"format": "csv", "include_identity": "on"})
    assert r.status_code == 200
    text = r.content.decode("utf-8-sig")
    assert "municipality_code" in text and "Test Person 0301" in text
    ev = AuditEvent.objects.filter(action="survey.personal_data_access").order_by("-id").first()
    assert AuditEvent.objects.filter(action="survey.personal_data_access").count() == before + 1
    assert ev.after["purpose"] == "export:csv" and ev.actor == users["owner"]


def test_survey_list_query_count_does_not_grow(
    client, project_with_roles, framed, django_assert_max_num_queries
):
    _, users = project_with_roles
    _login(client, users, "viewer")
    for i in range(5):
        services.do_create_survey(
            framed.project, f"s{i}", f"S{i}", framed.instrument, actor=users["owner"]
        )
    with django_assert_max_num_queries(12):
        assert client.get(_url("list")).status_code == 200


@pytest.mark.skipif(shutil.which("Rscript") is None, reason="needs R with haven")
@pytest.mark.parametrize("fmt", ["sav", "dta"])
def test_exports_read_back_with_r_haven(client, project_with_roles, framed, tmp_path, fmt):
    _, users = project_with_roles
    _answered(framed)
    _login(client, users, "viewer")
    path = tmp_path / f"export.{fmt}"
    path.write_bytes(client.post(_url("exports", framed), {"format": fmt}).content)
    script = (
        f"library(haven); d <- read_{fmt}('{path}'{', user_na = TRUE' if fmt == 'sav' else ''}); "
        "cat(nrow(d), attr(d$reform, 'label'), "
        "names(attr(d$reform, 'labels'))[attr(d$reform, 'labels') == 1], sep = '\\n')"
    )
    r = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, timeout=120)
    if "there is no package called" in r.stderr:
        pytest.skip("R package haven is not installed")
    assert r.returncode == 0, r.stderr
    n, label, yes = r.stdout.strip().splitlines()[:3]
    assert n == "455" and "tillitsreform" in label and yes == "Ja"
