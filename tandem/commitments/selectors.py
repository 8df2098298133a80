"""Reads of commitments. Every read starts from `commitment_visible`: a commitment is seen with its deal."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from tandem.commitments.models import Commitment, WarningDay
from tandem.commitments.permissions import CommitmentsPermission
from tandem.commitments.tracking import State, open_condition, state_condition
from tandem.core.permissions import has_permission
from tandem.core.roles import Role
from tandem.core.selectors import record_for_change
from tandem.decisions.models import DecisionType
from tandem.decisions.rights import Subject, decision_right_check, decision_right_for
from tandem.people.models import User
from tandem.product.models import Feature, Product
from tandem.sales.selectors import opportunity_changeable, opportunity_seen

# What a row of a list or card shows. Who asked and who answered only the commitment's page names:
# two more joins of the user table made PostgreSQL plan the list's nine-table join for 17 ms, seven
# times its run, on every request.
ROW_RELATED = ("opportunity__owner", "account", "feature__product", "feature__release")


def commitment_visible(*, user: User) -> QuerySet[Commitment]:
    """A commitment is seen by whoever sees its deal: a rep their own deals', a sales manager their
    teams', product managers, executives and admins every one (they approve and review them);
    engineering leads see no deals, so none."""
    seen = opportunity_seen(user=user)  # the deal rule as a condition on the deal's owner
    return Commitment.objects.all() if seen is None else Commitment.objects.filter(seen)


def commitment_changeable(*, user: User) -> QuerySet[Commitment]:
    """Approving or refusing is the right to plan the feature (the decision rights): by default the
    product's manager among product managers, and executives. Asking is a write on the deal, not on
    a commitment (`commitment_ask` checks the deal's write rule)."""
    right = decision_right_for(DecisionType.PLANNED)
    if not user.is_active or user.role not in right.deciding_roles:
        return Commitment.objects.none()
    commitments = commitment_visible(user=user)
    if user.role == Role.PRODUCT_MANAGER and right.managers_own_products_only:
        return commitments.filter(feature__product__manager=user)
    return commitments


def commitment_withdrawable(*, user: User) -> QuerySet[Commitment]:
    """Withdrawing is the asking side's write: whoever may change the deal (its rep, their sales
    manager, admins). Only an open commitment can be withdrawn; the service says so of the others."""
    if not has_permission(user, CommitmentsPermission.ASK_COMMITMENT):
        return Commitment.objects.none()
    return commitment_visible(user=user).filter(opportunity__in=opportunity_changeable(user=user).values("pk"))


def commitment_for_withdrawal(*, user: User, pk: int) -> Commitment:
    """The commitment to withdraw: 404 unseen; 403 for one seen but not the user's to withdraw."""
    record_for_change(
        visible=commitment_visible(user=user),
        changeable=commitment_withdrawable(user=user),
        pk=pk,
        refusal="Only the deal's rep, their sales manager or an admin may withdraw its commitments.",
    )
    return commitment_get(user=user, pk=pk)


def commitment_get(*, user: User, pk: int) -> Commitment:
    related = (*ROW_RELATED, "requested_by", "decided_by", "opportunity__stage", "withdrawn_by")
    return get_object_or_404(commitment_visible(user=user).select_related(*related), pk=pk)


def commitment_for_decision(*, user: User, pk: int) -> Commitment:
    """The commitment to approve or refuse: 404 unseen; 403 naming who may for one seen but not theirs."""
    commitment = commitment_get(user=user, pk=pk)
    if not commitment_changeable(user=user).filter(pk=commitment.pk).exists():
        subject = Subject(product=commitment.feature.product, noun="this commitment")
        decision_right_check(user=user, right=decision_right_for(DecisionType.PLANNED), subject=subject)
        raise PermissionDenied("Only those who may plan this feature may approve or refuse its commitments.")
    return commitment


def commitment_rows(
    *, user: User, today: datetime.date, state: State | None = None, q: QuerySet[Commitment] | None = None
) -> QuerySet[Commitment]:
    """Visible commitments with what their rows show, optionally in one state on `today`."""
    rows = (q if q is not None else commitment_visible(user=user)).select_related(*ROW_RELATED)
    return rows.filter(state_condition(state, today=today)) if state is not None else rows


def commitments_at_risk(*, user: User, today: datetime.date) -> QuerySet[Commitment]:
    """Approved commitments at risk on `today`, soonest date first: the product-sales review's list."""
    return commitment_rows(user=user, today=today, state=State.AT_RISK).order_by("due_date", "pk")


def commitments_broken_by(
    *, user: User, feature: Feature | None = None, product: Product | None = None
) -> QuerySet[Commitment]:
    """The commitments that dropping this feature (or every feature of this product) would break:
    those awaiting approval or approved and not yet delivered, that the user sees."""
    if (feature is None) == (product is None):
        raise ValueError("Name a feature or a product.")
    on = Q(feature=feature) if feature is not None else Q(feature__product=product)
    return commitment_rows(user=user, today=datetime.date.min).filter(on & open_condition()).order_by("due_date", "pk")


def commitments_of(
    *, user: User, opportunity_id: int | None = None, account_id: int | None = None, feature_id: int | None = None
) -> list[Commitment]:
    """The commitments on one deal, account or feature page (at most 50, latest first; the list page has all)."""
    rows = commitment_rows(user=user, today=datetime.date.min)
    if opportunity_id is not None:
        rows = rows.filter(opportunity_id=opportunity_id)
    if account_id is not None:
        rows = rows.filter(account_id=account_id)
    if feature_id is not None:
        rows = rows.filter(feature_id=feature_id)
    return list(rows.order_by("-requested_at", "-pk")[:50])


def warning_day_visible(*, user: User) -> QuerySet[WarningDay]:
    """Tandem's own bookkeeping of which days' warnings were queued: shown to nobody."""
    return WarningDay.objects.none()


def warning_day_changeable(*, user: User) -> QuerySet[WarningDay]:
    return WarningDay.objects.none()
