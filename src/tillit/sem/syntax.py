"""A parser for the lavaan model syntax (the subset tillit fits: one group, covariances only).

Supported statements, one per line or separated by ``;`` (a line ending in ``+`` or an
operator continues on the next line; ``#`` and ``!`` start comments):

* ``f =~ x1 + x2 + x3``: latent variable ``f`` measured by the indicators;
* ``y ~ f + x``: regression (``y1 + y2 ~ x`` regresses both);
* ``x1 ~~ x2``: (residual) covariance, ``x1 ~~ x1`` a (residual) variance.

Each right-hand term may carry modifiers joined by ``*``: a number fixes the parameter
(``1*x1``, ``0*x1``), ``NA`` frees it (``NA*x1`` frees a marker loading), a name labels it, and
equal labels constrain parameters to be equal (``a*x2 + a*x3``). ``start(0.5)*x`` gives a start
value. Intercepts (``y ~ 1``) are accepted and ignored: models are fitted to the covariance
matrix. Operators lavaan has but tillit does not fit (``:=``, ``==``, ``<``, ``>``, ``<~``,
``|``, multi-group ``c(...)``) are rejected with a located error.

Examples
--------
>>> statements = parse_model("visual =~ x1 + a*x2 + a*x3; speed ~ visual")
>>> [(s.lhs, s.op, s.rhs, s.label) for s in statements]
[('visual', '=~', 'x1', None), ('visual', '=~', 'x2', 'a'), ('visual', '=~', 'x3', 'a'), \
('speed', '~', 'visual', None)]
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from tillit.sem.errors import ModelSyntaxError

__all__ = ["Statement", "parse_model"]

_NAME = re.compile(r"^[A-Za-z_.][A-Za-z0-9_.]*$")
_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
_START = re.compile(r"^start\(\s*([^)]*)\s*\)$")
_UNSUPPORTED = (":=", "==", "<~", "<", ">", "|")
_OPERATORS = ("=~", "~~", "~")


@dataclass(frozen=True)
class Statement:
    """One parameter named in the model text.

    Attributes
    ----------
    lhs, op, rhs : str
        As lavaan's parameter table: ``f =~ x`` (loading), ``y ~ x`` (regression),
        ``a ~~ b`` (covariance).
    fixed : float or None
        The value the parameter is fixed to (``1*x``), or None.
    free : bool or None
        True when the text frees it explicitly (``NA*x``), None when it says nothing.
    label : str or None
        Equality label (``a*x``).
    start : float or None
        Start value (``start(0.5)*x``).
    line : int
        1-based line of the statement in the model text.
    """

    lhs: str
    op: str
    rhs: str
    fixed: float | None = None
    free: bool | None = None
    label: str | None = None
    start: float | None = None
    line: int = 1


def _pieces(model: str) -> list[tuple[int, str]]:
    """Statements with their line numbers: comments dropped, continuations joined."""
    out: list[tuple[int, str]] = []
    pending: tuple[int, str] | None = None
    for number, raw in enumerate(model.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        line = re.split(r"[#!]", raw, maxsplit=1)[0]
        for part in line.split(";"):
            text = part.strip()
            if not text:
                continue
            if pending is not None and (
                pending[1].endswith(("+", "~", "*")) or text.startswith("+")
            ):
                pending = (pending[0], f"{pending[1]} {text}")
                continue
            if pending is not None:
                out.append(pending)
            pending = (number, text)
    if pending is not None:
        out.append(pending)
    return out


def _error(line: int, text: str, problem: str, hint: str) -> ModelSyntaxError:
    return ModelSyntaxError(
        f"model line {line}: {problem} in {text!r}.",
        argument="model",
        value=text,
        allowed="lavaan syntax with =~, ~ and ~~",
        hint=hint,
    )


def _operator(line: int, text: str) -> tuple[str, str, str]:
    for op in _OPERATORS:
        at = text.find(op)
        if at >= 0:
            lhs, rhs = text[:at].strip(), text[at + len(op) :].strip()
            for bad in _UNSUPPORTED:
                if bad in lhs or bad in rhs:
                    break
            else:
                return lhs, op, rhs
            break
    for bad in _UNSUPPORTED:
        if bad in text:
            raise _error(
                line,
                text,
                f"the operator {bad!r} is not supported",
                "tillit fits =~ (measurement), ~ (regression) and ~~ (covariance); write "
                "equality constraints with shared labels (a*x2 + a*x3).",
            )
    raise _error(
        line,
        text,
        "no operator (=~, ~ or ~~)",
        "Write one relation per line, e.g. 'trust =~ item1 + item2 + item3'.",
    )


def _term(
    line: int, text: str, term: str
) -> tuple[str, float | None, bool | None, str | None, float | None]:
    parts = [p.strip() for p in term.split("*")]
    if any(not p for p in parts):
        raise _error(
            line, text, f"an empty term or modifier in {term!r}", "Remove the extra '+' or '*'."
        )
    name = parts[-1]
    fixed: float | None = None
    free: bool | None = None
    label: str | None = None
    start: float | None = None
    for modifier in parts[:-1]:
        started = _START.match(modifier)
        if _NUMBER.match(modifier):
            fixed = float(modifier)
            if not math.isfinite(fixed):
                raise _error(
                    line, text, f"the value {modifier!r} is not finite", "Fix it to a number."
                )
        elif modifier == "NA":
            free = True
        elif started is not None:
            if not _NUMBER.match(started.group(1)):
                raise _error(
                    line, text, f"start({started.group(1)}) is not a number", "Write start(0.5)*x."
                )
            start = float(started.group(1))
        elif modifier.startswith("c(") or "(" in modifier:
            raise _error(
                line,
                text,
                f"the modifier {modifier!r} is not supported (one group only)",
                "Use a number (1*x), NA*x, a label (a*x) or start(0.5)*x.",
            )
        elif _NAME.match(modifier):
            label = modifier
        else:
            raise _error(
                line,
                text,
                f"the modifier {modifier!r} is not valid",
                "Use a number, NA, a label or start(...).",
            )
    if fixed is not None and free:
        raise _error(
            line, text, f"{term!r} is both fixed and free", "Keep either the number or NA."
        )
    return name, fixed, free, label, start


def parse_model(model: str) -> list[Statement]:
    """Parse lavaan model text into :class:`Statement` rows, in the order written.

    Parameters
    ----------
    model : str
        The model, e.g. ``"vertical =~ v1 + v2 + v3\\nhorizontal ~ vertical"``.

    Raises
    ------
    ModelSyntaxError
        With the line number and the statement at fault.
    """
    if not isinstance(model, str) or not model.strip():
        raise ModelSyntaxError(
            "model: the model text is empty.",
            argument="model",
            value=model,
            hint="Give at least one statement, e.g. 'trust =~ item1 + item2 + item3'.",
        )
    statements: list[Statement] = []
    for line, text in _pieces(model):
        lhs_text, op, rhs_text = _operator(line, text)
        if not lhs_text or not rhs_text:
            raise _error(line, text, "a side of the operator is empty", "Write 'lhs op rhs'.")
        lhs_names = [n.strip() for n in lhs_text.split("+")]
        for name in lhs_names:
            if not _NAME.match(name):
                raise _error(
                    line,
                    text,
                    f"{name!r} is not a variable name",
                    "Names are letters, digits, '_' and '.'.",
                )
        for term in rhs_text.split("+"):
            term = term.strip()
            if op == "~" and term in ("1", "0"):
                continue  # an intercept: covariance-structure models ignore it
            name, fixed, free, label, start = _term(line, text, term)
            if not _NAME.match(name):
                raise _error(
                    line,
                    text,
                    f"{name!r} is not a variable name",
                    "Names are letters, digits, '_' and '.'.",
                )
            for lhs in lhs_names:
                if op == "~" and lhs == name:
                    raise _error(
                        line,
                        text,
                        f"{lhs!r} is regressed on itself",
                        "Remove it from the right side.",
                    )
                if op == "=~" and lhs == name:
                    raise _error(
                        line,
                        text,
                        f"{lhs!r} is its own indicator",
                        "Remove it from the right side.",
                    )
                statements.append(Statement(lhs, op, name, fixed, free, label, start, line))
    if not statements:
        raise ModelSyntaxError(
            "model: no parameters (only intercepts or comments).",
            argument="model",
            value=model,
            hint="Add a measurement (=~), regression (~) or covariance (~~) statement.",
        )
    return statements
