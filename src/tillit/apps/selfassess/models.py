"""Self-assessments: a short trust-governance questionnaire (a subset of a survey's instrument)
behind an anonymous link, and the submissions made through it.

Privacy: a submission carries the municipality it describes and its answers, nothing about who
filled it in (no account, no address, no e-mail). Only the SHA-256 of its feedback token is
stored; the token itself is in the feedback link given to the respondent, so nobody else (the
project's members included) can open that municipality's answers. Project pages show counts of
submissions only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tillit.apps.core.models import Project


class SelfAssessment(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="self_assessments")
    survey = models.ForeignKey(
        "surveys.Survey", on_delete=models.PROTECT, related_name="self_assessments"
    )
    title = models.CharField(_("title"), max_length=200)
    #: Item names of the survey's instrument, in questionnaire order.
    items = models.JSONField(default=list)
    #: The unguessable key of the link (/sa/<key>/).
    key = models.CharField(max_length=64, unique=True)
    #: When set, the link is for this municipality only (country + code).
    country = models.CharField(max_length=2, blank=True)
    municipality_code = models.CharField(max_length=4, blank=True)
    is_open = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Submission(models.Model):
    """One municipality's answers (no identity; see the module docstring)."""

    assessment = models.ForeignKey(
        SelfAssessment, on_delete=models.CASCADE, related_name="submissions"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    country = models.CharField(max_length=2)
    municipality_code = models.CharField(max_length=4)
    size_class = models.CharField(max_length=10, blank=True)
    answers = models.JSONField(default=dict)
    language = models.CharField(max_length=5, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"submission {self.pk}"
