"""Pages of targets: the annual target and its breakdown, attainment and the sales metrics, territories.

Each view checks the permission, reads through the selectors, calls one service and renders.
"""

from collections import defaultdict
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tandem.audit.display import changes_shown
from tandem.audit.models import AuditEntry
from tandem.core import formats
from tandem.core.api import StaleVersion
from tandem.core.http import PageRequest
from tandem.core.money import workspace_get
from tandem.core.permissions import has_permission, require
from tandem.core.roles import Role
from tandem.people.models import Team, User, user_name
from tandem.people.selectors import territory_changeable
from tandem.sales.permissions import SalesPermission
from tandem.sales.selectors import account_visible, quota_visible
from tandem.sales.services import may_assign_to
from tandem.targets import services
from tandem.targets.forms import (
    PeriodForm,
    TargetForm,
    TerritoryAssignForm,
    TerritoryForm,
    grid_cells,
    posted_version,
    year_chosen,
)
from tandem.targets.models import SalesTarget
from tandem.targets.permissions import TargetsPermission
from tandem.targets.selectors import (
    WIN_RATE_GROUPS,
    MetricsReport,
    sales_metrics,
    sales_structure,
    sales_target_visible,
    territory_for_change,
    territory_get,
    territory_rows,
    win_rates,
    year_forecast,
)

P = TargetsPermission
QUARTERS = (1, 2, 3, 4)
ZERO = Decimal("0.00")


# The annual target and its breakdown


def _breakdown(user: User, year: int) -> list[dict[str, Any]]:
    """The teams this person sees, each with its quota per quarter and its reps' (two queries)."""
    structure = sales_structure()
    team_ids = set(structure.reps_by_team)
    if user.role == Role.SALES_MANAGER:
        team_ids = set(Team.objects.filter(manager=user, pk__in=team_ids).values_list("pk", flat=True))
    teams: dict[int, dict[tuple[int, int] | int, Decimal]] = defaultdict(dict)
    reps: dict[tuple[int, int], Decimal] = {}
    for team_id, user_id, quarter, amount in (
        quota_visible(user=user).filter(fiscal_year=year).values_list("team_id", "user_id", "fiscal_quarter", "amount")
    ):
        if team_id is not None:
            teams[team_id][quarter] = amount
            if user.role != Role.SALES_MANAGER:
                team_ids.add(team_id)  # a team that lost its reps still shows its quota
        else:
            reps[(user_id, quarter)] = amount
    rep_ids = [r for t in team_ids for r in structure.reps_by_team.get(t, [])]
    names = {
        pk: user_name(first, last, username)
        for pk, first, last, username in User.objects.filter(pk__in=rep_ids).values_list(
            "pk", "first_name", "last_name", "username"
        )
    }
    rows = []
    for team in Team.objects.filter(pk__in=team_ids).order_by("name"):
        quarters = [teams[team.pk].get(q, ZERO) for q in QUARTERS]
        members = []
        for rep_id in sorted(structure.reps_by_team.get(team.pk, []), key=lambda r: names.get(r, "")):
            rep_quarters = [reps.get((rep_id, q), ZERO) for q in QUARTERS]
            members.append(
                {
                    "id": rep_id,
                    "name": names.get(rep_id, ""),
                    "quarters": rep_quarters,
                    "total": sum(rep_quarters, ZERO),
                }
            )
        rows.append(
            {
                "team": team,
                "quarters": quarters,
                "total": sum(quarters, ZERO),
                "reps": members,
                "editable": services.team_quota_editable(actor=user, team=team)
                and has_permission(user, SalesPermission.SET_QUOTA),
            }
        )
    return rows


def _history(user: User, target: SalesTarget | None, year: int) -> list[dict[str, Any]]:
    """The last changes to the year's target and to the quotas of it this person sees."""
    if target is None:
        return []
    quota_ids = list(quota_visible(user=user).filter(fiscal_year=year).values_list("pk", flat=True)[:5000])
    entries = AuditEntry.objects.filter(
        Q(record_type="targets.salestarget", record_id=target.pk)
        | Q(record_type="sales.quota", record_id__in=quota_ids)
    ).order_by("-at", "-pk")[:25]
    return [{"entry": entry, "changes": changes_shown(entry)} for entry in entries]


@require_http_methods(["GET", "POST"])
def target_detail(request: PageRequest) -> HttpResponse:
    """The fiscal year's sales target beside its forecast, broken down by team and quarter (and each
    team's reps), with the form that sets it and the grids that edit the breakdown by hand."""
    require(request.user, P.VIEW_TARGETS)
    workspace = workspace_get()
    year = year_chosen(request.GET, workspace.fiscal_year_start_month)
    target = sales_target_visible(user=request.user).filter(fiscal_year=year).first()
    can_set = has_permission(request.user, P.SET_TARGET)
    form = TargetForm(
        request.POST if request.method == "POST" else None,
        initial={"amount": target.amount, "method": target.method, "version": target.version}
        if target
        else {"method": "even"},
    )
    if request.method == "POST":
        require(request.user, P.SET_TARGET)
        if form.is_valid():
            try:
                services.target_set(
                    actor=request.user,
                    fiscal_year=year,
                    amount=form.cleaned_data["amount"],
                    method=form.cleaned_data["method"],
                    version=form.cleaned_data["version"] if target is not None else None,
                )
            except ValidationError as error:
                form.add_service_error(error)
            except StaleVersion as stale:
                form.add_error(None, str(stale))
            else:
                messages.success(request, f"FY{year}'s target is set and broken down into team and rep quotas.")
                return redirect(reverse("targets:target_detail") + f"?year={year}")
    rows = _breakdown(request.user, year)
    forecast = year_forecast(user=request.user, fiscal_year=year, start_month=workspace.fiscal_year_start_month)
    context = {
        "year": year,
        "target": target,
        "form": form,
        "can_set": can_set,
        "forecast": forecast,
        "won_share": forecast["won"] / target.amount if target is not None and target.amount else None,
        "rows": rows,
        "quarter_totals": [sum((row["quarters"][i] for row in rows), ZERO) for i in range(4)],
        "breakdown_total": sum((row["total"] for row in rows), ZERO),
        "differences": services.breakdown_differences(fiscal_year=year) if target is not None else [],
        "history": _history(request.user, target, year),
        "quarters": QUARTERS,
    }
    return render(request, "targets/target_detail.html", context)


def _grid_refusal(request: PageRequest, year: int, problems: list[str] | str) -> HttpResponse:
    for problem in [problems] if isinstance(problems, str) else problems:
        messages.error(request, problem)
    return redirect(reverse("targets:target_detail") + f"?year={year}")


@require_POST
def team_quotas(request: PageRequest, year: int) -> HttpResponse:
    """The team-by-quarter grid, edited by hand: it must still add up to the target."""
    require(request.user, P.SET_TARGET)
    target = get_object_or_404(sales_target_visible(user=request.user), fiscal_year=year)
    cells, problems = grid_cells(request.POST, list(sales_structure().reps_by_team), "team")
    if problems:
        return _grid_refusal(request, year, problems)
    try:
        services.team_quotas_set(
            actor=request.user, fiscal_year=year, cells=cells, version=posted_version(request.POST) or -1
        )
    except ValidationError as error:
        return _grid_refusal(request, year, error.messages)
    except StaleVersion:
        return _grid_refusal(request, year, services.STALE_TARGET)
    messages.success(request, "The team quotas are saved; each team's reps were split again in proportion.")
    return redirect(reverse("targets:target_detail") + f"?year={target.fiscal_year}")


@require_POST
def rep_quotas(request: PageRequest, year: int, team: int) -> HttpResponse:
    """One team's rep-by-quarter grid, edited by its manager (or an executive, an admin): each quarter
    must add up to the team's quota."""
    require(request.user, SalesPermission.SET_QUOTA)
    target = get_object_or_404(sales_target_visible(user=request.user), fiscal_year=year)
    visible_teams = (
        Team.objects.all() if request.user.role != Role.SALES_MANAGER else Team.objects.filter(manager=request.user)
    )
    found = get_object_or_404(visible_teams, pk=team)
    cells, problems = grid_cells(request.POST, sales_structure().reps_by_team.get(found.pk, []), "rep")
    if problems:
        return _grid_refusal(request, year, problems)
    try:
        services.rep_quotas_set(
            actor=request.user, team=found, fiscal_year=year, cells=cells, version=posted_version(request.POST) or -1
        )
    except ValidationError as error:
        return _grid_refusal(request, year, error.messages)
    except StaleVersion:
        return _grid_refusal(request, year, services.STALE_TARGET)
    messages.success(request, f"{found.name}'s rep quotas are saved.")
    return redirect(reverse("targets:target_detail") + f"?year={target.fiscal_year}")


# Attainment and the sales metrics


def _deal_list(**filters: object) -> str:
    return reverse("sales:opportunity_list") + "?" + urlencode({k: v for k, v in filters.items() if v is not None})


# Beyond this many reps the page shows the teams, each opening its reps (`?team=`): 2,000 rows
# of ten figures is neither readable nor quick to draw.
REPS_SHOWN = 60


def _rows_shown(request: PageRequest, report: MetricsReport) -> tuple[list[dict[str, Any]], bool]:
    """The teams the table shows, each with the reps shown under it and the link that opens it; and
    whether reps are shown (else the chart compares teams)."""
    try:
        focus = int(request.GET.get("team", ""))
    except ValueError:
        focus = None
    query = request.GET.copy()
    query.pop("team", None)
    teams = report.teams
    if focus is not None and any(t.id == focus for t in teams):
        teams = [t for t in teams if t.id == focus]
        expanded = True
    else:
        expanded = len(report.reps()) <= REPS_SHOWN
    rows = []
    for team in teams:
        link = query.copy()
        if team.id is not None:
            link["team"] = str(team.id)
        rows.append({"team": team, "members": team.members if expanded else [], "url": "?" + link.urlencode()})
    return rows, expanded


def _without_team(request: PageRequest) -> str:
    query = request.GET.copy()
    query.pop("team", None)
    return "?" + query.urlencode()


def _chart(rows: list[dict[str, Any]], expanded: bool, report: MetricsReport, currency: str) -> dict[str, Any]:
    period = report.period
    dates = {"close_date_from": period.start.isoformat(), "close_date_to": period.end.isoformat()}
    bars = (
        [(rep, _deal_list(owner=rep.id, status="won", **dates)) for row in rows for rep in row["members"]]
        if expanded
        else [(row["team"], row["url"]) for row in rows]
    )
    return {
        "currency": currency,
        "by": "rep" if expanded else "team",
        "reps": [
            {
                "name": who.name,
                "won": float(who.figures.won_amount),
                "quota": float(who.figures.quota),
                "attainment": formats.percent(who.figures.attainment),
                "url": url,
            }
            for who, url in bars
        ],
    }


def _win_rate_chart(user: User, report: MetricsReport) -> dict[str, Any]:
    period = report.period
    dates = {"close_date_from": period.start.isoformat(), "close_date_to": period.end.isoformat()}
    filter_name = {"competitor": "competitor", "segment": "segment", "lead_source": "lead_source"}
    charts = {}
    by_group = win_rates(user=user, period=period)
    for by, label in WIN_RATE_GROUPS.items():
        rows = by_group[by]
        charts[by] = {
            "label": label,
            "rows": [
                {
                    "label": row.label,
                    "rate": float(row.win_rate * 100) if row.win_rate is not None else None,
                    "rate_text": formats.percent(row.win_rate),
                    "won": row.won_count,
                    "lost": row.lost_count,
                    "url": _deal_list(status="closed", **{filter_name[by]: row.key or "none"}, **dates),
                }
                for row in rows
            ],
        }
    return charts


@require_GET
def attainment(request: PageRequest) -> HttpResponse:
    """Attainment, gap, coverage, win rate, average deal size and cycle length of any period, rep →
    team → company, with the charts (attainment against quota by rep; win rate by competitor,
    segment and lead source), each bar opening the deals behind it."""
    require(request.user, P.VIEW_ATTAINMENT)
    workspace = workspace_get()
    form = PeriodForm(request.GET, start_month=workspace.fiscal_year_start_month)
    period = form.period()
    report = sales_metrics(user=request.user, period=period, start_month=workspace.fiscal_year_start_month)
    rows, expanded = _rows_shown(request, report)
    context = {
        "form": form,
        "period": period,
        "report": report,
        "rows": rows,
        "expanded": expanded,
        "focused": len(rows) == 1 and len(report.teams) > 1,
        "all_teams_url": _without_team(request),
        "chart": {
            "attainment": _chart(rows, expanded, report, workspace.home_currency),
            "win_rates": _win_rate_chart(request.user, report),
        },
        "deals_url": _deal_list(
            close_date_from=period.start.isoformat(), close_date_to=period.end.isoformat(), status="won"
        ),
    }
    return render(request, "targets/attainment.html", context)


# Territories


@require_GET
def territory_list(request: PageRequest) -> HttpResponse:
    require(request.user, P.VIEW_TERRITORIES)
    territories = list(territory_rows(user=request.user).order_by("name"))
    changeable = set(territory_changeable(user=request.user).values_list("pk", flat=True))
    context = {
        "territories": territories,
        "changeable": changeable,
        "can_create": request.user.role == Role.ADMIN,
        "total_potential": sum((t.potential for t in territories), ZERO),
    }
    return render(request, "targets/territory_list.html", context)


@require_http_methods(["GET", "POST"])
def territory_create(request: PageRequest) -> HttpResponse:
    require(request.user, P.MANAGE_TERRITORIES)
    if request.user.role != Role.ADMIN:
        raise PermissionDenied("Only admins add territories; a sales manager changes their teams' territories.")
    form = TerritoryForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            territory = services.territory_create(actor=request.user, data=data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            messages.success(request, f"Territory {territory.name} added.")
            return redirect("targets:territory_detail", pk=territory.pk)
    return render(request, "targets/territory_form.html", {"form": form, "territory": None})


def _assignable(user: User) -> Any:
    people = User.objects.filter(is_active=True, role__in=[Role.REP, Role.SALES_MANAGER])
    if user.role == Role.SALES_MANAGER:
        from tandem.people.selectors import team_member_ids

        people = people.filter(pk__in=team_member_ids(manager=user))
    return people.order_by("first_name", "last_name")


@require_GET
def territory_detail(request: PageRequest, pk: int) -> HttpResponse:
    require(request.user, P.VIEW_TERRITORIES)
    territory = territory_get(user=request.user, pk=pk)
    accounts = list(
        account_visible(user=request.user).filter(territory=territory).select_related("owner").order_by("name")[:51]
    )
    changeable = territory_changeable(user=request.user).filter(pk=territory.pk).exists()
    context = {
        "territory": territory,
        "accounts": accounts[:50],
        "more_accounts": len(accounts) > 50,
        "teams": list(territory.teams.select_related("manager")),
        "changeable": changeable,
        "assign_form": TerritoryAssignForm(owners=_assignable(request.user)) if changeable else None,
        "history": [
            {"entry": e, "changes": changes_shown(e)}
            for e in AuditEntry.objects.filter(record_type="people.territory", record_id=territory.pk).order_by("-at")[
                :10
            ]
        ],
    }
    return render(request, "targets/territory_detail.html", context)


@require_http_methods(["GET", "POST"])
def territory_update(request: PageRequest, pk: int) -> HttpResponse:
    require(request.user, P.MANAGE_TERRITORIES)
    territory = territory_for_change(user=request.user, pk=pk)
    form = TerritoryForm(request.POST if request.method == "POST" else None, instance=territory)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.territory_update(
                actor=request.user, territory=territory, expected_version=form.cleaned_data["version"] or 0, data=data
            )
        except ValidationError as error:
            form.add_service_error(error)
        except StaleVersion:
            form.add_error(None, services.STALE_TERRITORY)
        else:
            messages.success(request, "Territory saved.")
            return redirect("targets:territory_detail", pk=territory.pk)
    return render(request, "targets/territory_form.html", {"form": form, "territory": territory})


@require_POST
def territory_assign(request: PageRequest, pk: int) -> HttpResponse:
    """Accounts into the territory (by its rule or by id), optionally to a new owner with their open deals."""
    require(request.user, P.MANAGE_TERRITORIES)
    territory = territory_for_change(user=request.user, pk=pk)
    form = TerritoryAssignForm(request.POST, owners=_assignable(request.user))
    if form.is_valid():
        owner = form.cleaned_data["new_owner"]
        if owner is not None and not may_assign_to(actor=request.user, owner=owner):
            messages.error(request, "You may only assign accounts to members of the teams you manage.")
        else:
            try:
                result = services.territory_accounts_assign(
                    actor=request.user,
                    territory=territory,
                    account_ids=form.cleaned_data["accounts"],
                    new_owner=owner,
                    move_open_deals=form.cleaned_data["move_open_deals"],
                )
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                messages.success(
                    request,
                    f"{formats.number(result.accounts)} account(s) assigned to {territory.name}"
                    + (f", {formats.number(result.deals)} open deal(s) moved." if result.deals else "."),
                )
    else:
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, message)
    return redirect("targets:territory_detail", pk=territory.pk)
