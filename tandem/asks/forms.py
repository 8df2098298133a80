"""HTML form input of the asks pages: logging an ask and the triage actions. The services write."""

from typing import Any

from django import forms

from tandem.asks.models import NEED_MISSING, Ask
from tandem.asks.selectors import ask_visible
from tandem.core.forms import InputGuard, ServiceErrorsMixin, bootstrap
from tandem.people.models import User
from tandem.product.models import Feature, Product
from tandem.product.selectors import feature_visible, product_visible
from tandem.sales.models import Account, Opportunity
from tandem.sales.selectors import opportunity_visible
from tandem.triage.suggestions import without_label

FEATURE_TITLE_MAX = Feature._meta.get_field("title").max_length or 200


def _choices(form: forms.Form, name: str) -> forms.ModelChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field


class TandemForm(ServiceErrorsMixin, InputGuard, forms.Form):
    """An asks form: Bootstrap classes on its widgets; the asks services validate and write."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        bootstrap(self)


class AskForm(TandemForm):
    """Log an ask on a deal (the deal fixed) or on an account (any of its open deals, or none)."""

    need = forms.CharField(
        label="What the customer needs",
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "In their words"}),
        error_messages={"required": NEED_MISSING},
    )
    why = forms.CharField(
        label="Why", required=False, widget=forms.Textarea(attrs={"rows": 2, "placeholder": "The problem behind it"})
    )
    importance = forms.ChoiceField(choices=Ask.Importance.choices, initial=Ask.Importance.IMPORTANT)
    source = forms.ChoiceField(choices=Ask.Source.choices, initial=Ask.Source.CALL)
    opportunity = forms.ModelChoiceField(
        queryset=Opportunity.objects.none(), required=False, label="Deal", empty_label="No deal"
    )
    # Picked from the search-as-you-type results (radio buttons named `feature`); empty without them.
    feature = forms.ModelChoiceField(queryset=Feature.objects.none(), required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, account: Account, deal: Opportunity | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self, "feature").queryset = feature_visible(user=user)
        deals = opportunity_visible(user=user).filter(account=account)
        if deal is not None:
            _choices(self, "opportunity").queryset = deals.filter(pk=deal.pk)
            _choices(self, "opportunity").initial = deal.pk
            self.fields["opportunity"].required = True
            self.fields["opportunity"].widget = forms.HiddenInput()
        else:
            _choices(self, "opportunity").queryset = deals.filter(stage__is_won=False, stage__is_lost=False).order_by(
                "close_date", "id"
            )


class LinkForm(TandemForm):
    feature = forms.ModelChoiceField(queryset=Feature.objects.none(), widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self, "feature").queryset = feature_visible(user=user)


class MergeForm(TandemForm):
    original = forms.ModelChoiceField(queryset=Ask.objects.none(), widget=forms.HiddenInput)

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self, "original").queryset = ask_visible(user=user)


class FeatureFromAskForm(TandemForm):
    product = forms.ModelChoiceField(queryset=Product.objects.none(), empty_label="Choose a product")
    title = forms.CharField(max_length=FEATURE_TITLE_MAX)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, user: User, **kwargs: Any):
        super().__init__(*args, **kwargs)
        _choices(self, "product").queryset = product_visible(user=user).order_by("name")


def feature_title_from(need: str) -> str:
    """A feature title proposed from an ask's need: its first line without the channel's label
    ("Feature request: ", "[Slack #sales] "), cut at a word near 80 characters."""
    line = without_label(need.strip().splitlines()[0]) if need.strip() else ""
    line = line[:1].upper() + line[1:]  # a title, though the label that started the sentence is gone
    if len(line) <= 80:
        return line
    return line[:80].rsplit(" ", 1)[0].rstrip(",;:") + "…"
