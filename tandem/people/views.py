from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from tandem.core.http import PageRequest
from tandem.people.forms import ApiTokenForm, ProfileForm
from tandem.people.models import User
from tandem.people.selectors import api_token_visible
from tandem.people.services import api_token_create, api_token_revoke, user_update_profile


def _tokens(user: User) -> list[Any]:
    return list(api_token_visible(user=user).filter(revoked_at__isnull=True).order_by("-created_at", "-id"))


def _profile_page(request: PageRequest, **context: Any) -> HttpResponse:
    """The profile page, or only its token section when htmx asks for it."""
    user = request.user
    context.setdefault("token_form", ApiTokenForm())
    context["tokens"] = _tokens(user)
    if request.htmx:
        return render(request, "people/partials/_tokens.html", context)
    initial = {"first_name": user.first_name, "last_name": user.last_name, "time_zone": user.time_zone}
    context.setdefault("form", ProfileForm(initial=initial))
    return render(request, "people/profile.html", context)


@require_http_methods(["GET", "POST"])
def profile(request: PageRequest) -> HttpResponse:
    """Your name, role, team and time zone; you may change your name and time zone."""
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            user_update_profile(actor=request.user, user=request.user, **form.cleaned_data)
            messages.success(request, "Your profile is saved.")
            return redirect("people:profile")
        return _profile_page(request, form=form)
    return _profile_page(request)


@require_POST
def api_token_create_view(request: PageRequest) -> HttpResponse:
    """Create a token and show its key in this response only: it is never stored or shown again."""
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        return _profile_page(request, token_form=form)
    token, key = api_token_create(actor=request.user, name=form.cleaned_data["name"])
    return _profile_page(request, new_token=token, new_key=key)


@require_POST
def api_token_revoke_view(request: PageRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(api_token_visible(user=request.user), pk=pk)
    api_token_revoke(actor=request.user, token=token)
    if request.htmx:
        return _profile_page(request, revoked=token)
    messages.success(request, f"The token “{token.name}” is revoked.")
    return redirect("people:profile")
