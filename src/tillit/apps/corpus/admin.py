"""Read-only admin for the corpus. Changes go through services (and the audit log); the
original bytes are not shown."""

from django.contrib import admin

from tillit.apps.core.admin import ReadOnlyAdmin
from tillit.apps.corpus.models import Document, Label, ScreeningRun, Suggestion


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ("title", "project", "municipality_code", "doc_type", "lang", "status")
    list_filter = ("status", "doc_type", "lang", "synthetic")
    search_fields = ("title", "filename", "sha256")
    exclude = ("text",)


@admin.register(ScreeningRun)
class ScreeningRunAdmin(ReadOnlyAdmin):
    list_display = ("project", "lexicon_version", "state", "done", "total", "started_at")


@admin.register(Label)
class LabelAdmin(ReadOnlyAdmin):
    list_display = ("passage", "concept", "decision", "screener", "current", "created_at")
    list_filter = ("decision", "current")


@admin.register(Suggestion)
class SuggestionAdmin(ReadOnlyAdmin):
    list_display = ("project", "municipality_code", "state", "initiative_id", "created_at")
    list_filter = ("state",)
