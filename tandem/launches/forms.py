"""HTML form input of launches and the digest settings; the services do the writing."""

from typing import Any

from django import forms

from tandem.competition.models import Competitor
from tandem.core.forms import InputGuard, ServiceErrorsMixin, bootstrap
from tandem.launches.models import ChecklistItem, DigestSettings, SuccessMetric
from tandem.people.models import User


class _Form(ServiceErrorsMixin, InputGuard, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class ChecklistItemForm(_Form):
    area = forms.ChoiceField(choices=ChecklistItem.Area.choices)
    title = forms.CharField(max_length=200)
    owner: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("first_name", "last_name"), required=False
    )
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class ChecklistTickForm(_Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    done = forms.BooleanField(required=False)


class SuccessMetricForm(_Form):
    kind = forms.ChoiceField(choices=SuccessMetric.Kind.choices)
    target = forms.DecimalField(min_value=0, max_digits=16, decimal_places=2)
    competitor: forms.ModelChoiceField[Competitor] = forms.ModelChoiceField(
        queryset=Competitor.objects.order_by("name"), required=False, help_text="For the win rate."
    )


class SuccessMetricUpdateForm(_Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    target = forms.DecimalField(min_value=0, max_digits=16, decimal_places=2)
    actual_30 = forms.DecimalField(min_value=0, max_digits=16, decimal_places=2, required=False)
    actual_90 = forms.DecimalField(min_value=0, max_digits=16, decimal_places=2, required=False)


class DigestSettingsForm(_Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    period = forms.ChoiceField(choices=DigestSettings.Period.choices, label="Send the digest")
