"""Reads of asks, decisions and evidence. Every read starts from a `*_visible` selector."""

from django.db.models import Q, QuerySet

from tandem.asks.models import Ask, Decision, FeatureEvidence
from tandem.core.roles import Role
from tandem.people.models import User
from tandem.people.selectors import UserIds, team_member_ids
from tandem.product.selectors import feature_visible


def ask_visible(*, user: User) -> QuerySet[Ask]:
    """Product, engineering and leadership see every ask; sales sees the asks of its own deals and accounts."""
    qs = Ask.objects.all()
    if user.role in (Role.PRODUCT_MANAGER, Role.ENGINEERING_LEAD, Role.EXECUTIVE, Role.ADMIN):
        return qs
    people: UserIds
    if user.role == Role.SALES_MANAGER:
        people = team_member_ids(manager=user)
    else:
        people = User.objects.filter(pk=user.pk).values("pk")
    return qs.filter(Q(requested_by__in=people) | Q(opportunity__owner__in=people) | Q(account__owner__in=people))


def decision_visible(*, user: User) -> QuerySet[Decision]:
    return Decision.objects.filter(Q(feature__in=feature_visible(user=user)) | Q(ask__in=ask_visible(user=user)))


def feature_evidence_visible(*, user: User) -> QuerySet[FeatureEvidence]:
    return FeatureEvidence.objects.filter(feature__in=feature_visible(user=user))
