"""Variable names safe for SPSS and Stata, and labels cut to the formats' limits."""

from __future__ import annotations

import pytest

from tillit.interop.naming import SafeNamer, fit_label, is_reserved, is_safe_name, to_ascii_name

FORTY = "tillit_til_kommunestyret_og_administrasjonen"  # 44 characters


@pytest.mark.parametrize(
    ("intended", "expected"),
    [
        ("Ærlig_spørsmål", "Aerlig_sporsmaal"),
        ("Øvrige_årsaker", "Ovrige_aarsaker"),
        ("café-besøk", "cafe_besok"),
        ("1a", "v1a"),
        ("2025_reform", "v2025_reform"),
        ("_n", "v_n"),
        ("", "v"),
        ("ææ", "aeae"),
        ("q 1.a", "q_1_a"),
        ("with", "with_"),
        ("WITH", "WITH_"),
        ("To", "To_"),
        ("in", "in_"),
        ("byte", "byte_"),
        ("strL", "strL_"),
        ("str244", "str244_"),
        ("float", "float_"),
        ("using", "using_"),
        ("spørsmål—med–tankestrek", "sporsmaal_med_tankestrek"),
        ("日本", "v"),
        (FORTY, FORTY[:32]),
    ],
)
def test_single_names(intended, expected):
    name = SafeNamer()(intended)
    assert name == expected
    assert is_safe_name(name)


def test_duplicates_after_truncation_get_deterministic_suffixes():
    names = [FORTY + "_a", FORTY + "_b", FORTY + "_c", FORTY[:32]]
    first = [SafeNamer()(n) for n in names[:1]]
    namer = SafeNamer()
    got = [namer(n) for n in names]
    assert got == [FORTY[:32], FORTY[:30] + "_2", FORTY[:30] + "_3", FORTY[:30] + "_4"]
    assert got[:1] == first
    assert all(len(n) <= 32 and is_safe_name(n) for n in got)
    again = SafeNamer()
    assert [again(n) for n in names] == got  # deterministic


def test_uniqueness_ignores_case_and_transliteration():
    namer = SafeNamer(taken={"case_id"})
    assert namer("CASE_ID") == "CASE_ID_2"
    assert namer("sporsmaal") == "sporsmaal"
    assert namer("spørsmål") == "sporsmaal_2"
    assert namer("Spørsmål") == "Sporsmaal_3"
    assert "SPORSMAAL" in namer


def test_suffix_never_makes_a_reserved_word():
    namer = SafeNamer(taken={"str"})
    assert namer("str") == "str_2"
    assert not is_reserved("str_2")


def test_reserved_and_safe_predicates():
    assert is_reserved("all") and is_reserved("ALL") and is_reserved("_cons")
    assert not is_reserved("allow") and not is_reserved("_N_")
    assert not is_safe_name("æ") and not is_safe_name("a-b") and is_safe_name("a" * 32)
    assert to_ascii_name("Åse") == "Aase"


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"max_chars": 80}, "Kort spørsmål: Ja"),
        ({"max_chars": 12}, "Kort sp…: Ja"),
        ({"max_bytes": 13}, "Kort s…: Ja"),
        ({"max_chars": 3}, "Ko…"),
    ],
)
def test_fit_label_keeps_the_option(kwargs, expected):
    label = fit_label("Kort spørsmål", keep_tail=": Ja", **kwargs)
    assert label == expected
    if "max_bytes" in kwargs:
        assert len(label.encode()) <= kwargs["max_bytes"]
