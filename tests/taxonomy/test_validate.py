"""Every way a taxonomy file can be wrong gives one located, actionable message."""

from __future__ import annotations

import pytest

from tests.taxonomy.tomlfiles import HEADER, concept, write
from tillit.errors import CorruptFileError, ErrorCode, NotFoundError, TillitError
from tillit.taxonomy import BRANCHES, load_taxonomy, validate


def error_for(tmp_path, body: str, header: str = HEADER) -> TillitError:
    path = write(tmp_path, body, header)
    with pytest.raises(TillitError) as info:
        load_taxonomy(path)
    return info.value


def test_a_minimal_valid_file_loads(tmp_path):
    tax = load_taxonomy(write(tmp_path, concept("measure.x", "measure")))
    assert len(tax) == 7
    assert tax.get("measure.x").parent == "measure"
    assert tax.source.endswith("taxonomy.toml")


def test_reserved_terms_key_is_accepted_and_ignored(tmp_path):
    body = concept("measure.x", "measure", extra='terms.nb = ["tillitsreform"]')
    assert "measure.x" in load_taxonomy(write(tmp_path, body))


def test_duplicate_id(tmp_path):
    err = error_for(tmp_path, concept("measure.x", "measure") + concept("measure.x", "measure"))
    assert err.code == ErrorCode.INVALID_INPUT
    assert "[[concept]] #8 (id 'measure.x')" in err.message
    assert "duplicate id" in err.message and "#7 already uses it" in err.message
    assert "give this concept a new id" in err.message
    assert err.errors[0]["field"] == "id"


def test_unknown_parent_suggests_the_close_one(tmp_path):
    err = error_for(tmp_path, concept("measure.x", "mesure"))
    assert "(id 'measure.x'), field 'parent'" in err.message
    assert "'mesure' is not the id of any concept" in err.message
    assert "Did you mean 'measure'?" in err.message


def test_missing_parent(tmp_path):
    err = error_for(tmp_path, concept("measure.x"))
    assert "field 'parent'" in err.message
    assert "parent is missing" in err.message
    assert 'add parent = "measure"' in err.message


def test_cycle(tmp_path):
    body = concept("measure.a", "measure.b") + concept("measure.b", "measure.a")
    err = error_for(tmp_path, body)
    assert "cycle: measure.a -> measure.b -> measure.a" in err.message
    assert "field 'parent'" in err.message
    assert "must end at a branch root" in err.message


def test_self_parent_is_a_cycle(tmp_path):
    err = error_for(tmp_path, concept("measure.a", "measure.a"))
    assert "cycle: measure.a -> measure.a" in err.message


def test_id_not_under_parent_prefix(tmp_path):
    err = error_for(tmp_path, concept("motive.x", "measure"))
    assert "(id 'motive.x'), field 'id'" in err.message
    assert "does not sit directly under its parent 'measure'" in err.message
    assert 'rename it to "measure.x"' in err.message


def test_id_skipping_a_level(tmp_path):
    body = concept("measure.pilot", "measure") + concept("measure.pilot.x.y", "measure.pilot")
    err = error_for(tmp_path, body)
    assert "'measure.pilot.x.y' does not sit directly under" in err.message


def test_missing_language_label(tmp_path):
    err = error_for(tmp_path, concept("measure.x", "measure", skip="label.sv"))
    assert "(id 'measure.x'), field 'label.sv'" in err.message
    assert "the label in 'sv' is missing" in err.message
    assert 'add label.sv = "..."' in err.message


def test_empty_label(tmp_path):
    body = concept("measure.x", "measure", skip="label.da", extra='label.da = "  "')
    err = error_for(tmp_path, body)
    assert "field 'label.da': is empty" in err.message


def test_missing_required_definition(tmp_path):
    err = error_for(tmp_path, concept("measure.x", "measure", skip="definition.nb"))
    assert "field 'definition.nb'" in err.message
    assert "the definition in 'nb' is missing" in err.message


def test_unknown_label_language_is_a_typo(tmp_path):
    err = error_for(tmp_path, concept("measure.x", "measure", extra='label.nbb = "x"'))
    assert "field 'label.nbb': unknown language. Did you mean 'nb'?" in err.message


@pytest.mark.parametrize(
    "bad_id", ["Measure.x", "measure.X", "measure..x", "measure.x-y", "measure.1x", "measure.x_"]
)
def test_bad_id_syntax(tmp_path, bad_id):
    err = error_for(tmp_path, concept(bad_id, "measure"))
    assert f"field 'id': {bad_id!r} is not a valid id" in err.message
    assert "lowercase ASCII" in err.message


def test_unknown_key_is_rejected_with_suggestion(tmp_path):
    err = error_for(tmp_path, concept("measure.x", "measure", extra='defintion.da = "x"'))
    assert "(id 'measure.x'), field 'defintion': unknown key. Did you mean 'definition'?" in (
        err.message
    )


def test_unknown_top_level_key(tmp_path):
    err = error_for(tmp_path, "", header=HEADER + 'verison = "x"\n')
    assert "top level, field 'verison': unknown key. Did you mean 'version'?" in err.message


def test_missing_version(tmp_path):
    err = error_for(tmp_path, "", header='languages = ["nb", "nn", "da", "sv", "en"]\n')
    assert "top level, field 'version': the version is missing" in err.message
    assert "YYYY.MM.PATCH" in err.message


@pytest.mark.parametrize("version", ["1.0", "2026.13.0", "v2026.11.0"])
def test_bad_version(tmp_path, version):
    err = error_for(tmp_path, "", header=f'version = "{version}"\n')
    assert f"field 'version': {version!r} is not a calendar version" in err.message


def test_missing_branch_root(tmp_path):
    path = tmp_path / "t.toml"
    path.write_text(HEADER + "".join(concept(r) for r in BRANCHES if r != "actor"), "utf-8")
    with pytest.raises(TillitError, match="the branch root 'actor' is missing"):
        load_taxonomy(path)


def test_extra_root_is_rejected(tmp_path):
    err = error_for(tmp_path, concept("policy"))
    assert "only the six branch roots" in err.message


def test_related_and_replaced_by_must_exist(tmp_path):
    body = concept("measure.x", "measure", extra='related = ["measure.y"]') + concept(
        "measure.z", "measure", extra='deprecated = true\nreplaced_by = "measure.q"'
    )
    err = error_for(tmp_path, body)
    assert "field 'related': 'measure.y' is not the id of any concept" in err.message
    assert "field 'replaced_by': 'measure.q' is not the id of any concept" in err.message
    assert len(err.errors) == 2


def test_replaced_by_needs_deprecated(tmp_path):
    body = concept("measure.x", "measure") + concept(
        "measure.y", "measure", extra='replaced_by = "measure.x"'
    )
    err = error_for(tmp_path, body)
    assert "only a deprecated concept can be replaced" in err.message


def test_deprecated_concept_loads(tmp_path):
    body = concept("measure.x", "measure") + concept(
        "measure.old", "measure", extra='deprecated = true\nreplaced_by = "measure.x"'
    )
    old = load_taxonomy(write(tmp_path, body)).get("measure.old")
    assert old.deprecated and old.replaced_by == "measure.x"


def test_messages_name_the_line(tmp_path):
    path = write(tmp_path, concept("measure.x", "mesure"))
    lines = path.read_text().splitlines()
    line = max(n for n, text in enumerate(lines, 1) if text == "[[concept]]")  # the 7th table
    with pytest.raises(TillitError) as info:
        load_taxonomy(path)
    assert f"line {line} [[concept]] #7" in info.value.message
    assert str(path) in info.value.message


def test_all_problems_are_reported_together(tmp_path):
    body = concept("measure.x", "mesure") + concept("measure.y", "measure", skip="label.en")
    err = error_for(tmp_path, body)
    assert "2 problems" in err.message
    assert [e["field"] for e in err.errors] == ["label.en", "parent"]
    assert "tillit taxonomy validate" in err.hint


def test_child_of_a_concept_with_other_problems_is_not_orphaned(tmp_path):
    body = concept("measure.x", "measure", skip="label.en") + concept("measure.x.y", "measure.x")
    err = error_for(tmp_path, body)
    assert len(err.errors) == 1
    assert err.errors[0]["field"] == "label.en"


def test_malformed_toml_names_the_file_and_line(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('version = "2026.11.0"\n[[concept]]\nid = "measure\n', encoding="utf-8")
    with pytest.raises(CorruptFileError) as info:
        load_taxonomy(path)
    assert str(path) in info.value.message
    assert "line 3" in info.value.message
    assert info.value.code == ErrorCode.CORRUPT_FILE


def test_not_utf8(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('version = "2026.11.0"\n# Færre\n'.encode("latin-1"))
    with pytest.raises(CorruptFileError, match="not UTF-8 text \\(line 2\\)"):
        load_taxonomy(path)


def test_missing_file(tmp_path):
    with pytest.raises(NotFoundError, match="does not exist"):
        load_taxonomy(tmp_path / "nope.toml")


def test_validate_takes_parsed_data():
    with pytest.raises(TillitError) as info:
        validate({"version": "2026.11.0", "concept": []}, source="mine.toml")
    assert "Invalid taxonomy mine.toml" in info.value.message
    assert info.value.errors[0]["message"] == "there are no [[concept]] tables."


def test_released_must_be_a_date(tmp_path):
    err = error_for(tmp_path, "", header='version = "2026.11.0"\nreleased = "soon"\n')
    assert "top level, field 'released': 'soon' is not a TOML date" in err.message


def test_languages_must_be_the_five(tmp_path):
    err = error_for(tmp_path, "", header='version = "2026.11.0"\nlanguages = ["nb", "fi"]\n')
    assert "field 'languages': unknown 'fi'; missing 'nn', 'da', 'sv', 'en'" in err.message
