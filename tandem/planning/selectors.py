"""Reads of planning: capacities, features' builds and chosen plans, and the candidates of a quarter.

Planning is the product side's and the executive's: product managers, engineering leads, executives
and admins read all of it; sales roles read none (a plan names internal features). Engineering
leads and admins set capacities; product managers, engineering leads and admins say which team
builds a feature; chosen plans are history, changed by no one.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from tandem.asks.models import Ask
from tandem.core.fiscal import FiscalQuarter, fiscal_quarter_of
from tandem.core.permissions import has_permission
from tandem.people.models import Team, User
from tandem.planning.models import FeatureBuild, QuarterPlan, TeamCapacity
from tandem.planning.permissions import PlanningPermission
from tandem.planning.solver import Candidate, NoPlanFits, Plan, frontier, greedy_gap, plan_greedy, plan_optimal
from tandem.product.models import Feature, Goal
from tandem.product.selectors import scoring_settings_get

P = PlanningPermission
PLANNABLE = (Feature.Status.BACKLOG, Feature.Status.PLANNED)


def team_capacity_visible(*, user: User) -> QuerySet[TeamCapacity]:
    qs = TeamCapacity.objects.all()
    return qs if has_permission(user, P.VIEW_PLANNING) else qs.none()


def team_capacity_changeable(*, user: User) -> QuerySet[TeamCapacity]:
    qs = TeamCapacity.objects.all()
    return qs if has_permission(user, P.SET_CAPACITY) else qs.none()


def feature_build_visible(*, user: User) -> QuerySet[FeatureBuild]:
    qs = FeatureBuild.objects.all()
    return qs if has_permission(user, P.VIEW_PLANNING) else qs.none()


def feature_build_changeable(*, user: User) -> QuerySet[FeatureBuild]:
    qs = FeatureBuild.objects.all()
    return qs if has_permission(user, P.PLAN_BUILD) else qs.none()


def quarter_plan_visible(*, user: User) -> QuerySet[QuarterPlan]:
    qs = QuarterPlan.objects.all()
    return qs if has_permission(user, P.VIEW_PLANNING) else qs.none()


def quarter_plan_changeable(*, user: User) -> QuerySet[QuarterPlan]:
    return QuarterPlan.objects.none()  # a chosen plan is history; a new choice is a new plan


def engineering_teams() -> QuerySet[Team]:
    return Team.objects.filter(kind=Team.Kind.ENGINEERING).order_by("name")


def planning_quarter(today: datetime.date, start_month: int) -> FiscalQuarter:
    """The quarter being planned: the next one."""
    return fiscal_quarter_of(today, start_month).next()


def delivery_date(effort: Decimal, quarter_bounds: tuple[datetime.date, datetime.date]) -> datetime.date:
    """When a planned feature is ready: its effort in weeks after the quarter starts (a team puts one
    person-week a week on it at the least), and by the quarter's end at the latest."""
    start, end = quarter_bounds
    return min(start + datetime.timedelta(weeks=float(effort)), end)


@dataclass
class CandidateRow:
    """A feature that may be planned, with what the page shows of it."""

    candidate: Candidate
    title: str
    product: str
    team: str
    status: str


@dataclass
class PlanningInputs:
    quarter: FiscalQuarter
    rows: list[CandidateRow]
    capacity: dict[int, float]
    teams: dict[int, str]
    unassigned: int  # plannable features no team builds yet


def planning_inputs(*, user: User, quarter: FiscalQuarter, start_month: int) -> PlanningInputs:
    """The quarter's candidates (backlog and planned features a team builds) with their two values, and
    each engineering team's capacity. Five queries whatever the number of features.

    Revenue: the stage-weighted amount (home currency) of the open deals asking for the feature whose
    close date falls after the feature would be ready, each deal counted once per feature. Strategic
    value: the sum of the weights of the active goals the feature serves.
    """
    bounds = quarter.bounds(start_month)
    default_effort = scoring_settings_get().default_effort
    builds = list(
        FeatureBuild.objects.filter(feature__status__in=PLANNABLE)
        .select_related("feature__product", "team")
        .order_by("feature_id")
    )
    needs: dict[int, list[int]] = defaultdict(list)
    for feature_id, need_id in FeatureBuild.needs.through.objects.filter(
        featurebuild__feature__status__in=PLANNABLE
    ).values_list("featurebuild__feature_id", "feature_id"):
        needs[feature_id].append(need_id)
    goal_weight = dict(Goal.objects.filter(is_active=True).values_list("pk", "weight"))
    strategic: dict[int, Decimal] = defaultdict(Decimal)
    for feature_id, goal_id in Feature.goals.through.objects.filter(
        feature__status__in=PLANNABLE, goal_id__in=list(goal_weight)
    ).values_list("feature_id", "goal_id"):
        strategic[feature_id] += goal_weight[goal_id]
    ready = {b.feature_id: delivery_date(b.feature.effort or default_effort, bounds) for b in builds}
    revenue: dict[int, Decimal] = defaultdict(Decimal)
    for feature_id, close_date, amount, probability in (
        Ask.objects.filter(
            feature_id__in=list(ready), opportunity__closed_at__isnull=True, opportunity__close_date__gt=bounds[0]
        )
        .values_list("feature_id", "opportunity__close_date", "opportunity__amount_home", "opportunity__probability")
        .distinct()
        .order_by()
    ):
        if close_date > ready[feature_id]:
            revenue[feature_id] += amount * probability / 100
    capacity = {
        team_id: float(weeks)
        for team_id, weeks in TeamCapacity.objects.filter(
            fiscal_year=quarter.year, fiscal_quarter=quarter.quarter
        ).values_list("team_id", "person_weeks")
    }
    rows = [
        CandidateRow(
            candidate=Candidate(
                key=b.feature_id,
                team=b.team_id,
                effort=float(b.feature.effort or default_effort),
                revenue=float(revenue[b.feature_id]),
                strategic=float(strategic[b.feature_id]),
                must_have=b.must_have,
                needs=tuple(needs[b.feature_id]),
            ),
            title=b.feature.title,
            product=b.feature.product.name,
            team=b.team.name,
            status=b.feature.status,
        )
        for b in builds
    ]
    teams = dict(engineering_teams().values_list("pk", "name"))
    teams.update({b.team_id: b.team.name for b in builds})
    unassigned = Feature.objects.filter(status__in=PLANNABLE, build__isnull=True).count()
    return PlanningInputs(quarter=quarter, rows=rows, capacity=capacity, teams=teams, unassigned=unassigned)


def quarter_plans(*, user: User, quarter: FiscalQuarter) -> QuerySet[QuarterPlan]:
    return (
        quarter_plan_visible(user=user)
        .filter(fiscal_year=quarter.year, fiscal_quarter=quarter.quarter)
        .select_related("chosen_by")
    )


@dataclass
class FrontierPoint:
    blend: float
    revenue: float
    strategic: float
    feature_ids: list[int]


@dataclass
class PlanningFrontier:
    """The frontier's points, and at the chosen blend the exact plan beside the greedy one."""

    points: list[FrontierPoint]
    blend: float
    optimal: FrontierPoint
    greedy: FrontierPoint
    greedy_gap: float
    refusal: str = ""  # why no plan fits (must-haves over capacity), else empty


FRONTIER_STEPS = 21  # λ = 0, 0.05, …, 1


def planning_frontier(*, inputs: PlanningInputs, blend: float) -> PlanningFrontier:
    candidates = [row.candidate for row in inputs.rows]

    def point(at: float, plan: Plan) -> FrontierPoint:
        return FrontierPoint(at, round(plan.revenue, 2), round(plan.strategic, 2), sorted(plan.chosen))

    try:
        points = [point(at, plan) for at, plan in frontier(candidates, inputs.capacity, steps=FRONTIER_STEPS)]
        optimal = plan_optimal(candidates, inputs.capacity, blend)
        greedy = plan_greedy(candidates, inputs.capacity, blend)
    except NoPlanFits as refusal:
        empty = FrontierPoint(blend, 0.0, 0.0, [])
        return PlanningFrontier([], blend, empty, empty, 0.0, refusal=str(refusal))
    return PlanningFrontier(
        points=points,
        blend=blend,
        optimal=point(blend, optimal),
        greedy=point(blend, greedy),
        greedy_gap=round(greedy_gap(optimal, greedy), 4),
    )
