"""The filters of the feature list, shared by the page and the API."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import HttpRequest

from tandem.core.filters import FilterSet, SmallTableChoiceFilter
from tandem.product.models import Feature, Product
from tandem.product.selectors import product_visible


def _products(request: HttpRequest | None) -> QuerySet[Product]:
    return product_visible(user=request.user) if request is not None else Product.objects.none()  # type: ignore[arg-type]


# "Open": still to build or decide, what a list opens on (not shipped, not declined).
OPEN_STATUSES = [Feature.Status.BACKLOG, Feature.Status.PLANNED, Feature.Status.IN_PROGRESS]
# "Scheduled": on the roadmap, planned or being built (what engineering estimates first).
SCHEDULED_STATUSES = [Feature.Status.PLANNED, Feature.Status.IN_PROGRESS]
STATUS_GROUPS = {"open": OPEN_STATUSES, "scheduled": SCHEDULED_STATUSES}


class FeatureFilter(FilterSet):
    product = SmallTableChoiceFilter(queryset=_products, empty_label="Any product")
    status = django_filters.ChoiceFilter(
        choices=[
            ("open", "Open (not shipped or declined)"),
            ("scheduled", "On the roadmap (planned or in progress)"),
            *Feature.Status.choices,
        ],
        empty_label="Any status",
        method="filter_status",
    )
    estimated = django_filters.ChoiceFilter(
        choices=[("no", "Not estimated"), ("yes", "Estimated")],
        empty_label="Estimated or not",
        label="Effort",
        method="filter_estimated",
    )
    visibility = django_filters.ChoiceFilter(choices=Feature.Visibility.choices, empty_label="Any visibility")
    confidence = django_filters.ChoiceFilter(choices=Feature.Confidence.choices, empty_label="Any confidence")
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label="Title contains")

    class Meta:
        model = Feature
        fields: list[str] = []

    def filter_status(self, queryset: QuerySet[Feature], name: str, value: str) -> QuerySet[Feature]:
        return queryset.filter(status__in=STATUS_GROUPS.get(value, [value]))

    def filter_estimated(self, queryset: QuerySet[Feature], name: str, value: str) -> QuerySet[Feature]:
        return queryset.filter(effort__isnull=value == "no")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm")
        self.form.fields["q"].widget.attrs.update({"class": "form-control form-control-sm", "placeholder": "Title"})
