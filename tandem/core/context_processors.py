import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, cast

from django.core.cache import cache
from django.db.models import F, Func, QuerySet, Subquery
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from tandem.asks.permissions import AsksPermission
from tandem.audit.permissions import AuditPermission
from tandem.calls.permissions import CallsPermission
from tandem.coaching.permissions import CoachingPermission
from tandem.commitments.permissions import CommitmentsPermission
from tandem.competition.permissions import CompetitionPermission
from tandem.core.navigation_counts import navigation_counts_keep, navigation_counts_key
from tandem.core.permissions import Permission, has_permission
from tandem.core.roles import Role
from tandem.decisions.selectors import ESCALATION_CONCERNED_ROLES, escalation_overdue
from tandem.forecasting.permissions import ForecastingPermission
from tandem.imports.permissions import ImportsPermission
from tandem.launches.permissions import LaunchesPermission
from tandem.leads.permissions import LeadsPermission
from tandem.notifications.selectors import notification_unread
from tandem.people.models import User
from tandem.people.permissions import PeoplePermission
from tandem.planning.permissions import PlanningPermission
from tandem.sales.permissions import SalesPermission
from tandem.scorecards.permissions import ScorecardsPermission
from tandem.targets.permissions import TargetsPermission


def _count(queryset: QuerySet[Any]) -> Subquery:
    return Subquery(queryset.annotate(count=Func(F("pk"), function="COUNT")).values("count"))


class NavigationCounts:
    """The bell's unread count and the escalations' overdue badge, read together in one query the first
    time the navbar draws either (htmx partials pay nothing), and kept a few seconds per person
    (`tandem.core.navigation_counts`); `fresh` reads them from the database whatever is kept."""

    def __init__(self, user: User, *, fresh: bool = False) -> None:
        self.user = user
        self.fresh = fresh
        self._counts: dict[str, int] | None = None

    def get(self, name: str) -> int:
        if self._counts is None:
            self._counts = None if self.fresh else cache.get(navigation_counts_key(self.user.pk))
            if self._counts is None:
                self._counts = self._read()
                navigation_counts_keep(self.user.pk, self._counts)
        return self._counts[name]

    def _read(self) -> dict[str, int]:
        counts = {"unread": _count(notification_unread(user=self.user))}
        if self.user.role in ESCALATION_CONCERNED_ROLES:
            counts["overdue_escalations"] = _count(escalation_overdue(user=self.user, today=timezone.localdate()))
        # The user's own row carries the two scalar subqueries: a primary-key read costs nothing more.
        row = cast(dict[str, int], User.objects.filter(pk=self.user.pk).values(**counts).get())
        return {"overdue_escalations": 0, **row}


def navigation_counts(request: HttpRequest, *, fresh: bool = False) -> NavigationCounts:
    """The request's one NavigationCounts, shared by the navbar and a page that shows the same count
    (the notifications page's "N unread", read `fresh`), so the count is read once."""
    counts = getattr(request, "_navigation_counts", None)
    if counts is None:
        counts = NavigationCounts(cast(User, request.user), fresh=fresh)
        request._navigation_counts = counts  # type: ignore[attr-defined]
    return counts


Rule = Permission | frozenset[Role] | None


@dataclass(frozen=True)
class Area:
    """One place in the navigation: who may see it (a permission, the roles it concerns, or None for
    everyone) and the count its badge shows, if any."""

    label: str
    url_name: str
    icon: str
    rule: Rule = None
    badge: str | None = None  # the name of its count in NavigationCounts


# The product's areas, grouped as people think of them: Home, then one menu per side of the loop and
# one for what they share. A flat bar stopped fitting at 1280 px once forecasts and targets came.
GROUPS: list[tuple[str, str, list[Area]]] = [
    ("Home", "bi-house", [Area("Home", "dashboards:home", "bi-house")]),
    (
        "Sales",
        "bi-funnel",
        [
            Area("Leads", "leads:lead_list", "bi-person-lines-fill", LeadsPermission.VIEW_LEADS),
            Area("Pipeline", "sales:opportunity_list", "bi-funnel", SalesPermission.VIEW_PIPELINE),
            Area("Accounts", "sales:account_list", "bi-building", SalesPermission.VIEW_PIPELINE),
            Area("Forecast", "forecasting:forecast", "bi-graph-up-arrow", ForecastingPermission.VIEW_FORECAST),
            Area("Quotas", "sales:quota_list", "bi-bullseye", frozenset({Role.REP, Role.SALES_MANAGER})),
            Area("Annual target", "targets:target_detail", "bi-flag", TargetsPermission.VIEW_TARGETS),
            Area("Attainment", "targets:attainment", "bi-speedometer2", TargetsPermission.VIEW_ATTAINMENT),
            Area("Territories", "targets:territory_list", "bi-map", TargetsPermission.VIEW_TERRITORIES),
            Area("Coaching", "coaching:overview", "bi-person-check", CoachingPermission.VIEW_COACHING),
            Area("Dashboards", "dashboards:dashboard", "bi-bar-chart-line", SalesPermission.VIEW_PIPELINE),
        ],
    ),
    (
        "Product",
        "bi-puzzle",
        [
            Area("Features", "product:feature_list", "bi-puzzle"),
            Area("Roadmap", "roadmap:timeline", "bi-signpost-2"),
            Area("Sales roadmap", "roadmap:sales_roadmap", "bi-megaphone"),
            Area("Releases", "product:roadmap", "bi-calendar-event"),
            Area("Launches", "launches:launch_list", "bi-rocket-takeoff"),
            Area("Planning", "planning:planning", "bi-sliders", PlanningPermission.VIEW_PLANNING),
            Area("Products", "product:product_list", "bi-box-seam"),
        ],
    ),
    (
        "Together",
        "bi-people",
        [
            Area("Asks", "asks:ask_list", "bi-chat-square-text"),
            Area("Inbox", "asks:inbox", "bi-inbox", AsksPermission.TRIAGE),
            Area(
                "Escalations",
                "decisions:escalation_list",
                "bi-megaphone",
                ESCALATION_CONCERNED_ROLES,
                "overdue_escalations",
            ),
            Area(
                "Commitments",
                "commitments:commitment_list",
                "bi-hand-thumbs-up",
                CommitmentsPermission.VIEW_COMMITMENTS,
            ),
            Area("Customer calls", "calls:call_list", "bi-telephone", CallsPermission.VIEW_CALLS),
            Area(
                "Competition", "competition:competitor_list", "bi-shield-shaded", CompetitionPermission.VIEW_COMPETITION
            ),
            Area("Reviews", "reviews:review_list", "bi-easel"),
            Area("Scorecards", "scorecards:scorecards", "bi-clipboard-data", ScorecardsPermission.VIEW_SCORECARDS),
            Area("Product digest", "launches:digest", "bi-newspaper", LaunchesPermission.READ_DIGEST),
        ],
    ),
    ("Audit", "bi-journal-text", [Area("Audit", "audit:entry_list", "bi-journal-text", AuditPermission.VIEW_TRAIL)]),
]
AREAS: list[Area] = [area for _label, _icon, areas in GROUPS for area in areas]


@dataclass
class NavItem:
    label: str
    url: str
    icon: str
    active: bool = False
    counter: Callable[[], int] | None = field(default=None, repr=False)

    def badge(self) -> int:
        """The count shown beside the label (overdue escalations), queried only when a page's navbar
        draws it (htmx partials render with this context too, and must not pay for it); the query
        runs once, in `NavigationCounts`."""
        return self.counter() if self.counter is not None else 0


@dataclass
class NavGroup:
    """A menu of the bar; a group with one area the user may open is drawn as a plain link."""

    label: str
    icon: str
    items: list[NavItem]

    @property
    def active(self) -> bool:
        return any(item.active for item in self.items)

    def badge(self) -> int:
        return sum(item.badge() for item in self.items)


def _may_open(user: User, rule: Rule) -> bool:
    if isinstance(rule, frozenset):
        return user.role in rule
    return rule is None or has_permission(user, rule)


@functools.cache
def _area_url(url_name: str, script_prefix: str) -> str:
    """An area's URL, reversed once per process (forty `reverse` calls were half a millisecond a page)."""
    return reverse(url_name)


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The areas of the product this user may open, grouped for the top navigation.

    The longest matching URL marks the active area, so /pipeline/accounts/ lights up Accounts,
    not Pipeline.
    """
    user = request.user
    if not user.is_authenticated:
        return {}
    counts = navigation_counts(request)
    groups: list[NavGroup] = []
    for group_label, group_icon, areas in GROUPS:
        items = [
            NavItem(
                label=area.label,
                url=_area_url(area.url_name, get_script_prefix()),
                icon=area.icon,
                counter=partial(counts.get, area.badge) if area.badge is not None else None,
            )
            for area in areas
            if _may_open(user, area.rule)
        ]
        if items:
            groups.append(NavGroup(label=group_label, icon=group_icon, items=items))
    items = [item for group in groups for item in group.items]
    path = request.path
    matches = [item for item in items if (path == "/" if item.url == "/" else path.startswith(item.url))]
    if matches:
        max(matches, key=lambda item: len(item.url)).active = True
    # The Django admin (people, teams, stages, rates) sits in the user menu: the bar needs the room.
    return {
        "nav_groups": groups,
        "nav_admin_url": reverse("admin:index") if has_permission(user, PeoplePermission.MANAGE_USERS) else "",
        # Imports (the CRMs' and product tools' files) too: whoever may import some kind of record.
        "nav_imports_url": reverse("imports:import_list") if has_permission(user, ImportsPermission.IMPORT) else "",
        # The bell's count, queried only when a page's navbar draws it (not for htmx partials).
        "nav_unread_count": partial(counts.get, "unread"),
    }


def home_currency(request: HttpRequest) -> dict[str, Any]:
    """The home currency every total is in, for `|money:home_currency`; read only if a page shows money."""
    from tandem.core.money import workspace_get

    return {"home_currency": SimpleLazyObject(lambda: workspace_get().home_currency)}
