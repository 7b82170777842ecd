"""Read-only admin for qda rows (changes go through services and the audit log).

Pseudonym keys are deliberately not registered: only a project's owners read them, on the
source's key page, and staff accounts are not owners of every project.
"""

from django.contrib import admin

from tillit.apps.core.admin import ReadOnlyAdmin
from tillit.apps.qda.models import Case, Code, Coding, Memo, Source


@admin.register(Source)
class SourceAdmin(ReadOnlyAdmin):
    list_display = ("name", "project", "kind", "language", "consent", "is_synthetic")
    list_filter = ("kind", "consent")
    exclude = ("text",)  # interview text stays in the project's pages


@admin.register(Code)
class CodeAdmin(ReadOnlyAdmin):
    list_display = ("name", "project", "parent", "concept_id")


@admin.register(Coding)
class CodingAdmin(ReadOnlyAdmin):
    list_display = ("source", "code", "coder", "start", "end", "created_at")


@admin.register(Memo)
class MemoAdmin(ReadOnlyAdmin):
    list_display = ("title", "project", "target", "author", "updated_at")
    exclude = ("text",)


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("name", "project", "kind", "municipality_code")
