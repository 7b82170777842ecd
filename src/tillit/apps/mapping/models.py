"""The reform register: initiatives per municipality, the evidence for them, their edit history,
and national context events.

Rows point at reference data by code and id strings (ARCHITECTURE.md): an initiative names its
municipality by ``(country, municipality_code)`` from :mod:`tillit.registry` and its sectors,
measures and problem perceptions by concept ids of :mod:`tillit.taxonomy`.

Writes go through :mod:`tillit.apps.mapping.services` only.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tillit.apps.core.models import Project


class Initiative(models.Model):
    """One municipality's trust-reform initiative (or a suggestion that it has one)."""

    class DecidedBy(models.TextChoices):
        COUNCIL = "council", _("Municipal council")
        EXECUTIVE = "executive", _("Executive (chief executive or city government)")
        SECTOR = "sector", _("A sector or service")
        OTHER = "other", _("Other (e.g. a national agreement)")
        UNKNOWN = "unknown", _("Unknown")

    class Scope(models.TextChoices):
        WHOLE = "whole", _("Whole municipality")
        SECTOR = "sector", _("One or more sectors")
        PILOT = "pilot", _("Pilot or trial")
        UNIT = "unit", _("One unit")

    class Status(models.TextChoices):
        SUGGESTED = "suggested", _("Suggested (not confirmed)")
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Active")
        ENDED = "ended", _("Ended")
        ABANDONED = "abandoned", _("Abandoned")
        REJECTED = "rejected", _("Rejected (not a reform)")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="initiatives")
    uid = models.UUIDField(default=uuid.uuid4, editable=False)
    country = models.CharField(_("country"), max_length=2)
    municipality_code = models.CharField(_("municipality code"), max_length=4)
    title = models.CharField(_("title"), max_length=300)
    start_year = models.PositiveSmallIntegerField(_("start year"), null=True, blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    decided_by = models.CharField(
        _("decided by"), max_length=20, choices=DecidedBy.choices, default=DecidedBy.UNKNOWN
    )
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices, blank=True)
    sectors = models.JSONField(_("sectors"), default=list, blank=True)
    measures = models.JSONField(_("measures"), default=list, blank=True)
    problem_perceptions = models.JSONField(_("problem perceptions"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SUGGESTED
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "uid"], name="one_uid_per_initiative"),
        ]
        indexes = [models.Index(fields=["project", "country", "municipality_code"])]
        ordering = ["country", "municipality_code", "start_year", "id"]

    def __str__(self) -> str:
        return f"{self.country} {self.municipality_code}: {self.title}"


class Evidence(models.Model):
    """One piece of evidence: a document passage, a document, a survey answer, an interview, a
    web page. Offsets ``start``/``end`` are code points into the normalised text, end-exclusive.
    """

    class Kind(models.TextChoices):
        PASSAGE = "passage", _("Document passage")
        DOCUMENT = "document", _("Document")
        SURVEY = "survey", _("Survey answer")
        INTERVIEW = "interview", _("Interview")
        URL = "url", _("Web page or publication")
        OTHER = "other", _("Other")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="evidence")
    initiative = models.ForeignKey(
        Initiative, null=True, blank=True, on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    ref = models.CharField(_("reference"), max_length=300, blank=True)
    start = models.PositiveIntegerField(_("start"), null=True, blank=True)
    end = models.PositiveIntegerField(_("end"), null=True, blank=True)
    quote = models.TextField(_("quote"), blank=True)
    title = models.CharField(_("title"), max_length=500, blank=True)
    url = models.URLField(_("address (URL)"), max_length=1000, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.title or self.ref or self.url}"


class InitiativeRevision(models.Model):
    """One change to an initiative, for the history shown on its page: who, when, what.

    ``diff`` maps a field to ``[before, after]``; evidence changes hold the evidence spec under
    ``"evidence"``. Rows are never changed; they survive the (soft) deletion of the initiative.
    """

    class Action(models.TextChoices):
        CREATE = "create", _("created")
        UPDATE = "update", _("changed")
        STATUS = "status", _("status changed")
        EVIDENCE_ADD = "evidence_add", _("evidence added")
        EVIDENCE_REMOVE = "evidence_remove", _("evidence removed")
        DELETE = "delete", _("deleted")
        IMPORT = "import", _("imported")

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="revisions")
    at = models.DateTimeField(db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    diff = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.user_name} {self.action}"


class ContextEvent(models.Model):
    """A national initiative, agreement or milestone that frames the municipal reforms."""

    class Country(models.TextChoices):
        NO = "NO", _("Norway")
        DK = "DK", _("Denmark")
        SE = "SE", _("Sweden")
        ALL = "all", _("All countries")

    class Kind(models.TextChoices):
        AGREEMENT = "agreement", _("Agreement")
        PLATFORM = "platform", _("Government platform")
        PROGRAMME = "programme", _("Programme or trial")
        GUIDANCE = "guidance", _("Guidance or report")
        LAW = "law", _("Law or regulation")
        DEBATE = "debate", _("Public debate")
        OTHER = "other", _("Other")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="context_events")
    country = models.CharField(_("country"), max_length=3, choices=Country.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    date = models.DateField(_("date"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    source_url = models.URLField(_("source address (URL)"), max_length=1000, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["year", "date", "id"]

    def __str__(self) -> str:
        return f"{self.year} {self.country}: {self.title}"
