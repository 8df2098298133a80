from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tandem.core.home import home_context


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Each person's next things to do, by role."""
    return render(request, "core/home.html", home_context(user=request.user))


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
    # No database or template context processors here: the failure may be theirs.
    return render(request, "core/500.html", status=500)
