"""Retrieval queries, the parser, co-occurrence and code-by-case matrices."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from tillit.qda import QueryData, QueryError, code_matrix, cooccurrence, parse_query, run_query
from tillit.qda.queries import And, Attr, Case, Code, Coder, Near, Not, Or, Overlaps, to_text

from .conftest import random_codings

ROWS = [
    ("s1", 0, 10, "trust", "anna"),
    ("s1", 5, 20, "trust", "ola"),
    ("s1", 8, 12, "legal", "ola"),
    ("s1", 40, 50, "legal", "anna"),
    ("s2", 0, 30, "trust", "anna"),
    ("s2", 100, 110, "legal", "anna"),
]


def test_parser_precedence_and_fields() -> None:
    assert parse_query("a OR b AND NOT c") == Or(Code("a"), And(Code("b"), Not(Code("c"))))
    assert parse_query("a and not coder:anna") == And(Code("a"), Not(Coder("anna")))
    assert parse_query("NOT a OVERLAPS b") == Not(Overlaps(Code("a"), Code("b")))
    assert parse_query('code:"rule clean-up" OR case:Bergen') == Or(
        Code("rule clean-up"), Case("Bergen")
    )
    assert parse_query("country=NO AND (a NEAR/20 b)") == And(
        Attr("country", "NO"), Near(Code("a"), Code("b"), 20)
    )
    assert parse_query("a OVERLAPS b NEAR/3 c") == Near(
        Overlaps(Code("a"), Code("b")), Code("c"), 3
    )


@pytest.mark.parametrize(
    "text",
    [
        "a",
        "a AND b OR c",
        "a AND (b OR c)",
        "NOT (a OR b)",
        "(a OR b) OVERLAPS c",
        "a OVERLAPS (b AND coder:x)",
        'code:"two words" AND "x=y"=z',
        "a NEAR/5 (b NEAR/7 c)",
        "a AND (b AND c)",
    ],
)
def test_to_text_round_trips(text: str) -> None:
    expr = parse_query(text)
    assert parse_query(to_text(expr)) == expr


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        ("a AND", 5, "ends too early"),
        ("(a OR b", 7, "missing closing parenthesis"),
        ("a b", 2, "unexpected 'b'"),
        ("a )", 2, "closing parenthesis without an opening"),
        ("colour:red", 0, "unknown field"),
        ('a AND "open', 6, "unterminated"),
        ("a NEAR b", 2, "NEAR needs a distance"),
        ("", 0, "empty"),
        ("AND a", 0, "expected a code"),
    ],
)
def test_parse_errors_are_located(text: str, position: int, message: str) -> None:
    with pytest.raises(QueryError, match=message) as info:
        parse_query(text)
    assert info.value.position == position
    assert info.value.errors[0]["position"] == position
    assert "^" in str(info.value)


def test_retrieval_filters() -> None:
    texts = {"s1": "x" * 60, "s2": "y" * 120}
    out = run_query("trust AND NOT coder:anna", ROWS, texts=texts)
    assert out[["source_id", "start", "coder"]].values.tolist() == [["s1", 5, "ola"]]
    assert out["text"].iloc[0] == "x" * 15
    assert len(run_query("trust OR legal", ROWS)) == 6
    assert len(run_query("trust AND legal", ROWS)) == 0
    assert run_query("source:s2 AND NOT trust", ROWS)["start"].tolist() == [100]


def test_overlaps_and_near() -> None:
    assert run_query("trust OVERLAPS legal", ROWS)["start"].tolist() == [0, 5]
    assert run_query("legal OVERLAPS trust", ROWS)["start"].tolist() == [8]
    # legal at 40-50 is 20 characters after trust ending at 20
    assert run_query("legal NEAR/19 trust", ROWS)["start"].tolist() == [8]
    assert run_query("legal NEAR/20 trust", ROWS)["start"].tolist() == [8, 40]
    assert run_query("(trust AND coder:anna) OVERLAPS (legal AND coder:ola)", ROWS)[
        "start"
    ].tolist() == [0]


@pytest.mark.parametrize("seed", range(3))
def test_overlaps_and_near_match_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows, _ = random_codings(rng, n=80, n_codes=3)
    for distance in (0, 15):
        expected = set()
        for i, r in enumerate(rows):
            if r[3] != "c0":
                continue
            for j, o in enumerate(rows):
                if i == j or o[3] != "c1" or o[0] != r[0]:
                    continue
                gap = max(o[1] - r[2], r[1] - o[2])
                if (distance == 0 and gap < 0) or (distance > 0 and gap <= distance):
                    expected.add(i)
        query = "c0 OVERLAPS c1" if distance == 0 else f"c0 NEAR/{distance} c1"
        frame = pd.DataFrame(rows, columns=["source_id", "start", "end", "code_id", "coder"])
        frame["row"] = range(len(rows))
        assert set(run_query(query, frame)["row"]) == expected


def test_cases_attributes_and_code_names() -> None:
    data = QueryData(
        cases=pd.DataFrame(
            {
                "case_id": ["Bergen", "Oslo", "Oslo"],
                "source_id": ["s1", "s2", "s1"],
                "start": [np.nan, np.nan, 35],
                "end": [np.nan, np.nan, 60],
            }
        ),
        case_attributes=pd.DataFrame(
            {
                "case_id": ["Bergen", "Oslo"],
                "name": ["county", "county"],
                "value": ["Vestland", "Oslo"],
            }
        ),
        source_attributes=pd.DataFrame(
            {"source_id": ["s1", "s2"], "name": ["kind", "kind"], "value": ["interview", "note"]}
        ),
        code_names={"Tillit": "trust", "Alt": ["trust", "legal"]},
    )
    assert len(run_query("case:Bergen", ROWS, data=data)) == 4
    # Oslo holds all of s2 and the span 35-60 of s1
    assert run_query("case:Oslo", ROWS, data=data)["start"].tolist() == [40, 0, 100]
    assert len(run_query("county=Vestland AND Tillit", ROWS, data=data)) == 2
    assert len(run_query("kind=note", ROWS, data=data)) == 2
    assert len(run_query("Alt", ROWS, data=data)) == 6
    with pytest.raises(Exception, match="attribute 'colour'"):
        run_query("colour=red", ROWS, data=data)
    with pytest.raises(Exception, match="no cases"):
        run_query("case:Oslo", ROWS)


def test_cooccurrence_counts_jaccard_c_coefficient() -> None:
    rows = [
        ("s", 0, 10, "a", "x"),
        ("s", 5, 15, "b", "x"),
        ("s", 30, 40, "a", "x"),
        ("s", 0, 10, "b", "y"),  # another coder: not paired by default
    ]
    r = cooccurrence(rows)
    assert r.counts.loc["a", "b"] == 1
    assert r.counts.loc["a", "a"] == 2 and r.counts.loc["b", "b"] == 2
    assert r.c_coefficient.loc["a", "b"] == pytest.approx(1 / (2 + 2 - 1))
    # coder x: a covers 0-10, 30-40 (20), b covers 5-15 (10), both 5; coder y: b 0-10 (10)
    assert r.jaccard.loc["a", "b"] == pytest.approx(5 / (20 + 20 - 5))
    across = cooccurrence(rows, within_coder=False)
    assert across.counts.loc["a", "b"] == 2
    near = cooccurrence(rows, proximity=15)
    assert near.counts.loc["a", "b"] == 2
    assert r.pairs[["code_a", "code_b", "n12"]].values.tolist() == [["a", "b", 1]]


@pytest.mark.parametrize("seed", range(3))
def test_cooccurrence_matches_brute_force(seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows, lengths = random_codings(rng, n=100, n_codes=4, coders=("anna", "ola", "kari"))
    r = cooccurrence(rows)
    codes = sorted({row[3] for row in rows})
    for a, b in itertools.combinations(codes, 2):
        n12 = sum(
            1
            for p, q in itertools.combinations(rows, 2)
            if {p[3], q[3]} == {a, b}
            and p[0] == q[0]
            and p[4] == q[4]
            and max(p[1], q[1]) < min(p[2], q[2])
        )
        assert r.counts.loc[a, b] == n12
        both = either = 0
        for src, n in lengths.items():
            for who in ("anna", "ola", "kari"):
                ma, mb = np.zeros(n, bool), np.zeros(n, bool)
                for s, x, y, c, w in rows:
                    if s == src and w == who:
                        if c == a:
                            ma[x:y] = True
                        if c == b:
                            mb[x:y] = True
                both += int((ma & mb).sum())
                either += int((ma | mb).sum())
        assert r.jaccard.loc[a, b] == pytest.approx(
            both / either if either else np.nan, nan_ok=True
        )


def test_code_matrix_by_case_attribute_source_coder() -> None:
    texts = {"s1": "abcdefghijklmnopqrstuvwxyz" * 3, "s2": "0123456789" * 12}
    data = QueryData(
        cases=pd.DataFrame({"case_id": ["Bergen", "Oslo"], "source_id": ["s1", "s2"]}),
        case_attributes=pd.DataFrame(
            {"case_id": ["Bergen", "Oslo"], "name": ["country"] * 2, "value": ["NO", "NO"]}
        ),
        source_attributes=pd.DataFrame(
            {"source_id": ["s1", "s2"], "name": ["kind"] * 2, "value": ["interview", "note"]}
        ),
    )
    m = code_matrix(ROWS, data=data, texts=texts, codes=["trust", "legal", "unused"])
    assert m.counts.loc["trust"].to_dict() == {"Bergen": 2, "Oslo": 1}
    assert m.counts.loc["unused"].sum() == 0
    cell = m.cell("legal", "Bergen")
    assert cell["text"].tolist() == ["ijkl", texts["s1"][40:50]]
    assert code_matrix(ROWS, "country", data=data).counts.loc["trust", "NO"] == 3
    assert code_matrix(ROWS, "kind", data=data).counts.loc["legal", "note"] == 1
    chars = code_matrix(ROWS, "source", count="characters").counts
    assert chars.loc["trust", "s1"] == 20  # 0-10 and 5-20 merge
    assert code_matrix(ROWS, "coder", count="sources").counts.loc["trust", "anna"] == 2
    assert set(m.sheets()) == {"counts", "segments"}
    with pytest.raises(Exception, match="attribute 'nope'"):
        code_matrix(ROWS, "nope", data=data)


def test_code_relations() -> None:
    from tillit.qda import code_relations

    rows = [
        ("s", 0, 10, "a", "x"),
        ("s", 5, 15, "b", "x"),  # overlap with a
        ("s", 5, 15, "b", "y"),  # another coder
        ("s", 40, 50, "c", "x"),
    ]
    r = code_relations(rows)
    assert r[["code_a", "code_b", "relation", "overlap", "gap"]].values.tolist() == [
        ["a", "b", "overlap", 5, 0]
    ]
    assert len(code_relations(rows, within_coder=False)) == 2
    near = code_relations(rows, proximity=25)
    assert near.set_index("code_b").loc["c", "gap"] == 25
