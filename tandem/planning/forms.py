"""HTML form input of planning: a team's capacity, a feature's build, choosing a plan."""

from typing import Any

from django import forms

from tandem.core.constraints import text_limit
from tandem.core.forms import InputGuard, ServiceErrorsMixin, bootstrap
from tandem.people.models import Team
from tandem.planning.models import QuarterPlan
from tandem.planning.selectors import PLANNABLE, engineering_teams
from tandem.product.models import Feature


class CapacityForm(ServiceErrorsMixin, InputGuard, forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), empty_label=None)
    person_weeks = forms.DecimalField(
        label="Person-weeks",
        min_value=0,
        max_value=99999,
        max_digits=7,
        decimal_places=1,
        error_messages={"min_value": "A capacity cannot be negative."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = engineering_teams()  # type: ignore[attr-defined]
        bootstrap(self)


class FeatureBuildForm(ServiceErrorsMixin, InputGuard, forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), label="Built by")
    needs = forms.ModelMultipleChoiceField(
        queryset=Feature.objects.none(),
        required=False,
        label="Needs first",
        help_text="Features it cannot ship without.",
    )
    must_have = forms.BooleanField(required=False, label="Must be in the next plan")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31 - 1)

    def __init__(self, *args: Any, feature: Feature, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = engineering_teams()  # type: ignore[attr-defined]
        self.fields["needs"].queryset = (  # type: ignore[attr-defined]
            Feature.objects.filter(status__in=PLANNABLE).exclude(pk=feature.pk)
        )
        bootstrap(self)


class PlanForm(ServiceErrorsMixin, InputGuard, forms.Form):
    blend = forms.DecimalField(
        label="Blend (λ)",
        min_value=0,
        max_value=1,
        max_digits=4,
        decimal_places=3,
        error_messages={
            "min_value": "The blend is from 0 (all strategy) to 1 (all revenue).",
            "max_value": "The blend is from 0 (all strategy) to 1 (all revenue).",
        },
    )
    note = forms.CharField(
        required=False,
        max_length=text_limit(QuarterPlan, "note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why this plan",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)
