"""Pages of customer calls: the calls product managers may join (upcoming and past), one call with
its sign-ups and what was heard, and the deal page's calls card (`templatetags/calls.py`)."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from tandem.calls import services
from tandem.calls.forms import CallDebriefForm, CustomerCallForm
from tandem.calls.models import CustomerCall
from tandem.calls.permissions import CallsPermission
from tandem.calls.selectors import (
    call_rows,
    calls_upcoming,
    customer_call_changeable,
    customer_call_for_change,
    customer_call_get,
)
from tandem.core.http import PageRequest
from tandem.core.listing import page_number
from tandem.core.permissions import has_permission, require
from tandem.sales.selectors import opportunity_for_change

P = CallsPermission
PAST_PAGE = 25


def _refusal(error: ValidationError) -> str:
    return " ".join(error.messages)


@require_GET
def call_list(request: PageRequest) -> HttpResponse:
    """Upcoming calls to sign up to, then past calls (paged), among the calls the user sees."""
    require(request.user, P.VIEW_CALLS)
    now = timezone.now()
    upcoming = list(calls_upcoming(user=request.user, now=now)[:100])
    number = page_number(request.GET.get("page"), per_page=PAST_PAGE)
    past = list(
        call_rows(user=request.user)
        .filter(scheduled_at__lt=now)
        .order_by("-scheduled_at", "-id")[(number - 1) * PAST_PAGE : number * PAST_PAGE + 1]
    )
    return render(
        request,
        "calls/call_list.html",
        {
            "upcoming": upcoming,
            "past": past[:PAST_PAGE],
            "number": number,
            "has_next": len(past) > PAST_PAGE,
            "can_join": has_permission(request.user, P.JOIN_CALL),
        },
    )


@require_GET
def call_detail(request: PageRequest, pk: int) -> HttpResponse:
    require(request.user, P.VIEW_CALLS)
    call = customer_call_get(user=request.user, pk=pk)
    return render(request, "calls/call_detail.html", _detail_context(request, call))


def _detail_context(request: PageRequest, call: CustomerCall, form: CallDebriefForm | None = None) -> dict[str, Any]:
    now = timezone.now()
    attendees = list(call.attendees.select_related("product_manager"))
    joined = any(a.product_manager_id == request.user.pk for a in attendees)
    held = call.cancelled_at is None and call.scheduled_at <= now
    may_debrief = (
        held and has_permission(request.user, P.DEBRIEF_CALL) and services.may_debrief(user=request.user, call=call)
    )
    return {
        "call": call,
        "deal": call.opportunity,
        "attendees": attendees,
        "joined": joined,
        "upcoming": call.cancelled_at is None and call.scheduled_at > now,
        "seats_left": max(call.seats - len(attendees), 0),
        "can_join": has_permission(request.user, P.JOIN_CALL),
        "can_change": has_permission(request.user, P.OPEN_CALL)
        and customer_call_changeable(user=request.user).filter(pk=call.pk).exists(),
        "notes": list(call.notes.select_related("author")),
        "asks": list(call.asks.order_by("created_at", "id")),
        "debrief_form": (form or CallDebriefForm()) if may_debrief else None,
    }


@require_POST
def call_open(request: PageRequest, pk: int) -> HttpResponse:
    """Open an upcoming call on the deal to product managers (from the deal page)."""
    require(request.user, P.OPEN_CALL)
    deal = opportunity_for_change(user=request.user, pk=pk)
    form = CustomerCallForm(request.POST)
    if form.is_valid():
        try:
            services.customer_call_open(actor=request.user, opportunity=deal, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, f"The call was not opened: {_refusal(error)}")
        else:
            messages.success(request, "Call opened to product managers.")
    else:
        refusal = " ".join(str(m) for ms in form.errors.values() for m in ms)
        messages.error(request, f"The call was not opened: {refusal}")
    return redirect("sales:opportunity_detail", pk=deal.pk)


@require_POST
def call_cancel(request: PageRequest, pk: int) -> HttpResponse:
    require(request.user, P.OPEN_CALL)
    call = customer_call_for_change(user=request.user, pk=pk)
    try:
        services.customer_call_cancel(actor=request.user, call=call)
    except ValidationError as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(request, "Call cancelled.")
    return redirect("calls:call_detail", pk=call.pk)


@require_POST
def call_join(request: PageRequest, pk: int) -> HttpResponse:
    require(request.user, P.JOIN_CALL)
    call = customer_call_get(user=request.user, pk=pk)
    try:
        services.customer_call_join(actor=request.user, call=call)
    except ValidationError as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(request, "You joined the call.")
    return redirect("calls:call_detail", pk=call.pk)


@require_POST
def call_withdraw(request: PageRequest, pk: int) -> HttpResponse:
    require(request.user, P.JOIN_CALL)
    call = customer_call_get(user=request.user, pk=pk)
    try:
        services.customer_call_withdraw(actor=request.user, call=call)
    except ValidationError as error:
        messages.error(request, _refusal(error))
    else:
        messages.success(request, "You withdrew from the call.")
    return redirect("calls:call_detail", pk=call.pk)


@require_POST
def call_debrief(request: PageRequest, pk: int) -> HttpResponse:
    """Log what was heard: a note with the call and each need as an ask on the deal."""
    require(request.user, P.DEBRIEF_CALL)
    call = customer_call_get(user=request.user, pk=pk)
    form = CallDebriefForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            _, asks = services.customer_call_debrief(
                actor=request.user, call=call, note=form.cleaned_data["note"], needs=form.cleaned_data["needs"]
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Logged: {len(asks)} ask{'' if len(asks) == 1 else 's'} on the deal.")
            return redirect("calls:call_detail", pk=call.pk)
    return render(request, "calls/call_detail.html", _detail_context(request, call, form), status=status)
