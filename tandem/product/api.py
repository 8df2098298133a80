"""The product API: features with their evidence, under the same visibility rules as the pages."""

import datetime
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from pydantic import BaseModel

from tandem.asks.evidence import FIGURES, score_inputs
from tandem.asks.models import is_single_deal, largest_deal_share
from tandem.core.api import (
    ERRORS,
    WRITE_ERRORS,
    Id,
    cursor_paginate,
    errors_renamed,
    filterset_apply,
    omittable,
    row_or_404,
)
from tandem.core.constraints import text_limit
from tandem.core.fiscal import fiscal_quarter_of
from tandem.core.http import ApiRequest
from tandem.core.money import workspace_get
from tandem.core.permissions import require
from tandem.core.roles import SALES_ROLES
from tandem.people.models import User
from tandem.product import services
from tandem.product.filters import FeatureFilter
from tandem.product.models import Feature, Goal, Product, Release, ScoringSettings
from tandem.product.permissions import ProductPermission
from tandem.product.scoring import score_breakdown
from tandem.product.selectors import (
    date_shared_with_sales,
    feature_get,
    feature_goal_ids,
    feature_seen_in_full,
    feature_with_evidence,
    goal_visible,
    product_visible,
    release_dates_shared,
    release_visible,
    scoring_settings_get,
    with_recent_asks,
)
from tandem.roadmap.selectors import audience_for, talking_points_for

router = Router(tags=["product"])

# API sort → keyset order; each field is non-null (every feature has its evidence row) and ends on
# id, so the cursor works for every sort. "-score" follows the formula the executive chose.
FEATURE_SORTS: dict[str, list[str]] = {
    "-score": ["-evidence__score", "-id"],
    "-open_pipeline": ["-evidence__open_pipeline", "-id"],
    "-weighted_pipeline": ["-evidence__weighted_pipeline", "-id"],
    "-accounts": ["-evidence__accounts_count", "-id"],
    "title": ["title", "id"],
    "-created_at": ["-created_at", "-id"],
}
RICE_SORT = ["-evidence__rice_score", "-id"]
# Spelled out (a test checks them against the model's choices): enums named `Status` in several
# models would collide in the OpenAPI document.
FeatureStatus = Literal["backlog", "planned", "in_progress", "shipped", "declined"]
FeatureConfidence = Literal["committed", "likely", "exploring"]
FeatureVisibility = Literal["internal", "sales", "public"]
# Where it sits on the now / next / later board; "" places it by its release's date.
FeatureHorizon = Literal["", "now", "next", "later"]
FeatureSort = Literal["-score", "-open_pipeline", "-weighted_pipeline", "-accounts", "title", "-created_at"]


# A feature is answered as a plain dict (`_feature_rows`) validated by plain pydantic models, in
# Rust; ninja's Schema would wrap every value in its ORM getter, which took a third of the feature
# list's time in the API.
class EvidenceOut(BaseModel):
    asks_count: int = Field(description="Every ask naming the feature, merged duplicates included.")
    asks_last_90_days: int = Field(description="Asks naming the feature logged in the last 90 days.")
    accounts_count: int = Field(description="Distinct requesting accounts.")
    open_pipeline: Decimal = Field(description="Home-currency amount of the distinct open deals asking.")
    weighted_pipeline: Decimal = Field(description="The same, weighted by each deal's probability.")
    blocker_pipeline: Decimal = Field(description="Open deals with at least one blocker ask.")
    customer_revenue: Decimal = Field(description="Annual revenue of the requesting accounts that are customers.")
    lost_revenue: Decimal = Field(description="Deals lost for a missing feature that had an ask naming this one.")
    won_after_ship: Decimal = Field(description="Deals won after the feature's release shipped that asked for it.")
    largest_deal: Decimal = Field(description="The largest open deal asking.")
    largest_deal_share: Decimal = Field(description="The largest open deal's share of the open pipeline, 0 to 1.")
    single_deal_ask: bool = Field(description="The largest deal's share is above the workspace's single-deal share.")
    strategic_fit: Decimal = Field(description="Sum of the weights of the active goals the feature serves.")


class ScoreTermOut(BaseModel):
    key: Literal["revenue", "reach", "fit", "urgency"]
    label: str
    value: float = Field(description="The term normalised to about 0..1.")
    weight: float
    contribution: float = Field(description="value * weight.")


class RiceOut(BaseModel):
    reach: int = Field(description="Requesting accounts.")
    impact: float = Field(description="Mean importance of the asks: nice-to-have 0.5, important 1, blocker 3.")
    score: Decimal = Field(description="reach * impact * confidence / effort.")


class ScoreOut(BaseModel):
    formula: Literal["default", "rice"] = Field(description="The formula lists show and sort by.")
    value: Decimal = Field(description="The score of that formula: the one `sort=-score` orders by.")
    score: Decimal = Field(description="100 * blend * confidence / effort.")
    terms: list[ScoreTermOut]
    blend: float = Field(description="Sum of the terms' contributions.")
    confidence: float = Field(description="committed 1, likely 0.8, exploring 0.5.")
    effort: float = Field(description="Person-weeks; the workspace default while not estimated.")
    effort_estimated: bool
    rice: RiceOut


class FeatureOut(BaseModel):
    id: int
    product_id: int
    product_name: str
    title: str
    description: str
    status: FeatureStatus
    release_id: int | None
    goal_ids: list[int]
    effort: Decimal | None
    confidence: FeatureConfidence
    visibility: FeatureVisibility
    horizon: FeatureHorizon = Field(
        description='Where the PM placed it on the now / next / later board; "": by its release\'s date.'
    )
    owner_id: int | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    version: int
    sales_say: str = Field(description="What sales may tell customers about it, in the product manager's words.")
    sales_dont_say: str = Field(description="What sales must not say about it.")
    view: Literal["full", "sales"] = Field(
        description="`sales` when you are in sales and reach this internal feature through your customers' asks: "
        "its evidence, score and effort, and (until it ships) its release are left out."
    )
    evidence: EvidenceOut | None
    score: ScoreOut | None


# The feature's own columns in FeatureOut, read off the model as they are.
FEATURE_COLUMNS = (
    "id", "product_id", "title", "description", "status", "release_id", "effort", "confidence", "visibility",
    "horizon", "owner_id", "created_at", "updated_at", "version", "sales_say", "sales_dont_say",
)  # fmt: skip


class FeaturePageOut(BaseModel):
    items: list[FeatureOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class FeatureListQuery(Schema):
    product: Id | None = None
    status: FeatureStatus | None = None
    visibility: FeatureVisibility | None = None
    confidence: FeatureConfidence | None = None
    q: str | None = Field(None, description="Title contains.")
    sort: FeatureSort = Field(
        "-score",
        description="`-score` (the default) follows the workspace's formula; `-open_pipeline` is revenue at stake.",
    )
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


DESCRIPTION_LIMIT = text_limit(Feature, "description")
SAY_LIMIT = text_limit(Feature, "sales_say")
DONT_SAY_LIMIT = text_limit(Feature, "sales_dont_say")


class FeatureIn(Schema):
    product_id: Id
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=DESCRIPTION_LIMIT)
    status: FeatureStatus = "backlog"
    release_id: Id | None = None
    goal_ids: list[Id] = []
    effort: Decimal | None = Field(None, gt=0, max_digits=6, decimal_places=1)
    confidence: FeatureConfidence = "exploring"
    visibility: FeatureVisibility = "internal"
    horizon: FeatureHorizon = Field(
        "", description='Now, next or later on the board; "" (the default): by its release\'s date.'
    )
    sales_say: str = Field("", max_length=SAY_LIMIT, description="What sales may tell customers about it.")
    sales_dont_say: str = Field("", max_length=DONT_SAY_LIMIT, description="What sales must not say about it.")


class FeaturePatch(Schema):
    """Null takes the feature off its release or clears its effort; any other field keeps its
    value when left out and cannot be emptied."""

    version: int = Field(description="The version you read; a stale one gets 409 and changes nothing.")
    product_id: Id = omittable()
    title: str = omittable(min_length=1, max_length=200)
    description: str = omittable(max_length=DESCRIPTION_LIMIT)
    status: FeatureStatus = omittable()
    release_id: Id | None = None
    goal_ids: list[Id] = omittable()
    effort: Decimal | None = Field(None, gt=0, max_digits=6, decimal_places=1)
    confidence: FeatureConfidence = omittable()
    visibility: FeatureVisibility = omittable()
    horizon: FeatureHorizon = omittable()
    sales_say: str = omittable(max_length=SAY_LIMIT)
    sales_dont_say: str = omittable(max_length=DONT_SAY_LIMIT)


# Relations are sent as ids; service errors name the model field, so rename them to what was sent.
API_FIELD_NAMES = {"product": "product_id", "release": "release_id", "goals": "goal_ids", "owner": "owner_id"}


# The evidence columns a feature row reads, as `.values()` names them; the sorts' columns are among them.
EVIDENCE_COLUMNS = tuple(f"evidence__{name}" for name in (*FIGURES, "score", "rice_score"))


def _feature_values(request: ApiRequest) -> "QuerySet[Feature, dict[str, Any]]":
    """Visible features with their evidence as the values FeatureOut shows: no model instances,
    which were a third of the list's CPU (three models a row)."""
    return with_recent_asks(feature_with_evidence(user=request.user)).values(
        *FEATURE_COLUMNS, *EVIDENCE_COLUMNS, "recent_asks", product_name=F("product__name")
    )


def _release_shared(user: User, feature: dict[str, Any]) -> bool:
    """Sales is told a feature's release (and so its date) once it shipped or where the sales roadmap
    dates it (`date_shared_with_sales`): below that the sales roadmap gives only the quarter."""
    return (
        user.role not in SALES_ROLES
        or feature["status"] == Feature.Status.SHIPPED
        or date_shared_with_sales(confidence=feature["confidence"], visibility=feature["visibility"])
    )


def _feature_rows(user: User, features: list[dict[str, Any]], scoring: ScoringSettings) -> list[FeatureOut]:
    """Each row of `_feature_values` with its evidence and score breakdown: the goals of the whole
    page in one query; the breakdown is the pure formula."""
    rice = scoring.formula == ScoringSettings.Formula.RICE
    ids = [feature["id"] for feature in features]
    goals = feature_goal_ids(feature_ids=ids)
    rows = []
    for feature in features:
        figures = {name: feature[f"evidence__{name}"] for name in FIGURES}
        breakdown = score_breakdown(
            score_inputs(figures, effort=feature["effort"], confidence=feature["confidence"]), scoring.weights
        )
        largest, pipeline = figures["largest_deal"], figures["open_pipeline"]
        row = {name: feature[name] for name in FEATURE_COLUMNS}
        if not _release_shared(user, feature):
            row["release_id"] = None
        row["product_name"] = feature["product_name"]
        row["view"] = "full"
        row["goal_ids"] = goals.get(feature["id"], [])
        row["evidence"] = {
            **figures,
            "asks_last_90_days": feature["recent_asks"],
            "largest_deal_share": largest_deal_share(largest, pipeline),
            "single_deal_ask": is_single_deal(largest, pipeline, scoring.single_deal_share),
        }
        row["score"] = {
            "formula": scoring.formula,
            "value": breakdown.rice_score if rice else breakdown.score,
            "score": breakdown.score,
            "terms": [{**vars(term), "contribution": term.contribution} for term in breakdown.terms],
            "blend": breakdown.blend,
            "confidence": breakdown.confidence,
            "effort": breakdown.effort,
            "effort_estimated": breakdown.effort_estimated,
            "rice": {"reach": breakdown.rice_reach, "impact": breakdown.rice_impact, "score": breakdown.rice_score},
        }
        rows.append(FeatureOut.model_validate(row))
    return rows


def _feature_out(request: ApiRequest, pk: int) -> FeatureOut:
    """One feature: in full, or its sales view (`feature_seen_in_full`) with no evidence, score or effort."""
    feature = feature_get(user=request.user, pk=pk)
    if feature_seen_in_full(user=request.user, feature=feature):
        return _feature_rows(request.user, [row_or_404(_feature_values(request), pk)], scoring_settings_get())[0]
    row = {name: getattr(feature, name) for name in FEATURE_COLUMNS}
    row["sales_say"], row["sales_dont_say"] = talking_points_for(feature, audience=audience_for(request.user))
    goals = feature_goal_ids(feature_ids=[pk]).get(pk, [])
    return FeatureOut.model_validate(
        {
            **row,
            # An internal feature's plan is product's: sales promises no date of it (its release tells one).
            "release_id": row["release_id"] if feature.status == Feature.Status.SHIPPED else None,
            "effort": None,
            "product_name": feature.product.name,
            "goal_ids": goals,
            "view": "sales",
            "evidence": None,
            "score": None,
        }
    )


def _references(request: ApiRequest, data: dict[str, Any]) -> dict[str, Any]:
    """Turn `*_id` fields into the records they name, among those the user sees (else a 422 on the field)."""
    user = request.user
    changes: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key, value in data.items():
        if key == "product_id":
            changes["product"] = product_visible(user=user).filter(pk=value).first()
            if changes["product"] is None:
                errors["product_id"] = [f"There is no product {value}."]
        elif key == "release_id":
            # null takes the feature off its release; 0 (or false) names no release: a 422, not a 500.
            changes["release"] = None if value is None else release_visible(user=user).filter(pk=value).first()
            if value is not None and changes["release"] is None:
                errors["release_id"] = [f"There is no release {value}."]
        elif key == "goal_ids":
            goals = list(goal_visible(user=user).filter(pk__in=value))
            if len(goals) != len(set(value)):
                errors["goal_ids"] = ["Some of these goals do not exist."]
            changes["goals"] = goals
        else:
            changes[key] = value
    if errors:
        raise ValidationError(errors)
    return changes


@router.get(
    "/features",
    response={200: FeaturePageOut, **ERRORS},
    operation_id="product_feature_list",
    summary="List features, by score unless sorted otherwise",
)
def feature_list(request: ApiRequest, params: Query[FeatureListQuery]) -> FeaturePageOut:
    filters = params.dict(include={"product", "status", "visibility", "confidence", "q"}, exclude_none=True)
    features = filterset_apply(FeatureFilter, filters, queryset=_feature_values(request), request=request)
    scoring = scoring_settings_get()
    order = FEATURE_SORTS[params.sort]
    if params.sort == "-score" and scoring.formula == ScoringSettings.Formula.RICE:
        order = RICE_SORT
    items, next_cursor = cursor_paginate(features, order=order, cursor=params.cursor, limit=params.limit)
    return FeaturePageOut(items=_feature_rows(request.user, items, scoring), next_cursor=next_cursor)


@router.post(
    "/features",
    response={201: FeatureOut, **WRITE_ERRORS},
    operation_id="product_feature_create",
    summary="Add a feature to a product's backlog",
)
def feature_create(request: ApiRequest, payload: FeatureIn) -> Status[FeatureOut]:
    try:
        feature = services.feature_create(actor=request.user, **_references(request, payload.dict()))
    except ValidationError as exc:
        raise errors_renamed(exc, API_FIELD_NAMES) from exc
    return Status(201, _feature_out(request, feature.pk))


@router.get(
    "/features/{feature_id}",
    response={200: FeatureOut, **ERRORS},
    operation_id="product_feature_get",
    summary="Get one feature with its evidence and score breakdown",
)
def feature_get_one(request: ApiRequest, feature_id: int) -> FeatureOut:
    return _feature_out(request, feature_id)


@router.patch(
    "/features/{feature_id}",
    response={200: FeatureOut, **WRITE_ERRORS},
    operation_id="product_feature_update",
    summary="Change a feature (engineering leads: only its effort)",
)
def feature_update(request: ApiRequest, feature_id: int, payload: FeaturePatch) -> FeatureOut:
    feature = feature_get(user=request.user, pk=feature_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    try:
        services.feature_change(
            actor=request.user, feature=feature, expected_version=version, **_references(request, data)
        )
    except ValidationError as exc:
        raise errors_renamed(exc, API_FIELD_NAMES) from exc
    return _feature_out(request, feature_id)


@router.delete(
    "/features/{feature_id}",
    response={204: None, **WRITE_ERRORS},
    operation_id="product_feature_delete",
    summary="Delete a feature; its asks go back to triage",
)
def feature_delete(
    request: ApiRequest,
    feature_id: int,
    version: int = Query(..., description="The version you read; a stale one gets 409 and deletes nothing."),
) -> Status[None]:
    feature = feature_get(user=request.user, pk=feature_id)
    services.feature_delete(actor=request.user, feature=feature, expected_version=version)
    return Status(204, None)


ReleaseStatus = Literal["planned", "shipped"]


class ReleaseOut(Schema):
    id: int
    product_id: int
    name: str
    target_date: datetime.date | None = Field(
        description="The target day where you may know it (sales: once the sales roadmap dates the release, "
        "a committed sales-shareable feature on it, or it shipped), else null."
    )
    target_quarter: str = Field(description="The fiscal quarter of the target day.")
    status: ReleaseStatus
    shipped_at: datetime.datetime | None
    version: int


class ReleaseIn(Schema):
    product_id: Id
    name: str = Field(min_length=1, max_length=200)
    target_date: datetime.date


class ReleasePatch(Schema):
    version: int = Field(description="The version you read; a stale one gets 409 and changes nothing.")
    name: str = omittable(min_length=1, max_length=200)
    target_date: datetime.date = omittable()


class ReleaseListQuery(Schema):
    product: Id | None = None
    status: ReleaseStatus | None = None


@router.get(
    "/releases",
    response={200: list[ReleaseOut], **ERRORS},
    operation_id="product_release_list",
    summary="List releases, planned ones first by target date",
)
def release_list(request: ApiRequest, params: Query[ReleaseListQuery]) -> list[ReleaseOut]:
    releases = release_visible(user=request.user)
    if params.product is not None:
        releases = releases.filter(product_id=params.product)
    if params.status is not None:
        releases = releases.filter(status=params.status)
    return _releases_out(request.user, list(releases.order_by("-status", "target_date", "name", "id")))


def _releases_out(user: User, releases: list[Release]) -> list[ReleaseOut]:
    """Releases with their targets as finely as the reader may know them (`release_dates_shared`)."""
    shared = release_dates_shared(user=user, releases=releases)
    start_month = workspace_get().fiscal_year_start_month
    return [
        ReleaseOut(
            id=release.pk,
            product_id=release.product_id,
            name=release.name,
            target_date=release.target_date if release.pk in shared else None,
            target_quarter=str(fiscal_quarter_of(release.target_date, start_month)),
            status=release.status,  # type: ignore[arg-type]
            shipped_at=release.shipped_at,
            version=release.version,
        )
        for release in releases
    ]


@router.post(
    "/releases/{release_id}/ship",
    response={200: ReleaseOut, **WRITE_ERRORS},
    operation_id="product_release_ship",
    summary="Mark a release shipped: its features ship and the reps whose customers asked are notified",
)
def release_ship(request: ApiRequest, release_id: int) -> ReleaseOut:
    release = get_object_or_404(release_visible(user=request.user), pk=release_id)
    return _releases_out(request.user, [services.release_ship(actor=request.user, release=release)])[0]


@router.post(
    "/releases",
    response={201: ReleaseOut, **WRITE_ERRORS},
    operation_id="product_release_create",
    summary="Plan a release of a product for a target date",
)
def release_create(request: ApiRequest, payload: ReleaseIn) -> Status[ReleaseOut]:
    data = _references(request, payload.dict())
    try:
        release = services.release_create(actor=request.user, **data)
    except ValidationError as exc:
        raise errors_renamed(exc, API_FIELD_NAMES) from exc
    return Status(201, _releases_out(request.user, [release])[0])


@router.patch(
    "/releases/{release_id}",
    response={200: ReleaseOut, **WRITE_ERRORS},
    operation_id="product_release_update",
    summary="Rename or re-date a planned release",
)
def release_update(request: ApiRequest, release_id: int, payload: ReleasePatch) -> ReleaseOut:
    release = get_object_or_404(release_visible(user=request.user), pk=release_id)
    updated = services.release_update(
        actor=request.user,
        release=release,
        expected_version=payload.version,
        name=release.name if payload.name is None else payload.name,
        target_date=release.target_date if payload.target_date is None else payload.target_date,
    )
    return _releases_out(request.user, [updated])[0]


# Products, goals and the scoring weights: what the product list, the product page and the scoring
# page offer (issue 20: the API offers every action of the pages).


class ProductOut(Schema):
    id: int
    name: str
    description: str
    lifecycle_stage: Product.Lifecycle
    manager_id: int | None


class ProductPageOut(Schema):
    items: list[ProductOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class ProductListQuery(Schema):
    lifecycle_stage: Product.Lifecycle | None = None
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


@router.get(
    "/products",
    response={200: ProductPageOut, **ERRORS},
    operation_id="product_product_list",
    summary="List products, by name",
)
def product_list(request: ApiRequest, params: Query[ProductListQuery]) -> dict[str, Any]:
    products = product_visible(user=request.user)
    if params.lifecycle_stage:
        products = products.filter(lifecycle_stage=params.lifecycle_stage)
    items, next_cursor = cursor_paginate(products, order=["name", "id"], cursor=params.cursor, limit=params.limit)
    return {"items": items, "next_cursor": next_cursor}


@router.get(
    "/products/{product_id}",
    response={200: ProductOut, **ERRORS},
    operation_id="product_product_get",
    summary="Read a product",
)
def product_get_one(request: ApiRequest, product_id: Id) -> Product:
    return get_object_or_404(product_visible(user=request.user), pk=product_id)


class GoalOut(Schema):
    id: int
    name: str
    description: str
    weight: Decimal
    is_active: bool
    version: int


class GoalIn(Schema):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=text_limit(Goal, "description"))
    weight: Decimal = Field(ge=0, max_digits=5, decimal_places=2)
    is_active: bool = True


class GoalPut(GoalIn):
    version: int = Field(ge=0, le=2**31 - 1, description="The version read: a stale one is refused (409).")


@router.get(
    "/goals",
    response={200: list[GoalOut], **ERRORS},
    operation_id="product_goal_list",
    summary="List the strategic goals and their weights",
)
def goal_list(request: ApiRequest) -> QuerySet[Goal]:
    return goal_visible(user=request.user).order_by("name", "id")


@router.post(
    "/goals",
    response={201: GoalOut, **WRITE_ERRORS},
    operation_id="product_goal_create",
    summary="Set a strategic goal with its weight (executives, admins)",
)
def goal_create(request: ApiRequest, payload: GoalIn) -> Status[Goal]:
    return Status(201, services.goal_create(actor=request.user, **payload.dict()))


@router.put(
    "/goals/{goal_id}",
    response={200: GoalOut, **WRITE_ERRORS},
    operation_id="product_goal_update",
    summary="Change a goal, from the version read (executives, admins); a new weight rescores its features",
)
def goal_update(request: ApiRequest, goal_id: Id, payload: GoalPut) -> Goal:
    require(request.user, ProductPermission.SET_GOALS)
    goal = get_object_or_404(goal_visible(user=request.user), pk=goal_id)
    data = payload.dict()
    version = data.pop("version")
    return services.goal_update(actor=request.user, goal=goal, expected_version=version, **data)


class ScoringOut(Schema):
    formula: ScoringSettings.Formula
    weight_revenue: Decimal
    weight_reach: Decimal
    weight_fit: Decimal
    weight_urgency: Decimal
    default_effort: Decimal = Field(description="Weeks assumed for a feature nobody estimated.")
    single_deal_share: Decimal = Field(
        description="Above this share of its open pipeline in one deal, a feature is a single-deal ask."
    )
    updated_at: datetime.datetime | None
    recompute_requested_at: datetime.datetime | None
    recomputed_at: datetime.datetime | None


class ScoringPatch(Schema):
    formula: ScoringSettings.Formula = omittable()
    weight_revenue: Decimal = omittable(ge=0, max_digits=5, decimal_places=2)
    weight_reach: Decimal = omittable(ge=0, max_digits=5, decimal_places=2)
    weight_fit: Decimal = omittable(ge=0, max_digits=5, decimal_places=2)
    weight_urgency: Decimal = omittable(ge=0, max_digits=5, decimal_places=2)
    default_effort: Decimal = omittable(gt=0, max_digits=6, decimal_places=1)
    single_deal_share: Decimal = omittable(gt=0, le=1, max_digits=3, decimal_places=2)


@router.get(
    "/scoring",
    response={200: ScoringOut, **ERRORS},
    operation_id="product_scoring_get",
    summary="Read the scoring weights, the formula and whether a rescore is running",
)
def scoring_get(request: ApiRequest) -> ScoringSettings:
    return scoring_settings_get()


@router.patch(
    "/scoring",
    response={200: ScoringOut, **WRITE_ERRORS},
    operation_id="product_scoring_update",
    summary="Change the scoring weights (executives, admins)",
    description="A new weight or default effort rescores every feature in the background.",
)
def scoring_update(request: ApiRequest, payload: ScoringPatch) -> ScoringSettings:
    return services.scoring_settings_update(actor=request.user, **payload.dict(exclude_unset=True))
