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
from django.http import Http404, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.activities.selectors import deal_is_quiet
from tandem.asks.views import ask_section
from tandem.competition.selectors import competitor_visible
from tandem.core import formats
from tandem.core.api import StaleVersion
from tandem.core.exports import ExportField, export_list, person, wants_export
from tandem.core.fiscal import FiscalQuarter, day_start, fiscal_quarter_of
from tandem.core.forms import bootstrap, remote_options
from tandem.core.http import PageRequest
from tandem.core.listing import PER_PAGE, Column, active_filters, list_page, list_totals, wants_totals
from tandem.core.money import workspace_get
from tandem.core.permissions import has_permission, require
from tandem.core.selectors import saved_views_of
from tandem.people.models import User
from tandem.sales import services
from tandem.sales.filters import AccountFilter, OpportunityFilter, owner_choices
from tandem.sales.forms import (
    AccountForm,
    BoardColumnForm,
    ContactForm,
    DealContactForm,
    DealRowForm,
    NextStepForm,
    OpportunityForm,
    OpportunityMoveForm,
)
from tandem.sales.models import Opportunity, Quota
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
    deal_contact_for_change,
    deal_contact_rows,
    opportunity_changeable,
    opportunity_for_change,
    opportunity_get,
    opportunity_rows,
    opportunity_visible,
    quota_visible,
    stage_visible,
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

OPPORTUNITY_EXPORT = [
    ExportField("Deal id", lambda deal: deal.pk),
    ExportField("Deal", lambda deal: deal.name),
    ExportField("Account id", lambda deal: deal.account_id),
    ExportField("Account", lambda deal: deal.account.name),
    ExportField("Owner", lambda deal: person(deal.owner)),
    ExportField("Stage", lambda deal: deal.stage.name),
    ExportField("Amount", lambda deal: deal.amount),
    ExportField("Currency", lambda deal: deal.currency),
    ExportField("Amount (home currency)", lambda deal: deal.amount_home),
    ExportField("Probability (%)", lambda deal: deal.probability),
    ExportField("Forecast category", lambda deal: deal.get_forecast_category_display()),
    ExportField("Type", lambda deal: deal.get_type_display()),
    ExportField("Lead source", lambda deal: deal.get_lead_source_display()),
    ExportField("Close date", lambda deal: deal.close_date),
    ExportField("Next step", lambda deal: deal.next_step),
    ExportField("Next step due", lambda deal: deal.next_step_date),
    ExportField("Competitor", lambda deal: deal.competitor.name if deal.competitor else ""),
    ExportField("Loss reason", lambda deal: deal.get_loss_reason_display()),
    ExportField("Created", lambda deal: deal.created_at),
    ExportField("Closed", lambda deal: deal.closed_at),
    ExportField("Last activity", lambda deal: deal.last_activity_at),
]


@require_GET
def opportunity_list(request: PageRequest) -> HttpResponseBase:
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
    if wants_export(request):
        return export_list(
            request,
            filterset.qs,
            name="deals",
            fields=OPPORTUNITY_EXPORT,
            columns=OPPORTUNITY_COLUMNS,
            default_sort="close_date",
        )
    page = list_page(request, filterset.qs, columns=OPPORTUNITY_COLUMNS, default_sort="close_date")
    workspace = workspace_get()
    context = {
        "page": page,
        "columns": OPPORTUNITY_COLUMNS,
        "filter": filterset,
        "filtered": any(key != "status" or "status" in request.GET for key in active_filters(filterset)),
        "open_only": "status" not in request.GET,
        "home_currency": workspace.home_currency,
        "can_edit": has_permission(request.user, P.EDIT_PIPELINE),
        **_row_context(request.user, page.rows, workspace=workspace),
    }
    if not request.htmx:
        context["saved_views"] = saved_views_of(user=request.user, list_name="sales:opportunity_list")
    return render(request, _list_template(request, "opportunity_list"), context)


def _row_context(user: User, deals: list[Any], *, workspace: Any = None) -> dict[str, Any]:
    """What a deal row needs beyond the deal: which rows the user may edit inline (one query for the
    page), the moment before which a deal is quiet, and the stages to choose from."""
    workspace = workspace or workspace_get()
    editable = set()
    if deals and has_permission(user, P.EDIT_PIPELINE):
        editable = set(
            opportunity_changeable(user=user).filter(pk__in=[deal.pk for deal in deals]).values_list("pk", flat=True)
        )
    return {
        "editable": editable,
        "quiet_before": timezone.now() - datetime.timedelta(days=workspace.stale_after_days),
        "stale_after_days": workspace.stale_after_days,
    }


# Inline edits of a deal row: its stage or close date, sent with the version the row showed.

ROW_FIELDS = ("stage", "close_date")


def _row(request: PageRequest, deal: Any, *, status: int = 200, **extra: Any) -> HttpResponse:
    deal = opportunity_rows(user=request.user).get(pk=deal.pk)
    context = {
        "deal": deal,
        "home_currency": workspace_get().home_currency,
        **_row_context(request.user, [deal]),
        **extra,
    }
    if extra.get("edit"):
        context["loss_reasons"] = Opportunity.LossReason.choices
        context["stages"] = list(stage_visible(user=request.user).order_by("order"))
        context["competitors"] = list(competitor_visible(user=request.user).order_by("name"))
    return render(request, "sales/partials/_opportunity_row.jinja", context, status=status)


@require_GET
def opportunity_row_edit(request: PageRequest, pk: int) -> HttpResponse:
    """The row with one of its cells (`?field=stage` or `close_date`) as a small form."""
    require(request.user, P.EDIT_PIPELINE)
    deal = opportunity_for_change(user=request.user, pk=pk)
    field = request.GET.get("field", "")
    if field not in ROW_FIELDS:
        raise Http404("No such column to edit.")
    return _row(request, deal, edit=field)


@require_http_methods(["GET", "POST"])
def opportunity_row(request: PageRequest, pk: int) -> HttpResponse:
    """GET: the row as the list shows it (Cancel). POST: save the cell; a stale row answers 409 with
    the deal as it now is and says so; a refusal (a lost stage without its reason) 422 with the form."""
    require(request.user, P.VIEW_PIPELINE)
    if request.method == "GET":
        return _row(request, opportunity_get(user=request.user, pk=pk))
    require(request.user, P.EDIT_PIPELINE)
    deal = opportunity_for_change(user=request.user, pk=pk)
    form = DealRowForm(request.POST, user=request.user)
    if not form.is_valid():
        field = request.POST.get("field") if request.POST.get("field") in ROW_FIELDS else "stage"
        return _row(request, deal, status=422, edit=field, form=form, error=_first_error(form.errors))
    field = form.cleaned_data["field"]
    data: dict[str, Any] = {field: form.cleaned_data[field]}
    if field == "stage" and form.cleaned_data["stage"].is_lost:
        if form.cleaned_data["loss_reason"]:
            data["loss_reason"] = form.cleaned_data["loss_reason"]
        if form.cleaned_data["competitor"] is not None:
            data["competitor"] = form.cleaned_data["competitor"]
    try:
        deal = services.opportunity_update(
            actor=request.user, opportunity=deal, expected_version=form.cleaned_data["version"], data=data
        )
    except StaleVersion:
        current = deal.stage.name if field == "stage" else formats.date_short(deal.close_date)
        message = f"Someone changed this deal since the list was loaded: it now reads {current}. Nothing was saved."
        return _row(request, deal, status=409, conflict=message)
    except ValidationError as exc:
        form.add_service_error(exc)
        return _row(request, deal, status=422, edit=field, form=form, error=_first_error(form.errors))
    return _row(request, deal, saved=field)


# The deal page: the rep's workspace.


def _deal_page_context(request: PageRequest, deal: Any) -> dict[str, Any]:
    """Everything the deal page shows beside the asks: next step, people, timeline, quiet warning."""
    from tandem.activities.views import activity_section  # activities builds on sales

    workspace = workspace_get()
    can_edit = opportunity_changeable(user=request.user).filter(pk=deal.pk).exists()
    account_contacts = (
        contact_visible(user=request.user).filter(account_id=deal.account_id).order_by("last_name", "first_name", "id")
    )
    context: dict[str, Any] = {
        "deal": deal,
        "home_currency": workspace.home_currency,
        "can_edit": can_edit,
        "stale_after_days": workspace.stale_after_days,
        "quiet": deal_is_quiet(deal=deal, stale_after_days=workspace.stale_after_days, now=timezone.now()),
        "deal_contacts": list(deal_contact_rows(user=request.user, deal=deal)),
        "today": timezone.localdate(),
        **activity_section(request, deal=deal, can_log=can_edit, contacts=account_contacts),
    }
    if can_edit:
        context["next_step_form"] = NextStepForm(
            initial={"next_step": deal.next_step, "next_step_date": deal.next_step_date, "version": deal.version}
        )
        on_deal = {row.contact_id for row in context["deal_contacts"]}
        context["deal_contact_form"] = DealContactForm(contacts=account_contacts.exclude(pk__in=on_deal))
    return context


def _next_step_form_as_it_is(deal: Any) -> NextStepForm:
    """The form bound to the deal's stored next step (so a refusal can be added to it)."""
    data = {"next_step": deal.next_step, "next_step_date": deal.next_step_date or "", "version": deal.version}
    form = NextStepForm(data)
    form.is_valid()
    return form


@require_POST
def opportunity_next_step(request: PageRequest, pk: int) -> HttpResponse:
    """Set the deal's next step and its date from the deal page; answers the card (htmx) or the page."""
    require(request.user, P.EDIT_PIPELINE)
    deal = opportunity_for_change(user=request.user, pk=pk)
    form = NextStepForm(request.POST)
    status, notice = 200, ""
    if form.is_valid():
        data = {"next_step": form.cleaned_data["next_step"], "next_step_date": form.cleaned_data["next_step_date"]}
        try:
            deal = services.opportunity_update(
                actor=request.user, opportunity=deal, expected_version=form.cleaned_data["version"], data=data
            )
        except StaleVersion:
            status = 409
            deal = opportunity_get(user=request.user, pk=pk)
            form = _next_step_form_as_it_is(deal)
            form.add_error(None, "Someone changed this deal since you opened it: here is its next step as it now is.")
        except ValidationError as exc:
            form.add_service_error(exc)
            status = 422
        else:
            notice = "Next step saved."
            form = NextStepForm(
                initial={"next_step": deal.next_step, "next_step_date": deal.next_step_date, "version": deal.version}
            )
    else:
        status = 422
    if not request.htmx:
        if status == 200:
            messages.success(request, notice)
        else:
            messages.error(request, _first_error(form.errors))
        return redirect("sales:opportunity_detail", pk=pk)
    context = {"deal": deal, "next_step_form": form, "can_edit": True, "notice": notice, "today": timezone.localdate()}
    return render(request, "sales/partials/_next_step.html", context, status=status)


def _deal_contacts_answer(request: PageRequest, deal: Any, *, form: Any = None, status: int = 200) -> HttpResponse:
    if not request.htmx:
        if status >= 400 and form is not None:
            messages.error(request, _first_error(form.errors))
        return redirect("sales:opportunity_detail", pk=deal.pk)
    rows = list(deal_contact_rows(user=request.user, deal=deal))
    contacts = contact_visible(user=request.user).filter(account_id=deal.account_id).order_by("last_name", "id")
    form = form or DealContactForm(contacts=contacts.exclude(pk__in=[row.contact_id for row in rows]))
    context = {"deal": deal, "deal_contacts": rows, "deal_contact_form": form, "can_edit": True}
    return render(request, "sales/partials/_deal_contacts.html", context, status=status)


@require_POST
def deal_contact_add(request: PageRequest, pk: int) -> HttpResponse:
    require(request.user, P.EDIT_PIPELINE)
    deal = opportunity_for_change(user=request.user, pk=pk)
    contacts = contact_visible(user=request.user).filter(account_id=deal.account_id)
    form = DealContactForm(request.POST, contacts=contacts)
    if not form.is_valid():
        return _deal_contacts_answer(request, deal, form=form, status=422)
    try:
        services.deal_contact_add(
            actor=request.user, opportunity=deal, contact=form.cleaned_data["contact"], role=form.cleaned_data["role"]
        )
    except ValidationError as exc:
        form.add_service_error(exc)
        return _deal_contacts_answer(request, deal, form=form, status=422)
    return _deal_contacts_answer(request, deal)


@require_POST
def deal_contact_remove(request: PageRequest, pk: int) -> HttpResponse:
    require(request.user, P.EDIT_PIPELINE)
    deal_contact = deal_contact_for_change(user=request.user, pk=pk)
    deal = opportunity_get(user=request.user, pk=deal_contact.opportunity_id)
    services.deal_contact_remove(actor=request.user, deal_contact=deal_contact)
    return _deal_contacts_answer(request, deal)


# The board: the same deals as cards in stage columns, moved by dragging (static/js/board.js).


def _board_deals(request: PageRequest) -> tuple[Any, OpportunityFilter]:
    """The deals the board shows, filtered as the list is (search, owner, close dates), and the filters."""
    start_month = workspace_get().fiscal_year_start_month
    first_day, _ = fiscal_quarter_of(timezone.localdate(), start_month).bounds(start_month)
    since = day_start(first_day)
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
        **_quiet_context(),
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
        **_quiet_context(),
        "home_currency": workspace_get().home_currency,
    }
    return render(request, "sales/partials/_board_cards.html", context)


def _quiet_context() -> dict[str, Any]:
    days = workspace_get().stale_after_days
    return {"quiet_before": timezone.now() - datetime.timedelta(days=days), "stale_after_days": days}


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
    context = {
        **_deal_page_context(request, deal),
        **ask_section(user=request.user, account=deal.account, deal=deal),
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

ACCOUNT_EXPORT = [
    ExportField("Account id", lambda account: account.pk),
    ExportField("Account", lambda account: account.name),
    ExportField("Owner", lambda account: person(account.owner)),
    ExportField("Industry", lambda account: account.industry),
    ExportField("Segment", lambda account: account.get_segment_display()),
    ExportField("Status", lambda account: account.get_status_display()),
    ExportField("Employees", lambda account: account.employees),
    ExportField("Region", lambda account: account.region),
    ExportField("Annual revenue (home currency)", lambda account: account.annual_revenue),
    ExportField("Created", lambda account: account.created_at),
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
def account_list(request: PageRequest) -> HttpResponseBase:
    require(request.user, P.VIEW_PIPELINE)
    accounts = account_visible(user=request.user).select_related("owner")
    filterset = AccountFilter(request.GET, queryset=accounts, request=request)
    bootstrap(filterset.form)
    if wants_totals(request):
        sums = {"in annual revenue": ("annual_revenue", "revenue")}
        totals = list_totals(filterset.qs, noun="account", sums=sums)
        return render(request, "core/partials/_list_totals.html", {"totals": totals})
    if wants_export(request):
        return export_list(
            request, filterset.qs, name="accounts", fields=ACCOUNT_EXPORT, columns=ACCOUNT_COLUMNS, default_sort="name"
        )
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

QUOTA_EXPORT = [
    ExportField("Quota id", lambda row: row["quota"].pk),
    ExportField("Fiscal year", lambda row: row["quota"].fiscal_year),
    ExportField("Fiscal quarter", lambda row: row["quota"].fiscal_quarter),
    ExportField("Rep", lambda row: person(row["quota"].user)),
    ExportField("Team", lambda row: row["quota"].team.name if row["quota"].team else ""),
    ExportField("Quota (home currency)", lambda row: row["quota"].amount),
    ExportField("Won (home currency)", lambda row: row["won"]),
    ExportField("Attainment (%)", lambda row: row["percent"]),
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
def quota_list(request: PageRequest) -> HttpResponseBase:
    require(request.user, P.VIEW_QUOTAS)
    quotas = quota_visible(user=request.user).select_related("user", "team")
    if wants_export(request):
        return export_list(
            request,
            quotas,
            name="quotas",
            fields=QUOTA_EXPORT,
            columns=QUOTA_COLUMNS,
            default_sort="-quarter",
            prepare=lambda chunk: _quota_rows(request.user, chunk),
            chunk_size=PER_PAGE,  # one SUM per quota in the chunk's query, as for a page
        )
    page = list_page(request, quotas, columns=QUOTA_COLUMNS, default_sort="-quarter")
    context = {
        "page": page,
        "columns": QUOTA_COLUMNS,
        "rows": _quota_rows(request.user, page.rows),
        "home_currency": workspace_get().home_currency,
    }
    return render(request, _list_template(request, "quota_list"), context)
