"""Request types for views and endpoints behind the login, so type checks know `request.user`;
and the client's address, as the limits count it."""

from django.conf import settings
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from tandem.people.models import User


class PageRequest(HttpRequest):
    """A page behind the login middleware: the user is signed in; django-htmx adds `htmx`."""

    user: User
    htmx: HtmxDetails


class ApiRequest(HttpRequest):
    """An API operation: authentication (session or token) ran first, so the user is signed in."""

    user: User


def client_ip(request: HttpRequest) -> str:
    """The address the request came from, as the sign-in lockout and the API limits count it.

    Behind TRUSTED_PROXY_COUNT reverse proxies, each of which appends the address it received the
    request from to X-Forwarded-For, the client is that many entries from the right: entries
    further left were written by the client and prove nothing.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))
