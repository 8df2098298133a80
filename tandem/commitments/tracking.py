"""Where an approved commitment stands, on a given day: one pure rule (`commitment_state`) and the
same rule as database conditions (`STATE_CONDITIONS`) for lists, tested to agree across dates.

- **delivered**: its feature shipped (its release shipped).
- **broken**: not delivered, and its date passed, or the feature was declined, or the feature sits
  on a release planned after the date.
- **at risk**: neither, and the date is at most `WARNING_DAYS` away, or the date is set while the
  feature is on no release, or the feature is no longer committed.
- **on track**: the rest.
A commitment awaiting approval, refused or withdrawn is only that.
"""

import datetime
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import F, Q

# Two weeks gives a rep two weekly calls with the customer to reset expectations, and product
# two weeks to pull the work in or say so: the warning goes out this long before the date.
WARNING_DAYS = 14


class State(StrEnum):
    REQUESTED = "requested"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    DELIVERED = "delivered"
    BROKEN = "broken"


STATE_LABELS = {
    State.REQUESTED: "Awaiting approval",
    State.REFUSED: "Refused",
    State.WITHDRAWN: "Withdrawn",
    State.ON_TRACK: "On track",
    State.AT_RISK: "At risk",
    State.DELIVERED: "Delivered",
    State.BROKEN: "Broken",
}
STATE_BADGES = {
    State.REQUESTED: "text-bg-secondary",
    State.REFUSED: "text-bg-dark",
    State.WITHDRAWN: "text-bg-light border",
    State.ON_TRACK: "text-bg-success",
    State.AT_RISK: "text-bg-warning",
    State.DELIVERED: "text-bg-primary",
    State.BROKEN: "text-bg-danger",
}

# The states of a commitment still to keep: those its rep may withdraw.
OPEN_STATES = frozenset({State.REQUESTED, State.ON_TRACK, State.AT_RISK, State.BROKEN})


@dataclass(frozen=True)
class Facts:
    """What the state reads of a commitment, its feature and the feature's release."""

    status: str
    due_date: datetime.date | None
    feature_status: str
    confidence: str
    release_target: datetime.date | None
    release_shipped: bool


def commitment_state(facts: Facts, *, today: datetime.date) -> State:
    if facts.status == "requested":
        return State.REQUESTED
    if facts.status == "refused":
        return State.REFUSED
    if facts.status == "withdrawn":
        return State.WITHDRAWN
    if facts.feature_status == "shipped" or facts.release_shipped:
        return State.DELIVERED
    due = facts.due_date
    if facts.feature_status == "declined":
        return State.BROKEN
    if due is not None and (due < today or (facts.release_target is not None and facts.release_target > due)):
        return State.BROKEN
    if facts.confidence != "committed":
        return State.AT_RISK
    if due is not None and ((due - today).days <= WARNING_DAYS or facts.release_target is None):
        return State.AT_RISK
    return State.ON_TRACK


def facts_of(commitment: object) -> Facts:
    """The facts of a Commitment fetched with its feature and release (`select_related`)."""
    feature = commitment.feature  # type: ignore[attr-defined]
    release = feature.release
    return Facts(
        status=commitment.status,  # type: ignore[attr-defined]
        due_date=commitment.due_date,  # type: ignore[attr-defined]
        feature_status=feature.status,
        confidence=feature.confidence,
        release_target=release.target_date if release is not None else None,
        release_shipped=release is not None and release.status == "shipped",
    )


def _delivered() -> Q:
    return Q(feature__status="shipped") | Q(feature__release__status="shipped")


def _broken(today: datetime.date) -> Q:
    dated = Q(due_date__isnull=False)
    return ~_delivered() & (
        Q(feature__status="declined")
        | (dated & Q(due_date__lt=today))
        | (dated & Q(feature__release__isnull=False) & Q(feature__release__target_date__gt=F("due_date")))
    )


def _at_risk(today: datetime.date) -> Q:
    dated = Q(due_date__isnull=False)
    soon = datetime.timedelta(days=WARNING_DAYS)
    return (
        ~_delivered()
        & ~_broken(today)
        & (
            ~Q(feature__confidence="committed")
            | (dated & Q(due_date__lte=today + soon))
            | (dated & Q(feature__release__isnull=True))
        )
    )


def state_condition(state: State, *, today: datetime.date) -> Q:
    """The rule of `commitment_state` as a condition on commitments, for lists and counts."""
    approved = Q(status="approved")
    if state == State.REQUESTED:
        return Q(status="requested")
    if state == State.REFUSED:
        return Q(status="refused")
    if state == State.WITHDRAWN:
        return Q(status="withdrawn")
    if state == State.DELIVERED:
        return approved & _delivered()
    if state == State.BROKEN:
        return approved & _broken(today)
    if state == State.AT_RISK:
        return approved & _at_risk(today)
    return approved & ~_delivered() & ~_broken(today) & ~_at_risk(today)


def open_condition() -> Q:
    """Commitments still to keep: awaiting approval or approved, not delivered."""
    return Q(status="requested") | (Q(status="approved") & ~_delivered())
