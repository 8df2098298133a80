from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from tandem.asks.permissions import AsksPermission
from tandem.core.permissions import Permission, has_permission
from tandem.people.permissions import PeoplePermission
from tandem.sales.permissions import SalesPermission

# The areas of the product, in navigation order: (label, URL name, icon, permission needed or None).
AREAS: list[tuple[str, str, str, Permission | None]] = [
    ("Home", "core:home", "bi-house", None),
    ("Pipeline", "sales:opportunity_list", "bi-funnel", SalesPermission.VIEW_PIPELINE),
    ("Accounts", "sales:account_list", "bi-building", SalesPermission.VIEW_PIPELINE),
    ("Asks", "asks:ask_list", "bi-chat-square-text", None),
    ("Inbox", "asks:inbox", "bi-inbox", AsksPermission.TRIAGE),
    ("Features", "product:feature_list", "bi-puzzle", None),
    ("Roadmap", "product:roadmap", "bi-signpost-2", None),
    ("Dashboards", "core:dashboard", "bi-bar-chart-line", SalesPermission.VIEW_PIPELINE),
    ("Admin", "admin:index", "bi-gear", PeoplePermission.MANAGE_USERS),
]


@dataclass
class NavItem:
    label: str
    url: str
    icon: str
    active: bool = False


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The areas of the product this user may open, for the top navigation.

    The longest matching URL marks the active area, so /pipeline/accounts/ lights up Accounts,
    not Pipeline.
    """
    user = request.user
    if not user.is_authenticated:
        return {}
    items: list[NavItem] = []
    for label, url_name, icon, permission in AREAS:
        if permission is not None and not has_permission(user, permission):
            continue
        url = reverse(url_name)
        items.append(NavItem(label=label, url=url, icon=icon))
    path = request.path
    matches = [item for item in items if (path == "/" if item.url == "/" else path.startswith(item.url))]
    if matches:
        max(matches, key=lambda item: len(item.url)).active = True
    return {"nav_items": items}
