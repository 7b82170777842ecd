"""Survey instruments with XLSForm semantics and their safe expression language (issue: surveys).

Pure library: never Django.

- :mod:`~tillit.instruments.model`: the :class:`Instrument` dataclasses and :func:`text`.
- :mod:`~tillit.instruments.expressions`: :func:`parse`, :func:`evaluate`, :func:`references`.
- :mod:`~tillit.instruments.xlsform`: :func:`read_xlsform`, :func:`write_xlsform`.
- :mod:`~tillit.instruments.validate`: :class:`Problem`, :class:`InstrumentError`,
  :func:`check_instrument`.
- :mod:`~tillit.instruments.engine`: skip logic, calculations, choice filters, :func:`check_page`.
- :mod:`~tillit.instruments.sheets`: the safe reading of uploaded files and its limits.
"""

from tillit.instruments.engine import (
    PageResult,
    Progress,
    check_page,
    clean_answers,
    compute_calculations,
    filtered_choices,
    is_relevant,
    progress,
    visible_pages,
)
from tillit.instruments.expressions import ExpressionError, evaluate, parse, references
from tillit.instruments.model import (
    QUESTION_TYPES,
    Choice,
    ChoiceList,
    Group,
    Instrument,
    Question,
    text,
)
from tillit.instruments.validate import (
    InstrumentError,
    Problem,
    check_instrument,
    validate_instrument,
)
from tillit.instruments.xlsform import read_xlsform, write_xlsform

__all__ = [
    "QUESTION_TYPES",
    "Choice",
    "ChoiceList",
    "ExpressionError",
    "Group",
    "Instrument",
    "InstrumentError",
    "PageResult",
    "Problem",
    "Progress",
    "Question",
    "check_instrument",
    "check_page",
    "clean_answers",
    "compute_calculations",
    "evaluate",
    "filtered_choices",
    "is_relevant",
    "parse",
    "progress",
    "read_xlsform",
    "references",
    "text",
    "validate_instrument",
    "visible_pages",
    "write_xlsform",
]
