"""The filters of the audit trail, shared by the page, its export and the API."""

import datetime

import django_filters
from django import forms
from django.db.models import QuerySet
from django.urls import reverse_lazy

from tandem.audit.models import AuditEntry
from tandem.audit.records import record_type_choices
from tandem.core.filters import FilterSet, RemoteChoiceFilter
from tandem.core.fiscal import day_start
from tandem.core.forms import RemoteSelect
from tandem.people.models import User


class AuditEntryFilter(FilterSet):
    actor = RemoteChoiceFilter(
        queryset=User.objects.all(),
        empty_label="Anyone",
        label="Who",
        widget=RemoteSelect(reverse_lazy("audit:actor_options")),
    )
    record_type = django_filters.ChoiceFilter(
        choices=record_type_choices, empty_label="Any record", label="Record type"
    )
    action = django_filters.ChoiceFilter(choices=AuditEntry.Action.choices, empty_label="Any action")
    channel = django_filters.ChoiceFilter(choices=AuditEntry.Channel.choices, empty_label="Any channel")
    record_id = django_filters.NumberFilter(field_name="record_id", label="Record id", min_value=1, max_value=2**63 - 1)
    date_from = django_filters.DateFilter(
        label="From", method="filter_from", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = django_filters.DateFilter(label="To", method="filter_to", widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = AuditEntry
        fields: list[str] = []

    def filter_from(self, queryset: QuerySet[AuditEntry], name: str, value: datetime.date) -> QuerySet[AuditEntry]:
        return queryset.filter(at__gte=day_start(value))

    def filter_to(self, queryset: QuerySet[AuditEntry], name: str, value: datetime.date) -> QuerySet[AuditEntry]:
        """Up to and including that day."""
        if value >= datetime.date.max:
            return queryset
        return queryset.filter(at__lt=day_start(value + datetime.timedelta(days=1)))
