"""Forms that parse user input before a service is called."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from tillit.apps.core.roles import Role


class ProjectCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    slug = forms.SlugField(
        label=_("Short name"),
        max_length=60,
        required=False,
        help_text=_("Used in addresses. Letters, digits and hyphens; made from the name if empty."),
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)


class ProjectSettingsForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea, required=False)
    k_threshold = forms.IntegerField(
        label=_("Minimum cell size"),
        min_value=1,
        max_value=100,
        help_text=_("No published cell may be built from fewer respondents than this."),
    )


class AddMemberForm(forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.VIEWER)

    def clean_username(self) -> object:
        name = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username__iexact=name).first()
        if user is None:
            raise forms.ValidationError(
                _("There is no user called %(name)s. Ask an administrator to create the account."),
                params={"name": name},
            )
        return user


class ChangeRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
