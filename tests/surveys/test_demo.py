"""The synthetic fieldwork model and the demo's survey: reproducible, skip logic respected,
plausible rates, and labelled synthetic wherever it is shown."""

import collections
import json

import pytest

from tillit import registry
from tillit.apps.surveys import services, synthetic
from tillit.instruments import engine


@pytest.fixture(scope="module")
def instrument():
    _, data = services.builtin_instrument("chief_executive_2026")
    from tillit.instruments.xlsform import read_xlsform

    return read_xlsform(data, filename="chief_executive_2026.md")


@pytest.fixture(scope="module")
def frame():
    return [
        synthetic.FrameCase(f"c{m.country.lower()}{m.code}", m.country, m.code)
        for m in registry.municipalities()
    ]


@pytest.fixture(scope="module")
def fieldwork(instrument, frame):
    return synthetic.simulate(instrument, frame, seed=11)


def test_model_is_reproducible_per_case(instrument, frame, fieldwork):
    again = synthetic.simulate(instrument, frame[::-1][:30], seed=11)
    by_id = {c.case_id: c for c in fieldwork}
    for c in again:
        assert c.answers == by_id[c.case_id].answers and c.outcome == by_id[c.case_id].outcome
    other = synthetic.simulate(instrument, frame[:30], seed=12)
    assert [c.outcome for c in other] != [by_id[c.case_id].outcome for c in other]


def test_outcomes_are_plausible(fieldwork, frame):
    country = {f.case_id: f.country for f in frame}
    counts = collections.Counter((country[c.case_id], c.outcome) for c in fieldwork)
    for outcome in ("complete", "partial", "refusal", "noncontact", "bounced"):
        assert counts["NO", outcome] + counts["DK", outcome] > 0, outcome

    def rate(cty):
        n = sum(v for (c, _), v in counts.items() if c == cty)
        return (counts[cty, "complete"] + counts[cty, "partial"]) / n

    assert 0.4 < rate("NO") < rate("DK") < 0.85


def test_skip_logic_and_constraints_hold(instrument, fieldwork):
    for c in fieldwork:
        given = {k: v for k, v in c.answers.items() if v is not None}
        if not given:
            continue
        # the engine drops nothing: every stored answer is to a question the skip logic asks
        assert set(engine.clean_answers(instrument, given)) == set(given), c.case_id
        if given.get("adopt") in ("no", "dk"):
            assert "measures" not in given and "adopt_year" not in given
        assert given.get("country") in (None, "NO", "DK")


def test_larger_municipalities_adopt_more(fieldwork, frame):
    size = {f.case_id: str(registry.get(f.municipality_code, f.country).size_class) for f in frame}
    adopted = collections.defaultdict(list)
    for c in fieldwork:
        if "adopt" in c.answers:
            adopted[size[c.case_id]].append(c.answers["adopt"] in ("formal", "informal"))
    share = {k: sum(v) / len(v) for k, v in adopted.items()}
    assert share["small"] < share["city"]


@pytest.mark.django_db
def test_loaded_fieldwork_sets_dispositions_and_is_labelled(client, project_with_roles):
    from tillit.apps.surveys import demo
    from tillit.apps.surveys.frames import survey_counts
    from tillit.apps.surveys.models import Case, Survey

    project, users = project_with_roles

    class Ctx:
        pass

    ctx = Ctx()
    ctx.project, ctx.users, ctx.log = project, users, lambda m: None
    demo.build(ctx)
    survey = Survey.objects.get(slug=demo.SURVEY_SLUG)
    assert survey.is_synthetic and survey.status == "closed"
    assert survey.cases.count() == 455 and not survey.cases.filter(is_synthetic=False).exists()
    d = collections.Counter(survey.cases.values_list("disposition", flat=True))
    assert d[Case.Disposition.COMPLETE] > 150 and d[Case.Disposition.PARTIAL] > 0
    assert d[Case.Disposition.REFUSAL] > 0 and d[Case.Disposition.NON_CONTACT] > 0
    assert d[Case.Disposition.UNDELIVERABLE] > 0 and d[Case.Disposition.UNKNOWN] == 0
    assert survey.cases.filter(contact__email__endswith="@demo.invalid").count() == 455
    assert survey.cases.filter(contact__name__startswith="Demo Kommun").count() == 455
    client.force_login(users["viewer"])
    html = client.get(f"/p/{project.slug}/surveys/{survey.slug}/progress/").content.decode()
    assert "SYNTHETIC DATA" in html
    assert survey_counts(survey)["synthetic"] is True


def test_synthetic_loader_refuses_a_real_survey(survey, owner):
    from tillit.errors import TillitError

    with pytest.raises(TillitError, match="marked synthetic"):
        services.do_load_synthetic_fieldwork(survey, [], actor=owner)


@pytest.mark.slow
def test_tillit_demo_builds_the_survey(run_cli, tmp_path):
    d = tmp_path / "demo"
    r = run_cli("demo", "--dir", str(d), "--no-serve", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["seconds"] < 60
    assert "surveys part of the demo" in r.stderr
