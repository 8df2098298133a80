from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tandem.core.models import Workspace


class ServiceOwnedAdmin(admin.ModelAdmin):
    """The admin shows these records and changes none of them.

    Their writes carry rules the services keep: stage history, home amounts, each feature's
    evidence and score, each ask's stored value, the suggestion index, notifications. An edit
    here would skip all of that and leave the figures wrong; Tandem's pages and API make it.
    """

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Workspace)
class WorkspaceAdmin(admin.ModelAdmin):
    list_display = ["name", "home_currency", "fiscal_year_start_month"]
