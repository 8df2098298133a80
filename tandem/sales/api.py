"""The JSON API of accounts and opportunities, with the pages' visibility rules and filters."""

import datetime
from decimal import Decimal
from typing import Any, Literal, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from pydantic import BaseModel

from tandem.competition.selectors import competitor_visible
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
from tandem.core.http import ApiRequest
from tandem.core.permissions import require
from tandem.people.models import user_name
from tandem.people.selectors import territory_visible, user_visible
from tandem.sales import services
from tandem.sales.filters import AccountFilter, OpportunityFilter
from tandem.sales.models import Account, Contact, DealContact, Opportunity, Stage
from tandem.sales.permissions import SalesPermission
from tandem.sales.selectors import (
    account_for_change,
    account_get,
    account_visible,
    contact_for_change,
    contact_visible,
    deal_contact_for_change,
    deal_contact_rows,
    opportunity_for_change,
    opportunity_get,
    opportunity_visible,
    stage_visible,
)

router = Router(tags=["sales"])

M = TypeVar("M", bound=Model)
R = TypeVar("R")
P = SalesPermission

# Relations are sent as `<name>_id`; service errors name the model field, so rename them back.
# Relations are sent as ids; service errors name the model field, so rename them to what was sent.
API_FIELD_NAMES = {name: f"{name}_id" for name in ("account", "owner", "stage", "competitor", "territory")}


def _pick(queryset: QuerySet[M], pk: int | None, field: str) -> M | None:
    """A related record named in a request body: one the caller may see, or a 422 on that field."""
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: [f"No record with id {pk} that you can see."]})
    return found


def _filtered(
    filterset_class: type[Any], request: HttpRequest, queryset: "QuerySet[M, R]", params: Schema
) -> "QuerySet[M, R]":
    data = {k: str(v) for k, v in params.dict(exclude=set(ListIn.model_fields)).items() if v is not None}
    return filterset_apply(filterset_class, data, queryset=queryset, request=request)


def _ordering(sort: str, allowed: dict[str, str]) -> list[str]:
    """`close_date` or `-amount_home` → ORM ordering ending with the id, so the cursor is stable."""
    key = sort.lstrip("-")
    if key not in allowed:
        raise ValidationError({"sort": [f"Sort by one of: {', '.join(sorted(allowed))}, with '-' for descending."]})
    prefix = "-" if sort.startswith("-") else ""
    return [prefix + allowed[key], prefix + "id"]


# Accounts


class AccountOut(Schema):
    id: int
    name: str
    industry: str
    segment: str
    status: str
    employees: int | None
    region: str
    territory_id: int | None
    annual_revenue: Decimal
    owner_id: int
    owner_name: str
    external_id: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    version: int = Field(..., description="Send it back with a PATCH; a stale one gives 409.")

    @staticmethod
    def resolve_owner_name(account: Account) -> str:
        return str(account.owner)


class AccountIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    owner_id: Id | None = Field(None, description="Defaults to you.")
    industry: str = Field("", max_length=100)
    segment: Account.Segment = Account.Segment.MID_MARKET
    status: Account.Status = Account.Status.PROSPECT
    employees: int | None = Field(None, ge=0)
    region: str = Field("", max_length=50)
    territory_id: Id | None = None
    annual_revenue: Decimal = Field(Decimal("0"), ge=0, max_digits=16, decimal_places=2)
    external_id: str | None = None


class AccountPatch(Schema):
    """Null empties only what may be empty (employees, territory); any other field keeps its value
    when left out."""

    version: int = Field(..., description="The version you read; a stale one gives 409 and changes nothing.")
    name: str = omittable(min_length=1, max_length=200)
    owner_id: Id = omittable()
    industry: str = omittable(max_length=100)
    segment: Account.Segment = omittable()
    status: Account.Status = omittable()
    employees: int | None = Field(None, ge=0)
    region: str = omittable(max_length=50)
    territory_id: Id | None = None
    annual_revenue: Decimal = omittable(ge=0, max_digits=16, decimal_places=2)


class ListIn(Schema):
    sort: str = Field("", description="A field name, with '-' for descending.")
    cursor: str | None = Field(None, description="The next_cursor of the previous page.")
    limit: int = Field(50, ge=1, le=200)


class AccountFilterIn(ListIn):
    q: str | None = Field(None, description="Part of the account name.")
    segment: Account.Segment | None = None
    status: Account.Status | None = None
    owner: Id | None = Field(None, description="Owner's user id.")
    region: str | None = None


class AccountPage(Schema):
    items: list[AccountOut]
    next_cursor: str | None


ACCOUNT_SORTS = {"name": "name", "annual_revenue": "annual_revenue", "created_at": "created_at"}


@router.get(
    "/accounts",
    response={200: AccountPage, **ERRORS},
    operation_id="sales_account_list",
    summary="List the accounts you can see",
)
def account_list(
    request: ApiRequest,
    params: Query[AccountFilterIn],
) -> dict[str, Any]:
    require(request.user, P.VIEW_PIPELINE)
    accounts = _filtered(AccountFilter, request, account_visible(user=request.user).select_related("owner"), params)
    order = _ordering(params.sort or "name", ACCOUNT_SORTS)
    rows, next_cursor = cursor_paginate(accounts, order=order, cursor=params.cursor, limit=params.limit)
    return {"items": rows, "next_cursor": next_cursor}


@router.get(
    "/accounts/{account_id}",
    response={200: AccountOut, **ERRORS},
    operation_id="sales_account_get",
    summary="One account",
)
def account_detail(request: ApiRequest, account_id: int) -> Account:
    require(request.user, P.VIEW_PIPELINE)
    return account_get(user=request.user, pk=account_id)


@router.post(
    "/accounts",
    response={201: AccountOut, **WRITE_ERRORS},
    operation_id="sales_account_create",
    summary="Create an account",
)
def account_create(request: ApiRequest, payload: AccountIn) -> Status[Account]:
    require(request.user, P.EDIT_PIPELINE)
    data = payload.dict()
    owner = _pick(user_visible(user=request.user), data.pop("owner_id"), "owner_id")
    _pick(territory_visible(user=request.user), data["territory_id"], "territory_id")
    try:
        account = services.account_create(actor=request.user, owner=owner, **data)
    except ValidationError as error:
        raise errors_renamed(error, API_FIELD_NAMES) from error
    return Status(201, account_get(user=request.user, pk=account.pk))


@router.patch(
    "/accounts/{account_id}",
    response={200: AccountOut, **WRITE_ERRORS},
    operation_id="sales_account_update",
    summary="Change some fields of an account",
    description="Send the `version` you read.",
)
def account_update(request: ApiRequest, account_id: int, payload: AccountPatch) -> Account:
    require(request.user, P.EDIT_PIPELINE)
    account = account_for_change(user=request.user, pk=account_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    if "owner_id" in data:
        data["owner"] = _pick(user_visible(user=request.user), data.pop("owner_id"), "owner_id")
    if "territory_id" in data:
        data["territory"] = _pick(territory_visible(user=request.user), data.pop("territory_id"), "territory_id")
    try:
        services.account_update(actor=request.user, account=account, expected_version=version, data=data)
    except ValidationError as error:
        raise errors_renamed(error, API_FIELD_NAMES) from error
    return account_get(user=request.user, pk=account.pk)


@router.delete(
    "/accounts/{account_id}",
    response={204: None, **WRITE_ERRORS},
    operation_id="sales_account_delete",
    summary="Delete an account without deals",
)
def account_delete(request: ApiRequest, account_id: int) -> Status[None]:
    require(request.user, P.EDIT_PIPELINE)
    services.account_delete(actor=request.user, account=account_for_change(user=request.user, pk=account_id))
    return Status(204, None)


# Opportunities


# Deals are answered as plain dicts (`_opportunity_out`) validated by plain pydantic models, in
# Rust: ninja's Schema wraps every value of every row in its ORM getter, most of a list's time.
class OpportunityOut(BaseModel):
    id: int
    name: str
    account_id: int
    account_name: str
    owner_id: int
    owner_name: str
    amount: Decimal
    currency: str
    amount_home: Decimal
    stage_id: int
    stage_name: str
    probability: int
    forecast_category: str
    type: str
    lead_source: str
    close_date: datetime.date
    competitor_id: int | None
    competitor_name: str | None
    loss_reason: str
    loss_note: str
    external_id: str | None
    created_at: datetime.datetime
    updated_at: datetime.datetime
    closed_at: datetime.datetime | None
    next_step: str
    next_step_date: datetime.date | None
    last_activity_at: datetime.datetime | None = Field(
        ..., description="The latest stage move or past note, call or meeting: a deal quiet for long goes stale."
    )
    version: int = Field(..., description="Send it back with a PATCH; a stale one gives 409.")


# The deal's own columns in OpportunityOut, read off the model as they are.
OPPORTUNITY_COLUMNS = (
    "id", "name", "account_id", "owner_id", "amount", "currency", "amount_home", "stage_id", "probability",
    "forecast_category", "type", "lead_source", "close_date", "competitor_id", "loss_reason", "loss_note",
    "external_id", "created_at", "updated_at", "closed_at", "next_step", "next_step_date", "last_activity_at",
    "version",
)  # fmt: skip


def _opportunity_out(row: dict[str, Any]) -> OpportunityOut:
    """One row of `_opportunity_rows`."""
    return OpportunityOut.model_validate(
        {
            **{name: row[name] for name in OPPORTUNITY_COLUMNS},
            "account_name": row["account__name"],
            "owner_name": user_name(row["owner__first_name"], row["owner__last_name"], row["owner__username"]),
            "stage_name": row["stage__name"],
            "competitor_name": row["competitor__name"],
        }
    )


class OpportunityIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    account_id: Id
    owner_id: Id | None = Field(None, description="Defaults to you.")
    amount: Decimal = Field(..., ge=0, max_digits=16, decimal_places=2)
    currency: str | None = Field(None, min_length=3, max_length=3, description="Defaults to the home currency.")
    stage_id: Id
    close_date: datetime.date
    probability: int | None = Field(None, ge=0, le=100, description="Defaults to the stage's.")
    forecast_category: Stage.ForecastCategory | None = Field(None, description="Defaults to the stage's.")
    type: Opportunity.Type = Opportunity.Type.NEW
    lead_source: Opportunity.LeadSource | None = None
    competitor_id: Id | None = None
    loss_reason: Opportunity.LossReason | None = None
    loss_note: str = Field("", max_length=text_limit(Opportunity, "loss_note"))
    external_id: str | None = None


class OpportunityPatch(Schema):
    """Null clears the lead source, loss reason and competitor; any other field keeps its value when
    left out and cannot be emptied."""

    version: int = Field(..., description="The version you read; a stale one gives 409 and changes nothing.")
    name: str = omittable(min_length=1, max_length=200)
    owner_id: Id = omittable()
    amount: Decimal = omittable(ge=0, max_digits=16, decimal_places=2)
    currency: str = omittable(min_length=3, max_length=3)
    stage_id: Id = omittable()
    close_date: datetime.date = omittable()
    probability: int = omittable(ge=0, le=100, description="Defaults to the new stage's on a stage change.")
    forecast_category: Stage.ForecastCategory = omittable()
    type: Opportunity.Type = omittable()
    lead_source: Opportunity.LeadSource | None = None
    competitor_id: Id | None = None
    loss_reason: Opportunity.LossReason | None = None
    loss_note: str = omittable(max_length=text_limit(Opportunity, "loss_note"))
    next_step: str = omittable(max_length=text_limit(Opportunity, "next_step"), description="Empty to clear it.")
    next_step_date: datetime.date | None = Field(None, description="Null clears it.")


class OpportunityFilterIn(ListIn):
    q: str | None = Field(None, description="Part of the deal name.")
    status: Literal["open", "won", "lost"] | None = Field(None, description="Open, won or lost; any when left out.")
    owner: Id | None = Field(None, description="Owner's user id.")
    stage: Id | None = Field(None, description="Stage id.")
    account: Id | None = Field(None, description="Account id.")
    forecast_category: Stage.ForecastCategory | None = None
    close_date_from: datetime.date | None = None
    close_date_to: datetime.date | None = None
    activity: Literal["quiet"] | None = Field(
        None, description="quiet: open deals without a stage move, note, call or meeting for the workspace's days."
    )


class OpportunityPage(BaseModel):
    items: list[OpportunityOut]
    next_cursor: str | None


OPPORTUNITY_SORTS = {
    "close_date": "close_date",
    "amount_home": "amount_home",
    "name": "name",
    "stage": "stage__order",
    "created_at": "created_at",
}


def _opportunity_rows(request: ApiRequest) -> "QuerySet[Opportunity, dict[str, Any]]":
    """Visible deals as the values OpportunityOut shows (and the sorts read): no model instances,
    which cost more than the query (five models a row)."""
    return opportunity_visible(user=request.user).values(
        *OPPORTUNITY_COLUMNS,
        "account__name",
        "owner__first_name",
        "owner__last_name",
        "owner__username",
        "stage__name",
        "stage__order",
        "competitor__name",
    )


def _opportunity_answer(request: ApiRequest, pk: int) -> OpportunityOut:
    return _opportunity_out(row_or_404(_opportunity_rows(request), pk))


def _opportunity_relations(request: ApiRequest, data: dict[str, Any]) -> dict[str, Any]:
    """Swap `<relation>_id`s of a body for records the caller may see (422 otherwise)."""
    user = request.user
    sources = {
        "account": account_visible(user=user),
        "owner": user_visible(user=user),
        "stage": stage_visible(user=user),
        "competitor": competitor_visible(user=user),
    }
    for name, queryset in sources.items():
        if f"{name}_id" in data:
            data[name] = _pick(queryset, data.pop(f"{name}_id"), f"{name}_id")
    for name in ("lead_source", "loss_reason"):
        if name in data and data[name] is None:
            data[name] = ""
    return data


@router.get(
    "/opportunities",
    response={200: OpportunityPage, **ERRORS},
    operation_id="sales_opportunity_list",
    summary="List the deals you can see",
)
def opportunity_list(
    request: ApiRequest,
    params: Query[OpportunityFilterIn],
) -> OpportunityPage:
    require(request.user, P.VIEW_PIPELINE)
    deals = _filtered(OpportunityFilter, request, _opportunity_rows(request), params)
    order = _ordering(params.sort or "close_date", OPPORTUNITY_SORTS)
    rows, next_cursor = cursor_paginate(deals, order=order, cursor=params.cursor, limit=params.limit)
    return OpportunityPage(items=[_opportunity_out(deal) for deal in rows], next_cursor=next_cursor)


@router.get(
    "/opportunities/{opportunity_id}",
    response={200: OpportunityOut, **ERRORS},
    operation_id="sales_opportunity_get",
    summary="One deal",
)
def opportunity_detail(request: ApiRequest, opportunity_id: int) -> OpportunityOut:
    require(request.user, P.VIEW_PIPELINE)
    return _opportunity_answer(request, opportunity_id)


@router.post(
    "/opportunities",
    response={201: OpportunityOut, **WRITE_ERRORS},
    operation_id="sales_opportunity_create",
    summary="Open a deal",
    description="Probability and forecast category default to the stage's; the amount is converted to the "
    "home currency at the rate valid on the close date.",
)
def opportunity_create(request: ApiRequest, payload: OpportunityIn) -> Status[OpportunityOut]:
    require(request.user, P.EDIT_PIPELINE)
    data = _opportunity_relations(request, payload.dict())
    try:
        deal = services.opportunity_create(actor=request.user, **data)
    except ValidationError as error:
        raise errors_renamed(error, API_FIELD_NAMES) from error
    return Status(201, _opportunity_answer(request, deal.pk))


@router.patch(
    "/opportunities/{opportunity_id}",
    response={200: OpportunityOut, **WRITE_ERRORS},
    operation_id="sales_opportunity_update",
    summary="Change some fields of a deal",
    description="Send the `version` you read. A new stage resets probability and forecast category to the "
    "stage's unless you send them, and records the move in the stage history.",
)
def opportunity_update(request: ApiRequest, opportunity_id: int, payload: OpportunityPatch) -> OpportunityOut:
    require(request.user, P.EDIT_PIPELINE)
    deal = opportunity_for_change(user=request.user, pk=opportunity_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    data = _opportunity_relations(request, data)
    try:
        services.opportunity_update(actor=request.user, opportunity=deal, expected_version=version, data=data)
    except ValidationError as error:
        raise errors_renamed(error, API_FIELD_NAMES) from error
    return _opportunity_answer(request, deal.pk)


@router.delete(
    "/opportunities/{opportunity_id}",
    response={204: None, **WRITE_ERRORS},
    operation_id="sales_opportunity_delete",
    summary="Delete a deal and its stage history",
)
def opportunity_delete(request: ApiRequest, opportunity_id: int) -> Status[None]:
    require(request.user, P.EDIT_PIPELINE)
    deal = opportunity_for_change(user=request.user, pk=opportunity_id)
    services.opportunity_delete(actor=request.user, opportunity=deal)
    return Status(204, None)


# Contacts: the people of the accounts you see; changed by whoever may change their account.


class ContactOut(Schema):
    id: int
    account_id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    title: str
    external_id: str | None
    created_at: datetime.datetime


class ContactIn(Schema):
    account_id: Id
    first_name: str = Field(..., min_length=1, max_length=100)
    last_name: str = Field(..., min_length=1, max_length=100)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=50)
    title: str = Field("", max_length=150)


class ContactPatch(Schema):
    first_name: str = omittable(min_length=1, max_length=100)
    last_name: str = omittable(min_length=1, max_length=100)
    email: str = omittable(max_length=254)
    phone: str = omittable(max_length=50)
    title: str = omittable(max_length=150)


class ContactFilterIn(ListIn):
    account: Id | None = Field(None, description="Account id.")
    q: str | None = Field(None, description="Part of the first or last name.")


class ContactPage(Schema):
    items: list[ContactOut]
    next_cursor: str | None


@router.get(
    "/contacts",
    response={200: ContactPage, **ERRORS},
    operation_id="sales_contact_list",
    summary="List the people of the accounts you can see",
)
def contact_list(request: ApiRequest, params: Query[ContactFilterIn]) -> dict[str, Any]:
    require(request.user, P.VIEW_PIPELINE)
    contacts = contact_visible(user=request.user)
    if params.account is not None:
        contacts = contacts.filter(account_id=params.account)
    if params.q:
        contacts = contacts.filter(Q(first_name__icontains=params.q) | Q(last_name__icontains=params.q))
    order = _ordering(params.sort or "last_name", {"last_name": "last_name", "created_at": "created_at"})
    rows, next_cursor = cursor_paginate(contacts, order=order, cursor=params.cursor, limit=params.limit)
    return {"items": rows, "next_cursor": next_cursor}


@router.get(
    "/contacts/{contact_id}",
    response={200: ContactOut, **ERRORS},
    operation_id="sales_contact_get",
    summary="One person of an account",
)
def contact_detail(request: ApiRequest, contact_id: int) -> Contact:
    require(request.user, P.VIEW_PIPELINE)
    return get_object_or_404(contact_visible(user=request.user), pk=contact_id)


@router.post(
    "/contacts",
    response={201: ContactOut, **WRITE_ERRORS},
    operation_id="sales_contact_create",
    summary="Add a person to an account you may change",
)
def contact_create(request: ApiRequest, payload: ContactIn) -> Status[Contact]:
    require(request.user, P.EDIT_PIPELINE)
    data = payload.dict()
    account = _pick(account_visible(user=request.user), data.pop("account_id"), "account_id")
    assert account is not None
    account = account_for_change(user=request.user, pk=account.pk)
    try:
        contact = services.contact_create(actor=request.user, account=account, **data)
    except ValidationError as error:
        raise errors_renamed(error, API_FIELD_NAMES) from error
    return Status(201, contact)


@router.patch(
    "/contacts/{contact_id}",
    response={200: ContactOut, **WRITE_ERRORS},
    operation_id="sales_contact_update",
    summary="Change some fields of a person",
)
def contact_update(request: ApiRequest, contact_id: int, payload: ContactPatch) -> Contact:
    require(request.user, P.EDIT_PIPELINE)
    contact = contact_for_change(user=request.user, pk=contact_id)
    try:
        return services.contact_update(actor=request.user, contact=contact, data=payload.dict(exclude_unset=True))
    except ValidationError as error:
        raise errors_renamed(error, API_FIELD_NAMES) from error


@router.delete(
    "/contacts/{contact_id}",
    response={204: None, **WRITE_ERRORS},
    operation_id="sales_contact_delete",
    summary="Remove a person from their account",
)
def contact_delete(request: ApiRequest, contact_id: int) -> Status[None]:
    require(request.user, P.EDIT_PIPELINE)
    services.contact_delete(actor=request.user, contact=contact_for_change(user=request.user, pk=contact_id))
    return Status(204, None)


# The people on a deal and their buying roles: read by whoever sees the deal, changed by whoever
# may change it.


class DealContactOut(Schema):
    id: int
    opportunity_id: int
    contact_id: int
    contact_name: str
    role: DealContact.Role
    added_at: datetime.datetime

    @staticmethod
    def resolve_contact_name(row: DealContact) -> str:
        return f"{row.contact.first_name} {row.contact.last_name}"


class DealContactIn(Schema):
    contact_id: Id
    role: DealContact.Role = DealContact.Role.INFLUENCER


class DealContactPatch(Schema):
    role: DealContact.Role


@router.get(
    "/opportunities/{opportunity_id}/contacts",
    response={200: list[DealContactOut], **ERRORS},
    operation_id="sales_deal_contact_list",
    summary="The people on a deal and their roles",
)
def deal_contact_list(request: ApiRequest, opportunity_id: int) -> list[DealContact]:
    require(request.user, P.VIEW_PIPELINE)
    deal = opportunity_get(user=request.user, pk=opportunity_id)
    return list(deal_contact_rows(user=request.user, deal=deal))


@router.post(
    "/opportunities/{opportunity_id}/contacts",
    response={201: DealContactOut, **WRITE_ERRORS},
    operation_id="sales_deal_contact_add",
    summary="Name one of the account's people on a deal, with their role",
)
def deal_contact_add(request: ApiRequest, opportunity_id: int, payload: DealContactIn) -> Status[DealContact]:
    require(request.user, P.EDIT_PIPELINE)
    deal = opportunity_for_change(user=request.user, pk=opportunity_id)
    contact = _pick(contact_visible(user=request.user), payload.contact_id, "contact_id")
    assert contact is not None
    try:
        row = services.deal_contact_add(actor=request.user, opportunity=deal, contact=contact, role=payload.role)
    except ValidationError as error:
        raise errors_renamed(error, {"contact": "contact_id"}) from error
    return Status(201, DealContact.objects.select_related("contact").get(pk=row.pk))


@router.patch(
    "/deal-contacts/{deal_contact_id}",
    response={200: DealContactOut, **WRITE_ERRORS},
    operation_id="sales_deal_contact_update",
    summary="Change the role a person plays on a deal",
)
def deal_contact_update(request: ApiRequest, deal_contact_id: int, payload: DealContactPatch) -> DealContact:
    require(request.user, P.EDIT_PIPELINE)
    row = deal_contact_for_change(user=request.user, pk=deal_contact_id)
    try:
        row = services.deal_contact_update(actor=request.user, deal_contact=row, role=payload.role)
    except ValidationError as error:
        raise errors_renamed(error, {}) from error
    return DealContact.objects.select_related("contact").get(pk=row.pk)


@router.delete(
    "/deal-contacts/{deal_contact_id}",
    response={204: None, **WRITE_ERRORS},
    operation_id="sales_deal_contact_remove",
    summary="Take a person off a deal",
)
def deal_contact_remove(request: ApiRequest, deal_contact_id: int) -> Status[None]:
    require(request.user, P.EDIT_PIPELINE)
    row = deal_contact_for_change(user=request.user, pk=deal_contact_id)
    services.deal_contact_remove(actor=request.user, deal_contact=row)
    return Status(204, None)


class StageOut(Schema):
    id: int
    name: str
    order: int
    default_probability: int
    forecast_category: Stage.ForecastCategory
    is_won: bool
    is_lost: bool
    loss_reason_required: bool


@router.get(
    "/stages",
    response={200: list[StageOut], **ERRORS},
    operation_id="sales_stage_list",
    summary="List the stages of the sales process, in order",
    description="Stages are configured by admins in the admin pages; everyone may read them.",
)
def stage_list(request: ApiRequest) -> QuerySet[Stage]:
    return stage_visible(user=request.user).order_by("order", "id")
