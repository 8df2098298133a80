"""HTML form input of the competition pages."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse_lazy

from tandem.competition.models import (
    INTEL_LIMIT,
    POSITIONING_LIMIT,
    PRICING_LIMIT,
    PRODUCT_DESCRIPTION_LIMIT,
    SECTION_LIMIT,
    Competitor,
)
from tandem.core.forms import InputGuard, RemoteSelect, ServiceErrorsMixin, bootstrap
from tandem.product.models import Feature


def _area(rows: int, limit: int, placeholder: str = "") -> forms.CharField:
    return forms.CharField(
        required=False,
        max_length=limit,
        widget=forms.Textarea(attrs={"rows": rows, "placeholder": placeholder}),
    )


class CompetitorForm(ServiceErrorsMixin, InputGuard, forms.Form):
    name = forms.CharField(max_length=200)
    website = forms.URLField(required=False, assume_scheme="https")
    positioning = _area(3, POSITIONING_LIMIT, "Who they sell to and how they pitch themselves")
    pricing = _area(2, PRICING_LIMIT, "List prices, pricing model, usual discounts")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31 - 1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class CompetitorProductForm(ServiceErrorsMixin, InputGuard, forms.Form):
    name = forms.CharField(max_length=200, label="Product")
    description = forms.CharField(required=False, max_length=PRODUCT_DESCRIPTION_LIMIT)
    pricing = forms.CharField(required=False, max_length=PRICING_LIMIT)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class BattlecardForm(ServiceErrorsMixin, InputGuard, forms.Form):
    """The sections the user may change are the form's fields (`sections`)."""

    strengths = _area(4, SECTION_LIMIT)
    weaknesses = _area(4, SECTION_LIMIT)
    landmines = _area(4, SECTION_LIMIT, "Questions to plant that expose their gaps")
    objections = _area(4, SECTION_LIMIT, "Objection heard — the answer that worked")
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)

    def __init__(self, *args: Any, sections: frozenset[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("strengths", "weaknesses", "landmines", "objections"):
            if name not in sections:
                del self.fields[name]
        bootstrap(self)


class FieldIntelForm(ServiceErrorsMixin, InputGuard, forms.Form):
    """Intel logged in seconds from a deal or an account: who, what they offered, the price, claims."""

    competitor = forms.ModelChoiceField(queryset=Competitor.objects.none(), empty_label="Competitor…")
    offered = forms.CharField(
        max_length=INTEL_LIMIT,
        label="What they offered",
        widget=forms.TextInput(attrs={"placeholder": "What they offered"}),
        error_messages={"required": "Say what they offered: a line is enough."},
    )
    price_home = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=2,
        label="Price a year",
        widget=forms.NumberInput(attrs={"placeholder": "Price a year"}),
    )
    claims = forms.CharField(
        required=False, max_length=INTEL_LIMIT, widget=forms.TextInput(attrs={"placeholder": "What they claimed"})
    )

    def __init__(self, *args: Any, competitors: QuerySet[Competitor], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competitor"].queryset = competitors  # type: ignore[attr-defined]
        bootstrap(self)


class LossFeatureForm(InputGuard, forms.Form):
    feature = forms.ModelChoiceField(
        queryset=Feature.objects.none(),
        empty_label="Feature cited…",
        widget=RemoteSelect(reverse_lazy("competition:feature_options")),
    )

    def __init__(self, *args: Any, features: QuerySet[Feature], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["feature"].queryset = features  # type: ignore[attr-defined]
        bootstrap(self)
