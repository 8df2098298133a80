from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from tandem.people.signals import TWO_FACTOR_SETUP_REQUIRED


class TwoFactorRequiredMiddleware:
    """A person whose role must use two-factor sign-in (TWO_FACTOR_REQUIRED_ROLES) and who has not
    set it up is kept to the set-up page until they do: pages redirect there, the API answers 403.
    The flag is set at sign-in (people.signals), so this costs one look in the session per request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and request.session.get(TWO_FACTOR_SETUP_REQUIRED):
            allowed = (reverse("people:two_factor"), reverse("logout"))
            if not request.path.startswith(allowed):
                message = "Your role must use two-factor sign-in: set it up on your profile before continuing."
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": message}, status=403)
                target = reverse("people:two_factor")
                if getattr(request, "htmx", False):
                    response = HttpResponse(status=200)
                    response["HX-Redirect"] = target
                    return response
                return redirect(target)
        return self.get_response(request)
