"""The observatory's figures in a report: the same Vega-Lite spec and SVG as the dashboard
(:mod:`tillit.apps.observatory.figures`), with the figure's data table beside it."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

#: Count columns of a figure's data table that must respect k (a row with 0 < n < k is
#: blanked as a last line of defence; the figures are already disclosure-checked).
COUNT_COLUMNS = ("n", "n_respondents", "respondents", "count", "n_domain", "n_no", "n_dk")


def data_version(project: Any) -> str:
    """The project's data version, as the observatory stamps its figures."""
    from tillit.apps.observatory.services import data_version as observatory_version

    return observatory_version(project)


def survey_data(project: Any, survey: Any, language: str) -> Any:
    """The survey's :class:`~tillit.apps.analysis.data.SurveyData`, shared with the
    observatory's in-memory cache (keyed by data version)."""
    from tillit.apps.observatory.inputs import load_inputs

    return load_inputs(project, data_version(project), survey=survey, language=language).survey


def _cell(value: Any) -> str:
    from tillit.apps.reports.context import num

    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return num(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "–"
        return num(value, 0 if value == round(value) else 2)
    return short_label(str(value))


def short_label(text: str) -> str:
    """An item label without the stem of its question group (``"How much trust...?: X"``
    -> ``"X"``)."""
    import re

    return re.split(r"[.?]:\s", text)[-1]


def frame_table(
    frame: pd.DataFrame,
    caption: str,
    stamp: str,
    k: int,
    count_columns: tuple[str, ...] = COUNT_COLUMNS,
) -> dict[str, Any]:
    """A figure's DataFrame as a prepared table (at most 60 rows), small counts blanked."""
    from tillit.apps.reports.context import table

    frame = frame.head(60).reset_index(drop=True)
    counts_cols = [c for c in frame.columns if str(c) in count_columns]
    rows, counts = [], []
    for rec in frame.to_dict("records"):
        small = any(
            isinstance(rec[c], int | float)
            and not (isinstance(rec[c], float) and math.isnan(rec[c]))
            and 0 < float(rec[c]) < k
            for c in counts_cols
        )
        shown = {
            c: ("–" if small and pd.api.types.is_number(v) else _cell(v)) for c, v in rec.items()
        }
        rows.append([shown[c] for c in frame.columns])
        counts.append([None if small else rec[c] for c in counts_cols])
    columns = [(str(c), pd.api.types.is_numeric_dtype(frame[c])) for c in frame.columns]
    return table(caption, columns, rows, stamp, counts=counts)


#: Largest data table printed under a figure (maps have one row per municipality: their
#: data is in the dashboard's CSV download instead).
MAX_TABLE_ROWS = 40
#: The indicator map of a report: the first of these the survey has (else its first rating item).
PREFERRED_INDICATORS = ("vt_pol_adm", "vt_mgr_emp", "ht_services")


def report_figures(project: Any, language: str, k: int) -> list[Any]:
    """The observatory figures a report shows, in order: reform status map, diffusion
    timeline, screening coverage, one survey indicator map, and the NO vs DK comparisons."""
    from tillit.apps.observatory import figures as obs
    from tillit.apps.observatory.inputs import load_inputs

    inputs = load_inputs(project, data_version(project), language=language)
    out = [obs.status_map(inputs), obs.timeline(inputs), obs.coverage(inputs)]
    if inputs.survey is not None:
        from tillit.apps.observatory.indicators import rating_items

        names = [i.name for i in rating_items(inputs.survey)]
        if names:
            chosen = next((n for n in PREFERRED_INDICATORS if n in names), names[0])
            out.append(obs.indicator_map(inputs, chosen, k))
        out.extend(obs.comparison(inputs, k))
    return [f for f in out if not f.empty]


def _labels() -> dict[str, str]:
    from django.utils.translation import gettext as _

    return {
        "variable": _("Variable"),
        "question": _("Question"),
        "country": _("Country"),
        "n": "n",
        "mean": _("Mean"),
        "ci_low": _("CI low"),
        "ci_high": _("CI high"),
        "suppressed": _("Suppressed"),
        "year": _("Year"),
        "status": _("Status"),
        "documents": _("Documents"),
        "screened": _("Screened"),
        "group": _("Group"),
        "code": _("Code"),
        "municipality": _("Municipality"),
        "county": _("County or region"),
        "size_class": _("Size class"),
        "new": _("New"),
        "cumulative": _("Cumulative"),
        "level": _("Level"),
        "municipalities": _("Municipalities"),
        "with_documents": _("With documents"),
        "documents_screened": _("Documents screened"),
    }


def figures(project: Any, *, language: str, k: int, stamp: str) -> dict[str, Any]:
    """``{name: {"svg", "caption", "stamp", "table"}}`` for the report's observatory figures
    (the same SVG as the dashboard, stamped with the data and tillit versions)."""
    out: dict[str, Any] = {}
    labels = _labels()
    for n, fig in enumerate(report_figures(project, language, k)):
        name = fig.name if fig.name not in out else f"{fig.name}-{n}"
        data = fig.data
        table = None
        if data is not None and 0 < len(data) <= MAX_TABLE_ROWS:
            shown = data.drop(columns=[c for c in ("suppressed",) if c in data.columns])
            table = frame_table(
                shown.rename(columns={c: labels.get(str(c), str(c)) for c in shown.columns}),
                fig.title,
                fig.stamp,
                k,
                count_columns=("n",),
            )
        out[name] = {
            "svg": fig.svg(),
            "title": fig.title,
            "caption": fig.caption,
            "stamp": fig.stamp,
            "table": table,
        }
    return out
