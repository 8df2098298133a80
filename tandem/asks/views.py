"""Pages of asks: the customer evidence behind features."""

from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from tandem.asks.filters import AskFilter
from tandem.asks.models import Ask
from tandem.asks.selectors import ask_visible, decision_visible
from tandem.core.http import PageRequest
from tandem.core.listing import Column, list_page
from tandem.people.models import User
from tandem.product.selectors import feature_visible

ASK_COLUMNS = [
    Column("need", "Need"),
    Column("importance", "Importance", order=["importance"]),
    Column("account", "Account"),
    Column("deal", "Deal"),
    Column("feature", "Feature"),
    Column("status", "Status", order=["status"]),
    Column("created", "Logged", order=["created_at"]),
]


def ask_visible_with_feature(*, user: User) -> QuerySet[Ask]:
    """Visible asks, each marked with whether its feature is one the user may see (sales: not internal ones)."""
    shared = Exists(feature_visible(user=user).filter(pk=OuterRef("feature_id")))
    return ask_visible(user=user).annotate(feature_shared=shared)


@require_GET
def ask_list(request: PageRequest) -> HttpResponse:
    """The asks this user may see, newest first."""
    asks = ask_visible_with_feature(user=request.user).select_related(
        "account", "opportunity", "feature", "requested_by"
    )
    filterset = AskFilter(request.GET or None, queryset=asks, request=request)
    page = list_page(request, filterset.qs, columns=ASK_COLUMNS, default_sort="-created")
    context = {"page": page, "columns": ASK_COLUMNS, "filter": filterset}
    template = "asks/partials/_ask_list.html" if request.htmx else "asks/ask_list.html"
    return render(request, template, context)


@require_GET
def ask_detail(request: PageRequest, pk: int) -> HttpResponse:
    ask = get_object_or_404(
        ask_visible_with_feature(user=request.user).select_related(
            "account", "opportunity__stage", "feature__product", "requested_by", "duplicate_of"
        ),
        pk=pk,
    )
    decisions = decision_visible(user=request.user).filter(ask=ask).select_related("decided_by", "release")
    return render(request, "asks/ask_detail.html", {"ask": ask, "decisions": list(decisions)})
