"""Pseudonymisation: names and places replaced by stable placeholders, with an offset map.

A :class:`Pseudonymiser` holds the names to replace (persons, places, or other kinds), each
optionally with aliases (``["Kari Hansen", "Kari", "Hansen"]`` all become one placeholder), and
the key (placeholder -> original). Matching is whole-word and case-insensitive, also in the
possessive (``Hansens``, ``Bergens``, ``Lars'``, ``Hansen's``): the name is replaced and the
ending kept (``[PERSON-1]s``). Longer names win over shorter ones at the same place. The same
name gets the same placeholder in every text the pseudonymiser sees; pass the stored key back
(``key=``) to continue numbering in a later session.

:meth:`PseudonymisedText.map_codings` moves codings from the original to the pseudonymised
text; a coding whose boundary falls inside a replaced name is refused (or, with
``policy="expand"``, widened to the whole placeholder).

Examples
--------
>>> p = Pseudonymiser(persons=[["Kari Hansen", "Hansen"]], places=["Bergen"])
>>> r = p.apply("Kari Hansen flyttet til Bergen. Hansens sjef i Bergens kommune.")
>>> r.text
'[PERSON-1] flyttet til [PLACE-1]. [PERSON-1]s sjef i [PLACE-1]s kommune.'
>>> p.key
{'[PERSON-1]': 'Kari Hansen', '[PLACE-1]': 'Bergen'}
>>> r.map_offset(24), r.map_offset(30)
(23, 32)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from tillit.qda.codings import CodingsLike, as_codings
from tillit.qda.errors import OffsetError, QdaError

__all__ = [
    "PseudonymisedText",
    "Pseudonymiser",
    "Replacement",
    "registry_places",
]

_POSSESSIVE = r"(?:['’]s|s|['’])?"
_PLACEHOLDER = re.compile(r"^\[([A-Z]+)-(\d+)\]$")


@dataclass(frozen=True)
class Replacement:
    """One replaced name: ``original[start:end]`` became ``text[new_start:new_end]``."""

    start: int
    end: int
    new_start: int
    new_end: int
    original: str
    placeholder: str


@dataclass(frozen=True)
class PseudonymisedText:
    """The pseudonymised text, what was replaced, and the offset map to move codings."""

    text: str
    original_length: int
    replacements: tuple[Replacement, ...]

    def _arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        starts = np.array([r.start for r in self.replacements], dtype=np.int64)
        ends = np.array([r.end for r in self.replacements], dtype=np.int64)
        new_starts = np.array([r.new_start for r in self.replacements], dtype=np.int64)
        new_ends = np.array([r.new_end for r in self.replacements], dtype=np.int64)
        return starts, ends, new_starts, new_ends

    def _map(self, pos: np.ndarray, side: str, policy: str) -> tuple[np.ndarray, np.ndarray]:
        starts, ends, new_starts, new_ends = self._arrays()
        delta = np.concatenate([[0], np.cumsum((new_ends - new_starts) - (ends - starts))])
        k = np.searchsorted(ends, pos, side="right")  # replacements ending at or before pos
        out = pos + delta[k]
        inside = np.zeros(pos.size, dtype=bool)
        nxt = k < starts.size
        inside[nxt] = (pos[nxt] > starts[k[nxt]]) & (pos[nxt] < ends[k[nxt]])
        if policy == "expand" and inside.any():
            target = new_starts if side == "start" else new_ends
            out[inside] = target[k[inside]]
        return out, inside

    def map_offset(self, pos: int, *, side: Literal["start", "end"] = "start") -> int:
        """Where an offset of the original text lies in the pseudonymised text.

        Raises
        ------
        OffsetError
            When ``pos`` falls strictly inside a replaced name.
        """
        if not 0 <= pos <= self.original_length:
            raise QdaError(
                f"offset {pos} is outside the text (0..{self.original_length})", argument="pos"
            )
        out, inside = self._map(np.array([pos], dtype=np.int64), side, "refuse")
        if inside[0]:
            raise OffsetError(
                f"offset {pos} falls inside a replaced name",
                "Move the boundary to the start or end of the name.",
                pos=pos,
            )
        return int(out[0])

    def map_codings(
        self, codings: CodingsLike, *, policy: Literal["refuse", "expand"] = "refuse"
    ) -> pd.DataFrame:
        """Codings of this source moved to the pseudonymised text.

        Parameters
        ----------
        codings : DataFrame or iterable
            Codings on the original text of this source.
        policy : {"refuse", "expand"}
            A boundary inside a replaced name: raise :class:`OffsetError` naming the first such
            coding (default), or widen the coding to cover the whole placeholder.
        """
        if policy not in ("refuse", "expand"):
            raise QdaError(
                f"policy={policy!r} is not allowed; use refuse or expand", argument="policy"
            )
        frame = as_codings(codings)
        past = frame["end"].to_numpy() > self.original_length
        if past.any():
            row = int(np.flatnonzero(past)[0])
            raise QdaError(f"coding row {row} ends past the text ({self.original_length})", row=row)
        start, bad_s = self._map(frame["start"].to_numpy(dtype=np.int64), "start", policy)
        end, bad_e = self._map(frame["end"].to_numpy(dtype=np.int64), "end", policy)
        if policy == "refuse" and (bad_s.any() or bad_e.any()):
            row = int(np.flatnonzero(bad_s | bad_e)[0])
            raise OffsetError(
                f"coding row {row} ({frame['start'].iloc[row]}-{frame['end'].iloc[row]}) has a "
                "boundary inside a replaced name",
                "Adjust the coding to include or exclude the whole name, or use policy='expand'.",
                row=row,
            )
        out = frame.copy()
        out["start"] = start
        out["end"] = end
        return out


def _group(item: str | Sequence[str]) -> list[str]:
    names = [item] if isinstance(item, str) else list(item)
    names = [unicodedata.normalize("NFC", n.strip()) for n in names if n and n.strip()]
    if not names:
        raise QdaError("an empty name was given", "Remove empty entries.", argument="names")
    return names


class Pseudonymiser:
    """Replace names with stable placeholders across texts.

    Parameters
    ----------
    persons, places : iterable of str or of alias lists
        Names to replace with ``[PERSON-n]`` / ``[PLACE-n]``.
    others : mapping kind -> names, optional
        Other kinds, e.g. ``{"ORG": ["Fagforbundet"]}`` gives ``[ORG-n]``.
    key : mapping placeholder -> original, optional
        A key from an earlier session: its names keep their placeholders.
    """

    def __init__(
        self,
        persons: Iterable[str | Sequence[str]] = (),
        places: Iterable[str | Sequence[str]] = (),
        *,
        others: Mapping[str, Iterable[str | Sequence[str]]] | None = None,
        key: Mapping[str, str] | None = None,
    ) -> None:
        self._key: dict[str, str] = {}
        self._placeholder_of: dict[str, str] = {}  # casefolded canonical name -> placeholder
        self._next: dict[str, int] = {}
        for placeholder, original in (key or {}).items():
            match = _PLACEHOLDER.match(placeholder)
            if match is None:
                raise QdaError(
                    f"{placeholder!r} is not a placeholder like [PERSON-1]", argument="key"
                )
            kind, number = match.group(1), int(match.group(2))
            self._key[placeholder] = original
            self._placeholder_of[original.casefold()] = placeholder
            self._next[kind] = max(self._next.get(kind, 1), number + 1)
        self._alias: dict[str, tuple[str, str]] = {}  # alias casefolded -> (kind, canonical)
        kinds: dict[str, Iterable[str | Sequence[str]]] = {"PERSON": persons, "PLACE": places}
        kinds.update(others or {})
        for kind, items in kinds.items():
            if not re.fullmatch(r"[A-Z]+", kind):
                raise QdaError(f"kind {kind!r} must be capital letters A-Z", argument="others")
            for item in items:
                names = _group(item)
                for name in names:
                    self._alias.setdefault(name.casefold(), (kind, names[0]))
        self._pattern = self._compile()

    def _compile(self) -> re.Pattern[str] | None:
        if not self._alias:
            return None
        aliases = sorted(self._alias, key=lambda a: (-len(a), a))
        body = "|".join(r"\s+".join(re.escape(p) for p in a.split()) for a in aliases)
        return re.compile(rf"(?<!\w)(?P<name>{body})(?P<poss>{_POSSESSIVE})(?!\w)", re.IGNORECASE)

    @property
    def key(self) -> dict[str, str]:
        """Placeholder -> original name (store it apart from the texts, owner only)."""
        return dict(self._key)

    def placeholder(self, name: str) -> str:
        """The placeholder of a name or alias (assigning the next number on first use)."""
        found = self._alias.get(re.sub(r"\s+", " ", name).casefold())
        if found is None:
            raise QdaError(f"{name!r} is not among the names to replace", argument="name")
        kind, canonical = found
        folded = canonical.casefold()
        if folded not in self._placeholder_of:
            number = self._next.get(kind, 1)
            self._next[kind] = number + 1
            placeholder = f"[{kind}-{number}]"
            self._placeholder_of[folded] = placeholder
            self._key[placeholder] = canonical
        return self._placeholder_of[folded]

    def apply(self, text: str) -> PseudonymisedText:
        """Replace every listed name in ``text`` (whole words, any case, possessives)."""
        if self._pattern is None:
            return PseudonymisedText(text, len(text), ())
        pieces: list[str] = []
        replacements: list[Replacement] = []
        last = 0
        new_pos = 0
        for match in self._pattern.finditer(text):
            start, end = match.span("name")
            pieces.append(text[last:start])
            new_pos += start - last
            placeholder = self.placeholder(match.group("name"))
            pieces.append(placeholder)
            replacements.append(
                Replacement(
                    start,
                    end,
                    new_pos,
                    new_pos + len(placeholder),
                    match.group("name"),
                    placeholder,
                )
            )
            new_pos += len(placeholder)
            last = end
        pieces.append(text[last:])
        return PseudonymisedText("".join(pieces), len(text), tuple(replacements))


def registry_places(country: str | None = None, *, min_length: int = 3) -> list[str]:
    """Municipality names (and parallel Sami/Kven names) from the registry, as place names.

    Names shorter than ``min_length`` (``Å``, ``Bø``, ``Hå``...) are left out because they are
    also ordinary words; add them by hand where they are meant. Some longer names are ordinary
    words too (``Vik``, ``Nes``, ``Moss``): review the result.
    """
    from tillit import registry

    names: dict[str, None] = {}
    for municipality in registry.municipalities(country):
        for name in (municipality.name, *municipality.parallel_names):
            if len(name) >= min_length:
                names.setdefault(name, None)
    return list(names)
