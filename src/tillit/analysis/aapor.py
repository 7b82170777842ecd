"""AAPOR outcome rates: response, cooperation, refusal and contact rates from final dispositions.

Notes
-----
Dispositions are grouped as in the AAPOR Standard Definitions (9th edition, 2016; the formulas are
unchanged in the 10th, 2023): I complete (1.1), P partial (1.2), R refusal and break-off (2.1x:
2.11 refusal, 2.12 break-off), NC non-contact (2.2x), O other eligible non-interview (2.3x),
UH unknown if eligible, nothing known about the case (3.1x: 3.10 not invited, 3.19 invitation
undeliverable), UO unknown eligibility, other (3.2x to 3.9x), NE not eligible (4.x). With
:math:`D = (I+P) + (R+NC+O)` and :math:`U = UH + UO`:

=====  =========================================  =====  ====================================
RR1    :math:`I / (D + U)`                         COOP1  :math:`I / ((I+P) + R + O)`
RR2    :math:`(I+P) / (D + U)`                     COOP2  :math:`(I+P) / ((I+P) + R + O)`
RR3    :math:`I / (D + eU)`                        COOP3  :math:`I / ((I+P) + R)`
RR4    :math:`(I+P) / (D + eU)`                    COOP4  :math:`(I+P) / ((I+P) + R)`
RR5    :math:`I / D`                               REF1   :math:`R / (D + U)`
RR6    :math:`(I+P) / D`                           REF2   :math:`R / (D + eU)`
CON1   :math:`((I+P) + R + O) / (D + U)`           REF3   :math:`R / D`
CON2   :math:`((I+P) + R + O) / (D + eU)`          CON3   :math:`((I+P) + R + O) / D`
=====  =========================================  =====  ====================================

:math:`e`, the share of the unknown-eligibility cases estimated to be eligible, is given, or
estimated by proportional allocation from the cases whose eligibility is known (the "CASRO"
rule): :math:`e = D / (D + NE)`. UH and UO enter every formula only through :math:`U`, so how
unknown cases are split between them does not change any rate. A rate whose denominator is 0 is
NaN. With ``weights`` the counts are sums of weights (as R ``outcomerate``).

References
----------
The American Association for Public Opinion Research (2016). *Standard Definitions: Final
Dispositions of Case Codes and Outcome Rates for Surveys*, 9th edition. AAPOR.
Rosenblum, R. et al. outcomerate: AAPOR survey outcome rates. R package (rOpenSci).

Examples
--------
>>> from tillit.analysis import aapor_rates
>>> rates = aapor_rates({"I": 4, "P": 2, "R": 1, "NC": 1, "O": 1, "UH": 1, "UO": 1, "NE": 1})
>>> rates.e, round(rates.rate("RR3"), 4), round(rates.rate("COOP1"), 4)
(0.9, 0.3704, 0.5)
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from tillit.analysis.errors import AnalysisError
from tillit.analysis.results import Result

__all__ = [
    "CATEGORIES",
    "RATES",
    "AAPORRates",
    "DispositionCounts",
    "aapor_rates",
    "category_of",
    "disposition_counts",
]

#: The disposition categories, in AAPOR's order.
CATEGORIES: tuple[str, ...] = ("I", "P", "R", "NC", "O", "UH", "UO", "NE")
#: The rates computed, in report order.
RATES: tuple[str, ...] = (
    "RR1",
    "RR2",
    "RR3",
    "RR4",
    "RR5",
    "RR6",
    "COOP1",
    "COOP2",
    "COOP3",
    "COOP4",
    "REF1",
    "REF2",
    "REF3",
    "CON1",
    "CON2",
    "CON3",
)

_PREFIXES: tuple[tuple[str, str], ...] = (
    ("1.1", "I"),
    ("1.2", "P"),
    ("2.1", "R"),
    ("2.2", "NC"),
    ("2.3", "O"),
    ("3.1", "UH"),
    ("3.2", "UO"),
    ("3.3", "UO"),
    ("3.4", "UO"),
    ("3.5", "UO"),
    ("3.6", "UO"),
    ("3.7", "UO"),
    ("3.8", "UO"),
    ("3.9", "UO"),
    ("4", "NE"),
)


def category_of(code: Any) -> str:
    """The AAPOR category (I, P, R, NC, O, UH, UO or NE) of a disposition code.

    Accepts tillit's dotted AAPOR codes (``"1.1"``, ``"2.11"``, ``"3.19"``, ``"4.10"``, ...) and
    the category letters themselves.

    Examples
    --------
    >>> [category_of(c) for c in ("1.1", "1.2", "2.11", "2.12", "2.20", "2.30", "3.10", "3.19",
    ...                           "4.10")]
    ['I', 'P', 'R', 'R', 'NC', 'O', 'UH', 'UH', 'NE']
    """
    text = str(code).strip()
    if text.upper() in CATEGORIES:
        return text.upper()
    parts = text.split(".")
    if len(parts) == 2 and parts[0] in "1234" and len(parts[0]) == 1 and parts[1].isdigit():
        for prefix, category in _PREFIXES:
            if text.startswith(prefix) and (prefix != "4" or parts[0] == "4"):
                return category
    elif text == "4":
        return "NE"
    raise AnalysisError(
        f"dispositions: {code!r} is not an AAPOR final disposition code.",
        argument="dispositions",
        value=code,
        allowed="dotted AAPOR codes 1.1, 1.2, 2.1x, 2.2x, 2.3x, 3.xx, 4.xx or the letters "
        + "/".join(CATEGORIES),
        hint="Use the final disposition of every case, e.g. 1.1 complete, 2.11 refusal.",
    )


@dataclass(frozen=True)
class DispositionCounts:
    """Counts (or sums of weights) of the AAPOR disposition categories."""

    I: float = 0.0  # noqa: E741 - AAPOR's name for completes
    P: float = 0.0
    R: float = 0.0
    NC: float = 0.0
    O: float = 0.0  # noqa: E741 - AAPOR's name for other non-interviews
    UH: float = 0.0
    UO: float = 0.0
    NE: float = 0.0

    def as_dict(self) -> dict[str, float]:
        return {c: float(getattr(self, c)) for c in CATEGORIES}

    def rates(self, e: float) -> dict[str, float]:
        """The sixteen rates for eligibility share ``e`` (NaN for a zero denominator)."""
        i, p, r, nc, o = self.I, self.P, self.R, self.NC, self.O
        interviews = i + p
        d = interviews + r + nc + o
        u = self.UH + self.UO
        eu = 0.0 if u == 0 else e * u

        def div(a: float, b: float) -> float:
            return a / b if b else math.nan

        return {
            "RR1": div(i, d + u),
            "RR2": div(interviews, d + u),
            "RR3": div(i, d + eu),
            "RR4": div(interviews, d + eu),
            "RR5": div(i, d),
            "RR6": div(interviews, d),
            "COOP1": div(i, interviews + r + o),
            "COOP2": div(interviews, interviews + r + o),
            "COOP3": div(i, interviews + r),
            "COOP4": div(interviews, interviews + r),
            "REF1": div(r, d + u),
            "REF2": div(r, d + eu),
            "REF3": div(r, d),
            "CON1": div(interviews + r + o, d + u),
            "CON2": div(interviews + r + o, d + eu),
            "CON3": div(interviews + r + o, d),
        }

    def eligibility(self) -> float:
        """Proportional allocation: :math:`e = D / (D + NE)` (NaN when nothing is known)."""
        d = self.I + self.P + self.R + self.NC + self.O
        return d / (d + self.NE) if d + self.NE else math.nan


def disposition_counts(
    dispositions: Iterable[Any] | Mapping[str, float],
    weights: npt.ArrayLike | None = None,
) -> DispositionCounts:
    """Count dispositions given as codes (one per case) or as a mapping of category counts.

    Examples
    --------
    >>> disposition_counts(["1.1", "1.1", "2.11", "4.10"]).as_dict()["I"]
    2.0
    """
    if isinstance(dispositions, DispositionCounts):
        return dispositions
    if isinstance(dispositions, Mapping):
        if weights is not None:
            raise AnalysisError(
                "weights apply to codes, not to counts.",
                argument="weights",
                value="given",
                allowed="None with counts",
            )
        values: dict[str, float] = {}
        for key, value in dispositions.items():
            category = category_of(key)
            count = float(value)
            if not math.isfinite(count) or count < 0:
                raise AnalysisError(
                    f"dispositions: count {value!r} for {key!r} is not a non-negative number.",
                    argument="dispositions",
                    value=value,
                    allowed="non-negative counts",
                )
            values[category] = values.get(category, 0.0) + count
        return DispositionCounts(**values)
    codes = list(dispositions)
    w = np.ones(len(codes)) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (len(codes),) or not np.isfinite(w).all() or (w < 0).any():
        raise AnalysisError(
            f"weights must be {len(codes)} non-negative numbers, one per case.",
            argument="weights",
            value=w.shape,
            allowed="one non-negative weight per disposition",
        )
    totals = dict.fromkeys(CATEGORIES, 0.0)
    for code, weight in zip(codes, w, strict=True):
        totals[category_of(code)] += float(weight)
    return DispositionCounts(**totals)


@dataclass(frozen=True, eq=False)
class AAPORRates(Result):
    """AAPOR outcome rates overall (first row) and by domain.

    Attributes
    ----------
    domain : tuple of str
        ``"all"`` then each domain value.
    counts : tuple of DispositionCounts
        The disposition counts of each row.
    e : float
        Eligibility share of the unknown cases used for the overall rates.
    e_by_domain : tuple of float
        The e of each row (estimated per domain when ``e`` was estimated).
    rates : mapping of str to tuple of float
        Each rate (RR1 ... CON3) per row.
    method : str
        How e was obtained.
    """

    domain: tuple[str, ...]
    counts: tuple[DispositionCounts, ...]
    e: float
    e_by_domain: tuple[float, ...]
    rates: Mapping[str, tuple[float, ...]]
    method: str
    by: str | None = None
    warnings: tuple[str, ...] = ()
    n: int = 0
    extra: Mapping[str, Any] = field(default_factory=dict)

    title = "AAPOR outcome rates"

    def rate(self, name: str, domain: str = "all") -> float:
        """One rate (e.g. ``"RR3"``) overall or in ``domain``."""
        if name not in self.rates:
            raise AnalysisError(
                f"{name!r} is not an AAPOR rate.",
                argument="name",
                value=name,
                allowed=", ".join(RATES),
            )
        if domain not in self.domain:
            raise AnalysisError(
                f"{domain!r} is not a domain of these rates.",
                argument="domain",
                value=domain,
                allowed=", ".join(self.domain),
            )
        return self.rates[name][self.domain.index(domain)]

    def to_frame(self) -> pd.DataFrame:
        """One row per domain: the counts, e and every rate."""
        rows = []
        for j, label in enumerate(self.domain):
            record: dict[str, Any] = {(self.by or "domain"): label}
            record.update(self.counts[j].as_dict())
            record["e"] = self.e_by_domain[j]
            record.update({name: self.rates[name][j] for name in RATES})
            rows.append(record)
        return pd.DataFrame(rows)


def aapor_rates(
    dispositions: Iterable[Any] | Mapping[str, float] | DispositionCounts,
    *,
    e: float | None = None,
    by: Sequence[Any] | None = None,
    weights: npt.ArrayLike | None = None,
) -> AAPORRates:
    """AAPOR response, cooperation, refusal and contact rates, overall and by domain.

    Parameters
    ----------
    dispositions : codes, mapping or DispositionCounts
        One final disposition code per case (``"1.1"``, ``"2.11"``, ...), or counts per category
        (``{"I": 250, "P": 10, ...}``; AAPOR codes are accepted as keys too).
    e : float, optional
        Share of the unknown-eligibility cases taken as eligible (0 to 1). Default: estimated
        from the known cases, :math:`D / (D + NE)`, overall and within each domain.
    by : sequence, optional
        A domain value per case (e.g. the country), for rates by domain.
    weights : array-like, optional
        A weight per case; counts become sums of weights.

    Returns
    -------
    AAPORRates

    Examples
    --------
    >>> from tillit.analysis import aapor_rates
    >>> codes = ["1.1", "1.1", "1.2", "2.11", "2.20", "3.19", "1.1", "2.12", "4.10", "1.1"]
    >>> countries = ["NO", "NO", "NO", "NO", "NO", "DK", "DK", "DK", "DK", "DK"]
    >>> r = aapor_rates(codes, by=countries)
    >>> r.domain, round(r.rate("RR1"), 4), round(r.rate("RR1", "DK"), 4)
    (('all', 'DK', 'NO'), 0.4444, 0.5)
    """
    if e is not None and (not isinstance(e, (int, float)) or not 0 <= e <= 1):
        raise AnalysisError(
            f"e={e!r} is not allowed; it is a share between 0 and 1.",
            argument="e",
            value=e,
            allowed="0 <= e <= 1, or None to estimate it",
        )
    method = (
        f"e = {e:g} (given)"
        if e is not None
        else "e estimated by proportional allocation D / (D + NE)"
    )
    if by is None:
        counts = [disposition_counts(dispositions, weights)]  # type: ignore[arg-type]
        labels: list[str] = ["all"]
        n = int(sum(counts[0].as_dict().values())) if weights is None else 0
    else:
        if isinstance(dispositions, (Mapping, DispositionCounts)):
            raise AnalysisError(
                "by= needs one disposition code per case, not counts.",
                argument="by",
                value="given",
                allowed="codes per case with by=",
            )
        codes = list(dispositions)
        domains = list(by)
        if len(domains) != len(codes):
            raise AnalysisError(
                f"by has {len(domains)} values for {len(codes)} dispositions.",
                argument="by",
                value=len(domains),
                allowed=f"{len(codes)} domain values",
            )
        w = np.ones(len(codes)) if weights is None else np.asarray(weights, dtype=float)
        keys = sorted({str(d) for d in domains})
        counts = [disposition_counts(codes, w)]
        labels = ["all", *keys]
        for key in keys:
            mask = np.array([str(d) == key for d in domains])
            counts.append(
                disposition_counts([c for c, m in zip(codes, mask, strict=True) if m], w[mask])
            )
        n = len(codes)
    es = tuple(e if e is not None else c.eligibility() for c in counts)
    per_row = [c.rates(ek) for c, ek in zip(counts, es, strict=True)]
    return AAPORRates(
        domain=tuple(labels),
        counts=tuple(counts),
        e=es[0],
        e_by_domain=es,
        rates={name: tuple(r[name] for r in per_row) for name in RATES},
        method=f"AAPOR Standard Definitions (2016) rates; {method}",
        by="domain" if by is not None else None,
        n=n,
    )
