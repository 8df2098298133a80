"""Writes of the people domain: each person's own profile and personal API tokens."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from tandem.core.api import token_digest, token_generate
from tandem.core.permissions import require
from tandem.people.models import ApiToken, User
from tandem.people.permissions import PeoplePermission

PREFIX_LENGTH = 12


@transaction.atomic
def user_update_profile(*, actor: User, user: User, first_name: str, last_name: str, time_zone: str) -> User:
    """A person changes their own name and time zone; nobody changes someone else's here.

    Role, team and login are the admin's to change, in the admin pages.
    """
    if actor.pk != user.pk:
        raise PermissionDenied("You may change only your own profile.")
    user.first_name = first_name
    user.last_name = last_name
    user.time_zone = time_zone
    user.full_clean()
    user.save(update_fields=["first_name", "last_name", "time_zone"])
    return user


@transaction.atomic
def api_token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal API token for the actor and return it with its key.

    Only the key's digest is stored, so the key is returned here once and can never be shown again.
    """
    require(actor, PeoplePermission.MANAGE_OWN_TOKENS)
    key = token_generate()
    token = ApiToken(user=actor, name=name.strip(), prefix=key[:PREFIX_LENGTH], digest=token_digest(key))
    token.full_clean()
    token.save()
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke one of the actor's own tokens: it stops working at once. Revoking twice changes nothing."""
    require(actor, PeoplePermission.MANAGE_OWN_TOKENS)
    if token.user_id != actor.pk:
        raise PermissionDenied("You may revoke only your own tokens.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
