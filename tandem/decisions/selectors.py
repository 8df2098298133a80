"""Reads of decision rights, decisions as seen by people, and escalations; each starts from a `*_visible` selector."""

import datetime

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from tandem.asks.models import Ask, Decision
from tandem.asks.selectors import ask_visible, decision_visible
from tandem.core.roles import Role
from tandem.decisions.models import DecisionRight, Escalation
from tandem.people.models import User

# The filters of the escalations page and API.
ESCALATION_FILTERS = ("open", "overdue", "ruled")


def decision_right_visible(*, user: User) -> QuerySet[DecisionRight]:
    """Who decides what is no secret: everyone may read the decision rights."""
    return DecisionRight.objects.all()


def escalation_visible(*, user: User) -> QuerySet[Escalation]:
    """An escalation is seen by whoever sees its ask (sales: their own or their team's asks)."""
    asks = ask_visible(user=user)
    # Who sees every ask needs no subquery over all of them (the navigation counts on every page).
    return Escalation.objects.filter(ask__in=asks) if asks.query.has_filters() else Escalation.objects.all()


def escalation_get(*, user: User, pk: int) -> Escalation:
    return get_object_or_404(
        escalation_visible(user=user).select_related("ask", "escalated_by", "executive", "ruling"), pk=pk
    )


def escalation_filtered(
    queryset: QuerySet[Escalation], *, status: str | None, today: datetime.date
) -> QuerySet[Escalation]:
    """open: not ruled yet; overdue: open past its due date; ruled: settled by an executive."""
    if status == "open":
        return queryset.filter(status=Escalation.Status.OPEN)
    if status == "overdue":
        return queryset.filter(status=Escalation.Status.OPEN, due_date__lt=today)
    if status == "ruled":
        return queryset.filter(status=Escalation.Status.RULED)
    return queryset


# The roles escalations concern; admins and engineering leads are not concerned.
ESCALATION_CONCERNED_ROLES = frozenset({Role.REP, Role.SALES_MANAGER, Role.PRODUCT_MANAGER, Role.EXECUTIVE})


def escalation_concerning(*, user: User) -> QuerySet[Escalation]:
    """The escalations this person is concerned by: the escalating manager and their team's reps (the
    ask's deal, account or requester), the executive it went to (or every executive when it went to
    any), and the product manager of the ask's product. Admins and engineering leads are not."""
    visible = escalation_visible(user=user)
    if user.role not in ESCALATION_CONCERNED_ROLES:
        return visible.none()
    if user.role in (Role.REP, Role.SALES_MANAGER):
        return visible
    if user.role == Role.EXECUTIVE:
        return visible.filter(Q(executive=user) | Q(executive__isnull=True))
    return visible.filter(ask__feature__product__manager=user)


OVERDUE_SHOWN = 5


def escalation_overdue(*, user: User, today: datetime.date) -> QuerySet[Escalation]:
    """The open escalations concerning this person that are past their due date, unordered: the
    navigation counts them (with the bell's count, in one query) from the (status, due date) index."""
    return escalation_concerning(user=user).filter(status=Escalation.Status.OPEN, due_date__lt=today).order_by()


def escalations_overdue_for_home(*, user: User, today: datetime.date) -> list[Escalation]:
    """The overdue escalations concerning this person, most overdue first: one bounded query.

    One row more than shown tells the page there are more.
    """
    return list(
        escalation_concerning(user=user)
        .filter(status=Escalation.Status.OPEN, due_date__lt=today)
        .select_related("ask", "executive", "escalated_by")
        .order_by("due_date", "id")[: OVERDUE_SHOWN + 1]
    )


def decision_latest_for_ask(*, user: User, ask: Ask) -> Decision | None:
    """What has been decided on this ask: the latest decision on the ask itself or on its feature.

    A decision on a feature answers every ask linked to it, so a rep reads the outcome on the ask.
    """
    subject = Q(ask=ask)
    if ask.feature_id is not None:
        subject |= Q(feature_id=ask.feature_id)
    return (
        decision_visible(user=user)
        .filter(subject)
        .select_related("decided_by", "release")
        .order_by("-decided_at", "-id")
        .first()
    )


def decision_latest_unrestricted(*, ask: Ask) -> Decision | None:
    """The same, past the visibility rule: for the escalation rule, which a sales manager may not read
    through (a decision on an internal feature still answers the ask they escalate)."""
    subject = Q(ask=ask)
    if ask.feature_id is not None:
        subject |= Q(feature_id=ask.feature_id)
    return Decision.objects.filter(subject).select_related("decided_by").order_by("-decided_at", "-id").first()


def decision_right_changeable(*, user: User) -> QuerySet[DecisionRight]:
    """Executives and admins set who decides what."""
    editors = (Role.EXECUTIVE, Role.ADMIN)
    return DecisionRight.objects.all() if user.role in editors else DecisionRight.objects.none()


def escalation_changeable(*, user: User) -> QuerySet[Escalation]:
    """An escalation, once made, changes only by the executive's ruling, which is a decision of its own."""
    return Escalation.objects.none()
