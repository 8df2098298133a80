"""Writes of planning: capacities, features' builds, and saving a chosen plan as the quarter's releases."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from tandem.asks.outcomes import ask_outcomes_follow_features
from tandem.audit.services import Action, audit_record, audit_snapshot
from tandem.core.api import StaleVersion
from tandem.core.fiscal import FiscalQuarter
from tandem.core.money import workspace_get
from tandem.core.permissions import require
from tandem.people.models import Team, User
from tandem.planning.models import FeatureBuild, QuarterPlan, TeamCapacity
from tandem.planning.permissions import PlanningPermission
from tandem.planning.selectors import planning_inputs
from tandem.planning.solver import NoPlanFits, greedy_gap, plan_greedy, plan_optimal
from tandem.product.models import Feature, Release

P = PlanningPermission
STALE = "Someone else changed this since you opened it. Reload and apply your change again."


@transaction.atomic
def team_capacity_set(
    *,
    actor: User,
    team: Team,
    quarter: FiscalQuarter,
    person_weeks: Decimal,
    expected_version: int | None = None,
) -> TeamCapacity:
    """Set an engineering team's capacity for a quarter (creating it the first time)."""
    require(actor, P.SET_CAPACITY)
    if team.kind != Team.Kind.ENGINEERING:
        raise ValidationError({"team": "Choose an engineering team: only they build features."})
    capacity = (
        TeamCapacity.objects.select_for_update()
        .filter(team=team, fiscal_year=quarter.year, fiscal_quarter=quarter.quarter)
        .first()
    )
    if capacity is None:
        capacity = TeamCapacity(team=team, fiscal_year=quarter.year, fiscal_quarter=quarter.quarter)
        action, before = Action.CREATED, None
    else:
        if expected_version is not None and capacity.version != expected_version:
            raise StaleVersion(STALE)
        action, before = Action.CHANGED, audit_snapshot(capacity)
        capacity.version += 1
    capacity.person_weeks = person_weeks
    capacity.updated_by = actor
    capacity.full_clean()
    capacity.save()
    audit_record(actor=actor, record=capacity, action=action, before=before)
    return capacity


@transaction.atomic
def feature_build_set(
    *,
    actor: User,
    feature: Feature,
    team: Team,
    needs: list[Feature],
    must_have: bool,
    expected_version: int | None = None,
) -> FeatureBuild:
    """Say which engineering team builds a feature, what it needs first and whether it must be in."""
    require(actor, P.PLAN_BUILD)
    errors: dict[str, str] = {}
    if team.kind != Team.Kind.ENGINEERING:
        errors["team"] = "Choose an engineering team: only they build features."
    if any(need.pk == feature.pk for need in needs):
        errors["needs"] = "A feature cannot need itself."
    elif _needs_cycle(feature.pk, {need.pk for need in needs}):
        errors["needs"] = "These features already need this one, directly or through others: that would be a circle."
    if errors:
        raise ValidationError(errors)
    build = FeatureBuild.objects.select_for_update().filter(feature=feature).first()
    if build is None:
        build = FeatureBuild(feature=feature)
    else:
        if expected_version is not None and build.version != expected_version:
            raise StaleVersion(STALE)
        build.version += 1
    build.team = team
    build.must_have = must_have
    build.full_clean()
    build.save()
    build.needs.set(needs)
    return build


def _needs_cycle(feature_id: int, needs: set[int]) -> bool:
    """Whether any of `needs` already needs `feature_id`, directly or through others (one query)."""
    graph: dict[int, set[int]] = {}
    for source, target in FeatureBuild.needs.through.objects.values_list("featurebuild__feature_id", "feature_id"):
        graph.setdefault(source, set()).add(target)
    stack, seen = list(needs), set()
    while stack:
        current = stack.pop()
        if current == feature_id:
            return True
        if current not in seen:
            seen.add(current)
            stack.extend(graph.get(current, ()))
    return False


def _quarter_release(product_id: int, quarter_bounds: tuple[datetime.date, datetime.date], quarter: FiscalQuarter):
    """The product's first planned release in the quarter; a new one named after the quarter when there is none."""
    start, end = quarter_bounds
    release = (
        Release.objects.filter(
            product_id=product_id, status=Release.Status.PLANNED, target_date__gte=start, target_date__lte=end
        )
        .order_by("target_date", "pk")
        .first()
    )
    if release is None:
        release = Release(product_id=product_id, name=f"FY{quarter.year} Q{quarter.quarter}", target_date=end)
        release.full_clean()
        release.save()
    return release


@transaction.atomic
def quarter_plan_save(*, actor: User, quarter: FiscalQuarter, blend: Decimal, note: str = "") -> QuarterPlan:
    """Choose the exact plan at this blend and make it the quarter's releases' content.

    The plan is solved again here from the stored facts, so what is saved is the optimum at that
    blend, whatever the page showed. Each chosen feature goes on its product's first planned release
    in the quarter (one named after the quarter is made when there is none) and becomes planned;
    features on those releases that the plan leaves out go back to the backlog. Their asks follow.
    """
    require(actor, P.SAVE_PLAN)
    if not Decimal("0") <= blend <= Decimal("1"):
        raise ValidationError({"blend": "The blend is from 0 (all strategy) to 1 (all revenue)."})
    start_month = workspace_get().fiscal_year_start_month
    inputs = planning_inputs(user=actor, quarter=quarter, start_month=start_month)
    candidates = [row.candidate for row in inputs.rows]
    try:
        optimal = plan_optimal(candidates, inputs.capacity, float(blend))
        greedy = plan_greedy(candidates, inputs.capacity, float(blend))
    except NoPlanFits as refusal:
        raise ValidationError({"blend": str(refusal)}) from refusal
    plan = QuarterPlan(
        fiscal_year=quarter.year,
        fiscal_quarter=quarter.quarter,
        blend=blend,
        revenue=Decimal(str(round(optimal.revenue, 2))),
        strategic=Decimal(str(round(optimal.strategic, 2))),
        greedy_gap=Decimal(str(round(greedy_gap(optimal, greedy), 4))),
        note=note.strip(),
        chosen_by=actor,
        chosen_at=timezone.now(),
    )
    plan.full_clean()
    plan.save()
    plan.features.set(optimal.chosen)
    audit_record(actor=actor, record=plan, action=Action.CREATED)

    bounds = quarter.bounds(start_month)
    chosen = list(Feature.objects.select_for_update().filter(pk__in=optimal.chosen).order_by("pk"))
    releases = {}
    for feature in chosen:
        if feature.product_id not in releases:
            releases[feature.product_id] = _quarter_release(feature.product_id, bounds, quarter)
    quarter_releases = Release.objects.filter(
        status=Release.Status.PLANNED, target_date__gte=bounds[0], target_date__lte=bounds[1]
    )
    left_out = list(
        Feature.objects.select_for_update()
        .filter(release__in=quarter_releases, status=Feature.Status.PLANNED)
        .exclude(pk__in=optimal.chosen)
        .values_list("pk", flat=True)
    )
    Feature.objects.filter(pk__in=left_out).update(
        release=None, status=Feature.Status.BACKLOG, version=F("version") + 1, updated_at=timezone.now()
    )
    for product_id, release in releases.items():
        Feature.objects.filter(pk__in=optimal.chosen, product_id=product_id).exclude(
            release=release, status=Feature.Status.PLANNED
        ).update(release=release, status=Feature.Status.PLANNED, version=F("version") + 1, updated_at=timezone.now())
    ask_outcomes_follow_features(feature_ids=[*optimal.chosen, *left_out])
    return plan
