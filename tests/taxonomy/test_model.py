"""The pure API: lookup, tree navigation, label fallback, search and export."""

from __future__ import annotations

import json

import pytest

from tillit.errors import ErrorCode, NotFoundError, TillitError
from tillit.taxonomy import Concept, Taxonomy, fallback_chain, load_taxonomy, normalize


@pytest.fixture(scope="module")
def tax():
    return load_taxonomy()


def small() -> Taxonomy:
    labels = {"nb": "Tiltak", "nn": "Tiltak", "da": "Tiltag", "sv": "Åtgärder", "en": "Measures"}
    return Taxonomy(
        "2026.11.0",
        [
            Concept("measure", None, labels, {"en": "What is done.", "nb": "Det som gjøres."}),
            Concept(
                "measure.x",
                "measure",
                {"nb": "X nb", "en": "X en"},  # a sparse concept, to exercise fallbacks
                {"en": "X defined.", "nb": "X definert."},
            ),
        ],
    )


def test_load_is_cached_for_the_bundled_file():
    assert load_taxonomy() is load_taxonomy()


def test_get_contains_iter_len(tax):
    c = tax.get("measure.reporting_reduction")
    assert c.id == "measure.reporting_reduction"
    assert c.parent == "measure"
    assert c.branch == "measure"
    assert c.depth == 1
    assert "measure.reporting_reduction" in tax
    assert "measure.nothing" not in tax
    assert len(list(tax)) == len(tax)


def test_unknown_id_names_it_and_suggests_a_close_match(tax):
    with pytest.raises(NotFoundError) as info:
        tax.get("measure.reportng_reduction")
    err = info.value
    assert err.code == ErrorCode.NOT_FOUND
    assert "'measure.reportng_reduction'" in err.message
    assert "measure.reporting_reduction" in err.hint


def test_unknown_bare_name_is_matched_against_last_segments(tax):
    with pytest.raises(NotFoundError) as info:
        tax.get("delegaton")
    assert "measure.delegation" in info.value.hint


def test_tree_navigation(tax):
    assert [c.id for c in tax.children("relation")] == [
        "relation.vertical",
        "relation.horizontal",
        "relation.form",
    ]
    assert [c.id for c in tax.ancestors("relation.vertical.leaders_employees")] == [
        "relation",
        "relation.vertical",
    ]
    assert tax.ancestors("relation") == []
    assert tax.branch("relation.form.interpersonal").id == "relation"
    assert tax.branch("relation").id == "relation"
    desc = [c.id for c in tax.descendants("relation.form")]
    assert desc == ["relation.form.institutional", "relation.form.interpersonal"]
    with pytest.raises(NotFoundError):
        tax.children("relation.nothing")


def test_walk_is_depth_first_with_absolute_depth(tax):
    walked = list(tax.walk())
    assert len(walked) == len(tax)
    seen: set[str] = set()
    for concept, depth in walked:
        assert depth == concept.id.count(".")
        assert concept.parent is None or concept.parent in seen  # parents come first
        seen.add(concept.id)
    sub = [(c.id, d) for c, d in tax.walk("relation.vertical")]
    assert sub[0] == ("relation.vertical", 1)
    assert ("relation.vertical.state_municipality", 2) in sub
    assert all(cid.startswith("relation.vertical") for cid, _ in sub)


def test_labels_in_every_language(tax):
    assert tax.label("measure.reporting_reduction", "nb") == (
        "Færre rapporterings- og dokumentasjonskrav"
    )
    assert tax.label("measure.reporting_reduction", "da") == (
        "Færre afrapporterings- og dokumentationskrav"
    )
    assert tax.label("measure.self_managed_teams", "nn") == "Sjølvstyrte team"
    assert tax.label("measure.self_managed_teams", "sv") == "Självstyrande team"
    assert tax.label("measure.self_managed_teams") == "Self-managed teams"


def test_fallback_chain():
    assert fallback_chain("nn") == ("nn", "nb", "en")
    assert fallback_chain("da") == ("da", "en")
    assert fallback_chain("sv") == ("sv", "en")
    with pytest.raises(TillitError, match="Unknown language 'fi'"):
        fallback_chain("fi")


def test_label_and_definition_fallback():
    c = small().get("measure.x")
    assert c.label("nn") == "X nb"  # nn -> nb
    assert c.label_in("nn") == ("nb", "X nb")
    assert c.label("da") == "X en"  # da -> en
    assert c.label("sv") == "X en"  # sv -> en
    assert c.definition("nn") == "X definert."
    assert c.definition_in("sv") == ("en", "X defined.")
    with pytest.raises(NotFoundError, match="no label in 'da'"):
        c.label("da", fallback=False)
    with pytest.raises(NotFoundError, match="no definition in 'sv'"):
        c.definition("sv", fallback=False)


def test_bundled_definitions_fall_back_for_nynorsk_and_swedish(tax):
    c = tax.get("measure.delegation")
    assert c.definition("nn") == c.definitions["nb"]
    assert c.definition("sv") == c.definitions["en"]
    assert c.definition("da") == c.definitions["da"]


def test_concepts_are_immutable(tax):
    c = tax.get("measure")
    with pytest.raises(AttributeError):
        c.id = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        c.labels["en"] = "x"  # type: ignore[index]
    assert hash(c) == hash("measure")


def test_normalize_folds_case_accents_and_nordic_letters():
    assert normalize("Færre RAPPORTERINGS-krav") == "faerre rapporterings krav"
    assert normalize("Rättssäkerhet") == "rattssakerhet"
    assert normalize("Ældreområdet") == normalize("aeldreomradet")
    assert normalize("Førstelinjen") == "forstelinjen"


def test_search_is_case_and_accent_insensitive(tax):
    ids = [c.id for c in tax.search("RAPPORTERING")]
    assert "measure.reporting_reduction" in ids
    assert "motive.reporting_burden" in ids
    assert [c.id for c in tax.search("aeldreomradet")] == ["sector.elderly_care"]
    assert [c.id for c in tax.search("rattssakerhet")] == ["dilemma.legal_certainty"]
    assert "dilemma.zero_error_culture" in [c.id for c in tax.search("nullfeil")]


def test_search_ranks_exact_label_first(tax):
    hits = tax.search("detaljstyring")
    assert hits[0].id == "motive.detailed_steering"


def test_search_by_language_and_by_id(tax):
    assert tax.search("kommunaldirektør", lang="da")[0].id == "actor.management.chief_executive"
    assert tax.search("kommunaldirektør", lang="nb") == []
    assert [c.id for c in tax.search("reporting_reduction")] == ["measure.reporting_reduction"]
    assert tax.search("   ") == []
    assert tax.search("no such words anywhere") == []


def test_to_dict_and_json(tax):
    data = json.loads(tax.to_json())
    assert data["version"] == tax.version
    assert data["languages"] == ["nb", "nn", "da", "sv", "en"]
    assert len(data["concepts"]) == len(tax)
    first = data["concepts"][0]
    assert set(first) >= {"id", "parent", "branch", "labels", "definitions", "deprecated"}
    assert "Færre" in tax.to_json()  # not ASCII-escaped


def test_to_frame(tax):
    frame = tax.to_frame()
    assert len(frame) == len(tax)
    assert frame.index.name == "id"
    assert frame.loc["measure.reporting_reduction", "label_nb"] == (
        "Færre rapporterings- og dokumentasjonskrav"
    )
    assert frame.loc["relation.vertical", "depth"] == 1
    assert {"label_sv", "definition_en", "branch", "deprecated"} <= set(frame.columns)
