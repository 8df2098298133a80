from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from tandem.core.permissions import Permission, has_permission
from tandem.people.permissions import PeoplePermission

# The areas of the product, in navigation order: (label, URL name, permission needed or None).
AREAS: list[tuple[str, str, Permission | None]] = [
    ("Home", "core:home", None),
    ("Admin", "admin:index", PeoplePermission.MANAGE_USERS),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    """The areas of the product this user may open, for the top navigation."""
    user = request.user
    if not user.is_authenticated:
        return {}
    path = request.path
    items = []
    for label, url_name, permission in AREAS:
        if permission is not None and not has_permission(user, permission):
            continue
        url = reverse(url_name)
        active = path == url if url == "/" else path.startswith(url)
        items.append({"label": label, "url": url, "active": active})
    return {"nav_items": items}
