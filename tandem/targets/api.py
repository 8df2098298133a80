"""The JSON API of targets, quotas, attainment and territories, with the pages' rules."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from tandem.core.api import ERRORS, WRITE_ERRORS, Id, omittable
from tandem.core.fiscal import FiscalQuarter, fiscal_quarter_of
from tandem.core.http import ApiRequest
from tandem.core.money import workspace_get
from tandem.core.permissions import require
from tandem.core.roles import Role
from tandem.people.models import Team, Territory
from tandem.people.selectors import user_visible
from tandem.sales.models import Account
from tandem.sales.permissions import SalesPermission
from tandem.sales.selectors import quota_visible
from tandem.sales.services import may_assign_to
from tandem.targets import services
from tandem.targets.models import SalesTarget
from tandem.targets.permissions import TargetsPermission
from tandem.targets.selectors import (
    Figures,
    MetricsRow,
    Period,
    period_of_quarter,
    period_of_year,
    sales_metrics,
    sales_target_visible,
    territory_for_change,
    territory_get,
    territory_rows,
    year_forecast,
)

router = Router(tags=["targets"])
P = TargetsPermission


class QuotaOut(Schema):
    id: int
    user_id: int | None
    team_id: int | None
    fiscal_year: int
    fiscal_quarter: int
    amount: Decimal


class SalesTargetOut(Schema):
    fiscal_year: int
    amount: Decimal
    method: str
    version: int = Field(
        ..., description="Send it back with any change to the target or its quotas; a stale one gives 409."
    )
    forecast: Decimal = Field(
        ..., description="Won so far in the year plus the stage-weighted open pipeline closing in it."
    )
    won: Decimal
    quotas: list[QuotaOut] = Field(..., description="The team and rep quotas of the year that you see.")


class SalesTargetIn(Schema):
    amount: Decimal = Field(..., ge=0, max_digits=16, decimal_places=2)
    method: SalesTarget.Method = Field(..., description="How to break the target down into team and rep quotas.")
    version: int | None = Field(None, description="The version you read; required once the year has a target.")


class TeamQuotaIn(Schema):
    team_id: Id
    fiscal_quarter: int = Field(..., ge=1, le=4)
    amount: Decimal = Field(..., ge=0, max_digits=16, decimal_places=2)


class RepQuotaIn(Schema):
    user_id: Id
    fiscal_quarter: int = Field(..., ge=1, le=4)
    amount: Decimal = Field(..., ge=0, max_digits=16, decimal_places=2)


class TeamQuotasIn(Schema):
    version: int
    quotas: list[TeamQuotaIn] = Field(..., max_length=4000)


class RepQuotasIn(Schema):
    version: int
    quotas: list[RepQuotaIn] = Field(..., max_length=4000)


class QuotaFilterIn(Schema):
    fiscal_year: Id = Field(..., description="A fiscal year from 2000 to 2100.")


class MetricsOut(Schema):
    quota: Decimal
    won_amount: Decimal
    won_count: int
    lost_amount: Decimal
    lost_count: int
    open_amount: Decimal
    attainment: Decimal | None = Field(..., description="Won ÷ quota (1 is 100%); null without a quota.")
    gap: Decimal
    coverage: Decimal | None = Field(..., description="Open pipeline closing in the period ÷ gap; null without a gap.")
    win_rate: Decimal | None = Field(..., description="Deals won ÷ deals won or lost in the period, by count.")
    win_rate_amount: Decimal | None = Field(..., description="Amount won ÷ amount won or lost.")
    average_deal: Decimal | None
    cycle_days: Decimal | None = Field(..., description="Average days from creation to closing of the deals won.")


class MetricsRowOut(Schema):
    kind: str
    id: int | None
    name: str
    figures: MetricsOut
    members: list["MetricsRowOut"] = []


class AttainmentOut(Schema):
    start: datetime.date
    end: datetime.date
    label: str
    company: MetricsRowOut
    teams: list[MetricsRowOut]


class AttainmentIn(Schema):
    fiscal_year: Id | None = Field(None, description="A fiscal year from 2000 to 2100.")
    fiscal_quarter: Id | None = Field(None, description="1 to 4, with fiscal_year: that quarter; without: the year.")
    start: datetime.date | None = Field(None, description="Any dates instead (with end).")
    end: datetime.date | None = None


class TerritoryOut(Schema):
    id: int
    name: str
    region: str
    potential: Decimal
    rule_region: str
    rule_segment: str
    rule_industry: str
    version: int


class TerritoryIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    region: str = Field(..., min_length=1, max_length=50)
    potential: Decimal = Field(Decimal("0"), ge=0, max_digits=16, decimal_places=2)
    rule_region: str = Field("", max_length=50)
    rule_segment: Account.Segment | None = None
    rule_industry: str = Field("", max_length=100)


class TerritoryPatch(Schema):
    version: int
    name: str = omittable(min_length=1, max_length=100)
    region: str = omittable(min_length=1, max_length=50)
    potential: Decimal = omittable(ge=0, max_digits=16, decimal_places=2)
    rule_region: str = Field("", max_length=50)
    rule_segment: Account.Segment | None = None
    rule_industry: str = Field("", max_length=100)


class TerritoryAssignIn(Schema):
    account_ids: list[Id] | None = Field(
        None, max_length=500, description="The accounts to put in the territory; null: every account its rule matches."
    )
    new_owner_id: Id | None = Field(None, description="Give the accounts to this person.")
    move_open_deals: bool = Field(False, description="And their open deals too (needs new_owner_id).")


class TerritoryAssignOut(Schema):
    accounts: int
    deals: int


def _year_checked(fiscal_year: int) -> None:
    if not 2000 <= fiscal_year <= 2100:
        raise ValidationError({"fiscal_year": "A fiscal year from 2000 to 2100."})


def _target_out(request: ApiRequest, target: SalesTarget) -> dict[str, Any]:
    forecast = year_forecast(
        user=request.user, fiscal_year=target.fiscal_year, start_month=workspace_get().fiscal_year_start_month
    )
    quotas = quota_visible(user=request.user).filter(fiscal_year=target.fiscal_year).order_by("pk")
    return {
        "fiscal_year": target.fiscal_year,
        "amount": target.amount,
        "method": target.method,
        "version": target.version,
        "forecast": forecast["forecast"],
        "won": forecast["won"],
        "quotas": list(quotas.values("id", "user_id", "team_id", "fiscal_year", "fiscal_quarter", "amount")),
    }


@router.get(
    "/targets/{fiscal_year}",
    response={200: SalesTargetOut, **ERRORS},
    operation_id="targets_target_get",
    summary="A fiscal year's sales target, its forecast and its quotas",
)
def target_get(request: ApiRequest, fiscal_year: int) -> dict[str, Any]:
    require(request.user, P.VIEW_TARGETS)
    target = get_object_or_404(sales_target_visible(user=request.user), fiscal_year=fiscal_year)
    return _target_out(request, target)


@router.put(
    "/targets/{fiscal_year}",
    response={200: SalesTargetOut, **WRITE_ERRORS},
    operation_id="targets_target_set",
    summary="Set a fiscal year's target and break it down into quotas",
    description="Executives and admins. Rebuilds every team and rep quota of the year by `method`, adding up to "
    "the target to the cent. Send the `version` you read once the year has a target (stale: 409).",
)
def target_set(request: ApiRequest, fiscal_year: int, payload: SalesTargetIn) -> dict[str, Any]:
    require(request.user, P.SET_TARGET)
    _year_checked(fiscal_year)
    target = services.target_set(
        actor=request.user,
        fiscal_year=fiscal_year,
        amount=payload.amount,
        method=payload.method,
        version=payload.version if SalesTarget.objects.filter(fiscal_year=fiscal_year).exists() else None,
    )
    return _target_out(request, target)


@router.put(
    "/targets/{fiscal_year}/team-quotas",
    response={200: SalesTargetOut, **WRITE_ERRORS},
    operation_id="targets_team_quotas_set",
    summary="Set team quotas by hand",
    description="Executives and admins. The teams' quotas over the year must still add up to the target (422 "
    "otherwise); each changed team's reps are split again in proportion.",
)
def team_quotas_set(request: ApiRequest, fiscal_year: int, payload: TeamQuotasIn) -> dict[str, Any]:
    require(request.user, P.SET_TARGET)
    get_object_or_404(sales_target_visible(user=request.user), fiscal_year=fiscal_year)
    cells = {(q.team_id, q.fiscal_quarter): q.amount for q in payload.quotas}
    target = services.team_quotas_set(actor=request.user, fiscal_year=fiscal_year, cells=cells, version=payload.version)
    return _target_out(request, target)


@router.put(
    "/targets/{fiscal_year}/teams/{team_id}/rep-quotas",
    response={200: SalesTargetOut, **WRITE_ERRORS},
    operation_id="targets_rep_quotas_set",
    summary="Set a team's rep quotas by hand",
    description="The team's manager, executives and admins. In each quarter the reps' quotas must add up to the "
    "team's quota (422 otherwise).",
)
def rep_quotas_set(request: ApiRequest, fiscal_year: int, team_id: int, payload: RepQuotasIn) -> dict[str, Any]:
    require(request.user, SalesPermission.SET_QUOTA)
    target = get_object_or_404(sales_target_visible(user=request.user), fiscal_year=fiscal_year)
    teams = Team.objects.filter(manager=request.user) if request.user.role == Role.SALES_MANAGER else Team.objects.all()
    team = get_object_or_404(teams, pk=team_id)
    cells = {(q.user_id, q.fiscal_quarter): q.amount for q in payload.quotas}
    target = services.rep_quotas_set(
        actor=request.user, team=team, fiscal_year=target.fiscal_year, cells=cells, version=payload.version
    )
    return _target_out(request, target)


@router.get(
    "/quotas",
    response={200: list[QuotaOut], **ERRORS},
    operation_id="targets_quota_list",
    summary="The quotas of a fiscal year that you see",
)
def quota_list(request: ApiRequest, params: Query[QuotaFilterIn]) -> list[dict[str, Any]]:
    require(request.user, SalesPermission.VIEW_QUOTAS)
    _year_checked(params.fiscal_year)
    quotas = quota_visible(user=request.user).filter(fiscal_year=params.fiscal_year).order_by("pk")
    return [dict(row) for row in quotas.values("id", "user_id", "team_id", "fiscal_year", "fiscal_quarter", "amount")]


def _figures(figures: Figures) -> dict[str, Any]:
    return {
        "quota": figures.quota,
        "won_amount": figures.won_amount,
        "won_count": figures.won_count,
        "lost_amount": figures.lost_amount,
        "lost_count": figures.lost_count,
        "open_amount": figures.open_amount,
        "attainment": figures.attainment,
        "gap": figures.gap,
        "coverage": figures.coverage,
        "win_rate": figures.win_rate,
        "win_rate_amount": figures.win_rate_amount,
        "average_deal": figures.average_deal,
        "cycle_days": figures.cycle_days,
    }


def _row(row: MetricsRow) -> dict[str, Any]:
    return {
        "kind": row.kind,
        "id": row.id,
        "name": row.name,
        "figures": _figures(row.figures),
        "members": [_row(m) for m in row.members],
    }


@router.get(
    "/attainment",
    response={200: AttainmentOut, **ERRORS},
    operation_id="targets_attainment",
    summary="Attainment and the sales metrics of a period, rep → team → company",
    description="A fiscal quarter (fiscal_year and fiscal_quarter), a fiscal year (fiscal_year), or any dates "
    "(start and end); this fiscal quarter without any.",
)
def attainment(request: ApiRequest, params: Query[AttainmentIn]) -> dict[str, Any]:
    require(request.user, P.VIEW_ATTAINMENT)
    start_month = workspace_get().fiscal_year_start_month
    if params.fiscal_quarter is not None and not 1 <= params.fiscal_quarter <= 4:
        raise ValidationError({"fiscal_quarter": "A fiscal quarter is 1, 2, 3 or 4."})
    if params.start is not None or params.end is not None:
        if params.start is None or params.end is None:
            raise ValidationError({"start": "Give both start and end."})
        if params.start > params.end or (params.end - params.start).days > 366 * 5:
            raise ValidationError({"end": "The end comes after the start, within five years."})
        period = Period(params.start, params.end, f"{params.start} to {params.end}")
    elif params.fiscal_year is not None:
        _year_checked(params.fiscal_year)
        period = (
            period_of_quarter(FiscalQuarter(params.fiscal_year, params.fiscal_quarter), start_month)
            if params.fiscal_quarter
            else period_of_year(params.fiscal_year, start_month)
        )
    else:
        period = period_of_quarter(fiscal_quarter_of(timezone.localdate(), start_month), start_month)
    report = sales_metrics(user=request.user, period=period, start_month=start_month)
    return {
        "start": period.start,
        "end": period.end,
        "label": period.label,
        "company": _row(report.company),
        "teams": [_row(t) for t in report.teams],
    }


@router.get(
    "/territories",
    response={200: list[TerritoryOut], **ERRORS},
    operation_id="targets_territory_list",
    summary="Territories",
)
def territory_list(request: ApiRequest) -> list[Territory]:
    require(request.user, P.VIEW_TERRITORIES)
    return list(territory_rows(user=request.user).order_by("name"))


@router.get(
    "/territories/{territory_id}",
    response={200: TerritoryOut, **ERRORS},
    operation_id="targets_territory_get",
    summary="One territory",
)
def territory_detail(request: ApiRequest, territory_id: int) -> Territory:
    require(request.user, P.VIEW_TERRITORIES)
    return territory_get(user=request.user, pk=territory_id)


@router.post(
    "/territories",
    response={201: TerritoryOut, **WRITE_ERRORS},
    operation_id="targets_territory_create",
    summary="Add a territory (admins)",
)
def territory_create(request: ApiRequest, payload: TerritoryIn) -> Status[Territory]:
    require(request.user, P.MANAGE_TERRITORIES)
    data = payload.dict()
    data["rule_segment"] = data["rule_segment"] or ""
    return Status(201, services.territory_create(actor=request.user, data=data))


@router.patch(
    "/territories/{territory_id}",
    response={200: TerritoryOut, **WRITE_ERRORS},
    operation_id="targets_territory_update",
    summary="Change a territory (admins; a sales manager their teams')",
)
def territory_update(request: ApiRequest, territory_id: int, payload: TerritoryPatch) -> Territory:
    require(request.user, P.MANAGE_TERRITORIES)
    territory = territory_for_change(user=request.user, pk=territory_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    if "rule_segment" in data:
        data["rule_segment"] = data["rule_segment"] or ""
    return services.territory_update(actor=request.user, territory=territory, expected_version=version, data=data)


@router.post(
    "/territories/{territory_id}/assign",
    response={200: TerritoryAssignOut, **WRITE_ERRORS},
    operation_id="targets_territory_assign",
    summary="Put accounts in a territory, by its rule or by id",
    description="Optionally to a new owner, with their open deals. Only accounts you may change; at most 500 at once.",
)
def territory_assign(request: ApiRequest, territory_id: int, payload: TerritoryAssignIn) -> dict[str, int]:
    require(request.user, P.MANAGE_TERRITORIES)
    territory = territory_for_change(user=request.user, pk=territory_id)
    owner = None
    if payload.new_owner_id is not None:
        owner = user_visible(user=request.user).filter(pk=payload.new_owner_id, is_active=True).first()
        if owner is None:
            raise ValidationError({"new_owner_id": f"No active person with id {payload.new_owner_id}."})
        if not may_assign_to(actor=request.user, owner=owner):
            raise ValidationError({"new_owner_id": "You may only assign to members of the teams you manage."})
    result = services.territory_accounts_assign(
        actor=request.user,
        territory=territory,
        account_ids=payload.account_ids,
        new_owner=owner,
        move_open_deals=payload.move_open_deals,
    )
    return {"accounts": result.accounts, "deals": result.deals}
