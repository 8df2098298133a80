"""HTML form input of the coaching pages. Forms only parse and validate; the services write."""

import datetime

from django import forms

from tandem.core.forms import ServiceErrorsMixin, bootstrap


# Text fields carry no max_length: the services' full_clean refuses a longer text in the product's
# words, with both figures (core.constraints.LengthLimit).
class _Form(ServiceErrorsMixin, forms.Form):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        bootstrap(self)


class NoteForm(_Form):
    """A coaching note. `version` is the version opened (edits only)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    noted_on = forms.DateField(label="Day", widget=forms.DateInput(attrs={"type": "date"}), initial=datetime.date.today)
    text = forms.CharField(
        label="Note",
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "What you discussed, observed or agreed."}),
    )

    def clean_noted_on(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["noted_on"]
        if not 2000 <= day.year <= 2100:
            raise forms.ValidationError("Give a day between 2000 and 2100.")
        return day


class ReviewCreateForm(_Form):
    period = forms.ChoiceField(label="Period", choices=())

    def __init__(self, *args: object, periods: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = periods  # type: ignore[attr-defined]


class ReviewForm(_Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    summary = forms.CharField(
        label="How the period went",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "What went well, what did not, and why."}),
    )
    goals = forms.CharField(
        label="To work on next",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "One to three things, each one you can check."}),
    )


class VersionForm(_Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class AcknowledgeForm(_Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    rep_comment = forms.CharField(
        label="Your comment",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "Optional: what you take from it, or disagree with."}),
    )
