import functools
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from tandem.audit.services import Channel, audit_channel
from tandem.core.middleware import is_api


@functools.cache
def _admin_prefix() -> str:
    return reverse("admin:index")


def request_channel(request: HttpRequest) -> str:
    if is_api(request):
        return Channel.API
    if request.path.startswith(_admin_prefix()):
        return Channel.ADMIN
    return Channel.PAGE


class AuditContextMiddleware:
    """Tells the audit trail which channel the changes of this request come through, and its
    request id (the one the logs carry), so an entry can be matched with the request's log lines.
    Placed after RequestLogMiddleware, which gives the request its id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with audit_channel(request_channel(request), getattr(request, "request_id", "")):
            return self.get_response(request)
