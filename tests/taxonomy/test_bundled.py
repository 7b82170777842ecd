"""The bundled taxonomy file: valid, complete, and with the concepts other modules rely on."""

from __future__ import annotations

import re

import pytest

from tillit.taxonomy import BRANCHES, LANGUAGES, load_taxonomy

REQUIRED_IDS = [
    # measures
    "measure.value_work",
    "measure.leadership_development",
    "measure.reporting_reduction",
    "measure.indicator_reduction",
    "measure.rule_cleanup",
    "measure.delegation",
    "measure.self_managed_teams",
    "measure.standard_time_abolition",
    "measure.tripartite_cooperation",
    "measure.employee_codetermination",
    "measure.citizen_cocreation",
    "measure.framework_budgeting",
    "measure.rule_channel",
    "measure.pilot",
    "measure.kind.soft",
    "measure.kind.hard",
    # problem perceptions
    "motive.reporting_burden",
    "motive.excessive_control",
    "motive.detailed_steering",
    "motive.npm_critique",
    "motive.recruitment",
    "motive.service_quality",
    "motive.efficiency",
    "motive.motivation",
    "motive.citizen_trust",
    "motive.innovation",
    # dilemmas and obstacles
    "dilemma.legal_certainty",
    "dilemma.equal_treatment",
    "dilemma.verifiability",
    "dilemma.political_results",
    "dilemma.resources",
    "dilemma.hierarchy",
    "dilemma.staff_capacity",
    "dilemma.zero_error_culture",
    "dilemma.state_regulation",
    "dilemma.vague_concept",
    # trust relations: direction and form
    "relation.vertical",
    "relation.vertical.state_municipality",
    "relation.vertical.politicians_administration",
    "relation.vertical.leaders_employees",
    "relation.horizontal",
    "relation.horizontal.between_services",
    "relation.horizontal.professionals_citizens",
    "relation.horizontal.social_partners",
    "relation.form",
    "relation.form.institutional",
    "relation.form.interpersonal",
    # sectors
    "sector.whole_municipality",
    "sector.elderly_care",
    "sector.elderly_care.home_care",
    "sector.health",
    "sector.school",
    "sector.kindergarten",
    "sector.child_welfare",
    "sector.social_services",
    "sector.employment",
    "sector.culture",
    "sector.technical",
    "sector.administration",
    # actors
    "actor.management.chief_executive",
    "actor.management.sector_director",
    "actor.management.middle_managers",
    "actor.politicians",
    "actor.politicians.mayor",
    "actor.politicians.council",
    "actor.frontline_employees",
    "actor.union_representatives",
    "actor.unions",
    "actor.ks",
    "actor.kl",
    "actor.state",
    "actor.citizens",
]

ID_RE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*(?:\.[a-z][a-z0-9]*(?:_[a-z0-9]+)*)*$")


@pytest.fixture(scope="module")
def tax():
    return load_taxonomy()


def test_bundled_file_validates_and_is_versioned(tax):
    assert tax.version == "2026.11.1"
    assert re.fullmatch(r"\d{4}\.\d{1,2}\.\d+", tax.version)
    assert tax.released is not None
    assert tax.languages == LANGUAGES == ("nb", "nn", "da", "sv", "en")
    assert len(tax) >= 80


def test_exactly_six_branch_roots(tax):
    assert [c.id for c in tax.roots()] == list(BRANCHES)
    assert BRANCHES == ("measure", "motive", "dilemma", "relation", "sector", "actor")
    assert all(c.parent is None for c in tax.roots())


def test_every_concept_has_five_labels_and_en_nb_definitions(tax):
    for c in tax:
        assert set(c.labels) == set(LANGUAGES), c.id
        assert all(text.strip() == text and text for text in c.labels.values()), c.id
        assert c.definitions.get("en") and c.definitions.get("nb"), c.id


def test_most_concepts_have_a_danish_definition(tax):
    with_da = sum(1 for c in tax if c.definitions.get("da"))
    assert with_da == len(tax)


def test_ids_unique_well_formed_and_prefixed_by_parent(tax):
    ids = [c.id for c in tax]
    assert len(ids) == len(set(ids))
    for c in tax:
        assert ID_RE.match(c.id), c.id
        if c.parent is not None:
            assert c.id.startswith(c.parent + "."), c.id
            assert c.id.count(".") == c.parent.count(".") + 1, c.id
            assert c.parent in tax


@pytest.mark.parametrize("concept_id", REQUIRED_IDS)
def test_required_concept_exists(tax, concept_id):
    assert concept_id in tax


def test_related_and_replaced_by_point_at_existing_concepts(tax):
    for c in tax:
        assert all(r in tax for r in c.related), c.id
        assert c.replaced_by is None or c.replaced_by in tax


def test_soft_and_hard_measures_are_marked(tax):
    soft = {c.id for c in tax if "measure.kind.soft" in c.related}
    hard = {c.id for c in tax if "measure.kind.hard" in c.related}
    assert {"measure.value_work", "measure.leadership_development"} <= soft
    assert {"measure.reporting_reduction", "measure.delegation"} <= hard
    assert not soft & hard


def test_lexicon_terms_used_as_labels(tax):
    """Labels follow the bilingual lexicon, including the kommunedirektør false friend."""
    ceo = tax.get("actor.management.chief_executive")
    assert ceo.labels["nb"] == "Kommunedirektør"
    assert ceo.labels["da"] == "Kommunaldirektør"
    assert "false friend" in ceo.note.lower()
    assert tax.label("actor.union_representatives", "nn") == "Tillitsvalde"
    assert tax.label("actor.politicians.council", "da") == "Kommunalbestyrelse"
    assert tax.label("measure.tripartite_cooperation", "da") == "Trepartssamarbejde"
    assert tax.label("dilemma.legal_certainty", "nn") == "Rettstryggleik"
    assert tax.label("dilemma.zero_error_culture", "da") == "Nulfejlskultur"


def test_nynorsk_labels_use_nynorsk_forms(tax):
    nn = " ".join(c.labels["nn"] for c in tax).lower()
    for bokmal in ("ledelse", "ansatte", "innbyggere", "tjenester", "medvirkning", "ikke "):
        assert bokmal not in nn, bokmal
    for nynorsk in ("leiar", "tilsette", "innbyggjarar", "tenester", "medverknad"):
        assert nynorsk in nn, nynorsk


def test_danish_labels_use_danish_forms(tax):
    da = " ".join(c.labels["da"] for c in tax).lower()
    for norwegian in ("ledelse og", "ansatte", "innbygger", "tjeneste", "kommunestyre"):
        assert norwegian not in da, norwegian
    assert "medarbejdere" in da and "borgere" in da
