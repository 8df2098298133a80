"""The JSON API of planning: the quarter's frontier and plans, capacities, features' builds."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from tandem.core.api import ERRORS, WRITE_ERRORS, Id
from tandem.core.constraints import text_limit
from tandem.core.fiscal import FiscalQuarter
from tandem.core.http import ApiRequest
from tandem.core.money import workspace_get
from tandem.core.permissions import require
from tandem.people.models import Team
from tandem.planning import services
from tandem.planning.models import FeatureBuild, QuarterPlan, TeamCapacity
from tandem.planning.permissions import PlanningPermission
from tandem.planning.selectors import (
    FrontierPoint,
    engineering_teams,
    feature_build_visible,
    must_have_because,
    planning_frontier,
    planning_inputs,
    planning_quarter,
    quarter_plans,
    team_capacity_visible,
)
from tandem.product.selectors import feature_visible

router = Router(tags=["planning"])
P = PlanningPermission


class QuarterIn(Schema):
    fiscal_year: Id | None = Field(None, description="A fiscal year from 2000 to 2100; default: next quarter's.")
    fiscal_quarter: Id | None = Field(None, description="1 to 4, with fiscal_year.")


class FrontierQueryIn(QuarterIn):
    blend: Decimal = Field(Decimal("0.5"), ge=0, le=1, description="λ: 1 is all revenue, 0 all strategy.")


class PlanPointOut(Schema):
    blend: float = Field(..., description="The lowest λ of the grid at which this plan is the best.")
    revenue: float
    strategic: float
    feature_ids: list[int]


class PlanningCandidateOut(Schema):
    feature_id: int
    title: str
    team_id: int
    effort: float
    revenue: float = Field(..., description="Weighted pipeline of the open deals closing after it would be ready.")
    strategic: float = Field(..., description="The weights of the active goals it serves.")
    must_have: bool = Field(..., description="Marked must-have, or committed to a customer by the quarter's end.")
    must_have_because: list[str] = Field(
        ..., description="Why it must be in: 'marked must-have' and each commitment (account, date) that makes it so."
    )
    needs: list[int]


class TeamCapacityOut(Schema):
    team_id: int
    team: str
    fiscal_year: int
    fiscal_quarter: int
    person_weeks: Decimal
    version: int


class PlanningFrontierOut(Schema):
    fiscal_year: int
    fiscal_quarter: int
    blend: float
    capacities: list[TeamCapacityOut]
    candidates: list[PlanningCandidateOut]
    frontier: list[PlanPointOut] = Field(..., description="The best plan for λ = 0, 0.05, …, 1, one point per plan.")
    best: PlanPointOut
    greedy: PlanPointOut
    greedy_gap: float = Field(..., description="Share of the best plan's blended value the greedy plan misses.")
    refusal: str = Field(..., description="Why no plan fits (must-haves over capacity); empty when one does.")


class TeamCapacityIn(Schema):
    team_id: Id
    fiscal_year: int = Field(..., ge=2000, le=2100)
    fiscal_quarter: int = Field(..., ge=1, le=4)
    person_weeks: Decimal = Field(..., ge=0, le=99999, max_digits=7, decimal_places=1)
    version: int | None = Field(None, description="The version you read; a stale one gives 409.")


class FeatureBuildIn(Schema):
    team_id: Id
    needs: list[Id] = Field(default_factory=list, max_length=500, description="Features it cannot ship without.")
    must_have: bool = False
    version: int | None = None


class FeatureBuildOut(Schema):
    feature_id: int
    team_id: int
    needs: list[int]
    must_have: bool
    version: int


class QuarterPlanIn(Schema):
    fiscal_year: int = Field(..., ge=2000, le=2100)
    fiscal_quarter: int = Field(..., ge=1, le=4)
    blend: Decimal = Field(..., ge=0, le=1, max_digits=4, decimal_places=3)
    note: str = Field("", max_length=text_limit(QuarterPlan, "note"))


class QuarterPlanOut(Schema):
    id: int
    fiscal_year: int
    fiscal_quarter: int
    blend: Decimal
    revenue: Decimal
    strategic: Decimal
    greedy_gap: Decimal
    note: str
    feature_ids: list[int]
    chosen_by_id: int
    chosen_at: Any


def _quarter(year: int | None, quarter: int | None) -> FiscalQuarter:
    if year is not None and not 2000 <= year <= 2100:
        raise ValidationError({"fiscal_year": "A fiscal year from 2000 to 2100."})
    if quarter is not None and not 1 <= quarter <= 4:
        raise ValidationError({"fiscal_quarter": "A fiscal quarter is 1, 2, 3 or 4."})
    if year is not None and quarter is not None:
        return FiscalQuarter(year, quarter)
    return planning_quarter(timezone.localdate(), workspace_get().fiscal_year_start_month)


def _capacity_out(capacity: TeamCapacity) -> dict[str, Any]:
    return {
        "team_id": capacity.team_id,
        "team": capacity.team.name,
        "fiscal_year": capacity.fiscal_year,
        "fiscal_quarter": capacity.fiscal_quarter,
        "person_weeks": capacity.person_weeks,
        "version": capacity.version,
    }


def _point(point: FrontierPoint) -> dict[str, Any]:
    return vars(point)


def _plan_out(plan: QuarterPlan, feature_ids: list[int]) -> dict[str, Any]:
    return {
        **{f: getattr(plan, f) for f in ("id", "fiscal_year", "fiscal_quarter", "blend", "revenue", "strategic")},
        "greedy_gap": plan.greedy_gap,
        "note": plan.note,
        "feature_ids": feature_ids,
        "chosen_by_id": plan.chosen_by_id,
        "chosen_at": plan.chosen_at,
    }


@router.get(
    "/planning",
    response={200: PlanningFrontierOut, **ERRORS},
    operation_id="planning_frontier",
    summary="A quarter's candidates, capacities, frontier and the best and greedy plans at a blend",
    description="Product managers, engineering leads, executives and admins.",
)
def frontier_get(request: ApiRequest, filters: Query[FrontierQueryIn]) -> dict[str, Any]:
    require(request.user, P.VIEW_PLANNING)
    quarter = _quarter(filters.fiscal_year, filters.fiscal_quarter)
    inputs = planning_inputs(user=request.user, quarter=quarter, start_month=workspace_get().fiscal_year_start_month)
    result = planning_frontier(inputs=inputs, blend=float(filters.blend))
    capacities = (
        team_capacity_visible(user=request.user)
        .filter(fiscal_year=quarter.year, fiscal_quarter=quarter.quarter)
        .select_related("team")
    )
    return {
        "fiscal_year": quarter.year,
        "fiscal_quarter": quarter.quarter,
        "blend": result.blend,
        "capacities": [_capacity_out(c) for c in capacities],
        "candidates": [
            {
                "feature_id": row.candidate.key,
                "title": row.title,
                "team_id": row.candidate.team,
                "effort": row.candidate.effort,
                "revenue": round(row.candidate.revenue, 2),
                "strategic": row.candidate.strategic,
                "must_have": row.candidate.must_have,
                "must_have_because": must_have_because(row),
                "needs": list(row.candidate.needs),
            }
            for row in inputs.rows
        ],
        "frontier": [_point(p) for p in result.points],
        "best": _point(result.optimal),
        "greedy": _point(result.greedy),
        "greedy_gap": result.greedy_gap,
        "refusal": result.refusal,
    }


@router.put(
    "/planning/capacities",
    response={200: TeamCapacityOut, **WRITE_ERRORS},
    operation_id="planning_capacity_set",
    summary="Set an engineering team's capacity for a quarter",
    description="Engineering leads and admins. Creates it the first time; send the `version` you read after.",
)
def capacity_set(request: ApiRequest, payload: TeamCapacityIn) -> dict[str, Any]:
    require(request.user, P.SET_CAPACITY)
    team = get_object_or_404(engineering_teams(), pk=payload.team_id)
    capacity = services.team_capacity_set(
        actor=request.user,
        team=team,
        quarter=FiscalQuarter(payload.fiscal_year, payload.fiscal_quarter),
        person_weeks=payload.person_weeks,
        expected_version=payload.version,
    )
    return _capacity_out(capacity)


@router.put(
    "/planning/features/{feature_id}",
    response={200: FeatureBuildOut, **WRITE_ERRORS},
    operation_id="planning_feature_build_set",
    summary="Say which engineering team builds a feature, what it needs first and whether it must be in",
    description="Product managers, engineering leads and admins.",
)
def feature_build_set(request: ApiRequest, feature_id: int, payload: FeatureBuildIn) -> dict[str, Any]:
    require(request.user, P.PLAN_BUILD)
    feature = get_object_or_404(feature_visible(user=request.user), pk=feature_id)
    team = get_object_or_404(Team.objects.all(), pk=payload.team_id)
    needs = list(feature_visible(user=request.user).filter(pk__in=payload.needs))
    if len(needs) != len(set(payload.needs)):
        raise ValidationError({"needs": "Some of these features do not exist."})
    build = services.feature_build_set(
        actor=request.user,
        feature=feature,
        team=team,
        needs=needs,
        must_have=payload.must_have,
        expected_version=payload.version,
    )
    return {
        "feature_id": feature.pk,
        "team_id": build.team_id,
        "needs": sorted(n.pk for n in needs),
        "must_have": build.must_have,
        "version": build.version,
    }


@router.get(
    "/planning/features/{feature_id}",
    response={200: FeatureBuildOut, **ERRORS},
    operation_id="planning_feature_build_get",
    summary="Which team builds a feature, what it needs first and whether it must be in",
)
def feature_build_get(request: ApiRequest, feature_id: int) -> dict[str, Any]:
    require(request.user, P.VIEW_PLANNING)
    build: FeatureBuild = get_object_or_404(feature_build_visible(user=request.user), feature_id=feature_id)
    return {
        "feature_id": build.feature_id,
        "team_id": build.team_id,
        "needs": sorted(build.needs.values_list("pk", flat=True)),
        "must_have": build.must_have,
        "version": build.version,
    }


@router.get(
    "/planning/plans",
    response={200: list[QuarterPlanOut], **ERRORS},
    operation_id="planning_plan_list",
    summary="The plans chosen for a quarter, latest first (the first is the quarter's plan)",
)
def plan_list(request: ApiRequest, filters: Query[QuarterIn]) -> list[dict[str, Any]]:
    require(request.user, P.VIEW_PLANNING)
    quarter = _quarter(filters.fiscal_year, filters.fiscal_quarter)
    plans = list(quarter_plans(user=request.user, quarter=quarter)[:50])
    through = QuarterPlan.features.through.objects.filter(quarterplan_id__in=[p.pk for p in plans])
    ids: dict[int, list[int]] = {}
    for plan_id, feature_id in through.values_list("quarterplan_id", "feature_id").order_by("feature_id"):
        ids.setdefault(plan_id, []).append(feature_id)
    return [_plan_out(p, ids.get(p.pk, [])) for p in plans]


@router.post(
    "/planning/plans",
    response={201: QuarterPlanOut, **WRITE_ERRORS},
    operation_id="planning_plan_save",
    summary="Choose the best plan at a blend and make it the quarter's releases' content",
    description="Executives and admins. The plan is solved again from the stored facts; its features go on each "
    "product's first planned release of the quarter (made when there is none), the rest come off them.",
)
def plan_save(request: ApiRequest, payload: QuarterPlanIn) -> Status[dict[str, Any]]:
    require(request.user, P.SAVE_PLAN)
    plan = services.quarter_plan_save(
        actor=request.user,
        quarter=FiscalQuarter(payload.fiscal_year, payload.fiscal_quarter),
        blend=payload.blend,
        note=payload.note,
    )
    return Status(201, _plan_out(plan, sorted(plan.features.values_list("pk", flat=True))))
