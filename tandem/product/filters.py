"""The filters of the feature list, shared by the page and the API."""

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import HttpRequest

from tandem.product.models import Feature, Product
from tandem.product.selectors import product_visible


def _products(request: HttpRequest | None) -> QuerySet[Product]:
    return product_visible(user=request.user) if request is not None else Product.objects.none()  # type: ignore[arg-type]


class FeatureFilter(django_filters.FilterSet):
    product = django_filters.ModelChoiceFilter(queryset=_products, empty_label="Any product")
    status = django_filters.ChoiceFilter(choices=Feature.Status.choices, empty_label="Any status")
    visibility = django_filters.ChoiceFilter(choices=Feature.Visibility.choices, empty_label="Any visibility")
    confidence = django_filters.ChoiceFilter(choices=Feature.Confidence.choices, empty_label="Any confidence")
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label="Title contains")

    class Meta:
        model = Feature
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm")
        self.form.fields["q"].widget.attrs.update({"class": "form-control form-control-sm", "placeholder": "Title"})
