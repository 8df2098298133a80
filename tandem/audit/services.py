"""Writing the audit trail: the one function every service that changes a followed record calls.

`audit_record` writes one `AuditEntry` in the caller's transaction, so a change and its entry are
committed together or not at all. The services call it after their checks, beside the write:

    before = audit_snapshot(deal)           # the followed fields as stored, before the change
    ...change and save the deal...
    audit_record(actor=actor, record=deal, action=AuditEntry.Action.CHANGED, before=before)

The channel (page, API, admin) and the request id come from the request being served
(`AuditContextMiddleware`); outside a request the change is a background task's unless an import
says so (`audit_channel`).
"""

import contextvars
import datetime
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from tandem.audit.models import AuditEntry
from tandem.audit.records import HIDDEN, RecordType, record_type_of
from tandem.people.models import User

Snapshot = dict[str, Any]
Changes = dict[str, list[Any]]

# (channel, request id) of the request being served; set by AuditContextMiddleware.
_context: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar("tandem_audit", default=None)

Action = AuditEntry.Action
Channel = AuditEntry.Channel


@contextmanager
def audit_channel(channel: str, request_id: str = "") -> Iterator[None]:
    """Record the changes made inside the block as coming through `channel` (an import, a command)."""
    token = _context.set((channel, request_id))
    try:
        yield
    finally:
        _context.reset(token)


def audit_channel_current() -> tuple[str, str]:
    return _context.get() or (Channel.TASK, "")


def _value(record: Model, name: str, kind: RecordType) -> Any:
    """A field's value as the trail keeps it: plain JSON that still reads once the record is gone
    (a related record's name beside its id, money with its currency)."""
    if name in kind.secret:
        return HIDDEN if getattr(record, name, None) else None
    field = record._meta.get_field(name)
    if field.many_to_many:
        if record.pk is None:
            return []
        return sorted(str(related) for related in getattr(record, name).all())
    if field.is_relation:
        related = getattr(record, name)
        return None if related is None else {"id": related.pk, "label": str(related)}
    value = getattr(record, getattr(field, "attname", name))
    if name in kind.money:
        return None if value is None else {"amount": str(value), "currency": kind.money[name](record)}
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date):  # datetimes too
        return value.isoformat()
    return value


def audit_snapshot(record: Model) -> Snapshot:
    """The followed fields of a record as they are now (call it before changing the record)."""
    _, kind = record_type_of(record)
    return {name: _value(record, name, kind) for name in kind.fields}


def audit_changes(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> Changes:
    """{field: [before, after]} for each field that differs; a side left out reads as nothing."""
    before, after = before or {}, after or {}
    empty: tuple[Any, ...] = (None, "", [])
    changes: Changes = {}
    for name in dict.fromkeys([*before, *after]):
        old, new = before.get(name), after.get(name)
        if old == new or (old in empty and new in empty):
            continue
        changes[name] = [old, new]
    return changes


def audit_record(
    *,
    actor: User | None,
    record: Model,
    action: str,
    changes: Mapping[str, list[Any]] | None = None,
    before: Snapshot | None = None,
) -> AuditEntry | None:
    """Write the audit entry of one change to `record`, in the caller's transaction.

    `changes` gives {field: [before, after]} outright; without it they are worked out from the
    record's followed fields: against `before` (a snapshot taken before the change) for a change,
    from nothing for a creation, to nothing for a deletion (call it before deleting). A change that
    changed no followed field writes nothing and returns None. `actor` None is Tandem itself.
    """
    label, kind = record_type_of(record)
    if record.pk is None:
        raise ValueError("Record a deletion before deleting: the entry needs the record's id.")
    if changes is None:
        now = audit_snapshot(record)
        if action == Action.DELETED:
            changes = audit_changes(now, None)
        elif action == Action.CREATED:
            changes = audit_changes(None, now)
        else:
            changes = audit_changes(before, now)
    if not changes and action == Action.CHANGED:
        return None
    channel, request_id = audit_channel_current()
    with transaction.atomic():  # the caller's transaction; a savepoint only if there is none
        return AuditEntry.objects.create(
            at=timezone.now(),
            actor=actor,
            actor_name=str(actor) if actor is not None else "",
            action=action,
            record_type=label,
            record_id=record.pk,
            record_label=kind.label(record)[:300],
            changes=dict(changes),
            channel=channel,
            request_id=request_id,
        )
