"""The JSON API of leads, with the pages' rules and filters."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from ninja import Field, Query, Router, Schema, Status

from tandem.core.api import ERRORS, WRITE_ERRORS, Id, cursor_paginate, errors_renamed, filterset_apply, omittable
from tandem.core.constraints import text_limit
from tandem.core.http import ApiRequest
from tandem.core.permissions import require
from tandem.leads import services
from tandem.leads.filters import LeadFilter
from tandem.leads.models import Lead
from tandem.leads.permissions import LeadsPermission
from tandem.leads.selectors import lead_for_change, lead_get, lead_visible
from tandem.people.selectors import territory_visible, user_visible
from tandem.sales.models import Account, Stage
from tandem.sales.permissions import SalesPermission
from tandem.sales.selectors import account_visible, stage_visible

router = Router(tags=["leads"])
P = LeadsPermission

API_FIELD_NAMES = {
    "owner": "owner_id",
    "territory": "territory_id",
    "account": "account_id",
    "stage": "stage_id",
    "converted_opportunity": "converted_opportunity_id",
}


def _pick(queryset: QuerySet[Any], pk: int | None, field: str) -> Any:
    """A related record named in a request body: one the caller may see, or a 422 on that field."""
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: [f"No record with id {pk} that you can see."]})
    return found


class LeadOut(Schema):
    id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    title: str
    company: str
    country: str
    region: str
    source: str
    campaign: str
    status: str
    disqualified_reason: str
    owner_id: int
    owner_name: str
    territory_id: int | None
    budget: Decimal | None
    authority: str
    need: str
    timeline: str
    created_at: datetime.datetime
    updated_at: datetime.datetime
    qualified_at: datetime.datetime | None
    converted_at: datetime.datetime | None
    converted_account_id: int | None
    converted_contact_id: int | None
    converted_opportunity_id: int | None
    version: int = Field(..., description="Send it back with a PATCH or a conversion; a stale one gives 409.")

    @staticmethod
    def resolve_owner_name(lead: Lead) -> str:
        return str(lead.owner)


class LeadIn(Schema):
    first_name: str = Field("", max_length=100)
    last_name: str = Field(..., min_length=1, max_length=100)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=50)
    title: str = Field("", max_length=150)
    company: str = Field(..., min_length=1, max_length=200)
    country: str = Field("", max_length=100)
    region: str = Field("", max_length=50)
    source: Lead.Source
    campaign: str = Field("", max_length=200)
    status: Lead.Status = Field(Lead.Status.NEW, description="Any but converted: converting is its own operation.")
    disqualified_reason: str = Field("", max_length=text_limit(Lead, "disqualified_reason"))
    owner_id: Id | None = Field(
        None,
        description="A rep's lead is their own. Left out by a manager or an admin, the lead goes to a rep "
        "of a team covering its territory when there is one, else of those you assign to, with the fewest open leads.",
    )
    territory_id: Id | None = None
    budget: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    authority: Lead.Authority = Lead.Authority.UNKNOWN
    need: str = Field("", max_length=text_limit(Lead, "need"))
    timeline: Lead.Timeline = Lead.Timeline.UNKNOWN


class LeadPatch(Schema):
    """Null empties only what may be empty (territory, budget); any other field keeps its value when
    left out."""

    version: int = Field(..., description="The version you read; a stale one gives 409 and changes nothing.")
    first_name: str = omittable(max_length=100)
    last_name: str = omittable(min_length=1, max_length=100)
    email: str = omittable(max_length=254)
    phone: str = omittable(max_length=50)
    title: str = omittable(max_length=150)
    company: str = omittable(min_length=1, max_length=200)
    country: str = omittable(max_length=100)
    region: str = omittable(max_length=50)
    source: Lead.Source = omittable()
    campaign: str = omittable(max_length=200)
    status: Lead.Status = omittable()
    disqualified_reason: str = omittable(max_length=text_limit(Lead, "disqualified_reason"))
    owner_id: Id = omittable()
    territory_id: Id | None = None
    budget: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    authority: Lead.Authority = omittable()
    need: str = omittable(max_length=text_limit(Lead, "need"))
    timeline: Lead.Timeline = omittable()


class LeadConvertIn(Schema):
    version: int = Field(..., description="The version you read; a stale one gives 409 and converts nothing.")
    account_id: Id | None = Field(
        None, description="An existing account to convert into (see `account_matches`); null for a new account."
    )
    deal_name: str = Field(..., min_length=1, max_length=200)
    stage_id: Id
    amount: Decimal = Field(Decimal("0"), ge=0, max_digits=16, decimal_places=2)
    currency: str | None = Field(None, min_length=3, max_length=3, description="Defaults to the home currency.")
    close_date: datetime.date


class LeadConvertOut(Schema):
    lead: LeadOut
    account_id: int
    contact_id: int
    opportunity_id: int


class LeadFilterIn(Schema):
    sort: str = Field("", description="created_at, company, last_name or status, with '-' for descending.")
    cursor: str | None = Field(None, description="The next_cursor of the previous page.")
    limit: int = Field(50, ge=1, le=200)
    q: str | None = Field(None, description="Words of the person's name, company or email.")
    status: Lead.Status | None = None
    source: Lead.Source | None = None
    owner: Id | None = Field(None, description="Owner's user id.")
    campaign: str | None = None


class LeadPage(Schema):
    items: list[LeadOut]
    next_cursor: str | None


LEAD_SORTS = {"created_at": "created_at", "company": "company", "last_name": "last_name", "status": "status"}


def _ordering(sort: str) -> list[str]:
    key = sort.lstrip("-")
    if key not in LEAD_SORTS:
        raise ValidationError({"sort": [f"Sort by one of: {', '.join(sorted(LEAD_SORTS))}, with '-' for descending."]})
    prefix = "-" if sort.startswith("-") else ""
    return [prefix + LEAD_SORTS[key], prefix + "id"]


def _relations(request: ApiRequest, data: dict[str, Any]) -> dict[str, Any]:
    if "owner_id" in data:
        data["owner"] = _pick(user_visible(user=request.user), data.pop("owner_id"), "owner_id")
    if "territory_id" in data:
        data["territory"] = _pick(territory_visible(user=request.user), data.pop("territory_id"), "territory_id")
    return data


@router.get(
    "/leads",
    response={200: LeadPage, **ERRORS, 422: WRITE_ERRORS[422]},
    operation_id="leads_lead_list",
    summary="List the leads you can see",
)
def lead_list(request: ApiRequest, params: Query[LeadFilterIn]) -> dict[str, Any]:
    require(request.user, P.VIEW_LEADS)
    data = {k: str(v) for k, v in params.dict(exclude={"sort", "cursor", "limit"}).items() if v is not None}
    leads = filterset_apply(
        LeadFilter, data, queryset=lead_visible(user=request.user).select_related("owner"), request=request
    )
    order = _ordering(params.sort or "-created_at")
    rows, next_cursor = cursor_paginate(leads, order=order, cursor=params.cursor, limit=params.limit)
    return {"items": rows, "next_cursor": next_cursor}


@router.get(
    "/leads/{lead_id}",
    response={200: LeadOut, **ERRORS},
    operation_id="leads_lead_get",
    summary="One lead",
)
def lead_detail(request: ApiRequest, lead_id: int) -> Lead:
    require(request.user, P.VIEW_LEADS)
    return lead_get(user=request.user, pk=lead_id)


@router.post(
    "/leads",
    response={201: LeadOut, **WRITE_ERRORS},
    operation_id="leads_lead_create",
    summary="Add a lead",
)
def lead_create(request: ApiRequest, payload: LeadIn) -> Status[Lead]:
    require(request.user, P.EDIT_LEADS)
    data = _relations(request, payload.dict())
    try:
        lead = services.lead_create(actor=request.user, **data)
    except ValidationError as error:
        raise errors_renamed(error, API_FIELD_NAMES) from error
    return Status(201, lead_get(user=request.user, pk=lead.pk))


@router.patch(
    "/leads/{lead_id}",
    response={200: LeadOut, **WRITE_ERRORS},
    operation_id="leads_lead_update",
    summary="Change some fields of a lead",
    description="Send the `version` you read. A converted lead is kept as it was converted (422).",
)
def lead_update(request: ApiRequest, lead_id: int, payload: LeadPatch) -> Lead:
    require(request.user, P.EDIT_LEADS)
    lead = lead_for_change(user=request.user, pk=lead_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    data = _relations(request, data)
    try:
        services.lead_update(actor=request.user, lead=lead, expected_version=version, data=data)
    except ValidationError as error:
        raise errors_renamed(error, API_FIELD_NAMES) from error
    return lead_get(user=request.user, pk=lead.pk)


@router.post(
    "/leads/{lead_id}/convert",
    response={201: LeadConvertOut, **WRITE_ERRORS},
    operation_id="leads_lead_convert",
    summary="Convert a lead into an account, a contact and a deal",
    description="In one transaction: the account you name (one you see and may change) or a new one named "
    "after the lead's company, a contact for the person, and a deal owned by the lead's owner that keeps the "
    "lead's source. A stale `version` or a lead already converted gives 409 and writes nothing.",
)
def lead_convert(request: ApiRequest, lead_id: int, payload: LeadConvertIn) -> Status[dict[str, Any]]:
    require(request.user, P.EDIT_LEADS)
    require(request.user, SalesPermission.EDIT_PIPELINE)
    lead = lead_for_change(user=request.user, pk=lead_id)
    data = payload.dict()
    account: Account | None = _pick(account_visible(user=request.user), data["account_id"], "account_id")
    stage: Stage = _pick(stage_visible(user=request.user), data["stage_id"], "stage_id")
    try:
        conversion = services.lead_convert(
            actor=request.user,
            lead=lead,
            expected_version=data["version"],
            account=account,
            deal_name=data["deal_name"],
            stage=stage,
            amount=data["amount"],
            currency=data["currency"],
            close_date=data["close_date"],
        )
    except ValidationError as error:
        raise errors_renamed(error, API_FIELD_NAMES) from error
    return Status(
        201,
        {
            "lead": lead_get(user=request.user, pk=lead.pk),
            "account_id": conversion.account.pk,
            "contact_id": conversion.contact.pk,
            "opportunity_id": conversion.opportunity.pk,
        },
    )
