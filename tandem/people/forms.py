import zoneinfo
from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest

from tandem.people.models import ApiToken

TIME_ZONES = sorted(zoneinfo.available_timezones())


class ProfileForm(forms.Form):
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    time_zone = forms.ChoiceField(
        choices=[(tz, tz.replace("_", " ")) for tz in TIME_ZONES],
        help_text="Dates and times are shown in this time zone.",
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text="What will use it, so you recognise it later, e.g. “Forecast spreadsheet”.",
    )
    scope = forms.ChoiceField(
        choices=ApiToken.Scope.choices,
        initial=ApiToken.Scope.READ,
        help_text="A read-only token may read what you see and change nothing.",
        required=False,
    )
    expires_in = forms.TypedChoiceField(
        label="Expires",
        choices=[("30", "In 30 days"), ("90", "In 90 days"), ("365", "In a year"), ("", "Never (until revoked)")],
        coerce=int,
        empty_value=None,
        required=False,
        initial="90",
    )

    def clean_scope(self) -> str:
        # Least privilege when the form does not say: read only.
        return self.cleaned_data.get("scope") or ApiToken.Scope.READ


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        max_length=20,
        label="Code",
        help_text="The 6-digit code your authenticator app shows now, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}),
    )


class PasswordConfirmForm(forms.Form):
    """Asks for the signed-in person's password before a change to how they sign in (ASVS 3.7.1).
    The check goes through `authenticate`, so wrong passwords here count towards the lockout too."""

    password = forms.CharField(
        label="Your password", strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        user = self.request.user
        if authenticate(self.request, username=user.get_username(), password=password) is None:
            raise forms.ValidationError("This is not your password.", code="password_incorrect")
        return password


class SignedInPasswordChangeForm(PasswordChangeForm):
    """Django's password change, with the old password checked through `authenticate`: a stolen
    session cannot guess the password here faster than at the sign-in page."""

    def __init__(self, user: Any, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self) -> str:
        old_password: str = self.cleaned_data["old_password"]
        if authenticate(self.request, username=self.user.get_username(), password=old_password) is None:
            raise forms.ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old_password
