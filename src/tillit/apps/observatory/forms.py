"""The publication settings form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tillit.apps.observatory.models import Section


class PublishForm(forms.Form):
    public_slug = forms.SlugField(
        label=_("Public address"),
        max_length=60,
        help_text=_("The public site is at /public/<address>/."),
    )
    sections = forms.MultipleChoiceField(
        label=_("Sections"),
        choices=Section.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    k = forms.IntegerField(
        label=_("Minimum cell size (k)"),
        min_value=1,
        max_value=100,
        help_text=_("No published survey figure is built from fewer respondents than this."),
    )
    survey = forms.ModelChoiceField(
        label=_("Survey"),
        queryset=None,
        required=False,
        empty_label=_("The most recent survey"),
    )

    def __init__(self, *args: Any, project: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        from tillit.apps.surveys.models import Survey

        field = self.fields["survey"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Survey.objects.filter(project=project).order_by("-created_at")
        self.fields["k"].min_value = project.k_threshold
        self.fields["k"].validators.append(
            forms.IntegerField(min_value=project.k_threshold).validators[-1]
        )
