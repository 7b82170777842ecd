"""Codings as data, and the interval arithmetic every query and agreement figure is built on.

A coding is the record ``(source_id, start, end, code_id, coder)``: offsets are Unicode code
points, 0-based and end-exclusive, into the source's normalised text (so ``text[start:end]`` is
the coded segment). Functions of :mod:`tillit.qda` accept a pandas DataFrame with those columns
or any iterable of mappings, tuples or objects with those fields, and call :func:`as_codings`.

The helpers below work on whole numpy arrays (never a Python loop over characters), so that a
project of 100,000 codings over 10 MB of text answers in well under a second:

* :func:`merge_intervals` unions the intervals of each group (e.g. one coder's codings of one
  code in one source);
* :func:`overlap_pairs` lists every pair of intervals of the same group that overlap (or lie
  within ``slack`` characters of each other);
* :func:`coverage_lengths` counts, per group, how many characters are covered by exactly
  ``j`` of the (already merged) interval layers.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from tillit.qda.errors import QdaError

__all__ = [
    "CODING_COLUMNS",
    "CodingsLike",
    "QueryData",
    "as_codings",
    "check_lengths",
    "coverage_lengths",
    "merge_intervals",
    "overlap_pairs",
    "table_frame",
]

CODING_COLUMNS = ("source_id", "start", "end", "code_id", "coder")

#: What the functions accept as codings.
CodingsLike = pd.DataFrame | Iterable[Any]

IntArray = npt.NDArray[np.int64]


def as_codings(codings: CodingsLike, *, allow_empty_segments: bool = False) -> pd.DataFrame:
    """Codings as a DataFrame with the columns of :data:`CODING_COLUMNS` (plus any extras).

    Parameters
    ----------
    codings : DataFrame or iterable
        A DataFrame with the columns ``source_id, start, end, code_id, coder``, or an iterable of
        mappings, 5-tuples ``(source_id, start, end, code_id, coder)`` or objects with those
        attributes. Extra DataFrame columns are kept.
    allow_empty_segments : bool
        Accept ``start == end`` (an empty segment); by default it is an error.

    Returns
    -------
    DataFrame
        A new frame with ``start`` and ``end`` as int64 and a fresh RangeIndex.

    Raises
    ------
    QdaError
        A column is missing, an offset is not a whole number >= 0, or ``end < start``; the
        message names the first offending row.

    Examples
    --------
    >>> as_codings([("s1", 0, 5, "trust", "anna")]).to_dict("records")
    [{'source_id': 's1', 'start': 0, 'end': 5, 'code_id': 'trust', 'coder': 'anna'}]
    """
    if isinstance(codings, pd.DataFrame):
        missing = [c for c in CODING_COLUMNS if c not in codings.columns]
        if missing:
            raise QdaError(
                f"codings lack the column(s) {', '.join(missing)}",
                "Give a DataFrame with the columns source_id, start, end, code_id, coder.",
                argument="codings",
            )
        frame = codings.reset_index(drop=True).copy()
    else:
        frame = pd.DataFrame.from_records(
            [_record(item, i) for i, item in enumerate(codings)], columns=list(CODING_COLUMNS)
        )
    for column in ("start", "end"):
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = values.isna() | (values != values.round()) | (values < 0)
        if bool(bad.any()):
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise QdaError(
                f"coding row {row}: {column}={frame[column].iloc[row]!r} "
                "is not a whole number >= 0",
                "Offsets are 0-based Unicode code points into the source's normalised text.",
                row=row,
                argument=column,
            )
        frame[column] = values.astype(np.int64)
    wrong = frame["end"] < frame["start"]
    if not allow_empty_segments:
        wrong |= frame["end"] == frame["start"]
    if bool(wrong.any()):
        row = int(np.flatnonzero(wrong.to_numpy())[0])
        raise QdaError(
            f"coding row {row}: end={frame['end'].iloc[row]} must be greater than "
            f"start={frame['start'].iloc[row]}",
            "Offsets are end-exclusive: text[start:end] is the coded segment.",
            row=row,
        )
    return frame


def _record(item: Any, index: int) -> tuple[Any, ...]:
    if isinstance(item, Mapping):
        try:
            return tuple(item[c] for c in CODING_COLUMNS)
        except KeyError as exc:
            raise QdaError(
                f"coding {index} lacks the field {exc.args[0]!r}",
                "Each coding needs source_id, start, end, code_id and coder.",
                row=index,
            ) from None
    if isinstance(item, tuple | list) and not hasattr(item, "_fields"):
        if len(item) != len(CODING_COLUMNS):
            raise QdaError(
                f"coding {index} has {len(item)} fields, expected 5",
                "Use (source_id, start, end, code_id, coder).",
                row=index,
            )
        return tuple(item)
    try:
        return tuple(getattr(item, c) for c in CODING_COLUMNS)
    except AttributeError as exc:
        raise QdaError(
            f"coding {index} ({type(item).__name__}) lacks {exc.name!r}",
            "Each coding needs source_id, start, end, code_id and coder.",
            row=index,
        ) from None


def check_lengths(frame: pd.DataFrame, lengths: Mapping[Hashable, int]) -> None:
    """Raise :class:`QdaError` when a coding names an unknown source or ends past its text."""
    known = pd.Series(lengths, dtype="float64") if lengths else pd.Series(dtype="float64")
    limit = frame["source_id"].map(known)
    unknown = limit.isna()
    if bool(unknown.any()):
        row = int(np.flatnonzero(unknown.to_numpy())[0])
        raise QdaError(
            f"coding row {row}: source {frame['source_id'].iloc[row]!r} is not in lengths",
            "Pass the text length of every source that has codings.",
            row=row,
        )
    past = frame["end"].to_numpy() > limit.to_numpy()
    if bool(past.any()):
        row = int(np.flatnonzero(past)[0])
        raise QdaError(
            f"coding row {row}: end={frame['end'].iloc[row]} is past the end of source "
            f"{frame['source_id'].iloc[row]!r} ({int(limit.iloc[row])} characters)",
            "Offsets count code points in the normalised text; re-import the coding.",
            row=row,
        )


def _span(*arrays: npt.NDArray[Any]) -> int:
    top = max((int(a.max()) for a in arrays if a.size), default=0)
    return top + 2


def merge_intervals(
    group: npt.ArrayLike, start: npt.ArrayLike, end: npt.ArrayLike, *, touching: bool = True
) -> tuple[IntArray, IntArray, IntArray]:
    """Union the half-open intervals of each group.

    Parameters
    ----------
    group : array of int
        Non-negative group numbers (e.g. from :func:`pandas.factorize`).
    start, end : array of int
        Interval bounds, ``start <= end``.
    touching : bool
        Merge intervals that touch (``[0, 5)`` and ``[5, 8)``) as well as overlapping ones.

    Returns
    -------
    group, start, end : arrays of int64
        Disjoint intervals, sorted by group then start.

    Examples
    --------
    >>> g, s, e = merge_intervals([0, 0, 0, 1], [0, 3, 10, 0], [5, 8, 12, 1])
    >>> g.tolist(), s.tolist(), e.tolist()
    ([0, 0, 1], [0, 10, 0], [8, 12, 1])
    """
    g = np.asarray(group, dtype=np.int64)
    s = np.asarray(start, dtype=np.int64)
    e = np.asarray(end, dtype=np.int64)
    if g.size == 0:
        return g.copy(), s.copy(), e.copy()
    big = _span(s, e)
    ks = g * big + s
    ke = g * big + e
    order = np.argsort(ks, kind="stable")
    ks, ke = ks[order], ke[order]
    run_end = np.maximum.accumulate(ke)
    new = np.empty(ks.size, dtype=bool)
    new[0] = True
    new[1:] = ks[1:] > run_end[:-1] if touching else ks[1:] >= run_end[:-1]
    first = np.flatnonzero(new)
    last = np.r_[first[1:], ks.size] - 1
    out_g = ks[first] // big
    return out_g, ks[first] - out_g * big, run_end[last] - out_g * big


def overlap_pairs(
    group: npt.ArrayLike, start: npt.ArrayLike, end: npt.ArrayLike, slack: int = 0
) -> tuple[IntArray, IntArray]:
    """Every unordered pair of intervals of the same group that overlap or lie within ``slack``.

    Two half-open intervals overlap when they share at least one character; with ``slack=n``
    they also pair when the gap between them is at most ``n`` characters (``n=0`` pairs only
    overlapping intervals; touching intervals have gap 0 and pair only when ``slack >= 0``
    and they share a character, i.e. never).

    Returns
    -------
    i, j : arrays of int64
        Indices into the inputs, each pair once (``i`` the one that starts first).

    Examples
    --------
    >>> i, j = overlap_pairs([0, 0, 0, 1], [0, 3, 20, 4], [5, 8, 25, 6])
    >>> sorted(zip(i.tolist(), j.tolist()))
    [(0, 1)]
    >>> i, j = overlap_pairs([0, 0, 0], [0, 3, 20], [5, 8, 25], slack=12)
    >>> sorted(zip(i.tolist(), j.tolist()))
    [(0, 1), (1, 2)]
    """
    g = np.asarray(group, dtype=np.int64)
    s = np.asarray(start, dtype=np.int64)
    e = np.asarray(end, dtype=np.int64)
    if g.size < 2:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty.copy()
    if slack < 0:
        raise QdaError(f"slack={slack} must be >= 0", "Give a distance in characters.")
    big = _span(s, e) + slack + 1
    ks = g * big + s
    order = np.argsort(ks, kind="stable")
    ks_sorted = ks[order]
    # A later interval j (sorted by start) pairs with i when start_j < end_i + slack, or
    # start_j <= end_i + slack when slack > 0 (a gap of exactly `slack` characters).
    limit = g[order] * big + e[order] + slack
    stop = np.searchsorted(ks_sorted, limit, side="right" if slack > 0 else "left")
    counts = np.maximum(stop - np.arange(ks.size) - 1, 0)
    total = int(counts.sum())
    if total == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty.copy()
    first = np.repeat(np.arange(ks.size), counts)
    offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    second = first + 1 + offsets
    return order[first].astype(np.int64), order[second].astype(np.int64)


def coverage_lengths(
    group: npt.ArrayLike, start: npt.ArrayLike, end: npt.ArrayLike, n_groups: int, k_layers: int
) -> npt.NDArray[np.int64]:
    """Characters covered by exactly ``j`` layers, per group (``j = 1 .. k_layers``).

    The intervals of one layer (e.g. one coder) within a group must be disjoint (merge them with
    :func:`merge_intervals` first); then a character's count is the number of layers covering it.

    Returns
    -------
    array of shape (n_groups, k_layers + 1)
        Column ``j`` holds the characters covered by exactly ``j`` layers; column 0 is left 0
        (uncovered characters depend on the text length, which the caller knows).

    Examples
    --------
    >>> coverage_lengths([0, 0], [0, 5], [10, 20], 1, 2).tolist()
    [[0, 15, 5]]
    """
    g = np.asarray(group, dtype=np.int64)
    s = np.asarray(start, dtype=np.int64)
    e = np.asarray(end, dtype=np.int64)
    out = np.zeros((n_groups, k_layers + 1), dtype=np.int64)
    if g.size == 0:
        return out
    big = _span(s, e)
    pos = np.concatenate([g * big + s, g * big + e])
    delta = np.concatenate([np.ones(g.size, np.int64), -np.ones(g.size, np.int64)])
    order = np.argsort(pos, kind="stable")
    pos, delta = pos[order], delta[order]
    count = np.cumsum(delta)
    length = np.diff(pos)
    cnt = count[:-1]
    keep = (length > 0) & (cnt > 0)
    grp = pos[:-1][keep] // big
    flat = grp * (k_layers + 1) + np.minimum(cnt[keep], k_layers)
    out += (
        np.bincount(flat, weights=length[keep], minlength=out.size)
        .astype(np.int64)
        .reshape(out.shape)
    )
    return out


@dataclass(frozen=True)
class QueryData:
    """What a query can refer to besides the codings.

    Attributes
    ----------
    cases : DataFrame, optional
        Case membership: ``case_id, source_id`` and optionally ``start, end`` (a span of the
        source; missing means the whole source).
    case_attributes : DataFrame, optional
        ``case_id, name, value``.
    source_attributes : DataFrame, optional
        ``source_id, name, value`` (kind, municipality, country, interviewer...).
    code_names : mapping, optional
        Name (as typed in a query) -> code id, or a list of ids (e.g. a code and its sub-codes).
    """

    cases: pd.DataFrame | None = None
    case_attributes: pd.DataFrame | None = None
    source_attributes: pd.DataFrame | None = None
    code_names: Mapping[str, Any] | None = None


def table_frame(data: Any, columns: Sequence[str], name: str) -> pd.DataFrame | None:
    """A side table (cases, attributes) as a DataFrame with the required columns, or None."""
    if data is None:
        return None
    frame = (
        data
        if isinstance(data, pd.DataFrame)
        else pd.DataFrame.from_records(
            list(data),
            columns=list(columns) if data and not isinstance(next(iter(data)), Mapping) else None,
        )
    )
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise QdaError(f"{name} lack the column(s) {', '.join(missing)}", argument=name)
    return frame
