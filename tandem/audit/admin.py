"""The trail in the Django admin: read-only, like everywhere."""

from django.contrib import admin

from tandem.audit.models import AuditEntry
from tandem.core.admin import ServiceOwnedAdmin


@admin.register(AuditEntry)
class AuditEntryAdmin(ServiceOwnedAdmin):
    """Entries are read, never added, changed or deleted, here as anywhere."""

    list_display = ["at", "actor_name", "action", "record_type", "record_label", "channel"]
    list_filter = ["action", "record_type", "channel"]
    search_fields = ["record_label", "actor_name", "request_id"]
    date_hierarchy = "at"
    ordering = ["-at", "-id"]
