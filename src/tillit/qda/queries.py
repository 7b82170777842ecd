"""Queries over coded segments: retrieval expressions, co-occurrence, code-by-case matrices.

Retrieval
---------
A query is a small expression tree of frozen dataclasses (:class:`Code`, :class:`Coder`,
:class:`Source`, :class:`Case`, :class:`Attr`, :class:`And`, :class:`Or`, :class:`Not`,
:class:`Overlaps`, :class:`Near`), built in Python or parsed from text by :func:`parse_query`::

    trust_vertical AND NOT coder:anna
    code:"rule clean-up" OR code:delegation
    trust_vertical OVERLAPS dilemma_legal
    (trust_vertical AND coder:anna) NEAR/200 recruitment
    trust_horizontal AND country=NO AND case:Bergen

The result of every expression is a set of codings (segments). ``code:``, ``coder:``,
``source:``, ``case:`` and ``name=value`` (a case or source attribute) select codings; AND, OR
and NOT combine those selections on the same coding, so ``A AND B`` with two codes is empty (one
coding has one code): for text coded with both, use ``A OVERLAPS B`` (the segments of A that
share at least one character with a segment of B in the same source) or ``A NEAR/n B``
(segments of A within ``n`` characters of one of B; overlapping counts as distance 0). Operator
precedence, loosest first: OR, AND, NOT, then OVERLAPS and NEAR (left-associative). A bare word
is a code. Words are case-sensitive; keywords are not.

Matrices
--------
:func:`cooccurrence` counts overlapping segment pairs per code pair and gives Jaccard (on
characters) and ATLAS.ti's c-coefficient; :func:`code_matrix` crosses codes with cases, sources,
coders or an attribute (a framework matrix, with the segments of each cell).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tillit.qda.codings import CodingsLike, QueryData, as_codings, overlap_pairs, table_frame
from tillit.qda.errors import QdaError, QueryError
from tillit.qda.matrices import (
    CooccurrenceResult,
    MatrixResult,
    code_matrix,
    code_relations,
    cooccurrence,
)
from tillit.qda.words import kwic, word_frequencies

__all__ = [
    "And",
    "Attr",
    "Case",
    "Code",
    "Coder",
    "CooccurrenceResult",
    "Expr",
    "MatrixResult",
    "Near",
    "Not",
    "Or",
    "Overlaps",
    "QueryData",
    "Source",
    "code_matrix",
    "code_relations",
    "cooccurrence",
    "kwic",
    "parse_query",
    "run_query",
    "to_text",
    "word_frequencies",
]


# ---------------------------------------------------------------------------------------------
# Expression tree


@dataclass(frozen=True)
class Code:
    """Codings with this code (a code id, or a name resolved through ``code_names``)."""

    value: str


@dataclass(frozen=True)
class Coder:
    """Codings made by this coder."""

    value: str


@dataclass(frozen=True)
class Source:
    """Codings in this source."""

    value: str


@dataclass(frozen=True)
class Case:
    """Codings in a source (or span) assigned to this case."""

    value: str


@dataclass(frozen=True)
class Attr:
    """Codings in sources, or cases, whose attribute ``name`` equals ``value`` (as text)."""

    name: str
    value: str


@dataclass(frozen=True)
class And:
    """Codings selected by both sides."""

    left: Expr
    right: Expr


@dataclass(frozen=True)
class Or:
    """Codings selected by either side."""

    left: Expr
    right: Expr


@dataclass(frozen=True)
class Not:
    """Codings not selected by the operand."""

    operand: Expr


@dataclass(frozen=True)
class Overlaps:
    """Codings of ``left`` that share a character with a coding of ``right`` (same source)."""

    left: Expr
    right: Expr


@dataclass(frozen=True)
class Near:
    """Codings of ``left`` within ``distance`` characters of a coding of ``right``."""

    left: Expr
    right: Expr
    distance: int


Expr = Code | Coder | Source | Case | Attr | And | Or | Not | Overlaps | Near


def to_text(expr: Expr) -> str:
    """The query text of an expression (parses back to the same tree).

    Examples
    --------
    >>> to_text(parse_query("a AND NOT (coder:anna OR b) NEAR/5 c"))
    'a AND NOT (coder:anna OR b) NEAR/5 c'
    """
    if isinstance(expr, Code):
        return _quote(expr.value)
    if isinstance(expr, Coder | Source | Case):
        return f"{type(expr).__name__.lower()}:{_quote(expr.value)}"
    if isinstance(expr, Attr):
        return f"{_quote(expr.name)}={_quote(expr.value)}"
    if isinstance(expr, Not):
        return f"NOT {_wrap(expr.operand, 3)}"
    if isinstance(expr, And | Or):
        word, rank = ("AND", 2) if isinstance(expr, And) else ("OR", 1)
        return f"{_wrap(expr.left, rank)} {word} {_wrap(expr.right, rank + 1)}"
    op = "OVERLAPS" if isinstance(expr, Overlaps) else f"NEAR/{expr.distance}"
    return f"{_wrap(expr.left, 4)} {op} {_wrap(expr.right, 9)}"


def _rank(expr: Expr) -> int:
    """Binding strength: OR 1, AND 2, NOT 3, OVERLAPS/NEAR 4, atoms 9."""
    if isinstance(expr, Or):
        return 1
    if isinstance(expr, And):
        return 2
    if isinstance(expr, Not):
        return 3
    if isinstance(expr, Overlaps | Near):
        return 4
    return 9


def _wrap(expr: Expr, need: int) -> str:
    text = to_text(expr)
    return f"({text})" if _rank(expr) < need else text


_BARE = re.compile(r"^[^\s()\"=:]+$")
_KEYWORDS = {"AND", "OR", "NOT", "OVERLAPS"}


def _quote(value: str) -> str:
    if (
        _BARE.match(value)
        and value.upper() not in _KEYWORDS
        and not value.upper().startswith("NEAR/")
    ):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---------------------------------------------------------------------------------------------
# Parser

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<lp>\() | (?P<rp>\)) |
        (?P<near>NEAR/(?P<dist>\d+)\b) |
        (?P<str>"(?:[^"\\]|\\.)*") |
        (?P<eq>=) | (?P<colon>:) |
        (?P<word>[^\s()"=:]+)
    )""",
    re.VERBOSE | re.IGNORECASE,
)
_FIELDS: dict[str, type[Code | Coder | Source | Case]] = {
    "code": Code,
    "coder": Coder,
    "source": Source,
    "case": Case,
}


@dataclass(frozen=True)
class _Tok:
    kind: str
    text: str
    pos: int


def _lex(query: str) -> list[_Tok]:
    tokens = []
    pos = 0
    while pos < len(query):
        if query[pos:].strip() == "":
            break
        m = _TOKEN.match(query, pos)
        if m is None or m.end() == pos:
            start = pos + len(query[pos:]) - len(query[pos:].lstrip())
            if query[start] == '"':
                raise QueryError(
                    "unterminated quoted text", query, start, 'Close the quote with ".'
                )
            raise QueryError(f"unexpected character {query[start]!r}", query, start)
        start = m.start() + len(m.group(0)) - len(m.group(0).lstrip())
        kind = m.lastgroup or ""
        if m.group("near"):
            tokens.append(_Tok("near", m.group("dist"), start))
        elif kind == "str":
            raw = m.group("str")[1:-1]
            tokens.append(_Tok("str", re.sub(r"\\(.)", r"\1", raw), start))
        elif kind == "word" and m.group("word").upper() in _KEYWORDS:
            tokens.append(_Tok(m.group("word").upper(), m.group("word"), start))
        elif kind == "word" and m.group("word").upper().startswith("NEAR"):
            raise QueryError("NEAR needs a distance, e.g. NEAR/200", query, start)
        else:
            tokens.append(_Tok(kind, m.group(kind), start))
        pos = m.end()
    return tokens


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = _lex(query)
        self.i = 0

    def peek(self) -> _Tok | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> _Tok:
        tok = self.peek()
        if tok is None:
            raise QueryError(
                "the query ends too early",
                self.query,
                len(self.query),
                "Add a code or a filter after the last operator.",
            )
        self.i += 1
        return tok

    def parse(self) -> Expr:
        if not self.tokens:
            raise QueryError("the query is empty", self.query, 0, "Type a code, e.g. trust.")
        expr = self.or_()
        tok = self.peek()
        if tok is not None:
            what = (
                "a closing parenthesis without an opening one"
                if tok.kind == "rp"
                else (f"{tok.text!r}")
            )
            raise QueryError(
                f"unexpected {what}",
                self.query,
                tok.pos,
                "Join terms with AND, OR, OVERLAPS or NEAR/n.",
            )
        return expr

    def or_(self) -> Expr:
        expr = self.and_()
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.i += 1
            expr = Or(expr, self.and_())
        return expr

    def and_(self) -> Expr:
        expr = self.not_()
        while (tok := self.peek()) is not None and tok.kind == "AND":
            self.i += 1
            expr = And(expr, self.not_())
        return expr

    def not_(self) -> Expr:
        tok = self.peek()
        if tok is not None and tok.kind == "NOT":
            self.i += 1
            return Not(self.not_())
        return self.rel()

    def rel(self) -> Expr:
        expr = self.atom()
        while (tok := self.peek()) is not None and tok.kind in ("OVERLAPS", "near"):
            self.i += 1
            right = self.atom()
            expr = (
                Overlaps(expr, right)
                if tok.kind == "OVERLAPS"
                else Near(expr, right, int(tok.text))
            )
        return expr

    def value(self) -> _Tok:
        tok = self.take()
        if tok.kind not in ("word", "str"):
            raise QueryError(f"expected a name here, found {tok.text!r}", self.query, tok.pos)
        return tok

    def atom(self) -> Expr:
        tok = self.take()
        if tok.kind == "lp":
            expr = self.or_()
            close = self.peek()
            if close is None or close.kind != "rp":
                where = close.pos if close is not None else len(self.query)
                raise QueryError(
                    "missing closing parenthesis",
                    self.query,
                    where,
                    f"Close the parenthesis opened at column {tok.pos + 1}.",
                )
            self.i += 1
            return expr
        if tok.kind not in ("word", "str"):
            raise QueryError(
                f"expected a code or a filter, found {tok.text!r}",
                self.query,
                tok.pos,
                "Start with a code, coder:NAME, case:NAME or name=value.",
            )
        nxt = self.peek()
        if nxt is not None and nxt.kind == "colon":
            self.i += 1
            field = tok.text.lower()
            if tok.kind != "word" or field not in _FIELDS:
                raise QueryError(
                    f"unknown field {tok.text!r}",
                    self.query,
                    tok.pos,
                    "Use code:, coder:, source: or case:, or name=value for an attribute.",
                )
            made: Expr = _FIELDS[field](self.value().text)
            return made
        if nxt is not None and nxt.kind == "eq":
            self.i += 1
            return Attr(tok.text, self.value().text)
        return Code(tok.text)


def parse_query(query: str) -> Expr:
    """Parse a query text into an expression tree.

    Raises
    ------
    QueryError
        With the 0-based ``position`` of the fault and a caret under it in the message.

    Examples
    --------
    >>> parse_query("trust_vertical AND NOT coder:anna")
    And(left=Code(value='trust_vertical'), right=Not(operand=Coder(value='anna')))
    >>> parse_query("A NEAR/200 B")
    Near(left=Code(value='A'), right=Code(value='B'), distance=200)
    >>> parse_query("A AND (B OR")
    Traceback (most recent call last):
    ...
    tillit.qda.errors.QueryError: the query ends too early (column 12)
      A AND (B OR
                 ^
    Add a code or a filter after the last operator.
    """
    return _Parser(query).parse()


# ---------------------------------------------------------------------------------------------
# Evaluation


def _factorize(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer keys and the distinct values as text."""
    keys, uniques = pd.factorize(column, sort=False)
    return keys.astype(np.int64), np.asarray([str(u) for u in uniques], dtype=object)


def _member(keys: np.ndarray, uniques: np.ndarray, values: Iterable[Any]) -> np.ndarray:
    """Rows whose value (as text) is one of ``values``."""
    wanted = set(map(str, values))
    hit = np.flatnonzero(
        np.fromiter((u in wanted for u in uniques), dtype=bool, count=uniques.size)
    )
    lookup = np.zeros(uniques.size + 1, dtype=bool)
    lookup[hit] = True
    return lookup[keys]


class _Evaluator:
    def __init__(self, codings: pd.DataFrame, data: QueryData) -> None:
        self.codings = codings
        self.data = data
        # Factorise each column once; a filter then tests the few distinct values (as text).
        self.src_key, self.src_uniques = _factorize(codings["source_id"])
        self.code_key, self.code_uniques = _factorize(codings["code_id"])
        self.coder_key, self.coder_uniques = _factorize(codings["coder"])

    def __call__(self, expr: Expr) -> np.ndarray:
        n = len(self.codings)
        if isinstance(expr, Code):
            return _member(self.code_key, self.code_uniques, self._code_ids(expr.value))
        if isinstance(expr, Coder):
            return _member(self.coder_key, self.coder_uniques, [expr.value])
        if isinstance(expr, Source):
            return _member(self.src_key, self.src_uniques, [expr.value])
        if isinstance(expr, Case):
            return self._in_cases({expr.value})
        if isinstance(expr, Attr):
            return self._attr(expr)
        if isinstance(expr, And):
            return self(expr.left) & self(expr.right)
        if isinstance(expr, Or):
            return self(expr.left) | self(expr.right)
        if isinstance(expr, Not):
            return ~self(expr.operand)
        if isinstance(expr, Overlaps | Near):
            slack = expr.distance if isinstance(expr, Near) else 0
            left, right = self(expr.left), self(expr.right)
            return self._related(left, right, slack)
        raise QdaError(f"not a query expression: {expr!r}", argument="query")  # pragma: no cover
        return np.zeros(n, dtype=bool)  # pragma: no cover

    def _code_ids(self, name: str) -> list[str]:
        names = self.data.code_names or {}
        if name in names:
            target = names[name]
            if isinstance(target, str) or not isinstance(target, Iterable):
                return [str(target)]
            return [str(t) for t in target]
        return [name]

    def _related(self, left: np.ndarray, right: np.ndarray, slack: int) -> np.ndarray:
        rows = np.flatnonzero(left | right)
        out = np.zeros(left.size, dtype=bool)
        if rows.size < 2:
            return out
        s = self.codings["start"].to_numpy()[rows]
        e = self.codings["end"].to_numpy()[rows]
        i, j = overlap_pairs(self.src_key[rows], s, e, slack)
        i, j = rows[i], rows[j]
        out[i[left[i] & right[j]]] = True
        out[j[left[j] & right[i]]] = True
        return out

    def _in_cases(self, case_ids: set[str]) -> np.ndarray:
        cases = table_frame(self.data.cases, ["case_id", "source_id"], "cases")
        out = np.zeros(len(self.codings), dtype=bool)
        if cases is None:
            raise QdaError(
                "the query names a case, but no cases were given",
                "Assign sources to cases first.",
                argument="cases",
            )
        members = cases[cases["case_id"].astype(str).isin(case_ids)]
        if members.empty:
            return out
        has_span = "start" in members.columns and "end" in members.columns
        whole = members if not has_span else members[members["start"].isna()]
        out |= _member(self.src_key, self.src_uniques, whole["source_id"].astype(str))
        if has_span:
            spans = members[members["start"].notna()]
            if not spans.empty:
                merged = self.codings[["source_id", "start", "end"]].reset_index(drop=True)
                merged = merged.assign(
                    row=np.arange(len(merged)), sid=self.src_uniques[self.src_key]
                )
                joined = merged.merge(
                    spans.assign(sid=spans["source_id"].astype(str))[["sid", "start", "end"]],
                    on="sid",
                    suffixes=("", "_case"),
                )
                hit = (joined["start"] < joined["end_case"]) & (
                    joined["end"] > joined["start_case"]
                )
                out[joined.loc[hit, "row"].to_numpy()] = True
        return out

    def _attr(self, expr: Attr) -> np.ndarray:
        out = np.zeros(len(self.codings), dtype=bool)
        found = False
        src = table_frame(
            self.data.source_attributes, ["source_id", "name", "value"], "source_attributes"
        )
        if src is not None:
            rows = src[(src["name"].astype(str) == expr.name)]
            found |= not rows.empty
            ok = rows[rows["value"].astype(str) == expr.value]
            out |= _member(self.src_key, self.src_uniques, ok["source_id"].astype(str))
        cas = table_frame(
            self.data.case_attributes, ["case_id", "name", "value"], "case_attributes"
        )
        if cas is not None:
            rows = cas[(cas["name"].astype(str) == expr.name)]
            found |= not rows.empty
            ok = rows[rows["value"].astype(str) == expr.value]
            if not ok.empty:
                out |= self._in_cases(set(ok["case_id"].astype(str)))
        if not found:
            raise QdaError(
                f"no source or case has the attribute {expr.name!r}",
                "Check the attribute name (names are case-sensitive).",
                argument="query",
            )
        return out


def run_query(
    query: str | Expr,
    codings: CodingsLike,
    *,
    texts: Mapping[Hashable, str] | None = None,
    data: QueryData | None = None,
) -> pd.DataFrame:
    """Retrieve the codings selected by a query.

    Parameters
    ----------
    query : str or Expr
        Query text (see the module docs) or an expression tree.
    codings : DataFrame or iterable
    texts : mapping source_id -> text, optional
        Adds a ``text`` column with each segment's text.
    data : QueryData, optional
        Cases, attributes and code names the query may refer to.

    Returns
    -------
    DataFrame
        The selected codings (all their columns), sorted by source, start, end; with ``text``
        when ``texts`` is given.

    Examples
    --------
    >>> rows = [("s", 0, 10, "trust", "anna"), ("s", 5, 20, "trust", "ola"),
    ...         ("s", 8, 12, "legal", "ola")]
    >>> run_query("trust AND NOT coder:anna", rows)[["start", "end", "coder"]].values.tolist()
    [[5, 20, 'ola']]
    >>> run_query("trust OVERLAPS legal", rows)["coder"].tolist()
    ['anna', 'ola']
    """
    expr = parse_query(query) if isinstance(query, str) else query
    frame = as_codings(codings)
    mask = _Evaluator(frame, data or QueryData())(expr)
    out = frame[mask].sort_values(["source_id", "start", "end"], kind="stable")
    out = out.reset_index(drop=True)
    if texts is not None:
        out["text"] = [
            texts[s][a:b]
            for s, a, b in zip(out["source_id"], out["start"], out["end"], strict=True)
        ]
    return out
