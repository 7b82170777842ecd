"""Analysis pages of a survey, under ``/p/<project>/analysis/``: thin views over
:mod:`tillit.apps.analysis.services`.

Disclosure: for members who may not edit the project (viewers, coders) every cell built from
fewer than ``project.k_threshold`` respondents is suppressed, on the pages and in downloads.
No page shows a single case.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pandas as pd
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from tillit.analysis import Design
from tillit.apps.analysis import charts, data, services
from tillit.apps.core import access
from tillit.apps.core.access import ProjectAccess
from tillit.apps.surveys.models import Survey

TABLES = ("aapor", "dispositions", "frequencies", "means", "comparison", "scales", "scale-items")
DOWNLOAD_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass
class Ctx:
    pa: ProjectAccess
    survey: Survey
    sd: data.SurveyData
    design: Design | None  # None: too few respondents for a design (see ``problem``)
    restricted: bool
    k: int
    problem: str = ""

    def suppress(self, table: pd.DataFrame, n_columns: tuple[str, ...] = ("n",)) -> pd.DataFrame:
        if self.restricted:
            return services.suppress(table, self.k, n_columns)
        return table.assign(suppressed=False) if not table.empty else table


def _ctx(request: HttpRequest, slug: str, survey_slug: str) -> Ctx:
    pa = access.get_project_for_user(request.user, slug, need="view")
    survey = get_object_or_404(
        Survey.objects.select_related("instrument", "project"), project=pa.project, slug=survey_slug
    )
    language = (request.LANGUAGE_CODE or "en")[:2] if hasattr(request, "LANGUAGE_CODE") else "en"
    sd = data.load(survey, language=language)
    design, problem = services.try_design(sd)
    restricted = not pa.role.can_edit()
    return Ctx(pa, survey, sd, design, restricted, int(pa.project.k_threshold), problem)


def _render(request: HttpRequest, template: str, c: Ctx | None, **ctx: Any) -> HttpResponse:
    base: dict[str, Any] = {"nav": "projects"}
    if c is not None:
        base.update(
            pa=c.pa,
            project=c.pa.project,
            survey=c.survey,
            k=c.k,
            restricted=c.restricted,
            synthetic=c.pa.project.is_synthetic or c.survey.is_synthetic,
            design=c.design.describe() if c.design else "",
            problem=c.problem,
        )
    return render(request, template, {**base, **ctx})


def _svg(spec: dict[str, Any], title: str) -> str:
    from tillit.charts import render_svg

    return mark_safe(render_svg(spec, title=title))  # noqa: S308 (our own cleaned SVG)


# ----------------------------------------------------------------------------------------------
# tables (shared by the pages and the downloads)


def _aapor(c: Ctx) -> pd.DataFrame:
    return services.aapor(c.sd)


def _dispositions(c: Ctx) -> pd.DataFrame:
    return services.dispositions(c.sd)


def _frequencies(c: Ctx, by: str | None = None) -> pd.DataFrame:
    if c.design is None:
        return pd.DataFrame()
    t = services.frequencies(c.sd, c.design, c.sd.items, by)
    return c.suppress(t, ("n", "n_domain"))


def _means(c: Ctx, by: str | None = None) -> pd.DataFrame:
    if c.design is None:
        return pd.DataFrame()
    return c.suppress(services.means(c.sd, c.design, c.sd.items, by))


def _comparison(c: Ctx) -> pd.DataFrame:
    if c.design is None:
        return pd.DataFrame()
    return c.suppress(services.comparison(c.sd, c.design, c.sd.items), ("n_no", "n_dk"))


def _scales(c: Ctx) -> tuple[pd.DataFrame, pd.DataFrame]:
    results = services.scales(c.sd)
    summary = pd.DataFrame(
        [
            {k: v for k, v in s.as_dict().items() if k not in ("item_rest", "items", "concepts")}
            | {"items": ", ".join(s.items)}
            for s in results
        ]
    )
    items = pd.concat(
        [s.item_table.assign(scale=s.name, n=s.n) for s in results] or [pd.DataFrame()],
        ignore_index=True,
    )
    return c.suppress(summary), c.suppress(items)


def _table(c: Ctx, name: str, by: str | None) -> pd.DataFrame:
    if name == "aapor":
        return _aapor(c)
    if name == "dispositions":
        return _dispositions(c)
    if name == "frequencies":
        return _frequencies(c, by)
    if name == "means":
        return _means(c, by)
    if name == "comparison":
        return _comparison(c)
    if name == "scales":
        return _scales(c)[0]
    return _scales(c)[1]


def _by(request: HttpRequest) -> str | None:
    by = request.GET.get("by") or None
    return by if by in services.DOMAINS else None


# ----------------------------------------------------------------------------------------------
# pages


@login_required
def survey_list(request: HttpRequest, slug: str) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug, need="view")
    surveys = Survey.objects.filter(project=pa.project).order_by("-created_at", "slug")
    return render(
        request,
        "analysis/survey_list.html",
        {
            "pa": pa,
            "project": pa.project,
            "nav": "projects",
            "surveys": surveys,
            "synthetic": pa.project.is_synthetic,
        },
    )


@login_required
def overview(request: HttpRequest, slug: str, survey_slug: str) -> HttpResponse:
    c = _ctx(request, slug, survey_slug)
    rates = services.records(_aapor(c))
    disp = _dispositions(c)
    title = _("Cases by final disposition and country")
    chart = _svg(charts.dispositions_spec(disp, title, _("cases")), title) if len(disp) else ""
    return _render(
        request,
        "analysis/overview.html",
        c,
        tab="overview",
        rates=rates,
        rate_names=services.MAIN_RATES,
        dispositions=services.records(disp),
        chart=chart,
        n_cases=len(c.sd.frame),
        n_respondents=len(c.sd.respondents),
    )


@login_required
def frequencies(request: HttpRequest, slug: str, survey_slug: str) -> HttpResponse:
    c = _ctx(request, slug, survey_slug)
    by = _by(request)
    rows = services.records(_frequencies(c, by))
    by_item: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        by_item.setdefault(r["variable"], []).append(r)
    pages = [
        {
            "name": name,
            "label": label,
            "items": [{"item": it, "rows": by_item[it.name]} for it in items if it.name in by_item],
        }
        for name, label, items in c.sd.pages()
    ]
    pages = [p for p in pages if p["items"]]
    return _render(
        request,
        "analysis/frequencies.html",
        c,
        tab="frequencies",
        pages=pages,
        by=by,
        domains=services.DOMAINS,
    )


@login_required
def comparison(request: HttpRequest, slug: str, survey_slug: str) -> HttpResponse:
    c = _ctx(request, slug, survey_slug)
    rows = services.records(_comparison(c))
    rating = {i.name for i in c.sd.items if i.is_categorical and i.is_scored}
    shown = [r for r in rows if not r.get("suppressed") and r["variable"] in rating]
    # xgettext:no-python-format
    title = _("Means in Norway and Denmark with 95% confidence intervals")
    chart = _svg(charts.comparison_spec(shown, title, _("estimate")), title) if shown else ""
    return _render(request, "analysis/comparison.html", c, tab="comparison", rows=rows, chart=chart)


@login_required
def scales(request: HttpRequest, slug: str, survey_slug: str) -> HttpResponse:
    c = _ctx(request, slug, survey_slug)
    summary, items = _scales(c)
    item_rows = services.records(items)
    out = []
    for s in services.records(summary):
        s["item_rows"] = [r for r in item_rows if r.get("scale") == s["name"]]
        out.append(s)
    return _render(request, "analysis/scales.html", c, tab="scales", scales=out)


@login_required
def download(request: HttpRequest, slug: str, survey_slug: str, table: str, fmt: str):
    if table not in TABLES or fmt not in DOWNLOAD_TYPES:
        raise Http404("No such table.")
    c = _ctx(request, slug, survey_slug)
    frame = _table(c, table, _by(request))
    stem = f"{c.pa.project.slug}_{c.survey.slug}_{table}".replace("-", "_")
    if c.survey.is_synthetic or c.pa.project.is_synthetic:
        stem = "SYNTHETIC_" + stem
    if fmt == "csv":
        content = frame.to_csv(index=False).encode("utf-8")
    else:
        buf = io.BytesIO()
        frame.to_excel(buf, index=False, sheet_name=table[:31], engine="openpyxl")
        content = buf.getvalue()
    resp = HttpResponse(content, content_type=DOWNLOAD_TYPES[fmt])
    resp["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return resp
