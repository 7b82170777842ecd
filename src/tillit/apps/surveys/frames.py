"""The survey frame (municipalities from the registry) and fieldwork progress tallied over it.

A frame is the list of municipalities whose chief executives a survey addresses: a country, both,
one county (NO fylke, DK region), or a simple random sample of those without replacement,
reproducible from its seed. Each frame member becomes one :class:`~tillit.apps.surveys.models.Case`
with a pseudonymous id; the municipality code stays on the case (it is needed for the frame), and
pages show it only to roles allowed to see personal data, because a chief executive is
identifiable by their municipality.

Progress is read here too: cases counted by status (invited, opened, partial, complete) and by
country, county/region and size class, with AAPOR response rates RR1 and RR2.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from tillit import registry
from tillit.apps.surveys.models import Case, Survey
from tillit.errors import ErrorCode, TillitError
from tillit.registry.model import Municipality
from tillit.registry.normalise import code_forms, parse_country

#: Dispositions that count as an interview (AAPOR I and P).
COMPLETE = Case.Disposition.COMPLETE.value
PARTIAL = Case.Disposition.PARTIAL.value
NOT_ELIGIBLE = Case.Disposition.NOT_ELIGIBLE.value


def parse_frame_country(country: str | None) -> str | None:
    """``None``/``"both"`` -> None (both countries); ``"no"``/``"dk"`` -> ``"NO"``/``"DK"``."""
    if country is None or str(country).strip().lower() in {"", "both", "all"}:
        return None
    return parse_country(country)


def frame_municipalities(
    country: str | None = None, county: str | None = None
) -> list[Municipality]:
    """The registry municipalities of a frame, NO then DK, each by code."""
    return list(registry.municipalities(country=parse_frame_country(country), county=county))


def draw_sample(members: list[Municipality], sample_size: int, seed: int) -> list[Municipality]:
    """A simple random sample without replacement, the same for the same members and seed."""
    if sample_size < 1:
        raise TillitError(
            f"sample size {sample_size} is too small",
            ErrorCode.INVALID_INPUT,
            hint="Give a whole number of at least 1, or leave the sample size out for all.",
        )
    if sample_size > len(members):
        raise TillitError(
            f"sample size {sample_size} is larger than the frame ({len(members)} municipalities)",
            ErrorCode.INVALID_INPUT,
            hint=f"Give at most {len(members)}, or leave the sample size out for all.",
        )
    ordered = sorted(members, key=lambda m: (m.country, m.code))
    chosen = random.Random(seed).sample(ordered, sample_size)  # noqa: S311 (sampling, not crypto)
    return sorted(chosen, key=lambda m: (m.country != "NO", m.code))


@functools.lru_cache(maxsize=2048)
def municipality(country: str, code: str) -> Municipality | None:
    """The registry municipality of a case (None for open-link cases or retired codes)."""
    if not country or not code:
        return None
    try:
        return registry.get(code_forms(code, 4 if country == "NO" else 3), country=country)
    except TillitError:
        return None


# ----------------------------------------------------------------------------------------------
# progress


@dataclass
class Tally:
    """Counts of one group of cases (a country, a county, a size class, or all)."""

    key: str
    label: str
    n_cases: int = 0
    n_invited: int = 0
    n_opened: int = 0
    n_partial: int = 0
    n_complete: int = 0
    n_refusal: int = 0
    n_not_eligible: int = 0
    by_disposition: dict[str, int] = field(default_factory=dict)

    def add(self, row: dict[str, Any]) -> None:
        self.n_cases += 1
        self.n_invited += row["contact__invited_at"] is not None
        self.n_opened += row["started_at"] is not None
        d = row["disposition"]
        self.n_partial += d == PARTIAL
        self.n_complete += d == COMPLETE
        self.n_refusal += d in {Case.Disposition.REFUSAL, Case.Disposition.BREAKOFF}
        self.n_not_eligible += d == NOT_ELIGIBLE
        self.by_disposition[d] = self.by_disposition.get(d, 0) + 1

    @property
    def rr1(self) -> float | None:
        """AAPOR RR1: complete interviews over every case of known or unknown eligibility."""
        base = self.n_cases - self.n_not_eligible
        return self.n_complete / base if base else None

    @property
    def rr2(self) -> float | None:
        """AAPOR RR2: complete and partial interviews over the same base as RR1."""
        base = self.n_cases - self.n_not_eligible
        return (self.n_complete + self.n_partial) / base if base else None

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "cases": self.n_cases,
            "invited": self.n_invited,
            "opened": self.n_opened,
            "partial": self.n_partial,
            "complete": self.n_complete,
            "refusal": self.n_refusal,
            "not_eligible": self.n_not_eligible,
            "rr1": self.rr1,
            "rr2": self.rr2,
            "by_disposition": dict(sorted(self.by_disposition.items())),
        }


@dataclass
class Progress:
    """Fieldwork progress of one survey: all cases, and by country, county/region, size class."""

    total: Tally
    by_country: list[Tally]
    by_county: list[Tally]
    by_size_class: list[Tally]

    def as_dict(self) -> dict[str, Any]:
        return {
            "total": self.total.as_dict(),
            "by_country": [t.as_dict() for t in self.by_country],
            "by_county": [t.as_dict() for t in self.by_county],
            "by_size_class": [t.as_dict() for t in self.by_size_class],
        }


SIZE_ORDER = ("small", "medium", "large", "city")
OPEN_LINK = "open"


def _case_rows(survey: Survey) -> Iterable[dict[str, Any]]:
    return Case.objects.filter(survey=survey).values(
        "country", "municipality_code", "disposition", "started_at", "contact__invited_at"
    )


def progress(survey: Survey) -> Progress:
    """Count the survey's cases (one query)."""
    total = Tally("all", "All")
    groups: dict[str, dict[str, Tally]] = {"country": {}, "county": {}, "size": {}}
    for row in _case_rows(survey):
        total.add(row)
        m = municipality(row["country"], row["municipality_code"])
        if m is None:
            keys = {
                "country": (row["country"] or OPEN_LINK, row["country"] or OPEN_LINK),
                "county": (OPEN_LINK, OPEN_LINK),
                "size": (OPEN_LINK, OPEN_LINK),
            }
        else:
            keys = {
                "country": (m.country, registry.COUNTRY_NAMES[m.country]),
                "county": (f"{m.country}-{m.county_code}", f"{m.county_name} ({m.country})"),
                "size": (str(m.size_class), f"{m.size_class} ({m.size_class.label})"),
            }
        for group, (key, label) in keys.items():
            groups[group].setdefault(key, Tally(key, label)).add(row)
    country_order = {"NO": 0, "DK": 1}
    return Progress(
        total=total,
        by_country=sorted(groups["country"].values(), key=lambda t: country_order.get(t.key, 9)),
        by_county=sorted(
            groups["county"].values(),
            key=lambda t: (country_order.get(t.key[:2], 9), t.key),
        ),
        by_size_class=sorted(
            groups["size"].values(),
            key=lambda t: SIZE_ORDER.index(t.key) if t.key in SIZE_ORDER else 9,
        ),
    )


def progress_chart_spec(prog: Progress, labels: dict[str, str], title: str) -> dict[str, Any]:
    """A Vega-Lite grouped bar chart: cases invited, opened, partial and complete by country.

    ``labels`` translates the four status names (the web layer passes gettext strings).
    """
    statuses = ("invited", "opened", "partial", "complete")
    values = [
        {"group": t.label, "status": labels[s], "order": i, "n": t.as_dict()[s]}
        for t in prog.by_country
        for i, s in enumerate(statuses)
    ]
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "description": title,
        "data": {"values": values},
        "width": 110,
        "height": 180,
        "mark": {"type": "bar"},
        "encoding": {
            "column": {
                "field": "group",
                "type": "nominal",
                "title": None,
                "sort": [t.label for t in prog.by_country],
            },
            "x": {
                "field": "status",
                "type": "nominal",
                "sort": {"field": "order"},
                "title": None,
                "axis": {"labelAngle": -30},
            },
            "y": {"field": "n", "type": "quantitative", "title": labels["cases"]},
            "color": {
                "field": "status",
                "type": "nominal",
                "sort": {"field": "order"},
                "legend": None,
                "scale": {"range": ["#9ecae1", "#6baed6", "#fdae6b", "#31a354"]},
            },
        },
    }


# ----------------------------------------------------------------------------------------------
# read helpers for pages and the CLI


def survey_counts(survey: Survey) -> dict[str, Any]:
    """Counts by disposition, with response rates and counts by country (for `status`)."""
    from tillit.apps.surveys.models import Contact

    prog = progress(survey)
    return {
        "survey": survey.slug,
        "title": survey.title,
        "status": survey.status,
        "synthetic": survey.is_synthetic,
        "cases": prog.total.n_cases,
        "contacts": Contact.objects.filter(case__survey=survey).count(),
        "invited": prog.total.n_invited,
        "opened": prog.total.n_opened,
        "partial": prog.total.n_partial,
        "complete": prog.total.n_complete,
        "rr1": prog.total.rr1,
        "rr2": prog.total.rr2,
        "by_disposition": {
            code: {
                "label": str(Case.Disposition(code).label),
                "n": prog.total.by_disposition.get(code, 0),
            }
            for code in Case.Disposition.values
        },
        "by_country": [t.as_dict() for t in prog.by_country],
    }


def pending_reminders(survey: Survey) -> Any:
    """Scheduled reminders still to send, and those sent in the last 60 days."""
    import datetime as dt

    from django.db.models import Q
    from django.utils import timezone

    from tillit.apps.surveys.models import ScheduledReminder

    return ScheduledReminder.objects.filter(survey=survey).filter(
        Q(sent_at__isnull=True) | Q(sent_at__gte=timezone.now() - dt.timedelta(days=60))
    )
