"""Sign-in lockout by account and by address, on django-axes (settings in tandem/settings/security.py).

Axes compares one limit with the largest failure count among its parameters. Tandem wants a lower
limit per account (a password is guessed one account at a time) than per address (an office signs
in through one address, and its typos add up), so the handler below reports an address over its
own limit as an account over the account's limit, and counts otherwise per account.
"""

import math
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def _failures(attempts: "QuerySet[Any]") -> int:
    return int(attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0)


class AccountAndAddressHandler(AxesDatabaseHandler):
    def failures_by_account_and_address(self, request: HttpRequest, credentials: dict[str, Any] | None) -> list[int]:
        # One queryset per AXES_LOCKOUT_PARAMETERS entry, in its order: username, then ip_address.
        return [_failures(attempts) for attempts in self.get_user_attempts(request, credentials)]

    def get_failures(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> int:
        by_account, by_address = self.failures_by_account_and_address(request, credentials)
        if by_address >= settings.SIGN_IN_ADDRESS_LIMIT:
            return max(by_account, settings.SIGN_IN_ACCOUNT_LIMIT)
        return by_account


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None, credentials: dict[str, Any] | None
) -> HttpResponse:
    """The page a locked-out sign-in gets: 429, what is locked, for how long, and who can lift it."""
    handler = AccountAndAddressHandler()
    by_account, _ = handler.failures_by_account_and_address(request, credentials)
    minutes = math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)
    context = {"account_locked": by_account >= settings.SIGN_IN_ACCOUNT_LIMIT, "minutes": minutes}
    response = render(request, "registration/locked_out.html", context, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
