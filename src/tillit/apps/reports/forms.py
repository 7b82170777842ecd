"""Forms of the reports pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tillit.apps.reports.models import LANGUAGES


class BuildForm(forms.Form):
    template = forms.ChoiceField(label=_("Template"))
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES)
    format = forms.ChoiceField(label=_("Format"), choices=(("html", "HTML"), ("pdf", "PDF")))

    def __init__(self, *args: object, names: list[str], **kw: object) -> None:
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        self.fields["template"].choices = [(n, n) for n in names]


class TemplateForm(forms.Form):
    body = forms.CharField(
        label=_("Template"),
        widget=forms.Textarea(attrs={"rows": 30, "cols": 100, "spellcheck": "false"}),
        help_text=_(
            "Django template language. Override the blocks title_page, toc, summary, methods, "
            "results and appendix of report/base.html; load only i18n, l10n and report."
        ),
    )


class NewTemplateForm(forms.Form):
    name = forms.SlugField(label=_("Name"), max_length=60)
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGES)
