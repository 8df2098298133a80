from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404

from tandem.core.models import ExchangeRate, RateCounter, SavedView, Workspace
from tandem.core.roles import Role
from tandem.people.models import User


def workspace_visible(*, user: User) -> QuerySet[Workspace]:
    """The company's name, currency and calendar are shown to everyone signed in."""
    return Workspace.objects.all()


def exchange_rate_visible(*, user: User) -> QuerySet[ExchangeRate]:
    return ExchangeRate.objects.all()


def rate_counter_visible(*, user: User) -> QuerySet[RateCounter]:
    """Request counters are the server's bookkeeping (tandem.core.ratelimit): shown to nobody."""
    return RateCounter.objects.none()


def saved_view_visible(*, user: User) -> QuerySet[SavedView]:
    """A saved view is its owner's alone: nobody else sees it, whatever their role."""
    return SavedView.objects.filter(owner_id=user.pk)


def saved_views_of(*, user: User, list_name: str) -> QuerySet[SavedView]:
    return saved_view_visible(user=user).filter(list_name=list_name).order_by("name", "id")


# Write rules: what each user may change.


def workspace_changeable(*, user: User) -> QuerySet[Workspace]:
    """The home currency and fiscal calendar are the admin's."""
    return Workspace.objects.all() if user.role == Role.ADMIN else Workspace.objects.none()


def exchange_rate_changeable(*, user: User) -> QuerySet[ExchangeRate]:
    return ExchangeRate.objects.all() if user.role == Role.ADMIN else ExchangeRate.objects.none()


def rate_counter_changeable(*, user: User) -> QuerySet[RateCounter]:
    """The API limits' counters are written by the limiter alone, never by a person."""
    return RateCounter.objects.none()


def saved_view_changeable(*, user: User) -> QuerySet[SavedView]:
    """Only its owner renames or deletes a saved view."""
    return SavedView.objects.filter(owner_id=user.pk)


M = TypeVar("M", bound=Model)


def record_for_change(*, visible: QuerySet[M], changeable: QuerySet[M], pk: int, refusal: str) -> M:
    """The record to change or delete, fetched through both rules: one the user may not see answers
    404, like one that does not exist; one they see but may not change, 403 with `refusal` (who may)."""
    record = get_object_or_404(visible, pk=pk)
    if not changeable.filter(pk=record.pk).exists():
        raise PermissionDenied(refusal)
    return record
