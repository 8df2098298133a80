"""HTML form input of customer calls."""

import datetime
from typing import Any

from django import forms

from tandem.calls.models import AGENDA_LIMIT, MAX_SEATS, NOTE_LIMIT
from tandem.core.forms import InputGuard, ServiceErrorsMixin, bootstrap


class CustomerCallForm(ServiceErrorsMixin, InputGuard, forms.Form):
    scheduled_at = forms.DateTimeField(
        label="When", widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    agenda = forms.CharField(
        max_length=AGENDA_LIMIT,
        widget=forms.TextInput(attrs={"placeholder": "What the customer wants to talk about"}),
        error_messages={"required": "Say what the call is about: a line is enough."},
    )
    seats = forms.IntegerField(min_value=1, max_value=MAX_SEATS, initial=2, label="PM seats")

    def clean_scheduled_at(self) -> datetime.datetime:
        when: datetime.datetime = self.cleaned_data["scheduled_at"]
        if not 1970 <= when.year <= 2100:
            raise forms.ValidationError("Give a time between 1970 and 2100.")
        return when

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class CallDebriefForm(ServiceErrorsMixin, InputGuard, forms.Form):
    note = forms.CharField(
        required=False,
        max_length=NOTE_LIMIT,
        label="What you heard",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "What the customer said, in a few lines"}),
    )
    needs = forms.CharField(
        required=False,
        max_length=NOTE_LIMIT,
        label="Asks heard",
        help_text="One need a line: each is logged as an ask on the deal, for triage.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_needs(self) -> list[str]:
        needs = [line.strip() for line in self.cleaned_data["needs"].splitlines() if line.strip()]
        if len(needs) > 20:
            raise forms.ValidationError("Log at most 20 asks at once.")
        if any(len(need) > 2000 for need in needs):
            raise forms.ValidationError("Say each need in at most 2000 characters.")
        return needs

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)
