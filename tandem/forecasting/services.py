"""Writes of forecasts: a rep's call, a manager's override of it, and the weekly snapshot.

Calls and overrides are versioned: the form or API body sends the version it read (0 when there
was none yet), and a write based on an older one is refused with `StaleVersion` (409). Both are
followed by the audit trail. The snapshot is the one writer of history.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from tandem.audit.models import AuditEntry
from tandem.audit.services import audit_record, audit_snapshot
from tandem.core.api import StaleVersion
from tandem.core.fiscal import FiscalQuarter
from tandem.core.money import workspace_get
from tandem.core.permissions import require
from tandem.core.roles import Role
from tandem.forecasting.models import ForecastCall, ForecastOverride, ForecastSnapshot, ForecastWeek
from tandem.forecasting.permissions import ForecastingPermission
from tandem.forecasting.selectors import (
    callable_quarters,
    forecast_override_changeable,
    forecast_rep_ids,
    override_reps,
    rep_lines_unrestricted,
    week_of,
)
from tandem.people.models import User

P = ForecastingPermission
Action = AuditEntry.Action

STALE_CALL = "This call changed since you opened it (another tab or device?) — reload to see it."
STALE_OVERRIDE = "Someone changed this override since you opened it — reload to see their figures."
NOT_CALLABLE = "Calls are made for the current fiscal quarter and the next."


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01")) if amount.is_finite() else amount


def _check_quarter(quarter: FiscalQuarter, today: datetime.date | None) -> None:
    today = today or timezone.localdate()
    if quarter not in callable_quarters(today, workspace_get().fiscal_year_start_month):
        raise ValidationError({"quarter": NOT_CALLABLE})


@transaction.atomic
def forecast_call_submit(
    *,
    actor: User,
    quarter: FiscalQuarter,
    commit: Decimal,
    best_case: Decimal,
    note: str = "",
    expected_version: int,
    today: datetime.date | None = None,
) -> ForecastCall:
    """The rep calls their commit and best case for the current or the next fiscal quarter. Only
    reps call, each for themselves. `expected_version` is the version they read (0: no call yet);
    an older one raises StaleVersion and writes nothing. The best case includes the commit."""
    require(actor, P.CALL_FORECAST)
    _check_quarter(quarter, today)
    found = (
        ForecastCall.objects.select_for_update()
        .filter(rep=actor, fiscal_year=quarter.year, fiscal_quarter=quarter.quarter)
        .first()
    )
    if (found.version if found else 0) != expected_version:
        raise StaleVersion(STALE_CALL)
    now = timezone.now()
    before = audit_snapshot(found) if found else None
    call = found or ForecastCall(
        rep=actor, fiscal_year=quarter.year, fiscal_quarter=quarter.quarter, created_at=now, version=0
    )
    call.commit, call.best_case, call.note = _cents(commit), _cents(best_case), note
    call.updated_at = now
    call.version += 1
    call.full_clean()
    try:
        with transaction.atomic():
            call.save()
    except IntegrityError as exc:  # a first call made at the same moment elsewhere
        raise StaleVersion(STALE_CALL) from exc
    audit_record(actor=actor, record=call, action=Action.CHANGED if found else Action.CREATED, before=before)
    return call


def forecast_rep_for_override(*, user: User, pk: int) -> User:
    """The rep whose call is overridden: 404 for one the user does not see (or no rep), 403 for one
    they see but may not override (an executive reads)."""
    visible = forecast_rep_ids(user=user)
    rep = User.objects.filter(pk=pk, role=Role.REP).first()
    if rep is None or (visible is not None and pk not in visible):
        raise Http404("No such rep.")
    allowed = override_reps(user=user)
    if allowed is not None and pk not in allowed:
        raise PermissionDenied("Only the rep's sales manager or an admin may override their call.")
    return rep


@transaction.atomic
def forecast_override_set(
    *,
    actor: User,
    rep: User,
    quarter: FiscalQuarter,
    commit: Decimal,
    best_case: Decimal,
    note: str,
    expected_version: int,
    today: datetime.date | None = None,
) -> ForecastOverride:
    """The rep's sales manager (or an admin) sets their own figures for the rep's quarter, with the
    reason. The rep's call stays as it is, beside it; the roll-ups count the override instead.
    Versioned like the call (0: no override yet)."""
    require(actor, P.OVERRIDE_FORECAST)
    rep = forecast_rep_for_override(user=actor, pk=rep.pk)
    _check_quarter(quarter, today)
    found = (
        ForecastOverride.objects.select_for_update()
        .filter(rep=rep, fiscal_year=quarter.year, fiscal_quarter=quarter.quarter)
        .first()
    )
    if (found.version if found else 0) != expected_version:
        raise StaleVersion(STALE_OVERRIDE)
    now = timezone.now()
    before = audit_snapshot(found) if found else None
    override = found or ForecastOverride(
        rep=rep, fiscal_year=quarter.year, fiscal_quarter=quarter.quarter, created_at=now, version=0
    )
    override.commit, override.best_case, override.note = _cents(commit), _cents(best_case), note.strip()
    override.set_by = actor
    override.updated_at = now
    override.version += 1
    override.full_clean()
    try:
        with transaction.atomic():
            override.save()
    except IntegrityError as exc:
        raise StaleVersion(STALE_OVERRIDE) from exc
    audit_record(actor=actor, record=override, action=Action.CHANGED if found else Action.CREATED, before=before)
    return override


@transaction.atomic
def forecast_override_withdraw(
    *, actor: User, rep: User, quarter: FiscalQuarter, expected_version: int, today: datetime.date | None = None
) -> None:
    """The rep's sales manager (or an admin) withdraws the override of the rep's quarter: the roll-ups
    count the rep's own call again. The audit trail keeps what it was and who withdrew it; the weekly
    snapshots already taken keep it in the history. Refused when the override changed since it was
    read (`expected_version`), and for quarters no longer called (their overrides are history)."""
    require(actor, P.OVERRIDE_FORECAST)
    rep = forecast_rep_for_override(user=actor, pk=rep.pk)
    _check_quarter(quarter, today)
    found = (
        forecast_override_changeable(user=actor)
        .select_for_update()
        .filter(rep=rep, fiscal_year=quarter.year, fiscal_quarter=quarter.quarter)
        .first()
    )
    if found is None:
        raise Http404("This call has no override to withdraw.")
    if found.version != expected_version:
        raise StaleVersion(STALE_OVERRIDE)
    audit_record(actor=actor, record=found, action=Action.DELETED)
    found.delete()


def forecast_snapshot_take(*, now: datetime.datetime | None = None) -> ForecastWeek | None:
    """Take the week's snapshot: per rep, for the current and the next fiscal quarter (as of the day
    in UTC), the call, the override and the system's figures as they stand. Once per week (the week's
    Monday is unique): a second run in the same week, or one racing it, writes nothing and returns
    None. Everything of one week is written in one transaction."""
    now = now or timezone.now()
    day = now.astimezone(datetime.UTC).date()
    week = week_of(day)
    if ForecastWeek.objects.filter(week=week).exists():
        return None
    start_month = workspace_get().fiscal_year_start_month
    try:
        with transaction.atomic():
            taken = ForecastWeek.objects.create(week=week, taken_at=now)
            rows = []
            for quarter in callable_quarters(day, start_month):
                for line in rep_lines_unrestricted(quarter=quarter, start_month=start_month):
                    rows.append(
                        ForecastSnapshot(
                            rep_id=line.rep_id,
                            fiscal_year=quarter.year,
                            fiscal_quarter=quarter.quarter,
                            week=week,
                            taken_at=now,
                            call_commit=line.call.commit if line.call else None,
                            call_best_case=line.call.best_case if line.call else None,
                            override_commit=line.override.commit if line.override else None,
                            override_best_case=line.override.best_case if line.override else None,
                            closed_won=line.figures.closed_won,
                            commit=line.figures.commit,
                            best_case=line.figures.best_case,
                            pipeline=line.figures.pipeline,
                            weighted=line.figures.weighted,
                        )
                    )
            ForecastSnapshot.objects.bulk_create(rows, batch_size=1000)
            taken.snapshots = len(rows)
            taken.save(update_fields=["snapshots"])
    except IntegrityError:
        return None  # another worker took this week's at the same moment
    return taken


def forecast_snapshot_due(*, now: datetime.datetime | None = None) -> bool:
    """Whether this week's snapshot is still to take."""
    now = now or timezone.now()
    return not ForecastWeek.objects.filter(week=week_of(now.astimezone(datetime.UTC).date())).exists()
