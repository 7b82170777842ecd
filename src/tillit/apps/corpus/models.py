"""The document corpus and its screening: documents (with their original bytes), passages with
stable offsets, lexicon scores per concept, screening runs, screeners' labels, and suggested
register entries.

Offsets (``start``/``end``) are code-point offsets into :attr:`Document.text`, the normalised
text (:func:`tillit.text.normalize.normalize`), end-exclusive, so
``document.text[p.start:p.end]`` is always the passage.

Writes go through :mod:`tillit.apps.corpus.services` only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tillit.apps.core.models import Project


class DocType(models.TextChoices):
    COUNCIL_MINUTES = "council_minutes", _("Council minutes")
    PLAN = "plan", _("Plan")
    BUDGET = "budget", _("Budget")
    REPORT = "report", _("Report")
    WEB_PAGE = "web_page", _("Web page")
    OTHER = "other", _("Other")


class Document(models.Model):
    """One imported document: metadata, the normalised text, and its extraction status.

    A document that could not be read is kept as ``flagged`` with the extractor's reason
    (``encrypted``, ``corrupt``, ``empty``, ``too_large``, ``bomb``, ``unknown_encoding``,
    ``unsupported``, ``ocr_unavailable``, ``fetch``), so nothing handed to tillit is lost silently.
    """

    class Status(models.TextChoices):
        OK = "ok", _("OK")
        FLAGGED = "flagged", _("Flagged")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents")
    sha256 = models.CharField(max_length=64)
    filename = models.CharField(_("file name"), max_length=500, blank=True)
    media_type = models.CharField(max_length=120, blank=True)
    municipality_code = models.CharField(_("municipality"), max_length=8, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    doc_type = models.CharField(
        _("document type"), max_length=20, choices=DocType.choices, default=DocType.OTHER
    )
    source_url = models.URLField(_("source address"), max_length=2000, blank=True)
    title = models.CharField(_("title"), max_length=500, blank=True)
    lang = models.CharField(_("language"), max_length=8, blank=True)
    lang_confidence = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OK)
    flag_reason = models.CharField(max_length=40, blank=True)
    flag_message = models.TextField(blank=True)
    text = models.TextField(blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    size = models.BigIntegerField(default=0)
    #: Made-up documents (the demo): every page that shows one says so.
    synthetic = models.BooleanField(default=False)
    #: Lexicon version of the last screening ("" = not screened); a run with the same version
    #: skips the document, so an interrupted run resumes where it stopped.
    screened_version = models.CharField(max_length=40, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "sha256"], name="one_copy_per_document"),
        ]
        indexes = [models.Index(fields=["project", "municipality_code"])]
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return self.title or self.filename or self.sha256[:12]

    @property
    def display_title(self) -> str:
        return self.title or self.filename or self.source_url or self.sha256[:12]


class Original(models.Model):
    """The bytes a document was imported from, kept in the database (so backups hold them and OCR
    can be re-run). Empty for a file refused before reading (too large)."""

    document = models.OneToOneField(Document, on_delete=models.CASCADE, related_name="original")
    data = models.BinaryField(blank=True)

    def __str__(self) -> str:
        return f"original of document {self.document_id}"


class ScreeningRun(models.Model):
    """One screening of a project's documents with one lexicon version: a job with progress."""

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="screening_runs")
    lexicon_version = models.CharField(max_length=40)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RUNNING)
    scheduler = models.CharField(max_length=300, blank=True)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    n_passages = models.PositiveIntegerField(default=0)
    n_scores = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"screening {self.pk} ({self.lexicon_version}, {self.state})"

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.done / self.total)


class Passage(models.Model):
    """A passage of a document's normalised text: ``document.text[start:end]``."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="passages")
    index = models.PositiveIntegerField()
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    lang = models.CharField(max_length=8, blank=True)
    lang_confidence = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "index"], name="one_passage_per_index"),
        ]
        ordering = ["document", "index"]

    def __str__(self) -> str:
        return f"{self.document_id}#{self.index}"

    @property
    def text(self) -> str:
        return self.document.text[self.start : self.end]


class PassageScore(models.Model):
    """The lexicon's score of one passage for one concept, with the matched terms.

    ``terms`` is a list of ``{"term", "lang", "start", "end"}`` with document offsets.
    """

    passage = models.ForeignKey(Passage, on_delete=models.CASCADE, related_name="scores")
    concept = models.CharField(max_length=100)
    score = models.FloatField()
    terms = models.JSONField(default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["passage", "concept"], name="one_score_per_concept"),
        ]
        indexes = [models.Index(fields=["concept", "score"])]

    def __str__(self) -> str:
        return f"{self.passage_id} {self.concept} {self.score:.2f}"


class Label(models.Model):
    """A screener's decision on whether a passage is evidence for a concept.

    Relabelling adds a new row and marks the previous one ``current=False``: the history stays.
    """

    class Decision(models.TextChoices):
        ACCEPT = "accept", _("Accept")
        REJECT = "reject", _("Reject")

    passage = models.ForeignKey(Passage, on_delete=models.CASCADE, related_name="labels")
    concept = models.CharField(max_length=100)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    screener = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="corpus_labels"
    )
    current = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["passage", "concept", "screener"],
                condition=models.Q(current=True),
                name="one_current_label",
            ),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.decision} {self.concept} on {self.passage_id}"


class Suggestion(models.Model):
    """A register entry the screening suggests: a municipality with evidence and no initiative."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CONFIRMED = "confirmed", _("Confirmed")
        REJECTED = "rejected", _("Rejected")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="suggestions")
    municipality_code = models.CharField(max_length=8)
    concepts = models.JSONField(default=list)
    passages = models.ManyToManyField(Passage, related_name="suggestions")
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    initiative_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["state", "municipality_code"]

    def __str__(self) -> str:
        return f"suggestion {self.municipality_code} ({self.state})"


class Evaluation(models.Model):
    """Cross-validated precision, recall and F1 per concept of the classifier on the labels."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="evaluations")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    n_labelled = models.PositiveIntegerField(default=0)
    folds = models.PositiveSmallIntegerField(default=5)
    #: [{"concept", "precision", "recall", "f1", "support"}, ...]
    rows = models.JSONField(default=list)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"evaluation {self.pk} ({self.n_labelled} labels)"
