"""The query layer: a survey's cases as analysis data frames and its census design.

* :func:`load` reads a :class:`~tillit.apps.surveys.models.Survey` once and returns
  :class:`SurveyData`: the frame (every case with its AAPOR disposition and registry
  covariates), the respondents (complete and partial cases) with one column per answer
  variable, coded exactly as the survey exports code them (:mod:`tillit.interop`), declared
  missing codes (skip logic, don't know, not reached) turned into ``NaN``;
* :meth:`SurveyData.design` is the stratified census design: strata country x size class when
  every such stratum keeps at least two respondents, otherwise country; population counts are
  the registry's municipalities per stratum, so a stratum where everyone answered has SE 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tillit.analysis import Design

#: Dispositions of respondents (AAPOR I and P).
RESPONDED = ("1.1", "1.2")
#: Covariate columns taken from the registry by municipality code.
COVARIATES = ("country", "size_class", "county")
#: Question types analysed as items.
ITEM_TYPES = ("select_one", "integer", "decimal")
#: Size classes in order (as in the registry).
SIZE_CLASSES = ("small", "medium", "large", "city")


@dataclass(frozen=True)
class Item:
    """One analysable answer variable."""

    name: str
    label: str
    qtype: str
    page: str
    page_label: str
    categories: tuple[tuple[float, str], ...] = ()  # (code, label) for select_one
    concepts: tuple[str, ...] = ()
    measure: str = "nominal"

    @property
    def is_categorical(self) -> bool:
        return self.qtype == "select_one"

    @property
    def is_scored(self) -> bool:
        """A mean makes sense: numeric items and ordinal select_one (codes are scale values)."""
        return not self.is_categorical or self.measure in ("ordinal", "scale")

    def category_label(self, code: float) -> str:
        for c, lbl in self.categories:
            if c == code:
                return lbl
        return str(code)


@dataclass(frozen=True)
class SurveyData:
    """A survey's data for analysis (see the module docstring)."""

    title: str
    language: str
    frame: pd.DataFrame
    respondents: pd.DataFrame
    items: tuple[Item, ...]
    population: pd.DataFrame
    instrument: Any = field(repr=False, default=None)

    def item(self, name: str) -> Item:
        for it in self.items:
            if it.name == name:
                return it
        from tillit.analysis.errors import AnalysisError

        raise AnalysisError(
            f"The survey has no analysable item {name!r}.",
            argument="items",
            value=name,
            allowed=", ".join(close_matches(name, [i.name for i in self.items])) or "see --help",
        )

    @property
    def strata(self) -> list[str]:
        """``["country", "size_class"]`` when every such stratum has >= 2 respondents."""
        data = self.design_data()
        counts = self.population.groupby(["country", "size_class"]).size()
        have = data.groupby(["country", "size_class"]).size()
        for key in counts.index:
            if have.get(key, 0) < 2:
                return ["country"]
        return ["country", "size_class"]

    def design_data(self) -> pd.DataFrame:
        """Respondents with a registry municipality (open-link cases have no stratum)."""
        r = self.respondents
        return r[r["country"].notna() & r["size_class"].notna()].reset_index(drop=True)

    def design(self, strata: list[str] | None = None) -> Design:
        strata = strata or self.strata
        return Design.from_frame(self.design_data(), self.population, strata=strata)

    def pages(self) -> list[tuple[str, str, list[Item]]]:
        out: dict[str, tuple[str, list[Item]]] = {}
        for it in self.items:
            out.setdefault(it.page, (it.page_label, []))[1].append(it)
        return [(k, v[0], v[1]) for k, v in out.items()]


def close_matches(name: str, names: list[str], n: int = 5) -> list[str]:
    import difflib

    return difflib.get_close_matches(name, names, n=n, cutoff=0.5)


def _label(labels: Any, language: str, default: str) -> str:
    if not labels:
        return default
    for lang in (language, "en", "nb"):
        if labels.get(lang):
            return str(labels[lang])
    return str(next(iter(labels.values())))


def load(survey: Any, *, language: str = "en") -> SurveyData:
    """Read ``survey`` into a :class:`SurveyData` (labels in ``language`` when the instrument
    has it, else the survey's default language)."""
    from tillit.apps.surveys import exports, frames, services
    from tillit.apps.surveys.models import Case
    from tillit.interop.codebook import build_codebook
    from tillit.interop.dataset import build_frame
    from tillit.registry.frame import to_frame

    instrument = services.load_instrument(survey.instrument)
    if instrument.languages and language not in instrument.languages:
        language = survey.default_language
    responses = list(exports.responses(survey, instrument, include_identity=False))
    codebook = build_codebook(
        instrument, responses, language=language, frame_columns=exports._frame_columns(False)
    )
    coded = build_frame(instrument, responses, codebook, relevance=exports._relevance(instrument))

    # frame: every case with its disposition and registry covariates
    rows = []
    for case_id, country, code, disposition in (
        Case.objects.filter(survey=survey)
        .order_by("case_id")
        .values_list("case_id", "country", "municipality_code", "disposition")
    ):
        m = frames.municipality(country, code)
        rows.append(
            {
                "case_id": case_id,
                "country": country or None,
                "size_class": str(m.size_class) if m else None,
                "county": m.county_name if m else None,
                "disposition": disposition,
            }
        )
    frame = pd.DataFrame(rows, columns=["case_id", *COVARIATES, "disposition"])

    # items, in questionnaire order, with the page (top-level group) they are on
    page_of: dict[str, tuple[str, str]] = {}
    for item, parents in instrument.walk():
        if parents and not hasattr(item, "children"):
            top = parents[0]
            page_of[item.name] = (top.name, _label(top.labels, language, top.name))
    items: list[Item] = []
    answer_cols: list[str] = []
    for var in codebook.variables:
        if var.role != "answer" or var.qtype not in ITEM_TYPES or var.kind != "numeric":
            continue
        cats: tuple[tuple[float, str], ...] = ()
        if var.qtype == "select_one":
            cats = tuple(
                (float(code), str(lbl))
                for code, lbl in var.value_labels.items()
                if isinstance(code, int | float) and code not in var.missing
            )
        page, page_label = page_of.get(var.question, ("", ""))
        items.append(
            Item(
                name=var.name,
                label=var.question_text or var.label,
                qtype=var.qtype,
                page=page,
                page_label=page_label,
                categories=cats,
                concepts=tuple(var.concepts),
                measure=var.measure,
            )
        )
        answer_cols.append(var.name)
    answers = coded[["case_id", *answer_cols]].copy()
    for var in codebook.variables:
        if var.name in answer_cols and var.missing:
            col = answers[var.name].astype(float)
            answers[var.name] = col.where(~col.isin(list(var.missing)), np.nan)
    respondents = frame[frame["disposition"].isin(RESPONDED)].merge(
        answers, on="case_id", how="left"
    )

    countries = sorted(set(frame["country"].dropna()))
    population = to_frame()
    population = population[population["country"].isin(countries)][["country", "size_class"]]
    population = population.assign(size_class=population["size_class"].astype(str))
    return SurveyData(
        title=survey.title,
        language=language,
        frame=frame,
        respondents=respondents.reset_index(drop=True),
        items=tuple(items),
        population=population.reset_index(drop=True),
        instrument=instrument,
    )
