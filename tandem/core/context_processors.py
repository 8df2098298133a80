from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from tandem.asks.permissions import AsksPermission
from tandem.audit.permissions import AuditPermission
from tandem.core.permissions import Permission, has_permission
from tandem.core.roles import Role
from tandem.decisions.selectors import ESCALATION_CONCERNED_ROLES, escalation_overdue_count
from tandem.forecasting.permissions import ForecastingPermission
from tandem.imports.permissions import ImportsPermission
from tandem.leads.permissions import LeadsPermission
from tandem.notifications.selectors import notification_unread_count
from tandem.people.models import User
from tandem.people.permissions import PeoplePermission
from tandem.sales.permissions import SalesPermission


def _overdue_escalations(user: User) -> int:
    return escalation_overdue_count(user=user, today=timezone.localdate())


# The areas of the product, in navigation order: (label, URL name, icon, who may see it: a permission,
# the roles it concerns, or None for everyone; the count its badge shows, or None).
AREAS: list[tuple[str, str, str, Permission | frozenset[Role] | None, Callable[[User], int] | None]] = [
    ("Home", "dashboards:home", "bi-house", None, None),
    ("Leads", "leads:lead_list", "bi-person-lines-fill", LeadsPermission.VIEW_LEADS, None),
    ("Pipeline", "sales:opportunity_list", "bi-funnel", SalesPermission.VIEW_PIPELINE, None),
    ("Accounts", "sales:account_list", "bi-building", SalesPermission.VIEW_PIPELINE, None),
    ("Forecast", "forecasting:forecast", "bi-graph-up-arrow", ForecastingPermission.VIEW_FORECAST, None),
    # Executives and admins reach quotas, the annual target and attainment from the dashboard: their bar is full.
    ("Quotas", "sales:quota_list", "bi-bullseye", frozenset({Role.REP, Role.SALES_MANAGER}), None),
    ("Asks", "asks:ask_list", "bi-chat-square-text", None, None),
    ("Inbox", "asks:inbox", "bi-inbox", AsksPermission.TRIAGE, None),
    ("Features", "product:feature_list", "bi-puzzle", None, None),
    ("Roadmap", "product:roadmap", "bi-signpost-2", None, None),
    ("Escalations", "decisions:escalation_list", "bi-megaphone", ESCALATION_CONCERNED_ROLES, _overdue_escalations),
    ("Dashboards", "dashboards:dashboard", "bi-bar-chart-line", SalesPermission.VIEW_PIPELINE, None),
    ("Audit", "audit:entry_list", "bi-journal-text", AuditPermission.VIEW_TRAIL, None),
]


@dataclass
class NavItem:
    label: str
    url: str
    icon: str
    active: bool = False
    counter: Callable[[], int] | None = field(default=None, repr=False)
    _badge: int | None = field(default=None, repr=False)

    def badge(self) -> int:
        """The count shown beside the label (overdue escalations), queried only when a page's navbar
        draws it: htmx partials render with this context too, and must not pay for it."""
        if self._badge is None:
            self._badge = self.counter() if self.counter is not None else 0
        return self._badge


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The areas of the product this user may open, for the top navigation.

    The longest matching URL marks the active area, so /pipeline/accounts/ lights up Accounts,
    not Pipeline.
    """
    user = request.user
    if not user.is_authenticated:
        return {}
    items: list[NavItem] = []
    for label, url_name, icon, rule, badge in AREAS:
        if isinstance(rule, frozenset):
            if user.role not in rule:
                continue
        elif rule is not None and not has_permission(user, rule):
            continue
        counter = partial(badge, user) if badge is not None else None
        items.append(NavItem(label=label, url=reverse(url_name), icon=icon, counter=counter))
    path = request.path
    matches = [item for item in items if (path == "/" if item.url == "/" else path.startswith(item.url))]
    if matches:
        max(matches, key=lambda item: len(item.url)).active = True
    # The Django admin (people, teams, stages, rates) sits in the user menu: the bar needs the room.
    return {
        "nav_items": items,
        "nav_admin_url": reverse("admin:index") if has_permission(user, PeoplePermission.MANAGE_USERS) else "",
        # Imports (accounts, contacts, deals from the CRMs' files) too: admins and sales managers.
        "nav_imports_url": reverse("imports:import_list")
        if has_permission(user, ImportsPermission.IMPORT_PIPELINE)
        else "",
        # The bell's count, queried only when a page's navbar draws it (not for htmx partials).
        "nav_unread_count": partial(notification_unread_count, user=user),
    }


def home_currency(request: HttpRequest) -> dict[str, Any]:
    """The home currency every total is in, for `|money:home_currency`; read only if a page shows money."""
    from tandem.core.money import workspace_get

    return {"home_currency": SimpleLazyObject(lambda: workspace_get().home_currency)}
