"""HTML form input of the product pages; the services do the writing."""

from typing import Any

from django import forms
from django.db.models import QuerySet

from tandem.core.constraints import constraint_message
from tandem.core.forms import InputGuard, bootstrap
from tandem.people.models import User
from tandem.product.models import Feature, Goal, Product, Release, ScoringSettings
from tandem.product.selectors import goal_visible, product_visible, release_visible

# The number inputs check their constraint's bound first; they refuse in its words.
EFFORT_POSITIVE = {"min_value": constraint_message(Feature, "feature_effort_positive")}


class FeatureForm(InputGuard, forms.Form):
    """A whole feature, as product managers edit it. `version` is the one the editor saw."""

    product: forms.ModelChoiceField[Product] = forms.ModelChoiceField(queryset=Product.objects.none())
    title = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    status = forms.ChoiceField(choices=Feature.Status.choices)
    release: forms.ModelChoiceField[Release] = forms.ModelChoiceField(
        queryset=Release.objects.none(), required=False, empty_label="No release yet"
    )
    horizon = forms.ChoiceField(
        label="On the roadmap board",
        choices=[("", "By its release's date"), *Feature.Horizon.choices],
        required=False,
        help_text="Now, next or later on the board, whatever its release's date says.",
    )
    goals: forms.ModelMultipleChoiceField[Goal] = forms.ModelMultipleChoiceField(
        queryset=Goal.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    effort = forms.DecimalField(
        max_digits=6,
        decimal_places=1,
        min_value=0.1,
        required=False,
        help_text="Person-weeks.",
        error_messages=EFFORT_POSITIVE,
    )
    confidence = forms.ChoiceField(choices=Feature.Confidence.choices)
    visibility = forms.ChoiceField(
        choices=Feature.Visibility.choices,
        help_text="Sales sees sales-shareable and public features, and the sales view of internal ones its "
        "customers asked for.",
    )
    sales_say = forms.CharField(
        label="Sales may say",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="What reps may tell customers about it.",
    )
    sales_dont_say = forms.CharField(
        label="Sales must not say",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Dates, promises or claims to keep out of customer conversations.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: User, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["version"].required = editing
        fields["product"].queryset = product_visible(user=user)
        fields["release"].queryset = release_visible(user=user).select_related("product")
        fields["goals"].queryset = goal_visible(user=user).filter(is_active=True)
        bootstrap(self)

    @staticmethod
    def initial_for(feature: Feature) -> dict[str, Any]:
        return {
            "product": feature.product_id,
            "title": feature.title,
            "description": feature.description,
            "status": feature.status,
            "release": feature.release_id,
            "horizon": feature.horizon,
            "goals": list(feature.goals.all()),
            "effort": feature.effort,
            "confidence": feature.confidence,
            "visibility": feature.visibility,
            "sales_say": feature.sales_say,
            "sales_dont_say": feature.sales_dont_say,
            "version": feature.version,
        }


class ReleaseForm(InputGuard, forms.Form):
    """A release as product managers plan it. Editing leaves out the product: a release stays with
    its product. `version` is the one the editor saw."""

    product: forms.ModelChoiceField[Product] = forms.ModelChoiceField(queryset=Product.objects.none())
    name = forms.CharField(max_length=200, help_text="As the product names its releases, for example 2027.2.")
    target_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, products: QuerySet[Product] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        if products is None:
            del fields["product"]
        else:
            fields["product"].queryset = products
            del fields["version"]
        bootstrap(self)


class GoalForm(InputGuard, forms.Form):
    """A strategic goal as the executive sets it. `version` is the one the editor saw."""

    name = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    weight = forms.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=0,
        help_text="What serving this goal adds to a feature's strategic fit; 0 adds nothing.",
        error_messages={"min_value": constraint_message(Goal, "goal_weight_not_negative")},
    )
    is_active = forms.BooleanField(
        required=False,
        initial=True,
        label="Active",
        help_text="An inactive goal stays on its features and adds nothing.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class EffortForm(InputGuard, forms.Form):
    """The effort estimate alone, as engineering leads give it."""

    effort = forms.DecimalField(
        max_digits=6,
        decimal_places=1,
        min_value=0.1,
        required=False,
        help_text="Person-weeks.",
        error_messages=EFFORT_POSITIVE,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class FeatureDeleteForm(InputGuard, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ScoringSettingsForm(InputGuard, forms.Form):
    """The executive's scoring weights; the service checks the rules and names the field at fault."""

    formula = forms.ChoiceField(
        choices=ScoringSettings.Formula.choices, help_text="The score the feature list shows and sorts by."
    )
    weight_revenue = forms.DecimalField(max_digits=5, decimal_places=2, label="Revenue at stake")
    weight_reach = forms.DecimalField(max_digits=5, decimal_places=2, label="Reach (accounts)")
    weight_fit = forms.DecimalField(max_digits=5, decimal_places=2, label="Strategic fit (goals)")
    weight_urgency = forms.DecimalField(max_digits=5, decimal_places=2, label="Urgency")
    default_effort = forms.DecimalField(
        max_digits=6, decimal_places=1, label="Default effort", help_text="Person-weeks, for unestimated features."
    )
    single_deal_share = forms.DecimalField(
        max_digits=3,
        decimal_places=2,
        label="Single-deal share",
        help_text="Flag a feature when its largest open deal holds more than this share of its pipeline (0.5 = half).",
    )

    FIELDS = (
        "formula",
        "weight_revenue",
        "weight_reach",
        "weight_fit",
        "weight_urgency",
        "default_effort",
        "single_deal_share",
    )

    def __init__(self, *args: Any, editable: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)
        if not editable:
            for field in self.fields.values():
                field.disabled = True

    @classmethod
    def initial_for(cls, scoring: ScoringSettings) -> dict[str, Any]:
        return {name: getattr(scoring, name) for name in cls.FIELDS}
