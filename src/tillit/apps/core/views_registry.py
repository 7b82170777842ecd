"""Registry pages: the list with map and filters, one municipality, the map as SVG, the
crosswalk. Public, read-only, no database: everything comes from :mod:`tillit.registry`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tillit import registry as reg
from tillit.charts import MapLabels, municipality_map_svg
from tillit.errors import TillitError
from tillit.registry import Municipality, SizeClass

COUNTRY_NAMES = {"NO": gettext_lazy("Norway"), "DK": gettext_lazy("Denmark")}
SIZE_NAMES = {
    SizeClass.SMALL: gettext_lazy("small"),
    SizeClass.MEDIUM: gettext_lazy("medium"),
    SizeClass.LARGE: gettext_lazy("large"),
    SizeClass.CITY: gettext_lazy("city"),
}
COLOURINGS = [
    ("county", gettext_lazy("county or region")),
    ("size_class", gettext_lazy("size class")),
]


def _n(value: int) -> str:
    return number_format(value, force_grouping=True)


def size_label(size: SizeClass) -> str:
    """'small (< 5,000)' in the current language."""
    name, lo, hi = SIZE_NAMES[size], size.minimum, size.maximum
    if hi is None:
        return _("%(name)s (≥ %(lower)s)") % {"name": name, "lower": _n(lo)}
    if lo == 0:
        return _("%(name)s (< %(bound)s)") % {"name": name, "bound": _n(hi + 1)}
    return _("%(name)s (%(lower)s–%(upper)s)") % {"name": name, "lower": _n(lo), "upper": _n(hi)}


def map_labels() -> MapLabels:
    """The map's texts in the current language (the SVG cache is keyed by them)."""
    return MapLabels(
        title_county=_(
            "Map of the municipalities of Norway, coloured by county, and of Denmark, "
            "coloured by region"
        ),
        title_size_class=_(
            "Map of the municipalities of Norway and Denmark, coloured by population size class"
        ),
        norway=str(COUNTRY_NAMES["NO"]),
        denmark=str(COUNTRY_NAMES["DK"]),
        county=_("County"),
        region=_("Region"),
        size_class=_("Size class"),
        size_names=(
            size_label(SizeClass.SMALL),
            size_label(SizeClass.MEDIUM),
            size_label(SizeClass.LARGE),
            size_label(SizeClass.CITY),
        ),
        roledescription=_("map"),
    )


class RegistryFilterForm(forms.Form):
    """GET filters of the list page; every field optional."""

    q = forms.CharField(label=gettext_lazy("Name"), required=False, max_length=100)
    country = forms.ChoiceField(label=gettext_lazy("Country"), required=False)
    county = forms.ChoiceField(label=gettext_lazy("County or region"), required=False)
    size_class = forms.ChoiceField(label=gettext_lazy("Size class"), required=False)
    colour = forms.ChoiceField(
        label=gettext_lazy("Colour the map by"), required=False, choices=COLOURINGS
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = ("", _("All"))
        self.fields["country"].choices = [everything, ("no", _("Norway")), ("dk", _("Denmark"))]
        groups: dict[str, list[tuple[str, str]]] = {"NO": [], "DK": []}
        for country, code, name in reg.counties():
            groups[country].append((code, f"{name} ({code})"))
        self.fields["county"].choices = [
            everything,
            (_("Norway: counties"), groups["NO"]),
            (_("Denmark: regions"), groups["DK"]),
        ]
        self.fields["size_class"].choices = [everything] + [
            (s.value, size_label(s)) for s in SizeClass
        ]


def _filtered(data: dict[str, Any]) -> list[Municipality]:
    found = reg.municipalities(
        data.get("country") or None, data.get("county") or None, data.get("size_class") or None
    )
    query = (data.get("q") or "").strip()
    if not query:
        return list(found)
    keep = {(m.country, m.code) for m in found}
    hits = reg.search(query, limit=len(reg.municipalities()))
    return [h.municipality for h in hits if (h.municipality.country, h.municipality.code) in keep]


def _rows(found: list[Municipality]) -> list[dict[str, Any]]:
    return [
        {
            "m": m,
            "url": reverse("registry-detail", args=[m.country.lower(), m.code]),
            "size": SIZE_NAMES[m.size_class],
            "population": _n(m.population),
        }
        for m in found
    ]


def registry_list(request: HttpRequest) -> HttpResponse:
    form = RegistryFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    found = _filtered(data)
    colour = data.get("colour") or "county"
    context = {
        "nav": "registry",
        "form": form,
        "rows": _rows(found),
        "n_shown": len(found),
        "n_no": len(reg.municipalities("no")),
        "n_dk": len(reg.municipalities("dk")),
        "map_svg": mark_safe(municipality_map_svg(colour, map_labels())),  # noqa: S308 (our SVG)
        "map_colour": colour,
    }
    return render(request, "core/registry_list.html", context)


def registry_detail(request: HttpRequest, country: str, code: str) -> HttpResponse:
    if country not in ("no", "dk"):
        raise Http404(_("Unknown country."))
    try:
        m = reg.get(code, country)
    except TillitError:
        raise Http404(_("No municipality has this code.")) from None
    if m.code != code:
        return redirect("registry-detail", country, m.code, permanent=True)
    context = {
        "nav": "registry",
        "m": m,
        "country_name": COUNTRY_NAMES[m.country],
        "size": size_label(m.size_class),
        "population": _n(m.population),
        "history": reg.history(m),
    }
    return render(request, "core/registry_detail.html", context)


def registry_map_svg(request: HttpRequest) -> HttpResponse:
    colour = request.GET.get("colour", "county")
    if colour not in ("county", "size_class"):
        colour = "county"
    response = HttpResponse(
        municipality_map_svg(colour, map_labels(), precision=1),
        content_type="image/svg+xml; charset=utf-8",
    )
    response["Content-Disposition"] = f'inline; filename="municipalities-{colour}.svg"'
    return response


class CrosswalkForm(forms.Form):
    code = forms.RegexField(
        label=gettext_lazy("Old code"), regex=r"^\s*\d{1,4}\s*$", max_length=6, strip=True
    )
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=1970, max_value=2100)
    country = forms.ChoiceField(
        label=gettext_lazy("Country"),
        required=False,
        choices=[
            ("", gettext_lazy("Either")),
            ("no", gettext_lazy("Norway")),
            ("dk", gettext_lazy("Denmark")),
        ],
    )


def registry_crosswalk(request: HttpRequest) -> HttpResponse:
    form = CrosswalkForm(request.GET or None)
    result, error = None, None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            result = reg.crosswalk(data["code"], data["year"], data["country"] or None)
        except TillitError as exc:
            error = exc
    context = {"nav": "registry", "form": form, "result": result, "error": error}
    return render(request, "core/registry_crosswalk.html", context)
