"""AAPOR outcome rates: worked examples, a hand-computed census, code mapping and edge cases."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from tillit.analysis import AnalysisError, aapor_rates, disposition_counts
from tillit.analysis.aapor import RATES, category_of


def test_outcomerate_readme_example():
    # ropensci/outcomerate README: I=4, P=2, R=1, NC=1, O=1, UH=1, UO=1, NE=1.
    # D = (I+P) + (R+NC+O) = 6 + 3 = 9; U = UH + UO = 2; e = D / (D + NE) = 9/10; eU = 1.8.
    rates = aapor_rates({"I": 4, "P": 2, "R": 1, "NC": 1, "O": 1, "UH": 1, "UO": 1, "NE": 1})
    assert rates.e == pytest.approx(0.9, rel=1e-15)
    expected = {
        "RR1": Fraction(4, 11),  # I / (D + U) = 4 / 11
        "RR2": Fraction(6, 11),  # (I+P) / (D + U) = 6 / 11
        "RR3": Fraction(10, 27),  # I / (D + eU) = 4 / 10.8
        "RR4": Fraction(5, 9),  # (I+P) / (D + eU) = 6 / 10.8
        "RR5": Fraction(4, 9),  # I / D
        "RR6": Fraction(2, 3),  # (I+P) / D = 6 / 9
        "COOP1": Fraction(1, 2),  # I / ((I+P) + R + O) = 4 / 8
        "COOP2": Fraction(3, 4),  # (I+P) / ((I+P) + R + O) = 6 / 8
        "COOP3": Fraction(4, 7),  # I / ((I+P) + R) = 4 / 7
        "COOP4": Fraction(6, 7),  # (I+P) / ((I+P) + R)
        "REF1": Fraction(1, 11),  # R / (D + U)
        "REF2": Fraction(5, 54),  # R / (D + eU) = 1 / 10.8
        "REF3": Fraction(1, 9),  # R / D
        "CON1": Fraction(8, 11),  # ((I+P) + R + O) / (D + U) = 8 / 11
        "CON2": Fraction(20, 27),  # 8 / 10.8
        "CON3": Fraction(8, 9),  # 8 / 9
    }
    assert set(expected) == set(RATES)
    for name, value in expected.items():
        assert rates.rate(name) == pytest.approx(float(value), rel=1e-14), name


def test_outcomerate_weighted_example():
    # outcomerate README, weighted: codes I,P,I,UO,R,I,NC,I,O,P,UH, weights 1.3 x 6 then 2.5 x 5.
    # I = 3(1.3) + 2.5 = 6.4; P = 1.3 + 2.5 = 3.8; R = 1.3; NC = 2.5; O = 2.5; UO = 1.3; UH = 2.5.
    # D + U = 10.2 + 6.3 + 3.8 = 20.3; RR2 = 10.2 / 20.3 = 0.50246...; CON1 = 14 / 20.3 = 0.68966...
    codes = ["I", "P", "I", "UO", "R", "I", "NC", "I", "O", "P", "UH"]
    rates = aapor_rates(codes, weights=[1.3] * 6 + [2.5] * 5)
    assert rates.rate("RR2") == pytest.approx(10.2 / 20.3, rel=1e-14)
    assert rates.rate("CON1") == pytest.approx(14 / 20.3, rel=1e-14)
    unweighted = aapor_rates(codes)
    assert unweighted.rate("RR2") == pytest.approx(6 / 11)  # 0.55 rounded in the README
    assert unweighted.rate("CON1") == pytest.approx(8 / 11)


def test_responserates_readme_example():
    # leeper/responserates README: 100 completes and 20 non-contacts.
    rates = aapor_rates({"1.1": 100, "2.20": 20})
    for name in ("RR1", "RR2", "RR3", "RR4", "RR5", "RR6", "CON1", "CON2", "CON3"):
        assert rates.rate(name) == pytest.approx(100 / 120), name
    for name in ("COOP1", "COOP2", "COOP3", "COOP4"):
        assert rates.rate(name) == 1.0
    assert rates.rate("REF1") == rates.rate("REF2") == rates.rate("REF3") == 0.0


def census_codes():
    """A hand-made census of 357 Norwegian and 98 Danish chief executives."""
    no = {
        "1.1": 200,
        "1.2": 20,
        "2.11": 40,
        "2.12": 10,
        "2.20": 50,
        "2.30": 7,
        "3.10": 10,
        "3.19": 15,
        "4.10": 5,
    }
    dk = {"1.1": 60, "1.2": 5, "2.11": 10, "2.12": 3, "2.20": 15, "2.30": 2, "3.19": 1, "4.10": 2}
    codes, countries = [], []
    for country, counts in (("NO", no), ("DK", dk)):
        for code, k in counts.items():
            codes += [code] * k
            countries += [country] * k
    return codes, countries


def test_hand_computed_census_by_country():
    codes, countries = census_codes()
    assert (countries.count("NO"), countries.count("DK")) == (357, 98)
    rates = aapor_rates(codes, by=countries)
    assert rates.domain == ("all", "DK", "NO")
    # NO: I=200, P=20, R=40+10=50, NC=50, O=7, UH=10+15=25, UO=0, NE=5.
    # D = 220 + 107 = 327; U = 25; e = 327/332; eU = 8175/332.
    assert rates.rate("RR1", "NO") == pytest.approx(200 / 352, rel=1e-14)
    assert rates.rate("RR2", "NO") == pytest.approx(220 / 352, rel=1e-14)
    # RR3 = 200 / (327 + 8175/332) = 66400 / 116739
    assert rates.rate("RR3", "NO") == pytest.approx(66400 / 116739, rel=1e-14)
    assert rates.rate("COOP1", "NO") == pytest.approx(200 / 277, rel=1e-14)  # 220 + 50 + 7
    assert rates.rate("REF3", "NO") == pytest.approx(50 / 327, rel=1e-14)
    assert rates.rate("CON1", "NO") == pytest.approx(277 / 352, rel=1e-14)
    # DK: I=60, P=5, R=13, NC=15, O=2, UH=1, NE=2 -> D = 95, U = 1, e = 95/97.
    assert rates.e_by_domain[1] == pytest.approx(95 / 97, rel=1e-14)
    assert rates.rate("RR4", "DK") == pytest.approx(65 / (95 + 95 / 97), rel=1e-14)
    # All: I=260, P=25, R=63, NC=65, O=9, UH=26, NE=7 -> D = 422, U = 26, e = 422/429.
    assert rates.rate("RR1") == pytest.approx(260 / 448, rel=1e-14)
    assert rates.rate("RR3") == pytest.approx(260 / (422 + 26 * 422 / 429), rel=1e-14)
    frame = rates.to_frame()
    assert list(frame["domain"]) == ["all", "DK", "NO"]
    assert frame.loc[2, "UH"] == 25 and frame.loc[2, "NE"] == 5


def test_tillit_codes_map_to_aapor_categories():
    # 3.1x (3.10 not invited, 3.19 undeliverable) is AAPOR's UH ("nothing known"); 3.2-3.9 UO.
    mapping = {
        "1.1": "I",
        "1.2": "P",
        "2.11": "R",
        "2.12": "R",
        "2.111": "R",
        "2.20": "NC",
        "2.30": "O",
        "2.31": "O",
        "3.10": "UH",
        "3.19": "UH",
        "3.21": "UO",
        "3.90": "UO",
        "4.10": "NE",
        "4.70": "NE",
        "UO": "UO",
        "nc": "NC",
    }
    assert {code: category_of(code) for code in mapping} == mapping


@pytest.mark.parametrize("bad", ["5.1", "1.3", "x", "", "2", "2.4"])
def test_unknown_codes_are_rejected(bad):
    with pytest.raises(AnalysisError, match="not an AAPOR final disposition code") as caught:
        aapor_rates([bad, "1.1"])
    assert caught.value.argument == "dispositions"


def test_eligibility_edges():
    counts = {"I": 30, "P": 5, "R": 10, "NC": 10, "O": 5, "UH": 20, "UO": 10, "NE": 10}
    assert aapor_rates(counts, e=0).rate("RR3") == aapor_rates(counts).rate("RR5")
    assert aapor_rates(counts, e=1).rate("RR3") == aapor_rates(counts).rate("RR1")
    assert aapor_rates(counts, e=0.5).rate("RR3") == pytest.approx(30 / (60 + 15))
    for name in ("RR5", "RR6", "REF3", "CON3"):  # ignore unknown eligibility
        with_u = aapor_rates(counts).rate(name)
        without = aapor_rates({**counts, "UH": 0, "UO": 0}).rate(name)
        assert with_u == without
    with pytest.raises(AnalysisError, match=r"e=1\.5"):
        aapor_rates(counts, e=1.5)


def test_zero_denominators_give_nan():
    rates = aapor_rates({"NE": 3})
    assert all(math.isnan(rates.rate(name)) for name in RATES)
    assert rates.e == 0.0  # D = 0 known eligible of 3 known cases
    unknown_only = aapor_rates({"UH": 2})
    assert math.isnan(unknown_only.e)  # nothing known to estimate e from
    assert math.isnan(unknown_only.rate("RR3")) and unknown_only.rate("RR1") == 0.0


def test_counts_and_codes_agree():
    codes, _ = census_codes()
    from_codes = disposition_counts(codes)
    from_counts = disposition_counts({c: codes.count(c) for c in set(codes)})
    assert from_codes == from_counts
    assert sum(from_codes.as_dict().values()) == 455


def test_rates_render(tmp_path):
    codes, countries = census_codes()
    rates = aapor_rates(codes, by=countries)
    text = rates.summary()
    assert "AAPOR outcome rates" in text and "RR1" in text
    html = rates.summary("html")
    assert html.count("<tr>") == 4
    csv = rates.summary("csv")
    assert csv.splitlines()[0].startswith("domain,I,P,R,NC,O,UH,UO,NE,e,RR1")
