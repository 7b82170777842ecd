"""Forms of the corpus pages: they parse input; services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tillit.apps.corpus.models import DocType, Document

LANG_CHOICES = [
    ("", _("All")),
    ("nb", _("Norwegian Bokmål")),
    ("nn", _("Norwegian Nynorsk")),
    ("da", _("Danish")),
    ("sv", _("Swedish")),
    ("en", _("English")),
    ("und", _("Undetermined")),
]
#: Largest upload in one request (all files together); larger batches go through the CLI.
MAX_UPLOAD_BYTES = 200 * 2**20


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class UploadForm(forms.Form):
    files = MultipleFileField(
        label=_("Files"),
        required=False,
        help_text=_("PDF, DOCX, ODT, HTML or TXT files, or zip files holding them."),
    )
    urls = forms.CharField(
        label=_("Web addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One address a line (http or https); each page or file is fetched."),
    )
    manifest = forms.FileField(
        label=_("Manifest (CSV)"),
        required=False,
        help_text=_(
            "Optional: columns filename or url, municipality, date, doc_type, title; a row's "
            "values override the fields below."
        ),
    )
    municipality = forms.CharField(
        label=_("Municipality"),
        required=False,
        max_length=100,
        help_text=_("Code or name, e.g. 4601 or Bergen."),
    )
    date = forms.CharField(label=_("Date"), required=False, max_length=20, help_text="2024-03-15")
    doc_type = forms.ChoiceField(
        label=_("Document type"), choices=[("", "-"), *DocType.choices], required=False
    )
    title = forms.CharField(label=_("Title"), required=False, max_length=500)
    ocr = forms.BooleanField(
        label=_("Read scanned PDFs with OCR (when tesseract is installed)"), required=False
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        files = data.get("files") or []
        if not files and not (data.get("urls") or "").strip() and not data.get("manifest"):
            raise forms.ValidationError(_("Choose files, give web addresses, or a manifest."))
        total = sum(f.size for f in files) + (data["manifest"].size if data.get("manifest") else 0)
        if total > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The upload is %(mb)d MB, more than %(max)d MB. Use `tillit corpus import`.")
                % {"mb": total // 2**20, "max": MAX_UPLOAD_BYTES // 2**20}
            )
        return data


class FilterForm(forms.Form):
    municipality = forms.CharField(label=_("Municipality"), required=False, max_length=100)
    lang = forms.ChoiceField(label=_("Language"), choices=LANG_CHOICES, required=False)
    doc_type = forms.ChoiceField(
        label=_("Type"), choices=[("", _("All")), *DocType.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All")), *Document.Status.choices], required=False
    )
    q = forms.CharField(label=_("Title contains"), required=False, max_length=100)


class LabelForm(forms.Form):
    passage = forms.IntegerField(widget=forms.HiddenInput)
    concept = forms.CharField(max_length=100, widget=forms.HiddenInput)
    action = forms.ChoiceField(
        choices=[
            ("accept", "accept"),
            ("reject", "reject"),
            ("relabel", "relabel"),
            ("skip", "skip"),
        ]
    )
    to_concept = forms.CharField(max_length=100, required=False)


class AgreementForm(forms.Form):
    a = forms.ChoiceField(label=_("Screener A"))
    b = forms.ChoiceField(label=_("Screener B"))

    def __init__(self, *args: Any, names: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(n, n) for n in names]
        self.fields["a"].choices = choices
        self.fields["b"].choices = choices


class DecideForm(forms.Form):
    action = forms.ChoiceField(choices=[("confirm", "confirm"), ("reject", "reject")])
    title = forms.CharField(label=_("Title of the initiative"), required=False, max_length=300)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000)
