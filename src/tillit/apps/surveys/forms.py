"""Forms of the researcher pages: they parse input; services decide and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tillit import registry
from tillit.apps.surveys.models import Case, Survey

LANGUAGE_CHOICES = [
    ("nb", _("Norwegian Bokmål")),
    ("nn", _("Norwegian Nynorsk")),
    ("da", _("Danish")),
    ("en", _("English")),
]
UPLOAD = "__upload__"


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class InstrumentUploadForm(forms.Form):
    file = forms.FileField(
        label=_("XLSForm file"),
        help_text=_("An XLSForm workbook (.xlsx), an old .xls, or a markdown table form (.md)."),
    )


class SurveyCreateForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    slug = forms.SlugField(
        label=_("Short name"),
        max_length=60,
        required=False,
        help_text=_("Used in addresses; made from the title when left empty."),
    )
    instrument = forms.ChoiceField(label=_("Instrument"))
    file = forms.FileField(
        label=_("Or upload an XLSForm"),
        required=False,
        help_text=_("Choose 'Upload a new XLSForm' above and pick the file here."),
    )
    mode = forms.ChoiceField(label=_("Mode"), choices=Survey.Mode.choices)
    default_language = forms.ChoiceField(
        label=_("Default language"),
        choices=[("", _("The instrument's")), *LANGUAGE_CHOICES],
        required=False,
    )
    opens_at = forms.DateTimeField(label=_("Opens"), required=False, widget=DateTimeInput())
    closes_at = forms.DateTimeField(label=_("Closes"), required=False, widget=DateTimeInput())

    def __init__(self, *args: object, instruments: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["instrument"].choices = [
            *instruments,
            (UPLOAD, _("Upload a new XLSForm (below)")),
        ]

    def clean(self) -> dict[str, object]:
        data = super().clean()
        if data.get("instrument") == UPLOAD and not data.get("file"):
            self.add_error("file", _("Choose the XLSForm file to upload."))
        return data


def _county_choices() -> list[tuple[str, str]]:
    return [("", _("All"))] + [
        (code, f"{name} ({country})") for country, code, name in registry.counties()
    ]


class FrameForm(forms.Form):
    country = forms.ChoiceField(
        label=_("Country"),
        choices=[("both", _("Norway and Denmark")), ("no", _("Norway")), ("dk", _("Denmark"))],
    )
    county = forms.ChoiceField(label=_("County or region"), required=False)
    sample_size = forms.IntegerField(
        label=_("Sample size"),
        min_value=1,
        required=False,
        help_text=_("Leave empty for every municipality; otherwise a simple random sample."),
    )
    seed = forms.IntegerField(
        label=_("Random seed"),
        required=False,
        help_text=_("The same seed draws the same sample; left empty, one is chosen and kept."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["county"].choices = _county_choices()


class ContactsForm(forms.Form):
    file = forms.FileField(
        label=_("Contact list"),
        help_text=_(
            "CSV or .xlsx with the columns municipality code, name, e-mail, and optionally "
            "role and language (nb, nn, da, en)."
        ),
    )
    skip_bad_rows = forms.BooleanField(label=_("Skip bad rows and import the rest"), required=False)


class MailForm(forms.Form):
    base_url = forms.URLField(
        label=_("Address of this server"),
        help_text=_("Links in the e-mails start with it, e.g. https://tillit.example.org"),
        assume_scheme="https",
    )


class ScheduleForm(forms.Form):
    send_at = forms.DateTimeField(label=_("Send reminder at"), widget=DateTimeInput())


class DispositionForm(forms.Form):
    disposition = forms.ChoiceField(
        label=_("Disposition"),
        choices=[
            ("auto", _("Automatic")),
            *((code, f"{code} {label}") for code, label in Case.Disposition.choices),
        ],
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class ExportForm(forms.Form):
    FORMAT_CHOICES = [
        ("csv", _("CSV with codes")),
        ("csv-labels", _("CSV with labels")),
        ("sav", _("SPSS (.sav)")),
        ("dta", _("Stata (.dta)")),
        ("ddi", _("DDI-Codebook 2.5 (XML)")),
        ("xlsform", _("XLSForm of the instrument (.xlsx)")),
    ]
    format = forms.ChoiceField(label=_("Format"), choices=FORMAT_CHOICES)
    language = forms.ChoiceField(
        label=_("Label language"),
        choices=[("", _("The survey's")), *LANGUAGE_CHOICES],
        required=False,
    )
    include_identity = forms.BooleanField(
        label=_("Include identity columns (municipality, name, e-mail)"),
        required=False,
        help_text=_("Owners only. The export is recorded in the audit log."),
    )
