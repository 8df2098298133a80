"""Writes of the product domain: features, releases and goals. Every write goes through a function here."""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import TypedDict, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tandem.asks.evidence import feature_evidence_refresh, feature_scores_recompute
from tandem.asks.models import Ask, FeatureEvidence
from tandem.asks.outcomes import ask_outcomes_follow_asks, ask_outcomes_follow_features
from tandem.audit.services import Action, audit_record, audit_snapshot
from tandem.core import formats
from tandem.core.api import StaleVersion
from tandem.core.permissions import has_permission, require
from tandem.decisions.models import DecisionType
from tandem.decisions.rights import decision_right_for, releases_check
from tandem.decisions.services import release_shipped_announce
from tandem.people.models import User
from tandem.product.models import Feature, Goal, Product, Release, ScoringSettings
from tandem.product.permissions import ProductPermission
from tandem.triage.suggestions import ask_indexed, feature_indexed
from tandem.webhooks import payloads
from tandem.webhooks import services as webhooks
from tandem.webhooks.events import Event


class FeatureChanges(TypedDict, total=False):
    """The fields of a feature a product manager may change; any subset may be given."""

    product: Product
    title: str
    description: str
    status: str
    release: Release | None
    goals: Iterable[Goal]
    effort: Decimal | None
    confidence: str
    visibility: str
    horizon: str
    owner: User | None
    sales_say: str
    sales_dont_say: str


def _stale(thing: str) -> StaleVersion:
    return StaleVersion(
        f"Someone else changed this {thing} since you opened it. Reload it and apply your change again."
    )


def _validate(instance: Feature | Goal | Release | ScoringSettings, rules: dict[str, tuple[bool, str]]) -> None:
    """full_clean, plus the rules whose check constraints would otherwise report them field-less."""
    errors: dict[str, list[str]] = {field: [message] for field, (broken, message) in rules.items() if broken}
    try:
        # The constraints repeat these rules; checked only once the fields pass, so each error shows once.
        instance.full_clean(validate_constraints=not errors)
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)


def _validate_release(release: Release) -> None:
    taken = Release.objects.filter(product_id=release.product_id, name=release.name).exclude(pk=release.pk)
    _validate(release, {"name": (taken.exists(), f"{release.product} already has a release named {release.name}.")})


def _validate_feature(feature: Feature) -> None:
    _validate(
        feature,
        {
            "effort": (feature.effort is not None and feature.effort <= 0, "Effort must be more than zero weeks."),
            "release": (
                feature.release is not None and feature.release.product_id != feature.product_id,
                "Choose a release of the feature's own product.",
            ),
        },
    )


def _lock_current(feature: Feature, expected_version: int | None) -> Feature:
    """The stored feature, locked; refuse the write when it was based on an older version."""
    current = Feature.objects.select_for_update().get(pk=feature.pk)
    if expected_version is not None and current.version != expected_version:
        raise _stale("feature")
    return current


@transaction.atomic
def feature_create(
    *,
    actor: User,
    product: Product,
    title: str,
    description: str = "",
    status: str = Feature.Status.BACKLOG,
    release: Release | None = None,
    goals: Iterable[Goal] = (),
    effort: Decimal | None = None,
    confidence: str = Feature.Confidence.EXPLORING,
    visibility: str = Feature.Visibility.INTERNAL,
    horizon: str = "",
    owner: User | None = None,
    sales_say: str = "",
    sales_dont_say: str = "",
) -> Feature:
    """Add a feature to a product's backlog. Only product managers and admins may.

    A release named must be one of the same product. The feature starts internal unless said
    otherwise, and with an empty evidence row, so it sorts in the feature list from the start.
    """
    require(actor, ProductPermission.EDIT_FEATURE)
    feature = Feature(
        product=product,
        title=title.strip(),
        description=description,
        status=status,
        release=release,
        effort=effort,
        confidence=confidence,
        visibility=visibility,
        horizon=horizon,
        owner=owner if owner is not None else actor,
        sales_say=sales_say.strip(),
        sales_dont_say=sales_dont_say.strip(),
    )
    _validate_feature(feature)
    feature.save()
    feature.goals.set(list(goals))
    FeatureEvidence.objects.create(feature=feature)
    feature_indexed(feature=feature)
    return feature


@transaction.atomic
def feature_update(
    *, actor: User, feature: Feature, expected_version: int, **changes: Unpack[FeatureChanges]
) -> Feature:
    """Change a feature as of the version the editor saw. Only product managers and admins may.

    A stale version is refused (someone else saved since) and nothing is written; each saved
    change bumps the version. Its score follows its new goals, effort and confidence at once.
    """
    require(actor, ProductPermission.EDIT_FEATURE)
    current = _lock_current(feature, expected_version)
    goals = changes.pop("goals", None)
    placed = (current.status, current.release_id)
    for name, value in changes.items():
        setattr(current, name, value)
    moved = placed != (current.status, current.release_id)
    current.version += 1
    _validate_feature(current)
    current.save()
    if goals is not None:
        current.goals.set(list(goals))
    feature_evidence_refresh(feature_ids=[current.pk])
    if moved:
        ask_outcomes_follow_features(feature_ids=[current.pk])
    if {"title", "description"} & set(changes):
        feature_indexed(feature=current)
    return current


@transaction.atomic
def feature_estimate(*, actor: User, feature: Feature, expected_version: int, effort: Decimal | None) -> Feature:
    """Set a feature's effort estimate in person-weeks: engineering leads (and product) may; the score follows."""
    require(actor, ProductPermission.ESTIMATE_EFFORT)
    current = _lock_current(feature, expected_version)
    current.effort = effort
    current.version += 1
    _validate_feature(current)
    current.save(update_fields=["effort", "version", "updated_at"])
    feature_evidence_refresh(feature_ids=[current.pk])
    return current


def feature_change(
    *, actor: User, feature: Feature, expected_version: int, **changes: Unpack[FeatureChanges]
) -> Feature:
    """Apply an edit with the widest right the actor holds: a full edit, or an effort-only estimate."""
    if has_permission(actor, ProductPermission.EDIT_FEATURE) or not set(changes) <= {"effort"}:
        return feature_update(actor=actor, feature=feature, expected_version=expected_version, **changes)
    return feature_estimate(
        actor=actor, feature=feature, expected_version=expected_version, effort=changes.get("effort", feature.effort)
    )


@transaction.atomic
def feature_delete(*, actor: User, feature: Feature, expected_version: int | None = None) -> None:
    """Delete a feature. Only product managers and admins may; its asks go back to triage as new asks."""
    require(actor, ProductPermission.EDIT_FEATURE)
    current = _lock_current(feature, expected_version)
    asks = list(Ask.objects.filter(feature=current).only("pk"))
    Ask.objects.filter(feature=current).exclude(status=Ask.Status.MERGED).update(feature=None, status=Ask.Status.NEW)
    Ask.objects.filter(feature=current, status=Ask.Status.MERGED).update(feature=None)
    current.delete()
    ask_outcomes_follow_asks(ask_ids=[ask.pk for ask in asks])
    # The suggestions must stop counting their wording for the deleted feature and offer them again.
    for ask in asks:
        ask_indexed(ask=ask)


@transaction.atomic
def release_create(*, actor: User, product: Product, name: str, target_date: datetime.date) -> Release:
    """Plan a release of a product for a target date. Product managers and admins may; while the
    decision rights keep product managers to their own products, only that product's manager."""
    require(actor, ProductPermission.MANAGE_RELEASES)
    releases_check(user=actor, product=product, planning_right=decision_right_for(DecisionType.PLANNED))
    release = Release(product=product, name=name.strip(), target_date=target_date)
    _validate_release(release)
    release.save()
    return release


@transaction.atomic
def release_update(
    *, actor: User, release: Release, expected_version: int, name: str, target_date: datetime.date
) -> Release:
    """Rename or re-date a planned release, as of the version the editor saw (a stale one raises
    StaleVersion and writes nothing). Who may: as `release_create`. A shipped release is history
    and stays as it shipped; shipping is its own step (`release_ship`)."""
    require(actor, ProductPermission.MANAGE_RELEASES)
    current = Release.objects.select_for_update(of=("self",)).select_related("product").get(pk=release.pk)
    releases_check(user=actor, product=current.product, planning_right=decision_right_for(DecisionType.PLANNED))
    if current.version != expected_version:
        raise _stale("release")
    if current.status == Release.Status.SHIPPED:
        raise ValidationError(
            f"This release shipped on {formats.date_short(current.shipped_at)}; it stays as it shipped."
        )
    current.name = name.strip()
    current.target_date = target_date
    current.version += 1
    _validate_release(current)
    current.save(update_fields=["name", "target_date", "version"])
    return current


@transaction.atomic
def release_ship(*, actor: User, release: Release) -> Release:
    """Mark a release shipped: its features ship with it, and sales hears which deals to re-engage.

    Product managers and admins may; when the decision rights keep product managers to their own
    products (the right to plan), only the product's manager among them. Every feature on the
    release becomes shipped (its version bumps), its evidence is refreshed so revenue won from now
    on is attributed to it, and every salesperson whose deals or accounts asked is told once, with
    their open deals that asked.
    """
    require(actor, ProductPermission.MANAGE_RELEASES)
    current = Release.objects.select_for_update(of=("self",)).select_related("product__manager").get(pk=release.pk)
    releases_check(user=actor, product=current.product, planning_right=decision_right_for(DecisionType.PLANNED))
    if current.status == Release.Status.SHIPPED:
        raise ValidationError({"release": f"This release shipped on {formats.date_short(current.shipped_at)}."})
    now = timezone.now()
    current.status, current.shipped_at = Release.Status.SHIPPED, now
    current.version += 1
    current.full_clean()
    current.save(update_fields=["status", "shipped_at", "version"])
    feature_ids = list(
        Feature.objects.filter(release=current).exclude(status=Feature.Status.DECLINED).values_list("pk", flat=True)
    )
    Feature.objects.filter(pk__in=feature_ids).update(
        status=Feature.Status.SHIPPED, version=F("version") + 1, updated_at=now
    )
    feature_evidence_refresh(feature_ids=feature_ids)
    ask_outcomes_follow_features(feature_ids=feature_ids)
    release_shipped_announce(release=current, feature_ids=feature_ids)
    webhooks.emit(
        Event.RELEASE_SHIPPED, payloads.release_shipped(release=current, feature_ids=feature_ids, actor=actor)
    )
    return current


@transaction.atomic
def goal_create(*, actor: User, name: str, weight: Decimal, description: str = "", is_active: bool = True) -> Goal:
    """Set a strategic goal with its weight. Only executives (and admins) may."""
    require(actor, ProductPermission.SET_GOALS)
    goal = Goal(name=name.strip(), weight=weight, description=description, is_active=is_active)
    _validate(goal, {"weight": (weight < 0, "The weight cannot be negative.")})
    goal.save()
    audit_record(actor=actor, record=goal, action=Action.CREATED)
    return goal


@transaction.atomic
def goal_update(
    *,
    actor: User,
    goal: Goal,
    expected_version: int,
    name: str,
    weight: Decimal,
    description: str = "",
    is_active: bool = True,
) -> Goal:
    """Change a goal, its weight or whether it is active, as of the version the editor saw (a stale
    one raises StaleVersion and writes nothing). Only executives (and admins) may.

    A new weight or activity changes the strategic fit of every feature serving the goal: their
    scores are recomputed in the background after commit.
    """
    require(actor, ProductPermission.SET_GOALS)
    current = Goal.objects.select_for_update().get(pk=goal.pk)
    if current.version != expected_version:
        raise _stale("goal")
    before = audit_snapshot(current)
    current.name = name.strip()
    current.description = description
    rescore = current.weight != weight or current.is_active != is_active
    current.weight = weight
    current.is_active = is_active
    current.version += 1
    _validate(current, {"weight": (weight < 0, "The weight cannot be negative.")})
    current.save()
    audit_record(actor=actor, record=current, action=Action.CHANGED, before=before)
    if rescore:
        ScoringSettings.objects.update_or_create(id=1, defaults={"recompute_requested_at": timezone.now()})
        _scores_recompute_enqueue()
    return current


# Scoring


class ScoringChanges(TypedDict, total=False):
    formula: str
    weight_revenue: Decimal
    weight_reach: Decimal
    weight_fit: Decimal
    weight_urgency: Decimal
    default_effort: Decimal
    single_deal_share: Decimal


SCORE_FIELDS = frozenset({"weight_revenue", "weight_reach", "weight_fit", "weight_urgency", "default_effort"})


def _scores_recompute_enqueue() -> None:
    """Queue the bulk rescore after commit; the caller has set `recompute_requested_at`."""
    from tandem.product.tasks import feature_scores_recompute_task  # the task module imports this one

    transaction.on_commit(feature_scores_recompute_task.enqueue)


@transaction.atomic
def scoring_settings_update(*, actor: User, **changes: Unpack[ScoringChanges]) -> ScoringSettings:
    """Set the scoring weights, the formula the feature list shows, the default effort and the
    single-deal share. Only executives (and admins) may.

    Weights are zero or more (not all zero), the default effort more than zero weeks and the
    single-deal share above 0 and at most 1. A change to a weight or the default effort rescores
    every feature in the background; the formula and the share only change what lists show.
    """
    require(actor, ProductPermission.SET_SCORING)
    current, _ = ScoringSettings.objects.select_for_update().get_or_create(id=1)
    before = audit_snapshot(current)
    rescore = any(getattr(current, name) != value for name, value in changes.items() if name in SCORE_FIELDS)
    for name, value in changes.items():
        setattr(current, name, value)
    weights = {f"weight_{term}": getattr(current, f"weight_{term}") for term in ("revenue", "reach", "fit", "urgency")}
    rules = {name: (weight < 0, "A weight cannot be negative.") for name, weight in weights.items()}
    if all(weight == 0 for weight in weights.values()):
        rules["weight_revenue"] = (True, "Give at least one term a weight above zero.")
    rules["default_effort"] = (current.default_effort <= 0, "The default effort must be more than zero weeks.")
    rules["single_deal_share"] = (
        not 0 < current.single_deal_share <= 1,
        "The share must be above 0 and at most 1 (0.5 is half).",
    )
    current.updated_by = actor
    current.updated_at = timezone.now()
    if rescore:
        current.recompute_requested_at = current.updated_at
    _validate(current, rules)
    current.save()
    audit_record(actor=actor, record=current, action=Action.CHANGED, before=before)
    if rescore:
        _scores_recompute_enqueue()
    return current


# A rescore asked for this long ago with nothing queued or running lost its task (a worker killed
# mid-run whose record was cleared, a queue emptied by hand): it is queued again.
RESCORE_STALLED_AFTER = datetime.timedelta(minutes=5)


def feature_scores_recompute_resume(*, now: datetime.datetime | None = None) -> bool:
    """Queue the rescore again when one was asked for, is not done, and no worker has it queued
    or running (for RESCORE_STALLED_AFTER): the scores' lagging state heals itself. Returns
    whether it queued one."""
    from django_tasks_db.models import DBTaskResult  # the database backend's own queue

    from tandem.product.tasks import feature_scores_recompute_task  # the task module imports this one

    scoring = ScoringSettings.objects.filter(id=1).first()
    now = now or timezone.now()
    if scoring is None or not scoring.recompute_running or scoring.recompute_requested_at is None:
        return False
    if now - scoring.recompute_requested_at < RESCORE_STALLED_AFTER:
        return False
    path = f"{feature_scores_recompute_task.func.__module__}.{feature_scores_recompute_task.func.__qualname__}"
    if DBTaskResult.objects.filter(task_path=path, status__in=["READY", "RUNNING"]).exists():
        return False
    feature_scores_recompute_task.enqueue()
    return True


def feature_scores_recompute_all() -> int:
    """Rescore every feature from its stored evidence (the background task after a weight change),
    then note when it finished."""
    count = feature_scores_recompute()
    ScoringSettings.objects.filter(id=1).update(recomputed_at=timezone.now())
    return count
