import base64
import time
from typing import Any

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from tandem.core.http import PageRequest
from tandem.core.permissions import CorePermission, has_permission
from tandem.people.forms import (
    ApiTokenForm,
    PasswordConfirmForm,
    ProfileForm,
    SignedInPasswordChangeForm,
    TwoFactorCodeForm,
)
from tandem.people.models import User
from tandem.people.selectors import (
    api_token_visible,
    recovery_codes_left,
    two_factor_device,
    two_factor_device_unconfirmed,
)
from tandem.people.services import (
    TwoFactorCheck,
    api_token_create,
    api_token_revoke,
    recovery_codes_replace,
    security_notice,
    two_factor_check,
    two_factor_disable,
    two_factor_setup_confirm,
    two_factor_setup_start,
    user_update_profile,
)
from tandem.people.signals import TWO_FACTOR_SETUP_REQUIRED


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
    context["two_factor_on"] = two_factor_device(user=user) is not None
    context["is_admin"] = has_permission(user, CorePermission.EXPORT_WORKSPACE)
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
    token, key = api_token_create(actor=request.user, **form.cleaned_data)
    return _profile_page(request, new_token=token, new_key=key)


@require_POST
def api_token_revoke_view(request: PageRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(api_token_visible(user=request.user), pk=pk)
    api_token_revoke(actor=request.user, token=token)
    if request.htmx:
        return _profile_page(request, revoked=token)
    messages.success(request, f"The token “{token.name}” is revoked.")
    return redirect("people:profile")


# Signing in: the password, then, for people with two-factor sign-in on, a code.

# Session key: who passed the password step, with when and where to go next.
SIGN_IN_PENDING = "tandem_sign_in_pending"
# The second step must follow the first within this many seconds.
SIGN_IN_PENDING_SECONDS = 300


class SignInView(auth_views.LoginView):
    """The password step. With two-factor sign-in off it signs the person in (Django's login
    rotates the session key); with it on, it only remembers who passed, in a fresh session, and
    asks for the code. Wrong passwords count towards the lockout (django-axes)."""

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if two_factor_device(user=user) is None:
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[SIGN_IN_PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "at": int(time.time()),
            "next": self.get_success_url(),
        }
        return redirect("two_factor_sign_in")


@login_not_required
@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_sign_in(request: HttpRequest) -> HttpResponseBase:
    """The code step of signing in. A wrong code counts as a failed sign-in of the account (the
    lockout covers both steps), and wrong codes in a row make the next try wait."""
    pending: dict[str, Any] = request.session.get(SIGN_IN_PENDING) or {}
    user = None
    if pending and time.time() - pending["at"] <= SIGN_IN_PENDING_SECONDS:
        user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        if pending:
            request.session.pop(SIGN_IN_PENDING)
            messages.info(request, "Sign in again: the code was not entered within five minutes.")
        return redirect(settings.LOGIN_REDIRECT_URL if request.user.is_authenticated else "login")
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        credentials = {"username": user.get_username()}
        if not AxesProxyHandler.is_allowed(request, credentials):
            return get_lockout_response(request, None, credentials)
        outcome = two_factor_check(user=user, code=form.cleaned_data["code"])
        if outcome in (TwoFactorCheck.APP_CODE, TwoFactorCheck.RECOVERY_CODE):
            del request.session[SIGN_IN_PENDING]
            auth_login(request, user, backend=pending["backend"])
            if outcome is TwoFactorCheck.RECOVERY_CODE:
                left = recovery_codes_left(user=user)
                messages.warning(
                    request,
                    f"You signed in with a recovery code; {left} are left, each usable once. "
                    "Make new ones on your two-factor page if you are running low.",
                )
            return redirect(pending["next"])
        if outcome is TwoFactorCheck.WAIT:
            form.add_error("code", "Too many wrong codes in a row: wait a few seconds, then try again.")
        else:
            # Axes records the failure, and locks the account once it has too many (its middleware
            # then answers with the lockout page instead of this one).
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            form.add_error("code", "This code is not right. Check the time on your phone, or use a recovery code.")
    return render(request, "registration/two_factor_sign_in.html", {"form": form, "username": user.get_username()})


class SignOutView(auth_views.LogoutView):
    """Django's sign-out (the session is deleted on the server), which also asks the browser to
    drop what it cached or stored for Tandem (ASVS 8.2.3). Not "cookies": that would sign the
    person out of every other site under the same domain."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change, with the old password checked against the lockout, and an email
    telling the person their password changed."""

    form_class = SignedInPasswordChangeForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)  # other sessions of this person stop working
        body = "The password of your account was changed."
        security_notice(user=form.user, subject="Your password was changed", body=body)
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's reset by emailed link, which also lifts a lockout of the account (the person just
    proved they hold its mailbox), and tells them by email."""

    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        axes_reset(username=form.user.get_username())
        security_notice(
            user=form.user,
            subject="Your password was reset",
            body="The password of your account was reset through the link emailed to you.",
        )
        return response


# Two-factor sign-in on the profile: set up, recovery codes, turn off.


def _two_factor_page(request: PageRequest, status: int = 200, **context: Any) -> HttpResponse:
    user = request.user
    context.setdefault("confirm_form", PasswordConfirmForm(request=request))
    context.update(
        two_factor_on=two_factor_device(user=user) is not None,
        codes_left=recovery_codes_left(user=user),
        required=bool(request.session.get(TWO_FACTOR_SETUP_REQUIRED)),
    )
    return render(request, "people/two_factor.html", context, status=status)


def _setup_context(device: Any) -> dict[str, Any]:
    secret = base64.b32encode(device.bin_key).decode()
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#1f3a5f", light="#ffffff")
    return {
        "setup": True,
        # segno draws the code as SVG paths from the otpauth URL alone: no text of ours is inside.
        "qr_svg": mark_safe(qr),
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "code_form": TwoFactorCodeForm(),
    }


@require_http_methods(["GET"])
def two_factor(request: PageRequest) -> HttpResponse:
    """Whether two-factor sign-in is on, and the buttons to set it up or change it."""
    return _two_factor_page(request)


def _refused(request: PageRequest, error: ValidationError) -> HttpResponse:
    messages.error(request, " ".join(error.messages))
    return redirect("people:two_factor")


@require_POST
def two_factor_setup(request: PageRequest) -> HttpResponse:
    """A new secret for an authenticator app: its QR code, and the secret to type in by hand."""
    try:
        device = two_factor_setup_start(actor=request.user)
    except ValidationError as error:
        return _refused(request, error)
    return _two_factor_page(request, **_setup_context(device))


@require_POST
@sensitive_post_parameters("code")
def two_factor_confirm(request: PageRequest) -> HttpResponse:
    """The first code from the app turns two-factor sign-in on, and shows the recovery codes once."""
    form = TwoFactorCodeForm(request.POST)
    codes = None
    if form.is_valid():
        try:
            codes = two_factor_setup_confirm(actor=request.user, code=form.cleaned_data["code"])
        except ValidationError as error:
            return _refused(request, error)
        if codes is None:
            form.add_error("code", "This code is not right: type the code the app shows now (it changes every 30 s).")
    if codes is None:
        device = two_factor_device_unconfirmed(user=request.user)
        if device is None:
            return redirect("people:two_factor")
        return _two_factor_page(request, status=422, **{**_setup_context(device), "code_form": form})
    request.session.pop(TWO_FACTOR_SETUP_REQUIRED, None)
    messages.success(request, "Two-factor sign-in is on.")
    return _two_factor_page(request, recovery_codes=codes)


def _password_confirmed(request: PageRequest) -> Form | None:
    """The password form when the password is wrong (to show again), None when it is right."""
    form = PasswordConfirmForm(request.POST, request=request)
    return None if form.is_valid() else form


@require_POST
@sensitive_post_parameters("password")
def recovery_codes_replace_view(request: PageRequest) -> HttpResponse:
    """Ten new recovery codes, after the person's password; the old ones stop working."""
    form = _password_confirmed(request)
    if form is not None:
        return _two_factor_page(request, status=422, confirm_form=form)
    try:
        codes = recovery_codes_replace(actor=request.user)
    except ValidationError as error:
        return _refused(request, error)
    return _two_factor_page(request, recovery_codes=codes)


@require_POST
@sensitive_post_parameters("password")
def two_factor_disable_view(request: PageRequest) -> HttpResponse:
    """Turn two-factor sign-in off, after the person's password. A person whose role must use it
    is sent straight back to set it up again (how one moves it to a new phone)."""
    form = _password_confirmed(request)
    if form is not None:
        return _two_factor_page(request, status=422, confirm_form=form)
    two_factor_disable(actor=request.user, user=request.user)
    if request.user.role in settings.TWO_FACTOR_REQUIRED_ROLES:
        request.session[TWO_FACTOR_SETUP_REQUIRED] = True
    messages.success(request, "Two-factor sign-in is off.")
    return redirect("people:two_factor")
