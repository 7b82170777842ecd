"""Properties the brief asks for, on random data; setqca as a dev-only cross-check."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tillit.qca import evaluate, minimize, necessity, prepare, truth_table

from .conftest import lipset


def _random(seed: int, k: int = 6, n: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.random((n, k)).round(2)
    x[x == 0.5] = 0.51
    frame = pd.DataFrame(x, columns=[f"C{i}" for i in range(k)])
    frame["Y"] = np.clip(
        np.maximum(np.minimum(x[:, 0], x[:, 1]), np.minimum(1 - x[:, 2], x[:, 3]))
        + rng.normal(0, 0.1, n),
        0,
        1,
    ).round(2)
    return frame


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_measures_in_unit_interval_and_solution_nesting(seed):
    tt = truth_table(_random(seed), "Y", incl_cut=0.93)
    cons = minimize(tt)
    pars = minimize(tt, include="?")
    inter = minimize(tt, include="?", dir_exp=["C0", "C1", "~C2"])
    sd = tt.data
    positives = [r for r in tt.rows if r.out == "1"]
    for result in (cons, pars, inter):
        for sol in result.solutions:
            for term in sol.terms:
                for v in (term.inclS, term.PRI, term.covS):
                    assert 0 <= v <= 1
            for model in sol.models:
                member = evaluate(model.formula, sd)
                assert 0 <= model.covS <= 1
                for row in positives:  # every model explains every positive row
                    idx = [sd.cases.index(c) for c in row.cases]
                    assert all(member[i] > 0.5 for i in idx)
    for row in necessity(sd).rows:
        assert 0 <= row["inclN"] <= 1 and 0 <= row["RoN"] <= 1 and 0 <= row["covN"] <= 1
    # parsimonious terms are supersets of conservative ones: coverage can only grow
    assert max(m.covS for m in pars.models) >= min(m.covS for m in cons.models) - 1e-12


def test_negating_the_outcome_complements_memberships():
    sd = prepare(lipset("LF"), "SURV")
    neg = sd.with_outcome_negated()
    assert neg.outcome == "~SURV"
    assert np.allclose(neg.y, 1 - sd.y)
    assert neg.with_outcome_negated().outcome == "SURV"


@pytest.mark.parametrize(("data", "cut"), [("LC", 1.0), ("LF", 0.8)])
def test_setqca_cross_check(data, cut):
    setqca = pytest.importorskip("setqca")
    frame = lipset(data)
    conds = ["DEV", "URB", "LIT", "IND", "STB"]
    est = (setqca.CSQCA if data == "LC" else setqca.FSQCA)(
        consistency=cut, directional_expectations=dict.fromkeys(conds, "+")
    )
    res = est.fit(frame.reset_index(), outcome="SURV", conditions=conds, case_id="case")
    tt = truth_table(frame, "SURV", incl_cut=cut)

    def terms(solutions) -> set[frozenset[str]]:
        return {
            frozenset(t.replace(" ", "") for t in s.expression(tuple(conds)).split("+"))
            for s in solutions
        }

    ours = {
        "conservative": minimize(tt),
        "parsimonious": minimize(tt, include="?"),
        "intermediate": minimize(tt, include="?", dir_exp=conds),
    }
    for kind, result in ours.items():
        want = terms(getattr(res, kind))
        got = {frozenset(m.terms) for m in result.models}
        assert got == want, kind


@pytest.mark.parametrize("seed", [4, 5])
def test_level_search_equals_dense_lattice(seed, monkeypatch):
    """The CCubes level search (used for very many conditions) gives the same charts."""
    from tillit.qca import implicants

    tt = truth_table(_random(seed, k=7, n=80), "Y", incl_cut=0.93)
    dense = minimize(tt, include="?")
    monkeypatch.setattr(implicants, "DENSE_LIMIT", 0)
    levels = minimize(tt, include="?")
    assert levels.formulas == dense.formulas
    assert levels.solutions[0].chart == dense.solutions[0].chart
    for name, outcome, conds, cut, want in (
        ("LC", "~SURV", None, 1.0, "~DEV + ~STB"),
        ("LF", "SURV", None, 0.8, "DEV*~IND + URB*STB"),
        ("LM", "SURV", ["DEV", "URB", "LIT", "IND"], 1.0, "DEV[2] + DEV[1]*IND[0]"),
    ):
        tt = truth_table(lipset(name), outcome, conds, incl_cut=cut)
        assert minimize(tt, include="?").formulas == [want]
