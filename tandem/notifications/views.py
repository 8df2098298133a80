"""The notifications page and the htmx actions that mark them read."""

from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from tandem.core.context_processors import navigation_counts
from tandem.core.http import PageRequest
from tandem.core.listing import Column, list_page
from tandem.notifications import services
from tandem.notifications.selectors import notification_get, notification_unread_count, notification_visible

COLUMNS = [Column("created", "When", order=["created_at"])]


@require_GET
def notification_list(request: PageRequest) -> HttpResponse:
    """My notifications, newest first; unread ones stand out."""
    page = list_page(request, notification_visible(user=request.user), columns=COLUMNS, default_sort="-created")
    # The navbar's bell reads the same count: one query serves both.
    context = {"page": page, "unread_count": navigation_counts(request, fresh=True).get("unread")}
    template = (
        "notifications/partials/_notification_list.html" if request.htmx else "notifications/notification_list.html"
    )
    return render(request, template, context)


@require_POST
def notification_read(request: PageRequest, pk: int) -> HttpResponse:
    """Mark one notification read: htmx swaps its row (and the bell); a plain form goes back to the list."""
    notification = notification_get(user=request.user, pk=pk)
    services.notification_mark_read(actor=request.user, notification=notification)
    if not request.htmx:
        return redirect("notifications:notification_list")
    context = {"notification": notification, "unread_count": notification_unread_count(user=request.user)}
    return render(request, "notifications/partials/_notification_read.html", context)


@require_GET
def notification_open(request: PageRequest, pk: int) -> HttpResponse:
    """Follow a notification (its own link, or with `?link=N` the Nth of the records it lists),
    marking it read: opening it is reading it."""
    notification = notification_get(user=request.user, pk=pk)
    services.notification_mark_read(actor=request.user, notification=notification)
    target = notification.url
    if "link" in request.GET:
        try:
            target = notification.links[int(request.GET["link"])][1]
        except (ValueError, IndexError, TypeError):
            target = notification.url
    # Only a path of this site: a stored link never sends anyone elsewhere.
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts=None) or not target.startswith("/"):
        return redirect("notifications:notification_list")
    return redirect(target)


@require_POST
def notification_read_all(request: PageRequest) -> HttpResponse:
    services.notification_mark_all_read(actor=request.user)
    if not request.htmx:
        return redirect("notifications:notification_list")
    return notification_list_partial(request)


def notification_list_partial(request: PageRequest) -> HttpResponse:
    page = list_page(request, notification_visible(user=request.user), columns=COLUMNS, default_sort="-created")
    context = {"page": page, "unread_count": 0, "bell_oob": True}
    return render(request, "notifications/partials/_notification_list.html", context)
