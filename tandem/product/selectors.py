"""Reads of the product domain. Every read starts from a `*_visible` selector."""

import datetime
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.db.models import Count, Func, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import TruncDate
from django.shortcuts import get_object_or_404
from django.utils import timezone

from tandem.asks.models import Ask
from tandem.core import formats
from tandem.core.fiscal import day_start, fiscal_quarter_of
from tandem.core.money import workspace_get
from tandem.core.permissions import has_permission
from tandem.core.roles import SALES_ROLES
from tandem.people.models import User
from tandem.product.models import Feature, Goal, Product, Release, ScoringSettings
from tandem.product.permissions import ProductPermission


def product_visible(*, user: User) -> QuerySet[Product]:
    return Product.objects.all()


def goal_visible(*, user: User) -> QuerySet[Goal]:
    return Goal.objects.all()


def release_visible(*, user: User) -> QuerySet[Release]:
    return Release.objects.all()


SHAREABLE = (Feature.Visibility.SALES, Feature.Visibility.PUBLIC)
# The features on the roadmap: planned or being built (not yet shipped, declined or on the backlog).
ON_ROADMAP = (Feature.Status.PLANNED, Feature.Status.IN_PROGRESS)


def feature_visible(*, user: User) -> QuerySet[Feature]:
    """Sales sees what it may use (sales-shareable and public features) and the features its own
    customers asked for, whatever their visibility: a rep follows what became of their asks.
    Everyone else sees all."""
    qs = Feature.objects.all()
    if user.role in SALES_ROLES:
        from tandem.asks.selectors import ask_visible  # asks' selectors read features through this module

        asked = ask_visible(user=user).filter(feature__isnull=False).values("feature_id")
        return qs.filter(Q(visibility__in=SHAREABLE) | Q(pk__in=asked))
    return qs


def feature_seen_in_full(*, user: User, feature: Feature) -> bool:
    """Whether the user sees a visible feature in full, or only its sales view.

    Sales reaches an internal feature only through its customers' asks: it sees the sales view
    (name, status, release, what it may say, the decision's rationale, its own asks), never the
    evidence product weighs it by (other customers' revenue, the score, effort). Written once, for
    pages, the API and notifications alike.
    """
    return user.role not in SALES_ROLES or feature.visibility in SHAREABLE


def feature_visible_in_full(*, user: User) -> QuerySet[Feature]:
    """The visible features the user sees in full: lists that weigh features by their evidence show
    only these (sales does not weigh the internal features its customers asked for)."""
    features = feature_visible(user=user)
    if user.role in SALES_ROLES:
        return features.filter(visibility__in=SHAREABLE)
    return features


# How finely sales reads when: the one rule, which the sales roadmap, the feature pages, the releases,
# launches, the digest and the API all follow. A release's day is a promise: sales reads it only of
# what product committed and shared with sales; of the rest, the release's fiscal quarter.


def date_shared_with_sales(*, confidence: str, visibility: str) -> bool:
    """Whether sales may read the day of a feature's release (not only its quarter): committed and
    sales-shareable, as the sales roadmap prints it."""
    return confidence == Feature.Confidence.COMMITTED and visibility in SHAREABLE


def release_dates_shared(*, user: User, releases: Sequence[Release]) -> set[int]:
    """The releases among these whose target day the reader may read; the others read as their fiscal
    quarter. Everyone outside sales reads every day. Sales reads a release's day once the sales roadmap
    prints it (a committed, sales-shareable feature on the roadmap on it) and once it shipped."""
    if user.role not in SALES_ROLES:
        return {release.pk for release in releases}
    shared = {release.pk for release in releases if release.status == Release.Status.SHIPPED}
    planned = [release.pk for release in releases if release.pk not in shared]
    if planned:
        # `date_shared_with_sales`, as a query over the features on the roadmap.
        dated = Feature.objects.filter(
            release_id__in=planned,
            status__in=ON_ROADMAP,
            confidence=Feature.Confidence.COMMITTED,
            visibility__in=SHAREABLE,
        )
        shared.update(dated.values_list("release_id", flat=True).distinct())
    return shared


def release_target_for(release: Release, shared: Collection[int]) -> str:
    """A release's target day when it is among those the reader may read (`release_dates_shared`),
    else its fiscal quarter."""
    if release.pk in shared:
        return formats.date_short(release.target_date)
    return str(fiscal_quarter_of(release.target_date, workspace_get().fiscal_year_start_month))


def feature_get(*, user: User, pk: int) -> Feature:
    return get_object_or_404(feature_visible(user=user).select_related("product", "release", "owner"), pk=pk)


def feature_with_evidence(*, user: User) -> QuerySet[Feature]:
    """Visible features seen in full, joined to their evidence row, for lists sorted by revenue at stake.

    The inner join (every feature gets its row when created) lets PostgreSQL walk the evidence
    index for the first page; the outer join of `select_related` alone sorts every feature.
    """
    return feature_visible_in_full(user=user).filter(evidence__isnull=False).select_related("product", "evidence")


def scoring_settings_visible(*, user: User) -> QuerySet[ScoringSettings]:
    """Everyone sees the scoring weights: every score shows its breakdown, so its weights are no secret."""
    return ScoringSettings.objects.all()


def scoring_settings_get() -> ScoringSettings:
    """The workspace's scoring settings, created with the defaults on first use."""
    scoring, _ = ScoringSettings.objects.get_or_create(id=1)
    return scoring


# The ask trend: asks per week over the last TREND_WEEKS weeks (91 days) on the feature page; the
# list shows the count of the last RECENT_DAYS days. Counted per request, never stored: it ages daily.
# Both count `*`, not ids, so PostgreSQL answers from the `ask_feature_created` index alone.
TREND_WEEKS = 13
RECENT_DAYS = 90


@dataclass(frozen=True)
class TrendWeek:
    starts: datetime.date
    asks: int


def feature_ask_trend(*, feature: Feature, today: datetime.date | None = None) -> list[TrendWeek]:
    """Asks naming the feature per week, oldest first, the last week ending today (one query).

    Like the evidence totals, it counts every ask naming the feature, also those the viewer may not
    open: the feature's visibility already decided that the viewer sees its evidence.
    """
    today = today or timezone.localdate()
    first = today - datetime.timedelta(days=7 * TREND_WEEKS - 1)
    per_day = (
        Ask.objects.filter(feature=feature, created_at__gte=day_start(first))
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(asks=Count("*"))
        .order_by()
    )
    weeks = [0] * TREND_WEEKS
    for row in per_day:
        index = (row["day"] - first).days // 7
        if 0 <= index < TREND_WEEKS:
            weeks[index] += row["asks"]
    return [TrendWeek(first + datetime.timedelta(days=7 * i), count) for i, count in enumerate(weeks)]


def with_recent_asks(features: QuerySet[Feature]) -> QuerySet[Feature]:
    """Annotate `recent_asks`: how many asks named each feature in the last RECENT_DAYS days.

    A count per row in the list's own query, which PostgreSQL runs for the page's rows only (after
    its LIMIT): one query less a page than counting them apart. COUNT as a plain function, not
    Django's aggregate, so the subquery has no GROUP BY: a sixth less of its time, and 0 for none.
    """
    since = timezone.now() - datetime.timedelta(days=RECENT_DAYS)
    recent = (
        Ask.objects.filter(feature=OuterRef("pk"), created_at__gte=since)
        .order_by()
        .values(asks=Func(Value(1), function="COUNT", output_field=IntegerField()))
    )
    return features.annotate(recent_asks=Subquery(recent))


def feature_goal_ids(*, feature_ids: Sequence[int]) -> dict[int, list[int]]:
    """The goals each of these features serves, as ids, in one query of the link table: a prefetch
    would build a goal and a manager per feature, a fifth of the API's feature list."""
    goals: dict[int, list[int]] = {}
    links = Feature.goals.through.objects.filter(feature_id__in=list(feature_ids)).order_by("goal_id")
    for feature_id, goal_id in links.values_list("feature_id", "goal_id"):
        goals.setdefault(feature_id, []).append(goal_id)
    return goals


# Write rules: what each user may change.


def product_changeable(*, user: User) -> QuerySet[Product]:
    return Product.objects.all() if has_permission(user, ProductPermission.MANAGE_PRODUCTS) else Product.objects.none()


def goal_changeable(*, user: User) -> QuerySet[Goal]:
    return Goal.objects.all() if has_permission(user, ProductPermission.SET_GOALS) else Goal.objects.none()


def feature_changeable(*, user: User) -> QuerySet[Feature]:
    """Product managers and admins edit features; an engineering lead only estimates their effort
    (`ProductPermission.ESTIMATE_EFFORT`), which is not changing the feature as a whole."""
    return Feature.objects.all() if has_permission(user, ProductPermission.EDIT_FEATURE) else Feature.objects.none()


def release_changeable(*, user: User) -> QuerySet[Release]:
    """The releases of the products whose releases this person manages (`decisions.rights.release_products`)."""
    from tandem.decisions.models import DecisionType  # decisions reads products through this module
    from tandem.decisions.rights import decision_right_for, release_products

    products = release_products(user, Product.objects.all(), decision_right_for(DecisionType.PLANNED))
    return Release.objects.filter(product__in=products)


def scoring_settings_changeable(*, user: User) -> QuerySet[ScoringSettings]:
    allowed = has_permission(user, ProductPermission.SET_SCORING)
    return ScoringSettings.objects.all() if allowed else ScoringSettings.objects.none()
