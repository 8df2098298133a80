"""HTML form input of commitments; the services do the writing."""

from typing import Any

from django import forms

from tandem.commitments.models import REASON_MISSING, WITHDRAWAL_REASON_MISSING, Commitment
from tandem.core.constraints import text_limit
from tandem.core.forms import InputGuard, ServiceErrorsMixin, bootstrap
from tandem.product.models import Feature


class CommitmentAskForm(ServiceErrorsMixin, InputGuard, forms.Form):
    feature: forms.ModelChoiceField[Feature] = forms.ModelChoiceField(
        queryset=Feature.objects.none(), empty_label="Choose a feature", help_text="From the sales roadmap."
    )
    due_date = forms.DateField(
        required=False,
        label="Promised by",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty when no date was promised.",
    )
    note = forms.CharField(
        required=False,
        label="What was promised",
        max_length=text_limit(Commitment, "note"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, features: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if features is not None:
            self.fields["feature"].queryset = features  # type: ignore[attr-defined]
        bootstrap(self)


class CommitmentAnswerForm(ServiceErrorsMixin, InputGuard, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(
        required=False,
        max_length=text_limit(Commitment, "reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required to refuse: the rep tells the customer.",
        error_messages={"required": REASON_MISSING},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class CommitmentWithdrawForm(ServiceErrorsMixin, InputGuard, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    withdrawal_reason = forms.CharField(
        label="Why",
        max_length=text_limit(Commitment, "withdrawal_reason"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The customer no longer needs it, the deal was lost…",
        error_messages={"required": WITHDRAWAL_REASON_MISSING},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)
