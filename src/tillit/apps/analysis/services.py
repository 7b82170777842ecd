"""The analyses of a survey, as tables (pandas DataFrames, nothing rounded), shared by
``tillit analyze`` and the analysis pages.

Every function takes a :class:`~tillit.apps.analysis.data.SurveyData` (and its design) and
calls :mod:`tillit.analysis`; :func:`suppress` applies the disclosure rule for the pages.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tillit.analysis import (
    AnalysisError,
    Design,
    aapor_rates,
    difference,
    mean,
    proportion,
    scale_from_concepts,
)
from tillit.apps.analysis.data import SurveyData, close_matches

#: Rates shown in overviews (every rate is in the JSON output).
MAIN_RATES = ("RR1", "RR2", "RR3", "RR4", "RR5", "RR6", "COOP1", "REF1", "CON1")
#: The two scales of the instrument, by concept-id prefix.
SCALES = (("vertical trust", "relation.vertical"), ("horizontal trust", "relation.horizontal"))
#: Domain columns for --by and the pages.
DOMAINS = ("country", "size_class", "county")
COUNTRIES = ("NO", "DK")


def _quiet(fn: Any, *args: Any, **kw: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kw)


def check_by(by: str | None) -> None:
    if by is not None and by not in DOMAINS:
        raise AnalysisError(
            f"--by {by!r} is not a domain of the survey.",
            argument="by",
            value=by,
            allowed=", ".join(DOMAINS),
        )


def resolve_items(sd: SurveyData, names: Sequence[str] | None) -> list[Any]:
    """The items named (all single-choice and numeric items when ``names`` is empty)."""
    if not names:
        return list(sd.items)
    known = {i.name: i for i in sd.items}
    out = []
    for n in names:
        if n not in known:
            near = close_matches(n, list(known))
            raise AnalysisError(
                f"items: unknown variable {n!r} (not a single-choice or numeric item of the "
                "survey)." + (f" Did you mean {', '.join(repr(x) for x in near)}?" if near else ""),
                argument="items",
                value=n,
                allowed=", ".join(near) if near else ", ".join(list(known)[:20]),
            )
        out.append(known[n])
    return out


# ----------------------------------------------------------------------------------------------
# response


def aapor(sd: SurveyData) -> pd.DataFrame:
    """AAPOR counts and rates, overall (domain ``all``) and by country."""
    frame = sd.frame
    if frame.empty:
        return pd.DataFrame(columns=["domain", *MAIN_RATES])
    has = frame["country"].notna()
    if has.all():
        rates = aapor_rates(frame["disposition"].tolist(), by=frame["country"].tolist())
    else:
        rates = aapor_rates(frame["disposition"].tolist())
    return rates.to_frame()


def dispositions(sd: SurveyData) -> pd.DataFrame:
    """Cases by country and final disposition (long: country, disposition, n)."""
    from tillit.apps.surveys.models import Case

    labels = dict(Case.Disposition.choices)
    f = sd.frame.assign(country=sd.frame["country"].fillna("-"))
    t = f.groupby(["country", "disposition"]).size().rename("n").reset_index()
    t["label"] = [str(labels.get(d, d)) for d in t["disposition"]]
    return t[["country", "disposition", "label", "n"]]


# ----------------------------------------------------------------------------------------------
# estimates


def _domain_frame(est: pd.DataFrame, by: str | None) -> pd.DataFrame:
    est = est.copy()
    if by is None:
        est.insert(0, "domain", "all")
    else:
        est = est.rename(columns={by: "domain"})
        est["domain"] = est["domain"].astype(str)
    return est


def frequencies(sd: SurveyData, design: Design, items: Sequence[Any], by: str | None = None):
    """Shares with SE and CI for every category of the categorical items (overall or by domain);
    ``n`` is the number of respondents choosing the category, ``n_domain`` those answering."""
    cats = [i for i in items if i.is_categorical]
    if not cats:
        return pd.DataFrame()
    data = design.data
    parts = []
    for it in cats:
        if data[it.name].notna().sum() == 0:
            continue
        levels = [c for c, _ in it.categories]
        est = _quiet(
            proportion, design, [it.name], by=by, levels=levels, nan_policy="omit"
        ).to_frame()
        est = _domain_frame(est, by)
        groups = [("all", data)] if by is None else list(data.groupby(by, sort=True))
        counts = {
            (str(d), float(c)): int(n)
            for d, g in groups
            for c, n in g[it.name].value_counts().items()
        }
        est["category"] = est["category"].astype(float)
        est = est[est["category"].isin(levels)]
        est["n_domain"] = est["n"]
        est["n"] = [
            counts.get((d, c), 0) for d, c in zip(est["domain"], est["category"], strict=True)
        ]
        est["label"] = [it.category_label(c) for c in est["category"]]
        est["question"] = it.label
        parts.append(est)
    if not parts:
        return pd.DataFrame()
    cols = [
        "domain",
        "variable",
        "question",
        "category",
        "label",
        "n",
        "n_domain",
        "estimate",
        "se",
        "ci_low",
        "ci_high",
        "df",
    ]
    return pd.concat(parts, ignore_index=True)[cols]


def means(sd: SurveyData, design: Design, items: Sequence[Any], by: str | None = None):
    """Means with SE and CI of the scored items (numeric, ordinal single-choice)."""
    scored = [i.name for i in items if i.is_scored]
    data = sd.design_data()
    scored = [n for n in scored if data[n].notna().sum() > 0]
    if not scored:
        return pd.DataFrame()
    est = _domain_frame(_quiet(mean, design, scored, by=by, nan_policy="omit").to_frame(), by)
    labels = {i.name: i.label for i in items}
    est["question"] = [labels[v] for v in est["variable"]]
    cols = ["domain", "variable", "question", "n", "estimate", "se", "ci_low", "ci_high", "df"]
    return est[cols].reset_index(drop=True)


def comparison(sd: SurveyData, design: Design, items: Sequence[Any]) -> pd.DataFrame:
    """NO vs DK: the two means with CIs, the difference, its SE, t and p."""
    data = sd.design_data()
    if set(COUNTRIES) - set(data["country"].dropna()):
        return pd.DataFrame()
    scored = [
        i.name
        for i in items
        if i.is_scored
        and all(data.loc[data.country == c, i.name].notna().sum() >= 2 for c in COUNTRIES)
    ]
    if not scored:
        return pd.DataFrame()
    by_country = _quiet(mean, design, scored, by="country", nan_policy="omit").to_frame()
    diff = _quiet(
        difference, design, scored, by="country", groups=COUNTRIES, nan_policy="omit"
    ).to_frame()
    labels = {i.name: i.label for i in items}
    rows = []
    for v in scored:
        r: dict[str, Any] = {"variable": v, "question": labels[v]}
        for c in COUNTRIES:
            m = by_country[(by_country["country"] == c) & (by_country["variable"] == v)].iloc[0]
            lc = c.lower()
            r.update(
                {
                    f"n_{lc}": int(m["n"]),
                    f"mean_{lc}": m["estimate"],
                    f"se_{lc}": m["se"],
                    f"ci_low_{lc}": m["ci_low"],
                    f"ci_high_{lc}": m["ci_high"],
                }
            )
        d = diff[diff["variable"] == v].iloc[0]
        r.update(
            {
                "difference": d["estimate"],
                "se": d["se"],
                "ci_low": d["ci_low"],
                "ci_high": d["ci_high"],
                "t": d["t"],
                "p_value": d["p_value"],
                "df": d["df"],
            }
        )
        rows.append(r)
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------------------------
# scales


@dataclass(frozen=True)
class ScaleResult:
    name: str
    concepts: tuple[str, ...]
    items: tuple[str, ...]
    n: int
    alpha: float
    alpha_ci_low: float
    alpha_ci_high: float
    std_alpha: float
    omega: float
    item_table: pd.DataFrame  # item, label, r_drop, alpha_if_deleted, mean, sd

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "concepts": list(self.concepts),
            "items": list(self.items),
            "n": self.n,
            "alpha": self.alpha,
            "alpha_ci_low": self.alpha_ci_low,
            "alpha_ci_high": self.alpha_ci_high,
            "std_alpha": self.std_alpha,
            "omega": self.omega,
            "omega_method": "minres (psych omega.tot, one factor)",
            "item_rest": records(self.item_table),
        }


def scales(sd: SurveyData) -> list[ScaleResult]:
    """Vertical and horizontal trust: items tagged ``relation.vertical*`` /
    ``relation.horizontal*``; alpha (Feldt CI) and omega on listwise complete respondents."""
    concepts = {c for q, parents in sd.instrument.walk() for c in q.concepts}
    data = sd.respondents
    labels = {i.name: i.label for i in sd.items}
    out = []
    for name, prefix in SCALES:
        ids = sorted(c for c in concepts if c == prefix or c.startswith(prefix + "."))
        if not ids:
            continue
        scale = scale_from_concepts(sd.instrument, ids, name=name)
        items = tuple(i for i in scale.items if i in data.columns)
        if len(items) < 2:
            continue
        complete = data[list(items)].dropna()
        if len(complete) < 3:
            continue
        a = _quiet(scale.alpha, data)
        o = _quiet(scale.omega, data)
        it = _item_frame(a, labels)
        out.append(
            ScaleResult(
                name,
                tuple(ids),
                items,
                int(a.n),
                float(a.estimate),
                float(a.ci_low),
                float(a.ci_high),
                float(a.standardized),
                float(o.estimate),
                it,
            )
        )
    return out


def _item_frame(a: Any, labels: dict[str, str]) -> pd.DataFrame:
    items = a.items if isinstance(a.items, pd.DataFrame) else pd.DataFrame(a.items)
    items = items.reset_index()
    first = items.columns[0]
    items = items.rename(columns={first: "item"}) if "item" not in items.columns else items
    items["label"] = [labels.get(str(i), str(i)) for i in items["item"]]
    keep = [c for c in ("item", "label", "r_drop", "alpha_if_deleted", "mean", "sd") if c in items]
    return items[keep]


# ----------------------------------------------------------------------------------------------
# disclosure and output


def try_design(sd: SurveyData) -> tuple[Design | None, str]:
    """The survey's design, or None and the reason (no respondents yet, a lonely stratum)."""
    if len(sd.design_data()) < 2:
        return None, "There are fewer than two respondents, so nothing can be estimated yet."
    try:
        return _quiet(sd.design), ""
    except AnalysisError as exc:
        return None, exc.message


def suppress(table: pd.DataFrame, k: int, n_columns: Sequence[str] = ("n",)) -> pd.DataFrame:
    """Blank every number of a row built from fewer than ``k`` respondents (any ``n_columns``
    below k); adds a ``suppressed`` column. Label columns stay."""
    if table.empty:
        return table.assign(suppressed=pd.Series(dtype=bool))
    n_cols = [c for c in n_columns if c in table.columns]
    small = np.zeros(len(table), dtype=bool)
    for c in n_cols:
        small |= table[c].to_numpy(dtype=float) < k
    out = table.copy()
    keep = {"category", "df"}
    numeric = [c for c in out.columns if pd.api.types.is_numeric_dtype(out[c]) and c not in keep]
    out[numeric] = out[numeric].astype(float)
    out.loc[small, numeric] = np.nan
    out["suppressed"] = small
    return out


def records(table: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready dicts (NaN becomes None, numpy scalars plain Python)."""
    out = []
    for row in table.to_dict("records"):
        clean = {}
        for key, v in row.items():
            if isinstance(v, np.generic):
                v = v.item()
            if isinstance(v, float) and np.isnan(v):
                v = None
            clean[str(key)] = v
        out.append(clean)
    return out


def survey_report(sd: SurveyData, *, by: str | None = None, items: Sequence[str] | None = None):
    """Everything ``tillit analyze survey`` prints, as data."""
    check_by(by)
    chosen = resolve_items(sd, items)
    design, problem = try_design(sd)
    report: dict[str, Any] = {"survey": sd.title, "aapor": records(aapor(sd))}
    if design is None:
        report["design"] = {"description": problem, "strata": [], "n": 0, "df": None}
        empty: dict[str, Any] = {"proportions": [], "means": [], "comparison": []}
        return {**report, **empty, "scales": [s.as_dict() for s in scales(sd)]}
    report |= {
        "design": {
            "description": design.describe(),
            "strata": sd.strata,
            "n": int(design.n),
            "df": float(design.df),
        },
        "proportions": records(frequencies(sd, design, chosen)),
        "means": records(means(sd, design, chosen)),
        "comparison": records(comparison(sd, design, chosen)),
        "scales": [s.as_dict() for s in scales(sd)],
    }
    if by:
        report["by"] = by
        report["proportions_by"] = records(frequencies(sd, design, chosen, by))
        report["means_by"] = records(means(sd, design, chosen, by))
    return report
