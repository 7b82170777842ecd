"""The lavaan syntax parser and the parameter table it leads to (lavaan's defaults)."""

from __future__ import annotations

import pytest

from tillit.errors import TillitError
from tillit.sem import ModelSyntaxError, parse_model, specify


def test_statements_with_modifiers_and_continuation() -> None:
    text = """
    # a comment
    f =~ x1 + NA*x2 + 0.5*x3 +
         b*x4 + start(0.8)*x5   ! lavaan's other comment mark
    y1 + y2 ~ f; y1 ~ 1
    x1 ~~ x2
    """
    rows = [(s.lhs, s.op, s.rhs, s.fixed, s.free, s.label, s.start) for s in parse_model(text)]
    assert rows == [
        ("f", "=~", "x1", None, None, None, None),
        ("f", "=~", "x2", None, True, None, None),
        ("f", "=~", "x3", 0.5, None, None, None),
        ("f", "=~", "x4", None, None, "b", None),
        ("f", "=~", "x5", None, None, None, 0.8),
        ("y1", "~", "f", None, None, None, None),
        ("y2", "~", "f", None, None, None, None),
        ("x1", "~~", "x2", None, None, None, None),
    ]
    assert [s.line for s in parse_model(text)][:1] == [3]


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", "empty"),
        ("f x1 x2", "no operator"),
        ("f =~ x1 + \n", "empty"),
        ("ab := a*b", "':=' is not supported"),
        ("f =~ c(1, 1)*x1 + x2", "one group only"),
        ("f =~ 1*NA*x1 + x2", "both fixed and free"),
        ("y ~ y", "regressed on itself"),
        ("f =~ x1 + f", "its own indicator"),
        ("f =~ x-1 + x2", "not a variable name"),
        ("f =~ x1 + x2 + x3\nf =~ x1", "specified twice"),
    ],
)
def test_syntax_errors_are_located(text: str, match: str) -> None:
    with pytest.raises(ModelSyntaxError, match=match) as info:
        specify(text)
    assert isinstance(info.value, TillitError)
    assert info.value.hint


def test_defaults_follow_lavaan() -> None:
    spec = specify(
        "visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9\n"
        "speed ~ visual + textual + age"
    )
    table = {(p.lhs, p.op, p.rhs): p for p in spec.parameters}
    assert table[("visual", "=~", "x1")].free == 0 and table[("visual", "=~", "x1")].value == 1
    assert table[("visual", "~~", "textual")].free  # exogenous latent covariance
    assert ("age", "~~", "visual") not in table and ("visual", "~~", "age") not in table
    assert table[("age", "~~", "age")].exo  # fixed.x
    assert spec.covariates == ("age",)
    assert spec.phantom == ("age",)
    assert spec.n_free == 22 and spec.df == 32


def test_pure_dependents_get_residual_covariances() -> None:
    spec = specify("f =~ x1 + x2 + x3; y7 ~ f + z; y8 ~ y7; y9 ~ x1")
    covs = {(p.lhs, p.rhs) for p in spec.parameters if p.op == "~~" and p.lhs != p.rhs}
    assert ("y8", "y9") in covs  # pure y (never a predictor, not an indicator)
    assert not any("y7" in pair for pair in covs)  # y7 predicts y8


def test_equal_labels_share_one_parameter() -> None:
    spec = specify("f =~ x1 + a*x2 + a*x3")
    free = {p.rhs: p.free for p in spec.parameters if p.op == "=~"}
    assert free["x1"] == 0 and free["x2"] == free["x3"] > 0
    assert spec.n_free == 5 and spec.df == 1


def test_std_lv_frees_loadings_and_fixes_variances() -> None:
    spec = specify("f =~ x1 + x2 + x3", std_lv=True)
    table = {(p.lhs, p.op, p.rhs): p for p in spec.parameters}
    assert all(table[("f", "=~", x)].free for x in ("x1", "x2", "x3"))
    assert table[("f", "~~", "f")].free == 0 and table[("f", "~~", "f")].value == 1.0
