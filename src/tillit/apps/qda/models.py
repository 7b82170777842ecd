"""Qualitative data: sources (immutable normalised text), a code tree, codings by coder, memos,
cases with attributes, autocoding batches awaiting review, and pseudonym keys (stored apart).

Offsets are Unicode code points into ``Source.text``, 0-based and end-exclusive (Python slicing;
REFI-QDA section 10.2). Writes go through :mod:`tillit.apps.qda.services` only.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tillit.apps.core.models import Project
from tillit.errors import ErrorCode, TillitError


class QdaSettings(models.Model):
    """Per-project settings of the qda module."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="qda_settings")
    #: When on, a coder sees and codes only the sources assigned to them.
    assigned_only = models.BooleanField(_("coders see assigned sources only"), default=False)
    #: Types of case and source attributes (REFI-QDA variables): {name: "Text"|"Integer"|...}.
    variable_types = models.JSONField(default=dict, blank=True)
    #: REFI-QDA guids of things that have no row of their own (the project's codebook, variables).
    guids = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"qda settings of {self.project}"


class CoderIdentity(models.Model):
    """A user's stable REFI-QDA guid within a project (kept for lossless round trips)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    guid = models.UUIDField(default=uuid.uuid4)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="qda_one_guid_per_coder"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.project}"


class Source(models.Model):
    """An interview, field note, observation or document, as normalised plain text."""

    class Kind(models.TextChoices):
        INTERVIEW = "interview", _("Interview")
        FIELD_NOTE = "field_note", _("Field note")
        OBSERVATION = "observation", _("Observation")
        DOCUMENT = "document", _("Document")

    class ActorType(models.TextChoices):
        UNION = "union", _("Union")
        PARTY = "party", _("Party")
        MINISTRY = "ministry", _("Ministry")
        MUNICIPALITY = "municipality", _("Municipality")
        ASSOCIATION = "association", _("Association")
        OTHER = "other", _("Other")

    class Consent(models.TextChoices):
        OBTAINED = "obtained", _("Obtained")
        PENDING = "pending", _("Pending")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        NOT_NEEDED = "not_needed", _("Not needed")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="qda_sources")
    guid = models.UUIDField(default=uuid.uuid4, db_index=True)
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DOCUMENT)
    actor_type = models.CharField(
        _("actor type"), max_length=20, choices=ActorType.choices, blank=True
    )
    organisation = models.CharField(_("organisation"), max_length=300, blank=True)
    municipality_code = models.CharField(_("municipality"), max_length=4, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    language = models.CharField(_("language"), max_length=5, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    interviewer = models.CharField(_("interviewer"), max_length=200, blank=True)
    consent = models.CharField(
        _("consent"), max_length=20, choices=Consent.choices, default=Consent.PENDING
    )
    #: Normalised once (NFC, "\n" line ends) at import; never changed afterwards.
    text = models.TextField()
    text_sha256 = models.CharField(max_length=64)
    media_type = models.CharField(max_length=100, blank=True)
    filename = models.CharField(max_length=300, blank=True)
    #: Attribute values of the source itself (REFI-QDA variables on a text source).
    attributes = models.JSONField(default=dict, blank=True)
    is_synthetic = models.BooleanField(_("synthetic"), default=False)
    #: The source this one is a pseudonymised copy of (None for an original).
    pseudonymised_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="pseudonymised"
    )
    is_pseudonymised = models.BooleanField(default=False)
    assigned_coders = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="qda_assigned_sources"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "guid"], name="qda_source_guid"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Refuse to change the text of a stored source: codings point into it."""
        loaded = getattr(self, "_loaded_text", None)
        if self.pk is not None and "text" in self.__dict__:
            if loaded is None:
                loaded = Source.objects.filter(pk=self.pk).values_list("text", flat=True).first()
            if loaded is not None and loaded != self.text:
                raise TillitError(
                    f"The text of source {self.name!r} cannot change after import.",
                    ErrorCode.CONFLICT,
                    hint="Codings point into it by position. Import the new text as a new "
                    "source, or make a pseudonymised copy.",
                )
        super().save(*args, **kwargs)
        self._loaded_text = self.__dict__.get("text")

    @classmethod
    def from_db(cls, db: Any, field_names: Any, values: Any) -> Source:
        obj = super().from_db(db, field_names, values)
        obj._loaded_text = obj.__dict__.get("text")
        return obj

    @property
    def length(self) -> int:
        return len(self.text)


class SpeakerSegment(models.Model):
    """A speaker turn (or cue) of a transcript: a span of the source text."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="segments")
    order = models.PositiveIntegerField()
    speaker = models.CharField(max_length=200, blank=True)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    begin_ms = models.PositiveBigIntegerField(null=True, blank=True)
    end_ms = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["source", "order"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__lte=models.F("end")), name="qda_segment_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.speaker} {self.start}-{self.end}"


class Code(models.Model):
    """A code of the project's codebook (a tree through ``parent``)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="qda_codes")
    guid = models.UUIDField(default=uuid.uuid4, db_index=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    inclusion = models.TextField(_("inclusion criteria"), blank=True)
    exclusion = models.TextField(_("exclusion criteria"), blank=True)
    example = models.TextField(_("example"), blank=True)
    colour = models.CharField(_("colour"), max_length=7, default="#f0c94d")
    concept_id = models.CharField(_("taxonomy concept"), max_length=120, blank=True)
    is_codable = models.BooleanField(default=True)
    order = models.IntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "guid"], name="qda_code_guid"),
        ]

    def __str__(self) -> str:
        return self.name


class CodeHistory(models.Model):
    """What happened to a code: created, edited, renamed, moved, merged, split, deleted."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        EDIT = "edit", _("Edited")
        RENAME = "rename", _("Renamed")
        MOVE = "move", _("Moved")
        MERGE = "merge", _("Merged")
        SPLIT = "split", _("Split")
        DELETE = "delete", _("Deleted")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    code = models.ForeignKey(
        Code, null=True, blank=True, on_delete=models.SET_NULL, related_name="history"
    )
    code_name = models.CharField(max_length=200)
    action = models.CharField(max_length=10, choices=Action.choices)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.action} {self.code_name}"


class Coding(models.Model):
    """One coder's application of one code to a span of a source."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="codings")
    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="codings")
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="qda_codings"
    )
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    guid = models.UUIDField(default=uuid.uuid4)
    #: REFI-QDA selection the coding sits on (codings of one span may share one); None for a
    #: coding of the whole source.
    selection_guid = models.UUIDField(default=uuid.uuid4, null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["source", "start", "end", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start__lt=models.F("end")), name="qda_coding_start_before_end"
            ),
            models.UniqueConstraint(
                fields=["source", "code", "coder", "start", "end"], name="qda_coding_once"
            ),
        ]
        indexes = [models.Index(fields=["project", "coder"])]

    def __str__(self) -> str:
        return f"{self.code} {self.start}-{self.end} by {self.coder}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """The span must lie in the source text (end <= length): checked here, not in SQL."""
        from django.db.models.functions import Length

        length = (
            Source.objects.filter(pk=self.source_id)
            .annotate(n=Length("text"))
            .values_list("n", flat=True)
            .first()
        )
        if length is not None and not 0 <= self.start < self.end <= length:
            raise TillitError(
                f"The span {self.start}-{self.end} is outside the source text (length {length}).",
                ErrorCode.INVALID_INPUT,
                hint="Positions are code points, 0-based, end-exclusive.",
            )
        super().save(*args, **kwargs)


class Memo(models.Model):
    """A memo on the project, a code, a coding or a source."""

    class Target(models.TextChoices):
        PROJECT = "project", _("Project")
        CODE = "code", _("Code")
        CODING = "coding", _("Coding")
        SOURCE = "source", _("Source")
        FREE = "free", _("Nothing (free memo)")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="qda_memos")
    guid = models.UUIDField(default=uuid.uuid4)
    target = models.CharField(max_length=10, choices=Target.choices, default=Target.PROJECT)
    code = models.ForeignKey(
        Code, null=True, blank=True, on_delete=models.CASCADE, related_name="memos"
    )
    coding = models.ForeignKey(
        Coding, null=True, blank=True, on_delete=models.CASCADE, related_name="memos"
    )
    source = models.ForeignKey(
        Source, null=True, blank=True, on_delete=models.CASCADE, related_name="memos"
    )
    title = models.CharField(_("title"), max_length=300, blank=True)
    text = models.TextField(_("text"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(target__in=["project", "free"], code=None, coding=None, source=None)
                    | models.Q(target="code", code__isnull=False, coding=None, source=None)
                    | models.Q(target="coding", coding__isnull=False, code=None, source=None)
                    | models.Q(target="source", source__isnull=False, code=None, coding=None)
                ),
                name="qda_memo_one_target",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.text[:40]


class Case(models.Model):
    """A case (a municipality, an actor) with attributes; sources or spans belong to it."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        ACTOR = "actor", _("Actor")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="qda_cases")
    guid = models.UUIDField(default=uuid.uuid4)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.MUNICIPALITY
    )
    municipality_code = models.CharField(_("municipality"), max_length=4, blank=True)
    attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="qda_case_name"),
        ]

    def __str__(self) -> str:
        return self.name


class CaseAssignment(models.Model):
    """A whole source (start and end empty) or a span of it belongs to a case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="case_assignments")
    start = models.PositiveIntegerField(null=True, blank=True)
    end = models.PositiveIntegerField(null=True, blank=True)
    #: REFI-QDA selection of a span assignment.
    selection_guid = models.UUIDField(default=uuid.uuid4)

    class Meta:
        ordering = ["case", "source", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(start=None, end=None)
                | models.Q(start__isnull=False, end__isnull=False, start__lt=models.F("end")),
                name="qda_case_span",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} <- {self.source}"


class QdaSet(models.Model):
    """A named set of codes and sources (REFI-QDA Set)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="qda_sets")
    guid = models.UUIDField(default=uuid.uuid4)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    codes = models.ManyToManyField(Code, blank=True, related_name="sets")
    sources = models.ManyToManyField(Source, blank=True, related_name="sets")

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class AutocodeBatch(models.Model):
    """Proposed codings from an autocoding run, awaiting review; nothing is coded until
    accepted."""

    class Method(models.TextChoices):
        CONCEPT = "concept", _("Lexicon concept")
        WORD = "word", _("Word (stemmed)")
        REGEX = "regex", _("Regular expression")

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting review")
        REVIEWED = "reviewed", _("Reviewed")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="+")
    method = models.CharField(max_length=10, choices=Method.choices)
    pattern = models.CharField(max_length=500)
    unit = models.CharField(max_length=20, default="match")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    #: [{"source": id, "start": int, "end": int, "snippet": str}, ...]
    proposals = models.JSONField(default=list)
    n_accepted = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.method} {self.pattern}"


class PseudonymKey(models.Model):
    """Placeholder -> original name, for one pseudonymised source. Only owners read it."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    source = models.OneToOneField(Source, on_delete=models.CASCADE, related_name="pseudonym_key")
    mapping = models.JSONField(default=dict)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"key of {self.source}"
