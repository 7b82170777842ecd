"""Example data bundled for the docstring examples and the R comparisons.

* ``"apisrs"``, ``"apistrat"``, ``"apiclus1"``: R's ``data(api)`` from the survey package, the
  Academic Performance Index of California schools: a simple random sample of 200 schools
  (``fpc`` = 6194), a sample stratified by school type (``stype`` E/H/M, ``fpc`` = 4421/755/1018),
  and a one-stage cluster sample of 15 districts (``dnum``, ``fpc`` = 757).
* ``"bfi"``: 25 Big Five personality items (A1-A5 agreeableness, C1-C5 conscientiousness, ...,
  1-6 scale, with missing values) of 2800 people, from R's psychTools package.

The files are exported by ``tests/analysis/reference/export_data.R`` (licences in
``data/PROVENANCE.md``).

Examples
--------
>>> from tillit.analysis import datasets
>>> datasets.names()
('apiclus1', 'apisrs', 'apistrat', 'bfi')
>>> api = datasets.load("apistrat")
>>> api.shape, api["stype"].value_counts().sort_index().tolist()
((200, 39), [100, 50, 50])
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

from tillit.analysis.errors import check_choice

__all__ = ["load", "names"]

_TEXT_COLUMNS = ("cds", "stype", "name", "sname", "dname", "cname", "id")


def names() -> tuple[str, ...]:
    """Names of the bundled data sets."""
    files = resources.files("tillit.analysis").joinpath("data").iterdir()
    return tuple(sorted(f.name.removesuffix(".csv") for f in files if f.name.endswith(".csv")))


def load(name: str) -> pd.DataFrame:
    """A bundled data set as a DataFrame (text columns as strings, numbers as float or int).

    Parameters
    ----------
    name : {"apisrs", "apistrat", "apiclus1", "bfi"}
        Which data set.
    """
    check_choice("name", name, names())
    path = resources.files("tillit.analysis").joinpath("data", f"{name}.csv")
    with path.open("rb") as handle:
        head = pd.read_csv(handle, nrows=0)
    dtypes = {c: str for c in head.columns if c in _TEXT_COLUMNS}
    with path.open("rb") as handle:
        frame = pd.read_csv(handle, dtype=dtypes, keep_default_na=False, na_values=[""])
    return frame
