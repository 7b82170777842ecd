"""Forms of the self-assessment pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tillit import registry


def municipality_choices(countries: list[str]) -> list[tuple[str, str]]:
    """``("NO:0301", "Oslo (Norway)")`` for every registry municipality of ``countries``."""
    names = {"NO": _("Norway"), "DK": _("Denmark")}
    out: list[tuple[str, str]] = [("", "---------")]
    for c in countries:
        for m in sorted(registry.municipalities(c), key=lambda m: m.name):
            out.append((f"{c}:{m.code}", f"{m.name} ({names.get(c, c)})"))
    return out


class CreateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    survey = forms.ChoiceField(label=_("Survey whose results are the benchmark"))
    items = forms.MultipleChoiceField(
        label=_("Items"), widget=forms.CheckboxSelectMultiple, required=False,
        help_text=_("Leave empty for the default: the vertical, horizontal and institutional "
                    "trust items."),
    )  # fmt: skip
    municipality = forms.ChoiceField(
        label=_("Bind the link to one municipality"), required=False,
        help_text=_("Leave empty for a link where the respondent chooses the municipality."),
    )  # fmt: skip

    def __init__(self, *args: Any, surveys: list[tuple[str, str]], items: list[tuple[str, str]],
                 countries: list[str], **kw: Any) -> None:  # fmt: skip
        super().__init__(*args, **kw)
        self.fields["survey"].choices = surveys
        self.fields["items"].choices = items
        self.fields["municipality"].choices = municipality_choices(countries)


class SubmitForm(forms.Form):
    """The questionnaire: the municipality (unless the link is bound) and one radio group per
    item; every item may be skipped."""

    def __init__(self, *args: Any, items: list[Any], countries: list[str], bound: bool,
                 **kw: Any) -> None:  # fmt: skip
        super().__init__(*args, **kw)
        if not bound:
            self.fields["municipality"] = forms.ChoiceField(
                label=_("Your municipality"), choices=municipality_choices(countries)
            )
        for it in items:
            self.fields[f"q_{it.name}"] = forms.ChoiceField(
                label=it.label, choices=list(it.choices), required=False,
                widget=forms.RadioSelect,
            )  # fmt: skip
            self.fields[f"q_{it.name}"].section = it.section

    def answers(self) -> dict[str, str]:
        return {
            name[2:]: value
            for name, value in self.cleaned_data.items()
            if name.startswith("q_") and value
        }

    def municipality(self) -> tuple[str, str]:
        value = self.cleaned_data.get("municipality") or ":"
        country, _, code = value.partition(":")
        return country, code
