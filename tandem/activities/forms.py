"""HTML form input of what is logged on deals."""

import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet

from tandem.activities.models import BODY_LIMIT, EARLIEST_YEAR, LATEST_YEAR, WHEN_OUT_OF_RANGE, Activity
from tandem.core.forms import InputGuard, ServiceErrorsMixin, bootstrap
from tandem.sales.models import Contact


class ContactChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.first_name} {obj.last_name}" + (f" ({obj.title})" if obj.title else "")


class ActivityForm(ServiceErrorsMixin, InputGuard, forms.Form):
    """A note, call or meeting: when, with whom of the account's people, and what came of it."""

    kind = forms.ChoiceField(
        choices=Activity.Kind.choices, initial=Activity.Kind.CALL, label="What", widget=forms.RadioSelect
    )
    occurred_at = forms.DateTimeField(
        required=False,
        label="When",
        help_text="Now if left empty.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    contacts = ContactChoice(
        queryset=Contact.objects.none(), required=False, label="With", widget=forms.CheckboxSelectMultiple
    )
    body = forms.CharField(
        max_length=BODY_LIMIT,
        label="Outcome",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "What was said, agreed or learnt"}),
        error_messages={"required": "Say what happened: a line is enough."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31 - 1)

    def clean_occurred_at(self) -> datetime.datetime | None:
        when = self.cleaned_data.get("occurred_at")
        if when is not None and not EARLIEST_YEAR <= when.year <= LATEST_YEAR:
            raise forms.ValidationError(WHEN_OUT_OF_RANGE)
        return when

    def __init__(self, *args: Any, contacts: QuerySet[Contact], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contacts"].queryset = contacts  # type: ignore[attr-defined]
        bootstrap(self)
