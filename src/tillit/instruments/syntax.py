"""Syntax of the expression language: tokenizer, Pratt parser and tree (pure library).

Use it through :mod:`tillit.instruments.expressions`, which re-exports everything public here and
adds the evaluator.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Union

from tillit.errors import ErrorCode, TillitError

#: Longest expression accepted, in characters.
MAX_LENGTH = 2_000
#: Deepest nesting accepted (operators, parentheses and function calls inside one another).
MAX_DEPTH = 50
#: Longest regular expression accepted by ``regex()``, in characters.
MAX_REGEX_LENGTH = 200
#: Longest text ``regex()`` is run on; a longer text does not match.
MAX_REGEX_SUBJECT = 10_000

_HINT = "See docs/instruments.md for the expression language tillit understands."


class ExpressionError(TillitError):
    """An expression that cannot be parsed or evaluated.

    Parameters
    ----------
    message : str
        What is wrong, without the position.
    position : int
        0-based offset into the expression where the problem starts; ``column`` is 1-based.
    expression : str
        The expression's text, if known.
    """

    def __init__(self, message: str, position: int = 0, expression: str = "") -> None:
        self.reason = message
        self.position = position
        self.expression = expression
        super().__init__(
            f"{message} (at column {position + 1})",
            ErrorCode.INVALID_INPUT,
            hint=_HINT,
            errors=[{"message": message, "position": position, "column": position + 1}],
        )

    @property
    def column(self) -> int:
        """1-based column of the problem, as shown in messages."""
        return self.position + 1


# ---------------------------------------------------------------------------------------------
# The tree


@dataclass(frozen=True, slots=True)
class Literal:
    """A string or number written in the expression."""

    value: str | float
    pos: int = field(default=0, compare=False, repr=False)
    depth: int = field(default=1, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Ref:
    """``${name}``: the answer to a question."""

    name: str
    pos: int = field(default=0, compare=False, repr=False)
    depth: int = field(default=1, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Current:
    """``.``: the value being checked (constraints)."""

    pos: int = field(default=0, compare=False, repr=False)
    depth: int = field(default=1, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Field:
    """A bare name: a column of the choice being filtered (``choice_filter`` only)."""

    name: str
    pos: int = field(default=0, compare=False, repr=False)
    depth: int = field(default=1, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Negate:
    """Unary minus."""

    operand: Expr
    pos: int = field(default=0, compare=False, repr=False)
    depth: int = field(default=1, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Chain:
    """Operators of one precedence level, left to right: ``a + b - c`` is one chain."""

    ops: tuple[str, ...]
    operands: tuple[Expr, ...]
    pos: int = field(default=0, compare=False, repr=False)
    depth: int = field(default=1, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Call:
    """A function call such as ``selected(${q}, 'a')``."""

    name: str
    args: tuple[Expr, ...]
    pos: int = field(default=0, compare=False, repr=False)
    depth: int = field(default=1, compare=False, repr=False)


#: A parsed expression.
Expr = Union[Literal, Ref, Current, Field, Negate, Chain, Call]  # noqa: UP007 (a runtime alias)

# Binding power of each binary operator (higher binds tighter), as in XPath 1.0.
_BINDING: dict[str, int] = {
    "or": 1,
    "and": 2,
    "=": 3,
    "!=": 3,
    "<": 4,
    "<=": 4,
    ">": 4,
    ">=": 4,
    "+": 5,
    "-": 5,
    "*": 6,
    "div": 6,
    "mod": 6,
}
_UNARY_BINDING = 7
_WORD_OPERATORS = frozenset({"and", "or", "div", "mod"})

#: Known functions: name -> (fewest, most arguments; None = any number).
FUNCTIONS: Mapping[str, tuple[int, int | None]] = {
    "selected": (2, 2),
    "count-selected": (1, 1),
    "string-length": (0, 1),
    "if": (3, 3),
    "coalesce": (2, 2),
    "today": (0, 0),
    "int": (1, 1),
    "number": (0, 1),
    "string": (0, 1),
    "concat": (0, None),
    "regex": (2, 2),
    "not": (1, 1),
    "true": (0, 0),
    "false": (0, 0),
    "boolean": (1, 1),
    "contains": (2, 2),
    "starts-with": (2, 2),
    "ends-with": (2, 2),
    "round": (1, 2),
    "substr": (2, 3),
    "selected-at": (2, 2),
    "normalize-space": (0, 1),
}

# ---------------------------------------------------------------------------------------------
# Tokenizer

_NAME = re.compile(r"[^\W\d][\w.-]*")
_XML_NAME = re.compile(r"^[^\W\d][\w.-]*$")
_NUMBER = re.compile(r"\d+(?:\.\d*)?|\.\d+")
_SYMBOLS = ("!=", "<=", ">=", "=", "<", ">", "+", "-", "*", "(", ")", ",")


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # num, str, ref, name, op, dot, eof, error
    text: str
    pos: int
    value: str | float = ""


def _tokens(source: str) -> Iterator[_Token]:
    """Tokens of `source`; a lexical error becomes an ``error`` token so that the parser reports
    whichever problem comes first from the left."""
    i, n = 0, len(source)
    while True:
        while i < n and source[i].isspace():
            i += 1
        if i >= n:
            yield _Token("eof", "", n)
            return
        ch = source[i]
        if source.startswith("${", i):
            end = source.find("}", i + 2)
            if end < 0:
                yield _Token("error", "reference '${' is not closed with '}'", i)
                return
            name = source[i + 2 : end]
            if not _XML_NAME.match(name):
                yield _Token("error", f"'{source[i : end + 1]}' is not a valid reference", i)
                return
            yield _Token("ref", source[i : end + 1], i, name)
            i = end + 1
        elif ch in "'\"":
            end = source.find(ch, i + 1)
            if end < 0:
                yield _Token("error", f"text starting with {ch} is not closed with {ch}", i)
                return
            yield _Token("str", source[i : end + 1], i, source[i + 1 : end])
            i = end + 1
        elif (m := _NUMBER.match(source, i)) is not None:
            yield _Token("num", m.group(), i, float(m.group()))
            i = m.end()
        elif ch == ".":
            if source.startswith("..", i):
                yield _Token(
                    "error", "relative paths such as '..' are not supported; use ${name}", i
                )
                return
            yield _Token("dot", ".", i)
            i += 1
        elif (m := _NAME.match(source, i)) is not None:
            yield _Token("name", m.group(), i, m.group())
            i = m.end()
        elif ch == "/":
            yield _Token(
                "error", "paths with '/' are not supported (divide with 'div'); use ${name}", i
            )
            return
        else:
            for symbol in _SYMBOLS:
                if source.startswith(symbol, i):
                    yield _Token("op", symbol, i)
                    i += len(symbol)
                    break
            else:
                yield _Token("error", f"unexpected character {ch!r}", i)
                return


# ---------------------------------------------------------------------------------------------
# Parser


def _with_depth(node: Expr, depth: int, source: str) -> Expr:
    if depth > MAX_DEPTH:
        raise ExpressionError(
            f"the expression is nested more than {MAX_DEPTH} levels deep", node.pos, source
        )
    return dataclasses.replace(node, depth=depth)


class _Parser:
    def __init__(self, source: str, allow_fields: bool) -> None:
        self.source = source
        self.allow_fields = allow_fields
        self.stream = _tokens(source)
        self.token = next(self.stream)

    def error(self, message: str, pos: int) -> ExpressionError:
        return ExpressionError(message, pos, self.source)

    def advance(self) -> _Token:
        token = self.token
        if token.kind == "error":
            raise self.error(token.text, token.pos)
        if token.kind != "eof":
            self.token = next(self.stream)
        if self.token.kind == "error":
            raise self.error(self.token.text, self.token.pos)
        return token

    def describe(self, token: _Token) -> str:
        return "the end of the expression" if token.kind == "eof" else repr(token.text)

    def expect(self, text: str) -> _Token:
        if self.token.kind == "op" and self.token.text == text:
            return self.advance()
        raise self.error(f"expected {text!r} but found {self.describe(self.token)}", self.token.pos)

    def binary_operator(self) -> str | None:
        token = self.token
        if token.kind == "op" and token.text in _BINDING:
            return token.text
        if token.kind == "name" and token.text in _WORD_OPERATORS:
            return token.text
        return None

    def parse(self) -> Expr:
        if self.token.kind == "error":
            raise self.error(self.token.text, self.token.pos)
        if self.token.kind == "eof":
            raise self.error("the expression is empty", 0)
        node = self.expression(0, 1)
        if self.token.kind != "eof":
            raise self.error(
                f"unexpected {self.describe(self.token)}: expected an operator or the end",
                self.token.pos,
            )
        return node

    def expression(self, right_binding: int, level: int) -> Expr:
        if level > MAX_DEPTH:
            raise self.error(
                f"the expression is nested more than {MAX_DEPTH} levels deep", self.token.pos
            )
        left = self.prefix(level)
        while (op := self.binary_operator()) is not None and _BINDING[op] > right_binding:
            binding = _BINDING[op]
            pos = self.token.pos
            ops: list[str] = []
            operands: list[Expr] = [left]
            while (op := self.binary_operator()) is not None and _BINDING[op] == binding:
                self.advance()
                ops.append(op)
                operands.append(self.expression(binding, level + 1))
            depth = 1 + max(o.depth for o in operands)
            left = _with_depth(Chain(tuple(ops), tuple(operands), pos), depth, self.source)
        return left

    def prefix(self, level: int) -> Expr:
        token = self.token
        if token.kind == "num":
            self.advance()
            return Literal(float(token.value), token.pos)
        if token.kind == "str":
            self.advance()
            return Literal(str(token.value), token.pos)
        if token.kind == "ref":
            self.advance()
            return Ref(str(token.value), token.pos)
        if token.kind == "dot":
            self.advance()
            return Current(token.pos)
        if token.kind == "op" and token.text == "-":
            self.advance()
            operand = self.expression(_UNARY_BINDING, level + 1)
            return _with_depth(Negate(operand, token.pos), operand.depth + 1, self.source)
        if token.kind == "op" and token.text == "(":
            self.advance()
            inner = self.expression(0, level + 1)
            self.expect(")")
            return _with_depth(inner, inner.depth + 1, self.source)
        if token.kind == "name":
            return self.name(token, level)
        raise self.error(f"expected a value but found {self.describe(token)}", token.pos)

    def name(self, token: _Token, level: int) -> Expr:
        name = token.text
        self.advance()
        if self.token.kind == "op" and self.token.text == "(":
            return self.call(name, token.pos, level)
        if name in _WORD_OPERATORS:
            raise self.error(f"expected a value before {name!r}", token.pos)
        if self.allow_fields:
            return Field(name, token.pos)
        raise self.error(
            f"{name!r} is not a question reference: write ${{{name}}} to refer to a question, "
            f"or put text in quotes ('{name}')",
            token.pos,
        )

    def call(self, name: str, pos: int, level: int) -> Expr:
        if name not in FUNCTIONS:
            close = difflib.get_close_matches(name, FUNCTIONS, n=1)
            hint = f"; did you mean {close[0]}()?" if close else ""
            raise self.error(f"unknown function {name}(){hint}", pos)
        self.expect("(")
        args: list[Expr] = []
        if not (self.token.kind == "op" and self.token.text == ")"):
            args.append(self.expression(0, level + 1))
            while self.token.kind == "op" and self.token.text == ",":
                self.advance()
                args.append(self.expression(0, level + 1))
        self.expect(")")
        fewest, most = FUNCTIONS[name]
        if len(args) < fewest or (most is not None and len(args) > most):
            wanted = (
                f"{fewest}"
                if fewest == most
                else f"at least {fewest}"
                if most is None
                else f"{fewest} to {most}"
            )
            raise self.error(f"{name}() takes {wanted} arguments, not {len(args)}", pos)
        if name == "regex" and isinstance(args[1], Literal):
            check_pattern(str(args[1].value), args[1].pos, self.source)
        depth = 1 + max((a.depth for a in args), default=0)
        return _with_depth(Call(name, tuple(args), pos), depth, self.source)


# A group holding a quantifier, itself quantified: the classic catastrophic-backtracking shape.
_NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)\s*[+*{]")


def check_pattern(pattern: str, pos: int, source: str = "") -> re.Pattern[str]:
    """Compile a ``regex()`` pattern after checking its length and shape (cached)."""
    if len(pattern) > MAX_REGEX_LENGTH:
        raise ExpressionError(
            f"the regular expression is longer than {MAX_REGEX_LENGTH} characters", pos, source
        )
    if _NESTED_QUANTIFIER.search(pattern):
        raise ExpressionError(
            "the regular expression repeats a repeated group (such as '(a+)+'), which can take "
            "very long to check; simplify it",
            pos,
            source,
        )
    try:
        return _compile(pattern)
    except re.error as exc:
        raise ExpressionError(
            f"the regular expression is not valid: {exc.msg}", pos, source
        ) from None


@functools.lru_cache(maxsize=512)
def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@functools.lru_cache(maxsize=4096)
def _parse_cached(source: str, allow_fields: bool) -> Expr:
    return _Parser(source, allow_fields).parse()


def parse(expr: str, *, allow_fields: bool = False) -> Expr:
    """Parse the text of an expression into a tree (cached per text).

    Parameters
    ----------
    expr : str
        The expression, e.g. ``"${age} >= 18"``.
    allow_fields : bool, default False
        Accept bare names such as ``cf`` as references to columns of a choice (for
        ``choice_filter``). Elsewhere a bare name is an error that suggests ``${name}``.

    Returns
    -------
    Expr
        An immutable tree; pass it to :func:`evaluate` or :func:`references`.

    Raises
    ------
    ExpressionError
        With the 0-based ``position`` (and 1-based ``column``) of the first problem: a syntax
        error, an unknown function, a wrong number of arguments, a bad regular expression, an
        expression longer than :data:`MAX_LENGTH` or nested deeper than :data:`MAX_DEPTH`.

    Examples
    --------
    >>> parse("2 * 3")
    Chain(ops=('*',), operands=(Literal(value=2.0), Literal(value=3.0)))
    >>> try:
    ...     parse("${a} >")
    ... except ExpressionError as exc:
    ...     print(exc.reason, "| column", exc.column)
    expected a value but found the end of the expression | column 7
    """
    if not isinstance(expr, str):
        raise TypeError(f"parse() needs the text of an expression, not {type(expr).__name__}")
    if len(expr) > MAX_LENGTH:
        raise ExpressionError(
            f"the expression is longer than {MAX_LENGTH} characters ({len(expr)})", MAX_LENGTH, ""
        )
    return _parse_cached(expr, allow_fields)


def as_tree(expr: str | Expr, allow_fields: bool = True) -> Expr:
    """`expr` parsed (bare names allowed) unless it already is a tree."""
    return parse(expr, allow_fields=allow_fields) if isinstance(expr, str) else expr


def _nodes(expr: Expr) -> Iterator[Expr]:
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, Chain):
            stack.extend(reversed(node.operands))
        elif isinstance(node, Call):
            stack.extend(reversed(node.args))
        elif isinstance(node, Negate):
            stack.append(node.operand)


def references(expr: str | Expr) -> set[str]:
    """Names of the questions an expression refers to with ``${name}``.

    Examples
    --------
    >>> sorted(references("if(${a} > 1, ${b}, .)"))
    ['a', 'b']
    """
    return {node.name for node in _nodes(as_tree(expr)) if isinstance(node, Ref)}


def fields(expr: str | Expr) -> set[str]:
    """Bare names (choice columns) used by a ``choice_filter`` expression."""
    return {node.name for node in _nodes(as_tree(expr)) if isinstance(node, Field)}


def uses_current(expr: str | Expr) -> bool:
    """Whether the expression uses ``.`` (the value being checked)."""
    return any(isinstance(node, Current) for node in _nodes(as_tree(expr)))


# ---------------------------------------------------------------------------------------------
# References inside labels and messages

_TEXT_REF = re.compile(r"\$\{([^}]*)\}")


def text_references(text: str) -> list[tuple[str, int]]:
    """``${name}`` references inside a label, hint or message, with their offsets."""
    return [(m.group(1).strip(), m.start()) for m in _TEXT_REF.finditer(text)]


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple):
        return " ".join(_as_text(v) for v in value)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def interpolate(text: str, answers: Mapping[str, object]) -> str:
    """Replace ``${name}`` in a label or message by the answer as text (unanswered: empty).

    Examples
    --------
    >>> interpolate("Thank you, ${name}.", {"name": "Kari"})
    'Thank you, Kari.'
    """
    if "${" not in text:
        return text
    return _TEXT_REF.sub(lambda m: _as_text(answers.get(m.group(1).strip())), text)
