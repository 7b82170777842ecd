"""The screening lexicon: versioned terms per language for concepts of the shared taxonomy.

The lexicon ships as package data, ``tillit/data/lexicon/lexicon-<N>.toml`` (``N`` is the
version; :func:`load_lexicon` without a version reads the highest). Each ``[[concept]]`` table
names a taxonomy concept ``id`` and lists terms per language (``nb``, ``nn``, ``da``, ``sv``);
each ``[[negative]]`` table lists negative context terms: spans such as "tillitsvalgt" (a union
representative) or "tillit til politiet" that must not count as evidence for any concept.

A term is lower-case text with a small pattern syntax:

==================  =====================================================================
``tillitsreform``   a whole word (or phrase): letters may not touch it on either side
``tillitsreform*``  may *begin* a compound: letters may follow ("tillitsreformarbeidet")
``*dokumentasjonskrav``  may *end* a compound: letters may precede ("tilsynsdokumentasjonskrav")
``*tillitsvalgt*``  both (e.g. "hovedtillitsvalgte")
``styring~``        the last word is inflected regularly for the language (definite and
                    plural forms, see :func:`inflect`)
``(a|b|)``          alternatives; an empty alternative makes the group optional
``term@0.5``        a weight other than 1 (weak evidence); see :mod:`tillit.text.screen`
==================  =====================================================================

:func:`parse_lexicon` checks a file strictly: unknown keys, unknown concept ids (every concept
must exist in the taxonomy), unknown languages, malformed patterns, duplicates and bad weights
are all reported together, each with its file, table, concept, language and term.

Examples
--------
>>> lex = load_lexicon()
>>> "measure.trust_reform" in lex.concepts()
True
>>> inflect("reform", "nb")[:3]
('reform', 'reformen', 'reforma')
"""

from __future__ import annotations

import functools
import itertools
import re
import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from tillit.errors import ErrorCode, NotFoundError, TillitError

__all__ = [
    "LANGUAGES",
    "Lexicon",
    "LexiconProblem",
    "Term",
    "available_versions",
    "expand_pattern",
    "inflect",
    "load_lexicon",
    "parse_lexicon",
]

#: Languages a lexicon may hold terms for.
LANGUAGES: tuple[str, ...] = ("nb", "nn", "da", "sv")
#: Most alternatives one pattern may expand to (a guard against typos that explode).
MAX_EXPANSIONS = 512
#: Shortest term (after expansion) that may be open to compounds.
MIN_OPEN_LENGTH = 4

_TOP_KEYS = frozenset({"version", "taxonomy", "description", "languages", "concept", "negative"})
_CONCEPT_KEYS = frozenset({"id", "note", *LANGUAGES})
_NEGATIVE_KEYS = frozenset({"note", "concepts", *LANGUAGES})
_FILE = re.compile(r"^lexicon-(\d+)\.toml$")
_PATTERN = re.compile(r"^(\*?)([^*~@]+?)(~?)(\*?)(?:@([0-9.]+))?$")
_ALLOWED = re.compile(r"^[a-zæøåäöéèüáóôê0-9 ()|.,/&'-]+$")
_GROUP = re.compile(r"\(([^()]*)\)")

# Endings added by `~` to the last word, per language: (after a final -e, otherwise).
_ENDINGS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "nb": (("n", "r", "ne", "t", "a"), ("en", "a", "et", "er", "ene")),
    "nn": (("n", "r", "ne", "t", "a"), ("en", "a", "et", "ar", "ane", "er", "ene")),
    "da": (("n", "t", "r", "rne", "ne"), ("en", "et", "er", "erne", "e", "ene")),
    "sv": (("n", "t", "r", "rna", "na"), ("en", "et", "er", "erna", "ar", "arna", "n", "na")),
}


def inflect(word: str, lang: str) -> tuple[str, ...]:
    """Regular definite and plural forms of a noun (the word itself first).

    Over-generation is harmless for screening (a form that is not a word never occurs), so the
    rules are the common endings: nb ``-en -a -et -er -ene``, nn adds ``-ar -ane``, da ``-en -et
    -er -erne -e -ene`` (``-ingen`` from ``-ing``), sv ``-en -et -er -erna -ar -arna``. After a
    final ``-e`` only the ending's consonant part is added (``ledelse`` -> ``ledelsen``).
    Irregular forms (da ``kontrol`` -> ``kontrollen``) are written out in the lexicon instead.

    >>> inflect("ledelse", "da")
    ('ledelse', 'ledelsen', 'ledelset', 'ledelser', 'ledelserne', 'ledelsene')
    """
    after_e, other = _ENDINGS[lang]
    endings = after_e if word.endswith("e") else other
    return tuple(dict.fromkeys((word, *(word + e for e in endings))))


@dataclass(frozen=True)
class Term:
    """One lexicon term: a concept's word or phrase in one language.

    ``text`` is the base form (lower case, alternatives expanded, no pattern marks); ``kind`` is
    ``"term"`` (whole word), ``"prefix"`` (may begin a compound), ``"suffix"`` (may end one),
    ``"infix"`` (both) or ``"negative"`` (a negative context term; ``concept`` is ``"*"`` when it
    blocks every concept). ``open_left``/``open_right`` say whether letters may touch the term on
    that side; ``inflect`` whether the last word takes the regular endings; ``pattern`` is the
    term as written in the file.
    """

    concept: str
    lang: str
    text: str
    kind: str
    weight: float = 1.0
    inflect: bool = False
    open_left: bool = False
    open_right: bool = False
    pattern: str = ""

    def forms(self) -> tuple[str, ...]:
        """Every surface form to look for (inflected when ``inflect`` is set)."""
        if not self.inflect:
            return (self.text,)
        head, _, last = self.text.rpartition(" ")
        prefix = f"{head} " if head else ""
        return tuple(prefix + form for form in inflect(last, self.lang))


@dataclass(frozen=True)
class Lexicon:
    """A versioned lexicon: positive terms and negative context terms."""

    version: str
    terms: tuple[Term, ...]
    negatives: tuple[Term, ...]
    taxonomy_version: str = ""
    source: str = ""
    notes: Mapping[str, str] = field(default_factory=dict)

    def concepts(self) -> list[str]:
        """Concept ids that have terms, in file order."""
        return list(dict.fromkeys(t.concept for t in self.terms))

    def terms_for(self, concept: str, lang: str | None = None) -> list[Term]:
        """The terms of one concept (optionally in one language)."""
        return [t for t in self.terms if t.concept == concept and (lang is None or t.lang == lang)]


@dataclass(frozen=True)
class LexiconProblem:
    """One thing wrong with a lexicon file, with where it is."""

    where: str
    field: str
    term: str
    message: str

    def __str__(self) -> str:
        parts = [self.where]
        if self.field:
            parts.append(f"field {self.field!r}")
        if self.term:
            parts.append(f"term {self.term!r}")
        return f"{', '.join(parts)}: {self.message}"

    def as_dict(self) -> dict[str, str]:
        return {
            "where": self.where,
            "field": self.field,
            "term": self.term,
            "message": self.message,
        }


def expand_pattern(body: str) -> list[str]:
    """Expand ``(a|b|)`` groups into every alternative (spaces collapsed).

    >>> expand_pattern("tillitsbaser(t|te) styring")
    ['tillitsbasert styring', 'tillitsbaserte styring']
    >>> expand_pattern("innføre (en |)tillitsreform")
    ['innføre en tillitsreform', 'innføre tillitsreform']
    """
    pieces: list[list[str]] = []
    position = 0
    for group in _GROUP.finditer(body):
        pieces.append([body[position : group.start()]])
        pieces.append(group.group(1).split("|"))
        position = group.end()
    pieces.append([body[position:]])
    return list(dict.fromkeys(" ".join("".join(p).split()) for p in itertools.product(*pieces)))


class _Checker:
    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[LexiconProblem] = []

    def add(self, where: str, field: str, term: str, message: str) -> None:
        self.problems.append(LexiconProblem(f"{self.source}: {where}", field, term, message))

    def raise_if_any(self) -> None:
        if not self.problems:
            return
        listed = "\n".join(f"  - {p}" for p in self.problems[:25])
        more = len(self.problems) - 25
        tail = f"\n  ... and {more} more" if more > 0 else ""
        count = len(self.problems)
        raise TillitError(
            f"Invalid lexicon {self.source}: {count} problem{'s' if count > 1 else ''}:\n"
            f"{listed}{tail}",
            ErrorCode.INVALID_INPUT,
            hint="Fix the lexicon file; the module docstring of tillit.text.lexicon describes "
            "the term syntax.",
            errors=[p.as_dict() for p in self.problems],
        )


def _parse_term(
    check: _Checker, where: str, lang: str, raw: Any, concept: str, negative: bool
) -> list[Term]:
    if not isinstance(raw, str) or not raw.strip():
        check.add(where, lang, str(raw), "a term must be a non-empty string.")
        return []
    if raw != raw.strip() or "  " in raw:
        check.add(where, lang, raw, "leading, trailing or double spaces.")
        return []
    if unicodedata.normalize("NFC", raw) != raw:
        check.add(where, lang, raw, "not in Unicode NFC form.")
        return []
    if raw.lower() != raw:
        check.add(where, lang, raw, "terms are lower case (matching ignores case).")
        return []
    found = _PATTERN.match(raw)
    if found is None:
        check.add(
            where,
            lang,
            raw,
            "malformed pattern: '*' only at the start or end, '~' only at the end, '@weight' last.",
        )
        return []
    star_left, body, tilde, star_right, weight_text = found.groups()
    problems_before = len(check.problems)
    if tilde and star_right:
        check.add(
            where, lang, raw, "use either '~' (inflect) or a trailing '*' (compound), not both."
        )
    if not _ALLOWED.match(body):
        check.add(
            where, lang, raw, "unexpected characters (letters, digits, spaces, ()|.,/&'- only)."
        )
    if (
        body.count("(") != body.count(")")
        or _GROUP.sub("", body).count("(")
        or "|" in _GROUP.sub("", body)
    ):
        check.add(where, lang, raw, "unbalanced or nested '(' ')' or a '|' outside a group.")
    weight = 1.0
    if weight_text is not None:
        try:
            weight = float(weight_text)
        except ValueError:
            weight = -1.0
        if not 0.0 < weight <= 5.0:
            check.add(where, lang, raw, "weight must be a number above 0 and at most 5.")
    if negative and (tilde or weight_text is not None):
        check.add(where, lang, raw, "negative terms take neither '~' nor a weight.")
    if len(check.problems) > problems_before:
        return []
    texts = expand_pattern(body)
    if len(texts) > MAX_EXPANSIONS:
        check.add(where, lang, raw, f"expands to {len(texts)} terms (at most {MAX_EXPANSIONS}).")
        return []
    terms = []
    for text in texts:
        if not text:
            check.add(where, lang, raw, "an alternative expands to an empty term.")
            continue
        open_left, open_right = bool(star_left), bool(star_right)
        if (open_left or open_right) and len(text) < MIN_OPEN_LENGTH:
            check.add(
                where,
                lang,
                raw,
                f"{text!r} is too short to be open to compounds "
                f"(at least {MIN_OPEN_LENGTH} characters).",
            )
            continue
        if negative:
            kind = "negative"
        else:
            kind = {(False, False): "term", (False, True): "prefix", (True, False): "suffix"}.get(
                (open_left, open_right), "infix"
            )
        terms.append(
            Term(
                concept=concept,
                lang=lang,
                text=text,
                kind=kind,
                weight=weight,
                inflect=bool(tilde),
                open_left=open_left,
                open_right=open_right,
                pattern=raw,
            )
        )
    return terms


def _terms_of_table(
    check: _Checker, where: str, table: Mapping[str, Any], concept: str, negative: bool
) -> list[Term]:
    terms: list[Term] = []
    seen: set[tuple[str, str]] = set()
    for lang in LANGUAGES:
        values = table.get(lang, [])
        if not isinstance(values, list):
            check.add(where, lang, "", "must be a list of strings.")
            continue
        for raw in values:
            for term in _parse_term(check, where, lang, raw, concept, negative):
                key = (lang, term.text)
                if key in seen:
                    check.add(where, lang, term.pattern, f"duplicate term {term.text!r}.")
                    continue
                seen.add(key)
                terms.append(term)
    return terms


def parse_lexicon(
    data: Mapping[str, Any], *, source: str = "<data>", concept_ids: set[str] | None = None
) -> Lexicon:
    """Check parsed lexicon TOML and build a :class:`Lexicon`.

    Parameters
    ----------
    data : Mapping
        The result of :func:`tomllib.loads` on a lexicon file.
    source : str
        File name used in messages.
    concept_ids : set of str, optional
        Ids every concept must be one of; by default the bundled taxonomy's.

    Raises
    ------
    TillitError
        Code ``invalid_input``, listing every problem with its place (file, table, concept,
        language, term) and what is wrong.
    """
    check = _Checker(source)
    if concept_ids is None:
        from tillit.taxonomy import load_taxonomy

        concept_ids = {c.id for c in load_taxonomy()}
    for key in sorted(set(data) - _TOP_KEYS):
        check.add("top level", key, "", f"unknown key (allowed: {', '.join(sorted(_TOP_KEYS))}).")
    version = data.get("version")
    if not isinstance(version, str) or not version.isdigit():
        check.add("top level", "version", "", 'version must be a string of digits, e.g. "1".')
        version = ""
    taxonomy_version = data.get("taxonomy", "")
    if not isinstance(taxonomy_version, str):
        check.add("top level", "taxonomy", "", "must be the taxonomy version as a string.")
        taxonomy_version = ""
    concepts = data.get("concept", [])
    if not isinstance(concepts, list) or not concepts:
        check.add("top level", "concept", "", "at least one [[concept]] table is required.")
        concepts = []
    terms: list[Term] = []
    notes: dict[str, str] = {}
    seen_ids: set[str] = set()
    for index, table in enumerate(concepts):
        where = f"[[concept]] #{index + 1}"
        if not isinstance(table, Mapping):
            check.add(where, "", "", "must be a table.")
            continue
        cid = table.get("id")
        if isinstance(cid, str):
            where += f" (id {cid!r})"
        for key in sorted(set(table) - _CONCEPT_KEYS):
            check.add(where, key, "", "unknown key (id, note, nb, nn, da, sv).")
        if not isinstance(cid, str) or cid not in concept_ids:
            check.add(where, "id", "", f"{cid!r} is not a concept of the taxonomy.")
            continue
        if cid in seen_ids:
            check.add(where, "id", "", "concept listed twice; merge the tables.")
            continue
        seen_ids.add(cid)
        if isinstance(table.get("note"), str):
            notes[cid] = table["note"]
        found = _terms_of_table(check, where, table, cid, negative=False)
        if not found:
            check.add(where, "", "", "has no terms.")
        terms.extend(found)
    negatives: list[Term] = []
    for index, table in enumerate(data.get("negative", [])):
        where = f"[[negative]] #{index + 1}"
        if not isinstance(table, Mapping):
            check.add(where, "", "", "must be a table.")
            continue
        for key in sorted(set(table) - _NEGATIVE_KEYS):
            check.add(where, key, "", "unknown key (note, concepts, nb, nn, da, sv).")
        blocked = table.get("concepts", ["*"])
        if not isinstance(blocked, list):
            check.add(where, "concepts", "", "must be a list of concept ids.")
            blocked = ["*"]
        for cid in blocked:
            if cid != "*" and cid not in concept_ids:
                check.add(where, "concepts", "", f"{cid!r} is not a concept of the taxonomy.")
        for cid in blocked:
            negatives.extend(_terms_of_table(check, where, table, str(cid), negative=True))
    positive = {(t.lang, t.text): t.concept for t in terms}
    for term in negatives:
        if (term.lang, term.text) in positive:
            check.add(
                "[[negative]]",
                term.lang,
                term.pattern,
                f"{term.text!r} is also a term of {positive[(term.lang, term.text)]}; a term "
                "cannot be both.",
            )
    check.raise_if_any()
    return Lexicon(
        version=str(version),
        terms=tuple(terms),
        negatives=tuple(negatives),
        taxonomy_version=taxonomy_version,
        source=source,
        notes=notes,
    )


def available_versions() -> list[str]:
    """Versions of the bundled lexicon, oldest first."""
    folder = resources.files("tillit").joinpath("data/lexicon")
    found = [m.group(1) for p in folder.iterdir() if (m := _FILE.match(p.name))]
    return sorted(found, key=int)


def load_lexicon(version: str | None = None) -> Lexicon:
    """Load a bundled lexicon (the newest when ``version`` is None), checked and cached.

    Raises
    ------
    NotFoundError
        No bundled lexicon has that version.
    TillitError
        The file is invalid (see :func:`parse_lexicon`).
    """
    versions = available_versions()
    wanted = versions[-1] if version is None and versions else str(version)
    if wanted not in versions:
        raise NotFoundError(
            f"No bundled lexicon version {wanted!r}.",
            hint=f"Available versions: {', '.join(versions) or 'none'}.",
        )
    return _load_bundled(wanted)


@functools.cache
def _load_bundled(wanted: str) -> Lexicon:
    name = f"lexicon-{wanted}.toml"
    text = resources.files("tillit").joinpath(f"data/lexicon/{name}").read_text("utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TillitError(
            f"Invalid lexicon {name}: not valid TOML ({exc}).",
            ErrorCode.INVALID_INPUT,
            hint="Fix the TOML syntax at the line given.",
        ) from exc
    lexicon = parse_lexicon(data, source=name)
    if lexicon.version != wanted:
        raise TillitError(
            f"Invalid lexicon {name}: version {lexicon.version!r} does not match the file name.",
            ErrorCode.INVALID_INPUT,
            hint=f'Set version = "{wanted}" or rename the file.',
        )
    return lexicon
