"""Reading and checking taxonomy files.

:func:`load_taxonomy` reads the bundled ``tillit/data/taxonomy/taxonomy.toml`` (or a file of your
own) and :func:`validate` turns parsed TOML into a :class:`~tillit.taxonomy.model.Taxonomy`,
refusing anything that would make concept ids ambiguous or unstable. Every problem is reported
with where it is (line, ``[[concept]]`` number, id), which field, what is wrong and how to fix it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from tillit.errors import CorruptFileError, ErrorCode, NotFoundError, TillitError
from tillit.taxonomy.model import BRANCHES, LANGUAGES, REQUIRED_DEFINITIONS, Concept, Taxonomy

#: Keys allowed at the top of a taxonomy file.
TOP_KEYS: frozenset[str] = frozenset({"version", "released", "languages", "description", "concept"})

#: Keys a ``[[concept]]`` table may have.
CONCEPT_KEYS: frozenset[str] = frozenset(
    {
        "id",
        "parent",
        "label",
        "definition",
        "note",
        "source",
        "related",
        "deprecated",
        "replaced_by",
    }
)

#: Keys accepted but not read yet (``terms``: the screening lexicon, added by the mapping module).
RESERVED_KEYS: frozenset[str] = frozenset({"terms"})

_SEGMENT = r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*"
ID_PATTERN = re.compile(rf"^{_SEGMENT}(?:\.{_SEGMENT})*$")
VERSION_PATTERN = re.compile(r"^(\d{4})\.(\d{1,2})\.(\d+)$")
_CONCEPT_HEADER = re.compile(r"^\s*\[\[\s*concept\s*\]\]")
_MAX_LISTED = 25


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a taxonomy file."""

    where: str
    field: str
    message: str
    fix: str

    def __str__(self) -> str:
        at = f"{self.where}, field {self.field!r}" if self.field else self.where
        return f"{at}: {self.message} Fix: {self.fix}"

    def as_dict(self) -> dict[str, str]:
        return {"where": self.where, "field": self.field, "message": self.message, "fix": self.fix}


def _did_you_mean(word: str, choices: Any) -> str:
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""


class _Checker:
    """Collects problems while walking parsed TOML."""

    def __init__(self, source: str, lines: list[int] | None) -> None:
        self.source = source
        self.lines = lines
        self.problems: list[Problem] = []

    def where(self, index: int, cid: object = None) -> str:
        parts = []
        if self.lines is not None and index < len(self.lines):
            parts.append(f"line {self.lines[index]}")
        parts.append(f"[[concept]] #{index + 1}")
        if isinstance(cid, str) and cid:
            parts.append(f"(id {cid!r})")
        return " ".join(parts)

    def add(self, where: str, field: str, message: str, fix: str) -> None:
        self.problems.append(Problem(where, field, message, fix))

    def raise_if_any(self) -> None:
        if not self.problems:
            return
        n_problems = len(self.problems)
        if n_problems == 1:
            message = f"Invalid taxonomy {self.source}: {self.problems[0]}"
        else:
            listed = "\n".join(f"  - {p}" for p in self.problems[:_MAX_LISTED])
            more = n_problems - _MAX_LISTED
            tail = f"\n  ... and {more} more" if more > 0 else ""
            message = f"Invalid taxonomy {self.source}: {n_problems} problems:\n{listed}{tail}"
        raise TillitError(
            message,
            ErrorCode.INVALID_INPUT,
            hint="Fix the file and check it again with `tillit taxonomy validate FILE`.",
            errors=[p.as_dict() for p in self.problems],
        )


def validate(data: Mapping[str, Any], *, source: str = "<data>") -> Taxonomy:
    """Check parsed taxonomy TOML and build a :class:`Taxonomy` from it.

    Parameters
    ----------
    data : Mapping
        The result of :func:`tomllib.load` on a taxonomy file.
    source : str
        Name of the file, used in messages.

    Returns
    -------
    Taxonomy

    Raises
    ------
    TillitError
        Code ``invalid_input``, listing every problem found: a missing or malformed version,
        unknown keys (typos), a bad id, a duplicate id, a missing or unknown parent, a cycle of
        parents, an id that does not sit directly under its parent's id, a missing or empty
        label or required definition, an unknown ``related`` or ``replaced_by`` id. The
        ``errors`` attribute holds one dict per problem (where, field, message, fix).

    Examples
    --------
    >>> try:
    ...     validate({"version": "2026.11.0", "concept": []})
    ... except TillitError as exc:
    ...     print(exc.errors[0]["field"], "-", exc.errors[0]["message"])
    concept - there are no [[concept]] tables.
    """
    return _validate(data, source, None)


def _validate(data: Mapping[str, Any], source: str, lines: list[int] | None) -> Taxonomy:
    check = _Checker(source, lines)
    if not isinstance(data, Mapping):
        check.add("top level", "", "the file is not a TOML table.", "start from the bundled file.")
        check.raise_if_any()
    version = _check_top(check, data)
    languages = _check_languages(check, data.get("languages", list(LANGUAGES)))
    raw = data.get("concept")
    tables: list[Any] = raw if isinstance(raw, list) else []
    if not tables:
        what = "there are no [[concept]] tables." if raw in (None, []) else "is not an array."
        check.add(
            "top level",
            "concept",
            what,
            "add concepts as [[concept]] tables with id, parent, label.* and definition.*.",
        )
    concepts: list[tuple[int, Concept]] = []
    for index, table in enumerate(tables):
        concept = _check_concept(check, index, table, languages)
        if concept is not None:
            concepts.append((index, concept))
    _check_graph(check, concepts)
    check.raise_if_any()
    released = data.get("released")
    return Taxonomy(
        version,
        [c for _, c in concepts],
        released=released if isinstance(released, dt.date) else None,
        languages=languages,
        source=source,
    )


def _check_top(check: _Checker, data: Mapping[str, Any]) -> str:
    for key in data:
        if key not in TOP_KEYS:
            check.add(
                "top level",
                str(key),
                "unknown key." + _did_you_mean(str(key), TOP_KEYS),
                f"use only {', '.join(sorted(TOP_KEYS))}.",
            )
    released = data.get("released")
    if released is not None and (
        not isinstance(released, dt.date) or isinstance(released, dt.datetime)
    ):
        check.add(
            "top level",
            "released",
            f"{released!r} is not a TOML date.",
            "write an unquoted date such as released = 2026-11-26.",
        )
    version = data.get("version")
    if version is None:
        check.add(
            "top level",
            "version",
            "the version is missing.",
            'add version = "YYYY.MM.PATCH" at the top, e.g. "2026.11.0".',
        )
        return ""
    match = VERSION_PATTERN.match(version) if isinstance(version, str) else None
    if match is None or not 1 <= int(match.group(2)) <= 12:
        check.add(
            "top level",
            "version",
            f"{version!r} is not a calendar version YYYY.MM.PATCH.",
            'write it like "2026.11.0" (year, month, patch number within the month).',
        )
        return ""
    return str(version)


def _check_languages(check: _Checker, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        check.add(
            "top level",
            "languages",
            "must be a list of language codes.",
            'use ["nb", "nn", "da", "sv", "en"].',
        )
        return LANGUAGES
    unknown = [v for v in value if v not in LANGUAGES]
    missing = [v for v in LANGUAGES if v not in value]
    if unknown or missing:
        what = []
        if unknown:
            what.append(f"unknown {', '.join(map(repr, unknown))}")
        if missing:
            what.append(f"missing {', '.join(map(repr, missing))}")
        check.add(
            "top level",
            "languages",
            f"{'; '.join(what)}.",
            f"list exactly the supported languages: {', '.join(LANGUAGES)}.",
        )
        return LANGUAGES
    return tuple(value)


def _check_concept(
    check: _Checker, index: int, table: Any, languages: tuple[str, ...]
) -> Concept | None:
    if not isinstance(table, Mapping):
        check.add(check.where(index), "", "is not a table.", "write it as a [[concept]] table.")
        return None
    cid = table.get("id")
    where = check.where(index, cid)
    for key in table:
        if key not in CONCEPT_KEYS and key not in RESERVED_KEYS:
            check.add(
                where,
                str(key),
                "unknown key." + _did_you_mean(str(key), CONCEPT_KEYS | RESERVED_KEYS),
                f"use only {', '.join(sorted(CONCEPT_KEYS | RESERVED_KEYS))}.",
            )
    if cid is None:
        check.add(where, "id", "the id is missing.", 'add id = "branch.name" (see the parent).')
    elif not isinstance(cid, str) or not ID_PATTERN.match(cid):
        check.add(
            where,
            "id",
            f"{cid!r} is not a valid id.",
            "use dot-separated segments of lowercase ASCII letters, digits and single "
            'underscores, each starting with a letter, e.g. "measure.reporting_reduction".',
        )
    parent = table.get("parent")
    if parent is not None and not isinstance(parent, str):
        check.add(where, "parent", f"{parent!r} is not a string.", "write the parent's id.")
    labels = _check_texts(check, where, table, "label", languages, languages)
    definitions = _check_texts(check, where, table, "definition", languages, REQUIRED_DEFINITIONS)
    for key in ("note", "source", "replaced_by"):
        if key in table and not isinstance(table[key], str):
            check.add(where, key, f"{table[key]!r} is not a string.", "quote the value.")
    deprecated = table.get("deprecated", False)
    if not isinstance(deprecated, bool):
        check.add(where, "deprecated", f"{deprecated!r} is not true or false.", "write true.")
    if table.get("replaced_by") is not None and deprecated is not True:
        check.add(
            where,
            "replaced_by",
            "only a deprecated concept can be replaced.",
            "add deprecated = true, or remove replaced_by.",
        )
    related = table.get("related", [])
    if not isinstance(related, list) or not all(isinstance(r, str) for r in related):
        check.add(where, "related", "must be a list of concept ids.", 'write related = ["id"].')
        related = []
    if not isinstance(cid, str) or not ID_PATTERN.match(cid):
        return None
    if parent is not None and not isinstance(parent, str):
        return None
    # Returned even when other fields have problems, so that the graph checks still see the id.
    return Concept(
        id=cid,
        parent=parent,
        labels=labels,
        definitions=definitions,
        note=_text(table.get("note")),
        source=_text(table.get("source")),
        deprecated=deprecated is True,
        replaced_by=table.get("replaced_by") if isinstance(table.get("replaced_by"), str) else None,
        related=tuple(related),
    )


def _text(value: Any) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def _check_texts(
    check: _Checker,
    where: str,
    table: Mapping[str, Any],
    key: str,
    languages: tuple[str, ...],
    required: tuple[str, ...],
) -> dict[str, str]:
    value = table.get(key)
    if value is None:
        check.add(
            where,
            key,
            f"no {key}s at all.",
            f"add {', '.join(f'{key}.{code}' for code in required)}.",
        )
        return {}
    if not isinstance(value, Mapping):
        check.add(where, key, "must be a table of languages.", f'write {key}.en = "...".')
        return {}
    texts: dict[str, str] = {}
    for code, text in value.items():
        if code not in languages:
            check.add(
                where,
                f"{key}.{code}",
                "unknown language." + _did_you_mean(str(code), languages),
                f"use one of {', '.join(languages)}.",
            )
        elif not isinstance(text, str):
            check.add(where, f"{key}.{code}", f"{text!r} is not a string.", "quote the text.")
        elif not text.strip():
            check.add(where, f"{key}.{code}", "is empty.", f"write the {key} in {code}.")
        else:
            texts[code] = " ".join(text.split())
    for code in required:
        if code not in value:
            check.add(
                where,
                f"{key}.{code}",
                f"the {key} in {code!r} is missing.",
                f'add {key}.{code} = "...".',
            )
    return texts


def _check_graph(check: _Checker, concepts: list[tuple[int, Concept]]) -> None:
    first: dict[str, int] = {}
    for index, c in concepts:
        if c.id in first:
            check.add(
                check.where(index, c.id),
                "id",
                f"duplicate id; [[concept]] #{first[c.id] + 1} already uses it.",
                "ids are unique and never reused: give this concept a new id.",
            )
        else:
            first[c.id] = index
    by_id = {c.id: c for _, c in concepts}
    where = {c.id: check.where(i, c.id) for i, c in concepts}
    _check_parents(check, concepts, by_id)
    _check_cycles(check, by_id, where)
    for index, c in concepts:
        _check_references(check, check.where(index, c.id), c, by_id)
    for root in BRANCHES:
        if root not in by_id:
            check.add(
                "top level",
                "concept",
                f"the branch root {root!r} is missing.",
                f'add a [[concept]] with id = "{root}" and no parent.',
            )


def _check_parents(
    check: _Checker, concepts: list[tuple[int, Concept]], by_id: Mapping[str, Concept]
) -> None:
    for index, c in concepts:
        where = check.where(index, c.id)
        if c.parent is None:
            if c.id not in BRANCHES:
                guess = c.id.rsplit(".", 1)[0] if "." in c.id else ""
                check.add(
                    where,
                    "parent",
                    "the parent is missing; only the six branch roots "
                    f"({', '.join(BRANCHES)}) stand without one.",
                    f'add parent = "{guess}".' if guess else "put the concept under a branch.",
                )
            continue
        if c.parent not in by_id:
            close = difflib.get_close_matches(c.parent, list(by_id), n=1, cutoff=0.6)
            suggestion = f" Did you mean {close[0]!r}?" if close else ""
            check.add(
                where,
                "parent",
                f"{c.parent!r} is not the id of any concept.{suggestion}",
                "set parent to the id of an existing concept.",
            )
            continue
        if c.parent == c.id:
            continue  # reported as a cycle
        if c.id.rsplit(".", 1)[0] != c.parent or "." not in c.id:
            leaf = c.id.rsplit(".", 1)[-1]
            check.add(
                where,
                "id",
                f"{c.id!r} does not sit directly under its parent {c.parent!r}; a child's id is "
                "its parent's id plus one segment.",
                f'rename it to "{c.parent}.{leaf}", or change parent.',
            )


def _check_cycles(check: _Checker, by_id: Mapping[str, Concept], where: Mapping[str, str]) -> None:
    reported: set[str] = set()
    for start in by_id:
        path: list[str] = []
        seen: set[str] = set()
        node: str | None = start
        while node is not None and node in by_id and node not in seen:
            seen.add(node)
            path.append(node)
            node = by_id[node].parent
        if node is None or node not in seen:
            continue
        cycle = path[path.index(node) :]
        if reported.intersection(cycle):
            continue
        reported.update(cycle)
        first = min(cycle)
        check.add(
            where[first],
            "parent",
            "the parents form a cycle: " + " -> ".join([*cycle, node]) + ".",
            "every chain of parents must end at a branch root; point one of them elsewhere.",
        )


def _check_references(
    check: _Checker, where: str, c: Concept, by_id: Mapping[str, Concept]
) -> None:
    for key, targets in (
        ("replaced_by", [c.replaced_by] if c.replaced_by else []),
        ("related", list(c.related)),
    ):
        for target in targets:
            if target == c.id:
                check.add(where, key, "points at the concept itself.", f"remove {target!r}.")
            elif target not in by_id:
                close = difflib.get_close_matches(target, list(by_id), n=1, cutoff=0.6)
                suggestion = f" Did you mean {close[0]!r}?" if close else ""
                check.add(
                    where,
                    key,
                    f"{target!r} is not the id of any concept.{suggestion}",
                    "use the id of an existing concept.",
                )
    if len(set(c.related)) != len(c.related):
        check.add(where, "related", "lists an id twice.", "list each id once.")


def _concept_lines(text: str) -> list[int]:
    """1-based line numbers of the ``[[concept]]`` headers, in order."""
    return [n for n, line in enumerate(text.splitlines(), 1) if _CONCEPT_HEADER.match(line)]


def _parse(text: str, source: str) -> Taxonomy:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CorruptFileError(
            f"{source} is not valid TOML: {exc}.",
            hint="Fix the syntax at that line (quotes, '=' between key and value, "
            "[[concept]] headers), then run `tillit taxonomy validate FILE` again.",
        ) from None
    return _validate(data, source, _concept_lines(text))


def bundled_source() -> str:
    """Where the bundled taxonomy file is, for messages."""
    return str(resources.files("tillit").joinpath("data/taxonomy/taxonomy.toml"))


@functools.cache
def _load_bundled() -> Taxonomy:
    text = resources.files("tillit").joinpath("data/taxonomy/taxonomy.toml").read_text("utf-8")
    return _parse(text, bundled_source())


def load_taxonomy(path: str | os.PathLike[str] | None = None) -> Taxonomy:
    """Read and validate a taxonomy.

    Parameters
    ----------
    path : str or path-like, optional
        A taxonomy TOML file of your own. Default: the taxonomy bundled with tillit, read once
        and cached.

    Returns
    -------
    Taxonomy

    Raises
    ------
    NotFoundError
        If `path` does not exist.
    CorruptFileError
        If the file cannot be decoded as UTF-8 or is not valid TOML (the message names the line).
    TillitError
        If the content is not a valid taxonomy (see :func:`validate`).

    Examples
    --------
    >>> tax = load_taxonomy()
    >>> tax.version
    '2026.11.1'
    >>> "measure.reporting_reduction" in tax
    True
    """
    if path is None:
        return _load_bundled()
    file = Path(path)
    try:
        raw = file.read_bytes()
    except FileNotFoundError:
        raise NotFoundError(
            f"Taxonomy file {str(file)!r} does not exist.",
            hint="Check the path; run `tillit taxonomy validate` without a file to check the "
            "bundled taxonomy.",
        ) from None
    except OSError as exc:
        raise TillitError(
            f"Cannot read taxonomy file {str(file)!r}: {exc.strerror or exc}.",
            ErrorCode.INVALID_INPUT,
            hint="Give the path of a readable TOML file.",
        ) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CorruptFileError(
            f"{file} is not UTF-8 text (line {line}).",
            hint="Save the file as UTF-8.",
        ) from None
    return _parse(text, str(file))
