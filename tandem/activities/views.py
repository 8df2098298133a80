"""Pages of what is logged on deals: the deal page's timeline and its log form, editing an entry.

The deal page (sales) includes `activities/partials/_timeline.html`, whose context comes from
`activity_section(...)`. Logging answers that section (htmx) with the new entry on top and an
empty form, or the form with its errors; a plain post goes back to the deal page.
"""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.activities import services
from tandem.activities.forms import ActivityForm
from tandem.activities.permissions import ActivitiesPermission
from tandem.activities.selectors import activity_changeable, activity_for_change, deal_timeline
from tandem.core.api import StaleVersion
from tandem.core.http import PageRequest
from tandem.core.money import workspace_get
from tandem.core.permissions import require
from tandem.sales.models import Contact, Opportunity
from tandem.sales.selectors import (
    contact_visible,
    opportunity_changeable,
    opportunity_for_change,
    opportunity_get,
)

P = ActivitiesPermission
MAX_TIMELINE_PAGE = 500


def _contacts(request: PageRequest, deal: Opportunity) -> QuerySet[Contact]:
    return contact_visible(user=request.user).filter(account_id=deal.account_id).order_by("last_name", "first_name")


def activity_section(
    request: PageRequest,
    *,
    deal: Opportunity,
    can_log: bool,
    contacts: QuerySet[Contact] | None = None,
    form: ActivityForm | None = None,
    page: int = 1,
) -> dict[str, Any]:
    """The context of the timeline section: the first page of what happened, and the log form for
    those who may log on the deal."""
    context: dict[str, Any] = {
        "deal": deal,
        "timeline": deal_timeline(user=request.user, deal=deal, page=page),
        "can_log": can_log,
        "editable_activities": set(),
        "now": timezone.now(),
        "home_currency": workspace_get().home_currency,
    }
    if can_log:
        context["activity_form"] = form or ActivityForm(
            contacts=contacts if contacts is not None else _contacts(request, deal)
        )
        context["editable_activities"] = set(
            activity_changeable(user=request.user)
            .filter(pk__in=[item.record.pk for item in context["timeline"].items if item.kind == "activity"])
            .values_list("pk", flat=True)
        )
    return context


@require_POST
def activity_create(request: PageRequest, pk: int) -> HttpResponse:
    """Log a note, call or meeting on the deal."""
    require(request.user, P.LOG_ACTIVITY)
    deal = opportunity_for_change(user=request.user, pk=pk)
    form: ActivityForm | None = ActivityForm(request.POST, contacts=_contacts(request, deal))
    assert form is not None
    status = 200
    if form.is_valid():
        try:
            activity = services.activity_create(
                actor=request.user,
                opportunity=deal,
                kind=form.cleaned_data["kind"],
                body=form.cleaned_data["body"],
                occurred_at=form.cleaned_data["occurred_at"],
                contacts=form.cleaned_data["contacts"],
            )
        except ValidationError as exc:
            form.add_service_error(exc)
            status = 422
        else:
            if not request.htmx:
                messages.success(request, f"{activity.get_kind_display()} logged.")
                return redirect("sales:opportunity_detail", pk=deal.pk)
            form = None
    else:
        status = 422
    if not request.htmx and form is not None:
        refusal = " ".join(str(m) for ms in form.errors.values() for m in ms)
        messages.error(request, f"The entry was not logged: {refusal}")
        return redirect("sales:opportunity_detail", pk=deal.pk)
    deal = opportunity_get(user=request.user, pk=pk)
    context = activity_section(request, deal=deal, can_log=True, form=form)
    context["logged"] = status == 200
    return render(request, "activities/partials/_timeline.html", context, status=status)


@require_GET
def timeline(request: PageRequest, pk: int) -> HttpResponse:
    """A further page of the deal's timeline ("Show older")."""
    require(request.user, P.VIEW_ACTIVITIES)
    deal = opportunity_get(user=request.user, pk=pk)
    raw = request.GET.get("page", "1")
    # Each page reads every newer event again: a deal's history is hundreds of events, not thousands of pages.
    page = min(int(raw), MAX_TIMELINE_PAGE) if raw.isdigit() and len(raw) < 6 else 1
    can_log = opportunity_changeable(user=request.user).filter(pk=deal.pk).exists()
    context = activity_section(request, deal=deal, can_log=can_log, page=page)
    return render(request, "activities/partials/_timeline_items.html", context)


@require_http_methods(["GET", "POST"])
def activity_update(request: PageRequest, pk: int) -> HttpResponse:
    require(request.user, P.LOG_ACTIVITY)
    activity = activity_for_change(user=request.user, pk=pk)
    deal = activity.opportunity
    contacts = _contacts(request, deal)
    initial = {
        "kind": activity.kind,
        "occurred_at": timezone.localtime(activity.occurred_at),
        "contacts": list(activity.contacts.values_list("pk", flat=True)),
        "body": activity.body,
        "version": activity.version,
    }
    form = ActivityForm(request.POST if request.method == "POST" else None, contacts=contacts, initial=initial)
    status = 200
    if form.is_valid():
        data = {name: form.cleaned_data[name] for name in ("kind", "body", "contacts")}
        if form.cleaned_data["occurred_at"]:
            data["occurred_at"] = form.cleaned_data["occurred_at"]
        try:
            services.activity_update(
                actor=request.user, activity=activity, expected_version=form.cleaned_data["version"] or 0, data=data
            )
        except StaleVersion:
            form.add_error(None, services.STALE_ACTIVITY)
            status = 409
        except ValidationError as exc:
            form.add_service_error(exc)
            status = 422
        else:
            messages.success(request, f"{activity.get_kind_display()} saved.")
            return redirect("sales:opportunity_detail", pk=deal.pk)
    elif request.method == "POST":
        status = 422
    return render(
        request, "activities/activity_form.html", {"form": form, "activity": activity, "deal": deal}, status=status
    )


@require_POST
def activity_delete(request: PageRequest, pk: int) -> HttpResponse:
    require(request.user, P.LOG_ACTIVITY)
    activity = activity_for_change(user=request.user, pk=pk)
    services.activity_delete(actor=request.user, activity=activity)
    messages.success(request, f"{activity.get_kind_display()} deleted.")
    return redirect("sales:opportunity_detail", pk=activity.opportunity_id)
