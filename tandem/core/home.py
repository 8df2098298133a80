"""What each person sees first: their next things to do, by role."""

from typing import Any

from tandem.people.models import User


def home_context(*, user: User) -> dict[str, Any]:
    return {"role": user.role}
