"""Read-only admin for the reform register. Changes go through services (history and audit)."""

from django.contrib import admin

from tillit.apps.core.admin import ReadOnlyAdmin
from tillit.apps.mapping.models import ContextEvent, Evidence, Initiative, InitiativeRevision


@admin.register(Initiative)
class InitiativeAdmin(ReadOnlyAdmin):
    list_display = ("title", "country", "municipality_code", "start_year", "status", "project")
    list_filter = ("country", "status", "decided_by")
    search_fields = ("title", "municipality_code")


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ("kind", "title", "ref", "url", "initiative", "project")
    list_filter = ("kind",)


@admin.register(InitiativeRevision)
class InitiativeRevisionAdmin(ReadOnlyAdmin):
    list_display = ("at", "user_name", "action", "initiative")
    list_filter = ("action",)


@admin.register(ContextEvent)
class ContextEventAdmin(ReadOnlyAdmin):
    list_display = ("year", "date", "country", "title", "kind", "project")
    list_filter = ("country", "kind")
