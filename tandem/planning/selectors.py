"""Reads of planning: capacities, features' builds and chosen plans, and the candidates of a quarter.

Planning is the product side's and the executive's: product managers, engineering leads, executives
and admins read all of it; sales roles read none (a plan names internal features). Engineering
leads and admins set capacities; product managers, engineering leads and admins say which team
builds a feature; chosen plans are history, changed by no one.
"""

import datetime
import hashlib
from collections import defaultdict
from dataclasses import astuple, dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import QuerySet

from tandem.asks.models import Ask
from tandem.commitments.models import Commitment
from tandem.commitments.selectors import commitment_visible
from tandem.core import formats
from tandem.core.fiscal import FiscalQuarter, fiscal_quarter_of
from tandem.core.permissions import has_permission
from tandem.people.models import Team, User
from tandem.planning.models import FeatureBuild, QuarterPlan, TeamCapacity
from tandem.planning.permissions import PlanningPermission
from tandem.planning.solver import (
    Candidate,
    NoPlanFits,
    Plan,
    frontier,
    greedy_gap,
    must_have_effort,
    plan_greedy,
    plan_optimal,
)
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


@dataclass(frozen=True)
class Promise:
    """An approved commitment that makes a feature a must-have, as the reader may see it."""

    account: str  # empty when the reader does not see the commitment's deal
    due_date: datetime.date

    def __str__(self) -> str:
        to = self.account or "a customer"
        return f"committed to {to} by {formats.date_short(self.due_date)}"


@dataclass
class CandidateRow:
    """A feature that may be planned, with what the page shows of it."""

    candidate: Candidate
    title: str
    product: str
    team: str
    status: str
    marked_must_have: bool = False  # marked so on its build, whatever its commitments
    promises: list[Promise] = field(default_factory=list)  # the commitments that make it a must-have


@dataclass
class PlanningInputs:
    quarter: FiscalQuarter
    rows: list[CandidateRow]
    capacity: dict[int, float]
    teams: dict[int, str]
    unassigned: int  # plannable features no team builds yet


def committed_features(*, user: User, feature_ids: list[int], quarter_end: datetime.date) -> dict[int, list[Promise]]:
    """The features that must be in a quarter's plan because they are promised: an approved commitment
    due by the quarter's end (or already overdue) on a deal not lost. The rule reads every commitment,
    whoever asks (the plan is the same for everyone); the reader sees the accounts of the commitments
    they may read. Two queries."""
    promised = (
        Commitment.objects.filter(
            status=Commitment.Status.APPROVED, due_date__lte=quarter_end, feature_id__in=feature_ids
        )
        .exclude(opportunity__stage__is_lost=True)
        .order_by("due_date", "pk")
    )
    seen = set(commitment_visible(user=user).filter(pk__in=promised.values("pk")).values_list("pk", flat=True))
    promises: dict[int, list[Promise]] = defaultdict(list)
    for pk, feature_id, account, due_date in promised.values_list("pk", "feature_id", "account__name", "due_date"):
        if due_date is not None:  # a commitment without a date never passes `due_date__lte`
            promises[feature_id].append(Promise(account if pk in seen else "", due_date))
    return promises


def must_have_because(row: CandidateRow) -> list[str]:
    """Why a candidate must be in the plan, in words: marked so, and each promise."""
    return (["marked must-have"] if row.marked_must_have else []) + [str(promise) for promise in row.promises]


def planning_inputs(*, user: User, quarter: FiscalQuarter, start_month: int) -> PlanningInputs:
    """The quarter's candidates (backlog and planned features a team builds) with their two values, and
    each engineering team's capacity. Seven queries whatever the number of features.

    Must-haves: the features marked so, and those committed to a customer by the quarter's end
    (`committed_features`).

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
    # A need already shipped or being built is met; one declined, or with no team, keeps its feature out.
    for feature_id, need_id in (
        FeatureBuild.needs.through.objects.filter(featurebuild__feature__status__in=PLANNABLE)
        .exclude(feature__status__in=(Feature.Status.SHIPPED, Feature.Status.IN_PROGRESS))
        .values_list("featurebuild__feature_id", "feature_id")
    ):
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
    promises = committed_features(user=user, feature_ids=list(ready), quarter_end=bounds[1])
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
                must_have=b.must_have or b.feature_id in promises,
                needs=tuple(needs[b.feature_id]),
            ),
            title=b.feature.title,
            product=b.feature.product.name,
            team=b.team.name,
            status=b.feature.status,
            marked_must_have=b.must_have,
            promises=promises.get(b.feature_id, []),
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
# The frontier depends on the candidates and capacities alone: cached under their fingerprint, a page
# load solves nothing until a feature, a build, an ask's deal, a goal or a capacity changes.
FRONTIER_CACHE_SECONDS = 24 * 3600


def inputs_fingerprint(inputs: PlanningInputs) -> str:
    """A digest of everything the solver reads: the candidates (values, efforts, teams, needs,
    must-haves) and the capacities."""
    facts = (FRONTIER_STEPS, sorted(inputs.capacity.items()), [astuple(row.candidate) for row in inputs.rows])
    return hashlib.sha256(repr(facts).encode()).hexdigest()


def _refusal(inputs: PlanningInputs, reason: NoPlanFits) -> str:
    """Why no plan fits, naming each team the must-haves overload."""
    needed = must_have_effort([row.candidate for row in inputs.rows])
    short = [
        f"{formats.number(weeks, 1)} person-weeks of {inputs.teams.get(team, 'a team')}, which can build "
        f"{formats.number(inputs.capacity.get(team, 0.0), 1)}"
        for team, weeks in sorted(needed.items())
        if weeks > inputs.capacity.get(team, 0.0) + 1e-9
    ]
    if not short:
        return str(reason)
    return (
        f"No plan fits {inputs.quarter}: the must-haves (features committed to customers by the quarter's end, "
        f"and those marked must-have) with what they need take {'; '.join(short)}."
    )


def planning_frontier(*, inputs: PlanningInputs, blend: float) -> PlanningFrontier:
    candidates = [row.candidate for row in inputs.rows]
    key = f"planning:{inputs_fingerprint(inputs)}"

    def point(at: float, plan: Plan) -> FrontierPoint:
        return FrontierPoint(at, round(plan.revenue, 2), round(plan.strategic, 2), sorted(plan.chosen))

    try:
        points = cache.get(f"{key}:frontier")
        if points is None:
            points = [point(at, plan) for at, plan in frontier(candidates, inputs.capacity, steps=FRONTIER_STEPS)]
            cache.set(f"{key}:frontier", points, FRONTIER_CACHE_SECONDS)
        at_blend = cache.get(f"{key}:{blend!r}")
        if at_blend is None:
            optimal = plan_optimal(candidates, inputs.capacity, blend)
            greedy = plan_greedy(candidates, inputs.capacity, blend)
            at_blend = (point(blend, optimal), point(blend, greedy), round(greedy_gap(optimal, greedy), 4))
            cache.set(f"{key}:{blend!r}", at_blend, FRONTIER_CACHE_SECONDS)
    except NoPlanFits as refusal:
        empty = FrontierPoint(blend, 0.0, 0.0, [])
        return PlanningFrontier([], blend, empty, empty, 0.0, refusal=_refusal(inputs, refusal))
    optimal_point, greedy_point, gap = at_blend
    return PlanningFrontier(points=points, blend=blend, optimal=optimal_point, greedy=greedy_point, greedy_gap=gap)
