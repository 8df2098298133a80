"""The audit trail through the API: admins and executives read it, page by page, with the page's
filters; nobody writes it (there is no write operation)."""

import datetime
from typing import Any, Literal

from ninja import Field, Query, Router, Schema

from tandem.audit.display import before_after, changes_shown, record_type_noun
from tandem.audit.filters import AuditEntryFilter
from tandem.audit.permissions import AuditPermission
from tandem.audit.selectors import audit_entry_visible
from tandem.core.api import ERRORS, WRITE_ERRORS, cursor_paginate, filterset_apply
from tandem.core.http import ApiRequest
from tandem.core.permissions import require

router = Router(tags=["audit"])

# Spelled out (a test checks them against the model's choices), as the other APIs do.
AuditAction = Literal[
    "created",
    "changed",
    "deleted",
    "decided",
    "escalated",
    "ruled",
    "revoked",
    "two_factor_on",
    "two_factor_off",
    "recovery_codes",
    "unlocked",
]
AuditChannel = Literal["page", "api", "admin", "import", "task"]


class AuditChangeOut(Schema):
    field: str
    label: str = Field(description="The field as the page names it.")
    before: Any = Field(
        description="The stored value before: text, a number, a {id, label} record or money {amount, currency}."
    )
    after: Any
    before_text: str = Field(description="The value before as the page writes it.")
    after_text: str


class AuditEntryOut(Schema):
    id: int
    at: datetime.datetime
    actor_id: int | None = Field(description="Null: Tandem itself (a background task).")
    actor_name: str = Field(description="The actor's name when the entry was written.")
    action: AuditAction
    record_type: str = Field(description="The record's model, e.g. sales.opportunity.")
    record_type_label: str
    record_id: int
    record_label: str = Field(description="How the record read when the entry was written.")
    channel: AuditChannel
    request_id: str
    changes: list[AuditChangeOut]


class AuditPageOut(Schema):
    items: list[AuditEntryOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class AuditListQuery(Schema):
    actor: int | None = Field(None, description="Changes made by this person (id).", ge=1, le=2**63 - 1)
    record_type: str | None = Field(None, description="e.g. sales.opportunity, people.user.", max_length=100)
    record_id: int | None = Field(None, description="With record_type: one record's history.", ge=1, le=2**63 - 1)
    action: AuditAction | None = None
    channel: AuditChannel | None = None
    date_from: datetime.date | None = Field(None, description="From this day (the caller's time zone).")
    date_to: datetime.date | None = Field(None, description="Up to and including this day.")
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


def _entry_out(entry: Any) -> dict[str, Any]:
    changes = []
    for shown in changes_shown(entry):
        before, after = before_after(entry.changes[shown.field])
        changes.append(
            {
                "field": shown.field,
                "label": shown.label,
                "before": before,
                "after": after,
                "before_text": shown.before,
                "after_text": shown.after,
            }
        )
    return {
        "id": entry.pk,
        "at": entry.at,
        "actor_id": entry.actor_id,
        "actor_name": entry.actor_name,
        "action": entry.action,
        "record_type": entry.record_type,
        "record_type_label": record_type_noun(entry.record_type),
        "record_id": entry.record_id,
        "record_label": entry.record_label,
        "channel": entry.channel,
        "request_id": entry.request_id,
        "changes": changes,
    }


@router.get(
    "/audit",
    response={200: AuditPageOut, **ERRORS, 422: WRITE_ERRORS[422]},
    operation_id="audit_entry_list",
    summary="List the audit trail, newest first, filtered as on the page (admins and executives)",
)
def entry_list(request: ApiRequest, params: Query[AuditListQuery]) -> dict[str, Any]:
    require(request.user, AuditPermission.VIEW_TRAIL)
    filters = params.dict(exclude_none=True, exclude={"cursor", "limit"})
    entries = filterset_apply(
        AuditEntryFilter,
        {name: str(value) for name, value in filters.items()},
        queryset=audit_entry_visible(user=request.user),
        request=request,
    )
    items, next_cursor = cursor_paginate(entries, order=["-at", "-id"], cursor=params.cursor, limit=params.limit)
    return {"items": [_entry_out(entry) for entry in items], "next_cursor": next_cursor}
