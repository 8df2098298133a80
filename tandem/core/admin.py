from typing import Any

from django.apps import apps
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
class WorkspaceAdmin(admin.ModelAdmin[Workspace]):
    list_display = ["name", "home_currency", "fiscal_year_start_month"]

    def get_readonly_fields(self, request: HttpRequest, obj: Workspace | None = None) -> list[str]:
        """Once there are deals, every home amount is in the home currency and every quota names a
        fiscal quarter: changing either would silently change what all of them mean."""
        if apps.get_model("sales", "Opportunity").objects.exists():
            return ["home_currency", "fiscal_year_start_month"]
        return []
