"""Qualitative comparative analysis: calibration, necessity, truth tables, minimisation.

Issue "cases". A pure library (never Django) that reproduces R's QCA package (Dusa): the same
numbers, the same solutions (every tied model), the same notation (``DEV*~URB + LIT``,
``DEV[2]`` for multi-value conditions) and the same order of terms and models. Golden values
come from R's QCA 3.25.1 on the Lipset data (``tests/qca/reference/``).

Typical use::

    from tillit.qca import calibrate, truth_table, minimize, necessity
    tt = truth_table(frame, "SURV", incl_cut=0.8)
    print(minimize(tt, include="?", dir_exp=["DEV", "URB", "LIT", "IND", "STB"]))
"""

from tillit.qca.calibrate import RAGIN_IDM, calibrate
from tillit.qca.errors import QCAError
from tillit.qca.fit import (
    NecessityResult,
    necessity,
    necessity_fit,
    sufficiency_fit,
    super_subset,
)
from tillit.qca.minimize import Minimization, Model, Solution, Term, minimize
from tillit.qca.sets import SetData, evaluate, prepare
from tillit.qca.truthtable import TruthTable, TruthTableRow, truth_table

__all__ = [
    "RAGIN_IDM",
    "Minimization",
    "Model",
    "NecessityResult",
    "QCAError",
    "SetData",
    "Solution",
    "Term",
    "TruthTable",
    "TruthTableRow",
    "calibrate",
    "evaluate",
    "minimize",
    "necessity",
    "necessity_fit",
    "prepare",
    "sufficiency_fit",
    "super_subset",
    "truth_table",
]
