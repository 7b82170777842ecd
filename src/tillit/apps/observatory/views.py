"""Observatory pages: the members' dashboard (``/p/<slug>/observatory/``), the publication
settings, and the public site (``/public/<public-slug>/``, no login, read-only).

Views are thin: access (``tillit.apps.core.access`` for members, ``services.get_published`` for
the public), the filter form, the cached figure blocks (:mod:`tillit.apps.observatory.dashboard`),
a template. Everything the public site shows goes through :mod:`tillit.disclosure`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tillit.apps.core import access
from tillit.apps.observatory import dashboard, opendata, services
from tillit.apps.observatory.cache import get_or_build
from tillit.apps.observatory.forms import PublishForm
from tillit.apps.observatory.inputs import Inputs, load_inputs
from tillit.apps.observatory.models import ALL_SECTIONS, Publication
from tillit.errors import TillitError

FIGURE_TYPES = {
    "svg": "image/svg+xml; charset=utf-8",
    "png": "image/png",
    "csv": "text/csv; charset=utf-8",
}


def _language() -> str:
    return (get_language() or "en")[:2]


def _inputs(project: Any, survey: Any = None) -> Inputs:
    version = services.data_version(project)
    return load_inputs(project, version, survey=survey, language=_language())


def _query(f: dict[str, Any], **extra: Any) -> str:
    params = {k: v for k, v in f.items() if v not in (None, "")}
    params.update({k: v for k, v in extra.items() if v not in (None, "")})
    return urlencode(params)


def _context(
    inputs: Inputs,
    request: HttpRequest,
    k: int,
    scope: str,
    sections: set[str] | None,
    figure_url: str,
    url_arg: str,
) -> dict[str, Any]:
    """Filters and the rendered figure sections; the HTML of the sections is cached per data
    version, language, filters and sections, so a repeated request renders no table."""
    form = dashboard.FilterForm(request.GET or None, inputs)
    f = form.filters()
    query = _query(f)
    key = ":".join(
        [
            "obs:html",
            scope,
            url_arg,
            inputs.data_version,
            _language(),
            str(k),
            ",".join(sorted(sections)) if sections is not None else "*",
            query,
        ]
    )

    def build() -> str:
        blocks = dashboard.blocks(inputs, f, k, scope=scope, sections=sections)
        return render_to_string(
            "observatory/_sections.html",
            {
                "blocks": blocks,
                "k": k,
                "query": query,
                "figure_url": figure_url,
                "url_arg": url_arg,
            },
        )

    raw = request.GET.urlencode()
    form_html = get_or_build(
        f"obs:form:{inputs.project_slug}:{inputs.data_version}:{_language()}:{raw}",
        lambda: render_to_string("observatory/_filters.html", {"form": form}),
    )
    return {
        "form": form,
        "form_html": form_html,
        "filters": f,
        "query": query,
        "sections_html": get_or_build(key, build),
        "k": k,
        "inputs": inputs,
        "data_version": inputs.data_version,
    }


def _figure_response(
    inputs: Inputs, request: HttpRequest, name: str, fmt: str, k: int, scope: str, stem: str
) -> HttpResponse:
    if fmt not in FIGURE_TYPES:
        raise Http404("No such format.")
    form = dashboard.FilterForm(request.GET or None, inputs)
    f = form.filters()
    try:
        part = int(request.GET.get("part", "1"))
    except ValueError:
        part = 1
    block = dashboard.figure(inputs, name, f, k, scope=scope, part=part)
    if block is None:
        raise Http404("No such figure.")
    if fmt == "svg":
        content: bytes = block.svg.encode("utf-8")
    elif fmt == "csv":
        content = block.data.to_csv(index=False).encode("utf-8")
    else:
        content = dashboard.png(inputs, name, f, k, scope=scope, part=part) or b""
    resp = HttpResponse(content, content_type=FIGURE_TYPES[fmt])
    prefix = "SYNTHETIC_" if inputs.synthetic else ""
    filename = f"{prefix}{stem}_{name}{'' if part == 1 else f'_{part}'}_{inputs.data_version}"
    resp["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    resp["X-Tillit-Data-Version"] = inputs.data_version
    return resp


# ----------------------------------------------------------------------------------------------
# members


@login_required
def dashboard_page(request: HttpRequest, slug: str) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug)
    inputs = _inputs(pa.project)
    k = int(pa.project.k_threshold)
    ctx = _context(inputs, request, k, "members", None, "observatory:figure", slug)
    pub = Publication.objects.filter(project=pa.project).first()
    return render(
        request,
        "observatory/dashboard.html",
        {
            **ctx,
            "pa": pa,
            "project": pa.project,
            "nav": "projects",
            "publication": pub,
            "public": False,
        },
    )


@login_required
def figure_download(request: HttpRequest, slug: str, name: str, fmt: str) -> HttpResponse:
    pa = access.get_project_for_user(request.user, slug)
    inputs = _inputs(pa.project)
    k = int(pa.project.k_threshold)
    return _figure_response(inputs, request, name, fmt, k, "members", pa.project.slug)


@login_required
@require_http_methods(["GET", "POST"])
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    # Publishing is the owner's decision.
    pa = access.get_project_for_user(request.user, slug, need="publish")
    pub = services.publication_for(pa.project)
    initial = {
        "public_slug": pub.public_slug,
        "sections": pub.sections or ALL_SECTIONS,
        "k": max(pub.k, pa.project.k_threshold),
        "survey": pub.survey,
    }
    form = PublishForm(request.POST or None, initial=initial, project=pa.project)
    if request.method == "POST":
        if request.POST.get("action") == "unpublish":
            services.do_unpublish(pa.project, actor=request.user)
            messages.success(request, _("The public site is no longer published."))
            return redirect("observatory:publish", slug=slug)
        if form.is_valid():
            try:
                services.do_publish(pa.project, actor=request.user, **form.cleaned_data)
            except TillitError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The public site is published."))
                return redirect("observatory:publish", slug=slug)
    return render(
        request,
        "observatory/publish.html",
        {"pa": pa, "project": pa.project, "nav": "projects", "form": form, "publication": pub},
    )


# ----------------------------------------------------------------------------------------------
# public site (no login)


def _public(public_slug: str) -> tuple[Publication, Inputs]:
    pub = services.get_published(public_slug)
    return pub, _inputs(pub.project, pub.survey)


def _public_k(pub: Publication) -> int:
    return max(int(pub.k), int(pub.project.k_threshold))


def public_index(request: HttpRequest, public_slug: str) -> HttpResponse:
    pub, inputs = _public(public_slug)
    k = _public_k(pub)
    ctx = _context(
        inputs,
        request,
        k,
        "public",
        set(pub.sections),
        "observatory-public:figure",
        pub.public_slug,
    )
    return render(
        request,
        "observatory/public_index.html",
        {
            **ctx,
            "publication": pub,
            "project": pub.project,
            "public": True,
            "open_data": "open_data" in pub.sections,
        },
    )


def public_figure(request: HttpRequest, public_slug: str, name: str, fmt: str) -> HttpResponse:
    pub, inputs = _public(public_slug)
    k = _public_k(pub)
    section = {
        "status-map": "register",
        "measure-map": "register",
        "timeline": "timeline",
        "indicator-map": "survey",
        "comparison": "survey",
        "coverage": "coverage",
    }.get(name)
    if section not in pub.sections:
        raise Http404("No such figure.")
    return _figure_response(inputs, request, name, fmt, k, "public", pub.public_slug)


def _public_datasets(pub: Publication) -> list[str]:
    if "open_data" not in pub.sections:
        return []
    needs = {
        "register": "register",
        "diffusion": "timeline",
        "coverage": "coverage",
        "survey_indicators": "survey",
    }
    return [d for d in opendata.DATASETS if d == "dictionary" or needs[d] in pub.sections]


def public_data(request: HttpRequest, public_slug: str) -> HttpResponse:
    pub, inputs = _public(public_slug)
    names = _public_datasets(pub)
    if not names:
        raise Http404("No open data.")
    k = _public_k(pub)
    labels = {
        "register": _("Reform register by municipality"),
        "diffusion": _("Diffusion: adoptions per country and year"),
        "coverage": _("Documents and screening per municipality"),
        "survey_indicators": _("Survey indicators by country, county/region and size class"),
        "dictionary": _("Data dictionary"),
    }
    dictionary = opendata.dictionary(k)
    return render(
        request,
        "observatory/public_data.html",
        {
            "publication": pub,
            "project": pub.project,
            "inputs": inputs,
            "datasets": [{"name": n, "label": labels[n]} for n in names],
            "formats": list(opendata.FORMATS),
            "dictionary": dictionary.to_dict("records"),
            "k": k,
        },
    )


def public_dataset(request: HttpRequest, public_slug: str, name: str, fmt: str) -> HttpResponse:
    pub, inputs = _public(public_slug)
    if name not in _public_datasets(pub) or fmt not in opendata.FORMATS:
        raise Http404("No such dataset.")
    k = _public_k(pub)
    key = f"obs:data:{pub.public_slug}:{inputs.data_version}:{_language()}:{k}:{name}.{fmt}"
    content = get_or_build(
        key,
        lambda: opendata.encode(
            opendata.dataset(inputs, name, k), fmt, opendata.meta(inputs, name, k)
        ),
    )
    resp = HttpResponse(content, content_type=opendata.FORMATS[fmt])
    prefix = "SYNTHETIC_" if inputs.synthetic else ""
    resp["Content-Disposition"] = (
        f'attachment; filename="{prefix}{pub.public_slug}_{name}_{inputs.data_version}.{fmt}"'
    )
    resp["X-Tillit-Data-Version"] = inputs.data_version
    return resp
