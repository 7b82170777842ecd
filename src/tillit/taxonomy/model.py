"""The concept taxonomy as plain Python objects: :class:`Concept` and :class:`Taxonomy`.

Build a :class:`Taxonomy` with :func:`tillit.taxonomy.load_taxonomy` or
:func:`tillit.taxonomy.validate`; the constructor here trusts its input.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from tillit.errors import ErrorCode, NotFoundError, TillitError

if TYPE_CHECKING:
    import pandas as pd

#: Languages every concept is labelled in: Bokmål, Nynorsk, Danish, Swedish, English.
LANGUAGES: tuple[str, ...] = ("nb", "nn", "da", "sv", "en")

#: Languages every concept must have a definition in.
REQUIRED_DEFINITIONS: tuple[str, ...] = ("en", "nb")

#: The six branch roots, the only concepts without a parent.
BRANCHES: tuple[str, ...] = ("measure", "motive", "dilemma", "relation", "sector", "actor")

#: Where to look when a text is missing in the language asked for.
FALLBACKS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "nb": ("nb", "en"),
        "nn": ("nn", "nb", "en"),
        "da": ("da", "en"),
        "sv": ("sv", "en"),
        "en": ("en",),
    }
)

_FOLD = str.maketrans({"ø": "o", "æ": "ae", "ß": "ss", "đ": "d", "ł": "l"})
_NON_WORD = re.compile(r"[^0-9a-z]+")


def fallback_chain(lang: str) -> tuple[str, ...]:
    """Languages to try, in order, for a text asked for in `lang`.

    Parameters
    ----------
    lang : str
        One of :data:`LANGUAGES`.

    Returns
    -------
    tuple of str
        For example ``("nn", "nb", "en")`` for Nynorsk.

    Raises
    ------
    TillitError
        If `lang` is not one of :data:`LANGUAGES`.
    """
    try:
        return FALLBACKS[lang]
    except KeyError:
        raise TillitError(
            f"Unknown language {lang!r} for taxonomy labels.",
            ErrorCode.INVALID_INPUT,
            hint=f"Use one of {', '.join(LANGUAGES)}.",
        ) from None


def normalize(text: str) -> str:
    """Fold `text` for searching: case, accents, Nordic letters and punctuation.

    Examples
    --------
    >>> normalize("Færre rapporterings- og dokumentasjonskrav")
    'faerre rapporterings og dokumentasjonskrav'
    >>> normalize("Rättssäkerhet") == normalize("rattssakerhet")
    True
    """
    text = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", text).strip()


def _pick(texts: Mapping[str, str], lang: str, fallback: bool) -> tuple[str, str] | None:
    chain = fallback_chain(lang) if fallback else (fallback_chain(lang)[0],)
    for code in chain:
        text = texts.get(code)
        if text:
            return code, text
    return None


@dataclass(frozen=True)
class Concept:
    """One concept of the taxonomy.

    Parameters
    ----------
    id : str
        Stable dotted id such as ``"measure.reporting_reduction"``. Never reused or renamed.
    parent : str or None
        Id of the parent concept; None for a branch root.
    labels : Mapping[str, str]
        Short name per language code (nb, nn, da, sv, en).
    definitions : Mapping[str, str]
        Definition per language code; en and nb are always present.
    note : str
        Guidance for coders and analysts, in English.
    source : str
        Short citation where the concept comes from the literature.
    deprecated : bool
        True for a withdrawn concept; it stays so that old data still resolve.
    replaced_by : str or None
        Id of the concept that replaces a deprecated one.
    related : tuple of str
        Ids of related concepts (e.g. a measure's kind and the problem it answers).

    Attributes
    ----------
    branch : str
        Id of the branch root the concept belongs to (the first id segment).
    """

    id: str
    parent: str | None
    labels: Mapping[str, str]
    definitions: Mapping[str, str] = field(default_factory=dict)
    note: str = ""
    source: str = ""
    deprecated: bool = False
    replaced_by: str | None = None
    related: tuple[str, ...] = ()
    branch: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", MappingProxyType(dict(self.labels)))
        object.__setattr__(self, "definitions", MappingProxyType(dict(self.definitions)))
        object.__setattr__(self, "related", tuple(self.related))
        object.__setattr__(self, "branch", self.id.split(".", 1)[0])

    def __hash__(self) -> int:
        return hash(self.id)

    @property
    def depth(self) -> int:
        """0 for a branch root, 1 for its children, and so on."""
        return self.id.count(".")

    def label(self, lang: str = "en", fallback: bool = True) -> str:
        """The label in `lang`, falling back along :data:`FALLBACKS` if it is missing.

        Parameters
        ----------
        lang : str
            Language code, one of :data:`LANGUAGES`.
        fallback : bool
            If False, raise instead of falling back.

        Raises
        ------
        NotFoundError
            If there is no label in `lang` and `fallback` is False.
        """
        return self.label_in(lang, fallback)[1]

    def label_in(self, lang: str = "en", fallback: bool = True) -> tuple[str, str]:
        """``(language used, label)``; the language is what an HTML ``lang`` attribute needs."""
        found = _pick(self.labels, lang, fallback)
        if found is None:
            raise NotFoundError(
                f"Concept {self.id!r} has no label in {lang!r}.",
                hint="Ask with fallback=True to get the nearest language.",
            )
        return found

    def definition(self, lang: str = "en", fallback: bool = True) -> str:
        """The definition in `lang`, falling back along :data:`FALLBACKS` if it is missing.

        Examples
        --------
        >>> from tillit.taxonomy import load_taxonomy
        >>> c = load_taxonomy().get("measure.delegation")
        >>> c.definition("nn") == c.definition("nb")  # no Nynorsk definition yet
        True
        """
        return self.definition_in(lang, fallback)[1]

    def definition_in(self, lang: str = "en", fallback: bool = True) -> tuple[str, str]:
        """``(language used, definition)``."""
        found = _pick(self.definitions, lang, fallback)
        if found is None:
            raise NotFoundError(
                f"Concept {self.id!r} has no definition in {lang!r}.",
                hint="Ask with fallback=True to get the nearest language.",
            )
        return found

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every field."""
        return {
            "id": self.id,
            "parent": self.parent,
            "branch": self.branch,
            "depth": self.depth,
            "labels": dict(self.labels),
            "definitions": dict(self.definitions),
            "note": self.note,
            "source": self.source,
            "related": list(self.related),
            "deprecated": self.deprecated,
            "replaced_by": self.replaced_by,
        }


class Taxonomy:
    """A versioned tree of concepts with six branches.

    Parameters
    ----------
    version : str
        Release in ``YYYY.MM.PATCH`` form.
    concepts : iterable of Concept
        In file order; parents need not come before their children.
    released : datetime.date, optional
        Release date.
    languages : tuple of str
        Label languages.
    source : str
        Where the taxonomy was read from, for messages.

    Examples
    --------
    >>> from tillit.taxonomy import load_taxonomy
    >>> tax = load_taxonomy()
    >>> [c.id for c in tax.roots()]
    ['measure', 'motive', 'dilemma', 'relation', 'sector', 'actor']
    >>> tax.label("measure.reporting_reduction", "nb")
    'Færre rapporterings- og dokumentasjonskrav'
    >>> [c.id for c in tax.ancestors("relation.vertical.leaders_employees")]
    ['relation', 'relation.vertical']
    """

    def __init__(
        self,
        version: str,
        concepts: Iterable[Concept],
        *,
        released: dt.date | None = None,
        languages: tuple[str, ...] = LANGUAGES,
        source: str = "",
    ) -> None:
        self._version = version
        self._released = released
        self._languages = tuple(languages)
        self._source = source
        by_id = {c.id: c for c in concepts}
        self._concepts: Mapping[str, Concept] = MappingProxyType(by_id)
        children: dict[str, list[str]] = {cid: [] for cid in by_id}
        for c in by_id.values():
            if c.parent is not None and c.parent in children:
                children[c.parent].append(c.id)
        self._children = {k: tuple(v) for k, v in children.items()}
        self._roots = tuple(c.id for c in by_id.values() if c.parent is None)

    # -- identity ---------------------------------------------------------------------------

    @property
    def version(self) -> str:
        """Release, ``YYYY.MM.PATCH``."""
        return self._version

    @property
    def released(self) -> dt.date | None:
        """Release date, if the file gives one."""
        return self._released

    @property
    def languages(self) -> tuple[str, ...]:
        """Label languages."""
        return self._languages

    @property
    def source(self) -> str:
        """Where the taxonomy was read from."""
        return self._source

    @property
    def concepts(self) -> Mapping[str, Concept]:
        """Read-only mapping of id to concept, in file order."""
        return self._concepts

    def __repr__(self) -> str:
        return f"<Taxonomy {self._version}: {len(self)} concepts>"

    # -- lookup -----------------------------------------------------------------------------

    def __contains__(self, concept_id: object) -> bool:
        return concept_id in self._concepts

    def __iter__(self) -> Iterator[Concept]:
        return iter(self._concepts.values())

    def __len__(self) -> int:
        return len(self._concepts)

    def get(self, concept_id: str) -> Concept:
        """The concept with id `concept_id`.

        Raises
        ------
        NotFoundError
            If there is no such concept; the hint suggests close ids.
        """
        try:
            return self._concepts[concept_id]
        except KeyError:
            pass
        close = self.suggest(concept_id)
        quoted = [repr(c) for c in close]
        options = " or ".join([", ".join(quoted[:-1]), quoted[-1]] if len(quoted) > 1 else quoted)
        hint = f"Did you mean {options}? " if close else ""
        raise NotFoundError(
            f"No concept with id {concept_id!r} in taxonomy {self._version}.",
            hint=hint + "List the ids with `tillit taxonomy list` or search with "
            "`tillit taxonomy search TEXT`.",
        )

    def suggest(self, concept_id: str, n: int = 3) -> list[str]:
        """Ids close to `concept_id` (by whole id, or by last segment), best first."""
        ids = list(self._concepts)
        whole = difflib.get_close_matches(concept_id, ids, n=n, cutoff=0.6)
        by_leaf: dict[str, list[str]] = {}
        for cid in ids:
            by_leaf.setdefault(cid.rsplit(".", 1)[-1], []).append(cid)
        leaf = concept_id.rsplit(".", 1)[-1]
        by_segment = [
            cid
            for match in difflib.get_close_matches(leaf, list(by_leaf), n=n, cutoff=0.75)
            for cid in by_leaf[match]
        ]
        # A bare name ("delegaton") is best matched against last segments, a dotted id whole.
        ordered = [*whole, *by_segment] if "." in concept_id else [*by_segment, *whole]
        return list(dict.fromkeys(ordered))[:n]

    def roots(self) -> list[Concept]:
        """The branch roots, in file order."""
        return [self._concepts[cid] for cid in self._roots]

    def children(self, concept_id: str) -> list[Concept]:
        """Direct children of a concept, in file order."""
        self.get(concept_id)
        return [self._concepts[cid] for cid in self._children[concept_id]]

    def ancestors(self, concept_id: str) -> list[Concept]:
        """Ancestors from the branch root down to the parent (empty for a root)."""
        out: list[Concept] = []
        parent = self.get(concept_id).parent
        while parent is not None:
            node = self._concepts[parent]
            out.append(node)
            parent = node.parent
        return out[::-1]

    def descendants(self, concept_id: str) -> list[Concept]:
        """All concepts below `concept_id`, depth first, not including itself."""
        return [c for c, _ in self.walk(concept_id)][1:]

    def branch(self, concept_id: str) -> Concept:
        """The branch root a concept belongs to (the root itself for a root)."""
        return self._concepts[self.get(concept_id).branch]

    def walk(self, start: str | None = None) -> Iterator[tuple[Concept, int]]:
        """Depth-first ``(concept, depth)`` pairs, parents before children.

        Parameters
        ----------
        start : str, optional
            Walk only this concept and its descendants. Default: the whole taxonomy.

        Notes
        -----
        `depth` is absolute (0 for a branch root), so it is the same whatever `start` is.
        """
        stack = [self.get(start).id] if start is not None else list(self._roots)
        stack.reverse()
        while stack:
            node = self._concepts[stack.pop()]
            yield node, node.depth
            stack.extend(reversed(self._children[node.id]))

    def label(self, concept_id: str, lang: str = "en") -> str:
        """The label of a concept in `lang` (nn falls back to nb then en; da, sv to en)."""
        return self.get(concept_id).label(lang)

    def search(self, text: str, lang: str | None = None) -> list[Concept]:
        """Concepts whose label or id contains every word of `text`, best match first.

        Matching ignores case, accents and punctuation (``"faerre rapportering"`` finds
        "Færre rapporterings- og dokumentasjonskrav").

        Parameters
        ----------
        text : str
            Words to look for.
        lang : str, optional
            Search only labels in this language (ids are always searched). Default: all.

        Returns
        -------
        list of Concept
            Exact label matches first, then labels starting with `text`, then the rest, each
            group in taxonomy order.
        """
        query = normalize(text)
        if not query:
            return []
        langs = fallback_chain(lang)[:1] if lang is not None else self._languages
        words = query.split()
        ranked: list[tuple[int, int, Concept]] = []
        for order, concept in enumerate(self):
            labels = [normalize(concept.labels[code]) for code in langs if code in concept.labels]
            rank = _rank(query, words, labels, normalize(concept.id))
            if rank is not None:
                ranked.append((rank, order, concept))
        ranked.sort(key=lambda item: (item[0], item[1]))
        return [c for _, _, c in ranked]

    # -- export -----------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """``{"version", "released", "languages", "concepts": [...]}``, ready for JSON."""
        return {
            "version": self._version,
            "released": self._released.isoformat() if self._released else None,
            "languages": list(self._languages),
            "concepts": [c.to_dict() for c, _ in self.walk()],
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The taxonomy as a JSON string (UTF-8 text, not ASCII-escaped)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    def to_frame(self) -> pd.DataFrame:
        """One row per concept in depth-first order, indexed by id.

        Columns: parent, branch, depth, ``label_<lang>`` and ``definition_<lang>`` for every
        language, note, source, related (comma-separated ids), deprecated, replaced_by.
        """
        import pandas as pd

        rows = []
        for c, depth in self.walk():
            row: dict[str, Any] = {"id": c.id, "parent": c.parent, "branch": c.branch}
            row["depth"] = depth
            for code in self._languages:
                row[f"label_{code}"] = c.labels.get(code)
            for code in self._languages:
                row[f"definition_{code}"] = c.definitions.get(code)
            row.update(
                note=c.note,
                source=c.source,
                related=",".join(c.related),
                deprecated=c.deprecated,
                replaced_by=c.replaced_by,
            )
            rows.append(row)
        return pd.DataFrame(rows).set_index("id")


def _rank(query: str, words: list[str], labels: list[str], norm_id: str) -> int | None:
    if query in labels:
        return 0
    if any(label.startswith(query) for label in labels):
        return 1
    if any(all(w in label for w in words) for label in labels):
        return 2
    if all(w in norm_id for w in words):
        return 3
    return None
