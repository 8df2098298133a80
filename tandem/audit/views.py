"""The audit trail's page, its CSV export and the people picker of its filter: admins and
executives only (`AuditPermission.VIEW_TRAIL`; others get 403, as for every area their role does
not open)."""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db.models import Q, QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from tandem.audit.display import ChangeShown, changes_shown, moment_iso, record_type_noun
from tandem.audit.filters import AuditEntryFilter
from tandem.audit.models import AuditEntry
from tandem.audit.permissions import AuditPermission
from tandem.audit.records import RECORD_TYPES, admin_link
from tandem.audit.selectors import audit_entry_visible
from tandem.core.exports import csv_response, neutralised
from tandem.core.forms import bootstrap, remote_options
from tandem.core.http import PageRequest
from tandem.core.listing import Column, active_filters, list_page, sort_ordering
from tandem.core.permissions import require
from tandem.core.roles import Role
from tandem.people.models import User

COLUMNS = [
    Column("at", "When", order=["at"]),
    Column("actor", "Who", order=["actor_name"]),
    Column("action", "Action", order=["action"]),
    Column("record", "Record", order=["record_type", "record_label"]),
    Column("changes", "Before → after"),
    Column("channel", "Through", order=["channel"]),
]
DEFAULT_SORT = "-at"
OPTIONS_SHOWN = 20


@dataclass(frozen=True)
class EntryRow:
    entry: AuditEntry
    noun: str
    changes: list[ChangeShown]
    link: str | None  # None: the record is gone, or opens only where this reader cannot go


def _filtered(request: PageRequest) -> AuditEntryFilter:
    filterset = AuditEntryFilter(request.GET or None, queryset=audit_entry_visible(user=request.user), request=request)
    bootstrap(filterset.form)
    return filterset


def _entries(filterset: AuditEntryFilter) -> QuerySet[AuditEntry]:
    # An invalid filter (a date that is none) shows no entry rather than every entry.
    return filterset.qs if not filterset.is_bound or filterset.is_valid() else filterset.queryset.none()


def entry_rows(entries: Iterable[AuditEntry], *, reader: User) -> list[EntryRow]:
    """Each entry with its changes as text and a link to its record where it still exists: one
    query per record type on the page, never one per row."""
    entries = list(entries)
    ids: dict[str, set[int]] = defaultdict(set)
    for entry in entries:
        ids[entry.record_type].add(entry.record_id)
    links: dict[tuple[str, int], str | None] = {}
    for record_type, pks in ids.items():
        kind = RECORD_TYPES.get(record_type)
        if kind is None:
            continue
        model = apps.get_model(record_type)
        records = model._base_manager.filter(pk__in=pks)
        if kind.related:
            records = records.select_related(*kind.related)
        for record in records:
            if kind.link is not None:
                links[(record_type, record.pk)] = kind.link(record)
            elif reader.role == Role.ADMIN:
                links[(record_type, record.pk)] = admin_link(record_type, record.pk)
    return [
        EntryRow(
            entry=entry,
            noun=record_type_noun(entry.record_type),
            changes=changes_shown(entry),
            link=links.get((entry.record_type, entry.record_id)),
        )
        for entry in entries
    ]


@require_GET
def entry_list(request: PageRequest) -> HttpResponse:
    require(request.user, AuditPermission.VIEW_TRAIL)
    filterset = _filtered(request)
    page = list_page(request, _entries(filterset), columns=COLUMNS, default_sort=DEFAULT_SORT)
    context = {
        "page": page,
        "rows": entry_rows(page.rows, reader=request.user),
        "columns": COLUMNS,
        "filter": filterset,
        "filtered": bool(active_filters(filterset)) or (filterset.is_bound and not filterset.is_valid()),
        "export_query": page.url_for(page=None, sort=page.sort),
    }
    template = "audit/partials/_entry_list.html" if request.htmx else "audit/entry_list.html"
    return render(request, template, context)


EXPORT_HEADER = [
    "time (UTC)",
    "who",
    "who id",
    "action",
    "record type",
    "record id",
    "record",
    "field",
    "before",
    "after",
    "through",
    "request id",
]


def _cell(value: Any) -> str:
    # A cell that starts like a formula is run by spreadsheets (CSV injection): `neutralised`.
    return neutralised("" if value is None else str(value))


def export_rows(entries: QuerySet[AuditEntry]) -> Iterator[list[str]]:
    """One row per changed field (an entry without field changes gives one row), in the list's order."""
    yield EXPORT_HEADER
    for entry in entries.iterator(chunk_size=2000):
        common = [
            moment_iso(entry.at),
            entry.actor_name or "Tandem",
            entry.actor_id or "",
            entry.get_action_display(),
            record_type_noun(entry.record_type),
            entry.record_id,
            entry.record_label,
        ]
        tail = [entry.get_channel_display(), entry.request_id]
        changes = changes_shown(entry) or [ChangeShown(field="", label="", before="", after="")]
        for change in changes:
            yield [_cell(value) for value in [*common, change.label, change.before, change.after, *tail]]


@require_GET
def entry_export(request: PageRequest) -> StreamingHttpResponse:
    """The filtered trail, in the page's order, as CSV: streamed, so a long trail never sits in memory."""
    require(request.user, AuditPermission.VIEW_TRAIL)
    filterset = _filtered(request)
    _, ordering = sort_ordering(request.GET.get("sort", DEFAULT_SORT), COLUMNS, DEFAULT_SORT)
    entries = _entries(filterset).order_by(*ordering)
    return csv_response(export_rows(entries), filename=f"tandem-audit-trail-{timezone.localdate().isoformat()}")


@require_GET
def actor_options(request: PageRequest) -> HttpResponse:
    """People whose name contains `q`, for the trail's "Who" filter."""
    require(request.user, AuditPermission.VIEW_TRAIL)
    people = User.objects.all()
    for word in request.GET.get("q", "").split():
        people = people.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(username__icontains=word)
        )
    return remote_options(people.order_by("first_name", "last_name", "id")[:OPTIONS_SHOWN])
