"""Trust measurement and structural models: confirmatory factor analysis and structural equation
models in lavaan-style syntax (ML), and trust maps between actor groups.

Issue "cases". Pure library: never Django. Golden values come from R's lavaan
(``tests/sem/reference/``).

* :func:`cfa`, :func:`sem`: maximum-likelihood fits with lavaan's defaults, returning a
  :class:`SEMResult` (parameters with SEs and ``std_all``, :class:`FitMeasures`, reliability).
* :func:`parse_model`, :func:`specify`: the lavaan syntax and the parameter table.
* :func:`read_table`: CSV, XLSX, Parquet, SPSS and Stata files.
* :mod:`tillit.sem.trustmap`: directed trust networks between actor groups, drawn as SVG.

Examples
--------
>>> from tillit.sem import cfa, datasets
>>> trust = datasets.load("trust_synthetic")
>>> fit = cfa("vertical =~ tv_politicians + tv_administration + tv_managers + tv_frontline",
...           trust)
>>> fit.fit.df, fit.n
(2, 480)
"""

from tillit.sem.data import read_table
from tillit.sem.errors import (
    ConvergenceError,
    IdentificationError,
    ModelDataError,
    ModelSyntaxError,
    ModelWarning,
    SEMError,
)
from tillit.sem.estimate import cfa, fit_covariance, sem
from tillit.sem.results import FitMeasures, SEMResult
from tillit.sem.specification import ModelSpec, Parameter, specify
from tillit.sem.syntax import Statement, parse_model

__all__ = [
    "ConvergenceError",
    "FitMeasures",
    "IdentificationError",
    "ModelDataError",
    "ModelSpec",
    "ModelSyntaxError",
    "ModelWarning",
    "Parameter",
    "SEMError",
    "SEMResult",
    "Statement",
    "cfa",
    "fit_covariance",
    "parse_model",
    "read_table",
    "sem",
    "specify",
]
