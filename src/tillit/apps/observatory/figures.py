"""The observatory's figures: one function per figure, each returning a :class:`Figure`.

A :class:`Figure` holds the Vega-Lite spec, the data behind it (a pandas DataFrame, exactly the
table shown beside the chart and offered as CSV) and a caption, and is stamped with the data
version and the tillit version it was made from. It unpacks as ``spec, data, caption``::

    from tillit.apps.observatory import figures
    from tillit.apps.observatory.inputs import load_inputs
    from tillit.apps.observatory.services import data_version

    inputs = load_inputs(project, data_version(project), language="nb")
    spec, data, caption = figures.status_map(inputs)
    svg = figures.status_map(inputs).svg()      # accessible SVG (role="img", title, desc)

Every survey figure goes through :mod:`tillit.disclosure` (see
:mod:`tillit.apps.observatory.indicators`): survey values are shown per country, county/region
or size class, never per municipality, and hidden groups have no numbers. Register and
document figures are per municipality (public sources).

Texts are translated with the active language (gettext), so call these inside
``translation.override(...)`` when building a report in another language.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.utils.translation import gettext as _

import tillit
from tillit.apps.mapping import overview
from tillit.apps.mapping.charts import COUNTRY_COLOURS, STATUS_COLOURS, timeline_spec
from tillit.apps.observatory import indicators
from tillit.apps.observatory.inputs import Inputs
from tillit.charts import map_features, render_svg
from tillit.registry import default_registry

SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json"
COUNTRIES = ("NO", "DK")
SIZE_CLASSES = ("small", "medium", "large", "city")
#: Colour of groups hidden by disclosure control and of municipalities outside a filter.
HIDDEN_COLOUR = "#bdbdbd"
NONE_COLOUR = "#eeeeee"
#: Panel sizes (the same as the register's map).
PANELS: dict[str, dict[str, Any]] = {
    "NO": {"width": 330, "height": 430, "rotate": [-15, 0, 0]},
    "DK": {"width": 360, "height": 300, "rotate": [-10.5, 0, 0]},
}
_MARK_ARIA = re.compile(
    r'\s(?:aria-label|aria-roledescription|role)="[^"]*"|\stransform="translate\(0,0\)"'
)
#: Every figure name (downloads: /figure/<name>.<svg|png|csv>).
NAMES = ("status-map", "measure-map", "indicator-map", "timeline", "comparison", "coverage")


@dataclass(frozen=True)
class Figure:
    """A figure: spec, data, caption, and where it came from."""

    name: str
    title: str
    spec: dict[str, Any]
    data: pd.DataFrame
    caption: str
    data_version: str
    tillit_version: str = tillit.__version__
    notes: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def __iter__(self) -> Any:
        return iter((self.spec, self.data, self.caption))

    @property
    def stamp(self) -> str:
        return _("Data version %(data)s · tillit %(version)s") % {
            "data": self.data_version,
            "version": self.tillit_version,
        }

    @property
    def empty(self) -> bool:
        return self.data.empty

    def svg(self, precision: int = 0) -> str:
        """The figure as cleaned SVG with ``role="img"``, ``<title>`` and ``<desc>``.

        Inside an ``img`` everything is presentational for assistive technology, so the
        per-mark ARIA attributes Vega writes (a label per municipality) are dropped: the
        data table beside the figure carries them, and the page is a quarter lighter.
        """
        svg = _rendered(self.spec, self.title, precision)
        head, sep, body = svg.partition("</title>")
        body = _MARK_ARIA.sub("", body)
        desc = f"<desc>{html.escape(self.caption + ' ' + self.stamp)}</desc>"
        return head + sep + desc + body

    def png(self, scale: float = 2.0) -> bytes:
        import vl_convert as vlc

        data: bytes = vlc.vegalite_to_png(self.spec, scale=scale, allowed_base_urls=[])
        return data

    def csv(self) -> bytes:
        return self.data.to_csv(index=False).encode("utf-8")


def _rendered(spec: dict[str, Any], title: str, precision: int) -> str:
    """:func:`tillit.charts.render_svg` of a spec, kept in the figure cache by the spec's
    content (drawing takes a few hundred milliseconds a figure; the dashboard and the reports
    draw the same figures, in several processes)."""
    from tillit.apps.observatory.cache import get_or_build

    text = json.dumps([spec, title, precision, tillit.__version__], sort_keys=True, default=str)
    key = "obs:svg:" + hashlib.sha256(text.encode()).hexdigest()
    svg: str = get_or_build(
        key, lambda: render_svg(spec, title=title, role="img", precision=precision)
    )
    return svg


def _stamped(spec: dict[str, Any], version: str) -> dict[str, Any]:
    """Add the data and tillit versions as a small footer and as ``usermeta``."""
    text = f"tillit {tillit.__version__} · data {version}"
    spec["usermeta"] = {"tillit_version": tillit.__version__, "data_version": version}
    spec["title"] = {
        "text": text,
        "orient": "bottom",
        "anchor": "end",
        "fontSize": 9,
        "fontWeight": "normal",
        "color": "#666666",
    }
    spec.setdefault("config", {}).setdefault("font", "sans-serif")
    return spec


def _countries(country: str | None) -> tuple[str, ...]:
    return (country,) if country in COUNTRIES else COUNTRIES


def country_names() -> dict[str, str]:
    return {"NO": _("Norway"), "DK": _("Denmark")}


def size_names() -> dict[str, str]:
    return {
        "small": _("small (< 5,000)"),
        "medium": _("medium (5,000–19,999)"),
        "large": _("large (20,000–99,999)"),
        "city": _("city (≥ 100,000)"),
    }


def _in_size(country: str, code: str, size_class: str | None) -> bool:
    if not size_class:
        return True
    m = default_registry().get(code, country)
    return str(m.size_class) == size_class


def _choropleth(
    values: dict[str, dict[str, Any]],
    color: dict[str, Any],
    countries: Sequence[str],
    title: str,
) -> dict[str, Any]:
    """Municipality maps of ``countries`` side by side, coloured by ``values[country][code]``
    (no links: the table beside the map lists the municipalities)."""
    names = country_names()
    panels = []
    for country in countries:
        features = map_features(country, values=values.get(country, {}))
        for feat in features:
            props = feat["properties"]
            props.pop("href", None)
            props["description"] = f"{props['description']}: {props['value']}"
        size = PANELS[country]
        panels.append(
            {
                "title": {"text": names[country], "anchor": "start", "fontSize": 14},
                "width": size["width"],
                "height": size["height"],
                "data": {"values": features},
                "projection": {"type": "transverseMercator", "rotate": size["rotate"]},
                "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.4},
                "encoding": {
                    "color": color,
                    "description": {"field": "properties.description", "type": "nominal"},
                },
            }
        )
    return {
        "$schema": SCHEMA,
        "description": title,
        "hconcat": panels,
        "spacing": 20,
        "resolve": {"scale": {"color": "shared"}},
        "config": {
            "view": {"stroke": None},
            "font": "sans-serif",
            "legend": {"labelFontSize": 11, "titleFontSize": 12, "labelLimit": 240},
        },
    }


def _municipality_rows(keys: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    reg = default_registry()
    names = country_names()
    out = []
    for country, code in keys:
        m = reg.get(code, country)
        out.append(
            {
                "country": names[country],
                "code": code,
                "municipality": m.name,
                "county": m.county_name,
                "size_class": size_names()[str(m.size_class)],
            }
        )
    return out


# ----------------------------------------------------------------------------------------------
# register (public sources, per municipality)


def status_labels() -> dict[str, str]:
    from tillit.apps.mapping.models import Initiative

    names = {k: str(v) for k, v in Initiative.Status.choices}
    out = {s: names[s] for s in overview.STATUS_ORDER}
    out["none"] = _("No initiative registered")
    return out


def status_map(
    inputs: Inputs, *, country: str | None = None, size_class: str | None = None
) -> Figure:
    """Municipalities coloured by reform status (the most advanced status of their
    initiatives); with ``size_class`` only municipalities of that class are coloured."""
    labels = status_labels()
    status = overview.municipality_status(inputs.initiatives)
    outside = _("Outside the filter")
    values: dict[str, dict[str, Any]] = {}
    for c in _countries(country):
        values[c] = {}
        for m in default_registry().municipalities(c.lower()):
            if not _in_size(c, m.code, size_class):
                values[c][m.code] = outside
            else:
                values[c][m.code] = labels[status.get((c, m.code), "none")]
    domain = [labels[s] for s in (*overview.STATUS_ORDER, "none")]
    colours = [STATUS_COLOURS[s] for s in (*overview.STATUS_ORDER, "none")]
    if size_class:
        domain.append(outside)
        colours.append("#ffffff")
    title = _("Map of the municipalities of Norway and Denmark, coloured by reform status")
    color = {
        "field": "properties.value",
        "type": "nominal",
        "title": _("Reform status"),
        "scale": {"domain": domain, "range": colours},
        "legend": {"orient": "bottom", "symbolType": "square", "columns": 2},
    }
    spec = _stamped(_choropleth(values, color, _countries(country), title), inputs.data_version)
    keys = sorted(k for k in status if k[0] in _countries(country) and _in_size(*k, size_class))
    rows = _municipality_rows(keys)
    for row, key in zip(rows, keys, strict=True):
        row["status"] = labels[status[key]]
    data = pd.DataFrame(
        rows, columns=["country", "code", "municipality", "county", "size_class", "status"]
    )
    caption = _(
        "Reform status by municipality: the most advanced status of its registered initiatives "
        "(active, ended, planned, abandoned, suggested); grey: no initiative registered. "
        "Source: the project's reform register (public documents)."
    )
    return Figure("status-map", title, spec, data, caption, inputs.data_version)


def measures(inputs: Inputs) -> list[str]:
    """Measure concept ids used in the register, most frequent first."""
    counts: dict[str, int] = {}
    for i in inputs.initiatives:
        for m in i.measures:
            counts[m] = counts.get(m, 0) + 1
    return sorted(counts, key=lambda m: (-counts[m], m))


def concept_label(cid: str) -> str:
    """The taxonomy label of a concept in the interface language (the id when unknown)."""
    from tillit.apps.mapping import checks
    from tillit.apps.mapping.forms import ui_language

    tax = checks.taxonomy()
    return tax.get(cid).label(ui_language()) if cid in tax else cid


def measure_map(
    inputs: Inputs,
    measure: str,
    *,
    country: str | None = None,
    size_class: str | None = None,
) -> Figure:
    """Municipalities whose (planned, active or ended) initiatives include ``measure``."""
    has = _("Initiative with this measure")
    other = _("Initiative without this measure")
    none = _("No initiative registered")
    outside = _("Outside the filter")
    counted = ("active", "ended", "planned")
    with_measure = {
        (i.country, i.municipality_code)
        for i in inputs.initiatives
        if i.status in counted and measure in i.measures
    }
    with_any = {(i.country, i.municipality_code) for i in inputs.initiatives if i.status in counted}
    values: dict[str, dict[str, Any]] = {}
    for c in _countries(country):
        values[c] = {}
        for m in default_registry().municipalities(c.lower()):
            key = (c, m.code)
            if not _in_size(c, m.code, size_class):
                values[c][m.code] = outside
            else:
                values[c][m.code] = (
                    has if key in with_measure else other if key in with_any else none
                )
    label = concept_label(measure)
    title = _("Map of municipalities with the measure: %(measure)s") % {"measure": label}
    color = {
        "field": "properties.value",
        "type": "nominal",
        "title": label,
        "scale": {
            "domain": [has, other, none, outside],
            "range": ["#006d2c", "#9ecae1", NONE_COLOUR, "#ffffff"],
        },
        "legend": {"orient": "bottom", "symbolType": "square", "columns": 2},
    }
    spec = _stamped(_choropleth(values, color, _countries(country), title), inputs.data_version)
    keys = sorted(
        k for k in with_measure if k[0] in _countries(country) and _in_size(*k, size_class)
    )
    data = pd.DataFrame(
        _municipality_rows(keys),
        columns=["country", "code", "municipality", "county", "size_class"],
    )
    data["measure"] = label
    caption = _(
        "Municipalities whose planned, active or ended initiatives include the measure "
        "%(measure)s. Source: the project's reform register (public documents)."
    ) % {"measure": label}
    return Figure("measure-map", title, spec, data, caption, inputs.data_version)


def timeline(
    inputs: Inputs,
    *,
    country: str | None = None,
    size_class: str | None = None,
    year_from: int | None = None,
    year_to: int | None = None,
) -> Figure:
    """Cumulative adoptions (active or ended initiatives) per year and country, with the
    national context events as numbered rules."""
    items = [
        i
        for i in inputs.initiatives
        if i.country in _countries(country) and _in_size(i.country, i.municipality_code, size_class)
    ]
    adoptions = overview.adoption_years(items)
    rows, unknown = overview.diffusion(adoptions, year_from, year_to)
    if year_from is not None or year_to is not None:
        rows = [r for r in rows if (year_from or r.year) <= r.year <= (year_to or r.year)]
    rows = [r for r in rows if r.country in _countries(country)]
    names = country_names()
    title = _("Cumulative number of municipalities with a trust reform, by year and country")
    events: list[dict[str, Any]] = []
    if rows:
        lo, hi = min(r.year for r in rows), max(r.year for r in rows)
        events = [
            {"n": e.n, "x": e.x}
            for e in inputs.events
            if lo - 0.5 <= e.x <= hi + 1 and e.country in (*_countries(country), "all")
        ]
    spec = timeline_spec(
        [r.as_dict() for r in rows],
        events,
        title=title,
        year=_("Year"),
        municipalities=_("Municipalities (cumulative)"),
        country=_("Country"),
        country_names=names,
    )
    spec["width"], spec["height"] = 560, 260
    top = max((r.cumulative for r in rows), default=0)
    if top <= 12:  # few municipalities: one tick per whole number, none repeated
        axis = spec["layer"][0]["encoding"]["y"]["axis"]
        axis["values"] = list(range(top + 1))
    spec = _stamped(spec, inputs.data_version)
    data = pd.DataFrame(
        [
            {"country": names[r.country], "year": r.year, "new": r.new, "cumulative": r.cumulative}
            for r in rows
        ],
        columns=["country", "year", "new", "cumulative"],
    )
    caption = _(
        "Municipalities that had adopted a trust reform (an active or ended initiative) by the end "
        "of each year. Numbered dashed lines: national context events (listed below). "
        "Adoptions without a known year: Norway %(no)s, Denmark %(dk)s."
    ) % {"no": unknown.get("NO", 0), "dk": unknown.get("DK", 0)}
    event_rows = [
        {"n": e.n, "year": e.year, "country": e.country, "title": e.title} for e in inputs.events
    ]
    return Figure(
        "timeline", title, spec, data, caption, inputs.data_version, extra={"events": event_rows}
    )


# ----------------------------------------------------------------------------------------------
# documents (public sources)


def coverage(inputs: Inputs, *, country: str | None = None) -> Figure:
    """Screening coverage: municipalities with documents and with screened documents, and the
    number of documents, per country."""
    names = country_names()
    docs = inputs.documents
    reg = default_registry()
    rows = []
    for c in _countries(country):
        d = docs[docs["country"] == c]
        rows.append(
            {
                "country": names[c],
                "municipalities": len(reg.municipalities(c.lower())),
                "with_documents": int((d["documents"] > 0).sum()),
                "screened": int((d["screened"] > 0).sum()),
                "documents": int(d["documents"].sum()),
                "documents_screened": int(d["screened"].sum()),
            }
        )
    data = pd.DataFrame(rows)
    kinds = [
        ("municipalities", _("all municipalities")),
        ("with_documents", _("with documents")),
        ("screened", _("with screened documents")),
    ]
    long = [
        {"country": r["country"], "what": label, "n": r[key]} for r in rows for key, label in kinds
    ]
    title = _("Municipalities with documents and with screened documents, by country")
    spec = _stamped(
        {
            "$schema": SCHEMA,
            "description": title,
            "data": {"values": long},
            "width": 300,
            "height": {"step": 18},
            "mark": {"type": "bar"},
            "encoding": {
                "y": {"field": "country", "type": "nominal", "title": None},
                "yOffset": {"field": "what", "type": "nominal", "sort": [lbl for _k, lbl in kinds]},
                "x": {
                    "field": "n",
                    "type": "quantitative",
                    "title": _("Municipalities"),
                    "axis": {"tickMinStep": 1, "format": "d"},
                },
                "color": {
                    "field": "what",
                    "type": "nominal",
                    "title": None,
                    "sort": [label for _key, label in kinds],
                    "scale": {
                        "domain": [label for _key, label in kinds],
                        "range": ["#d9d9d9", "#6baed6", "#08519c"],
                    },
                    "legend": {"orient": "bottom"},
                },
            },
        },
        inputs.data_version,
    )
    caption = _(
        "Document corpus: municipalities with at least one imported document and with at least "
        "one screened document, out of all municipalities of the country."
    )
    return Figure("coverage", title, spec, data, caption, inputs.data_version)


# ----------------------------------------------------------------------------------------------
# survey (aggregates only, with disclosure control)


def indicator_choices(inputs: Inputs) -> list[tuple[str, list[tuple[str, str]]]]:
    """The rating items, grouped by their question (for a select with option groups)."""
    if inputs.survey is None:
        return []
    groups: dict[str, list[tuple[str, str]]] = {}
    for i in indicators.rating_items(inputs.survey):
        label = f"{indicators.short_label(i, 70)} ({i.name})"
        groups.setdefault(indicators.stem(i), []).append((i.name, label))
    return list(groups.items())


def indicator_map(
    inputs: Inputs,
    variable: str,
    k: int,
    *,
    grouping: str = "county",
    country: str | None = None,
) -> Figure:
    """Municipalities coloured by the mean of ``variable`` in their county/region or size
    class (never their own answer); hidden groups are grey."""
    if grouping not in indicators.GROUPINGS:
        raise ValueError(f"grouping must be one of {indicators.GROUPINGS}, got {grouping!r}")
    sd = inputs.survey
    if sd is None:
        raise ValueError("the project has no survey")
    table = indicators.indicator_table(sd, variable, k)
    item = sd.item(variable)
    lo, hi = indicators.scale_range(item)
    groups = table[table["level"] == grouping]
    means = {(r.country, r.group): r.mean for r in groups.itertuples() if not r.suppressed}
    hidden = {(r.country, r.group) for r in groups.itertuples() if r.suppressed}
    reg = default_registry()
    values: dict[str, dict[str, Any]] = {}
    for c in _countries(country):
        values[c] = {}
        for m in reg.municipalities(c.lower()):
            g = m.county_name if grouping == "county" else str(m.size_class)
            v = means.get((c, g))
            values[c][m.code] = None if v is None else round(float(v), 2)
    for c in _countries(country):
        for feat_code, v in list(values[c].items()):
            if v is None:
                values[c][feat_code] = None
    title = _("Map of the survey mean of “%(question)s” by %(grouping)s") % {
        "question": item.label,
        "grouping": _("county or region") if grouping == "county" else _("size class"),
    }
    spec = _indicator_spec(
        values, _countries(country), title, (lo, hi), indicators.short_label(item, 40)
    )
    spec = _stamped(spec, inputs.data_version)
    shown = table[
        (table["level"].isin(["country", grouping])) & table["country"].isin(_countries(country))
    ].copy()
    names = country_names()
    shown["country"] = shown["country"].map(names)
    if grouping == "size_class":
        sizes = size_names()
        shown["group"] = [sizes.get(g, g) for g in shown["group"]]
    shown.loc[shown["level"] == "country", "group"] = _("whole country")
    data = shown[["country", "group", "n", "mean", "ci_low", "ci_high", "suppressed"]]
    caption = _(
        "Survey mean of “%(question)s” (scale %(lo)s–%(hi)s) in each %(grouping)s, with 95%% "
        "confidence intervals in the table; grey: fewer than %(k)s respondents, or hidden so that "
        "a small group cannot be worked out from the totals. No municipality's own answer is "
        "shown."
    ) % {
        "question": item.label,
        "lo": f"{lo:g}",
        "hi": f"{hi:g}",
        "grouping": _("county or region") if grouping == "county" else _("size class"),
        "k": k,
    }
    return Figure(
        "indicator-map",
        title,
        spec,
        data.reset_index(drop=True),
        caption,
        inputs.data_version,
        notes=tuple(sorted(f"{c} {g}" for c, g in hidden)),
    )


def _indicator_spec(
    values: dict[str, dict[str, Any]],
    countries: Sequence[str],
    title: str,
    scale: tuple[float, float],
    legend: str,
) -> dict[str, Any]:
    names = country_names()
    no_value = _("hidden or no respondents")
    panels = []
    for country in countries:
        features = map_features(country, values=values.get(country, {}))
        for feat in features:
            props = feat["properties"]
            props.pop("href", None)
            v = props["value"]
            props["description"] = f"{props['description']}: {no_value if v is None else v}"
        size = PANELS[country]
        base = {
            "mark": {
                "type": "geoshape",
                "stroke": "#ffffff",
                "strokeWidth": 0.4,
                "fill": HIDDEN_COLOUR,
            },
            "encoding": {"description": {"field": "properties.description", "type": "nominal"}},
        }
        coloured = {
            "transform": [{"filter": "datum.properties.value != null"}],
            "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.4},
            "encoding": {
                "color": {
                    "field": "properties.value",
                    "type": "quantitative",
                    "title": legend[:60],
                    "scale": {"domain": list(scale), "scheme": "viridis", "reverse": True},
                    "legend": {"orient": "bottom", "gradientLength": 220},
                },
                "description": {"field": "properties.description", "type": "nominal"},
            },
        }
        panels.append(
            {
                "title": {"text": names[country], "anchor": "start", "fontSize": 14},
                "width": size["width"],
                "height": size["height"],
                "data": {"values": features},
                "projection": {"type": "transverseMercator", "rotate": size["rotate"]},
                "layer": [base, coloured],
            }
        )
    return {
        "$schema": SCHEMA,
        "description": title,
        "hconcat": panels,
        "spacing": 20,
        "resolve": {"scale": {"color": "shared"}},
        "config": {"view": {"stroke": None}, "font": "sans-serif"},
    }


def comparison(inputs: Inputs, k: int, *, size_class: str | None = None) -> list[Figure]:
    """NO vs DK: the country means of every rating item with 95% CIs, one figure per question
    (a set of items on one page answered on one response scale), so one axis never mixes
    scales. With ``size_class``: the means within that size class of each country."""
    sd = inputs.survey
    if sd is None:
        return []
    names = country_names()
    groups: dict[tuple[str, tuple[float, float]], list[pd.DataFrame]] = {}
    stems: dict[tuple[str, tuple[float, float]], str] = {}
    for item in indicators.rating_items(sd):
        t = indicators.indicator_table(sd, item.name, k)
        if size_class:
            t = t[(t["level"] == "size_class") & (t["group"] == size_class)]
        else:
            t = t[t["level"] == "country"]
        key = (item.page, indicators.scale_range(item))
        groups.setdefault(key, []).append(t)
        stems.setdefault(key, indicators.stem(item))
    out = []
    for n, (key, parts) in enumerate(groups.items(), start=1):
        lo, hi = key[1]
        t = pd.concat(parts, ignore_index=True)
        t = t.assign(country=t["country"].map(names))
        cols = ["variable", "label", "country", "n", "mean", "ci_low", "ci_high", "suppressed"]
        data = t[cols]
        title = _("%(question)s (scale %(lo)s–%(hi)s): Norway and Denmark") % {
            "question": stems[key],
            "lo": f"{lo:g}",
            "hi": f"{hi:g}",
        }
        spec = _stamped(_comparison_spec(data, title, (lo, hi)), inputs.data_version)
        caption = _(
            "Design-based means (stratified census design with finite population correction) "
            "with 95%% confidence intervals, Norway and Denmark, on the answer scale "
            "%(lo)s–%(hi)s. Means of fewer than %(k)s respondents are not shown."
        ) % {"lo": f"{lo:g}", "hi": f"{hi:g}", "k": k}
        if size_class:
            caption += " " + _("Only municipalities of the size class %(size)s.") % {
                "size": size_names().get(size_class, size_class)
            }
        out.append(
            Figure(
                "comparison",
                title,
                spec,
                data.reset_index(drop=True),
                caption,
                inputs.data_version,
                extra={"part": n, "scale": (lo, hi)},
            )
        )
    return out


def _comparison_spec(data: pd.DataFrame, title: str, scale: tuple[float, float]) -> dict[str, Any]:
    values = [
        {
            "item": str(r.label),
            "country": r.country,
            "mean": r.mean,
            "low": r.ci_low,
            "high": r.ci_high,
        }
        for r in data.itertuples()
        if not r.suppressed
    ]
    order = list(dict.fromkeys(str(q) for q in data["label"]))
    y = {
        "field": "item",
        "type": "nominal",
        "title": None,
        "sort": order,
        "axis": {"labelLimit": 330},
    }
    names = country_names()
    color = {
        "field": "country",
        "type": "nominal",
        "title": None,
        "scale": {
            "domain": [names["NO"], names["DK"]],
            "range": [COUNTRY_COLOURS["NO"], COUNTRY_COLOURS["DK"]],
        },
        "legend": {"orient": "top"},
    }
    x = {
        "field": "low",
        "type": "quantitative",
        "title": _("Mean"),
        "scale": {"domain": list(scale), "nice": False},
    }
    return {
        "$schema": SCHEMA,
        "description": title,
        "data": {"values": values},
        "width": 280,
        "height": {"step": 22},
        "layer": [
            {
                "mark": {"type": "rule", "strokeWidth": 2},
                "encoding": {
                    "y": y,
                    "yOffset": {"field": "country"},
                    "x": x,
                    "x2": {"field": "high"},
                    "color": color,
                },
            },
            {
                "mark": {"type": "point", "filled": True, "size": 45},
                "encoding": {
                    "y": y,
                    "yOffset": {"field": "country"},
                    "x": {
                        "field": "mean",
                        "type": "quantitative",
                        "scale": {"domain": list(scale), "nice": False},
                    },
                    "color": color,
                },
            },
        ],
        "config": {"font": "sans-serif", "view": {"stroke": None}},
    }
