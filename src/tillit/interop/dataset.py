"""The data set of an export: one row per case, one column per codebook variable.

:func:`build_frame` codes the answers of every case as its :class:`~tillit.interop.codebook.
Codebook` says (choice codes, 0/1 option columns, ranks) and fills in the declared missing codes.

A response is a mapping::

    {
        "case_id": "c0042",                 # pseudonymous, required
        "answers": {"q1": "3", "q2": ["a", "c"], "q2_other": "…"},
        "status": "complete",               # or "partial", "refusal", … (default "complete")
        "reached": {"q1", "q2"},            # optional: items the respondent was shown
        "relevant": {"q1", "q2"},           # optional: items relevant under skip logic
        "disposition": "1.1",               # AAPOR code (default from status)
        "frame": {"country": "NO", "municipality_code": "0301"},
        "paradata": {"started": datetime, "completed": datetime, "duration_s": 312.0,
                     "language": "nb", "device": "phone"},
    }

Which missing code an answer variable gets
------------------------------------------
1. ``-7`` (not reached) when the case is not ``complete`` and the item is not in ``reached``.
   Without ``reached``, a complete case reached everything and any other case reached the items
   up to its last answered one (instrument order).
2. ``-9`` (not asked) when the item is not relevant: not in the case's ``relevant`` set, or not
   in what the ``relevance`` callable returns for its answers. With neither, an unanswered item
   whose own or an enclosing group's ``relevant`` expression is non-empty counts as skipped
   (a guess; pass ``relevant`` to be exact).
3. ``-8`` when a "don't know" choice was picked (select_one; every option of select_multiple).
4. System missing (empty) when the item was reached and relevant but left unanswered.

String, date and date-time variables are empty in all four cases.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from tillit.errors import TillitError
from tillit.instruments.model import Instrument, Question
from tillit.interop.codebook import (
    MISSING_DONT_KNOW,
    MISSING_NOT_ASKED,
    MISSING_NOT_REACHED,
    OTHER,
    Codebook,
    Variable,
    disposition_code,
)

__all__ = ["Relevance", "build_frame", "conditional_questions"]

#: ``relevance(answers) -> names of the relevant questions`` (e.g. built on the instrument
#: engine's ``is_relevant``).
Relevance = Callable[[Mapping[str, Any]], Collection[str]]
_NAN = math.nan
_DISPOSITION_OF_STATUS = {"complete": "1.1", "partial": "1.2"}
_ANSWER_ROLES = frozenset({"answer", "option", "other", "rank"})


def conditional_questions(instrument: Instrument) -> frozenset[str]:
    """Names of questions with a ``relevant`` expression on themselves or an enclosing group.

    Examples
    --------
    >>> from tillit.instruments.model import Group, Instrument, Question
    >>> inst = Instrument("f", "F", "1", "en", ("en",), (
    ...     Question("a", "integer"),
    ...     Group("g", relevant="${a} > 0", children=(Question("b", "text"),)),
    ...     Question("c", "text", relevant="${a} = 1")))
    >>> sorted(conditional_questions(inst))
    ['b', 'c']
    """
    out: set[str] = set()
    for item, parents in instrument.walk():
        if isinstance(item, Question) and (
            item.relevant.strip() or any(g.relevant.strip() for g in parents)
        ):
            out.add(item.name)
    return frozenset(out)


def _empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str):
        return value.strip() == ""
    if isinstance(value, list | tuple | set | frozenset):
        return len(value) == 0
    return False


def _items(value: Any) -> list[str]:
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list | tuple | set | frozenset):
        return [str(v) for v in value]
    return [str(value)]


def _key(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _number(value: Any, case_id: str, question: str) -> float:
    try:
        if isinstance(value, bool):
            raise ValueError
        return float(value)
    except (TypeError, ValueError):
        raise TillitError(
            f"Case {case_id!r}: the answer {value!r} to {question!r} is not a number.",
            hint="Fix the stored answer, or change the question type, and export again.",
        ) from None


def _date(value: Any, case_id: str, question: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise TillitError(
            f"Case {case_id!r}: the answer {value!r} to {question!r} is not a date.",
            hint="Dates are stored as ISO 8601 text (YYYY-MM-DD).",
        ) from None


def _datetime(value: Any) -> dt.datetime | None:
    """A naive UTC date-time (SPSS and Stata have no time zones), or None."""
    if _empty(value):
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.strip())
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    raise TillitError(f"{value!r} is not a date-time.", hint="Use datetime or ISO 8601 text.")


class _Case:
    """What one response says about reach and relevance."""

    def __init__(
        self,
        response: Mapping[str, Any],
        index: int,
        order: list[str],
        conditional: frozenset[str],
        relevance: Relevance | None,
    ) -> None:
        case_id = response.get("case_id")
        if _empty(case_id):
            raise TillitError(
                f"Response number {index + 1} has no case_id.",
                hint="Every response needs its pseudonymous case id.",
            )
        self.case_id = str(case_id)
        self.answers: Mapping[str, Any] = response.get("answers") or {}
        self.status = str(response.get("status") or "complete")
        reached = response.get("reached")
        if reached is not None:
            self.reached: Collection[str] | None = set(reached)
        elif self.status == "complete":
            self.reached = None  # everything
        else:
            last = max(
                (i for i, name in enumerate(order) if not _empty(self.answers.get(name))),
                default=-1,
            )
            self.reached = set(order[: last + 1])
        relevant = response.get("relevant")
        if relevant is None and relevance is not None:
            relevant = relevance(self.answers)
        self.relevant: Collection[str] | None = None if relevant is None else set(relevant)
        self.conditional = conditional

    def state(self, question: str) -> int | None:
        """The missing code that applies to ``question``, or None when it was asked."""
        if self.reached is not None and question not in self.reached:
            return MISSING_NOT_REACHED
        answered = not _empty(self.answers.get(question))
        if self.relevant is not None:
            if question not in self.relevant:
                return MISSING_NOT_ASKED
        elif question in self.conditional and not answered:
            return MISSING_NOT_ASKED
        return None


def _fill_question(
    q: Question, variables: list[Variable], case: _Case, columns: dict[str, list[Any]]
) -> None:
    code = case.state(q.name)
    value = case.answers.get(q.name)
    for var in variables:
        col = columns[var.name]
        numeric = var.kind == "numeric"
        if code is not None or _empty(value):
            col.append((code if code is not None else _NAN) if numeric else None)
        elif var.role == "answer":
            col.append(_answer(q, var, value, case.case_id))
        elif var.role == "option":
            picked = _items(value)
            if any(p in var.codes for p in picked):
                col.append(MISSING_DONT_KNOW)
            else:
                col.append(1 if var.option in picked else 0)
        elif var.role == "rank":
            order = _items(value)
            col.append(order.index(var.option) + 1 if var.option in order else _NAN)
        else:  # role "other": the text when "other" was chosen
            other = case.answers.get(f"{q.name}_other")
            col.append(str(other) if OTHER in _items(value) and not _empty(other) else None)


def _answer(q: Question, var: Variable, value: Any, case_id: str) -> Any:
    if q.type == "select_one":
        key = _key(value)
        if key not in var.codes:
            raise TillitError(
                f"Case {case_id!r}: the answer {value!r} to {q.name!r} is not a choice of list "
                f"{q.list_name!r}.",
                hint=f"Allowed: {', '.join(var.codes)}. Export with the instrument version the "
                "case answered.",
            )
        return var.codes[key]
    if var.kind == "numeric":
        return _number(value, case_id, q.name)
    if var.kind == "date":
        return _date(value, case_id, q.name)
    return str(value)


def _fill_meta(var: Variable, response: Mapping[str, Any], case: _Case) -> Any:
    if var.role == "case":
        return case.case_id
    if var.role == "disposition":
        code = response.get("disposition") or _DISPOSITION_OF_STATUS.get(case.status)
        return float(disposition_code(str(code))) if code else _NAN
    if var.role == "frame":
        raw = (response.get("frame") or {}).get(var.question)
        if var.kind != "numeric":
            return None if _empty(raw) else str(raw)
        if _empty(raw):
            return _NAN
        key = _key(raw)
        if key in var.codes or key.lower() in var.codes:
            return float(var.codes.get(key, var.codes.get(key.lower(), 0)))
        return _number(raw, case.case_id, var.question)
    paradata = response.get("paradata") or {}  # role "paradata"
    raw = paradata.get(var.question)
    if var.question == "duration_s" and _empty(raw):
        start, end = _datetime(paradata.get("started")), _datetime(paradata.get("completed"))
        return (end - start).total_seconds() if start and end else _NAN
    if var.kind == "datetime":
        return _datetime(raw)
    if var.kind == "numeric":
        return _NAN if _empty(raw) else _number(raw, case.case_id, var.question)
    return None if _empty(raw) else str(raw)


def build_frame(
    instrument: Instrument,
    responses: Iterable[Mapping[str, Any]],
    codebook: Codebook,
    *,
    language: str | None = None,
    relevance: Relevance | None = None,
) -> pd.DataFrame:
    """One row per case with the codebook's variables, missing codes applied.

    Parameters
    ----------
    instrument : Instrument
        The instrument the codebook was built from.
    responses : iterable of mapping
        The cases, shaped as in the module docstring.
    codebook : Codebook
        From :func:`~tillit.interop.codebook.build_codebook` on the same instrument.
    language : str, optional
        Must equal ``codebook.language`` when given (a guard against mixing exports).
    relevance : callable, optional
        ``relevance(answers) -> names of relevant questions``, used for cases without a
        ``relevant`` entry.

    Returns
    -------
    pandas.DataFrame
        Columns in codebook order: numeric as float64 (codes, ``NaN`` system missing), strings
        as object (``None`` empty), dates as :class:`datetime.date` objects, date-times as
        ``datetime64`` (UTC, naive).

    Raises
    ------
    TillitError
        When a case has no ``case_id``, an answer is not a choice of its list or not a number
        or date, or ``language`` differs from the codebook's.
    """
    if language is not None and language != codebook.language:
        raise TillitError(
            f"language={language!r} differs from the codebook's language {codebook.language!r}.",
            hint="Build the codebook in the language you export.",
        )
    questions = [q for q in instrument.questions() if q.type != "note"]
    by_question: dict[str, list[Variable]] = {}
    for var in codebook.variables:
        if var.role in _ANSWER_ROLES:
            by_question.setdefault(var.question, []).append(var)
    plan = [(q, by_question[q.name]) for q in questions if q.name in by_question]
    meta = [v for v in codebook.variables if v.role not in _ANSWER_ROLES]
    order = [q.name for q in questions]
    conditional = conditional_questions(instrument)
    columns: dict[str, list[Any]] = {name: [] for name in codebook.names()}
    for index, response in enumerate(responses):
        case = _Case(response, index, order, conditional, relevance)
        for var in meta:
            columns[var.name].append(_fill_meta(var, response, case))
        for q, variables in plan:
            _fill_question(q, variables, case, columns)
    data: dict[str, Any] = {}
    for var in codebook.variables:
        values = columns[var.name]
        if var.kind == "numeric":
            data[var.name] = np.asarray(values, dtype=np.float64)
        elif var.kind == "datetime":
            data[var.name] = pd.to_datetime(pd.Series(values, dtype=object)).astype(
                "datetime64[us]"
            )
        else:
            data[var.name] = pd.Series(values, dtype=object)
    return pd.DataFrame(data, columns=list(codebook.names()))
