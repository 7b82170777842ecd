"""Crosswalk of old codes to current municipalities, and the consistency of the code tables."""

from __future__ import annotations

import pytest

from tillit import registry
from tillit.errors import ErrorCode, NotFoundError, TillitError
from tillit.registry import load


def test_bergen_2019():
    result = registry.crosswalk("1201", 2019)
    assert result.country == "NO" and result.name == "Bergen"
    assert result.successor_codes == ("4601",)
    assert not result.is_split and result.warnings == ()
    assert "1201" in result.via and "4601" in result.via


@pytest.mark.parametrize("year", [2018, 2019])
def test_klaebu_merged_into_trondheim(year):
    result = registry.crosswalk(5030, year)
    assert result.successor_codes == ("5001",)
    assert result.name == "Klæbu"


def test_snillfjord_split_lists_all_successors_and_warns():
    result = registry.crosswalk("5012", 2019)
    assert result.is_split
    assert [m.name for m in result.successors] == ["Heim", "Hitra", "Orkland"]
    assert len(result.warnings) == 1
    warning = result.warnings[0]
    assert all(name in warning for name in ("Heim", "Hitra", "Orkland"))
    assert "no population weights" in warning


@pytest.mark.parametrize("year", [2020, 2021, 2022, 2023])
def test_alesund_2020_2023_split(year):
    result = registry.crosswalk("1507", year)
    assert result.successor_codes == ("1508", "1580") and result.is_split
    assert "Haram" in result.warnings[0]


def test_alesund_before_2020_resolved_by_2019_borders():
    assert registry.crosswalk("1504", 2019).successor_codes == ("1508",)
    haram = registry.crosswalk("1534", 2010)
    assert haram.successor_codes == ("1580",) and not haram.is_split
    assert any("2019 borders" in w for w in haram.warnings)


def test_before_2002_chains_through_the_change_table():
    varteig = registry.crosswalk("0114", 1990)
    assert set(varteig.successor_codes) == {"3105", "3120"} and varteig.is_split
    assert registry.crosswalk("1301", 1971).successor_codes == ("4601",)
    assert registry.crosswalk("0128", 1990).successor_codes == ("3120",)  # kept its code in 1992
    with pytest.raises(NotFoundError):
        registry.crosswalk("0106", 1990)  # Fredrikstad got 0106 in 1994


def test_current_codes_are_identity_from_2024():
    result = registry.crosswalk("0301", 2024)
    assert result.is_identity and result.successor_codes == ("0301",)
    assert registry.crosswalk("4601", 2030).successor_codes == ("4601",)


def test_old_code_in_a_later_year_says_when_it_was_used():
    with pytest.raises(NotFoundError) as info:
        registry.crosswalk("1201", 2020, country="no")
    assert "1201" in info.value.message
    assert "--year 2019" in info.value.hint
    with pytest.raises(NotFoundError) as info:
        registry.crosswalk("4601", 2019, country="no")
    assert "current code" in info.value.hint and "2020" in info.value.hint


def test_year_before_the_tables():
    with pytest.raises(TillitError) as info:
        registry.crosswalk("0301", 1900)
    assert info.value.code is ErrorCode.INVALID_INPUT


def test_dk_2007_and_later_is_identity():
    result = registry.crosswalk("751", 2007)
    assert result.successor_codes == ("751",) and result.is_identity
    assert registry.crosswalk("101", 2020).successor_codes == ("101",)


def test_dk_old_aarhus_stays_751():
    result = registry.crosswalk("751", 2006, country="dk")
    assert result.successor_codes == ("751",) and result.name == "Århus"


def test_dk_norre_djurs_became_norddjurs():
    result = registry.crosswalk("725", 2006, country="dk")
    assert result.name == "Nørre Djurs"
    assert [m.name for m in result.successors] == ["Norddjurs"]


def test_dk_split_gives_all_successors_and_the_primary_target():
    result = registry.crosswalk("233", 2005, country="dk")
    assert result.is_split and set(result.successor_codes) == {"219", "250"}
    assert result.primary_target is not None and result.primary_target.code == "250"
    assert "Hillerød" in result.warnings[0] and "Frederikssund" in result.warnings[0]


def test_dk_bornholm_2003():
    for code in ("401", "403", "405", "407", "409"):
        assert registry.crosswalk(code, 2002, country="dk").successor_codes == ("400",)
    with pytest.raises(NotFoundError) as info:
        registry.crosswalk("409", 2004, country="dk")
    assert "--year 2002" in info.value.hint
    with pytest.raises(NotFoundError):
        registry.crosswalk("400", 2002, country="dk")


def test_all_271_old_dk_codes_map_into_the_98():
    old_codes = {r.old_code for r in load.code_changes_dk() if r.year == 2007}
    assert len(old_codes) == 271
    current = {m.code for m in registry.municipalities("dk")}
    reached = set()
    for code in old_codes:
        result = registry.crosswalk(code, 2006, country="dk")
        assert set(result.successor_codes) <= current
        assert result.is_split == (len(result.successors) > 1)
        reached |= set(result.successor_codes)
    assert reached == current


def test_code_valid_in_both_countries_needs_country():
    with pytest.raises(TillitError) as info:
        registry.crosswalk("233", 2005)
    assert info.value.code is ErrorCode.AMBIGUOUS
    assert registry.crosswalk("233", 2005, country="no").successor_codes == ("3232",)


def test_unknown_code_in_year():
    with pytest.raises(NotFoundError) as info:
        registry.crosswalk("9999", 2010)
    assert "9999" in info.value.message and "2010" in info.value.message


def test_change_table_reproduces_the_crosswalk_file():
    """Chaining code_changes_no.csv from every Klass version 2002-2023 gives the same 2024 codes
    as crosswalk_no_to_2024.csv (except the documented Ålesund/Haram rows), and the code set of
    every version equals the one rebuilt backward from the 357 codes of 2024."""
    assert registry.check_crosswalk_consistency() == []


def test_every_crosswalk_row_resolves():
    rows = load.crosswalk_no()
    assert len(rows) == 6701
    for row in rows[::97]:
        result = registry.crosswalk(row.old_code, row.version_valid_from.year, country="no")
        assert row.code_2024 in result.successor_codes
    noted = {r.old_code for r in rows if r.note}
    assert noted == {"1504", "1523", "1529", "1534", "1546"}


def test_result_as_dict_is_json_ready():
    import json

    data = registry.crosswalk("5012", 2019).as_dict()
    assert json.loads(json.dumps(data))["successors"][0]["code"] == "5055"
    assert data["is_split"] is True
