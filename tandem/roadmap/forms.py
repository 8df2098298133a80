"""HTML form input of the roadmap pages; the services do the writing."""

from typing import Any

from django import forms

from tandem.competition.models import Competitor
from tandem.core.forms import InputGuard, bootstrap
from tandem.product.models import Feature, Product, Release


class RoadmapFilterForm(InputGuard, forms.Form):
    """The roadmap's filters: by product, goal and the engineering team that builds the product."""

    product = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    goal = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    team = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, choices: dict[str, list[tuple[int, str]]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = {"product": "Any product", "goal": "Any goal", "team": "Any team"}
        for name, label in labels.items():
            field: Any = self.fields[name]
            field.choices = [("", label), *choices[f"{name}s"]]
        bootstrap(self)


class FeaturePlaceForm(InputGuard, forms.Form):
    """A drag and drop on the timeline (`release`) or the board (`horizon`), as of the version seen."""

    release = forms.CharField(required=False)  # a release id, or "none" for off any release
    horizon = forms.ChoiceField(choices=[("", "By release date"), *Feature.Horizon.choices], required=False)
    version = forms.IntegerField(min_value=1)

    def clean_release(self) -> str:
        value: str = self.cleaned_data.get("release") or ""
        if value and value != "none" and not value.isdigit():
            raise forms.ValidationError("Choose a release.")
        return value


class MarketResearchForm(InputGuard, forms.Form):
    target_segment = forms.CharField(max_length=200, required=False, help_text="Who it is for: e.g. mid-market banks.")
    market_size = forms.DecimalField(
        max_digits=16, decimal_places=2, min_value=0, required=False, help_text="Yearly spend of that segment."
    )
    revenue_potential = forms.DecimalField(
        max_digits=16, decimal_places=2, min_value=0, required=False, help_text="What it could bring us in a year."
    )
    competitors: forms.ModelMultipleChoiceField[Competitor] = forms.ModelMultipleChoiceField(
        queryset=Competitor.objects.all(), required=False, help_text="Competitors that already have it."
    )
    # Free text is limited by the model's validator, which words the refusal (`text_field`).
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class LifecycleMoveForm(InputGuard, forms.Form):
    to_stage = forms.ChoiceField(label="Move to", choices=Product.Lifecycle.choices)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why now: everyone reads it in the product's history.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class RoadmapSettingsForm(InputGuard, forms.Form):
    public_roadmap_enabled = forms.BooleanField(
        label="Public roadmap page on",
        required=False,
        help_text="Anyone with the link sees the public items, their quarter and confidence, without login.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


def release_choice(value: str, feature: Feature) -> Release | None:
    """The release a drop names, of the feature's own product (404-free: unknown ids are refused)."""
    if value == "none":
        return None
    release = Release.objects.filter(pk=int(value), product_id=feature.product_id).first()
    if release is None:
        raise forms.ValidationError("Choose a release of the feature's own product.")
    return release
