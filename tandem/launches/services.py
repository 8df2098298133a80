"""Writes of launches: the plan of a release, its checklist tasks and its success metrics."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tandem.audit.services import Action, audit_record, audit_snapshot
from tandem.core.api import StaleVersion
from tandem.decisions.models import DecisionType
from tandem.decisions.rights import decision_right_for, releases_check
from tandem.launches.models import ChecklistItem, DigestSettings, LaunchPlan, SuccessMetric
from tandem.launches.selectors import checklist_item_changeable, launch_plan_changeable, success_metric_changeable
from tandem.people.models import User
from tandem.product.models import Release

# The go-to-market tasks every launch starts with, and how many days before the release's target each
# is due: positioning and pricing first (enablement builds on them), sales briefed a week ahead.
DEFAULT_CHECKLIST = (
    (ChecklistItem.Area.POSITIONING, "Write the positioning: who it is for, the problem, why us", 28),
    (ChecklistItem.Area.PRICING, "Decide pricing and packaging", 21),
    (ChecklistItem.Area.CHANNELS, "Choose the channels: announcement, email, partners", 14),
    (ChecklistItem.Area.ENABLEMENT, "Brief sales: talking points, demo, battlecard", 7),
    (ChecklistItem.Area.TRAINING, "Train support and customer success", 7),
)
STALE = "Someone else changed this since you opened it. Reload it and apply your change again."
REFUSAL = "Only those who may plan and ship this release (its product manager, admins) may change its launch."


def _check_plan(actor: User, plan: LaunchPlan) -> None:
    if not launch_plan_changeable(user=actor).filter(pk=plan.pk).exists():
        raise PermissionDenied(REFUSAL)


@transaction.atomic
def launch_plan_create(*, actor: User, release: Release, positioning: str = "") -> LaunchPlan:
    """Start the launch plan of a release, with the default go-to-market checklist owned by its
    creator and due before the release's target. Who may: whoever may plan and ship the release."""
    releases_check(user=actor, product=release.product, planning_right=decision_right_for(DecisionType.PLANNED))
    if LaunchPlan.objects.filter(release=release).exists():
        raise ValidationError({"release": ["This release already has a launch plan."]})
    plan = LaunchPlan(release=release, positioning=positioning.strip(), created_by=actor, created_at=timezone.now())
    plan.full_clean()
    plan.save()
    audit_record(actor=actor, record=plan, action=Action.CREATED)
    items = ChecklistItem.objects.bulk_create(
        ChecklistItem(
            plan=plan,
            area=area,
            title=title,
            owner=actor,
            due_date=release.target_date - datetime.timedelta(days=days),
        )
        for area, title, days in DEFAULT_CHECKLIST
    )
    for item in items:
        audit_record(actor=actor, record=item, action=Action.CREATED)
    return plan


@transaction.atomic
def checklist_item_create(
    *,
    actor: User,
    plan: LaunchPlan,
    area: str,
    title: str,
    owner: User | None = None,
    due_date: datetime.date | None = None,
) -> ChecklistItem:
    """Add a go-to-market task to a launch. Who may: as `launch_plan_create`."""
    _check_plan(actor, plan)
    item = ChecklistItem(plan=plan, area=area, title=title.strip(), owner=owner, due_date=due_date)
    item.full_clean()
    item.save()
    audit_record(actor=actor, record=item, action=Action.CREATED)
    return item


@transaction.atomic
def checklist_item_update(
    *,
    actor: User,
    item: ChecklistItem,
    expected_version: int,
    done: bool,
    title: str | None = None,
    owner: User | None = None,
    due_date: datetime.date | None = None,
) -> ChecklistItem:
    """Tick a task off (or not), or change it. The launch's owners change anything; the task's own
    owner only ticks it off. A stale version raises StaleVersion and writes nothing."""
    current = ChecklistItem.objects.select_for_update().select_related("plan").get(pk=item.pk)
    manages = checklist_item_changeable(user=actor).filter(pk=current.pk).exists()
    if not manages and current.owner_id != actor.pk:
        raise PermissionDenied(REFUSAL)
    if current.version != expected_version:
        raise StaleVersion(STALE)
    before = audit_snapshot(current)
    if manages and title is not None:
        current.title, current.owner, current.due_date = title.strip(), owner, due_date
    current.done_at = (current.done_at or timezone.now()) if done else None
    current.version += 1
    current.full_clean()
    current.save()
    audit_record(actor=actor, record=current, action=Action.CHANGED, before=before)
    return current


@transaction.atomic
def success_metric_create(
    *, actor: User, plan: LaunchPlan, kind: str, target: Decimal, competitor_id: int | None = None
) -> SuccessMetric:
    """Add a success metric with its target to a launch. Who may: as `launch_plan_create`."""
    _check_plan(actor, plan)
    metric = SuccessMetric(plan=plan, kind=kind, target=target, competitor_id=competitor_id)
    metric.full_clean()
    metric.save()
    audit_record(actor=actor, record=metric, action=Action.CREATED)
    return metric


@transaction.atomic
def success_metric_update(
    *,
    actor: User,
    metric: SuccessMetric,
    expected_version: int,
    target: Decimal,
    actual_30: Decimal | None = None,
    actual_90: Decimal | None = None,
) -> SuccessMetric:
    """Change a metric's target, or enter the actuals Tandem cannot compute (adoption) at 30 and 90
    days. Who may: as `launch_plan_create`; a stale version raises StaleVersion."""
    current = SuccessMetric.objects.select_for_update().get(pk=metric.pk)
    if not success_metric_changeable(user=actor).filter(pk=current.pk).exists():
        raise PermissionDenied(REFUSAL)
    if current.version != expected_version:
        raise StaleVersion(STALE)
    before = audit_snapshot(current)
    current.target = target
    if current.kind == SuccessMetric.Kind.ADOPTION:
        current.actual_30, current.actual_90 = actual_30, actual_90
    current.version += 1
    current.full_clean()
    current.save()
    audit_record(actor=actor, record=current, action=Action.CHANGED, before=before)
    return current


@transaction.atomic
def digest_settings_update(*, actor: User, period: str, expected_version: int) -> DigestSettings:
    """Choose how often sales gets the product digest. Admins only."""
    if actor.role != "admin":
        raise PermissionDenied("Only an admin may choose how often the digest goes out.")
    current = DigestSettings.objects.select_for_update().filter(pk=1).first() or DigestSettings(pk=1, version=0)
    if current.version not in (expected_version, 0):
        raise StaleVersion(STALE)
    before = audit_snapshot(current) if current.pk is not None and current.version else None
    current.period = period
    current.version += 1
    current.full_clean()
    current.save()
    action = Action.CHANGED if before is not None else Action.CREATED
    audit_record(actor=actor, record=current, action=action, before=before)
    return current
