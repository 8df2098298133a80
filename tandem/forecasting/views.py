"""The forecast page: a rep's call beside their deals' figures, a manager's team with overrides,
the company rolled up by manager for executives; the quarter's weekly trend and the reps' accuracy.

One page serves every role (what it shows follows the viewer's rules); the call and the override
are posted to their own URLs, which redirect back to it or show it again with the form's errors.
"""

import datetime
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from tandem.core.api import StaleVersion
from tandem.core.fiscal import FiscalQuarter, fiscal_quarter_of
from tandem.core.http import PageRequest
from tandem.core.money import workspace_get
from tandem.core.permissions import has_permission, require
from tandem.core.roles import Role
from tandem.forecasting import services
from tandem.forecasting.forms import CallForm, OverrideForm, OverrideWithdrawForm, quarter_key, quarter_parse
from tandem.forecasting.permissions import ForecastingPermission
from tandem.forecasting.selectors import (
    NO_MANAGER,
    ZERO,
    Accuracy,
    RepLine,
    Total,
    TrendPoint,
    accuracies,
    callable_quarters,
    company_calls_and_wins,
    ended_quarters,
    forecast_rep_ids,
    live_point,
    manager_totals,
    override_reps,
    quarter_week,
    rep_lines,
    total_of,
    trend,
    week_of,
)
from tandem.forecasting.tasks import forecast_snapshot_enqueue_if_due
from tandem.people.models import User

P = ForecastingPermission


@dataclass
class Scope:
    """What the page is about: the quarter, and whose forecast (one rep, a manager's team, the company)."""

    quarter: FiscalQuarter
    start_month: int
    today: datetime.date
    quarters: list[FiscalQuarter]
    manager: str  # a manager's id, NO_MANAGER, or "" for the viewer's own scope
    rep: int | None

    @property
    def first(self) -> datetime.date:
        return self.quarter.bounds(self.start_month)[0]

    @property
    def last(self) -> datetime.date:
        return self.quarter.bounds(self.start_month)[1]

    @property
    def callable(self) -> bool:
        return self.quarter in callable_quarters(self.today, self.start_month)

    def url(self, **changes: Any) -> str:
        params = {"quarter": quarter_key(self.quarter), "manager": self.manager, "rep": self.rep or ""}
        params.update(changes)
        query = urlencode({k: v for k, v in params.items() if v not in ("", None)})
        return f"{reverse('forecasting:forecast')}?{query}"

    def deals(self, status: str = "", **filters: str) -> str:
        """The deal list showing the deals behind a figure, closing in the quarter (the list applies
        the viewer's own rules on top; `_links_for` narrows it to a rep or a manager's teams)."""
        params = {"status": status, "close_date_from": self.first.isoformat(), "close_date_to": self.last.isoformat()}
        params.update(filters)
        return f"{reverse('sales:opportunity_list')}?{urlencode(params)}"


def _scope(request: PageRequest) -> Scope:
    start_month = workspace_get().fiscal_year_start_month
    today = timezone.localdate()
    quarters = ended_quarters(today, start_month) + callable_quarters(today, start_month)
    quarter = quarter_parse(request.GET.get("quarter") or request.POST.get("quarter"))
    if quarter not in quarters:
        quarter = fiscal_quarter_of(today, start_month)
    manager = request.GET.get("manager", "")
    if request.user.role not in (Role.EXECUTIVE, Role.ADMIN) or not (manager.isdigit() or manager == NO_MANAGER):
        manager = ""
    rep = request.GET.get("rep", "")
    return Scope(
        quarter=quarter,
        start_month=start_month,
        today=today,
        quarters=quarters,
        manager=manager,
        rep=int(rep) if rep.isdigit() and len(rep) < 12 else None,
    )


def _lines(user: User, scope: Scope) -> list[RepLine]:
    reps: list[int] | None = None
    if scope.manager:
        people = User.objects.filter(role=Role.REP)
        if scope.manager == NO_MANAGER:
            people = people.filter(team__manager__isnull=True)
        else:
            people = people.filter(team__manager_id=int(scope.manager))
        reps = list(people.values_list("pk", flat=True))
    return rep_lines(user=user, quarter=scope.quarter, start_month=scope.start_month, reps=reps)


def _figure_link_bases(scope: Scope) -> dict[str, str]:
    """Each figure's deal list for the whole scope, built once a page: a line's links add its owner
    or manager to them (reversing and encoding 200 managers' six links cost the company page 40 ms)."""
    return {
        "closed_won": scope.deals("won"),
        "commit": scope.deals("open", forecast_category="commit"),
        "best_case": scope.deals("open", forecast_category="best_case"),
        "pipeline": scope.deals("open", forecast_category="pipeline"),
        "weighted": scope.deals("open"),
        "all": scope.deals(""),
    }


def _links_for(bases: dict[str, str], *, owner: int | None = None, manager: str = "") -> dict[str, str]:
    if owner:
        narrow = f"&owner={owner}"
    elif manager and manager != NO_MANAGER:
        narrow = f"&team_manager={urlencode({'m': manager})[2:]}"
    else:
        return bases
    return {figure: base + narrow for figure, base in bases.items()}


def _chart(
    points: list[TrendPoint], links: dict[str, str], forecast_label: str, *, overrides_only: bool
) -> dict[str, Any]:
    """The trend's series; for one rep the override series holds the weeks that had one."""

    def amount(value: Any) -> str | None:
        return None if value is None else str(value)

    return {
        "weeks": [p.week.isoformat() if p.week else "now" for p in points],
        "numbers": [p.number for p in points],
        "call": [amount(p.call_commit) for p in points],
        "forecast": [amount(p.forecast_commit if p.overrides or not overrides_only else None) for p in points],
        "won": [amount(p.figures.closed_won) for p in points],
        "weighted": [amount(p.figures.weighted) for p in points],
        "forecastLabel": forecast_label,
        "currency": workspace_get().home_currency,
        "links": {"won": links["closed_won"], "weighted": links["weighted"], "call": links["all"]},
    }


@dataclass(frozen=True)
class AccuracyRow:
    label: str
    by_quarter: list[Accuracy]


def _accuracy_rows(
    user: User, lines: list[RepLine], scope: Scope, groups: list[Total] | None
) -> tuple[list[FiscalQuarter], list[AccuracyRow]]:
    """Each rep's accuracy in the last ended quarters; for the company, each manager's team's: the
    calls of the reps who called against what those reps won."""
    quarters = ended_quarters(scope.today, scope.start_month)
    if groups is None:
        found = accuracies(
            user=user, rep_ids=[line.rep_id for line in lines], quarters=quarters, start_month=scope.start_month
        )
        return quarters, [AccuracyRow(line.name, [found[line.rep_id][q] for q in quarters]) for line in lines]
    # The company's roll-up: its reader sees every rep's forecast.
    kept = company_calls_and_wins(user=user, quarters=quarters, start_month=scope.start_month)
    rows = []
    for group in groups:
        called = [kept[pk] for pk in group.rep_ids if pk in kept]
        cells = []
        for i, q in enumerate(quarters):
            pairs = [pair for rep in called if (pair := rep[i]) is not None]
            call = sum((pair[0] for pair in pairs), ZERO) if pairs else None
            won = sum((pair[1] for pair in pairs), ZERO)
            cells.append(Accuracy(quarter=q, call=call, won=won, week=None))
        rows.append(AccuracyRow(group.label, cells))
    return quarters, rows


def _context(
    request: PageRequest,
    scope: Scope,
    *,
    call_form: CallForm | None = None,
    override_form: OverrideForm | None = None,
) -> dict[str, Any]:
    user = request.user
    lines = _lines(user, scope)
    by_id = {line.rep_id: line for line in lines}
    focus = by_id.get(scope.rep) if scope.rep else (lines[0] if user.role == Role.REP and lines else None)
    company = user.role in (Role.EXECUTIVE, Role.ADMIN) and not scope.manager
    groups = manager_totals(lines=lines) if company else []
    total = total_of(groups or lines, "Company" if company else "Team", "")
    bases = _figure_link_bases(scope)
    if focus is not None:
        subject = total_of([focus], focus.name)
        points = trend(user=user, quarter=scope.quarter, start_month=scope.start_month, rep_ids=[focus.rep_id])
        links = _links_for(bases, owner=focus.rep_id)
        forecast_label = "Override"
    else:
        subject = total
        rep_ids = None if company else [line.rep_id for line in lines]
        points = trend(user=user, quarter=scope.quarter, start_month=scope.start_month, rep_ids=rep_ids)
        links = _links_for(bases, manager=scope.manager)
        forecast_label = "Forecast (overrides counted)"
    live = live_point(subject)
    quarters, accuracy = _accuracy_rows(
        user, [focus] if focus else lines, scope, groups if company and focus is None else None
    )
    may_override = (
        focus is not None
        and scope.callable
        and has_permission(user, P.OVERRIDE_FORECAST)
        and (override_reps(user=user) is None or focus.rep_id in (override_reps(user=user) or []))
    )
    if may_override and override_form is None and focus is not None:
        chosen = focus.override or focus.call
        override_form = OverrideForm(
            initial={
                "quarter": quarter_key(scope.quarter),
                "version": focus.override.version if focus.override else 0,
                "commit": chosen.commit if chosen else None,
                "best_case": chosen.best_case if chosen else None,
                "note": focus.override.note if focus.override else "",
            }
        )
    may_call = user.role == Role.REP and scope.callable and has_permission(user, P.CALL_FORECAST)
    if may_call and call_form is None:
        mine = focus.call if focus else None
        call_form = CallForm(
            initial={
                "quarter": quarter_key(scope.quarter),
                "version": mine.version if mine else 0,
                "commit": mine.commit if mine else None,
                "best_case": mine.best_case if mine else None,
                "note": mine.note if mine else "",
            }
        )
    # From three weeks before the quarter: earlier weeks, when it was far ahead, say little.
    points = [p for p in points if p.number is not None and p.number >= HISTORY_FROM_WEEK]
    history = list(reversed(points))
    return {
        "scope": scope,
        "quarter": scope.quarter,
        "week_number": quarter_week(scope.quarter, scope.start_month, week_of(scope.today)),
        "weeks_to_start": 1 - quarter_week(scope.quarter, scope.start_month, week_of(scope.today)),
        "quarter_choices": [(quarter_key(q), str(q), q == scope.quarter) for q in scope.quarters],
        "role": user.role,
        "lines": lines,
        "groups": groups,
        "total": total,
        "company": company,
        "focus": focus,
        "subject": subject,
        "live": live,
        "compare": {
            "commit": subject.figures.closed_won + subject.figures.commit,
            "best_case": subject.figures.closed_won + subject.figures.commit + subject.figures.best_case,
            "weighted": subject.figures.closed_won + subject.figures.weighted,
        },
        "history": history,
        "links": links,
        "chart": _chart([*points, live], links, forecast_label, overrides_only=focus is not None),
        "accuracy_quarters": quarters,
        "accuracy_rows": accuracy,
        "accuracy_week": ACCURACY_WEEK_LABEL,
        "sees_overrides": user.role != Role.REP,
        "call_form": call_form if may_call else None,
        "override_form": override_form if may_override else None,
        "manager_label": _manager_label(scope.manager),
        "rep_rows": [(line, _links_for(bases, owner=line.rep_id)) for line in lines] if not company else [],
        "group_rows": [(group, _links_for(bases, manager=group.key)) for group in groups],
    }


ACCURACY_WEEK_LABEL = "week 4"
HISTORY_FROM_WEEK = -2


def _manager_label(manager: str) -> str:
    if not manager:
        return ""
    if manager == NO_MANAGER:
        return "Reps without a manager"
    person = User.objects.filter(pk=int(manager)).first()
    return f"{person}'s teams" if person else "No such manager"


@require_GET
def forecast(request: PageRequest) -> HttpResponse:
    require(request.user, P.VIEW_FORECAST)
    forecast_snapshot_enqueue_if_due()
    scope = _scope(request)
    if scope.rep is not None and scope.rep not in _visible_reps(request.user, scope):
        raise Http404("No such rep.")
    return render(request, "forecasting/forecast.html", _context(request, scope))


def _visible_reps(user: User, scope: Scope) -> set[int]:
    visible = forecast_rep_ids(user=user)
    people = User.objects.filter(role=Role.REP)
    if visible is not None:
        people = people.filter(pk__in=visible)
    return set(people.values_list("pk", flat=True))


@require_POST
def call_submit(request: PageRequest) -> HttpResponse:
    """The rep's call for the quarter the form names: back to the page, or the page with errors."""
    require(request.user, P.CALL_FORECAST)
    scope = _scope(request)
    form = CallForm(request.POST)
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.forecast_call_submit(
                actor=request.user,
                quarter=data["quarter"],
                commit=data["commit"],
                best_case=data["best_case"],
                note=data["note"],
                expected_version=data["version"],
            )
        except StaleVersion as exc:
            form.add_error(None, str(exc))
            status = 409
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Your call for {data['quarter']} is saved.")
            return redirect(Scope(**{**scope.__dict__, "quarter": data["quarter"]}).url())
    return render(request, "forecasting/forecast.html", _context(request, scope, call_form=form), status=status)


@require_POST
def override_set(request: PageRequest, rep_id: int) -> HttpResponse:
    """A manager's override of a rep's call: back to the rep on the page, or the page with errors."""
    require(request.user, P.OVERRIDE_FORECAST)
    rep = services.forecast_rep_for_override(user=request.user, pk=rep_id)
    scope = _scope(request)
    scope.rep = rep.pk
    form = OverrideForm(request.POST)
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        scope.quarter = data["quarter"] if data["quarter"] in scope.quarters else scope.quarter
        try:
            services.forecast_override_set(
                actor=request.user,
                rep=rep,
                quarter=data["quarter"],
                commit=data["commit"],
                best_case=data["best_case"],
                note=data["note"],
                expected_version=data["version"],
            )
        except StaleVersion as exc:
            form.add_error(None, str(exc))
            status = 409
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Your override of {rep}'s call for {data['quarter']} is saved.")
            return redirect(scope.url())
    return render(request, "forecasting/forecast.html", _context(request, scope, override_form=form), status=status)


@require_POST
def override_withdraw(request: PageRequest, rep_id: int) -> HttpResponse:
    """A manager withdraws their override of a rep's call: back to the rep on the page, saying so."""
    require(request.user, P.OVERRIDE_FORECAST)
    rep = services.forecast_rep_for_override(user=request.user, pk=rep_id)
    scope = _scope(request)
    scope.rep = rep.pk
    form = OverrideWithdrawForm(request.POST)
    if not form.is_valid():
        messages.error(request, "This override could not be withdrawn: reload the page and try again.")
        return redirect(scope.url())
    quarter = form.cleaned_data["quarter"]
    scope.quarter = quarter if quarter in scope.quarters else scope.quarter
    try:
        services.forecast_override_withdraw(
            actor=request.user, rep=rep, quarter=quarter, expected_version=form.cleaned_data["version"]
        )
    except StaleVersion as exc:
        messages.error(request, str(exc))
        return redirect(scope.url())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(scope.url())
    messages.success(
        request, f"Your override of {rep}'s call for {quarter} is withdrawn: the roll-up counts their own."
    )
    return redirect(scope.url())
