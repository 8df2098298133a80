from typing import Any

from django import template

from tandem.notifications.selectors import notification_unread_count

register = template.Library()


@register.inclusion_tag("notifications/partials/_bell.html", takes_context=True)
def notification_bell(context: dict[str, Any]) -> dict[str, Any]:
    """The bell in the navbar with my unread count: one COUNT query per page."""
    user = context["request"].user
    return {"unread_count": notification_unread_count(user=user) if user.is_authenticated else 0}
