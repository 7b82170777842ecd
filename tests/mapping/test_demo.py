"""The demo register: the documented real cases of the brief, each with its source, labelled
real; the national context events; the map and timeline built from them."""

import pytest

from tillit import registry
from tillit.apps.core.demo import DemoContext
from tillit.apps.mapping import demo, overview, services
from tillit.apps.mapping.models import ContextEvent, Initiative

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(project, users):
    demo.build(DemoContext(project, users, log=lambda _: None))
    return project


def test_every_seeded_initiative_is_real_sourced_and_labelled(seeded):
    items = list(services.initiatives_for(seeded))
    assert len(items) == len(demo.DOCUMENTED_CASES) == 15
    for i in items:
        urls = [e.url for e in i.evidence.all() if e.kind == "url"]
        assert urls and all(u.startswith("https://") for u in urls), i
        assert i.notes.startswith(demo.REAL_NOTE), i
        assert "SYNTHETIC" not in i.title


def test_seeded_municipalities_match_the_registry(seeded):
    for case in demo.DOCUMENTED_CASES:
        m = registry.get(case["municipality_code"], case["country"])
        assert m.name == case["name"]
    codes = {(i.country, i.municipality_code) for i in Initiative.objects.all()}
    assert ("DK", "101") in codes and ("NO", "0301") in codes and ("NO", "4601") in codes
    assert ("DK", "751") in codes


def test_documented_years_only(seeded):
    years = {
        (i.municipality_code, i.start_year, i.start_date and i.start_date.isoformat())
        for i in Initiative.objects.filter(
            municipality_code__in=["101", "0301", "4601", "751", "219"]
        )
    }
    assert years == {
        ("101", 2012, None),
        ("0301", 2015, None),
        ("4601", 2017, None),
        ("751", 2019, None),
        ("219", 2023, "2023-07-01"),
    }


def test_context_events(seeded):
    events = {
        (e.country, e.year, e.date and e.date.isoformat()) for e in ContextEvent.objects.all()
    }
    assert ("DK", 2013, "2013-06-20") in events  # the agreement on seven principles
    assert ("NO", 2021, None) in events  # the government platform of 2021
    assert len(events) == len(demo.CONTEXT_EVENTS)


def test_demo_diffusion(seeded):
    rows, unknown = overview.diffusion(overview.adoption_years(services.initiatives_for(seeded)))
    final = {r.country: r.cumulative for r in rows if r.year == 2023}
    assert final == {"NO": 2, "DK": 13}
    assert unknown == {"NO": 0, "DK": 0}
