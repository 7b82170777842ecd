"""Example data bundled for the docstring examples, the lavaan comparisons and the demo.

* ``"HolzingerSwineford1939"``: mental ability test scores (``x1``-``x9``) of 301 seventh- and
  eighth-grade children from two schools, with sex, age and grade; the classic three-factor CFA
  (visual, textual, speed). From R's lavaan package.
* ``"PoliticalDemocracy"``: Bollen's (1989) industrialisation and political democracy indicators
  of 75 developing countries (``y1``-``y8`` democracy in 1960 and 1965, ``x1``-``x3``
  industrialisation in 1960). From R's lavaan package.
* ``"trust_synthetic"``: SYNTHETIC. tillit's own simulated survey of 480 chief executives
  (290 NO, 190 DK) with 0-10 trust items: vertical (``tv_*``: politicians, administration,
  managers, frontline), horizontal (``th_*``: between services, between professions,
  professionals and citizens), institutional (``ti_*``) and interpersonal (``tp_*``), and the
  log population of the municipality. No real respondent is in it.

The files are written by ``tests/sem/reference/export_data.R`` (provenance and licences in
``data/PROVENANCE.md``).

Examples
--------
>>> from tillit.sem import datasets
>>> datasets.names()
('HolzingerSwineford1939', 'PoliticalDemocracy', 'trust_synthetic')
>>> datasets.load("HolzingerSwineford1939").shape
(301, 15)
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

from tillit.analysis.errors import check_choice

__all__ = ["load", "names"]


def names() -> tuple[str, ...]:
    """Names of the bundled data sets."""
    files = resources.files("tillit.sem").joinpath("data").iterdir()
    return tuple(sorted(f.name.removesuffix(".csv") for f in files if f.name.endswith(".csv")))


def load(name: str) -> pd.DataFrame:
    """A bundled data set as a DataFrame.

    Parameters
    ----------
    name : {"HolzingerSwineford1939", "PoliticalDemocracy", "trust_synthetic"}
        Which data set.
    """
    check_choice("name", name, names())
    path = resources.files("tillit.sem").joinpath("data", f"{name}.csv")
    with path.open("rb") as handle:
        return pd.read_csv(handle)
