"""Request types for views and endpoints behind the login, so type checks know `request.user`."""

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
