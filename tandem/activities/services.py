"""Writes of what is logged on deals: notes, calls and meetings.

Logging needs LOG_ACTIVITY and a deal the actor may change (its owner, their sales manager, an
admin): a rep who sees a team-mate's deal through an ask reads nothing of it and logs nothing on it;
product managers and executives read what is logged, and log nothing. Each write keeps the deal's
`last_activity_at` (the stale-deal warning) in the same transaction.
"""

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from tandem.activities.models import Activity
from tandem.activities.permissions import ActivitiesPermission
from tandem.activities.selectors import activity_for_change
from tandem.core.api import StaleVersion
from tandem.core.permissions import require
from tandem.people.models import User
from tandem.sales.models import Contact, Opportunity, StageChange
from tandem.sales.selectors import opportunity_for_change

STALE_ACTIVITY = "Someone else changed this entry since you opened it — reload to see their changes."
ACTIVITY_FIELDS = frozenset({"kind", "occurred_at", "body", "contacts"})


def _contacts_of_account(*, deal: Opportunity, contacts: Iterable[Contact]) -> list[Contact]:
    chosen = list(contacts)
    if any(contact.account_id != deal.account_id for contact in chosen):
        raise ValidationError({"contacts": "Choose people of the deal's account."})
    return chosen


def deal_last_activity_refresh(*, opportunity_id: int, now: datetime.datetime | None = None) -> None:
    """Set the deal's latest activity from its stage moves and the notes, calls and meetings that
    already happened (a meeting planned for next week does not make the deal active today)."""
    now = now or timezone.now()
    moved = StageChange.objects.filter(opportunity_id=opportunity_id).aggregate(at=Max("changed_at"))["at"]
    logged = Activity.objects.filter(opportunity_id=opportunity_id, occurred_at__lte=now).aggregate(
        at=Max("occurred_at")
    )["at"]
    latest = max((moment for moment in (moved, logged) if moment is not None), default=None)
    Opportunity.objects.filter(pk=opportunity_id).update(last_activity_at=latest)


@transaction.atomic
def activity_create(
    *,
    actor: User,
    opportunity: Opportunity,
    kind: str,
    body: str,
    occurred_at: datetime.datetime | None = None,
    contacts: Iterable[Contact] = (),
) -> Activity:
    """Log a note, call or meeting on a deal the actor may change; `occurred_at` defaults to now."""
    require(actor, ActivitiesPermission.LOG_ACTIVITY)
    deal = opportunity_for_change(user=actor, pk=opportunity.pk, lock=True)
    now = timezone.now()
    activity = Activity(
        opportunity=deal, kind=kind, body=body, occurred_at=occurred_at or now, author=actor, created_at=now
    )
    chosen = _contacts_of_account(deal=deal, contacts=contacts)
    activity.full_clean()
    activity.save()
    activity.contacts.set(chosen)
    deal_last_activity_refresh(opportunity_id=deal.pk, now=now)
    return activity


@transaction.atomic
def activity_update(*, actor: User, activity: Activity, expected_version: int, data: Mapping[str, Any]) -> Activity:
    """Change a logged entry, based on the version the actor read (a stale one raises StaleVersion)."""
    require(actor, ActivitiesPermission.LOG_ACTIVITY)
    unknown = set(data) - ACTIVITY_FIELDS
    if unknown:
        raise ValueError(f"Not changeable here: {', '.join(sorted(unknown))}")
    activity = activity_for_change(user=actor, pk=activity.pk, lock=True)
    if activity.version != expected_version:
        raise StaleVersion(STALE_ACTIVITY)
    contacts = data.get("contacts")
    for field, value in data.items():
        if field != "contacts":
            setattr(activity, field, value)
    activity.version += 1
    activity.full_clean()
    activity.save()
    if contacts is not None:
        activity.contacts.set(_contacts_of_account(deal=activity.opportunity, contacts=contacts))
    deal_last_activity_refresh(opportunity_id=activity.opportunity_id)
    return activity


@transaction.atomic
def activity_delete(*, actor: User, activity: Activity) -> None:
    require(actor, ActivitiesPermission.LOG_ACTIVITY)
    activity = activity_for_change(user=actor, pk=activity.pk, lock=True)
    deal_id = activity.opportunity_id
    activity.delete()
    deal_last_activity_refresh(opportunity_id=deal_id)
