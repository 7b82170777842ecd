"""The observatory's settings per project: whether and how its public site is published.

Writes go through :mod:`tillit.apps.observatory.services` only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tillit.apps.core.models import Project


class Section(models.TextChoices):
    """Parts of the dashboard a public site may show."""

    REGISTER = "register", _("Reform register: map and measures")
    TIMELINE = "timeline", _("Diffusion timeline")
    SURVEY = "survey", _("Survey results (aggregated, with disclosure control)")
    COVERAGE = "coverage", _("Document screening coverage")
    OPEN_DATA = "open_data", _("Open data downloads")


ALL_SECTIONS = [s.value for s in Section]


class Publication(models.Model):
    """A project's public site: on or off, its address, what it shows and its minimum cell size.

    ``k`` is the minimum cell size of everything published (never below the project's
    ``k_threshold``); ``survey`` is the survey whose aggregates are published (None: the
    project's most recent survey).
    """

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="publication")
    published = models.BooleanField(_("published"), default=False)
    public_slug = models.SlugField(_("public address"), max_length=60, unique=True)
    sections = models.JSONField(_("sections"), default=list, blank=True)
    k = models.PositiveSmallIntegerField(_("minimum cell size"), default=5)
    survey = models.ForeignKey(
        "surveys.Survey", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("publication")

    def __str__(self) -> str:
        state = "published" if self.published else "not published"
        return f"{self.project.slug} -> /public/{self.public_slug}/ ({state})"
