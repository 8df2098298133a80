"""HTML form input of reviews: setting one up, opening a meeting, action items, the minutes."""

from typing import Any

from django import forms

from tandem.core.constraints import text_limit
from tandem.core.forms import InputGuard, ServiceErrorsMixin, bootstrap
from tandem.people.models import User
from tandem.reviews.models import ActionItem, Review, ReviewMeeting


def people_to_assign() -> Any:
    return User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")


class ReviewForm(ServiceErrorsMixin, InputGuard, forms.Form):
    name = forms.CharField(max_length=200, initial="Product-sales review")
    cadence = forms.ChoiceField(choices=Review.Cadence.choices, initial=Review.Cadence.FORTNIGHTLY)
    attendees = forms.ModelMultipleChoiceField(queryset=User.objects.none(), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31 - 1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = people_to_assign()  # type: ignore[attr-defined]
        bootstrap(self)


class MeetingForm(ServiceErrorsMixin, InputGuard, forms.Form):
    held_on = forms.DateField(label="Meeting day", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class ActionItemForm(ServiceErrorsMixin, InputGuard, forms.Form):
    agenda_item = forms.CharField(max_length=60, required=False, widget=forms.HiddenInput)
    title = forms.CharField(label="Action", max_length=text_limit(ActionItem, "title"))
    owner = forms.ModelChoiceField(queryset=User.objects.none(), empty_label="Who")
    due_on = forms.DateField(label="Due", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people_to_assign()  # type: ignore[attr-defined]
        bootstrap(self)


class MinutesForm(ServiceErrorsMixin, InputGuard, forms.Form):
    notes = forms.CharField(
        required=False, max_length=text_limit(ReviewMeeting, "notes"), widget=forms.Textarea(attrs={"rows": 4})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class DoneForm(InputGuard, forms.Form):
    done = forms.BooleanField(required=False)
    version = forms.IntegerField(min_value=0, max_value=2**31 - 1)
