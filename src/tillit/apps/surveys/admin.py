"""Read-only admin for surveys. Changes go through services (and the audit log); contacts and
answers are not shown here at all, so identities stay behind the audited project pages."""

from django.contrib import admin

from tillit.apps.core.admin import ReadOnlyAdmin
from tillit.apps.surveys.models import Case, InstrumentVersion, ScheduledReminder, Survey


@admin.register(InstrumentVersion)
class InstrumentVersionAdmin(ReadOnlyAdmin):
    list_display = ("form_id", "version", "title", "project", "source_name", "created_at")
    exclude = ("source",)


@admin.register(Survey)
class SurveyAdmin(ReadOnlyAdmin):
    list_display = ("slug", "title", "project", "status", "mode", "is_synthetic", "created_at")
    list_filter = ("status", "mode", "is_synthetic")
    exclude = ("open_key",)


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("case_id", "survey", "country", "disposition", "disposition_manual")
    list_filter = ("disposition", "country")
    exclude = ("municipality_code",)


@admin.register(ScheduledReminder)
class ScheduledReminderAdmin(ReadOnlyAdmin):
    list_display = ("survey", "send_at", "sent_at", "n_sent")
