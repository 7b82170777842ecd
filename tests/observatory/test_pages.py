"""The dashboard, its downloads and filters, publishing, access, the figures API and the demo."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from tillit.apps.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_dashboard_shows_accessible_figures_with_tables(register_project, client):
    project, users = register_project
    client.force_login(users["viewer"])
    resp = client.get(f"/p/{project.slug}/observatory/")
    assert resp.status_code == 200
    page = resp.content.decode()
    for fig in ("fig-status-map-1", "fig-timeline-1", "fig-coverage-1"):
        assert f'id="{fig}"' in page
    assert page.count('role="img"') >= 3
    assert page.count("<desc>") >= 3
    assert "<details" in page and "Bergen" in page  # the data table beside the map
    assert "style=" not in page.split("<main", 1)[1]  # CSP: no inline styles
    assert "<script" not in page


def test_filters_work_without_javascript(register_project, client):
    project, users = register_project
    client.force_login(users["viewer"])
    base = f"/p/{project.slug}/observatory/"
    page = client.get(base + "?country=DK&year_from=2015&year_to=2018").content.decode()
    assert "Bergen" not in page and "Aarhus" in page
    measure = client.get(base + "?measure=measure.delegation").content.decode()
    assert 'id="fig-measure-map-1"' in measure and 'id="fig-status-map-1"' not in measure
    # invalid filters fall back to defaults instead of failing
    assert client.get(base + "?country=XX&year_from=abc").status_code == 200


def test_downloads_svg_png_csv_are_stamped(register_project, client):
    from tillit.apps.observatory.services import data_version

    project, users = register_project
    client.force_login(users["viewer"])
    version = data_version(project)
    svg = client.get(f"/p/{project.slug}/observatory/figure/timeline.svg")
    assert svg["Content-Type"].startswith("image/svg+xml")
    text = svg.content.decode()
    assert 'role="img"' in text and "<title>" in text and "<desc>" in text and version in text
    png = client.get(f"/p/{project.slug}/observatory/figure/coverage.png")
    assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
    csv = client.get(f"/p/{project.slug}/observatory/figure/status-map.csv?country=NO")
    frame = pd.read_csv(io.BytesIO(csv.content))
    assert set(frame["code"].astype(str).str.zfill(4)) == {"4601", "0301"}
    assert csv["X-Tillit-Data-Version"] == version and version in csv["Content-Disposition"]
    assert client.get(f"/p/{project.slug}/observatory/figure/nope.svg").status_code == 404
    assert client.get(f"/p/{project.slug}/observatory/figure/timeline.gif").status_code == 404


def test_access_non_members_404_and_only_the_owner_publishes(register_project, client):
    project, users = register_project
    client.force_login(users["outsider"])
    assert client.get(f"/p/{project.slug}/observatory/").status_code == 404
    client.force_login(users["researcher"])
    assert client.get(f"/p/{project.slug}/observatory/publish/").status_code == 403
    client.force_login(users["owner"])
    url = f"/p/{project.slug}/observatory/publish/"
    assert client.get(url).status_code == 200
    resp = client.post(
        url, {"action": "publish", "public_slug": "trust-obs", "sections": ["register"], "k": "7"}
    )
    assert resp.status_code == 302
    event = AuditEvent.objects.get(action="observatory.publish")
    assert event.after["public_slug"] == "trust-obs" and event.after["k"] == 7
    client.logout()
    page = client.get("/public/trust-obs/").content.decode()
    assert 'id="fig-status-map-1"' in page and 'id="fig-timeline-1"' not in page
    assert client.get("/public/trust-obs/figure/timeline.svg").status_code == 404
    assert client.get("/public/trust-obs/data/").status_code == 404  # open data not chosen
    client.force_login(users["owner"])
    client.post(url, {"action": "unpublish"})
    assert AuditEvent.objects.filter(action="observatory.unpublish").count() == 1
    client.logout()
    assert client.get("/public/trust-obs/").status_code == 404


def test_publish_checks_k_and_address(register_project):
    from tillit.apps.observatory import services
    from tillit.errors import TillitError

    project, users = register_project
    with pytest.raises(TillitError, match="below"):
        services.do_publish(project, actor=users["owner"], k=2)
    services.do_publish(project, actor=users["owner"], public_slug="taken")
    from tillit.apps.core import services as core

    other = core.do_create_project(name="Other", slug="other", owner=users["owner"])
    with pytest.raises(TillitError, match="used by another project"):
        services.do_publish(other, actor=users["owner"], public_slug="taken")


def test_open_data_formats_and_dictionary(register_project, client):
    from tillit.apps.observatory import services

    project, users = register_project
    services.do_publish(project, actor=users["owner"], public_slug="od")
    page = client.get("/public/od/data/").content.decode()
    assert "register.parquet" in page and "dictionary.csv" in page
    reg_json = json.loads(client.get("/public/od/data/register.json").content)
    assert reg_json["meta"]["data_version"] == services.data_version(project)
    assert {r["code"] for r in reg_json["data"]} == {"4601", "0301", "751", "101"}
    parquet = pd.read_parquet(io.BytesIO(client.get("/public/od/data/register.parquet").content))
    assert len(parquet) == 4
    dictionary = pd.read_csv(io.BytesIO(client.get("/public/od/data/dictionary.csv").content))
    assert list(dictionary.columns) == [
        "dataset", "variable", "label", "type", "unit", "source", "disclosure",
    ]  # fmt: skip
    # every column of every dataset is described
    for name in ("register", "diffusion", "coverage"):
        data = pd.read_csv(io.BytesIO(client.get(f"/public/od/data/{name}.csv").content))
        described = set(dictionary.loc[dictionary["dataset"] == name, "variable"])
        assert set(data.columns) <= described, name


def test_data_version_changes_with_the_data_not_with_publishing(register_project):
    from tillit.apps.mapping import services as register
    from tillit.apps.observatory import services

    project, users = register_project
    v1 = services.data_version(project)
    services.do_publish(project, actor=users["owner"])
    assert services.data_version(project) == v1
    register.do_create_initiative(
        project, municipality_code="5001", title="x", actor=users["owner"], status="active"
    )
    assert services.data_version(project) != v1


def test_figures_api_unpacks_and_is_stamped(register_project):
    import tillit
    from tillit.apps.observatory import figures, services
    from tillit.apps.observatory.inputs import load_inputs

    project, _users = register_project
    inputs = load_inputs(project, services.data_version(project))
    spec, data, caption = figures.status_map(inputs, country="DK")
    assert spec["usermeta"]["data_version"] == inputs.data_version
    assert spec["usermeta"]["tillit_version"] == tillit.__version__
    assert list(data["municipality"]) == ["København", "Aarhus"]
    assert "register" in caption
    fig = figures.timeline(inputs, year_from=2016, year_to=2019)
    assert sorted(set(fig.data["year"])) == [2016, 2017, 2018, 2019]
    assert inputs.data_version in fig.stamp


def test_dashboard_with_survey_hides_small_groups(small_groups, client):
    g = small_groups
    client.force_login(g.users["viewer"])
    page = client.get(
        f"/p/{g.project.slug}/observatory/?indicator=vt_pol_adm&grouping=county&country=NO"
    ).content.decode()
    assert 'id="fig-indicator-map-1"' in page and 'id="fig-comparison-1"' in page
    csv = client.get(
        f"/p/{g.project.slug}/observatory/figure/indicator-map.csv?indicator=vt_pol_adm&country=NO"
    )
    frame = pd.read_csv(io.BytesIO(csv.content))
    vestfold = frame[frame["group"] == "Vestfold"]
    assert vestfold["suppressed"].all() and vestfold["n"].isna().all()
    assert (frame["n"].dropna() >= 5).all()


def test_demo_publishes_the_public_site(project_with_roles, client):
    from tillit.apps.core.demo import DemoContext
    from tillit.apps.observatory import demo

    project, users = project_with_roles
    demo.build(DemoContext(project, users, log=lambda _: None))
    assert client.get(f"/public/{project.slug}/").status_code == 200


def test_dashboard_of_a_survey_without_answers(project_with_roles, client):
    from tillit.apps.surveys import services

    project, users = project_with_roles
    filename, data = services.builtin_instrument("chief_executive_2026")
    iv = services.do_import_instrument(project, filename, data, actor=users["owner"])
    survey = services.do_create_survey(project, "draft", "Draft", iv, actor=users["owner"])
    services.do_set_frame(survey, actor=users["owner"])
    client.force_login(users["viewer"])
    resp = client.get(f"/p/{project.slug}/observatory/?grouping=size_class")
    assert resp.status_code == 200
    csv = client.get(f"/p/{project.slug}/observatory/figure/indicator-map.csv")
    assert csv.status_code == 200
    assert pd.read_csv(io.BytesIO(csv.content))["n"].isna().all()
