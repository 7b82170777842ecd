"""Close matches for typos: :func:`difflib.get_close_matches` with a vectorised pre-filter.

``difflib`` tries every candidate in Python. :class:`CloseMatcher` first computes, for all
candidates at once with numpy, the upper bound of the similarity ratio that difflib's own
``quick_ratio`` uses (shared characters counted as a multiset), and runs the exact
:class:`difflib.SequenceMatcher` ratio only on candidates whose bound reaches the cutoff.
The answers are the same as ``get_close_matches``; only fewer candidates are scored.
"""

from __future__ import annotations

import difflib
import heapq
from collections.abc import Iterable

import numpy as np


class CloseMatcher:
    """Find the strings most similar to a word among a fixed set of candidates.

    Parameters
    ----------
    candidates : iterable of str
        The strings to search (duplicates are kept once).

    Examples
    --------
    >>> CloseMatcher(["oslo", "bergen", "trondheim"]).close_matches("trondhjem")
    [(0.8889, 'trondheim')]
    """

    def __init__(self, candidates: Iterable[str]):
        self.candidates: tuple[str, ...] = tuple(dict.fromkeys(candidates))
        alphabet = sorted({ch for word in self.candidates for ch in word})
        self._column = {ch: i for i, ch in enumerate(alphabet)}
        counts = np.zeros((len(self.candidates), max(len(alphabet), 1)), dtype=np.int16)
        for row, word in enumerate(self.candidates):
            for ch in word:
                counts[row, self._column[ch]] += 1
        self._counts = counts
        self._lengths = np.array([len(w) for w in self.candidates], dtype=np.float64)

    def close_matches(self, word: str, n: int = 3, cutoff: float = 0.6) -> list[tuple[float, str]]:
        """The ``n`` best ``(ratio, candidate)`` pairs with ratio ≥ ``cutoff``, best first.

        Ratios are rounded to 4 decimals; ties are ordered as :func:`difflib.get_close_matches`
        orders them (by candidate, descending).
        """
        if not word or not self.candidates:
            return []
        query = np.zeros(self._counts.shape[1], dtype=np.int16)
        for ch in word:
            column = self._column.get(ch)
            if column is not None:
                query[column] += 1
        shared = np.minimum(self._counts, query).sum(axis=1)
        bound = 2.0 * shared / (self._lengths + len(word))
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(word)
        scored = []
        for index in np.flatnonzero(bound >= cutoff):
            candidate = self.candidates[int(index)]
            matcher.set_seq1(candidate)
            ratio = matcher.ratio()
            if ratio >= cutoff:
                scored.append((ratio, candidate))
        return [(round(r, 4), c) for r, c in heapq.nlargest(n, scored)]
