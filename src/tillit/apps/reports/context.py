"""The data a report template sees: prepared, disclosure-checked plain values only.

:func:`build` returns a dict of dicts, lists, strings and numbers (never model instances, the
request, the user or settings), so an edited template cannot reach anything else. Survey
tables of counts go through :mod:`tillit.disclosure` (cells under ``k`` and the cells that
would let them be recovered are blanked); estimates rest on rows of at least ``k`` respondents.

Keys (see docs/reports.md for the full list):

``project`` name, description, synthetic, k; ``meta`` language, built_at, data_version,
tillit_version, stamp; ``surveys`` one entry per survey with a frame (``frame``, ``response``,
``weighting``, ``estimation``); ``screening``; ``coding``; ``tables`` and ``figures`` (by name,
for ``{% report_table %}`` and ``{% report_figure %}``).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

import tillit
from tillit.apps.core.models import Project

COUNTRY_ORDER = ("NO", "DK")
AAPOR_ROWS = ("I", "P", "R", "NC", "O", "U", "NE")
MAIN_RATES = ("RR1", "RR3", "COOP1")


# ----------------------------------------------------------------------------------------------
# formatting


def num(value: Any, digits: int = 0) -> str:
    """A number in the active language's format; a dash for missing values."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    v = round(float(value), digits) + 0.0  # no "-0,00"
    return formats.number_format(v, digits, force_grouping=digits == 0 and abs(v) >= 10_000)


def pct(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    return f"{num(100 * float(value), digits)} %"


def table(
    caption: str,
    columns: Sequence[tuple[str, bool]],
    rows: Sequence[Sequence[Any]],
    stamp: str,
    *,
    note: str = "",
    counts: Sequence[Sequence[float | None]] = (),
) -> dict[str, Any]:
    """A prepared table: ``rows`` of display strings, ``counts`` the published counts (None
    where suppressed) that :mod:`tests.reports` checks against k."""
    return {
        "caption": caption,
        "columns": [{"label": label, "num": is_num} for label, is_num in columns],
        "rows": [[str(c) for c in r] for r in rows],
        "counts": [list(c) for c in counts],
        "note": note,
        "stamp": stamp,
    }


# ----------------------------------------------------------------------------------------------
# disclosure


def protect(values: np.ndarray, k: int) -> np.ndarray:
    """Mask (True = hide) of a two-way table of counts with row and column totals (the last
    row and column are the margins), by :mod:`tillit.disclosure`: primary suppression of
    cells under k and secondary suppression against differencing."""
    from tillit.apps.reports import disclosure_bridge

    return disclosure_bridge.protect_two_way(values, k)


# ----------------------------------------------------------------------------------------------
# parts


def _stamp(meta: dict[str, Any]) -> str:
    return _("Data version %(data)s · tillit %(version)s") % {
        "data": meta["data_version"],
        "version": meta["tillit_version"],
    }


def _country_name(code: str) -> str:
    return {"NO": _("Norway"), "DK": _("Denmark"), "all": _("All")}.get(code, code)


def size_class_name(code: str) -> str:
    """A size class with its population range, e.g. ``small (< 5,000)``."""
    from tillit.registry.sizeclass import SizeClass

    names = {"small": _("small"), "medium": _("medium"), "large": _("large"), "city": _("city")}
    try:
        rng = SizeClass(code).label
    except ValueError:
        return code
    return f"{names.get(code, code)} ({rng})"


def _quiet(fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kw)


def survey_part(
    project: Project, survey: Any, language: str, k: int, stamp: str, tables: dict[str, Any]
) -> dict[str, Any]:
    """Frame, response (dispositions, AAPOR rates), weighting and estimation of one survey."""
    from tillit.analysis import aapor_rates, rake, weight_summary
    from tillit.analysis.aapor import category_of
    from tillit.apps.analysis import services
    from tillit.apps.reports.figures_bridge import short_label, survey_data
    from tillit.registry.frame import to_frame

    sd = survey_data(project, survey, language)
    prefix = survey.slug
    part: dict[str, Any] = {
        "title": survey.title,
        "slug": survey.slug,
        "synthetic": bool(survey.is_synthetic),
        "t": {
            name: f"{prefix}-{name}"
            for name in ("frame", "dispositions", "rates", "margins", "comparison", "scales")
        },
    }
    frame = sd.frame
    countries = [c for c in COUNTRY_ORDER if c in set(frame["country"].dropna())]
    population = to_frame()

    # frame
    frame_rows, counts = [], []
    part["frame"] = {"countries": [], "n_cases": len(frame), "sample": survey.frame or {}}
    for c in countries:
        n_pop = int((population["country"] == c).sum())
        n_frame = int((frame["country"] == c).sum())
        part["frame"]["countries"].append(
            {"country": c, "name": _country_name(c), "population": n_pop, "frame": n_frame}
        )
        frame_rows.append([_country_name(c), num(n_pop), num(n_frame)])
        counts.append([None, None])  # municipalities and frame members: public registry counts
    tables[f"{prefix}-frame"] = table(
        _("Sampling frame: municipalities in the registry and cases in the frame"),
        [(_("Country"), False), (_("Municipalities"), True), (_("Cases in the frame"), True)],
        frame_rows,
        stamp,
    )

    # dispositions (AAPOR categories x country, with margins) through disclosure control
    cats = frame["disposition"].map(lambda d: category_of(d))
    cats = cats.replace({"UH": "U", "UO": "U"})
    grid = np.zeros((len(AAPOR_ROWS) + 1, len(countries) + 1))
    for i, cat in enumerate(AAPOR_ROWS):
        for j, c in enumerate(countries):
            grid[i, j] = int(((cats == cat) & (frame["country"] == c)).sum())
    grid[:, -1] = grid[:, :-1].sum(axis=1)
    grid[-1, :] = grid[:-1, :].sum(axis=0)
    hidden = protect(grid, k)
    labels = {
        "I": _("Complete (I)"),
        "P": _("Partial (P)"),
        "R": _("Refusal and break-off (R)"),
        "NC": _("Non-contact (NC)"),
        "O": _("Other non-response (O)"),
        "U": _("Unknown eligibility (UH+UO)"),
        "NE": _("Not eligible (NE)"),
    }
    disp_rows, disp_counts = [], []
    for i, name in enumerate([*AAPOR_ROWS, "total"]):
        shown = [None if hidden[i, j] else float(grid[i, j]) for j in range(grid.shape[1])]
        disp_counts.append(shown)
        disp_rows.append(
            [labels.get(name, _("Total")), *[("–" if v is None else num(v)) for v in shown]]
        )
    tables[f"{prefix}-dispositions"] = table(
        _("Final dispositions by country (AAPOR categories)"),
        [
            (_("Disposition"), False),
            *[(_country_name(c), True) for c in countries],
            (_("All"), True),
        ],
        disp_rows,
        stamp,
        note=_("– : suppressed (fewer than %(k)s cases, or would reveal such a cell).") % {"k": k},
        counts=disp_counts,
    )

    # rates
    rates = aapor_rates(frame["disposition"].tolist(), by=frame["country"].fillna("-").tolist())
    overall = aapor_rates(frame["disposition"].tolist())
    part["response"] = {
        "e": overall.e,
        "rates": {r: overall.rate(r) for r in (*MAIN_RATES, "RR2", "RR5", "REF1", "CON1")},
        "by_country": {
            c: {r: rates.rate(r, c) for r in MAIN_RATES} for c in countries if c in rates.domain
        },
        "n_respondents": len(sd.respondents),
    }
    rate_rows = [[_("All"), *[pct(overall.rate(r)) for r in MAIN_RATES]]]
    rate_rows += [
        [_country_name(c), *[pct(rates.rate(r, c)) for r in MAIN_RATES]]
        for c in countries
        if c in rates.domain
    ]
    tables[f"{prefix}-rates"] = table(
        _("AAPOR outcome rates (Standard Definitions, 9th edition)"),
        [(_("Domain"), False), *[(r, True) for r in MAIN_RATES]],
        rate_rows,
        stamp,
        note=_("RR3 counts the estimated eligible share e = %(e)s of the unknown cases.")
        % {"e": num(overall.e, 3)},
    )

    # weighting and estimation
    design, problem = services.try_design(sd)
    part["weighting"] = {"available": design is not None, "problem": problem}
    part["estimation"] = {"available": design is not None, "problem": problem}
    if design is None:
        return part
    pop = population[population["country"].isin(countries)].assign(
        size_class=lambda f: f["size_class"].astype(str)
    )
    margins = {
        "country": pop.groupby("country").size(),
        "size_class": pop.groupby("size_class").size(),
    }
    raked = _quiet(rake, design, margins, on_nonconvergence="warn")
    step = raked.history[-1]
    summary = weight_summary(raked)
    respondents = design.data
    margin_rows, margin_counts = [], []
    margin_name = {"country": _("Country"), "size_class": _("Size class")}
    for var, counts_pop in margins.items():
        n_resp = respondents.groupby(var).size()
        w = pd.Series(raked.weights, index=respondents.index).groupby(respondents[var]).sum()
        for cat, n_pop in counts_pop.items():
            n = int(n_resp.get(cat, 0))
            small = n < k
            margin_counts.append([None if small else float(n)])
            margin_rows.append(
                [
                    margin_name[var],
                    _country_name(str(cat)) if var == "country" else size_class_name(str(cat)),
                    num(n_pop),
                    "–" if small else num(n),
                    num(float(w.get(cat, 0.0)), 1),
                ]
            )
    tables[f"{prefix}-margins"] = table(
        _("Raking margins: population, respondents and weighted total"),
        [
            (_("Margin"), False),
            (_("Category"), False),
            (_("Population"), True),
            (_("Respondents"), True),
            (_("Weighted total"), True),
        ],
        margin_rows,
        stamp,
        counts=margin_counts,
    )
    part["weighting"].update(
        {
            "strata": " × ".join(margin_name.get(v, v) for v in sd.strata),
            "margins": [margin_name[m] for m in margins],
            "iterations": step.iterations,
            "converged": bool(step.converged),
            "deff": summary.estimate,
            "n_effective": summary.n_effective,
            "cv": summary.cv,
            "min": summary.minimum,
            "max": summary.maximum,
        }
    )
    part["estimation"].update(
        {
            "design": design.describe(),
            "n": int(design.n),
            "df": int(design.df),
            "strata": int(design.n_strata),
            "fpc": bool(design.has_fpc),
            "population": float(design.population.sum()) if design.population is not None else 0,
        }
    )

    # NO vs DK comparison of the scored items (rows of fewer than k respondents left out)
    from tillit.apps.observatory.indicators import rating_items

    comp = _quiet(services.comparison, sd, design, rating_items(sd))
    if not comp.empty:
        ok = (comp["n_no"] >= k) & (comp["n_dk"] >= k)
        comp = comp[ok]
        rows = [
            [
                short_label(r.question),
                num(r.mean_no, 2),
                num(r.n_no),
                num(r.mean_dk, 2),
                num(r.n_dk),
                num(r.difference, 2),
                f"[{num(r.ci_low, 2)}; {num(r.ci_high, 2)}]",
            ]
            for r in comp.head(20).itertuples()
        ]
        tables[f"{prefix}-comparison"] = table(
            # xgettext:no-python-format
            _("Means in Norway and Denmark with the difference and its 95 % confidence interval"),
            [
                (_("Item"), False),
                (_("Mean NO"), True),
                (_("n NO"), True),
                (_("Mean DK"), True),
                (_("n DK"), True),
                (_("Difference"), True),
                (_("95 % CI"), True),
            ],
            rows,
            stamp,
            counts=[[float(r.n_no), float(r.n_dk)] for r in comp.head(20).itertuples()],
        )
    scales = _quiet(services.scales, sd)
    if scales:
        tables[f"{prefix}-scales"] = table(
            _("Trust scales: reliability"),
            [(_("Scale"), False), (_("Items"), True), ("n", True), ("α", True), ("ω", True)],
            [
                [s.name, num(len(s.items)), num(s.n), num(s.alpha, 3), num(s.omega, 3)]
                for s in scales
                if s.n >= k
            ],
            stamp,
            counts=[[float(s.n)] for s in scales if s.n >= k],
        )
    return part


def screening_part(project: Project, stamp: str, tables: dict[str, Any]) -> dict[str, Any]:
    """The document corpus and its screening: lexicon version, documents screened, and the
    classifier's cross-validated figures when there are any."""
    from tillit.apps.corpus.models import Document, Evaluation, ScreeningRun

    docs = Document.objects.filter(project=project)
    run = ScreeningRun.objects.filter(project=project, state="done").first()
    part: dict[str, Any] = {
        "n_documents": docs.count(),
        "n_ok": docs.filter(status="ok").count(),
        "languages": dict(
            sorted(
                (lang or "?", n)
                for lang, n in pd.Series(list(docs.values_list("lang", flat=True)))
                .value_counts()
                .items()
            )
        )
        if docs.exists()
        else {},
        "lexicon_version": run.lexicon_version if run else "",
        "n_screened": run.done if run else 0,
        "n_passages": run.n_passages if run else 0,
        "screened_at": formats.date_format(run.finished_at or run.started_at) if run else "",
        "classifier": None,
    }
    ev = Evaluation.objects.filter(project=project).first()
    if ev and ev.rows:
        part["classifier"] = {"n_labelled": ev.n_labelled, "folds": ev.folds, "rows": ev.rows}
        tables["screening-classifier"] = table(
            _("Classifier: cross-validated precision, recall and F1 per concept"),
            [
                (_("Concept"), False),
                (_("Precision"), True),
                (_("Recall"), True),
                ("F1", True),
                (_("Positives"), True),
            ],
            [
                [
                    r.get("concept", ""),
                    num(r.get("precision"), 2),
                    num(r.get("recall"), 2),
                    num(r.get("f1"), 2),
                    num(r.get("support")),
                ]
                for r in ev.rows
            ],
            stamp,
        )
    return part


def coding_part(project: Project, stamp: str, tables: dict[str, Any]) -> dict[str, Any]:
    """Qualitative coding: sources, codes, codings, coders, and the agreement of the two
    coders with the most codings (Cohen's kappa and Krippendorff's alpha on characters)."""
    from tillit.apps.qda import queries
    from tillit.apps.qda.models import Code, Coding, Source

    sources = Source.objects.filter(project=project)
    codings = Coding.objects.filter(project=project)
    coders = list(codings.values_list("coder__username", flat=True).order_by().distinct())
    part: dict[str, Any] = {
        "n_sources": sources.count(),
        "n_codes": Code.objects.filter(project=project).count(),
        "n_codings": codings.count(),
        "n_coders": len(coders),
        "kappa": None,
        "alpha": None,
    }
    if len(coders) < 2:
        return part
    import tillit.qda.reliability as rel

    top = (
        pd.Series(list(codings.values_list("coder__username", flat=True)))
        .value_counts()
        .index[:2]
        .tolist()
    )
    frame = queries.codings_frame(sources, coders=top)
    lengths = queries.lengths(sources)
    frame = frame[frame["source_id"].isin(lengths)]
    both = set(frame.loc[frame["coder"] == top[0], "source_id"]) & set(
        frame.loc[frame["coder"] == top[1], "source_id"]
    )
    if not both:
        return part
    frame = frame[frame["source_id"].isin(both)]
    lengths = {s: n for s, n in lengths.items() if s in both}
    agreement = _quiet(rel.agreement, frame, lengths, coders=top)
    alpha = _quiet(rel.code_alpha, frame, lengths, coders=top)
    part.update(
        {
            "kappa": float(agreement.overall_kappa),
            "mean_kappa": float(agreement.mean_kappa),
            "percent_agreement": float(agreement.overall_agreement),
            "alpha": float(alpha.overall_alpha),
            "n_double_coded": len(both),
        }
    )
    paths = queries.code_paths(project)
    t = agreement.table.merge(alpha.table[["code_id", "alpha"]], on="code_id", how="left")
    kappa_col = "kappa" if "kappa" in t.columns else None
    agree_col = next((c for c in ("agreement", "percent_agreement") if c in t.columns), None)
    t = t.assign(path=t["code_id"].map(lambda c: paths.get(c, str(c)))).sort_values("path")
    rows = []
    for r in t.to_dict("records")[:40]:
        rows.append(
            [
                paths.get(r["code_id"], str(r["code_id"])),
                pct(r[agree_col]) if agree_col else "–",
                num(r[kappa_col], 2) if kappa_col else "–",
                num(r.get("alpha"), 2),
            ]
        )
    tables["coding-agreement"] = table(
        _("Intercoder agreement per code (two coders, characters as units)"),
        [(_("Code"), False), (_("Agreement"), True), ("κ", True), ("α", True)],
        rows,
        stamp,
    )
    return part


def figures_part(project: Project, language: str, k: int, stamp: str) -> dict[str, Any]:
    """The observatory's figures (the same SVG as the dashboard) with their data tables."""
    from tillit.apps.reports import figures_bridge

    return figures_bridge.figures(project, language=language, k=k, stamp=stamp)


# ----------------------------------------------------------------------------------------------


_CACHE: dict[tuple[Any, ...], dict[str, Any]] = {}
_CACHE_SIZE = 6


def fingerprint(project: Project) -> tuple[Any, ...]:
    """What a report's data depends on: the observatory's data version (every audited write
    and every respondent's save changes it)."""
    from tillit.apps.reports.figures_bridge import data_version

    return (project.pk, data_version(project))


def build(project: Project, language: str) -> dict[str, Any]:
    """The whole context of a report of ``project`` in ``language`` (nb, da or en), cached
    in the process while the data stays the same (see :func:`fingerprint`)."""
    key = (language, *fingerprint(project))
    if key not in _CACHE:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = _build(project, language)
    return _CACHE[key]


def _build(project: Project, language: str) -> dict[str, Any]:
    from tillit.apps.reports import figures_bridge
    from tillit.apps.surveys.models import Survey

    with override(language):
        k = int(project.k_threshold)
        meta = {
            "language": language,
            "built_at": formats.date_format(timezone.localtime(), "DATETIME_FORMAT"),
            "date": formats.date_format(timezone.localdate(), "DATE_FORMAT"),
            "data_version": figures_bridge.data_version(project),
            "tillit_version": tillit.__version__,
        }
        meta["stamp"] = _stamp(meta)
        tables: dict[str, Any] = {}
        surveys = []
        for survey in Survey.objects.filter(project=project).order_by("created_at"):
            if not survey.cases.exists():
                continue
            surveys.append(survey_part(project, survey, language, k, meta["stamp"], tables))
        return {
            "project": {
                "name": project.name,
                "description": project.description,
                "synthetic": bool(project.is_synthetic),
                "k": k,
            },
            "meta": meta,
            "surveys": surveys,
            "survey": surveys[0] if surveys else None,
            "screening": screening_part(project, meta["stamp"], tables),
            "coding": coding_part(project, meta["stamp"], tables),
            "tables": tables,
            "figures": figures_part(project, language, k, meta["stamp"]),
        }
