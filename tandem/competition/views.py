"""Pages of the competition: the competitors with the win rate against each over time, a
competitor's profile, battlecard (with its history), intel feed and win/loss; and the deal page's
competition card (`templatetags/competition.py`), from which reps log intel and cite lost features.
"""

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.competition import services
from tandem.competition.filters import FieldIntelFilter
from tandem.competition.forms import (
    BattlecardForm,
    CompetitorForm,
    CompetitorProductForm,
    FieldIntelForm,
    LossFeatureForm,
)
from tandem.competition.models import Competitor
from tandem.competition.permissions import CompetitionPermission
from tandem.competition.selectors import (
    battlecard_history,
    battlecard_of,
    battlecard_sections_changeable,
    closed_deals_against,
    competitor_changeable,
    competitor_for_change,
    competitor_get,
    competitor_product_for_change,
    competitor_visible,
    features_cited_in_losses,
    intel_feed,
    loss_feature_for_change,
    win_rate_by_quarter,
)
from tandem.core.api import StaleVersion
from tandem.core.fiscal import FiscalQuarter, fiscal_quarter_of
from tandem.core.forms import bootstrap, remote_options
from tandem.core.http import PageRequest
from tandem.core.listing import active_filters, page_number
from tandem.core.money import workspace_get
from tandem.core.permissions import has_permission, require
from tandem.product.selectors import feature_visible
from tandem.sales.selectors import account_get, opportunity_get

P = CompetitionPermission
QUARTERS = 8
FEED_PAGE = 25


def _quarters() -> tuple[FiscalQuarter, FiscalQuarter, int]:
    start_month = workspace_get().fiscal_year_start_month
    last = fiscal_quarter_of(timezone.localdate(), start_month)
    first = last
    for _ in range(QUARTERS - 1):
        first = first.previous()
    return first, last, start_month


def _deals_url(competitor_id: int, first: datetime.date, last: datetime.date) -> str:
    """The deal list behind a point of the chart: the closed deals naming the competitor in the quarter."""
    query = f"?competitor={competitor_id}&status=closed&close_date_from={first}&close_date_to={last}"
    return reverse("sales:opportunity_list") + query


def _chart(user: Any, competitor: Competitor | None = None) -> dict[str, Any]:
    first, last, start_month = _quarters()
    rows = win_rate_by_quarter(
        user=user, first=first, last=last, start_month=start_month, competitor_id=competitor.pk if competitor else None
    )
    quarters = [first]
    while quarters[-1] < last:
        quarters.append(quarters[-1].next())
    return {
        "quarters": [str(q) for q in quarters],
        "series": [
            {
                "name": row.name,
                "points": [
                    {
                        "rate": None if q.rate is None else round(float(q.rate) * 100, 1),
                        "won": q.won,
                        "lost": q.lost,
                        "url": _deals_url(row.competitor_id, *q.quarter.bounds(start_month)),
                    }
                    for q in row.quarters
                ],
            }
            for row in rows[:10]
        ],
    }


@require_GET
def competitor_list(request: PageRequest) -> HttpResponse:
    require(request.user, P.VIEW_COMPETITION)
    competitors = list(competitor_visible(user=request.user).order_by("name"))
    return render(
        request,
        "competition/competitor_list.html",
        {
            "competitors": competitors,
            "chart": _chart(request.user) if has_permission(request.user, P.VIEW_INTEL) else None,
            "can_create": has_permission(request.user, P.EDIT_COMPETITORS),
        },
    )


@require_http_methods(["GET", "POST"])
def competitor_create(request: PageRequest) -> HttpResponse:
    require(request.user, P.EDIT_COMPETITORS)
    form = CompetitorForm(request.POST if request.method == "POST" else None)
    status = 200
    if form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("name", "website", "positioning", "pricing")}
        try:
            competitor = services.competitor_create(actor=request.user, **data)
        except ValidationError as error:
            form.add_service_error(error)
            status = 422
        else:
            messages.success(request, f"Competitor “{competitor.name}” added.")
            return redirect("competition:competitor_detail", pk=competitor.pk)
    elif request.method == "POST":
        status = 422
    return render(request, "competition/competitor_form.html", {"form": form}, status=status)


def _battlecard_context(
    request: PageRequest, competitor: Competitor, form: BattlecardForm | None = None
) -> dict[str, Any]:
    card = battlecard_of(user=request.user, competitor=competitor)
    sections = (
        battlecard_sections_changeable(user=request.user)
        if has_permission(request.user, P.EDIT_BATTLECARD)
        else frozenset()
    )
    version = card.version if card else 1
    if sections and form is None:
        initial = {name: getattr(card, name) if card else "" for name in sections}
        form = BattlecardForm(initial={**initial, "version": version}, sections=sections)
    return {
        "competitor": competitor,
        "card": card,
        "battlecard_form": form if sections else None,
        "history": list(battlecard_history(user=request.user, competitor=competitor)[:20]),
    }


@require_GET
def competitor_detail(request: PageRequest, pk: int) -> HttpResponse:
    require(request.user, P.VIEW_COMPETITION)
    competitor = competitor_get(user=request.user, pk=pk)
    can_edit = competitor_changeable(user=request.user).filter(pk=competitor.pk).exists()
    sees_deals = has_permission(request.user, P.VIEW_INTEL)
    context = {
        **_battlecard_context(request, competitor),
        "products": list(competitor.products.all()),
        "can_edit": can_edit,
        "product_form": CompetitorProductForm() if can_edit else None,
        "intel": list(intel_feed(user=request.user, competitor=competitor)[:10]) if sees_deals else None,
        "deals": list(closed_deals_against(user=request.user, competitor=competitor)[:20]) if sees_deals else None,
        "cited": features_cited_in_losses(user=request.user, competitor=competitor)[:10] if sees_deals else None,
        "chart": _chart(request.user, competitor) if sees_deals else None,
        "home_currency": workspace_get().home_currency,
    }
    return render(request, "competition/competitor_detail.html", context)


@require_http_methods(["GET", "POST"])
def competitor_update(request: PageRequest, pk: int) -> HttpResponse:
    require(request.user, P.EDIT_COMPETITORS)
    competitor = competitor_for_change(user=request.user, pk=pk)
    initial = {k: getattr(competitor, k) for k in ("name", "website", "positioning", "pricing", "version")}
    form = CompetitorForm(request.POST if request.method == "POST" else None, initial=initial)
    status = 200
    if form.is_valid():
        data = {k: form.cleaned_data[k] for k in ("name", "website", "positioning", "pricing")}
        try:
            services.competitor_update(
                actor=request.user, competitor=competitor, expected_version=form.cleaned_data["version"] or 0, data=data
            )
        except StaleVersion:
            form.add_error(None, services.STALE_COMPETITOR)
            status = 409
        except ValidationError as error:
            form.add_service_error(error)
            status = 422
        else:
            messages.success(request, "Competitor saved.")
            return redirect("competition:competitor_detail", pk=competitor.pk)
    elif request.method == "POST":
        status = 422
    return render(request, "competition/competitor_form.html", {"form": form, "competitor": competitor}, status=status)


@require_POST
def product_create(request: PageRequest, pk: int) -> HttpResponse:
    require(request.user, P.EDIT_COMPETITORS)
    competitor = competitor_for_change(user=request.user, pk=pk)
    form = CompetitorProductForm(request.POST)
    if form.is_valid():
        try:
            services.competitor_product_create(actor=request.user, competitor=competitor, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Product added.")
            return redirect("competition:competitor_detail", pk=competitor.pk)
    refusal = " ".join(str(m) for ms in form.errors.values() for m in ms)
    messages.error(request, f"The product was not added: {refusal}")
    return redirect("competition:competitor_detail", pk=competitor.pk)


@require_POST
def product_delete(request: PageRequest, pk: int) -> HttpResponse:
    require(request.user, P.EDIT_COMPETITORS)
    product = competitor_product_for_change(user=request.user, pk=pk)
    services.competitor_product_delete(actor=request.user, product=product)
    messages.success(request, f"Product “{product.name}” removed.")
    return redirect("competition:competitor_detail", pk=product.competitor_id)


@require_POST
def battlecard_update(request: PageRequest, pk: int) -> HttpResponse:
    """Save the sections the user may change; htmx answers the battlecard section."""
    require(request.user, P.EDIT_BATTLECARD)
    competitor = competitor_get(user=request.user, pk=pk)
    sections = battlecard_sections_changeable(user=request.user)
    form = BattlecardForm(request.POST, sections=sections)
    status = 200
    if form.is_valid():
        try:
            services.battlecard_update(
                actor=request.user,
                competitor=competitor,
                expected_version=form.cleaned_data["version"],
                sections={name: form.cleaned_data[name] for name in sections},
            )
        except StaleVersion:
            form.add_error(None, services.STALE_BATTLECARD)
            status = 409
        except ValidationError as error:
            form.add_service_error(error)
            status = 422
        else:
            if not request.htmx:
                messages.success(request, "Battlecard saved.")
                return redirect("competition:competitor_detail", pk=competitor.pk)
            form = None  # type: ignore[assignment]
    else:
        status = 422
    context = _battlecard_context(request, competitor, form)
    context["saved"] = status == 200
    return render(request, "competition/partials/_battlecard.html", context, status=status)


@require_GET
def intel_list(request: PageRequest) -> HttpResponse:
    """The intel feed, newest first, filterable by competitor and day, paged."""
    require(request.user, P.VIEW_INTEL)
    filterset = FieldIntelFilter(request.GET or None, queryset=intel_feed(user=request.user), request=request)
    bootstrap(filterset.form)
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else intel_feed(user=request.user)
    number = page_number(request.GET.get("page"), per_page=FEED_PAGE)
    page = list(rows[(number - 1) * FEED_PAGE : number * FEED_PAGE + 1])
    query = {k: v for k, v in request.GET.items() if k != "page"}
    return render(
        request,
        "competition/intel_list.html",
        {
            "form": filterset.form,
            "intel": page[:FEED_PAGE],
            "number": number,
            "has_next": len(page) > FEED_PAGE,
            "query": query,
            "filtered": bool(active_filters(filterset)),
            "home_currency": workspace_get().home_currency,
        },
    )


@require_POST
def intel_log(request: PageRequest, pk: int) -> HttpResponse:
    """Log intel from a deal page (htmx answers the deal's competition card)."""
    require(request.user, P.LOG_INTEL)
    deal = opportunity_get(user=request.user, pk=pk)
    form = FieldIntelForm(request.POST, competitors=competitor_visible(user=request.user))
    status = 200
    if form.is_valid():
        try:
            services.field_intel_log(actor=request.user, opportunity=deal, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
            status = 422
        else:
            form = None  # type: ignore[assignment]
    else:
        status = 422
    if not request.htmx:
        if status == 200:
            messages.success(request, "Intel logged.")
        else:
            messages.error(
                request, "The intel was not logged: " + " ".join(str(m) for ms in form.errors.values() for m in ms)
            )
        return redirect("sales:opportunity_detail", pk=deal.pk)
    from tandem.competition.templatetags.competition import deal_competition_context

    context = deal_competition_context(request.user, deal, intel_form=form)
    context["logged"] = status == 200
    return render(request, "competition/partials/_deal_competition.html", context, status=status)


@require_POST
def intel_log_account(request: PageRequest, pk: int) -> HttpResponse:
    """Log intel heard at an account, not on one deal (htmx answers the account's competition card)."""
    require(request.user, P.LOG_INTEL)
    account = account_get(user=request.user, pk=pk)
    form: FieldIntelForm | None = FieldIntelForm(request.POST, competitors=competitor_visible(user=request.user))
    assert form is not None
    status = 200
    if form.is_valid():
        try:
            services.field_intel_log(actor=request.user, account=account, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
            status = 422
        else:
            form = None
    else:
        status = 422
    if not request.htmx:
        if form is None:
            messages.success(request, "Intel logged.")
        else:
            messages.error(
                request, "The intel was not logged: " + " ".join(str(m) for ms in form.errors.values() for m in ms)
            )
        return redirect("sales:account_detail", pk=account.pk)
    from tandem.competition.templatetags.competition import account_competition_context

    context = account_competition_context(request.user, account, intel_form=form)
    context["logged"] = status == 200
    return render(request, "competition/partials/_account_competition.html", context, status=status)


@require_POST
def loss_feature_cite(request: PageRequest, pk: int) -> HttpResponse:
    require(request.user, P.CITE_LOSS_FEATURES)
    deal = opportunity_get(user=request.user, pk=pk)
    form = LossFeatureForm(request.POST, features=feature_visible(user=request.user))
    if form.is_valid():
        try:
            services.loss_feature_cite(actor=request.user, opportunity=deal, feature=form.cleaned_data["feature"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Feature cited in the loss.")
    else:
        messages.error(request, "Choose a feature you can see.")
    return redirect("sales:opportunity_detail", pk=deal.pk)


@require_POST
def loss_feature_withdraw(request: PageRequest, pk: int) -> HttpResponse:
    require(request.user, P.CITE_LOSS_FEATURES)
    citation = loss_feature_for_change(user=request.user, pk=pk)
    services.loss_feature_withdraw(actor=request.user, citation=citation)
    messages.success(request, "Feature no longer cited.")
    return redirect("sales:opportunity_detail", pk=citation.opportunity_id)


@require_GET
def feature_options(request: PageRequest) -> JsonResponse:
    """The features a loss can cite, searched by title as the user types."""
    require(request.user, P.CITE_LOSS_FEATURES)
    q = request.GET.get("q", "")[:100].replace("\x00", "")
    rows = feature_visible(user=request.user).filter(title__icontains=q).order_by("title")[:20]
    return remote_options(rows, label=lambda feature: feature.title)
