"""The filters of the ask list and of the triage inbox, shared by the pages and the API."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse_lazy

from tandem.asks.models import Ask
from tandem.core.forms import RemoteSelect
from tandem.product.models import Product
from tandem.product.selectors import product_visible
from tandem.sales.filters import owner_choices
from tandem.sales.models import Account


def _products(request: HttpRequest | None) -> QuerySet[Product]:
    return product_visible(user=request.user) if request is not None else Product.objects.none()  # type: ignore[arg-type]


class AskInboxFilter(django_filters.FilterSet):
    """The triage inbox's filters. Product means the product of the ask's feature: for a new ask,
    the feature the rep attached when logging it; asks nobody placed yet show under any product."""

    product = django_filters.ModelChoiceFilter(
        field_name="feature__product", queryset=_products, empty_label="Any product"
    )
    importance = django_filters.ChoiceFilter(choices=Ask.Importance.choices, empty_label="Any importance")
    segment = django_filters.ChoiceFilter(
        field_name="account__segment", choices=Account.Segment.choices, empty_label="Any segment"
    )
    # Searched as the user types: a workspace has thousands of reps, too many to render as options.
    rep = django_filters.ModelChoiceFilter(
        field_name="requested_by",
        queryset=owner_choices,
        empty_label="Any rep",
        label="Rep",
        widget=RemoteSelect(reverse_lazy("sales:owner_options")),
    )

    class Meta:
        model = Ask
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm")


class AskFilter(AskInboxFilter):
    status = django_filters.ChoiceFilter(choices=Ask.Status.choices, empty_label="Any status")
    q = django_filters.CharFilter(field_name="need", lookup_expr="icontains", label="Need contains")

    class Meta:
        model = Ask
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.form.fields["q"].widget.attrs.update({"class": "form-control form-control-sm", "placeholder": "Need"})
