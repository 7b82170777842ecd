"""The text is cut at every coding boundary; each piece knows the codes covering it."""

from tillit.apps.qda.rendering import coded_pieces, compare_pieces, pieces


def test_pieces_cover_the_text_and_carry_their_codes():
    text = "abcdefghij"
    out = pieces(text, [(2, 6, 1), (4, 8, 2), (4, 8, 2)])
    assert "".join(p.text for p in out) == text
    assert [(p.start, p.end, p.keys) for p in out] == [
        (0, 2, ()),
        (2, 4, (1,)),
        (4, 6, (1, 2)),
        (6, 8, (2,)),
        (8, 10, ()),
    ]


def test_pieces_ignore_spans_outside_the_text_and_count_code_points():
    text = "a🙂b"
    out = coded_pieces(text, [(1, 2, 7), (2, 9, 8)])
    assert [(p.text, p.css) for p in out] == [("a", ""), ("🙂", "coded code-7"), ("b", "")]


def test_compare_marks_agreement_and_disagreement():
    text = "0123456789"
    out = compare_pieces(text, [(0, 4, 1), (6, 8, 1)], [(2, 4, 1), (6, 8, 2), (8, 9, 3)])
    css = [(p.start, p.end, p.css) for p in out]
    assert css == [
        (0, 2, "cmp only-a"),
        (2, 4, "cmp agree"),
        (4, 6, ""),
        (6, 8, "cmp diff"),
        (8, 9, "cmp only-b"),
        (9, 10, ""),
    ]
