"""Analysis pages of the qda module: search, autocoding with review, queries (retrieval,
co-occurrence, framework matrix, word frequencies, keyword in context) with downloads,
intercoder reliability, and REFI-QDA export and import.

Every page reads only the sources the member may see (:func:`access.visible_sources`).
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tillit.apps.qda import access, queries, refi, services_exchange
from tillit.apps.qda.forms import AutocodeForm, QdpxImportForm, ReliabilityForm, SearchForm
from tillit.apps.qda.models import AutocodeBatch, Code, Source
from tillit.apps.qda.views import code_choices, render_qda
from tillit.errors import TillitError

User = get_user_model()
TABS = ("retrieve", "cooccurrence", "matrix", "words", "kwic")
FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html; charset=utf-8",
}


def _download(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# ----------------------------------------------------------------------------------------------
# search


@login_required
def search(request: HttpRequest, slug: str) -> HttpResponse:
    """Full-text search over the visible sources, by Snowball stem in nb, da or en."""
    pa = access.get_project(request.user, slug)
    form = SearchForm(request.GET or None)
    hits: list[dict[str, Any]] = []
    error = ""
    if form.is_valid():
        from tillit.qda.search import search as search_texts

        sources = access.visible_sources(pa, request.user)
        names = dict(sources.values_list("pk", "name"))
        try:
            frame = search_texts(
                queries.texts(sources),
                form.cleaned_data["q"],
                language=form.cleaned_data["lang"] or None,
                width=60,
            )
        except TillitError as exc:
            error = f"{exc.message} {exc.hint}".strip()
        else:
            hits = [
                {**r, "source": names.get(r["source_id"], "")}
                for r in frame.head(500).to_dict("records")
            ]
    return render_qda(request, "qda/search.html", pa, "search", form=form, hits=hits, error=error)


# ----------------------------------------------------------------------------------------------
# autocoding


@login_required
@require_http_methods(["GET", "POST"])
def autocode(request: HttpRequest, slug: str) -> HttpResponse:
    """Run an autocoding search; the proposals wait for review."""
    pa = access.get_project(request.user, slug, need=access.need_for(request, "code"))
    form = AutocodeForm(request.POST or None, codes=code_choices(pa.project))
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        code = get_object_or_404(Code, project=pa.project, pk=d["code"])
        try:
            batch = services_exchange.do_run_autocode(
                pa.project,
                code,
                d["method"],
                d["pattern"],
                actor=request.user,
                sources=access.visible_sources(pa, request.user),
                unit=d["unit"],
            )
        except TillitError as exc:
            form.add_error(None, f"{exc.message} {exc.hint}".strip())
        else:
            return redirect("qda:autocode-review", slug=slug, pk=batch.pk)
    batches = AutocodeBatch.objects.filter(project=pa.project).select_related("code")[:20]
    return render_qda(request, "qda/autocode.html", pa, "autocode", form=form, batches=batches)


@login_required
@require_http_methods(["GET", "POST"])
def autocode_review(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Tick the proposals to keep; only those become the reviewer's codings."""
    pa = access.get_project(request.user, slug, need=access.need_for(request, "code"))
    batch = get_object_or_404(
        AutocodeBatch.objects.select_related("code"), pk=pk, project=pa.project
    )
    visible = set(access.visible_sources(pa, request.user).values_list("pk", flat=True))
    if request.method == "POST":
        chosen = [int(x) for x in request.POST.getlist("accept") if x.isdigit()]
        chosen = [
            i
            for i in chosen
            if i < len(batch.proposals) and batch.proposals[i]["source"] in visible
        ]
        try:
            saved = services_exchange.do_review_autocode(batch, chosen, coder=request.user)
        except TillitError as exc:
            messages.error(request, f"{exc.message} {exc.hint}".strip())
        else:
            messages.success(request, _("%(n)s codings saved.") % {"n": len(saved)})
        return redirect("qda:autocode-review", slug=slug, pk=pk)
    names = dict(Source.objects.filter(project=pa.project).values_list("pk", "name"))
    rows = [
        {"index": i, **p, "source_name": names.get(p["source"], "?")}
        for i, p in enumerate(batch.proposals)
        if p["source"] in visible
    ]
    return render_qda(
        request, "qda/autocode_review.html", pa, "autocode", batch=batch, rows=rows[:2000]
    )


# ----------------------------------------------------------------------------------------------
# queries


def _query_context(request: HttpRequest, pa: Any) -> dict[str, Any]:
    """Run the query the GET parameters ask for; ``{"tab", "result"...}``."""
    import tillit.qda.queries as qq

    tab = request.GET.get("tab", "retrieve")
    tab = tab if tab in TABS else "retrieve"
    sources = access.visible_sources(pa, request.user)
    names = dict(sources.values_list("pk", "name"))
    paths = queries.code_paths(pa.project)
    ctx: dict[str, Any] = {"qtab": tab, "names": names, "paths": paths, "params": request.GET}
    frame = queries.codings_frame(sources)
    if tab == "retrieve":
        q = request.GET.get("q", "").strip()
        ctx["q"] = q
        if q:
            result = qq.run_query(
                q,
                frame,
                texts=queries.texts(sources.filter(pk__in=frame["source_id"].unique())),
                data=queries.query_data(pa.project, sources),
            )
            result["source"] = result["source_id"].map(names)
            result["code"] = result["code_id"].map(paths)
            ctx["table"] = result[["source", "start", "end", "code", "coder", "text", "source_id"]]
    elif tab == "cooccurrence":
        within = request.GET.get("across") != "1"
        proximity = _int(request.GET.get("proximity"), 0)
        result = qq.cooccurrence(frame, within_coder=within, proximity=proximity)
        ctx.update(within=within, proximity=proximity, cooc=result)
        ctx["matrix_rows"] = _matrix_rows(result, paths)
        ctx["heatmap"] = _heatmap(result.counts, paths)
        ctx["table"] = result.pairs.assign(
            code_a=result.pairs["code_a"].map(paths), code_b=result.pairs["code_b"].map(paths)
        )
    elif tab == "matrix":
        by = request.GET.get("by", "case") or "case"
        count = request.GET.get("count", "segments")
        count = count if count in ("segments", "sources", "characters") else "segments"
        result = qq.code_matrix(
            frame,
            by,
            data=queries.query_data(pa.project, sources),
            count=count,
            texts=queries.texts(sources.filter(pk__in=frame["source_id"].unique())),
        )
        cells = result.cells.assign(source=result.cells["source_id"].map(names))
        ctx.update(by=by, count=count, matrix=result)
        ctx["framework"] = [
            (
                paths.get(code, code),
                [
                    (
                        result.counts.at[code, col],
                        cells[(cells["code_id"] == code) & (cells["column"] == col)]
                        .head(20)
                        .to_dict("records"),
                    )
                    for col in result.counts.columns
                ],
            )
            for code in result.counts.index
        ]
        ctx["columns"] = [names.get(c, c) if by == "source" else c for c in result.counts.columns]
        ctx["table"] = result.counts.rename(index=paths).reset_index()
    elif tab == "words":
        lang = request.GET.get("lang") or None
        stem = request.GET.get("stem") == "1"
        result = qq.word_frequencies(
            queries.texts(sources), language=lang, stem=stem and lang is not None, top=200
        )
        ctx.update(lang=lang, stem=stem, table=result)
    elif tab == "kwic":
        keyword = request.GET.get("keyword", "").strip()
        lang = request.GET.get("lang") or None
        ctx.update(keyword=keyword, lang=lang)
        if keyword:
            result = qq.kwic(queries.texts(sources), keyword, language=lang, stem=lang is not None)
            if "source_id" in result.columns:
                result.insert(0, "source", result["source_id"].map(names))
            ctx["table"] = result.head(1000)
    return ctx


def _int(value: Any, default: int) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return default


def _matrix_rows(result: Any, paths: dict[int, str]) -> list[tuple[str, list[dict[str, Any]]]]:
    rows = []
    counts, jac, cco = result.counts, result.jaccard, result.c_coefficient
    for a in counts.index:
        cells = []
        for b in counts.columns:
            cells.append(
                {
                    "n": int(counts.at[a, b]),
                    "jaccard": float(jac.at[a, b]),
                    "c": float(cco.at[a, b]),
                    "diag": a == b,
                }
            )
        rows.append((paths.get(a, str(a)), cells))
    return rows


def _heatmap(counts: pd.DataFrame, paths: dict[int, str]) -> dict[str, Any] | None:
    """Geometry of a heat-map SVG of the off-diagonal counts (rendered by the template)."""
    k = len(counts.index)
    if k == 0 or k > 60:
        return None
    values = counts.to_numpy().astype(float).copy()
    for i in range(k):
        values[i, i] = 0
    top = values.max() or 1.0
    size, left, head = 18, 220, 20
    palette = ("#ffffff", "#e5eef8", "#c7dbf0", "#9ec2e6", "#6fa3d6", "#3f7fc0")
    cells = []
    for i in range(k):
        for j in range(k):
            v = values[i, j]
            level = 0 if v <= 0 else min(5, 1 + math.floor(4.999 * v / top))
            cells.append(
                {
                    "x": left + j * size,
                    "y": head + i * size,
                    "fill": palette[level],
                    "n": int(counts.iat[i, j]),
                }
            )
    labels = [
        {
            "y": head + i * size + 13,
            "text": f"{i + 1}. {paths.get(c, str(c)).rsplit('/', 1)[-1][:30]}",
        }
        for i, c in enumerate(counts.index)
    ]
    numbers = [{"x": left + j * size + size // 2, "text": str(j + 1)} for j in range(k)]
    return {
        "cells": cells,
        "labels": labels,
        "numbers": numbers,
        "size": size,
        "width": left + k * size + 4,
        "height": head + k * size + 4,
    }


@login_required
def query_page(request: HttpRequest, slug: str) -> HttpResponse:
    pa = access.get_project(request.user, slug)
    try:
        ctx = _query_context(request, pa)
    except TillitError as exc:
        ctx = {
            "qtab": request.GET.get("tab", "retrieve"),
            "error": f"{exc.message} {exc.hint}",
            "params": request.GET,
            "q": request.GET.get("q", ""),
        }
    fmt = request.GET.get("format")
    if fmt in FORMATS and isinstance(ctx.get("table"), pd.DataFrame):
        return _export(ctx["table"], ctx["qtab"], fmt, pa.project, ctx)
    ctx["rows"] = (
        ctx["table"].head(500).to_dict("records")
        if isinstance(ctx.get("table"), pd.DataFrame)
        else []
    )
    ctx["columns_table"] = (
        list(ctx["table"].columns) if isinstance(ctx.get("table"), pd.DataFrame) else []
    )
    return render_qda(request, "qda/queries.html", pa, "queries", **ctx)


def _export(table: pd.DataFrame, tab: str, fmt: str, project: Any, ctx: dict) -> HttpResponse:
    import tillit.qda.export as export

    title = f"{project.name}: {tab}"
    name = f"{slugify(project.slug)}-{tab}.{fmt}"
    sheets = {tab: table}
    for key in ("cooc", "matrix"):
        if key in ctx and hasattr(ctx[key], "sheets"):
            sheets = ctx[key].sheets()
    if fmt == "csv":
        data = export.to_csv(table).encode()
    elif fmt == "xlsx":
        data = export.to_xlsx(sheets)
    else:
        data = export.html_report(title, list(sheets.items())).encode()
    return _download(data, name, FORMATS[fmt])


# ----------------------------------------------------------------------------------------------
# reliability


@login_required
def reliability(request: HttpRequest, slug: str) -> HttpResponse:
    """Agreement of two coders: kappa and percent agreement per code, alpha, segment table."""
    import tillit.qda.reliability as rel

    pa = access.get_project(request.user, slug)
    sources = access.visible_sources(pa, request.user)
    coders = list(
        User.objects.filter(qda_codings__source__in=sources).distinct().order_by("username")
    )
    choices = [(u.username, u.username) for u in coders]
    initial = {"threshold": 0.9}
    if len(choices) >= 2:
        initial.update(coder_a=choices[0][0], coder_b=choices[1][0])
    data = request.GET if "coder_a" in request.GET else None
    form = ReliabilityForm(data, coders=choices, initial=initial)
    ctx: dict[str, Any] = {"form": form, "enough": len(choices) >= 2}
    if len(choices) >= 2:
        params = (
            form.cleaned_data
            if data is not None and form.is_valid()
            else {
                "coder_a": choices[0][0],
                "coder_b": choices[1][0],
                "exclude_uncoded": False,
                "threshold": 0.9,
            }
        )
        if params["coder_a"] == params["coder_b"]:
            ctx["error"] = _("Choose two different coders.")
        else:
            ctx.update(_reliability(pa.project, sources, params, rel))
    fmt = request.GET.get("format")
    if fmt in FORMATS and "agreement" in ctx:
        return _export(
            ctx["agreement_table"],
            "reliability",
            fmt,
            pa.project,
            {"matrix": _Sheets(ctx["sheets"])},
        )
    return render_qda(request, "qda/reliability.html", pa, "reliability", **ctx)


class _Sheets:
    def __init__(self, sheets: dict[str, pd.DataFrame]) -> None:
        self._sheets = sheets

    def sheets(self) -> dict[str, pd.DataFrame]:
        return self._sheets


def reliability_report(project: Any, sources: Any, params: dict[str, Any]) -> dict[str, Any]:
    """Kappa, alpha and segment overlap for two coders (used by the page and the CLI)."""
    import tillit.qda.reliability as rel

    return _reliability(project, sources, params, rel)


def _reliability(project: Any, sources: Any, params: dict[str, Any], rel: Any) -> dict[str, Any]:
    who = (params["coder_a"], params["coder_b"])
    frame = queries.codings_frame(sources, coders=list(who))
    paths = queries.code_paths(project)
    lengths = queries.lengths(sources)
    uncoded = "exclude" if params.get("exclude_uncoded") else "include"
    if frame.empty or frame["coder"].nunique() < 2:
        return {"error": _("Both coders need codings to compare.")}
    frame = frame[frame["source_id"].isin(lengths)]
    agreement = rel.agreement(frame, lengths, coders=who, uncoded=uncoded)
    alpha = rel.code_alpha(frame, lengths, coders=who, uncoded=uncoded)
    overlap = rel.segment_overlap(frame, coders=who, threshold=float(params["threshold"]))
    unitizing = rel.unitizing_alpha(frame, lengths=lengths, coders=who)
    table = agreement.table.merge(alpha.table[["code_id", "alpha"]], on="code_id", how="left")
    u_table = unitizing.categories.rename(columns={"category": "code_id", "alpha": "u_alpha"})
    table = table.merge(u_table[["code_id", "u_alpha"]], on="code_id", how="left")
    turns = _turn_alpha(frame, sources, who)
    if turns is not None:
        table = table.merge(turns, on="code_id", how="left")
    table.insert(0, "code", table["code_id"].map(paths))
    names = dict(Source.objects.filter(project=project).values_list("pk", "name"))
    disagreements = overlap.disagreements.copy()
    if not disagreements.empty:
        disagreements.insert(0, "code", disagreements["code_id"].map(paths))
        disagreements.insert(0, "source", disagreements["source_id"].map(names))
    per_code = overlap.per_code.copy()
    per_code.insert(0, "code", per_code["code_id"].map(paths))
    ids = dict(User.objects.filter(username__in=who).values_list("username", "pk"))
    return {
        "compare": f"compare:{ids.get(who[0], 0)}:{ids.get(who[1], 0)}",
        "coder_a": who[0],
        "coder_b": who[1],
        "uncoded": uncoded,
        "agreement": agreement,
        "alpha": alpha,
        "unitizing": unitizing,
        "has_turns": turns is not None,
        "overlap": overlap,
        "agreement_table": table,
        "agreement_rows": table.to_dict("records"),
        "per_code_rows": per_code.to_dict("records"),
        "disagreement_rows": disagreements.head(500).to_dict("records"),
        "n_disagreements": len(disagreements),
        "sheets": {"agreement": table, "segments": per_code, "disagreements": disagreements},
    }


def _turn_alpha(frame: pd.DataFrame, sources: Any, who: tuple[str, str]) -> pd.DataFrame | None:
    """Krippendorff's alpha per code on predefined units, the speaker turns: a coder gives a
    turn 1 when a coding of the code touches it, else 0. None when no source has turns."""
    import numpy as np

    from tillit.apps.qda.models import SpeakerSegment
    from tillit.qda.alpha import krippendorff_alpha

    turns = pd.DataFrame(
        list(SpeakerSegment.objects.filter(source__in=sources).values_list(
            "source_id", "start", "end")),
        columns=["source_id", "start", "end"],
    )  # fmt: skip
    if turns.empty:
        return None
    turns = turns[turns["source_id"].isin(frame["source_id"].unique())].reset_index(drop=True)
    if turns.empty:
        return None
    rows = []
    for code, group in frame.groupby("code_id"):
        matrix = np.zeros((2, len(turns)))
        for row, coder in enumerate(who):
            mine = group[group["coder"] == coder]
            for c in mine.itertuples(index=False):
                hit = (
                    (turns["source_id"] == c.source_id)
                    & (turns["start"] < c.end)
                    & (turns["end"] > c.start)
                )
                matrix[row, hit.to_numpy()] = 1
        rows.append({"code_id": code, "turn_alpha": krippendorff_alpha(matrix).alpha})
    return pd.DataFrame(rows, columns=["code_id", "turn_alpha"])


# ----------------------------------------------------------------------------------------------
# REFI-QDA


@login_required
@require_http_methods(["GET", "POST"])
def refi_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Export the project as .qdpx (researchers and owners) or import one (all or nothing)."""
    pa = access.get_project(request.user, slug, need=access.need_for(request, "edit"))
    form = QdpxImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = services_exchange.do_import_qdpx(
                pa.project, form.cleaned_data["file"].read(), actor=request.user
            )
        except TillitError as exc:
            form.add_error(None, f"{exc.message} {exc.hint}".strip())
            for e in exc.errors[:20]:
                form.add_error(None, str(e))
        else:
            messages.success(request, _("Project imported."))
    return render_qda(request, "qda/refi.html", pa, "refi", form=form, report=report)


@login_required
def refi_export(request: HttpRequest, slug: str) -> HttpResponse:
    """The project as .qdpx: interview text leaves tillit, so researchers and owners only."""
    pa = access.get_project(request.user, slug, need="personal_data")
    data = services_exchange.do_export_qdpx(pa.project, actor=request.user)
    return _download(data, f"{pa.project.slug}.qdpx", "application/zip")


@login_required
def codebook_export(request: HttpRequest, slug: str) -> HttpResponse:
    pa = access.get_project(request.user, slug)
    data = refi.export_codebook(pa.project)
    return _download(data, f"{pa.project.slug}-codebook.qdc", "application/xml")
