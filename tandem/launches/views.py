"""Pages of launches (the plans, one plan with its checklist and metrics) and the product digest."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from tandem.core.api import StaleVersion
from tandem.core.http import PageRequest
from tandem.core.listing import Column, list_page
from tandem.core.permissions import has_permission, require
from tandem.launches import services
from tandem.launches.digest import digest_for
from tandem.launches.forms import (
    ChecklistItemForm,
    ChecklistTickForm,
    DigestSettingsForm,
    SuccessMetricForm,
    SuccessMetricUpdateForm,
)
from tandem.launches.metrics import metric_actuals
from tandem.launches.models import ChecklistItem, SuccessMetric
from tandem.launches.permissions import LaunchesPermission
from tandem.launches.selectors import (
    checklist_item_visible,
    digest_settings_get,
    launch_plan_changeable,
    launch_plan_get,
    launch_plan_rows,
    success_metric_visible,
)
from tandem.launches.tasks import digests_enqueue
from tandem.product.selectors import release_dates_shared, release_visible

COLUMNS = [
    Column("target", "Target date", order=["release__target_date"]),
    Column("release", "Release", order=["release__product__name", "release__name"]),
    Column("status", "Status"),
]


@require_GET
def launch_list(request: PageRequest) -> HttpResponse:
    """Every launch plan, soonest release first; releases without a plan can get one from here. Each
    release's target reads as finely as the reader may know it (`release_dates_shared`)."""
    page = list_page(request, launch_plan_rows(user=request.user), columns=COLUMNS, default_sort="target")
    unplanned = list(
        release_visible(user=request.user)
        .filter(status="planned", launch_plan__isnull=True)
        .select_related("product")
        .order_by("target_date", "pk")[:20]
    )
    shared = release_dates_shared(user=request.user, releases=[plan.release for plan in page.rows] + unplanned)
    context = {"page": page, "columns": COLUMNS, "unplanned": unplanned, "shared": shared}
    return render(request, "launches/launch_list.html", context)


def _detail(request: PageRequest, pk: int, status: int = 200, **forms: Any) -> HttpResponse:
    plan = launch_plan_get(user=request.user, pk=pk)
    items = list(
        checklist_item_visible(user=request.user).filter(plan=plan).select_related("owner").order_by("due_date", "pk")
    )
    metrics = list(success_metric_visible(user=request.user).filter(plan=plan).select_related("competitor"))
    actuals = metric_actuals(plan=plan, metrics=metrics, now=timezone.now())
    can_edit = launch_plan_changeable(user=request.user).filter(pk=plan.pk).exists()
    context = {
        "plan": plan,
        "items": items,
        "metrics": [(metric, actuals[metric.pk]) for metric in metrics],
        "can_edit": can_edit,
        "done": sum(1 for item in items if item.done_at),
        "item_form": forms.get("item_form") or ChecklistItemForm(),
        "metric_form": forms.get("metric_form") or SuccessMetricForm(),
        "today": timezone.localdate(),
        "shared": release_dates_shared(user=request.user, releases=[plan.release]),
    }
    return render(request, "launches/launch_detail.html", context, status=status)


@require_GET
def launch_detail(request: PageRequest, pk: int) -> HttpResponse:
    return _detail(request, pk)


@require_POST
def launch_create(request: PageRequest, release: int) -> HttpResponse:
    chosen = get_object_or_404(release_visible(user=request.user).select_related("product"), pk=release)
    try:
        plan = services.launch_plan_create(actor=request.user, release=chosen)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("launches:launch_list")
    messages.success(request, "Launch plan started with the go-to-market checklist.")
    return redirect("launches:launch_detail", pk=plan.pk)


@require_POST
def checklist_item_create(request: PageRequest, pk: int) -> HttpResponse:
    plan = launch_plan_get(user=request.user, pk=pk)
    form = ChecklistItemForm(request.POST)
    if form.is_valid():
        try:
            services.checklist_item_create(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            return redirect("launches:launch_detail", pk=plan.pk)
    return _detail(request, pk, status=422, item_form=form)


@require_POST
def checklist_item_update(request: PageRequest, pk: int) -> HttpResponse:
    """Tick a task off or on (its owner, or whoever runs the launch)."""
    item: ChecklistItem = get_object_or_404(checklist_item_visible(user=request.user), pk=pk)
    form = ChecklistTickForm(request.POST)
    if form.is_valid():
        try:
            services.checklist_item_update(
                actor=request.user,
                item=item,
                expected_version=form.cleaned_data["version"],
                done=form.cleaned_data["done"],
            )
        except StaleVersion as stale:
            messages.error(request, str(stale))
    else:
        messages.error(request, "Reload the page and try again.")
    return redirect("launches:launch_detail", pk=item.plan_id)


@require_POST
def metric_create(request: PageRequest, pk: int) -> HttpResponse:
    plan = launch_plan_get(user=request.user, pk=pk)
    form = SuccessMetricForm(request.POST)
    if form.is_valid():
        competitor = form.cleaned_data["competitor"]
        try:
            services.success_metric_create(
                actor=request.user,
                plan=plan,
                kind=form.cleaned_data["kind"],
                target=form.cleaned_data["target"],
                competitor_id=competitor.pk if competitor else None,
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            return redirect("launches:launch_detail", pk=plan.pk)
    return _detail(request, pk, status=422, metric_form=form)


@require_POST
def metric_update(request: PageRequest, pk: int) -> HttpResponse:
    metric: SuccessMetric = get_object_or_404(success_metric_visible(user=request.user), pk=pk)
    form = SuccessMetricUpdateForm(request.POST)
    if form.is_valid():
        try:
            services.success_metric_update(
                actor=request.user,
                metric=metric,
                expected_version=form.cleaned_data["version"],
                target=form.cleaned_data["target"],
                actual_30=form.cleaned_data["actual_30"],
                actual_90=form.cleaned_data["actual_90"],
            )
        except (ValidationError, StaleVersion) as error:
            messages.error(request, " ".join(error.messages) if isinstance(error, ValidationError) else str(error))
    else:
        messages.error(request, "Enter amounts of zero or more.")
    return redirect("launches:launch_detail", pk=metric.plan_id)


@require_GET
def digest(request: PageRequest) -> HttpResponse:
    """This period's product digest, as the reader gets it by email: sales-shareable items only."""
    require(request.user, LaunchesPermission.READ_DIGEST)
    digests_enqueue()
    settings = digest_settings_get()
    form = DigestSettingsForm(initial={"version": settings.version, "period": settings.period})
    context = {
        "digest": digest_for(reader=request.user),
        "settings": settings,
        "settings_form": form if has_permission(request.user, LaunchesPermission.SET_DIGEST) else None,
    }
    return render(request, "launches/digest.html", context)


@require_POST
def digest_settings(request: PageRequest) -> HttpResponse:
    require(request.user, LaunchesPermission.SET_DIGEST)
    form = DigestSettingsForm(request.POST)
    if form.is_valid():
        try:
            services.digest_settings_update(
                actor=request.user, period=form.cleaned_data["period"], expected_version=form.cleaned_data["version"]
            )
        except (ValidationError, StaleVersion, PermissionDenied) as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Saved: the digest follows the new period from the next one.")
    return redirect(reverse("launches:digest"))
