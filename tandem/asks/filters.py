"""The filters of the ask list, shared by the page and the API."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import HttpRequest

from tandem.asks.models import Ask
from tandem.product.models import Product
from tandem.product.selectors import product_visible


def _products(request: HttpRequest | None) -> QuerySet[Product]:
    return product_visible(user=request.user) if request is not None else Product.objects.none()  # type: ignore[arg-type]


class AskFilter(django_filters.FilterSet):
    importance = django_filters.ChoiceFilter(choices=Ask.Importance.choices, empty_label="Any importance")
    status = django_filters.ChoiceFilter(choices=Ask.Status.choices, empty_label="Any status")
    product = django_filters.ModelChoiceFilter(
        field_name="feature__product", queryset=_products, empty_label="Any product"
    )
    q = django_filters.CharFilter(field_name="need", lookup_expr="icontains", label="Need contains")

    class Meta:
        model = Ask
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm")
        self.form.fields["q"].widget.attrs.update({"class": "form-control form-control-sm", "placeholder": "Need"})
