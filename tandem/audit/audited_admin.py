"""The mixin that records the Django admin's own changes to the records the trail follows (people,
teams, API tokens, stages, the workspace). Apart from `admin.py` so that `core.admin` can use it
while `audit.admin` uses `core.admin`."""

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse

from tandem.audit.records import HIDDEN, REPLACED
from tandem.audit.services import Action, Snapshot, audit_changes, audit_record, audit_snapshot


def _password(record: Any) -> str | None:
    return getattr(record, "password", None)


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose adds, changes and deletes are recorded in the audit trail, in the admin's
    own transaction. The followed fields are read as stored before the save (`save_model`) and
    recorded once the many-to-many fields are saved too (`save_related`); deletions, one by one or
    as the list's action, before the rows go. A new password is recorded as changed, never shown."""

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool) -> None:
        before: Snapshot | None = None
        stored = type(obj)._base_manager.filter(pk=obj.pk).first() if change and obj.pk is not None else None
        if stored is not None:
            before = audit_snapshot(stored)
        # The form lives for this request only: it carries what was stored to `save_related`.
        form._audit_before = before  # type: ignore[attr-defined]
        form._audit_new_password = stored is not None and _password(stored) != _password(obj)  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: ModelForm[Any], formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        record = form.instance
        before = getattr(form, "_audit_before", None)
        if not change or before is None:
            audit_record(actor=request.user, record=record, action=Action.CREATED)  # type: ignore[arg-type]
            return
        changes = audit_changes(before, audit_snapshot(record))
        if getattr(form, "_audit_new_password", False):
            changes["password"] = [HIDDEN, REPLACED]
        audit_record(actor=request.user, record=record, action=Action.CHANGED, changes=changes)  # type: ignore[arg-type]

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            audit_record(actor=request.user, record=obj, action=Action.DELETED)  # type: ignore[arg-type]
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        with transaction.atomic():
            for obj in queryset:
                audit_record(actor=request.user, record=obj, action=Action.DELETED)  # type: ignore[arg-type]
            super().delete_queryset(request, queryset)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        """The user admin's password form saves outside `save_model`: a changed hash is recorded here."""
        model: type[models.Model] = self.model
        with transaction.atomic():
            hashes = model._base_manager.filter(pk=id).values_list("password", flat=True)
            before = hashes.first()
            response: HttpResponse = super().user_change_password(request, id, form_url)  # type: ignore[misc]
            after = hashes.first()
            if before is not None and after != before:
                audit_record(
                    actor=request.user,  # type: ignore[arg-type]
                    record=model._base_manager.get(pk=id),
                    action=Action.CHANGED,
                    changes={"password": [HIDDEN, REPLACED]},
                )
        return response
