"""Surveys: instrument versions, surveys, cases with their answers and paradata, and the identity
store (contacts and tokens), kept apart from answers.

Privacy: answers and paradata hang on :class:`Case`, which carries only a pseudonymous
``case_id``. Names, e-mail addresses and token hashes live in :class:`Contact`, which only roles
with ``can_see_personal_data`` may read, and every such read is audited.

Writes go through :mod:`tillit.apps.surveys.services` only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tillit.apps.core.models import Project


class InstrumentVersion(models.Model):
    """An uploaded (or bundled) XLSForm, stored as the original bytes and parsed on demand."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="instruments")
    form_id = models.CharField(max_length=100)
    version = models.CharField(max_length=50)
    title = models.CharField(max_length=300)
    source_name = models.CharField(max_length=255)
    source_format = models.CharField(max_length=10)  # xlsx | xls | md
    source = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "sha256"], name="one_copy_per_instrument"),
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.form_id} {self.version}"


class Survey(models.Model):
    class Mode(models.TextChoices):
        PERSONAL = "personal", _("Personal invitation links")
        OPEN = "open", _("Open anonymous link")
        BOTH = "both", _("Personal links and an open link")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="surveys")
    slug = models.SlugField(max_length=60)
    title = models.CharField(max_length=300)
    instrument = models.ForeignKey(InstrumentVersion, on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.PERSONAL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    default_language = models.CharField(max_length=10, default="nb")
    #: The unguessable key in the open link (/o/<open_key>/); empty when there is no open link.
    open_key = models.CharField(max_length=64, blank=True, db_index=True)
    #: How the frame was drawn: {"country", "county", "sample_size", "seed", "n_cases"} (empty
    #: until ``do_set_frame``); the seed makes a sample reproducible.
    frame = models.JSONField(default=dict, blank=True)
    #: Made-up fieldwork (the demo): every page that shows it says so.
    is_synthetic = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "slug"], name="survey_slug_per_project"),
        ]
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Case(models.Model):
    """One unit of the survey: a frame member (a municipality's chief executive) or an open-link
    respondent. Carries answers and paradata under a pseudonymous id, never identity."""

    class Disposition(models.TextChoices):
        # AAPOR final disposition codes (Standard Definitions, internet surveys of named persons).
        COMPLETE = "1.1", _("Complete")
        PARTIAL = "1.2", _("Partial")
        REFUSAL = "2.11", _("Refusal")
        BREAKOFF = "2.12", _("Break-off")
        NON_CONTACT = "2.20", _("Non-contact")
        OTHER_NONRESPONSE = "2.30", _("Other non-response")
        UNKNOWN = "3.10", _("Unknown eligibility, not invited")
        UNDELIVERABLE = "3.19", _("Unknown eligibility, invitation undeliverable")
        NOT_ELIGIBLE = "4.10", _("Not eligible")

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="cases")
    case_id = models.CharField(max_length=32, unique=True)
    country = models.CharField(max_length=2, blank=True)  # NO | DK
    municipality_code = models.CharField(max_length=4, blank=True)
    disposition = models.CharField(
        max_length=5, choices=Disposition.choices, default=Disposition.UNKNOWN
    )
    disposition_manual = models.BooleanField(default=False)
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=10, blank=True)
    device_class = models.CharField(max_length=10, blank=True)  # desktop | tablet | phone
    current_page = models.PositiveIntegerField(default=0)
    is_synthetic = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["survey", "disposition"])]
        ordering = ["survey", "case_id"]

    def __str__(self) -> str:
        return self.case_id


class Contact(models.Model):
    """Identity store: who a case is and how to reach them. Never exported without permission.

    The invitation token is never stored: it is derived from the project's secret key and
    ``token_nonce`` (HMAC-SHA256, 256 bits) so reminders can repeat the same link, and only its
    SHA-256 is kept for look-up.
    """

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="contact")
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    role = models.CharField(max_length=100, blank=True)
    language = models.CharField(max_length=10, blank=True)
    token_nonce = models.CharField(max_length=32, blank=True)
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"contact of {self.case_id}"


class Answer(models.Model):
    """The current answer of one case to one question (values as JSON: str, number, list)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="answers")
    name = models.CharField(max_length=100)
    value = models.JSONField(null=True)
    page = models.CharField(max_length=100, blank=True)
    saved_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "name"], name="one_answer_per_item")]

    def __str__(self) -> str:
        return f"{self.case_id}.{self.name}"


class PageVisit(models.Model):
    """Paradata: one submission of one page (time on page, language)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="page_visits")
    page = models.CharField(max_length=100)
    entered_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField()
    seconds = models.FloatField(null=True, blank=True)
    language = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["case", "submitted_at"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.page}"


class Message(models.Model):
    """An e-mail sent (or attempted) to a contact: invitation or reminder."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation")
        REMINDER = "reminder", _("Reminder")

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        BOUNCED = "bounced", _("Bounced")

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices)
    language = models.CharField(max_length=10, blank=True)
    sent_at = models.DateTimeField()
    error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.status} {self.sent_at:%Y-%m-%d}"


class ScheduledReminder(models.Model):
    """A reminder round to send at a given time (sent by `tillit survey send-due`)."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="reminders")
    send_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    n_sent = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["send_at"]

    def __str__(self) -> str:
        return f"reminder {self.send_at:%Y-%m-%d %H:%M}"
