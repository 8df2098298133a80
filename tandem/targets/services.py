"""Writes of targets and quotas: the annual sales target and its breakdown into team and rep quotas.

The breakdown always adds up: in every fiscal quarter the team quotas sum to the target's share of
that quarter (the four quarters sum to the target), and each team's rep quotas sum to the team's
quota, exact to the cent. Every service here either rebuilds the breakdown from the target
(`target_set`) or refuses an edit that would leave a difference (`team_quotas_set`,
`rep_quotas_set`). The year's `SalesTarget.version` guards the whole breakdown: an edit made on an
older one is refused (StaleVersion, 409). Every quota created, changed or removed, and the target
itself, goes into the audit trail.
"""

import datetime
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum

from tandem.audit.services import Action, audit_record, audit_snapshot
from tandem.core import formats
from tandem.core.api import StaleVersion
from tandem.core.fiscal import FiscalQuarter
from tandem.core.money import workspace_get
from tandem.core.permissions import require
from tandem.core.roles import Role
from tandem.people.models import Team, Territory, User
from tandem.sales.models import Opportunity, Quota
from tandem.sales.permissions import SalesPermission
from tandem.targets.breakdown import split_amount
from tandem.targets.models import SalesTarget
from tandem.targets.permissions import TargetsPermission
from tandem.targets.selectors import OPEN, sales_structure, territory_for_change, territory_rule

QUARTERS = (1, 2, 3, 4)
ZERO = Decimal("0.00")
STALE_TARGET = (
    "Someone else changed this year's target or quotas since you opened them. Reload and apply your change again."
)

# (team id or user id, fiscal quarter) → amount
Cells = dict[tuple[int, int], Decimal]


@dataclass(frozen=True)
class Breakdown:
    teams: Cells
    reps: Cells


def _year_bounds(fiscal_year: int, start_month: int) -> tuple[datetime.date, datetime.date]:
    return FiscalQuarter(fiscal_year, 1).bounds(start_month)[0], FiscalQuarter(fiscal_year, 4).bounds(start_month)[1]


def _last_year_won(fiscal_year: int) -> tuple[list[Decimal], dict[int, Decimal]]:
    """Closed-won home amounts of the previous fiscal year: per quarter, and per owner (one query each)."""
    start_month = workspace_get().fiscal_year_start_month
    per_quarter = []
    sums = {}
    for q in QUARTERS:
        first, last = FiscalQuarter(fiscal_year - 1, q).bounds(start_month)
        sums[f"q{q}"] = Sum("amount_home", filter=Q(close_date__gte=first, close_date__lte=last))
    won = Opportunity.objects.filter(stage__is_won=True)
    totals = won.aggregate(**sums)
    per_quarter = [totals[f"q{q}"] or ZERO for q in QUARTERS]
    first, last = _year_bounds(fiscal_year - 1, start_month)
    per_owner = dict(
        won.filter(close_date__gte=first, close_date__lte=last)
        .values_list("owner_id")
        .annotate(total=Sum("amount_home"))
        .values_list("owner_id", "total")
    )
    return per_quarter, per_owner


def breakdown_compute(
    *,
    amount: Decimal,
    method: str,
    teams: Mapping[int, list[int]],
    team_potential: Mapping[int, Decimal],
    last_year_quarters: list[Decimal],
    last_year_by_rep: Mapping[int, Decimal],
    current_teams: Cells,
    current_reps: Cells,
) -> Breakdown:
    """The target split into team quotas per quarter and rep quotas per team and quarter.

    - last year's share: quarters in the proportion of last year's closed won per quarter, teams
      by the closed won of their reps last year, reps by their own;
    - territory potential: even quarters, teams by the potential of their territory, reps evenly;
    - evenly: even quarters, teams and reps;
    - by hand: the current breakdown's proportions kept (quarters, teams, reps), scaled to the amount.
    Weights that are all zero fall back to even; every split is largest-remainder in whole cents.
    """
    team_ids = sorted(teams)
    if method == SalesTarget.Method.LAST_YEAR:
        quarter_weights: list[Decimal] = list(last_year_quarters)
    elif method == SalesTarget.Method.HAND:
        quarter_weights = [sum((current_teams.get((t, q), ZERO) for t in team_ids), ZERO) for q in QUARTERS]
    else:
        quarter_weights = [Decimal(1)] * 4
    quarter_amounts = split_amount(amount, quarter_weights)
    team_cells: Cells = {}
    rep_cells: Cells = {}
    for q, quarter_amount in zip(QUARTERS, quarter_amounts, strict=True):
        if method == SalesTarget.Method.LAST_YEAR:
            weights = [sum((last_year_by_rep.get(r, ZERO) for r in teams[t]), ZERO) for t in team_ids]
        elif method == SalesTarget.Method.POTENTIAL:
            weights = [team_potential.get(t, ZERO) for t in team_ids]
        elif method == SalesTarget.Method.HAND:
            weights = [current_teams.get((t, q), ZERO) for t in team_ids]
        else:
            weights = [Decimal(1)] * len(team_ids)
        for t, team_amount in zip(team_ids, split_amount(quarter_amount, weights), strict=True):
            team_cells[(t, q)] = team_amount
            reps = teams[t]
            if method == SalesTarget.Method.LAST_YEAR:
                rep_weights = [last_year_by_rep.get(r, ZERO) for r in reps]
            elif method == SalesTarget.Method.HAND:
                rep_weights = [current_reps.get((r, q), ZERO) for r in reps]
            else:
                rep_weights = [Decimal(1)] * len(reps)
            for r, rep_amount in zip(reps, split_amount(team_amount, rep_weights), strict=True):
                rep_cells[(r, q)] = rep_amount
    return Breakdown(teams=team_cells, reps=rep_cells)


def _quotas_of_year(fiscal_year: int) -> tuple[dict[tuple[int, int], Quota], dict[tuple[int, int], Quota]]:
    teams: dict[tuple[int, int], Quota] = {}
    reps: dict[tuple[int, int], Quota] = {}
    for quota in (
        Quota.objects.select_for_update(of=("self",)).filter(fiscal_year=fiscal_year).select_related("user", "team")
    ):
        if quota.team_id is not None:
            teams[(quota.team_id, quota.fiscal_quarter)] = quota
        else:
            assert quota.user_id is not None
            reps[(quota.user_id, quota.fiscal_quarter)] = quota
    return teams, reps


def _quotas_write(
    *,
    actor: User,
    fiscal_year: int,
    existing: dict[tuple[int, int], Quota],
    cells: Cells,
    kind: str,
    remove_missing: bool,
) -> None:
    """Bring the stored quotas of one kind ("team" or "user") to `cells`, recording each change."""
    for key, amount in cells.items():
        quota = existing.get(key)
        if quota is None:
            quota = Quota(fiscal_year=fiscal_year, fiscal_quarter=key[1], amount=amount, **{f"{kind}_id": key[0]})
            quota.full_clean()
            quota.save()
            audit_record(actor=actor, record=quota, action=Action.CREATED)
        elif quota.amount != amount:
            before = audit_snapshot(quota)
            quota.amount = amount
            quota.full_clean()
            quota.save(update_fields=["amount"])
            audit_record(actor=actor, record=quota, action=Action.CHANGED, before=before)
    if remove_missing:
        for key, quota in existing.items():
            if key not in cells:
                audit_record(actor=actor, record=quota, action=Action.DELETED)
                quota.delete()


def _target_locked(fiscal_year: int, version: int | None) -> SalesTarget | None:
    target = SalesTarget.objects.select_for_update().filter(fiscal_year=fiscal_year).first()
    if target is not None and version is not None and version != target.version:
        raise StaleVersion(STALE_TARGET)
    return target


def _target_bump(*, actor: User, target: SalesTarget) -> None:
    target.version += 1
    target.updated_by = actor
    target.save(update_fields=["version", "updated_by", "updated_at"])


@transaction.atomic
def target_set(
    *, actor: User, fiscal_year: int, amount: Decimal, method: str, version: int | None = None
) -> SalesTarget:
    """Set the company's sales target for a fiscal year and break it down again by `method` into team
    and rep quotas per quarter (see `breakdown_compute`). Executives and admins only. A target that
    exists must be changed from its current `version`. Quotas of the year for teams or reps outside
    the breakdown (no longer in a sales team) are removed, so the year always adds up."""
    require(actor, TargetsPermission.SET_TARGET)
    if method not in SalesTarget.Method.values:
        raise ValidationError({"method": "Choose how to break the target down."})
    target = _target_locked(fiscal_year, version)
    before = audit_snapshot(target) if target is not None else None
    if target is None:
        target = SalesTarget(fiscal_year=fiscal_year, amount=amount, method=method)
    target.amount = amount
    target.method = method
    target.updated_by = actor
    target.full_clean()
    structure = sales_structure()
    current_teams, current_reps = _quotas_of_year(fiscal_year)
    last_quarters, last_by_rep = (
        _last_year_won(fiscal_year) if method == SalesTarget.Method.LAST_YEAR else ([ZERO] * 4, {})
    )
    breakdown = breakdown_compute(
        amount=amount,
        method=method,
        teams=structure.reps_by_team,
        team_potential=structure.potential_by_team,
        last_year_quarters=last_quarters,
        last_year_by_rep=last_by_rep,
        current_teams={k: q.amount for k, q in current_teams.items()},
        current_reps={k: q.amount for k, q in current_reps.items()},
    )
    if target.pk is not None:
        target.version += 1
    target.save()
    audit_record(actor=actor, record=target, action=Action.CREATED if before is None else Action.CHANGED, before=before)
    _quotas_write(
        actor=actor,
        fiscal_year=fiscal_year,
        existing=current_teams,
        cells=breakdown.teams,
        kind="team",
        remove_missing=True,
    )
    _quotas_write(
        actor=actor,
        fiscal_year=fiscal_year,
        existing=current_reps,
        cells=breakdown.reps,
        kind="user",
        remove_missing=True,
    )
    return target


def _target_required(fiscal_year: int, version: int | None) -> SalesTarget:
    target = _target_locked(fiscal_year, version)
    if target is None:
        raise ValidationError({"fiscal_year": f"FY{fiscal_year} has no sales target yet: set it first."})
    return target


@transaction.atomic
def team_quotas_set(*, actor: User, fiscal_year: int, cells: Cells, version: int) -> SalesTarget:
    """Set team quotas by hand (team id, quarter → amount). The teams' quotas over the year must still
    add up to the target (move an amount between teams or quarters, or change the target first);
    each changed team's rep quotas are split again in their current proportions, so they add up to
    the team's new quota. Executives and admins only."""
    require(actor, TargetsPermission.SET_TARGET)
    target = _target_required(fiscal_year, version)
    structure = sales_structure()
    current_teams, current_reps = _quotas_of_year(fiscal_year)
    team_cells = {k: q.amount for k, q in current_teams.items()}
    for (team_id, quarter), amount in cells.items():
        if team_id not in structure.reps_by_team or quarter not in QUARTERS:
            raise ValidationError({"cells": f"No sales team {team_id} with reps, or no quarter {quarter}."})
        if amount < 0:
            raise ValidationError({"cells": "A quota cannot be negative."})
        team_cells[(team_id, quarter)] = amount
    total = sum(team_cells.values(), ZERO)
    if total != target.amount:
        currency = workspace_get().home_currency
        raise ValidationError(
            {
                "cells": f"The teams' quotas add up to {formats.money(total, currency)}, the target is "
                f"{formats.money(target.amount, currency)}: move the difference to another team or quarter, "
                "or change the target first."
            }
        )
    rep_cells: Cells = {}
    for (team_id, quarter), amount in team_cells.items():
        reps = structure.reps_by_team.get(team_id, [])
        weights = [current_reps[(r, quarter)].amount if (r, quarter) in current_reps else ZERO for r in reps]
        for r, share in zip(reps, split_amount(amount, weights), strict=True):
            rep_cells[(r, quarter)] = share
    _quotas_write(
        actor=actor,
        fiscal_year=fiscal_year,
        existing=current_teams,
        cells=team_cells,
        kind="team",
        remove_missing=False,
    )
    _quotas_write(
        actor=actor, fiscal_year=fiscal_year, existing=current_reps, cells=rep_cells, kind="user", remove_missing=False
    )
    target.method = SalesTarget.Method.HAND
    target.save(update_fields=["method"])
    _target_bump(actor=actor, target=target)
    return target


def team_quota_editable(*, actor: User, team: Team) -> bool:
    if actor.role in (Role.EXECUTIVE, Role.ADMIN):
        return True
    return actor.role == Role.SALES_MANAGER and team.manager_id == actor.pk


@transaction.atomic
def rep_quotas_set(*, actor: User, team: Team, fiscal_year: int, cells: Cells, version: int) -> SalesTarget:
    """Set the rep quotas of one team by hand (user id, quarter → amount). In each quarter they must
    add up to the team's quota. The team's manager, executives and admins."""
    require(actor, SalesPermission.SET_QUOTA)
    if not team_quota_editable(actor=actor, team=team):
        raise PermissionDenied("A sales manager sets the quotas of the teams they manage.")
    target = _target_required(fiscal_year, version)
    reps = sales_structure().reps_by_team.get(team.pk, [])
    current_teams, current_reps = _quotas_of_year(fiscal_year)
    rep_cells = {k: q.amount for k, q in current_reps.items() if k[0] in reps}
    for (user_id, quarter), amount in cells.items():
        if user_id not in reps or quarter not in QUARTERS:
            raise ValidationError({"cells": f"No rep {user_id} in {team.name}, or no quarter {quarter}."})
        if amount < 0:
            raise ValidationError({"cells": "A quota cannot be negative."})
        rep_cells[(user_id, quarter)] = amount
    currency = workspace_get().home_currency
    problems = []
    for quarter in QUARTERS:
        team_quota = current_teams[(team.pk, quarter)].amount if (team.pk, quarter) in current_teams else ZERO
        total = sum((rep_cells.get((r, quarter), ZERO) for r in reps), ZERO)
        if total != team_quota:
            problems.append(
                f"Q{quarter}: the reps' quotas add up to {formats.money(total, currency)}, "
                f"the team's quota is {formats.money(team_quota, currency)}."
            )
    if problems:
        raise ValidationError({"cells": problems})
    _quotas_write(
        actor=actor,
        fiscal_year=fiscal_year,
        existing=current_reps,
        cells={k: v for k, v in rep_cells.items() if k[0] in reps},
        kind="user",
        remove_missing=False,
    )
    _target_bump(actor=actor, target=target)
    return target


def breakdown_differences(*, fiscal_year: int) -> list[str]:
    """Where the year's breakdown does not add up (a rep moved teams, a quota set elsewhere): empty
    when the team quotas sum to the target and each team's rep quotas to the team's quota."""
    target = SalesTarget.objects.filter(fiscal_year=fiscal_year).first()
    if target is None:
        return []
    structure = sales_structure()
    team_sum: dict[int, Decimal] = defaultdict(lambda: ZERO)
    rep_sum: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    team_of = {r: t for t, reps in structure.reps_by_team.items() for r in reps}
    total = ZERO
    teams: dict[tuple[int, int], Decimal] = {}
    for quota in Quota.objects.filter(fiscal_year=fiscal_year).only("user_id", "team_id", "fiscal_quarter", "amount"):
        if quota.team_id is not None:
            teams[(quota.team_id, quota.fiscal_quarter)] = quota.amount
            total += quota.amount
            team_sum[quota.team_id] += quota.amount
        elif quota.user_id in team_of:
            rep_sum[(team_of[quota.user_id], quota.fiscal_quarter)] += quota.amount
        elif quota.amount:
            return [
                f"A quota of FY{fiscal_year} belongs to someone no longer in a sales team: break the target down again."
            ]
    problems = []
    if total != target.amount:
        problems.append(f"The teams' quotas add up to {total}, the target is {target.amount}.")
    names = dict(Team.objects.filter(pk__in=structure.reps_by_team).values_list("pk", "name"))
    for team_id in structure.reps_by_team:
        for quarter in QUARTERS:
            if rep_sum[(team_id, quarter)] != teams.get((team_id, quarter), ZERO):
                problems.append(f"{names.get(team_id)} Q{quarter}: the reps' quotas differ from the team's quota.")
    return problems


# Territories (the model lives in `people`; managing it is sales management, here)

TERRITORY_FIELDS = frozenset({"name", "region", "potential", "rule_region", "rule_segment", "rule_industry"})
STALE_TERRITORY = "Someone else changed this territory since you opened it. Reload and apply your change again."
# One reassignment moves at most this many accounts: each goes through the sales services (rules,
# versions, audit), so a larger move is done in steps (a narrower rule).
ASSIGN_LIMIT = 500


@transaction.atomic
def territory_create(*, actor: User, data: Mapping[str, object]) -> Territory:
    """Add a territory. Admins only: a sales manager changes the territories their teams cover."""
    require(actor, TargetsPermission.MANAGE_TERRITORIES)
    if actor.role != Role.ADMIN:
        raise PermissionDenied("Only admins add territories; a sales manager changes their teams' territories.")
    if set(data) - TERRITORY_FIELDS:
        raise ValueError(f"Not settable here: {', '.join(sorted(set(data) - TERRITORY_FIELDS))}")
    territory = Territory(**data)
    territory.full_clean()
    territory.save()
    audit_record(actor=actor, record=territory, action=Action.CREATED)
    return territory


@transaction.atomic
def territory_update(
    *, actor: User, territory: Territory, expected_version: int, data: Mapping[str, object]
) -> Territory:
    """Change a territory: admins any, a sales manager those their teams cover; from the version read."""
    require(actor, TargetsPermission.MANAGE_TERRITORIES)
    if set(data) - TERRITORY_FIELDS:
        raise ValueError(f"Not changeable here: {', '.join(sorted(set(data) - TERRITORY_FIELDS))}")
    territory = territory_for_change(user=actor, pk=territory.pk, lock=True)
    if territory.version != expected_version:
        raise StaleVersion(STALE_TERRITORY)
    before = audit_snapshot(territory)
    for name, value in data.items():
        setattr(territory, name, value)
    territory.version += 1
    territory.full_clean()
    territory.save()
    audit_record(actor=actor, record=territory, action=Action.CHANGED, before=before)
    return territory


@dataclass(frozen=True)
class Reassignment:
    accounts: int
    deals: int


@transaction.atomic
def territory_accounts_assign(
    *,
    actor: User,
    territory: Territory,
    account_ids: list[int] | None = None,
    new_owner: User | None = None,
    move_open_deals: bool = False,
) -> Reassignment:
    """Put accounts in a territory: those named, or (without `account_ids`) every account the actor may
    change that matches the territory's rule and is not in it yet. With `new_owner` the accounts go
    to that person, and with `move_open_deals` so do their open deals. Each account and deal is
    changed through the sales services (the actor must be allowed to change it; a manager assigns to
    their teams' members; the audit trail records each deal's new owner)."""
    from tandem.sales.selectors import account_changeable
    from tandem.sales.services import account_update, opportunity_update

    territory = territory_for_change(user=actor, pk=territory.pk)
    if move_open_deals and new_owner is None:
        raise ValidationError({"new_owner": "Choose who takes the open deals over."})
    if account_ids is None:
        rule = territory_rule(territory)
        if rule is None:
            raise ValidationError(
                {"rule_region": "The territory has no rule: give a region, a segment or an industry."}
            )
        accounts = account_changeable(user=actor).filter(rule).exclude(territory=territory)
    else:
        accounts = account_changeable(user=actor).filter(pk__in=account_ids)
        if accounts.count() != len(set(account_ids)):
            raise PermissionDenied("Some of these accounts are not yours to change.")
    chosen = list(accounts.order_by("pk")[: ASSIGN_LIMIT + 1])
    if len(chosen) > ASSIGN_LIMIT:
        raise ValidationError(
            {"rule_region": f"More than {ASSIGN_LIMIT} accounts at once: narrow the rule, or assign them in steps."}
        )
    moved_deals = 0
    for account in chosen:
        data: dict[str, object] = {"territory": territory}
        if new_owner is not None:
            data["owner"] = new_owner
        account_update(actor=actor, account=account, expected_version=account.version, data=data)
        if move_open_deals and new_owner is not None:
            for deal in Opportunity.objects.filter(OPEN, account=account).exclude(owner=new_owner):
                opportunity_update(
                    actor=actor, opportunity=deal, expected_version=deal.version, data={"owner": new_owner}
                )
                moved_deals += 1
    return Reassignment(accounts=len(chosen), deals=moved_deals)
