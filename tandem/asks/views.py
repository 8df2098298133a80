"""Pages of asks: logging them from a deal or an account, the ask list and page, and the triage inbox.

Each view checks the permission, fetches through the visibility selectors, calls one service and
renders; htmx requests get the partial of the same view (the ask section, the triage panel).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseBase, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.asks import services
from tandem.asks.filters import AskFilter, AskInboxFilter
from tandem.asks.forms import AskForm, FeatureFromAskForm, LinkForm, MergeForm, feature_title_from
from tandem.asks.models import Ask
from tandem.asks.permissions import AsksPermission
from tandem.asks.selectors import (
    ask_after,
    ask_inbox,
    ask_inbox_count,
    ask_rows,
    ask_triage,
    ask_value_seen,
    triage_action_undoable,
    triage_action_visible,
)
from tandem.core.exports import ExportField, export_list, person, wants_export
from tandem.core.http import PageRequest
from tandem.core.listing import Column, active_filters, list_page, list_totals, sort_ordering, wants_totals
from tandem.core.money import workspace_get
from tandem.core.permissions import has_permission, require
from tandem.people.models import User
from tandem.product.selectors import feature_visible
from tandem.sales.models import Account, Opportunity
from tandem.sales.selectors import account_get, opportunity_get
from tandem.triage.suggestions import suggestions_for_text

ASK_COLUMNS = [
    Column("need", "Need"),
    Column("status", "Status"),
    Column("account", "Account"),
    Column("deal", "Deal"),
    Column("feature", "Feature"),
    Column("importance", "Importance", order=["importance"]),
    Column("value", "Value", order=["value_home"], numeric=True),
    Column("created", "Logged", order=["created_at"]),
]

INBOX_COLUMNS = [
    Column("need", "Ask"),
    Column("importance", "Importance"),
    Column("account", "Account"),
    Column("value", "Value", order=["value_home"], numeric=True),
    Column("rep", "Rep"),
    Column("created", "Logged", order=["created_at"]),
]
INBOX_SORT = "-created"


def _deal_shown(ask: Any) -> bool:
    """Whether the reader sees the ask's deal: a colleague's deal is only "a deal", not its name or amount."""
    return bool(ask.opportunity_id and ask.deal_seen)


ASK_EXPORT = [
    ExportField("Ask id", lambda ask: ask.pk),
    ExportField("Need", lambda ask: ask.need),
    ExportField("Why", lambda ask: ask.why),
    ExportField("Status", lambda ask: ask.get_loop_status_display()),
    ExportField("Importance", lambda ask: ask.get_importance_display()),
    ExportField("Source", lambda ask: ask.get_source_display()),
    ExportField("Account id", lambda ask: ask.account_id),
    ExportField("Account", lambda ask: ask.account.name),
    ExportField("Deal id", lambda ask: ask.opportunity_id if _deal_shown(ask) else None),
    ExportField(
        "Deal",
        lambda ask: ask.opportunity.name if _deal_shown(ask) else ("A colleague's deal" if ask.opportunity_id else ""),
    ),
    ExportField("Feature id", lambda ask: ask.feature_id),
    ExportField("Feature", lambda ask: ask.feature.title if ask.feature else ""),
    ExportField(
        "Value (home currency)", lambda ask: None if ask.opportunity_id and not ask.deal_seen else ask.value_home
    ),
    ExportField("Logged by", lambda ask: person(ask.requested_by)),
    ExportField("Logged", lambda ask: ask.created_at),
]

ASKS_SHOWN = 50
FEATURE_RESULTS = 8
SEARCH_MIN_LENGTH = 3


@require_GET
def ask_list(request: PageRequest) -> HttpResponseBase:
    """The asks this user may see, newest first, filtered by status (declined or deferred, not
    yet escalated…), product, importance, segment and rep; its totals come after (`?totals=1`)."""
    filterset = AskFilter(request.GET or None, queryset=ask_rows(user=request.user), request=request)
    if wants_totals(request):
        sums = {"of value": (ask_value_seen(user=request.user), "value")}
        totals = list_totals(filterset.qs, noun="ask", sums=sums)
        return render(request, "core/partials/_list_totals.html", {"totals": totals})
    if wants_export(request):
        return export_list(
            request, filterset.qs, name="asks", fields=ASK_EXPORT, columns=ASK_COLUMNS, default_sort="-created"
        )
    page = list_page(request, filterset.qs, columns=ASK_COLUMNS, default_sort="-created")
    context = {"page": page, "columns": ASK_COLUMNS, "filter": filterset, "filtered": bool(active_filters(filterset))}
    template = "asks/partials/_ask_list.jinja" if request.htmx else "asks/ask_list.html"
    return render(request, template, context)


def _ask_get(user: User, pk: int) -> Ask:
    return get_object_or_404(ask_rows(user=user).select_related("duplicate_of"), pk=pk)


# Logging an ask from a deal or an account page


@dataclass
class AskSection:
    """The "customer asks" section of a deal or account page: its asks and, for those who may log, the form."""

    account: Account
    deal: Opportunity | None
    asks: list[Ask]
    form: AskForm | None
    post_url: str
    message: str = ""


def ask_section(
    *, user: User, account: Account, deal: Opportunity | None = None, form: AskForm | None = None, message: str = ""
) -> dict[str, AskSection]:
    """The context of `asks/partials/_ask_section.html`, for the deal page (deal given) or the account page."""
    asks = ask_rows(user=user).filter(opportunity=deal) if deal else ask_rows(user=user).filter(account=account)
    may_log = has_permission(user, AsksPermission.LOG_ASK)
    if may_log and form is None:
        form = AskForm(user=user, account=account, deal=deal)
    place = {"opportunity": deal.pk} if deal else {"account": account.pk}
    section = AskSection(
        account=account,
        deal=deal,
        asks=list(asks.order_by("-created_at", "-id")[:ASKS_SHOWN]),
        form=form if may_log else None,
        post_url=f"{reverse('asks:ask_create')}?{urlencode(place)}",
        message=message,
    )
    return {"ask_section": section}


def _ask_place(request: PageRequest) -> tuple[Account, Opportunity | None]:
    """The deal (`?opportunity=`) or account (`?account=`) an ask is logged on; 404 unless the user sees it."""
    try:
        if "opportunity" in request.GET:
            deal = opportunity_get(user=request.user, pk=int(request.GET["opportunity"]))
            return deal.account, deal
        return account_get(user=request.user, pk=int(request.GET["account"])), None
    except (KeyError, ValueError) as exc:
        raise Http404("Log an ask from a deal or an account.") from exc


@require_http_methods(["GET", "POST"])
def ask_create(request: PageRequest) -> HttpResponse:
    """Log an ask. From the deal or account page through htmx: the section comes back with the new
    ask listed and an empty form, or with the errors beside their fields; no reload."""
    require(request.user, AsksPermission.LOG_ASK)
    account, deal = _ask_place(request)
    form: AskForm | None = AskForm(request.POST or None, user=request.user, account=account, deal=deal)
    message = ""
    if request.method == "POST" and form is not None and form.is_valid():
        data = form.cleaned_data
        try:
            ask = services.ask_create(
                actor=request.user,
                account=account,
                opportunity=data["opportunity"],
                need=data["need"],
                why=data["why"],
                importance=data["importance"],
                source=data["source"],
                feature=data["feature"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            message = _logged_message(ask)
            if not request.htmx:
                messages.success(request, message)
                if deal is not None:
                    return redirect("sales:opportunity_detail", deal.pk)
                return redirect("sales:account_detail", account.pk)
            form = None
    context = ask_section(user=request.user, account=account, deal=deal, form=form, message=message)
    template = "asks/partials/_ask_section.html" if request.htmx else "asks/ask_form.html"
    return render(request, template, context)


def _logged_message(ask: Ask) -> str:
    if ask.status == Ask.Status.LINKED:
        return f"Ask logged and linked to “{ask.feature}”."
    if ask.feature is not None:
        return f"Ask logged with “{ask.feature}” proposed; product will confirm it in triage."
    return "Ask logged. Product will triage it."


@require_GET
def feature_search(request: PageRequest) -> HttpResponse:
    """Features like the words typed, as the rep types (ask form) or the PM searches (triage panel, `?ask=`)."""
    text = request.GET.get("q", "").strip()
    ask = None
    if "ask" in request.GET:
        try:
            ask = _ask_get(request.user, int(request.GET["ask"]))
        except ValueError as exc:
            raise Http404 from exc
        require(request.user, AsksPermission.TRIAGE)
    results: list[Any] = []
    if len(text) >= SEARCH_MIN_LENGTH:
        found = {
            s.feature.pk: s
            for s in suggestions_for_text(user=request.user, text=text, limit=FEATURE_RESULTS, asks=False)
            if s.feature is not None
        }
        features = feature_visible(user=request.user).select_related("product").in_bulk(list(found))
        results = [(features[pk], s) for pk, s in found.items() if pk in features]
    context = {
        "results": results,
        "text": text,
        "too_short": len(text) < SEARCH_MIN_LENGTH,
        "ask": ask,
        "inbox_query": request.GET.get("inbox"),
    }
    return render(request, "asks/partials/_feature_results.html", context)


# The ask page and the triage inbox


def _panel_context(
    user: User,
    ask: Ask,
    *,
    inbox_query: str | None,
    message: str = "",
    level: str = "success",
    feature_form: FeatureFromAskForm | None = None,
    errors: list[str] | None = None,
) -> dict[str, Any]:
    """What the triage panel shows: the ask and, for triagers, the suggestions and the actions (and
    the undo of their own last action on it, while they may)."""
    can_triage = has_permission(user, AsksPermission.TRIAGE)
    context: dict[str, Any] = {
        "ask": ask,
        "undo": triage_action_undoable(user=user, ask=ask) if can_triage and ask.status != Ask.Status.NEW else None,
        "can_triage": can_triage,
        "inbox_query": inbox_query,
        "message": message,
        "level": level,
        "errors": errors or [],
        "home_currency": workspace_get().home_currency,
    }
    if context["can_triage"] and ask.status != Ask.Status.MERGED:
        triage = ask_triage(user=user, ask=ask, limit=5)
        suggestions = triage.suggestions
        if feature_form is None:
            # The product of the rep's pick or of the best suggested feature is the likeliest home.
            guess = ask.feature or next((s.feature for s in suggestions if s.feature is not None), None)
            initial = {"title": feature_title_from(ask.need), "product": guess.product_id if guess else None}
            feature_form = FeatureFromAskForm(user=user, initial=initial)
        context.update(suggestions=suggestions, probably_new=triage.probably_new, feature_form=feature_form)
    return context


@require_GET
def ask_detail(request: PageRequest, pk: int) -> HttpResponse:
    """The ask page; to htmx (a row picked in the inbox) just its triage panel."""
    ask = _ask_get(request.user, pk)
    if request.htmx:
        context = _panel_context(request.user, ask, inbox_query=request.GET.get("inbox"))
        return render(request, "asks/partials/_triage_panel.html", context)
    context = _panel_context(request.user, ask, inbox_query=None)
    duplicates = ask_rows(user=request.user).filter(duplicate_of=ask).order_by("-created_at", "-id")
    context["duplicates"] = list(duplicates[:ASKS_SHOWN])
    return render(request, "asks/ask_detail.html", context)


def _inbox_filtered(user: User, request: PageRequest, data: QueryDict) -> AskInboxFilter:
    return AskInboxFilter(data or None, queryset=ask_inbox(user=user), request=request)


@require_GET
def inbox(request: PageRequest) -> HttpResponseBase:
    """The triage inbox: new asks, newest or most valuable first, filtered by product, importance, segment, rep."""
    require(request.user, AsksPermission.TRIAGE)
    filterset = _inbox_filtered(request.user, request, request.GET)
    if wants_totals(request):
        totals = list_totals(filterset.qs, noun="new ask", sums={"of value": ("value_home", "value")})
        return render(request, "core/partials/_list_totals.html", {"totals": totals})
    if wants_export(request):
        return export_list(
            request, filterset.qs, name="inbox", fields=ASK_EXPORT, columns=INBOX_COLUMNS, default_sort=INBOX_SORT
        )
    page = list_page(request, filterset.qs, columns=INBOX_COLUMNS, default_sort=INBOX_SORT)
    context = {
        "page": page,
        "columns": INBOX_COLUMNS,
        "filter": filterset,
        "inbox_query": urlencode(page.query),
        "new_count": ask_inbox_count(user=request.user),
        "home_currency": workspace_get().home_currency,
    }
    template = "asks/partials/_inbox_list.jinja" if request.htmx else "asks/inbox.html"
    return render(request, template, context)


def _next_in_inbox(request: PageRequest, ask: Ask, inbox_query: str) -> Ask | None:
    """The ask after `ask` in the inbox as the PM had it (filters and order), or its first when none is after."""
    data = QueryDict(inbox_query)
    asks = _inbox_filtered(request.user, request, data).qs
    _, ordering = sort_ordering(data.get("sort", INBOX_SORT), INBOX_COLUMNS, INBOX_SORT)
    return ask_after(asks, ordering=ordering, ask=ask) or asks.order_by(*ordering).first()


def _triage(
    request: PageRequest, pk: int, act: Callable[[Ask, str | None], tuple[str, FeatureFromAskForm | None]]
) -> HttpResponse:
    """Run one triage action on an ask and answer: in the inbox (htmx), the next ask's panel; on the
    ask page, back to it. Another PM's triage in between is reported and nothing is written."""
    ask = _ask_get(request.user, pk)  # an ask you may not see is 404; one you see but may not triage, 403
    require(request.user, AsksPermission.TRIAGE)
    inbox_query = request.POST.get("inbox")
    try:
        message, invalid_form = act(ask, request.POST.get("expected_status") or None)
    except services.AskAlreadyTriaged as exc:
        return _panel_or_page(request, _ask_get(request.user, pk), inbox_query, message=str(exc), level="warning")
    except ValidationError as exc:
        errors = [m for ms in exc.message_dict.values() for m in ms] if hasattr(exc, "error_dict") else exc.messages
        return _panel_or_page(request, ask, inbox_query, level="danger", errors=errors)
    if invalid_form is not None:
        return _panel_or_page(request, ask, inbox_query, level="danger", feature_form=invalid_form)
    if request.htmx and inbox_query is not None:
        following = _next_in_inbox(request, ask, inbox_query)
        context = {
            **(_panel_context(request.user, following, inbox_query=inbox_query) if following else {}),
            "message": message,
            "level": "success",
            "done": ask,
            # The undo offered with the message is for the ask just triaged, not the one now shown.
            "undo": triage_action_undoable(user=request.user, ask=ask),
            "new_count": ask_inbox_count(user=request.user),
        }
        return render(request, "asks/partials/_triage_panel.html", context)
    return _panel_or_page(request, _ask_get(request.user, pk), inbox_query, message=message)


@require_POST
def triage_undo(request: PageRequest, pk: int) -> HttpResponse:
    """Undo one of my triage actions: the ask goes back as it was. In the inbox the ask's panel
    comes back and the list reloads (it is waiting again); on the ask page, back to it."""
    action = get_object_or_404(triage_action_visible(user=request.user), pk=pk)
    inbox_query = request.POST.get("inbox")
    try:
        ask = services.triage_undo(actor=request.user, action=action)
    except services.UndoRefused as exc:
        return _panel_or_page(
            request, _ask_get(request.user, action.ask_id), inbox_query, message=str(exc), level="warning"
        )
    message = f"Undone: “{ask.need[:60]}” is {'back in the inbox' if ask.status == Ask.Status.NEW else 'as it was'}."
    response = _panel_or_page(request, _ask_get(request.user, ask.pk), inbox_query, message=message)
    if request.htmx:
        response["HX-Trigger"] = "inbox-changed"
    return response


def _panel_or_page(request: PageRequest, ask: Ask, inbox_query: str | None, **panel: Any) -> HttpResponse:
    if request.htmx:
        context = _panel_context(request.user, ask, inbox_query=inbox_query, **panel)
        return render(request, "asks/partials/_triage_panel.html", context)
    if panel.get("feature_form") is not None:
        return render(request, "asks/ask_detail.html", _panel_context(request.user, ask, inbox_query=None, **panel))
    for error in panel.get("errors") or []:
        messages.error(request, error)
    if panel.get("message"):
        messages.add_message(request, _LEVELS[panel.get("level", "success")], panel["message"])
    return redirect("asks:ask_detail", ask.pk)


_LEVELS = {"success": messages.SUCCESS, "warning": messages.WARNING, "danger": messages.ERROR}


@require_POST
def ask_link(request: PageRequest, pk: int) -> HttpResponse:
    """Link the ask (and its merged duplicates) to a feature: a suggested one or any found by search."""

    def act(ask: Ask, expected: str | None) -> tuple[str, None]:
        form = LinkForm(request.POST, user=request.user)
        if not form.is_valid():
            raise ValidationError({"feature": "Choose a feature you can see."})
        feature = form.cleaned_data["feature"]
        services.ask_link(actor=request.user, ask=ask, feature=feature, expected_status=expected)
        return f"Linked to “{feature}”.", None

    return _triage(request, pk, act)


@require_POST
def ask_merge(request: PageRequest, pk: int) -> HttpResponse:
    """Merge the ask into the ask it duplicates; it takes that ask's feature and keeps its evidence."""

    def act(ask: Ask, expected: str | None) -> tuple[str, None]:
        form = MergeForm(request.POST, user=request.user)
        if not form.is_valid():
            raise ValidationError({"original": "Choose an ask you can see."})
        original = form.cleaned_data["original"]
        services.ask_merge(actor=request.user, duplicate=ask, original=original, expected_status=expected)
        return f"Merged into ask #{original.pk}.", None

    return _triage(request, pk, act)


@require_POST
def ask_feature_create(request: PageRequest, pk: int) -> HttpResponse:
    """Create a feature from the ask (title from its need, on a chosen product) and link the ask to it."""

    def act(ask: Ask, expected: str | None) -> tuple[str, FeatureFromAskForm | None]:
        form = FeatureFromAskForm(request.POST, user=request.user)
        if not form.is_valid():
            return "", form
        try:
            feature = services.feature_create_from_ask(
                actor=request.user, ask=ask, expected_status=expected, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_service_error(error)
            return "", form
        return f"Created “{feature}” and linked the ask to it.", None

    return _triage(request, pk, act)
