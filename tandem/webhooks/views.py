"""The webhooks pages, for admins: the subscriptions, each one's settings, secret and delivery log
(paged, newest first) with a replay button per delivery."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.core.api import StaleVersion
from tandem.core.http import PageRequest
from tandem.core.listing import Column, list_page
from tandem.core.permissions import require
from tandem.webhooks import services
from tandem.webhooks.forms import SubscriptionForm
from tandem.webhooks.permissions import WebhooksPermission
from tandem.webhooks.selectors import delivery_get, delivery_visible, subscription_for_change, subscription_get
from tandem.webhooks.selectors import subscription_visible as subscriptions

P = WebhooksPermission
SUBSCRIPTION_COLUMNS = [
    Column("name", "Webhook", order=["name"]),
    Column("url", "Address"),
    Column("events", "Events"),
    Column("active", "Active", order=["is_active"]),
]
DELIVERY_COLUMNS = [
    Column("created", "When", order=["created_at"]),
    Column("event", "Event", order=["event"]),
    Column("status", "Status", order=["status"]),
    Column("attempts", "Attempts", numeric=True),
    Column("answer", "Answer"),
]


@require_http_methods(["GET", "POST"])
def subscription_list(request: PageRequest) -> HttpResponse:
    """The webhooks, and the form to add one."""
    require(request.user, P.MANAGE_WEBHOOKS)
    form = SubscriptionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            subscription = services.subscription_create(actor=request.user, **data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Webhook “{subscription.name}” added. Give its secret to the receiver.")
            return redirect("webhooks:subscription_detail", pk=subscription.pk)
    page = list_page(request, subscriptions(user=request.user), columns=SUBSCRIPTION_COLUMNS, default_sort="name")
    context = {"page": page, "columns": SUBSCRIPTION_COLUMNS, "form": form}
    status = 422 if form.is_bound else 200
    return render(request, "webhooks/subscription_list.html", context, status=status)


@require_http_methods(["GET", "POST"])
def subscription_detail(request: PageRequest, pk: int) -> HttpResponse:
    """A webhook: its settings (changed here), its secret and its deliveries."""
    require(request.user, P.MANAGE_WEBHOOKS)
    subscription = subscription_get(user=request.user, pk=pk)
    form = SubscriptionForm(request.POST if request.method == "POST" else None, instance=subscription)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.subscription_update(
                actor=request.user,
                subscription=subscription_for_change(user=request.user, pk=pk),
                expected_version=form.cleaned_data["version"] or 0,
                data=data,
            )
        except ValidationError as error:
            form.add_service_error(error)
        except StaleVersion:
            form.add_error(None, services.STALE_SUBSCRIPTION)
        else:
            messages.success(request, "Webhook saved.")
            return redirect("webhooks:subscription_detail", pk=pk)
    deliveries = delivery_visible(user=request.user).filter(subscription=subscription)
    page = list_page(request, deliveries, columns=DELIVERY_COLUMNS, default_sort="-created")
    context = {"subscription": subscription, "form": form, "page": page, "columns": DELIVERY_COLUMNS}
    if request.htmx and request.method == "GET":
        return render(request, "webhooks/partials/_delivery_list.html", context)
    return render(request, "webhooks/subscription_detail.html", context, status=422 if form.is_bound else 200)


@require_POST
def subscription_delete(request: PageRequest, pk: int) -> HttpResponse:
    require(request.user, P.MANAGE_WEBHOOKS)
    subscription = subscription_for_change(user=request.user, pk=pk)
    services.subscription_delete(actor=request.user, subscription=subscription)
    messages.success(request, f"Webhook “{subscription.name}” deleted.")
    return redirect("webhooks:subscription_list")


@require_POST
def delivery_replay(request: PageRequest, pk: int) -> HttpResponse:
    """Send a delivery's event again; the log shows the new delivery at its top."""
    require(request.user, P.MANAGE_WEBHOOKS)
    delivery = delivery_get(user=request.user, pk=pk)
    services.delivery_replay(actor=request.user, delivery=delivery)
    messages.success(request, "Sent again: the new delivery is at the top of the log.")
    return redirect("webhooks:subscription_detail", pk=delivery.subscription_id)


@require_GET
def delivery_detail(request: PageRequest, pk: int) -> HttpResponse:
    """One delivery: the body sent and what the receiver answered."""
    require(request.user, P.MANAGE_WEBHOOKS)
    delivery = delivery_get(user=request.user, pk=pk)
    context = {"delivery": delivery, "body": services.delivery_body(delivery).decode()}
    return render(request, "webhooks/delivery_detail.html", context)
