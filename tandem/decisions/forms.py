"""HTML form input of decisions, escalations and decision rights; the services do the writing."""

from typing import Any

from django import forms

from tandem.asks.models import RATIONALE_MISSING, Decision
from tandem.core.forms import InputGuard, bootstrap
from tandem.core.roles import Role
from tandem.decisions.models import REASON_MISSING
from tandem.people.models import User
from tandem.product.models import Product, Release


class DecisionForm(InputGuard, forms.Form):
    # No outcome preselected: a form that already says "Planned" reads like the feature's state.
    outcome = forms.ChoiceField(choices=[("", "Choose the outcome"), *Decision.Outcome.choices])
    release: forms.ModelChoiceField[Release] = forms.ModelChoiceField(
        queryset=Release.objects.none(), required=False, empty_label="Choose a release", help_text="When planned."
    )
    rationale = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why: the requesting reps and their managers receive it.",
        error_messages={"required": RATIONALE_MISSING},
    )

    def __init__(self, *args: Any, product: Product | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        releases = Release.objects.none()
        if product is not None:
            releases = Release.objects.filter(product=product, status=Release.Status.PLANNED).order_by("target_date")
        self.fields["release"].queryset = releases  # type: ignore[attr-defined]
        bootstrap(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The release select stays on the form for every outcome; it only counts when planning.
        if data.get("outcome") != Decision.Outcome.PLANNED:
            data["release"] = None
        return data


class EscalationForm(InputGuard, forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the decision costs the business: the deal, the account.",
        error_messages={"required": REASON_MISSING},
    )
    executive: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, empty_label="Any executive"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        executives = User.objects.filter(role=Role.EXECUTIVE, is_active=True).order_by("first_name", "last_name")
        self.fields["executive"].queryset = executives  # type: ignore[attr-defined]
        bootstrap(self)


ROLE_CHOICES = Role.choices


class DecisionRightForm(InputGuard, forms.Form):
    deciding_roles = forms.MultipleChoiceField(choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple)
    consulted_roles = forms.MultipleChoiceField(
        choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )
    informed_roles = forms.MultipleChoiceField(
        choices=ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Everyone with these roles is notified of each such decision.",
    )
    managers_own_products_only = forms.BooleanField(
        required=False, label="Product managers decide only on their own products' features"
    )
