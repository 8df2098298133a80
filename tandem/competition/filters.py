"""The intel feed's filters, shared by its page and the API."""

import django_filters
from django import forms
from django.db.models import QuerySet
from django.http import HttpRequest

from tandem.competition.models import Competitor, FieldIntel
from tandem.competition.selectors import competitor_visible
from tandem.core.filters import FilterSet, SmallTableChoiceFilter


def competitor_choices(request: HttpRequest | None) -> QuerySet[Competitor]:
    if request is None:
        return Competitor.objects.none()
    return competitor_visible(user=request.user).order_by("name")  # type: ignore[arg-type]


class FieldIntelFilter(FilterSet):
    competitor = SmallTableChoiceFilter(queryset=competitor_choices, empty_label="Any competitor")
    since = django_filters.DateFilter(
        field_name="created_at__date", lookup_expr="gte", label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    until = django_filters.DateFilter(
        field_name="created_at__date", lookup_expr="lte", label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    class Meta:
        model = FieldIntel
        fields: list[str] = []
