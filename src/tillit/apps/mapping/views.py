"""Pages of the reform register, under ``/p/<project>/register/``: the list with filters, one
municipality with its evidence, an initiative with its history, forms, import and export,
context events, the status map and the diffusion timeline.

Views are thin: a form parses, :mod:`tillit.apps.core.access` decides (404 for non-members,
403 for a role without the right: viewers read, researchers and owners edit), one service
writes, a template renders.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from tillit import registry
from tillit.apps.core import access
from tillit.apps.core.access import ProjectAccess
from tillit.apps.mapping import charts, checks, overview, services, tables
from tillit.apps.mapping.forms import (
    ContextEventForm,
    EvidenceForm,
    FilterForm,
    ImportForm,
    InitiativeForm,
    OptionalEvidenceForm,
    ui_language,
)
from tillit.apps.mapping.models import ContextEvent, Evidence, Initiative
from tillit.errors import TillitError

COUNTRY_NAMES = {"NO": gettext_lazy("Norway"), "DK": gettext_lazy("Denmark")}


def _render(request: HttpRequest, template: str, pa: ProjectAccess, **ctx: Any) -> HttpResponse:
    base = {"pa": pa, "project": pa.project, "nav": "projects"}
    return render(request, template, {**base, **ctx})


def _concept_label(cid: str) -> str:
    tax = checks.taxonomy()
    return tax.get(cid).label(ui_language()) if cid in tax else cid


def _municipality(country: str, code: str) -> Any:
    try:
        return registry.get(code, country)
    except TillitError:
        return None


def _municipality_url(slug: str, country: str, code: str) -> str:
    return reverse("mapping:municipality", args=[slug, country.lower(), code])


def _optional_url(name: str, *args: Any) -> str:
    """A page of another app, or "" when that app does not provide it."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def evidence_link(slug: str, ev: Evidence) -> str:
    """Where a piece of evidence can be read: the corpus document view (passage and document
    kinds, when the corpus app provides it), or the evidence's own web address."""
    if ev.kind in ("passage", "document") and ev.ref:
        url = _optional_url("corpus:by-hash", slug, ev.ref)
        if not url:
            return ev.url
        if ev.start is not None and ev.end is not None:
            url += f"?start={ev.start}&end={ev.end}"
        return url
    return ev.url


def _evidence_rows(slug: str, items: Any) -> list[dict[str, Any]]:
    return [{"ev": e, "link": evidence_link(slug, e)} for e in items]


def _initiative_row(slug: str, i: Initiative) -> dict[str, Any]:
    m = _municipality(i.country, i.municipality_code)
    return {
        "i": i,
        "name": m.name if m else i.municipality_code,
        "municipality_url": _municipality_url(slug, i.country, i.municipality_code),
        "url": reverse("mapping:initiative", args=[slug, i.pk]),
        "sectors": [_concept_label(c) for c in i.sectors],
        "measures": [_concept_label(c) for c in i.measures],
        "problems": [_concept_label(c) for c in i.problem_perceptions],
    }


# ----------------------------------------------------------------------------------------------
# list, municipality, initiative


@login_required
def register_list(request: HttpRequest, slug: str) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug)
    form = FilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    qs = Initiative.objects.filter(project=pa.project, deleted_at__isnull=True).annotate(
        n_evidence=Count("evidence")
    )
    if data.get("country"):
        qs = qs.filter(country=data["country"])
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("year"):
        qs = qs.filter(start_year=data["year"])
    items = list(qs)
    if data.get("measure"):  # JSON lists: filtered here, the same on SQLite and PostgreSQL
        items = [i for i in items if data["measure"] in i.measures]
    rows = [_initiative_row(slug, i) for i in items]
    n_total = Initiative.objects.filter(project=pa.project, deleted_at__isnull=True).count()
    return _render(
        request,
        "mapping/register_list.html",
        pa,
        tab="list",
        form=form,
        rows=rows,
        n_total=n_total,
        n_municipalities=len({(i.country, i.municipality_code) for i in items}),
    )


@login_required
def municipality_detail(request: HttpRequest, slug: str, country: str, code: str) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug)
    if country not in ("no", "dk"):
        raise Http404(_("Unknown country."))
    m = _municipality(country, code)
    if m is None:
        raise Http404(_("No municipality has this code."))
    if m.code != code:
        return redirect("mapping:municipality", slug, country, m.code)
    items = services.initiatives_for(pa.project, m.code, m.country)
    rows = [
        {**_initiative_row(slug, i), "evidence": _evidence_rows(slug, i.evidence.all())}
        for i in items
    ]
    status = overview.municipality_status(items).get((m.country, m.code))
    return _render(
        request,
        "mapping/municipality.html",
        pa,
        tab="list",
        m=m,
        country_name=COUNTRY_NAMES[m.country],
        rows=rows,
        status=status,
        status_label=dict(Initiative.Status.choices).get(status, "") if status else "",
        registry_url=reverse("registry-detail", args=[country, m.code]),
        corpus_url=_optional_url("corpus:municipality", slug, m.code),
    )


def _get_initiative(pa: ProjectAccess, pk: int) -> Initiative:
    return get_object_or_404(Initiative, project=pa.project, pk=pk, deleted_at__isnull=True)


def _history(initiative: Initiative) -> list[dict[str, Any]]:
    out = []
    for rev in initiative.revisions.all():
        changes = []
        for name, pair in rev.diff.items():
            before, after = [*pair, None, None][:2] if isinstance(pair, list) else (None, pair)
            changes.append({"field": name, "before": _shown(before), "after": _shown(after)})
        out.append({"rev": rev, "changes": changes})
    return out


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, dict):
        return value.get("title") or value.get("url") or value.get("ref") or value.get("kind", "")
    if isinstance(value, list):
        return "; ".join(_shown(v) if isinstance(v, dict) else str(v) for v in value)
    return str(value)


@login_required
def initiative_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug)
    i = _get_initiative(pa, pk)
    return _render(
        request,
        "mapping/initiative.html",
        pa,
        tab="list",
        row=_initiative_row(slug, i),
        evidence=_evidence_rows(slug, i.evidence.order_by("id")),
        history=_history(i),
        evidence_form=EvidenceForm() if pa.role.can_edit() else None,
    )


@login_required
@require_http_methods(["GET", "POST"])
def initiative_create(request: HttpRequest, slug: str) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug, need="edit")
    initial = {"municipality": request.GET.get("municipality", ""), "status": "active"}
    form = InitiativeForm(request.POST or None, initial=initial)
    ev_form = OptionalEvidenceForm(request.POST or None, prefix="ev")
    if request.method == "POST" and form.is_valid() and ev_form.is_valid():
        spec = ev_form.spec()
        evidence = [spec] if spec else []
        try:
            i = services.do_create_initiative(
                pa.project, actor=request.user, evidence=evidence, **form.service_values()
            )
        except TillitError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Initiative added to the register."))
            return redirect("mapping:initiative", slug, i.pk)
    return _render(
        request, "mapping/initiative_form.html", pa, tab="new", form=form, ev_form=ev_form
    )


def _form_error(form: Any, exc: TillitError) -> None:
    name = getattr(exc, "field", "")
    name = {"municipality_code": "municipality"}.get(name, name)
    text = f"{exc.message} {exc.hint}".strip()
    if name in form.fields:
        form.add_error(name, text)
    else:
        form.add_error(None, text)


@login_required
@require_http_methods(["GET", "POST"])
def initiative_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug, need="edit")
    i = _get_initiative(pa, pk)
    form = InitiativeForm(request.POST or None, initial=InitiativeForm.initial_for(i))
    if request.method == "POST" and form.is_valid():
        try:
            services.do_update_initiative(i, actor=request.user, **form.service_values())
        except TillitError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("mapping:initiative", slug, i.pk)
    return _render(request, "mapping/initiative_form.html", pa, tab="list", form=form, initiative=i)


@login_required
@require_POST
def initiative_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug, need="edit")
    i = _get_initiative(pa, pk)
    services.do_delete_initiative(i, actor=request.user)
    messages.success(request, _("Initiative deleted. Its history is kept in the audit log."))
    return redirect("mapping:municipality", slug, i.country.lower(), i.municipality_code)


@login_required
@require_POST
def evidence_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug, need="edit")
    i = _get_initiative(pa, pk)
    form = EvidenceForm(request.POST)
    if form.is_valid():
        try:
            services.do_add_evidence(i, form.cleaned_data, actor=request.user)
        except TillitError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Evidence added."))
            return redirect("mapping:initiative", slug, i.pk)
    return _render(
        request,
        "mapping/initiative.html",
        pa,
        tab="list",
        row=_initiative_row(slug, i),
        evidence=_evidence_rows(slug, i.evidence.order_by("id")),
        history=_history(i),
        evidence_form=form,
    )


@login_required
@require_POST
def evidence_remove(request: HttpRequest, slug: str, pk: int, evidence_pk: int) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug, need="edit")
    i = _get_initiative(pa, pk)
    ev = get_object_or_404(Evidence, initiative=i, pk=evidence_pk)
    services.do_remove_evidence(ev, actor=request.user)
    messages.success(request, _("Evidence removed."))
    return redirect("mapping:initiative", slug, i.pk)


# ----------------------------------------------------------------------------------------------
# context events


def _event_rows(events: Any) -> list[dict[str, Any]]:
    return [{"n": n, "e": e} for n, e in enumerate(events, start=1)]


@login_required
@require_http_methods(["GET", "POST"])
def events(request: HttpRequest, slug: str) -> HttpResponse:
    pa = access.get_project_for_user(
        request.user, slug, need="edit" if request.method == "POST" else "view"
    )
    form = ContextEventForm(request.POST or None) if pa.role.can_edit() else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.do_create_context_event(pa.project, actor=request.user, **form.cleaned_data)
        except TillitError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Context event added."))
            return redirect("mapping:events", slug)
    rows = _event_rows(ContextEvent.objects.filter(project=pa.project))
    return _render(request, "mapping/events.html", pa, tab="events", rows=rows, form=form)


@login_required
@require_POST
def event_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug, need="edit")
    event = get_object_or_404(ContextEvent, project=pa.project, pk=pk)
    services.do_delete_context_event(event, actor=request.user)
    messages.success(request, _("Context event removed."))
    return redirect("mapping:events", slug)


# ----------------------------------------------------------------------------------------------
# import and export


@login_required
@require_http_methods(["GET", "POST"])
def register_import(request: HttpRequest, slug: str) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug, need="edit")
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list[dict[str, Any]] = []
    result = None
    if request.method == "POST" and form.is_valid():
        files = [
            (f.name, f.read())
            for f in (form.cleaned_data["file"], form.cleaned_data["evidence_file"])
            if f
        ]
        try:
            result = services.do_import_register(pa.project, files, actor=request.user)
        except TillitError as exc:
            form.add_error(None, f"{exc.message} {exc.hint}".strip())
            errors = exc.errors
        else:
            messages.success(
                request,
                _("Imported: %(c)d new, %(u)d changed, %(s)d unchanged, %(e)d evidence items.")
                % {
                    "c": result.n_created,
                    "u": result.n_updated,
                    "s": result.n_unchanged,
                    "e": result.n_evidence,
                },
            )
            return redirect("mapping:index", slug)
    return _render(
        request,
        "mapping/import.html",
        pa,
        tab="import",
        form=form,
        errors=errors,
        columns=tables.REGISTER_COLUMNS,
        evidence_columns=tables.EVIDENCE_COLUMNS,
    )


@login_required
def register_export(request: HttpRequest, slug: str, table: str, fmt: str) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug)
    if (table, fmt) not in (("register", "csv"), ("evidence", "csv"), ("register", "xlsx")):
        raise Http404(_("No such export."))
    register, evidence = services.export_tables(pa.project)
    if fmt == "xlsx":
        body = tables.to_xlsx(register, evidence)
        ctype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        body = tables.to_csv(register if table == "register" else evidence)
        ctype = "text/csv; charset=utf-8"
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{slug}-{table}.{fmt}"'
    return response


# ----------------------------------------------------------------------------------------------
# map and timeline


def _status_labels() -> list[tuple[str, str]]:
    names = dict(Initiative.Status.choices)
    return [(s, str(names[s])) for s in overview.STATUS_ORDER] + [
        ("none", _("No initiative registered"))
    ]


def _map_svg(slug: str, status: dict[tuple[str, str], str], precision: int = 0) -> str:
    labels = charts.StatusMapLabels(
        title=_("Map of the municipalities of Norway and Denmark, coloured by reform status"),
        norway=_("Norway"),
        denmark=_("Denmark"),
        legend=_("Reform status"),
        statuses=tuple(_status_labels()),
        roledescription=_("map"),
    )
    href = reverse("mapping:municipality", args=[slug, "CC", "KKKK"])
    href = href.replace("CC", "{country}").replace("KKKK", "{code}")
    return charts.status_map_svg(status, labels, href, precision)


@login_required
def status_map(request: HttpRequest, slug: str) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug)
    items = list(services.initiatives_for(pa.project).prefetch_related(None))
    status = overview.municipality_status(items)
    counts = overview.status_counts(status)
    n_initiatives: dict[tuple[str, str], int] = {}
    for i in items:
        key = (i.country, i.municipality_code)
        n_initiatives[key] = n_initiatives.get(key, 0) + 1
    names = dict(_status_labels())
    rows = []
    for (country, code), s in sorted(status.items()):
        m = _municipality(country, code)
        rows.append(
            {
                "country": country,
                "code": code,
                "name": m.name if m else code,
                "status": s,
                "status_label": names[s],
                "n": n_initiatives.get((country, code), 0),
                "url": _municipality_url(slug, country, code),
            }
        )
    totals = {"NO": len(registry.municipalities("no")), "DK": len(registry.municipalities("dk"))}
    summary = [
        {
            "status": s,
            "label": names[s],
            "no": counts["NO"][s],
            "dk": counts["DK"][s],
        }
        for s in overview.STATUS_ORDER
    ]
    summary.append(
        {
            "status": "none",
            "label": names["none"],
            "no": totals["NO"] - sum(counts["NO"].values()),
            "dk": totals["DK"] - sum(counts["DK"].values()),
        }
    )
    return _render(
        request,
        "mapping/map.html",
        pa,
        tab="map",
        map_svg=mark_safe(_map_svg(slug, status)),  # noqa: S308 (our own cleaned SVG)
        rows=rows,
        summary=summary,
    )


@login_required
def status_map_download(request: HttpRequest, slug: str) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug)
    status = overview.municipality_status(services.initiatives_for(pa.project))
    response = HttpResponse(
        _map_svg(slug, status, precision=1), content_type="image/svg+xml; charset=utf-8"
    )
    response["Content-Disposition"] = f'inline; filename="{slug}-reform-status.svg"'
    return response


def event_x(e: ContextEvent) -> float:
    """Where an event sits on a year axis: its year, plus the part of the year for a date."""
    if e.date is None:
        return float(e.year)
    return round(e.year + (e.date.timetuple().tm_yday - 1) / 366, 3)


@login_required
def timeline(request: HttpRequest, slug: str) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug)
    items = services.initiatives_for(pa.project).prefetch_related(None)
    adoptions = overview.adoption_years(items)
    rows, unknown = overview.diffusion(adoptions)
    event_rows = _event_rows(ContextEvent.objects.filter(project=pa.project))
    chart = ""
    if rows:
        lo, hi = rows[0].year, max(r.year for r in rows)
        marks = [
            {"n": r["n"], "x": event_x(r["e"])}
            for r in event_rows
            if lo - 0.5 <= event_x(r["e"]) <= hi + 1
        ]
        title = _("Cumulative number of municipalities with a trust reform, by year and country")
        spec = charts.timeline_spec(
            [r.as_dict() for r in rows],
            marks,
            title=title,
            year=_("Year"),
            municipalities=_("Municipalities (cumulative)"),
            country=_("Country"),
            country_names={"NO": _("Norway"), "DK": _("Denmark")},
        )
        chart = mark_safe(charts.timeline_svg(spec, title))  # noqa: S308 (our own cleaned SVG)
    by_year: dict[int, dict[str, Any]] = {}
    for r in rows:
        by_year.setdefault(r.year, {"year": r.year})[r.country] = r
    return _render(
        request,
        "mapping/timeline.html",
        pa,
        tab="timeline",
        chart=chart,
        years=[by_year[y] for y in sorted(by_year)],
        unknown=unknown,
        events=event_rows,
    )
