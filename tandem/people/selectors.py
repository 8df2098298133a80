from typing import Any

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from tandem.core.roles import Role
from tandem.people.models import ApiToken, Team, Territory, User


def user_visible(*, user: User) -> QuerySet[User]:
    """Colleagues' names and roles are not secret: everyone signed in sees every user."""
    return User.objects.all()


def team_visible(*, user: User) -> QuerySet[Team]:
    return Team.objects.all()


def territory_visible(*, user: User) -> QuerySet[Territory]:
    return Territory.objects.all()


def api_token_visible(*, user: User) -> QuerySet[ApiToken]:
    """A token is its owner's alone; not even an admin sees another person's tokens."""
    return ApiToken.objects.filter(user=user)


# A subquery of user ids, for `owner__in=` filters.
UserIds = QuerySet[User, Any]


def team_member_ids(*, manager: User) -> UserIds:
    """The people a sales manager is responsible for: members of the teams they manage, and themselves."""
    return User.objects.filter(Q(team__manager=manager) | Q(pk=manager.pk)).values("pk")


def user_get(*, user: User, pk: int) -> User:
    return get_object_or_404(user_visible(user=user), pk=pk)


def sees_everything_in_pipeline(user: User) -> bool:
    return user.role in (Role.PRODUCT_MANAGER, Role.EXECUTIVE, Role.ADMIN)
