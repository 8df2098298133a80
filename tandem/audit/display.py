"""How an entry's changes read on the page, in the export and in the API: each value through
`tandem/core/formats.py` (money with its currency, dates, percentages), choices by their label,
related records by the name they had when the entry was written."""

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.dateparse import parse_date, parse_datetime

from tandem.audit.models import AuditEntry
from tandem.audit.records import EXTRA_LABELS, HIDDEN, RECORD_TYPES, REPLACED, RecordType, noun_heading
from tandem.core import formats
from tandem.core.roles import Role

NOTHING = formats.MISSING


@dataclass(frozen=True)
class ChangeShown:
    field: str
    label: str
    before: str
    after: str


def _model_field(record_type: str, name: str) -> models.Field[Any, Any] | None:
    try:
        model = apps.get_model(record_type)
        field = model._meta.get_field(name)
    except (LookupError, FieldDoesNotExist):
        return None
    return field if isinstance(field, models.Field) else None


def field_label(record_type: str, name: str) -> str:
    kind = RECORD_TYPES.get(record_type)
    if kind is not None and name in kind.labels:
        return kind.labels[name]
    if name in EXTRA_LABELS:
        return EXTRA_LABELS[name]
    field = _model_field(record_type, name)
    label = str(field.verbose_name) if field is not None else name.replace("_", " ")
    return label[:1].upper() + label[1:]


def _item(value: Any) -> str:
    """One item of a list: a role reads as its name."""
    if isinstance(value, str) and value in Role.values:
        return str(Role(value).label)
    return str(value)


def value_text(record_type: str, name: str, value: Any) -> str:
    """One value as people read it; what cannot be read as its field's type is shown as it is."""
    if value is None or value == "":
        return NOTHING
    if value == HIDDEN:
        return "(not shown)"
    if value == REPLACED:
        return "(new, not shown)"
    if isinstance(value, dict):
        if "amount" in value:
            return formats.money(value["amount"], value.get("currency", ""))
        return str(value.get("label", value.get("id", "")))
    if isinstance(value, list):
        return ", ".join(_item(item) for item in value) if value else NOTHING
    if isinstance(value, bool):
        if name == "two_factor":
            return "On" if value else "Off"
        return "Yes" if value else "No"
    kind: RecordType | None = RECORD_TYPES.get(record_type)
    field = _model_field(record_type, name)
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if kind is not None and name in kind.percent:
        return formats.percent_of(value)
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        moment = parse_datetime(value)
        return formats.datetime_short(moment) if moment else value
    if isinstance(field, models.DateField) and isinstance(value, str):
        day = parse_date(value)
        return formats.date_short(day) if day else value
    if isinstance(field, models.DecimalField):
        try:
            return formats.number(Decimal(str(value)), field.decimal_places or 0)
        except InvalidOperation:
            return str(value)
    return str(value)  # text, and the small numbers followed (an order, a fiscal year, a month)


def before_after(pair: Any) -> tuple[Any, Any]:
    """A stored change as (before, after), whatever shape a hand-made entry gave it."""
    if isinstance(pair, list) and len(pair) == 2:
        return pair[0], pair[1]
    return None, pair


def changes_shown(entry: AuditEntry) -> list[ChangeShown]:
    """Each changed field of an entry, in the record type's order, before and after as text."""
    kind = RECORD_TYPES.get(entry.record_type)
    order = {name: i for i, name in enumerate(kind.fields)} if kind else {}
    names = sorted(entry.changes, key=lambda name: (order.get(name, len(order)), name))
    shown = []
    for name in names:
        before, after = before_after(entry.changes[name])
        shown.append(
            ChangeShown(
                field=name,
                label=field_label(entry.record_type, name),
                before=value_text(entry.record_type, name, before),
                after=value_text(entry.record_type, name, after),
            )
        )
    return shown


def record_type_noun(record_type: str) -> str:
    kind = RECORD_TYPES.get(record_type)
    return noun_heading(kind.noun) if kind else record_type


def moment_iso(value: datetime.datetime) -> str:
    """Times in the export: ISO 8601 in UTC, unambiguous wherever the file is opened."""
    return value.astimezone(datetime.UTC).isoformat(timespec="seconds")
