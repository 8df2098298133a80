"""The filters of the ask list and of the triage inbox, shared by the pages and the API."""

from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.urls import reverse_lazy

from tandem.asks.models import LOOP_STATUS_LABELS, Ask
from tandem.core.filters import FilterSet, RemoteChoiceFilter, SmallTableChoiceFilter
from tandem.core.forms import RemoteSelect
from tandem.product.models import Product
from tandem.product.selectors import product_visible
from tandem.sales.filters import owner_choices
from tandem.sales.models import Account


def _products(request: HttpRequest | None) -> QuerySet[Product]:
    return product_visible(user=request.user) if request is not None else Product.objects.none()  # type: ignore[arg-type]


class AskInboxFilter(FilterSet):
    """The triage inbox's filters. Product means the product of the ask's feature: for a new ask,
    the feature the rep attached when logging it; asks nobody placed yet show under any product."""

    product = SmallTableChoiceFilter(
        field_name="feature__product", queryset=_products, empty_label="Any product", label="Product"
    )
    importance = django_filters.ChoiceFilter(choices=Ask.Importance.choices, empty_label="Any importance")
    segment = django_filters.ChoiceFilter(
        field_name="account__segment", choices=Account.Segment.choices, empty_label="Any segment", label="Segment"
    )
    # Searched as the user types: a workspace has thousands of reps, too many to render as options.
    rep = RemoteChoiceFilter(
        field_name="requested_by",
        queryset=owner_choices,
        empty_label="Any rep",
        label="Rep",
        widget=RemoteSelect(reverse_lazy("sales:owner_options")),
    )

    class Meta:
        model = Ask
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            field.widget.attrs.setdefault("class", "form-select form-select-sm")


# The ask list's status filter: each status of the loop (`Ask.loop_status`), and "declined or
# deferred", the "no" a sales manager may escalate.
STATUS_CHOICES = [*LOOP_STATUS_LABELS.items(), ("declined_or_later", "Declined or deferred")]
_OUTCOME_STATUSES = {"declined_or_later": ["declined", "later"]}
ESCALATION_CHOICES = [("none", "Not escalated"), ("open", "Escalated, waiting"), ("ruled", "Escalation ruled")]


def asks_in_status(asks: QuerySet[Ask], status: str) -> QuerySet[Ask]:
    """The asks whose status (as every page shows it) is `status`: an outcome, or where triage stands
    when product has decided nothing. Outcomes walk the `ask_outcome_created` index."""
    if status in _OUTCOME_STATUSES:
        return asks.filter(outcome__in=_OUTCOME_STATUSES[status])
    if status in Ask.Outcome.values and status:
        return asks.filter(outcome=status)
    return asks.filter(outcome=Ask.Outcome.NONE, status=status)


def asks_escalated(asks: QuerySet[Ask], state: str) -> QuerySet[Ask]:
    """Asks never escalated, escalated and waiting for the executive, or whose escalation was ruled."""
    from tandem.decisions.models import Escalation  # decisions' models import asks'

    escalations = Escalation.objects.filter(ask=OuterRef("pk"))
    if state == "none":
        return asks.exclude(Exists(escalations))
    return asks.filter(Exists(escalations.filter(status=state)))


class AskFilter(AskInboxFilter):
    status = django_filters.ChoiceFilter(
        choices=STATUS_CHOICES, empty_label="Any status", method="filter_status", label="Status"
    )
    escalation = django_filters.ChoiceFilter(
        choices=ESCALATION_CHOICES, empty_label="Escalated or not", method="filter_escalation", label="Escalation"
    )
    q = django_filters.CharFilter(field_name="need", lookup_expr="icontains", label="Need contains")

    def filter_status(self, queryset: QuerySet[Ask], name: str, value: str) -> QuerySet[Ask]:
        return asks_in_status(queryset, value)

    def filter_escalation(self, queryset: QuerySet[Ask], name: str, value: str) -> QuerySet[Ask]:
        return asks_escalated(queryset, value)

    class Meta:
        model = Ask
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.form.fields["q"].widget.attrs.update({"class": "form-control form-control-sm", "placeholder": "Need"})
