"""The JSON API of the competition: competitors and their products, battlecards with their history,
field intel, win rates against each competitor and the features cited in losses."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from tandem.competition import services
from tandem.competition.filters import FieldIntelFilter
from tandem.competition.models import (
    INTEL_LIMIT,
    POSITIONING_LIMIT,
    PRICING_LIMIT,
    PRODUCT_DESCRIPTION_LIMIT,
    SECTION_LIMIT,
    Battlecard,
    BattlecardRevision,
    Competitor,
    FieldIntel,
    LossFeature,
)
from tandem.competition.permissions import CompetitionPermission
from tandem.competition.selectors import (
    battlecard_history,
    battlecard_of,
    competitor_for_change,
    competitor_get,
    competitor_product_for_change,
    competitor_visible,
    field_intel_for_change,
    intel_feed,
    loss_feature_for_change,
    loss_feature_visible,
    win_rate_by_quarter,
)
from tandem.core.api import ERRORS, WRITE_ERRORS, Id, cursor_paginate, errors_renamed, filterset_apply, omittable
from tandem.core.fiscal import fiscal_quarter_of
from tandem.core.http import ApiRequest
from tandem.core.money import workspace_get
from tandem.core.permissions import require
from tandem.product.models import Feature
from tandem.sales.models import Account, Opportunity
from tandem.sales.selectors import opportunity_get

router = Router(tags=["competition"])
QUARTERS = 8  # the win rates' quarters, as the competition page draws them
P = CompetitionPermission


class CompetitorProductOut(Schema):
    id: int
    name: str
    description: str
    pricing: str


class CompetitorOut(Schema):
    id: int
    name: str
    website: str
    positioning: str
    pricing: str
    products: list[CompetitorProductOut]
    version: int = Field(..., description="Send it back with a PATCH; a stale one gives 409.")

    @staticmethod
    def resolve_products(competitor: Competitor) -> list[Any]:
        return list(competitor.products.all())


class CompetitorIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    website: str = Field("", max_length=200)
    positioning: str = Field("", max_length=POSITIONING_LIMIT)
    pricing: str = Field("", max_length=PRICING_LIMIT)


class CompetitorPatch(Schema):
    version: int
    name: str = omittable(min_length=1, max_length=200)
    website: str = omittable(max_length=200)
    positioning: str = omittable(max_length=POSITIONING_LIMIT)
    pricing: str = omittable(max_length=PRICING_LIMIT)


class CompetitorProductIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=PRODUCT_DESCRIPTION_LIMIT)
    pricing: str = Field("", max_length=PRICING_LIMIT)


class BattlecardOut(Schema):
    competitor_id: int
    strengths: str = ""
    weaknesses: str = ""
    landmines: str = ""
    objections: str = ""
    updated_at: datetime.datetime | None = None
    version: int = Field(1, description="Send it back with a PATCH; a stale one gives 409.")


class BattlecardPatch(Schema):
    version: int = Field(..., description="The version you read; a stale one gives 409 and changes nothing.")
    strengths: str = omittable(max_length=SECTION_LIMIT)
    weaknesses: str = omittable(max_length=SECTION_LIMIT)
    landmines: str = omittable(max_length=SECTION_LIMIT)
    objections: str = omittable(max_length=SECTION_LIMIT)


class BattlecardRevisionOut(Schema):
    id: int
    section: BattlecardRevision.Section
    before: str
    after: str
    changed_by_id: int | None
    changed_at: datetime.datetime
    version: int


class FieldIntelOut(Schema):
    id: int
    competitor_id: int
    account_id: int
    opportunity_id: int | None
    offered: str
    price_home: Decimal | None
    claims: str
    author_id: int
    created_at: datetime.datetime


class FieldIntelIn(Schema):
    competitor_id: Id
    opportunity_id: Id | None = Field(None, description="The deal it was heard on; or give the account.")
    account_id: Id | None = None
    offered: str = Field(..., min_length=1, max_length=INTEL_LIMIT, description="What the competitor offered.")
    # Not negative: the service says so under the field, as the deal page does.
    price_home: Decimal | None = Field(None, max_digits=16, decimal_places=2, description="A year, home currency.")
    claims: str = Field("", max_length=INTEL_LIMIT)


class FieldIntelListIn(Schema):
    competitor_id: Id | None = None
    since: datetime.date | None = None
    until: datetime.date | None = None
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


class FieldIntelPage(Schema):
    items: list[FieldIntelOut]
    next_cursor: str | None


class QuarterRateOut(Schema):
    quarter: str
    won: int
    lost: int
    win_rate: Decimal | None


class CompetitorWinRatesOut(Schema):
    competitor_id: int
    name: str
    quarters: list[QuarterRateOut]


class WinRatesIn(Schema):
    competitor_id: Id | None = None


class LossFeatureOut(Schema):
    id: int
    opportunity_id: int
    feature_id: int
    cited_by_id: int | None
    cited_at: datetime.datetime


class LossFeatureIn(Schema):
    feature_id: Id


def _competitor(request: ApiRequest, pk: int) -> Competitor:
    return competitor_get(user=request.user, pk=pk)


@router.get(
    "/competitors",
    response={200: list[CompetitorOut], **ERRORS},
    operation_id="competition_competitor_list",
    summary="Competitors with their products, pricing and positioning",
)
def competitor_list(request: ApiRequest) -> Any:
    require(request.user, P.VIEW_COMPETITION)
    return competitor_visible(user=request.user).prefetch_related("products")[:500]


@router.post(
    "/competitors",
    response={201: CompetitorOut, **WRITE_ERRORS},
    operation_id="competition_competitor_create",
    summary="Add a competitor (product managers and admins)",
)
def competitor_create(request: ApiRequest, payload: CompetitorIn) -> Status[Competitor]:
    require(request.user, P.EDIT_COMPETITORS)
    return Status(201, services.competitor_create(actor=request.user, **payload.dict()))


@router.get(
    "/competitors/{competitor_id}",
    response={200: CompetitorOut, **ERRORS},
    operation_id="competition_competitor_get",
    summary="One competitor",
)
def competitor_detail(request: ApiRequest, competitor_id: int) -> Competitor:
    require(request.user, P.VIEW_COMPETITION)
    return _competitor(request, competitor_id)


@router.patch(
    "/competitors/{competitor_id}",
    response={200: CompetitorOut, **WRITE_ERRORS},
    operation_id="competition_competitor_update",
    summary="Change a competitor's profile",
    description="Send the `version` you read.",
)
def competitor_update(request: ApiRequest, competitor_id: int, payload: CompetitorPatch) -> Competitor:
    require(request.user, P.EDIT_COMPETITORS)
    competitor = competitor_for_change(user=request.user, pk=competitor_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    return services.competitor_update(actor=request.user, competitor=competitor, expected_version=version, data=data)


@router.post(
    "/competitors/{competitor_id}/products",
    response={201: CompetitorProductOut, **WRITE_ERRORS},
    operation_id="competition_product_create",
    summary="Add a product a competitor sells",
)
def product_create(request: ApiRequest, competitor_id: int, payload: CompetitorProductIn) -> Status[Any]:
    require(request.user, P.EDIT_COMPETITORS)
    competitor = competitor_for_change(user=request.user, pk=competitor_id)
    return Status(201, services.competitor_product_create(actor=request.user, competitor=competitor, **payload.dict()))


@router.delete(
    "/competitor-products/{product_id}",
    response={204: None, **WRITE_ERRORS},
    operation_id="competition_product_delete",
    summary="Remove a competitor's product",
)
def product_delete(request: ApiRequest, product_id: int) -> Status[None]:
    require(request.user, P.EDIT_COMPETITORS)
    product = competitor_product_for_change(user=request.user, pk=product_id)
    services.competitor_product_delete(actor=request.user, product=product)
    return Status(204, None)


def _card(request: ApiRequest, competitor: Competitor) -> Battlecard | dict[str, Any]:
    card = battlecard_of(user=request.user, competitor=competitor)
    return card if card is not None else {"competitor_id": competitor.pk}


@router.get(
    "/competitors/{competitor_id}/battlecard",
    response={200: BattlecardOut, **ERRORS},
    operation_id="competition_battlecard_get",
    summary="A competitor's battlecard",
)
def battlecard_detail(request: ApiRequest, competitor_id: int) -> Any:
    require(request.user, P.VIEW_COMPETITION)
    return _card(request, _competitor(request, competitor_id))


@router.patch(
    "/competitors/{competitor_id}/battlecard",
    response={200: BattlecardOut, **WRITE_ERRORS},
    operation_id="competition_battlecard_update",
    summary="Change sections of a battlecard",
    description="Product managers and admins write every section; sales roles the objections. Send the "
    "`version` you read.",
)
def battlecard_update(request: ApiRequest, competitor_id: int, payload: BattlecardPatch) -> Any:
    require(request.user, P.EDIT_BATTLECARD)
    competitor = _competitor(request, competitor_id)
    sections = payload.dict(exclude_unset=True)
    version = sections.pop("version")
    return services.battlecard_update(
        actor=request.user, competitor=competitor, expected_version=version, sections=sections
    )


@router.get(
    "/competitors/{competitor_id}/battlecard/history",
    response={200: list[BattlecardRevisionOut], **ERRORS},
    operation_id="competition_battlecard_history",
    summary="Who changed which section of a battlecard, newest first",
)
def battlecard_history_list(request: ApiRequest, competitor_id: int) -> Any:
    require(request.user, P.VIEW_COMPETITION)
    return battlecard_history(user=request.user, competitor=_competitor(request, competitor_id))[:500]


@router.get(
    "/intel",
    response={200: FieldIntelPage, **ERRORS},
    operation_id="competition_intel_list",
    summary="Field intel, newest first, by competitor and day",
)
def intel_list(request: ApiRequest, params: Query[FieldIntelListIn]) -> dict[str, Any]:
    require(request.user, P.VIEW_INTEL)
    data = {
        name: str(value)
        for name, value in {"competitor": params.competitor_id, "since": params.since, "until": params.until}.items()
        if value is not None
    }
    try:
        rows = filterset_apply(FieldIntelFilter, data, queryset=intel_feed(user=request.user), request=request)
    except ValidationError as error:
        raise errors_renamed(error, {"competitor": "competitor_id"}) from error
    items, next_cursor = cursor_paginate(rows, order=["-created_at", "-id"], cursor=params.cursor, limit=params.limit)
    return {"items": items, "next_cursor": next_cursor}


@router.post(
    "/intel",
    response={201: FieldIntelOut, **WRITE_ERRORS},
    operation_id="competition_intel_create",
    summary="Log field intel on a deal or an account",
)
def intel_create(request: ApiRequest, payload: FieldIntelIn) -> Status[FieldIntel]:
    require(request.user, P.LOG_INTEL)
    errors: dict[str, list[str]] = {}
    competitor = competitor_visible(user=request.user).filter(pk=payload.competitor_id).first()
    if competitor is None:
        errors["competitor_id"] = ["Choose a competitor."]
    deal = Opportunity.objects.filter(pk=payload.opportunity_id).first() if payload.opportunity_id else None
    account = Account.objects.filter(pk=payload.account_id).first() if payload.account_id else None
    if payload.opportunity_id and deal is None:
        errors["opportunity_id"] = ["Choose a deal you can see."]
    if payload.account_id and account is None:
        errors["account_id"] = ["Choose an account you can see."]
    if errors:
        raise ValidationError(errors)
    assert competitor is not None
    try:
        intel = services.field_intel_log(
            actor=request.user,
            competitor=competitor,
            opportunity=deal,
            account=account,
            offered=payload.offered,
            price_home=payload.price_home,
            claims=payload.claims,
        )
    except ValidationError as error:
        raise errors_renamed(error, {"opportunity": "opportunity_id", "account": "account_id"}) from error
    return Status(201, intel)


@router.delete(
    "/intel/{intel_id}",
    response={204: None, **WRITE_ERRORS},
    operation_id="competition_intel_delete",
    summary="Delete intel you logged",
)
def intel_delete(request: ApiRequest, intel_id: int) -> Status[None]:
    require(request.user, P.LOG_INTEL)
    services.field_intel_delete(actor=request.user, intel=field_intel_for_change(user=request.user, pk=intel_id))
    return Status(204, None)


@router.get(
    "/competition/win-rates",
    response={200: list[CompetitorWinRatesOut], **ERRORS},
    operation_id="competition_win_rates",
    summary="Win rate against each competitor per fiscal quarter",
    description="The last eight fiscal quarters, this one included: deals closed (won or lost, by close date) "
    "that name the competitor, among the deals you see.",
)
def win_rates(request: ApiRequest, params: Query[WinRatesIn]) -> list[dict[str, Any]]:
    require(request.user, P.VIEW_COMPETITION)
    start_month = workspace_get().fiscal_year_start_month
    last = fiscal_quarter_of(timezone.localdate(), start_month)
    first = last
    for _ in range(QUARTERS - 1):
        first = first.previous()
    rows = win_rate_by_quarter(
        user=request.user, first=first, last=last, start_month=start_month, competitor_id=params.competitor_id
    )
    return [
        {
            "competitor_id": row.competitor_id,
            "name": row.name,
            "quarters": [
                {"quarter": str(q.quarter), "won": q.won, "lost": q.lost, "win_rate": q.rate} for q in row.quarters
            ],
        }
        for row in rows
    ]


@router.get(
    "/opportunities/{opportunity_id}/loss-features",
    response={200: list[LossFeatureOut], **ERRORS},
    operation_id="competition_loss_feature_list",
    summary="The features cited in a deal's loss",
)
def loss_feature_list(request: ApiRequest, opportunity_id: int) -> Any:
    require(request.user, P.VIEW_INTEL)
    deal = opportunity_get(user=request.user, pk=opportunity_id)
    return loss_feature_visible(user=request.user).filter(opportunity=deal).order_by("id")


@router.post(
    "/opportunities/{opportunity_id}/loss-features",
    response={201: LossFeatureOut, **WRITE_ERRORS},
    operation_id="competition_loss_feature_create",
    summary="Cite a feature as a reason a deal was lost",
)
def loss_feature_create(request: ApiRequest, opportunity_id: int, payload: LossFeatureIn) -> Status[LossFeature]:
    require(request.user, P.CITE_LOSS_FEATURES)
    deal = opportunity_get(user=request.user, pk=opportunity_id)
    feature = Feature.objects.filter(pk=payload.feature_id).first()
    if feature is None:
        raise ValidationError({"feature_id": ["Choose a feature you can see."]})
    try:
        citation = services.loss_feature_cite(actor=request.user, opportunity=deal, feature=feature)
    except ValidationError as error:
        raise errors_renamed(error, {"feature": "feature_id"}) from error
    return Status(201, citation)


@router.delete(
    "/loss-features/{citation_id}",
    response={204: None, **WRITE_ERRORS},
    operation_id="competition_loss_feature_delete",
    summary="Withdraw a feature cited in a loss",
)
def loss_feature_delete(request: ApiRequest, citation_id: int) -> Status[None]:
    require(request.user, P.CITE_LOSS_FEATURES)
    citation = loss_feature_for_change(user=request.user, pk=citation_id)
    services.loss_feature_withdraw(actor=request.user, citation=citation)
    return Status(204, None)
