"""Pages of the cases module, under ``p/<slug>/cases/``: the case matrix, QCA and trust models.

Disclosure: survey columns (one municipality's answers) are offered and shown only to members
who may see personal data (owners, researchers); each view of them is recorded in the audit
trail. Other members get the matrix without them, and identified exports never carry them.
"""

from __future__ import annotations

import math
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_http_methods, require_POST

from tillit.apps.cases import exports, services
from tillit.apps.cases import matrix as mx
from tillit.apps.cases import qca as qcas
from tillit.apps.cases.models import CaseMatrix, QcaModel
from tillit.apps.core import access
from tillit.apps.core.access import ProjectAccess
from tillit.errors import TillitError

SOURCE_LABELS = {
    "registry": gettext_noop("Registry"),
    "register": gettext_noop("Reform register"),
    "screening": gettext_noop("Document screening"),
    "qda": gettext_noop("Qualitative codes"),
    "survey": gettext_noop("Survey (personal data)"),
}
REF_LABELS = {
    "registry": gettext_noop("registry"),
    "initiative": gettext_noop("register initiative"),
    "passage": gettext_noop("document passage"),
    "coding": gettext_noop("coded segment"),
    "survey_case": gettext_noop("survey case"),
}


def _lang(request: HttpRequest) -> str:
    return (getattr(request, "LANGUAGE_CODE", "") or "en")[:2]


def _render(request: HttpRequest, template: str, pa: ProjectAccess, **ctx: Any) -> HttpResponse:
    base = {
        "pa": pa,
        "project": pa.project,
        "nav": "projects",
        "synthetic": pa.project.is_synthetic or ctx.pop("synthetic", False),
        "personal": pa.can("personal_data"),
    }
    return render(request, template, {**base, **ctx})


def _qda_sources(pa: ProjectAccess, user: Any) -> Any:
    from tillit.apps.qda import access as qda_access

    return qda_access.visible_sources(pa, user)


# ----------------------------------------------------------------------------------------------
# matrix set-up from a request


def _default_columns(available: list[mx.Column]) -> list[str]:
    ids = [c.id for c in available]
    wanted = [
        "registry.country",
        "registry.size_class",
        "register.adopted",
        "register.first_year",
        "screen.passages:measure",
        "screen.passages:motive",
        "qda.segments:measure",
        "qda.segments:relation",
    ]
    return [c for c in wanted if c in ids]


def _setup(request: HttpRequest, pa: ProjectAccess) -> dict[str, Any]:
    """Rows and columns from a saved matrix (``?saved=``) or the picker's query string."""
    g = request.GET
    saved = None
    if g.get("saved", "").isdigit():
        saved = CaseMatrix.objects.filter(project=pa.project, pk=int(g["saved"])).first()
        if saved is None:
            raise Http404("No such matrix.")
    if saved is not None and not g.getlist("col"):
        unit, rows, cols = saved.unit, dict(saved.rows), list(saved.columns)
    else:
        unit = g.get("unit") if g.get("unit") in services.UNITS else "municipality"
        rows = {
            "countries": [c for c in g.getlist("country") if c in ("NO", "DK")],
            "codes": [c for c in g.get("codes", "").replace(",", " ").split() if c],
            "sources": [s for s in g.getlist("source") if s in mx.SOURCES] or None,
        }
        cols = g.getlist("col")
    return {"saved": saved, "unit": unit, "rows": rows, "columns": cols}


def _build(request: HttpRequest, pa: ProjectAccess, setup: dict[str, Any], **kw: Any):
    personal = pa.can("personal_data")
    cols = setup["columns"]
    dropped = [c for c in cols if c.startswith("survey.")] if not personal else []
    cols = [c for c in cols if c not in dropped]
    setup["columns"] = cols
    spec = mx.RowSpec.from_dict(setup["rows"], setup["unit"])
    m = mx.build(
        pa.project,
        cols,
        spec,
        personal=personal,
        lang=_lang(request),
        qda_sources=_qda_sources(pa, request.user),
        **kw,
    )
    return m, dropped


def _fmt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        return str(int(v)) if v.is_integer() else f"{v:.2f}"
    return str(v)


def _query(setup: dict[str, Any]) -> str:
    from urllib.parse import urlencode

    pairs: list[tuple[str, str]] = [("unit", setup["unit"])]
    if setup.get("saved") is not None:
        pairs.append(("saved", str(setup["saved"].pk)))
    rows = setup["rows"]
    pairs += [("country", c) for c in rows.get("countries") or []]
    if rows.get("codes"):
        pairs.append(("codes", " ".join(rows["codes"])))
    pairs += [("source", s) for s in rows.get("sources") or []]
    pairs += [("col", c) for c in setup["columns"]]
    return urlencode(pairs)


# ----------------------------------------------------------------------------------------------
# pages


@login_required
def index(request: HttpRequest, slug: str) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug)
    return _render(
        request,
        "cases/index.html",
        pa,
        matrices=[
            {"m": m, "personal": services.uses_personal(m.columns)}
            for m in CaseMatrix.objects.filter(project=pa.project)
        ],
        qca_models=[
            {"q": q, "personal": services.uses_personal(q.matrix.columns)}
            for q in QcaModel.objects.filter(project=pa.project).select_related("matrix")
        ],
    )


@login_required
@require_http_methods(["GET", "POST"])
def matrix_page(request: HttpRequest, slug: str) -> HttpResponse:
    pa = access.get_project_for_user(
        request.user, slug, need="edit" if request.method == "POST" else "view"
    )
    setup = _setup(request, pa)
    available = mx.available_columns(
        pa.project, personal=pa.can("personal_data"), lang=_lang(request)
    )
    if not setup["columns"]:
        setup["columns"] = _default_columns(available)
    if request.method == "POST":
        try:
            cm = services.do_save_matrix(
                pa.project,
                name=request.POST.get("name", ""),
                description=request.POST.get("description", ""),
                columns=setup["columns"],
                unit=setup["unit"],
                rows=setup["rows"],
                actor=request.user,
            )
        except TillitError as exc:
            messages.error(request, f"{exc.message} {exc.hint}".strip())
        else:
            messages.success(request, _("Case matrix saved."))
            return redirect(f"{request.path}?saved={cm.pk}")
    try:
        m, dropped = _build(request, pa, setup)
    except TillitError as exc:
        messages.error(request, f"{exc.message} {exc.hint}".strip())
        m, dropped = None, []
    if dropped:
        messages.warning(
            request,
            _(
                "Survey columns are personal data and are shown only to owners and researchers; "
                "%(n)d were left out."
            )
            % {"n": len(dropped)},
        )
    if m is not None and any(c.personal for c in m.columns):
        mx.audit_personal_access(pa.project, m, actor=request.user, purpose="view:case-matrix")
    groups: dict[str, list[mx.Column]] = {}
    for c in available:
        groups.setdefault(c.source, []).append(c)
    chosen = set(setup["columns"])
    table = []
    if m is not None:
        for r in m.rows:
            cells = []
            for c in m.columns:
                v = m.frame.at[r.key, c.id]
                cells.append({"text": _fmt(v), "col": c.id, "has": bool(m.refs(r.key, c.id))})
            table.append({"row": r, "cells": cells})
    return _render(
        request,
        "cases/matrix.html",
        pa,
        setup=setup,
        query=_query(setup),
        cell_url=reverse("cases:cell", args=[slug]),
        groups=[
            {
                "source": s,
                "label": _(SOURCE_LABELS[s]),
                "columns": cols,
                "chosen": [c.id for c in cols if c.id in chosen],
            }
            for s, cols in groups.items()
        ],
        chosen=chosen,
        matrix=m,
        headers=[
            {"column": c, "source": _(SOURCE_LABELS.get(c.source, c.source))}
            for c in (m.columns if m is not None else [])
        ],
        table=table,
        units=[("municipality", _("Municipalities")), ("qda_case", _("Cases (qualitative)"))],
        sources=[(s, _(SOURCE_LABELS[s])) for s in mx.SOURCES if s != "registry"],
        synthetic=bool(setup["saved"] and setup["saved"].is_synthetic),
    )


@login_required
def cell(request: HttpRequest, slug: str) -> HttpResponse:
    """The evidence behind one cell (``?unit=&row=&col=``)."""
    pa = access.get_project_for_user(request.user, slug)
    g = request.GET
    unit = g.get("unit") if g.get("unit") in services.UNITS else "municipality"
    row, col = g.get("row", ""), g.get("col", "")
    if col.startswith("survey.") and not pa.can("personal_data"):
        raise PermissionDenied(_("Survey answers of one municipality are personal data."))
    rows = {"codes": [row]} if unit == "municipality" else {}
    try:
        m, _dropped = _build(
            request, pa, {"unit": unit, "rows": rows, "columns": [col]}, only_rows=[row]
        )
    except TillitError as exc:
        raise Http404(exc.message) from exc
    if not m.rows or not m.columns:
        raise Http404("No such cell.")
    if any(c.personal for c in m.columns):
        mx.audit_personal_access(pa.project, m, actor=request.user, purpose="view:case-matrix-cell")
    r, c = m.rows[0], m.columns[0]
    matrix_url = reverse("cases:matrix", args=[slug])
    referer = request.headers.get("Referer", "")
    back = referer[referer.index(matrix_url) :] if matrix_url in referer else matrix_url
    return _render(
        request,
        "cases/cell.html",
        pa,
        row=r,
        column=c,
        value=_fmt(m.frame.at[r.key, c.id]),
        refs=[{"ref": x, "kind": _(REF_LABELS.get(x.kind, x.kind))} for x in m.refs(r.key, c.id)],
        back=back,
    )


@login_required
def export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    if fmt not in exports.FORMATS:
        raise Http404("No such format.")
    form = request.GET.get("form", "identified")
    pa = access.get_project_for_user(
        request.user, slug, need="personal_data" if form == "pseudonymous" else "view"
    )
    setup = _setup(request, pa)
    if form == "identified":
        setup["columns"] = [c for c in setup["columns"] if not c.startswith("survey.")]
    try:
        m, _dropped = _build(request, pa, setup)
        f = exports.export(
            m,
            fmt,
            form=form,
            project=pa.project,
            stem=f"{pa.project.slug}_case_matrix",
            synthetic=pa.project.is_synthetic,
        )
    except TillitError as exc:
        messages.error(request, f"{exc.message} {exc.hint}".strip())
        return redirect(reverse("cases:matrix", args=[slug]) + f"?{_query(setup)}")
    if form == "pseudonymous" and any(c.personal for c in m.columns):
        mx.audit_personal_access(pa.project, m, actor=request.user, purpose=f"export:{fmt}")
    resp = HttpResponse(f.content, content_type=f.content_type)
    resp["Content-Disposition"] = f'attachment; filename="{f.filename}"'
    return resp


@login_required
@require_POST
def matrix_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug, need="edit")
    cm = CaseMatrix.objects.filter(project=pa.project, pk=pk).first()
    if cm is None:
        raise Http404("No such matrix.")
    services.do_delete_matrix(cm, actor=request.user)
    messages.success(request, _("Case matrix deleted."))
    return redirect("cases:index", slug=slug)


# ----------------------------------------------------------------------------------------------
# QCA


def _qca_form(request: HttpRequest, cm: CaseMatrix, saved: QcaModel | None) -> dict[str, Any]:
    """Outcome, conditions and cuts from the form (or the saved model)."""
    src = request.GET
    if saved is not None and not src.get("outcome"):
        return {
            "outcome": saved.outcome,
            "conditions": saved.conditions,
            "incl_cut": saved.incl_cut,
            "n_cut": saved.n_cut,
            "pri_cut": saved.pri_cut,
            "negate": src.get("negate") == "1",
            "name": request.POST.get("name") or saved.name,
        }
    taken: list[str] = []

    def spec(prefix: str, column: str) -> dict[str, str]:
        name = src.get(f"{prefix}name") or qcas.default_name(column, taken)
        taken.append(name)
        return {
            "column": column,
            "name": name,
            "type": src.get(f"{prefix}type") or "asis",
            "thresholds": src.get(f"{prefix}thresholds", ""),
            "direction": src.get(f"{prefix}direction") or "-",
        }

    out_col = src.get("outcome", "")
    outcome = spec("o_", out_col) if out_col else {}
    conds = []
    for col in src.getlist("condition"):
        if col and col != out_col:
            conds.append(spec(f"c:{col}:", col))

    def num(key: str, default: float) -> float:
        try:
            return float(src.get(key) or default)
        except ValueError:
            return default

    return {
        "outcome": outcome,
        "conditions": conds,
        "incl_cut": num("incl_cut", 0.8),
        "n_cut": int(num("n_cut", 1)),
        "pri_cut": num("pri_cut", 0.0),
        "negate": src.get("negate") == "1",
        "name": request.POST.get("name", ""),
    }


@login_required
@require_http_methods(["GET", "POST"])
def qca_page(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    pa = access.get_project_for_user(
        request.user, slug, need="edit" if request.method == "POST" else "view"
    )
    saved = None
    if pk is not None:
        saved = QcaModel.objects.filter(project=pa.project, pk=pk).select_related("matrix").first()
        if saved is None:
            raise Http404("No such QCA model.")
    matrices = list(CaseMatrix.objects.filter(project=pa.project))
    mid = request.GET.get("matrix")
    cm = saved.matrix if saved is not None and not mid else None
    if mid and str(mid).isdigit():
        cm = next((x for x in matrices if x.pk == int(mid)), None)
    if cm is None:
        return _render(request, "cases/qca.html", pa, matrices=matrices, cm=None, saved=saved)
    personal = pa.can("personal_data")
    if services.uses_personal(cm.columns) and not personal:
        raise PermissionDenied(
            _(
                "This matrix has survey columns (personal data); only owners and researchers may "
                "analyse it."
            )
        )
    form = _qca_form(request, cm, saved)
    if request.method == "POST":
        try:
            saved = services.do_save_qca(
                cm,
                name=form["name"],
                outcome=form["outcome"],
                conditions=form["conditions"],
                incl_cut=form["incl_cut"],
                n_cut=form["n_cut"],
                pri_cut=form["pri_cut"],
                actor=request.user,
            )
        except TillitError as exc:
            messages.error(request, f"{exc.message} {exc.hint}".strip())
        else:
            messages.success(request, _("QCA model saved."))
            return redirect("cases:qca-saved", slug=slug, pk=saved.pk)
    from urllib.parse import urlencode

    query = urlencode([(k, v) for k in request.GET for v in request.GET.getlist(k)])
    m = services.build_saved(
        cm, personal=personal, lang=_lang(request), qda_sources=_qda_sources(pa, request.user)
    )
    if any(c.personal for c in m.columns):
        mx.audit_personal_access(pa.project, m, actor=request.user, purpose="view:qca")
    result, error = None, ""
    if form["outcome"]:
        try:
            result = qcas.run(
                m,
                qcas.SetSpec.from_dict(form["outcome"]),
                [qcas.SetSpec.from_dict(c) for c in form["conditions"]],
                incl_cut=form["incl_cut"],
                n_cut=form["n_cut"],
                pri_cut=form["pri_cut"],
                negate=form["negate"],
            )
        except TillitError as exc:
            error = f"{exc.message} {exc.hint}".strip()
    numeric = [c for c in m.columns if c.kind in ("number", "flag")]
    chosen = {c["column"]: c for c in form["conditions"]}
    return _render(
        request,
        "cases/qca.html",
        pa,
        matrices=matrices,
        cm=cm,
        saved=saved,
        form=form,
        query=query,
        columns=numeric,
        rows_conditions=[{"column": c, "spec": chosen.get(c.id)} for c in numeric],
        result=result,
        error=error,
        tt=_tt_rows(result),
        solutions=_solutions(result),
        synthetic=cm.is_synthetic or (saved is not None and saved.is_synthetic),
    )


def _tt_rows(result: qcas.QcaResult | None) -> dict[str, Any] | None:
    if result is None or result.truth_table is None:
        return None
    frame = result.truth_table.to_frame()
    rows = []
    for rec in frame.to_dict("records"):
        rows.append(
            [
                f"{v:.3f}" if k in ("incl", "PRI") and isinstance(v, float) else _fmt(v)
                for k, v in rec.items()
            ]
        )
    return {"columns": list(frame.columns), "rows": rows}


def _solutions(result: qcas.QcaResult | None) -> list[dict[str, Any]]:
    if result is None:
        return []
    labels = {
        "conservative": _("Conservative (complex) solution"),
        "parsimonious": _("Parsimonious solution"),
        "intermediate": _("Intermediate solution"),
    }
    out = []
    for kind in ("conservative", "parsimonious", "intermediate"):
        mz = result.solutions.get(kind)
        out.append(
            {
                "kind": kind,
                "label": labels[kind],
                "error": result.errors.get(kind, ""),
                "summary": mz.summary() if mz is not None else "",
                "solutions": list(mz.solutions) if mz is not None else [],
                "outcome": mz.outcome if mz is not None else "",
            }
        )
    return out


@login_required
@require_POST
def qca_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug, need="edit")
    model = QcaModel.objects.filter(project=pa.project, pk=pk).first()
    if model is None:
        raise Http404("No such QCA model.")
    services.do_delete_qca(model, actor=request.user)
    messages.success(request, _("QCA model deleted."))
    return redirect("cases:index", slug=slug)
