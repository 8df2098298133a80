import time
import zoneinfo
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control

from tandem.core import formats
from tandem.core.api import PersonalTokenAuth
from tandem.core.ratelimit import RateLimited
from tandem.core.text import has_nul
from tandem.core.views import bad_request, request_too_large

# The API's documentation: the interactive page and the OpenAPI document it reads.
API_DOCS_PAGE = "api:openapi-view"
API_DOCUMENT = "api:openapi-json"


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Every page needs a login, except the API, which answers 401 itself (session or token).

    The API's documentation needs a login too (docs/security.md says why): its page like any page,
    its OpenAPI document a session or a personal token, else 401.
    """

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        if is_api(request):
            view_name = request.resolver_match.view_name if request.resolver_match else ""
            if view_name == API_DOCUMENT and not request.user.is_authenticated:
                return _api_document_for_token(request)
            if view_name != API_DOCS_PAGE:
                return None
        return super().process_view(request, view_func, view_args, view_kwargs)


def _api_document_for_token(request: HttpRequest) -> HttpResponse | None:
    try:
        if PersonalTokenAuth()(request) is not None:
            return None
    except RateLimited as limited:
        response = JsonResponse({"detail": str(limited)}, status=429)
        response["Retry-After"] = str(limited.retry_after)
        return response
    response = JsonResponse({"detail": "Sign in or send a personal API token."}, status=401)
    response["WWW-Authenticate"] = 'Bearer realm="Tandem API"'
    return response


class UserTimeZoneMiddleware:
    """Times are stored in UTC and shown in each user's own time zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
        else:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()  # the thread's next work (a test, a thread's task) starts in UTC


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


class RequestBodyLimitMiddleware:
    """A request whose body is larger than REQUEST_BODY_MAX_BYTES is refused with 413 before
    anything reads it: a page for people, `{"detail": …}` under /api/. Django alone would answer a
    bare 400 once a view read the body, after holding it all in memory."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # as Django reads it: no body
        if length > settings.REQUEST_BODY_MAX_BYTES:
            if is_api(request):
                return JsonResponse({"detail": body_too_large_message()}, status=413)
            return request_too_large(request, body_too_large_message())
        return self.get_response(request)


class QueryTextMiddleware:
    """A page's query string (or path) holding a NUL character is refused with 400, naming the
    parameter: PostgreSQL cannot compare text with NUL, and searches (`?q=`) read the query
    directly. Forms refuse NUL under their fields (`core.forms.InputGuard`), the API under the
    parameter or body field (`core.api.refuse_nul_text`)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not is_api(request):
            names = [name for name, values in request.GET.lists() if has_nul(name) or any(map(has_nul, values))]
            if names or has_nul(request.path):
                where = f"The value of “{names[0].replace(chr(0), '')}”" if names else "The address"
                return bad_request(request, f"{where} holds a null character, which is not allowed.")
        return self.get_response(request)


def body_too_large_message() -> str:
    limit = settings.REQUEST_BODY_MAX_BYTES
    size = f"{formats.number(limit / 2**20, 1)} MB" if limit >= 2**20 else f"{formats.number(max(1, limit // 1024))} KB"
    return f"This request is too large: Tandem accepts at most {size} at once."


# Session keys holding when the person signed in and when they were last seen (Unix seconds).
SIGNED_IN_AT = "tandem_signed_in_at"
LAST_SEEN_AT = "tandem_last_seen_at"
# The last-seen time is written at most this often: one session write a minute, not one per request.
LAST_SEEN_RESOLUTION = 60


def session_times_start(request: HttpRequest) -> None:
    """Called at sign-in: the idle and absolute timeouts count from now."""
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now


class SessionTimeoutMiddleware:
    """Signs a person out after SESSION_IDLE_TIMEOUT seconds without a request, and
    SESSION_ABSOLUTE_TIMEOUT seconds after signing in however active (ASVS 3.3.2), then sends
    them to sign in again with the reason (htmx requests are redirected as a whole page)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            expired = self._expired(request)
            if expired:
                logout(request)  # flushes the session: its key no longer works anywhere
                messages.info(request, expired)
                if getattr(request, "htmx", False) and not is_api(request):
                    page = urlsplit(request.headers.get("HX-Current-URL", "")).path or request.path
                    response = HttpResponse(status=200)
                    response["HX-Redirect"] = redirect_to_login(page)["Location"]
                    return response
        return self.get_response(request)

    def _expired(self, request: HttpRequest) -> str | None:
        session = request.session
        now = int(time.time())
        signed_in = session.setdefault(SIGNED_IN_AT, now)  # sessions from before these keys existed
        last_seen = session.get(LAST_SEEN_AT, now)
        if now - signed_in > settings.SESSION_ABSOLUTE_TIMEOUT:
            hours = settings.SESSION_ABSOLUTE_TIMEOUT // 3600
            return f"You were signed out {hours} hours after signing in. Sign in again to continue."
        if now - last_seen > settings.SESSION_IDLE_TIMEOUT:
            minutes = settings.SESSION_IDLE_TIMEOUT // 60
            return f"You were signed out after {minutes} minutes without activity. Sign in again to continue."
        if now - last_seen >= LAST_SEEN_RESOLUTION or LAST_SEEN_AT not in session:
            session[LAST_SEEN_AT] = now
        return None


class PrivateResponsesMiddleware:
    """What a signed-in person is shown stays out of caches (ASVS 8.2.1), and the API's JSON is
    an attachment, never a page a browser would render (ASVS 14.4.2)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or "Authorization" in request.headers:
            patch_cache_control(response, private=True, no_store=True)
        if is_api(request) and response.get("Content-Type", "").startswith("application/json"):
            response.setdefault("Content-Disposition", 'attachment; filename="api.json"')
        return response
