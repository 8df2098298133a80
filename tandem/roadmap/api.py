"""The roadmap API: roadmap items as the caller's audience reads them, placing them, talking points,
market research and lifecycle moves, under the same rules as the pages."""

import datetime
from decimal import Decimal
from typing import Literal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import BaseModel

from tandem.competition.models import Competitor
from tandem.core.api import ERRORS, WRITE_ERRORS, Id
from tandem.core.constraints import text_limit
from tandem.core.http import ApiRequest
from tandem.core.money import workspace_get
from tandem.core.permissions import require
from tandem.people.models import User
from tandem.product.models import Feature, Release
from tandem.product.permissions import ProductPermission
from tandem.product.selectors import feature_get, feature_seen_in_full
from tandem.roadmap import services
from tandem.roadmap.models import LifecycleMove, MarketResearch
from tandem.roadmap.selectors import (
    ROADMAP_SHOWN,
    Audience,
    RoadmapFilters,
    RoadmapItem,
    audience_for,
    dependents_of,
    feature_for_roadmap,
    lifecycle_history,
    market_research_for,
    product_get,
    roadmap_item,
    roadmap_items,
    talking_points_for,
)

router = Router(tags=["roadmap"])

RoadmapHorizon = Literal["now", "next", "later"]
LifecycleStage = Literal["ideation", "development", "launch", "growth", "maturity", "retirement"]


# A plain pydantic model, built once per item: ninja's `Schema` read every field of every item back
# through its ORM getter when the list was answered, most of the list's CPU.
class RoadmapItemOut(BaseModel):
    feature_id: int
    title: str
    product_id: int
    product_name: str
    release_id: int | None = Field(description="Only for the internal audience.")
    horizon: RoadmapHorizon
    when: str = Field(description="The release's date where the audience may know it, else its fiscal quarter.")
    date: datetime.date | None = Field(description="The exact date, where the audience may know it.")
    confidence: Literal["committed", "likely", "exploring"]
    visibility: Literal["internal", "sales", "public"]
    say: str
    dont_say: str
    version: int


class RoadmapListQuery(Schema):
    product: Id | None = None
    goal: Id | None = None
    team: Id | None = None
    limit: int = Field(ROADMAP_SHOWN, ge=1, le=1000, description="The first this many items, by release date.")


def _item_out(item: RoadmapItem, *, internal: bool) -> RoadmapItemOut:
    feature = item.feature
    return RoadmapItemOut(
        feature_id=feature.pk,
        title=feature.title,
        product_id=feature.product_id,
        product_name=feature.product.name,
        release_id=feature.release_id if internal else None,
        horizon=item.horizon,  # type: ignore[arg-type]
        when=item.when,
        date=item.exact_date,
        confidence=feature.confidence,  # type: ignore[arg-type]
        visibility=feature.visibility,  # type: ignore[arg-type]
        say=item.say,
        dont_say=item.dont_say,
        version=feature.version,
    )


@router.get(
    "/roadmap/items",
    response={200: list[RoadmapItemOut], **ERRORS},
    operation_id="roadmap_item_list",
    summary="The roadmap as you may read it: sales roles get the sales roadmap (shareable items, quarters)",
)
def roadmap_item_list(request: ApiRequest, params: Query[RoadmapListQuery]) -> list[RoadmapItemOut]:
    audience = audience_for(request.user)
    filters = RoadmapFilters(product=params.product, goal=params.goal, team=params.team)
    items = roadmap_items(audience=audience, user=request.user, filters=filters, limit=params.limit)
    return [_item_out(item, internal=audience == "internal") for item in items]


class RoadmapPlaceIn(Schema):
    version: int = Field(description="The feature's version you read; a stale one gets 409 and moves nothing.")
    release_id: Id | None = Field(None, description="Move onto this release of the feature's product (null: none).")
    horizon: RoadmapHorizon | Literal[""] | None = Field(None, description='Place it now, next or later ("": by date).')


@router.post(
    "/roadmap/items/{feature_id}/place",
    response={200: RoadmapItemOut, **WRITE_ERRORS},
    operation_id="roadmap_item_place",
    summary="Place a feature on a release or in the now / next / later column",
)
def roadmap_item_place(request: ApiRequest, feature_id: int, payload: RoadmapPlaceIn) -> RoadmapItemOut:
    feature = feature_for_roadmap(user=request.user, pk=feature_id)
    data = payload.dict(exclude_unset=True)
    changes: dict[str, object] = {}
    if "release_id" in data:
        release_id = data["release_id"]
        release = None if release_id is None else Release.objects.filter(pk=release_id).first()
        if release_id is not None and release is None:
            raise ValidationError({"release_id": "Choose a release of the feature's own product."})
        changes["release"] = release
    if data.get("horizon") is not None:
        changes["horizon"] = data["horizon"]
    try:
        services.roadmap_feature_place(actor=request.user, feature=feature, expected_version=payload.version, **changes)
    except ValidationError as exc:
        if hasattr(exc, "error_dict") and "release" in exc.error_dict:
            raise ValidationError({"release_id": exc.error_dict["release"]}) from exc
        raise
    placed = feature_for_roadmap(user=request.user, pk=feature_id)
    start_month = workspace_get().fiscal_year_start_month
    item = roadmap_item(placed, audience=Audience.INTERNAL, today=timezone.localdate(), start_month=start_month)
    return _item_out(item, internal=True)


class TalkingPointsOut(Schema):
    feature_id: int
    visibility: Literal["internal", "sales", "public"]
    say: str
    dont_say: str
    version: int


class TalkingPointsIn(Schema):
    version: int = Field(description="The feature's version you read; a stale one gets 409.")
    say: str = Field(max_length=text_limit(Feature, "sales_say"))
    dont_say: str = Field(max_length=text_limit(Feature, "sales_dont_say"))
    visibility: Literal["internal", "sales", "public"] | None = None


def _talking_points(user: User, feature: Feature) -> TalkingPointsOut:
    say, dont_say = talking_points_for(feature, audience=audience_for(user))
    return TalkingPointsOut(
        feature_id=feature.pk,
        visibility=feature.visibility,  # type: ignore[arg-type]
        say=say,
        dont_say=dont_say,
        version=feature.version,
    )


def _shareable_feature(request: ApiRequest, feature_id: int) -> Feature:
    """Talking points are written for sales: sales reads them on the features it may share (an
    internal feature reached through an ask has none to read)."""
    feature = feature_get(user=request.user, pk=feature_id)
    if not feature_seen_in_full(user=request.user, feature=feature):
        raise Http404
    return feature


@router.get(
    "/features/{feature_id}/talking-points",
    response={200: TalkingPointsOut, **ERRORS},
    operation_id="roadmap_talking_points_get",
    summary="What sales may say and must not say about a feature",
)
def talking_points_get(request: ApiRequest, feature_id: int) -> TalkingPointsOut:
    return _talking_points(request.user, _shareable_feature(request, feature_id))


@router.put(
    "/features/{feature_id}/talking-points",
    response={200: TalkingPointsOut, **WRITE_ERRORS},
    operation_id="roadmap_talking_points_update",
    summary="Write a feature's talking points (and who may see it); product managers",
)
def talking_points_update(request: ApiRequest, feature_id: int, payload: TalkingPointsIn) -> TalkingPointsOut:
    feature = feature_get(user=request.user, pk=feature_id)
    require(request.user, ProductPermission.EDIT_FEATURE)
    saved = services.feature_talking_points_set(
        actor=request.user,
        feature=feature,
        expected_version=payload.version,
        say=payload.say,
        dont_say=payload.dont_say,
        visibility=payload.visibility,
    )
    return _talking_points(request.user, saved)


class CompetitorEvidenceOut(Schema):
    name: str
    deals_lost: int
    amount_lost: Decimal


class MarketResearchOut(Schema):
    feature_id: int
    target_segment: str
    market_size: Decimal | None
    revenue_potential: Decimal | None
    competitor_ids: list[int]
    notes: str
    version: int = Field(description="1 until first written; send it back to write.")
    asking_accounts: int = Field(description="Computed: distinct accounts that asked for it.")
    open_pipeline: Decimal = Field(description="Computed: open deals asking, in the home currency.")
    lost_revenue: Decimal = Field(description="Computed: deals lost for a missing feature that asked for it.")


class MarketResearchIn(Schema):
    version: int
    target_segment: str = Field("", max_length=200)
    market_size: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    revenue_potential: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    competitor_ids: list[Id] = []
    notes: str = Field("", max_length=text_limit(MarketResearch, "notes"))


def _research_out(feature: Feature, research: MarketResearch) -> MarketResearchOut:
    evidence = getattr(feature, "evidence", None)
    return MarketResearchOut(
        feature_id=feature.pk,
        target_segment=research.target_segment,
        market_size=research.market_size,
        revenue_potential=research.revenue_potential,
        competitor_ids=sorted(c.pk for c in research.competitors.all()) if research.pk else [],
        notes=research.notes,
        version=research.version,
        asking_accounts=evidence.accounts_count if evidence else 0,
        open_pipeline=evidence.open_pipeline if evidence else Decimal("0"),
        lost_revenue=evidence.lost_revenue if evidence else Decimal("0"),
    )


@router.get(
    "/features/{feature_id}/market-research",
    response={200: MarketResearchOut, **ERRORS},
    operation_id="roadmap_market_research_get",
    summary="An idea's market research, with the evidence computed from asks and deals",
)
def market_research_get(request: ApiRequest, feature_id: int) -> MarketResearchOut:
    feature = _shareable_feature(request, feature_id)
    return _research_out(feature, market_research_for(feature=feature))


@router.put(
    "/features/{feature_id}/market-research",
    response={200: MarketResearchOut, **WRITE_ERRORS},
    operation_id="roadmap_market_research_update",
    summary="Write an idea's market research; product managers",
)
def market_research_update(request: ApiRequest, feature_id: int, payload: MarketResearchIn) -> MarketResearchOut:
    feature = _shareable_feature(request, feature_id)
    competitors = list(Competitor.objects.filter(pk__in=payload.competitor_ids))
    if len(competitors) != len(set(payload.competitor_ids)):
        raise ValidationError({"competitor_ids": "Choose competitors that exist."})
    research = services.market_research_set(
        actor=request.user,
        feature=feature,
        expected_version=payload.version,
        target_segment=payload.target_segment,
        market_size=payload.market_size,
        revenue_potential=payload.revenue_potential,
        competitors=competitors,
        notes=payload.notes,
    )
    return _research_out(feature, research)


class LifecycleMoveOut(Schema):
    id: int
    product_id: int
    from_stage: LifecycleStage
    to_stage: LifecycleStage
    reason: str
    moved_by_id: int | None
    moved_at: datetime.datetime


class LifecycleMoveIn(Schema):
    to_stage: LifecycleStage
    reason: str = Field(max_length=text_limit(LifecycleMove, "reason"))


@router.get(
    "/products/{product_id}/lifecycle-moves",
    response={200: list[LifecycleMoveOut], **ERRORS},
    operation_id="roadmap_lifecycle_move_list",
    summary="A product's lifecycle moves, newest first, with their reasons",
)
def lifecycle_move_list(request: ApiRequest, product_id: int) -> list[LifecycleMove]:
    return lifecycle_history(user=request.user, product=product_get(user=request.user, pk=product_id))


@router.post(
    "/products/{product_id}/lifecycle-moves",
    response={201: LifecycleMoveOut, **WRITE_ERRORS},
    operation_id="roadmap_lifecycle_move_create",
    summary="Move a product to another lifecycle stage, saying why",
)
def lifecycle_move_create(request: ApiRequest, product_id: int, payload: LifecycleMoveIn) -> Status[LifecycleMove]:
    product = product_get(user=request.user, pk=product_id)
    move = services.product_lifecycle_move(
        actor=request.user, product=product, to_stage=payload.to_stage, reason=payload.reason
    )
    return Status(201, move)


class DependentAccountOut(Schema):
    id: int
    name: str


class DependentDealOut(Schema):
    id: int
    name: str
    account_id: int
    amount_home: Decimal


class DependentsOut(Schema):
    accounts: list[DependentAccountOut]
    open_deals: list[DependentDealOut]
    more_accounts: int = Field(description="Accounts beyond those listed, or that you may not see.")
    more_open_deals: int


@router.get(
    "/products/{product_id}/dependents",
    response={200: DependentsOut, **ERRORS},
    operation_id="roadmap_product_dependents",
    summary="The accounts and open deals that depend on a product through their asks",
)
def product_dependents(request: ApiRequest, product_id: int) -> DependentsOut:
    product = product_get(user=request.user, pk=product_id)
    found = dependents_of(user=request.user, product=product)
    return DependentsOut(
        accounts=[DependentAccountOut(id=a.pk, name=a.name) for a in found.accounts],
        open_deals=[
            DependentDealOut(id=d.pk, name=d.name, account_id=d.account_id, amount_home=d.amount_home)
            for d in found.open_deals
        ],
        more_accounts=found.hidden_accounts,
        more_open_deals=found.hidden_deals,
    )
