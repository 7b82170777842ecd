"""Forms of the register pages: they parse input; services check values and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tillit.apps.mapping import checks
from tillit.apps.mapping.models import ContextEvent, Evidence, Initiative

COUNTRY_CHOICES = [("", _("Either")), ("NO", _("Norway")), ("DK", _("Denmark"))]


def ui_language() -> str:
    lang = (get_language() or "en").split("-")[0]
    return lang if lang in ("nb", "nn", "da", "sv", "en") else "en"


def concept_choices(branches: tuple[str, ...]) -> list[tuple[str, str]]:
    """``(id, indented label)`` of every live concept below the branch roots, in tree order."""
    tax = checks.taxonomy()
    lang = ui_language()
    out = []
    for root in branches:
        for concept, depth in tax.walk(root):
            if depth == 0 or concept.deprecated:
                continue
            out.append((concept.id, "\u2003" * (depth - 1) + concept.label(lang)))
    return out


class DateInput(forms.DateInput):
    input_type = "date"


class InitiativeForm(forms.Form):
    municipality = forms.CharField(
        label=_("Municipality"),
        max_length=100,
        help_text=_("Its code (0301, 101) or name (Oslo, København); an old code is crosswalked."),
    )
    country = forms.ChoiceField(label=_("Country"), choices=COUNTRY_CHOICES, required=False)
    title = forms.CharField(label=_("Title"), max_length=checks.MAX_TITLE)
    start_year = forms.IntegerField(
        label=_("Start year"), required=False, min_value=checks.FIRST_YEAR, max_value=2100
    )
    start_date = forms.DateField(
        label=_("Start date"),
        required=False,
        widget=DateInput(),
        help_text=_("Only if the source gives the day; the year is then taken from it."),
    )
    decided_by = forms.ChoiceField(label=_("Decided by"), choices=Initiative.DecidedBy.choices)
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=[("", _("Not recorded")), *Initiative.Scope.choices],
        required=False,
    )
    sectors = forms.MultipleChoiceField(label=_("Sectors and actors"), required=False)
    measures = forms.MultipleChoiceField(label=_("Measures"), required=False)
    problem_perceptions = forms.MultipleChoiceField(
        label=_("Problem perceptions (motives)"), required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=Initiative.Status.choices)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=checks.MAX_TEXT,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, branches in checks.CONCEPT_BRANCHES.items():
            field = self.fields[name]
            assert isinstance(field, forms.MultipleChoiceField)
            field.choices = concept_choices(branches)
            field.widget.attrs["size"] = 8

    @staticmethod
    def initial_for(i: Initiative) -> dict[str, Any]:
        return {
            "municipality": i.municipality_code,
            "country": i.country,
            "title": i.title,
            "start_year": i.start_year,
            "start_date": i.start_date,
            "decided_by": i.decided_by,
            "scope": i.scope,
            "sectors": i.sectors,
            "measures": i.measures,
            "problem_perceptions": i.problem_perceptions,
            "status": i.status,
            "notes": i.notes,
        }

    def service_values(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        where = d.pop("municipality").strip()
        if where.isdigit():
            d["municipality_code"], d["municipality"] = where, None
        else:
            d["municipality_code"], d["municipality"] = None, where
        d["country"] = d["country"] or None
        return d


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Evidence.Kind.choices, initial="url")
    title = forms.CharField(label=_("Title"), max_length=500, required=False)
    url = forms.URLField(
        label=_("Address (URL)"), max_length=1000, required=False, assume_scheme="https"
    )
    ref = forms.CharField(
        label=_("Reference"),
        max_length=300,
        required=False,
        help_text=_("A document's SHA-256, survey:<id>/case:<pseudonym>, or an interview id."),
    )
    start = forms.IntegerField(label=_("Start offset"), min_value=0, required=False)
    end = forms.IntegerField(label=_("End offset"), min_value=0, required=False)
    quote = forms.CharField(
        label=_("Quote"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class OptionalEvidenceForm(EvidenceForm):
    """The evidence part of the new-initiative form: left empty, no evidence is added."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].required = False

    def spec(self) -> dict[str, Any] | None:
        d = dict(self.cleaned_data)
        if not any(d.get(k) for k in ("url", "ref", "quote", "title", "note")):
            return None
        d["kind"] = d.get("kind") or "url"
        return d


class ContextEventForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"), choices=ContextEvent.Country.choices)
    year = forms.IntegerField(label=_("Year"), min_value=1900, max_value=2100, required=False)
    date = forms.DateField(
        label=_("Date"),
        required=False,
        widget=DateInput(),
        help_text=_("Give the date if it is known, otherwise the year."),
    )
    title = forms.CharField(label=_("Title"), max_length=checks.MAX_TITLE)
    kind = forms.ChoiceField(label=_("Kind"), choices=ContextEvent.Kind.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    source_url = forms.URLField(
        label=_("Source address (URL)"), required=False, max_length=1000, assume_scheme="https"
    )
    source = forms.CharField(label=_("Source"), required=False, max_length=300)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Register file"),
        help_text=_("An .xlsx workbook (sheets register and evidence) or a register .csv file."),
    )
    evidence_file = forms.FileField(
        label=_("Evidence file (CSV)"),
        required=False,
        help_text=_("With a CSV register: the evidence table as a second .csv file."),
    )


class FilterForm(forms.Form):
    country = forms.ChoiceField(
        label=_("Country"),
        required=False,
        choices=[("", _("All")), ("NO", _("Norway")), ("DK", _("Denmark"))],
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *Initiative.Status.choices]
    )
    year = forms.IntegerField(label=_("Start year"), required=False, min_value=1900, max_value=2100)
    measure = forms.ChoiceField(label=_("Measure"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = [("", _("All")), *concept_choices(("measure",))]  # type: ignore[attr-defined]
