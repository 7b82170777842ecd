"""Boolean minimisation of a truth table (R ``QCA::minimize``): every tied model, with fit.

Three solution types, as in R:

* **conservative** (complex, ``include=""``): the positive rows only;
* **parsimonious** (``include="?"``): remainders may be used as simplifying assumptions;
* **intermediate** (``include="?"`` with ``dir_exp``): only the *easy counterfactuals* are
  used, i.e. the simplifying assumptions that agree with the directional expectations
  (Ragin & Sonnett 2005). For each pair of a conservative model ``Ci`` and a parsimonious model
  ``Pj``, every conservative prime implicant that is a subset of a parsimonious one loses the
  literals that contradict an expectation (unless the parsimonious implicant keeps them);
  the remainders those reduced terms cover are the easy counterfactuals, and the positive rows
  plus these are minimised again. Results are labelled ``C1P1``, ``C1P2``, ... as in R.

Every model with the minimum number of prime implicants is returned (``M1``, ``M2``, ...), in
R's order, with the terms in R's order; inclS, PRI, covS and covU per term (within each model
and over all models) and for each model; the simplifying assumptions (parsimonious) and easy
counterfactuals (intermediate) as R row numbers.

Examples
--------
>>> import pandas as pd
>>> from tillit.qca.truthtable import truth_table
>>> d = pd.DataFrame({"A": [1, 1, 0, 0, 1], "B": [1, 0, 1, 0, 1], "C": [0, 0, 1, 1, 1],
...                   "Y": [1, 1, 0, 0, 1]})
>>> minimize(truth_table(d, "Y")).formulas
['A*B + A*~C']
>>> minimize(truth_table(d, "Y"), include="?").formulas
['A']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from tillit.qca.errors import QCAError
from tillit.qca.fit import sufficiency_fit, unique_coverage
from tillit.qca.implicants import coverage_masks, parsimonious_primes, qmc, r_sort, solve_chart
from tillit.qca.sets import (
    Implicant,
    implicant_membership,
    implicant_string,
    json_safe,
    parse_expression,
)
from tillit.qca.truthtable import TruthTable

__all__ = ["Minimization", "Model", "Solution", "Term", "minimize"]


@dataclass(frozen=True)
class Term:
    """One prime implicant of a solution with its parameters of fit.

    ``covU`` is the unique coverage among all prime implicants of the solution (R's ``covU``
    column); each :class:`Model` has its own unique coverages.
    """

    expression: str
    implicant: Implicant
    inclS: float  # noqa: N815 - R's name for it
    PRI: float
    covS: float  # noqa: N815 - R's name for it
    covU: float  # noqa: N815 - R's name for it
    cases: str


@dataclass(frozen=True)
class Model:
    """One model (M1, M2, ...): terms in R's order, essential ones, fit of the whole model."""

    name: str
    terms: tuple[str, ...]
    essential: tuple[str, ...]
    covU: tuple[float, ...]  # noqa: N815 - R's name for it
    inclS: float  # noqa: N815 - R's name for it
    PRI: float
    covS: float  # noqa: N815 - R's name for it

    @property
    def formula(self) -> str:
        """The model in R's notation: essential terms first, then the others, by ``" + "``."""
        rest = [t for t in self.terms if t not in self.essential]
        return " + ".join([*self.essential, *rest])

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON."""
        return {
            "name": self.name,
            "formula": self.formula,
            "terms": list(self.terms),
            "essential": list(self.essential),
            "covU": dict(zip(self.terms, self.covU, strict=True)),
            "inclS": self.inclS,
            "PRI": self.PRI,
            "covS": self.covS,
        }


@dataclass(frozen=True)
class Solution:
    """The models of one solution (one of ``C1P1``, ``C1P2``, ... for intermediate ones)."""

    label: str
    models: tuple[Model, ...]
    terms: tuple[Term, ...]
    essential: tuple[str, ...]
    simplifying_assumptions: tuple[tuple[int, ...], ...] = ()
    easy_counterfactuals: tuple[int, ...] = ()
    complete: bool = True
    chart: tuple[str, ...] = ()

    @property
    def formulas(self) -> list[str]:
        """Every model's formula."""
        return [m.formula for m in self.models]

    def to_frame(self) -> pd.DataFrame:
        """One row per term (inclS, PRI, covS, covU, cases), then one per model."""
        rows: list[dict[str, object]] = [
            {
                "term": t.expression,
                "inclS": t.inclS,
                "PRI": t.PRI,
                "covS": t.covS,
                "covU": t.covU,
                "cases": t.cases,
            }
            for t in self.terms
        ]
        rows += [
            {
                "term": m.name,
                "inclS": m.inclS,
                "PRI": m.PRI,
                "covS": m.covS,
                "covU": float("nan"),
                "cases": m.formula,
            }
            for m in self.models
        ]
        return pd.DataFrame(rows, columns=["term", "inclS", "PRI", "covS", "covU", "cases"])

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON."""
        return {
            "label": self.label,
            "models": [m.to_dict() for m in self.models],
            "terms": [
                {
                    "term": t.expression,
                    "inclS": t.inclS,
                    "PRI": t.PRI,
                    "covS": t.covS,
                    "covU": t.covU,
                    "cases": t.cases,
                }
                for t in self.terms
            ],
            "essential": list(self.essential),
            "chart": list(self.chart),
            "simplifying_assumptions": [list(s) for s in self.simplifying_assumptions],
            "easy_counterfactuals": list(self.easy_counterfactuals),
            "complete": self.complete,
        }


@dataclass(frozen=True)
class Minimization:
    """Result of :func:`minimize`: one solution, or one per ``CiPj`` for intermediate ones."""

    kind: str
    outcome: str
    solutions: tuple[Solution, ...]
    include: str = ""
    dir_exp: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    @property
    def models(self) -> tuple[Model, ...]:
        """Models of the first solution."""
        return self.solutions[0].models

    @property
    def formulas(self) -> list[str]:
        """Formulas of the first solution's models."""
        return self.solutions[0].formulas

    def to_frame(self) -> pd.DataFrame:
        """The first solution's terms and models (see :meth:`Solution.to_frame`)."""
        return self.solutions[0].to_frame()

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON (NaN as None)."""
        return json_safe(
            {
                "kind": self.kind,
                "outcome": self.outcome,
                "include": self.include,
                "dir_exp": list(self.dir_exp),
                "solutions": [s.to_dict() for s in self.solutions],
                "warnings": list(self.warnings),
            }
        )

    def summary(self, details: bool = True) -> str:
        """R's printed layout: ``M1: A*B + C -> Y`` (``<->`` when covS is 1), then the fit table."""
        out: list[str] = []
        seen: dict[tuple[str, ...], list[str]] = {}
        for sol in self.solutions:
            seen.setdefault(tuple(sol.formulas), []).append(sol.label)
        printed: set[tuple[str, ...]] = set()
        for sol in self.solutions:
            key = tuple(sol.formulas)
            if key in printed:
                continue
            printed.add(key)
            if sol.label:
                out.append(f"From {', '.join(seen[key])}:")
                out.append("")
            width = len(str(len(sol.models)))
            for i, m in enumerate(sol.models, start=1):
                arrow = "<->" if m.covS >= 1 - 1e-9 else "->"
                name = f"M{i:0{width}d}"
                rest = [t for t in m.terms if t not in sol.essential]
                if len(sol.models) > 1 and sol.essential and rest:
                    body = " + ".join(sol.essential) + " + (" + " + ".join(rest) + ")"
                else:
                    body = m.formula
                out.append(f"{name}: {body} {arrow} {self.outcome}")
            if details:
                out.append("")
                out.append(_fit_table(sol))
            out.append("")
        if not self.solutions[0].complete:
            out.append("Warning: model list truncated at max_models; more tied models exist.")
        return "\n".join(out).rstrip() + "\n"

    def __str__(self) -> str:
        return self.summary()


def _fit_table(sol: Solution) -> str:
    many = len(sol.models) > 1
    ordered = [t for t in sol.terms if t.expression in sol.essential]
    ordered += [t for t in sol.terms if t.expression not in sol.essential]
    names = [t.expression for t in ordered]
    width = max([len(n) for n in names] + [len(f"M{len(sol.models)}")])
    num = len(str(len(names)))
    head = ["inclS", " PRI ", "covS ", "covU "]
    if many:
        head += [f"(M{i})" for i in range(1, len(sol.models) + 1)]
    lines = [" " * (width + num + 2) + "  ".join(f"{h:^5}" for h in head)]
    rule = "-" * (width + num + 2 + 7 * len(head))
    lines.append(rule)

    def fmt(v: float) -> str:
        return "  -  " if v != v else f"{v:.3f}"

    n_essential = len(sol.essential) if many else 0
    for k, t in enumerate(ordered, start=1):
        if many and k == n_essential + 1 and n_essential:
            lines.append(rule)
        cells = [fmt(t.inclS), fmt(t.PRI), fmt(t.covS), fmt(t.covU)]
        if many:
            for m in sol.models:
                cells.append(
                    fmt(m.covU[m.terms.index(t.expression)]) if t.expression in m.terms else "     "
                )
        lines.append(f"{k:>{num}}  {t.expression:>{width}}  " + "  ".join(cells))
    lines.append(rule)
    for m in sol.models:
        fits = "  ".join(fmt(v) for v in (m.inclS, m.PRI, m.covS))
        lines.append(f"{'':>{num}}  {m.name:>{width}}  {fits}")
    return "\n".join(lines)


def _codes(config: Sequence[int]) -> Implicant:
    return tuple(int(v) + 1 for v in config)


def _row_number(codes: Implicant, noflevels: Sequence[int]) -> int:
    number = 0
    for code, levels in zip(codes, noflevels, strict=True):
        number = number * levels + (code - 1)
    return number + 1


def _expand(imp: Implicant, noflevels: Sequence[int]) -> list[Implicant]:
    rows: list[Implicant] = [()]
    for code, levels in zip(imp, noflevels, strict=True):
        options = [code] if code else list(range(1, levels + 1))
        rows = [(*r, o) for r in rows for o in options]
    return rows


def _parse_dir_exp(
    dir_exp: Sequence[str] | Mapping[str, object] | str, tt: TruthTable
) -> list[Implicant]:
    """Directional expectations as rows of codes (one row per simple or conjunctural one)."""
    conds = tt.conditions
    k = len(conds)
    items: list[str]
    if isinstance(dir_exp, Mapping):
        items = []
        for name, value in dir_exp.items():
            if str(value) in ("-", "dc", ""):
                continue
            for v in str(value).replace(";", ",").split(","):
                items.append(f"{name}[{int(v)}]")
    elif isinstance(dir_exp, str):
        parts = [p.strip() for p in dir_exp.split(",")]
        if all(p.replace(";", "").replace("-", "").isdigit() or p in ("-", "dc") for p in parts):
            if len(parts) != k:
                raise QCAError(
                    f"dir_exp={dir_exp!r} gives {len(parts)} values for {k} conditions.",
                    argument="dir_exp",
                    value=dir_exp,
                )
            return _parse_dir_exp(dict(zip(conds, parts, strict=True)), tt)
        items = parts
    else:
        items = [str(p).strip() for p in dir_exp]
    rows: list[Implicant] = []
    for item in items:
        for term in parse_expression(item, conds):
            row = [0] * k
            for j, values, negated in term:
                if len(values) != 1:
                    raise QCAError(
                        f"Give one value per expectation: {item!r}.", argument="dir_exp", value=item
                    )
                val = next(iter(values))
                if negated:
                    if tt.noflevels[j] != 2:
                        raise QCAError(
                            f"Write {item!r} with the expected value, e.g. X[0].",
                            argument="dir_exp",
                            value=item,
                        )
                    val = 1 - val
                if val >= tt.noflevels[j]:
                    raise QCAError(
                        f"{conds[j]} has no value {val} ({item!r}).", argument="dir_exp", value=item
                    )
                row[j] = val + 1
            rows.append(tuple(row))
    return rows


class _Minimizer:
    def __init__(
        self, tt: TruthTable, explain: Sequence[str], include: Sequence[str], max_models: int
    ) -> None:
        self.tt = tt
        self.data = tt.data
        self.noflevels = tt.noflevels
        self.max_models = max_models
        observed = [r for r in tt.rows if r.out != "?"]
        self.explained = [r for r in observed if r.out in explain]
        self.pos_incl = [r for r in observed if r.out in explain or r.out in include]
        self.negative = [r for r in observed if r.out not in explain and r.out not in include]
        if not self.explained:
            raise QCAError(
                "No truth-table row is positive: nothing to explain.",
                hint="Lower incl_cut (or check the outcome) and build the truth table again.",
            )
        self.inputt = [_codes(r.config) for r in self.explained]
        self.cases = [",".join(r.cases) for r in self.explained]

    def solve(self, primes: list[Implicant], label: str = "") -> Solution:
        ordered = r_sort(primes)
        masks = coverage_masks(ordered, self.inputt)
        keep = [i for i, m in enumerate(masks) if m]
        ordered = [ordered[i] for i in keep]
        masks = [masks[i] for i in keep]
        picks, complete = solve_chart(masks, len(self.inputt), max_models=self.max_models)
        used = sorted({i for p in picks for i in p})
        essential_idx = [i for i in used if all(i in p for p in picks)]
        return self._fit(ordered, masks, picks, used, essential_idx, label, complete)

    def _fit(
        self,
        ordered: list[Implicant],
        masks: list[int],
        picks: list[tuple[int, ...]],
        used: list[int],
        essential_idx: list[int],
        label: str,
        complete: bool,
    ) -> Solution:
        sd = self.data
        mv = sd.multivalue
        names = {i: implicant_string(ordered[i], sd.conditions, mv) for i in used}
        member = {i: implicant_membership(sd, ordered[i]) for i in used}
        y = sd.y
        overall = unique_coverage([member[i] for i in used], y)
        terms = []
        for pos, i in enumerate(used):
            fit = sufficiency_fit(member[i], y)
            rows = [c for c, _ in enumerate(self.inputt) if masks[i] >> c & 1]
            terms.append(
                Term(
                    names[i],
                    ordered[i],
                    fit["inclS"],
                    fit["PRI"],
                    fit["covS"],
                    overall[pos],
                    "; ".join(self.cases[c] for c in rows),
                )
            )
        width = len(str(len(picks)))
        models = []
        for m, pick in enumerate(picks, start=1):
            xs = [member[i] for i in pick]
            fit = sufficiency_fit(np.maximum.reduce(xs), y)
            models.append(
                Model(
                    name=f"M{m:0{width}d}" if len(picks) > 1 else "M1",
                    terms=tuple(names[i] for i in pick),
                    essential=tuple(names[i] for i in pick if i in essential_idx),
                    covU=tuple(unique_coverage(xs, y)),
                    inclS=fit["inclS"],
                    PRI=fit["PRI"],
                    covS=fit["covS"],
                )
            )
        chart = tuple(implicant_string(imp, sd.conditions, mv) for imp in ordered)
        return Solution(
            label,
            tuple(models),
            tuple(terms),
            tuple(names[i] for i in essential_idx),
            complete=complete,
            chart=chart,
        )

    def conservative_primes(self) -> list[Implicant]:
        return qmc([_codes(r.config) for r in self.pos_incl], self.noflevels)

    def parsimonious_primes(self) -> list[Implicant]:
        return parsimonious_primes(
            self.inputt, [_codes(r.config) for r in self.negative], self.noflevels
        )

    def simplifying_assumptions(self, sol: Solution, model: Model) -> tuple[int, ...]:
        inputs = {_row_number(c, self.noflevels) for c in self.inputt}
        rows: set[int] = set()
        for t in sol.terms:
            if t.expression in model.terms:
                rows.update(
                    _row_number(r, self.noflevels) for r in _expand(t.implicant, self.noflevels)
                )
        return tuple(sorted(rows - inputs))


def _easy_terms(
    comp_terms: Sequence[Implicant], pars_terms: Sequence[Implicant], dem: Sequence[Implicant]
) -> list[Implicant]:
    """R's C_getEC: reduce each complex term that is a subset of a parsimonious term."""
    simple = [r for r in dem if sum(1 for v in r if v) == 1]
    conj = [r for r in dem if sum(1 for v in r if v) > 1]
    out: list[Implicant] = []
    for comp in comp_terms:
        for pars in pars_terms:
            if not all(p == 0 or p == c for p, c in zip(pars, comp, strict=True)):
                continue
            free = [j for j, (c, p) in enumerate(zip(comp, pars, strict=True)) if c and not p]
            res = list(comp)
            for j in free:
                expected = [r[j] for r in simple if r[j]]
                if expected and comp[j] not in expected:
                    res[j] = 0
            for row in conj:
                res = list(comp)
                agree = all(row[j] == comp[j] for j in free if row[j])
                if not agree:
                    for j in free:
                        if row[j]:
                            res[j] = 0
            out.append(tuple(res))
    return out


def minimize(
    tt: TruthTable,
    include: str | Sequence[str] = "",
    dir_exp: Sequence[str] | Mapping[str, object] | str | None = None,
    *,
    explain: str | Sequence[str] = "1",
    max_models: int = 10_000,
) -> Minimization:
    """Minimise a truth table (R ``minimize(tt, include, dir.exp)``, exact, all tied models).

    Parameters
    ----------
    tt : TruthTable
        From :func:`tillit.qca.truthtable.truth_table`.
    include : str or sequence of str
        ``""`` for the conservative solution, ``"?"`` to use remainders (parsimonious, or
        intermediate with ``dir_exp``); ``"C"`` also treats contradictions as don't cares.
    dir_exp : sequence of str, mapping or str, optional
        Directional expectations: ``["DEV", "~IND", "~LIT*IND"]`` (present, absent,
        conjunctural), ``{"DEV": 1, "IND": 0}``, or R's ``"1,1,-,0,1"`` (one value per
        condition, ``-`` for none); for multi-value conditions ``"DEV[2]"``.
    explain : str
        Output values to explain (``"1"``, or ``"C"``).
    max_models : int
        Stop listing tied models after this many (the result then says it is incomplete).

    Returns
    -------
    Minimization

    Raises
    ------
    QCAError
        Nothing to explain, directional expectations without remainders, a solution space
        with no negative rows, unknown conditions in ``dir_exp``.

    References
    ----------
    Dusa, A. (2019) *QCA with R*, ch. 8. Ragin, C. and Sonnett, J. (2005) Between complexity
    and parsimony. Dusa, A. (2018) Consistency Cubes, *R Journal* 10(2).
    """
    incl = [p.strip() for p in include.split(",")] if isinstance(include, str) else list(include)
    incl = [p for p in incl if p]
    expl = [p.strip() for p in explain.split(",")] if isinstance(explain, str) else list(explain)
    if not isinstance(tt, TruthTable):
        raise QCAError(
            "minimize() takes a truth table; build one with truth_table().",
            argument="tt",
            value=type(tt),
        )
    if max_models < 1:
        raise QCAError("max_models must be at least 1.", argument="max_models", value=max_models)
    if dir_exp is not None and "?" not in incl:
        raise QCAError(
            "Directional expectations need the remainders: use include='?'.",
            argument="dir_exp",
            value=dir_exp,
        )
    mz = _Minimizer(tt, expl, incl, max_models)
    if "?" not in incl:
        sol = mz.solve(mz.conservative_primes())
        return Minimization("conservative", tt.outcome, (sol,), ",".join(incl))
    pars = mz.solve(mz.parsimonious_primes())
    sas = tuple(mz.simplifying_assumptions(pars, m) for m in pars.models)
    pars = Solution(
        pars.label,
        pars.models,
        pars.terms,
        pars.essential,
        sas,
        complete=pars.complete,
        chart=pars.chart,
    )
    if dir_exp is None:
        return Minimization("parsimonious", tt.outcome, (pars,), ",".join(incl))
    dem = _parse_dir_exp(dir_exp, tt)
    cons = mz.solve(mz.conservative_primes())
    by_name_c = {t.expression: t.implicant for t in cons.terms}
    by_name_p = {t.expression: t.implicant for t in pars.terms}
    inputs = set(mz.inputt)
    solutions = []
    for ci, cm in enumerate(cons.models, start=1):
        for pi, pm in enumerate(pars.models, start=1):
            reduced = _easy_terms(
                [by_name_c[t] for t in cm.terms], [by_name_p[t] for t in pm.terms], dem
            )
            sa_rows = sas[pi - 1]
            ec = []
            for number in sa_rows:
                codes = _codes(tt.configuration(number))
                if any(
                    all(r == 0 or r == c for r, c in zip(res, codes, strict=True))
                    for res in reduced
                ):
                    ec.append(codes)
            rows = list(dict.fromkeys([*mz.inputt, *[c for c in ec if c not in inputs]]))
            sol = mz.solve(qmc(rows, tt.noflevels), label=f"C{ci}P{pi}")
            solutions.append(
                Solution(
                    sol.label,
                    sol.models,
                    sol.terms,
                    sol.essential,
                    easy_counterfactuals=tuple(_row_number(c, tt.noflevels) for c in ec),
                    complete=sol.complete,
                    chart=sol.chart,
                )
            )
    labels = (
        tuple(str(d) for d in dir_exp)
        if not isinstance(dir_exp, (str, Mapping))
        else (
            (str(dir_exp),)
            if isinstance(dir_exp, str)
            else tuple(f"{k}={v}" for k, v in dir_exp.items())
        )
    )
    return Minimization("intermediate", tt.outcome, tuple(solutions), ",".join(incl), labels)
