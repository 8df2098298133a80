"""HTML form input of the forecast page. Forms only parse and validate; the services write."""

import re
from decimal import Decimal

from django import forms

from tandem.core.fiscal import FiscalQuarter
from tandem.core.forms import ServiceErrorsMixin, bootstrap

QUARTER = re.compile(r"^(\d{4})-([1-4])$")
MAX_AMOUNT = Decimal("99999999999999.99")


def quarter_key(quarter: FiscalQuarter) -> str:
    """How a quarter travels in URLs and forms: FY2027 Q1 → '2027-1'."""
    return f"{quarter.year}-{quarter.quarter}"


def quarter_parse(value: str | None) -> FiscalQuarter | None:
    match = QUARTER.match(value or "")
    return FiscalQuarter(int(match[1]), int(match[2])) if match else None


def _amount(label: str, help_text: str = "") -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=Decimal(0),
        max_value=MAX_AMOUNT,
        max_digits=16,
        decimal_places=2,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


class CallForm(ServiceErrorsMixin, forms.Form):
    """A rep's call. `version` is the version they opened (0: none yet)."""

    quarter = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    commit = _amount("Commit", "What you are sure to have won by the quarter's end, what is won already included.")
    best_case = _amount("Best case", "What you could win if the deals in play go your way (commit included).")
    note = forms.CharField(
        label="Note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "What the call rests on: the deals, the risks."}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        bootstrap(self)

    def clean_quarter(self) -> FiscalQuarter:
        quarter = quarter_parse(self.cleaned_data["quarter"])
        if quarter is None:
            raise forms.ValidationError("Choose a fiscal quarter.")
        return quarter


class OverrideForm(CallForm):
    """A manager's override of a rep's call: their figures, and why."""

    note = forms.CharField(
        label="Why",
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "What you know that the call does not say."}),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commit"].help_text = "The commit you count on for this rep."
        self.fields["best_case"].help_text = "The best case you see for this rep (commit included)."


class OverrideWithdrawForm(forms.Form):
    """Withdrawing an override: which quarter's, and the version read (a changed one is refused)."""

    quarter = forms.CharField(widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def clean_quarter(self) -> FiscalQuarter:
        quarter = quarter_parse(self.cleaned_data["quarter"])
        if quarter is None:
            raise forms.ValidationError("Choose a fiscal quarter.")
        return quarter
