"""The case matrix service: columns from every source with the right values and evidence links,
rows from the sources (or a chosen set), and survey columns refused without the personal right."""

from __future__ import annotations

import pytest

from tillit.apps.cases import matrix as mx
from tillit.errors import TillitError

pytestmark = pytest.mark.django_db


def _cell(m, key, col):
    return m.frame.at[key, col]


def test_rows_are_the_municipalities_of_every_source(sources):
    project, _users = sources
    rows = mx.resolve_rows(project, mx.RowSpec())
    assert [r.key for r in rows] == ["NO:0301", "DK:101", "DK:751"]
    assert rows[0].name == "Oslo" and rows[1].name == "København"
    only_dk = mx.resolve_rows(project, mx.RowSpec(countries=("DK",)))
    assert [r.key for r in only_dk] == ["DK:101", "DK:751"]
    chosen = mx.resolve_rows(project, mx.RowSpec(codes=("Bergen", "DK:101")))
    assert [r.key for r in chosen] == ["NO:4601", "DK:101"]
    corpus_only = mx.resolve_rows(project, mx.RowSpec(sources=("screening",)))
    assert {r.key for r in corpus_only} == {"NO:0301", "DK:101"}
    cases = mx.resolve_rows(project, mx.RowSpec(unit="qda_case"))
    assert [(r.name, r.country, r.code) for r in cases] == [("Case Oslo", "NO", "0301")]


def test_registry_and_register_columns(sources):
    project, _users = sources
    cols = [
        "registry.country",
        "registry.dk",
        "registry.population",
        "registry.size_class",
        "registry.county",
        "register.adopted",
        "register.first_year",
        "register.status",
        "register.initiatives",
        "register.measure:measure.delegation",
        "register.measure:measure",
        "register.problem:motive.reporting_burden",
    ]
    m = mx.build(project, cols)
    assert list(m.frame.columns) == cols
    assert _cell(m, "NO:0301", "registry.population") == 717710
    assert _cell(m, "DK:101", "registry.dk") == 1 and _cell(m, "NO:0301", "registry.dk") == 0
    assert _cell(m, "DK:101", "registry.county") == "Region Hovedstaden"
    # adopted: active yes, planned no
    assert _cell(m, "DK:101", "register.adopted") == 1
    assert _cell(m, "DK:751", "register.adopted") == 0
    assert _cell(m, "DK:751", "register.status") == "planned"
    assert _cell(m, "DK:101", "register.first_year") == 2012
    # measure flags through the taxonomy: "measure" includes every narrower measure
    assert _cell(m, "DK:751", "register.measure:measure.delegation") == 0
    assert _cell(m, "DK:751", "register.measure:measure") == 1
    assert _cell(m, "DK:101", "register.problem:motive.reporting_burden") == 1
    refs = m.refs("DK:101", "register.adopted")
    assert len(refs) == 1 and refs[0].kind == "initiative"
    assert refs[0].url.startswith(f"/p/{project.slug}/register/i/")
    assert m.refs("DK:751", "register.adopted") == []
    assert m.refs("NO:0301", "registry.population")[0].url == "/registry/no/0301/"


def test_screening_columns_count_documents_and_passages_with_links(sources):
    from tillit.apps.corpus.models import Document, PassageScore

    project, _users = sources
    m = mx.build(project, ["screen.documents:measure", "screen.passages:measure"])
    doc = Document.objects.get(project=project, municipality_code="101")
    hits = PassageScore.objects.filter(
        passage__document=doc, concept__startswith="measure", score__gte=0.5
    ).values_list("passage_id", flat=True)
    assert _cell(m, "DK:101", "screen.documents:measure") == 1
    assert _cell(m, "DK:101", "screen.passages:measure") == len(set(hits)) >= 1
    assert _cell(m, "DK:751", "screen.passages:measure") == 0
    ref = m.refs("DK:101", "screen.passages:measure")[0]
    assert ref.kind == "passage"
    assert ref.url.startswith(f"/p/{project.slug}/corpus/h/{doc.sha256}/?start=")


def test_a_rejected_passage_is_not_evidence(sources):
    from tillit.apps.corpus import services as corpus
    from tillit.apps.corpus.models import PassageScore

    project, users = sources
    before = mx.build(project, ["screen.passages:measure.reporting_reduction"])
    n = _cell(before, "DK:101", "screen.passages:measure.reporting_reduction")
    assert n >= 1
    for s in PassageScore.objects.filter(
        passage__document__municipality_code="101", concept="measure.reporting_reduction"
    ):
        corpus.do_label_passage(s.passage, s.concept, "reject", screener=users["coder"])
    after = mx.build(project, ["screen.passages:measure.reporting_reduction"])
    assert _cell(after, "DK:101", "screen.passages:measure.reporting_reduction") == 0


def test_qda_columns_through_the_taxonomy(sources):
    from tillit.apps.qda.models import Source

    project, _users = sources
    cols = ["qda.present:measure", "qda.segments:measure.delegation", "qda.coders:measure"]
    m = mx.build(project, cols)
    assert _cell(m, "NO:0301", "qda.present:measure") == 1
    assert _cell(m, "NO:0301", "qda.segments:measure.delegation") == 2
    assert _cell(m, "NO:0301", "qda.coders:measure") == "coder, researcher"
    assert _cell(m, "DK:101", "qda.present:measure") == 0
    src = Source.objects.get(project=project)
    refs = m.refs("NO:0301", "qda.segments:measure.delegation")
    assert {r.url for r in refs} == {f"/p/{project.slug}/qda/sources/{src.pk}/"}
    assert any("(coder)" in r.label for r in refs)
    # per QDA case, through the case assignment
    by_case = mx.build(project, cols, mx.RowSpec(unit="qda_case"))
    key = by_case.rows[0].key
    assert _cell(by_case, key, "qda.segments:measure.delegation") == 2
    # a member who sees no sources sees no codings
    none = mx.build(project, cols, qda_sources=Source.objects.none())
    assert _cell(none, "NO:0301", "qda.segments:measure.delegation") == 0


def test_survey_columns_need_the_personal_right(with_survey):
    project, _users, _survey = with_survey
    with pytest.raises(TillitError) as exc:
        mx.build(project, ["registry.country", "survey.responded:exec"])
    assert exc.value.code == "permission"
    cols = [c.id for c in mx.available_columns(project, personal=False)]
    assert not any(c.startswith("survey.") for c in cols)
    cols = [c.id for c in mx.available_columns(project, personal=True)]
    assert "survey.scale:exec:vertical" in cols and "survey.item:exec:adopt" in cols


def test_survey_columns_equal_the_answers(with_survey):
    import numpy as np

    from tillit.apps.analysis import data
    from tillit.apps.surveys.models import Case

    project, _users, survey = with_survey
    cols = ["survey.responded:exec", "survey.item:exec:adopt", "survey.scale:exec:vertical"]
    m = mx.build(project, cols, mx.RowSpec(countries=("DK",), sources=("survey",)), personal=True)
    assert len(m.rows) == 98
    sd = data.load(survey)
    vt = [i.name for i in sd.items if i.name.startswith("vt_")]
    r = sd.respondents.set_index("case_id")
    checked = 0
    for case in Case.objects.filter(survey=survey):
        key = f"DK:{case.municipality_code}"
        responded = case.disposition in ("1.1", "1.2")
        assert m.frame.at[key, "survey.responded:exec"] == int(responded)
        if not responded:
            assert np.isnan(m.frame.at[key, "survey.item:exec:adopt"])
            continue
        want = r.loc[case.case_id, "adopt"]
        got = m.frame.at[key, "survey.item:exec:adopt"]
        assert (np.isnan(want) and np.isnan(got)) or got == want
        mean = r.loc[case.case_id, vt].astype(float).mean()
        got = m.frame.at[key, "survey.scale:exec:vertical"]
        assert (np.isnan(mean) and np.isnan(got)) or got == pytest.approx(mean)
        ref = m.refs(key, "survey.item:exec:adopt")[0]
        assert ref.url == f"/p/{project.slug}/surveys/exec/cases/{case.case_id}/"
        checked += 1
    assert checked > 40
    # Oslo is in the register but not in the (Danish) survey: no value
    full = mx.build(project, ["survey.responded:exec"], personal=True)
    assert np.isnan(full.frame.at["NO:0301", "survey.responded:exec"])


def test_unknown_columns_and_rows_say_what_to_do(sources):
    project, _users = sources
    with pytest.raises(TillitError) as exc:
        mx.build(project, ["register.nonsense"])
    assert "Unknown case-matrix column" in exc.value.message and "tillit cases" in exc.value.hint
    with pytest.raises(TillitError) as exc:
        mx.build(project, ["registry.country"], mx.RowSpec(codes=("Atlantis",)))
    assert "not a current municipality" in exc.value.message
