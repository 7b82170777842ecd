from django.contrib import admin

from tillit.apps.core.models import AuditEvent, Membership, Project


class ReadOnlyAdmin(admin.ModelAdmin):
    """Changes go through services (and so the audit log): use the project pages or the CLI."""

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    list_display = ("slug", "name", "is_synthetic", "created_at")
    search_fields = ("slug", "name")


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("project", "user", "role")
    list_filter = ("role",)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """The audit trail is read-only, even for staff."""

    list_display = ("at", "actor_name", "action", "object_type", "object_id", "project")
    list_filter = ("action",)
