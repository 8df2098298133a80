"""Pages of the pipeline: deals (opportunities), accounts, contacts and quotas.

Each view checks the permission, fetches through the visibility selector, calls one service and
renders. Lists return only the `#list` region to htmx requests, from the same view.
"""

import datetime
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.asks.views import ask_section
from tandem.core.api import StaleVersion
from tandem.core.fiscal import FiscalQuarter, fiscal_quarter_of
from tandem.core.forms import bootstrap, remote_options
from tandem.core.http import PageRequest
from tandem.core.listing import Column, active_filters, list_page, list_totals, wants_totals
from tandem.core.money import workspace_get
from tandem.core.permissions import has_permission, require
from tandem.people.models import User
from tandem.sales import services
from tandem.sales.filters import AccountFilter, OpportunityFilter, owner_choices
from tandem.sales.forms import AccountForm, BoardColumnForm, ContactForm, OpportunityForm, OpportunityMoveForm
from tandem.sales.models import Quota
from tandem.sales.permissions import SalesPermission
from tandem.sales.selectors import (
    WEIGHTED,
    account_changeable,
    account_for_change,
    account_get,
    account_visible,
    board_column_cards,
    board_columns,
    board_deals,
    contact_for_change,
    contact_visible,
    opportunity_changeable,
    opportunity_for_change,
    opportunity_get,
    opportunity_rows,
    opportunity_visible,
    quota_visible,
    stage_change_visible,
)

P = SalesPermission
OPEN = Q(stage__is_won=False, stage__is_lost=False)


def _list_template(request: PageRequest, name: str) -> str:
    return f"sales/partials/_{name}.jinja" if request.htmx else f"sales/{name}.html"


# Deals

OPPORTUNITY_COLUMNS = [
    Column("name", "Deal", order=["name"]),
    Column("account", "Account"),
    Column("owner", "Owner"),
    Column("stage", "Stage", order=["stage__order"]),
    Column("amount", "Amount", order=["amount_home"], numeric=True),
    Column("close_date", "Close date", order=["close_date"]),
    Column("forecast_category", "Forecast"),
]


@require_GET
def opportunity_list(request: PageRequest) -> HttpResponse:
    require(request.user, P.VIEW_PIPELINE)
    deals = opportunity_rows(user=request.user)
    filters = request.GET.copy()
    # People open the deal list to work their pipeline: open deals, closing soonest first, unless
    # they choose a status ("Any status" sends it empty).
    filters.setdefault("status", "open")
    filterset = OpportunityFilter(filters, queryset=deals, request=request)
    bootstrap(filterset.form)
    if wants_totals(request):
        sums = {"in amount": ("amount_home", "amount"), "weighted": (WEIGHTED, "weighted")}
        return render(
            request, "core/partials/_list_totals.html", {"totals": list_totals(filterset.qs, noun="deal", sums=sums)}
        )
    page = list_page(request, filterset.qs, columns=OPPORTUNITY_COLUMNS, default_sort="close_date")
    context = {
        "page": page,
        "columns": OPPORTUNITY_COLUMNS,
        "filter": filterset,
        "filtered": any(key != "status" or "status" in request.GET for key in active_filters(filterset)),
        "open_only": "status" not in request.GET,
        "home_currency": workspace_get().home_currency,
        "can_edit": has_permission(request.user, P.EDIT_PIPELINE),
    }
    return render(request, _list_template(request, "opportunity_list"), context)


# The board: the same deals as cards in stage columns, moved by dragging (static/js/board.js).


def _board_deals(request: PageRequest) -> tuple[Any, OpportunityFilter]:
    """The deals the board shows, filtered as the list is (search, owner, close dates), and the filters."""
    start_month = workspace_get().fiscal_year_start_month
    first_day, _ = fiscal_quarter_of(timezone.localdate(), start_month).bounds(start_month)
    since = timezone.make_aware(datetime.datetime.combine(first_day, datetime.time.min))
    filterset = OpportunityFilter(request.GET, queryset=opportunity_rows(user=request.user), request=request)
    bootstrap(filterset.form)
    return board_deals(filterset.qs, closed_since=since), filterset


def _movable(user: User, deals: list[Any]) -> set[int]:
    """Which of these cards the user may drag: the deals theirs to change."""
    return set(
        opportunity_changeable(user=user).filter(pk__in=[deal.pk for deal in deals]).values_list("pk", flat=True)
    )


def _board_context(request: PageRequest, **extra: Any) -> dict[str, Any]:
    deals, filterset = _board_deals(request)
    columns = board_columns(deals)
    cards = [deal for column in columns for deal in column.cards]
    return {
        "columns": columns,
        "filter": filterset,
        "query": request.GET.urlencode(),
        "movable": _movable(request.user, cards),
        "today": timezone.localdate(),
        "move_form": OpportunityMoveForm(user=request.user),
        "home_currency": workspace_get().home_currency,
        "can_edit": has_permission(request.user, P.EDIT_PIPELINE),
        **extra,
    }


@require_GET
def board(request: PageRequest) -> HttpResponse:
    require(request.user, P.VIEW_PIPELINE)
    template = "sales/partials/_board.html" if request.htmx else "sales/board.html"
    return render(request, template, _board_context(request))


@require_GET
def board_column(request: PageRequest) -> HttpResponse:
    """The next cards of one column ("Show more"), with the board's filters."""
    require(request.user, P.VIEW_PIPELINE)
    form = BoardColumnForm(request.GET)
    if not form.is_valid():
        raise Http404("No such column.")
    deals, _ = _board_deals(request)
    after = form.cleaned_data["after"]
    cards = board_column_cards(deals, stage=form.cleaned_data["stage"], after=after)
    shown = after + len(cards)
    context = {
        "column": {"stage": form.cleaned_data["stage"]},
        "cards": cards,
        "shown": shown,
        "remaining": deals.filter(stage=form.cleaned_data["stage"]).count() - shown,
        "today": timezone.localdate(),
        "query": request.GET.urlencode(),
        "movable": _movable(request.user, cards),
        "home_currency": workspace_get().home_currency,
    }
    return render(request, "sales/partials/_board_cards.html", context)


@require_POST
def opportunity_move(request: PageRequest, pk: int) -> HttpResponse:
    """A card dropped on another column. Answers the whole board again, as it now is, with what
    happened: moved, or why not (a stale card, a missing loss reason), so nothing on it goes stale."""
    require(request.user, P.EDIT_PIPELINE)
    deal = opportunity_for_change(user=request.user, pk=pk)
    form = OpportunityMoveForm(request.POST, user=request.user)
    status, notice, error = 200, "", ""
    if not form.is_valid():
        status, error = 422, _first_error(form.errors)
    else:
        try:
            deal = services.opportunity_move_stage(
                actor=request.user,
                opportunity=deal,
                expected_version=form.cleaned_data["version"],
                stage=form.cleaned_data["stage"],
                loss_reason=form.cleaned_data["loss_reason"],
                competitor=form.cleaned_data["competitor"],
            )
        except StaleVersion:
            status, error = 409, f"Someone changed “{deal.name}” since the board was loaded; it now shows it as it is."
        except ValidationError as exc:
            form.add_service_error(exc)
            status, error = 422, _first_error(form.errors)
        else:
            notice = f"Moved “{deal.name}” to {deal.stage.name}."
    context = _board_context(request, notice=notice, error=error)
    return render(request, "sales/partials/_board.html", context, status=status)


def _first_error(errors: Any) -> str:
    return next((str(message) for messages_ in errors.values() for message in messages_), "The move was refused.")


@require_GET
def opportunity_detail(request: PageRequest, pk: int) -> HttpResponse:
    require(request.user, P.VIEW_PIPELINE)
    deal = opportunity_get(user=request.user, pk=pk)
    history = (
        stage_change_visible(user=request.user)
        .filter(opportunity=deal)
        .select_related("from_stage", "to_stage", "changed_by")
        .order_by("-changed_at", "-id")[:50]
    )
    context = {
        "deal": deal,
        "history": history,
        **ask_section(user=request.user, account=deal.account, deal=deal),
        "home_currency": workspace_get().home_currency,
        "can_edit": opportunity_changeable(user=request.user).filter(pk=deal.pk).exists(),
    }
    return render(request, "sales/opportunity_detail.html", context)


@require_http_methods(["GET", "POST"])
def opportunity_create(request: PageRequest) -> HttpResponse:
    require(request.user, P.EDIT_PIPELINE)
    account = None
    if request.GET.get("account"):
        try:
            account = account_get(user=request.user, pk=int(request.GET["account"]))
        except ValueError as exc:
            raise Http404 from exc
    form = OpportunityForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        account=account,
        initial={"currency": workspace_get().home_currency},
    )
    if form.is_valid():
        try:
            deal = services.opportunity_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Deal “{deal.name}” created.")
            return redirect("sales:opportunity_detail", pk=deal.pk)
    return render(request, "sales/opportunity_form.html", {"form": form, "account": account})


@require_http_methods(["GET", "POST"])
def opportunity_update(request: PageRequest, pk: int) -> HttpResponse:
    require(request.user, P.EDIT_PIPELINE)
    deal = opportunity_for_change(user=request.user, pk=pk)
    form = OpportunityForm(request.POST if request.method == "POST" else None, instance=deal, user=request.user)
    status = 200
    if form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.changed_data if name != "version"}
        stage = data.get("stage", deal.stage)
        # A cleared probability or forecast category means "the stage's default".
        if data.get("probability", 0) is None:
            data["probability"] = stage.default_probability
        if data.get("forecast_category") == "":
            data["forecast_category"] = stage.forecast_category
        try:
            deal = services.opportunity_update(
                actor=request.user, opportunity=deal, expected_version=form.cleaned_data["version"] or 0, data=data
            )
        except StaleVersion:
            form.add_error(None, services.STALE_DEAL)
            status = 409
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Deal “{deal.name}” saved.")
            return redirect("sales:opportunity_detail", pk=deal.pk)
    return render(request, "sales/opportunity_form.html", {"form": form, "deal": deal}, status=status)


@require_http_methods(["GET", "POST"])
def opportunity_delete(request: PageRequest, pk: int) -> HttpResponse:
    require(request.user, P.EDIT_PIPELINE)
    deal = opportunity_for_change(user=request.user, pk=pk)
    if request.method == "POST":
        services.opportunity_delete(actor=request.user, opportunity=deal)
        messages.success(request, f"Deal “{deal.name}” deleted.")
        return redirect("sales:opportunity_list")
    cancel_url = reverse("sales:opportunity_detail", args=[deal.pk])
    return render(request, "sales/confirm_delete.html", {"object": deal, "kind": "deal", "cancel_url": cancel_url})


# Accounts

ACCOUNT_COLUMNS = [
    Column("name", "Account", order=["name"]),
    Column("owner", "Owner"),
    Column("segment", "Segment"),
    Column("status", "Status"),
    Column("region", "Region"),
    Column("annual_revenue", "Annual revenue", order=["annual_revenue"], numeric=True),
]


# The searchable selects (core.forms.RemoteSelect) ask these as the user types.
OPTIONS_SHOWN = 20


@require_GET
def account_options(request: PageRequest) -> HttpResponse:
    """Accounts the user sees whose name contains `q`: the account picker of the deal form."""
    require(request.user, P.VIEW_PIPELINE)
    accounts = account_visible(user=request.user).filter(name__icontains=request.GET.get("q", "").strip())
    return remote_options(accounts.only("id", "name").order_by("name", "id")[:OPTIONS_SHOWN])


@require_GET
def owner_options(request: PageRequest) -> HttpResponse:
    """The people the lists may be filtered by whose name contains `q`: the deal lists' owner filter
    and the ask lists' rep filter. Open to everyone signed in (engineering leads filter asks by rep):
    it answers only names, of the people `owner_choices` already limits to what the user may see."""
    words = request.GET.get("q", "").split()
    people = owner_choices(request)
    for word in words:
        people = people.filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word) | Q(username__icontains=word)
        )
    return remote_options(people.order_by("first_name", "last_name", "id")[:OPTIONS_SHOWN])


@require_GET
def account_list(request: PageRequest) -> HttpResponse:
    require(request.user, P.VIEW_PIPELINE)
    accounts = account_visible(user=request.user).select_related("owner")
    filterset = AccountFilter(request.GET, queryset=accounts, request=request)
    bootstrap(filterset.form)
    if wants_totals(request):
        sums = {"in annual revenue": ("annual_revenue", "revenue")}
        totals = list_totals(filterset.qs, noun="account", sums=sums)
        return render(request, "core/partials/_list_totals.html", {"totals": totals})
    page = list_page(request, filterset.qs, columns=ACCOUNT_COLUMNS, default_sort="name")
    context = {
        "page": page,
        "columns": ACCOUNT_COLUMNS,
        "filter": filterset,
        "filtered": bool(active_filters(filterset)),
        "home_currency": workspace_get().home_currency,
        "can_edit": has_permission(request.user, P.EDIT_PIPELINE),
    }
    return render(request, _list_template(request, "account_list"), context)


ACCOUNT_DEALS_SHOWN = 50


@require_GET
def account_detail(request: PageRequest, pk: int) -> HttpResponse:
    require(request.user, P.VIEW_PIPELINE)
    account = account_get(user=request.user, pk=pk)
    deals = opportunity_visible(user=request.user).filter(account=account)
    shown = list(deals.select_related("owner", "stage").order_by("close_date", "id")[: ACCOUNT_DEALS_SHOWN + 1])
    context = {
        "account": account,
        "deals": shown[:ACCOUNT_DEALS_SHOWN],
        "more_deals": len(shown) > ACCOUNT_DEALS_SHOWN,
        "open_pipeline": deals.filter(OPEN).aggregate(total=Sum("amount_home"))["total"] or Decimal("0"),
        "contacts": contact_visible(user=request.user).filter(account=account)[:100],
        **ask_section(user=request.user, account=account),
        "home_currency": workspace_get().home_currency,
        "can_edit": account_changeable(user=request.user).filter(pk=account.pk).exists(),
    }
    return render(request, "sales/account_detail.html", context)


@require_http_methods(["GET", "POST"])
def account_create(request: PageRequest) -> HttpResponse:
    require(request.user, P.EDIT_PIPELINE)
    form = AccountForm(request.POST if request.method == "POST" else None, user=request.user)
    if form.is_valid():
        data = dict(form.cleaned_data)
        territory = data.pop("territory")
        try:
            account = services.account_create(
                actor=request.user, territory_id=territory.pk if territory else None, **data
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Account “{account.name}” created.")
            return redirect("sales:account_detail", pk=account.pk)
    return render(request, "sales/account_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def account_update(request: PageRequest, pk: int) -> HttpResponse:
    require(request.user, P.EDIT_PIPELINE)
    account = account_for_change(user=request.user, pk=pk)
    form = AccountForm(request.POST if request.method == "POST" else None, instance=account, user=request.user)
    status = 200
    if form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.changed_data if name != "version"}
        try:
            account = services.account_update(
                actor=request.user, account=account, expected_version=form.cleaned_data["version"] or 0, data=data
            )
        except StaleVersion:
            form.add_error(None, services.STALE_ACCOUNT)
            status = 409
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Account “{account.name}” saved.")
            return redirect("sales:account_detail", pk=account.pk)
    return render(request, "sales/account_form.html", {"form": form, "account": account}, status=status)


@require_http_methods(["GET", "POST"])
def account_delete(request: PageRequest, pk: int) -> HttpResponse:
    require(request.user, P.EDIT_PIPELINE)
    account = account_for_change(user=request.user, pk=pk)
    error = None
    if request.method == "POST":
        try:
            services.account_delete(actor=request.user, account=account)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"Account “{account.name}” deleted.")
            return redirect("sales:account_list")
    context = {
        "object": account,
        "kind": "account",
        "cancel_url": reverse("sales:account_detail", args=[account.pk]),
        "error": error,
    }
    return render(request, "sales/confirm_delete.html", context, status=409 if error else 200)


# Contacts


@require_http_methods(["GET", "POST"])
def contact_create(request: PageRequest, pk: int) -> HttpResponse:
    require(request.user, P.EDIT_PIPELINE)
    account = account_for_change(user=request.user, pk=pk)
    form = ContactForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            contact = services.contact_create(actor=request.user, account=account, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"{contact} added to {account}.")
            return redirect("sales:account_detail", pk=account.pk)
    return render(request, "sales/contact_form.html", {"form": form, "account": account})


@require_http_methods(["GET", "POST"])
def contact_update(request: PageRequest, pk: int) -> HttpResponse:
    require(request.user, P.EDIT_PIPELINE)
    contact = contact_for_change(user=request.user, pk=pk)
    form = ContactForm(request.POST if request.method == "POST" else None, instance=contact)
    if form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.contact_update(actor=request.user, contact=contact, data=data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, "Contact saved.")
            return redirect("sales:account_detail", pk=contact.account_id)
    return render(request, "sales/contact_form.html", {"form": form, "account": contact.account, "contact": contact})


@require_http_methods(["GET", "POST"])
def contact_delete(request: PageRequest, pk: int) -> HttpResponse:
    require(request.user, P.EDIT_PIPELINE)
    contact = contact_for_change(user=request.user, pk=pk)
    if request.method == "POST":
        services.contact_delete(actor=request.user, contact=contact)
        messages.success(request, f"{contact} removed.")
        return redirect("sales:account_detail", pk=contact.account_id)
    context = {
        "object": contact,
        "kind": "contact",
        "cancel_url": reverse("sales:account_detail", args=[contact.account_id]),
    }
    return render(request, "sales/confirm_delete.html", context)


# Quotas

QUOTA_COLUMNS = [
    Column("quarter", "Quarter", order=["fiscal_year", "fiscal_quarter"]),
    Column("who", "Rep or team"),
    Column("amount", "Quota", order=["amount"], numeric=True),
    Column("won", "Won", numeric=True),
    Column("attainment", "Attainment", numeric=True),
]


def _quota_rows(user: User, quotas: list[Quota]) -> list[dict[str, Any]]:
    """Each quota with the won amount in its quarter (deals won with a close date in it), summed in one
    query for the whole page: one filtered SUM per quota."""
    if not quotas:
        return []
    start_month = workspace_get().fiscal_year_start_month
    sums = {}
    for quota in quotas:
        first, last = FiscalQuarter(quota.fiscal_year, quota.fiscal_quarter).bounds(start_month)
        who = Q(owner_id=quota.user_id) if quota.user_id else Q(owner__team_id=quota.team_id)
        sums[f"q{quota.pk}"] = Sum("amount_home", filter=who & Q(close_date__gte=first, close_date__lte=last))
    won = opportunity_visible(user=user).filter(stage__is_won=True).aggregate(**sums)
    rows = []
    for quota in quotas:
        amount = won[f"q{quota.pk}"] or Decimal("0")
        percent = int(amount * 100 / quota.amount) if quota.amount else None
        rows.append({"quota": quota, "won": amount, "percent": percent})
    return rows


@require_GET
def quota_list(request: PageRequest) -> HttpResponse:
    require(request.user, P.VIEW_QUOTAS)
    quotas = quota_visible(user=request.user).select_related("user", "team")
    page = list_page(request, quotas, columns=QUOTA_COLUMNS, default_sort="-quarter")
    context = {
        "page": page,
        "columns": QUOTA_COLUMNS,
        "rows": _quota_rows(request.user, page.rows),
        "home_currency": workspace_get().home_currency,
    }
    return render(request, _list_template(request, "quota_list"), context)
