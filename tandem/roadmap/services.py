"""Writes of the roadmap: placing features, team capacity, market research, lifecycle moves and the
public roadmap setting. Every write goes through a function here."""

from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from tandem.asks.outcomes import ask_outcomes_follow_features
from tandem.audit.services import Action, audit_record, audit_snapshot
from tandem.competition.models import Competitor
from tandem.core.api import StaleVersion
from tandem.core.permissions import require
from tandem.decisions.models import DecisionType
from tandem.decisions.rights import decision_right_for, releases_check
from tandem.people.models import User
from tandem.product.models import Feature, Product, Release
from tandem.product.permissions import ProductPermission
from tandem.roadmap.models import LifecycleMove, MarketResearch, RoadmapSettings
from tandem.roadmap.permissions import RoadmapPermission
from tandem.roadmap.selectors import lifecycle_movable

KEEP = object()  # "leave as it is" for an optional move argument


def _stale(thing: str) -> StaleVersion:
    return StaleVersion(
        f"Someone else changed this {thing} since you opened it. Reload it and apply your change again."
    )


@transaction.atomic
def roadmap_feature_place(
    *,
    actor: User,
    feature: Feature,
    expected_version: int,
    release: Release | object | None = KEEP,
    horizon: str | object = KEEP,
) -> Feature:
    """Place a feature on the roadmap: onto another release (or none), or into the now / next /
    later column. Whoever may manage the feature's product's releases may (the product's PM by the
    default decision rights, admins); a move based on an older version of the feature is refused.

    Putting a backlog feature on a release plans it; its asks follow the new plan.
    """
    require(actor, ProductPermission.MANAGE_RELEASES)
    current = Feature.objects.select_for_update(of=("self",)).select_related("product__manager").get(pk=feature.pk)
    releases_check(user=actor, product=current.product, planning_right=decision_right_for(DecisionType.PLANNED))
    if current.version != expected_version:
        raise _stale("feature")
    placed = (current.status, current.release_id)
    if release is not KEEP:
        target = release if isinstance(release, Release) else None
        if target is not None:
            if target.product_id != current.product_id:
                raise ValidationError({"release": "Choose a release of the feature's own product."})
            if target.status == Release.Status.SHIPPED:
                raise ValidationError({"release": f"{target} has shipped; place the feature on a planned release."})
        current.release = target
        if target is not None and current.status == Feature.Status.BACKLOG:
            current.status = Feature.Status.PLANNED
    if horizon is not KEEP:
        if horizon not in ("", *Feature.Horizon.values):
            raise ValidationError({"horizon": "Choose now, next or later."})
        current.horizon = str(horizon)
    if current.status in (Feature.Status.SHIPPED, Feature.Status.DECLINED):
        raise ValidationError(
            {"feature": f"This feature is {current.get_status_display().lower()}; it stays off the roadmap."}
        )
    current.version += 1
    current.full_clean()
    current.save(update_fields=["release", "horizon", "status", "version", "updated_at"])
    if placed != (current.status, current.release_id):
        ask_outcomes_follow_features(feature_ids=[current.pk])
    return current


@transaction.atomic
def feature_talking_points_set(
    *, actor: User, feature: Feature, expected_version: int, say: str, dont_say: str, visibility: str | None = None
) -> Feature:
    """Write what sales may say and must not say about a feature, and optionally who may see it.
    Product managers and admins may; a stale version is refused."""
    require(actor, ProductPermission.EDIT_FEATURE)
    current = Feature.objects.select_for_update().get(pk=feature.pk)
    if current.version != expected_version:
        raise _stale("feature")
    current.sales_say, current.sales_dont_say = say.strip(), dont_say.strip()
    if visibility is not None:
        current.visibility = visibility
    current.version += 1
    current.full_clean()
    current.save(update_fields=["sales_say", "sales_dont_say", "visibility", "version", "updated_at"])
    return current


@transaction.atomic
def market_research_set(
    *,
    actor: User,
    feature: Feature,
    expected_version: int,
    target_segment: str,
    market_size: Decimal | None,
    revenue_potential: Decimal | None,
    competitors: Iterable[Competitor],
    notes: str = "",
) -> MarketResearch:
    """Write an idea's market research. Product managers and admins may; each write must be based on
    the version the editor read (1 for the empty research before the first), else it is refused."""
    require(actor, RoadmapPermission.EDIT_MARKET_RESEARCH)
    research = MarketResearch.objects.select_for_update().filter(feature=feature).first()
    before = None
    if research is None:
        if expected_version != 1:
            raise _stale("market research")
        # The empty research every feature shows is version 1: writing it makes version 2, so a
        # second editor who opened the empty one is refused as stale too.
        research = MarketResearch(feature=feature, version=2)
    else:
        if research.version != expected_version:
            raise _stale("market research")
        before = audit_snapshot(research)
        research.version += 1
    research.target_segment = target_segment.strip()
    research.market_size = market_size
    research.revenue_potential = revenue_potential
    research.notes = notes.strip()
    research.updated_by = actor
    research.updated_at = timezone.now()
    research.full_clean()
    research.save()
    research.competitors.set(list(competitors))
    audit_record(actor=actor, record=research, action=Action.CHANGED if before else Action.CREATED, before=before)
    return research


LIFECYCLE_ORDER = list(Product.Lifecycle.values)


@transaction.atomic
def product_lifecycle_move(*, actor: User, product: Product, to_stage: str, reason: str) -> LifecycleMove:
    """Move a product to another lifecycle stage, saying why. The product's manager, executives and
    admins may. Any stage may follow any other (a launch can fall back to development), but never
    the one it is in; a retired product comes back only through ideation or development."""
    require(actor, RoadmapPermission.MOVE_LIFECYCLE)
    current = Product.objects.select_for_update(of=("self",)).select_related("manager").get(pk=product.pk)
    if not lifecycle_movable(user=actor, product=current):
        manager = current.manager or "no one assigned yet"
        raise PermissionDenied(
            f"Only the product manager of {current.name} ({manager}), an executive or an admin may move its lifecycle."
        )
    errors: dict[str, list[str]] = {}
    if to_stage not in LIFECYCLE_ORDER:
        errors["to_stage"] = [
            "Choose a lifecycle stage: ideation, development, launch, growth, maturity or retirement."
        ]
    elif to_stage == current.lifecycle_stage:
        errors["to_stage"] = [f"{current.name} is already in {current.get_lifecycle_stage_display().lower()}."]
    elif current.lifecycle_stage == Product.Lifecycle.RETIREMENT and to_stage not in (
        Product.Lifecycle.IDEATION,
        Product.Lifecycle.DEVELOPMENT,
    ):
        errors["to_stage"] = ["A retired product comes back through ideation or development."]
    if not reason.strip():
        errors["reason"] = ["Say why: the history shows it to everyone."]
    if errors:
        raise ValidationError(errors)
    move = LifecycleMove(
        product=current, from_stage=current.lifecycle_stage, to_stage=to_stage, reason=reason.strip(), moved_by=actor
    )
    move.full_clean()
    before = audit_snapshot(current)
    current.lifecycle_stage = to_stage
    current.full_clean()
    current.save(update_fields=["lifecycle_stage"])
    move.save()
    audit_record(actor=actor, record=current, action=Action.CHANGED, before=before)
    return move


@transaction.atomic
def roadmap_settings_update(*, actor: User, public_roadmap_enabled: bool) -> RoadmapSettings:
    """Switch the public roadmap page on or off. Only admins may."""
    require(actor, RoadmapPermission.SET_PUBLIC_ROADMAP)
    settings, _ = RoadmapSettings.objects.select_for_update().get_or_create(id=1)
    before = audit_snapshot(settings)
    settings.public_roadmap_enabled = public_roadmap_enabled
    settings.updated_by = actor
    settings.updated_at = timezone.now()
    settings.full_clean()
    settings.save()
    audit_record(actor=actor, record=settings, action=Action.CHANGED, before=before)
    return settings
