"""System checks of the people domain's settings (`manage.py check`, run at every start)."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from tandem.core.roles import Role


@register()
def two_factor_roles_check(app_configs: Any, **kwargs: Any) -> list[Error]:
    """A misspelt role in TWO_FACTOR_REQUIRED_ROLES would quietly require two-factor of nobody."""
    unknown = sorted(set(settings.TWO_FACTOR_REQUIRED_ROLES) - set(Role.values))
    if not unknown:
        return []
    return [
        Error(
            f"TWO_FACTOR_REQUIRED_ROLES names roles that do not exist: {', '.join(unknown)}.",
            hint=f"Use these values, comma-separated: {', '.join(Role.values)}.",
            id="people.E001",
        )
    ]
