"""Reads of the product domain. Every read starts from a `*_visible` selector."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from tandem.core.roles import SALES_ROLES
from tandem.people.models import User
from tandem.product.models import Feature, Goal, Product, Release


def product_visible(*, user: User) -> QuerySet[Product]:
    return Product.objects.all()


def goal_visible(*, user: User) -> QuerySet[Goal]:
    return Goal.objects.all()


def release_visible(*, user: User) -> QuerySet[Release]:
    return Release.objects.all()


def feature_visible(*, user: User) -> QuerySet[Feature]:
    """Sales sees only what it may use: sales-shareable and public features. Everyone else sees all."""
    qs = Feature.objects.all()
    if user.role in SALES_ROLES:
        return qs.filter(visibility__in=[Feature.Visibility.SALES, Feature.Visibility.PUBLIC])
    return qs


def feature_get(*, user: User, pk: int) -> Feature:
    return get_object_or_404(feature_visible(user=user).select_related("product", "release", "owner"), pk=pk)


def feature_with_evidence(*, user: User) -> QuerySet[Feature]:
    """Visible features joined to their evidence row, for lists sorted by revenue at stake.

    The inner join (every feature gets its row when created) lets PostgreSQL walk the evidence
    index for the first page; the outer join of `select_related` alone sorts every feature.
    """
    return feature_visible(user=user).filter(evidence__isnull=False).select_related("product", "evidence")
