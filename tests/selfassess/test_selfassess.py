"""Self-assessment: an anonymous link, a submission stored without identity, a feedback page
and PDF with national and size-class means only where disclosure allows, and nobody but the
holder of the feedback link can see a municipality's answers."""

from __future__ import annotations

import io
import re

import pytest

pytestmark = pytest.mark.django_db


def _create(survey, **kw):
    from tillit.apps.selfassess import services

    return services.do_create_selfassessment(
        survey.project, survey, "Trust self-assessment", actor=None, **kw
    )


def test_default_items_are_the_trust_items(empty_survey):
    sa = _create(empty_survey)
    assert sa.items[0].startswith("vt_") and len(sa.items) >= 10
    assert all(re.match(r"(vt|ht|tf)_", n) for n in sa.items)


def test_submit_feedback_and_disclosure(demo_survey, client):
    from pypdf import PdfReader

    from tillit.apps.core.models import AuditEvent
    from tillit.apps.observatory.indicators import indicator_table
    from tillit.apps.reports.figures_bridge import survey_data
    from tillit.apps.selfassess import services
    from tillit.apps.selfassess.models import Submission

    project = demo_survey.project
    sa = _create(demo_survey, items=["vt_pol_adm", "vt_adm_pol", "ht_services"])
    k = project.k_threshold
    sd = survey_data(project, demo_survey, "en")

    # a DK size class hidden by disclosure control, and one shown
    tables = {n: indicator_table(sd, n, k) for n in sa.items}
    t = tables["vt_pol_adm"]
    dk_size = t[(t["country"] == "DK") & (t["level"] == "size_class")]
    hidden = set(dk_size.loc[dk_size["suppressed"], "group"])
    shown = set(dk_size.loc[~dk_size["suppressed"], "group"])
    assert shown, "the demo survey should have a size class with enough respondents"

    from tillit import registry

    def pick(size):
        return next(m for m in registry.municipalities("DK") if str(m.size_class) == size)

    # anonymous respondent: the form, then the feedback page
    r = client.get(f"/sa/{sa.key}/")
    assert r.status_code == 200 and "Cache-Control" in r.headers
    m = pick(sorted(shown)[0])
    r = client.post(
        f"/sa/{sa.key}/",
        {"municipality": f"DK:{m.code}", "q_vt_pol_adm": "8", "q_ht_services": "dk"},
    )
    assert r.status_code == 302
    feedback_url = r["Location"]
    token = feedback_url.rstrip("/").rsplit("/", 1)[-1]
    sub = Submission.objects.get()
    assert sub.answers == {"vt_pol_adm": "8", "ht_services": "dk"}
    assert sub.municipality_code == m.code and token not in sub.token_hash
    assert not [f.name for f in Submission._meta.fields if f.name in ("user", "ip", "email")]
    ev = AuditEvent.objects.get(action="selfassess.submit")
    assert m.code not in str(ev.after) and ev.project is None

    page = client.get(feedback_url).content.decode()
    national = t[(t["country"] == "DK") & (t["level"] == "country")].iloc[0]
    assert f"{national['mean']:.1f}".replace(".", ",") in page or f"{national['mean']:.1f}" in page
    size_row = dk_size[dk_size["group"] == str(m.size_class)].iloc[0]
    assert f"(n={int(size_row['n'])})" in page
    fb = services.feedback(sub, "en")
    row = next(r for r in fb["rows"] if r["name"] == "vt_pol_adm")
    assert row["own"] == 8.0 and row["national"]["mean"] == pytest.approx(national["mean"])
    assert row["national"]["n"] >= k and row["size"]["n"] >= k

    # small groups are suppressed: a municipality of a hidden size class sees no size mean
    if hidden:
        small = pick(sorted(hidden)[0])
        sub2, _token2 = services.do_submit(
            sa, country="DK", municipality_code=small.code, answers={"vt_pol_adm": "5"},
            language="en",
        )  # fmt: skip
        rows = services.feedback(sub2, "en")["rows"]
        assert all(r["size"] is None for r in rows if r["name"] == "vt_pol_adm")
    for rows in (fb["rows"],):
        for r in rows:
            for agg in (r["national"], r["size"]):
                assert agg is None or agg["n"] >= k

    # the PDF
    r = client.get(feedback_url + "pdf/")
    assert r.status_code == 200 and r.content[:5] == b"%PDF-"
    assert len(PdfReader(io.BytesIO(r.content)).pages) >= 1

    # nobody without the token: another visitor, a wrong token, members of the project
    other = client.__class__()
    assert other.get(feedback_url).status_code == 200  # the link itself is the key
    wrong = feedback_url.replace(token, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    assert other.get(wrong).status_code == 404
    assert other.get(wrong + "pdf/").status_code == 404
    owner = project.memberships.get(role="owner").user
    member = client.__class__()
    member.force_login(owner)
    index = member.get(f"/p/{project.slug}/self-assessment/").content.decode()
    assert sa.key in index and "/r/" not in index and token not in index
    other_sa = _create(demo_survey)
    assert other.get(f"/sa/{other_sa.key}/r/{token}/").status_code == 404


def test_closed_link_and_bound_municipality(empty_survey, client):
    from tillit.apps.selfassess import services
    from tillit.apps.selfassess.models import Submission

    sa = _create(empty_survey, country="NO", municipality_code="0301")
    r = client.get(f"/sa/{sa.key}/")
    assert "Oslo" in r.content.decode() and 'name="municipality"' not in r.content.decode()
    r = client.post(f"/sa/{sa.key}/", {"q_vt_pol_adm": "7", "municipality": "DK:101"})
    assert r.status_code == 302
    assert Submission.objects.get().municipality_code == "0301"
    services.do_close_selfassessment(sa, is_open=False, actor=None)
    client.post(f"/sa/{sa.key}/", {"q_vt_pol_adm": "7"})
    assert Submission.objects.count() == 1
    assert client.get("/sa/no-such-key/").status_code == 404
