"""A safe expression language for XLSForm ``relevant``, ``constraint``, ``calculation``,
``choice_filter``, ``required`` and ``default`` (pure library, no ``eval``).

A hand-written tokenizer and a Pratt parser turn the text of an expression into a small tree of
frozen dataclasses (:data:`Expr`); :func:`evaluate` walks that tree over a mapping of answers.
Nothing in the user's text is ever handed to Python's ``eval``, ``exec`` or ``ast``.

The language is the part of XPath 1.0 that XLSForm authors use:

- ``${name}`` refers to the answer to a question, ``.`` to the value being checked (in a
  constraint), and in a ``choice_filter`` a bare name such as ``cf`` refers to a column of the
  choice being filtered;
- string literals in single or double quotes, numbers such as ``12`` and ``3.5``;
- ``=  !=  <  <=  >  >=``, ``and``, ``or``, ``+  -  *  div  mod``, unary minus, parentheses;
- functions: ``selected``, ``count-selected``, ``string-length``, ``if``, ``coalesce``,
  ``today``, ``int``, ``number``, ``string``, ``concat``, ``regex``, ``not``, ``true``,
  ``false``, ``boolean``, ``contains``, ``starts-with``, ``ends-with``, ``round``, ``substr``,
  ``selected-at``, ``normalize-space``.

Semantics follow XPath: an unanswered question is the empty string; comparing the empty string
with a number is false (and ``!=`` true, as ``NaN != x``); strings that look like numbers compare
numerically; a select_multiple answer (a list, or a space-separated string) is the list of its
choice names; dates compare as dates and count as days since 1970-01-01 in arithmetic.

Examples
--------
>>> expr = parse("${age} >= 18 and selected(${roles}, 'chief')")
>>> sorted(references(expr))
['age', 'roles']
>>> evaluate(expr, {"age": "52", "roles": "chief mayor"})
True
>>> evaluate("if(${n} > 3, 'many', 'few')", {"n": 2})
'few'
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Union

from tillit.instruments.syntax import (
    FUNCTIONS,
    MAX_DEPTH,
    MAX_LENGTH,
    MAX_REGEX_LENGTH,
    MAX_REGEX_SUBJECT,
    Call,
    Chain,
    Current,
    Expr,
    ExpressionError,
    Field,
    Literal,
    Negate,
    Ref,
    as_tree,
    check_pattern,
    fields,
    interpolate,
    parse,
    references,
    text_references,
    uses_current,
)

__all__ = [
    "FUNCTIONS",
    "MAX_DEPTH",
    "MAX_LENGTH",
    "MAX_REGEX_LENGTH",
    "MAX_REGEX_SUBJECT",
    "Call",
    "Chain",
    "Current",
    "Expr",
    "ExpressionError",
    "Field",
    "Literal",
    "Negate",
    "Ref",
    "Value",
    "evaluate",
    "fields",
    "interpolate",
    "is_true",
    "normalize_value",
    "parse",
    "references",
    "text_references",
    "to_boolean",
    "to_date",
    "to_number",
    "to_string",
    "uses_current",
]

#: An evaluated value: text, a number, a truth value, a date, or the choices of a select_multiple.
Value = Union[str, float, bool, dt.date, list[str]]  # noqa: UP007 (a runtime alias)


# ---------------------------------------------------------------------------------------------
# Values

_NUMERIC = re.compile(r"^\s*-?(?:\d+(?:\.\d*)?|\.\d+)\s*$")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.+\-Z]*)?\s*$")
_EPOCH = dt.date(1970, 1, 1)


def normalize_value(value: object) -> Value:
    """An answer as an expression value: ``None`` -> ``""``, numbers -> float, lists of names."""
    if value is None:
        return ""
    if isinstance(value, bool | str | float):
        return value
    if isinstance(value, int | Decimal):
        return float(value)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return [to_string(normalize_value(v)) for v in value]
    return str(value)


def to_number(value: Value) -> float:
    """XPath ``number()``: ``NaN`` for text that is not a number (including the empty string).

    Dates (and ISO ``YYYY-MM-DD`` texts) count as days since 1970-01-01.

    Examples
    --------
    >>> to_number(" 12 "), to_number(True), math.isnan(to_number(""))
    (12.0, 1.0, True)
    """
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float | int):
        return float(value)
    if isinstance(value, dt.date):
        return float((value - _EPOCH).days)
    text = to_string(value)
    if _NUMERIC.match(text):
        return float(text)
    day = to_date(text)  # an ISO date counts as days since 1970-01-01, as a date answer does
    return math.nan if day is None else float((day - _EPOCH).days)


def to_string(value: Value) -> str:
    """XPath ``string()``: ``5.0`` -> ``'5'``, ``True`` -> ``'true'``, a list joined by spaces."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float | int):
        number = float(value)
        if math.isnan(number):
            return "NaN"
        if math.isinf(number):
            return "Infinity" if number > 0 else "-Infinity"
        if number.is_integer() and abs(number) < 1e16:
            return str(int(number))
        return repr(number)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return " ".join(value)
    return str(value)


def to_boolean(value: Value) -> bool:
    """XPath ``boolean()``: non-empty text, a non-zero number, a non-empty list, any date."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float | int):
        return not (value == 0 or math.isnan(value))
    if isinstance(value, dt.date):
        return True
    return len(value) > 0


def to_date(value: Value) -> dt.date | None:
    """A date from a date or an ISO ``YYYY-MM-DD`` text; ``None`` otherwise."""
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and (m := _ISO_DATE.match(value)):
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    return None


def _items(value: Value) -> list[str]:
    if isinstance(value, list):
        return value
    return to_string(value).split()


def _is_number(value: Value) -> bool:
    return isinstance(value, float | int) and not isinstance(value, bool)


def _equal(a: Value, b: Value) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return to_boolean(a) == to_boolean(b)
    if _is_number(a) or _is_number(b):
        return to_number(a) == to_number(b)
    if isinstance(a, dt.date) or isinstance(b, dt.date):
        da, db = to_date(a), to_date(b)
        if da is not None and db is not None:
            return da == db
    sa, sb = to_string(a), to_string(b)
    if _NUMERIC.match(sa) and _NUMERIC.match(sb):
        return float(sa) == float(sb)
    return sa == sb


def _ordered(op: str, a: Value, b: Value) -> bool:
    left: float | dt.date
    right: float | dt.date
    da, db = to_date(a), to_date(b)
    if da is not None and db is not None:
        left, right = da, db
    else:
        left, right = to_number(a), to_number(b)
        if math.isnan(left) or math.isnan(right):
            return False
    if op == "<":
        return left < right  # type: ignore[operator]
    if op == "<=":
        return left <= right  # type: ignore[operator]
    if op == ">":
        return left > right  # type: ignore[operator]
    return left >= right  # type: ignore[operator]


def _arithmetic(op: str, x: float, y: float) -> float:
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if op == "div":
        if y == 0:  # XPath: x div 0 is +-Infinity, 0 div 0 is NaN
            if x == 0 or math.isnan(x):
                return math.nan
            return math.copysign(math.inf, x) * math.copysign(1.0, y)
        return x / y
    # mod: XPath's remainder truncates toward zero, like fmod
    return math.nan if y == 0 else math.fmod(x, y)


# ---------------------------------------------------------------------------------------------
# Evaluator


@dataclass(frozen=True)
class _Context:
    answers: Mapping[str, object]
    current: Value
    today: dt.date
    choice: Mapping[str, object] | None


def _lookup_field(choice: Mapping[str, object] | None, name: str) -> Value:
    if not choice:
        return ""
    if name in choice:
        return normalize_value(choice[name])
    folded = name.casefold()
    for key, value in choice.items():
        if key.casefold() == folded:
            return normalize_value(value)
    return ""


def _eval(node: Expr, ctx: _Context) -> Value:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Ref):
        return normalize_value(ctx.answers.get(node.name))
    if isinstance(node, Current):
        return ctx.current
    if isinstance(node, Field):
        return _lookup_field(ctx.choice, node.name)
    if isinstance(node, Negate):
        return -to_number(_eval(node.operand, ctx))
    if isinstance(node, Chain):
        return _eval_chain(node, ctx)
    return _eval_call(node, ctx)


def _eval_chain(node: Chain, ctx: _Context) -> Value:
    first = node.ops[0]
    if first in ("and", "or"):
        for operand in node.operands:
            truth = to_boolean(_eval(operand, ctx))
            if truth == (first == "or"):
                return truth
        return first == "and"
    value = _eval(node.operands[0], ctx)
    for op, operand in zip(node.ops, node.operands[1:], strict=True):
        other = _eval(operand, ctx)
        if op == "=":
            value = _equal(value, other)
        elif op == "!=":
            value = not _equal(value, other)
        elif op in ("<", "<=", ">", ">="):
            value = _ordered(op, value, other)
        else:
            value = _arithmetic(op, to_number(value), to_number(other))
    return value


def _round(x: float, digits: float = 0.0) -> float:
    if math.isnan(x) or math.isinf(x) or math.isnan(digits):
        return x
    scale = 10.0 ** int(digits)
    return math.floor(x * scale + 0.5) / scale


def _substr(text: str, start: float, end: float | None = None) -> str:
    if math.isnan(start) or (end is not None and math.isnan(end)):
        return ""
    first = max(0, int(start))
    return text[first:] if end is None else text[first : max(first, int(end))]


def _regex(subject: Value, pattern: Value) -> bool:
    text = to_string(pattern)
    compiled = check_pattern(text, 0, text)
    value = to_string(subject)
    if len(value) > MAX_REGEX_SUBJECT:
        return False
    return compiled.search(value) is not None


def _selected_at(value: Value, index: float) -> str:
    items = _items(value)
    if math.isnan(index) or not 0 <= int(index) < len(items):
        return ""
    return items[int(index)]


_SIMPLE: dict[str, Callable[..., Value]] = {
    "selected": lambda a, b: to_string(b).strip() in _items(a),
    "count-selected": lambda a: float(len(_items(a))),
    "int": lambda a: (
        to_number(a) if not math.isfinite(to_number(a)) else float(math.trunc(to_number(a)))
    ),
    "boolean": to_boolean,
    "not": lambda a: not to_boolean(a),
    "true": lambda: True,
    "false": lambda: False,
    "concat": lambda *args: "".join(to_string(a) for a in args),
    "regex": _regex,
    "contains": lambda a, b: to_string(b) in to_string(a),
    "starts-with": lambda a, b: to_string(a).startswith(to_string(b)),
    "ends-with": lambda a, b: to_string(a).endswith(to_string(b)),
    "round": lambda a, d=0.0: _round(to_number(a), to_number(d)),
    "substr": lambda s, a, b=None: _substr(
        to_string(s), to_number(a), None if b is None else to_number(b)
    ),
    "selected-at": lambda a, i: _selected_at(a, to_number(i)),
}

# Functions whose single optional argument defaults to the current value.
_ON_CURRENT: dict[str, Callable[[Value], Value]] = {
    "string-length": lambda a: float(len(to_string(a))),
    "number": to_number,
    "string": to_string,
    "normalize-space": lambda a: " ".join(to_string(a).split()),
}


def _eval_call(node: Call, ctx: _Context) -> Value:
    name, args = node.name, node.args
    if name == "if":
        chosen = args[1] if to_boolean(_eval(args[0], ctx)) else args[2]
        return _eval(chosen, ctx)
    if name == "coalesce":
        first = _eval(args[0], ctx)
        return first if to_string(first) != "" else _eval(args[1], ctx)
    if name == "today":
        return ctx.today
    if name in _ON_CURRENT:
        return _ON_CURRENT[name](_eval(args[0], ctx) if args else ctx.current)
    values = [_eval(a, ctx) for a in args]
    try:
        return _SIMPLE[name](*values)
    except ExpressionError as exc:
        raise ExpressionError(exc.reason, args[-1].pos) from None


def evaluate(
    expr: str | Expr,
    answers: Mapping[str, object],
    current: object = None,
    today: dt.date | None = None,
    *,
    choice: Mapping[str, object] | None = None,
) -> Value:
    """Evaluate an expression over a respondent's answers.

    Parameters
    ----------
    expr : str or Expr
        The expression text (parsed once and cached) or a tree from :func:`parse`. Text is parsed
        with bare names allowed, so a ``choice_filter`` can be evaluated directly.
    answers : Mapping of str to object
        Question name to answer: text, a number, a date, a truth value, a list of choice names
        (select_multiple, rank), or ``None``/missing for unanswered (the empty string).
    current : object, optional
        The value ``.`` stands for (the answer being checked by a constraint).
    today : datetime.date, optional
        The value of ``today()``; default: today's date.
    choice : Mapping of str to object, optional
        The choice being filtered (``name``, ``label`` and the extra columns of the choices
        sheet), for the bare names of a ``choice_filter``.

    Returns
    -------
    Value
        A str, float, bool, :class:`datetime.date` or list of str. Use :func:`to_boolean`,
        :func:`to_number` or :func:`to_string` for the kind you need.

    Raises
    ------
    ExpressionError
        If the text does not parse, or ``regex()`` is given a bad pattern at run time.

    Examples
    --------
    >>> evaluate(". >= 5 and . < 10", {}, current=7)
    True
    >>> evaluate("${a} = 3", {})
    False
    >>> evaluate("count-selected(${m})", {"m": ["a", "b"]})
    2.0
    >>> evaluate("today() - ${d}", {"d": "2024-01-01"}, today=dt.date(2024, 1, 31))
    30.0
    """
    tree = as_tree(expr)
    ctx = _Context(answers, normalize_value(current), today or dt.date.today(), choice)
    return _eval(tree, ctx)


def is_true(
    expr: str | Expr,
    answers: Mapping[str, object],
    current: object = None,
    today: dt.date | None = None,
    *,
    choice: Mapping[str, object] | None = None,
) -> bool:
    """:func:`evaluate`, then XPath ``boolean()`` of the result."""
    return to_boolean(evaluate(expr, answers, current, today, choice=choice))
