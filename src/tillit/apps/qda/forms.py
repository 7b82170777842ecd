"""Forms of the qda pages: they parse input; services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tillit.apps.qda.models import AutocodeBatch, Case, Source

LANGUAGE_CHOICES = [
    ("", "-"),
    ("nb", _("Norwegian Bokmål")),
    ("nn", _("Norwegian Nynorsk")),
    ("da", _("Danish")),
    ("sv", _("Swedish")),
    ("en", _("English")),
]
COUNTRY_CHOICES = [("", "-"), ("NO", _("Norway")), ("DK", _("Denmark")), ("SE", _("Sweden"))]


def _check_size(upload: Any, limit: int) -> Any:
    """Refuse an upload over ``limit`` bytes before anything reads it into memory."""
    if upload is not None and upload.size > limit:
        raise forms.ValidationError(
            _("The file is %(size).1f MB; at most %(limit).0f MB are accepted."),
            params={"size": upload.size / 1e6, "limit": limit / 1e6},
        )
    return upload


class DateInput(forms.DateInput):
    input_type = "date"


class SourceMetaForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=300, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=Source.Kind.choices)
    actor_type = forms.ChoiceField(
        label=_("Actor type"), choices=[("", "-"), *Source.ActorType.choices], required=False
    )
    organisation = forms.CharField(label=_("Organisation"), max_length=300, required=False)
    municipality_code = forms.CharField(
        label=_("Municipality code"),
        max_length=4,
        required=False,
        help_text=_("A registry code, e.g. 0301 (Oslo) or 101 (København)."),
    )
    country = forms.ChoiceField(label=_("Country"), choices=COUNTRY_CHOICES, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, required=False)
    date = forms.DateField(label=_("Date"), required=False, widget=DateInput())
    interviewer = forms.CharField(label=_("Interviewer"), max_length=200, required=False)
    consent = forms.ChoiceField(label=_("Consent"), choices=Source.Consent.choices)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)


class SourceImportForm(SourceMetaForm):
    file = forms.FileField(
        label=_("File"),
        help_text=_("TXT, DOCX, ODT, PDF, HTML, or a transcript (VTT, SRT)."),
    )
    transcript = forms.BooleanField(label=_("Text file with 'Speaker: text' turns"), required=False)

    field_order = ["file", "transcript", "name", "kind"]

    def clean_file(self) -> Any:
        from tillit.apps.qda.services import MAX_SOURCE_BYTES

        return _check_size(self.cleaned_data.get("file"), MAX_SOURCE_BYTES)


class SettingsForm(forms.Form):
    assigned_only = forms.BooleanField(label=_("Coders see assigned sources only"), required=False)


class AssignForm(forms.Form):
    coders = forms.MultipleChoiceField(
        label=_("Assigned coders"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, members: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["coders"].choices = members


class PseudonymiseForm(forms.Form):
    names = forms.CharField(
        label=_("Names to replace"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One per line; add a category after a bar: 'Kari Nordmann | person'."),
    )
    replace = forms.BooleanField(
        label=_("Replace the original (only before any coding)"), required=False
    )

    def clean_names(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for line in self.cleaned_data["names"].splitlines():
            name, _, category = line.partition("|")
            if name.strip():
                out[name.strip()] = category.strip() or "name"
        return out


class CodeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    parent = forms.ChoiceField(label=_("Parent"), required=False)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    inclusion = forms.CharField(
        label=_("Inclusion criteria"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    exclusion = forms.CharField(
        label=_("Exclusion criteria"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    example = forms.CharField(
        label=_("Example"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    colour = forms.CharField(
        label=_("Colour"), required=False, widget=forms.TextInput(attrs={"type": "color"})
    )
    concept_id = forms.CharField(
        label=_("Taxonomy concept"),
        required=False,
        help_text=_("A concept id such as motive.reporting_burden."),
    )

    def __init__(self, *args: Any, codes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", _("(top level)")), *codes]


class MoveForm(forms.Form):
    parent = forms.ChoiceField(label=_("New parent"), required=False)

    def __init__(self, *args: Any, codes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].choices = [("", _("(top level)")), *codes]


class MergeForm(forms.Form):
    target = forms.ChoiceField(label=_("Merge into"))

    def __init__(self, *args: Any, codes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = codes


class SplitForm(forms.Form):
    names = forms.CharField(
        label=_("New sub-codes"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One name per line. Move codings to them from the code's codings list."),
    )


class QdcImportForm(forms.Form):
    file = forms.FileField(label=_("REFI-QDA codebook (.qdc)"))

    def clean_file(self) -> Any:
        return _check_size(self.cleaned_data.get("file"), 20 * 1024 * 1024)


class QdpxImportForm(forms.Form):
    file = forms.FileField(label=_("REFI-QDA project (.qdpx)"))

    def clean_file(self) -> Any:
        from tillit.apps.qda.services import MAX_QDPX_BYTES

        return _check_size(self.cleaned_data.get("file"), MAX_QDPX_BYTES)


class MemoForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    text = forms.CharField(label=_("Memo"), widget=forms.Textarea(attrs={"rows": 4}))
    target = forms.CharField(required=False, widget=forms.HiddenInput)


class CaseForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Case.Kind.choices)
    municipality_code = forms.CharField(label=_("Municipality code"), required=False)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    attributes = forms.CharField(
        label=_("Attributes"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("One per line: name = value (numbers stay numbers)."),
    )

    def clean_attributes(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for n, line in enumerate(self.cleaned_data["attributes"].splitlines(), 1):
            if not line.strip():
                continue
            key, eq, value = line.partition("=")
            if not eq or not key.strip():
                raise forms.ValidationError(_("Line %(n)s: write name = value."), params={"n": n})
            out[key.strip()] = _typed(value.strip())
        return out


def _typed(value: str) -> Any:
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    if value.lower() in {"true", "false"}:
        return value.lower() == "true"
    return value


def attributes_text(attributes: dict[str, Any]) -> str:
    return "\n".join(f"{k} = {v}" for k, v in attributes.items())


class CaseAssignForm(forms.Form):
    source = forms.ChoiceField(label=_("Source"))
    start = forms.IntegerField(label=_("From (optional)"), required=False, min_value=0)
    end = forms.IntegerField(label=_("To (optional)"), required=False, min_value=1)

    def __init__(self, *args: Any, sources: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = sources


class AutocodeForm(forms.Form):
    code = forms.ChoiceField(label=_("Code to apply"))
    method = forms.ChoiceField(label=_("Find by"), choices=AutocodeBatch.Method.choices)
    pattern = forms.CharField(
        label=_("Concept, word or pattern"),
        max_length=500,
        help_text=_("A concept id (motive.reporting_burden), a word, or a regular expression."),
    )
    unit = forms.ChoiceField(
        label=_("Code"),
        choices=[
            ("match", _("the match only")),
            ("sentence", _("the whole sentence")),
            ("paragraph", _("the whole paragraph")),
        ],
    )

    def __init__(self, *args: Any, codes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = codes


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=300)
    lang = forms.ChoiceField(
        label=_("Stemming"),
        choices=[("nb", _("Norwegian")), ("da", _("Danish")), ("en", _("English"))],
        required=False,
    )


class ReliabilityForm(forms.Form):
    coder_a = forms.ChoiceField(label=_("Coder A"))
    coder_b = forms.ChoiceField(label=_("Coder B"))
    exclude_uncoded = forms.BooleanField(label=_("Leave out text nobody coded"), required=False)
    threshold = forms.FloatField(
        label=_("Segment overlap threshold"), min_value=0.0, max_value=1.0, initial=0.9
    )

    def __init__(self, *args: Any, coders: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["coder_a"].choices = coders
        self.fields["coder_b"].choices = coders
