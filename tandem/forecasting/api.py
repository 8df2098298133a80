"""The JSON API of forecasts, with the page's rules: read the calls beside the system's figures and
the weekly trend, make a call, override a rep's call."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from tandem.core.api import ERRORS, WRITE_ERRORS
from tandem.core.constraints import text_limit
from tandem.core.fiscal import FiscalQuarter, fiscal_quarter_of
from tandem.core.http import ApiRequest
from tandem.core.money import workspace_get
from tandem.core.permissions import require
from tandem.core.roles import Role
from tandem.forecasting import services
from tandem.forecasting.forms import quarter_key, quarter_parse
from tandem.forecasting.models import ForecastCall, ForecastOverride
from tandem.forecasting.permissions import ForecastingPermission
from tandem.forecasting.selectors import (
    Call,
    Figures,
    RepLine,
    Total,
    callable_quarters,
    manager_totals,
    rep_lines,
    total_of,
    trend,
)
from tandem.forecasting.tasks import forecast_snapshot_enqueue_if_due

router = Router(tags=["forecast"])
P = ForecastingPermission
QUARTER_HELP = "A fiscal quarter as YEAR-Q, e.g. 2027-1 for FY2027 Q1."


class FiguresOut(Schema):
    closed_won: Decimal
    commit: Decimal
    best_case: Decimal
    pipeline: Decimal
    weighted: Decimal


class CallOut(Schema):
    commit: Decimal
    best_case: Decimal
    note: str
    version: int = Field(..., description="Send it back with your next change; a stale one gives 409.")
    updated_at: datetime.datetime
    set_by: str = Field("", description="Who set an override.")


class RepOut(Schema):
    rep_id: int
    name: str
    manager_id: int | None
    call: CallOut | None
    override: CallOut | None = Field(None, description="Shown to managers, executives and admins.")
    forecast_commit: Decimal | None = Field(None, description="The override where there is one, else the call.")
    figures: FiguresOut


class TotalOut(Schema):
    key: str = Field("", description="A manager's id, or 'none' for reps without a manager.")
    label: str
    reps: int
    calls: int
    overrides: int
    call_commit: Decimal
    call_best_case: Decimal
    forecast_commit: Decimal
    forecast_best_case: Decimal
    figures: FiguresOut


class TrendOut(Schema):
    week: datetime.date
    taken_at: datetime.datetime | None
    call_commit: Decimal | None
    forecast_commit: Decimal | None
    figures: FiguresOut


class ForecastOut(Schema):
    quarter: str
    first_day: datetime.date
    last_day: datetime.date
    callable: bool = Field(..., description="Whether calls and overrides are taken for this quarter.")
    reps: list[RepOut]
    managers: list[TotalOut] = Field(..., description="For executives and admins: the reps rolled up by manager.")
    total: TotalOut
    trend: list[TrendOut]


class ForecastQuery(Schema):
    quarter: str | None = Field(None, description=QUARTER_HELP + " Defaults to the current quarter.")


class CallIn(Schema):
    quarter: str = Field(..., description=QUARTER_HELP + " The current quarter or the next.")
    version: int = Field(..., ge=0, le=2**31, description="The version you read; 0 when there was no call yet.")
    commit: Decimal = Field(..., ge=0, max_digits=16, decimal_places=2)
    best_case: Decimal = Field(..., ge=0, max_digits=16, decimal_places=2)
    note: str = Field("", max_length=text_limit(ForecastCall, "note"))


class OverrideWithdrawQuery(Schema):
    quarter: str = Field(..., description=QUARTER_HELP + " The current quarter or the next.")
    version: int = Field(..., ge=1, le=2**31, description="The override's version you read; a stale one gives 409.")


class OverrideIn(CallIn):
    note: str = Field(..., min_length=1, max_length=text_limit(ForecastOverride, "note"))


def _figures(figures: Figures) -> dict[str, Decimal]:
    return {
        "closed_won": figures.closed_won,
        "commit": figures.commit,
        "best_case": figures.best_case,
        "pipeline": figures.pipeline,
        "weighted": figures.weighted,
    }


def _call(call: Call | None) -> dict[str, Any] | None:
    if call is None:
        return None
    return {
        "commit": call.commit,
        "best_case": call.best_case,
        "note": call.note,
        "version": call.version,
        "updated_at": call.updated_at,
        "set_by": call.set_by,
    }


def _rep(line: RepLine) -> dict[str, Any]:
    return {
        "rep_id": line.rep_id,
        "name": line.name,
        "manager_id": line.manager_id,
        "call": _call(line.call),
        "override": _call(line.override),
        "forecast_commit": line.forecast_commit,
        "figures": _figures(line.figures),
    }


def _total(total: Total) -> dict[str, Any]:
    return {
        "key": total.key,
        "label": total.label,
        "reps": total.reps,
        "calls": total.calls,
        "overrides": total.overrides,
        "call_commit": total.call_commit,
        "call_best_case": total.call_best_case,
        "forecast_commit": total.forecast_commit,
        "forecast_best_case": total.forecast_best_case,
        "figures": _figures(total.figures),
    }


def _quarter(value: str | None, *, today: datetime.date, start_month: int, field: str = "quarter") -> FiscalQuarter:
    if value is None:
        return fiscal_quarter_of(today, start_month)
    quarter = quarter_parse(value)
    if quarter is None:
        raise ValidationError({field: [QUARTER_HELP]})
    return quarter


@router.get(
    "/forecast",
    response={200: ForecastOut, **ERRORS},
    operation_id="forecasting_forecast_get",
    summary="The calls beside the system's figures, rolled up, with the weekly trend",
    description="A rep reads their own line; a sales manager their teams' reps; executives and admins every "
    "rep, also rolled up by manager. Overrides are not shown to reps.",
)
def forecast_get(request: ApiRequest, params: Query[ForecastQuery]) -> dict[str, Any]:
    require(request.user, P.VIEW_FORECAST)
    forecast_snapshot_enqueue_if_due()
    user = request.user
    start_month = workspace_get().fiscal_year_start_month
    today = timezone.localdate()
    quarter = _quarter(params.quarter, today=today, start_month=start_month)
    lines = rep_lines(user=user, quarter=quarter, start_month=start_month)
    company = user.role in (Role.EXECUTIVE, Role.ADMIN)
    groups = manager_totals(lines=lines) if company else []
    total = total_of(groups or lines, "Company" if company else "Team")
    rep_ids = None if company else [line.rep_id for line in lines]
    first, last = quarter.bounds(start_month)
    return {
        "quarter": quarter_key(quarter),
        "first_day": first,
        "last_day": last,
        "callable": quarter in callable_quarters(today, start_month),
        "reps": [_rep(line) for line in lines],
        "managers": [_total(group) for group in groups],
        "total": _total(total),
        "trend": [
            {
                "week": point.week,
                "taken_at": point.taken_at,
                "call_commit": point.call_commit,
                "forecast_commit": point.forecast_commit,
                "figures": _figures(point.figures),
            }
            for point in trend(user=user, quarter=quarter, start_month=start_month, rep_ids=rep_ids)
            if point.week is not None
        ],
    }


@router.post(
    "/forecast/calls",
    response={200: CallOut, **WRITE_ERRORS},
    operation_id="forecasting_call_submit",
    summary="Make or change your call for a quarter",
    description="Reps only, for themselves, for the current fiscal quarter or the next. Send the `version` you "
    "read (0 for a first call); a stale one gives 409 and changes nothing.",
)
def call_submit(request: ApiRequest, payload: CallIn) -> dict[str, Any]:
    require(request.user, P.CALL_FORECAST)
    start_month = workspace_get().fiscal_year_start_month
    quarter = _quarter(payload.quarter, today=timezone.localdate(), start_month=start_month)
    call = services.forecast_call_submit(
        actor=request.user,
        quarter=quarter,
        commit=payload.commit,
        best_case=payload.best_case,
        note=payload.note,
        expected_version=payload.version,
    )
    return {
        "commit": call.commit,
        "best_case": call.best_case,
        "note": call.note,
        "version": call.version,
        "updated_at": call.updated_at,
    }


@router.post(
    "/forecast/reps/{rep_id}/override",
    response={200: CallOut, **WRITE_ERRORS},
    operation_id="forecasting_override_set",
    summary="Override a rep's call for a quarter, with the reason",
    description="The rep's sales manager or an admin, for the current fiscal quarter or the next. The rep's call "
    "stays beside it. Send the override's `version` you read (0 for a first override).",
)
def override_set(request: ApiRequest, rep_id: int, payload: OverrideIn) -> dict[str, Any]:
    require(request.user, P.OVERRIDE_FORECAST)
    rep = services.forecast_rep_for_override(user=request.user, pk=rep_id)
    start_month = workspace_get().fiscal_year_start_month
    quarter = _quarter(payload.quarter, today=timezone.localdate(), start_month=start_month)
    override = services.forecast_override_set(
        actor=request.user,
        rep=rep,
        quarter=quarter,
        commit=payload.commit,
        best_case=payload.best_case,
        note=payload.note,
        expected_version=payload.version,
    )
    return {
        "commit": override.commit,
        "best_case": override.best_case,
        "note": override.note,
        "version": override.version,
        "updated_at": override.updated_at,
        "set_by": str(override.set_by),
    }


@router.delete(
    "/forecast/reps/{rep_id}/override",
    response={204: None, **WRITE_ERRORS},
    operation_id="forecasting_override_withdraw",
    summary="Withdraw your override of a rep's call for a quarter",
    description="The rep's sales manager or an admin, for the current fiscal quarter or the next: the roll-ups count "
    "the rep's call again. The audit trail keeps the override. Send its `version` you read; a stale one gives 409, "
    "none to withdraw 404.",
)
def override_withdraw(request: ApiRequest, rep_id: int, params: Query[OverrideWithdrawQuery]) -> Status[None]:
    require(request.user, P.OVERRIDE_FORECAST)
    rep = services.forecast_rep_for_override(user=request.user, pk=rep_id)
    start_month = workspace_get().fiscal_year_start_month
    quarter = _quarter(params.quarter, today=timezone.localdate(), start_month=start_month)
    services.forecast_override_withdraw(actor=request.user, rep=rep, quarter=quarter, expected_version=params.version)
    return Status(204, None)
