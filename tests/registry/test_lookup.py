"""The pure registry API: counts, codes, lookups by code and name, filters, frames."""

from __future__ import annotations

import doctest
import importlib
import subprocess
import sys

import pytest

from tillit import registry
from tillit.errors import ErrorCode, NotFoundError, TillitError
from tillit.registry import Municipality, Registry, SizeClass, size_class_for


def test_counts_and_unique_codes():
    no, dk = registry.municipalities("no"), registry.municipalities("dk")
    assert (len(no), len(dk)) == (357, 98)
    assert len({m.code for m in no}) == 357
    assert len({m.code for m in dk}) == 98
    assert len({m.code4 for m in dk}) == 98


def test_codes_are_strings_with_leading_zeros():
    oslo = registry.get("0301")
    assert oslo.code == "0301" and oslo.name == "Oslo"
    assert all(isinstance(m.code, str) for m in registry.municipalities())
    assert all(len(m.code) == 4 for m in registry.municipalities("no"))
    kbh = registry.get("101")
    assert (kbh.code, kbh.code4, kbh.name) == ("101", "0101", "København")


def test_population_reference_years_differ_by_country():
    assert {m.population_year for m in registry.municipalities("no")} == {2024}
    assert {m.population_year for m in registry.municipalities("dk")} == {2020}
    assert sum(m.population for m in registry.municipalities("no")) == 5_550_203


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("0301", "Oslo"),
        ("301", "Oslo"),
        (301, "Oslo"),
        ("4601", "Bergen"),
        ("101", "København"),
        ("0101", "København"),
        (101, "København"),
        ("751", "Aarhus"),
        ("5001", "Trondheim"),
    ],
)
def test_get_accepts_ints_and_missing_leading_zero(code, expected):
    assert registry.get(code).name == expected


def test_get_with_country():
    assert registry.get("101", country="dk").country == "DK"
    with pytest.raises(NotFoundError):
        registry.get("101", country="no")


def test_unknown_code_names_the_code_and_says_what_to_do():
    with pytest.raises(NotFoundError) as info:
        registry.get("9999")
    assert "9999" in info.value.message
    assert "tillit registry find" in info.value.hint
    assert info.value.code is ErrorCode.NOT_FOUND


def test_old_code_hint_points_to_the_crosswalk():
    with pytest.raises(NotFoundError) as info:
        registry.get("1201")
    assert "1201 was Bergen" in info.value.hint
    assert "until 2019" in info.value.hint
    assert "tillit registry crosswalk 1201 --year 2019" in info.value.hint


def test_bad_code_is_invalid_input():
    with pytest.raises(TillitError) as info:
        registry.get("12a")
    assert info.value.code is ErrorCode.INVALID_INPUT


def _muni(country, code, name="X"):
    return Municipality(
        country=country,
        code=code,
        name=name,
        name_official=name,
        parallel_names=(),
        county_code="1",
        county_name="C",
        county_name_official="C",
        population=1,
        population_year=2024,
        population_date=registry.get("0301").population_date,
        code4=code.zfill(4),
        iso_region="X",
    )


def test_code_in_both_countries_asks_for_country():
    reg = Registry([_muni("NO", "0301", "Oslo"), _muni("DK", "301", "Somewhere")])
    with pytest.raises(TillitError) as info:
        reg.get("301")
    assert info.value.code is ErrorCode.AMBIGUOUS
    assert "country" in info.value.hint
    assert reg.get("301", country="dk").name == "Somewhere"
    assert reg.get("0301", country="no").name == "Oslo"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("tromso", "5501"),
        ("TROMSØ", "5501"),
        ("Guovdageaidnu", "5612"),
        ("guovdageaidnu", "5612"),
        ("aarhus", "751"),
        ("Århus", "751"),
        ("kobenhavn", "101"),
        ("København", "101"),
        ("Tråante", "5001"),
        ("hoje taastrup", "169"),
        ("Høje-Taastrup", "169"),
        ("Frederiksværk-Hundested", "260"),
    ],
)
def test_find_ignores_case_accents_and_knows_parallel_and_former_names(query, code):
    assert [m.code for m in registry.find(query)] == [code]


def test_namesakes_are_all_returned_with_their_county():
    heroy = registry.find("Herøy")
    assert [(m.code, m.county_name) for m in heroy] == [
        ("1515", "Møre og Romsdal"),
        ("1818", "Nordland"),
    ]
    assert [m.label for m in registry.find("valer")] == ["Våler (Østfold)", "Våler (Innlandet)"]
    assert [m.code for m in registry.find("Herøy (Nordland)")] == ["1818"]


def test_find_nothing_is_empty():
    assert registry.find("Atlantis") == ()


def test_search_ranks_exact_prefix_then_fuzzy():
    hits = registry.search("sande", limit=5)
    assert hits[0].municipality.code == "1514" and hits[0].kind == "exact"
    assert hits[1].municipality.name == "Sandefjord" and hits[1].kind == "prefix"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    typo = registry.search("trondhjem", limit=3)
    assert typo[0].municipality.code == "5001" and typo[0].kind == "fuzzy"
    assert registry.search("   ") == ()
    assert all(h.municipality.country == "DK" for h in registry.search("berg", country="dk"))
    with pytest.raises(TillitError):
        registry.search("oslo", limit=0)


def test_close_matcher_agrees_with_difflib():
    import difflib
    import random

    from tillit.registry.fuzzy import CloseMatcher

    keys = sorted({registry.name_key(m.name) for m in registry.municipalities()})
    matcher = CloseMatcher(keys)
    rng = random.Random(7)
    for _ in range(300):
        word = list(rng.choice(keys))
        for _ in range(rng.randint(0, 3)):
            word.insert(rng.randrange(len(word) + 1), rng.choice("aeiouknrst"))
            if len(word) > 2 and rng.random() < 0.5:
                word.pop(rng.randrange(len(word)))
        query = "".join(word)
        expected = difflib.get_close_matches(query, keys, n=5, cutoff=0.6)
        assert [c for _, c in matcher.close_matches(query, 5, 0.6)] == expected


def test_normalise():
    assert registry.normalise_name("Århus") == registry.normalise_name("Aarhus") == "arhus"
    assert registry.name_key("Nord-Fron") == registry.name_key("nord fron")
    assert registry.normalise_name("Kárášjohka") == "karasjohka"


@pytest.mark.parametrize(
    ("population", "size"),
    [
        (0, "small"),
        (4_999, "small"),
        (5_000, "medium"),
        (19_999, "medium"),
        (20_000, "large"),
        (99_999, "large"),
        (100_000, "city"),
        (717_710, "city"),
    ],
)
def test_size_class_bounds(population, size):
    assert size_class_for(population) is SizeClass(size)


def test_filters():
    cities_no = registry.municipalities("no", size_class="city")
    assert {m.name for m in cities_no} >= {"Oslo", "Bergen", "Trondheim", "Stavanger"}
    assert all(m.population >= 100_000 for m in cities_no)
    troms = registry.municipalities(county="55")
    assert troms and all(m.county_name == "Troms" for m in troms)
    assert [m.code for m in registry.municipalities(county="3")] == ["0301"]
    hovedstaden = registry.municipalities("dk", county="1084")
    assert len(hovedstaden) == 29
    assert len(registry.municipalities(size_class=SizeClass.SMALL)) == sum(
        1 for m in registry.municipalities() if m.population < 5_000
    )
    with pytest.raises(TillitError, match="unknown county"):
        registry.municipalities(county="99")
    with pytest.raises(TillitError, match="unknown size class"):
        registry.municipalities(size_class="huge")
    with pytest.raises(TillitError, match="unknown country"):
        registry.municipalities("se")


def test_counties():
    counties = registry.counties()
    assert len([c for c in counties if c[0] == "NO"]) == 15
    assert len([c for c in counties if c[0] == "DK"]) == 5


def test_to_frame_keeps_codes_as_strings():
    df = registry.to_frame()
    assert len(df) == 455
    assert df.loc[df.code == "0301", "name"].item() == "Oslo"
    assert df["code"].str.len().loc[df.country == "NO"].eq(4).all()
    assert df.loc[df.code == "101", "code4"].item() == "0101"
    assert str(df["population"].dtype) == "int64"


def test_history_leads_to_the_code():
    bergen = registry.history(registry.get("4601"))
    assert ("1201", "4601", 2020) in {(c.old_code, c.new_code, c.year) for c in bergen}
    assert ("1301", "1201", 1972) in {(c.old_code, c.new_code, c.year) for c in bergen}
    bornholm = registry.history(registry.get("400"))
    assert {c.old_code for c in bornholm} >= {"401", "403", "405", "407", "409"}


def test_provenance_is_bundled():
    assert "Provenance of bundled reference data" in registry.provenance()


@pytest.mark.parametrize(
    "module",
    [
        "tillit.registry",
        "tillit.registry.lookup",
        "tillit.registry.normalise",
        "tillit.registry.sizeclass",
        "tillit.registry.frame",
        "tillit.registry.fuzzy",
        "tillit.charts.render",
    ],
)
def test_doctests(module):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_pure_packages_import_without_django():
    code = (
        "import sys\n"
        "sys.modules['django'] = None\n"
        "import tillit.registry, tillit.charts\n"
        "from tillit import registry\n"
        "assert registry.get('0301').name == 'Oslo'\n"
        "assert registry.crosswalk('1201', 2019).successor_codes == ('4601',)\n"
        "spec = tillit.charts.municipality_map_spec()\n"
        "assert len(spec['hconcat']) == 2\n"
        "assert not any(m.startswith('django') for m in sys.modules if sys.modules[m])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
