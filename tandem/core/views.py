import sys
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from tandem.core.health import database_unavailable


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    context: dict[str, Any] = {"status": status, "title": title, "message": message}
    return render(request, "core/error.html", context, status=status)


@login_not_required
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else "Your role does not allow this."
    return _error(request, 403, "You may not do this", message)


@login_not_required
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, "Not found", "This page does not exist, or it is not shared with you.")


@login_not_required
def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this while handling the exception: a database that is away answers 503, not 500.
    unavailable = database_unavailable(request, sys.exc_info()[1])
    if unavailable is not None:
        return unavailable
    # Rendered without the request, so no context processor (session, user, navigation) touches the
    # database: the failure may be the database's.
    return HttpResponseServerError(loader.render_to_string("core/500.html"))


def request_too_large(request: HttpRequest, message: str) -> HttpResponse:
    """413 for a body over the limit (core.middleware.RequestBodyLimitMiddleware): nothing read it."""
    return _error(request, 413, "Too large", message)


def bad_request(request: HttpRequest, message: str) -> HttpResponse:
    """400 for a request no page can read (core.middleware.QueryTextMiddleware)."""
    return _error(request, 400, "Bad request", message)
