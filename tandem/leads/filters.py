"""The filters of the lead list, shared by the page and the API."""

import django_filters
from django.db.models import Q, QuerySet
from django.urls import reverse_lazy

from tandem.core.filters import FilterSet, RemoteChoiceFilter
from tandem.core.forms import RemoteSelect
from tandem.leads.models import Lead
from tandem.sales.filters import owner_choices


class LeadFilter(FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Search")
    status = django_filters.ChoiceFilter(choices=Lead.Status.choices, empty_label="Any status")
    source = django_filters.ChoiceFilter(choices=Lead.Source.choices, empty_label="Any source")
    owner = RemoteChoiceFilter(
        queryset=owner_choices, empty_label="Any owner", widget=RemoteSelect(reverse_lazy("sales:owner_options"))
    )
    campaign = django_filters.CharFilter(field_name="campaign", lookup_expr="iexact")

    class Meta:
        model = Lead
        fields: list[str] = []

    def filter_q(self, queryset: QuerySet[Lead], name: str, value: str) -> QuerySet[Lead]:
        """A word of the person's name, their company or email."""
        for word in value.split():
            queryset = queryset.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(company__icontains=word)
                | Q(email__icontains=word)
            )
        return queryset
