"""Pseudonymisation: stable placeholders, possessives, the key, moving codings."""

from __future__ import annotations

import pytest

from tillit.qda import OffsetError, Pseudonymiser, QdaError, registry_places

TEXT = "Kari Hansen er rådmann i Bergen. Hansens team i BERGEN og i Bergenhus. Lars' idé."


def test_replaces_whole_words_any_case_and_possessives() -> None:
    p = Pseudonymiser(persons=[["Kari Hansen", "Hansen"], "Lars"], places=["Bergen"])
    r = p.apply(TEXT)
    assert r.text == (
        "[PERSON-1] er rådmann i [PLACE-1]. [PERSON-1]s team i [PLACE-1] og i Bergenhus. "
        "[PERSON-2]' idé."
    )
    assert p.key == {"[PERSON-1]": "Kari Hansen", "[PLACE-1]": "Bergen", "[PERSON-2]": "Lars"}
    assert [x.original for x in r.replacements] == [
        "Kari Hansen",
        "Bergen",
        "Hansen",
        "BERGEN",
        "Lars",
    ]
    for x in r.replacements:
        assert TEXT[x.start : x.end] == x.original
        assert r.text[x.new_start : x.new_end] == x.placeholder


def test_stable_across_texts_and_sessions() -> None:
    p = Pseudonymiser(persons=["Ola Nordmann", "Kari"], places=["Tromsø"])
    first = p.apply("Kari møtte Ola Nordmann.").text
    second = p.apply("Ola Nordmann reiste til Tromsø. Kari ble.").text
    assert first == "[PERSON-1] møtte [PERSON-2]."
    assert second == "[PERSON-2] reiste til [PLACE-1]. [PERSON-1] ble."
    later = Pseudonymiser(persons=["Ola Nordmann", "Kari", "Per"], key=p.key)
    assert later.apply("Per og Kari").text == "[PERSON-3] og [PERSON-1]"
    with pytest.raises(QdaError, match="placeholder"):
        Pseudonymiser(key={"Kari": "x"})


def test_names_across_line_breaks_and_other_kinds() -> None:
    p = Pseudonymiser(others={"ORG": ["Fagforbundet"]}, persons=["Kari Hansen"])
    assert p.apply("Kari\nHansen i Fagforbundets styre").text == "[PERSON-1] i [ORG-1]s styre"


def test_offset_map_and_codings() -> None:
    p = Pseudonymiser(persons=[["Kari Hansen", "Hansen"]], places=["Bergen"])
    r = p.apply(TEXT)
    start = TEXT.index("rådmann")
    end = TEXT.index(". Hansens")
    moved = r.map_codings([("s", start, end, "role", "anna"), ("s", 0, len(TEXT), "all", "anna")])
    a, b = moved.iloc[0]["start"], moved.iloc[0]["end"]
    assert r.text[a:b] == "rådmann i [PLACE-1]"
    assert moved.iloc[1]["end"] == len(r.text)
    assert r.map_offset(0) == 0
    inside = [("s", 3, 20, "x", "anna")]  # starts inside "Kari Hansen"
    with pytest.raises(OffsetError, match="row 0"):
        r.map_codings(inside)
    with pytest.raises(OffsetError):
        r.map_offset(3)
    expanded = r.map_codings(inside, policy="expand")
    assert expanded.iloc[0]["start"] == 0


def test_no_names_and_registry_places() -> None:
    assert Pseudonymiser().apply("hei").text == "hei"
    places = registry_places("no")
    assert "Bergen" in places and "Tromsø" in places
    assert all(len(p) >= 3 for p in places)
    assert "Aarhus" in registry_places("dk")


def test_names_are_compared_in_nfc() -> None:
    p = Pseudonymiser(persons=["A\u030ase Berg"])  # decomposed Å, as some keyboards type it
    assert p.apply("Intervju med \u00c5se Berg.").text == "Intervju med [PERSON-1]."
