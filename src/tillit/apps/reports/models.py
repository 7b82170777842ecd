"""Reports: editable templates per project (with their history) and the reports built from them.

Writes go through :mod:`tillit.apps.reports.services` only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tillit.apps.core.models import Project

LANGUAGES = (("nb", "Norsk bokmål"), ("da", "Dansk"), ("en", "English"))


class ReportTemplate(models.Model):
    """A project's copy of a report template in one language (Django template language, the
    blocks of ``report/base.html``). Without a copy the packaged default is used."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="report_templates")
    name = models.SlugField(_("name"), max_length=60)
    language = models.CharField(_("language"), max_length=5, choices=LANGUAGES)
    body = models.TextField(_("template"))
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "name", "language"], name="one_report_template_per_language"
            )
        ]
        ordering = ["name", "language"]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


class ReportTemplateVersion(models.Model):
    """Every saved text of a template (the history)."""

    template = models.ForeignKey(ReportTemplate, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["template", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["template", "version"], name="one_row_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.template} v{self.version}"


class ReportBuild(models.Model):
    """A built report (HTML or PDF) kept as a blob; ``pending`` until a lazy PDF is made."""

    class Format(models.TextChoices):
        HTML = "html", "HTML"
        PDF = "pdf", "PDF"

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="report_builds")
    template_name = models.SlugField(max_length=60)
    template_version = models.PositiveIntegerField(default=0)  # 0: the packaged default
    language = models.CharField(max_length=5, choices=LANGUAGES)
    format = models.CharField(max_length=5, choices=Format.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.DONE)
    data_version = models.CharField(max_length=80, blank=True)
    tillit_version = models.CharField(max_length=40, blank=True)
    content = models.BinaryField(blank=True)
    size = models.PositiveIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    built_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"report {self.template_name} {self.language} {self.format}"

    @property
    def filename(self) -> str:
        stamp = (self.built_at or self.created_at).strftime("%Y%m%d-%H%M")
        return f"{self.project.slug}-{self.template_name}-{self.language}-{stamp}.{self.format}"
