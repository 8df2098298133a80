import hashlib
import json
from typing import Any

from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest

from tandem.audit.audited_admin import AuditedAdmin
from tandem.core.models import Workspace

STALE_EDIT = (
    "Someone else changed this record since you opened it; nothing was saved. "
    "Reload the page to see their change, then make yours again."
)


class StaleEditGuard(forms.ModelForm):
    """A change form that carries the edited fields as they were read (`read_as`, a fingerprint),
    and refuses to save once the row no longer matches it: a second admin's save would otherwise
    silently write over the first's. The row is read locked, in the admin's own transaction, so
    no save slips in between the check and the write."""

    read_as = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["read_as"] = self.fingerprint(self.instance)

    def fingerprint(self, record: models.Model) -> str:
        """The form's own fields as stored: a change to another column (a user's last login) is no conflict."""
        values = [
            [field.name, field.value_to_string(record)]
            for field in record._meta.concrete_fields
            if field.name in self.fields
        ]
        return hashlib.sha256(json.dumps(values).encode()).hexdigest()

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if self.instance.pk is not None:
            stored = type(self.instance)._base_manager.select_for_update().filter(pk=self.instance.pk).first()
            if stored is None or self.fingerprint(stored) != self.cleaned_data.get("read_as"):
                raise ValidationError(STALE_EDIT, code="stale")
        return data


class StaleEditsRefused(admin.ModelAdmin):
    """An admin whose change form refuses a save over someone else's (`StaleEditGuard`): every
    admin that lets records be edited is one (a test checks)."""

    def __init__(self, model: type[models.Model], admin_site: admin.AdminSite) -> None:
        super().__init__(model, admin_site)
        self.form = type(self.form.__name__, (StaleEditGuard, self.form), {})

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        # Fieldsets written out (the user admin's) name their fields; the fingerprint joins them.
        if obj is not None and fieldsets and "read_as" not in flatten_fieldsets(fieldsets):
            *first, (name, options) = fieldsets
            fieldsets = [*first, (name, {**options, "fields": [*options["fields"], "read_as"]})]
        return fieldsets


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
class WorkspaceAdmin(AuditedAdmin, StaleEditsRefused):
    list_display = ["name", "home_currency", "fiscal_year_start_month", "stale_after_days"]

    def get_readonly_fields(self, request: HttpRequest, obj: Workspace | None = None) -> list[str]:
        """Once there are deals, every home amount is in the home currency and every quota names a
        fiscal quarter: changing either would silently change what all of them mean."""
        if apps.get_model("sales", "Opportunity").objects.exists():
            return ["home_currency", "fiscal_year_start_month"]
        return []
