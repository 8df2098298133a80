"""What happens at every sign-in, whichever view signed the person in."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from tandem.core.middleware import session_times_start
from tandem.people.models import User
from tandem.people.selectors import two_factor_device

# Session key: this person's role must set up two-factor sign-in before using Tandem.
TWO_FACTOR_SETUP_REQUIRED = "tandem_two_factor_setup_required"


def signed_in(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    """Start the session's idle and absolute timeouts; when the person's role must use two-factor
    sign-in and they have not set it up, keep them to the set-up page (people.middleware)."""
    session_times_start(request)
    if user.role in settings.TWO_FACTOR_REQUIRED_ROLES and two_factor_device(user=user) is None:
        request.session[TWO_FACTOR_SETUP_REQUIRED] = True
