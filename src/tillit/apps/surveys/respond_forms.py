"""Parsing what a respondent's browser sends: the page's answers, the button pressed, and the
signed "visit" field that dates the page view (time on page) and makes a double submit
recognisable."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core import signing
from django.http import QueryDict

from tillit.apps.surveys.services_respond import INPUT_TYPES
from tillit.instruments.engine import page_questions
from tillit.instruments.model import Group, Instrument

VISIT_SALT = "tillit.surveys.respond.visit"
#: A page view older than this is still saved, but its time on page is not recorded.
VISIT_MAX_AGE_S = 60 * 60 * 24 * 7


class PageActionForm(forms.Form):
    """The button pressed and the signed page-view stamp."""

    action = forms.ChoiceField(
        choices=[("next", "next"), ("back", "back"), ("finish", "finish")], required=False
    )
    visit = forms.CharField(required=False, max_length=400)

    def __init__(self, data: QueryDict, page_index: int) -> None:
        super().__init__(data)
        self.page_index = page_index

    @property
    def chosen(self) -> str:
        """``next`` (also for Enter in a text box), ``back`` or ``finish``."""
        return (self.cleaned_data.get("action") if self.is_valid() else "") or "next"

    @property
    def cleaned_visit(self) -> str:
        """The stamp as sent, when it is genuine (to keep on a page shown again)."""
        return self.cleaned_data["visit"] if self.entered_at is not None else ""

    @property
    def entered_at(self) -> dt.datetime | None:
        """When the page was shown, or ``None`` for a missing, forged or stale stamp."""
        if not self.is_valid() or not self.cleaned_data["visit"]:
            return None
        return read_visit(self.cleaned_data["visit"], self.page_index)


def sign_visit(page_index: int, at: dt.datetime) -> str:
    return signing.dumps([page_index, at.isoformat()], salt=VISIT_SALT, compress=False)


def read_visit(value: str, page_index: int) -> dt.datetime | None:
    try:
        index, iso = signing.loads(value, salt=VISIT_SALT, max_age=VISIT_MAX_AGE_S)
        at = dt.datetime.fromisoformat(iso)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    return at if index == page_index else None


def submitted_values(
    instrument: Instrument, page: Group, data: QueryDict | Mapping[str, Any]
) -> dict[str, Any]:
    """The raw answers of one page as :func:`tillit.instruments.engine.check_page` takes them:
    a string per question, a list of choice names for ``select_multiple`` and ``rank`` (in rank
    order), and ``<name>_other`` for the text of an "other" choice."""
    out: dict[str, Any] = {}
    getlist = data.getlist if isinstance(data, QueryDict) else _getlist(data)
    for q in page_questions(page):
        if q.type not in INPUT_TYPES:
            continue
        if q.type == "select_multiple":
            out[q.name] = [v for v in getlist(q.name) if v]
        elif q.type == "rank":
            n = len(instrument.choice_lists[q.list_name or ""].choices) if q.list_name else 0
            out[q.name] = [
                v for v in (str(data.get(f"{q.name}__rank{i}", "")) for i in range(1, n + 1)) if v
            ]
        else:
            out[q.name] = str(data.get(q.name, "")).strip()
        if q.or_other:
            out[f"{q.name}_other"] = str(data.get(f"{q.name}_other", "")).strip()
    return out


def _getlist(data: Mapping[str, Any]):  # type: ignore[no-untyped-def]
    def getlist(key: str) -> list[str]:
        value = data.get(key)
        if value is None:
            return []
        return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]

    return getlist
