"""Intercoder reliability of codings: percent agreement, Cohen's kappa, alpha, segment overlap.

* :func:`agreement` - per code (and per code x source) percent agreement and Cohen's kappa on
  characters, NVivo's coding comparison: every character of every source is a unit and each
  coder's value is "coded with this code" or not. Pooled overall figures; optionally only the
  characters somebody coded count (QualCoder issue #667).
* :func:`code_alpha` - Krippendorff's alpha per code on the same character units, for any
  number of coders (binary values; ATLAS.ti calls the family "alpha-binary").
* :func:`segment_overlap` - MAXQDA-style segment matching: for each segment of each coder, does
  another coder have the same code on a segment overlapping at least ``threshold``?
* :func:`krippendorff_alpha`, :func:`unitizing_alpha` - re-exported from :mod:`tillit.qda.alpha`.

Kappa uses the standard formula (Cohen 1960), as NVivo documents it:
``kappa = (p_o - p_e) / (1 - p_e)`` with ``p_e = (A/N)(B/N) + ((N-A)/N)((N-B)/N)``, where ``A``
and ``B`` are the characters each coder coded and ``N`` all characters. QualCoder multiplies
the two chance terms instead of adding them and restricts ``N`` to coded text; on NVivo's
worked example (1000 characters, 50 coded by both, 150 by A only) that gives 0.25 instead of
0.3478, so we do not follow it (brief qda.md 2.5).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from tillit.qda.alpha import AlphaResult, UnitizingResult, krippendorff_alpha, unitizing_alpha
from tillit.qda.codings import (
    CodingsLike,
    as_codings,
    check_lengths,
    coverage_lengths,
    merge_intervals,
    overlap_pairs,
)
from tillit.qda.errors import QdaError
from tillit.qda.results import Summary

__all__ = [
    "AgreementResult",
    "AlphaResult",
    "CodeAlphaResult",
    "SegmentOverlapResult",
    "UnitizingResult",
    "agreement",
    "code_alpha",
    "cohen_kappa",
    "krippendorff_alpha",
    "pairwise_agreement",
    "segment_overlap",
    "unitizing_alpha",
]

Uncoded = Literal["include", "exclude"]


def cohen_kappa(both: float, only_a: float, only_b: float, neither: float) -> float:
    """Cohen's kappa from the four cells of a 2 x 2 table (NaN when chance agreement is 1).

    Examples
    --------
    NVivo's documented example: 1000 characters, 50 coded by both, 150 by A only.

    >>> round(cohen_kappa(50, 150, 0, 800), 4)
    0.3478
    """
    total = both + only_a + only_b + neither
    if total <= 0:
        return math.nan
    a = (both + only_a) / total
    b = (both + only_b) / total
    p_o = (both + neither) / total
    p_e = a * b + (1.0 - a) * (1.0 - b)
    if p_e >= 1.0:
        return math.nan
    return (p_o - p_e) / (1.0 - p_e)


def _pick_coders(frame: pd.DataFrame, coders: Sequence[Any] | None, need: int | None) -> list[Any]:
    present = sorted(frame["coder"].unique().tolist(), key=str)
    who = list(coders) if coders is not None else present
    if need is not None and len(who) != need:
        raise QdaError(
            f"this comparison needs exactly {need} coders; found {len(who)}: "
            f"{', '.join(map(str, who))}",
            "Pass coders=(coder_a, coder_b).",
            argument="coders",
        )
    if len(who) < 2:
        raise QdaError("a comparison needs at least two coders", argument="coders")
    return who


def _prepare(
    codings: CodingsLike,
    lengths: Mapping[Hashable, int],
    codes: Sequence[Any] | None,
    who: Sequence[Any] | None,
    need: int | None,
) -> tuple[pd.DataFrame, list[Any], list[Any], pd.Index]:
    frame = as_codings(codings)
    check_lengths(frame, lengths)
    coders = _pick_coders(frame, who, need)
    frame = frame[frame["coder"].isin(coders)]
    code_list = list(codes) if codes is not None else sorted(frame["code_id"].unique(), key=str)
    frame = frame[frame["code_id"].isin(code_list)]
    sources = pd.Index(list(lengths))
    return frame, coders, code_list, sources


def _coded_extent(frame: pd.DataFrame, sources: pd.Index) -> np.ndarray:
    """Characters per source covered by any coding in ``frame``."""
    src = sources.get_indexer(pd.Index(frame["source_id"]))
    g, s, e = merge_intervals(src, frame["start"], frame["end"])
    return np.bincount(g, weights=e - s, minlength=len(sources)).astype(np.int64)


def _layers(
    frame: pd.DataFrame, coders: list[Any], codes: list[Any], sources: pd.Index, by_source: bool
) -> tuple[np.ndarray, np.ndarray, int]:
    """Coverage histogram per group and characters coded per (group, coder)."""
    code_idx = pd.Index(codes).get_indexer(pd.Index(frame["code_id"]))
    src_idx = sources.get_indexer(pd.Index(frame["source_id"]))
    coder_idx = pd.Index(coders).get_indexer(pd.Index(frame["coder"]))
    n_groups = len(codes) * (len(sources) if by_source else 1)
    # Merge per (source, code, coder) so that one coder's overlapping codings count once.
    layer_key = (code_idx * len(sources) + src_idx) * len(coders) + coder_idx
    lg, ls, le = merge_intervals(layer_key, frame["start"], frame["end"])
    coder_of = lg % len(coders)
    src_code = lg // len(coders)
    grp = src_code if by_source else src_code // len(sources)
    # Lay the sources end to end so that a group pooling sources never mixes their positions.
    src_of = src_code % len(sources)
    span = int(le.max()) + 1 if le.size else 1
    hist = coverage_lengths(grp, ls + src_of * span, le + src_of * span, n_groups, len(coders))
    per_coder = np.zeros((n_groups, len(coders)), dtype=np.int64)
    per_coder += (
        np.bincount(grp * len(coders) + coder_of, weights=le - ls, minlength=per_coder.size)
        .astype(np.int64)
        .reshape(per_coder.shape)
    )
    return hist, per_coder, n_groups


@dataclass(frozen=True)
class AgreementResult(Summary):
    """Character-based percent agreement and Cohen's kappa of two coders.

    Attributes
    ----------
    table : DataFrame
        One row per code (or per code and source): ``code_id, [source_id,] n_units, both,
        only_a, only_b, neither, agreement, kappa``.
    overall_agreement, overall_kappa : float
        Pooled over codes: the four cells summed over the rows of ``table`` (each code's
        characters are separate units), then the same formulas.
    mean_kappa : float
        Unweighted mean of the per-row kappas (NaN ones left out).
    weighted_kappa : float
        Mean of the per-row kappas weighted by their units (NaN ones left out); with
        ``by_source=True`` this is NVivo's way of averaging a node's per-source kappas.
    coder_a, coder_b : object
    uncoded : {"include", "exclude"}
        Whether characters nobody coded (with any compared code) were units.
    method : str
    warnings : tuple of str
    """

    title = "Percent agreement and Cohen's kappa"

    table: pd.DataFrame
    overall_agreement: float
    overall_kappa: float
    mean_kappa: float
    weighted_kappa: float
    coder_a: Any
    coder_b: Any
    uncoded: str
    method: str = "Cohen's kappa and percent agreement on characters (NVivo coding comparison)"
    warnings: tuple[str, ...] = field(default=())

    def to_frame(self) -> pd.DataFrame:
        """The per-code table with a last row ``code_id = "(all)"`` for the pooled figures."""
        sums = self.table[["n_units", "both", "only_a", "only_b", "neither"]].sum()
        row = {
            "code_id": "(all)",
            **{k: int(v) for k, v in sums.items()},
            "agreement": self.overall_agreement,
            "kappa": self.overall_kappa,
        }
        return pd.concat([self.table, pd.DataFrame([row])], ignore_index=True)


def agreement(
    codings: CodingsLike,
    lengths: Mapping[Hashable, int],
    *,
    coders: Sequence[Any] | None = None,
    codes: Sequence[Any] | None = None,
    uncoded: Uncoded = "include",
    by_source: bool = False,
) -> AgreementResult:
    """Percent agreement and Cohen's kappa per code on characters, for two coders.

    Parameters
    ----------
    codings : DataFrame or iterable
        Codings ``(source_id, start, end, code_id, coder)``.
    lengths : mapping
        Text length (code points) of every compared source; sources without codings count too.
    coders : (coder_a, coder_b), optional
        Default: the two coders present (an error when there are more).
    codes : sequence, optional
        Codes to compare (default: every code coded by either coder).
    uncoded : {"include", "exclude"}
        ``"exclude"`` drops characters that neither coder coded with any of the compared codes,
        so long uncoded stretches do not inflate agreement.
    by_source : bool
        One row per code and source (NVivo's table) instead of per code.

    Returns
    -------
    AgreementResult

    Notes
    -----
    For a code, ``A`` and ``B`` are the characters each coder coded with it (overlapping codings
    of one coder count once), ``both`` their intersection and ``N`` the units. Agreement is
    ``(both + neither) / N``; kappa is :func:`cohen_kappa`.

    Examples
    --------
    >>> rows = [("s", 0, 200, "c", "A"), ("s", 150, 200, "c", "B")]
    >>> r = agreement(rows, {"s": 1000})
    >>> round(r.overall_agreement, 2), round(r.overall_kappa, 4)
    (0.85, 0.3478)
    """
    if uncoded not in ("include", "exclude"):
        raise QdaError(
            f"uncoded={uncoded!r} is not allowed; use 'include' or 'exclude'", argument="uncoded"
        )
    frame, who, code_list, sources = _prepare(codings, lengths, codes, coders, 2)
    hist, per_coder, _ = _layers(frame, who, code_list, sources, by_source)
    source_len = np.array([int(lengths[s]) for s in sources], dtype=np.int64)
    if uncoded == "exclude":
        source_len = _coded_extent(frame, sources)
    if by_source:
        n_units = np.tile(source_len, len(code_list))
    else:
        n_units = np.full(len(code_list), int(source_len.sum()), dtype=np.int64)
    both = hist[:, 2]
    only_a = per_coder[:, 0] - both
    only_b = per_coder[:, 1] - both
    neither = n_units - both - only_a - only_b
    table = pd.DataFrame(
        {"code_id": np.repeat(np.array(code_list, dtype=object), len(sources) if by_source else 1)}
    )
    if by_source:
        table["source_id"] = np.tile(np.array(list(sources), dtype=object), len(code_list))
    table["n_units"] = n_units
    table["both"] = both
    table["only_a"] = only_a
    table["only_b"] = only_b
    table["neither"] = neither
    with np.errstate(divide="ignore", invalid="ignore"):
        table["agreement"] = np.where(
            n_units > 0, (both + neither) / np.maximum(n_units, 1), np.nan
        )
    table["kappa"] = _kappa_vector(both, only_a, only_b, neither)
    totals = [float(x) for x in (both.sum(), only_a.sum(), only_b.sum(), neither.sum())]
    n_total = sum(totals)
    overall_agreement = (totals[0] + totals[3]) / n_total if n_total > 0 else math.nan
    overall_kappa = cohen_kappa(*totals)
    kappas = table["kappa"].to_numpy(dtype=np.float64)
    finite = np.isfinite(kappas)
    mean_kappa = float(kappas[finite].mean()) if finite.any() else math.nan
    units = n_units[finite].astype(np.float64)
    weighted_kappa = (
        float(np.dot(kappas[finite], units) / units.sum()) if units.sum() > 0 else math.nan
    )
    warnings = []
    undefined = int(np.isnan(kappas).sum())
    if undefined:
        warnings.append(
            f"kappa is undefined (chance agreement 1) for {undefined} row(s): "
            "neither coder used the code there, or both coded everything"
        )
    return AgreementResult(
        table,
        overall_agreement,
        overall_kappa,
        mean_kappa,
        weighted_kappa,
        who[0],
        who[1],
        uncoded,
        warnings=tuple(warnings),
    )


def _kappa_vector(
    both: np.ndarray, only_a: np.ndarray, only_b: np.ndarray, neither: np.ndarray
) -> np.ndarray:
    total = (both + only_a + only_b + neither).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = (both + only_a) / total
        b = (both + only_b) / total
        p_o = (both + neither) / total
        p_e = a * b + (1.0 - a) * (1.0 - b)
        kappa = (p_o - p_e) / (1.0 - p_e)
    kappa[(total <= 0) | (p_e >= 1.0)] = np.nan
    return np.asarray(kappa, dtype=np.float64)


def pairwise_agreement(
    codings: CodingsLike,
    lengths: Mapping[Hashable, int],
    *,
    coders: Sequence[Any] | None = None,
    codes: Sequence[Any] | None = None,
    uncoded: Uncoded = "include",
) -> pd.DataFrame:
    """:func:`agreement` for every pair of coders, in one table.

    Returns
    -------
    DataFrame
        ``coder_a, coder_b`` then the columns of :meth:`AgreementResult.to_frame` (the pooled
        row of each pair has ``code_id = "(all)"``).

    Examples
    --------
    >>> rows = [("s", 0, 10, "c", "A"), ("s", 0, 10, "c", "B"), ("s", 0, 5, "c", "C")]
    >>> pairwise_agreement(rows, {"s": 20})[["coder_a", "coder_b", "code_id", "kappa"]]
      coder_a coder_b code_id  kappa
    0       A       B       c    1.0
    1       A       B   (all)    1.0
    2       A       C       c    0.5
    3       A       C   (all)    0.5
    4       B       C       c    0.5
    5       B       C   (all)    0.5
    """
    frame = as_codings(codings)
    who = _pick_coders(frame, coders, None)
    parts = []
    for a, b in itertools.combinations(who, 2):
        result = agreement(frame, lengths, coders=(a, b), codes=codes, uncoded=uncoded)
        table = result.to_frame()
        table.insert(0, "coder_b", b)
        table.insert(0, "coder_a", a)
        parts.append(table)
    return pd.concat(parts, ignore_index=True)


@dataclass(frozen=True)
class CodeAlphaResult(Summary):
    """Krippendorff's alpha per code on character units (binary: coded or not), any coders.

    Attributes
    ----------
    table : DataFrame
        ``code_id, n_units, alpha, d_observed, d_expected`` per code.
    overall_alpha : float
        Pooled: the coincidences of all codes summed, then one alpha.
    coders : tuple
    uncoded : str
    method : str
    """

    title = "Krippendorff's alpha per code"

    table: pd.DataFrame
    overall_alpha: float
    coders: tuple[Any, ...]
    uncoded: str
    method: str = "Krippendorff's alpha (nominal, binary) with every character as a unit"

    def to_frame(self) -> pd.DataFrame:
        """The per-code table."""
        return self.table.copy()


def code_alpha(
    codings: CodingsLike,
    lengths: Mapping[Hashable, int],
    *,
    coders: Sequence[Any] | None = None,
    codes: Sequence[Any] | None = None,
    uncoded: Uncoded = "include",
) -> CodeAlphaResult:
    """Krippendorff's alpha per code, characters as units, for two or more coders.

    Each character of each source is a unit; each coder gives it 1 (coded with the code) or 0.
    Every coder is taken to have read every source in ``lengths``. With ``h_j`` the characters
    that exactly ``j`` of ``m`` coders coded, the coincidence of 0 and 1 is
    ``o_01 = sum_j h_j j (m - j) / (m - 1)`` and ``alpha = 1 - (n - 1) o_01 / (n_0 n_1)`` with
    ``n = m N`` values, ``n_1 = sum_j j h_j``, ``n_0 = n - n_1`` (the nominal alpha of
    :func:`krippendorff_alpha` on the full character matrix, computed from counts).

    Examples
    --------
    >>> rows = [("s", 0, 200, "c", "A"), ("s", 150, 200, "c", "B")]
    >>> round(code_alpha(rows, {"s": 1000}).overall_alpha, 4)
    0.3146
    """
    if uncoded not in ("include", "exclude"):
        raise QdaError(
            f"uncoded={uncoded!r} is not allowed; use 'include' or 'exclude'", argument="uncoded"
        )
    frame, who, code_list, sources = _prepare(codings, lengths, codes, coders, None)
    hist, _, _ = _layers(frame, who, code_list, sources, False)
    m = len(who)
    if uncoded == "exclude":
        n_chars = int(_coded_extent(frame, sources).sum())
    else:
        n_chars = int(sum(int(lengths[s]) for s in sources))
    j = np.arange(m + 1, dtype=np.float64)
    h = hist.astype(np.float64)
    h[:, 0] = n_chars - h[:, 1:].sum(axis=1)
    n = float(m * n_chars)
    n1 = h @ j
    n0 = n - n1
    o01 = h @ (j * (m - j) / (m - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        alpha = 1.0 - (n - 1.0) * o01 / (n0 * n1)
        d_o = 2.0 * o01 / n
        d_e = 2.0 * n0 * n1 / (n * (n - 1.0))
    alpha = np.where((n0 > 0) & (n1 > 0), alpha, np.nan)
    table = pd.DataFrame(
        {
            "code_id": np.array(code_list, dtype=object),
            "n_units": n_chars,
            "alpha": alpha,
            "d_observed": d_o,
            "d_expected": d_e,
        }
    )
    n_all = n * len(code_list)
    n1_all, o_all = float(n1.sum()), float(o01.sum())
    n0_all = n_all - n1_all
    overall = (
        1.0 - (n_all - 1.0) * o_all / (n0_all * n1_all) if n0_all > 0 and n1_all > 0 else math.nan
    )
    return CodeAlphaResult(table, float(overall), tuple(who), uncoded)


@dataclass(frozen=True)
class SegmentOverlapResult(Summary):
    """MAXQDA-style segment agreement.

    Attributes
    ----------
    table : DataFrame
        One row per segment of each coder: ``source_id, code_id, coder, start, end,
        other_coder, matched, overlap, other_start, other_end`` (``overlap`` is the best
        intersection / union with a segment of the same code by the other coder, 0 if none).
    disagreements : DataFrame
        The unmatched rows of ``table``, for the coders to resolve.
    per_code : DataFrame
        ``code_id, agree, disagree, percent_agreement`` per code.
    percent_agreement : float
        Matched segments / all segments.
    kappa_bp : float
        Brennan & Prediger (1981) kappa with chance ``1 / k`` for ``k`` codes, as MAXQDA does.
    threshold : float
    """

    title = "Segment agreement"

    table: pd.DataFrame
    disagreements: pd.DataFrame
    per_code: pd.DataFrame
    percent_agreement: float
    kappa_bp: float
    threshold: float
    method: str = "segment matching with a minimum overlap (MAXQDA intercoder agreement)"

    def to_frame(self) -> pd.DataFrame:
        """The segment table."""
        return self.table.copy()


def segment_overlap(
    codings: CodingsLike,
    *,
    coders: Sequence[Any] | None = None,
    threshold: float = 0.9,
    codes: Sequence[Any] | None = None,
) -> SegmentOverlapResult:
    """For each segment of each of two coders: does the other have it too (overlap >= threshold)?

    Parameters
    ----------
    codings : DataFrame or iterable
    coders : (coder_a, coder_b), optional
    threshold : float
        Minimum overlap, as intersection / union of the two segments (0 < threshold <= 1);
        MAXQDA's "segment overlap" rate. 0.9 is a common choice.
    codes : sequence, optional

    Examples
    --------
    >>> rows = [("s", 0, 100, "c", "A"), ("s", 5, 100, "c", "B"), ("s", 200, 300, "d", "A")]
    >>> r = segment_overlap(rows, threshold=0.9)
    >>> r.table["matched"].tolist(), round(r.percent_agreement, 3)
    ([True, False, True], 0.667)
    """
    if not 0 < threshold <= 1:
        raise QdaError(f"threshold={threshold!r} must be in (0, 1]", argument="threshold")
    frame = as_codings(codings)
    who = _pick_coders(frame, coders, 2)
    frame = frame[frame["coder"].isin(who)]
    if codes is not None:
        frame = frame[frame["code_id"].isin(list(codes))]
    frame = frame.sort_values(["coder", "source_id", "start", "end"], key=None).reset_index(
        drop=True
    )
    src_key = pd.factorize(frame["source_id"])[0].astype(np.int64)
    code_key, code_uniques = pd.factorize(frame["code_id"])
    group = src_key * max(len(code_uniques), 1) + code_key
    i, j = overlap_pairs(group, frame["start"], frame["end"])
    coder = frame["coder"].to_numpy(dtype=object)
    cross = coder[i] != coder[j]
    i, j = i[cross], j[cross]
    s, e = frame["start"].to_numpy(), frame["end"].to_numpy()
    inter = np.minimum(e[i], e[j]) - np.maximum(s[i], s[j])
    union = np.maximum(e[i], e[j]) - np.minimum(s[i], s[j])
    ratio = inter / union
    pairs = pd.DataFrame(
        {
            "seg": np.concatenate([i, j]),
            "other": np.concatenate([j, i]),
            "overlap": np.concatenate([ratio, ratio]),
        }
    )
    best = pairs.sort_values(["seg", "overlap"], ascending=[True, False]).drop_duplicates("seg")
    table = frame[["source_id", "code_id", "coder", "start", "end"]].copy()
    table["other_coder"] = np.where(coder == who[0], who[1], who[0])
    table["overlap"] = 0.0
    table["other_start"] = pd.array([pd.NA] * len(table), dtype="Int64")
    table["other_end"] = pd.array([pd.NA] * len(table), dtype="Int64")
    seg = best["seg"].to_numpy()
    other = best["other"].to_numpy()
    table.loc[seg, "overlap"] = best["overlap"].to_numpy()
    table.loc[seg, "other_start"] = s[other]
    table.loc[seg, "other_end"] = e[other]
    table["matched"] = table["overlap"] >= threshold - 1e-12
    table = table[
        [
            "source_id",
            "code_id",
            "coder",
            "start",
            "end",
            "other_coder",
            "matched",
            "overlap",
            "other_start",
            "other_end",
        ]
    ]
    per_code = table.groupby("code_id", sort=True)["matched"].agg(["sum", "count"]).reset_index()
    per_code.columns = ["code_id", "agree", "n_segments"]
    per_code["disagree"] = per_code["n_segments"] - per_code["agree"]
    per_code["percent_agreement"] = per_code["agree"] / per_code["n_segments"]
    per_code = per_code[["code_id", "agree", "disagree", "percent_agreement"]]
    n_seg = len(table)
    p_o = float(table["matched"].sum()) / n_seg if n_seg else math.nan
    k = table["code_id"].nunique()
    p_c = 1.0 / k if k else math.nan
    kappa = (p_o - p_c) / (1.0 - p_c) if k > 1 else math.nan
    disagreements = table[~table["matched"]].reset_index(drop=True)
    return SegmentOverlapResult(table, disagreements, per_code, p_o, kappa, threshold)
