"""Fixtures: a project with one member per role and data in every source the case matrix joins:
the register (3 initiatives), the corpus (2 screened documents), qualitative codings (1 source,
1 case) and a survey of the Danish municipalities with synthetic answers."""

from __future__ import annotations

import pytest

DOC_DK = (
    "SYNTETISK TESTDOKUMENT. Byrådet drøftede tillidsreformen. Kommunen vil afskaffe unødigt "
    "bureaukrati, færre dokumentationskrav og mindre registrering, så medarbejderne får mere "
    "tid til kerneopgaven. Ledelsen vil uddelegere beslutninger til de enkelte enheder, og "
    "medarbejderne skal have større handlerum og mere selvledelse i teams."
)
DOC_NO = (
    "SYNTETISK TESTDOKUMENT. Kommunestyret vedtok en tillitsreform. Rapportering og "
    "dokumentasjonskrav skal reduseres, og ledere skal delegere myndighet til enhetene. "
    "Ansatte skal få mer handlingsrom og tillit til å bruke faglig skjønn."
)
INTERVIEW = (
    "Intervju (syntetisk). Vi har gitt enhetslederne fullmakt til å avgjøre saker selv. "
    "Politikerne stoler på administrasjonen, men vil ha rapporter."
)


@pytest.fixture
def sources(project_with_roles):
    """The project with data in every source; returns (project, users)."""
    from tillit.apps.corpus import screening
    from tillit.apps.corpus import services as corpus
    from tillit.apps.mapping import services as mapping
    from tillit.apps.qda import services as qda
    from tillit.apps.qda import services_codebook

    project, users = project_with_roles
    owner = users["owner"]
    mapping.do_create_initiative(
        project,
        municipality_code="101",
        country="DK",
        title="Tillidsreform København",
        actor=owner,
        start_year=2012,
        status="active",
        measures=["measure.reporting_reduction", "measure.delegation"],
        problem_perceptions=["motive.reporting_burden"],
    )
    mapping.do_create_initiative(
        project,
        municipality_code="751",
        country="DK",
        title="Tillid i Aarhus",
        actor=owner,
        start_year=2020,
        status="planned",
        measures=["measure.value_work"],
    )
    mapping.do_create_initiative(
        project,
        municipality_code="0301",
        country="NO",
        title="Tillitsreform Oslo",
        actor=owner,
        start_year=2019,
        status="active",
        measures=["measure.delegation"],
    )
    for code, text, name in (("101", DOC_DK, "kbh.txt"), ("0301", DOC_NO, "oslo.txt")):
        corpus.do_import_document(
            project,
            filename=name,
            data=text.encode(),
            actor=owner,
            meta=corpus.Metadata(municipality=code, title=f"Test {name}"),
            synthetic=True,
        )
    screening.screen_project(project, actor=owner)
    src = qda.do_import_source(
        project,
        "interview.txt",
        INTERVIEW.encode(),
        actor=owner,
        name="Interview Oslo",
        municipality_code="0301",
        country="NO",
        kind="interview",
    )
    code = services_codebook.do_create_code(
        project, "Delegation", actor=owner, concept_id="measure.delegation"
    )
    start = INTERVIEW.index("fullmakt")
    qda.do_add_coding(src, [code], start, start + len("fullmakt"), coder=users["coder"])
    qda.do_add_coding(src, [code], start, start + len("fullmakt til"), coder=users["researcher"])
    case = qda.do_save_case(project, "Case Oslo", actor=owner, municipality_code="0301")
    qda.do_assign_case(case, src, actor=owner)
    return project, users


@pytest.fixture
def with_survey(sources):
    """``sources`` plus a survey of Denmark's 98 municipalities with synthetic answers."""
    from tillit.apps.surveys import demo, services, synthetic

    project, users = sources
    owner = users["owner"]
    filename, data = services.builtin_instrument("chief_executive_2026")
    iv = services.do_import_instrument(project, filename, data, actor=owner)
    survey = services.do_create_survey(
        project, "exec", "Executive survey", iv, "personal", "da", actor=owner, is_synthetic=True
    )
    services.do_set_frame(survey, country="DK", actor=owner)
    cases = list(survey.cases.order_by("country", "municipality_code"))
    services.do_import_contacts(survey, "c.csv", demo.contacts_csv(cases), actor=owner)
    frame = [synthetic.FrameCase(c.case_id, c.country, c.municipality_code) for c in cases]
    fieldwork = synthetic.simulate(services.load_instrument(iv), frame, demo.SEED)
    services.do_load_synthetic_fieldwork(survey, fieldwork, actor=owner)
    return project, users, survey
