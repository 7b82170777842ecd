"""What the observatory's figures are built from, read once per data version.

:func:`load_inputs` reads the register, the context events, the documents and the survey of a
project into plain Python and pandas (:class:`Inputs`), so :mod:`tillit.apps.observatory.figures`
never touches the database. Reading a survey takes seconds, so the result is kept in memory per
(project, data version, survey, language): any change to the data changes the data version
(:func:`tillit.apps.observatory.services.data_version`) and so the key.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from tillit.apps.analysis.data import SurveyData
from tillit.errors import TillitError


@dataclass(frozen=True)
class InitiativeRow:
    country: str
    municipality_code: str
    status: str
    start_year: int | None
    measures: tuple[str, ...]


@dataclass(frozen=True)
class EventRow:
    n: int
    x: float
    country: str
    year: int
    title: str


@dataclass
class Inputs:
    """A project's data for the figures (see the module docstring).

    The survey is read on first use of :attr:`survey` (seconds), so a request whose figures
    are all in the cache never reads it.
    """

    project_slug: str
    project_name: str
    synthetic: bool
    data_version: str
    language: str
    initiatives: tuple[InitiativeRow, ...]
    events: tuple[EventRow, ...]
    documents: pd.DataFrame  # country, code, documents, screened (one row per municipality)
    survey_title: str = ""
    survey_loader: Callable[[], SurveyData] | None = field(default=None, repr=False)
    _survey: SurveyData | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def has_survey(self) -> bool:
        return self.survey_loader is not None

    @property
    def survey(self) -> SurveyData | None:
        if self.survey_loader is None:
            return None
        with self._lock:
            if self._survey is None:
                self._survey = self.survey_loader()
            return self._survey


_LOCK = threading.Lock()
_CACHE: OrderedDict[tuple[Any, ...], Inputs] = OrderedDict()
_MAX = 16


def _event_x(e: Any) -> float:
    if e.date is None:
        return float(e.year)
    return round(e.year + (e.date.timetuple().tm_yday - 1) / 366, 3)


def _documents(project: Any) -> pd.DataFrame:
    from django.db.models import Count, Q

    from tillit.apps.corpus.models import Document
    from tillit.registry import default_registry

    reg = default_registry()
    rows = []
    qs = (
        Document.objects.filter(project=project, status=Document.Status.OK)
        .exclude(municipality_code="")
        .values("municipality_code")
        .annotate(n=Count("id"), screened=Count("id", filter=~Q(screened_version="")))
    )
    for r in qs:
        try:
            m = reg.get(r["municipality_code"])
        except (TillitError, LookupError, ValueError):
            continue  # a code the registry no longer knows: left out of the coverage
        rows.append(
            {"country": m.country, "code": m.code, "documents": r["n"], "screened": r["screened"]}
        )
    return pd.DataFrame(rows, columns=["country", "code", "documents", "screened"])


def default_survey(project: Any) -> Any:
    """The project's most recent survey (None when it has none)."""
    from tillit.apps.surveys.models import Survey

    return (
        Survey.objects.select_related("instrument")
        .filter(project=project)
        .order_by("-created_at", "-id")
        .first()
    )


def load_inputs(project: Any, version: str, *, survey: Any = None, language: str = "en") -> Inputs:
    """The project's :class:`Inputs` at data version ``version`` (cached in memory)."""
    from tillit.apps.analysis import data as survey_data
    from tillit.apps.mapping.models import ContextEvent, Initiative

    survey = survey if survey is not None else default_survey(project)
    key = (project.pk, version, survey.pk if survey else None, language)
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    initiatives = tuple(
        InitiativeRow(i.country, i.municipality_code, i.status, i.start_year, tuple(i.measures))
        for i in Initiative.objects.filter(project=project, deleted_at__isnull=True).only(
            "country", "municipality_code", "status", "start_year", "measures"
        )
    )
    events = tuple(
        EventRow(n, _event_x(e), e.country, e.year, e.title)
        for n, e in enumerate(ContextEvent.objects.filter(project=project), start=1)
    )
    loader = None
    if survey is not None:

        def loader() -> SurveyData:
            return survey_data.load(survey, language=language)

    inputs = Inputs(
        project_slug=project.slug,
        project_name=project.name,
        synthetic=bool(project.is_synthetic),
        data_version=version,
        language=language,
        initiatives=initiatives,
        events=events,
        documents=_documents(project),
        survey_title=survey.title if survey else "",
        survey_loader=loader,
    )
    with _LOCK:
        _CACHE[key] = inputs
        while len(_CACHE) > _MAX:
            _CACHE.popitem(last=False)
    return inputs
