"""The launches API: launch plans with their checklist and success metrics (actuals at 30 and 90
days), and the product digest — with the pages' rules."""

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from tandem.core.api import ERRORS, WRITE_ERRORS, Id, cursor_paginate
from tandem.core.constraints import text_limit
from tandem.core.fiscal import fiscal_quarter_of
from tandem.core.http import ApiRequest
from tandem.core.money import workspace_get
from tandem.core.permissions import require
from tandem.launches import services
from tandem.launches.digest import Item, digest_for
from tandem.launches.metrics import metric_actuals
from tandem.launches.models import ChecklistItem, LaunchPlan, SuccessMetric
from tandem.launches.permissions import LaunchesPermission
from tandem.launches.selectors import (
    checklist_item_visible,
    launch_plan_get,
    launch_plan_rows,
    success_metric_visible,
)
from tandem.people.models import User
from tandem.product.selectors import release_dates_shared, release_visible

router = Router(tags=["launches"])


class ChecklistItemOut(Schema):
    id: int
    area: str
    title: str
    owner_id: int | None
    due_date: datetime.date | None
    done_at: datetime.datetime | None
    version: int


class MetricActualOut(Schema):
    days: int
    value: Decimal | None = Field(description="Null before the release ships, or while adoption is not entered.")
    final: bool = Field(description="False while the window runs: the value so far.")
    computed: bool = Field(description="From Tandem's deals and asks; false when entered by hand.")


class SuccessMetricOut(Schema):
    id: int
    kind: str
    competitor_id: int | None
    target: Decimal
    actuals: list[MetricActualOut]
    version: int


class LaunchOut(Schema):
    id: int
    release_id: int
    release_name: str
    product_name: str
    target_date: datetime.date | None = Field(
        description="The release's target day where you may know it (sales: once the sales roadmap dates "
        "the release, a committed sales-shareable feature on it, or it shipped), else null."
    )
    target_quarter: str = Field(description="The fiscal quarter of the release's target day.")
    shipped_at: datetime.datetime | None
    positioning: str
    version: int


class LaunchDetailOut(LaunchOut):
    checklist: list[ChecklistItemOut]
    metrics: list[SuccessMetricOut]


class LaunchPageOut(Schema):
    items: list[LaunchOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class LaunchListQuery(Schema):
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


class LaunchIn(Schema):
    release_id: Id
    positioning: str = Field("", max_length=text_limit(LaunchPlan, "positioning"))


class ChecklistItemIn(Schema):
    area: Literal["positioning", "pricing", "channels", "enablement", "training"]
    title: str = Field(min_length=1, max_length=200)
    owner_id: Id | None = None
    due_date: datetime.date | None = None


class ChecklistItemPatchIn(Schema):
    version: int = Field(ge=1, le=2**31)
    done: bool


class SuccessMetricIn(Schema):
    kind: Literal["adoption", "revenue_influenced", "win_rate", "asks_closed"]
    target: Decimal = Field(ge=0, max_digits=16, decimal_places=2)
    competitor_id: Id | None = None


class SuccessMetricPatchIn(Schema):
    version: int = Field(ge=1, le=2**31)
    target: Decimal = Field(ge=0, max_digits=16, decimal_places=2)
    actual_30: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2, description="Adoption only.")
    actual_90: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2, description="Adoption only.")


class DigestItemOut(Schema):
    feature_id: int
    title: str
    product: str
    release: str
    when: str = Field(description="The release's date when committed, else its fiscal quarter; empty once shipped.")
    confidence: str
    say: str
    dont_say: str
    deal_ids: list[int] = Field(description="Your deals it concerns: promised it, or open and asked (shipped items).")
    account_ids: list[int] = Field(description="Your accounts that asked (shipped items).")


class DigestOut(Schema):
    period: str
    title: str
    shipped: list[DigestItemOut]
    coming: list[DigestItemOut]


def _launches(user: User, plans: list[LaunchPlan]) -> list[dict[str, Any]]:
    """The launches as this reader may read their releases' targets (`release_dates_shared`)."""
    shared = release_dates_shared(user=user, releases=[plan.release for plan in plans])
    start_month = workspace_get().fiscal_year_start_month
    return [_launch(plan, shared=shared, start_month=start_month) for plan in plans]


def _launch(plan: LaunchPlan, *, shared: set[int], start_month: int) -> dict[str, Any]:
    release = plan.release
    return {
        "id": plan.pk,
        "release_id": release.pk,
        "release_name": release.name,
        "product_name": release.product.name,
        "target_date": release.target_date if release.pk in shared else None,
        "target_quarter": str(fiscal_quarter_of(release.target_date, start_month)),
        "shipped_at": release.shipped_at,
        "positioning": plan.positioning,
        "version": plan.version,
    }


def _item(item: ChecklistItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "area": item.area,
        "title": item.title,
        "owner_id": item.owner_id,
        "due_date": item.due_date,
        "done_at": item.done_at,
        "version": item.version,
    }


def _metrics(plan: LaunchPlan, metrics: list[SuccessMetric]) -> list[dict[str, Any]]:
    actuals = metric_actuals(plan=plan, metrics=metrics, now=timezone.now())
    return [
        {
            "id": m.pk,
            "kind": m.kind,
            "competitor_id": m.competitor_id,
            "target": m.target,
            "actuals": [a.__dict__ for a in actuals[m.pk]],
            "version": m.version,
        }
        for m in metrics
    ]


@router.get(
    "/launches",
    response={200: LaunchPageOut, **ERRORS},
    operation_id="launches_launch_list",
    summary="List the launch plans, soonest release first",
)
def launch_list(request: ApiRequest, params: Query[LaunchListQuery]) -> dict[str, Any]:
    rows, next_cursor = cursor_paginate(
        launch_plan_rows(user=request.user),
        order=["release__target_date", "id"],
        cursor=params.cursor,
        limit=params.limit,
        opaque=True,
    )
    return {"items": _launches(request.user, rows), "next_cursor": next_cursor}


@router.get(
    "/launches/{launch_id}",
    response={200: LaunchDetailOut, **ERRORS},
    operation_id="launches_launch_get",
    summary="One launch plan with its checklist and success metrics (actuals at 30 and 90 days)",
)
def launch_get(request: ApiRequest, launch_id: Id) -> dict[str, Any]:
    plan = launch_plan_get(user=request.user, pk=launch_id)
    items = checklist_item_visible(user=request.user).filter(plan=plan).order_by("due_date", "pk")
    metrics = list(success_metric_visible(user=request.user).filter(plan=plan))
    return {
        **_launches(request.user, [plan])[0],
        "checklist": [_item(i) for i in items],
        "metrics": _metrics(plan, metrics),
    }


@router.post(
    "/launches",
    response={201: LaunchOut, **WRITE_ERRORS},
    operation_id="launches_launch_create",
    summary="Start a release's launch plan, with the default go-to-market checklist",
)
def launch_create(request: ApiRequest, payload: LaunchIn) -> Status[dict[str, Any]]:
    release = get_object_or_404(release_visible(user=request.user).select_related("product"), pk=payload.release_id)
    plan = services.launch_plan_create(actor=request.user, release=release, positioning=payload.positioning)
    return Status(201, _launches(request.user, [plan])[0])


@router.post(
    "/launches/{launch_id}/checklist",
    response={201: ChecklistItemOut, **WRITE_ERRORS},
    operation_id="launches_checklist_item_create",
    summary="Add a go-to-market task to a launch",
)
def checklist_item_create(request: ApiRequest, launch_id: Id, payload: ChecklistItemIn) -> Status[dict[str, Any]]:
    plan = launch_plan_get(user=request.user, pk=launch_id)
    owner = get_object_or_404(User, pk=payload.owner_id, is_active=True) if payload.owner_id else None
    item = services.checklist_item_create(
        actor=request.user, plan=plan, area=payload.area, title=payload.title, owner=owner, due_date=payload.due_date
    )
    return Status(201, _item(item))


@router.patch(
    "/launch-checklist/{item_id}",
    response={200: ChecklistItemOut, **WRITE_ERRORS},
    operation_id="launches_checklist_item_update",
    summary="Tick a go-to-market task off (its owner, or whoever runs the launch)",
)
def checklist_item_update(request: ApiRequest, item_id: Id, payload: ChecklistItemPatchIn) -> dict[str, Any]:
    item = get_object_or_404(checklist_item_visible(user=request.user), pk=item_id)
    return _item(
        services.checklist_item_update(
            actor=request.user, item=item, expected_version=payload.version, done=payload.done
        )
    )


@router.post(
    "/launches/{launch_id}/metrics",
    response={201: SuccessMetricOut, **WRITE_ERRORS},
    operation_id="launches_metric_create",
    summary="Add a success metric with its target to a launch",
)
def metric_create(request: ApiRequest, launch_id: Id, payload: SuccessMetricIn) -> Status[dict[str, Any]]:
    plan = launch_plan_get(user=request.user, pk=launch_id)
    metric = services.success_metric_create(
        actor=request.user, plan=plan, kind=payload.kind, target=payload.target, competitor_id=payload.competitor_id
    )
    return Status(201, _metrics(plan, [metric])[0])


@router.patch(
    "/launch-metrics/{metric_id}",
    response={200: SuccessMetricOut, **WRITE_ERRORS},
    operation_id="launches_metric_update",
    summary="Change a metric's target, or enter adoption by hand at 30 and 90 days",
)
def metric_update(request: ApiRequest, metric_id: Id, payload: SuccessMetricPatchIn) -> dict[str, Any]:
    metric = get_object_or_404(success_metric_visible(user=request.user).select_related("plan__release"), pk=metric_id)
    updated = services.success_metric_update(
        actor=request.user,
        metric=metric,
        expected_version=payload.version,
        target=payload.target,
        actual_30=payload.actual_30,
        actual_90=payload.actual_90,
    )
    return _metrics(metric.plan, [updated])[0]


def _digest_item(item: Item) -> dict[str, Any]:
    return {
        "feature_id": item.feature_id,
        "title": item.title,
        "product": item.product,
        "release": item.release,
        "when": item.when,
        "confidence": item.confidence,
        "say": item.say,
        "dont_say": item.dont_say,
        "deal_ids": [deal_id for deal_id, _ in item.deals],
        "account_ids": [account_id for account_id, _ in item.accounts],
    }


@router.get(
    "/digest",
    response={200: DigestOut, **ERRORS},
    operation_id="launches_digest_get",
    summary="This period's product digest for you: sales-shareable items only",
)
def digest_get(request: ApiRequest) -> dict[str, Any]:
    require(request.user, LaunchesPermission.READ_DIGEST)
    digest = digest_for(reader=request.user)
    return {
        "period": digest.key,
        "title": digest.title,
        "shipped": [_digest_item(i) for i in digest.shipped],
        "coming": [_digest_item(i) for i in digest.coming],
    }
