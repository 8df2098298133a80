"""Pages of planning: the quarter's frontier and plan, capacities, a feature's build."""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from tandem.core.api import StaleVersion
from tandem.core.fiscal import FiscalQuarter
from tandem.core.http import PageRequest
from tandem.core.money import workspace_get
from tandem.core.permissions import has_permission, require
from tandem.planning import services
from tandem.planning.forms import CapacityForm, FeatureBuildForm, PlanForm
from tandem.planning.permissions import PlanningPermission
from tandem.planning.selectors import (
    feature_build_visible,
    must_have_because,
    planning_frontier,
    planning_inputs,
    planning_quarter,
    quarter_plans,
    team_capacity_visible,
)
from tandem.product.selectors import feature_visible

P = PlanningPermission
DEFAULT_BLEND = Decimal("0.5")


def _quarter(request: PageRequest) -> FiscalQuarter:
    """The quarter named by ?year=&quarter= (or the form's), else the next one."""
    start_month = workspace_get().fiscal_year_start_month
    default = planning_quarter(timezone.localdate(), start_month)
    source = request.POST if request.method == "POST" else request.GET
    try:
        year, quarter = int(source.get("year", default.year)), int(source.get("quarter", default.quarter))
    except ValueError:
        return default
    if not (2000 <= year <= 2100 and 1 <= quarter <= 4):
        return default
    return FiscalQuarter(year, quarter)


def _blend(request: PageRequest) -> Decimal:
    try:
        blend = Decimal(request.GET.get("blend", DEFAULT_BLEND))
    except ArithmeticError:
        return DEFAULT_BLEND
    return blend if blend.is_finite() and 0 <= blend <= 1 else DEFAULT_BLEND


def _url(quarter: FiscalQuarter, **extra: object) -> str:
    query = "&".join(f"{k}={v}" for k, v in {"year": quarter.year, "quarter": quarter.quarter, **extra}.items())
    return f"{reverse('planning:planning')}?{query}"


def planning(request: PageRequest) -> Any:
    """The quarter's frontier between revenue and strategy, the plan at the chosen blend beside the
    greedy one, the teams' capacities and the plans chosen so far."""
    require(request.user, P.VIEW_PLANNING)
    quarter = _quarter(request)
    blend = _blend(request)
    return _render(request, quarter, blend, plan_form=PlanForm(initial={"blend": blend}))


def _render(request: PageRequest, quarter: FiscalQuarter, blend: Decimal, **forms: Any) -> Any:
    start_month = workspace_get().fiscal_year_start_month
    inputs = planning_inputs(user=request.user, quarter=quarter, start_month=start_month)
    result = planning_frontier(inputs=inputs, blend=float(blend))
    used: dict[int, float] = {}
    for row in inputs.rows:
        if row.candidate.key in set(result.optimal.feature_ids):
            used[row.candidate.team] = used.get(row.candidate.team, 0.0) + row.candidate.effort
    capacities = {
        c.team_id: c
        for c in team_capacity_visible(user=request.user).filter(
            fiscal_year=quarter.year, fiscal_quarter=quarter.quarter
        )
    }
    teams = [
        {"id": pk, "name": name, "capacity": capacities.get(pk), "used": used.get(pk, 0.0)}
        for pk, name in sorted(inputs.teams.items(), key=lambda item: item[1])
    ]
    chart = {
        "currency": workspace_get().home_currency,
        "blend": float(blend),
        "points": [vars(p) for p in result.points],
        "optimal": vars(result.optimal),
        "greedy": vars(result.greedy),
        "features": {
            row.candidate.key: {
                "title": row.title,
                "product": row.product,
                "team": row.team,
                "effort": row.candidate.effort,
                "revenue": round(row.candidate.revenue, 2),
                "strategic": row.candidate.strategic,
                "must_have": row.candidate.must_have,
                "because": must_have_because(row),
                "url": reverse("product:feature_detail", args=[row.candidate.key]),
            }
            for row in inputs.rows
        },
    }
    context = {
        "quarter": quarter,
        "previous_url": _url(quarter.previous()),
        "next_url": _url(quarter.next()),
        "blend": blend,
        "result": result,
        "inputs": inputs,
        "teams": teams,
        "chart": chart,
        "must_haves": [(row, must_have_because(row)) for row in inputs.rows if row.candidate.must_have],
        "plans": list(quarter_plans(user=request.user, quarter=quarter)[:10]),
        "may_save": has_permission(request.user, P.SAVE_PLAN),
        "may_set_capacity": has_permission(request.user, P.SET_CAPACITY),
        "capacity_form": forms.get("capacity_form") or CapacityForm(),
        "plan_form": forms.get("plan_form") or PlanForm(initial={"blend": blend}),
    }
    status = 422 if any(form.errors for form in forms.values() if form is not None and form.is_bound) else 200
    return render(request, "planning/planning.html", context, status=status)


@require_POST
def capacity_set(request: PageRequest) -> Any:
    require(request.user, P.SET_CAPACITY)
    quarter = _quarter(request)
    form = CapacityForm(request.POST)
    if form.is_valid():
        try:
            services.team_capacity_set(
                actor=request.user,
                team=form.cleaned_data["team"],
                quarter=quarter,
                person_weeks=form.cleaned_data["person_weeks"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(
                request,
                f"{form.cleaned_data['team']} can build {form.cleaned_data['person_weeks']} person-weeks in {quarter}.",
            )
            return redirect(_url(quarter))
    return _render(request, quarter, DEFAULT_BLEND, capacity_form=form)


@require_POST
def plan_save(request: PageRequest) -> Any:
    require(request.user, P.SAVE_PLAN)
    quarter = _quarter(request)
    form = PlanForm(request.POST)
    if form.is_valid():
        try:
            plan = services.quarter_plan_save(
                actor=request.user, quarter=quarter, blend=form.cleaned_data["blend"], note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Plan saved: {plan.features.count()} features on the releases of {quarter}.")
            return redirect(_url(quarter, blend=plan.blend))
    blend = form.cleaned_data.get("blend") if form.is_valid() else DEFAULT_BLEND
    return _render(request, quarter, blend or DEFAULT_BLEND, plan_form=form)


@require_http_methods(["GET", "POST"])
def feature_build(request: PageRequest, pk: int) -> Any:
    """Which team builds a feature, what it needs first, whether it must be in."""
    require(request.user, P.VIEW_PLANNING)
    feature = get_object_or_404(feature_visible(user=request.user), pk=pk)
    build = feature_build_visible(user=request.user).filter(feature=feature).first()
    initial = (
        {
            "team": build.team_id,
            "needs": list(build.needs.values_list("pk", flat=True)),
            "must_have": build.must_have,
            "version": build.version,
        }
        if build
        else {}
    )
    form = FeatureBuildForm(request.POST or None, feature=feature, initial=initial)
    if request.method == "POST":
        require(request.user, P.PLAN_BUILD)
        if form.is_valid():
            try:
                services.feature_build_set(
                    actor=request.user,
                    feature=feature,
                    team=form.cleaned_data["team"],
                    needs=list(form.cleaned_data["needs"]),
                    must_have=form.cleaned_data["must_have"],
                    expected_version=form.cleaned_data["version"],
                )
            except ValidationError as error:
                form.add_service_error(error)
            except StaleVersion as stale:
                form.add_error(None, str(stale))
            else:
                messages.success(request, f"Planning of {feature} saved.")
                return redirect(reverse("planning:planning"))
    status = 422 if form.is_bound and form.errors else 200
    return render(
        request,
        "planning/feature_build.html",
        {"feature": feature, "build": build, "form": form, "may_change": has_permission(request.user, P.PLAN_BUILD)},
        status=status,
    )
